/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of netpoolctl inventory: the order and listing of Device objects and their ResourceSlices
 * (--format=dra), on constructed property sets as the Device objects of dbus-api.md 1.1 carry them.
 *
 * With "--emit VFS yaml|json API-VERSION" it prints instead the slices of a constructed host with VFS VFs,
 * for check-resourceslice.py, which holds them against the Kubernetes API reference. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "ctl/netpoolctl-device.h"
#include "ctl/netpoolctl-dra.h"

#define NET_K8S  "/org/netpool1/network/k8s"
#define NET_VMS  "/org/netpool1/network/vms"

static CtlDevice *make_pf(const char *address, const char *netdev, int numa_node) {
        CtlDevice *d = ctl_device_new();

        g_free(d->id);
        d->id = g_strdup(address);
        g_free(d->pci_address);
        d->pci_address = g_strdup(address);
        g_free(d->vendor);
        d->vendor = g_strdup("0x8086");
        g_free(d->product);
        d->product = g_strdup("0x1572");
        g_free(d->driver);
        d->driver = g_strdup("i40e");
        g_strfreev(d->netdevs);
        d->netdevs = g_strsplit(netdev, ",", -1);
        d->numa_node = numa_node;
        g_free(d->pcie_root);
        d->pcie_root = g_strdup_printf("pci0000:%s", numa_node > 0 ? "80" : "00");
        d->iommu_group = 10;
        g_free(d->link_type);
        d->link_type = g_strdup("ethernet");
        g_free(d->eswitch_mode);
        d->eswitch_mode = g_strdup("legacy");
        g_free(d->state);
        d->state = g_strdup("free");
        return d;
}

/* A VF of pf at PCI function 0000:BB:02.F, its netdev gone to vfio-pci unless in use by a netdev */
static CtlDevice *make_vf(const CtlDevice *pf, int index, const char *state, const char *network) {
        CtlDevice *d = ctl_device_new();
        g_autofree char *bus = g_strndup(pf->pci_address, 7);   /* "0000:03" */

        g_free(d->id);
        d->id = g_strdup_printf("%s:%02x.%x", bus, 2 + index / 8, index % 8);
        g_free(d->pci_address);
        d->pci_address = g_strdup(d->id);
        g_free(d->pf);
        d->pf = g_strdup(pf->netdevs[0]);
        g_free(d->pf_address);
        d->pf_address = g_strdup(pf->pci_address);
        d->vf_index = index;
        g_free(d->vendor);
        d->vendor = g_strdup("0x8086");
        g_free(d->product);
        d->product = g_strdup("0x154c");
        g_free(d->driver);
        d->driver = g_strdup("vfio-pci");
        d->numa_node = pf->numa_node;
        g_free(d->pcie_root);
        d->pcie_root = g_strdup(pf->pcie_root);
        d->iommu_group = 100 + index;
        g_free(d->link_type);
        d->link_type = g_strdup("ethernet");
        g_free(d->state);
        d->state = g_strdup(state);
        if (g_str_equal(state, "in-use")) {
                /* held for a scheduler's claim: what --format=dra keeps publishing */
                g_free(d->port_claim);
                d->port_claim = g_strdup_printf("claim-%d", index);
        }
        if (network) {
                g_strfreev(d->networks);
                d->networks = g_strsplit(network, ",", -1);
        }
        return d;
}

static GPtrArray *inventory_new(void) {
        return g_ptr_array_new_with_free_func((GDestroyNotify) ctl_device_free);
}

/* An inventory of one PF, 0000:03:00.0 (ens1f0) on NUMA node 0, for the VFs a test adds */
static GPtrArray *pf_inventory(CtlDevice **ret_pf) {
        GPtrArray *inventory = inventory_new();

        *ret_pf = make_pf("0000:03:00.0", "ens1f0", 0);
        g_ptr_array_add(inventory, *ret_pf);
        return inventory;
}

/* A host with n_vfs VFs that go into slices, 64 per PF, PFs alternating between NUMA node -1 and 1,
 * plus one VF taken outside netpool and one NIC without SR-IOV: neither goes into a slice. */
static GPtrArray *host_inventory(unsigned n_vfs) {
        GPtrArray *inventory = inventory_new();
        unsigned n_pfs = MAX(1u, (n_vfs + 63) / 64);

        for (unsigned p = 0; p < n_pfs; p++) {
                g_autofree char *address = g_strdup_printf("0000:%02x:00.0", 0x10 + p);
                g_autofree char *netdev = g_strdup_printf("ens%uf0", p);
                CtlDevice *pf = make_pf(address, netdev, p % 2 ? 1 : -1);

                g_ptr_array_add(inventory, pf);
                for (unsigned i = p * 64; i < MIN(n_vfs, (p + 1) * 64); i++)
                        g_ptr_array_add(inventory, make_vf(pf, (int) (i - p * 64), i % 3 ? "free" : "in-use",
                                                           NET_K8S));
        }
        g_ptr_array_add(inventory, make_vf(inventory->pdata[0], 100, "unavailable", NULL));
        {
                CtlDevice *nic = ctl_device_new();

                g_free(nic->id);
                nic->id = g_strdup("eth9");
                g_free(nic->state);
                nic->state = g_strdup("free");
                g_ptr_array_add(inventory, nic);
        }
        ctl_device_inventory_sort(inventory);
        return inventory;
}

static DraOptions default_options(void) {
        return (DraOptions) {
                .api_version = DRA_API_VERSION_DEFAULT,
                .driver = DRA_DRIVER_DEFAULT,
                .node_name = "node-1",
                .generation = 1,
        };
}

static char *format_or_fail(const DraOptions *o, GPtrArray *inventory) {
        g_autofree char *message = NULL;
        char *text = NULL;

        g_assert_cmpint(dra_format(o, inventory, &text, &message), ==, 0);
        g_assert_null(message);
        return text;
}

static void test_names(void) {
        g_assert_true(dra_is_dns_label("0000-03-02-0", 63));
        g_assert_false(dra_is_dns_label("0000:03:02.0", 63));
        g_assert_false(dra_is_dns_label("-a", 63));
        g_assert_false(dra_is_dns_label("a-", 63));
        g_assert_false(dra_is_dns_label("A", 63));
        g_assert_false(dra_is_dns_label("", 63));
        g_assert_true(dra_is_dns_label("a234567890123456789012345678901234567890123456789012345678901234" + 1, 63));
        g_assert_false(dra_is_dns_label("a234567890123456789012345678901234567890123456789012345678901234", 63));

        g_assert_true(dra_is_dns_subdomain("netpool.io", 63));
        g_assert_false(dra_is_dns_subdomain("netpool..io", 63));
        g_assert_false(dra_is_dns_subdomain("netpool.io.", 63));
        g_assert_false(dra_is_dns_subdomain("Netpool.io", 63));
        g_assert_false(dra_is_dns_subdomain("a.b", 2));

        g_assert_true(dra_is_pool_name("node-1"));
        g_assert_true(dra_is_pool_name("rack-a/node-1"));
        g_assert_false(dra_is_pool_name("node-1/"));
        g_assert_false(dra_is_pool_name("/node-1"));

        g_assert_true(dra_is_qualified_name("vfID"));
        g_assert_true(dra_is_qualified_name(DRA_SRIOV_DOMAIN "/pfPciAddress"));
        g_assert_false(dra_is_qualified_name("a.b/"));
        g_assert_false(dra_is_qualified_name("a.b/1x"));
        g_assert_false(dra_is_qualified_name("a.b/x-y"));
        g_assert_false(dra_is_qualified_name("a.b/abcdefghijabcdefghijabcdefghijabc"));      /* 33 */
        g_assert_true(dra_is_qualified_name("a.b/abcdefghijabcdefghijabcdefghijab"));        /* 32 */
}

static void test_device_name(void) {
        g_autofree char *name = dra_device_name("0000:03:02.0");
        g_autofree char *upper = dra_device_name("0000:AF:1F.7");
        g_autofree char *bad = dra_device_name(":03");

        g_assert_cmpstr(name, ==, "0000-03-02-0");
        g_assert_cmpstr(upper, ==, "0000-af-1f-7");
        g_assert_null(bad);
}

static void test_node_name(void) {
        g_autofree char *lower = dra_node_name_from_hostname("Worker-7.Example.COM");
        g_autofree char *bad = dra_node_name_from_hostname("my_host");

        g_assert_cmpstr(lower, ==, "worker-7.example.com");
        g_assert_null(bad);
}

static void test_yaml_scalar(void) {
        struct {
                const char *in, *out;
        } cases[] = {
                { "ethernet", "ethernet" },
                { "netpool.io/iommuGroup", "netpool.io/iommuGroup" },
                { "0000:03:02.0", "\"0000:03:02.0\"" },
                { "0000-03-02-0", "\"0000-03-02-0\"" },        /* digits: a number or a date to YAML */
                { "8086", "\"8086\"" },
                { "yes", "\"yes\"" },
                { "Off", "\"Off\"" },
                { "null", "\"null\"" },
                { "", "\"\"" },
                { "a b", "\"a b\"" },
                { "a: b", "\"a: b\"" },
                { "say \"x\"\\", "\"say \\\"x\\\"\\\\\"" },
                { "tab\there", "\"tab\\u0009here\"" },
                { "caf\xc3\xa9", "\"caf\\u00e9\"" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *got = dra_yaml_scalar(cases[i].in);

                g_assert_cmpstr(got, ==, cases[i].out);
        }
}

static void test_sort(void) {
        g_autoptr(GPtrArray) inventory = inventory_new();
        CtlDevice *pf_b = make_pf("0000:81:00.0", "ens2f0", 1), *pf_a = make_pf("0000:03:00.0", "ens1f0", 0);

        /* in the daemon's order, which is any order */
        g_ptr_array_add(inventory, make_vf(pf_b, 10, "free", NULL));
        g_ptr_array_add(inventory, make_vf(pf_a, 1, "free", NULL));
        g_ptr_array_add(inventory, pf_b);
        g_ptr_array_add(inventory, make_vf(pf_a, 0, "free", NULL));
        g_ptr_array_add(inventory, make_vf(pf_b, 2, "free", NULL));
        g_ptr_array_add(inventory, pf_a);
        ctl_device_inventory_sort(inventory);

        g_assert_true(inventory->pdata[0] == pf_a);
        g_assert_cmpint(((CtlDevice *) inventory->pdata[1])->vf_index, ==, 0);
        g_assert_cmpint(((CtlDevice *) inventory->pdata[2])->vf_index, ==, 1);
        g_assert_true(inventory->pdata[3] == pf_b);
        g_assert_cmpint(((CtlDevice *) inventory->pdata[4])->vf_index, ==, 2);
        g_assert_cmpint(((CtlDevice *) inventory->pdata[5])->vf_index, ==, 10);
}

static void test_inventory_text(void) {
        CtlDevice *pf, *vf;
        g_autoptr(GPtrArray) inventory = pf_inventory(&pf);
        g_autofree char *text = NULL;

        vf = make_vf(pf, 0, "in-use", NET_K8S ",/org/netpool1/network/_2dweird");
        g_free(vf->port);
        vf->port = g_strdup("/org/netpool1/port/_30d4f3c1e_2d5b7a_2d4c2e_2d9f10_2daa55aa55aa55");
        g_ptr_array_add(inventory, vf);
        vf = make_vf(pf, 1, "unavailable", NULL);
        g_free(vf->holder);
        vf->holder = g_strdup("netdev in another network namespace");
        vf->numa_node = -1;
        g_ptr_array_add(inventory, vf);
        text = ctl_device_inventory_format_text(inventory);
        g_assert_cmpstr(text, ==,
                "DEVICE          NETDEV  VF  ID         DRIVER    NUMA  PCIE-ROOT   IOMMU  LINK      ESWITCH  "
                "STATE        PORT                                  NETWORKS    HOLDER\n"
                "0000:03:00.0    ens1f0   -  8086:1572  i40e         0  pci0000:00     10  ethernet  legacy   "
                "free         -                                     -           -\n"
                "  0000:03:02.0  -        0  8086:154c  vfio-pci     0  pci0000:00    100  ethernet  -        "
                "in-use       0d4f3c1e-5b7a-4c2e-9f10-aa55aa55aa55  k8s,-weird  -\n"
                "  0000:03:02.1  -        1  8086:154c  vfio-pci     -  pci0000:00    101  ethernet  -        "
                "unavailable  -                                     -           netdev in another network namespace\n");
}

static void test_inventory_json(void) {
        CtlDevice *pf;
        g_autoptr(GPtrArray) inventory = pf_inventory(&pf);
        g_autofree char *json = NULL;

        g_ptr_array_add(inventory, make_vf(pf, 0, "free", NET_K8S));
        json = ctl_device_inventory_format_json(inventory);
        g_assert_nonnull(strstr(json,
                "  {\n"
                "    \"id\": \"0000:03:02.0\",\n"
                "    \"pci_address\": \"0000:03:02.0\",\n"
                "    \"pf\": \"ens1f0\",\n"
                "    \"vf_index\": 0,\n"
                "    \"state\": \"free\",\n"
                "    \"port_uuid\": null,\n"
                "    \"pf_address\": \"0000:03:00.0\",\n"
                "    \"vendor\": \"0x8086\",\n"
                "    \"product\": \"0x154c\",\n"
                "    \"driver\": \"vfio-pci\",\n"
                "    \"netdevs\": [],\n"
                "    \"numa_node\": 0,\n"
                "    \"pcie_root\": \"pci0000:00\",\n"
                "    \"iommu_group\": 100,\n"
                "    \"link_type\": \"ethernet\",\n"
                "    \"eswitch_mode\": \"\",\n"
                "    \"holder\": \"\",\n"
                "    \"networks\": [\n"
                "      \"k8s\"\n"
                "    ],\n"
                "    \"object\": \"\"\n"
                "  }\n"));
        /* the PF: no VF index, its netdev listed */
        g_assert_nonnull(strstr(json, "\"vf_index\": null,\n"));
        g_assert_nonnull(strstr(json, "\"netdevs\": [\n      \"ens1f0\"\n    ],\n"));
}

/* The whole slice of a small host, as a reader checks it by eye against the API reference */
static void test_dra_yaml(void) {
        CtlDevice *pf, *vf;
        g_autoptr(GPtrArray) inventory = pf_inventory(&pf);
        DraOptions o = default_options();
        g_autofree char *yaml = NULL;

        g_ptr_array_add(inventory, make_vf(pf, 0, "in-use", NULL));
        vf = make_vf(pf, 1, "free", NULL);
        vf->numa_node = -1;
        vf->iommu_group = -1;
        g_free(vf->pcie_root);
        vf->pcie_root = g_strdup("");
        g_ptr_array_add(inventory, vf);
        g_ptr_array_add(inventory, make_vf(pf, 2, "quarantined", NULL));
        yaml = format_or_fail(&o, inventory);
        g_assert_cmpstr(yaml, ==,
                "---\n"
                "apiVersion: resource.k8s.io/v1\n"
                "kind: ResourceSlice\n"
                "metadata:\n"
                "  name: node-1-netpool.io-0\n"
                "spec:\n"
                "  driver: netpool.io\n"
                "  nodeName: node-1\n"
                "  pool:\n"
                "    name: node-1\n"
                "    generation: 1\n"
                "    resourceSliceCount: 1\n"
                "  devices:\n"
                "  - name: \"0000-03-02-0\"\n"
                "    attributes:\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/pciAddress:\n"
                "        string: \"0000:03:02.0\"\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/pfPciAddress:\n"
                "        string: \"0000:03:00.0\"\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/PFName:\n"
                "        string: ens1f0\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/vfID:\n"
                "        int: 0\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/vendor:\n"
                "        string: \"8086\"\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/deviceID:\n"
                "        string: \"154c\"\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/pfDeviceID:\n"
                "        string: \"1572\"\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/EswitchMode:\n"
                "        string: legacy\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/linkType:\n"
                "        string: ethernet\n"
                "      k8s.cni.cncf.io/deviceID:\n"
                "        string: \"0000:03:02.0\"\n"
                "      dra.net/numaNode:\n"
                "        int: 0\n"
                "      resource.kubernetes.io/numaNode:\n"
                "        int: 0\n"
                "      resource.kubernetes.io/pciBusID:\n"
                "        string: \"0000:03:02.0\"\n"
                "      resource.kubernetes.io/pcieRoot:\n"
                "        string: \"pci0000:00\"\n"
                "      netpool.io/iommuGroup:\n"
                "        int: 100\n"
                "  - name: \"0000-03-02-1\"\n"
                "    attributes:\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/pciAddress:\n"
                "        string: \"0000:03:02.1\"\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/pfPciAddress:\n"
                "        string: \"0000:03:00.0\"\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/PFName:\n"
                "        string: ens1f0\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/vfID:\n"
                "        int: 1\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/vendor:\n"
                "        string: \"8086\"\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/deviceID:\n"
                "        string: \"154c\"\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/pfDeviceID:\n"
                "        string: \"1572\"\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/EswitchMode:\n"
                "        string: legacy\n"
                "      sriovnetwork.k8snetworkplumbingwg.io/linkType:\n"
                "        string: ethernet\n"
                "      k8s.cni.cncf.io/deviceID:\n"
                "        string: \"0000:03:02.1\"\n"
                "      dra.net/numaNode:\n"
                "        int: -1\n"
                "      resource.kubernetes.io/pciBusID:\n"
                "        string: \"0000:03:02.1\"\n");
}

static void test_dra_v1beta1_basic(void) {
        g_autoptr(GPtrArray) inventory = host_inventory(1);
        DraOptions o = default_options();
        g_autofree char *yaml = NULL;

        o.api_version = "v1beta1";
        yaml = format_or_fail(&o, inventory);
        g_assert_true(g_str_has_prefix(yaml, "---\napiVersion: resource.k8s.io/v1beta1\n"));
        g_assert_nonnull(strstr(yaml, "  - name: \"0000-10-02-0\"\n"
                                      "    basic:\n"
                                      "      attributes:\n"
                                      "        sriovnetwork.k8snetworkplumbingwg.io/pciAddress:\n"
                                      "          string: \"0000:10:02.0\"\n"));
}

static unsigned count_occurrences(const char *haystack, const char *needle) {
        unsigned n = 0;

        for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
                n++;
        return n;
}

/* 128 devices a slice: 129 VFs make two slices that both say so */
static void test_dra_split(void) {
        g_autoptr(GPtrArray) at_limit = host_inventory(128), over = host_inventory(129), none = host_inventory(0);
        DraOptions o = default_options();
        g_autofree char *one = format_or_fail(&o, at_limit);
        g_autofree char *two = format_or_fail(&o, over);
        g_autofree char *empty = format_or_fail(&o, none);
        const char *second;

        g_assert_cmpuint(count_occurrences(one, "\nkind: ResourceSlice\n"), ==, 1);
        g_assert_cmpuint(count_occurrences(one, "  - name: "), ==, 128);
        g_assert_cmpuint(count_occurrences(one, "resourceSliceCount: 1\n"), ==, 1);

        g_assert_cmpuint(count_occurrences(two, "\nkind: ResourceSlice\n"), ==, 2);
        g_assert_cmpuint(count_occurrences(two, "resourceSliceCount: 2\n"), ==, 2);
        second = strstr(two, "name: node-1-netpool.io-1\n");
        g_assert_nonnull(second);
        g_assert_cmpuint(count_occurrences(second, "  - name: "), ==, 1);
        g_assert_nonnull(strstr(two, "name: node-1-netpool.io-0\n"));

        /* a host without VFs still says so: one slice without devices */
        g_assert_nonnull(strstr(empty, "    resourceSliceCount: 1\n  devices: []\n"));
}

static void test_dra_json_list(void) {
        g_autoptr(GPtrArray) inventory = host_inventory(1);
        DraOptions o = default_options();
        g_autofree char *json = NULL;

        o.json = true;
        o.pool = "rack-a/node-1";
        o.generation = 7;
        json = format_or_fail(&o, inventory);
        g_assert_true(g_str_has_prefix(json, "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n"
                                             "    {\n      \"apiVersion\": \"resource.k8s.io/v1\",\n"));
        g_assert_nonnull(strstr(json, "\"pool\": {\n          \"name\": \"rack-a/node-1\",\n"
                                      "          \"generation\": 7,\n          \"resourceSliceCount\": 1\n"));
        g_assert_nonnull(strstr(json, "\"sriovnetwork.k8snetworkplumbingwg.io/vfID\": {\n"
                                      "                \"int\": 0\n"));
}

static void test_dra_network_filter(void) {
        CtlDevice *pf;
        g_autoptr(GPtrArray) inventory = pf_inventory(&pf);
        DraOptions o = default_options();
        g_autofree char *yaml = NULL;

        g_ptr_array_add(inventory, make_vf(pf, 0, "free", NET_K8S));
        g_ptr_array_add(inventory, make_vf(pf, 1, "free", NET_VMS));
        g_ptr_array_add(inventory, make_vf(pf, 2, "free", NET_VMS "," NET_K8S));
        o.network = NET_K8S;
        yaml = format_or_fail(&o, inventory);
        g_assert_nonnull(strstr(yaml, "name: \"0000-03-02-0\""));
        g_assert_null(strstr(yaml, "name: \"0000-03-02-1\""));
        g_assert_nonnull(strstr(yaml, "name: \"0000-03-02-2\""));
}

/* A VF in use by a port without a claim is not the scheduler's to give: left out, as an unavailable one */
static void test_dra_claimless_port(void) {
        CtlDevice *pf, *vf;
        g_autoptr(GPtrArray) inventory = pf_inventory(&pf);
        DraOptions o = default_options();
        g_autofree char *yaml = NULL;

        g_ptr_array_add(inventory, make_vf(pf, 0, "in-use", NULL));
        vf = make_vf(pf, 1, "in-use", NULL);
        g_free(vf->port_claim);
        vf->port_claim = g_strdup("");
        g_ptr_array_add(inventory, vf);
        g_ptr_array_add(inventory, make_vf(pf, 2, "unavailable", NULL));
        g_ptr_array_add(inventory, make_vf(pf, 3, "free", NULL));
        yaml = format_or_fail(&o, inventory);
        g_assert_nonnull(strstr(yaml, "name: \"0000-03-02-0\""));
        g_assert_null(strstr(yaml, "name: \"0000-03-02-1\""));
        g_assert_null(strstr(yaml, "name: \"0000-03-02-2\""));
        g_assert_nonnull(strstr(yaml, "name: \"0000-03-02-3\""));
}

static void test_dra_bad_options(void) {
        struct {
                const char *driver, *node, *pool, *api;
                int64_t generation;
                const char *message;
        } cases[] = {
                { "Netpool.io", "n", NULL, "v1", 1, "invalid driver name 'Netpool.io'" },
                { "a234567890123456789012345678901234567890123456789012345678901.io", "n", NULL, "v1", 1,
                  "invalid driver name" },
                { "netpool.io", "node_1", NULL, "v1", 1, "invalid node name 'node_1'" },
                { "netpool.io", "n", "a//b", "v1", 1, "invalid pool name 'a//b'" },
                { "netpool.io", "n", NULL, "v1alpha3", 1, "unknown API version 'v1alpha3'" },
                { "netpool.io", "n", NULL, "v1", -1, "invalid generation -1" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(GPtrArray) inventory = host_inventory(1);
                DraOptions o = {
                        .driver = cases[i].driver, .node_name = cases[i].node, .pool = cases[i].pool,
                        .api_version = cases[i].api, .generation = cases[i].generation,
                };
                g_autofree char *message = NULL, *text = NULL;

                g_assert_cmpint(dra_format(&o, inventory, &text, &message), ==, -EINVAL);
                g_assert_null(text);
                g_assert_true(g_str_has_prefix(message, cases[i].message));
        }
}

/* A value longer than the API allows is refused, not printed for the API server to refuse */
static void test_dra_attribute_limits(void) {
        g_autoptr(GPtrArray) inventory = host_inventory(1);
        DraOptions o = default_options();
        g_autofree char *message = NULL, *text = NULL;
        CtlDevice *vf = inventory->pdata[1];

        g_free(vf->pf);
        vf->pf = g_strnfill(65, 'e');
        g_assert_cmpint(dra_format(&o, inventory, &text, &message), ==, -EINVAL);
        g_assert_nonnull(strstr(message, "longer than 64 characters"));
}

static int emit(const char *vfs, const char *format, const char *api_version) {
        g_autoptr(GPtrArray) inventory = host_inventory((unsigned) g_ascii_strtoull(vfs, NULL, 10));
        DraOptions o = default_options();
        g_autofree char *text = NULL, *message = NULL;

        o.api_version = api_version;
        o.json = g_str_equal(format, "json");
        if (dra_format(&o, inventory, &text, &message) < 0) {
                fprintf(stderr, "%s\n", message);
                return 1;
        }
        fputs(text, stdout);
        return 0;
}

int main(int argc, char **argv) {
        if (argc == 5 && g_str_equal(argv[1], "--emit"))
                return emit(argv[2], argv[3], argv[4]);

        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ctl/dra/names", test_names);
        g_test_add_func("/ctl/dra/device-name", test_device_name);
        g_test_add_func("/ctl/dra/node-name", test_node_name);
        g_test_add_func("/ctl/dra/yaml-scalar", test_yaml_scalar);
        g_test_add_func("/ctl/inventory/sort", test_sort);
        g_test_add_func("/ctl/inventory/text", test_inventory_text);
        g_test_add_func("/ctl/inventory/json", test_inventory_json);
        g_test_add_func("/ctl/dra/yaml", test_dra_yaml);
        g_test_add_func("/ctl/dra/v1beta1-basic", test_dra_v1beta1_basic);
        g_test_add_func("/ctl/dra/split", test_dra_split);
        g_test_add_func("/ctl/dra/json-list", test_dra_json_list);
        g_test_add_func("/ctl/dra/network-filter", test_dra_network_filter);
        g_test_add_func("/ctl/dra/claimless-port", test_dra_claimless_port);
        g_test_add_func("/ctl/dra/bad-options", test_dra_bad_options);
        g_test_add_func("/ctl/dra/attribute-limits", test_dra_attribute_limits);
        return g_test_run();
}
