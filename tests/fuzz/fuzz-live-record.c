/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the live record loader (STATE/networks/<name>.xml: <networkstatus> with <network> and <pool>) */
#include <string.h>

#include "core/store.h"
#include "fuzz.h"
#include "shared/macro.h"

static Store *store;

/* Saves the network as Start does and returns the record's text. */
static char *save_and_read(const Network *n) {
        g_autofree char *file = g_strconcat(network_name(n), ".xml", NULL);
        g_autofree char *path = g_build_filename(store->live_dir, file, NULL);

        char *text;
        int r;

        r = store_save_live(store, n);
        fuzz_check(r == 0, "loaded network cannot be saved: %s", g_strerror(-r));
        text = fuzz_read_file(path);
        (void) store_remove_live(store, network_name(n));
        return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        g_autofree char *text = NULL, *msg = NULL, *msg2 = NULL, *saved = NULL, *saved2 = NULL;
        g_autoptr(Network) n = NULL, again = NULL;
        NetDef *def = NULL, *def2 = NULL;
        Pool *pool = NULL, *pool2 = NULL;
        int r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        if (!store) {
                g_autofree char *config = g_build_filename(fuzz_tmpdir(), "etc", NULL);
                g_autofree char *state = g_build_filename(fuzz_tmpdir(), "run", NULL);

                r = store_open(config, state, &store);
                fuzz_check(r == 0, "cannot open a store: %s", g_strerror(-r));
        }
        text = fuzz_text(data, size);
        if (store_parse_live(text, &def, &pool, &msg) < 0) {
                fuzz_check(msg, "refused without a message");
                return 0;
        }
        n = network_new(def);
        n->pool = pool;
        n->active = true;

        /* what netpoold loaded after a crash it writes again at the next change: that must load the same */
        saved = save_and_read(n);
        r = store_parse_live(saved, &def2, &pool2, &msg2);
        fuzz_check(r == 0, "saved record refused (%s): %s\n%s", g_strerror(-r), msg2, saved);
        again = network_new(def2);
        again->pool = pool2;
        again->active = true;
        saved2 = save_and_read(again);
        fuzz_check(strcmp(saved, saved2) == 0, "record is not stable:\n%s\n---\n%s", saved, saved2);
        return 0;
}
