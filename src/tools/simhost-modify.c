/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim host changes: what a hypervisor does to a host (simhost.md), and faults for the sim's VF ops */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/names.h"
#include "shared/fileio.h"
#include "shared/macro.h"
#include "tools/simhost-build.h"
#include "tools/simhost-modify.h"

#define ASSIGN_DRIVER "vfio-pci"

static int parse_bdf(const char *bdf, PciAddr *ret, char **reterr) {
        if (!bdf || pci_addr_from_string(bdf, ret) < 0)
                return sim_refuse(reterr, -EINVAL, "'%s' is not a PCI address DDDD:BB:SS.F", bdf ? bdf : "");
        return 0;
}

/* A PCI function of the host, by address: -ENODEV when there is none */
static int find_function(SimHost *h, const char *bdf, PciAddr *ret, char **reterr) {
        g_autofree char *dir = NULL;
        struct stat st;
        int r;

        r = parse_bdf(bdf, ret, reterr);
        if (r < 0)
                return r;
        dir = sim_function_dir(h->root, ret);
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return sim_refuse(reterr, -ENODEV, "no PCI function %s in %s", bdf, h->root);
        return 0;
}

static char *read_driver(const char *function_dir) {
        g_autofree char *link = g_build_filename(function_dir, "driver", NULL), *target = NULL;

        target = g_file_read_link(link, NULL);
        return target ? g_path_get_basename(target) : NULL;
}

/* Moves every net/<ifname> of the function into held_net (or back), with its class/net link. */
static int move_netdevs(SimHost *h, const PciAddr *addr, const char *from, const char *to, bool to_host,
                        char **reterr) {
        g_autoptr(GDir) d = g_dir_open(from, 0, NULL);
        const char *name;
        int r;

        if (!d)
                return 0;
        r = mkdir_parents(to);
        if (r < 0)
                return sim_fail(reterr, r, "cannot create %s", to);
        while ((name = g_dir_read_name(d))) {
                g_autofree char *src = g_build_filename(from, name, NULL), *dst = g_build_filename(to, name, NULL);

                if (to_host) {
                        char ifindex[16];

                        /* registered anew: a fresh ifindex, as the kernel gives (the old one may be taken) */
                        g_snprintf(ifindex, sizeof(ifindex), "%u", sim_alloc_ifindex(h));
                        r = sim_link_netdev(h->root, addr, name, reterr);
                        if (r < 0)
                                return r;
                        r = sim_write_attr(src, "ifindex", ifindex);
                        if (r >= 0)     /* a netdev registered anew has no addresses (its link type stays) */
                                r = unlink_atomic(src, "addresses");
                        if (r < 0)
                                return sim_fail(reterr, r, "cannot write the ifindex of %s", name);
                } else {
                        r = sim_remove_uppers(h->root, name);
                        if (r >= 0)
                                r = sim_unlink_netdev(h->root, name);
                        if (r < 0)
                                return sim_fail(reterr, r, "cannot unlink netdev %s", name);
                }
                if (rename(src, dst) < 0)
                        return sim_fail(reterr, -errno, "cannot move %s", src);
        }
        return 0;
}

/* R/dev/vfio/<G> of the function's group follows its driver */
static int sync_vfio_node(SimHost *h, const PciAddr *addr, char **reterr) {
        unsigned group;
        int r;

        r = sim_function_group(h->root, addr, &group);
        if (r == -ENOENT)
                return 0;
        if (r >= 0)
                r = sim_vfio_sync(h->root, group);
        if (r < 0)
                return sim_fail(reterr, r, "cannot update the VFIO node of IOMMU group %u", group);
        return 0;
}

/**
 * sim_assign() - the hypervisor takes a function for a guest (vfio-pci, no host netdevs)
 * Its driver becomes vfio-pci; its netdevs leave net/ and R/sys/class/net, kept under
 * R/.simhost/held/<BDF>/ so that sim_release() can bring them back.
 * Returns: 0, -ENODEV for no such function, -EBUSY when it is assigned already, or the -errno of a
 * file; *reterr says why
 */
int sim_assign(SimHost *h, const char *bdf, char **reterr) {
        g_autofree char *dir = NULL, *held = NULL, *driver = NULL, *net = NULL, *held_net = NULL;
        PciAddr addr;
        int r;

        r = find_function(h, bdf, &addr, reterr);
        if (r < 0)
                return r;
        dir = sim_function_dir(h->root, &addr);
        held = sim_held_dir(h->root, &addr);
        driver = read_driver(dir);
        if (access(held, F_OK) == 0 || g_strcmp0(driver, ASSIGN_DRIVER) == 0)
                return sim_refuse(reterr, -EBUSY, "%s is assigned already", bdf);
        {
                unsigned group;

                if (sim_function_group(h->root, &addr, &group) < 0)
                        return sim_refuse(reterr, -EINVAL, "%s has no IOMMU group: vfio-pci cannot take it", bdf);
        }

        r = mkdir_parents(held);
        if (r >= 0)
                r = sim_write_attr(held, "driver", driver ? driver : "");
        if (r < 0)
                return sim_fail(reterr, r, "cannot write %s", held);
        net = g_build_filename(dir, "net", NULL);
        held_net = g_build_filename(held, "net", NULL);
        r = move_netdevs(h, &addr, net, held_net, false, reterr);
        if (r < 0)
                return r;
        (void) rmdir(net);      /* a function bound to vfio-pci has no net/ at all */
        r = sim_bind_driver(h->root, &addr, ASSIGN_DRIVER);
        if (r < 0)
                return sim_fail(reterr, r, "cannot bind %s to %s", bdf, ASSIGN_DRIVER);
        return sync_vfio_node(h, &addr, reterr);
}

/**
 * sim_release() - the guest gives the function back: its original driver and netdevs return
 * Returns: 0, -ENODEV for no such function, -EINVAL when it was not assigned, or the -errno of a
 * file; *reterr says why
 */
int sim_release(SimHost *h, const char *bdf, char **reterr) {
        g_autofree char *dir = NULL, *held = NULL, *driver_file = NULL, *driver = NULL;
        g_autofree char *net = NULL, *held_net = NULL;
        PciAddr addr;
        int r;

        r = find_function(h, bdf, &addr, reterr);
        if (r < 0)
                return r;
        dir = sim_function_dir(h->root, &addr);
        held = sim_held_dir(h->root, &addr);
        driver_file = g_build_filename(held, "driver", NULL);
        r = read_one_line(driver_file, &driver);
        if (r == -ENOENT)
                return sim_refuse(reterr, -EINVAL, "%s is not assigned (assign it first)", bdf);
        if (r < 0)
                return sim_fail(reterr, r, "cannot read %s", driver_file);

        r = sim_bind_driver(h->root, &addr, driver[0] ? driver : NULL);
        if (r < 0)
                return sim_fail(reterr, r, "cannot bind %s", bdf);
        net = g_build_filename(dir, "net", NULL);
        held_net = g_build_filename(held, "net", NULL);
        r = move_netdevs(h, &addr, held_net, net, true, reterr);
        if (r < 0)
                return r;
        r = sim_rm_rf(held);
        if (r < 0)
                return sim_fail(reterr, r, "cannot remove %s", held);
        return sync_vfio_node(h, &addr, reterr);
}

static PfSpec *find_pf(SimHost *h, const char *bdf, char **reterr) {
        PciAddr addr;

        if (parse_bdf(bdf, &addr, reterr) < 0)
                return NULL;
        PfSpec *s = sim_host_find_pf(h, &addr);
        if (!s)
                sim_refuse(reterr, -ENODEV, "%s is not a PF of this host", bdf);
        return s;
}

static int parse_count(const char *what, const char *s, unsigned max, unsigned *ret, char **reterr) {
        char *end = NULL;
        guint64 v;

        if (!s || !g_ascii_isdigit(s[0]))
                return sim_refuse(reterr, -EINVAL, "%s '%s' is not a number", what, s ? s : "");
        v = g_ascii_strtoull(s, &end, 10);
        if (*end != '\0' || v > max)
                return sim_refuse(reterr, -EINVAL, "%s '%s' is not a number from 0 to %u", what, s, max);
        *ret = (unsigned) v;
        return 0;
}

/* Attribute attr of the sysfs directory dir, of owner (a BDF, a netdev) */
static int write_attr_of(const char *dir, const char *attr, const char *value, const char *owner, char **reterr) {
        int r = sim_write_attr(dir, attr, value);

        if (r < 0)
                return sim_fail(reterr, r, "cannot write %s of %s", attr, owner);
        return 0;
}

/* The sysfs directory of netdev ifname, its R/sys/class/net link resolved */
static int find_netdev(SimHost *h, const char *ifname, char **ret, char **reterr) {
        g_autofree char *link = NULL;

        if (!ifname || !netdev_name_is_valid(ifname))
                return sim_refuse(reterr, -EINVAL, "'%s' is not a netdev name", ifname ? ifname : "");
        link = sim_class_net_link(h->root, ifname);
        *ret = realpath(link, NULL);
        if (!*ret)
                return sim_refuse(reterr, -ENODEV, "no netdev %s in %s", ifname, h->root);
        return 0;
}

/**
 * sim_set_numvfs() - a PF resized to count VFs, as writing sriov_numvfs does
 * The VFs past count go, the missing ones below it are made.
 * Returns: 0, -ENODEV for no such PF, -EINVAL for a count that is not a number up to
 * sriov_totalvfs, or -errno; *reterr says why
 */
int sim_set_numvfs(SimHost *h, const char *pf_bdf, const char *count, char **reterr) {
        g_autofree char *dir = NULL, *value = NULL;
        PfSpec *s = find_pf(h, pf_bdf, reterr);
        unsigned n;
        int r;

        if (!s)
                return -ENODEV;
        r = parse_count("VF count", count, s->total_vfs, &n, reterr);
        if (r < 0)
                return r;
        for (unsigned i = s->num_vfs; i > n; i--) {
                r = sim_remove_vf(h, s, i - 1, reterr);
                if (r < 0)
                        return r;
        }
        for (unsigned i = s->num_vfs; i < n; i++) {
                r = sim_build_vf(h, s, i, reterr);
                if (r < 0)
                        return r;
        }
        s->num_vfs = n;
        dir = sim_function_dir(h->root, &s->addr);
        value = g_strdup_printf("%u", n);
        return write_attr_of(dir, "sriov_numvfs", value, pf_bdf, reterr);
}

int sim_set_link(SimHost *h, const char *ifname, const char *state, char **reterr) {
        g_autofree char *dir = NULL;
        int r;

        if (!state || (strcmp(state, "up") != 0 && strcmp(state, "down") != 0))
                return sim_refuse(reterr, -EINVAL, "link state '%s' is not up or down", state ? state : "");
        r = find_netdev(h, ifname, &dir, reterr);
        if (r < 0)
                return r;
        return write_attr_of(dir, "operstate", state, ifname, reterr);
}

/* simhost.md's fault lines: OP ERRNO [COUNT] */
static int check_fail_line(const char *line, char **ret_clean, char **reterr) {
        static const char *const ops[] = {
                "get", "set_mac", "set_mac_zero", "set_vlan", "set_trust", "set_spoofchk", "set_link_state",
                "set_rate", "set_vlan_proto", "set_mtu", "bind", "unbind", "reset", "macvtap", NULL,
        };
        static const char *const errnos[] = { "EINVAL", "EBUSY", "EPERM", "EOPNOTSUPP", "ENODEV", "IGNORE", NULL };
        g_auto(GStrv) words = g_strsplit_set(line ? line : "", " \t", -1);
        g_autoptr(GPtrArray) w = g_ptr_array_new();
        unsigned count;

        for (size_t i = 0; words[i]; i++)
                if (words[i][0] != '\0')
                        g_ptr_array_add(w, words[i]);
        if (w->len < 2 || w->len > 3)
                return sim_refuse(reterr, -EINVAL, "fault '%s' is not 'OP ERRNO [COUNT]'", line ? line : "");
        if (!g_strv_contains(ops, w->pdata[0]))
                return sim_refuse(reterr, -EINVAL, "fault op '%s' is not get, set_mac, set_mac_zero, set_vlan, "
                                  "set_trust, set_spoofchk, set_link_state, set_rate, set_vlan_proto, set_mtu, "
                                  "bind, unbind, reset or macvtap", (char *) w->pdata[0]);
        if (!g_strv_contains(errnos, w->pdata[1]))
                return sim_refuse(reterr, -EINVAL, "fault errno '%s' is not EINVAL, EBUSY, EPERM, EOPNOTSUPP, "
                                  "ENODEV or IGNORE", (char *) w->pdata[1]);
        if (w->len == 3 && (parse_count("fault count", w->pdata[2], G_MAXINT, &count, reterr) < 0 || count == 0))
                return sim_refuse(reterr, -EINVAL, "fault count '%s' must be 1 or more", (char *) w->pdata[2]);
        g_ptr_array_add(w, NULL);
        *ret_clean = g_strjoinv(" ", (char **) w->pdata);
        return 0;
}

static int find_vf_state(SimHost *h, const char *pf_bdf, const char *vf, char **ret_dir, char **reterr) {
        PfSpec *s = find_pf(h, pf_bdf, reterr);
        g_autofree char *dir = NULL;
        unsigned index;
        struct stat st;
        int r;

        if (!s)
                return -ENODEV;
        r = parse_count("VF index", vf, G_MAXINT, &index, reterr);
        if (r < 0)
                return r;
        dir = sim_vfstate_dir(h->root, &s->addr, (int) index);
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return sim_refuse(reterr, -ENODEV, "PF %s has no VF %u", pf_bdf, index);
        *ret_dir = g_steal_pointer(&dir);
        return 0;
}

int sim_add_fail(SimHost *h, const char *pf_bdf, const char *vf, const char *line, char **reterr) {
        g_autofree char *dir = NULL, *clean = NULL, *path = NULL, *old = NULL, *text = NULL;
        int r;

        r = check_fail_line(line, &clean, reterr);
        if (r >= 0)
                r = find_vf_state(h, pf_bdf, vf, &dir, reterr);
        if (r < 0)
                return r;
        path = g_build_filename(dir, "fail", NULL);
        r = read_file_full(path, 64 * 1024, &old, NULL);
        if (r < 0 && r != -ENOENT)
                return sim_fail(reterr, r, "cannot read %s", path);
        text = g_strdup_printf("%s%s%s\n", old ? old : "", old && old[0] && !g_str_has_suffix(old, "\n") ? "\n" : "",
                               clean);
        r = write_file_atomic(dir, "fail", text, strlen(text));
        if (r < 0)
                return sim_fail(reterr, r, "cannot write %s", path);
        return 0;
}

int sim_clear_fail(SimHost *h, const char *pf_bdf, const char *vf, char **reterr) {
        g_autofree char *dir = NULL;
        int r;

        r = find_vf_state(h, pf_bdf, vf, &dir, reterr);
        if (r < 0)
                return r;
        r = unlink_durable(dir, "fail");
        if (r < 0)
                return sim_fail(reterr, r, "cannot remove the faults of VF %s", vf);
        return 0;
}

int sim_add_pf(SimHost *h, const char *text, char **reterr) {
        g_autofree char *message = NULL;
        PfSpec *s = NULL;
        int r;

        r = pf_spec_parse(text, &s, &message);
        if (r < 0)
                return sim_refuse(reterr, r, "--pf '%s': %s", text, message);
        if (sim_host_find_pf(h, &s->addr)) {
                char bdf[PCI_ADDR_STR_MAX];

                sim_refuse(reterr, -EEXIST, "PF %s is in the host already", pci_addr_to_string(&s->addr, bdf));
                pf_spec_free(s);
                return -EEXIST;
        }
        return sim_build_pf(h, s, reterr);
}

int sim_unplug_pf(SimHost *h, const char *pf_bdf, char **reterr) {
        PciAddr addr;
        int r;

        r = parse_bdf(pf_bdf, &addr, reterr);
        if (r < 0)
                return r;
        return sim_remove_pf(h, &addr, reterr);
}

/**
 * sim_set_dirty() - the guest left the VF in a state only a function reset clears: R/vfstate/<PF>/vf<N>/dirty
 * Returns: 0 or -errno; *reterr says why
 */
int sim_set_dirty(SimHost *h, const char *pf_bdf, const char *vf, char **reterr) {
        g_autofree char *dir = NULL;
        int r;

        r = find_vf_state(h, pf_bdf, vf, &dir, reterr);
        if (r < 0)
                return r;
        r = sim_write_attr(dir, "dirty", "1");
        if (r < 0)
                return sim_fail(reterr, r, "cannot mark VF %s dirty", vf);
        return 0;
}

/**
 * sim_share_group() - "BDF,BDF,…": the functions go into one IOMMU group, the first one's (a new one when
 * it has none), as functions behind one bridge without ACS are
 * Returns: 0 or -errno; *reterr says why
 */
int sim_share_group(SimHost *h, const char *list, char **reterr) {
        g_auto(GStrv) bdfs = g_strsplit(list ? list : "", ",", -1);
        g_autoptr(GArray) addrs = g_array_new(false, false, sizeof(PciAddr));
        unsigned group;
        int r;

        for (size_t i = 0; bdfs[i]; i++) {
                PciAddr a;

                r = find_function(h, bdfs[i], &a, reterr);
                if (r < 0)
                        return r;
                g_array_append_val(addrs, a);
        }
        if (addrs->len < 2)
                return sim_refuse(reterr, -EINVAL, "--iommu-group '%s': give two functions or more, BDF,BDF,…",
                                  list ? list : "");
        if (sim_function_group(h->root, &g_array_index(addrs, PciAddr, 0), &group) < 0)
                group = sim_new_group(h);
        for (guint i = 0; i < addrs->len; i++) {
                unsigned now;

                if (sim_function_group(h->root, &g_array_index(addrs, PciAddr, i), &now) >= 0 && now == group)
                        continue;
                r = sim_group_join(h->root, &g_array_index(addrs, PciAddr, i), group);
                if (r < 0)
                        return sim_fail(reterr, r, "cannot put %s into IOMMU group %u", bdfs[i], group);
        }
        return 0;
}

static bool driver_name_ok(const char *s) {
        if (!s || !s[0] || strlen(s) > 64)
                return false;
        for (const char *p = s; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
                        return false;
        return true;
}

static int parse_hex_id(const char *key, const char *s, unsigned max, unsigned *ret, char **reterr) {
        guint64 v;
        const char *digits = g_str_has_prefix(s, "0x") ? s + 2 : s;

        if (!g_ascii_string_to_unsigned(digits, 16, 0, max, &v, NULL))
                return sim_refuse(reterr, -EINVAL, "%s='%s' is not a hex number up to 0x%x", key, s, max);
        *ret = (unsigned) v;
        return 0;
}

typedef struct PlainSpec {
        PciAddr addr;
        FunctionShape shape;
        unsigned vendor, device, class_code;
        char class_text[16];
        const char *ifname, *group_with, *driver;
} PlainSpec;

static int parse_plain_key(SimHost *h, PlainSpec *p, const char *key, const char *value, char **reterr) {
        if (streq(key, "bdf"))
                return parse_bdf(value, &p->addr, reterr);
        if (streq(key, "driver")) {
                p->driver = streq(value, "none") ? NULL : value;
                if (p->driver && !driver_name_ok(p->driver))
                        return sim_refuse(reterr, -EINVAL, "driver='%s': letters, digits, '_' and '-'", value);
                return 0;
        }
        if (streq(key, "vendor"))
                return parse_hex_id(key, value, 0xffff, &p->vendor, reterr);
        if (streq(key, "device"))
                return parse_hex_id(key, value, 0xffff, &p->device, reterr);
        if (streq(key, "class"))
                return parse_hex_id(key, value, 0xffffff, &p->class_code, reterr);
        if (streq(key, "name")) {
                if (!netdev_name_is_valid(value))
                        return sim_refuse(reterr, -EINVAL, "name='%s' is not a valid netdev name", value);
                p->ifname = value;
                return 0;
        }
        if (streq(key, "group")) {
                PciAddr other;

                p->group_with = value;
                return find_function(h, value, &other, reterr);
        }
        if (streq(key, "iommu") || streq(key, "reset")) {
                bool *flag = streq(key, "iommu") ? &p->shape.iommu : &p->shape.reset;

                if (!streq(value, "yes") && !streq(value, "no"))
                        return sim_refuse(reterr, -EINVAL, "%s='%s' is not yes or no", key, value);
                *flag = streq(value, "yes");
                return 0;
        }
        return sim_refuse(reterr, -EINVAL, "unknown key '%s' (bdf, driver, vendor, device, class, name, group, "
                          "iommu, reset)", key);
}

/**
 * sim_add_function() - plugs in a PCI function outside SR-IOV: "bdf=…[,driver=e1000e][,name=IF][,group=BDF]…"
 * (group=BDF: in that function's IOMMU group, the "not viable" case when it keeps a host driver)
 * Returns: 0 or -errno; *reterr says why
 */
int sim_add_function(SimHost *h, const char *text, char **reterr) {
        g_auto(GStrv) words = g_strsplit(text ? text : "", ",", -1);
        g_autofree char *list = NULL;
        char bdf[PCI_ADDR_STR_MAX];
        PlainSpec p = {
                .vendor = 0x8086, .device = 0x10d3, .class_code = 0x020000,     /* an e1000e-like NIC */
                .shape = { .iommu = true, .reset = true },
                .driver = "e1000e",
        };
        bool have_bdf = false;
        int r;

        for (size_t i = 0; words[i]; i++) {
                char *eq = strchr(words[i], '=');

                if (!eq)
                        return sim_refuse(reterr, -EINVAL, "--add-function: '%s' is not key=value", words[i]);
                *eq = '\0';    /* words[] outlives p: its values point into it */
                r = parse_plain_key(h, &p, words[i], eq + 1, reterr);
                if (r < 0)
                        return r;
                have_bdf = have_bdf || streq(words[i], "bdf");
        }
        if (!have_bdf)
                return sim_refuse(reterr, -EINVAL, "--add-function '%s': bdf= is required", text ? text : "");
        if (p.group_with && !p.shape.iommu)
                return sim_refuse(reterr, -EINVAL, "--add-function: group= and iommu=no exclude each other");
        g_snprintf(p.class_text, sizeof(p.class_text), "0x%06x", p.class_code);
        p.shape.vendor = (uint16_t) p.vendor;
        p.shape.device = (uint16_t) p.device;
        p.shape.class_code = p.class_text;
        p.shape.driver = p.driver;
        r = sim_build_plain_function(h, &p.addr, &p.shape, p.ifname, reterr);
        if (r < 0 || !p.group_with)
                return r;
        list = g_strconcat(p.group_with, ",", pci_addr_to_string(&p.addr, bdf), NULL);
        return sim_share_group(h, list, reterr);
}

/* ---- netpool's extensions of the layout (docs/simhost.md): device attributes ---- */

int sim_set_numa_node(SimHost *h, const char *bdf, const char *node, char **reterr) {
        g_autofree char *dir = NULL;
        char text[16];
        unsigned n;
        PciAddr addr;
        int r;

        r = find_function(h, bdf, &addr, reterr);
        if (r < 0)
                return r;
        if (streq_ptr(node, "none") || streq_ptr(node, "-1"))
                g_strlcpy(text, "-1", sizeof(text));
        else if (parse_count("NUMA node", node, SIMHOST_NUMA_NODE_MAX, &n, reterr) < 0)
                return -EINVAL;
        else
                g_snprintf(text, sizeof(text), "%u", n);
        dir = sim_function_dir(h->root, &addr);
        return write_attr_of(dir, "numa_node", text, bdf, reterr);
}

int sim_set_eswitch_mode(SimHost *h, const char *pf_bdf, const char *mode, char **reterr) {
        g_autofree char *dir = NULL, *totalvfs = NULL;
        PciAddr addr;
        int r;

        r = find_function(h, pf_bdf, &addr, reterr);
        if (r < 0)
                return r;
        dir = sim_function_dir(h->root, &addr);
        totalvfs = g_build_filename(dir, "sriov_totalvfs", NULL);
        if (access(totalvfs, F_OK) < 0)
                return sim_refuse(reterr, -EINVAL, "%s is not an SR-IOV PF: only PFs have an eswitch mode", pf_bdf);
        if (streq_ptr(mode, "none"))
                r = unlink_atomic(dir, "eswitch_mode");
        else if (streq_ptr(mode, "legacy") || streq_ptr(mode, "switchdev"))
                r = sim_write_attr(dir, "eswitch_mode", mode);
        else
                return sim_refuse(reterr, -EINVAL, "eswitch mode '%s' is not legacy, switchdev or none",
                                  mode ? mode : "");
        if (r < 0)
                return sim_fail(reterr, r, "cannot write the eswitch mode of %s", pf_bdf);
        return 0;
}

/* The directory of netdev ifname of a PCI function (virtual netdevs have no such attributes here) */
static int find_function_netdev(SimHost *h, const char *ifname, char **ret, char **reterr) {
        g_autofree char *dir = NULL, *root = NULL, *devices = NULL;
        int r;

        r = find_netdev(h, ifname, &dir, reterr);
        if (r < 0)
                return r;
        root = realpath(h->root, NULL);
        devices = root ? g_strconcat(root, "/sys/devices/pci0000:00/", NULL) : NULL;
        if (!devices || !g_str_has_prefix(dir, devices))
                return sim_refuse(reterr, -EINVAL, "%s is no netdev of a PCI function", ifname);
        *ret = g_steal_pointer(&dir);
        return 0;
}

int sim_set_link_type(SimHost *h, const char *ifname, const char *type, char **reterr) {
        g_autofree char *dir = NULL;
        const char *arphrd;
        int r;

        if (streq_ptr(type, "ethernet"))
                arphrd = "1";           /* ARPHRD_ETHER */
        else if (streq_ptr(type, "infiniband"))
                arphrd = "32";          /* ARPHRD_INFINIBAND */
        else
                return sim_refuse(reterr, -EINVAL, "link type '%s' is not ethernet or infiniband", type ? type : "");
        r = find_function_netdev(h, ifname, &dir, reterr);
        if (r < 0)
                return r;
        r = sim_write_attr(dir, "type", arphrd);
        if (r < 0)
                return sim_fail(reterr, r, "cannot write the link type of %s", ifname);
        return 0;
}

/* "ADDR" or "ADDR/PREFIX", IPv4 or IPv6 */
static bool address_is_valid(const char *s) {
        g_autofree char *text = g_strndup(s, strcspn(s, "/"));
        const char *slash = strchr(s, '/');
        int family = strchr(text, ':') ? AF_INET6 : AF_INET;
        unsigned char bytes[16];
        guint64 prefix;

        if (inet_pton(family, text, bytes) != 1)
                return false;
        return !slash || g_ascii_string_to_unsigned(slash + 1, 10, 0, family == AF_INET6 ? 128 : 32, &prefix, NULL);
}

int sim_set_addresses(SimHost *h, const char *ifname, const char *list, char **reterr) {
        g_autofree char *dir = NULL;
        g_auto(GStrv) items = g_strsplit(list ? list : "", ",", -1);
        g_autoptr(GString) text = g_string_new(NULL);
        int r;

        r = find_function_netdev(h, ifname, &dir, reterr);
        if (r < 0)
                return r;
        for (char **i = items; *i; i++) {
                g_strstrip(*i);
                if (**i == '\0' || streq(*i, "none"))
                        continue;
                if (!address_is_valid(*i))
                        return sim_refuse(reterr, -EINVAL, "'%s' is not an IPv4 or IPv6 address (ADDR or "
                                          "ADDR/PREFIX)", *i);
                g_string_append_printf(text, "%s\n", *i);
        }
        if (text->len == 0)
                r = unlink_atomic(dir, "addresses");
        else
                r = write_file_atomic(dir, "addresses", text->str, text->len);
        if (r < 0)
                return sim_fail(reterr, r, "cannot write the addresses of %s", ifname);
        return 0;
}
