/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI names: vendor and device names looked up in pci.ids through libpci */
#include <stdlib.h>

#include <glib.h>
#include <pci/pci.h>

#include "hw/hw-pci-names.h"

struct HwPciNames {
        struct pci_access *access;
};

/* libpci calls this only when it cannot allocate memory, and expects it not to return. Declared as libpci
 * declares its pointer (GNU noreturn, which gcc and clang both count in the type; _Noreturn clang does not) */
static void pci_error(char *msg, ...) PCI_NONRET;
static void pci_error(char *msg, ...) {
        abort();
}

/* a missing or unreadable pci.ids only means "no names": nothing to report */
static void pci_quiet(char *msg, ...) {
}

HwPciNames *hw_pci_names_new(void) {
        HwPciNames *names = g_new0(HwPciNames, 1);

        /* Only name lookups, so no pci_init(): that would probe bus access methods we never use.
         * Its callbacks must be set by hand then, or libpci calls through NULL. */
        names->access = pci_alloc();
        names->access->error = pci_error;
        names->access->warning = pci_quiet;
        names->access->debug = pci_quiet;
        return names;
}

HwPciNames *hw_pci_names_free(HwPciNames *names) {
        if (!names)
                return NULL;
        if (names->access)
                pci_cleanup(names->access);
        g_free(names);
        return NULL;
}

/* pci.ids only, never udev's hwdb or DNS: the answer should not depend on the host's extras */
#define LOOKUP_FLAGS (PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB)

/* Newly allocated names, NULL when pci.ids does not know the id (or is missing). */
static char *hw_pci_names_vendor(HwPciNames *names, uint16_t vendor_id) {
        char buf[256];
        const char *s;

        if (!names)
                return NULL;
        s = pci_lookup_name(names->access, buf, sizeof(buf), PCI_LOOKUP_VENDOR | LOOKUP_FLAGS,
                            (int) vendor_id);
        return g_strdup(s);
}

static char *hw_pci_names_device(HwPciNames *names, uint16_t vendor_id, uint16_t device_id) {
        char buf[256];
        const char *s;

        if (!names)
                return NULL;
        s = pci_lookup_name(names->access, buf, sizeof(buf), PCI_LOOKUP_DEVICE | LOOKUP_FLAGS,
                            (int) vendor_id, (int) device_id);
        return g_strdup(s);
}

void hw_pci_names_fill(HwPciNames *names, HwFunction *f) {
        g_free(f->vendor_name);
        g_free(f->device_name);
        f->vendor_name = hw_pci_names_vendor(names, f->vendor_id);
        f->device_name = hw_pci_names_device(names, f->vendor_id, f->device_id);
}
