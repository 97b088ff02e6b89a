/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI names: vendor and device names looked up in pci.ids through libpci */
#include <stdlib.h>

#include <glib.h>
#include <pci/pci.h>

#include "hw/hw-pci-names.h"

/* The names of one (vendor, device) pair; either NULL when pci.ids does not know it */
typedef struct PciNamePair {
        char *vendor, *device;
} PciNamePair;

/* libpci's pci.ids table takes ~2 MB for as long as it is loaded, while a host has a handful of distinct id
 * pairs: the pairs seen are cached, and the table is loaded only for a new pair and dropped right after. */
struct HwPciNames {
        struct pci_access *access;
        GHashTable *pairs;              /* (vendor << 16 | device) -> PciNamePair* */
};

static void pci_name_pair_free(gpointer p) {
        PciNamePair *pair = p;

        g_free(pair->vendor);
        g_free(pair->device);
        g_free(pair);
}

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
        names->pairs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, pci_name_pair_free);
        return names;
}

HwPciNames *hw_pci_names_free(HwPciNames *names) {
        if (!names)
                return NULL;
        if (names->access)
                pci_cleanup(names->access);
        if (names->pairs)
                g_hash_table_destroy(names->pairs);
        g_free(names);
        return NULL;
}

/* pci.ids only, never udev's hwdb or DNS: the answer should not depend on the host's extras */
#define LOOKUP_FLAGS (PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB)

/* Newly allocated names, NULL when pci.ids does not know the id (or is missing). */
static char *hw_pci_names_vendor(HwPciNames *names, uint16_t vendor_id) {
        char buf[256];
        const char *s;

        s = pci_lookup_name(names->access, buf, sizeof(buf), PCI_LOOKUP_VENDOR | LOOKUP_FLAGS,
                            (int) vendor_id);
        return g_strdup(s);
}

static char *hw_pci_names_device(HwPciNames *names, uint16_t vendor_id, uint16_t device_id) {
        char buf[256];
        const char *s;

        s = pci_lookup_name(names->access, buf, sizeof(buf), PCI_LOOKUP_DEVICE | LOOKUP_FLAGS,
                            (int) vendor_id, (int) device_id);
        return g_strdup(s);
}

/* The names of a pair, from the cache, else from pci.ids (loaded for it and dropped again) */
static const PciNamePair *pair_names(HwPciNames *names, uint16_t vendor_id, uint16_t device_id) {
        gpointer key = GUINT_TO_POINTER((guint) vendor_id << 16 | device_id);
        PciNamePair *pair = g_hash_table_lookup(names->pairs, key);

        if (pair)
                return pair;
        pair = g_new0(PciNamePair, 1);
        pair->vendor = hw_pci_names_vendor(names, vendor_id);
        pair->device = hw_pci_names_device(names, vendor_id, device_id);
        pci_free_name_list(names->access);
        g_hash_table_insert(names->pairs, key, pair);
        return pair;
}

void hw_pci_names_fill(HwPciNames *names, HwFunction *f) {
        const PciNamePair *pair = names ? pair_names(names, f->vendor_id, f->device_id) : NULL;

        g_free(f->vendor_name);
        g_free(f->device_name);
        f->vendor_name = pair ? g_strdup(pair->vendor) : NULL;
        f->device_name = pair ? g_strdup(pair->device) : NULL;
}
