/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI addresses: the DDDD:BB:SS.F text form and its ranges */
#include <errno.h>
#include <stdio.h>

#include <glib.h>

#include "core/pci-addr.h"

#define PCI_DOMAIN_MAX 0xffffu
#define PCI_BUS_MAX 0xffu
#define PCI_SLOT_MAX 0x1fu
#define PCI_FUNCTION_MAX 0x7u

char *pci_addr_to_string(const PciAddr *a, char buf[static PCI_ADDR_STR_MAX]) {
        snprintf(buf, PCI_ADDR_STR_MAX, "%04x:%02x:%02x.%x",
                 a->domain & PCI_DOMAIN_MAX, a->bus & PCI_BUS_MAX,
                 a->slot & PCI_SLOT_MAX, a->function & PCI_FUNCTION_MAX);
        return buf;
}

/* Up to max_digits hex digits at *p, at least one; advances *p. */
static int read_hex_field(const char **p, size_t max_digits, uint32_t *ret) {
        uint32_t v = 0;
        size_t n = 0;

        while (g_ascii_isxdigit(**p)) {
                if (++n > max_digits)
                        return -EINVAL;
                v = v * 16 + (uint32_t) g_ascii_xdigit_value(**p);
                (*p)++;
        }
        if (n == 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

/**
 * pci_addr_from_string() - parse "DDDD:BB:SS.F" (hex) as sysfs names PCI functions
 *
 * Returns: 0, or -EINVAL when the form or a range is wrong (ret is then left alone).
 */
int pci_addr_from_string(const char *s, PciAddr *ret) {
        PciAddr a;
        const char *p = s;

        if (!s)
                return -EINVAL;
        if (read_hex_field(&p, 4, &a.domain) < 0 || *p++ != ':')
                return -EINVAL;
        if (read_hex_field(&p, 2, &a.bus) < 0 || *p++ != ':')
                return -EINVAL;
        if (read_hex_field(&p, 2, &a.slot) < 0 || *p++ != '.')
                return -EINVAL;
        if (read_hex_field(&p, 1, &a.function) < 0 || *p)
                return -EINVAL;
        if (!pci_addr_is_valid(&a))
                return -EINVAL;
        *ret = a;
        return 0;
}

bool pci_addr_equal(const PciAddr *a, const PciAddr *b) {
        return a->domain == b->domain && a->bus == b->bus &&
               a->slot == b->slot && a->function == b->function;
}

bool pci_addr_is_valid(const PciAddr *a) {
        return a->domain <= PCI_DOMAIN_MAX && a->bus <= PCI_BUS_MAX &&
               a->slot <= PCI_SLOT_MAX && a->function <= PCI_FUNCTION_MAX;
}
