/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Linux backend: link change notifications from rtnetlink's link group. A plain netlink socket rather than
 * libnl's: only the name of each link announced is wanted, and ENOBUFS (messages lost) must stay tellable
 * from a lack of memory, which libnl folds into one code. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "hw/hw-backend.h"
#include "hw/hw-linux-private.h"

/* The kernel announces every link change of the host (a PF's carries its VFs): a burst at a driver reload
 * must not overflow the queue between two reads. */
#define LINK_WATCH_RCVBUF (4 * 1024 * 1024)
/* One datagram: RTM_NEWLINK announcements carry no VF list (that needs RTEXT_FILTER_VF), a few KiB at most */
#define LINK_WATCH_MSG_MAX (64 * 1024)

int linux_watch_new(HwLinkWatch *w) {
        struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
        int fd, size = LINK_WATCH_RCVBUF, group = RTNLGRP_LINK;

        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        w->fd = fd;
        /* FORCE passes rmem_max where netpoold has CAP_NET_ADMIN; without it, what rmem_max allows */
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
                (void) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
        if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
                return -errno;
        if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
                return -errno;
        return 0;
}

/* The IFLA_IFNAME of an RTM_NEWLINK/RTM_DELLINK, NULL when it has none */
static const char *link_message_name(const struct nlmsghdr *h) {
        const struct ifinfomsg *ifi = NLMSG_DATA(h);
        int len = (int) h->nlmsg_len - (int) NLMSG_LENGTH(sizeof(*ifi));

        if (len < 0)
                return NULL;
        for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
                const char *name = RTA_DATA(a);
                size_t size = RTA_PAYLOAD(a);

                /* the kernel's IFLA_IFNAME ends in its NUL, inside the payload */
                if (a->rta_type == IFLA_IFNAME && size > 0 && memchr(name, '\0', size))
                        return name;
        }
        return NULL;
}

static void add_link_names(const void *buf, size_t len, GHashTable *changed) {
        for (const struct nlmsghdr *h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
                const char *name;

                if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
                        continue;
                name = link_message_name(h);
                if (name && name[0] != '\0')
                        g_hash_table_add(changed, g_strdup(name));
        }
}

int linux_watch_read(HwLinkWatch *w, GHashTable *changed, bool *ret_overflow) {
        g_autofree char *buf = g_malloc(LINK_WATCH_MSG_MAX);

        for (;;) {
                struct sockaddr_nl from = {};
                struct iovec iov = { .iov_base = buf, .iov_len = LINK_WATCH_MSG_MAX };
                struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
                                      .msg_iovlen = 1 };
                ssize_t n = recvmsg(w->fd, &msg, 0);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        if (errno == ENOBUFS) {
                                *ret_overflow = true;   /* the socket stays usable: read on */
                                continue;
                        }
                        return -errno;
                }
                if (msg.msg_flags & MSG_TRUNC) {
                        *ret_overflow = true;           /* a link we could not read whole */
                        continue;
                }
                if (from.nl_pid != 0)
                        continue;                       /* only the kernel announces links */
                add_link_names(buf, (size_t) n, changed);
        }
}

/* The link group carries every link: nothing to do per VF */
int linux_watch_add_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf) {
        return 0;
}

void linux_watch_remove_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf) {
}
