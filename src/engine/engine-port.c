/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine ports: Allocate, Notify and Release, crash recovery, and VF restores that must not be lost */
#include <errno.h>

#include "core/names.h"
#include "core/vf-record.h"
#include "engine/engine-claim-id.h"
#include "engine/engine-lease.h"
#include "engine/engine-macs.h"
#include "engine/engine-plug.h"
#include "engine/engine-port.h"
#include "engine/vf-config.h"
#include "shared/crash.h"
#include "shared/log.h"

#define fail engine_fail

/* a VF still in reset is tried again this much later (the bus layer doubles it per try) */
#define VF_BUSY_RETRY_USEC (10 * 1000)

static const EngineCall call_final = { .may_wait = false };

Port *engine_lookup_port(Engine *e, const char *uuid) {
        char buf[37];

        if (uuid_normalize(uuid, buf) < 0)
                return NULL;
        return g_hash_table_lookup(e->ports, buf);
}

Port *engine_lookup_port_of(Engine *e, const Network *n, const char *uuid) {
        Port *port = engine_lookup_port(e, uuid);

        return port && (!n || streq(port->network, network_name(n))) ? port : NULL;
}

static gint port_cmp_uuid(gconstpointer a, gconstpointer b) {
        return g_strcmp0(port_uuid(*(Port **) a), port_uuid(*(Port **) b));
}

int engine_list_owner_ports(Engine *e, const char *owner_uuid, GPtrArray **ret, EngineError *err) {
        GPtrArray *owned;
        char buf[37];

        if (uuid_normalize(owner_uuid, buf) < 0)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "'%.64s' is not an owner UUID", owner_uuid);
        owned = g_hash_table_lookup(e->owners, buf);
        *ret = owned ? g_ptr_array_copy(owned, NULL, NULL) : g_ptr_array_new();
        g_ptr_array_sort(*ret, port_cmp_uuid);
        return 0;
}

static void owners_add(Engine *e, Port *port) {
        GPtrArray *owned = g_hash_table_lookup(e->owners, port->def->owner_uuid);

        if (!owned) {
                owned = g_ptr_array_new();
                g_hash_table_insert(e->owners, g_strdup(port->def->owner_uuid), owned);
        }
        g_ptr_array_add(owned, port);
}

static void owners_remove(Engine *e, Port *port) {
        GPtrArray *owned = g_hash_table_lookup(e->owners, port->def->owner_uuid);

        if (owned && g_ptr_array_remove_fast(owned, port) && owned->len == 0)
                g_hash_table_remove(e->owners, port->def->owner_uuid);
}

bool engine_has_ports(Engine *e) {
        return g_hash_table_size(e->ports) > 0;
}

GPtrArray *engine_list_ports(Engine *e, const Network *n) {
        GPtrArray *list = g_ptr_array_new();
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, e->ports);
        while (g_hash_table_iter_next(&it, NULL, &v))
                if (!n || streq(((Port *) v)->network, network_name(n)))
                        g_ptr_array_add(list, v);
        g_ptr_array_sort(list, port_cmp_uuid);
        return list;
}

/* ---- the settings a port inherits: its own, else its portgroup's, else the network's ---- */

static int port_inherit(const NetDef *def, PortDef *pd, EngineError *err) {
        const PortGroup *pg = netdef_find_portgroup(def, pd->group);

        if (pd->group && !pg)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "network '%s' has no portgroup '%s'", def->name,
                            pd->group);
        if (!pd->vlan)
                pd->vlan = vlan_copy(pg && pg->vlan ? pg->vlan : def->vlan);
        if (!pd->virtualport)
                pd->virtualport = virtualport_copy(pg && pg->virtualport ? pg->virtualport : def->virtualport);
        if (!pd->bandwidth)
                pd->bandwidth = bandwidth_copy(pg && pg->bandwidth ? pg->bandwidth : def->bandwidth);
        if (pd->trust_guest_rx_filters == TRISTATE_ABSENT)
                pd->trust_guest_rx_filters = pg && pg->trust_guest_rx_filters != TRISTATE_ABSENT ?
                                             pg->trust_guest_rx_filters : def->trust_guest_rx_filters;
        if (pd->port_isolated == TRISTATE_ABSENT)
                pd->port_isolated = def->port_isolated;
        /* <netpool:vf> attribute by attribute, <mtu> whole (dbus-api.md, "VF settings from the XML") */
        vf_params_inherit(&pd->vf, pg ? pg->vf : NULL, def->vf);
        if (pd->mtu == 0)
                pd->mtu = pg && pg->mtu ? pg->mtu : def->mtu;
        return 0;
}

/* A VF takes one VLAN tag, or none. */
static int vf_vlan_id(const Vlan *v, const char *what, unsigned *ret, EngineError *err) {
        *ret = 0;
        if (!v)
                return 0;
        if (v->trunk == TRISTATE_YES || v->tags->len != 1)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "%s: a VLAN trunk cannot be applied to a VF; "
                            "give one <tag>", what);
        if (g_array_index(v->tags, VlanTag, 0).native_mode != VLAN_NATIVE_NONE)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "%s: nativeMode needs a trunk, which a VF cannot "
                            "apply", what);
        *ret = g_array_index(v->tags, VlanTag, 0).id;
        return 0;
}

/* ---- the plug that tells the hypervisor how to use the device ---- */

static PortPciDriver plug_driver(const NetDef *def) {
        PortPciDriver d = port_pci_driver_from_string(def->driver_name);

        return d < 0 ? PORT_PCI_DRIVER_NONE : d;
}

/* The plug a network's ports get: a host bridge network without a pool gives bridge plugs. */
static PortPlugType network_plug_type(const NetDef *def, bool has_device) {
        switch (def->mode) {
        case FORWARD_MODE_HOSTDEV:
                return PORT_PLUG_HOSTDEV_PCI;
        case FORWARD_MODE_HYBRID:
                return PORT_PLUG_HYBRID;
        case FORWARD_MODE_BRIDGE:
                return has_device ? PORT_PLUG_DIRECT : PORT_PLUG_BRIDGE;
        default:
                return PORT_PLUG_DIRECT;
        }
}

static int port_fill_plug(const NetDef *def, const PoolDevice *d, PortDef *pd, EngineError *err) {
        PortPlug *plug = &pd->plug;

        pd->plug_type = network_plug_type(def, d != NULL);
        switch (pd->plug_type) {
        case PORT_PLUG_HOSTDEV_PCI:
        case PORT_PLUG_HYBRID:
                plug->managed = def->managed == TRISTATE_YES ? TRISTATE_YES : TRISTATE_NO;
                plug->driver = plug_driver(def);
                if (pci_addr_from_string(d->pci_address, &plug->address) < 0)
                        return fail(err, ENGINE_ERROR_HARDWARE, "device '%s' has no PCI address", d->id);
                if (def->mode == FORWARD_MODE_HYBRID) {
                        plug->dev = g_strdup(d->pf_netdev);
                        plug->mode = def->hybrid_virtio_mode ?
                                     port_macvtap_mode_from_string(def->hybrid_virtio_mode) : PORT_MACVTAP_VEPA;
                        if (plug->driver == PORT_PCI_DRIVER_NONE)
                                plug->driver = PORT_PCI_DRIVER_VFIO;
                }
                return 0;
        case PORT_PLUG_BRIDGE:
                plug->bridge = g_strdup(def->bridge_name);
                plug->mac_table_manager = port_mac_table_manager_from_string(def->mac_table_manager);
                if (plug->mac_table_manager < 0)
                        plug->mac_table_manager = PORT_MAC_TABLE_MANAGER_DEFAULT;
                return 0;
        default:
                plug->dev = g_strdup(d->netdev);
                plug->mode = port_macvtap_mode_from_string(forward_mode_to_string(def->mode));
                return 0;
        }
}

/* ---- VF configuration of a port ---- */

/* A VF handed whole to a guest (hostdev, hybrid) is reset on its way back; with managed='yes' netpool binds it
 * to vfio-pci, and its VF record keeps the driver it goes back to. */
void engine_port_vf_target(const Port *port, const PortVf *v, VfTarget *t) {
        bool whole = port->def->plug_type == PORT_PLUG_HOSTDEV_PCI || port->def->plug_type == PORT_PLUG_HYBRID;

        *t = (VfTarget) { .pf_netdev = v->pf_netdev, .alt_pf_netdev = v->alt_pf_netdev, .vf = v->vf,
                          .vf_netdev = v->vf_netdev, .hostdev = whole,
                          .managed = whole && port->def->plug.managed == TRISTATE_YES };
}

/* Which VFs a port on device d configures: the device's VF through its PF netdev, or with <netdev port='N'>
 * each named port of a dual-port VF through that port's PF netdev. */
static bool port_wants_per_port(const PortDef *pd) {
        return pd->netdevs[0].present || pd->netdevs[1].present;
}

static int lookup_vf_and_pf(Engine *e, const PoolDevice *d, HwFunction **ret_vf, HwFunction **ret_pf) {
        g_autoptr(HwFunction) vf = NULL, pf = NULL;
        PciAddr addr;
        int r;

        r = pci_addr_from_string(d->pci_address, &addr);
        if (r >= 0)
                r = hw_lookup_topology(e->hw, &addr, &vf);
        if (r >= 0)
                r = hw_lookup_topology(e->hw, &vf->physfn, &pf);
        if (r < 0)
                return r;
        *ret_vf = g_steal_pointer(&vf);
        *ret_pf = g_steal_pointer(&pf);
        return 0;
}

bool engine_device_has_record(Engine *e, const PoolDevice *d) {
        g_autoptr(HwFunction) vf = NULL, pf = NULL;

        if (d->vf_index < 0 || !d->pci_address || lookup_vf_and_pf(e, d, &vf, &pf) < 0)
                return false;
        for (guint i = 0; i < pf->netdevs->len; i++) {
                const HwNetdev *nd = pf->netdevs->pdata[i];
                VfTarget t = { .pf_netdev = nd->name, .vf = (unsigned) d->vf_index };

                if (vf_config_has_record(e->store->vf_dir, &t))
                        return true;
        }
        return false;
}

/* Port i (0-based) of a dual-port VF: a netdev of the VF and of its PF on that port. */
static bool vf_has_port(const HwFunction *pf, const HwFunction *vf, int i) {
        return vf->netdevs->len >= 2 && hw_function_netdev_by_dev_port(pf, i) &&
               hw_function_netdev_by_dev_port(vf, i);
}

/* Whether the device can carry the port's <netdev port='N'> settings (a netdev on each port asked for). */
static bool engine_device_takes_port_settings(Engine *e, const PoolDevice *d, const PortDef *pd) {
        g_autoptr(HwFunction) vf = NULL, pf = NULL;

        if (!port_wants_per_port(pd))
                return true;
        if (d->vf_index < 0 || !d->pf_netdev || lookup_vf_and_pf(e, d, &vf, &pf) < 0)
                return true;    /* not for the pick to judge: planning the port says what is wrong */
        for (int i = 0; i < PORT_NETDEV_MAX; i++)
                if (pd->netdevs[i].present && !vf_has_port(pf, vf, i))
                        return false;
        return true;
}

/* Whether netdev name is the function at PCI address addr (one class link and its device link read). */
static bool netdev_is_function(Engine *e, const char *name, const char *addr) {
        char bdf[PCI_ADDR_STR_MAX];
        PciAddr a;

        return hw_netdev_pci_address(e->hw, name, &a) > 0 && streq(pci_addr_to_string(&a, bdf), addr);
}

/* The VF of a device just picked, planned from what the inventory knows of it and its PF (kept current by the
 * hot-plug events and the rescans they bring) instead of reading both functions' topology: true when it can
 * tell, which it can for the common case alone — a PF whose one netdev is the device's PF netdev, a VF with one
 * netdev. That netdev was checked by the pick when it is the device's (a netdev device), else here (its PCI
 * function is the VF's): a rename since the last rescan is caught, and a PF netdev gone or renamed fails the
 * apply's first read, before anything is recorded or changed. A dual-port PF or VF, a VF without a netdev, or a
 * device the inventory does not have: false, and the topology is read. */
static bool plan_from_inventory(Engine *e, const PoolDevice *d, Port *port) {
        HostDeviceInfo vf, pf;
        const char *own;

        if (!d->pci_address || engine_host_device(e, d->pci_address, &vf) < 0 ||
            vf.vf_index != d->vf_index || !vf.pf_address[0] || engine_host_device(e, vf.pf_address, &pf) < 0)
                return false;
        if (!pf.netdevs[0] || pf.netdevs[1] || !streq(pf.netdevs[0], d->pf_netdev) || !vf.netdevs[0] ||
            vf.netdevs[1])
                return false;
        own = vf.netdevs[0];
        if (!(d->type == FORWARD_DEV_NETDEV && streq_ptr(d->netdev, own)) &&
            !netdev_is_function(e, own, d->pci_address))
                return false;
        port_add_vf(port, d->pf_netdev, NULL, (unsigned) d->vf_index, own);
        return true;
}

/* The VFs a port on device d configures, added to port->vfs. picked: d was just picked, and the pick checked
 * that it is there (engine_device_usable()). */
static int engine_port_plan_vfs(Engine *e, const PoolDevice *d, Port *port, bool picked, EngineError *err) {
        g_autoptr(HwFunction) vf = NULL, pf = NULL;
        const PortDef *pd = port->def;
        bool per_port = port_wants_per_port(pd);

        if (d->vf_index < 0 || !d->pf_netdev) {
                if (per_port)
                        return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "device '%s' is no VF; <netdev port=…> "
                                    "settings do not apply", d->id);
                return 0;
        }
        if (!per_port && picked && plan_from_inventory(e, d, port))
                return 0;
        if (lookup_vf_and_pf(e, d, &vf, &pf) < 0)
                return fail(err, ENGINE_ERROR_DEVICE_NOT_FOUND, "VF %d of PF '%s' (%s) is gone", d->vf_index,
                            d->pf_netdev, d->id);
        if (!per_port) {
                const HwNetdev *alt = NULL, *own = NULL;

                for (guint i = 0; i < pf->netdevs->len; i++) {
                        const HwNetdev *nd = pf->netdevs->pdata[i];

                        if (!streq(nd->name, d->pf_netdev))
                                alt = nd;
                        else if (nd->phys_port_id)
                                own = hw_function_netdev_by_port_id(vf, nd->phys_port_id);
                }
                if (!own && vf->netdevs->len > 0)
                        own = vf->netdevs->pdata[0];
                /* A VF with a netdev on each port has an original per port, each recorded under its own PF
                 * netdev: looking under the other name would take the other port's. A single-port VF has one,
                 * which may sit under either name. */
                if (vf_has_port(pf, vf, 0) && vf_has_port(pf, vf, 1))
                        alt = NULL;
                port_add_vf(port, d->pf_netdev, alt ? alt->name : NULL, (unsigned) d->vf_index,
                            own ? own->name : NULL);
                return 0;
        }
        for (int i = 0; i < PORT_NETDEV_MAX; i++) {
                const HwNetdev *pf_nd = hw_function_netdev_by_dev_port(pf, i);
                const HwNetdev *vf_nd = hw_function_netdev_by_dev_port(vf, i);

                if (!pd->netdevs[i].present)
                        continue;
                if (!vf_has_port(pf, vf, i))
                        return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "<netdev port='%d'>: VF %d of '%s' has "
                                    "only one port; "
                                    "per-port settings need a VF with a netdev on each port", i + 1,
                                    d->vf_index, d->pf_netdev);
                port_add_vf(port, pf_nd->name, NULL, (unsigned) d->vf_index, vf_nd->name)->netdev_port =
                        (unsigned) i + 1;
        }
        return 0;
}

/* The max TX rate a port gives its VF: <netpool:vf max-tx-rate> from any level, else its <bandwidth>'s
 * outbound limit. 0: none. */
static unsigned port_max_tx_rate(const PortDef *pd, bool *ret_from_bandwidth) {
        *ret_from_bandwidth = !(pd->vf && pd->vf->has_max_tx_rate);
        return *ret_from_bandwidth ? vf_params_bandwidth_tx_rate(pd->bandwidth) : pd->vf->max_tx_rate;
}

/* <netpool:vf> and <mtu> into s (the port's, after inheritance). A rate pair given by half has 0 (no
 * guarantee, no limit) for the other half: the kernel sets both at once. */
static void port_vf_params_settings(const PortDef *pd, VfSettings *s) {
        const VfParams *vp = pd->vf;
        bool from_bandwidth;
        unsigned max = port_max_tx_rate(pd, &from_bandwidth);

        if (vp && vp->trust != TRISTATE_ABSENT) {
                s->trust = vp->trust == TRISTATE_YES;
                s->set |= VF_SETTING_BIT(VF_SETTING_TRUST);
        }
        if (vp && vp->spoofchk != TRISTATE_ABSENT) {
                s->spoofchk = vp->spoofchk == TRISTATE_YES;
                s->set |= VF_SETTING_BIT(VF_SETTING_SPOOFCHK);
        }
        if (vp && vp->has_link_state) {
                s->link_state = vp->link_state;
                s->set |= VF_SETTING_BIT(VF_SETTING_LINK_STATE);
        }
        if (vp && vp->has_vlan_proto) {
                s->vlan_proto = vp->vlan_proto;
                s->set |= VF_SETTING_BIT(VF_SETTING_VLAN_PROTO);
        }
        if ((vp && vp->has_min_tx_rate) || max > 0 || (vp && vp->has_max_tx_rate)) {
                s->min_tx_rate = vp && vp->has_min_tx_rate ? vp->min_tx_rate : 0;
                s->max_tx_rate = max;
                s->set |= VF_SETTING_BIT(VF_SETTING_TX_RATE);
        }
        if (pd->mtu > 0) {
                s->mtu = pd->mtu;
                s->set |= VF_SETTING_BIT(VF_SETTING_MTU);
        }
}

/* The settings a configured VF gets: the MAC and VLAN of its <netdev port='N'>, else the port's; the rest from
 * the port's <netpool:vf>, <mtu> and <bandwidth>. */
int engine_port_vf_settings(const Port *port, const PortVf *v, VfSettings *ret, EngineError *err) {
        const PortDef *pd = port->def;
        const PortNetdev *nd = v->netdev_port > 0 ? &pd->netdevs[v->netdev_port - 1] : NULL;
        g_autofree char *what = g_strdup_printf("port %s", port_uuid(port));
        unsigned vlan;
        int r;

        *ret = (VfSettings) {};
        r = vf_vlan_id(nd && nd->vlan ? nd->vlan : pd->vlan, what, &vlan, err);
        if (r != 0)
                return r;
        if (pd->vf && pd->vf->has_vlan_qos && pd->vf->vlan_qos > 0 && vlan == 0)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "%s: <netpool:vf>: vlan-qos %u needs a VLAN, and "
                            "neither the port, its portgroup nor the network gives one", what, pd->vf->vlan_qos);
        vf_settings_set_mac(ret, nd && nd->mac[0] ? nd->mac : pd->mac);
        vf_settings_set_vlan(ret, vlan, pd->vf && pd->vf->has_vlan_qos ? pd->vf->vlan_qos : 0);
        port_vf_params_settings(pd, ret);
        if (ret->max_tx_rate > 0 && ret->min_tx_rate > ret->max_tx_rate) {
                bool from_bandwidth;

                (void) port_max_tx_rate(pd, &from_bandwidth);
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "%s: <netpool:vf>: min-tx-rate %u is above the max "
                            "TX rate %u Mbit/s (%s)", what, ret->min_tx_rate, ret->max_tx_rate,
                            from_bandwidth ? "<bandwidth> outbound" : "max-tx-rate");
        }
        return 0;
}

/* What a VF's settings ask beyond its PF: a TX rate above the PF's link speed, an MTU above the PF's (a PF that
 * does not report one is not judged). Only the PF's speed and MTU are read. */
static int check_settings_fit_pf(Engine *e, const Port *port, const PortVf *v, const VfSettings *s,
                                 EngineError *err) {
        g_autoptr(HwNetdev) pf = NULL;
        unsigned rate = MAX(s->min_tx_rate, s->max_tx_rate);
        bool from_bandwidth;

        if (!(s->set & (VF_SETTING_BIT(VF_SETTING_TX_RATE) | VF_SETTING_BIT(VF_SETTING_MTU))))
                return 0;       /* nothing to judge: the PF is not read */
        if (hw_read_netdev(e->hw, v->pf_netdev, HW_NETDEV_SPEED | HW_NETDEV_MTU, &pf) < 0)
                return 0;       /* gone: the apply says so */
        (void) port_max_tx_rate(port->def, &from_bandwidth);
        if ((s->set & VF_SETTING_BIT(VF_SETTING_TX_RATE)) && pf->speed > 0 && rate > pf->speed)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "port %s: %s: a TX rate of %u Mbit/s is above the "
                            "link speed of PF '%s' (%u Mbit/s)", port_uuid(port),
                            rate == s->max_tx_rate && from_bandwidth ? "<bandwidth> outbound" :
                            rate == s->max_tx_rate ? "<netpool:vf> max-tx-rate" : "<netpool:vf> min-tx-rate",
                            rate, v->pf_netdev, pf->speed);
        if ((s->set & VF_SETTING_BIT(VF_SETTING_MTU)) && pf->mtu > 0 && s->mtu > pf->mtu)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "port %s: <mtu>: size %u is above the MTU of PF "
                            "'%s' (%u)", port_uuid(port), s->mtu, v->pf_netdev, pf->mtu);
        return 0;
}

/* Every VF's settings are checked before the first is recorded or changed. */
static int port_check_vf_settings(Engine *e, const Port *port, EngineError *err) {
        for (guint i = 0; i < port->vfs->len; i++) {
                VfSettings want;
                int r = engine_port_vf_settings(port, port->vfs->pdata[i], &want, err);

                if (r == 0)
                        r = check_settings_fit_pf(e, port, port->vfs->pdata[i], &want, err);
                if (r != 0)
                        return r;
        }
        return 0;
}

/* A VF operation failed with r: the engine's verdict. A VF in reset is worth waiting for when the call
 * allows it; our own record file failing is IO; the rest is the hardware's refusal (HardwareError naming
 * VF, PF and setting). */
static int vf_failure(EngineError *err, int r, bool on_record, const EngineCall *call, const char *msg) {
        if (r == -EBUSY && call && call->may_wait) {
                engine_again(err, VF_BUSY_RETRY_USEC, /* busy= */ true, "%s", msg);
                return ENGINE_ERROR_AGAIN;
        }
        if (on_record)
                return fail(err, ENGINE_ERROR_IO, "%s", msg);
        /* whatever the driver said, ENODEV included: the VF was found a moment ago, the driver refused */
        return fail(err, ENGINE_ERROR_HARDWARE, "%s", msg);
}

/* A VF of the port restored but reading back otherwise (or not reset): its device is quarantined, in every pool
 * that has it, once the port has let it go. */
static void quarantine_port_device(Engine *e, const Port *port, const VfTarget *t, const char *why) {
        PoolDevice *d = engine_port_device(e, port);

        log_warning("VF %u of '%s' quarantined: %s (device %s, released by port %s; Rescan tries again)", t->vf,
                    t->pf_netdev, why, d ? d->id : port->device, port_uuid(port));
        if (d)
                engine_quarantine_mark(e, pool_device_key(d), why);
}

/* Restore the VFs a port configured (the first n of them), last first. Returns 0 or the first failure's
 * verdict, with its message in err; every VF is tried, except that a VF in reset stops the pass when the
 * call may wait (it is all tried again later). */
int engine_port_restore_vfs(Engine *e, const Port *port, guint n, const EngineCall *call, EngineError *err) {
        int ret = 0;

        for (guint i = n; i > 0; i--) {
                g_autofree char *msg = NULL;
                bool on_record = false;
                VfTarget t;
                int r;

                engine_port_vf_target(port, port->vfs->pdata[i - 1], &t);
                r = vf_config_restore(e->hw, e->store->vf_dir, &t, &msg, &on_record);
                if (r == -ENOENT)
                        continue;       /* never saved: nothing changed */
                if (r >= 0)
                        continue;
                if (r == -EUCLEAN) {
                        quarantine_port_device(e, port, &t, msg);
                        continue;       /* restored as far as it goes: the release itself went through */
                }
                if (r == -EBUSY && call && call->may_wait)
                        return vf_failure(err, r, on_record, call, msg);
                e->restores_pending = true;
                log_warning("port %s: restoring VF %u of '%s' failed: %s", port_uuid(port), t.vf, t.pf_netdev,
                            msg);
                if (ret == 0)
                        ret = vf_failure(err, r, on_record, NULL, msg);
        }
        return ret;
}

/* Mark a device whose VF could not be put back: the retries restore it, and until then it takes no port. */
static void mark_restore_failed(Engine *e, PoolDevice *d) {
        e->restores_pending = true;
        if (d)
                engine_restore_failed_mark(e, pool_device_key(d));
}

/* After a failed apply of VF i: undo VFs 0..i-1. When an undo failed, or VF i kept its record (its own
 * undo failed), the device is restore-failed. The undo does not wait: the call is answered now. */
static void undo_failed_apply(Engine *e, Network *n, PoolDevice *d, Port *port, guint i, bool stuck) {
        g_auto(EngineError) undo = {};

        if (engine_port_restore_vfs(e, port, i, &call_final, &undo) != 0 || stuck) {
                log_warning("port %s: a VF could not be put back after a failed allocation; netpool retries",
                            port_uuid(port));
                mark_restore_failed(e, d);
        }
}

/* Configure every VF of the port. On a failure everything done here is undone; a VF whose undo failed
 * keeps its record, and the device is then restore-failed (retried like a failed Release). */
static int port_apply_vfs(Engine *e, Network *n, PoolDevice *d, Port *port, const EngineCall *call,
                          EngineError *err) {
        for (guint i = 0; i < port->vfs->len; i++) {
                g_autofree char *msg = NULL;
                bool on_record = false, stuck = false;
                VfSettings want;
                VfTarget t;
                int r, k;

                engine_port_vf_target(port, port->vfs->pdata[i], &t);
                r = engine_port_vf_settings(port, port->vfs->pdata[i], &want, err);
                if (r == 0) {
                        k = vf_config_apply(e->hw, e->store->vf_dir, &t, &want, port_uuid(port), &msg,
                                            &on_record);
                        if (k >= 0)
                                continue;
                        r = vf_failure(err, k, on_record, call, msg);
                        stuck = vf_config_has_record(e->store->vf_dir, &t);
                }
                undo_failed_apply(e, n, d, port, i, stuck);
                return r;
        }
        return 0;
}

/* ---- picking a device ---- */

bool engine_device_usable(Engine *e, const PoolDevice *d) {
        if (d->type == FORWARD_DEV_PCI) {
                g_autofree char *driver = NULL;
                PciAddr addr;

                if (pci_addr_from_string(d->pci_address, &addr) < 0 || hw_function_driver(e->hw, &addr, &driver) < 0)
                        return false;
                /* on vfio-pci for a port of ours, here or through another network (managed binding): ours */
                return d->connections > 0 || engine_claim_holder(e, d) || !streq_ptr(driver, "vfio-pci");
        }
        PciAddr addr;

        /* there, and still the device's function (a name is not an identity): nothing else is read */
        if (d->pci_address)
                return netdev_is_function(e, d->netdev, d->pci_address);
        return hw_netdev_pci_address(e->hw, d->netdev, &addr) >= 0;
}

/* Why a device cannot take a port of network n now (g_free), or NULL when it can: gone, taken outside netpool,
 * or (managed hostdev) not usable through VFIO. */
static char *device_problem(Engine *e, const Network *n, const PoolDevice *d) {
        if (!engine_device_usable(e, d))
                return g_strdup("gone, or taken outside netpool");
        return d->connections > 0 ? NULL : engine_plug_vfio_problem(e, n->def, n->pool, d);
}

/* Why a pool has nothing to hand out: how many devices are in use and how many are out for another reason.
 * Counted only when a pick failed. */
typedef struct PoolTally {
        unsigned in_use, unavailable, lost, restore_failed, quarantined;
        char *unavailable_why;          /* the first unavailable device's reason, when it has one beyond "gone" */
} PoolTally;

static void pool_tally_clear(PoolTally *t) {
        g_clear_pointer(&t->unavailable_why, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PoolTally, pool_tally_clear);

static PoolTally pool_tally(Engine *e, const Network *n) {
        const Pool *p = n->pool;
        PoolTally t = {};

        for (guint i = 0; i < p->devices->len; i++) {
                const PoolDevice *d = p->devices->pdata[i];

                if (d->connections > 0)
                        t.in_use++;
                else if (d->state == DEVICE_STATE_UNAVAILABLE) {
                        t.unavailable++;
                        if (!t.unavailable_why) {
                                g_autofree char *why = engine_plug_vfio_problem(e, n->def, n->pool, d);

                                if (why)
                                        t.unavailable_why = g_strdup_printf("%s: %s", d->id, why);
                        }
                }
                else if (d->state == DEVICE_STATE_LOST)
                        t.lost++;
                else if (d->state == DEVICE_STATE_RESTORE_FAILED)
                        t.restore_failed++;
                else if (d->state == DEVICE_STATE_QUARANTINED)
                        t.quarantined++;
        }
        return t;
}

/* "; 1 unavailable (gone or taken outside netpool), 1 restore-failed (…)", or "" */
static char *pool_tally_others(const PoolTally *t) {
        GString *out = g_string_new(NULL);

        if (t->unavailable > 0 && t->unavailable_why)
                g_string_append_printf(out, "; %u unavailable (%s)", t->unavailable, t->unavailable_why);
        else if (t->unavailable > 0)
                g_string_append_printf(out, "; %u unavailable (gone, or taken outside netpool)", t->unavailable);
        if (t->lost > 0)
                g_string_append_printf(out, "; %u lost (vanished while a port held it)", t->lost);
        if (t->restore_failed > 0)
                g_string_append_printf(out, "; %u restore-failed (the original configuration could not be "
                                       "put back yet; netpool retries)", t->restore_failed);
        if (t->quarantined > 0)
                g_string_append_printf(out, "; %u quarantined (read back wrong after a restore; Rescan tries "
                                       "again)", t->quarantined);
        return g_string_free(out, FALSE);
}

/* What a pick must respect besides the pool's own order. */
typedef struct PickRules {
        Engine *e;
        const Network *n;
        const PortDef *pd;
        const char *pf;                 /* option 'pf': VFs of this PF netdev only */
        unsigned skipped_single_port;   /* free VFs passed over: per-port settings need two ports */
} PickRules;

static bool pick_accepts(const PoolDevice *d, void *data) {
        PickRules *rules = data;

        if (rules->pf && !streq_ptr(d->pf_netdev, rules->pf))
                return false;
        if (engine_claim_blocks(rules->e, d, network_name(rules->n)))
                return false;           /* held_elsewhere says so already; the claim is the authority */
        if (!engine_device_takes_port_settings(rules->e, d, rules->pd)) {
                rules->skipped_single_port++;
                return false;
        }
        return true;
}

/* Whether a port holds d with settings of each of its ports: a dual-port VF, whose netdevs may be gone while a
 * guest has it (bound to vfio-pci), which the hardware cannot say now. */
static bool held_with_port_settings(Engine *e, const PoolDevice *d) {
        const Port *port = d->connections > 0 && d->port_uuid ? engine_lookup_port(e, d->port_uuid) : NULL;
        unsigned ports = 0;

        for (guint i = 0; port && i < port->vfs->len; i++)
                ports += ((const PortVf *) port->vfs->pdata[i])->netdev_port > 0;
        return ports >= 2;
}

/* Per-port settings no free VF can carry: busy dual-port VFs are worth waiting for (PoolExhausted); a pool
 * with none at all can never take them (InvalidArgument, naming a VF and why, as planning the port would). */
static int pick_failed_port_settings(const PickRules *rules, EngineError *err) {
        const Pool *p = rules->n->pool;
        const PoolDevice *single = NULL;

        for (guint i = 0; i < p->devices->len; i++) {
                const PoolDevice *d = p->devices->pdata[i];

                if (engine_device_takes_port_settings(rules->e, d, rules->pd) || held_with_port_settings(rules->e, d))
                        return fail(err, ENGINE_ERROR_POOL_EXHAUSTED, "network '%s' has no free VF with a netdev "
                                    "on each port, which <netdev port=…> settings need (%u free VFs have a "
                                    "single port; the dual-port ones are in use)", network_name(rules->n),
                                    rules->skipped_single_port);
                if (!single && d->vf_index >= 0)
                        single = d;
        }
        return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "network '%s' has no VF with a netdev on each port, which "
                    "<netdev port=…> settings need: VF %d of '%s' has only one port, and so has every other VF of the pool",
                    network_name(rules->n), single ? single->vf_index : -1, single ? single->pf_netdev : "?");
}

static int pick_failed(const Network *n, const PickRules *rules, EngineError *err) {
        const Pool *p = n->pool;
        unsigned elsewhere = pool_held_elsewhere(p);

        if (pool_capacity(p) == 0 && n->def->pfs->len > 0) {
                g_autoptr(GString) pfs = g_string_new(NULL);

                for (guint i = 0; i < n->def->pfs->len; i++)
                        g_string_append_printf(pfs, "%s'%s'", i > 0 ? ", " : "",
                                               (const char *) n->def->pfs->pdata[i]);
                return fail(err, ENGINE_ERROR_POOL_EXHAUSTED, "network '%s' has no device to hand out: PF %s has "
                            "no VFs now (create them through the PF's sriov_numvfs, then Rescan)",
                            network_name(n), pfs->str);
        }
        if (rules->skipped_single_port > 0)
                return pick_failed_port_settings(rules, err);
        g_auto(PoolTally) t = pool_tally(rules->e, n);
        g_autofree char *others = pool_tally_others(&t);

        if (elsewhere > 0)
                return fail(err, ENGINE_ERROR_POOL_EXHAUSTED, "network '%s' has no free device: %u of %u in use "
                            "(%u of them through other networks)%s", network_name(n),
                            t.in_use + elsewhere, pool_capacity(p), elsewhere, others);
        return fail(err, ENGINE_ERROR_POOL_EXHAUSTED, "network '%s' has no free device: %u of %u in use%s",
                    network_name(n), t.in_use, pool_capacity(p), others);
}

/* Option 'device': exactly this one, or why not. */
static int pick_named_device(Engine *e, Network *n, const PortDef *pd, const char *id, PoolDevice **ret,
                             EngineError *err) {
        char bdf[PCI_ADDR_STR_MAX];
        g_autofree char *problem = NULL;
        PciAddr addr;
        PoolDevice *d;

        if (pci_addr_from_string(id, &addr) >= 0)
                id = pci_addr_to_string(&addr, bdf);    /* any case the caller wrote */
        d = pool_find(n->pool, id);
        if (!d)
                return fail(err, ENGINE_ERROR_DEVICE_NOT_FOUND, "option 'device': network '%s' has no device '%.64s' "
                            "in its pool", network_name(n), id);
        if (engine_claim_blocks(e, d, network_name(n)))
                return fail(err, ENGINE_ERROR_DEVICE_BUSY, "device '%s' is held by a port of network '%s'", d->id,
                            engine_claim_holder(e, d));
        if (n->pool->exclusive && d->connections > 0)
                return fail(err, ENGINE_ERROR_DEVICE_BUSY, "device '%s' is held by port %s", d->id,
                            d->port_uuid ?: "?");
        if (d->state == DEVICE_STATE_QUARANTINED)
                return fail(err, ENGINE_ERROR_DEVICE_BUSY, "device '%s' is quarantined: %s", d->id,
                            engine_quarantine_reason(e, pool_device_key(d)) ?: "it read back wrong after a restore");
        if (d->state == DEVICE_STATE_LOST || d->state == DEVICE_STATE_RESTORE_FAILED)
                return fail(err, ENGINE_ERROR_DEVICE_BUSY, "device '%s' is %s", d->id,
                            device_state_to_string(d->state));
        problem = device_problem(e, n, d);
        if (problem) {
                if (d->state != DEVICE_STATE_UNAVAILABLE) {
                        pool_device_set_state(n->pool, d, DEVICE_STATE_UNAVAILABLE);
                        engine_save_live(e, n);
                }
                return fail(err, ENGINE_ERROR_DEVICE_BUSY, "device '%s' is unavailable: %s", d->id, problem);
        }
        if (!engine_device_takes_port_settings(e, d, pd))
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "device '%s' has a single port; <netdev port=…> "
                            "settings need a VF with a netdev on each port", d->id);
        *ret = d;
        return 0;
}

static bool pool_has_pf(const Pool *p, const char *pf) {
        for (guint i = 0; i < p->devices->len; i++)
                if (streq_ptr(((const PoolDevice *) p->devices->pdata[i])->pf_netdev, pf))
                        return true;
        return false;
}

/* The next device the rules accept: on the NUMA node asked first (the only one with numa-policy 'required'). */
static PoolDevice *pick_next(const Pool *pool, PickRules *rules, const AllocateOptions *o) {
        PoolDevice *d;

        if (!o || !o->has_numa_node)
                return pool_pick_where(pool, pick_accepts, rules);
        d = pool_pick_on_node(pool, o->numa_node, pick_accepts, rules);
        if (d || o->numa_required)
                return d;
        return pool_pick_where(pool, pick_accepts, rules);
}

static int pick_device(Engine *e, Network *n, const PortDef *pd, const AllocateOptions *o, PoolDevice **ret,
                       EngineError *err) {
        PickRules rules = { .e = e, .n = n, .pd = pd, .pf = o ? o->pf : NULL };
        bool changed = false;
        PoolDevice *d;

        if (o && o->device)
                return pick_named_device(e, n, pd, o->device, ret, err);
        if (rules.pf && !pool_has_pf(n->pool, rules.pf))
                return fail(err, ENGINE_ERROR_DEVICE_NOT_FOUND, "option 'pf': network '%s' has no VF of PF '%.64s' "
                            "in its pool", network_name(n), rules.pf);
        for (;;) {
                g_autofree char *problem = NULL;

                rules.skipped_single_port = 0;
                d = pick_next(n->pool, &rules, o);
                if (!d || !(problem = device_problem(e, n, d)))
                        break;
                log_notice("network '%s': device '%s' is unavailable (%s)", network_name(n), d->id, problem);
                pool_device_set_state(n->pool, d, DEVICE_STATE_UNAVAILABLE);
                changed = true;
        }
        if (changed)
                engine_save_live(e, n);
        if (!d && o && o->has_numa_node && o->numa_required)
                return fail(err, ENGINE_ERROR_POOL_EXHAUSTED, "network '%s' has no free device on NUMA node %d%s%s%s",
                            network_name(n), o->numa_node, rules.pf ? " of PF '" : "", rules.pf ?: "",
                            rules.pf ? "'" : "");
        if (!d && rules.pf)
                return fail(err, ENGINE_ERROR_POOL_EXHAUSTED, "network '%s' has no free VF of PF '%s'",
                            network_name(n), rules.pf);
        if (!d)
                return pick_failed(n, &rules, err);
        *ret = d;
        return 0;
}

/* ---- Allocate ---- */

static int parse_port(const char *xml, bool want_plug, PortDef **ret, EngineError *err) {
        g_auto(NetDefError) perr = {};
        g_autoptr(PortDef) pd = NULL;
        g_autofree char *problem = NULL;
        int r;

        r = portdef_parse_xml(xml, &pd, &perr);
        if (r < 0)
                return fail(err, ENGINE_ERROR_INVALID_XML, "invalid port XML: %s", perr.message ?: g_strerror(-r));
        problem = port_owner_name_new_rule_broken(pd->owner_name);
        if (problem)
                return fail(err, ENGINE_ERROR_INVALID_XML, "invalid port XML: <owner>: <name> %s", problem);
        if (!want_plug && pd->plug_type != PORT_PLUG_NONE)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "Allocate takes a <networkport> without <plug>; "
                            "use Notify to re-register a port that has one");
        if (want_plug && pd->plug_type == PORT_PLUG_NONE)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "Notify takes a <networkport> with the <plug> "
                            "Allocate returned");
        if (want_plug && !pd->uuid[0])
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "Notify needs the port's <uuid>");
        *ret = g_steal_pointer(&pd);
        return 0;
}

void engine_port_register(Engine *e, Network *n, Port *port, PoolDevice *d) {
        if (!n->pool)
                n->def->connections++;  /* a host bridge: ports are its only count */
        if (d) {
                pool_device_connect(n->pool, d, 1);
                engine_holders_add(e, n, d, port_uuid(port));
                engine_claim_update(e, d, network_name(n));
                if (d->state == DEVICE_STATE_LOST)
                        port->health = PORT_HEALTH_LOST;        /* a restart while it was gone */
        }
        g_hash_table_replace(e->ports, g_strdup(port_uuid(port)), port);
        owners_add(e, port);
        engine_macs_add(e, port);
        engine_claim_id_add(e, port);
        engine_lease_watch_port(e, port, true);
}

/* What the record reader would refuse after a restart is never written, nor acknowledged: checked once, before
 * a port's first record (its definition does not change afterwards). */
static int check_record_readable(const Port *port, EngineError *err) {
        g_autofree char *unreadable = portdef_netdevs_check(port->def, NULL);

        if (!unreadable)
                unreadable = portdef_plug_check(port->def);
        if (unreadable)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "port %s: not recorded, its record could not be "
                            "read back: %s", port_uuid(port), unreadable);
        return 0;
}

/* Whether a port's VF records alone undo everything its allocation changes: a port that configures VFs and makes
 * nothing on the host beside them (no macvtap, VLAN device or lower device's MAC; no VFIO node given to a uid).
 * Every start restores the VF records no port holds (engine_recover_ports()), so such a port needs no record of
 * its own while it is being allocated: its first record is the active one. (Its release still records first: a
 * VF record found damaged after a crash mid-release then marks the device restore-failed through the port.) */
static bool port_undone_by_vf_records(const Port *port) {
        return port->vfs->len > 0 && !port->def->host.tap && !port->def->host.vlan_device && !port->lower.saved &&
               !port->vfio_owner.asked;
}

int engine_port_save(Engine *e, Port *port, PortPhase phase, EngineError *err) {
        PortPhase was = port->phase;
        g_autofree char *what = g_strdup_printf("the record of port %s", port_uuid(port));
        int r;

        port->phase = phase;
        r = store_save_port(e->store, port);
        if (r < 0) {
                port->phase = was;
                return engine_fail_file(e, err, r, "write", what, STORE_FILE_PORT, port_uuid(port));
        }
        return 0;
}

static int check_network_takes_ports(Network *n, EngineError *err) {
        if (!n->active)
                return fail(err, ENGINE_ERROR_NETWORK_INACTIVE, "network '%s' is not active", network_name(n));
        if (!n->pool && !n->def->bridge_name)
                return fail(err, ENGINE_ERROR_UNSUPPORTED, "network '%s' has neither a device pool nor a host "
                            "bridge to plug ports into", network_name(n));
        return 0;
}

/* Whether the network configures the VF of a port's device: in passthrough, hostdev and hybrid a device
 * takes one port, and its VF gets the port's MAC and VLAN. In private, vepa and bridge the device is the
 * lower device of macvtap interfaces that guests share: it stays as the host has it (libvirt does the
 * same), and the guest's MAC lives on the macvtap device the hypervisor makes. */
static bool network_configures_vfs(const Network *n) {
        return n->pool && network_is_exclusive(n->def);
}

/* What a macvtap lower device cannot carry: settings that would have to be written to a shared VF. */
static int check_shared_lower_settings(const Network *n, const PortDef *pd, EngineError *err) {
        if (!n->pool || network_configures_vfs(n))
                return 0;
        if (pd->vlan)
                return fail(err, ENGINE_ERROR_UNSUPPORTED, "network '%s' (mode %s) shares its devices between "
                            "guests through macvtap and does not reconfigure them: a port <vlan> cannot be "
                            "applied there", network_name(n), forward_mode_to_string(n->def->mode));
        if (pd->vf)
                return fail(err, ENGINE_ERROR_UNSUPPORTED, "network '%s' (mode %s) shares its devices between "
                            "guests through macvtap and does not reconfigure them: a port <netpool:vf> cannot be "
                            "applied there", network_name(n), forward_mode_to_string(n->def->mode));
        return 0;
}

/* <netdev port='N'> settings: only where the plug can carry them (the rule the record reader applies), so
 * that what Allocate acknowledges can always be read back after a restart. */
static int check_netdev_settings_fit(const Network *n, const PortDef *pd, EngineError *err) {
        PortPlugType plug = network_plug_type(n->def, n->pool != NULL);

        if (!portdef_has_netdev_settings(pd) || port_plug_takes_netdev_settings(plug))
                return 0;
        return fail(err, ENGINE_ERROR_UNSUPPORTED, "network '%s' (mode %s) gives its ports %s plugs: <netdev "
                    "port=…> settings apply only to hostdev and pci-passthrough-hybrid networks, whose VFs are "
                    "handed to the guest whole", network_name(n), forward_mode_to_string(n->def->mode),
                    port_plug_type_to_string(plug));
}

/* The port for a device: its plug and the VFs it configures. */
static int port_build(Engine *e, Network *n, PortDef *pd_in, PoolDevice *d, Port **ret, EngineError *err) {
        g_autoptr(PortDef) pd = pd_in;
        g_autoptr(Port) port = NULL;
        int r;

        r = port_fill_plug(n->def, d, pd, err);
        if (r != 0)
                return r;
        port = port_new(g_steal_pointer(&pd), network_name(n), d ? d->id : "");
        if (d && network_configures_vfs(n)) {
                r = engine_port_plan_vfs(e, d, port, /* picked= */ true, err);
                if (r != 0)
                        return r;
        }
        *ret = g_steal_pointer(&port);
        return 0;
}

/* The checks of Allocate that need no device: parse, inherit, refuse what cannot be done. */
static int allocate_prepare(Engine *e, Network *n, const char *xml, PortDef **ret, EngineError *err) {
        g_autoptr(PortDef) pd = NULL;
        int r;

        r = check_network_takes_ports(n, err);
        if (r == 0)
                r = parse_port(xml, /* want_plug= */ false, &pd, err);
        if (r == 0)
                r = check_shared_lower_settings(n, pd, err);
        if (r == 0)
                r = check_netdev_settings_fit(n, pd, err);
        if (r != 0)
                return r;
        if (!pd->uuid[0])
                uuid_generate_string(pd->uuid);
        if (g_hash_table_contains(e->ports, pd->uuid))
                return fail(err, ENGINE_ERROR_PORT_EXISTS, "port %s exists already", pd->uuid);
        r = port_inherit(n->def, pd, err);
        if (r == 0)
                r = engine_macs_check(e, n, pd, err);
        if (r != 0)
                return r;
        *ret = g_steal_pointer(&pd);
        return 0;
}

/* Undo a port's allocation after step `configured` (its VFs were set): the plug is undone by connect itself;
 * the VFs go back (their driver and settings), and the record goes. */
static void allocate_undo(Engine *e, PoolDevice *d, Port *port) {
        g_auto(EngineError) undo = {};

        if (engine_port_restore_vfs(e, port, port->vfs->len, &call_final, &undo) != 0)
                mark_restore_failed(e, d);
        (void) store_remove_port(e->store, port_uuid(port));
}

/* A VF's pool row shows the netdev it has now (GetDevices tells the truth): none while on vfio-pci. */
static void device_netdev_now(Engine *e, PoolDevice *d) {
        g_autoptr(HwFunction) f = NULL;
        PciAddr addr;

        if (d->type != FORWARD_DEV_PCI || !d->pci_address || pci_addr_from_string(d->pci_address, &addr) < 0 ||
            hw_lookup_function(e->hw, &addr, &f) < 0)
                return;
        g_free(d->netdev);
        d->netdev = f->netdevs->len > 0 ? g_strdup(((const HwNetdev *) f->netdevs->pdata[0])->name) : NULL;
}

/* how often an Allocate that waits for devices being re-created looks again */
#define SETTLE_RETRY_USEC (50 * 1000)

/* Hot-plug events came and their rescan is due, or VFs left a pool a moment ago (re-created VFs come back
 * after a pause: a numvfs change is two writes, a PF reset takes its time) — for at most
 * ENGINE_SETTLE_WAIT_USEC since. */
static bool devices_worth_waiting(Engine *e, const EngineCall *call) {
        int64_t now = g_get_monotonic_time();

        if (!call || !call->may_wait)
                return false;
        return (e->devices_settling && now - e->settling_since < ENGINE_SETTLE_WAIT_USEC) ||
               (e->vfs_gone_at > 0 && now - e->vfs_gone_at < ENGINE_SETTLE_WAIT_USEC);
}

/* A claim that holds a port already: that port again when the request is the one it was made for. Nothing
 * changes (a tap fd asked for is opened again). */
static int allocate_claimed(Engine *e, Network *n, const char *xml, const AllocateOptions *o, Port **ret,
                            int *ret_tap_fd, EngineError *err) {
        g_autoptr(PortDef) pd = NULL;
        Port *held = engine_lookup_claim(e, n, o->claim);
        int r;

        r = parse_port(xml, /* want_plug= */ false, &pd, err);
        if (r == 0)
                r = engine_claim_id_check(e, held, pd, o, err);
        if (r == 0 && o->tap_fd && held->def->host.tap)
                r = engine_plug_open_tap(e, held, ret_tap_fd, err);
        if (r != 0)
                return r;
        log_info("network '%s': claim '%s' gives port %s again", network_name(n), o->claim, port_uuid(held));
        *ret = held;
        return 0;
}

int engine_allocate_with(Engine *e, Network *n, const char *xml, const AllocateOptions *o, const EngineCall *call,
                         Port **ret, int *ret_tap_fd, EngineError *err) {
        g_autoptr(PortDef) pd = NULL;
        g_autoptr(Port) port = NULL;
        _cleanup_(closep) int tap_fd = -1;
        PoolDevice *d = NULL;
        int r;

        *ret_tap_fd = -1;
        if (o && o->claim && engine_lookup_claim(e, n, o->claim))
                return allocate_claimed(e, n, xml, o, ret, ret_tap_fd, err);
        r = allocate_prepare(e, n, xml, &pd, err);
        if (r == 0)
                r = engine_plug_check_options(e, n, o, err);
        if (r == 0 && n->pool)
                r = pick_device(e, n, pd, o, &d, err);
        if (r == ENGINE_ERROR_POOL_EXHAUSTED && devices_worth_waiting(e, call)) {
                engine_error_clear(err);
                return engine_again(err, SETTLE_RETRY_USEC, /* busy= */ false, "network '%s': devices are being "
                                    "re-created; waiting for them", network_name(n));
        }
        if (r == 0)
                r = port_build(e, n, g_steal_pointer(&pd), d, &port, err);
        if (r == 0)
                r = engine_plug_plan(e, n, d, port, o, err);
        if (r != 0)
                return r;
        if (o && o->owner_pid > 0)      /* in the record from the first write: a restart watches it again */
                port->owner_process = (PortOwnerProcess) { .pid = o->owner_pid, .start_time = o->owner_start_time };
        if (o && o->claim)
                port->claim = g_strdup(o->claim);
        /* the record is on disk before the hardware changes: a crash from here on is rolled back (by the VF
         * records alone where they undo everything, or everything up to the plug's own first record) */
        r = port_check_vf_settings(e, port, err);
        if (r == 0)
                r = check_record_readable(port, err);
        if (r != 0)
                return r;
        port->phase = PORT_PHASE_CONFIGURING;
        if (!port_undone_by_vf_records(port) && !engine_plug_records_port(n, port)) {
                r = engine_port_save(e, port, PORT_PHASE_CONFIGURING, err);
                if (r != 0)
                        return r;
        }
        crash_point("allocate-recorded");
        r = port_apply_vfs(e, n, d, port, call, err);
        if (r != 0) {
                (void) store_remove_port(e->store, port_uuid(port));
                return r;
        }
        crash_point("allocate-configured");
        r = engine_plug_connect(e, n, port, o, &tap_fd, err);   /* undoes itself when it fails */
        if (r == 0) {
                r = engine_port_save(e, port, PORT_PHASE_ACTIVE, err);
                if (r != 0) {
                        g_auto(EngineError) undo = {};

                        (void) engine_plug_disconnect(e, port, &undo);
                }
        }
        if (r != 0) {
                allocate_undo(e, d, port);
                return r;
        }
        crash_point("allocate-done");
        if (d)
                device_netdev_now(e, d);        /* gone with the bind to vfio-pci, say */
        log_info("network '%s': port %s allocated on '%s'", network_name(n), port_uuid(port), port->device);
        *ret = port;
        *ret_tap_fd = tap_fd;
        tap_fd = -1;
        engine_port_register(e, n, g_steal_pointer(&port), d);
        engine_emit(e, n, *ret, ENGINE_EVENT_PORT_ADDED);
        engine_emit(e, n, NULL, ENGINE_EVENT_NETWORK_CHANGED);
        return 0;
}

int engine_allocate(Engine *e, Network *n, const char *xml, const EngineCall *call, Port **ret,
                    EngineError *err) {
        _cleanup_(closep) int tap_fd = -1;

        return engine_allocate_with(e, n, xml, NULL, call, ret, &tap_fd, err);
}

/* ---- Notify ---- */

static PoolDevice *device_of_plug(const Network *n, const PortDef *pd) {
        char addr[PCI_ADDR_STR_MAX];

        if (!n->pool)
                return NULL;
        switch (pd->plug_type) {
        case PORT_PLUG_HOSTDEV_PCI:
        case PORT_PLUG_HYBRID:
                return pool_find(n->pool, pci_addr_to_string(&pd->plug.address, addr));
        case PORT_PLUG_DIRECT:
                return pd->plug.dev ? pool_find(n->pool, pd->plug.dev) : NULL;
        default:
                return NULL;
        }
}

static int register_vf_records(Engine *e, const Port *port, EngineError *err) {
        for (guint i = 0; i < port->vfs->len; i++) {
                g_autofree char *msg = NULL;
                VfTarget t;
                int r;

                engine_port_vf_target(port, port->vfs->pdata[i], &t);
                if (vf_config_has_record(e->store->vf_dir, &t))
                        continue;
                /* the original was lost with the state dir: release will leave the VF clean */
                r = vf_config_record_defaults(e->store->vf_dir, &t, port_uuid(port), &msg);
                if (r < 0)
                        return fail(err, r == -EINVAL ? ENGINE_ERROR_INVALID_ARGUMENT : ENGINE_ERROR_IO, "%s",
                                    msg);
        }
        return 0;
}

/* Notify of a port already in the books: the same port again is nothing to do; anything else clashes. */
static int notify_existing(const Port *existing, const Network *n, const PoolDevice *d, EngineError *err) {
        if (streq(existing->network, network_name(n)) && streq(existing->device, d ? d->id : ""))
                return 0;
        return fail(err, ENGINE_ERROR_PORT_EXISTS, "port %s exists already, on network '%s' device '%s'",
                    port_uuid(existing), existing->network, existing->device);
}

static int notify_check_device(Engine *e, Network *n, PoolDevice *d, EngineError *err) {
        if (n->pool && !d)
                return fail(err, ENGINE_ERROR_DEVICE_NOT_FOUND, "network '%s': the port's device is not in its "
                            "pool", network_name(n));
        if (d && engine_claim_blocks(e, d, network_name(n)))
                return fail(err, ENGINE_ERROR_DEVICE_BUSY, "device '%s' is held by a port of network '%s'",
                            d->id, engine_claim_holder(e, d));
        if (d && n->pool->exclusive && d->connections > 0)
                return fail(err, ENGINE_ERROR_DEVICE_BUSY, "device '%s' is held by port %s", d->id,
                            d->port_uuid ?: "?");
        return 0;
}

int engine_notify(Engine *e, Network *n, const char *xml, Port **ret, EngineError *err) {
        g_autoptr(PortDef) pd = NULL;
        g_autoptr(Port) port = NULL;
        PoolDevice *d = NULL;
        Port *existing;
        int r;

        r = check_network_takes_ports(n, err);
        if (r == 0)
                r = parse_port(xml, /* want_plug= */ true, &pd, err);
        if (r != 0)
                return r;
        d = device_of_plug(n, pd);
        existing = g_hash_table_lookup(e->ports, pd->uuid);
        if (existing) {
                r = notify_existing(existing, n, d, err);
                if (r == 0) {
                        engine_port_repair(e, existing, "differs from the port at Notify");
                        *ret = existing;
                }
                return r;
        }
        r = notify_check_device(e, n, d, err);
        if (r == 0)
                r = engine_macs_check(e, n, pd, err);
        if (r != 0)
                return r;
        port = port_new(g_steal_pointer(&pd), network_name(n), d ? d->id : "");
        r = check_record_readable(port, err);
        if (r != 0)
                return r;
        r = engine_plug_adopt(e, n, d, port, err);
        if (r != 0)
                return r;
        if (d && network_configures_vfs(n)) {
                r = engine_port_plan_vfs(e, d, port, /* picked= */ false, err);
                if (r == 0)
                        r = register_vf_records(e, port, err);
                if (r != 0)
                        return r;
        }
        r = engine_port_save(e, port, PORT_PHASE_ACTIVE, err);
        if (r != 0)
                return r;
        if (d) {
                /* a guest has it: it is there, and its records are the port's now, restored at its Release */
                if (network_configures_vfs(n))
                        engine_restore_failed_clear(e, pool_device_key(d));
                if (d->state == DEVICE_STATE_UNAVAILABLE || d->state == DEVICE_STATE_RESTORE_FAILED)
                        pool_device_set_state(n->pool, d, DEVICE_STATE_FREE);
        }
        log_info("network '%s': port %s re-registered on '%s'", network_name(n), port_uuid(port), port->device);
        *ret = port;
        engine_port_register(e, n, g_steal_pointer(&port), d);
        engine_emit(e, n, *ret, ENGINE_EVENT_PORT_ADDED);
        engine_emit(e, n, NULL, ENGINE_EVENT_NETWORK_CHANGED);
        /* what changed on the VF while no port was in the books goes back to what the port says */
        engine_port_repair(e, *ret, "differs from the port at Notify");
        return 0;
}

/* ---- Release ---- */

/* A device let go by its last port: every network that has it learns whether its original is back. A record
 * left (the other port's of a dual-port VF, say) keeps it out until the retry restores it; there is one only
 * while restores are pending, so the common release looks at no file. A network that does not configure its
 * devices (macvtap) restored nothing: a mark made meanwhile applies to its device now. */
static void device_restore_verdict(Engine *e, const Network *n, const PoolDevice *d, bool restore_failed) {
        const char *key = pool_device_key(d);

        if (engine_quarantine_reason(e, key))
                engine_quarantine_mark(e, key, NULL);   /* it applies now that the device is free */
        else if (!network_configures_vfs(n)) {
                if (engine_restore_failed_has(e, key))
                        engine_restore_failed_mark(e, key);
        } else if (restore_failed || (e->restores_pending && engine_device_has_record(e, d)))
                engine_restore_failed_mark(e, key);
        else
                engine_restore_failed_clear(e, key);
}

/* Take the port out of the books; restore_failed marks its device. Frees port. */
static void port_forget(Engine *e, Port *port, bool restore_failed) {
        Network *n = engine_port_network(e, port);
        PoolDevice *d = engine_port_device(e, port);

        if (n && !n->pool && n->def->connections > 0)
                n->def->connections--;
        if (d) {
                device_netdev_now(e, d);        /* back with its host driver, say */
                pool_device_connect(n->pool, d, -1);
                engine_holders_remove(e, n, d, port_uuid(port));
                engine_claim_update(e, d, network_name(n));
        }
        engine_emit(e, n, port, ENGINE_EVENT_PORT_REMOVED);
        engine_lease_watch_port(e, port, false);
        engine_macs_remove(e, port);
        engine_claim_id_remove(e, port);
        owners_remove(e, port);
        g_hash_table_remove(e->ports, port_uuid(port));
        if (d && d->connections == 0)
                device_restore_verdict(e, n, d, restore_failed);
        if (n)
                engine_emit(e, n, NULL, ENGINE_EVENT_NETWORK_CHANGED);
}

int engine_release(Engine *e, Port *port, const EngineCall *call, EngineError *err) {
        g_auto(EngineError) restore_err = {};
        int r;

        r = engine_port_save(e, port, PORT_PHASE_RELEASING, err);
        if (r != 0)
                return r;
        engine_port_set_health(e, port, PORT_HEALTH_RESTORING);
        crash_point("release-recorded");
        r = engine_plug_disconnect(e, port, &restore_err);
        if (r != 0)
                log_warning("port %s: %s; netpool goes on with the release", port_uuid(port), restore_err.message);
        engine_error_clear(&restore_err);
        crash_point("release-unplugged");
        r = engine_port_restore_vfs(e, port, port->vfs->len, call, &restore_err);
        if (r == ENGINE_ERROR_AGAIN) {
                /* a VF in reset: the port stays releasing in its record, and the call comes again */
                engine_again(err, restore_err.retry_usec, restore_err.busy, "%s", restore_err.message);
                return r;
        }
        if (r != 0)
                log_warning("port %s: the device keeps its guest configuration for now (%s); netpool retries",
                            port_uuid(port), restore_err.message);
        crash_point("release-restored");
        r = store_remove_port(e->store, port_uuid(port));
        if (r < 0) {
                g_autofree char *what = g_strdup_printf("the record of port %s", port_uuid(port));

                return engine_fail_file(e, err, r, "remove", what, STORE_FILE_PORT, port_uuid(port));
        }
        crash_point("release-done");
        log_info("network '%s': port %s released", port->network, port_uuid(port));
        port_forget(e, port, restore_err.message != NULL);
        return 0;
}

int engine_release_network_ports(Engine *e, Network *n, guint max, const EngineCall *call, guint *ret_left,
                                 EngineError *err) {
        g_autoptr(GPtrArray) ports = engine_list_ports(e, n);
        guint done = 0;

        for (; done < ports->len && done < max; done++) {
                int r = engine_release(e, ports->pdata[done], call, err);

                if (r != 0) {
                        *ret_left = ports->len - done;
                        return r;
                }
        }
        *ret_left = ports->len - done;
        return 0;
}

/* ---- what a port shows ---- */

static bool port_has_pci(const Port *port) {
        return port->def->plug_type == PORT_PLUG_HOSTDEV_PCI || port->def->plug_type == PORT_PLUG_HYBRID;
}

/* The netdev the guest's traffic goes through: the macvtap lower device, the host bridge, or the VF's
 * netdev when it has one on the host. */
static const char *port_netdev(Engine *e, const Port *port) {
        const PoolDevice *d = engine_port_device(e, port);

        switch (port->def->plug_type) {
        case PORT_PLUG_DIRECT:
                return port->def->plug.dev ?: "";
        case PORT_PLUG_BRIDGE:
        case PORT_PLUG_NETWORK:
                return port->def->plug.bridge ?: "";
        default:
                /* the name the VF had when the port took it (it has none while on vfio-pci) */
                if (port->vfs->len > 0 && ((const PortVf *) port->vfs->pdata[0])->vf_netdev)
                        return ((const PortVf *) port->vfs->pdata[0])->vf_netdev;
                return d && d->netdev ? d->netdev : "";
        }
}

static int port_numa_node(Engine *e, const Port *port) {
        const PoolDevice *d = engine_port_device(e, port);

        return d ? d->numa_node : -1;
}

void engine_port_info(Engine *e, const Port *port, PortInfo *ret) {
        *ret = (PortInfo) {
                .uuid = port_uuid(port),
                .network = port->network,
                .owner_name = port->def->owner_name ?: "",
                .owner_uuid = port->def->owner_uuid,
                .mac = port->def->mac,
                .plug_type = port_plug_type_to_string(port->def->plug_type) ?: "",
                .netdev = port_netdev(e, port),
                .pf = port->def->host.pf ?: "",
                .vf_index = port->def->host.vf_index,
                .iommu_group = port->def->host.iommu_group,
                .vfio_group = port->def->host.vfio_group ?: "",
                .vfio_device = port->def->host.vfio_device ?: "",
                .tap_name = port->def->host.tap ?: "",
                .owner_pid = port->owner_process.pid,
                .claim = port->claim ?: "",
                .numa_node = port_numa_node(e, port),
                .health = port_health_to_string(port->health),
        };
        if (port_has_pci(port))
                pci_addr_to_string(&port->def->plug.address, ret->pci_address);
        ret->device = port_has_pci(port) ? ret->pci_address : ret->netdev;
}

char *engine_port_xml(Engine *e, const Port *port) {
        return portdef_format_xml(port->def);
}
