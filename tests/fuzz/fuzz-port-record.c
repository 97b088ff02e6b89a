/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the port record loader (STATE/ports/<uuid>.xml: <portstatus>) */
#include <string.h>

#include "core/port.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        g_autofree char *text = NULL, *msg = NULL, *msg2 = NULL, *xml = NULL, *xml2 = NULL;
        g_autoptr(Port) p = NULL, again = NULL;
        int r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        text = fuzz_text(data, size);
        if (port_record_parse(text, &p, &msg) < 0) {
                fuzz_check(msg, "refused without a message");
                return 0;
        }
        fuzz_check(p->def && p->network && p->device && p->vfs, "accepted record is incomplete");

        /* a record netpoold wrote from what it loaded loads again, the same */
        xml = port_record_format(p);
        r = port_record_parse(xml, &again, &msg2);
        fuzz_check(r == 0, "formatted record refused (%s): %s\n%s", g_strerror(-r), msg2, xml);
        xml2 = port_record_format(again);
        fuzz_check(strcmp(xml, xml2) == 0, "formatting is not stable:\n%s\n---\n%s", xml, xml2);
        return 0;
}
