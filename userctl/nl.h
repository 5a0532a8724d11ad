/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink plumbing for tcptunectl, on top of libmnl.
 *
 * The functions that look at received bytes (nl_process_reply(),
 * nl_process_notifications(), nl_parse_family(), nl_parse_delfamily()) take
 * a buffer and do no I/O, so tests and fuzzers can drive them directly.
 */
#ifndef TCPTUNECTL_NL_H
#define TCPTUNECTL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* Size of the send and receive buffers; a reply must fit in one datagram. */
#define NL_BUF_SIZE	32768

/* How the kernel answered the last request: the ack and its extack TLVs. */
struct nl_ack {
	int error;		/* 0 or -errno from NLMSG_ERROR / NLMSG_DONE */
	bool has_msg;		/* NLMSGERR_ATTR_MSG */
	bool has_off;		/* NLMSGERR_ATTR_OFFS */
	bool has_miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	bool dump_intr;		/* NLMSG_DONE carried NLM_F_DUMP_INTR */
	uint32_t off;		/* offset of the offending attribute in the request */
	uint32_t miss_type;	/* type of a missing required attribute */
	char msg[256];
};

/* A generic netlink family as resolved through nlctrl. */
struct nl_family {
	uint16_t id;
	uint32_t version;
	bool has_mcgrp;
	uint32_t mcgrp_id;	/* id of the multicast group asked for */
};

struct nl {
	struct mnl_socket *sk;
	uint32_t portid;
	uint32_t seq;
	struct nl_ack ack;	/* of the last nl_request() */
	char *sbuf;		/* NL_BUF_SIZE bytes: the request being built */
	char *rbuf;		/* NL_BUF_SIZE bytes: received datagrams */
};

/*
 * Called for each data message of a reply or notification. Returns 0 to go
 * on, or -errno to abort the exchange with that error.
 */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);

/* Open and bind a generic netlink socket with extended and capped acks. */
int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
int nl_join_group(struct nl *nl, uint32_t group);

/* Start a generic netlink request in nl->sbuf (NL_BUF_SIZE bytes). */
struct nlmsghdr *nl_genl_msg(struct nl *nl, uint16_t type, uint8_t cmd,
			     uint8_t version);

/*
 * Send @req with NLM_F_ACK and process the replies until the ack: @cb (may
 * be NULL) sees each data message of the reply. Returns 0 or -errno; the
 * kernel's answer, including extack on success (a warning), is in nl->ack.
 * The error came from the kernel when it equals nl->ack.error.
 */
int nl_request(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb, void *data);

/* Resolve family @name and, if @mcgrp is not NULL, its multicast group. */
int nl_resolve_family(struct nl *nl, const char *name, const char *mcgrp,
		      struct nl_family *fam);

/*
 * Process one received datagram answering request @seq of message type
 * @type. Returns 1 when more datagrams are expected, 0 once the request
 * was acked (NLMSG_ERROR with error 0, or NLMSG_DONE ending a dump), or
 * -errno (kernel error, malformed datagram, @cb failure). Messages of
 * other sequence numbers are skipped.
 */
int nl_process_reply(const void *buf, size_t len, uint32_t seq, uint16_t type,
		     nl_msg_cb cb, void *data, struct nl_ack *ack);

/*
 * Process one received datagram of notifications: @cb sees every data
 * message. Returns 0, -EPROTO for a malformed datagram, or @cb's error.
 */
int nl_process_notifications(const void *buf, size_t len, nl_msg_cb cb,
			     void *data);

/* Parse a CTRL_CMD_NEWFAMILY reply; @mcgrp may be NULL. 0 or -EPROTO. */
int nl_parse_family(const struct nlmsghdr *nlh, const char *mcgrp,
		    struct nl_family *fam);

/* Whether @nlh is an nlctrl notification that family @id went away. */
bool nl_parse_delfamily(const struct nlmsghdr *nlh, uint16_t id);

/*
 * The top-level attribute of @nlh (attributes start @hdrlen bytes into the
 * payload) containing byte @off of the message, as in an extack offset.
 */
const struct nlattr *nl_attr_at_offset(const struct nlmsghdr *nlh,
				       size_t hdrlen, uint32_t off);

#endif /* TCPTUNECTL_NL_H */
