/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Store: persistent definitions, autostart marks and live state on disk */
#pragma once

#include <stdbool.h>

#include <glib.h>

#include "core/network.h"
#include "core/port.h"

/* Layout:
 *   CONFIG/<name>.xml              persistent definition (as given)
 *   CONFIG/autostart/<name>        autostart mark (empty file)
 *   STATE/networks/<name>.xml      live state of an active network: <networkstatus> with the live
 *                                  <network> and its <pool>
 *   STATE/ports/<uuid>.xml         port record: <portstatus> with the port and the VFs it configured
 *   STATE/vf/<PF netdev>_vf<N>     a VF's original configuration (core/vf-record.h)
 *   STATE/autostarted              written once autostart ran since boot (STATE is a tmpfs)
 * Every file is written atomically (a temporary file renamed over the name), and names come only from
 * validated names. Durability is decided per directory: CONFIG holds what must survive a power loss, so its
 * files and directories are fsynced too; STATE (a tmpfs, emptied by a reboot anyway) must survive a crash of
 * the daemon, which the rename alone gives. */
typedef struct Store {
        char *config_dir;
        char *state_dir;
        char *autostart_dir;
        char *live_dir;
        char *ports_dir;
        char *vf_dir;
        char *vlan_dir;                 /* STATE/vlan: one empty file per VLAN device netpoold created */
} Store;

/* Creates the directories when missing. */
int store_open(const char *config_dir, const char *state_dir, Store **ret);
Store *store_free(Store *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Store, store_free);

int store_save_definition(Store *s, const NetDef *def);
int store_remove_definition(Store *s, const char *name);
int store_set_autostart(Store *s, const char *name, bool on);
int store_save_live(Store *s, const Network *n);
int store_remove_live(Store *s, const char *name);

/* Port records, by validated UUID. */
int store_save_port(Store *s, const Port *p);
int store_remove_port(Store *s, const char *uuid);
/* Every port record (Port*, owned by the array); damaged ones are described in notes. */
int store_load_ports(Store *s, GPtrArray *ports, GPtrArray *notes);

/* Reads every definition and live state into networks (Network*, owned by the array). A file that
 * cannot be read or parsed is left alone and described in notes; loading goes on. */
int store_load(Store *s, GPtrArray *networks, GPtrArray *notes);

int store_parse_live(const char *text, NetDef **ret_def, Pool **ret_pool, char **ret_msg);

/* Autostart runs once per boot: true until store_mark_autostarted() was called since the state dir
 * was created. */
bool store_autostart_pending(Store *s);
int store_mark_autostarted(Store *s);

typedef enum StoreFile {
        STORE_FILE_DEFINITION,          /* name: a network */
        STORE_FILE_AUTOSTART,           /* name: a network */
        STORE_FILE_LIVE,                /* name: a network */
        STORE_FILE_PORT,                /* name: a port UUID */
        STORE_FILE_VLAN_DEVICE,         /* name: a VLAN device netpoold created */
} StoreFile;

/* VLAN devices netpoold created (under hybrid ports' macvtaps): marked before the device is made, unmarked
 * after it is deleted, so that one the administrator made is never deleted and one of ours never leaks.
 * name must be a valid netdev name (-EINVAL). */
int store_mark_vlan_device(Store *s, const char *name);
int store_unmark_vlan_device(Store *s, const char *name);
bool store_vlan_device_marked(Store *s, const char *name);
/* The marked names (char*), sorted. */
GPtrArray *store_list_vlan_devices(Store *s);

/* The path of one of the store's files, for messages that name it. */
char *store_file_path(const Store *s, StoreFile kind, const char *name);
