/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AllocateWithOptions' options and results (dbus-api.md, version 1.1) */
#include <errno.h>
#include <string.h>

#include "bus/bus-allocate-options.h"
#include "bus/bus-errors.h"

/* no option's string is longer: a PCI address, a netdev name, a claim id */
#define OPTION_STRING_MAX 255

typedef enum OptionKey {
        OPTION_DEVICE,
        OPTION_PF,
        OPTION_TAP_NAME,
        OPTION_TAP_FD,
        OPTION_VFIO_UID,
        OPTION_VFIO_GID,
        OPTION_NUMA_NODE,
        OPTION_NUMA_POLICY,
        OPTION_CLAIM,
        OPTION_OWNER_PIDFD,
        _OPTION_MAX,
} OptionKey;

static const struct {
        const char *name;
        const char *type;
        bool served;            /* false: in the contract, served by a later version of netpoold */
} options[_OPTION_MAX] = {
        [OPTION_DEVICE] = { "device", "s", true },
        [OPTION_PF] = { "pf", "s", true },
        [OPTION_TAP_NAME] = { "tap-name", "s", true },
        [OPTION_TAP_FD] = { "tap-fd", "b", true },
        [OPTION_VFIO_UID] = { "vfio-uid", "u", true },
        [OPTION_VFIO_GID] = { "vfio-gid", "u", true },
        [OPTION_NUMA_NODE] = { "numa-node", "i", true },
        [OPTION_NUMA_POLICY] = { "numa-policy", "s", true },
        [OPTION_CLAIM] = { "claim", "s", true },
        [OPTION_OWNER_PIDFD] = { "owner-pidfd", "h", true },
};

static int option_key(const char *name) {
        for (int i = 0; i < _OPTION_MAX; i++)
                if (streq(name, options[i].name))
                        return i;
        return -ENOENT;
}

static int read_string(sd_bus_message *m, const char *key, const char **ret, sd_bus_error *error) {
        const char *s;
        int r = sd_bus_message_read(m, "s", &s);

        if (r < 0)
                return r;
        if (s[0] == '\0' || strlen(s) > OPTION_STRING_MAX)
                return sd_bus_error_setf(error, NETPOOL_ERROR_INVALID_ARGUMENT, "option '%s': must be 1 to %d "
                                         "characters long", key, OPTION_STRING_MAX);
        *ret = s;
        return 0;
}

static int read_numa_policy(sd_bus_message *m, AllocateOptions *o, sd_bus_error *error) {
        const char *policy;
        int r = sd_bus_message_read(m, "s", &policy);

        if (r < 0)
                return r;
        if (streq(policy, "required"))
                o->numa_required = true;
        else if (!streq(policy, "preferred"))
                return sd_bus_error_setf(error, NETPOOL_ERROR_INVALID_ARGUMENT, "option 'numa-policy': '%.32s' is "
                                         "neither 'preferred' nor 'required'", policy);
        o->has_numa_policy = true;
        return 0;
}

static int read_value(sd_bus_message *m, OptionKey key, AllocateOptions *o, sd_bus_error *error) {
        const char *name = options[key].name;
        int b, r;

        switch (key) {
        case OPTION_DEVICE:
                return read_string(m, name, &o->device, error);
        case OPTION_PF:
                return read_string(m, name, &o->pf, error);
        case OPTION_TAP_NAME:
                return read_string(m, name, &o->tap_name, error);
        case OPTION_TAP_FD:
                r = sd_bus_message_read(m, "b", &b);
                o->tap_fd = b;
                return r;
        case OPTION_OWNER_PIDFD:
                o->has_owner_pidfd = true;
                return sd_bus_message_read(m, "h", &o->owner_pidfd);       /* borrowed from m */
        case OPTION_NUMA_NODE:
                o->has_numa_node = true;
                r = sd_bus_message_read(m, "i", &o->numa_node);
                if (r >= 0 && o->numa_node < 0)
                        return sd_bus_error_setf(error, NETPOOL_ERROR_INVALID_ARGUMENT, "option 'numa-node': %d is "
                                                 "no NUMA node (0 or more)", o->numa_node);
                return r;
        case OPTION_NUMA_POLICY:
                return read_numa_policy(m, o, error);
        case OPTION_CLAIM:
                r = read_string(m, name, &o->claim, error);
                if (r >= 0 && !port_claim_is_valid(o->claim))
                        return sd_bus_error_set(error, NETPOOL_ERROR_INVALID_ARGUMENT, "option 'claim': 1 to 255 "
                                                "printable ASCII characters");
                return r;
        case OPTION_VFIO_UID:
                o->has_vfio_uid = true;
                r = sd_bus_message_read(m, "u", &o->vfio_uid);
                break;
        case OPTION_VFIO_GID:
                o->has_vfio_gid = true;
                r = sd_bus_message_read(m, "u", &o->vfio_gid);
                break;
        default:
                return sd_bus_message_skip(m, options[key].type);
        }
        if (r >= 0 && (key == OPTION_VFIO_UID ? o->vfio_uid : o->vfio_gid) == UINT32_MAX)
                return sd_bus_error_setf(error, NETPOOL_ERROR_INVALID_ARGUMENT, "option '%s': %u is no %s", name,
                                         UINT32_MAX, key == OPTION_VFIO_UID ? "uid" : "gid");
        return r;
}

/* One {sv} entry: the key known, its value of the key's type, not given before. */
static int read_entry(sd_bus_message *m, bool seen[static _OPTION_MAX], AllocateOptions *o, sd_bus_error *error) {
        const char *name, *contents;
        int key, r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        key = option_key(name);
        if (key < 0)
                return sd_bus_error_setf(error, NETPOOL_ERROR_INVALID_ARGUMENT, "unknown option '%.64s' (known: "
                                         "device, pf, numa-node, numa-policy, claim, owner-pidfd, vfio-uid, "
                                         "vfio-gid, tap-name, tap-fd)", name);
        r = sd_bus_message_peek_type(m, NULL, &contents);
        if (r < 0)
                return r;
        if (!streq_ptr(contents, options[key].type))
                return sd_bus_error_setf(error, NETPOOL_ERROR_INVALID_ARGUMENT, "option '%s' takes a value of type "
                                         "'%s', not '%.16s'", name, options[key].type, contents ?: "");
        if (seen[key])
                return sd_bus_error_setf(error, NETPOOL_ERROR_INVALID_ARGUMENT, "option '%s' given twice", name);
        seen[key] = true;
        if (!options[key].served)
                return sd_bus_error_setf(error, NETPOOL_ERROR_UNSUPPORTED, "option '%s' is not served by this "
                                         "netpoold yet", name);
        r = sd_bus_message_enter_container(m, 'v', contents);
        if (r >= 0)
                r = read_value(m, key, o, error);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r;
}

int bus_read_allocate_options(sd_bus_message *m, AllocateOptions *ret, sd_bus_error *error) {
        bool seen[_OPTION_MAX] = {};
        AllocateOptions o = {};
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = read_entry(m, seen, &o, error);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        if (o.device && o.pf)
                return sd_bus_error_set(error, NETPOOL_ERROR_INVALID_ARGUMENT, "options 'device' and 'pf' exclude "
                                        "each other: a device names its PF already");
        if (o.has_numa_policy && !o.has_numa_node)
                return sd_bus_error_set(error, NETPOOL_ERROR_INVALID_ARGUMENT, "option 'numa-policy' needs "
                                        "'numa-node'");
        *ret = o;
        return 0;
}

static int append_s(sd_bus_message *reply, const char *key, const char *value) {
        if (!value || !value[0])
                return 0;
        return sd_bus_message_append(reply, "{sv}", key, "s", value);
}

static int append_i(sd_bus_message *reply, const char *key, int value) {
        if (value < 0)
                return 0;
        return sd_bus_message_append(reply, "{sv}", key, "i", value);
}

int bus_append_allocate_results(sd_bus_message *reply, Engine *e, const Port *port, bool existing, int tap_fd) {
        PortInfo i;
        int r;

        engine_port_info(e, port, &i);
        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0 && port->claim)    /* where it applies: a request with a claim */
                r = sd_bus_message_append(reply, "{sv}", "existing", "b", existing);
        if (r >= 0)
                r = append_i(reply, "numa-node", i.numa_node);
        if (r >= 0)
                r = append_s(reply, "pf", i.pf);
        if (r >= 0 && i.pf[0])
                r = append_i(reply, "vf-index", i.vf_index);
        if (r >= 0)
                r = append_i(reply, "iommu-group", i.iommu_group);
        if (r >= 0)
                r = append_s(reply, "vfio-group", i.vfio_group);
        if (r >= 0)
                r = append_s(reply, "vfio-device", i.vfio_device);
        if (r >= 0)
                r = append_s(reply, "tap-name", i.tap_name);
        if (r >= 0 && tap_fd >= 0)
                r = sd_bus_message_append(reply, "{sv}", "tap-fd", "h", tap_fd);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}
