/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VLAN, virtualport and bandwidth blocks: parse, check, format, copy, free */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/names.h"
#include "core/virt-params.h"
#include "core/xml-util.h"

#define QBG_MANAGERID_MAX 0xff
#define QBG_TYPEID_MAX 0xffffff
#define QBG_TYPEIDVERSION_MAX 0xff
#define PROFILEID_LEN_MAX 39            /* the kernel's port profile holds 40 bytes with the NUL */

static const char *const virtualport_type_names[_VIRTUALPORT_TYPE_MAX] = {
        [VIRTUALPORT_NONE] = "",
        [VIRTUALPORT_8021QBG] = "802.1Qbg",
        [VIRTUALPORT_8021QBH] = "802.1Qbh",
        [VIRTUALPORT_OPENVSWITCH] = "openvswitch",
        [VIRTUALPORT_MIDONET] = "midonet",
};

const char *virtualport_type_to_string(VirtualPortType t) {
        if (t < 0 || t >= _VIRTUALPORT_TYPE_MAX)
                return NULL;
        return virtualport_type_names[t];
}

/* "" is not a type: an untyped <virtualport> has no type attribute at all */
VirtualPortType virtualport_type_from_string(const char *s) {
        if (!s)
                return _VIRTUALPORT_TYPE_INVALID;
        for (int t = VIRTUALPORT_8021QBG; t < _VIRTUALPORT_TYPE_MAX; t++)
                if (streq(s, virtualport_type_names[t]))
                        return (VirtualPortType) t;
        return _VIRTUALPORT_TYPE_INVALID;
}

/* ---- VLAN ---- */

Vlan *vlan_free(Vlan *v) {
        if (!v)
                return NULL;
        if (v->tags)
                g_array_unref(v->tags);
        g_free(v);
        return NULL;
}

static Vlan *vlan_new(void) {
        Vlan *v = g_new0(Vlan, 1);

        v->tags = g_array_new(FALSE, TRUE, sizeof(VlanTag));
        return v;
}

Vlan *vlan_copy(const Vlan *v) {
        Vlan *c;

        if (!v)
                return NULL;
        c = vlan_new();
        c->trunk = v->trunk;
        g_array_append_vals(c->tags, v->tags->data, v->tags->len);
        return c;
}

static int vlan_tag_parse(xmlNode *node, VlanTag *ret, char **ret_msg) {
        static const char *const attrs[] = { "id", "nativeMode", NULL };
        g_autofree char *id = xml_prop(node, "id");
        g_autofree char *native = xml_prop(node, "nativeMode");
        uint64_t v;
        VlanTag tag = {};
        int r;

        r = xml_check_attrs(node, attrs, ret_msg);
        if (r < 0)
                return r;
        r = xml_check_no_content(node, ret_msg);
        if (r < 0)
                return r;
        if (!id) {
                *ret_msg = xml_node_msg(node, "attribute 'id' is required");
                return -EINVAL;
        }
        if (xml_parse_uint(id, 10, VLAN_ID_MAX, &v) < 0) {
                *ret_msg = xml_node_msg(node, "id '%s' is not a VLAN id (0–%d)", id, VLAN_ID_MAX);
                return -EINVAL;
        }
        tag.id = (unsigned) v;
        if (native && streq(native, "tagged"))
                tag.native_mode = VLAN_NATIVE_TAGGED;
        else if (native && streq(native, "untagged"))
                tag.native_mode = VLAN_NATIVE_UNTAGGED;
        else if (native) {
                *ret_msg = xml_node_msg(node, "nativeMode '%s' is neither 'tagged' nor 'untagged'", native);
                return -EINVAL;
        }
        *ret = tag;
        return 0;
}

static int vlan_parse_tags(xmlNode *node, Vlan *v, char **ret_msg) {
        for (xmlNode *c = node->children; c; c = c->next) {
                VlanTag tag;
                int r;

                r = xml_check_child_kind(node, c, ret_msg);
                if (r < 0)
                        return r;
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (!streq((const char *) c->name, "tag")) {
                        *ret_msg = xml_node_msg(c, "unknown element in <vlan>");
                        return -EINVAL;
                }
                r = vlan_tag_parse(c, &tag, ret_msg);
                if (r < 0)
                        return r;
                g_array_append_val(v->tags, tag);
        }
        return 0;
}

/* libvirt's rules: several tags make a trunk, which trunk='no' contradicts; one native VLAN */
const char *vlan_rule_broken(const Vlan *v) {
        unsigned natives = 0;

        if (!v->tags || v->tags->len == 0)
                return "at least one <tag> is required";
        for (unsigned i = 0; i < v->tags->len; i++) {
                const VlanTag *t = &g_array_index(v->tags, VlanTag, i);

                if (t->id > VLAN_ID_MAX)
                        return "a VLAN id is 0–" G_STRINGIFY(VLAN_ID_MAX);
                if (t->native_mode != VLAN_NATIVE_NONE)
                        natives++;
        }
        if (natives > 1)
                return "only one <tag> may have nativeMode";
        if (v->trunk == TRISTATE_NO && v->tags->len > 1)
                return "trunk='no' with several tags; more than one tag needs trunk='yes'";
        if (v->trunk == TRISTATE_NO && natives > 0)
                return "trunk='no' contradicts a native VLAN (nativeMode)";
        return NULL;
}

/**
 * vlan_parse_xml() - read a <vlan> element
 *
 * Returns: 0, or -EINVAL with a g_malloc'd *ret_msg naming the element, its line and the rule.
 */
int vlan_parse_xml(xmlNode *node, Vlan **ret, char **ret_msg) {
        static const char *const attrs[] = { "trunk", NULL };
        g_autoptr(Vlan) v = vlan_new();
        g_autofree char *trunk = xml_prop(node, "trunk");
        const char *problem;
        int r;

        r = xml_check_attrs(node, attrs, ret_msg);
        if (r < 0)
                return r;
        if (trunk) {
                bool b;

                if (xml_parse_yes_no(trunk, &b) < 0) {
                        *ret_msg = xml_node_msg(node, "trunk '%s' is neither 'yes' nor 'no'", trunk);
                        return -EINVAL;
                }
                v->trunk = b ? TRISTATE_YES : TRISTATE_NO;
        }
        r = vlan_parse_tags(node, v, ret_msg);
        if (r < 0)
                return r;
        problem = vlan_rule_broken(v);
        if (problem) {
                *ret_msg = xml_node_msg(node, "%s", problem);
                return -EINVAL;
        }
        *ret = g_steal_pointer(&v);
        return 0;
}

void vlan_format_xml(const Vlan *v, GString *out, unsigned indent) {
        if (!v)
                return;
        xml_append_indent(out, indent);
        g_string_append(out, "<vlan");
        /* as libvirt: several tags are a trunk even when the attribute was left out */
        if (v->trunk == TRISTATE_YES || (v->trunk == TRISTATE_ABSENT && v->tags->len > 1))
                g_string_append(out, " trunk='yes'");
        else if (v->trunk == TRISTATE_NO)
                g_string_append(out, " trunk='no'");
        g_string_append(out, ">\n");
        for (unsigned i = 0; i < v->tags->len; i++) {
                const VlanTag *t = &g_array_index(v->tags, VlanTag, i);

                xml_append_indent(out, indent + 2);
                g_string_append_printf(out, "<tag id='%u'", t->id);
                if (t->native_mode == VLAN_NATIVE_TAGGED)
                        g_string_append(out, " nativeMode='tagged'");
                else if (t->native_mode == VLAN_NATIVE_UNTAGGED)
                        g_string_append(out, " nativeMode='untagged'");
                g_string_append(out, "/>\n");
        }
        xml_append_indent(out, indent);
        g_string_append(out, "</vlan>\n");
}

/* ---- virtualport ---- */

VirtualPort *virtualport_free(VirtualPort *vp) {
        if (!vp)
                return NULL;
        g_free(vp->managerid);
        g_free(vp->typeid);
        g_free(vp->typeidversion);
        g_free(vp->instanceid);
        g_free(vp->profileid);
        g_free(vp->interfaceid);
        g_free(vp);
        return NULL;
}

VirtualPort *virtualport_copy(const VirtualPort *vp) {
        VirtualPort *c;

        if (!vp)
                return NULL;
        c = g_new0(VirtualPort, 1);
        c->type = vp->type;
        c->managerid = g_strdup(vp->managerid);
        c->typeid = g_strdup(vp->typeid);
        c->typeidversion = g_strdup(vp->typeidversion);
        c->instanceid = g_strdup(vp->instanceid);
        c->profileid = g_strdup(vp->profileid);
        c->interfaceid = g_strdup(vp->interfaceid);
        return c;
}

/* One <parameters> attribute: where it lives in VirtualPort, which types have it, how it is checked */
typedef enum ParamKind {
        PARAM_UINT,
        PARAM_UUID,
        PARAM_PROFILE,
} ParamKind;

typedef struct ParamInfo {
        const char *name;
        size_t offset;
        ParamKind kind;
        uint64_t max;
        unsigned types;                 /* bit mask of VirtualPortType */
} ParamInfo;

#define TYPE_BIT(t) (1u << (t))

static const ParamInfo param_table[] = {
        { "managerid", offsetof(VirtualPort, managerid), PARAM_UINT, QBG_MANAGERID_MAX,
          TYPE_BIT(VIRTUALPORT_8021QBG) },
        { "typeid", offsetof(VirtualPort, typeid), PARAM_UINT, QBG_TYPEID_MAX,
          TYPE_BIT(VIRTUALPORT_8021QBG) },
        { "typeidversion", offsetof(VirtualPort, typeidversion), PARAM_UINT, QBG_TYPEIDVERSION_MAX,
          TYPE_BIT(VIRTUALPORT_8021QBG) },
        { "instanceid", offsetof(VirtualPort, instanceid), PARAM_UUID, 0,
          TYPE_BIT(VIRTUALPORT_8021QBG) },
        { "profileid", offsetof(VirtualPort, profileid), PARAM_PROFILE, 0,
          TYPE_BIT(VIRTUALPORT_8021QBH) | TYPE_BIT(VIRTUALPORT_OPENVSWITCH) },
        { "interfaceid", offsetof(VirtualPort, interfaceid), PARAM_UUID, 0,
          TYPE_BIT(VIRTUALPORT_OPENVSWITCH) | TYPE_BIT(VIRTUALPORT_MIDONET) },
};

static char **param_slot(VirtualPort *vp, const ParamInfo *p) {
        return (char **) ((uint8_t *) vp + p->offset);
}

static const char *param_value(const VirtualPort *vp, const ParamInfo *p) {
        return *(char *const *) ((const uint8_t *) vp + p->offset);
}

static const ParamInfo *param_lookup(const char *name) {
        for (size_t i = 0; i < G_N_ELEMENTS(param_table); i++)
                if (streq(name, param_table[i].name))
                        return &param_table[i];
        return NULL;
}

/* NULL when value is right for the parameter, else the g_malloc'd rule it breaks */
static char *param_value_problem(const ParamInfo *p, const char *value) {
        uint64_t v;

        switch (p->kind) {
        case PARAM_UINT:
                if (xml_parse_uint(value, 0, p->max, &v) < 0)
                        return g_strdup_printf("%s '%s' is not a number from 0 to %" PRIu64,
                                               p->name, value, p->max);
                return NULL;
        case PARAM_UUID:
                if (!uuid_is_valid(value))
                        return g_strdup_printf("%s '%s' is not a UUID", p->name, value);
                return NULL;
        case PARAM_PROFILE:
                if (value[0] == 0 || strlen(value) > PROFILEID_LEN_MAX)
                        return g_strdup_printf("%s '%s' must have 1 to %d characters",
                                               p->name, value, PROFILEID_LEN_MAX);
                return NULL;
        }
        return g_strdup_printf("%s: unknown kind of parameter", p->name);
}

/* true when a parameter may be given to this type; an untyped virtualport takes any */
static bool param_allowed(const ParamInfo *p, VirtualPortType type) {
        return type == VIRTUALPORT_NONE || (p->types & TYPE_BIT(type));
}

static int virtualport_parse_parameters(xmlNode *node, VirtualPort *vp, char **ret_msg) {
        int r;

        r = xml_check_no_content(node, ret_msg);
        if (r < 0)
                return r;
        for (const xmlAttr *a = node->properties; a; a = a->next) {
                const ParamInfo *p = a->ns ? NULL : param_lookup((const char *) a->name);
                g_autofree char *value = NULL, *problem = NULL;

                if (!p) {
                        *ret_msg = xml_node_msg(node, "unknown attribute '%s'", (const char *) a->name);
                        return -EINVAL;
                }
                if (!param_allowed(p, vp->type)) {
                        *ret_msg = xml_node_msg(node, "parameter '%s' does not apply to virtualport type '%s'",
                                                p->name, virtualport_type_to_string(vp->type));
                        return -EINVAL;
                }
                if (*param_slot(vp, p)) {
                        *ret_msg = xml_node_msg(node, "parameter '%s' given twice", p->name);
                        return -EINVAL;
                }
                value = xml_prop(node, p->name);
                problem = param_value_problem(p, value);
                if (problem) {
                        *ret_msg = xml_node_msg(node, "%s", problem);
                        return -EINVAL;
                }
                *param_slot(vp, p) = g_steal_pointer(&value);
        }
        return 0;
}

static int virtualport_parse_children(xmlNode *node, VirtualPort *vp, char **ret_msg) {
        bool seen = false;

        for (xmlNode *c = node->children; c; c = c->next) {
                int r = xml_check_child_kind(node, c, ret_msg);

                if (r < 0)
                        return r;
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (!streq((const char *) c->name, "parameters")) {
                        *ret_msg = xml_node_msg(c, "unknown element in <virtualport>");
                        return -EINVAL;
                }
                if (seen) {
                        *ret_msg = xml_node_msg(c, "given more than once");
                        return -EINVAL;
                }
                seen = true;
                r = virtualport_parse_parameters(c, vp, ret_msg);
                if (r < 0)
                        return r;
        }
        return 0;
}

/**
 * virtualport_parse_xml() - read a <virtualport> element with its <parameters>
 *
 * Parameters are kept as given (libvirt drops some when it formats); each is checked against the
 * type and its value range.
 * Returns: 0, or -EINVAL with a g_malloc'd *ret_msg naming the element, its line and the rule.
 */
int virtualport_parse_xml(xmlNode *node, VirtualPort **ret, char **ret_msg) {
        static const char *const attrs[] = { "type", NULL };
        g_autoptr(VirtualPort) vp = g_new0(VirtualPort, 1);
        g_autofree char *type = xml_prop(node, "type");
        int r;

        r = xml_check_attrs(node, attrs, ret_msg);
        if (r < 0)
                return r;
        if (type) {
                vp->type = virtualport_type_from_string(type);
                if (vp->type < 0) {
                        *ret_msg = xml_node_msg(node, "type '%s' is not one of 802.1Qbg, 802.1Qbh, "
                                                "openvswitch, midonet", type);
                        return -EINVAL;
                }
        }
        r = virtualport_parse_children(node, vp, ret_msg);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&vp);
        return 0;
}

/* Whether a virtualport's parameters all apply to type (for an untyped one that inherits it). */
bool virtualport_params_fit_type(const VirtualPort *vp, VirtualPortType type, const char **ret_param) {
        for (size_t i = 0; i < G_N_ELEMENTS(param_table); i++) {
                if (param_value(vp, &param_table[i]) && !param_allowed(&param_table[i], type)) {
                        if (ret_param)
                                *ret_param = param_table[i].name;
                        return false;
                }
        }
        return true;
}

char *virtualport_check(const VirtualPort *vp) {
        const char *param = NULL;

        if (vp->type < 0 || vp->type >= _VIRTUALPORT_TYPE_MAX)
                return g_strdup_printf("unknown virtualport type %d", (int) vp->type);
        for (size_t i = 0; i < G_N_ELEMENTS(param_table); i++) {
                const char *v = param_value(vp, &param_table[i]);

                if (v) {
                        char *problem = param_value_problem(&param_table[i], v);

                        if (problem)
                                return problem;
                }
        }
        if (!virtualport_params_fit_type(vp, vp->type, &param))
                return g_strdup_printf("parameter '%s' does not apply to virtualport type '%s'",
                                       param, virtualport_type_to_string(vp->type));
        return NULL;
}

void virtualport_format_xml(const VirtualPort *vp, GString *out, unsigned indent) {
        bool has_params = false;

        if (!vp)
                return;
        for (size_t i = 0; i < G_N_ELEMENTS(param_table); i++)
                has_params = has_params || param_value(vp, &param_table[i]);
        xml_append_indent(out, indent);
        g_string_append(out, "<virtualport");
        if (vp->type != VIRTUALPORT_NONE)
                xml_append_attr(out, "type", virtualport_type_to_string(vp->type));
        if (!has_params) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        xml_append_indent(out, indent + 2);
        g_string_append(out, "<parameters");
        for (size_t i = 0; i < G_N_ELEMENTS(param_table); i++) {
                const char *v = param_value(vp, &param_table[i]);

                if (v)
                        xml_append_attr(out, param_table[i].name, v);
        }
        g_string_append(out, "/>\n");
        xml_append_indent(out, indent);
        g_string_append(out, "</virtualport>\n");
}

/* ---- bandwidth ---- */

Bandwidth *bandwidth_free(Bandwidth *bw) {
        if (!bw)
                return NULL;
        g_free(bw->inbound);
        g_free(bw->outbound);
        g_free(bw);
        return NULL;
}

Bandwidth *bandwidth_copy(const Bandwidth *bw) {
        Bandwidth *c;

        if (!bw)
                return NULL;
        c = g_new0(Bandwidth, 1);
        c->inbound = bw->inbound ? g_memdup2(bw->inbound, sizeof(BandwidthRate)) : NULL;
        c->outbound = bw->outbound ? g_memdup2(bw->outbound, sizeof(BandwidthRate)) : NULL;
        return c;
}

static int rate_read_attr(xmlNode *node, const char *name, bool *ret_has, uint64_t *ret, char **ret_msg) {
        g_autofree char *s = xml_prop(node, name);

        if (!s)
                return 0;
        if (xml_parse_uint(s, 10, UINT64_MAX, ret) < 0) {
                *ret_msg = xml_node_msg(node, "%s '%s' is not a non-negative decimal number", name, s);
                return -EINVAL;
        }
        *ret_has = true;
        return 0;
}

static const char *rate_rule_broken(const BandwidthRate *rate, bool inbound) {
        if (rate->has_floor && !inbound)
                return "<outbound> has no floor; a floor is only guaranteed inbound";
        if (!rate->has_average && !rate->has_floor)
                return inbound ? "<inbound> needs attribute 'average' or 'floor'"
                               : "<outbound> needs attribute 'average'";
        if ((rate->has_peak || rate->has_burst) && !rate->has_average)
                return "'peak' and 'burst' need 'average'";
        return NULL;
}

const char *bandwidth_rule_broken(const Bandwidth *bw) {
        const char *problem = NULL;

        if (bw->inbound)
                problem = rate_rule_broken(bw->inbound, true);
        if (!problem && bw->outbound)
                problem = rate_rule_broken(bw->outbound, false);
        return problem;
}

static int rate_parse(xmlNode *node, bool inbound, BandwidthRate **ret, char **ret_msg) {
        static const char *const in_attrs[] = { "average", "peak", "burst", "floor", NULL };
        static const char *const out_attrs[] = { "average", "peak", "burst", NULL };
        g_autofree BandwidthRate *rate = g_new0(BandwidthRate, 1);
        const char *problem;
        int r;

        r = xml_check_attrs(node, inbound ? in_attrs : out_attrs, ret_msg);
        if (r == 0)
                r = xml_check_no_content(node, ret_msg);
        if (r == 0)
                r = rate_read_attr(node, "average", &rate->has_average, &rate->average, ret_msg);
        if (r == 0)
                r = rate_read_attr(node, "peak", &rate->has_peak, &rate->peak, ret_msg);
        if (r == 0)
                r = rate_read_attr(node, "burst", &rate->has_burst, &rate->burst, ret_msg);
        if (r == 0)
                r = rate_read_attr(node, "floor", &rate->has_floor, &rate->floor, ret_msg);
        if (r < 0)
                return r;
        problem = rate_rule_broken(rate, inbound);
        if (problem) {
                *ret_msg = xml_node_msg(node, "%s", problem);
                return -EINVAL;
        }
        *ret = g_steal_pointer(&rate);
        return 0;
}

static int bandwidth_parse_child(xmlNode *c, Bandwidth *bw, char **ret_msg) {
        bool inbound = streq((const char *) c->name, "inbound");
        BandwidthRate **slot;

        if (!inbound && !streq((const char *) c->name, "outbound")) {
                *ret_msg = xml_node_msg(c, "unknown element in <bandwidth>");
                return -EINVAL;
        }
        slot = inbound ? &bw->inbound : &bw->outbound;
        if (*slot) {
                *ret_msg = xml_node_msg(c, "given more than once");
                return -EINVAL;
        }
        return rate_parse(c, inbound, slot, ret_msg);
}

/**
 * bandwidth_parse_xml() - read a <bandwidth> element
 *
 * Returns: 0, or -EINVAL with a g_malloc'd *ret_msg naming the element, its line and the rule.
 */
int bandwidth_parse_xml(xmlNode *node, Bandwidth **ret, char **ret_msg) {
        g_autoptr(Bandwidth) bw = g_new0(Bandwidth, 1);
        int r;

        r = xml_check_attrs(node, NULL, ret_msg);
        if (r < 0)
                return r;
        for (xmlNode *c = node->children; c; c = c->next) {
                r = xml_check_child_kind(node, c, ret_msg);
                if (r < 0)
                        return r;
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                r = bandwidth_parse_child(c, bw, ret_msg);
                if (r < 0)
                        return r;
        }
        *ret = g_steal_pointer(&bw);
        return 0;
}

static void rate_format(const char *name, const BandwidthRate *rate, GString *out, unsigned indent) {
        xml_append_indent(out, indent);
        g_string_append_printf(out, "<%s", name);
        /* libvirt's order */
        if (rate->has_average)
                g_string_append_printf(out, " average='%" PRIu64 "'", rate->average);
        if (rate->has_peak)
                g_string_append_printf(out, " peak='%" PRIu64 "'", rate->peak);
        if (rate->has_floor)
                g_string_append_printf(out, " floor='%" PRIu64 "'", rate->floor);
        if (rate->has_burst)
                g_string_append_printf(out, " burst='%" PRIu64 "'", rate->burst);
        g_string_append(out, "/>\n");
}

/* An empty <bandwidth/> says nothing, so (as libvirt) it is not written. */
void bandwidth_format_xml(const Bandwidth *bw, GString *out, unsigned indent) {
        if (!bw || (!bw->inbound && !bw->outbound))
                return;
        xml_append_indent(out, indent);
        g_string_append(out, "<bandwidth>\n");
        if (bw->inbound)
                rate_format("inbound", bw->inbound, out, indent + 2);
        if (bw->outbound)
                rate_format("outbound", bw->outbound, out, indent + 2);
        xml_append_indent(out, indent);
        g_string_append(out, "</bandwidth>\n");
}
