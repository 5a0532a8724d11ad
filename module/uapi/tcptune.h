/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * tcptune generic netlink interface, shared by the module and tcptunectl.
 *
 * Described by Documentation/netlink/specs/tcptune.yaml; keep both in sync.
 * New commands and attributes are only ever appended.
 */
#ifndef _UAPI_LINUX_TCPTUNE_H
#define _UAPI_LINUX_TCPTUNE_H

#define TCPTUNE_FAMILY_NAME	"tcptune"
#define TCPTUNE_FAMILY_VERSION	1
#define TCPTUNE_MCGRP_EVENTS	"events"

/* Where a parameter applies (TCPTUNE_A_PARAM_SCOPE). */
enum tcptune_scope {
	TCPTUNE_SCOPE_MODULE = 1,	/* module-wide, all namespaces */
	TCPTUNE_SCOPE_NETNS,		/* the requester's network namespace */
};

/* What an event notification reports (TCPTUNE_A_EVENT_KIND). */
enum tcptune_event_kind {
	TCPTUNE_EVENT_PARAM_CHANGED = 1,	/* a config or cc parameter was set */
};

/* One counter, as in /proc/net/tcptune/stats. */
enum {
	TCPTUNE_A_STAT_UNSPEC,
	TCPTUNE_A_STAT_PAD,
	TCPTUNE_A_STAT_NAME,		/* string */
	TCPTUNE_A_STAT_VALUE,		/* u64 */

	__TCPTUNE_A_STAT_MAX,
	TCPTUNE_A_STAT_MAX = __TCPTUNE_A_STAT_MAX - 1
};

/* One tunable: config (module or netns) or congestion control. */
enum {
	TCPTUNE_A_PARAM_UNSPEC,
	TCPTUNE_A_PARAM_NAME,		/* string */
	TCPTUNE_A_PARAM_VALUE,		/* u32 */
	TCPTUNE_A_PARAM_MIN_VALUE,	/* u32, replies only */
	TCPTUNE_A_PARAM_MAX_VALUE,	/* u32, replies only */
	TCPTUNE_A_PARAM_SCOPE,		/* u32, enum tcptune_scope, replies only */
	TCPTUNE_A_PARAM_UNIT,		/* string, replies only */

	__TCPTUNE_A_PARAM_MAX,
	TCPTUNE_A_PARAM_MAX = __TCPTUNE_A_PARAM_MAX - 1
};

/* Top-level attributes. */
enum {
	TCPTUNE_A_UNSPEC,
	TCPTUNE_A_PAD,
	TCPTUNE_A_VERSION,		/* string: module version */
	TCPTUNE_A_KERNEL_RELEASE,	/* string: release the module was built for */
	TCPTUNE_A_STAT,			/* nest, multi: TCPTUNE_A_STAT_* */
	TCPTUNE_A_PARAM,		/* nest, multi: TCPTUNE_A_PARAM_* */
	TCPTUNE_A_EVENT_KIND,		/* u32, enum tcptune_event_kind */
	TCPTUNE_A_NETNS_COOKIE,		/* u64: netns an event comes from */

	__TCPTUNE_A_MAX,
	TCPTUNE_A_MAX = __TCPTUNE_A_MAX - 1
};

enum {
	TCPTUNE_CMD_UNSPEC,
	TCPTUNE_CMD_GET_VERSION,	/* do: version, kernel-release */
	TCPTUNE_CMD_GET_STATS,		/* do: stat* of the requester's netns */
	TCPTUNE_CMD_GET_CONFIG,		/* do: param* (module and netns scope) */
	TCPTUNE_CMD_SET_CONFIG,		/* do: param*, module scope, admin in init userns */
	TCPTUNE_CMD_SET_NETNS_CONFIG,	/* do: param*, netns scope, admin over that netns */
	TCPTUNE_CMD_GET_CC,		/* do: param* of bbrx */
	TCPTUNE_CMD_SET_CC,		/* do: param* of bbrx, admin in init userns */
	TCPTUNE_CMD_EVENT,		/* notification on the "events" group */

	__TCPTUNE_CMD_MAX,
	TCPTUNE_CMD_MAX = __TCPTUNE_CMD_MAX - 1
};

#endif /* _UAPI_LINUX_TCPTUNE_H */
