/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network definition rules: what each forward mode may contain, pools, VLANs, virtualports, portgroups */
#include <errno.h>
#include <string.h>

#include "core/names.h"
#include "core/netdef-private.h"
#include "core/netdef.h"
#include "core/network.h"

#define USB_BUS_MAX 65535
#define USB_DEVICE_MAX 127

typedef struct Checker {
        const NetDef *def;
        const NetDefLines *lines;       /* NULL for a definition built by hand */
        NetDefError *err;
} Checker;

#define LINE(c, field) ((c)->lines ? (c)->lines->field : 0)

static unsigned array_line(const GArray *lines, unsigned i) {
        return lines && i < lines->len ? g_array_index(lines, unsigned, i) : 0;
}

static PortGroupLines pg_lines(const Checker *c, unsigned i) {
        if (!c->lines || i >= c->lines->portgroups->len)
                return (PortGroupLines) {};
        return g_array_index(c->lines->portgroups, PortGroupLines, i);
}

static const char *mode_name(const Checker *c) {
        return forward_mode_to_string(c->def->mode);
}

#define fail(c, line, ...) netdef_error_setf((c)->err, -EINVAL, (line), __VA_ARGS__)

static int check_identity(const Checker *c) {
        const NetDef *def = c->def;

        if (!def->name)
                return fail(c, LINE(c, network), "<network>: element <name> is required");
        if (!network_name_is_valid(def->name))
                return fail(c, LINE(c, name), "<name>: '%s' is not a valid network name (1–64 characters "
                            "of A-Za-z0-9_.+-, not starting with '.' or '-')", def->name);
        if (!uuid_is_valid(def->uuid))
                return fail(c, LINE(c, uuid), "<uuid>: '%s' is not a UUID", def->uuid);
        if (def->title && strpbrk(def->title, "\r\n"))
                return fail(c, LINE(c, title), "<title>: a title is one line; use <description> for more");
        return 0;
}

static const char *dev_element(const ForwardDev *d) {
        switch (d->type) {
        case FORWARD_DEV_NETDEV:
                return "<interface>";
        case FORWARD_DEV_PCI:
                return "<address type='pci'>";
        default:
                return "<address type='usb'>";
        }
}

static int check_dev_value(const Checker *c, const ForwardDev *d, unsigned line) {
        char buf[PCI_ADDR_STR_MAX];

        switch (d->type) {
        case FORWARD_DEV_NETDEV:
                if (!netdev_name_is_valid(d->netdev))
                        return fail(c, line, "<interface>: dev '%s' is not a valid netdev name (1–15 bytes, "
                                    "no '/', ':' or white space, not '.' or '..')", strempty(d->netdev));
                return 0;
        case FORWARD_DEV_PCI:
                if (!pci_addr_is_valid(&d->pci))
                        return fail(c, line, "<address>: PCI address out of range (domain ≤ 0xffff, "
                                    "bus ≤ 0xff, slot ≤ 0x1f, function ≤ 7)");
                if (d->pci.domain == 0 && d->pci.bus == 0 && d->pci.slot == 0)
                        return fail(c, line, "<address>: %s is the host bridge; domain, bus or slot must "
                                    "be above 0", pci_addr_to_string(&d->pci, buf));
                return 0;
        case FORWARD_DEV_USB:
                if (d->usb_bus < 1 || d->usb_bus > USB_BUS_MAX || d->usb_device < 1 ||
                    d->usb_device > USB_DEVICE_MAX)
                        return fail(c, line, "<address type='usb'>: bus must be 1–%d and device 1–%d",
                                    USB_BUS_MAX, USB_DEVICE_MAX);
                return 0;
        default:
                return fail(c, line, "<forward>: pool member of unknown type %d", (int) d->type);
        }
}

/* Which kinds of member each mode's pool is made of */
static int check_dev_type(const Checker *c, const ForwardDev *d, unsigned line) {
        ForwardMode m = c->def->mode;

        if (d->type == FORWARD_DEV_NETDEV && m == FORWARD_MODE_HOSTDEV)
                return fail(c, line, "<interface>: a hostdev pool is made of PCI or USB addresses or <pf>, "
                            "not netdevs");
        if (d->type == FORWARD_DEV_NETDEV && m == FORWARD_MODE_HYBRID)
                return fail(c, line, "<interface>: a pci-passthrough-hybrid pool is made of <pf> or PCI "
                            "addresses, not netdevs");
        if (d->type == FORWARD_DEV_PCI && !forward_mode_uses_pci(m))
                return fail(c, line, "<address type='pci'>: PCI addresses make only hostdev and "
                            "pci-passthrough-hybrid pools; a '%s' pool takes <interface> or <pf>",
                            mode_name(c));
        if (d->type == FORWARD_DEV_USB && m != FORWARD_MODE_HOSTDEV)
                return fail(c, line, "<address type='usb'>: USB addresses are only allowed in hostdev pools");
        return 0;
}

static gboolean dev_same(gconstpointer x, gconstpointer y) {
        const ForwardDev *a = x, *b = y;

        if (a->type != b->type)
                return false;
        switch (a->type) {
        case FORWARD_DEV_NETDEV:
                return streq_ptr(a->netdev, b->netdev);
        case FORWARD_DEV_PCI:
                return pci_addr_equal(&a->pci, &b->pci);
        case FORWARD_DEV_USB:
                return a->usb_bus == b->usb_bus && a->usb_device == b->usb_device;
        default:
                return false;
        }
}

/* Equal under dev_same() means equal hash */
static guint dev_hash(gconstpointer x) {
        const ForwardDev *d = x;

        switch (d->type) {
        case FORWARD_DEV_NETDEV:
                return d->netdev ? g_str_hash(d->netdev) : 0;
        case FORWARD_DEV_PCI:
                return (d->pci.domain << 16) ^ (d->pci.bus << 8) ^ (d->pci.slot << 3) ^ d->pci.function;
        case FORWARD_DEV_USB:
                return 0x80000000u ^ (d->usb_bus << 7) ^ d->usb_device;
        default:
                return 0;
        }
}

/* One pass: each member is checked, then looked up among those before it (a hash set), so the
 * message names the second occurrence, on its line. */
static int check_devs(const Checker *c) {
        const GArray *devs = c->def->devs;
        const GArray *lines = c->lines ? c->lines->devs : NULL;
        g_autoptr(GHashTable) seen = g_hash_table_new(dev_hash, dev_same);

        for (unsigned i = 0; i < devs->len; i++) {
                const ForwardDev *d = &g_array_index(devs, ForwardDev, i);
                unsigned line = array_line(lines, i);
                int r;

                r = check_dev_value(c, d, line);
                if (r < 0)
                        return r;
                r = check_dev_type(c, d, line);
                if (r < 0)
                        return r;
                if (!g_hash_table_add(seen, (gpointer) d)) {
                        g_autofree char *id = forward_dev_id(d);

                        return fail(c, line, "%s: device %s is listed twice in the pool", dev_element(d), id);
                }
        }
        return 0;
}

static int check_pfs(const Checker *c) {
        const GPtrArray *pfs = c->def->pfs;
        const GArray *lines = c->lines ? c->lines->pfs : NULL;
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

        for (unsigned i = 0; i < pfs->len; i++) {
                const char *pf = g_ptr_array_index(pfs, i);

                if (!netdev_name_is_valid(pf))
                        return fail(c, array_line(lines, i), "<pf>: dev '%s' is not a valid netdev name "
                                    "(1–15 bytes, no '/', ':' or white space, not '.' or '..')", strempty(pf));
                if (!g_hash_table_add(seen, (gpointer) pf))
                        return fail(c, array_line(lines, i), "<pf>: dev '%s' is given twice", pf);
        }
        return 0;
}

static const char *pool_hint(ForwardMode m) {
        switch (m) {
        case FORWARD_MODE_HOSTDEV:
                return "<pf> or <address> elements";
        case FORWARD_MODE_HYBRID:
                return "<pf> or <address type='pci'> elements";
        default:
                return "<pf> or <interface> elements, or <forward dev=…>";
        }
}

static int check_pool_shape(const Checker *c) {
        const NetDef *def = c->def;
        unsigned pf_line = array_line(c->lines ? c->lines->pfs : NULL, 0);

        if (def->pool_expanded && def->pfs->len == 0)
                return fail(c, LINE(c, forward), "<forward>: an expanded pool needs the <pf> it was made from");
        if (def->pfs->len > 0 && def->devs->len > 0 && !def->pool_expanded)
                return fail(c, pf_line, "<pf>: a pool is given either by <pf> or by a list of "
                            "<interface>/<address> elements, not both");
        if (def->mode != FORWARD_MODE_BRIDGE && !netdef_has_pool(def))
                return fail(c, LINE(c, forward), "<forward>: mode '%s' needs a device pool: %s",
                            mode_name(c), pool_hint(def->mode));
        return 0;
}

static int check_forward_options(const Checker *c) {
        const NetDef *def = c->def;
        bool hostdev_like = forward_mode_uses_pci(def->mode);

        if (def->managed != TRISTATE_ABSENT && !hostdev_like)
                return fail(c, LINE(c, forward), "<forward>: attribute 'managed' applies only to hostdev and "
                            "pci-passthrough-hybrid networks, not '%s'", mode_name(c));
        if ((def->driver_name || def->driver_model) && !hostdev_like)
                return fail(c, LINE(c, driver), "<driver>: only hostdev and pci-passthrough-hybrid networks "
                            "have a driver, not '%s'", mode_name(c));
        if (def->driver_name && !streq(def->driver_name, "default") && !streq(def->driver_name, "kvm") &&
            !streq(def->driver_name, "vfio") && !streq(def->driver_name, "xen"))
                return fail(c, LINE(c, driver), "<driver>: name '%s' is not one of default, kvm, vfio, xen",
                            def->driver_name);
        if (def->hybrid_virtio_mode && def->mode != FORWARD_MODE_HYBRID)
                return fail(c, LINE(c, virtio), "<virtio>: only a pci-passthrough-hybrid network has a "
                            "virtio path, not '%s'", mode_name(c));
        if (def->hybrid_virtio_mode && !streq(def->hybrid_virtio_mode, "vepa") &&
            !streq(def->hybrid_virtio_mode, "private") && !streq(def->hybrid_virtio_mode, "bridge"))
                return fail(c, LINE(c, virtio), "<virtio>: mode '%s' is not one of vepa, private, bridge",
                            def->hybrid_virtio_mode);
        return 0;
}

static int check_bridge(const Checker *c) {
        const NetDef *def = c->def;
        unsigned line = LINE(c, bridge);

        if (!def->bridge_name && !def->mac_table_manager)
                return 0;
        if (def->mode != FORWARD_MODE_BRIDGE)
                return fail(c, line, "<bridge>: only a network with forward mode 'bridge' attaches to a host "
                            "bridge, not '%s'", mode_name(c));
        if (!def->bridge_name)
                return fail(c, line, "<bridge>: attribute 'name' is required");
        if (netdef_has_pool(def))
                return fail(c, line, "<bridge>: a bridge network uses either a host bridge or a device "
                            "pool, not both");
        if (!netdev_name_is_valid(def->bridge_name))
                return fail(c, line, "<bridge>: name '%s' is not a valid netdev name (1–15 bytes, no '/', "
                            "':' or white space, not '.' or '..')", def->bridge_name);
        if (def->mac_table_manager && !streq(def->mac_table_manager, "kernel") &&
            !streq(def->mac_table_manager, "libvirt"))
                return fail(c, line, "<bridge>: macTableManager '%s' is neither 'kernel' nor 'libvirt'",
                            def->mac_table_manager);
        return 0;
}

/* Virtualport types each mode can apply; an untyped virtualport inherits one */
static bool mode_takes_virtualport(const NetDef *def, VirtualPortType t) {
        switch (t) {
        case VIRTUALPORT_NONE:
                return true;
        case VIRTUALPORT_OPENVSWITCH:
        case VIRTUALPORT_MIDONET:
                return def->mode == FORWARD_MODE_BRIDGE && !netdef_has_pool(def);
        case VIRTUALPORT_8021QBG:
                return def->mode == FORWARD_MODE_PASSTHROUGH || netdef_uses_macvtap(def);
        case VIRTUALPORT_8021QBH:
                return def->mode == FORWARD_MODE_PASSTHROUGH || netdef_uses_macvtap(def) ||
                       forward_mode_uses_pci(def->mode);
        default:
                return false;
        }
}

static VirtualPortType network_vp_type(const NetDef *def) {
        return def->virtualport ? def->virtualport->type : VIRTUALPORT_NONE;
}

static VirtualPortType effective_vp_type(const NetDef *def, const VirtualPort *own) {
        if (own && own->type != VIRTUALPORT_NONE)
                return own->type;
        return network_vp_type(def);
}

static int check_one_virtualport(const Checker *c, const VirtualPort *vp, const char *where, unsigned line) {
        VirtualPortType type = effective_vp_type(c->def, vp);
        g_autofree char *problem = NULL;
        const char *param = NULL;

        if (!vp)
                return 0;
        problem = virtualport_check(vp);
        if (problem)
                return fail(c, line, "<virtualport>%s: %s", where, problem);
        if (vp->type != VIRTUALPORT_NONE && network_vp_type(c->def) != VIRTUALPORT_NONE &&
            vp->type != network_vp_type(c->def))
                return fail(c, line, "<virtualport>%s: type '%s' conflicts with the network's type '%s'", where,
                            virtualport_type_to_string(vp->type),
                            virtualport_type_to_string(network_vp_type(c->def)));
        if (!mode_takes_virtualport(c->def, type))
                return fail(c, line, "<virtualport>%s: type '%s' cannot be used by a '%s' network%s", where,
                            virtualport_type_to_string(type), mode_name(c),
                            c->def->mode == FORWARD_MODE_BRIDGE ? (netdef_has_pool(c->def) ?
                                    " with a device pool" : " without a device pool") : "");
        if (!virtualport_params_fit_type(vp, type, &param))
                return fail(c, line, "<virtualport>%s: parameter '%s' does not apply to type '%s'", where,
                            param, virtualport_type_to_string(type));
        return 0;
}

static bool mode_takes_vlan(const NetDef *def, VirtualPortType effective) {
        switch (def->mode) {
        case FORWARD_MODE_HOSTDEV:
        case FORWARD_MODE_PASSTHROUGH:
        case FORWARD_MODE_HYBRID:
                return true;
        case FORWARD_MODE_BRIDGE:
                return effective == VIRTUALPORT_OPENVSWITCH;
        default:
                return false;
        }
}

static int check_one_vlan(const Checker *c, const Vlan *v, VirtualPortType effective, const char *where,
                          unsigned line) {
        const char *problem;

        if (!v)
                return 0;
        problem = vlan_rule_broken(v);
        if (problem)
                return fail(c, line, "<vlan>%s: %s", where, problem);
        if (!mode_takes_vlan(c->def, effective))
                return fail(c, line, "<vlan>%s: a VLAN can only be applied by hostdev, passthrough and "
                            "pci-passthrough-hybrid networks, and by bridge networks with an openvswitch "
                            "virtualport; not by this '%s' network", where, mode_name(c));
        return 0;
}

static int check_one_bandwidth(const Checker *c, const Bandwidth *bw, const char *where, unsigned line) {
        const char *problem = bw ? bandwidth_rule_broken(bw) : NULL;

        if (problem)
                return fail(c, line, "<bandwidth>%s: %s", where, problem);
        return 0;
}

/* <netpool:vf> and <mtu> of the network or of a portgroup (pg_vf: the portgroup's, checked with what it
 * inherits from the network) */
static int check_vf_settings(const Checker *c, const VfParams *vf, const VfParams *pg_vf, unsigned mtu,
                             const char *where, unsigned vf_line, unsigned mtu_line) {
        g_autoptr(VfParams) chain = vf_params_copy(pg_vf);
        const char *problem = vf_params_rule_broken(vf);

        if (problem)
                return fail(c, vf_line, "<netpool:vf>%s: %s", where, problem);
        if (mtu != 0 && (mtu < VF_PARAMS_MTU_MIN || mtu > VF_PARAMS_MTU_MAX))
                return fail(c, mtu_line, "<mtu>%s: size %u is not an MTU from %u to %u", where, mtu,
                            VF_PARAMS_MTU_MIN, VF_PARAMS_MTU_MAX);
        if (pg_vf) {
                vf_params_inherit(&chain, NULL, c->def->vf);
                problem = vf_params_rule_broken(chain);
                if (problem)
                        return fail(c, vf_line, "<netpool:vf>%s, with what it takes from the network's: %s", where,
                                    problem);
        }
        /* a shared macvtap lower device stays as the host has it (dbus-api.md, "VF settings from the XML") */
        if (!vf_params_is_empty(pg_vf ? pg_vf : vf) && !network_is_exclusive(c->def))
                return fail(c, vf_line, "<netpool:vf>%s: a '%s' network shares its devices between guests through "
                            "macvtap and does not reconfigure them; VF settings apply only in hostdev, passthrough "
                            "and pci-passthrough-hybrid networks", where, mode_name(c));
        return 0;
}

/* The portgroups before the one being checked: their names (to index + 1) and the default one */
typedef struct PortGroupsSeen {
        GHashTable *names;
        const PortGroup *default_pg;
        unsigned default_index;
} PortGroupsSeen;

/* The first earlier portgroup pg conflicts with, by name or as a second default, as a pairwise
 * scan in order would find it. The earlier ones have distinct names and at most one default, or
 * an earlier check would have failed. */
static int check_portgroup_unique(const Checker *c, const PortGroup *pg, const PortGroupsSeen *seen,
                                  unsigned line) {
        unsigned same_name = GPOINTER_TO_UINT(g_hash_table_lookup(seen->names, pg->name));

        if (same_name > 0 && (!pg->is_default || !seen->default_pg || same_name - 1 <= seen->default_index))
                return fail(c, line, "<portgroup>: name '%s' is used twice", pg->name);
        if (pg->is_default && seen->default_pg)
                return fail(c, line, "<portgroup>: '%s' and '%s' are both default; at most one "
                            "portgroup can be", seen->default_pg->name, pg->name);
        return 0;
}

static int check_portgroup(const Checker *c, unsigned i, PortGroupsSeen *seen) {
        const PortGroup *pg = g_ptr_array_index(c->def->portgroups, i);
        PortGroupLines l = pg_lines(c, i);
        g_autofree char *where = NULL;
        int r;

        if (!pg->name || !network_name_is_valid(pg->name))
                return fail(c, l.element, "<portgroup>: name '%s' is not valid (1–64 characters of "
                            "A-Za-z0-9_.+-, not starting with '.' or '-')", strempty(pg->name));
        r = check_portgroup_unique(c, pg, seen, l.element);
        if (r < 0)
                return r;
        g_hash_table_insert(seen->names, pg->name, GUINT_TO_POINTER(i + 1));
        if (pg->is_default) {
                seen->default_pg = pg;
                seen->default_index = i;
        }
        where = g_strdup_printf(" of portgroup '%s'", pg->name);
        r = check_one_virtualport(c, pg->virtualport, where, l.virtualport);
        if (r < 0)
                return r;
        r = check_one_vlan(c, pg->vlan, effective_vp_type(c->def, pg->virtualport), where, l.vlan);
        if (r < 0)
                return r;
        r = check_vf_settings(c, pg->vf, pg->vf, pg->mtu, where, l.vf, l.mtu);
        if (r < 0)
                return r;
        return check_one_bandwidth(c, pg->bandwidth, where, l.bandwidth);
}

static int check_portgroups(const Checker *c) {
        g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
        PortGroupsSeen seen = { .names = names };

        for (unsigned i = 0; i < c->def->portgroups->len; i++) {
                int r = check_portgroup(c, i, &seen);

                if (r < 0)
                        return r;
        }
        return 0;
}

/**
 * netdef_validate_full() - check the rules of docs/network-xml.md on a definition
 *
 * netdef_validate() with the parser's lines: lines (may be NULL) lets the messages name the line
 * each part came from. The parser calls it.
 * Returns: 0, or -EINVAL with err set.
 */
int netdef_validate_full(const NetDef *def, const NetDefLines *lines, NetDefError *err) {
        const Checker c = { .def = def, .lines = lines, .err = err };
        int r;

        r = check_identity(&c);
        if (r == 0 && (def->mode < 0 || def->mode >= _FORWARD_MODE_MAX))
                r = fail(&c, LINE(&c, forward), "<forward>: unknown mode %d", (int) def->mode);
        if (r == 0)
                r = check_pfs(&c);
        if (r == 0)
                r = check_devs(&c);
        if (r == 0)
                r = check_pool_shape(&c);
        if (r == 0)
                r = check_forward_options(&c);
        if (r == 0)
                r = check_bridge(&c);
        if (r == 0)
                r = check_one_virtualport(&c, def->virtualport, "", LINE(&c, virtualport));
        if (r == 0)
                r = check_one_vlan(&c, def->vlan, network_vp_type(def), "", LINE(&c, vlan));
        if (r == 0)
                r = check_one_bandwidth(&c, def->bandwidth, "", LINE(&c, bandwidth));
        if (r == 0)
                r = check_vf_settings(&c, def->vf, NULL, def->mtu, "", LINE(&c, vf), LINE(&c, mtu));
        if (r == 0)
                r = check_portgroups(&c);
        return r;
}

/**
 * netdef_validate() - check the rules of docs/network-xml.md on a definition built by hand
 *
 * Exported for tests and code building a NetDef by hand; the parser applies the same rules through
 * netdef_validate_full(), with lines.
 * Returns: 0, or -EINVAL with err set (line 0: a hand-built definition has no lines).
 */
int netdef_validate(const NetDef *def, NetDefError *err) {
        return netdef_validate_full(def, NULL, err);
}
