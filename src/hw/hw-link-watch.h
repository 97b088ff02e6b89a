/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware layer: link change notifications — how netpoold learns that a leased VF's configuration changed
 * outside it (someone ran `ip link set PF vf N mac …`, a driver reset the VF). Linux: rtnetlink's link group
 * (RTM_NEWLINK of the PF carries its VFs); the sim: inotify on the watched VFs' vfstate directories and their
 * netdevs' directories (simhost.md 1.1: such a change is a link change). The watch only says which netdevs
 * changed; the engine reads the VFs and decides whether anything drifted. */
#pragma once

#include <stdbool.h>

#include <glib.h>

#include "hw/hw.h"

typedef struct HwLinkWatch HwLinkWatch;

/* A watch on the backend's link changes. The fd (hw_link_watch_fd) becomes readable when a change may have
 * come; it is non-blocking and close-on-exec. Negative errno when the kernel refuses the socket (-EINVAL
 * without hw or ret, -EOPNOTSUPP for a backend without link changes). hw must outlive the watch. Changes
 * netpoold makes itself are reported too (as rtnetlink announces them): the caller reads and finds no drift. */
int hw_link_watch_new(HwBackend *hw, HwLinkWatch **ret);
HwLinkWatch *hw_link_watch_free(HwLinkWatch *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HwLinkWatch, hw_link_watch_free);

int hw_link_watch_fd(const HwLinkWatch *w);

/* Watch VF `vf` of PF netdev `pf_netdev` (all of its ports' state; its netdev, when it has one now), and
 * stop watching it. Linux needs nothing per VF (the link group carries every link): 0. The sim adds
 * inotify watches; a VF watched twice is watched once, and forgetting stops it once per add. -ENODEV when the
 * VF does not exist (sim). The sim watches the directories there are at the add: when the VF (or its netdev)
 * goes, that is reported once and its watches end; when it comes back, an add (a remove and an add, to keep
 * the count) watches the new ones. After the last remove nothing of the VF is reported, not even what was
 * queued before. */
int hw_link_watch_add_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf);
void hw_link_watch_remove_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf);

/* Drain what the fd has: the names of the netdevs whose link changed are added to `changed` (a set of
 * g_strdup'ed names; for a VF's change, its PF netdev's name, and its own netdev's name where the change was
 * to that netdev). *ret_overflow is set when notifications were lost (ENOBUFS, IN_Q_OVERFLOW): the caller
 * must then look at everything. Returns 0 (also when there was nothing to read) or negative errno.
 *   linux: the name of every link the kernel announced (RTM_NEWLINK, RTM_DELLINK), any link of the host: a
 *          VF setting is its PF's RTM_NEWLINK (sent while the PF is up), a change of the VF's own netdev
 *          names that netdev alone.
 *   sim:   a VF's vfstate change names the PF netdev it was added through (each, if added through both of a
 *          dual-port PF's); a change in its netdev's directory names that netdev (as at the add) and the PF's.
 * `changed` must free its keys (g_hash_table_new_full(…, g_free, NULL)): a name already there is replaced.
 * *ret_overflow is always written: false when nothing was lost. */
int hw_link_watch_read(HwLinkWatch *w, GHashTable *changed, bool *ret_overflow);
