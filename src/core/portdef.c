/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port definition: life cycle, deep copy, enum names, and the rules shared by parser and validator */
#include <errno.h>
#include <stdarg.h>

#include "core/names.h"
#include "core/portdef.h"
#include "shared/macro.h"
#include "shared/text.h"

static const char *const plug_type_names[_PORT_PLUG_TYPE_MAX] = {
        [PORT_PLUG_NONE] = "none",
        [PORT_PLUG_NETWORK] = "network",
        [PORT_PLUG_BRIDGE] = "bridge",
        [PORT_PLUG_DIRECT] = "direct",
        [PORT_PLUG_HOSTDEV_PCI] = "hostdev-pci",
        [PORT_PLUG_HYBRID] = "hybrid",
};

static const char *const macvtap_mode_names[_PORT_MACVTAP_MODE_MAX] = {
        [PORT_MACVTAP_VEPA] = "vepa",
        [PORT_MACVTAP_PRIVATE] = "private",
        [PORT_MACVTAP_BRIDGE] = "bridge",
        [PORT_MACVTAP_PASSTHROUGH] = "passthrough",
};

static const char *const mac_table_manager_names[_PORT_MAC_TABLE_MANAGER_MAX] = {
        [PORT_MAC_TABLE_MANAGER_DEFAULT] = NULL,
        [PORT_MAC_TABLE_MANAGER_KERNEL] = "kernel",
        [PORT_MAC_TABLE_MANAGER_LIBVIRT] = "libvirt",
};

static const char *const pci_driver_names[_PORT_PCI_DRIVER_MAX] = {
        [PORT_PCI_DRIVER_NONE] = NULL,
        [PORT_PCI_DRIVER_KVM] = "kvm",
        [PORT_PCI_DRIVER_VFIO] = "vfio",
        [PORT_PCI_DRIVER_XEN] = "xen",
};

static const char *name_of(const char *const *names, int max, int v) {
        return v >= 0 && v < max ? names[v] : NULL;
}

/* Index of s among names (NULL entries never match), or -EINVAL */
static int index_of(const char *const *names, int max, const char *s) {
        if (!s)
                return -EINVAL;
        for (int i = 0; i < max; i++)
                if (names[i] && streq(s, names[i]))
                        return i;
        return -EINVAL;
}

const char *port_plug_type_to_string(PortPlugType t) {
        return name_of(plug_type_names, _PORT_PLUG_TYPE_MAX, t);
}

PortPlugType port_plug_type_from_string(const char *s) {
        return (PortPlugType) index_of(plug_type_names, _PORT_PLUG_TYPE_MAX, s);
}

const char *port_macvtap_mode_to_string(PortMacvtapMode m) {
        return name_of(macvtap_mode_names, _PORT_MACVTAP_MODE_MAX, m);
}

PortMacvtapMode port_macvtap_mode_from_string(const char *s) {
        return (PortMacvtapMode) index_of(macvtap_mode_names, _PORT_MACVTAP_MODE_MAX, s);
}

const char *port_mac_table_manager_to_string(PortMacTableManager m) {
        return name_of(mac_table_manager_names, _PORT_MAC_TABLE_MANAGER_MAX, m);
}

PortMacTableManager port_mac_table_manager_from_string(const char *s) {
        return (PortMacTableManager) index_of(mac_table_manager_names, _PORT_MAC_TABLE_MANAGER_MAX, s);
}

const char *port_pci_driver_to_string(PortPciDriver d) {
        return name_of(pci_driver_names, _PORT_PCI_DRIVER_MAX, d);
}

PortPciDriver port_pci_driver_from_string(const char *s) {
        return (PortPciDriver) index_of(pci_driver_names, _PORT_PCI_DRIVER_MAX, s);
}

/* ---- life cycle ---- */

PortDef *portdef_new(void) {
        PortDef *def = g_new0(PortDef, 1);

        def->host.vf_index = def->host.iommu_group = -1;
        return def;
}

void port_host_plug_clear(PortHostPlug *h) {
        g_clear_pointer(&h->pf, g_free);
        g_clear_pointer(&h->vfio_group, g_free);
        g_clear_pointer(&h->vfio_device, g_free);
        g_clear_pointer(&h->tap, g_free);
        g_clear_pointer(&h->vlan_device, g_free);
        h->vf_index = h->iommu_group = -1;
}

PortDef *portdef_free(PortDef *def) {
        if (!def)
                return NULL;
        g_free(def->owner_name);
        g_free(def->group);
        virtualport_free(def->virtualport);
        bandwidth_free(def->bandwidth);
        vlan_free(def->vlan);
        vf_params_free(def->vf);
        for (size_t i = 0; i < PORT_NETDEV_MAX; i++)
                vlan_free(def->netdevs[i].vlan);
        g_free(def->plug.dev);
        g_free(def->plug.bridge);
        port_host_plug_clear(&def->host);
        g_free(def);
        return NULL;
}

PortDef *portdef_copy(const PortDef *def) {
        PortDef *c;

        if (!def)
                return NULL;
        /* the plain fields first, then a fresh copy of everything a pointer owns */
        c = g_memdup2(def, sizeof(PortDef));
        c->owner_name = g_strdup(def->owner_name);
        c->group = g_strdup(def->group);
        c->virtualport = virtualport_copy(def->virtualport);
        c->bandwidth = bandwidth_copy(def->bandwidth);
        c->vlan = vlan_copy(def->vlan);
        c->vf = vf_params_copy(def->vf);
        for (size_t i = 0; i < PORT_NETDEV_MAX; i++)
                c->netdevs[i].vlan = vlan_copy(def->netdevs[i].vlan);
        c->plug.dev = g_strdup(def->plug.dev);
        c->plug.bridge = g_strdup(def->plug.bridge);
        c->host.pf = g_strdup(def->host.pf);
        c->host.vfio_group = g_strdup(def->host.vfio_group);
        c->host.vfio_device = g_strdup(def->host.vfio_device);
        c->host.tap = g_strdup(def->host.tap);
        c->host.vlan_device = g_strdup(def->host.vlan_device);
        return c;
}

/* ---- rules ---- */

const char *port_mac_rule_broken(const char *mac) {
        char norm[18];

        if (mac_normalize(mac, norm) < 0)
                return "is not a MAC address (six hex octets separated by ':')";
        if (mac_is_zero(norm))
                return "is all zeros, which is no device's address";
        if (mac_is_multicast(norm))
                return "is a multicast address; a port needs a unicast one";
        return NULL;
}

const char *port_owner_name_rule_broken(const char *name) {
        if (!name || !*name)
                return "is empty; the guest's name is required";
        for (const char *s = name; *s; s++)
                if (g_ascii_iscntrl(*s))
                        return "contains a control character";
        return NULL;
}

char *port_owner_name_new_rule_broken(const char *name) {
        const char *problem = port_owner_name_rule_broken(name);
        size_t len;

        if (problem)
                return g_strdup(problem);
        len = strlen(name);
        if (len > PORT_OWNER_NAME_MAX)
                return g_strdup_printf("is %zu bytes long, more than the %u a guest's name may have", len,
                                       PORT_OWNER_NAME_MAX);
        for (const char *s = name; *s; s = g_utf8_next_char(s)) {
                gunichar c = g_utf8_get_char(s);      /* the XML parser gave UTF-8 */

                if (!text_char_is_shown(c))
                        return g_strdup_printf("contains U+%04X at byte %zu, a character that does not show "
                                               "as itself (a bidi control, zero-width or other format "
                                               "character, or one that is not printable)", (unsigned) c,
                                               (size_t) (s - name));
        }
        return NULL;
}

/* What a <plug> can carry, and which plug types carry it */
typedef enum PlugPart {
        PLUG_PART_DEV,
        PLUG_PART_MODE,
        PLUG_PART_BRIDGE,
        PLUG_PART_MAC_TABLE_MANAGER,
        PLUG_PART_MANAGED,
        PLUG_PART_DRIVER,
        PLUG_PART_ADDRESS,
        _PLUG_PART_MAX,
} PlugPart;

#define TYPE_BIT(t) (1u << (t))

static const struct {
        const char *name;
        bool element;                   /* a child element, else an attribute */
        unsigned types;
} plug_parts[_PLUG_PART_MAX] = {
        [PLUG_PART_DEV] = { "dev", false, TYPE_BIT(PORT_PLUG_DIRECT) | TYPE_BIT(PORT_PLUG_HYBRID) },
        [PLUG_PART_MODE] = { "mode", false, TYPE_BIT(PORT_PLUG_DIRECT) | TYPE_BIT(PORT_PLUG_HYBRID) },
        [PLUG_PART_BRIDGE] = { "bridge", false, TYPE_BIT(PORT_PLUG_BRIDGE) | TYPE_BIT(PORT_PLUG_NETWORK) },
        [PLUG_PART_MAC_TABLE_MANAGER] = { "macTableManager", false,
                                          TYPE_BIT(PORT_PLUG_BRIDGE) | TYPE_BIT(PORT_PLUG_NETWORK) },
        [PLUG_PART_MANAGED] = { "managed", false,
                                TYPE_BIT(PORT_PLUG_HOSTDEV_PCI) | TYPE_BIT(PORT_PLUG_HYBRID) },
        [PLUG_PART_DRIVER] = { "driver", true, TYPE_BIT(PORT_PLUG_HOSTDEV_PCI) | TYPE_BIT(PORT_PLUG_HYBRID) },
        [PLUG_PART_ADDRESS] = { "address", true, TYPE_BIT(PORT_PLUG_HOSTDEV_PCI) | TYPE_BIT(PORT_PLUG_HYBRID) },
};

static bool plug_part_is_set(const PortPlug *pl, PlugPart part) {
        static const PciAddr none = {};

        switch (part) {
        case PLUG_PART_DEV:
                return pl->dev;
        case PLUG_PART_MODE:
                return pl->mode != PORT_MACVTAP_VEPA;   /* vepa is what an absent mode means */
        case PLUG_PART_BRIDGE:
                return pl->bridge;
        case PLUG_PART_MAC_TABLE_MANAGER:
                return pl->mac_table_manager != PORT_MAC_TABLE_MANAGER_DEFAULT;
        case PLUG_PART_MANAGED:
                return pl->managed != TRISTATE_ABSENT;
        case PLUG_PART_DRIVER:
                return pl->driver != PORT_PCI_DRIVER_NONE;
        case PLUG_PART_ADDRESS:
                return !pci_addr_equal(&pl->address, &none);
        default:
                return false;
        }
}

static bool plug_type_has_part(PortPlugType t, PlugPart part) {
        return plug_parts[part].types & TYPE_BIT(t);
}

/* "attribute 'dev'" or "<driver>" */
static char *plug_part_label(PlugPart part) {
        return plug_parts[part].element ? g_strdup_printf("<%s>", plug_parts[part].name)
                                        : g_strdup_printf("attribute '%s'", plug_parts[part].name);
}

bool port_plug_type_has(PortPlugType t, const char *name) {
        if (t < 0 || t >= _PORT_PLUG_TYPE_MAX || !name)
                return false;
        for (int part = 0; part < _PLUG_PART_MAX; part++)
                if (streq(name, plug_parts[part].name))
                        return plug_type_has_part(t, part);
        return false;
}

static char *plug_unused_part(const PortDef *def) {
        for (int part = 0; part < _PLUG_PART_MAX; part++) {
                g_autofree char *label = NULL;

                if (!plug_part_is_set(&def->plug, part) || plug_type_has_part(def->plug_type, part))
                        continue;
                label = plug_part_label(part);
                return g_strdup_printf("%s does not apply to a plug of type '%s'", label,
                                       port_plug_type_to_string(def->plug_type));
        }
        return NULL;
}

static char *plug_netdev_problem(const char *attr, const char *value, const char *type) {
        if (!value)
                return g_strdup_printf("a plug of type '%s' needs attribute '%s'", type, attr);
        if (!netdev_name_is_valid(value))
                return g_strdup_printf("%s '%s' is not a valid netdev name (1–15 bytes, no '/', ':' or "
                                       "white space, not '.' or '..')", attr, value);
        return NULL;
}

static char *plug_address_problem(const PciAddr *a, const char *type) {
        char buf[PCI_ADDR_STR_MAX];

        /* libvirt's rule too: 0000:00:00.x is the host bridge, and an absent address reads as it */
        if (a->domain == 0 && a->bus == 0 && a->slot == 0)
                return g_strdup_printf("a plug of type '%s' needs the <address> of a device; "
                                       "0000:00:00 is none", type);
        if (!pci_addr_is_valid(a))
                return g_strdup_printf("<address> %s is out of range", pci_addr_to_string(a, buf));
        return NULL;
}

static char *plug_values_problem(const PortDef *def) {
        const PortPlug *pl = &def->plug;
        const char *type = port_plug_type_to_string(def->plug_type);

        if (!port_macvtap_mode_to_string(pl->mode))
                return g_strdup_printf("unknown macvtap mode %d", (int) pl->mode);
        if (def->plug_type == PORT_PLUG_HYBRID && pl->mode == PORT_MACVTAP_PASSTHROUGH)
                return g_strdup("mode 'passthrough' does not apply to a hybrid plug, whose PF is shared: "
                                "vepa, private or bridge");
        if (pl->mac_table_manager < 0 || pl->mac_table_manager >= _PORT_MAC_TABLE_MANAGER_MAX)
                return g_strdup_printf("unknown macTableManager %d", (int) pl->mac_table_manager);
        if (pl->driver < 0 || pl->driver >= _PORT_PCI_DRIVER_MAX)
                return g_strdup_printf("unknown PCI driver %d", (int) pl->driver);
        if (plug_type_has_part(def->plug_type, PLUG_PART_DEV))
                return plug_netdev_problem("dev", pl->dev, type);
        if (plug_type_has_part(def->plug_type, PLUG_PART_BRIDGE))
                return plug_netdev_problem("bridge", pl->bridge, type);
        return NULL;
}

/**
 * portdef_plug_check() - the rule the plug of def->plug_type breaks
 *
 * Each type has its required parts (direct: dev; bridge and network: bridge; hostdev-pci: address;
 * hybrid: dev and address), no part of another type, and valid values.
 * Returns: NULL, or a g_malloc'd message.
 */
char *portdef_plug_check(const PortDef *def) {
        const char *type = port_plug_type_to_string(def->plug_type);
        char *problem;

        if (!type)
                return g_strdup_printf("unknown plug type %d", (int) def->plug_type);
        problem = plug_unused_part(def);
        if (!problem)
                problem = plug_values_problem(def);
        if (!problem && plug_type_has_part(def->plug_type, PLUG_PART_ADDRESS))
                problem = plug_address_problem(&def->plug.address, type);
        return problem;
}

bool port_plug_takes_netdev_settings(PortPlugType t) {
        return t == PORT_PLUG_HOSTDEV_PCI || t == PORT_PLUG_HYBRID;
}

bool portdef_has_netdev_settings(const PortDef *def) {
        for (unsigned i = 0; i < PORT_NETDEV_MAX; i++)
                if (def->netdevs[i].present)
                        return true;
        return false;
}

static char *netdev_problem(const PortDef *def, const PortNetdev *nd) {
        const char *problem;

        if (!nd->present)
                return nd->mac[0] || nd->vlan ? g_strdup("has settings but is not marked present") : NULL;
        /* no plug yet (Allocate's input): the network decides, through the same rule */
        if (def->plug_type != PORT_PLUG_NONE && !port_plug_takes_netdev_settings(def->plug_type))
                return g_strdup_printf("per-port settings apply to hostdev-pci and hybrid plugs, "
                                       "not to a plug of type '%s'",
                                       port_plug_type_to_string(def->plug_type));
        problem = nd->mac[0] ? port_mac_rule_broken(nd->mac) : NULL;
        if (problem)
                return g_strdup_printf("<mac>: address '%s' %s", nd->mac, problem);
        problem = nd->vlan ? vlan_rule_broken(nd->vlan) : NULL;
        if (problem)
                return g_strdup_printf("<vlan>: %s", problem);
        return NULL;
}

/**
 * portdef_netdevs_check() - the rule the <netdev port='N'> settings break
 *
 * MACs and VLANs valid, not the same MAC twice, and a plug that has such ports.
 * Returns: NULL, or a g_malloc'd message, with the port it concerns (1 or 2) in *ret_port (may be
 * NULL).
 */
char *portdef_netdevs_check(const PortDef *def, unsigned *ret_port) {
        const PortNetdev *one = &def->netdevs[0], *two = &def->netdevs[1];

        for (unsigned i = 0; i < PORT_NETDEV_MAX; i++) {
                char *problem = netdev_problem(def, &def->netdevs[i]);

                if (problem) {
                        if (ret_port)
                                *ret_port = i + 1;
                        return problem;
                }
        }
        if (one->present && two->present && one->mac[0] && streq(one->mac, two->mac)) {
                if (ret_port)
                        *ret_port = 2;
                return g_strdup_printf("<mac>: address '%s' is port 1's too; each port needs its own",
                                       two->mac);
        }
        return NULL;
}

/* ---- whole definition ---- */

static int fail(NetDefError *err, const char *fmt, ...) _printf_(2, 3);
static int fail(NetDefError *err, const char *fmt, ...) {
        va_list ap;

        if (!err)
                return -EINVAL;
        netdef_error_clear(err);
        va_start(ap, fmt);
        err->message = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static int fail_take(NetDefError *err, const char *where, char *problem) {
        g_autofree char *p = problem;

        return fail(err, "%s: %s", where, p);
}

static int validate_ids(const PortDef *def, NetDefError *err) {
        const char *problem;

        if (def->uuid[0] && !uuid_is_valid(def->uuid))
                return fail(err, "<uuid>: '%s' is not a UUID", def->uuid);
        problem = port_owner_name_rule_broken(def->owner_name);
        if (problem)
                return fail(err, "<owner>: <name> '%s' %s", def->owner_name ? def->owner_name : "", problem);
        if (!uuid_is_valid(def->owner_uuid))
                return fail(err, "<owner>: <uuid> '%s' is not a UUID", def->owner_uuid);
        if (def->group && !network_name_is_valid(def->group))
                return fail(err, "<group>: '%s' is not a portgroup name", def->group);
        problem = port_mac_rule_broken(def->mac);
        if (problem)
                return fail(err, "<mac>: address '%s' %s", def->mac, problem);
        return 0;
}

static int validate_params(const PortDef *def, NetDefError *err) {
        const char *problem = NULL;

        if (def->virtualport) {
                char *vp_problem = virtualport_check(def->virtualport);

                if (vp_problem)
                        return fail_take(err, "<virtualport>", vp_problem);
        }
        if (def->vlan)
                problem = vlan_rule_broken(def->vlan);
        if (problem)
                return fail(err, "<vlan>: %s", problem);
        if (def->bandwidth)
                problem = bandwidth_rule_broken(def->bandwidth);
        if (problem)
                return fail(err, "<bandwidth>: %s", problem);
        if (def->bandwidth_class_id != 0 &&
            (!def->bandwidth || (!def->bandwidth->inbound && !def->bandwidth->outbound)))
                return fail(err, "<bandwidth>: classID needs <inbound> or <outbound>");
        return 0;
}

/**
 * portdef_validate() - check a whole definition built or changed by hand
 *
 * For a definition filled in after parsing (e.g. a plug by Allocate): the rules the parser applies
 * (docs/port-xml.md), through the same checks, which the parser calls with lines.
 * Returns: 0, or -EINVAL with err set (line 0: the definition has no source).
 */
int portdef_validate(const PortDef *def, NetDefError *err) {
        unsigned port = 0;
        char *problem;
        int r;

        r = validate_ids(def, err);
        if (r == 0)
                r = validate_params(def, err);
        if (r < 0)
                return r;
        problem = portdef_netdevs_check(def, &port);
        if (problem) {
                g_autofree char *where = g_strdup_printf("<netdev port='%u'>", port);

                return fail_take(err, where, problem);
        }
        problem = portdef_plug_check(def);
        if (problem)
                return fail_take(err, "<plug>", problem);
        return 0;
}
