/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the sysfs readers and the sim backend's vfstate readers, over a small generated sim host
 *
 * The input is a list of chunks separated by NUL bytes. A chunk's first byte picks one of the files
 * below (modulo their number; one more is "a netdev name to look up"), the rest is what that file
 * holds; with the byte's high bit set the file is removed instead. A symlink gets "../" + the rest as
 * its target (a rest with '/' removes it), so no link leaves the host. Before each input every file
 * gets its generated content back. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/names.h"
#include "hw/hw-sim.h"
#include "hw/hw.h"
#include "fuzz.h"
#include "shared/macro.h"

#ifndef NETPOOL_SIMHOST_PATH
#define NETPOOL_SIMHOST_PATH "netpool-simhost"
#endif

/* ConnectX-3-like: two PF netdevs, VF 0 on port 1, VF 1 on both ports, VF 2 on port 2 */
#define PF_SPEC "name=pf0,bdf=0000:01:00.0,model=cx3,vfs=3,total=4,dual=1,port2=2"
#define PF "sys/devices/pci0000:00/0000:01:00.0/"
#define VF0 "sys/devices/pci0000:00/0000:01:00.1/"
#define VF1 "sys/devices/pci0000:00/0000:01:00.2/"
#define VFSTATE "vfstate/0000:01:00.0/"

typedef struct Entry {
        const char *path;               /* relative to the sim root */
        bool link;
        char *orig;                     /* generated content or link target; NULL when absent */
} Entry;

static Entry entries[] = {
        { PF "net/pf0/ifindex" },
        { PF "net/pf0/dev_port" },
        { PF "net/pf0/phys_port_id" },
        { PF "net/pf0/address" },
        { PF "net/pf0/operstate" },
        { PF "net/pf0d1/dev_port" },
        { PF "net/pf0d1/phys_port_id" },
        { PF "net/pf0d1/operstate" },
        { PF "vendor" },
        { PF "device" },
        { PF "sriov_totalvfs" },
        { PF "sriov_numvfs" },
        { PF "virtfn0", .link = true },
        { PF "virtfn1", .link = true },
        { PF "virtfn2", .link = true },
        { PF "driver", .link = true },
        { VF0 "physfn", .link = true },
        { VF0 "vendor" },
        { VF0 "device" },
        { VF0 "net/pf0v0/ifindex" },
        { VF0 "net/pf0v0/dev_port" },
        { VF0 "net/pf0v0/device", .link = true },
        { VF1 "net/pf0d1v1/dev_port" },
        { VF1 "physfn", .link = true },
        { VFSTATE "vf0/port" },
        { VFSTATE "vf0/fail" },
        { VFSTATE "vf0/p1/mac" },
        { VFSTATE "vf0/p1/vlan" },
        { VFSTATE "vf0/p1/qos" },
        { VFSTATE "vf0/p1/spoofchk" },
        { VFSTATE "vf0/p1/trust" },
        { VFSTATE "vf0/p1/link_state" },
        { VFSTATE "vf1/port" },
        { VFSTATE "vf1/fail" },
        { VFSTATE "vf1/p2/mac" },
        { VFSTATE "vf1/p2/vlan" },
        { VFSTATE "vf1/p2/link_state" },
        { VFSTATE "vf2/port" },
};

static char *root;
static HwBackend *hw;

static char *entry_path(const Entry *e) {
        return g_build_filename(root, e->path, NULL);
}

static void set_file(const char *path, const char *data, size_t len) {
        int fd;

        (void) unlink(path);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        fuzz_check(fd >= 0, "%s: %s", path, g_strerror(errno));
        fuzz_check(write(fd, data, len) == (ssize_t) len, "%s: short write", path);
        close(fd);
}

static void set_entry(const Entry *e, const char *data, size_t len) {
        g_autofree char *path = entry_path(e);

        if (!data) {
                (void) unlink(path);
                return;
        }
        if (!e->link) {
                set_file(path, data, len);
                return;
        }
        (void) unlink(path);
        fuzz_check(symlink(data, path) == 0, "%s: %s", path, g_strerror(errno));
}

static void restore(void) {
        for (size_t i = 0; i < G_N_ELEMENTS(entries); i++)
                set_entry(&entries[i], entries[i].orig, entries[i].orig ? strlen(entries[i].orig) : 0);
}

static void build_host(void) {
        const char *simhost = g_getenv("NETPOOL_SIMHOST") ?: NETPOOL_SIMHOST_PATH;
        const char *argv[] = { simhost, "-q", NULL, "--pf", PF_SPEC, NULL };
        g_autoptr(GError) error = NULL;
        int status = 0;

        root = g_build_filename(fuzz_tmpdir(), "sim", NULL);
        argv[2] = root;
        fuzz_check(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                                &status, &error) && g_spawn_check_wait_status(status, NULL),
                   "%s failed: %s", simhost, error ? error->message : "exit status");
        for (size_t i = 0; i < G_N_ELEMENTS(entries); i++) {
                g_autofree char *path = entry_path(&entries[i]);

                if (entries[i].link)
                        entries[i].orig = g_file_read_link(path, NULL);
                else
                        (void) g_file_get_contents(path, &entries[i].orig, NULL, NULL);
        }
        fuzz_check(hw_backend_new_sim(root, &hw) == 0, "no sim backend");
}

/* What the hardware layer reports it must take back: a VF's original is restored from it. */
static void check_vf_config(const VfConfig *c) {
        char mac[18];

        fuzz_check(mac_normalize(c->mac, mac) == 0 && streq(mac, c->mac), "VF MAC '%s'", c->mac);
        fuzz_check(c->vlan <= 4095 && c->qos <= 7, "VF VLAN %u QoS %u", c->vlan, c->qos);
        fuzz_check(c->spoofchk >= -1 && c->spoofchk <= 1 && c->trust >= -1 && c->trust <= 1,
                   "VF spoofchk %d trust %d", c->spoofchk, c->trust);
        fuzz_check(vf_link_state_to_string(c->link_state), "VF link state %d", (int) c->link_state);
}

static void look_up(const char *name) {
        g_autoptr(HwNetdev) n = NULL;
        g_autoptr(HwFunction) f = NULL;
        g_autoptr(GPtrArray) vfs = NULL;

        if (hw_lookup_netdev(hw, name, &n, &f) < 0)
                return;
        fuzz_check(streq(n->name, name), "netdev '%s' read as '%s'", name, n->name);
        if (f && f->is_pf)
                (void) hw_list_vfs(hw, f, &vfs);
        for (unsigned vf = 0; vf < 4; vf++) {
                VfConfig c;

                if (hw_vf_get(hw, name, vf, &c) == 0)
                        check_vf_config(&c);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const PciAddr vf1 = { .domain = 0, .bus = 1, .slot = 0, .function = 2 };
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(HwFunction) f = NULL;
        const uint8_t *p = data, *end = data + size;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        if (!hw)
                build_host();
        restore();
        while (p < end) {
                const uint8_t *nul = memchr(p, '\0', (size_t) (end - p));
                const uint8_t *stop = nul ? nul : end;
                size_t i, len;
                g_autofree char *rest = NULL;

                if (stop == p) {        /* an empty chunk */
                        p++;
                        continue;
                }
                i = (p[0] & 0x7f) % (G_N_ELEMENTS(entries) + 1);
                len = (size_t) (stop - p - 1);
                rest = g_strndup((const char *) p + 1, len);
                if (i == G_N_ELEMENTS(entries)) {
                        if (names->len < 4)     /* more lookups of the same kind find nothing new */
                                g_ptr_array_add(names, g_steal_pointer(&rest));
                } else if (p[0] & 0x80)
                        set_entry(&entries[i], NULL, 0);
                else if (!entries[i].link)
                        set_entry(&entries[i], (const char *) p + 1, len);
                else {
                        g_autofree char *target = g_strconcat("../", rest, NULL);

                        set_entry(&entries[i], strchr(rest, '/') || !rest[0] ? NULL : target, 0);
                }
                p = stop + 1;
        }

        look_up("pf0");
        look_up("pf0d1");
        look_up("pf0v0");
        look_up("pf0d1v1");
        (void) hw_lookup_function(hw, &vf1, &f);
        for (guint i = 0; i < names->len; i++)
                look_up(names->pdata[i]);
        /* sets read the fault file and write through the port a VF is on */
        (void) hw_vf_set_mac(hw, "pf0", 0, "52:54:00:12:34:56");
        (void) hw_vf_set_vlan(hw, "pf0", 0, 42, 3);
        (void) hw_vf_set_mac(hw, "pf0d1", 1, "52:54:00:12:34:57");
        return 0;
}
