/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <netpool:vf> and <mtu>: parse, check, inherit, format */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

#include "core/vf-params.h"
#include "core/xml-util.h"
#include "shared/macro.h"

VfParams *vf_params_free(VfParams *vp) {
        g_free(vp);
        return NULL;
}

VfParams *vf_params_copy(const VfParams *vp) {
        return vp ? g_memdup2(vp, sizeof(*vp)) : NULL;
}

bool vf_params_is_empty(const VfParams *vp) {
        return !vp || (vp->trust == TRISTATE_ABSENT && vp->spoofchk == TRISTATE_ABSENT && !vp->has_link_state &&
                       !vp->has_vlan_proto && !vp->has_vlan_qos && !vp->has_min_tx_rate && !vp->has_max_tx_rate);
}

/* The nearest of the levels (NULL ones skipped) that gives the attribute */
#define INHERIT_TRISTATE(d, pg, net, field)                                     \
        do {                                                                    \
                if ((d)->field == TRISTATE_ABSENT && (pg))                      \
                        (d)->field = (pg)->field;                               \
                if ((d)->field == TRISTATE_ABSENT && (net))                     \
                        (d)->field = (net)->field;                              \
        } while (0)
#define INHERIT_VALUE(d, pg, net, field)                                        \
        do {                                                                    \
                if (!(d)->has_##field && (pg) && (pg)->has_##field) {           \
                        (d)->has_##field = true;                                \
                        (d)->field = (pg)->field;                               \
                }                                                               \
                if (!(d)->has_##field && (net) && (net)->has_##field) {         \
                        (d)->has_##field = true;                                \
                        (d)->field = (net)->field;                              \
                }                                                               \
        } while (0)

void vf_params_inherit(VfParams **dst, const VfParams *pg, const VfParams *net) {
        VfParams *d;

        if (vf_params_is_empty(pg) && vf_params_is_empty(net))
                return;
        if (!*dst)
                *dst = g_new0(VfParams, 1);
        d = *dst;
        INHERIT_TRISTATE(d, pg, net, trust);
        INHERIT_TRISTATE(d, pg, net, spoofchk);
        INHERIT_VALUE(d, pg, net, link_state);
        INHERIT_VALUE(d, pg, net, vlan_proto);
        INHERIT_VALUE(d, pg, net, vlan_qos);
        INHERIT_VALUE(d, pg, net, min_tx_rate);
        INHERIT_VALUE(d, pg, net, max_tx_rate);
}

const char *vf_params_rule_broken(const VfParams *vp) {
        if (!vp)
                return NULL;
        if (vp->has_vlan_qos && vp->vlan_qos > VF_PARAMS_QOS_MAX)
                return "vlan-qos is above 7";
        if (vp->has_link_state && !vf_link_state_to_string(vp->link_state))
                return "link-state is not one of auto, enable, disable";
        if (vp->has_vlan_proto && !vf_vlan_proto_to_string(vp->vlan_proto))
                return "vlan-protocol is neither 802.1Q nor 802.1ad";
        if (vp->has_min_tx_rate && vp->has_max_tx_rate && vp->max_tx_rate != 0 && vp->min_tx_rate > vp->max_tx_rate)
                return "min-tx-rate is above max-tx-rate";
        return NULL;
}

/* "line N: <netpool:vf>: …" (xml_node_msg() would name it <vf>) */
static char *vf_msg(const xmlNode *node, const char *what, const char *fmt, ...) _printf_(3, 4);
static char *vf_msg(const xmlNode *node, const char *what, const char *fmt, ...) {
        g_autofree char *text = NULL;
        unsigned line = xml_node_line(node);
        va_list ap;

        va_start(ap, fmt);
        text = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        if (line == 0)
                return g_strdup_printf("<%s>: %s", what, text);
        return g_strdup_printf("line %u: <%s>: %s", line, what, text);
}

static int read_yes_no(xmlNode *node, const char *name, Tristate *ret, char **ret_msg) {
        g_autofree char *v = xml_prop(node, name);
        bool b;

        if (!v)
                return 0;
        if (xml_parse_yes_no(v, &b) < 0) {
                *ret_msg = vf_msg(node, "netpool:vf", "%s '%.64s' is neither 'yes' nor 'no'", name, v);
                return -EINVAL;
        }
        *ret = b ? TRISTATE_YES : TRISTATE_NO;
        return 0;
}

static int read_number(xmlNode *node, const char *name, uint64_t max, bool *ret_has, unsigned *ret,
                       char **ret_msg) {
        g_autofree char *v = xml_prop(node, name);
        uint64_t n;

        if (!v)
                return 0;
        if (xml_parse_uint(v, 10, max, &n) < 0) {
                *ret_msg = vf_msg(node, "netpool:vf", "%s '%.64s' is not a number from 0 to %" PRIu64, name, v, max);
                return -EINVAL;
        }
        *ret_has = true;
        *ret = (unsigned) n;
        return 0;
}

static int read_link_state(xmlNode *node, VfParams *vp, char **ret_msg) {
        g_autofree char *v = xml_prop(node, "link-state");

        if (!v)
                return 0;
        vp->link_state = vf_link_state_from_string(v);
        if (vp->link_state < 0) {
                *ret_msg = vf_msg(node, "netpool:vf", "link-state '%.64s' is not one of auto, enable, disable", v);
                return -EINVAL;
        }
        vp->has_link_state = true;
        return 0;
}

static int read_vlan_proto(xmlNode *node, VfParams *vp, char **ret_msg) {
        g_autofree char *v = xml_prop(node, "vlan-protocol");

        if (!v)
                return 0;
        vp->vlan_proto = vf_vlan_proto_from_string(v);
        if (vp->vlan_proto < 0) {
                *ret_msg = vf_msg(node, "netpool:vf", "vlan-protocol '%.64s' is neither '802.1Q' nor '802.1ad'", v);
                return -EINVAL;
        }
        vp->has_vlan_proto = true;
        return 0;
}

static int check_vf_node(xmlNode *node, char **ret_msg) {
        static const char *const attrs[] = { "trust", "spoofchk", "link-state", "min-tx-rate", "max-tx-rate",
                                             "vlan-qos", "vlan-protocol", NULL };

        for (const xmlAttr *a = node->properties; a; a = a->next) {
                bool known = false;

                for (size_t i = 0; attrs[i] && !a->ns; i++)
                        known = known || streq((const char *) a->name, attrs[i]);
                if (!known) {
                        *ret_msg = vf_msg(node, "netpool:vf", "unknown attribute '%s'", (const char *) a->name);
                        return -EINVAL;
                }
        }
        for (const xmlNode *c = node->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE || (c->type == XML_TEXT_NODE && !xmlIsBlankNode((xmlNode *) c))) {
                        *ret_msg = vf_msg(node, "netpool:vf", "holds no content");
                        return -EINVAL;
                }
        return 0;
}

/**
 * vf_params_parse_xml() - read a <netpool:vf> element
 *
 * Returns: 0 with *ret set (an element with no attribute is kept: it was given), or -EINVAL with *ret_msg
 * naming line and element.
 */
int vf_params_parse_xml(xmlNode *node, VfParams **ret, char **ret_msg) {
        g_autoptr(VfParams) vp = g_new0(VfParams, 1);
        const char *problem;
        int r;

        r = check_vf_node(node, ret_msg);
        if (r == 0)
                r = read_yes_no(node, "trust", &vp->trust, ret_msg);
        if (r == 0)
                r = read_yes_no(node, "spoofchk", &vp->spoofchk, ret_msg);
        if (r == 0)
                r = read_link_state(node, vp, ret_msg);
        if (r == 0)
                r = read_vlan_proto(node, vp, ret_msg);
        if (r == 0)
                r = read_number(node, "vlan-qos", VF_PARAMS_QOS_MAX, &vp->has_vlan_qos, &vp->vlan_qos, ret_msg);
        if (r == 0)
                r = read_number(node, "min-tx-rate", VF_PARAMS_RATE_MAX, &vp->has_min_tx_rate, &vp->min_tx_rate,
                                ret_msg);
        if (r == 0)
                r = read_number(node, "max-tx-rate", VF_PARAMS_RATE_MAX, &vp->has_max_tx_rate, &vp->max_tx_rate,
                                ret_msg);
        if (r < 0)
                return r;
        problem = vf_params_rule_broken(vp);
        if (problem) {
                *ret_msg = vf_msg(node, "netpool:vf", "%s", problem);
                return -EINVAL;
        }
        *ret = g_steal_pointer(&vp);
        return 0;
}

int vf_params_parse_mtu_xml(xmlNode *node, unsigned *ret, char **ret_msg) {
        static const char *const attrs[] = { "size", NULL };
        g_autofree char *v = NULL;
        uint64_t n;
        int r;

        r = xml_check_attrs(node, attrs, ret_msg);
        if (r == 0)
                r = xml_check_no_content(node, ret_msg);
        if (r < 0)
                return r;
        v = xml_prop(node, "size");
        if (!v) {
                *ret_msg = xml_node_msg(node, "attribute 'size' is required");
                return -EINVAL;
        }
        if (xml_parse_uint(v, 10, VF_PARAMS_MTU_MAX, &n) < 0 || n < VF_PARAMS_MTU_MIN) {
                *ret_msg = xml_node_msg(node, "size '%.64s' is not an MTU from %u to %u", v, VF_PARAMS_MTU_MIN,
                                        VF_PARAMS_MTU_MAX);
                return -EINVAL;
        }
        *ret = (unsigned) n;
        return 0;
}

static const char *yes_no(Tristate t) {
        return t == TRISTATE_YES ? "yes" : "no";
}

void vf_params_format_xml(const VfParams *vp, GString *out, unsigned indent) {
        if (!vp)
                return;
        xml_append_indent(out, indent);
        g_string_append(out, "<netpool:vf xmlns:netpool='" NETPOOL_XML_NS "'");
        if (vp->trust != TRISTATE_ABSENT)
                xml_append_attr(out, "trust", yes_no(vp->trust));
        if (vp->spoofchk != TRISTATE_ABSENT)
                xml_append_attr(out, "spoofchk", yes_no(vp->spoofchk));
        if (vp->has_link_state)
                xml_append_attr(out, "link-state", vf_link_state_to_string(vp->link_state));
        if (vp->has_min_tx_rate)
                g_string_append_printf(out, " min-tx-rate='%u'", vp->min_tx_rate);
        if (vp->has_max_tx_rate)
                g_string_append_printf(out, " max-tx-rate='%u'", vp->max_tx_rate);
        if (vp->has_vlan_qos)
                g_string_append_printf(out, " vlan-qos='%u'", vp->vlan_qos);
        if (vp->has_vlan_proto)
                xml_append_attr(out, "vlan-protocol", vf_vlan_proto_to_string(vp->vlan_proto));
        g_string_append(out, "/>\n");
}

void vf_params_format_mtu_xml(unsigned mtu, GString *out, unsigned indent) {
        if (mtu == 0)
                return;
        xml_append_indent(out, indent);
        g_string_append_printf(out, "<mtu size='%u'/>\n", mtu);
}

unsigned vf_params_bandwidth_tx_rate(const Bandwidth *bw) {
        const BandwidthRate *out = bw ? bw->outbound : NULL;
        uint64_t kbytes, mbit;

        if (!out || (!out->has_peak && !out->has_average))
                return 0;
        kbytes = out->has_peak ? out->peak : out->average;
        if (kbytes > UINT64_MAX / 8)
                return VF_PARAMS_RATE_MAX;
        mbit = (kbytes * 8 + 999) / 1000;
        return mbit > VF_PARAMS_RATE_MAX ? VF_PARAMS_RATE_MAX : (unsigned) mbit;
}
