/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the name rules: network names, netdev names, UUIDs, MACs, PCI addresses */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "core/names.h"
#include "core/pci-addr.h"

static void test_network_name(void) {
        g_autofree char *max = g_strnfill(64, 'a');
        g_autofree char *over = g_strnfill(65, 'a');

        g_assert_true(network_name_is_valid("sriov-a"));
        g_assert_true(network_name_is_valid("A.b_c+d-9"));
        g_assert_true(network_name_is_valid("_x"));
        g_assert_true(network_name_is_valid(max));
        g_assert_false(network_name_is_valid(over));
        g_assert_false(network_name_is_valid(""));
        g_assert_false(network_name_is_valid(NULL));
        g_assert_false(network_name_is_valid(".hidden"));
        g_assert_false(network_name_is_valid("-option"));
        g_assert_false(network_name_is_valid("a/b"));
        g_assert_false(network_name_is_valid("a b"));
        g_assert_false(network_name_is_valid("a:b"));
        g_assert_false(network_name_is_valid("caf\xc3\xa9"));
}

static void test_netdev_name(void) {
        g_assert_true(netdev_name_is_valid("eth0"));
        g_assert_true(netdev_name_is_valid("enp3s0f1v12"));
        g_assert_true(netdev_name_is_valid("123456789012345"));         /* 15 bytes */
        g_assert_true(netdev_name_is_valid("-a"));                      /* the kernel allows it */
        g_assert_true(netdev_name_is_valid("..."));
        g_assert_false(netdev_name_is_valid("1234567890123456"));       /* 16 bytes */
        g_assert_false(netdev_name_is_valid(""));
        g_assert_false(netdev_name_is_valid(NULL));
        g_assert_false(netdev_name_is_valid("."));
        g_assert_false(netdev_name_is_valid(".."));
        g_assert_false(netdev_name_is_valid("a/b"));
        g_assert_false(netdev_name_is_valid("a:1"));
        g_assert_false(netdev_name_is_valid("a b"));
        g_assert_false(netdev_name_is_valid("a\tb"));
        g_assert_false(netdev_name_is_valid("a\nb"));
}

static void test_uuid(void) {
        char buf[37];

        g_assert_true(uuid_is_valid("81ff0d90-c91e-6742-64da-4a736edb9a8c"));
        g_assert_true(uuid_is_valid("81FF0D90C91E674264DA4A736EDB9A8C"));
        g_assert_false(uuid_is_valid("81ff0d90-c91e-6742-64da-4a736edb9a8"));
        g_assert_false(uuid_is_valid("81ff0d90c-91e-6742-64da-4a736edb9a8c"));
        g_assert_false(uuid_is_valid("81ff0d90-c91e-6742-64da-4a736edb9a8g"));
        g_assert_false(uuid_is_valid(" 81ff0d90-c91e-6742-64da-4a736edb9a8c"));
        g_assert_false(uuid_is_valid(""));
        g_assert_false(uuid_is_valid(NULL));

        g_assert_cmpint(uuid_normalize("81FF0D90C91E674264DA4A736EDB9A8C", buf), ==, 0);
        g_assert_cmpstr(buf, ==, "81ff0d90-c91e-6742-64da-4a736edb9a8c");
        g_assert_cmpint(uuid_normalize("81FF0D90-C91E-6742-64DA-4A736EDB9A8C", buf), ==, 0);
        g_assert_cmpstr(buf, ==, "81ff0d90-c91e-6742-64da-4a736edb9a8c");
        strcpy(buf, "unchanged");
        g_assert_cmpint(uuid_normalize("nope", buf), ==, -EINVAL);
        g_assert_cmpstr(buf, ==, "unchanged");
}

static void test_uuid_generate(void) {
        char a[37], b[37];

        uuid_generate_string(a);
        uuid_generate_string(b);
        g_assert_true(uuid_is_valid(a));
        g_assert_cmpstr(a, !=, b);
        g_assert_cmpint(a[14], ==, '4');                        /* version 4 */
        g_assert_nonnull(strchr("89ab", a[19]));                /* RFC 4122 variant */
        for (size_t i = 0; i < 36; i++)
                g_assert_false(g_ascii_isupper(a[i]));
}

static void test_mac(void) {
        char buf[18];

        g_assert_cmpint(mac_normalize("52:54:00:AB:cd:0F", buf), ==, 0);
        g_assert_cmpstr(buf, ==, "52:54:00:ab:cd:0f");
        g_assert_cmpint(mac_normalize("2:4:0:a:b:c", buf), ==, 0);
        g_assert_cmpstr(buf, ==, "02:04:00:0a:0b:0c");
        g_assert_cmpint(mac_normalize("52:54:00:ab:cd", buf), ==, -EINVAL);
        g_assert_cmpint(mac_normalize("52:54:00:ab:cd:0f:11", buf), ==, -EINVAL);
        g_assert_cmpint(mac_normalize("52:54:00:ab:cd:123", buf), ==, -EINVAL);
        g_assert_cmpint(mac_normalize("52-54-00-ab-cd-0f", buf), ==, -EINVAL);
        g_assert_cmpint(mac_normalize("52:54:00:ab:cd:0g", buf), ==, -EINVAL);
        g_assert_cmpint(mac_normalize("", buf), ==, -EINVAL);
}

static void test_pci_addr(void) {
        PciAddr a = {}, b;
        char buf[PCI_ADDR_STR_MAX];

        g_assert_cmpint(pci_addr_from_string("0000:03:10.1", &a), ==, 0);
        g_assert_cmpuint(a.domain, ==, 0);
        g_assert_cmpuint(a.bus, ==, 3);
        g_assert_cmpuint(a.slot, ==, 0x10);
        g_assert_cmpuint(a.function, ==, 1);
        g_assert_cmpstr(pci_addr_to_string(&a, buf), ==, "0000:03:10.1");

        g_assert_cmpint(pci_addr_from_string("FFFF:ff:1f.7", &b), ==, 0);
        g_assert_cmpstr(pci_addr_to_string(&b, buf), ==, "ffff:ff:1f.7");
        g_assert_false(pci_addr_equal(&a, &b));
        b = a;
        g_assert_true(pci_addr_equal(&a, &b));

        g_assert_cmpint(pci_addr_from_string("0000:03:20.0", &b), ==, -EINVAL);   /* slot > 0x1f */
        g_assert_cmpint(pci_addr_from_string("0000:03:00.8", &b), ==, -EINVAL);   /* function > 7 */
        g_assert_cmpint(pci_addr_from_string("10000:03:00.0", &b), ==, -EINVAL);
        g_assert_cmpint(pci_addr_from_string("0000:103:00.0", &b), ==, -EINVAL);
        g_assert_cmpint(pci_addr_from_string("03:00.0", &b), ==, -EINVAL);
        g_assert_cmpint(pci_addr_from_string("0000:03:00.1x", &b), ==, -EINVAL);
        g_assert_cmpint(pci_addr_from_string("0000-03:00.1", &b), ==, -EINVAL);
        g_assert_true(pci_addr_equal(&a, &b));          /* failures leave ret alone */

        g_assert_true(pci_addr_is_valid(&(PciAddr) { 0xffff, 0xff, 0x1f, 7 }));
        g_assert_false(pci_addr_is_valid(&(PciAddr) { 0x10000, 0, 0, 0 }));
        g_assert_false(pci_addr_is_valid(&(PciAddr) { 0, 0x100, 0, 0 }));
        g_assert_false(pci_addr_is_valid(&(PciAddr) { 0, 0, 0x20, 0 }));
        g_assert_false(pci_addr_is_valid(&(PciAddr) { 0, 0, 0, 8 }));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/core/names/network", test_network_name);
        g_test_add_func("/core/names/netdev", test_netdev_name);
        g_test_add_func("/core/names/uuid", test_uuid);
        g_test_add_func("/core/names/uuid-generate", test_uuid_generate);
        g_test_add_func("/core/names/mac", test_mac);
        g_test_add_func("/core/names/pci-addr", test_pci_addr);
        return g_test_run();
}
