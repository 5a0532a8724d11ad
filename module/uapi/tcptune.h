/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/tcptune.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_TCPTUNE_H
#define _UAPI_LINUX_TCPTUNE_H

#define TCPTUNE_FAMILY_NAME	"tcptune"
#define TCPTUNE_FAMILY_VERSION	1

/**
 * enum tcptune_scope - Where a parameter applies.
 * @TCPTUNE_SCOPE_MODULE: Module-wide, every network namespace.
 * @TCPTUNE_SCOPE_NETNS: Only the requester's network namespace.
 */
enum tcptune_scope {
	TCPTUNE_SCOPE_MODULE = 1,
	TCPTUNE_SCOPE_NETNS,
};

/**
 * enum tcptune_event_kind - What an event notification reports.
 * @TCPTUNE_EVENT_KIND_PARAM_CHANGED: A config or congestion control parameter
 *   was set.
 */
enum tcptune_event_kind {
	TCPTUNE_EVENT_KIND_PARAM_CHANGED = 1,
};

enum {
	TCPTUNE_A_STAT_PAD = 1,
	TCPTUNE_A_STAT_NAME,
	TCPTUNE_A_STAT_VALUE,

	__TCPTUNE_A_STAT_MAX,
	TCPTUNE_A_STAT_MAX = (__TCPTUNE_A_STAT_MAX - 1)
};

enum {
	TCPTUNE_A_PARAM_NAME = 1,
	TCPTUNE_A_PARAM_VALUE,
	TCPTUNE_A_PARAM_MIN_VALUE,
	TCPTUNE_A_PARAM_MAX_VALUE,
	TCPTUNE_A_PARAM_SCOPE,
	TCPTUNE_A_PARAM_UNIT,

	__TCPTUNE_A_PARAM_MAX,
	TCPTUNE_A_PARAM_MAX = (__TCPTUNE_A_PARAM_MAX - 1)
};

enum {
	TCPTUNE_A_PAD = 1,
	TCPTUNE_A_VERSION,
	TCPTUNE_A_KERNEL_RELEASE,
	TCPTUNE_A_STAT,
	TCPTUNE_A_PARAM,
	TCPTUNE_A_EVENT_KIND,
	TCPTUNE_A_NETNS_COOKIE,

	__TCPTUNE_A_MAX,
	TCPTUNE_A_MAX = (__TCPTUNE_A_MAX - 1)
};

enum {
	TCPTUNE_CMD_GET_VERSION = 1,
	TCPTUNE_CMD_GET_STATS,
	TCPTUNE_CMD_GET_CONFIG,
	TCPTUNE_CMD_SET_CONFIG,
	TCPTUNE_CMD_SET_NETNS_CONFIG,
	TCPTUNE_CMD_GET_CC,
	TCPTUNE_CMD_SET_CC,
	TCPTUNE_CMD_EVENT,

	__TCPTUNE_CMD_MAX,
	TCPTUNE_CMD_MAX = (__TCPTUNE_CMD_MAX - 1)
};

#define TCPTUNE_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_TCPTUNE_H */
