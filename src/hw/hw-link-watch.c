/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware layer: link change notifications, the public entry points validating arguments and dispatching
 * to the backend (hw-sim-watch.c, hw-linux-watch.c) */
#include <errno.h>
#include <unistd.h>

#include <glib.h>

#include "core/names.h"
#include "hw/hw-backend.h"
#include "hw/hw-link-watch.h"

/**
 * hw_link_watch_new() - a watch on the backend's link changes, with nothing per VF watched yet
 * Returns: 0, -EINVAL without hw or ret, -EOPNOTSUPP when the backend has none, or the kernel's -errno
 */
int hw_link_watch_new(HwBackend *hw, HwLinkWatch **ret) {
        g_autoptr(HwLinkWatch) w = NULL;
        int r;

        if (!hw || !ret)
                return -EINVAL;
        if (!hw->ops->watch_new)
                return -EOPNOTSUPP;
        w = g_new0(HwLinkWatch, 1);
        w->hw = hw;
        w->fd = -1;
        r = hw->ops->watch_new(w);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&w);
        return 0;
}

/**
 * hw_link_watch_free() - stop watching, close the fd; takes NULL
 * Returns: NULL
 */
HwLinkWatch *hw_link_watch_free(HwLinkWatch *w) {
        if (!w)
                return NULL;
        if (w->hw->ops->watch_free)
                w->hw->ops->watch_free(w);
        if (w->fd >= 0)
                close(w->fd);
        g_free(w);
        return NULL;
}

/* -1 for NULL */
int hw_link_watch_fd(const HwLinkWatch *w) {
        return w ? w->fd : -1;
}

int hw_link_watch_add_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf) {
        if (!w || !pf_netdev || !netdev_name_is_valid(pf_netdev))
                return -EINVAL;
        if (!w->hw->ops->watch_add_vf)
                return -EOPNOTSUPP;
        return w->hw->ops->watch_add_vf(w, pf_netdev, vf);
}

void hw_link_watch_remove_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf) {
        if (!w || !pf_netdev || !netdev_name_is_valid(pf_netdev) || !w->hw->ops->watch_remove_vf)
                return;
        w->hw->ops->watch_remove_vf(w, pf_netdev, vf);
}

int hw_link_watch_read(HwLinkWatch *w, GHashTable *changed, bool *ret_overflow) {
        bool overflow = false;
        int r;

        if (!w || !changed || !ret_overflow)
                return -EINVAL;
        if (!w->hw->ops->watch_read)
                return -EOPNOTSUPP;
        r = w->hw->ops->watch_read(w, changed, &overflow);
        /* what was lost is lost even when a later read failed */
        *ret_overflow = overflow;
        return r;
}
