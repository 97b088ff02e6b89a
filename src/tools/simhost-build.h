/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim host writer: PCI functions, netdevs, SR-IOV links and vfstate, in simhost.md's layout */
#pragma once

#include "tools/simhost-spec.h"

/* Every function returns 0 or -errno, and on failure puts a message for the user in *reterr. */

/* The empty skeleton under h->root: sys/{devices/pci0000:00,bus/pci/{devices,drivers},class/net}, vfstate/. */
int sim_build_skeleton(const SimHost *h, char **reterr);

int sim_build_pf(SimHost *h, PfSpec *spec, char **reterr);

/* A PCI function as build_function() writes it */
typedef struct FunctionShape {
        uint16_t vendor, device;
        const char *class_code;         /* NULL: "0x020000" */
        const char *driver;             /* NULL: unbound */
        bool iommu;                     /* in an IOMMU group of its own */
        bool reset;                     /* has a reset file */
        int numa_node;                  /* its numa_node; -1 the kernel's "none" */
} FunctionShape;

/* A plain (non-SR-IOV) function with at most one netdev (ifname NULL: none). */
int sim_build_plain_function(SimHost *h, const PciAddr *addr, const FunctionShape *shape, const char *ifname,
                             char **reterr);

/* A fresh ifindex: past the host record's counter and every ifindex in the tree. */
unsigned sim_alloc_ifindex(SimHost *h);

/* IOMMU groups: the function's (-ENOENT: none); joining one (leaving the old; an empty group goes);
 * R/dev/vfio/<G> made or removed to match whether a function of G is bound to vfio-pci. */
int sim_function_group(const char *root, const PciAddr *addr, unsigned *ret);
int sim_group_join(const char *root, const PciAddr *addr, unsigned group);
int sim_group_leave(const char *root, const PciAddr *addr);
int sim_vfio_sync(const char *root, unsigned group);
unsigned sim_new_group(SimHost *h);

/* Deletes the macvtap and VLAN devices over netdev ifname (and those over them), as the kernel does when
 * ifname goes. */
int sim_remove_uppers(const char *root, const char *ifname);
/* The same for every netdev of a function, whose class/net links are removed too. */
int sim_unlink_function_netdevs(const char *root, const char *function_dir);

int sim_build_vf(SimHost *h, const PfSpec *s, unsigned i, char **reterr);
int sim_remove_vf(SimHost *h, const PfSpec *s, unsigned i, char **reterr);

int sim_remove_pf(SimHost *h, const PciAddr *addr, char **reterr);

/* Writes dir/name atomically with a trailing newline. */
int sim_write_attr(const char *dir, const char *name, const char *value);

/* Paths of the layout */
char *sim_function_dir(const char *root, const PciAddr *addr);         /* R/sys/devices/pci0000:00/<BDF> */
char *sim_class_net_link(const char *root, const char *ifname);        /* R/sys/class/net/<ifname> */
char *sim_vfstate_dir(const char *root, const PciAddr *pf, int vf);     /* R/vfstate/<PF>[/vf<N>] */
char *sim_held_dir(const char *root, const PciAddr *addr);             /* R/.simhost/held/<BDF> */

/* Binds a function to driver (NULL: unbinds it), creating R/sys/bus/pci/drivers/<driver>/. */
int sim_bind_driver(const char *root, const PciAddr *addr, const char *driver);

/* Adds and removes R/sys/class/net/<ifname> for a netdev of the function at addr. */
int sim_link_netdev(const char *root, const PciAddr *addr, const char *ifname, char **reterr);
int sim_unlink_netdev(const char *root, const char *ifname);

/* rm -rf without following symlinks; a missing path is fine. */
int sim_rm_rf(const char *path);

/* Set *reterr and return r: sim_fail() for a failed system call ("what: strerror(-r)"),
 * sim_refuse() for a refusal that the message alone explains. */
int sim_fail(char **reterr, int r, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
int sim_refuse(char **reterr, int r, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
