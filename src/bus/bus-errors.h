/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.netpool1.Error.* names, shared by netpoold and netpoolctl */
#pragma once

#include <systemd/sd-bus.h>

#include "shared/dbus-api.h"

#define NETPOOL_ERROR_INVALID_XML        NETPOOL_ERROR_PREFIX "InvalidXML"
#define NETPOOL_ERROR_INVALID_ARGUMENT   NETPOOL_ERROR_PREFIX "InvalidArgument"
#define NETPOOL_ERROR_NO_SUCH_NETWORK    NETPOOL_ERROR_PREFIX "NoSuchNetwork"
#define NETPOOL_ERROR_NO_SUCH_PORT       NETPOOL_ERROR_PREFIX "NoSuchPort"
#define NETPOOL_ERROR_NETWORK_EXISTS     NETPOOL_ERROR_PREFIX "NetworkExists"
#define NETPOOL_ERROR_PORT_EXISTS        NETPOOL_ERROR_PREFIX "PortExists"
#define NETPOOL_ERROR_NETWORK_INACTIVE   NETPOOL_ERROR_PREFIX "NetworkInactive"
#define NETPOOL_ERROR_NETWORK_ACTIVE     NETPOOL_ERROR_PREFIX "NetworkActive"
#define NETPOOL_ERROR_NETWORK_BUSY       NETPOOL_ERROR_PREFIX "NetworkBusy"
#define NETPOOL_ERROR_POOL_EXHAUSTED     NETPOOL_ERROR_PREFIX "PoolExhausted"
#define NETPOOL_ERROR_DEVICE_BUSY        NETPOOL_ERROR_PREFIX "DeviceBusy"
#define NETPOOL_ERROR_DEVICE_NOT_FOUND   NETPOOL_ERROR_PREFIX "DeviceNotFound"
#define NETPOOL_ERROR_UNSUPPORTED        NETPOOL_ERROR_PREFIX "Unsupported"
#define NETPOOL_ERROR_HARDWARE_ERROR     NETPOOL_ERROR_PREFIX "HardwareError"

/* The errno each name maps to, registered with sd_bus_error_add_map() by both programs. */
extern const sd_bus_error_map netpool_error_map[];

/* Register netpool_error_map once per process. */
int netpool_error_map_register(void);
