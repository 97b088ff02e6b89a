/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI vendor and device names from pci.ids through libpci, one lookup context per backend */
#pragma once

#include <glib.h>

#include "core/hwinfo.h"

typedef struct HwPciNames HwPciNames;

HwPciNames *hw_pci_names_new(void);
HwPciNames *hw_pci_names_free(HwPciNames *names);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HwPciNames, hw_pci_names_free);


/* Sets f->vendor_name and f->device_name from f's ids. */
void hw_pci_names_fill(HwPciNames *names, HwFunction *f);
