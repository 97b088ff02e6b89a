/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Load test host: X710-like PFs from netpool-simhost, every VF given an original state of its own */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "load.h"

static const char *const link_states[] = { "auto", "enable", "disable" };

void load_host_clear(LoadHost *h) {
        for (unsigned i = 0; i < h->n_vfs; i++)
                g_free(h->vfs[i].dir);
        g_clear_pointer(&h->vfs, g_free);
        h->n_vfs = 0;
}

/* Read a small sysfs-like file into buf, without its trailing newline. */
static int read_small(const char *dir, const char *name, char *buf, size_t size) {
        char path[PATH_MAX];
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        if (n < 0) {
                int r = -errno;

                close(fd);
                return r;
        }
        close(fd);
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
                n--;
        buf[n] = '\0';
        return 0;
}

static int read_int(const char *dir, const char *name, int *ret) {
        char buf[32], *end;
        long v;
        int r;

        r = read_small(dir, name, buf, sizeof(buf));
        if (r < 0)
                return r;
        errno = 0;
        v = strtol(buf, &end, 10);
        if (errno != 0 || end == buf || *end != '\0')
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

int load_vf_read_mac(const LoadVf *vf, char ret_mac[static 18]) {
        char buf[32];
        int r;

        r = read_small(vf->dir, "mac", buf, sizeof(buf));
        if (r < 0)
                return r;
        g_strlcpy(ret_mac, buf, 18);
        return 0;
}

int load_vf_read(const LoadVf *vf, LoadVfState *ret) {
        LoadVfState s = {};
        int r;

        r = load_vf_read_mac(vf, s.mac);
        if (r >= 0)
                r = read_int(vf->dir, "vlan", &s.vlan);
        if (r >= 0)
                r = read_int(vf->dir, "qos", &s.qos);
        if (r >= 0)
                r = read_int(vf->dir, "spoofchk", &s.spoofchk);
        if (r >= 0)
                r = read_int(vf->dir, "trust", &s.trust);
        if (r >= 0)
                r = read_small(vf->dir, "link_state", s.link_state, sizeof(s.link_state));
        if (r < 0)
                return r;
        *ret = s;
        return 0;
}

bool load_vf_state_equal(const LoadVfState *a, const LoadVfState *b) {
        return g_ascii_strcasecmp(a->mac, b->mac) == 0 && a->vlan == b->vlan && a->qos == b->qos &&
               a->spoofchk == b->spoofchk && a->trust == b->trust && strcmp(a->link_state, b->link_state) == 0;
}

void load_vf_state_format(const LoadVfState *s, char *buf, size_t size) {
        snprintf(buf, size, "mac %s vlan %d qos %d spoofchk %d trust %d link_state %s",
                 s->mac, s->vlan, s->qos, s->spoofchk, s->trust, s->link_state);
}

static int write_small(const char *dir, const char *name, const char *value) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *text = g_strconcat(value, "\n", NULL);

        return g_file_set_contents(path, text, -1, NULL) ? 0 : -EIO;
}

/* The original state of VF n of PF k: its own MAC, and VLAN, QoS, spoofchk, trust and link state that
 * differ between VFs, so that a restore from the wrong record or to driver defaults shows. */
static int seed_original(LoadVf *vf, unsigned k, unsigned n) {
        char mac[18], num[16];
        LoadVfState *s = &vf->original;
        int r;

        snprintf(mac, sizeof(mac), "02:00:00:%02x:%02x:%02x", k, n >> 8, n & 0xff);
        *s = (LoadVfState) {
                .vlan = n % 5 == 0 ? 0 : (int) (100 + n),
                .spoofchk = (int) (n % 2),
                .trust = (int) ((n / 2) % 2),
        };
        s->qos = s->vlan == 0 ? 0 : (int) (n % 3);
        g_strlcpy(s->mac, mac, sizeof(s->mac));
        g_strlcpy(s->link_state, link_states[n % G_N_ELEMENTS(link_states)], sizeof(s->link_state));

        r = write_small(vf->dir, "mac", s->mac);
        snprintf(num, sizeof(num), "%d", s->vlan);
        if (r >= 0)
                r = write_small(vf->dir, "vlan", num);
        snprintf(num, sizeof(num), "%d", s->qos);
        if (r >= 0)
                r = write_small(vf->dir, "qos", num);
        if (r >= 0)
                r = write_small(vf->dir, "spoofchk", s->spoofchk ? "1" : "0");
        if (r >= 0)
                r = write_small(vf->dir, "trust", s->trust ? "1" : "0");
        if (r >= 0)
                r = write_small(vf->dir, "link_state", s->link_state);
        return r;
}

static void pf_bdf(unsigned k, char ret[static 13]) {
        /* 0x10 buses apart: 256 VFs at offset 16 spill into the PF's next bus, never into another PF's */
        snprintf(ret, 13, "0000:%02x:00.0", 0x10 + 0x10 * k);
}

/**
 * load_host_build() - make the sim host in SIM: N_PFS X710-like PFs eth0… sharing N_VFS VFs
 *
 * Returns: 0, or a negative errno with *ret_message saying what failed.
 */
int load_host_build(LoadHost *h, const char *simhost, const char *sim, unsigned n_pfs, unsigned n_vfs,
                    char **ret_message) {
        g_auto(GStrv) pf_specs = NULL;
        unsigned per_pf = n_vfs / n_pfs;
        int r;

        if (n_pfs == 0 || n_pfs > 8 || n_vfs % n_pfs != 0 || per_pf == 0 || per_pf > 256) {
                *ret_message = g_strdup_printf("%u VFs cannot be split evenly over %u PFs of at most 256 VFs",
                                               n_vfs, n_pfs);
                return -EINVAL;
        }
        pf_specs = g_new0(char *, n_pfs + 1);
        for (unsigned k = 0; k < n_pfs; k++) {
                char bdf[13];

                pf_bdf(k, bdf);
                pf_specs[k] = g_strdup_printf("name=eth%u,bdf=%s,model=x710,vfs=%u,total=%u", k, bdf, per_pf, per_pf);
        }
        r = harness_simhost_build(simhost, sim, pf_specs, ret_message);
        if (r < 0)
                return r;

        h->vfs = g_new0(LoadVf, n_vfs);
        h->n_pfs = n_pfs;
        for (unsigned k = 0; k < n_pfs; k++) {
                char bdf[13];

                pf_bdf(k, bdf);
                for (unsigned n = 0; n < per_pf; n++) {
                        g_autofree char *link = g_strdup_printf("%s/sys/devices/pci0000:00/%s/virtfn%u",
                                                                sim, bdf, n);
                        g_autofree char *target = g_file_read_link(link, NULL);
                        LoadVf *vf = &h->vfs[h->n_vfs];
                        g_autofree char *base = NULL;

                        if (!target) {
                                *ret_message = g_strdup_printf("%s is missing", link);
                                return -ENOENT;
                        }
                        base = g_path_get_basename(target);
                        g_strlcpy(vf->bdf, base, sizeof(vf->bdf));
                        vf->dir = g_strdup_printf("%s/vfstate/%s/vf%u/p1", sim, bdf, n);
                        h->n_vfs++;
                        r = seed_original(vf, k, n);
                        if (r < 0) {
                                *ret_message = g_strdup_printf("cannot write the state of %s in %s",
                                                               vf->bdf, vf->dir);
                                return r;
                        }
                }
        }
        return 0;
}

/* A hostdev network over every PF of the host */
char *load_host_network_xml(const LoadHost *h) {
        g_autoptr(GString) s = g_string_new(NULL);

        g_string_append(s, "<network>\n  <name>" LOAD_NETWORK_NAME "</name>\n"
                           "  <forward mode='hostdev' managed='yes'>\n    <driver name='vfio'/>\n");
        for (unsigned k = 0; k < h->n_pfs; k++)
                g_string_append_printf(s, "    <pf dev='eth%u'/>\n", k);
        g_string_append(s, "  </forward>\n</network>\n");
        return g_string_free(g_steal_pointer(&s), false);
}

const LoadVf *load_host_find(const LoadHost *h, const char *bdf) {
        /* a pool of 256: a scan costs less than the bus round trip by far */
        for (unsigned i = 0; i < h->n_vfs; i++)
                if (g_ascii_strcasecmp(h->vfs[i].bdf, bdf) == 0)
                        return &h->vfs[i];
        return NULL;
}
