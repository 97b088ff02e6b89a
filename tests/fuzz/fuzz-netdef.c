/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the network XML parser, as DefineNetwork (flags 0) and the live record (STATE) read it */
#include <string.h>

#include "core/netdef.h"
#include "fuzz.h"

/* What the parser accepts, formatted, must parse again and format the same (libvirt's round trip). */
static void round_trip(const NetDef *def, NetDefParseFlags flags, NetDefFormatFlags format_flags) {
        g_autoptr(NetDef) copy = netdef_copy(def), again = NULL;
        g_autofree char *xml = netdef_format_xml(copy, format_flags), *xml2 = NULL;
        g_auto(NetDefError) err = {};
        int r;

        r = netdef_parse_xml(xml, flags, &again, &err);
        fuzz_check(r == 0, "formatted definition refused (%s): %s\n%s", g_strerror(-r), err.message, xml);
        xml2 = netdef_format_xml(again, format_flags);
        fuzz_check(strcmp(xml, xml2) == 0, "formatting is not stable:\n%s\n---\n%s", xml, xml2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        g_autofree char *text = NULL;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        text = fuzz_text(data, size);
        for (NetDefParseFlags flags = 0; flags <= NETDEF_PARSE_STATE; flags++) {
                g_autoptr(NetDef) def = NULL;
                g_auto(NetDefError) err = {};

                if (netdef_parse_xml(text, flags, &def, &err) < 0) {
                        fuzz_check(err.message, "refused without a message");
                        continue;
                }
                round_trip(def, flags, 0);
                if (flags == 0)
                        round_trip(def, flags, NETDEF_FORMAT_INACTIVE);
        }
        return 0;
}
