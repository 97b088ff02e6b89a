/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The VF settings netpool saves, sets and restores: one struct for their values, one table for what each is
 * (its record attribute, its set through hw, its limits, its words in messages, its place in the restore
 * order). Adding a setting is a row here, its hw ops, its record attribute and docs. */
#pragma once

#include <stdbool.h>

#include "core/hwinfo.h"
#include "hw/hw.h"

/* Apply order: the table's order (vf-setting.c). */
typedef enum VfSettingId {
        VF_SETTING_MAC,                 /* the admin MAC, through the PF */
        VF_SETTING_VLAN,                /* VLAN id and QoS, one request */
        VF_SETTING_VLAN_PROTO,          /* 802.1Q or 802.1ad */
        VF_SETTING_SPOOFCHK,
        VF_SETTING_TRUST,
        VF_SETTING_LINK_STATE,
        VF_SETTING_TX_RATE,             /* min and max TX rate, one request */
        VF_SETTING_MTU,                 /* the MTU of the VF's own netdev */
        VF_SETTING_NETDEV_MAC,          /* the MAC of the VF's own netdev */
        _VF_SETTING_MAX,
} VfSettingId;

#define VF_SETTING_BIT(id) (1u << (id))

/* Values of VF settings; `set` says which are given (VF_SETTING_BIT of each). A setting not given is left as
 * the VF has it. */
typedef struct VfSettings {
        unsigned set;
        char mac[18];                   /* normalized, lower case */
        unsigned vlan, qos;             /* 0: no VLAN */
        VfVlanProto vlan_proto;
        bool spoofchk, trust;
        VfLinkState link_state;
        unsigned min_tx_rate, max_tx_rate;      /* Mbit/s, 0 = no limit */
        unsigned mtu;
        char netdev_mac[18];
} VfSettings;

/* What a VF has now (or had when its record was written): the PF's view and its netdev's. */
typedef struct VfReading {
        VfConfig config;
        bool has_netdev;
        char netdev_mac[18];            /* "" when unknown */
        unsigned netdev_mtu;            /* 0 when unknown */
} VfReading;

/* One VF seen through one PF netdev, and the VF netdev the netdev settings go to. */
typedef struct VfOp {
        HwBackend *hw;
        const char *pf_netdev;
        unsigned vf;
        const char *netdev;             /* NULL: the VF has none now, its netdev settings are skipped */
        bool placeholder;               /* the admin MAC set last was the placeholder (zero MAC refused) */
} VfOp;

typedef struct VfSettingRow {
        VfSettingId id;
        const char *name;               /* in messages: "undoing the MAC failed" */
        const char *attr;               /* its attribute in the VF record (vf-record.c) */
        unsigned restore_rank;          /* restore goes by rank, lowest first */
        bool on_netdev;                 /* set on the VF netdev, not through the PF */
        bool restore_always;            /* set at restore even where it reads as recorded (a read through the
                                         * wrong port of a ConnectX-3 says zeros) */
        bool may_lack;                  /* EOPNOTSUPP: the driver lacks it, no failure at restore */
        const char *crash_apply;        /* crash point after it is set by apply (NULL: none) */
        const char *crash_restore;      /* and by restore */
        int (*check)(const VfSettings *s);                      /* its limits: 0 or -EINVAL */
        int (*set)(VfOp *op, const VfSettings *s);              /* through hw; quirks included */
        void (*get)(VfSettings *s, const VfReading *r);         /* into s, with its bit, where r reports it */
        bool (*same)(const VfSettings *a, const VfSettings *b);
        char *(*describe)(const VfSettings *s);                 /* "MAC 52:54:00:00:00:01", … */
} VfSettingRow;

const VfSettingRow *vf_setting_row(VfSettingId id);
/* The ids in restore order (_VF_SETTING_MAX entries). */
const VfSettingId *vf_setting_restore_order(void);

/* The setting's value in s as words, without its name ("52:54:00:00:00:01" of "MAC 52:54:00:00:00:01"). */
char *vf_setting_value(const VfSettingRow *row, const VfSettings *s);

/* Every setting r reports. */
void vf_settings_from_reading(VfSettings *s, const VfReading *r);
/* 0, or -EINVAL with the id of the first setting out of its limits */
int vf_settings_check(const VfSettings *s, VfSettingId *ret_bad);

/* A MAC that is none is kept as "", which vf_settings_check() refuses. */
void vf_settings_set_mac(VfSettings *s, const char *mac);
void vf_settings_set_vlan(VfSettings *s, unsigned vlan, unsigned qos);

void vf_config_placeholder_mac(const char *pf_netdev, unsigned vf, char buf[static 18]);
