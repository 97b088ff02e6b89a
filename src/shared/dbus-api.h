/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The names of netpool's D-Bus API (dbus-api.md): the bus name, object paths, interfaces, method flags and
 * the prefix of its error names. One list for the daemon's bus layer, netpoolctl and the tests' stand-in. */
#pragma once

#include <stdint.h>

#define NETPOOL_BUS_NAME         "org.netpool1"
#define NETPOOL_API_VERSION      "1.1"                          /* Manager.APIVersion: the contract's version */
#define NETPOOL_MANAGER_PATH     "/org/netpool1"
#define NETPOOL_NETWORK_PREFIX   "/org/netpool1/network"        /* + "/" + the encoded network name */
#define NETPOOL_PORT_PREFIX      "/org/netpool1/port"           /* + "/" + the encoded port UUID */
#define NETPOOL_DEVICE_PREFIX    "/org/netpool1/device"         /* + "/" + the encoded device id */
#define NETPOOL_MANAGER_IFACE    "org.netpool1.Manager"
#define NETPOOL_NETWORK_IFACE    "org.netpool1.Network"
#define NETPOOL_PORT_IFACE       "org.netpool1.Port"
#define NETPOOL_DEVICE_IFACE     "org.netpool1.Device"
#define NETPOOL_STATISTICS_IFACE "org.netpool1.Statistics"

/* org.netpool1.Error. + a name of bus/bus-errors.h */
#define NETPOOL_ERROR_PREFIX     "org.netpool1.Error."

/* Method flags; every method takes a trailing t flags, and 0 is the default everywhere */
#define NETPOOL_STOP_FLAG_FORCE       UINT64_C(1)       /* Network.Stop: release the ports first */
#define NETPOOL_GETXML_FLAG_INACTIVE  UINT64_C(1)       /* Network.GetXML: the definition as stored */
