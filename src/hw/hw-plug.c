/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware layer: the plug's public entry points — arguments validated here, then the sysfs reader or the
 * backend's op (hw-plug.h) */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/names.h"
#include "shared/macro.h"
#include "hw/hw-backend.h"
#include "hw/hw-sysfs.h"

#define CALL_OP(hw, op, ...) ((hw)->ops->op ? (hw)->ops->op(hw, __VA_ARGS__) : -EOPNOTSUPP)

static const char *const macvtap_modes[] = { "passthru", "private", "vepa", "bridge" };

static bool addr_ok(const PciAddr *addr) {
        return addr && pci_addr_is_valid(addr);
}

static bool netdev_ok(const char *name) {
        return name && netdev_name_is_valid(name);
}

static bool macvtap_mode_ok(const char *mode) {
        for (size_t i = 0; mode && i < G_N_ELEMENTS(macvtap_modes); i++)
                if (streq(mode, macvtap_modes[i]))
                        return true;
        return false;
}

HwVirtualNetdev *hw_virtual_netdev_free(HwVirtualNetdev *v) {
        if (!v)
                return NULL;
        g_free(v->name);
        g_free(v->lower);
        g_free(v->mode);
        g_free(v->tap);
        g_free(v);
        return NULL;
}

int hw_function_iommu_group(HwBackend *hw, const PciAddr *addr, int *ret) {
        if (!addr_ok(addr))
                return -EINVAL;
        return hw_sysfs_iommu_group(hw->sysfs_root, addr, ret);
}

int hw_iommu_group_devices(HwBackend *hw, int group, GArray **ret) {
        if (group < 0)
                return -EINVAL;
        return hw_sysfs_iommu_group_devices(hw->sysfs_root, group, ret);
}

char *hw_vfio_group_path(HwBackend *hw, int group) {
        return g_strdup_printf("%s/dev/vfio/%d", hw->sysfs_root, group);
}

int hw_function_vfio_device(HwBackend *hw, const PciAddr *addr, char **ret) {
        g_autofree char *name = NULL;
        int r;

        if (!addr_ok(addr))
                return -EINVAL;
        r = hw_sysfs_vfio_dev_name(hw->sysfs_root, addr, &name);
        if (r < 0)
                return r;
        *ret = g_strdup_printf("%s/dev/vfio/devices/%s", hw->sysfs_root, name);
        return 0;
}

int hw_function_bind_driver(HwBackend *hw, const PciAddr *addr, const char *driver) {
        if (!addr_ok(addr) || !driver_name_is_valid(driver))
                return -EINVAL;
        return CALL_OP(hw, bind_driver, addr, driver);
}

int hw_function_bind_host_driver(HwBackend *hw, const PciAddr *addr, const char *driver, unsigned wait_netdevs) {
        if (!addr_ok(addr) || (driver && !driver_name_is_valid(driver)) || streq_ptr(driver, "vfio-pci"))
                return -EINVAL;
        return CALL_OP(hw, bind_host_driver, addr, driver, wait_netdevs);
}

int hw_function_reset(HwBackend *hw, const PciAddr *addr) {
        if (!addr_ok(addr))
                return -EINVAL;
        return CALL_OP(hw, reset, addr);
}

int hw_function_needs_reset(HwBackend *hw, const PciAddr *addr, bool *ret) {
        if (!addr_ok(addr) || !ret)
                return -EINVAL;
        return CALL_OP(hw, needs_reset, addr, ret);
}

int hw_netdev_rename(HwBackend *hw, const char *name, const char *new_name) {
        if (!netdev_ok(name) || !netdev_ok(new_name))
                return -EINVAL;
        if (streq(name, new_name))
                return 0;
        return CALL_OP(hw, netdev_rename, name, new_name);
}

int hw_netdev_set_up(HwBackend *hw, const char *name, bool up) {
        if (!netdev_ok(name))
                return -EINVAL;
        return CALL_OP(hw, netdev_set_up, name, up);
}

int hw_virtual_netdev_read(HwBackend *hw, const char *name, HwVirtualNetdev **ret) {
        if (!netdev_ok(name))
                return -EINVAL;
        return CALL_OP(hw, virtual_read, name, ret);
}

static gint virtual_cmp_name(gconstpointer a, gconstpointer b) {
        return strcmp((*(HwVirtualNetdev **) a)->name, (*(HwVirtualNetdev **) b)->name);
}

int hw_virtual_netdev_list(HwBackend *hw, GPtrArray **ret) {
        int r = CALL_OP(hw, virtual_list, ret);

        if (r >= 0)
                g_ptr_array_sort(*ret, virtual_cmp_name);
        return r;
}

int hw_macvtap_create(HwBackend *hw, const char *lower, const char *name, const char *mode, const char *mac,
                      HwVirtualNetdev **ret) {
        g_autoptr(HwVirtualNetdev) made = NULL;
        char normalized[18];
        int r;

        if (ret)
                *ret = NULL;
        if (!netdev_ok(lower) || !netdev_ok(name) || !macvtap_mode_ok(mode) || !mac ||
            mac_normalize(mac, normalized) < 0)
                return -EINVAL;
        r = CALL_OP(hw, macvtap_create, lower, name, mode, normalized, &made);
        if (r >= 0 && ret)
                *ret = g_steal_pointer(&made);
        return r;
}

int hw_vlan_create(HwBackend *hw, const char *lower, const char *name, unsigned vlan_id) {
        if (!netdev_ok(lower) || !netdev_ok(name) || vlan_id < 1 || vlan_id > 4094)   /* 0 and 4095 are reserved */
                return -EINVAL;
        return CALL_OP(hw, vlan_create, lower, name, vlan_id);
}

int hw_virtual_netdev_delete(HwBackend *hw, const char *name) {
        if (!netdev_ok(name))
                return -EINVAL;
        return CALL_OP(hw, virtual_delete, name, /* macvtap_only= */ false);
}

int hw_macvtap_delete(HwBackend *hw, const char *name) {
        if (!netdev_ok(name))
                return -EINVAL;
        return CALL_OP(hw, virtual_delete, name, /* macvtap_only= */ true);
}

int hw_macvtap_open_tap(HwBackend *hw, const char *name, int *ret_fd) {
        if (!netdev_ok(name))
                return -EINVAL;
        return CALL_OP(hw, macvtap_open_tap, name, ret_fd);
}

/* Only the VFIO nodes under the backend's root: a caller can never make netpoold chown a path of its own
 * choosing, and a name with "/" or ".." after the prefix is refused. */
static bool vfio_node_path_ok(HwBackend *hw, const char *path) {
        g_autofree char *prefix = g_strdup_printf("%s/dev/vfio/", hw->sysfs_root);
        const char *rest;

        if (!path || !g_str_has_prefix(path, prefix))
                return false;
        rest = path + strlen(prefix);
        if (g_str_has_prefix(rest, "devices/"))
                rest += strlen("devices/");
        return rest[0] && !strchr(rest, '/') && !streq(rest, "..") && !streq(rest, ".");
}

int hw_node_get_owner(HwBackend *hw, const char *path, HwNodeOwner *ret) {
        struct stat st;

        if (!vfio_node_path_ok(hw, path))
                return -EINVAL;
        if (lstat(path, &st) < 0)
                return -errno;
        if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
                return -ENOTSUP;        /* a sim node is a FIFO; anything else is no node of ours */
        *ret = (HwNodeOwner) { .uid = st.st_uid, .gid = st.st_gid, .mode = st.st_mode & 07777 };
        return 0;
}

int hw_node_set_owner(HwBackend *hw, const char *path, const HwNodeOwner *owner) {
        HwNodeOwner now;
        int r;

        r = hw_node_get_owner(hw, path, &now);
        if (r < 0)
                return r;
        if (lchown(path, owner->uid, owner->gid) < 0)
                return -errno;
        if (chmod(path, owner->mode & 07777) < 0)
                return -errno;
        return 0;
}
