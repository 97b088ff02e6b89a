/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim host writer: PCI functions, netdevs, SR-IOV links and vfstate, in simhost.md's layout */
#pragma once

#include "tools/simhost-spec.h"

/* Every function returns 0 or -errno, and on failure puts a message for the user in *reterr. */

/* The empty skeleton under h->root: sys/{devices/pci0000:00,bus/pci/{devices,drivers},class/net}, vfstate/. */
int sim_build_skeleton(const SimHost *h, char **reterr);

int sim_build_pf(SimHost *h, PfSpec *spec, char **reterr);

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
