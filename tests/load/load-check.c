/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Load test checker: ListPorts and the sim's vfstate, read while the clients run, and netpoold's RSS */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "load.h"

void load_port_list_clear(LoadPortList *l) {
        g_clear_pointer(&l->ports, g_free);
        l->n = 0;
}

/**
 * load_list_ports() - Manager.ListPorts: uuid, MAC (lower case) and device of every port
 *
 * Returns: 0, or a negative errno (with *error set when the daemon answered with an error).
 */
int load_list_ports(sd_bus *bus, LoadPortList *ret, sd_bus_error *error) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(GArray) ports = g_array_new(false, true, sizeof(LoadPort));
        const char *uuid, *network, *owner, *owner_uuid, *mac, *device, *path;
        int r;

        r = sd_bus_call_method(bus, LOAD_BUS_NAME, LOAD_MANAGER_PATH, LOAD_MANAGER_IFACE, "ListPorts", error,
                               &reply, "t", UINT64_C(0));
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sssssso)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(sssssso)", &uuid, &network, &owner, &owner_uuid, &mac,
                                        &device, &path)) > 0) {
                LoadPort p = {};

                g_strlcpy(p.uuid, uuid, sizeof(p.uuid));
                g_strlcpy(p.mac, mac, sizeof(p.mac));
                g_strlcpy(p.device, device, sizeof(p.device));
                for (char *c = p.mac; *c; c++)
                        *c = g_ascii_tolower(*c);
                g_array_append_val(ports, p);
        }
        if (r < 0)
                return r;
        ret->n = ports->len;
        ret->ports = (LoadPort *) (void *) g_array_free(g_steal_pointer(&ports), false);
        return 0;
}

/* One ListPorts answer on its own: no device and no port twice, each port this run's, with its own MAC */
static void check_list(const LoadHost *h, const LoadPortList *l, LoadCheckResult *res) {
        g_autoptr(GHashTable) devices = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GHashTable) uuids = g_hash_table_new(g_str_hash, g_str_equal);

        res->ports_max = MAX(res->ports_max, l->n);
        for (unsigned i = 0; i < l->n; i++) {
                const LoadPort *p = &l->ports[i], *other;
                unsigned client, cycle;
                char expected[18];

                if ((other = g_hash_table_lookup(devices, p->device)))
                        load_tally_violation(&res->tally, LOAD_V_DEVICE_IN_TWO_PORTS,
                                             "one ListPorts answer: device %s in port %s and port %s",
                                             p->device, other->uuid, p->uuid);
                else
                        g_hash_table_insert(devices, (char *) p->device, (void *) p);
                if (!g_hash_table_add(uuids, (char *) p->uuid))
                        load_tally_violation(&res->tally, LOAD_V_PORT_LISTED_TWICE,
                                             "one ListPorts answer: port %s listed twice", p->uuid);
                if (sscanf(p->uuid, "10ad%4x-0000-4000-8000-%12x", &client, &cycle) != 2)
                        expected[0] = '\0';
                else
                        load_port_mac(client, cycle, expected);
                if (!g_str_equal(expected, p->mac))
                        load_tally_violation(&res->tally, LOAD_V_PORT_WRONG_MAC,
                                             "port %s listed with MAC %s, allocated with %s", p->uuid, p->mac,
                                             expected[0] ? expected : "(not a port of this run)");
                if (!load_host_find(h, p->device))
                        load_tally_violation(&res->tally, LOAD_V_UNKNOWN_DEVICE,
                                             "port %s listed with device %s, not a VF of the pool", p->uuid,
                                             p->device);
        }
}

static const LoadPort *find_port(const LoadPortList *l, const char *uuid) {
        for (unsigned i = 0; i < l->n; i++)
                if (g_str_equal(l->ports[i].uuid, uuid))
                        return &l->ports[i];
        return NULL;
}

/**
 * load_check_window() - check one window: ListPorts L1, then MACS (the vfstate MAC of every VF of H, lower
 * case, read one after the other), then ListPorts L2
 *
 * Neither answer nor the scan is atomic with the others, so only what holds whatever the interleaving is
 * asserted. Each answer on its own names no device twice. A port in both answers was held all through the
 * scan (a port UUID is allocated once and released once), on one device: no other VF may carry its MAC. A
 * MAC other than all zeros is on at most one VF (each port MAC is configured once, the originals are
 * unique; nothing here injects the faults after which a VF is rolled back and another tried). A VF that
 * carries a port MAC whose port is in neither answer or in one only is mid-allocate or mid-release: counted,
 * not judged.
 */
void load_check_window(const LoadHost *h, const LoadPortList *l1, const LoadMac *macs, const LoadPortList *l2,
                       LoadCheckResult *res) {
        g_autoptr(GHashTable) held = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

        check_list(h, l1, res);
        check_list(h, l2, res);
        for (unsigned i = 0; i < l1->n; i++) {
                const LoadPort *p = &l1->ports[i], *q = find_port(l2, p->uuid);

                if (!q)
                        continue;
                if (!g_str_equal(p->device, q->device))
                        load_tally_violation(&res->tally, LOAD_V_PORT_MOVED, "port %s moved from %s to %s",
                                             p->uuid, p->device, q->device);
                else
                        g_hash_table_insert(held, (char *) p->mac, (void *) p);
        }
        for (unsigned i = 0; i < h->n_vfs; i++) {
                const char *bdf = h->vfs[i].bdf, *mac = macs[i], *other;
                const LoadPort *p;

                if (!*mac || g_str_equal(mac, "00:00:00:00:00:00"))
                        continue;
                if ((other = g_hash_table_lookup(seen, mac)))
                        load_tally_violation(&res->tally, LOAD_V_MAC_ON_TWO_VFS, "MAC %s on VF %s and VF %s",
                                             mac, other, bdf);
                else
                        g_hash_table_insert(seen, (char *) mac, (char *) bdf);
                if ((p = g_hash_table_lookup(held, mac))) {
                        if (g_ascii_strcasecmp(p->device, bdf) != 0)
                                load_tally_violation(&res->tally, LOAD_V_MAC_ON_FOREIGN_VF,
                                                     "VF %s has MAC %s of port %s, which holds %s", bdf, mac,
                                                     p->uuid, p->device);
                        else
                                res->vf_held++;
                } else if (g_str_has_prefix(mac, LOAD_PORT_MAC_PREFIX))
                        res->vf_transient++;
        }
        res->snapshots++;
}

/* netpoold's VmRSS in KiB, 0 when it cannot be read (the process is gone) */
uint64_t load_rss_kib(pid_t pid) {
        uint64_t kib;

        return harness_proc_status_kib(pid, "VmRSS", &kib) < 0 ? 0 : kib;
}

static void sample_rss(LoadShared *shared, pid_t pid, double start) {
        LoadCheckResult *res = &shared->check;
        uint64_t kib = load_rss_kib(pid);

        if (kib == 0) {
                load_tally_violation(&res->tally, LOAD_V_DAEMON_RESTARTED, "netpoold (pid %d) is gone",
                                     (int) pid);
                return;
        }
        if (res->n_rss < LOAD_MAX_RSS)
                res->rss[res->n_rss++] = (LoadRssSample) {
                        .t = harness_now() - start,
                        .cycles = atomic_load(&shared->cycles_done),
                        .kib = kib,
                };
}

static void one_window(const LoadHost *h, sd_bus *bus, LoadMac *macs, LoadCheckResult *res) {
        g_auto(LoadPortList) l1 = {}, l2 = {};
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        int r;

        r = load_list_ports(bus, &l1, &error);
        for (unsigned i = 0; r >= 0 && i < h->n_vfs; i++) {
                r = load_vf_read_mac(&h->vfs[i], macs[i]);
                if (r < 0)
                        load_tally_violation(&res->tally, LOAD_V_CHECKER_CALL, "cannot read the MAC of VF %s: %s",
                                             h->vfs[i].bdf, strerror(-r));
                for (char *c = macs[i]; *c; c++)
                        *c = g_ascii_tolower(*c);
        }
        if (r >= 0)
                r = load_list_ports(bus, &l2, &error);
        if (r < 0) {
                load_tally_error(&res->tally, error.name ?: "local.ListPorts", error.message ?: strerror(-r));
                load_tally_violation(&res->tally, LOAD_V_CHECKER_CALL, "ListPorts failed: %s",
                                     error.message ?: strerror(-r));
                return;
        }
        load_check_window(h, &l1, macs, &l2, res);
}

/**
 * load_checker_run() - the checker process: a window every INTERVAL_S seconds until the clients are done,
 * netpoold's RSS every second and once as soon as WARM_CYCLES are done (the end of warm-up)
 */
void load_checker_run(const LoadHost *h, LoadShared *shared, pid_t daemon_pid, uint64_t warm_cycles,
                      double interval_s) {
        LoadCheckResult *res = &shared->check;
        g_autoptr(sd_bus) bus = NULL;
        g_autofree LoadMac *macs = g_new0(LoadMac, h->n_vfs);
        double start = harness_now(), next_rss = start;
        bool warm_sampled = false;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                load_tally_violation(&res->tally, LOAD_V_CHECKER_CALL, "cannot connect: %s", strerror(-r));
                return;
        }
        /* at least one window, however late this process gets the CPU */
        do {
                double t = harness_now(), left;
                bool warm;

                one_window(h, bus, macs, res);
                warm = atomic_load(&shared->cycles_done) >= warm_cycles;
                if (harness_now() >= next_rss || (warm && !warm_sampled)) {
                        sample_rss(shared, daemon_pid, start);
                        next_rss = harness_now() + 1.0;
                        warm_sampled = warm;
                }
                left = interval_s - (harness_now() - t);
                if (left > 0)
                        g_usleep((gulong) (left * 1e6));
        } while (!atomic_load(&shared->stop));
}

/* ---- The checker's own test: planted windows, each judged as it must be ---- */

static LoadPort planted_port(const LoadHost *h, unsigned cycle, unsigned vf) {
        LoadPort p = {};

        load_port_uuid(0, cycle, p.uuid);
        load_port_mac(0, cycle, p.mac);
        g_strlcpy(p.device, h->vfs[vf].bdf, sizeof(p.device));
        return p;
}

typedef struct PlantedCase {
        const char *what;
        LoadViolation expect;                   /* _LOAD_V_MAX: no violation */
        int l1[2][2], l2[2][2];                 /* up to two ports each: {cycle, vf}, cycle -1 = none */
        int mac_of[2][2];                       /* up to two VFs carrying a port MAC: {vf, cycle} */
} PlantedCase;

static const PlantedCase planted_cases[] = {
        { "a port held all through, one allocated and one released meanwhile", _LOAD_V_MAX,
          { { 1, 0 }, { 3, 2 } }, { { 1, 0 }, { 2, 1 } }, { { 0, 1 }, { 1, 2 } } },
        { "a VF configured before its port is listed, one restored after its port left", _LOAD_V_MAX,
          { { 1, 0 }, { -1, 0 } }, { { -1, 0 }, { -1, 0 } }, { { 0, 1 }, { 1, 2 } } },
        { "two ports on one device in one answer", LOAD_V_DEVICE_IN_TWO_PORTS,
          { { 1, 0 }, { 2, 0 } }, { { -1, 0 }, { -1, 0 } }, { { -1, 0 }, { -1, 0 } } },
        { "the MAC of a port held all through on another VF", LOAD_V_MAC_ON_FOREIGN_VF,
          { { 1, 0 }, { -1, 0 } }, { { 1, 0 }, { -1, 0 } }, { { 1, 1 }, { -1, 0 } } },
        { "one port on two devices", LOAD_V_PORT_MOVED,
          { { 1, 0 }, { -1, 0 } }, { { 1, 1 }, { -1, 0 } }, { { -1, 0 }, { -1, 0 } } },
        { "one port MAC on two VFs", LOAD_V_MAC_ON_TWO_VFS,
          { { -1, 0 }, { -1, 0 } }, { { -1, 0 }, { -1, 0 } }, { { 0, 1 }, { 1, 1 } } },
};

static void planted_list(const LoadHost *h, const int (*spec)[2], LoadPortList *ret) {
        ret->ports = g_new0(LoadPort, 2);
        for (unsigned i = 0; i < 2; i++)
                if (spec[i][0] >= 0)
                        ret->ports[ret->n++] = planted_port(h, (unsigned) spec[i][0], (unsigned) spec[i][1]);
}

/**
 * load_check_self_test() - run load_check_window() on planted windows over the first VFs of H: legal
 * interleavings must pass, each planted double booking must be found (and nothing else)
 *
 * Returns: the number of cases judged wrongly; NOTE describes the first.
 */
unsigned load_check_self_test(const LoadHost *h, char *note, size_t size) {
        g_autofree LoadMac *macs = g_new0(LoadMac, h->n_vfs);
        g_autofree LoadCheckResult *res = g_new0(LoadCheckResult, 1);
        unsigned failures = 0;

        if (h->n_vfs < 3) {
                snprintf(note, size, "needs at least 3 VFs");
                return 1;
        }
        for (unsigned c = 0; c < G_N_ELEMENTS(planted_cases); c++) {
                const PlantedCase *pc = &planted_cases[c];
                g_auto(LoadPortList) l1 = {}, l2 = {};
                uint64_t found = 0, expected;

                for (unsigned i = 0; i < h->n_vfs; i++)
                        g_strlcpy(macs[i], h->vfs[i].original.mac, sizeof(macs[i]));
                for (unsigned i = 0; i < 2; i++)
                        if (pc->mac_of[i][0] >= 0)
                                load_port_mac(0, (unsigned) pc->mac_of[i][1], macs[pc->mac_of[i][0]]);
                planted_list(h, pc->l1, &l1);
                planted_list(h, pc->l2, &l2);
                memset(res, 0, sizeof(*res));
                load_check_window(h, &l1, macs, &l2, res);

                found = load_tally_violations(&res->tally);
                expected = pc->expect == _LOAD_V_MAX ? 0 : res->tally.violations[pc->expect];
                if (found != expected || (pc->expect != _LOAD_V_MAX && expected == 0)) {
                        if (failures++ == 0)
                                snprintf(note, size, "%s: %" G_GUINT64_FORMAT " violations, expected %s%s",
                                         pc->what, found, pc->expect == _LOAD_V_MAX ? "none" : "only ",
                                         pc->expect == _LOAD_V_MAX ? "" : load_violation_to_string(pc->expect));
                }
        }
        return failures;
}
