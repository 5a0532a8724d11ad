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
 *   was set: sent in every netns for a module-scope parameter, in its own for
 *   a netns one.
 * @TCPTUNE_EVENT_KIND_LISTEN_OVERFLOW: A listener started dropping or
 *   cookie-answering connection requests (rate-limited per listener and queue
 *   by event_interval_ms).
 * @TCPTUNE_EVENT_KIND_TW_EXHAUSTION: TIME_WAIT sockets towards one destination
 *   reached tw_warn_pct percent of ip_local_port_range (rate-limited per
 *   destination by event_interval_ms).
 * @TCPTUNE_EVENT_KIND_TW_OVERFLOW: A socket could not enter TIME_WAIT because
 *   tcp_max_tw_buckets was reached (TCPTimeWaitOverflow; rate-limited per
 *   namespace by event_interval_ms).
 */
enum tcptune_event_kind {
	TCPTUNE_EVENT_KIND_PARAM_CHANGED = 1,
	TCPTUNE_EVENT_KIND_LISTEN_OVERFLOW,
	TCPTUNE_EVENT_KIND_TW_EXHAUSTION,
	TCPTUNE_EVENT_KIND_TW_OVERFLOW,
};

/**
 * enum tcptune_listener_state - Whether a listener still listens.
 * @TCPTUNE_LISTENER_STATE_LISTEN: Listening.
 * @TCPTUNE_LISTENER_STATE_CLOSED: Closed recently; kept for a while with its
 *   final counters (listeners_closed_max, listeners_closed_age_ms).
 */
enum tcptune_listener_state {
	TCPTUNE_LISTENER_STATE_LISTEN = 1,
	TCPTUNE_LISTENER_STATE_CLOSED,
};

/**
 * enum tcptune_overflow_kind - Which queue of a listener overflowed.
 * @TCPTUNE_OVERFLOW_KIND_ACCEPT_QUEUE: Accept queue full (ListenOverflows).
 * @TCPTUNE_OVERFLOW_KIND_SYN_QUEUE: SYN queue full (TCPReqQFullDrop or
 *   TCPReqQFullDoCookies).
 */
enum tcptune_overflow_kind {
	TCPTUNE_OVERFLOW_KIND_ACCEPT_QUEUE = 1,
	TCPTUNE_OVERFLOW_KIND_SYN_QUEUE,
};

/**
 * enum tcptune_timewait_by - Which breakdown of TIME_WAIT sockets a
 *   get-timewait row belongs to.
 * @TCPTUNE_TIMEWAIT_BY_LOCAL: By local address and port.
 * @TCPTUNE_TIMEWAIT_BY_REMOTE: By remote address and port, with the share of
 *   the local port range.
 * @TCPTUNE_TIMEWAIT_BY_AGE: By time left before the socket expires.
 */
enum tcptune_timewait_by {
	TCPTUNE_TIMEWAIT_BY_LOCAL = 1,
	TCPTUNE_TIMEWAIT_BY_REMOTE,
	TCPTUNE_TIMEWAIT_BY_AGE,
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
	TCPTUNE_A_LISTENER,
	TCPTUNE_A_LISTEN_PORT,
	TCPTUNE_A_TIMEWAIT,
	TCPTUNE_A_TIMEWAIT_BY,
	TCPTUNE_A_TIMEWAIT_TOP,

	__TCPTUNE_A_MAX,
	TCPTUNE_A_MAX = (__TCPTUNE_A_MAX - 1)
};

enum {
	TCPTUNE_A_LISTENER_PAD = 1,
	TCPTUNE_A_LISTENER_FAMILY,
	TCPTUNE_A_LISTENER_ADDR,
	TCPTUNE_A_LISTENER_PORT,
	TCPTUNE_A_LISTENER_STATE,
	TCPTUNE_A_LISTENER_BACKLOG,
	TCPTUNE_A_LISTENER_ACCEPTQ,
	TCPTUNE_A_LISTENER_SYNQ,
	TCPTUNE_A_LISTENER_LISTEN_OVERFLOWS,
	TCPTUNE_A_LISTENER_LISTEN_DROPS,
	TCPTUNE_A_LISTENER_REQQ_FULL_DROP,
	TCPTUNE_A_LISTENER_REQQ_FULL_DO_COOKIES,
	TCPTUNE_A_LISTENER_SYNCOOKIES_SENT,
	TCPTUNE_A_LISTENER_SYNACK_RETRANS,
	TCPTUNE_A_LISTENER_OVERFLOW_KIND,
	TCPTUNE_A_LISTENER_COUNT,

	__TCPTUNE_A_LISTENER_MAX,
	TCPTUNE_A_LISTENER_MAX = (__TCPTUNE_A_LISTENER_MAX - 1)
};

enum {
	TCPTUNE_A_TIMEWAIT_PAD = 1,
	TCPTUNE_A_TIMEWAIT_KIND,
	TCPTUNE_A_TIMEWAIT_FAMILY,
	TCPTUNE_A_TIMEWAIT_ADDR,
	TCPTUNE_A_TIMEWAIT_PORT,
	TCPTUNE_A_TIMEWAIT_COUNT,
	TCPTUNE_A_TIMEWAIT_PORT_RANGE,
	TCPTUNE_A_TIMEWAIT_PCT100,
	TCPTUNE_A_TIMEWAIT_AGE_MIN_S,
	TCPTUNE_A_TIMEWAIT_AGE_MAX_S,
	TCPTUNE_A_TIMEWAIT_MAX_BUCKETS,

	__TCPTUNE_A_TIMEWAIT_MAX,
	TCPTUNE_A_TIMEWAIT_MAX = (__TCPTUNE_A_TIMEWAIT_MAX - 1)
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
	TCPTUNE_CMD_GET_LISTENERS,
	TCPTUNE_CMD_GET_TIMEWAIT,

	__TCPTUNE_CMD_MAX,
	TCPTUNE_CMD_MAX = (__TCPTUNE_CMD_MAX - 1)
};

#define TCPTUNE_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_TCPTUNE_H */
