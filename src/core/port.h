/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port: an allocation of a pool device to a guest, and its record on disk */
#pragma once

#include <stdint.h>

#include <glib.h>

#include "core/portdef.h"

typedef enum PortPhase {
        PORT_PHASE_CONFIGURING,         /* recorded, hardware being changed: rolled back after a crash */
        PORT_PHASE_ACTIVE,              /* handed out */
        PORT_PHASE_RELEASING,           /* being released: finished after a crash */
        _PORT_PHASE_MAX,
        _PORT_PHASE_INVALID = -EINVAL,
} PortPhase;

/* What the port's device is like now, as the Port's Health property says (dbus-api.md 1.1). Not recorded: a
 * restart looks at the hardware again. */
typedef enum PortHealth {
        PORT_HEALTH_OK,
        PORT_HEALTH_LOST,               /* its device vanished */
        PORT_HEALTH_DRIFTED,            /* its VF's configuration was changed outside netpool, not repaired yet */
        PORT_HEALTH_RESTORING,          /* being released */
        _PORT_HEALTH_MAX,
} PortHealth;

const char *port_health_to_string(PortHealth h);

/* A VF the port configured, as vf-config addresses it. */
typedef struct PortVf {
        char *pf_netdev;
        char *alt_pf_netdev;            /* NULL unless the PF has a second netdev */
        unsigned vf;
        char *vf_netdev;                /* NULL when none */
        unsigned netdev_port;           /* 1 or 2 when configured by <netdev port='N'>, else 0 */
} PortVf;

/* The VFIO group node handed to a uid/gid for the port (AllocateWithOptions' vfio-uid, vfio-gid), and
 * the owner it had, put back at release. */
typedef struct PortNodeOwner {
        bool asked;                     /* a uid or gid was asked for */
        uint32_t uid, gid;              /* what the node gets */
        bool saved;                     /* orig_* hold the owner before the change: recorded before it */
        uint32_t orig_uid, orig_gid, orig_mode;
} PortNodeOwner;

/* A passthrough port's lower netdev as it was before netpool set it up with the port's MAC (a passthru macvtap
 * takes its lower's MAC), put back at release. */
typedef struct PortLowerState {
        bool saved;
        char mac[18];
        bool up;
} PortLowerState;

/* The process that uses the port (AllocateWithOptions' owner-pidfd): when it exits, the port is released. Its
 * start time (clock ticks since boot, /proc/PID/stat) tells it from a later process with the same pid. */
typedef struct PortOwnerProcess {
        uint32_t pid;                   /* 0: none */
        uint64_t start_time;
} PortOwnerProcess;

typedef struct Port {
        PortDef *def;                   /* as returned to the caller: uuid and plug filled in */
        char *network;                  /* the network's name */
        char *device;                   /* the pool device's id */
        PortPhase phase;
        GPtrArray *vfs;                 /* PortVf*: VFs configured for it (one, or one per port of a
                                         * dual-port VF); never NULL */
        PortNodeOwner vfio_owner;
        PortLowerState lower;
        PortOwnerProcess owner_process;
        char *claim;                    /* AllocateWithOptions' claim id (printable ASCII), NULL when none */
        PortHealth health;
} Port;

Port *port_new(PortDef *def, const char *network, const char *device);    /* takes def */
Port *port_free(Port *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Port, port_free);

const char *port_uuid(const Port *p);
/* A claim id as AllocateWithOptions takes it: 1–255 printable ASCII characters. */
bool port_claim_is_valid(const char *claim);
PortVf *port_add_vf(Port *p, const char *pf_netdev, const char *alt_pf_netdev, unsigned vf, const char *vf_netdev);

/* STATE/ports/<uuid>.xml: <portstatus network= device= phase=> with <vf/> lines and the <networkport>. */
char *port_record_format(const Port *p);
int port_record_parse(const char *text, Port **ret, char **ret_msg);
