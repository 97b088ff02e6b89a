/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Linux backend, the plug's PCI side: driver binding as libvirt's virpci.c does it (driver_override, unbind,
 * drivers_probe), the vfio-pci module, function reset, and the tap node of a macvtap */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/pci-addr.h"
#include "hw/hw-linux-private.h"
#include "hw/hw-plug.h"
#include "hw/hw-sysfs.h"
#include "shared/log.h"
#include "shared/macro.h"

#define BIND_TIMEOUT_USEC (5 * G_USEC_PER_SEC)
#define TAP_TIMEOUT_USEC (2 * G_USEC_PER_SEC)
#define POLL_USEC (20 * 1000)

/* R/sys/bus/pci/devices/<BDF>/<attr> (attr NULL: the directory) */
static char *function_path(HwBackend *hw, const PciAddr *addr, const char *attr) {
        char bdf[PCI_ADDR_STR_MAX];

        return g_strconcat(hw->sysfs_root, "/sys/bus/pci/devices/", pci_addr_to_string(addr, bdf),
                           attr ? "/" : "", attr ? attr : "", NULL);
}

/* R/sys/bus/pci/drivers/<driver>/<attr> (attr NULL: the driver's directory); driver is validated by hw-plug.c */
static char *driver_path(HwBackend *hw, const char *driver, const char *attr) {
        return g_strconcat(hw->sysfs_root, "/sys/bus/pci/drivers/", driver, attr ? "/" : "", attr ? attr : "",
                           NULL);
}

/* One write of value to a sysfs attribute: the kernel's answer to it is the write's errno. */
static int write_attr(const char *path, const char *value) {
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_TRUNC);
        size_t n = strlen(value);
        ssize_t w;

        if (fd < 0)
                return -errno;
        do
                w = write(fd, value, n);
        while (w < 0 && errno == EINTR);
        if (w < 0)
                return -errno;
        return (size_t) w == n ? 0 : -EIO;
}

static bool path_exists(const char *path) {
        return access(path, F_OK) == 0;
}

/* Polls pred every 20 ms until it holds or timeout_usec has passed: the kernel and udev make nodes and netdevs
 * asynchronously, and sysfs has no event a library could wait on without a udev monitor of its own. */
static bool wait_until(bool (*pred)(const void *data), const void *data, gint64 timeout_usec) {
        gint64 deadline = g_get_monotonic_time() + timeout_usec;

        for (;;) {
                if (pred(data))
                        return true;
                if (g_get_monotonic_time() >= deadline)
                        return false;
                g_usleep(POLL_USEC);
        }
}

static bool path_exists_pred(const void *data) {
        return path_exists(data);
}

static int function_driver(HwBackend *hw, const PciAddr *addr, char **ret) {
        return hw_sysfs_function_driver(hw->sysfs_root, addr, ret);
}

/* The function's driver unbinds it (nothing to do when it has none). */
static int unbind(HwBackend *hw, const PciAddr *addr) {
        g_autofree char *driver = NULL, *path = NULL;
        char bdf[PCI_ADDR_STR_MAX];
        int r;

        r = function_driver(hw, addr, &driver);
        if (r < 0 || !driver)
                return r;
        path = driver_path(hw, driver, "unbind");
        r = write_attr(path, pci_addr_to_string(addr, bdf));
        if (r < 0)
                return log_debug_errno(r, "%s: unbinding from %s: %m", bdf, driver);
        return 0;
}

/* The kernel probes the function's drivers again; driver_override, when set, is the only one it tries. */
static int drivers_probe(HwBackend *hw, const PciAddr *addr) {
        g_autofree char *path = g_strconcat(hw->sysfs_root, "/sys/bus/pci/drivers_probe", NULL);
        char bdf[PCI_ADDR_STR_MAX];
        int r;

        r = write_attr(path, pci_addr_to_string(addr, bdf));
        if (r < 0)
                return log_debug_errno(r, "%s: drivers_probe: %m", bdf);
        return 0;
}

static int set_driver_override(HwBackend *hw, const PciAddr *addr, const char *driver) {
        g_autofree char *path = function_path(hw, addr, "driver_override");

        /* "\n" clears it: the kernel takes an empty line as no override */
        return write_attr(path, driver ? driver : "\n");
}

/* modprobe, as libvirt's virKModLoad runs it: by its path, no shell, "-b" so that a blacklist holds. */
static int load_module(const char *module) {
        static const char *const modprobes[] = { "/usr/sbin/modprobe", "/sbin/modprobe" };
        const char *modprobe = NULL;
        g_autofree char *err = NULL;
        g_autoptr(GError) error = NULL;
        int status = 0;

        for (size_t i = 0; i < G_N_ELEMENTS(modprobes) && !modprobe; i++)
                if (access(modprobes[i], X_OK) == 0)
                        modprobe = modprobes[i];
        if (!modprobe)
                return log_debug_errno(-ENOENT, "no modprobe to load %s", module);
        const char *argv[] = { modprobe, "-b", module, NULL };
        if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status,
                          &error))
                return log_debug_errno(-EIO, "running %s %s: %s", modprobe, module, error->message);
        if (!g_spawn_check_wait_status(status, NULL))
                return log_debug_errno(-EIO, "%s %s failed: %s", modprobe, module, g_strstrip(err));
        return 0;
}

/* The driver is there, for vfio-pci after loading its module (a fixture's sysfs has no modules to load). */
static int need_driver(HwBackend *hw, const char *driver) {
        g_autofree char *dir = driver_path(hw, driver, NULL);
        int r;

        if (path_exists(dir))
                return 0;
        if (!streq(driver, "vfio-pci") || hw->sysfs_root[0] != '\0')
                return -ENOENT;
        r = load_module(driver);
        if (r < 0)
                return r;
        return path_exists(dir) ? 0 : -ENOENT;
}

/* The IOMMU group's node, which vfio-pci makes when it binds the function (udev may set its owner later). */
static int wait_vfio_group(HwBackend *hw, const PciAddr *addr) {
        g_autofree char *node = NULL;
        int group, r;

        r = hw_sysfs_iommu_group(hw->sysfs_root, addr, &group);
        if (r < 0)
                return r;
        node = hw_vfio_group_path(hw, group);
        return wait_until(path_exists_pred, node, BIND_TIMEOUT_USEC) ? 0 : -ETIMEDOUT;
}

/* After a failed bind: the override cleared and the function probed again, so that its host driver takes it
 * back rather than leaving it without any (as libvirt reverts driver_override). Best effort. */
static void revert_bind(HwBackend *hw, const PciAddr *addr) {
        if (set_driver_override(hw, addr, NULL) >= 0)
                (void) drivers_probe(hw, addr);
}

int linux_bind_driver(HwBackend *hw, const PciAddr *addr, const char *driver) {
        g_autofree char *current = NULL, *now = NULL;
        char bdf[PCI_ADDR_STR_MAX];
        int r;

        pci_addr_to_string(addr, bdf);
        r = function_driver(hw, addr, &current);
        if (r < 0)
                return r;
        if (streq_ptr(current, driver))
                return 0;
        r = need_driver(hw, driver);
        if (r < 0)
                return log_debug_errno(r, "%s: no driver %s: %m", bdf, driver);
        r = set_driver_override(hw, addr, driver);
        if (r < 0)
                return log_debug_errno(r, "%s: writing driver_override: %m", bdf);
        r = unbind(hw, addr);
        if (r >= 0)
                r = drivers_probe(hw, addr);
        if (r >= 0)
                r = function_driver(hw, addr, &now);
        if (r >= 0 && !streq_ptr(now, driver))
                r = log_debug_errno(-EIO, "%s: bound to %s after the probe, not %s", bdf, now ? now : "no driver",
                                    driver);
        if (r < 0) {
                revert_bind(hw, addr);
                return r;
        }
        if (streq(driver, "vfio-pci"))
                return wait_vfio_group(hw, addr);
        return 0;
}

typedef struct NetdevWait {
        const char *net_dir;
        unsigned count;
} NetdevWait;

static bool netdevs_present(const void *data) {
        const NetdevWait *w = data;
        g_autoptr(GDir) dir = g_dir_open(w->net_dir, 0, NULL);
        unsigned n = 0;

        if (!dir)
                return false;
        while (g_dir_read_name(dir))
                n++;
        return n >= w->count;
}

/* The driver's bind file; another driver that took the function in the probe lets go of it first. */
static int bind_explicitly(HwBackend *hw, const PciAddr *addr, const char *driver) {
        g_autofree char *bind = driver_path(hw, driver, "bind");
        char bdf[PCI_ADDR_STR_MAX];
        int r;

        if (!path_exists(bind))
                return log_debug_errno(-ENOENT, "%s: no driver %s to bind to", pci_addr_to_string(addr, bdf),
                                       driver);
        r = unbind(hw, addr);
        if (r < 0)
                return r;
        r = write_attr(bind, pci_addr_to_string(addr, bdf));
        if (r < 0)
                return log_debug_errno(r, "%s: binding to %s: %m", bdf, driver);
        return 0;
}

int linux_bind_host_driver(HwBackend *hw, const PciAddr *addr, const char *driver, unsigned wait_netdevs) {
        g_autofree char *now = NULL, *net_dir = NULL;
        char bdf[PCI_ADDR_STR_MAX];
        int r;

        pci_addr_to_string(addr, bdf);
        r = function_driver(hw, addr, &now);            /* -ENODEV before anything is written */
        if (r < 0)
                return r;
        r = set_driver_override(hw, addr, NULL);
        if (r < 0)
                return log_debug_errno(r, "%s: clearing driver_override: %m", bdf);
        r = unbind(hw, addr);
        if (r < 0)
                return r;
        /* a probe no driver wants fails the write (igbvf's -EIO on a VF whose PF is gone, say); bind explicitly
         * then, when a driver is named */
        r = drivers_probe(hw, addr);
        if (r < 0 && !driver)
                return r;
        g_clear_pointer(&now, g_free);
        r = function_driver(hw, addr, &now);
        if (r < 0)
                return r;
        if (driver && !streq_ptr(now, driver)) {
                r = bind_explicitly(hw, addr, driver);
                if (r < 0)
                        return r;
        }
        if (wait_netdevs == 0)
                return 0;
        net_dir = function_path(hw, addr, "net");
        if (!wait_until(netdevs_present, &(NetdevWait) { .net_dir = net_dir, .count = wait_netdevs },
                        BIND_TIMEOUT_USEC))
                return log_debug_errno(-ETIMEDOUT, "%s: %u netdev(s) did not appear in 5 s", bdf, wait_netdevs);
        return 0;
}

int linux_reset(HwBackend *hw, const PciAddr *addr) {
        g_autofree char *dir = function_path(hw, addr, NULL);
        g_autofree char *reset = function_path(hw, addr, "reset");
        int r;

        if (!path_exists(dir))
                return -ENODEV;
        /* the kernel shows the file only when the function has a reset method */
        if (!path_exists(reset))
                return -ENOTSUP;
        r = write_attr(reset, "1");
        if (r < 0)
                return log_debug_errno(r, "%s: reset: %m", reset);
        return 0;
}

typedef struct TapOpen {
        const char *path;
        int fd;
        int error;
} TapOpen;

/* udev (or devtmpfs) makes the node after the netdev: ENOENT means "not yet" */
static bool tap_opened(const void *data) {
        TapOpen *t = (TapOpen *) data;

        t->fd = open(t->path, O_RDWR | O_CLOEXEC | O_NOCTTY);
        t->error = t->fd < 0 ? errno : 0;
        return t->fd >= 0 || t->error != ENOENT;
}

/* The tap device of a macvtap is /dev/tap<ifindex> (drivers/net/tap.c names it so). */
int linux_macvtap_open_tap_ifindex(HwBackend *hw, int ifindex, int *ret_fd) {
        g_autofree char *path = g_strdup_printf("%s/dev/tap%d", hw->sysfs_root, ifindex);
        TapOpen t = { .path = path, .fd = -1 };

        if (!wait_until(tap_opened, &t, TAP_TIMEOUT_USEC))
                return log_debug_errno(-ETIMEDOUT, "%s did not appear in 2 s", path);
        if (t.fd < 0)
                return log_debug_errno(-t.error, "opening %s: %m", path);
        *ret_fd = t.fd;
        return 0;
}
