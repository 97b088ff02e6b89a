/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine plug: what libvirt's QEMU driver does as root around a guest's interface, done for the agent */
#include <errno.h>
#include <unistd.h>

#include "core/names.h"
#include "engine/engine-plug.h"
#include "engine/engine-port.h"
#include "engine/vf-function.h"
#include "hw/hw-plug.h"
#include "shared/crash.h"
#include "shared/log.h"

#define fail engine_fail

/* the group node's mode while a uid/gid has it: theirs to open, nobody else's */
#define VFIO_NODE_MODE 0660
/* macvtapN names tried before giving up (libvirt's MACVTAP_MAX_ID is 8191) */
#define MACVTAP_NAME_MAX_ID 8191

bool engine_plug_binds_vfio(const NetDef *def) {
        return (def->mode == FORWARD_MODE_HOSTDEV || def->mode == FORWARD_MODE_HYBRID) &&
               def->managed == TRISTATE_YES;
}

bool engine_plug_makes_macvtap(const Network *n) {
        switch (n->def->mode) {
        case FORWARD_MODE_PASSTHROUGH:
        case FORWARD_MODE_PRIVATE:
        case FORWARD_MODE_VEPA:
        case FORWARD_MODE_HYBRID:
                return true;
        case FORWARD_MODE_BRIDGE:
                return n->pool != NULL;         /* a host bridge network plugs into the bridge instead */
        default:
                return false;
        }
}

static bool addr_in_pool(const PciAddr *addr, void *data) {
        const Pool *pool = data;
        char bdf[PCI_ADDR_STR_MAX];

        return pool_find(pool, pci_addr_to_string(addr, bdf)) != NULL;
}

char *engine_plug_vfio_problem(Engine *e, const NetDef *def, const Pool *pool, const PoolDevice *d) {
        PciAddr addr;

        if (!engine_plug_binds_vfio(def) || !d->pci_address || pci_addr_from_string(d->pci_address, &addr) < 0)
                return NULL;
        return vf_function_vfio_problem(e->hw, &addr, addr_in_pool, (gpointer) pool);
}

void engine_plug_mark_vfio_unusable(Engine *e, const NetDef *def, Pool *pool) {
        if (!engine_plug_binds_vfio(def))
                return;
        for (guint i = 0; i < pool->devices->len; i++) {
                PoolDevice *d = pool->devices->pdata[i];
                g_autofree char *problem = NULL;

                if (d->connections > 0 || d->state != DEVICE_STATE_FREE)
                        continue;
                problem = engine_plug_vfio_problem(e, def, pool, d);
                if (problem) {
                        log_notice("network '%s': device '%s' is unavailable: %s", def->name, d->id, problem);
                        pool_device_set_state(pool, d, DEVICE_STATE_UNAVAILABLE);
                }
        }
}

/* ---- plan ---- */

static const char *macvtap_mode(const Network *n) {
        switch (n->def->mode) {
        case FORWARD_MODE_PASSTHROUGH:
                return "passthru";
        case FORWARD_MODE_PRIVATE:
                return "private";
        case FORWARD_MODE_BRIDGE:
                return "bridge";
        case FORWARD_MODE_HYBRID:
                return n->def->hybrid_virtio_mode ?: "vepa";
        default:
                return "vepa";
        }
}

/* The names the ports have recorded for their macvtaps, made or about to be (a set borrowing the names). */
static GHashTable *port_tap_names(Engine *e) {
        GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
        GHashTableIter it;
        gpointer p;

        g_hash_table_iter_init(&it, e->ports);
        while (g_hash_table_iter_next(&it, NULL, &p))
                if (((Port *) p)->def->host.tap)
                        g_hash_table_add(names, ((Port *) p)->def->host.tap);
        return names;
}

/* A port's recorded name, or any netdev of the host (macvtaps and VLAN devices are in class/net too). */
static bool netdev_name_taken(Engine *e, GHashTable *tap_names, const char *name) {
        g_autoptr(HwNetdev) nd = NULL;

        return g_hash_table_contains(tap_names, name) || hw_read_netdev(e->hw, name, 0, &nd) != -ENODEV;
}

/* The macvtap's name: the one asked for (checked by engine_plug_check_options()), else the first free
 * macvtapN: the ports' own names are skipped from one set, so the host is asked only about the others. */
static int choose_tap_name(Engine *e, const AllocateOptions *o, char **ret, EngineError *err) {
        g_autoptr(GHashTable) taken = NULL;

        if (o && o->tap_name) {
                *ret = g_strdup(o->tap_name);
                return 0;
        }
        taken = port_tap_names(e);
        for (unsigned i = 0; i <= MACVTAP_NAME_MAX_ID; i++) {
                g_autofree char *name = g_strdup_printf("macvtap%u", i);

                if (!netdev_name_taken(e, taken, name)) {
                        *ret = g_steal_pointer(&name);
                        return 0;
                }
        }
        return fail(err, ENGINE_ERROR_HARDWARE, "no free macvtap name: macvtap0 to macvtap%d are all taken",
                    MACVTAP_NAME_MAX_ID);
}

/* "<pf>.<vid>" as the kernel's vconfig names it, when that fits a netdev name; else "npv<ifindex>.<vid>". */
static char *vlan_device_name(Engine *e, const char *pf, unsigned vid) {
        g_autofree char *name = g_strdup_printf("%s.%u", pf, vid);
        g_autoptr(HwNetdev) nd = NULL;

        if (netdev_name_is_valid(name))
                return g_steal_pointer(&name);
        if (hw_read_netdev(e->hw, pf, HW_NETDEV_IFINDEX, &nd) < 0)
                return NULL;
        return g_strdup_printf("npv%d.%u", nd->ifindex, vid);
}

static bool tap_name_taken(Engine *e, const char *name) {
        g_autoptr(GHashTable) taken = port_tap_names(e);

        return netdev_name_taken(e, taken, name);
}

int engine_plug_check_options(Engine *e, const Network *n, const AllocateOptions *o, EngineError *err) {
        const char *mode = forward_mode_to_string(n->def->mode);

        if (!o)
                return 0;
        if ((o->tap_name || o->tap_fd) && !engine_plug_makes_macvtap(n))
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "options 'tap-name' and 'tap-fd' apply to networks "
                            "whose ports get a macvtap (passthrough, private, vepa, bridge over devices, "
                            "pci-passthrough-hybrid); network '%s' is %s", network_name(n), mode);
        if ((o->has_vfio_uid || o->has_vfio_gid) && !engine_plug_binds_vfio(n->def))
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "options 'vfio-uid' and 'vfio-gid' apply to "
                            "hostdev and pci-passthrough-hybrid networks with managed='yes', whose VFs netpool "
                            "binds to vfio-pci; network '%s' is %s%s", network_name(n), mode,
                            n->def->managed == TRISTATE_YES ? "" : " without managed='yes'");
        if (o->tap_name && !netdev_name_is_valid(o->tap_name))
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "option 'tap-name': '%.64s' is not a valid netdev "
                            "name (1-15 characters, no '/', ':' or white space)", o->tap_name);
        if (o->tap_name && tap_name_taken(e, o->tap_name))
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "option 'tap-name': a netdev called '%s' exists "
                            "already", o->tap_name);
        return 0;
}

int engine_plug_plan(Engine *e, Network *n, const PoolDevice *d, Port *port, const AllocateOptions *o,
                     EngineError *err) {
        PortHostPlug *h = &port->def->host;
        unsigned vid = 0;

        if (d && d->vf_index >= 0 && d->pf_netdev) {
                h->pf = g_strdup(d->pf_netdev);
                h->vf_index = d->vf_index;
        }
        if (o && (o->has_vfio_uid || o->has_vfio_gid))
                /* (uint32_t) -1, as chown() takes it: that one stays as the node has it */
                port->vfio_owner = (PortNodeOwner) { .asked = true,
                                                     .uid = o->has_vfio_uid ? o->vfio_uid : UINT32_MAX,
                                                     .gid = o->has_vfio_gid ? o->vfio_gid : UINT32_MAX };
        if (!d || !engine_plug_makes_macvtap(n))
                return 0;
        if (n->def->mode == FORWARD_MODE_HYBRID && port->def->vlan) {
                vid = g_array_index(port->def->vlan->tags, VlanTag, 0).id;
                if (vid == 0 || vid > 4094)
                        return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "port VLAN %u cannot be a VLAN device over "
                                    "PF '%s' for the virtio path (1-4094)", vid, d->pf_netdev);
                h->vlan_device = vlan_device_name(e, d->pf_netdev, vid);
                if (!h->vlan_device)
                        return fail(err, ENGINE_ERROR_DEVICE_NOT_FOUND, "PF netdev '%s' is gone", d->pf_netdev);
        }
        return choose_tap_name(e, o, &h->tap, err);
}

/* ---- connect ---- */

static int bind_vfio(Engine *e, Port *port, EngineError *err) {
        PortHostPlug *h = &port->def->host;
        g_auto(VfioNodes) nodes = { .group = -1 };
        g_autofree char *msg = NULL;
        int r;

        r = vf_function_bind_vfio(e->hw, &port->def->plug.address, &nodes, &msg);
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: %s", port_uuid(port), msg);
        h->iommu_group = nodes.group;
        g_free(h->vfio_group);
        h->vfio_group = g_steal_pointer(&nodes.group_path);
        g_free(h->vfio_device);
        h->vfio_device = g_steal_pointer(&nodes.device_path);
        crash_point("allocate-bound");
        return 0;
}

/* The group node to the asked uid/gid (one not asked keeps before's). */
static int give_node(Engine *e, Port *port, const HwNodeOwner *before, EngineError *err) {
        const PortNodeOwner *o = &port->vfio_owner;
        const char *node = port->def->host.vfio_group;
        HwNodeOwner want = { .uid = o->uid, .gid = o->gid, .mode = VFIO_NODE_MODE };
        int r;

        if (o->uid == UINT32_MAX)
                want.uid = before->uid;
        if (o->gid == UINT32_MAX)
                want.gid = before->gid;
        r = hw_node_set_owner(e->hw, node, &want);
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: cannot give %s to uid %u gid %u: %s", port_uuid(port),
                            node, (unsigned) want.uid, (unsigned) want.gid, g_strerror(-r));
        return 0;
}

/* The group node goes to the asked uid/gid; its owner before is recorded first, for the release. */
static int hand_over_node(Engine *e, Port *port, EngineError *err) {
        PortNodeOwner *o = &port->vfio_owner;
        const char *node = port->def->host.vfio_group;
        HwNodeOwner before;
        int r;

        if (!o->asked)
                return 0;
        r = hw_node_get_owner(e->hw, node, &before);
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: cannot read the owner of %s: %s", port_uuid(port),
                            node, g_strerror(-r));
        o->saved = true;
        o->orig_uid = before.uid;
        o->orig_gid = before.gid;
        o->orig_mode = before.mode;
        r = engine_port_save(e, port, PORT_PHASE_CONFIGURING, err);
        if (r != 0)
                return r;
        return give_node(e, port, &before, err);
}

int engine_plug_rebind(Engine *e, Network *n, Port *port, EngineError *err) {
        HwNodeOwner before;
        int r;

        if (!engine_plug_binds_vfio(n->def))
                return 0;
        r = bind_vfio(e, port, err);
        if (r != 0 || !port->vfio_owner.asked)
                return r;
        r = hw_node_get_owner(e->hw, port->def->host.vfio_group, &before);
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: cannot read the owner of %s: %s", port_uuid(port),
                            port->def->host.vfio_group, g_strerror(-r));
        return give_node(e, port, &before, err);
}

/* The VLAN device under a hybrid's macvtap: one netpool made is marked before it is made; one that exists
 * already must be that VLAN over that PF. */
static int ensure_vlan_device(Engine *e, Port *port, EngineError *err) {
        const char *name = port->def->host.vlan_device, *pf = port->def->plug.dev;
        unsigned vid = g_array_index(port->def->vlan->tags, VlanTag, 0).id;
        g_autoptr(HwVirtualNetdev) v = NULL;
        int r;

        r = hw_virtual_netdev_read(e->hw, name, &v);
        if (r >= 0 && v->kind == HW_VIRTUAL_VLAN && streq_ptr(v->lower, pf) && v->vlan_id == vid)
                return 0;
        if (r != -ENODEV)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: netdev '%s' exists and is not VLAN %u over PF "
                            "'%s', which the virtio path needs", port_uuid(port), name, vid, pf);
        r = store_mark_vlan_device(e->store, name);
        if (r < 0)
                return engine_fail_file(e, err, r, "write", "the mark of a VLAN device netpool makes",
                                        STORE_FILE_VLAN_DEVICE, name);
        r = hw_vlan_create(e->hw, pf, name, vid);
        if (r < 0) {
                (void) store_unmark_vlan_device(e->store, name);
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: creating VLAN device '%s' (VLAN %u over '%s') "
                            "failed: %s", port_uuid(port), name, vid, pf, g_strerror(-r));
        }
        crash_point("allocate-vlan");
        return 0;
}

/* The macvtap's lower device: the VLAN device of a hybrid port on a VLAN, else the plug's netdev. */
static const char *tap_lower(const Port *port) {
        return port->def->host.vlan_device ?: port->def->plug.dev;
}

/* What the kernel made, as the create read it back (v): a driver (or a sim fault) may report success and make
 * nothing, or something else; a port must never name a macvtap that is not there as asked. */
static int check_macvtap(const Port *port, const HwVirtualNetdev *v, const char *lower, const char *mode,
                         EngineError *err) {
        const char *name = port->def->host.tap;
        char want_mac[18], got_mac[18];

        if (!v)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: macvtap '%s' was reported made, but it is not "
                            "there", port_uuid(port), name);
        if (v->kind != HW_VIRTUAL_MACVTAP || !streq_ptr(v->lower, lower) || !streq_ptr(v->mode, mode) ||
            mac_normalize(port->def->mac, want_mac) < 0 || mac_normalize(v->mac, got_mac) < 0 ||
            !streq(want_mac, got_mac))
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: macvtap '%s' read back is not what was asked "
                            "(mode %s over '%s', MAC %s): it is %s over '%s', MAC %s", port_uuid(port), name, mode,
                            lower, port->def->mac, v->kind == HW_VIRTUAL_MACVTAP ? v->mode ?: "?" : "no macvtap",
                            v->lower ?: "?", v->mac);
        return 0;
}

bool engine_plug_records_port(const Network *n, const Port *port) {
        return n->def->mode == FORWARD_MODE_PASSTHROUGH && port->def->host.tap && !port->def->host.vlan_device &&
               !port->vfio_owner.asked;
}

/* A passthru macvtap takes its lower device's MAC, and carries nothing while the lower is down: the lower (the
 * port's own device) gets the port's MAC and is set up, its MAC and state before recorded first — read after the
 * VF settings, which may have changed the VF netdev's MAC (a driver that takes the MAC its PF sets): the release
 * puts back what the VF settings left, and the VF record the rest. This is the port's first record
 * (engine_plug_records_port()): it names the macvtap before it is made. */
static int take_lower(Engine *e, Port *port, const char *lower, EngineError *err) {
        g_autoptr(HwNetdev) nd = NULL;
        int r;

        r = hw_read_netdev(e->hw, lower, HW_NETDEV_MAC | HW_NETDEV_UP, &nd);
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: netdev '%s' cannot be read: %s", port_uuid(port),
                            lower, g_strerror(-r));
        port->lower.saved = nd->mac && mac_normalize(nd->mac, port->lower.mac) >= 0;
        port->lower.up = nd->admin_up;
        r = engine_port_save(e, port, PORT_PHASE_CONFIGURING, err);
        if (r != 0)
                return r;
        r = hw_netdev_set_mac(e->hw, lower, port->def->mac);
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: setting MAC %s on '%s' for the passthru macvtap "
                            "failed: %s", port_uuid(port), port->def->mac, lower, g_strerror(-r));
        r = nd->admin_up ? 0 : hw_netdev_set_up(e->hw, lower, true);
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: setting '%s' up for the passthru macvtap failed: "
                            "%s", port_uuid(port), lower, g_strerror(-r));
        crash_point("allocate-lower");
        return 0;
}

/* The lower device's MAC and state as they were (its VF record, when it is a VF, restores the MAC too). */
static int give_back_lower(Engine *e, const Port *port, EngineError *err) {
        const char *lower = port->def->plug.dev;
        g_autoptr(HwNetdev) nd = NULL;
        int r;

        if (!port->lower.saved || !lower || hw_read_netdev(e->hw, lower, HW_NETDEV_MAC | HW_NETDEV_UP, &nd) < 0)
                return 0;       /* gone (a VF that vanished): nothing to put back */
        r = streq_ptr(nd->mac, port->lower.mac) ? 0 : hw_netdev_set_mac(e->hw, lower, port->lower.mac);
        if (r >= 0 && nd->admin_up != port->lower.up)
                r = hw_netdev_set_up(e->hw, lower, port->lower.up);
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: putting '%s' back (MAC %s, %s) failed: %s",
                            port_uuid(port), lower, port->lower.mac, port->lower.up ? "up" : "down", g_strerror(-r));
        return 0;
}

static int make_macvtap(Engine *e, Network *n, Port *port, EngineError *err) {
        const char *name = port->def->host.tap, *lower = tap_lower(port), *mac = port->def->mac;
        g_autoptr(HwVirtualNetdev) made = NULL;
        int r;

        if (port->def->host.vlan_device) {
                r = ensure_vlan_device(e, port, err);
                if (r != 0)
                        return r;
        }
        if (n->def->mode == FORWARD_MODE_PASSTHROUGH) {
                r = take_lower(e, port, lower, err);
                if (r != 0)
                        return r;
        }
        r = hw_macvtap_create(e->hw, lower, name, macvtap_mode(n), mac, &made);
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: creating macvtap '%s' (mode %s over '%s') failed: "
                            "%s", port_uuid(port), name, macvtap_mode(n), lower,
                            r == -EEXIST ? "a netdev of that name exists" : g_strerror(-r));
        r = check_macvtap(port, made, lower, macvtap_mode(n), err);
        if (r != 0)
                return r;
        crash_point("allocate-macvtap");
        return 0;
}

int engine_plug_open_tap(Engine *e, Port *port, int *ret_fd, EngineError *err) {
        int r = hw_macvtap_open_tap(e->hw, port->def->host.tap, ret_fd);

        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: opening the tap device of macvtap '%s' failed: %s",
                            port_uuid(port), port->def->host.tap, g_strerror(-r));
        return 0;
}

int engine_plug_connect(Engine *e, Network *n, Port *port, const AllocateOptions *o, int *ret_tap_fd,
                        EngineError *err) {
        int r = 0;

        *ret_tap_fd = -1;
        if (engine_plug_binds_vfio(n->def)) {
                r = bind_vfio(e, port, err);
                if (r == 0)
                        r = hand_over_node(e, port, err);
        }
        if (r == 0 && port->def->host.tap)
                r = make_macvtap(e, n, port, err);
        if (r == 0 && o && o->tap_fd)
                r = engine_plug_open_tap(e, port, ret_tap_fd, err);
        if (r != 0) {
                g_auto(EngineError) undo = {};

                if (engine_plug_disconnect(e, port, &undo) != 0)
                        log_warning("port %s: undoing its plug: %s", port_uuid(port), undo.message);
        }
        return r;
}

/* ---- disconnect ---- */

/* The delete itself tells what the netdev is: no read of it before */
static int delete_macvtap(Engine *e, const Port *port, EngineError *err) {
        const char *name = port->def->host.tap;
        int r;

        r = hw_macvtap_delete(e->hw, name);
        if (r == -ENODEV)
                return 0;       /* gone with its lower device (a VF that vanished), or never made */
        if (r == -ENOTSUP) {
                log_warning("port %s: netdev '%s' is not the port's macvtap; left alone", port_uuid(port), name);
                return 0;
        }
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: deleting macvtap '%s' failed: %s", port_uuid(port),
                            name, g_strerror(-r));
        return 0;
}

static bool vlan_device_used_by_other(Engine *e, const Port *port, const char *name) {
        GHashTableIter it;
        gpointer p;

        g_hash_table_iter_init(&it, e->ports);
        while (g_hash_table_iter_next(&it, NULL, &p))
                if (p != port && streq_ptr(((Port *) p)->def->host.vlan_device, name))
                        return true;
        return false;
}

/* A VLAN device netpool made and no port uses any more: deleted, then unmarked. */
static int delete_vlan_device(Engine *e, const Port *port, const char *name, EngineError *err) {
        g_autoptr(HwVirtualNetdev) v = NULL;
        int r;

        if (!store_vlan_device_marked(e->store, name) || vlan_device_used_by_other(e, port, name))
                return 0;
        r = hw_virtual_netdev_read(e->hw, name, &v);
        if (r >= 0 && v->kind == HW_VIRTUAL_VLAN)
                r = hw_virtual_netdev_delete(e->hw, name);
        if (r < 0 && r != -ENODEV)
                return fail(err, ENGINE_ERROR_HARDWARE, "deleting VLAN device '%s' failed: %s", name, g_strerror(-r));
        r = store_unmark_vlan_device(e->store, name);
        if (r < 0)
                return engine_fail_file(e, err, r, "remove", "the mark of a VLAN device netpool made",
                                        STORE_FILE_VLAN_DEVICE, name);
        return 0;
}

static int give_back_node(Engine *e, const Port *port, EngineError *err) {
        const PortNodeOwner *o = &port->vfio_owner;
        const char *node = port->def->host.vfio_group;
        HwNodeOwner orig;
        int r;

        if (!o->saved || !node)
                return 0;
        orig = (HwNodeOwner) { .uid = o->orig_uid, .gid = o->orig_gid, .mode = o->orig_mode };
        r = hw_node_set_owner(e->hw, node, &orig);
        if (r == -ENOENT)
                return 0;       /* the node went with the group's last function on vfio-pci */
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "port %s: giving %s back to uid %u gid %u failed: %s",
                            port_uuid(port), node, (unsigned) orig.uid, (unsigned) orig.gid, g_strerror(-r));
        return 0;
}

/* Keeps the first failure of several steps that are all tried. */
static void keep_first(int r, EngineError *step, int *ret, EngineError *first) {
        if (r == 0 || *ret != 0) {
                if (r != 0)
                        log_warning("%s", step->message);
                return;
        }
        *ret = r;
        *first = *step;
        *step = (EngineError) {};
}

int engine_plug_disconnect(Engine *e, const Port *port, EngineError *err) {
        g_auto(EngineError) first = {};
        int ret = 0;

        if (port->def->host.tap) {
                g_auto(EngineError) step = {};

                keep_first(delete_macvtap(e, port, &step), &step, &ret, &first);
        }
        if (port->def->host.vlan_device) {
                g_auto(EngineError) step = {};

                keep_first(delete_vlan_device(e, port, port->def->host.vlan_device, &step), &step, &ret, &first);
        }
        if (port->lower.saved) {
                g_auto(EngineError) step = {};

                keep_first(give_back_lower(e, port, &step), &step, &ret, &first);
        }
        {
                g_auto(EngineError) step = {};

                keep_first(give_back_node(e, port, &step), &step, &ret, &first);
        }
        if (ret != 0)
                fail(err, ret, "%s", first.message);
        return ret;
}

void engine_plug_sweep(Engine *e) {
        g_autoptr(GPtrArray) marked = store_list_vlan_devices(e->store);

        for (guint i = 0; i < marked->len; i++) {
                g_auto(EngineError) err = {};

                if (delete_vlan_device(e, NULL, marked->pdata[i], &err) != 0)
                        log_warning("%s", err.message);
                else if (!store_vlan_device_marked(e->store, marked->pdata[i]))
                        log_info("VLAN device '%s' that no port uses any more deleted",
                                 (const char *) marked->pdata[i]);
        }
}

/* ---- Notify ---- */

/* A tap the caller says is the port's: a macvtap over the port's lower device that no other port has. */
static int adopt_tap(Engine *e, Port *port, EngineError *err) {
        PortHostPlug *h = &port->def->host;
        g_autoptr(HwVirtualNetdev) v = NULL;
        GHashTableIter it;
        gpointer p;
        int r;

        g_hash_table_iter_init(&it, e->ports);
        while (g_hash_table_iter_next(&it, NULL, &p))
                if (streq_ptr(((Port *) p)->def->host.tap, h->tap))
                        return fail(err, ENGINE_ERROR_DEVICE_BUSY, "macvtap '%s' belongs to port %s", h->tap,
                                    port_uuid(p));
        r = hw_virtual_netdev_read(e->hw, h->tap, &v);
        if (r == -ENODEV) {
                log_notice("port %s: its macvtap '%s' is gone; the port is kept without it", port_uuid(port),
                           h->tap);
                g_clear_pointer(&h->tap, g_free);
                return 0;
        }
        /* the port's own: over its lower device, with its MAC — never another guest's macvtap to delete later */
        if (r < 0 || v->kind != HW_VIRTUAL_MACVTAP || !streq_ptr(v->lower, tap_lower(port)) ||
            !streq(v->mac, port->def->mac))
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "<netpool:plug tap='%s'>: that is no macvtap over "
                            "'%s' with the port's MAC %s", h->tap, tap_lower(port), port->def->mac);
        return 0;
}

/* A VLAN device the caller says is under the port's macvtap: VLAN <port's VLAN> over the plug's PF. */
static int adopt_vlan_device(Engine *e, Port *port, EngineError *err) {
        PortHostPlug *h = &port->def->host;
        g_autoptr(HwVirtualNetdev) v = NULL;
        unsigned vid = port->def->vlan ? g_array_index(port->def->vlan->tags, VlanTag, 0).id : 0;

        if (hw_virtual_netdev_read(e->hw, h->vlan_device, &v) < 0 || v->kind != HW_VIRTUAL_VLAN ||
            !streq_ptr(v->lower, port->def->plug.dev) || v->vlan_id != vid)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "<netpool:plug vlan-device='%s'>: that is no VLAN "
                            "device of VLAN %u over '%s'", h->vlan_device, vid, port->def->plug.dev ?: "?");
        return 0;
}

int engine_plug_adopt(Engine *e, Network *n, const PoolDevice *d, Port *port, EngineError *err) {
        PortHostPlug *h = &port->def->host;
        g_autofree char *tap = g_steal_pointer(&h->tap), *vlan = g_steal_pointer(&h->vlan_device);
        int group;
        int r = 0;

        /* what the hardware says is read again; only the names of what netpool made are taken from the caller */
        port_host_plug_clear(h);
        h->tap = g_steal_pointer(&tap);
        h->vlan_device = g_steal_pointer(&vlan);
        if ((h->tap || h->vlan_device) && !engine_plug_makes_macvtap(n))
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "<netpool:plug>: network '%s' (mode %s) makes no "
                            "macvtap", network_name(n), forward_mode_to_string(n->def->mode));
        if (h->vlan_device)
                r = adopt_vlan_device(e, port, err);
        if (r == 0 && h->tap)
                r = adopt_tap(e, port, err);
        if (r != 0)
                return r;
        if (d && d->vf_index >= 0 && d->pf_netdev) {
                h->pf = g_strdup(d->pf_netdev);
                h->vf_index = d->vf_index;
        }
        if (engine_plug_binds_vfio(n->def) &&
            hw_function_iommu_group(e->hw, &port->def->plug.address, &group) >= 0) {
                h->iommu_group = group;
                h->vfio_group = hw_vfio_group_path(e->hw, group);
                if (hw_function_vfio_device(e->hw, &port->def->plug.address, &h->vfio_device) < 0)
                        h->vfio_device = NULL;
        }
        return 0;
}
