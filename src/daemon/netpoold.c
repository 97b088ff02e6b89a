/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoold: hands SR-IOV VFs and host NICs to virtual machines, on the system bus as org.netpool1 */
#include <errno.h>
#include <malloc.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "daemon/context.h"
#include "shared/log.h"

static const char *arg_sim_dir;
static const char *arg_sysfs_root;
static const char *arg_config_dir = NETPOOL_CONFIG_DIR;
static const char *arg_state_dir = NETPOOL_STATE_DIR;
static uint64_t arg_exit_idle_sec = 30;

static void help(void) {
        printf("Usage: netpoold [OPTIONS]\n\n"
               "Serve network device pools on the system bus as org.netpool1.\n"
               "Usually started by D-Bus activation, not by hand.\n\n"
               "  --sim DIR              use the simulated SR-IOV host in DIR instead of the real hardware\n"
               "  --sysfs-root DIR       linux backend: read DIR/sys instead of /sys (tests)\n"
               "  --config-dir DIR       persistent definitions (default %s)\n"
               "  --state-dir DIR        live state (default %s)\n"
               "  --exit-idle-sec N      exit after N seconds without a call (default 30, 0 = never)\n"
               "  -v, --verbose          log debug messages\n"
               "  --version              print the version\n"
               "  -h, --help             this text\n",
               NETPOOL_CONFIG_DIR, NETPOOL_STATE_DIR);
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_SIM = 0x100, ARG_SYSFS, ARG_CONFIG, ARG_STATE, ARG_IDLE, ARG_VERSION };
        static const struct option options[] = {
                { "sim",           required_argument, NULL, ARG_SIM },
                { "sysfs-root",    required_argument, NULL, ARG_SYSFS },
                { "config-dir",    required_argument, NULL, ARG_CONFIG },
                { "state-dir",     required_argument, NULL, ARG_STATE },
                { "exit-idle-sec", required_argument, NULL, ARG_IDLE },
                { "verbose",       no_argument,       NULL, 'v' },
                { "version",       no_argument,       NULL, ARG_VERSION },
                { "help",          no_argument,       NULL, 'h' },
                {}
        };
        char *end;
        int c;

        while ((c = getopt_long(argc, argv, "vh", options, NULL)) >= 0) {
                switch (c) {
                case ARG_SIM:     arg_sim_dir = optarg; break;
                case ARG_SYSFS:   arg_sysfs_root = optarg; break;
                case ARG_CONFIG:  arg_config_dir = optarg; break;
                case ARG_STATE:   arg_state_dir = optarg; break;
                case ARG_IDLE:
                        errno = 0;
                        arg_exit_idle_sec = strtoull(optarg, &end, 10);
                        if (errno || *end || !*optarg || optarg[0] == '-' || arg_exit_idle_sec > 86400 * 365) {
                                fprintf(stderr, "netpoold: --exit-idle-sec: '%s' is not a number of seconds\n",
                                        optarg);
                                return -EINVAL;
                        }
                        break;
                case 'v':         log_set_max_level(LOG_LEVEL_DEBUG); break;
                case ARG_VERSION: puts(NETPOOL_VERSION); return 0;
                case 'h':         help(); return 0;
                default:          return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "netpoold: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        if (arg_sim_dir && arg_sysfs_root) {
                fprintf(stderr, "netpoold: --sim and --sysfs-root exclude each other\n");
                return -EINVAL;
        }
        return 1;
}

/* The soft fd limit up to the hard one, as systemd's daemons do: the soft limit (1024 by default) exists
 * for programs that still use select(); netpoold does not, and what it holds should meet the unit's
 * LimitNOFILE, not an accident of history. */
static void raise_fd_limit(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
                return;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                log_warning_errno(errno, "cannot raise the soft limit of open files to %llu: %m",
                                  (unsigned long long) rl.rlim_max);
}

int main(int argc, char *argv[]) {
        g_auto(Context) c = CONTEXT_INIT;
        ContextOptions o;
        int r;

        log_set_program("netpoold");
        /* glibc raises its mmap threshold (to up to 32 MiB) each time a large block is freed, and large blocks
         * then come from the heap: a GetManagedObjects reply of 32,768 devices grew there, leaving ~5 MiB of
         * heap resident. A fixed threshold keeps every block over 128 KiB in its own mapping, unmapped when freed. */
        (void) mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        raise_fd_limit();
        o = (ContextOptions) {
                .sim_dir = arg_sim_dir,
                .sysfs_root = arg_sysfs_root,
                .config_dir = arg_config_dir,
                .state_dir = arg_state_dir,
                .exit_idle_usec = arg_exit_idle_sec * 1000000ULL,
        };
        r = context_start(&c, &o);
        if (r < 0)
                return 1;
        log_info("netpoold %s ready", NETPOOL_VERSION);
        r = context_run(&c);
        return r < 0 ? 1 : 0;
}
