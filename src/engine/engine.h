/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine: the networks of this host and what can be done to them, with no D-Bus in sight.
 * Combines the core (definitions, pools, store) with the hardware layer. The Engine is opaque: callers see
 * it, its networks and its ports only through these functions. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "core/network.h"
#include "core/port.h"
#include "hw/hw.h"

typedef enum EngineEvent {
        ENGINE_EVENT_NETWORK_ADDED,
        ENGINE_EVENT_NETWORK_REMOVED,   /* sent before the Network is freed */
        ENGINE_EVENT_NETWORK_CHANGED,   /* active, persistent, autostart, mode or pool counts changed */
        ENGINE_EVENT_PORT_ADDED,        /* port is set */
        ENGINE_EVENT_PORT_REMOVED,      /* port is set; sent before the Port is freed */
        ENGINE_EVENT_PORT_HEALTH,       /* port is set: its health changed */
        ENGINE_EVENT_PORT_DRIFT_REPAIRED,       /* port is set: its VF had drifted, its settings are back */
        ENGINE_EVENT_PORT_REAPPLIED,    /* port is set: its VF came back, its settings were applied again */
} EngineEvent;

/* What went wrong, in the engine's own terms: each code has one D-Bus name (bus/bus-errors.c). Engine
 * functions return 0 or one of these (> 0) with a message; a negative errno only for a fault of the
 * process itself (out of memory). No errno stands for a domain outcome. */
typedef enum EngineErrorCode {
        ENGINE_OK = 0,
        ENGINE_ERROR_INVALID_XML,
        ENGINE_ERROR_INVALID_ARGUMENT,
        ENGINE_ERROR_NO_SUCH_NETWORK,
        ENGINE_ERROR_NO_SUCH_PORT,
        ENGINE_ERROR_NETWORK_EXISTS,
        ENGINE_ERROR_PORT_EXISTS,
        ENGINE_ERROR_NETWORK_INACTIVE,
        ENGINE_ERROR_NETWORK_ACTIVE,
        ENGINE_ERROR_NETWORK_BUSY,
        ENGINE_ERROR_POOL_EXHAUSTED,
        ENGINE_ERROR_DEVICE_BUSY,
        ENGINE_ERROR_DEVICE_NOT_FOUND,
        ENGINE_ERROR_UNSUPPORTED,
        ENGINE_ERROR_HARDWARE,          /* a driver refused a setting, a PF is down, sysfs unreadable */
        ENGINE_ERROR_IO,                /* a file of netpoold's own could not be written or read */
        ENGINE_ERROR_AGAIN,             /* not finished, nothing half-done: call again after retry_usec
                                         * (a VF still in reset; the next slice of a long Stop) */
        _ENGINE_ERROR_MAX,
} EngineErrorCode;

typedef struct EngineError {
        EngineErrorCode code;
        char *message;                  /* what and why, in words a person can act on */
        uint64_t retry_usec;            /* with ENGINE_ERROR_AGAIN: when to call again (0: at once, after
                                         * other callers were served) */
        bool busy;                      /* with ENGINE_ERROR_AGAIN: the wait is for hardware (counts as a try) */
} EngineError;

void engine_error_clear(EngineError *e);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(EngineError, engine_error_clear);


/* How a call that may have to wait for the hardware behaves: with may_wait it returns ENGINE_ERROR_AGAIN
 * (having undone its changes) when a VF is still in reset; without, that is final. */
typedef struct EngineCall {
        bool may_wait;
} EngineCall;

typedef struct Engine Engine;
/* n is the network concerned (for port events: the port's network, NULL if it is gone); port is NULL for
 * network events. */
typedef void (*EngineObserver)(Engine *e, Network *n, Port *port, EngineEvent event, void *userdata);

/* Takes hw. Loads every definition and live state from the store (problems are logged, not fatal), then
 * re-reads the hardware of every active network: it may have changed while no daemon ran. */
int engine_new(HwBackend *hw, const char *config_dir, const char *state_dir, Engine **ret, EngineError *err);
Engine *engine_free(Engine *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Engine, engine_free);

void engine_set_observer(Engine *e, EngineObserver observer, void *userdata);

/* Starts the autostart networks, once per boot (see store_autostart_pending()). */
void engine_autostart(Engine *e);

/* Networks sorted by name (borrowed). */
GPtrArray *engine_list_networks(Engine *e);
/* By name, then by UUID. */
Network *engine_lookup(Engine *e, const char *name_or_uuid);
/* By name only (object paths carry names). */
Network *engine_lookup_by_name(Engine *e, const char *name);

/* What a network shows: its properties and ListNetworks row. Strings are borrowed from the network. */
typedef struct NetworkInfo {
        const char *name, *uuid, *mode;
        bool active, persistent, autostart;
        unsigned connections, capacity, available;
} NetworkInfo;
void engine_network_info(Engine *e, const Network *n, NetworkInfo *ret);
/* The live view (inactive=false) or the persistent definition as given. */
char *engine_network_xml(Engine *e, const Network *n, bool inactive);

/* One device of an active network's pool, as GetDevices shows it (strings borrowed). */
typedef struct DeviceInfo {
        const char *id, *netdev, *pci_address, *pf_netdev;
        int vf_index;
        const char *state;
        unsigned connections;
        const char *port_uuid;          /* a port that holds it now, "" when none */
} DeviceInfo;
/* Every device of n's pool (DeviceInfo*, owned by the array), in pool order; empty when inactive or
 * without a pool. */
GPtrArray *engine_network_devices(Engine *e, const Network *n);

int engine_define(Engine *e, const char *xml, Network **ret, EngineError *err);
int engine_create(Engine *e, const char *xml, Network **ret, EngineError *err);
int engine_start(Engine *e, Network *n, EngineError *err);
/* A transient network is gone afterwards: n is freed. With force, the ports are released first, a slice
 * at a time: ENGINE_ERROR_AGAIN until all are gone, so that other callers are served meanwhile. */
int engine_stop(Engine *e, Network *n, bool force, const EngineCall *call, EngineError *err);
/* An inactive network is gone afterwards: n is freed. */
int engine_undefine(Engine *e, Network *n, EngineError *err);
int engine_set_autostart(Engine *e, Network *n, bool autostart, EngineError *err);
/* Hot-plug events came and the rescan they call for is due (settling), or done. While devices settle, and for
 * ENGINE_SETTLE_WAIT_USEC after VFs left a pool, an Allocate that finds nothing free waits
 * (ENGINE_ERROR_AGAIN, looked at again every 50 ms): VFs being re-created (a numvfs change, a PF reset) are
 * worth the wait, an agent polling for them is not. */
#define ENGINE_SETTLE_WAIT_USEC (5 * 1000 * 1000)
void engine_set_devices_settling(Engine *e, bool settling);

/* Re-read the hardware of every active network. */
int engine_rescan(Engine *e, EngineError *err);
/* Hot-plug events named these devices (a GHashTable set of PCI addresses of functions and netdev names): re-read
 * only the SR-IOV PFs they concern (a PF, or the PF of a VF) with their VFs, in the pools and the inventory;
 * everything (engine_rescan()) when a name is no SR-IOV function or names is NULL (events were lost). */
int engine_rescan_changed(Engine *e, GHashTable *names, EngineError *err);
/* The Manager's Rescan (and the one at start): also tries the quarantined devices' restores again. */
int engine_rescan_and_retry(Engine *e, EngineError *err);

/* Ports (engine-port.c). Allocate takes a <networkport> without <plug>; Notify one with. */
int engine_allocate(Engine *e, Network *n, const char *xml, const EngineCall *call, Port **ret,
                    EngineError *err);

/* AllocateWithOptions' options (dbus-api.md 1.1); zero-initialized means none. Strings are borrowed. */
typedef struct AllocateOptions {
        const char *device;             /* take exactly this device (PCI address, or netdev of a netdev pool) */
        const char *pf;                 /* a VF of this PF netdev only */
        const char *tap_name;           /* macvtap modes: the macvtap's name */
        bool tap_fd;                    /* macvtap modes: pass an open fd of its tap */
        bool has_vfio_uid, has_vfio_gid;        /* managed hostdev: the group node's owner until Release */
        uint32_t vfio_uid, vfio_gid;
        bool has_owner_pidfd;           /* owner-pidfd (the bus's to watch; the engine keeps the pid) */
        int owner_pidfd;
        uint32_t owner_pid;             /* that process, resolved from the pidfd: released when it exits */
        uint64_t owner_start_time;
        bool has_numa_node;             /* prefer (or, numa_required, only take) a device on this NUMA node */
        int numa_node;
        bool has_numa_policy, numa_required;
        const char *claim;              /* an external claim id: the same claim on the same network while its port
                                         * exists gives that port again (when the request matches it) */
} AllocateOptions;

/* The port of network n that holds claim, or NULL. */
Port *engine_lookup_claim(Engine *e, const Network *n, const char *claim);
/* Allocate with options; *ret_tap_fd is the open tap (the caller owns it) when o->tap_fd, else -1. With a claim
 * another port of n holds, that port (when the request matches it: its UUID if given, MAC, owner, device, pf),
 * else ENGINE_ERROR_PORT_EXISTS. */
int engine_allocate_with(Engine *e, Network *n, const char *xml, const AllocateOptions *o, const EngineCall *call,
                         Port **ret, int *ret_tap_fd, EngineError *err);
int engine_notify(Engine *e, Network *n, const char *xml, Port **ret, EngineError *err);
/* The port is freed. A restore that fails leaves the device restore-failed, retried later; the
 * release itself succeeds. */
int engine_release(Engine *e, Port *port, const EngineCall *call, EngineError *err);
Port *engine_lookup_port(Engine *e, const char *uuid);
/* The port of n (any network when n is NULL) with this UUID, else NULL. */
Port *engine_lookup_port_of(Engine *e, const Network *n, const char *uuid);
/* Ports of n (or all when n is NULL), sorted by UUID (borrowed). */
GPtrArray *engine_list_ports(Engine *e, const Network *n);
/* The ports whose <owner><uuid> is owner_uuid (any case, with or without dashes), sorted by UUID (borrowed;
 * empty for an owner without ports); from an index, not a pass over every port. Not a UUID:
 * ENGINE_ERROR_INVALID_ARGUMENT. */
int engine_list_owner_ports(Engine *e, const char *owner_uuid, GPtrArray **ret, EngineError *err);

/* What a port shows: its properties and ListPorts row (strings borrowed; "" for none). */
typedef struct PortInfo {
        const char *uuid, *network, *owner_name, *owner_uuid, *mac, *plug_type;
        const char *netdev;             /* the netdev the guest's traffic goes through, or "" */
        const char *pf;                 /* the device's PF netdev, or "" */
        const char *claim;              /* its claim id, "" when none */
        int numa_node;                  /* its device's NUMA node, -1 when none or unknown */
        int vf_index, iommu_group;      /* -1 for none */
        const char *vfio_group, *vfio_device, *tap_name;        /* "" for none */
        uint32_t owner_pid;             /* the owner process, 0 when none */
        const char *health;             /* "ok", "lost", "drifted", "restoring" */
        char pci_address[16];           /* DDDD:BB:SS.F of a PCI plug, or "" */
        const char *device;             /* ListPorts' device: the PCI address of a PCI plug, else netdev */
} PortInfo;
void engine_port_info(Engine *e, const Port *port, PortInfo *ret);
char *engine_port_xml(Engine *e, const Port *port);

/* Whether any port exists (netpoold does not exit for idleness then: it watches them). */
bool engine_has_ports(Engine *e);

/* Retry failed VF restores, when one failed since the last pass; returns how many are still pending. */
unsigned engine_retry_restores(Engine *e);
/* Whether a VF restore failed and waits for a retry (no idle exit meanwhile). */
bool engine_restores_pending(Engine *e);

unsigned engine_restores_waiting(Engine *e);
/* Link changes (engine-lease.c): a watch whose fd the daemon polls; when it is readable, engine_links_read()
 * drains it and says whether a check is due; engine_links_check() (a moment later: changes come in bursts)
 * compares the ports touched with their settings and repairs what drifted. */
int engine_watch_links(Engine *e, int *ret_fd);
bool engine_links_read(Engine *e);
void engine_links_check(Engine *e);

/* ---- the host's devices (engine-inventory.c; dbus-api.md 1.1 "Device objects") ---- */

/* The properties of a host device, as bits of a change. */
typedef enum HostDeviceProperty {
        HOST_DEVICE_PF = 1u << 0,
        HOST_DEVICE_PF_ADDRESS = 1u << 1,
        HOST_DEVICE_VF_INDEX = 1u << 2,
        HOST_DEVICE_VENDOR = 1u << 3,
        HOST_DEVICE_PRODUCT = 1u << 4,
        HOST_DEVICE_DRIVER = 1u << 5,
        HOST_DEVICE_NETDEVS = 1u << 6,
        HOST_DEVICE_NUMA_NODE = 1u << 7,
        HOST_DEVICE_PCIE_ROOT = 1u << 8,
        HOST_DEVICE_IOMMU_GROUP = 1u << 9,
        HOST_DEVICE_LINK_TYPE = 1u << 10,
        HOST_DEVICE_ESWITCH_MODE = 1u << 11,
        HOST_DEVICE_STATE = 1u << 12,
        HOST_DEVICE_HOLDER = 1u << 13,
        HOST_DEVICE_PORT = 1u << 14,
        HOST_DEVICE_NETWORKS = 1u << 15,
} HostDeviceProperty;

/* One device of the host as the Device object shows it. Strings borrowed from the engine (valid until the next
 * call into it); "" where a string does not apply. */
typedef struct HostDeviceInfo {
        const char *id, *pci_address;
        const char *pf, *pf_address;            /* "" for a PF, and for a device that is no VF */
        int vf_index;                           /* -1 for none */
        const char *vendor, *product;           /* "0x8086" */
        const char *driver;
        const char *const *netdevs;             /* NULL-terminated */
        int numa_node, iommu_group;             /* -1 for none */
        const char *pcie_root, *link_type, *eswitch_mode;
        const char *state, *holder;
        const char *port_uuid;                  /* the port holding it, "" when none */
        const char *const *networks;            /* active networks whose pool has it, NULL-terminated */
} HostDeviceInfo;

typedef enum EngineDeviceEvent {
        ENGINE_DEVICE_ADDED,
        ENGINE_DEVICE_REMOVED,                  /* sent while it can still be read, just before it goes */
        ENGINE_DEVICE_CHANGED,                  /* changed: the HostDeviceProperty bits */
        ENGINE_DEVICE_GONE,                     /* gone while no netpoold ran: nothing of it to read */
} EngineDeviceEvent;

typedef void (*EngineDeviceObserver)(Engine *e, const char *id, EngineDeviceEvent event, uint32_t changed,
                                     void *userdata);
void engine_set_device_observer(Engine *e, EngineDeviceObserver observer, void *userdata);

/* A device's configuration now, read from the hardware (Device.GetSettings). */
typedef struct DeviceSettings {
        bool has_vf;                            /* a VF, read through its PF: the fields below up to mtu */
        VfConfig vf;
        unsigned mtu;                           /* of its (first) netdev; 0 when it has none */
} DeviceSettings;
int engine_device_settings(Engine *e, const char *id, DeviceSettings *ret);

/* What a netpoold starting next needs to tell its watchers what changed meanwhile: the inventory as text (one
 * line per device: id, state, driver, port, netdevs, holder). */
char *engine_inventory_record(Engine *e);
/* At start: announce to the device observer every difference between a record of the earlier run and the
 * inventory now (devices added, gone, changed), and to the observer every port whose Health is not ok. Lines
 * that do not parse are skipped. */
void engine_inventory_announce_since(Engine *e, const char *record);

/* 0 with *ret, or -ENOENT when the host has no such device. */
int engine_host_device(Engine *e, const char *id, HostDeviceInfo *ret);
/* The ids of every host device, sorted (borrowed strings, the array is the caller's). */
GPtrArray *engine_host_device_ids(Engine *e);

/* The quarantined devices: device key (PCI address, else netdev) -> why. Borrowed. */
GHashTable *engine_quarantined(Engine *e);
