/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-simhost: builds and changes simulated SR-IOV hosts for netpoold --sim */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "shared/fileio.h"
#include "tools/simhost-build.h"
#include "tools/simhost-modify.h"
#include "tools/simhost-spec.h"

/* The demo host: one PF of each shape in simhost.md's table */
static const char *const default_host[] = {
        "name=eth0,bdf=0000:03:00.0,model=x710,vfs=8",
        "name=ens1,name2=ens1d1,bdf=0000:05:00.0,model=cx3,vfs=8,port2=4-5,dual=6-7",
        "name=sfc0,bdf=0000:07:00.0,model=sfc,vfs=4",
};

typedef enum ActionKind {
        ACTION_PF,
        ACTION_ADD_PF,
        ACTION_REMOVE_PF,
        ACTION_ASSIGN,
        ACTION_RELEASE,
        ACTION_SET_NUMVFS,
        ACTION_LINK,
        ACTION_FAIL,
        ACTION_CLEAR_FAIL,
        ACTION_DIRTY,
        ACTION_IOMMU_GROUP,
        ACTION_ADD_FUNCTION,
        ACTION_NUMA_NODE,
        ACTION_ESWITCH_MODE,
        ACTION_LINK_TYPE,
        ACTION_ADDRESSES,
        ACTION_DEFAULT,
        ACTION_FORCE,
        ACTION_QUIET,
        ACTION_HELP,
} ActionKind;

typedef struct OptionDef {
        const char *name;
        const char *short_name;
        unsigned nargs;
        ActionKind kind;
        const char *args;
        const char *help;
} OptionDef;

static const OptionDef option_defs[] = {
        { "--default", NULL, 0, ACTION_DEFAULT, "", "build the demo host (X710-like eth0, ConnectX-3-like ens1/ens1d1, Solarflare-like sfc0)" },
        { "--pf", NULL, 1, ACTION_PF, "SPEC", "build a PF from SPEC (repeatable; see below)" },
        { "--force", "-f", 0, ACTION_FORCE, "", "replace the sim host already in DIR" },
        { "--add-pf", NULL, 1, ACTION_ADD_PF, "SPEC", "plug another PF into the host in DIR" },
        { "--remove-pf", NULL, 1, ACTION_REMOVE_PF, "BDF", "unplug a PF with all its VFs" },
        { "--assign", NULL, 1, ACTION_ASSIGN, "BDF", "give a function to a guest: driver vfio-pci, no host netdevs" },
        { "--release", NULL, 1, ACTION_RELEASE, "BDF", "give it back: its driver and netdevs return" },
        { "--set-numvfs", NULL, 2, ACTION_SET_NUMVFS, "PFBDF N", "resize a PF to N VFs" },
        { "--link", NULL, 2, ACTION_LINK, "IFNAME up|down", "set a netdev's operstate" },
        { "--fail", NULL, 3, ACTION_FAIL, "PFBDF VF LINE", "add a fault line 'OP ERRNO [COUNT]' to a VF" },
        { "--clear-fail", NULL, 2, ACTION_CLEAR_FAIL, "PFBDF VF", "remove a VF's fault lines" },
        { "--dirty", NULL, 2, ACTION_DIRTY, "PFBDF VF", "the guest left the VF so that only a reset clears it" },
        { "--iommu-group", NULL, 1, ACTION_IOMMU_GROUP, "BDF,BDF...", "put functions into one IOMMU group (the first's)" },
        { "--add-function", NULL, 1, ACTION_ADD_FUNCTION, "FSPEC", "plug in a plain PCI function (no SR-IOV; see below)" },
        { "--numa-node", NULL, 2, ACTION_NUMA_NODE, "BDF N|none", "set a function's numa_node" },
        { "--eswitch-mode", NULL, 2, ACTION_ESWITCH_MODE, "PFBDF MODE", "a PF's eswitch mode: legacy, switchdev or none (netpool's extension)" },
        { "--link-type", NULL, 2, ACTION_LINK_TYPE, "IFNAME TYPE", "a netdev's link type: ethernet or infiniband (netpool's extension)" },
        { "--addresses", NULL, 2, ACTION_ADDRESSES, "IFNAME ADDR,...", "a netdev's IP addresses ('' for none; netpool's extension)" },
        { "--quiet", "-q", 0, ACTION_QUIET, "", "print no summary" },
        { "--help", "-h", 0, ACTION_HELP, "", "show this help" },
};

typedef struct Action {
        const OptionDef *option;
        const char *args[3];
} Action;

typedef struct Args {
        const char *dir;
        bool force, quiet, help, build_default;
        GArray *pfs;                    /* const char* specs of --pf */
        GArray *actions;                /* Action: the changes, in order */
} Args;

static void args_clear(Args *a) {
        g_clear_pointer(&a->pfs, g_array_unref);
        g_clear_pointer(&a->actions, g_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Args, args_clear);

static void print_help(void) {
        printf("Usage: netpool-simhost [--force] DIR (--default | --pf SPEC...) [CHANGES...]\n"
               "       netpool-simhost DIR CHANGES...\n\n"
               "Builds a simulated SR-IOV host for 'netpoold --sim DIR' in the layout of simhost.md,\n"
               "or changes one built before, as a hypervisor or a hot-plug would.\n\n"
               "Options:\n");
        for (size_t i = 0; i < G_N_ELEMENTS(option_defs); i++) {
                const OptionDef *o = &option_defs[i];
                g_autofree char *left = g_strdup_printf("%s%s%s %s", o->short_name ? o->short_name : "",
                                                        o->short_name ? ", " : "", o->name, o->args);

                printf("  %-30s %s\n", left, o->help);
        }
        printf("\nSPEC is key=value,… (a word without '=' continues the list before it):\n"
               "  name=IF            PF netdev (port 1)             name2=IF     port 2 (default: NAMEd1)\n"
               "  bdf=DDDD:BB:SS.F   PF address                     model=M      x710, cx3, sfc or custom\n"
               "  vfs=N              sriov_numvfs (default 0)       total=N      sriov_totalvfs (default 64)\n"
               "  port2=LIST         single-port VFs on port 2      dual=LIST    dual-port-mode VFs\n"
               "  nonetdev=LIST      VFs without netdevs            gap=LIST     VFs left out (no virtfnN)\n"
               "  down=yes           PF netdevs start down          ports=1|2    PF netdevs (model's default)\n"
               "  vendor=, device=, vfvendor=, vfdevice=   hex ids   driver=, vfdriver=   names, or none\n"
               "  vfnetdevs=yes|no   VFs have netdevs               portid=yes|no  netdevs have phys_port_id\n"
               "  vfoffset=N, vfstride=N   VF routing-ID offset and stride from the PF\n"
               "  vfprefix=, vfprefix2=    VF netdev names are PREFIXvN (prefix up to 11 bytes)\n"
               "  iommu=yes|no       PF and VFs in IOMMU groups     noiommu=LIST VFs without IOMMU group\n"
               "  reset=yes|no       PF and VFs have 'reset'        noreset=LIST VFs without 'reset'\n"
               "  speed=N            PF netdevs' speed, Mbit/s (default: the model's)\n"
               "  numa=N|none        numa_node of the PF and its VFs (default 0; none: -1)\n"
               "LIST is indices and ranges: 1,3,5-7\n\n"
               "OP of --fail: get, set_mac, set_mac_zero, set_vlan, set_trust, set_spoofchk, set_link_state,\n"
               "  set_rate, set_vlan_proto, set_mtu, bind, unbind, reset, macvtap; ERRNO: EINVAL, EBUSY, EPERM,\n"
               "  EOPNOTSUPP, ENODEV, or IGNORE (report success, change nothing)\n\n"
               "FSPEC of --add-function is key=value,…: bdf= (required), driver= (default e1000e; none),\n"
               "  vendor=, device=, class= (hex; default 8086:10d3, 0x020000), name=IF (one netdev),\n"
               "  group=BDF (join that function's IOMMU group), iommu=yes|no, reset=yes|no\n\n"
               "Examples:\n"
               "  netpool-simhost /tmp/host --default\n"
               "  netpool-simhost /tmp/host --pf 'name=eth0,bdf=0000:03:00.0,model=x710,vfs=8,gap=2'\n"
               "  netpool-simhost /tmp/host --assign 0000:03:02.1 --fail 0000:03:00.0 3 'set_mac EBUSY 2'\n"
               "  netpool-simhost /tmp/host --add-function 'bdf=0000:09:00.0,name=eno1,group=0000:03:02.1'\n");
}

static const OptionDef *find_option(const char *arg, const char **ret_inline_value) {
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t) (eq - arg) : strlen(arg);

        *ret_inline_value = NULL;
        for (size_t i = 0; i < G_N_ELEMENTS(option_defs); i++) {
                const OptionDef *o = &option_defs[i];

                if (o->short_name && strcmp(arg, o->short_name) == 0)
                        return o;
                if (strlen(o->name) == len && strncmp(arg, o->name, len) == 0) {
                        if (eq)
                                *ret_inline_value = eq + 1;
                        return o;
                }
        }
        return NULL;
}

static int usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int usage_error(const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "netpool-simhost: ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'netpool-simhost --help'.\n");
        return -EINVAL;
}

static int take_option(Args *a, const OptionDef *o, const char **values) {
        Action action = { .option = o };

        switch (o->kind) {
        case ACTION_DEFAULT:
                a->build_default = true;
                return 0;
        case ACTION_FORCE:
                a->force = true;
                return 0;
        case ACTION_QUIET:
                a->quiet = true;
                return 0;
        case ACTION_HELP:
                a->help = true;
                return 0;
        case ACTION_PF:
                g_array_append_val(a->pfs, values[0]);
                return 0;
        default:
                for (unsigned i = 0; i < o->nargs; i++)
                        action.args[i] = values[i];
                g_array_append_val(a->actions, action);
                return 0;
        }
}

static int parse_args(int argc, char **argv, Args *a) {
        a->pfs = g_array_new(false, false, sizeof(const char *));
        a->actions = g_array_new(false, false, sizeof(Action));

        for (int i = 1; i < argc; i++) {
                const char *inline_value = NULL, *values[3] = {};
                const OptionDef *o;

                if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
                        if (a->dir)
                                return usage_error("more than one DIR given ('%s')", argv[i]);
                        a->dir = argv[i];
                        continue;
                }
                o = find_option(argv[i], &inline_value);
                if (!o)
                        return usage_error("unknown option '%s'", argv[i]);
                if (inline_value && o->nargs != 1)
                        return usage_error("option '%s' takes no '=' value", o->name);
                for (unsigned n = 0; n < o->nargs; n++) {
                        if (n == 0 && inline_value) {
                                values[0] = inline_value;
                                continue;
                        }
                        if (i + 1 >= argc)
                                return usage_error("option '%s' needs more arguments", o->name);
                        values[n] = argv[++i];
                }
                take_option(a, o, values);
        }
        if (a->help)
                return 0;
        if (!a->dir)
                return usage_error("no DIR given");
        if (!a->build_default && a->pfs->len == 0 && a->actions->len == 0)
                return usage_error("nothing to do: give --default, --pf or a change");
        if (a->force && !a->build_default && a->pfs->len == 0)
                return usage_error("--force only goes with --default or --pf");
        return 0;
}

/* Whether DIR holds nothing but what netpool-simhost writes, so --force may delete it */
static bool dir_is_sim_host(const char *dir) {
        static const char *const ours[] = { "sys", "dev", "vfstate", ".simhost", NULL };
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d)))
                if (!g_strv_contains(ours, name))
                        return false;
        return d != NULL;
}

static bool dir_is_empty(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);

        return !d || !g_dir_read_name(d);
}

static int clear_dir(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);
                int r = sim_rm_rf(path);

                if (r < 0)
                        return r;
        }
        return 0;
}

static int prepare_dir(const Args *a) {
        int r;

        if (!dir_is_empty(a->dir)) {
                if (!a->force) {
                        fprintf(stderr, "netpool-simhost: %s is not empty; use --force to replace the sim host in it\n",
                                a->dir);
                        return -EEXIST;
                }
                if (!dir_is_sim_host(a->dir)) {
                        fprintf(stderr, "netpool-simhost: %s holds files that are not a sim host's; "
                                "refusing to delete them, even with --force\n", a->dir);
                        return -EEXIST;
                }
                r = clear_dir(a->dir);
                if (r < 0) {
                        fprintf(stderr, "netpool-simhost: cannot empty %s: %s\n", a->dir, g_strerror(-r));
                        return r;
                }
        }
        r = mkdir_parents(a->dir);
        if (r < 0)
                fprintf(stderr, "netpool-simhost: cannot create %s: %s\n", a->dir, g_strerror(-r));
        return r;
}

static int build_host(const Args *a, SimHost *h, char **reterr) {
        g_autoptr(GPtrArray) specs = g_ptr_array_new();
        int r;

        if (a->build_default)
                for (size_t i = 0; i < G_N_ELEMENTS(default_host); i++)
                        g_ptr_array_add(specs, (gpointer) default_host[i]);
        for (guint i = 0; i < a->pfs->len; i++)
                g_ptr_array_add(specs, (gpointer) g_array_index(a->pfs, const char *, i));

        r = sim_build_skeleton(h, reterr);
        if (r < 0)
                return r;
        for (guint i = 0; i < specs->len; i++) {
                r = sim_add_pf(h, specs->pdata[i], reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int apply_action(SimHost *h, const Action *act, char **reterr) {
        switch (act->option->kind) {
        case ACTION_ADD_PF:
                return sim_add_pf(h, act->args[0], reterr);
        case ACTION_REMOVE_PF:
                return sim_unplug_pf(h, act->args[0], reterr);
        case ACTION_ASSIGN:
                return sim_assign(h, act->args[0], reterr);
        case ACTION_RELEASE:
                return sim_release(h, act->args[0], reterr);
        case ACTION_SET_NUMVFS:
                return sim_set_numvfs(h, act->args[0], act->args[1], reterr);
        case ACTION_LINK:
                return sim_set_link(h, act->args[0], act->args[1], reterr);
        case ACTION_FAIL:
                return sim_add_fail(h, act->args[0], act->args[1], act->args[2], reterr);
        case ACTION_CLEAR_FAIL:
                return sim_clear_fail(h, act->args[0], act->args[1], reterr);
        case ACTION_DIRTY:
                return sim_set_dirty(h, act->args[0], act->args[1], reterr);
        case ACTION_IOMMU_GROUP:
                return sim_share_group(h, act->args[0], reterr);
        case ACTION_ADD_FUNCTION:
                return sim_add_function(h, act->args[0], reterr);
        case ACTION_NUMA_NODE:
                return sim_set_numa_node(h, act->args[0], act->args[1], reterr);
        case ACTION_ESWITCH_MODE:
                return sim_set_eswitch_mode(h, act->args[0], act->args[1], reterr);
        case ACTION_LINK_TYPE:
                return sim_set_link_type(h, act->args[0], act->args[1], reterr);
        case ACTION_ADDRESSES:
                return sim_set_addresses(h, act->args[0], act->args[1], reterr);
        default:
                return -EINVAL;
        }
}

/* "assign 0000:03:02.1", "fail 0000:03:00.0 3 set_mac EBUSY 2": what was done, as it was asked */
static void print_action(const Action *act) {
        printf("%s", act->option->name + 2);
        for (unsigned i = 0; i < act->option->nargs; i++)
                printf(" %s", act->args[i]);
        printf("\n");
}

static void print_vf(const PfSpec *s, unsigned i) {
        uint8_t flags = s->vf_flags[i];
        char bdf[PCI_ADDR_STR_MAX];
        PciAddr addr;

        if (flags & SIM_VF_GAP) {
                printf("    vf%-3u (gap: no virtfn%u)\n", i, i);
                return;
        }
        if (pf_spec_vf_addr(s, i, &addr) < 0)
                return;
        printf("    vf%-3u %s  ", i, pci_addr_to_string(&addr, bdf));
        if (!s->vf_netdevs || (flags & SIM_VF_NONETDEV))
                printf("(no netdev)");
        else if (flags & SIM_VF_DUAL)
                printf("%sv%u + %sv%u", s->vf_prefix[0], i, s->vf_prefix[1], i);
        else
                printf("%sv%u", s->vf_prefix[flags & SIM_VF_PORT2 ? 1 : 0], i);
        if (s->ports == 2)
                printf("  (%s)", flags & SIM_VF_DUAL ? "dual-port" : flags & SIM_VF_PORT2 ? "port 2" : "port 1");
        printf("\n");
}

static void print_summary(const SimHost *h) {
        unsigned vfs = 0;

        for (guint i = 0; i < h->pfs->len; i++)
                vfs += ((const PfSpec *) h->pfs->pdata[i])->num_vfs;
        printf("Sim host in %s: %u PF%s, %u VF%s\n", h->root, h->pfs->len, h->pfs->len == 1 ? "" : "s", vfs,
               vfs == 1 ? "" : "s");
        for (guint i = 0; i < h->pfs->len; i++) {
                const PfSpec *s = h->pfs->pdata[i];
                char bdf[PCI_ADDR_STR_MAX];

                printf("  %s%s%s  %s  %s %04x:%04x %s, %u of %u VFs (%04x:%04x %s)%s\n", s->name[0],
                       s->ports == 2 ? "/" : "", s->ports == 2 ? s->name[1] : "", pci_addr_to_string(&s->addr, bdf),
                       pf_spec_model_description(s), s->vendor_id, s->device_id, s->driver ? s->driver : "unbound",
                       s->num_vfs, s->total_vfs, s->vf_vendor_id, s->vf_device_id,
                       s->vf_driver ? s->vf_driver : "unbound", s->down ? ", down" : "");
                for (unsigned v = 0; v < s->num_vfs; v++)
                        print_vf(s, v);
        }
}

static int run(int argc, char **argv) {
        g_auto(Args) a = {};
        g_autoptr(SimHost) h = NULL;
        g_autofree char *message = NULL;
        bool build;
        int r;

        r = parse_args(argc, argv, &a);
        if (r < 0)
                return 2;
        if (a.help) {
                print_help();
                return 0;
        }

        build = a.build_default || a.pfs->len > 0;
        if (build) {
                r = prepare_dir(&a);
                if (r < 0)
                        return 1;
                h = sim_host_new(a.dir);
                r = build_host(&a, h, &message);
                if (r < 0) {
                        fprintf(stderr, "netpool-simhost: %s\n", message);
                        (void) clear_dir(a.dir);        /* no half-built host left behind */
                        return 1;
                }
        } else {
                r = sim_host_load(a.dir, &h, &message);
                if (r >= 0)     /* a host built by an older version gains the directories added since */
                        r = sim_build_skeleton(h, &message);
                if (r < 0) {
                        fprintf(stderr, "netpool-simhost: %s\n", message);
                        return 1;
                }
        }

        for (guint i = 0; i < a.actions->len; i++) {
                const Action *act = &g_array_index(a.actions, Action, i);

                r = apply_action(h, act, &message);
                if (r < 0)
                        break;
                if (!a.quiet)
                        print_action(act);
        }
        /* the record follows the tree even when a change failed half-way */
        if (sim_host_save(h) < 0 && r >= 0) {
                fprintf(stderr, "netpool-simhost: cannot write the host record in %s\n", a.dir);
                return 1;
        }
        if (r < 0) {
                fprintf(stderr, "netpool-simhost: %s\n", message);
                return 1;
        }
        if (build && !a.quiet)
                print_summary(h);
        return 0;
}

int main(int argc, char **argv) {
        return run(argc, argv);
}
