/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VLAN, virtualport and bandwidth: the parameter blocks shared by <network>, <portgroup> and <networkport> */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <libxml/tree.h>

typedef enum Tristate {
        TRISTATE_ABSENT = 0,
        TRISTATE_YES,
        TRISTATE_NO,
} Tristate;

typedef enum VlanNativeMode {
        VLAN_NATIVE_NONE = 0,
        VLAN_NATIVE_TAGGED,
        VLAN_NATIVE_UNTAGGED,
} VlanNativeMode;

typedef struct VlanTag {
        unsigned id;                    /* 0 – VLAN_ID_MAX (core/names.h) */
        VlanNativeMode native_mode;
} VlanTag;

typedef struct Vlan {
        Tristate trunk;                 /* <vlan trunk=> */
        GArray *tags;                   /* VlanTag; at least one */
} Vlan;

typedef enum VirtualPortType {
        VIRTUALPORT_NONE = 0,           /* <virtualport> without type: inherits one */
        VIRTUALPORT_8021QBG,
        VIRTUALPORT_8021QBH,
        VIRTUALPORT_OPENVSWITCH,
        VIRTUALPORT_MIDONET,
        _VIRTUALPORT_TYPE_MAX,
        _VIRTUALPORT_TYPE_INVALID = -EINVAL,
} VirtualPortType;

/* NONE <-> "" (written as no type attribute) */
const char *virtualport_type_to_string(VirtualPortType t);
/* Only the four named types; "" is not a type. */
VirtualPortType virtualport_type_from_string(const char *s);

typedef struct VirtualPort {
        VirtualPortType type;
        /* <parameters> attributes as given (validated), NULL when absent */
        char *managerid;
        char *typeid;
        char *typeidversion;
        char *instanceid;
        char *profileid;
        char *interfaceid;
} VirtualPort;

typedef struct BandwidthRate {
        bool has_average, has_peak, has_burst, has_floor;
        uint64_t average, peak, burst, floor;   /* kbytes/s, kbytes/s, kbytes, kbytes/s */
} BandwidthRate;

typedef struct Bandwidth {
        BandwidthRate *inbound;         /* NULL when absent */
        BandwidthRate *outbound;        /* NULL when absent */
} Bandwidth;

Vlan *vlan_free(Vlan *v);
Vlan *vlan_copy(const Vlan *v);
VirtualPort *virtualport_free(VirtualPort *vp);
VirtualPort *virtualport_copy(const VirtualPort *vp);
Bandwidth *bandwidth_free(Bandwidth *bw);
Bandwidth *bandwidth_copy(const Bandwidth *bw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Vlan, vlan_free);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VirtualPort, virtualport_free);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Bandwidth, bandwidth_free);

/* Whether every parameter given applies to type (802.1Qbg: managerid, typeid, typeidversion,
 * instanceid; 802.1Qbh: profileid; openvswitch: profileid, interfaceid; midonet: interfaceid;
 * NONE: all). The first one that does not goes to *ret_param (may be NULL). */
bool virtualport_params_fit_type(const VirtualPort *vp, VirtualPortType type, const char **ret_param);

/* The rule a block breaks, or NULL when it keeps them all: for a definition built by hand; the
 * parsers check the same rules. virtualport_check() returns a g_malloc'd message. */
const char *vlan_rule_broken(const Vlan *v);
char *virtualport_check(const VirtualPort *vp);
const char *bandwidth_rule_broken(const Bandwidth *bw);

/* Parse one element (<vlan>, <virtualport>, <bandwidth>); shared with the port XML parser. */
int vlan_parse_xml(xmlNode *node, Vlan **ret, char **ret_msg);
int virtualport_parse_xml(xmlNode *node, VirtualPort **ret, char **ret_msg);
int bandwidth_parse_xml(xmlNode *node, Bandwidth **ret, char **ret_msg);

/* Append the element, indented by indent spaces, as libvirt formats it. */
void vlan_format_xml(const Vlan *v, GString *out, unsigned indent);
void virtualport_format_xml(const VirtualPort *vp, GString *out, unsigned indent);
void bandwidth_format_xml(const Bandwidth *bw, GString *out, unsigned indent);
