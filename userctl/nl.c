// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing for tcptunectl, see nl.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"

#define MAX_ERRNO	4095

static int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* An error code as found in a message: 0, -errno, or -EPROTO if bogus. */
static int msg_errno(int e)
{
	if (e == 0 || (e < 0 && e >= -MAX_ERRNO))
		return e;
	return -EPROTO;
}

void nl_close(struct nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->sbuf);
	free(nl->rbuf);
	memset(nl, 0, sizeof(*nl));
}

int nl_open(struct nl *nl)
{
	int one = 1;
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->sbuf = malloc(NL_BUF_SIZE);
	nl->rbuf = malloc(NL_BUF_SIZE);
	if (!nl->sbuf || !nl->rbuf) {
		err = -ENOMEM;
		goto fail;
	}

	nl->sk = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sk) {
		err = neg_errno();
		goto fail;
	}
	/* Both are optional: without them errors are only less helpful. */
	(void)mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));

	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = neg_errno();
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (uint32_t)time(NULL);
	return 0;

fail:
	nl_close(nl);
	return err;
}

int nl_join_group(struct nl *nl, uint32_t group)
{
	int grp = (int)group;

	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return neg_errno();
	return 0;
}

struct nlmsghdr *nl_genl_msg(struct nl *nl, uint16_t type, uint8_t cmd,
			     uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->sbuf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/*
 * Extended ack TLVs, @off bytes into the payload of an NLMSG_ERROR (see
 * netlink_ack()) or NLMSG_DONE (see netlink_dump_done()) message.
 */
static void nl_parse_extack(const struct nlmsghdr *nlh, size_t off,
			    struct nl_ack *ack)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    MNL_ALIGN(off) >= mnl_nlmsg_get_payload_len(nlh))
		return;

	mnl_attr_for_each(attr, nlh, off) {
		switch (mnl_attr_get_type(attr)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				break;
			snprintf(ack->msg, sizeof(ack->msg), "%s",
				 mnl_attr_get_str(attr));
			ack->has_msg = ack->msg[0] != '\0';
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				break;
			ack->off = mnl_attr_get_u32(attr);
			ack->has_off = true;
			break;
#ifdef NLMSGERR_ATTR_MISS_TYPE
		case NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				break;
			ack->miss_type = mnl_attr_get_u32(attr);
			ack->has_miss_type = true;
			break;
#endif
		default:
			break;
		}
	}
}

static int nl_parse_error(const struct nlmsghdr *nlh, struct nl_ack *ack)
{
	const struct nlmsgerr *err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
		return -EPROTO;
	err = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_flags & NLM_F_CAPPED)
		nl_parse_extack(nlh, sizeof(*err), ack);
	else if (err->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		/* The whole request is echoed before the TLVs. */
		nl_parse_extack(nlh, sizeof(*err) + err->msg.nlmsg_len -
				     sizeof(struct nlmsghdr), ack);
	ack->error = msg_errno(err->error);
	return ack->error;
}

static int nl_parse_done(const struct nlmsghdr *nlh, struct nl_ack *ack)
{
	int e = 0;

	/* The kernel checks a dump's consistency again when it ends. */
	ack->dump_intr = nlh->nlmsg_flags & NLM_F_DUMP_INTR;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(e)) {
		memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
		nl_parse_extack(nlh, sizeof(e), ack);
	}
	ack->error = msg_errno(e);
	return ack->error;
}

/*
 * Whether a whole message starts at @nlh, @left bytes before the end of the
 * datagram. Unlike mnl_nlmsg_ok(), this takes no length for negative, and
 * it counts the padding: the kernel always sends it, and the attribute
 * iterators read up to the aligned end of the message.
 */
static bool msg_ok(const struct nlmsghdr *nlh, size_t left)
{
	return left >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       MNL_ALIGN((size_t)nlh->nlmsg_len) <= left;
}

static const struct nlmsghdr *msg_next(const struct nlmsghdr *nlh,
				       size_t *left)
{
	size_t step = MNL_ALIGN((size_t)nlh->nlmsg_len);

	*left -= step;
	return (const struct nlmsghdr *)((const char *)nlh + step);
}

int nl_process_reply(const void *buf, size_t len, uint32_t seq, uint16_t type,
		     nl_msg_cb cb, void *data, struct nl_ack *ack)
{
	const struct nlmsghdr *nlh = buf;
	size_t left = len;
	int err;

	for (; msg_ok(nlh, left); nlh = msg_next(nlh, &left)) {
		/* Not an answer to this request: stale, or not for us. */
		if (nlh->nlmsg_seq != seq)
			continue;

		switch (nlh->nlmsg_type) {
		case NLMSG_ERROR:
			return nl_parse_error(nlh, ack);
		case NLMSG_DONE:
			return nl_parse_done(nlh, ack);
		default:
			break;
		}
		if (nlh->nlmsg_type != type || !cb)
			continue;
		err = cb(nlh, data);
		if (err)
			return err < 0 ? err : -EINVAL;
	}

	/* Bytes that do not form a whole message. */
	return left ? -EPROTO : 1;
}

int nl_process_notifications(const void *buf, size_t len, nl_msg_cb cb,
			     void *data)
{
	const struct nlmsghdr *nlh = buf;
	size_t left = len;
	int err;

	for (; msg_ok(nlh, left); nlh = msg_next(nlh, &left)) {
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue;
		err = cb(nlh, data);
		if (err)
			return err < 0 ? err : -EINVAL;
	}
	return left ? -EPROTO : 0;
}

int nl_request(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb, void *data)
{
	ssize_t len;
	int ret = 1;

	memset(&nl->ack, 0, sizeof(nl->ack));
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = ++nl->seq;
	req->nlmsg_pid = 0;

	if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0)
		return neg_errno();

	do {
		len = mnl_socket_recvfrom(nl->sk, nl->rbuf, NL_BUF_SIZE);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return neg_errno();
		}
		ret = nl_process_reply(nl->rbuf, len, req->nlmsg_seq,
				       req->nlmsg_type, cb, data, &nl->ack);
	} while (len < 0 || ret > 0);

	return ret;
}

struct family_req {
	const char *mcgrp;
	struct nl_family *fam;
	bool found;
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_req *req = data;
	int err;

	err = nl_parse_family(nlh, req->mcgrp, req->fam);
	if (!err)
		req->found = true;
	return err;
}

int nl_resolve_family(struct nl *nl, const char *name, const char *mcgrp,
		      struct nl_family *fam)
{
	struct family_req req = { .mcgrp = mcgrp, .fam = fam };
	struct nlmsghdr *nlh;
	int err;

	memset(fam, 0, sizeof(*fam));
	nlh = nl_genl_msg(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	if (!mnl_attr_put_strz_check(nlh, NL_BUF_SIZE, CTRL_ATTR_FAMILY_NAME,
				     name))
		return -ENAMETOOLONG;

	err = nl_request(nl, nlh, family_cb, &req);
	if (err)
		return err;
	/* Acked without saying anything: not a controller we understand. */
	return req.found ? 0 : -EPROTO;
}

/* One CTRL_ATTR_MCAST_GROUPS entry; records it if it is named @want. */
static int nl_parse_mcgrp(const struct nlattr *grp, const char *want,
			  struct nl_family *fam)
{
	const struct nlattr *attr;
	const char *name = NULL;
	uint32_t id = 0;

	if (mnl_attr_validate(grp, MNL_TYPE_NESTED) < 0)
		return -EPROTO;

	mnl_attr_for_each_nested(attr, grp) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_MCAST_GRP_NAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				return -EPROTO;
			name = mnl_attr_get_str(attr);
			break;
		case CTRL_ATTR_MCAST_GRP_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EPROTO;
			id = mnl_attr_get_u32(attr);
			break;
		default:
			break;
		}
	}

	/* Group 0 does not exist: it means "no group" to bind(). */
	if (name && id && !strcmp(name, want)) {
		fam->has_mcgrp = true;
		fam->mcgrp_id = id;
	}
	return 0;
}

int nl_parse_family(const struct nlmsghdr *nlh, const char *mcgrp,
		    struct nl_family *fam)
{
	const struct nlattr *attr, *grp;
	bool has_id = false;
	int err;

	memset(fam, 0, sizeof(*fam));
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EPROTO;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -EPROTO;
			fam->id = mnl_attr_get_u16(attr);
			has_id = true;
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EPROTO;
			fam->version = mnl_attr_get_u32(attr);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (!mcgrp)
				break;
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				return -EPROTO;
			mnl_attr_for_each_nested(grp, attr) {
				err = nl_parse_mcgrp(grp, mcgrp, fam);
				if (err)
					return err;
			}
			break;
		default:
			break;
		}
	}

	/* Replies are told apart by this id: it must not be a control type. */
	if (!has_id || fam->id < NLMSG_MIN_TYPE)
		return -EPROTO;
	return 0;
}

bool nl_parse_delfamily(const struct nlmsghdr *nlh, uint16_t id)
{
	const struct genlmsghdr *genl;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return false;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != CTRL_CMD_DELFAMILY)
		return false;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			return mnl_attr_get_u16(attr) == id;
	}
	return false;
}

const struct nlattr *nl_attr_at_offset(const struct nlmsghdr *nlh,
				       size_t hdrlen, uint32_t off)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, hdrlen) {
		size_t start = (const char *)attr - (const char *)nlh;

		if (off >= start && off < start + attr->nla_len)
			return attr;
	}
	return NULL;
}
