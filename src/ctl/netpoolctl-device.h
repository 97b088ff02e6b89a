/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl's view of the host inventory: org.netpool1.Device objects (API 1.1) */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "ctl/netpoolctl-output.h"
#include "ctl/netpoolctl-verb.h"
#include "shared/dbus-api.h"


/* One Device object as its properties say. Strings are never NULL once read ("" when the daemon
 * sent none); numbers are -1 where the contract says none. */
typedef struct CtlDevice {
        char *object;
        char *id;
        char *pci_address;
        char *pf;                       /* the PF's netdev; "" for a PF */
        char *pf_address;
        int32_t vf_index;               /* -1: a PF (or no SR-IOV function) */
        char *vendor;                   /* "0x8086" */
        char *product;
        char *driver;
        char **netdevs;
        int32_t numa_node;
        char *pcie_root;
        int32_t iommu_group;
        char *link_type;
        char *eswitch_mode;
        char *state;
        char *holder;
        char *port;                     /* object path, "/" when none */
        char **networks;                /* object paths */
        char *port_claim;               /* not a Device property: the ClaimId of its Port object, "" for none */
} CtlDevice;

/* A device with every field at its "none" value: empty strings, -1, port "/". */
CtlDevice *ctl_device_new(void);
void ctl_device_free(CtlDevice *device);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CtlDevice, ctl_device_free)

static inline bool ctl_device_is_vf(const CtlDevice *device) {
        return device->vf_index >= 0;
}

/* The UUID of the port holding the device, the name of a network: decoded from their object paths.
 * NULL for "/" or a path of another shape. */
char *ctl_port_uuid_from_path(const char *path);
char *ctl_network_name_from_path(const char *path);

/* Read the a{sv} of org.netpool1.Device into device; unknown properties and types are skipped, so a
 * newer daemon still works. */
int ctl_device_read_properties(sd_bus_message *m, CtlDevice *device);

/* Read a GetManagedObjects reply: every object with org.netpool1.Device goes into devices (CtlDevice*,
 * which the array must free), with the ClaimId of the Port object holding it. */
int ctl_device_inventory_read(sd_bus_message *reply, GPtrArray *devices);

/* GetManagedObjects on /org/netpool1 and the reply read as above. On failure returns -errno with
 * error set where the daemon answered one. */
int ctl_device_inventory_fetch(sd_bus *bus, GPtrArray *devices, sd_bus_error *error);

/* Order for people and diffs: each PF followed by its VFs by VF index, then devices that are
 * neither, by id. A VF whose PF has no object sorts by its PF's address all the same. */
void ctl_device_inventory_sort(GPtrArray *devices);

/* The device whose Id is id, or NULL. */
const CtlDevice *ctl_device_find_by_id(GPtrArray *devices, const char *id);
/* The PF object of a VF, or NULL. */
const CtlDevice *ctl_device_find_pf(GPtrArray *devices, const CtlDevice *vf);

/* The members of a device's JSON object that GetDevices does not give (devices writes those from its
 * own reply): pf_address, vendor, product, driver, netdevs, numa_node, pcie_root, iommu_group,
 * link_type, eswitch_mode, holder, networks (names), object. */
void ctl_device_json_members(JsonWriter *w, const CtlDevice *d);

/* The inventory as text (PFs with their VFs indented under them) or JSON (every property). */
char *ctl_device_inventory_format_text(GPtrArray *devices);
char *ctl_device_inventory_format_json(GPtrArray *devices);

/* The device verbs, ending with an entry whose name is NULL. */
extern const Verb device_verbs[];
