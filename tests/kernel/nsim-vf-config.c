/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoold's VF apply and restore (src/engine/vf-config.c, the code Allocate and Release run) on a netdevsim VF
 * over the real kernel, for nsim-guest.sh: netdevsim's VFs are no PCI functions (no virtfnN links), so no pool
 * of netpoold's can hold one, but every VF setting netpool knows is there. The guest script reads each result
 * back from `ip -d link`.
 *
 * usage: nsim-vf-config apply STATE-DIR PF VF mac=MAC [vlan=ID] [qos=N] [proto=802.1Q|802.1ad] [spoofchk=on|off]
 *                           [trust=on|off] [link-state=auto|enable|disable] [min-tx=N] [max-tx=N]
 *        nsim-vf-config restore STATE-DIR PF VF
 * (rates: both are set when either is given, the other 0, as a port's <netpool:vf> does)
 * Exit 0 on success; the engine's message on stderr otherwise. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "engine/vf-config.h"
#include "engine/vf-setting.h"
#include "hw/hw-linux.h"
#include "hw/hw.h"

static unsigned number(const char *s) {
        return (unsigned) strtoul(s, NULL, 10);
}

static int parse_setting(const char *arg, VfSettings *s) {
        const char *v = strchr(arg, '=');
        int r = 0;

        if (!v)
                return -EINVAL;
        v++;
        if (g_str_has_prefix(arg, "mac="))
                vf_settings_set_mac(s, v);
        else if (g_str_has_prefix(arg, "vlan="))
                vf_settings_set_vlan(s, number(v), s->qos);
        else if (g_str_has_prefix(arg, "qos="))
                vf_settings_set_vlan(s, s->vlan, number(v));
        else if (g_str_has_prefix(arg, "proto=")) {
                r = s->vlan_proto = vf_vlan_proto_from_string(v);
                s->set |= VF_SETTING_BIT(VF_SETTING_VLAN_PROTO);
        } else if (g_str_has_prefix(arg, "spoofchk=")) {
                s->spoofchk = g_str_equal(v, "on");
                s->set |= VF_SETTING_BIT(VF_SETTING_SPOOFCHK);
        } else if (g_str_has_prefix(arg, "trust=")) {
                s->trust = g_str_equal(v, "on");
                s->set |= VF_SETTING_BIT(VF_SETTING_TRUST);
        } else if (g_str_has_prefix(arg, "link-state=")) {
                r = s->link_state = vf_link_state_from_string(v);
                s->set |= VF_SETTING_BIT(VF_SETTING_LINK_STATE);
        } else if (g_str_has_prefix(arg, "min-tx=")) {
                s->min_tx_rate = number(v);
                s->set |= VF_SETTING_BIT(VF_SETTING_TX_RATE);
        } else if (g_str_has_prefix(arg, "max-tx=")) {
                s->max_tx_rate = number(v);
                s->set |= VF_SETTING_BIT(VF_SETTING_TX_RATE);
        } else
                r = -EINVAL;
        return r < 0 ? -EINVAL : 0;
}

int main(int argc, char **argv) {
        g_autoptr(HwBackend) hw = NULL;
        g_autofree char *msg = NULL;
        VfSettings want = {};
        VfTarget t = {};
        int r;

        if (argc < 5 || (!g_str_equal(argv[1], "apply") && !g_str_equal(argv[1], "restore"))) {
                fprintf(stderr, "usage: nsim-vf-config apply|restore STATE-DIR PF VF [SETTING=VALUE...]\n");
                return 2;
        }
        t.pf_netdev = argv[3];
        t.vf = number(argv[4]);
        for (int i = 5; i < argc; i++)
                if (parse_setting(argv[i], &want) < 0) {
                        fprintf(stderr, "nsim-vf-config: bad setting '%s'\n", argv[i]);
                        return 2;
                }
        r = hw_backend_new_linux(NULL, &hw);
        if (r < 0) {
                fprintf(stderr, "nsim-vf-config: the linux backend: %s\n", g_strerror(-r));
                return 1;
        }
        if (g_str_equal(argv[1], "apply"))
                r = vf_config_apply(hw, argv[2], &t, &want, "c7a5fdbd-cdaf-4455-926a-d65c16db1809", &msg, NULL);
        else
                r = vf_config_restore(hw, argv[2], &t, &msg, NULL);
        if (r < 0) {
                fprintf(stderr, "nsim-vf-config: %s\n", msg ? msg : g_strerror(-r));
                return 1;
        }
        return 0;
}
