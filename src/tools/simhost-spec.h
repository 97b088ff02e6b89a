/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim host descriptions: NIC models, PF specs ("name=eth0,bdf=…,model=x710,vfs=8") and the host record */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "core/pci-addr.h"

#define SIMHOST_MAX_PORTS 2
/* the kernel's MAX_NUMNODES at its largest (CONFIG_NODES_SHIFT 10) */
#define SIMHOST_NUMA_NODE_MAX 1023

/* What a VF index is within its PF (bits of PfSpec.vf_flags). */
typedef enum SimVfFlag {
        SIM_VF_PORT2 = 1 << 0,          /* single-port VF on port 2 of a dual-port PF */
        SIM_VF_DUAL = 1 << 1,           /* dual-port mode: one netdev per port */
        SIM_VF_NONETDEV = 1 << 2,       /* no netdev */
        SIM_VF_GAP = 1 << 3,            /* absent altogether: no function, no virtfn link */
        SIM_VF_NOIOMMU = 1 << 4,        /* no iommu_group link (VFIO cannot take it) */
        SIM_VF_NORESET = 1 << 5,        /* no reset file (no FLR) */
} SimVfFlag;

typedef struct PfSpec {
        char *name[SIMHOST_MAX_PORTS];  /* PF netdev per port; name[1] only when ports == 2 */
        char *vf_prefix[SIMHOST_MAX_PORTS];     /* VF netdev names: prefix + "v" + index */
        PciAddr addr;
        char *model;                    /* "x710", "cx3", "sfc" or "custom" */
        uint16_t vendor_id, device_id, vf_vendor_id, vf_device_id;
        char *driver;                   /* NULL: PF unbound */
        char *vf_driver;                /* NULL: VFs unbound */
        unsigned ports;                 /* netdevs of the PF function: 1 or 2 (0: none) */
        bool vf_netdevs;                /* do VFs get netdevs at all */
        bool phys_port_id;              /* do netdevs carry a phys_port_id */
        bool down;                      /* PF netdevs start with operstate "down" */
        bool iommu;                     /* the PF and its VFs have IOMMU groups (each function its own) */
        bool reset;                     /* the PF and its VFs have a reset file */
        unsigned speed;                 /* PF netdevs' link speed, Mbit/s */
        int numa_node;                  /* numa_node of the PF and its VFs; -1: the kernel's "none" */
        unsigned num_vfs, total_vfs;
        unsigned vf_offset, vf_stride;  /* routing-ID offset of VF 0 and between VFs */
        uint8_t *vf_flags;              /* SimVfFlag per index, total_vfs entries */
} PfSpec;

PfSpec *pf_spec_free(PfSpec *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PfSpec, pf_spec_free);

int pf_spec_parse(const char *text, PfSpec **ret, char **reterr_message);

/* The canonical description, which pf_spec_parse() reads back into the same spec. */
char *pf_spec_to_string(const PfSpec *s);

/* The address of VF index i, or -ERANGE when it would fall off the end of the bus range. */
int pf_spec_vf_addr(const PfSpec *s, unsigned i, PciAddr *ret);

/* The phys_port_id of the PF's port (1-based): a hex string unique in the host. */
char *pf_spec_port_id(const PfSpec *s, unsigned port);

/* "x710" → "X710-like" etc, for the summary */
const char *pf_spec_model_description(const PfSpec *s);


/* The whole host: its PFs and the counters that keep ifindexes and MACs unique. Saved in
 * R/.simhost/host.ini (simhost-host.c) so later runs can modify the host (resize a PF, add one). */
typedef struct SimHost {
        char *root;
        GPtrArray *pfs;                 /* PfSpec* */
        unsigned next_ifindex;
        unsigned next_mac;
        unsigned next_group;            /* IOMMU group numbers, unique in the host */
        bool ifindex_checked;           /* next_ifindex was raised past every ifindex in the tree */
} SimHost;

SimHost *sim_host_new(const char *root);
SimHost *sim_host_free(SimHost *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimHost, sim_host_free);

PfSpec *sim_host_find_pf(SimHost *h, const PciAddr *addr);
int sim_host_load(const char *root, SimHost **ret, char **reterr_message);
int sim_host_save(const SimHost *h);
char *sim_host_record_dir(const char *root);    /* R/.simhost */
