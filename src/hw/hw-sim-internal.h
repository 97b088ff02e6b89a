/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim backend internals shared by hw-sim.c (VF ops), hw-sim-plug.c (driver binding, reset) and
 * hw-sim-netdev.c (netdevs, macvtap and VLAN devices) */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <sys/types.h>

#include <glib.h>

#include "hw/hw-backend.h"

/* Parts of simhost.md's layout under the sim root */
#define SIM_DEVICES_DIR "sys/devices/pci0000:00"
#define SIM_CLASS_NET_DIR "sys/class/net"
#define SIM_DRIVERS_DIR "sys/bus/pci/drivers"
#define SIM_VIRTUAL_NET_DIR "sys/devices/virtual/net"
#define SIM_VFIO_DRIVER "vfio-pci"
#define SIM_STUB_DRIVER "pci-stub"

/* hw->data of the sim backend */
typedef struct SimState {
        GHashTable *pf_netdevs;         /* name -> SimPfNetdev (hw-sim.c's cache) */
        int last_ifindex;               /* the highest ifindex seen or handed out: never handed out twice */
        int class_net_watch;            /* inotify on sys/class/net since the last full read of it, or -1 */
        char own_class_link[IFNAMSIZ];  /* the class/net entry this backend made last, its event not read yet */
} SimState;

SimState *sim_state(HwBackend *hw);

/* A fault line of OP (or alt_op) in vf_dir/fail: -ERRNO to fail with, SIM_FAULT_IGNORE to report success and
 * change nothing, 0 for none. vf_dir NULL (a function that is no VF) has none. */
#define SIM_FAULT_IGNORE 1
int sim_fail_check(const char *vf_dir, const char *op, const char *alt_op);

/* Where R/sys/class/net/<name> leads, in target (PATH_MAX): its length, -ENODEV when there is no such netdev */
ssize_t sim_class_link(HwBackend *hw, const char *name, char *target);
bool sim_is_dir(const char *path);
bool sim_exists(const char *path);
/* dir/name = value + "\n", atomically; -ENODEV when dir is gone */
int sim_write_value(const char *dir, const char *name, const char *value);
/* rm -rf without following links; a missing path is fine */
int sim_rm_rf(const char *path);

/* An ifindex no netdev of the host has, nor had from this backend */
int sim_new_ifindex(HwBackend *hw);
/* Says that this backend just made sys/class/net/<name> for a netdev given sim_new_ifindex()'s last: the watch's
 * next event of that name is known, its ifindex not read */
void sim_class_link_made(HwBackend *hw, const char *name);

/* The VF's R/vfstate/<PF BDF>/vf<N> (NULL, 0 when the function is no VF), with its PF's address */
int sim_function_vf_dir(HwBackend *hw, const PciAddr *addr, char **ret_vf_dir, PciAddr *ret_pf);
/* The same from a function's topology read already: NULL when it is no VF */
char *sim_vf_dir_of(HwBackend *hw, const HwFunction *f);

/* R/sys/devices/pci0000:00/<BDF>: -ENODEV when there is no such function */
int sim_function_dir(HwBackend *hw, const PciAddr *addr, char **ret);

/* Removes a netdev of a PCI function (its uppers, class link and directory) */
int sim_remove_pci_netdev(HwBackend *hw, const char *function_dir, const char *name);
/* Deletes the macvtap and VLAN devices over netdev `name`, as the kernel does when it goes */
int sim_remove_uppers(HwBackend *hw, const char *name);

/* ops */
int sim_bind_driver(HwBackend *hw, const PciAddr *addr, const char *driver);
int sim_bind_host_driver(HwBackend *hw, const PciAddr *addr, const char *driver, unsigned wait_netdevs);
int sim_reset(HwBackend *hw, const PciAddr *addr);
int sim_needs_reset(HwBackend *hw, const PciAddr *addr, bool *ret);
int sim_netdev_rename(HwBackend *hw, const char *name, const char *new_name);
int sim_netdev_set_up(HwBackend *hw, const char *name, bool up);
int sim_netdev_set_mtu(HwBackend *hw, const char *name, unsigned mtu);
int sim_virtual_read(HwBackend *hw, const char *name, HwVirtualNetdev **ret);
int sim_virtual_list(HwBackend *hw, GPtrArray **ret);
int sim_macvtap_create(HwBackend *hw, const char *lower, const char *name, const char *mode, const char *mac,
                       HwVirtualNetdev **ret);
int sim_vlan_create(HwBackend *hw, const char *lower, const char *name, unsigned vlan_id);
int sim_virtual_delete(HwBackend *hw, const char *name, bool macvtap_only);
int sim_macvtap_open_tap(HwBackend *hw, const char *name, int *ret_fd);
/* device attributes (hw-sim-netdev.c): netpool's extensions of the layout */
int sim_eswitch_mode(HwBackend *hw, const PciAddr *addr, char **ret);
int sim_netdev_global_address(HwBackend *hw, const HwNetdev *n);
/* link changes (hw-sim-watch.c) */
int sim_watch_new(HwLinkWatch *w);
void sim_watch_free(HwLinkWatch *w);
int sim_watch_add_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf);
void sim_watch_remove_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf);
int sim_watch_read(HwLinkWatch *w, GHashTable *changed, bool *ret_overflow);
