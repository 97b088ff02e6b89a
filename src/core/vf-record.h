/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VF record: a VF's original configuration, saved before netpool changes it, restored at release */
#pragma once

#include <glib.h>

#include "core/hwinfo.h"

/* STATE/vf/<PF netdev>_vf<N>: one file per (PF netdev, VF index), written atomically. */
typedef struct VfRecord {
        char *pf_netdev;                /* the PF netdev the original was read through */
        unsigned vf;
        char *port_uuid;                /* the port the VF was configured for ("" when unknown) */
        VfConfig orig;                  /* admin MAC, VLAN, QoS, VLAN protocol, spoofchk, trust, link state,
                                         * min/max TX rate */
        char *vf_netdev;                /* the VF's own netdev at save time; NULL when it had none */
        char vf_netdev_mac[18];         /* its MAC then; "" when none */
        bool vf_netdev_up;              /* and whether it was up */
        unsigned vf_netdev_mtu;         /* and its MTU; 0 when not recorded */

        /* the PCI function itself, for a VF handed to a guest whole (hostdev, hybrid) */
        bool reset;                     /* reset it before it goes back to the host */
        bool managed;                   /* netpool binds it to vfio-pci, and gives it back to driver */
        char *driver;                   /* with managed: its driver before, NULL when it had none */

        char *quarantine;               /* set when a restore was done but the VF read back differs (or its
                                         * reset failed): why; retried only by Rescan and at start */
} VfRecord;

VfRecord *vf_record_new(const char *pf_netdev, unsigned vf);
VfRecord *vf_record_free(VfRecord *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfRecord, vf_record_free);

char *vf_record_file_name(const char *pf_netdev, unsigned vf);

/* dir is STATE/vf. */
int vf_record_save(const char *dir, const VfRecord *r);
/* The same where the VF has no record yet: -EEXIST when one is there (nothing written; the write tells) */
int vf_record_save_new(const char *dir, const VfRecord *r);
int vf_record_load(const char *dir, const char *pf_netdev, unsigned vf, VfRecord **ret);
int vf_record_parse(const char *text, size_t len, const char *pf_netdev, unsigned vf, VfRecord **ret);
int vf_record_remove(const char *dir, const char *pf_netdev, unsigned vf);
int vf_record_load_all(const char *dir, GPtrArray *records, GPtrArray *notes);
