/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl network verbs: the verb table and what its files share */
#pragma once

#include <stddef.h>

#include <systemd/sd-bus.h>

#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-verb.h"

/* The network verbs, ending with an entry whose name is NULL. */
extern const Verb network_verbs[];

/* A network as the verbs address it: its object and its own name, for messages. */
typedef struct NetworkRef {
        char *path;
        char *name;
} NetworkRef;

void network_ref_clear(NetworkRef *ref);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NetworkRef, network_ref_clear)

/* LookupNetwork, then the Name property. Prints why on failure and returns -errno. */
int network_resolve(sd_bus *bus, const char *name_or_uuid, NetworkRef *ret);
/* ctl_connect() + network_resolve(), how every per-network verb begins. */
int network_open(Ctl *ctl, const char *name_or_uuid, sd_bus **ret_bus, NetworkRef *ret);

/* The XML in FILE ("-": standard input), at most max_bytes of UTF-8 text, for a bus call. Prints
 * why on failure and returns -errno. */
int read_definition(const char *file, size_t max_bytes, char **ret);

/* The <name> of a <network> document, for messages before the daemon has named it; NULL when
 * the text is not a network document with a name. */
char *network_xml_peek_name(const char *xml);

/* netpoolctl-network-list.c: the read-only listings */
int verb_list(Ctl *ctl, const VerbArgs *args);
int verb_info(Ctl *ctl, const VerbArgs *args);
int verb_devices(Ctl *ctl, const VerbArgs *args);
