/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal raw generic netlink for the selftests: no library, so a test can
 * build any message, well-formed or not, and see the kernel's exact answer
 * (errno and extack message).
 */
#ifndef _TCPTUNE_NL_LIB_H
#define _TCPTUNE_NL_LIB_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/time.h>

#include "uapi/tcptune.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NL_BUF_SIZE (64 * 1024)

#define NLA_DATA(na)	((void *)((char *)(na) + NLA_HDRLEN))
#define NLA_LEN(na)	((int)(na)->nla_len - NLA_HDRLEN)

/* Iterate over the well-formed attributes in [data, data + len). */
#define nla_for_each(pos, data, len, rem)				\
	for (pos = (struct nlattr *)(data), rem = (len);		\
	     rem >= (int)sizeof(*pos) && pos->nla_len >= sizeof(*pos) &&	\
	     pos->nla_len <= rem;					\
	     rem -= NLA_ALIGN(pos->nla_len),				\
	     pos = (struct nlattr *)((char *)pos + NLA_ALIGN(pos->nla_len)))

/* A message under construction. */
struct nl_msg {
	char buf[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t len;
};

/* The kernel's answer to one request. */
struct nl_answer {
	int error;			/* 0 or -errno */
	char extack[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	char attrs[NL_BUF_SIZE];	/* first reply's attributes */
	int attrs_len;			/* -1 if no reply message */
};

static inline void nl_msg_init(struct nl_msg *m, uint16_t type, uint8_t cmd,
			       uint8_t version)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = NLMSG_DATA(nlh);

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g->cmd = cmd;
	g->version = version;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

/* Append an attribute; returns its offset, for nl_nest_end(). */
static inline size_t nl_put(struct nl_msg *m, uint16_t type, const void *data,
			    size_t len)
{
	struct nlattr *na = (struct nlattr *)(m->buf + m->len);
	size_t off = m->len;

	na->nla_type = type;
	na->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	memset(m->buf + m->len + NLA_HDRLEN + len, 0,
	       NLA_ALIGN(na->nla_len) - na->nla_len);
	m->len += NLA_ALIGN(na->nla_len);
	return off;
}

static inline size_t nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	return nl_put(m, type, &v, sizeof(v));
}

static inline size_t nl_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	return nl_put(m, type, s, strlen(s) + 1);
}

static inline size_t nl_nest_start(struct nl_msg *m, uint16_t type)
{
	return nl_put(m, type | NLA_F_NESTED, NULL, 0);
}

static inline void nl_nest_end(struct nl_msg *m, size_t off)
{
	((struct nlattr *)(m->buf + off))->nla_len = m->len - off;
}

/* A generic netlink socket asking for extack messages. */
static inline int nl_open(void)
{
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

static inline void nl_parse_error(const struct nlmsghdr *nlh,
				  struct nl_answer *a)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	const struct nlattr *na;
	size_t off;
	int rem;

	a->error = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (off >= nlh->nlmsg_len)
		return;
	nla_for_each(na, (const char *)nlh + off, (int)(nlh->nlmsg_len - off),
		     rem)
		if (na->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(a->extack, sizeof(a->extack), "%.*s",
				 NLA_LEN(na), (const char *)NLA_DATA(na));
}

/*
 * Send @len bytes of @m (a length other than m->len sends a truncated or
 * padded message on purpose) and collect the answer. Returns a->error.
 */
static inline int nl_send_raw(int fd, struct nl_msg *m, size_t len,
			      struct nl_answer *a)
{
	static uint32_t seq;
	static char buf[NL_BUF_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	ssize_t n;

	a->error = -ENODATA;
	a->extack[0] = '\0';
	a->attrs_len = -1;
	nlh->nlmsg_seq = ++seq;
	if (!nlh->nlmsg_len)
		nlh->nlmsg_len = m->len;
	if (send(fd, m->buf, len, 0) < 0)
		return a->error = -errno;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return a->error = -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				nl_parse_error(nlh, a);
				return a->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)	/* end of a dump */
				return a->error = 0;
			if (a->attrs_len < 0) {
				int l = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

				if (l < 0 || l > (int)sizeof(a->attrs))
					return a->error = -EMSGSIZE;
				memcpy(a->attrs, (char *)NLMSG_DATA(nlh) +
				       GENL_HDRLEN, l);
				a->attrs_len = l;
			}
		}
	}
}

static inline int nl_send(int fd, struct nl_msg *m, struct nl_answer *a)
{
	((struct nlmsghdr *)m->buf)->nlmsg_len = m->len;
	return nl_send_raw(fd, m, m->len, a);
}

/* The id of a generic netlink family, or -errno. */
static inline int nl_family_id(int fd, const char *name)
{
	static struct nl_answer a;
	struct nl_msg m;
	struct nlattr *na;
	int rem;

	nl_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	nl_put_str(&m, CTRL_ATTR_FAMILY_NAME, name);
	if (nl_send(fd, &m, &a))
		return a.error;
	nla_for_each(na, a.attrs, a.attrs_len, rem)
		if (na->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)NLA_DATA(na);
	return -ENOENT;
}

/* Load tcptune unless it is loaded; 0 when it is there. */
static inline int nl_load_tcptune(void)
{
	if (access("/sys/module/tcptune", F_OK) == 0)
		return 0;
	if (system("/sbin/modprobe tcptune") != 0)
		return -1;
	return access("/sys/module/tcptune", F_OK);
}

/* ---- tcptune requests shared by the C selftests ---------------------------- */

/* The id of multicast group @group of family @family, or -errno. */
static inline int nl_group_id(int fd, const char *family, const char *group)
{
	static struct nl_answer a;
	struct nlattr *na, *grp, *ga;
	int rem, rem2, rem3, id;
	const char *name;
	struct nl_msg m;

	nl_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	nl_put_str(&m, CTRL_ATTR_FAMILY_NAME, family);
	if (nl_send(fd, &m, &a))
		return a.error;
	nla_for_each(na, a.attrs, a.attrs_len, rem) {
		if ((na->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		nla_for_each(grp, NLA_DATA(na), NLA_LEN(na), rem2) {
			name = NULL;
			id = -1;
			nla_for_each(ga, NLA_DATA(grp), NLA_LEN(grp), rem3) {
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
					name = NLA_DATA(ga);
				else if (ga->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					id = *(uint32_t *)NLA_DATA(ga);
			}
			if (name && id >= 0 && !strcmp(name, group))
				return id;
		}
	}
	return -ENOENT;
}

static inline int open_family(int *family)
{
	struct timeval tv = { .tv_sec = 5 };
	int fd = nl_open();

	if (fd < 0)
		return -1;
	/* A request the kernel drops without answering must not hang us. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*family = nl_family_id(fd, TCPTUNE_FAMILY_NAME);
	return *family < 0 ? -1 : fd;
}

/* Request setting one parameter. */
static inline void set_req(struct nl_msg *m, int family, uint8_t cmd,
		    const char *name, uint32_t value)
{
	size_t nest;

	nl_msg_init(m, family, cmd, TCPTUNE_FAMILY_VERSION);
	nest = nl_nest_start(m, TCPTUNE_A_PARAM);
	nl_put_str(m, TCPTUNE_A_PARAM_NAME, name);
	nl_put_u32(m, TCPTUNE_A_PARAM_VALUE, value);
	nl_nest_end(m, nest);
}

/* Current value of a config parameter, or -1. */
static inline long get_param(int fd, int family, const char *name)
{
	static struct nl_answer a;
	struct nlattr *p, *na;
	struct nl_msg m;
	int rem, rem2;
	long val;

	nl_msg_init(&m, family, TCPTUNE_CMD_GET_CONFIG, TCPTUNE_FAMILY_VERSION);
	if (nl_send(fd, &m, &a))
		return -1;
	nla_for_each(p, a.attrs, a.attrs_len, rem) {
		if ((p->nla_type & NLA_TYPE_MASK) != TCPTUNE_A_PARAM)
			continue;
		const char *pname = NULL;

		val = -1;
		nla_for_each(na, NLA_DATA(p), NLA_LEN(p), rem2) {
			if (na->nla_type == TCPTUNE_A_PARAM_NAME)
				pname = NLA_DATA(na);
			else if (na->nla_type == TCPTUNE_A_PARAM_VALUE)
				val = *(uint32_t *)NLA_DATA(na);
		}
		if (pname && !strcmp(pname, name))
			return val;
	}
	return -1;
}

static inline int try_set(int fd, int family, uint8_t cmd, const char *name,
		   uint32_t value)
{
	static struct nl_answer a;
	struct nl_msg m;

	set_req(&m, family, cmd, name, value);
	return nl_send(fd, &m, &a);
}

/* Current value of a counter of the requester's netns, or -1. */
static inline long long get_stat(int fd, int family, const char *name)
{
	static struct nl_answer a;
	struct nlattr *st, *na;
	const char *sname;
	struct nl_msg m;
	long long val;
	int rem, rem2;

	nl_msg_init(&m, family, TCPTUNE_CMD_GET_STATS, TCPTUNE_FAMILY_VERSION);
	if (nl_send(fd, &m, &a))
		return -1;
	nla_for_each(st, a.attrs, a.attrs_len, rem) {
		if ((st->nla_type & NLA_TYPE_MASK) != TCPTUNE_A_STAT)
			continue;
		sname = NULL;
		val = -1;
		nla_for_each(na, NLA_DATA(st), NLA_LEN(st), rem2) {
			if (na->nla_type == TCPTUNE_A_STAT_NAME)
				sname = NLA_DATA(na);
			else if (na->nla_type == TCPTUNE_A_STAT_VALUE)
				val = *(uint64_t *)NLA_DATA(na);
		}
		if (sname && !strcmp(sname, name))
			return val;
	}
	return -1;
}

#endif /* _TCPTUNE_NL_LIB_H */
