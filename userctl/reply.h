/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing of tcptune replies and event notifications.
 *
 * Each parser takes one generic netlink message whose length has already
 * been checked against the datagram holding it (nl_process_reply() and
 * nl_process_notifications() do that) and does no I/O, so tests and
 * fuzzers can drive it directly. Unknown attributes are skipped, so that an
 * old tcptunectl works with a newer module; a known attribute of the wrong
 * size, a string without its NUL or a nest missing a required member makes
 * the message malformed: -EPROTO.
 */
#ifndef TCPTUNECTL_REPLY_H
#define TCPTUNECTL_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* GET_VERSION. Owns its strings; NULL when the kernel did not send one. */
struct tt_version {
	char *version;
	char *kernel_release;
};

/* GET_STATS: counters in the order the kernel sent them. */
struct tt_stat {
	char *name;
	uint64_t value;
};

struct tt_stats {
	struct tt_stat *v;
	size_t n;
	size_t cap;
};

/* Which members of a tt_param were present. */
enum {
	TT_PARAM_NAME	= 1 << 0,
	TT_PARAM_VALUE	= 1 << 1,
	TT_PARAM_MIN	= 1 << 2,
	TT_PARAM_MAX	= 1 << 3,
	TT_PARAM_SCOPE	= 1 << 4,
	TT_PARAM_UNIT	= 1 << 5,
};

/* Required in GET_CONFIG / GET_CC replies (the unit is optional). */
#define TT_PARAM_REQ_SHOW	(TT_PARAM_NAME | TT_PARAM_VALUE | TT_PARAM_MIN | \
				 TT_PARAM_MAX | TT_PARAM_SCOPE)
/* Required in a param-changed event. */
#define TT_PARAM_REQ_EVENT	(TT_PARAM_NAME | TT_PARAM_VALUE | TT_PARAM_SCOPE)

/* One TCPTUNE_A_PARAM nest. unit is NULL when absent. */
struct tt_param {
	const char *name;
	const char *unit;
	uint32_t value;
	uint32_t min;
	uint32_t max;
	uint32_t scope;		/* enum tcptune_scope */
	unsigned int present;	/* TT_PARAM_* */
};

/* GET_CONFIG / GET_CC: parameters in kernel order; owns the strings. */
struct tt_params {
	struct tt_param *v;
	size_t n;
	size_t cap;
};

/* An EVENT notification; param's strings point into the message. */
struct tt_event {
	uint32_t kind;		/* enum tcptune_event_kind */
	bool has_netns_cookie;
	uint64_t netns_cookie;
	bool has_param;
	struct tt_param param;
};

/* Parsers: 0, -EPROTO (malformed) or -ENOMEM. Replies append to @out. */
int tt_parse_version(const struct nlmsghdr *nlh, struct tt_version *out);
int tt_parse_stats(const struct nlmsghdr *nlh, struct tt_stats *out);
int tt_parse_params(const struct nlmsghdr *nlh, struct tt_params *out);
/* Also -ENOMSG when @nlh is a message of the family but not an event. */
int tt_parse_event(const struct nlmsghdr *nlh, struct tt_event *out);

void tt_version_free(struct tt_version *v);
void tt_stats_free(struct tt_stats *s);
void tt_params_free(struct tt_params *p);

const struct tt_param *tt_params_find(const struct tt_params *p,
				      const char *name);

#endif /* TCPTUNECTL_REPLY_H */
