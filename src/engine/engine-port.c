/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine ports: Allocate, Notify and Release, crash recovery, and VF restores that must not be lost */
#include <errno.h>

#include "core/names.h"
#include "core/vf-record.h"
#include "engine/engine-private.h"
#include "engine/vf-config.h"
#include "shared/crash.h"
#include "shared/log.h"

#define fail engine_fail

Port *engine_lookup_port(Engine *e, const char *uuid) {
        char buf[37];

        if (uuid_normalize(uuid, buf) < 0)
                return NULL;
        return g_hash_table_lookup(e->ports, buf);
}

static gint port_cmp_uuid(gconstpointer a, gconstpointer b) {
        return g_strcmp0(port_uuid(*(Port **) a), port_uuid(*(Port **) b));
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

/* ---- claims: a device is held through one network at a time ---- */

static const char *device_key(const PoolDevice *d) {
        return d->pci_address ?: d->netdev;
}

static bool claim_blocks(Engine *e, const PoolDevice *d, const char *network) {
        const char *holder = g_hash_table_lookup(e->claims, device_key(d));

        return holder && !streq(holder, network);
}

/* The claim lasts while the device has connections in this network. */
static void claim_update(Engine *e, const PoolDevice *d, const char *network) {
        if (d->connections > 0)
                g_hash_table_replace(e->claims, g_strdup(device_key(d)), g_strdup(network));
        else
                g_hash_table_remove(e->claims, device_key(d));
}

/* ---- the settings a port inherits: its own, else its portgroup's, else the network's ---- */

static int port_inherit(const NetDef *def, PortDef *pd, EngineError *err) {
        const PortGroup *pg = netdef_find_portgroup(def, pd->group);

        if (pd->group && !pg)
                return fail(err, -EINVAL, "network '%s' has no portgroup '%s'", def->name, pd->group);
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
        return 0;
}

/* A VF takes one VLAN tag, or none. */
static int vf_vlan_id(const Vlan *v, const char *what, unsigned *ret, EngineError *err) {
        *ret = 0;
        if (!v)
                return 0;
        if (v->trunk == TRISTATE_YES || v->tags->len != 1)
                return fail(err, -EINVAL, "%s: a VLAN trunk cannot be applied to a VF; give one <tag>", what);
        if (g_array_index(v->tags, VlanTag, 0).native_mode != VLAN_NATIVE_NONE)
                return fail(err, -EINVAL, "%s: nativeMode needs a trunk, which a VF cannot apply", what);
        *ret = g_array_index(v->tags, VlanTag, 0).id;
        return 0;
}

/* ---- the plug that tells the hypervisor how to use the device ---- */

static PortPciDriver plug_driver(const NetDef *def) {
        PortPciDriver d = port_pci_driver_from_string(def->driver_name);

        return d < 0 ? PORT_PCI_DRIVER_NONE : d;
}

static int port_fill_plug(const NetDef *def, const PoolDevice *d, PortDef *pd, EngineError *err) {
        PortPlug *plug = &pd->plug;

        switch (def->mode) {
        case FORWARD_MODE_HOSTDEV:
        case FORWARD_MODE_HYBRID:
                pd->plug_type = def->mode == FORWARD_MODE_HOSTDEV ? PORT_PLUG_HOSTDEV_PCI : PORT_PLUG_HYBRID;
                plug->managed = def->managed == TRISTATE_YES ? TRISTATE_YES : TRISTATE_NO;
                plug->driver = plug_driver(def);
                if (pci_addr_from_string(d->pci_address, &plug->address) < 0)
                        return fail(err, -EIO, "device '%s' has no PCI address", d->id);
                if (def->mode == FORWARD_MODE_HYBRID) {
                        plug->dev = g_strdup(d->pf_netdev);
                        plug->mode = def->hybrid_virtio_mode ?
                                     port_macvtap_mode_from_string(def->hybrid_virtio_mode) : PORT_MACVTAP_VEPA;
                        if (plug->driver == PORT_PCI_DRIVER_NONE)
                                plug->driver = PORT_PCI_DRIVER_VFIO;
                }
                return 0;
        case FORWARD_MODE_BRIDGE:
                if (!d) {
                        pd->plug_type = PORT_PLUG_BRIDGE;
                        plug->bridge = g_strdup(def->bridge_name);
                        plug->mac_table_manager = port_mac_table_manager_from_string(def->mac_table_manager);
                        if (plug->mac_table_manager < 0)
                                plug->mac_table_manager = PORT_MAC_TABLE_MANAGER_DEFAULT;
                        return 0;
                }
                _fallthrough_;
        default:
                pd->plug_type = PORT_PLUG_DIRECT;
                plug->dev = g_strdup(d->netdev);
                plug->mode = port_macvtap_mode_from_string(forward_mode_to_string(def->mode));
                return 0;
        }
}

/* ---- VF configuration of a port ---- */

void engine_port_vf_target(const PortVf *v, VfTarget *t) {
        *t = (VfTarget) { .pf_netdev = v->pf_netdev, .alt_pf_netdev = v->alt_pf_netdev, .vf = v->vf,
                          .vf_netdev = v->vf_netdev };
}

/* Which VFs a port on device d configures: the device's VF through its PF netdev, or with <netdev port='N'>
 * each named port of a dual-port VF through that port's PF netdev. */
int engine_port_plan_vfs(Engine *e, const PoolDevice *d, Port *port, EngineError *err) {
        g_autoptr(HwFunction) vf = NULL, pf = NULL;
        PciAddr addr;
        const PortDef *pd = port->def;
        bool per_port = pd->netdevs[0].present || pd->netdevs[1].present;

        if (d->vf_index < 0 || !d->pf_netdev) {
                if (per_port)
                        return fail(err, -EINVAL, "device '%s' is no VF; <netdev port=…> settings do not apply",
                                    d->id);
                return 0;
        }
        if (pci_addr_from_string(d->pci_address, &addr) < 0 || hw_lookup_function(e->hw, &addr, &vf) < 0 ||
            hw_lookup_function(e->hw, &vf->physfn, &pf) < 0)
                return fail(err, -ENODEV, "VF %d of PF '%s' (%s) is gone", d->vf_index, d->pf_netdev, d->id);
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
                port_add_vf(port, d->pf_netdev, alt ? alt->name : NULL, (unsigned) d->vf_index,
                            own ? own->name : NULL);
                return 0;
        }
        for (int i = 0; i < PORT_NETDEV_MAX; i++) {
                const HwNetdev *pf_nd = hw_function_netdev_by_dev_port(pf, i);
                const HwNetdev *vf_nd = hw_function_netdev_by_dev_port(vf, i);

                if (!pd->netdevs[i].present)
                        continue;
                if (vf->netdevs->len < 2 || !pf_nd || !vf_nd)
                        return fail(err, -EINVAL, "<netdev port='%d'>: VF %d of '%s' has only one port; "
                                    "per-port settings need a VF with a netdev on each port", i + 1,
                                    d->vf_index, d->pf_netdev);
                port_add_vf(port, pf_nd->name, NULL, (unsigned) d->vf_index, vf_nd->name)->netdev_port =
                        (unsigned) i + 1;
        }
        return 0;
}

/* The MAC and VLAN a configured VF gets: those of its <netdev port='N'>, else the port's. */
static int port_vf_settings(const Port *port, const PortVf *v, const char **ret_mac, unsigned *ret_vlan,
                            EngineError *err) {
        const PortDef *pd = port->def;
        const PortNetdev *nd = v->netdev_port > 0 ? &pd->netdevs[v->netdev_port - 1] : NULL;
        g_autofree char *what = g_strdup_printf("port %s", port_uuid(port));

        *ret_mac = nd && nd->mac[0] ? nd->mac : pd->mac;
        return vf_vlan_id(nd && nd->vlan ? nd->vlan : pd->vlan, what, ret_vlan, err);
}

/* Restore the VFs a port configured (the first n of them). Returns 0 or the first error, with its message
 * in err; every VF is tried. */
/* In private, vepa and bridge networks several ports share a device: its VF is configured for the first of
 * them and restored when the last one leaves. Does another port hold the port's device? O(1): the device's
 * connection count, less the port itself once it is counted (another network cannot hold it: claims). */
static bool device_shared_with_other_port(Engine *e, const Port *port) {
        const Network *n = g_hash_table_lookup(e->networks, port->network);
        const PoolDevice *d = n && n->pool ? pool_find(n->pool, port->device) : NULL;
        unsigned self = g_hash_table_lookup(e->ports, port_uuid(port)) == port ? 1 : 0;

        return d && d->connections > self;
}

int engine_port_restore_vfs(Engine *e, const Port *port, guint n, EngineError *err) {
        int ret = 0;

        for (guint i = n; i > 0; i--) {
                g_autofree char *msg = NULL;
                VfTarget t;
                int r;

                if (device_shared_with_other_port(e, port))
                        continue;       /* another port still uses it as it is */
                engine_port_vf_target(port->vfs->pdata[i - 1], &t);
                r = vf_config_restore(e->hw, e->store->vf_dir, &t, &msg);
                if (r == -ENOENT)
                        continue;       /* never saved: nothing changed */
                if (r < 0) {
                        e->restores_pending = true;
                        log_warning("port %s: restoring VF %u of '%s' failed: %s", port_uuid(port), t.vf,
                                    t.pf_netdev, msg);
                        if (ret == 0) {
                                ret = r;
                                fail(err, -EIO, "%s", msg);
                        }
                }
        }
        return ret;
}

static int port_apply_vfs(Engine *e, Port *port, EngineError *err) {
        for (guint i = 0; i < port->vfs->len; i++) {
                g_autofree char *msg = NULL;
                const char *mac;
                unsigned vlan;
                VfTarget t;
                int r;

                if (device_shared_with_other_port(e, port))
                        continue;       /* configured for the first port that shares it */
                r = port_vf_settings(port, port->vfs->pdata[i], &mac, &vlan, err);
                if (r >= 0) {
                        engine_port_vf_target(port->vfs->pdata[i], &t);
                        r = vf_config_apply(e->hw, e->store->vf_dir, &t, mac, vlan, port_uuid(port), &msg);
                        if (r < 0)
                                fail(err, r == -ENODEV ? -ENODEV : -EIO, "%s", msg);
                }
                if (r < 0) {
                        g_auto(EngineError) ignored = {};

                        (void) engine_port_restore_vfs(e, port, i, &ignored);
                        return r == -ENODEV ? -ENODEV : r == -EINVAL ? -EINVAL : -EIO;
                }
        }
        return 0;
}

/* ---- picking a device ---- */

bool engine_device_usable(Engine *e, const PoolDevice *d) {
        if (d->type == FORWARD_DEV_PCI) {
                g_autoptr(HwFunction) fn = NULL;
                PciAddr addr;

                if (pci_addr_from_string(d->pci_address, &addr) < 0 || hw_lookup_function(e->hw, &addr, &fn) < 0)
                        return false;
                return d->connections > 0 || !streq_ptr(fn->driver, "vfio-pci");
        }
        g_autoptr(HwNetdev) nd = NULL;

        return hw_lookup_netdev(e->hw, d->netdev, &nd, NULL) >= 0;
}

static unsigned pool_in_use(const Pool *p) {
        unsigned n = 0;

        for (guint i = 0; i < p->devices->len; i++)
                if (((const PoolDevice *) p->devices->pdata[i])->connections > 0)
                        n++;
        return n;
}

static int pick_device(Engine *e, Network *n, PoolDevice **ret, EngineError *err) {
        g_autoptr(GPtrArray) held_elsewhere = g_ptr_array_new();
        bool changed = false;
        PoolDevice *d;

        while ((d = pool_pick(n->pool))) {
                if (claim_blocks(e, d, network_name(n))) {
                        /* out of the way for this pick only */
                        g_ptr_array_add(held_elsewhere, d);
                        pool_device_set_state(n->pool, d, DEVICE_STATE_UNAVAILABLE);
                        continue;
                }
                if (engine_device_usable(e, d))
                        break;
                log_notice("network '%s': device '%s' is gone or taken outside netpool; marked unavailable",
                           network_name(n), d->id);
                pool_device_set_state(n->pool, d, DEVICE_STATE_UNAVAILABLE);
                changed = true;
        }
        for (guint i = 0; i < held_elsewhere->len; i++)
                pool_device_set_state(n->pool, held_elsewhere->pdata[i], DEVICE_STATE_FREE);
        if (changed)
                engine_save_live(e, n);
        if (!d && held_elsewhere->len > 0)
                return fail(err, -ENOSPC, "network '%s' has no free device: %u of %u in use (%u of them "
                            "through other networks)", network_name(n),
                            pool_in_use(n->pool) + held_elsewhere->len, pool_capacity(n->pool),
                            held_elsewhere->len);
        if (!d)
                return fail(err, -ENOSPC, "network '%s' has no free device: %u of %u in use", network_name(n),
                            pool_in_use(n->pool), pool_capacity(n->pool));
        *ret = d;
        return 0;
}

/* ---- Allocate ---- */

static int parse_port(const char *xml, bool want_plug, PortDef **ret, EngineError *err) {
        g_auto(NetDefError) perr = {};
        g_autoptr(PortDef) pd = NULL;
        int r;

        r = portdef_parse_xml(xml, &pd, &perr);
        if (r < 0)
                return fail(err, -EBADMSG, "invalid port XML: %s", perr.message ?: g_strerror(-r));
        if (!want_plug && pd->plug_type != PORT_PLUG_NONE)
                return fail(err, -EINVAL, "Allocate takes a <networkport> without <plug>; use Notify to "
                            "re-register a port that has one");
        if (want_plug && pd->plug_type == PORT_PLUG_NONE)
                return fail(err, -EINVAL, "Notify takes a <networkport> with the <plug> Allocate returned");
        if (want_plug && !pd->uuid[0])
                return fail(err, -EINVAL, "Notify needs the port's <uuid>");
        *ret = g_steal_pointer(&pd);
        return 0;
}

void engine_port_register(Engine *e, Network *n, Port *port, PoolDevice *d) {
        if (!n->pool)
                n->def->connections++;  /* a host bridge: ports are its only count */
        if (d) {
                pool_device_connect(n->pool, d, 1);
                g_free(d->port_uuid);
                d->port_uuid = g_strdup(port_uuid(port));
                claim_update(e, d, network_name(n));
        }
        g_hash_table_replace(e->ports, g_strdup(port_uuid(port)), port);
}

static int save_port(Engine *e, Port *port, PortPhase phase, EngineError *err) {
        int r;

        port->phase = phase;
        r = store_save_port(e->store, port);
        if (r < 0)
                return fail(err, r, "port %s: cannot write its record: %s", port_uuid(port), g_strerror(-r));
        return 0;
}

static int check_network_takes_ports(Network *n, EngineError *err) {
        if (!n->active)
                return fail(err, -ESRCH, "network '%s' is not active", network_name(n));
        if (!n->pool && !n->def->bridge_name)
                return fail(err, -EOPNOTSUPP, "network '%s' has neither a device pool nor a host bridge to "
                            "plug ports into", network_name(n));
        return 0;
}

int engine_allocate(Engine *e, Network *n, const char *xml, Port **ret, EngineError *err) {
        g_autoptr(PortDef) pd = NULL;
        g_autoptr(Port) port = NULL;
        PoolDevice *d = NULL;
        int r;

        r = check_network_takes_ports(n, err);
        if (r >= 0)
                r = parse_port(xml, /* want_plug= */ false, &pd, err);
        if (r < 0)
                return r;
        if (!pd->uuid[0])
                uuid_generate_string(pd->uuid);
        if (g_hash_table_contains(e->ports, pd->uuid))
                return fail(err, -EEXIST, "port %s exists already", pd->uuid);
        r = port_inherit(n->def, pd, err);
        if (r < 0)
                return r;
        if (n->pool) {
                r = pick_device(e, n, &d, err);
                if (r < 0)
                        return r;
        }
        r = port_fill_plug(n->def, d, pd, err);
        if (r < 0)
                return r;
        port = port_new(g_steal_pointer(&pd), network_name(n), d ? d->id : "");
        if (d) {
                r = engine_port_plan_vfs(e, d, port, err);
                if (r < 0)
                        return r;
        }
        /* the record is on disk before the hardware changes: a crash from here on is rolled back */
        r = save_port(e, port, PORT_PHASE_CONFIGURING, err);
        if (r < 0)
                return r;
        crash_point("allocate-recorded");
        r = port_apply_vfs(e, port, err);
        if (r < 0) {
                (void) store_remove_port(e->store, port_uuid(port));
                return r;
        }
        crash_point("allocate-configured");
        r = save_port(e, port, PORT_PHASE_ACTIVE, err);
        if (r < 0) {
                g_auto(EngineError) ignored = {};

                (void) engine_port_restore_vfs(e, port, port->vfs->len, &ignored);
                (void) store_remove_port(e->store, port_uuid(port));
                return r;
        }
        crash_point("allocate-done");
        log_info("network '%s': port %s allocated on '%s'", network_name(n), port_uuid(port), port->device);
        *ret = port;
        engine_port_register(e, n, g_steal_pointer(&port), d);
        engine_emit(e, n, *ret, ENGINE_EVENT_PORT_ADDED);
        engine_emit(e, n, NULL, ENGINE_EVENT_NETWORK_CHANGED);
        return 0;
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

                engine_port_vf_target(port->vfs->pdata[i], &t);
                if (vf_config_has_record(e->store->vf_dir, &t))
                        continue;
                /* the original was lost with the state dir: release will leave the VF clean */
                r = vf_config_record_defaults(e->store->vf_dir, &t, port_uuid(port), &msg);
                if (r < 0)
                        return fail(err, r, "%s", msg);
        }
        return 0;
}

int engine_notify(Engine *e, Network *n, const char *xml, Port **ret, EngineError *err) {
        g_autoptr(PortDef) pd = NULL;
        g_autoptr(Port) port = NULL;
        PoolDevice *d;
        Port *existing;
        int r;

        r = check_network_takes_ports(n, err);
        if (r >= 0)
                r = parse_port(xml, /* want_plug= */ true, &pd, err);
        if (r < 0)
                return r;
        d = device_of_plug(n, pd);
        if (n->pool && !d)
                return fail(err, -ENODEV, "network '%s': the port's device is not in its pool", network_name(n));
        existing = g_hash_table_lookup(e->ports, pd->uuid);
        if (existing) {
                if (streq(existing->network, network_name(n)) && streq(existing->device, d ? d->id : "")) {
                        *ret = existing;        /* the same port again: nothing to do */
                        return 0;
                }
                return fail(err, -EEXIST, "port %s exists already, on network '%s' device '%s'", pd->uuid,
                            existing->network, existing->device);
        }
        if (d && claim_blocks(e, d, network_name(n)))
                return fail(err, -EBUSY, "device '%s' is held by a port of network '%s'", d->id,
                            (const char *) g_hash_table_lookup(e->claims, device_key(d)));
        if (d && n->pool->exclusive && d->connections > 0)
                return fail(err, -EBUSY, "device '%s' is held by port %s", d->id, d->port_uuid ?: "?");
        if (d && (d->state == DEVICE_STATE_UNAVAILABLE || d->state == DEVICE_STATE_RESTORE_FAILED))
                pool_device_set_state(n->pool, d, DEVICE_STATE_FREE);   /* a guest has it: it is there */
        port = port_new(g_steal_pointer(&pd), network_name(n), d ? d->id : "");
        if (d) {
                r = engine_port_plan_vfs(e, d, port, err);
                if (r >= 0)
                        r = register_vf_records(e, port, err);
                if (r < 0)
                        return r;
        }
        r = save_port(e, port, PORT_PHASE_ACTIVE, err);
        if (r < 0)
                return r;
        log_info("network '%s': port %s re-registered on '%s'", network_name(n), port_uuid(port), port->device);
        *ret = port;
        engine_port_register(e, n, g_steal_pointer(&port), d);
        engine_emit(e, n, *ret, ENGINE_EVENT_PORT_ADDED);
        engine_emit(e, n, NULL, ENGINE_EVENT_NETWORK_CHANGED);
        return 0;
}

/* ---- Release ---- */

Network *engine_port_network(Engine *e, const Port *port) {
        Network *n = g_hash_table_lookup(e->networks, port->network);

        return n && n->active ? n : NULL;
}

/* Take the port out of the books; restore_failed marks its device. Frees port. */
static void port_forget(Engine *e, Port *port, bool restore_failed) {
        Network *n = engine_port_network(e, port);
        PoolDevice *d = n && n->pool ? pool_find(n->pool, port->device) : NULL;

        if (n && !n->pool && n->def->connections > 0)
                n->def->connections--;
        if (d) {
                pool_device_connect(n->pool, d, -1);
                if (d->connections == 0)
                        g_clear_pointer(&d->port_uuid, g_free);
                if (restore_failed)
                        pool_device_set_state(n->pool, d, DEVICE_STATE_RESTORE_FAILED);
                claim_update(e, d, network_name(n));
                if (restore_failed)
                        engine_save_live(e, n);
        }
        engine_emit(e, n, port, ENGINE_EVENT_PORT_REMOVED);
        g_hash_table_remove(e->ports, port_uuid(port));
        if (n)
                engine_emit(e, n, NULL, ENGINE_EVENT_NETWORK_CHANGED);
}

int engine_release(Engine *e, Port *port, EngineError *err) {
        g_auto(EngineError) restore_err = {};
        int r;

        r = save_port(e, port, PORT_PHASE_RELEASING, err);
        if (r < 0)
                return r;
        crash_point("release-recorded");
        r = engine_port_restore_vfs(e, port, port->vfs->len, &restore_err);
        if (r < 0)
                log_warning("port %s: the device keeps its guest configuration for now (%s); netpool retries",
                            port_uuid(port), restore_err.message);
        crash_point("release-restored");
        r = store_remove_port(e->store, port_uuid(port));
        if (r < 0)
                return fail(err, r, "port %s: cannot remove its record: %s", port_uuid(port), g_strerror(-r));
        crash_point("release-done");
        log_info("network '%s': port %s released", port->network, port_uuid(port));
        port_forget(e, port, restore_err.message != NULL);
        return 0;
}

int engine_release_network_ports(Engine *e, Network *n, EngineError *err) {
        g_autoptr(GPtrArray) ports = engine_list_ports(e, n);

        for (guint i = 0; i < ports->len; i++) {
                int r = engine_release(e, ports->pdata[i], err);

                if (r < 0)
                        return r;
        }
        return 0;
}
