/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Load test client: one bus connection, Allocate and Release in a loop, each VF checked around its port */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "load.h"

/* The MAC and UUID of cycle I of client C: unique in the run, and the one derivable from the other */
void load_port_mac(unsigned client, unsigned cycle, char ret[static 18]) {
        snprintf(ret, 18, LOAD_PORT_MAC_PREFIX "%02x:%02x:%02x:%02x", client & 0xff, (cycle >> 16) & 0xff,
                 (cycle >> 8) & 0xff, cycle & 0xff);
}

void load_port_uuid(unsigned client, unsigned cycle, char ret[static 37]) {
        snprintf(ret, 37, "10ad%04x-0000-4000-8000-%012x", client & 0xffff, cycle);
}

static unsigned port_vlan(unsigned client, unsigned cycle) {
        return 1 + (client * 131 + cycle) % 4094;
}

static void tally_call_error(LoadTally *t, const sd_bus_error *error, int r) {
        if (sd_bus_error_is_set(error))
                load_tally_error(t, error->name, error->message);
        else {
                g_autofree char *name = g_strdup_printf("errno.%s", strerrorname_np(-r) ?: "unknown");

                load_tally_error(t, name, strerror(-r));
        }
}

/* The PCI address of the plug in a hostdev port's XML, as DDDD:BB:SS.F */
static int plug_address(const char *xml, char ret[static 13]) {
        const char *plug = strstr(xml, "<plug ");
        const char *addr = plug ? strstr(plug, "<address ") : NULL;
        unsigned domain, bus, slot, function;

        if (!addr || sscanf(addr, "<address domain='0x%x' bus='0x%x' slot='0x%x' function='0x%x'",
                            &domain, &bus, &slot, &function) != 4)
                return -EBADMSG;
        snprintf(ret, 13, "%04x:%02x:%02x.%x", domain & 0xffff, bus & 0xff, slot & 0x1f, function & 0x7);
        return 0;
}

static uint32_t elapsed_us(double since) {
        return (uint32_t) ((harness_now() - since) * 1e6);
}

/* After Allocate answered, this client alone holds the VF: it must carry the port's MAC and VLAN. */
static void check_configured(LoadTally *t, const LoadVf *vf, const char *uuid, const char *mac, unsigned vlan) {
        LoadVfState s;
        int r;

        r = load_vf_read(vf, &s);
        if (r < 0)
                load_tally_violation(t, LOAD_V_VF_NOT_CONFIGURED, "port %s: cannot read the state of VF %s: %s",
                                     uuid, vf->bdf, strerror(-r));
        else if (g_ascii_strcasecmp(s.mac, mac) != 0 || s.vlan != (int) vlan)
                load_tally_violation(t, LOAD_V_VF_NOT_CONFIGURED,
                                     "port %s (MAC %s, VLAN %u) got VF %s, which has MAC %s, VLAN %d",
                                     uuid, mac, vlan, vf->bdf, s.mac, s.vlan);
}

/* After Release answered, the VF may already be another port's, but it never keeps this port's MAC. */
static void check_cleared(LoadTally *t, const LoadVf *vf, const char *uuid, const char *mac) {
        char now[18];

        if (load_vf_read_mac(vf, now) >= 0 && g_ascii_strcasecmp(now, mac) == 0)
                load_tally_violation(t, LOAD_V_VF_KEPT_MAC, "port %s released, VF %s still has its MAC %s",
                                     uuid, vf->bdf, mac);
}

static void run_cycle(const LoadClientSpec *spec, sd_bus *bus, const char *owner, unsigned i) {
        LoadClientResult *res = &spec->shared->clients[spec->id];
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_auto(sd_bus_error) release_error = SD_BUS_ERROR_NULL;
        const char *path, *out;
        char mac[18], uuid[37], bdf[13], xml[1024];
        unsigned vlan = port_vlan(spec->id, i);
        const LoadVf *vf = NULL;
        double t0;
        int r;

        load_port_mac(spec->id, i, mac);
        load_port_uuid(spec->id, i, uuid);
        snprintf(xml, sizeof(xml),
                 "<networkport>\n  <uuid>%s</uuid>\n  <owner>\n    <name>load-c%u</name>\n"
                 "    <uuid>%s</uuid>\n  </owner>\n  <mac address='%s'/>\n"
                 "  <vlan><tag id='%u'/></vlan>\n</networkport>\n", uuid, spec->id, owner, mac, vlan);

        t0 = harness_now();
        r = sd_bus_call_method(bus, LOAD_BUS_NAME, spec->network_path, LOAD_NETWORK_IFACE, "Allocate", &error,
                               &reply, "st", xml, UINT64_C(0));
        if (r < 0) {
                if (sd_bus_error_has_name(&error, LOAD_POOL_EXHAUSTED))
                        res->exhausted++;
                tally_call_error(&res->tally, &error, r);
                return;
        }
        spec->alloc_us[i] = elapsed_us(t0);

        r = sd_bus_message_read(reply, "os", &path, &out);
        if (r < 0 || !strstr(out, uuid) || plug_address(out, bdf) < 0)
                load_tally_violation(&res->tally, LOAD_V_BAD_REPLY, "Allocate of port %s: %s", uuid,
                                     r < 0 ? "reply is not (os)" : "reply names no such port or plug address");
        else if (!(vf = load_host_find(spec->host, bdf)))
                load_tally_violation(&res->tally, LOAD_V_UNKNOWN_DEVICE, "port %s got %s, not a VF of the pool",
                                     uuid, bdf);
        else
                check_configured(&res->tally, vf, uuid, mac, vlan);

        t0 = harness_now();
        r = sd_bus_call_method(bus, LOAD_BUS_NAME, spec->network_path, LOAD_NETWORK_IFACE, "Release",
                               &release_error, NULL, "st", uuid, UINT64_C(0));
        if (r < 0) {
                tally_call_error(&res->tally, &release_error, r);
                return;
        }
        spec->release_us[i] = elapsed_us(t0);
        res->pairs++;
        if (vf)
                check_cleared(&res->tally, vf, uuid, mac);
}

/**
 * load_client_run() - one client process: its own bus connection, SPEC->cycles Allocate/Release pairs
 *
 * Returns: 0, or a negative errno when the bus cannot be reached at all (everything else is tallied).
 */
int load_client_run(const LoadClientSpec *spec) {
        g_autoptr(sd_bus) bus = NULL;
        char owner[37];
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                load_tally_error(&spec->shared->clients[spec->id].tally, "local.connect", strerror(-r));
                return r;
        }
        snprintf(owner, sizeof(owner), "0ad0c1e0-0000-4000-8000-%012x", spec->id);
        for (unsigned i = 0; i < spec->cycles && !atomic_load(&spec->shared->interrupted); i++) {
                run_cycle(spec, bus, owner, i);
                atomic_fetch_add(&spec->shared->cycles_done, 1);
        }
        return 0;
}
