/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where tcptune adapts to the kernel it is built for.
 *
 * Differences are detected from the kernel's headers, never from version
 * numbers: either a macro the headers define, or a TCPTUNE_HAVE_* flag set
 * by compat-probe.sh, which greps the headers at build time.
 */
#ifndef _TCPTUNE_COMPAT_H
#define _TCPTUNE_COMPAT_H

#include <linux/netlink.h>

/*
 * cong_control() gained the ACK sequence and flags in 6.10. bbrx declares its
 * hook with TCPTUNE_CONG_CONTROL(name) and uses only sk and rs.
 */
#ifdef TCPTUNE_HAVE_CONG_CONTROL_ACK_FLAG
#define TCPTUNE_CONG_CONTROL(fn) \
	void fn(struct sock *sk, u32 ack, int flag, const struct rate_sample *rs)
#else
#define TCPTUNE_CONG_CONTROL(fn) \
	void fn(struct sock *sk, const struct rate_sample *rs)
#endif

/*
 * Formatted extack messages (6.2+). Older kernels only carry a static
 * string, so callers give both: the formatted text and a static fallback.
 */
#ifdef NL_SET_ERR_MSG_ATTR_FMT
#define TCPTUNE_ERR_ATTR(extack, attr, static_msg, fmt, args...) \
	NL_SET_ERR_MSG_ATTR_FMT(extack, attr, fmt, ##args)
#else
#define TCPTUNE_ERR_ATTR(extack, attr, static_msg, fmt, args...) \
	NL_SET_ERR_MSG_ATTR(extack, attr, static_msg)
#endif

/* The attributes of a dump request, parsed with the op's policy. */
#ifdef TCPTUNE_HAVE_GENL_INFO_DUMP
#define tcptune_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define tcptune_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

#endif /* _TCPTUNE_COMPAT_H */
