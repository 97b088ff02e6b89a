/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <netpool:vf> and <mtu>: the VF settings a <network>, <portgroup> or <networkport> gives (dbus-api.md,
 * "VF settings from the XML"). Each attribute is inherited on its own: port, else portgroup, else network. */
#pragma once

#include <stdbool.h>

#include <glib.h>
#include <libxml/tree.h>

#include "core/hwinfo.h"
#include "core/virt-params.h"

/* The largest rate netpool takes (the kernel's IFLA_VF_RATE is 32 bits of Mbit/s) */
#define VF_PARAMS_RATE_MAX UINT32_MAX
#define VF_PARAMS_QOS_MAX 7
/* <mtu size=>: the smallest an IPv4 link has, the largest an IP packet can be */
#define VF_PARAMS_MTU_MIN 68u
#define VF_PARAMS_MTU_MAX 65535u

/* <netpool:vf>: each attribute given or not (has_* / TRISTATE_ABSENT) */
typedef struct VfParams {
        Tristate trust, spoofchk;
        bool has_link_state, has_vlan_proto, has_vlan_qos, has_min_tx_rate, has_max_tx_rate;
        VfLinkState link_state;
        VfVlanProto vlan_proto;
        unsigned vlan_qos;                      /* 0–7 */
        unsigned min_tx_rate, max_tx_rate;      /* Mbit/s; 0 = no limit */
} VfParams;

VfParams *vf_params_free(VfParams *vp);
VfParams *vf_params_copy(const VfParams *vp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfParams, vf_params_free);

/* Whether any attribute is given. */
bool vf_params_is_empty(const VfParams *vp);

/* Fill what *dst lacks from the nearest of pg and net that gives it, attribute by attribute (each may be
 * NULL; *dst is made when a level gives something). */
void vf_params_inherit(VfParams **dst, const VfParams *pg, const VfParams *net);

/* The rule vp breaks (min-tx-rate above a max-tx-rate that limits), or NULL. For a definition built by hand
 * and for a chain after inheritance; the parser checks the same. */
const char *vf_params_rule_broken(const VfParams *vp);

/* Parse <netpool:vf …/>. Messages name the element as "<netpool:vf>" with its line. */
int vf_params_parse_xml(xmlNode *node, VfParams **ret, char **ret_msg);
/* <mtu size='N'/>: N in VF_PARAMS_MTU_MIN–VF_PARAMS_MTU_MAX. */
int vf_params_parse_mtu_xml(xmlNode *node, unsigned *ret, char **ret_msg);

/* Append the element with its namespace declaration, indented (nothing when vp is NULL or empty). */
void vf_params_format_xml(const VfParams *vp, GString *out, unsigned indent);
/* <mtu size='N'/>; nothing when mtu is 0 */
void vf_params_format_mtu_xml(unsigned mtu, GString *out, unsigned indent);

/* A <bandwidth>'s outbound limit as a VF's max TX rate: peak, else average, kilobytes/s (1 KB = 1000 bytes)
 * to Mbit/s rounded up (12500 → 100). 0 when bw gives none. */
unsigned vf_params_bandwidth_tx_rate(const Bandwidth *bw);
