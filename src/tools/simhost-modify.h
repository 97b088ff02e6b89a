/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim host changes a hypervisor or the hardware makes: assign/release, resize, link state, faults */
#pragma once

#include "tools/simhost-spec.h"

/* Every function returns 0 or -errno with a message for the user in *reterr. */

int sim_assign(SimHost *h, const char *bdf, char **reterr);

int sim_release(SimHost *h, const char *bdf, char **reterr);

int sim_set_numvfs(SimHost *h, const char *pf_bdf, const char *count, char **reterr);

/* operstate of a netdev: "up" or "down" */
int sim_set_link(SimHost *h, const char *ifname, const char *state, char **reterr);

/* Appends a fault line "OP ERRNO [COUNT]" to R/vfstate/<PF>/vf<N>/fail; clear removes the file. */
int sim_add_fail(SimHost *h, const char *pf_bdf, const char *vf, const char *line, char **reterr);
int sim_clear_fail(SimHost *h, const char *pf_bdf, const char *vf, char **reterr);

/* Plugs in another PF (a --pf description), or unplugs one. */
int sim_add_pf(SimHost *h, const char *spec, char **reterr);
int sim_unplug_pf(SimHost *h, const char *pf_bdf, char **reterr);

/* R/vfstate/<PF>/vf<N>/dirty: only a function reset clears the VF */
int sim_set_dirty(SimHost *h, const char *pf_bdf, const char *vf, char **reterr);

/* "BDF,BDF,…" into one IOMMU group (the first one's) */
int sim_share_group(SimHost *h, const char *list, char **reterr);

/* A plain PCI function (no SR-IOV): "bdf=…,driver=…,vendor=…,device=…,class=…,name=…,group=BDF,iommu=,reset=" */
int sim_add_function(SimHost *h, const char *spec, char **reterr);

/* netpool's extensions of the layout (docs/simhost.md), for Device attributes:
 * numa_node of one function (N or "none" = -1); a PF's eswitch_mode ("legacy", "switchdev"; "none" removes it);
 * net/<if>/type of a function's netdev ("ethernet" 1, "infiniband" 32); net/<if>/addresses, one a line, from
 * a comma-separated list ("" or "none" removes the file). */
int sim_set_numa_node(SimHost *h, const char *bdf, const char *node, char **reterr);
int sim_set_eswitch_mode(SimHost *h, const char *pf_bdf, const char *mode, char **reterr);
int sim_set_link_type(SimHost *h, const char *ifname, const char *type, char **reterr);
int sim_set_addresses(SimHost *h, const char *ifname, const char *list, char **reterr);
