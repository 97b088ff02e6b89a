/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validation of the names netpool accepts: network names, netdev names, UUIDs, MACs, VLAN ids */
#pragma once

#include <stdbool.h>

/* The highest VLAN id: 802.1Q has 12 bits; the top value is reserved, yet libvirt and the kernel take it */
#define VLAN_ID_MAX 4095                /* a plain number: messages G_STRINGIFY() it */

bool network_name_is_valid(const char *s);
bool netdev_name_is_valid(const char *s);
/* A kernel driver name as sysfs shows it ("vfio-pci", "mlx4_core"): 1–64 of [A-Za-z0-9_-]. */
bool driver_name_is_valid(const char *s);
/* 8-4-4-4-12 hex digits; libvirt also accepts 32 hex digits without dashes */
bool uuid_is_valid(const char *s);

int uuid_normalize(const char *s, char buf[static 37]);
/* A random (version 4) UUID into buf[37]. */
void uuid_generate_string(char buf[static 37]);

int mac_normalize(const char *s, char buf[static 18]);
/* Whether mac_normalize() takes s. */
bool mac_is_valid(const char *s);
/* On a valid MAC: every octet is zero. false on an invalid one. */
bool mac_is_zero(const char *s);
/* On a valid MAC: the group bit (lowest bit of the first octet) is set. false on an invalid one. */
bool mac_is_multicast(const char *s);
/* A VLAN id as a command line or an XML attribute gives it: decimal digits only (no sign, blanks or
 * 0x), 0–VLAN_ID_MAX. Returns 0, or -EINVAL (*ret is then left alone). */
int vlan_id_parse(const char *s, unsigned *ret);
