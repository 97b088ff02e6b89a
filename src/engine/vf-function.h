/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A VF's PCI function handed whole to a guest: bound to vfio-pci for it (managed), reset and given back to its
 * host driver afterwards, with its netdev's name and state as they were */
#pragma once

#include <stdbool.h>

#include "core/vf-record.h"
#include "hw/hw-plug.h"

/* What an agent needs to hand a function bound to vfio-pci to a VMM. */
typedef struct VfioNodes {
        int group;                      /* IOMMU group */
        char *group_path;               /* its node, /dev/vfio/G */
        char *device_path;              /* the VFIO cdev, NULL where the kernel has none */
} VfioNodes;

void vfio_nodes_clear(VfioNodes *v);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VfioNodes, vfio_nodes_clear);

/* Whether the function can be bound to vfio-pci and used: NULL when it can, else why not (g_free). A function
 * of its IOMMU group is fine when in_pool says so, or when it is unbound or on vfio-pci or pci-stub (as the
 * kernel's VFIO viability check). */
typedef bool (*VfioInPool)(const PciAddr *addr, void *data);
char *vf_function_vfio_problem(HwBackend *hw, const PciAddr *addr, VfioInPool in_pool, void *data);

/* Bind the function to vfio-pci and read back what the agent needs. The driver read back must be vfio-pci and
 * the group node must exist. Returns 0, or -errno with *ret_msg saying what failed. */
int vf_function_bind_vfio(HwBackend *hw, const PciAddr *addr, VfioNodes *ret, char **ret_msg);

/* Before a VF's settings are restored from rec: reset the function when rec asks for it and it is not back on
 * its host driver yet (or rec is quarantined), give it back to rec->driver (when netpool bound it elsewhere),
 * and give its netdev the name and up/down state rec has. Idempotent: a function back on its driver is left
 * alone. A VF that is gone is nothing to do (0). Returns 0, or -errno with *ret_msg. A reset that failed, or a
 * VF that still needs one, sets *ret_quarantine (g_free) and does not stop the rest. */
int vf_function_give_back(HwBackend *hw, const VfRecord *rec, char **ret_msg, char **ret_quarantine);
