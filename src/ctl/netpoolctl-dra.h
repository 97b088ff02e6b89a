/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's VFs as Kubernetes ResourceSlices (resource.k8s.io, dynamic resource allocation) */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "ctl/netpoolctl-device.h"

#define DRA_DRIVER_DEFAULT      "netpool.io"
#define DRA_API_VERSION_DEFAULT "v1"
#define DRA_API_GROUP           "resource.k8s.io"

/* Limits of the Kubernetes API reference (ResourceSlice, resource.k8s.io/v1) */
#define DRA_SLICE_MAX_DEVICES       128         /* spec.devices: without taints or counters */
#define DRA_DRIVER_NAME_MAX         63          /* spec.driver: a DNS subdomain */
#define DRA_DNS_LABEL_MAX           63          /* a device's name */
#define DRA_DNS_SUBDOMAIN_MAX       253         /* spec.nodeName, metadata.name */
#define DRA_POOL_NAME_MAX           253         /* DNS subdomains separated by '/' */
#define DRA_ATTRIBUTE_DOMAIN_MAX    63          /* the DNS subdomain before '/' of an attribute's name */
#define DRA_ATTRIBUTE_ID_MAX        32          /* the C identifier after it */
#define DRA_ATTRIBUTE_STRING_MAX    64          /* a string value */
#define DRA_DEVICE_MAX_ATTRIBUTES   32          /* attributes and capacities of one device */

/* The attribute domain of the SR-IOV DRA driver (k8snetworkplumbingwg/dra-driver-sriov): its names, so
 * DeviceClass selectors written for it select netpool's VFs alike. */
#define DRA_SRIOV_DOMAIN        "sriovnetwork.k8snetworkplumbingwg.io"
#define DRA_STANDARD_DOMAIN     "resource.kubernetes.io"

typedef struct DraOptions {
        const char *api_version;        /* "v1" (devices[].attributes), "v1beta2" (same), "v1beta1" (devices[].basic) */
        const char *driver;
        const char *node_name;
        const char *pool;               /* NULL: the node name */
        int64_t generation;
        const char *network;            /* object path: only VFs of this network's pool; NULL: every VF */
        bool json;                      /* a List of slices; else YAML documents */
} DraOptions;

bool dra_is_dns_label(const char *s, size_t max);
bool dra_is_dns_subdomain(const char *s, size_t max);
bool dra_is_pool_name(const char *s);
/* "domain/identifier" or "identifier", with the limits above */
bool dra_is_qualified_name(const char *s);

/* A VF's device name: its PCI address as a DNS label, "0000:03:02.0" -> "0000-03-02-0" (as dra-driver-sriov
 * names them). NULL when the result would not be a DNS label. */
char *dra_device_name(const char *pci_address);

/* The node name kubelet registers for a host name by default: the host name in lower case. NULL when
 * that is no DNS subdomain. */
char *dra_node_name_from_hostname(const char *hostname);

/* Whether the options make a valid slice; a message naming the option otherwise. */
int dra_options_check(const DraOptions *options, char **reterr_message);

/* Whether a device goes into the slices: a VF netpool can hand out (free) or one a port with a claim id
 * holds (a scheduler's allocation), in the pool of options->network when one is given. */
bool dra_device_is_published(const DraOptions *options, const CtlDevice *device);

/* The slices for the inventory (CtlDevice*, sorted as ctl_device_inventory_sort() does): one device per
 * published VF, DRA_SLICE_MAX_DEVICES per slice. -EINVAL and a message when a value breaks a limit. */
int dra_format(const DraOptions *options, GPtrArray *inventory, char **ret, char **reterr_message);

/* YAML scalar for s: plain when YAML 1.1 and 1.2 both read it back as the same string, else double-quoted
 * with escapes. */
char *dra_yaml_scalar(const char *s);
