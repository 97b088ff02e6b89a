/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.netpool1.Error.* names, shared by netpoold and netpoolctl */
#pragma once

#include <systemd/sd-bus.h>

#define NETPOOL_ERROR_INVALID_XML        "org.netpool1.Error.InvalidXML"
#define NETPOOL_ERROR_INVALID_ARGUMENT   "org.netpool1.Error.InvalidArgument"
#define NETPOOL_ERROR_NO_SUCH_NETWORK    "org.netpool1.Error.NoSuchNetwork"
#define NETPOOL_ERROR_NO_SUCH_PORT       "org.netpool1.Error.NoSuchPort"
#define NETPOOL_ERROR_NETWORK_EXISTS     "org.netpool1.Error.NetworkExists"
#define NETPOOL_ERROR_PORT_EXISTS        "org.netpool1.Error.PortExists"
#define NETPOOL_ERROR_NETWORK_INACTIVE   "org.netpool1.Error.NetworkInactive"
#define NETPOOL_ERROR_NETWORK_ACTIVE     "org.netpool1.Error.NetworkActive"
#define NETPOOL_ERROR_NETWORK_BUSY       "org.netpool1.Error.NetworkBusy"
#define NETPOOL_ERROR_POOL_EXHAUSTED     "org.netpool1.Error.PoolExhausted"
#define NETPOOL_ERROR_DEVICE_BUSY        "org.netpool1.Error.DeviceBusy"
#define NETPOOL_ERROR_DEVICE_NOT_FOUND   "org.netpool1.Error.DeviceNotFound"
#define NETPOOL_ERROR_UNSUPPORTED        "org.netpool1.Error.Unsupported"
#define NETPOOL_ERROR_HARDWARE_ERROR     "org.netpool1.Error.HardwareError"

/* The errno each name maps to, registered with sd_bus_error_add_map() by both programs. */
extern const sd_bus_error_map netpool_error_map[];

/* Register netpool_error_map once per process. */
int netpool_error_map_register(void);
