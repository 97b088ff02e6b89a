/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI vendor and device names from pci.ids through libpci, one lookup context per backend */
#pragma once

#include <glib.h>

#include "core/hwinfo.h"

typedef struct HwPciNames HwPciNames;

HwPciNames *hw_pci_names_new(void);
HwPciNames *hw_pci_names_free(HwPciNames *names);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HwPciNames, hw_pci_names_free);

/* Newly allocated names, NULL when pci.ids does not know the id (or is missing). */
char *hw_pci_names_vendor(HwPciNames *names, uint16_t vendor_id);
char *hw_pci_names_device(HwPciNames *names, uint16_t vendor_id, uint16_t device_id);

/* Sets f->vendor_name and f->device_name from f's ids. */
void hw_pci_names_fill(HwPciNames *names, HwFunction *f);
