/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware layer: the host's SR-IOV PFs, for the device inventory (issue 20) */
#pragma once

#include <glib.h>

#include "hw/hw.h"

/* Every PCI function of the host that can have VFs (it has sriov_totalvfs), as PciAddr, sorted. 0 (also when
 * there is none) or -errno when the PCI bus cannot be read. */
int hw_list_sriov_pfs(HwBackend *hw, GArray **ret);
