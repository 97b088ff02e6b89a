/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plug's kernel checks (kernel-plug-test.c), shared by the netdevsim and igb cases of test-hw-linux-kernel */
#pragma once

#include "core/pci-addr.h"
#include "hw/hw.h"

void plug_check_macvtap(HwBackend *hw, const char *lower, const char *name, const char *mode, const char *mac);
void plug_check_refusals(HwBackend *hw, const char *lower, const char *not_virtual);
void plug_check_vlan_bridge(HwBackend *hw, const char *pf, unsigned vlan_id);
void plug_check_rename(HwBackend *hw, const char *name, const char *taken);
void plug_vf_addr(const char *pf, unsigned index, PciAddr *ret);
char *plug_vf_netdev(const char *pf, unsigned index);
void plug_check_vfio_round_trip(HwBackend *hw, const PciAddr *vf);
void plug_check_host_driver_default(HwBackend *hw, const PciAddr *vf);
