/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the port XML parser (<networkport>, as Allocate and Notify read it) */
#include <string.h>

#include "core/portdef.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        g_autofree char *text = NULL, *xml = NULL, *xml2 = NULL;
        g_autoptr(PortDef) def = NULL, copy = NULL, again = NULL;
        g_auto(NetDefError) err = {}, err2 = {}, err3 = {};
        int r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        text = fuzz_text(data, size);
        if (portdef_parse_xml(text, &def, &err) < 0) {
                fuzz_check(err.message, "refused without a message");
                return 0;
        }

        /* what the parser accepts keeps the rules, also as a copy */
        copy = portdef_copy(def);
        r = portdef_validate(copy, &err2);
        fuzz_check(r == 0, "accepted definition breaks a rule: %s", err2.message);

        /* and formatted, it parses again and formats the same */
        xml = portdef_format_xml(copy);
        r = portdef_parse_xml(xml, &again, &err3);
        fuzz_check(r == 0, "formatted port refused (%s): %s\n%s", g_strerror(-r), err3.message, xml);
        xml2 = portdef_format_xml(again);
        fuzz_check(strcmp(xml, xml2) == 0, "formatting is not stable:\n%s\n---\n%s", xml, xml2);
        return 0;
}
