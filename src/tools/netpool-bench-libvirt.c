/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench libvirt side: a private libvirtd with only the network driver, and its port clients */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "tools/netpool-bench.h"

#define LV_NETWORK_NAME "netpool-bench"
#define LV_INTERFACES 64

typedef struct LvConn {
        virConnectPtr conn;
        virNetworkPtr net;
} LvConn;

bool bench_libvirt_available(void) {
        return true;
}

static void quiet_errors(void *userdata, virErrorPtr error) {
        /* errors are read with virGetLastErrorMessage() where they matter */
}

static char *last_error(const char *what) {
        return g_strdup_printf("%s: %s", what, virGetLastErrorMessage());
}

static int lv_connect(const BenchTarget *t, void **ret_conn, char **ret_message) {
        g_autofree LvConn *c = g_new0(LvConn, 1);

        virSetErrorFunc(NULL, quiet_errors);
        c->conn = virConnectOpen(t->address);
        if (!c->conn) {
                *ret_message = last_error("virConnectOpen");
                return -ECONNREFUSED;
        }
        c->net = virNetworkLookupByName(c->conn, t->network);
        if (!c->net) {
                *ret_message = last_error("virNetworkLookupByName");
                virConnectClose(c->conn);
                return -ENOENT;
        }
        *ret_conn = g_steal_pointer(&c);
        return 0;
}

/* The same port as netpoold's: MAC, VLAN, the max TX rate as the outbound average (kB/s), trust. libvirt records
 * them; the hypervisor driver would apply them to the VF at the guest's start. */
static int lv_allocate(void *conn, BenchPort *p, char **ret_message) {
        LvConn *c = conn;
        char xml[768];

        snprintf(xml, sizeof(xml),
                 "<networkport>\n  <uuid>%s</uuid>\n  <owner>\n    <name>%s</name>\n    <uuid>%s</uuid>\n"
                 "  </owner>\n  <mac address='%s'/>\n  <vlan><tag id='%u'/></vlan>\n"
                 "  <bandwidth><outbound average='%u'/></bandwidth>\n  <rxfilters trustGuest='yes'/>\n"
                 "</networkport>\n", p->uuid, p->owner, p->owner_uuid, p->mac, p->vlan, p->max_tx_rate * 125);
        p->handle = virNetworkPortCreateXML(c->net, xml, 0);
        if (!p->handle) {
                *ret_message = last_error("virNetworkPortCreateXML");
                return -EIO;
        }
        return 0;
}

static int lv_release(void *conn, BenchPort *p, char **ret_message) {
        int r = virNetworkPortDelete(p->handle, 0);

        if (r < 0)
                *ret_message = last_error("virNetworkPortDelete");
        virNetworkPortFree(p->handle);
        p->handle = NULL;
        return r < 0 ? -EIO : 0;
}

static void lv_disconnect(void *conn) {
        LvConn *c = conn;

        virNetworkFree(c->net);
        virConnectClose(c->conn);
        g_free(c);
}

void bench_libvirt_clear(BenchLibvirt *lv) {
        harness_stop_process(lv->pid);
        lv->pid = 0;
        if (lv->dir) {
                if (lv->keep)
                        fprintf(stderr, "netpool-bench: kept %s\n", lv->dir);
                else
                        harness_remove_tree(lv->dir);
        }
        g_clear_pointer(&lv->dir, g_free);
        g_clear_pointer(&lv->uri, g_free);
}

/* DIR/run and DIR/var stand in for /run and /var in libvirtd's mount namespace; DIR/drivers holds only the
 * network driver; libvirtd.conf lets root in without polkit and logs to stderr */
static int make_tree(const BenchLibvirt *lv, char **ret_message) {
        static const char *const dirs[] = { "run", "var/lib", "var/cache", "var/log", "var/tmp", "drivers" };
        g_autofree char *so = g_build_filename(BENCH_LIBVIRT_DRIVER_DIR, "libvirt_driver_network.so", NULL);
        g_autofree char *so_link = g_build_filename(lv->dir, "drivers", "libvirt_driver_network.so", NULL);
        g_autofree char *var_run = g_build_filename(lv->dir, "var", "run", NULL);
        g_autofree char *conf = g_build_filename(lv->dir, "libvirtd.conf", NULL);

        for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
                g_autofree char *d = g_build_filename(lv->dir, dirs[i], NULL);

                if (g_mkdir_with_parents(d, 0755) < 0) {
                        *ret_message = g_strdup_printf("cannot make %s: %s", d, strerror(errno));
                        return -errno;
                }
        }
        if (access(so, R_OK) < 0) {
                *ret_message = g_strdup_printf("no %s (is libvirt-daemon installed?)", so);
                return -ENOENT;
        }
        if (symlink(so, so_link) < 0 || symlink("/run", var_run) < 0) {
                *ret_message = g_strdup_printf("cannot make the links in %s: %s", lv->dir, strerror(errno));
                return -errno;
        }
        if (!g_file_set_contents(conf,
                                 "auth_unix_rw = \"none\"\n"
                                 "auth_unix_ro = \"none\"\n"
                                 "unix_sock_rw_perms = \"0700\"\n"
                                 "unix_sock_ro_perms = \"0700\"\n"
                                 "log_outputs = \"3:stderr\"\n", -1, NULL)) {
                *ret_message = g_strdup_printf("cannot write %s", conf);
                return -EIO;
        }
        return 0;
}

/* In the child, where the host has no /run to mount over: a root of its own in DIR/root, the host's top-level
 * directories bound there (their links copied) but /run and /var, which are ours. Nothing is made on the host's
 * own filesystems but inside DIR. */
static int enter_root_of_its_own(const char *dir, const char *run, const char *var) {
        g_autofree char *root = g_build_filename(dir, "root", NULL);
        g_autoptr(GDir) top = g_dir_open("/", 0, NULL);
        const char *name;

        if (!top || mkdir(root, 0755) < 0)
                return -errno;
        while ((name = g_dir_read_name(top))) {
                g_autofree char *host = g_build_filename("/", name, NULL);
                g_autofree char *ours = g_build_filename(root, name, NULL);
                g_autofree char *target = NULL;
                struct stat st;

                if (g_str_equal(name, "run") || g_str_equal(name, "var") || lstat(host, &st) < 0)
                        continue;
                if (S_ISLNK(st.st_mode)) {
                        target = g_file_read_link(host, NULL);
                        if (!target || symlink(target, ours) < 0)
                                return -EIO;
                } else if (S_ISDIR(st.st_mode) &&
                           (mkdir(ours, 0755) < 0 || mount(host, ours, NULL, MS_BIND | MS_REC, NULL) < 0))
                        return -errno;
        }
        {
                g_autofree char *our_run = g_build_filename(root, "run", NULL);
                g_autofree char *our_var = g_build_filename(root, "var", NULL);

                if (mkdir(our_run, 0755) < 0 || mkdir(our_var, 0755) < 0 ||
                    mount(run, our_run, NULL, MS_BIND, NULL) < 0 || mount(var, our_var, NULL, MS_BIND, NULL) < 0 ||
                    chroot(root) < 0 || chdir("/") < 0)
                        return -errno;
        }
        return 0;
}

/* In the child: a mount namespace of its own where our directories are /run and /var, then libvirtd. Nothing
 * libvirtd writes reaches the machine's /run, /var or bus; the network driver is the only driver it finds. */
static void G_GNUC_NORETURN exec_libvirtd(const BenchLibvirt *lv, const char *libvirtd) {
        g_autofree char *run = g_build_filename(lv->dir, "run", NULL);
        g_autofree char *var = g_build_filename(lv->dir, "var", NULL);
        g_autofree char *drivers = g_build_filename(lv->dir, "drivers", NULL);
        g_autofree char *conf = g_build_filename(lv->dir, "libvirtd.conf", NULL);
        g_autofree char *pidfile = g_build_filename(lv->dir, "libvirtd.pid", NULL);
        g_autofree char *log = g_build_filename(lv->dir, "libvirtd.log", NULL);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        int r = 0;

        if (fd >= 0) {
                (void) dup2(fd, STDOUT_FILENO);
                (void) dup2(fd, STDERR_FILENO);
        }
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                r = -errno;
        else if (access("/run", F_OK) < 0)
                r = enter_root_of_its_own(lv->dir, run, var);
        else if (mount(run, "/run", NULL, MS_BIND, NULL) < 0 || mount(var, "/var", NULL, MS_BIND, NULL) < 0)
                r = -errno;
        if (r < 0) {
                fprintf(stderr, "netpool-bench: cannot make libvirtd's mount namespace: %s\n", strerror(-r));
                _exit(126);
        }
        setenv("LIBVIRT_DRIVER_DIR", drivers, 1);
        unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
        unsetenv("LIBVIRT_DEFAULT_URI");
        execl(libvirtd, "libvirtd", "--config", conf, "--pid-file", pidfile, (char *) NULL);
        fprintf(stderr, "netpool-bench: cannot run %s: %s\n", libvirtd, strerror(errno));
        _exit(127);
}

static char *network_xml(void) {
        g_autoptr(GString) s = g_string_new("<network>\n  <name>" LV_NETWORK_NAME "</name>\n"
                                            "  <forward mode='passthrough'>\n");

        for (unsigned i = 0; i < LV_INTERFACES; i++)
                g_string_append_printf(s, "    <interface dev='npbench%u'/>\n", i);
        g_string_append(s, "  </forward>\n</network>\n");
        return g_string_free(g_steal_pointer(&s), false);
}

/* Connect once libvirtd answers, and make the transient passthrough network the clients use */
static int create_network(BenchLibvirt *lv, const char *socket, char **ret_message) {
        g_autofree char *xml = network_xml();
        virConnectPtr conn = NULL;
        virNetworkPtr net;

        virSetErrorFunc(NULL, quiet_errors);
        for (int i = 0; i < 600 && !conn; i++) {
                if (waitpid(lv->pid, NULL, WNOHANG) == lv->pid) {
                        lv->pid = 0;
                        *ret_message = g_strdup_printf("libvirtd exited at once (see %s/libvirtd.log)", lv->dir);
                        return -ECHILD;
                }
                if (access(socket, F_OK) == 0)
                        conn = virConnectOpen(lv->uri);
                if (!conn)
                        g_usleep(50 * 1000);
        }
        if (!conn) {
                *ret_message = g_strdup_printf("libvirtd did not answer on %s within 30 s: %s", socket,
                                               virGetLastErrorMessage());
                return -ETIMEDOUT;
        }
        net = virNetworkCreateXML(conn, xml);
        if (!net) {
                *ret_message = last_error("virNetworkCreateXML");
                virConnectClose(conn);
                return -EIO;
        }
        virNetworkFree(net);
        virConnectClose(conn);
        return 0;
}

/**
 * bench_libvirt_start() - libvirtd as root in a mount namespace of its own, with only the network driver and a
 * private socket; an active passthrough network of 64 interfaces, which port creation does not touch
 *
 * Returns: 0 with lv->target ready for bench_run_clients(), or a negative errno with *ret_message set.
 */
int bench_libvirt_start(BenchLibvirt *lv, char **ret_message) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : g_get_tmp_dir();
        g_autofree char *template = g_build_filename(base, "netpool-bench-libvirt.XXXXXX", NULL);
        g_autofree char *libvirtd = g_find_program_in_path("libvirtd");
        g_autofree char *socket = NULL;
        int r;

        if (!libvirtd && access("/usr/sbin/libvirtd", X_OK) == 0)
                libvirtd = g_strdup("/usr/sbin/libvirtd");
        if (!libvirtd) {
                *ret_message = g_strdup("no libvirtd (apt-get install libvirt-daemon)");
                return -ENOENT;
        }
        if (!mkdtemp(template)) {
                *ret_message = g_strdup_printf("cannot make a directory in %s: %s", base, strerror(errno));
                return -errno;
        }
        lv->dir = g_steal_pointer(&template);
        r = make_tree(lv, ret_message);
        if (r < 0)
                return r;

        fflush(NULL);
        lv->pid = fork();
        if (lv->pid < 0) {
                *ret_message = g_strdup_printf("fork: %s", strerror(errno));
                return -errno;
        }
        if (lv->pid == 0)
                exec_libvirtd(lv, libvirtd);

        socket = g_build_filename(lv->dir, "run", "libvirt", "libvirt-sock", NULL);
        lv->uri = g_strdup_printf("network:///system?socket=%s", socket);
        r = create_network(lv, socket, ret_message);
        if (r < 0)
                return r;
        lv->target = (BenchTarget) {
                .name = "libvirt",
                .connect = lv_connect,
                .allocate = lv_allocate,
                .release = lv_release,
                .disconnect = lv_disconnect,
                .address = lv->uri,
                .network = LV_NETWORK_NAME,
        };
        return 0;
}
