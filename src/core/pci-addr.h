/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI addresses: DDDD:BB:SS.F */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct PciAddr {
        uint32_t domain;                /* 0 – 0xffff */
        uint32_t bus;                   /* 0 – 0xff */
        uint32_t slot;                  /* 0 – 0x1f */
        uint32_t function;              /* 0 – 7 */
} PciAddr;

#define PCI_ADDR_STR_MAX sizeof("0000:00:00.0")

/* "DDDD:BB:SS.F" into buf of PCI_ADDR_STR_MAX bytes; returns buf */
char *pci_addr_to_string(const PciAddr *a, char buf[static PCI_ADDR_STR_MAX]);

int pci_addr_from_string(const char *s, PciAddr *ret);
bool pci_addr_equal(const PciAddr *a, const PciAddr *b);
bool pci_addr_is_valid(const PciAddr *a);
