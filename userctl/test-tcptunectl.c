// SPDX-License-Identifier: GPL-2.0
/*
 * Offline tests of tcptunectl, needing neither a socket nor the module:
 *
 * - crafted netlink datagrams go through the processing and parsing
 *   functions the tool uses, then through the text and JSON printers;
 * - every crafted datagram is mutated (truncations, byte changes) to check
 *   that nothing reads out of bounds; "make check" builds this file with
 *   AddressSanitizer and UBSan;
 * - tcptunectl's main() runs against a fake kernel that stands in for the
 *   libmnl socket calls (see test_e2e()).
 *
 * tcptunectl.c is included so that its static functions can be tested as
 * they are.
 */
#define main tcptunectl_main
#include "tcptunectl.c"
#undef main

#include <sys/eventfd.h>

#define FAM		0x1c	/* the family id the fake kernel gives tcptune */
#define SEQ		1000
#define TEST_BUF_SIZE	65536

static int failures;
static int checks;

#define CHECK(cond)							\
	do {								\
		checks++;						\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: failed: %s\n",		\
				__FILE__, __LINE__, #cond);		\
			failures++;					\
		}							\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		checks++;						\
		if (!a_ || strcmp(a_, b_)) {				\
			fprintf(stderr, "%s:%d: failed: %s\n"		\
				"  got:      \"%s\"\n"			\
				"  expected: \"%s\"\n",			\
				__FILE__, __LINE__, #a,			\
				a_ ? a_ : "(null)", b_);		\
			failures++;					\
		}							\
	} while (0)

/* A datagram under construction: messages back to back. */
struct dgram {
	char *b;
	size_t len;
};

static void dgram_init(struct dgram *d)
{
	static char storage[TEST_BUF_SIZE] __attribute__((aligned(8)));

	memset(storage, 0, sizeof(storage));
	d->b = storage;
	d->len = 0;
}

static struct nlmsghdr *msg_start(struct dgram *d, uint16_t type,
				  uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(d->b + d->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = seq;
	return nlh;
}

static struct nlmsghdr *genl_start(struct dgram *d, uint16_t type,
				   uint32_t seq, uint8_t cmd)
{
	struct nlmsghdr *nlh = msg_start(d, type, seq);
	struct genlmsghdr *genl;

	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = TCPTUNE_FAMILY_VERSION;
	return nlh;
}

static void msg_end(struct dgram *d, struct nlmsghdr *nlh)
{
	d->len += MNL_ALIGN(nlh->nlmsg_len);
}

/*
 * An NLMSG_ERROR: @echo bytes of request payload unless @capped, then the
 * extack TLVs that are given.
 */
static void put_ack(struct dgram *d, uint32_t seq, int error, bool capped,
		    size_t echo, const char *msg, int64_t off)
{
	struct nlmsghdr *nlh = msg_start(d, NLMSG_ERROR, seq);
	struct nlmsgerr *err;

	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (msg || off >= 0)
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err) + (capped ? 0 : echo));
	err->error = error;
	err->msg.nlmsg_len = sizeof(struct nlmsghdr) + echo;
	err->msg.nlmsg_type = FAM;
	err->msg.nlmsg_seq = seq;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	if (off >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, (uint32_t)off);
	msg_end(d, nlh);
}

static void put_param(struct nlmsghdr *nlh, const char *name, uint32_t value,
		      uint32_t min, uint32_t max, uint32_t scope,
		      const char *unit)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, TCPTUNE_A_PARAM | NLA_F_NESTED);

	mnl_attr_put_strz(nlh, TCPTUNE_A_PARAM_NAME, name);
	mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_VALUE, value);
	mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_MIN_VALUE, min);
	mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_MAX_VALUE, max);
	mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_SCOPE, scope);
	if (unit)
		mnl_attr_put_strz(nlh, TCPTUNE_A_PARAM_UNIT, unit);
	/* What a newer module might add: must be skipped. */
	mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_MAX + 7, 0xdead);
	mnl_attr_nest_end(nlh, nest);
}

static void put_stat(struct nlmsghdr *nlh, const char *name, uint64_t value)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, TCPTUNE_A_STAT | NLA_F_NESTED);

	mnl_attr_put_strz(nlh, TCPTUNE_A_STAT_NAME, name);
	/* nla_put_u64_64bit() may put a pad attribute first. */
	mnl_attr_put(nlh, TCPTUNE_A_STAT_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, TCPTUNE_A_STAT_VALUE, value);
	mnl_attr_nest_end(nlh, nest);
}

/* Printers write to a memory stream; this returns what they wrote. */
static char *out_buf;
static size_t out_len;
static FILE *out_mem;

static void capture_start(bool json, bool pretty)
{
	out_mem = open_memstream(&out_buf, &out_len);
	out_init(out_mem, json, pretty);
}

static const char *capture_end(void)
{
	fclose(out_mem);
	out_mem = NULL;
	out_init(stdout, false, false);
	return out_buf;
}

static void capture_free(void)
{
	free(out_buf);
	out_buf = NULL;
}

/* Messages to stderr go to a memory stream too. */
static char *err_buf;
static size_t err_len;
static FILE *err_saved;

static void err_capture_start(void)
{
	err_saved = stderr;
	stderr = open_memstream(&err_buf, &err_len);
}

static const char *err_capture_end(void)
{
	fclose(stderr);
	stderr = err_saved;
	return err_buf;
}

static void err_capture_free(void)
{
	free(err_buf);
	err_buf = NULL;
}

/* Callbacks as the tool uses them. */

static int test_params_cb(const struct nlmsghdr *nlh, void *data)
{
	return tt_parse_params(nlh, data);
}

static void build_config_reply(struct dgram *d)
{
	struct nlmsghdr *nlh;

	dgram_init(d);
	nlh = genl_start(d, FAM, SEQ, TCPTUNE_CMD_GET_CONFIG);
	mnl_attr_put_u32(nlh, TCPTUNE_A_MAX + 3, 42);	/* unknown, skipped */
	put_param(nlh, "event_interval_ms", 1000, 0, 3600000,
		  TCPTUNE_SCOPE_MODULE, "ms");
	put_param(nlh, "events", 1, 0, 1, TCPTUNE_SCOPE_NETNS, "bool");
	put_param(nlh, "beta", 717, 0, 1024, TCPTUNE_SCOPE_MODULE, "");
	put_param(nlh, "gain\"\\", 4294967295u, 1, 4294967295u, 7, NULL);
	msg_end(d, nlh);
	put_ack(d, SEQ, 0, true, 0, NULL, -1);
}

static void test_params(void)
{
	struct tt_params p = { 0 };
	struct nl_ack ack = { 0 };
	struct dgram d;
	int ret;

	build_config_reply(&d);
	ret = nl_process_reply(d.b, d.len, SEQ, FAM, test_params_cb, &p, &ack);
	CHECK(ret == 0);
	CHECK(ack.error == 0 && !ack.has_msg);
	CHECK(p.n == 4);
	if (p.n != 4)
		goto out;
	CHECK_STR(p.v[0].name, "event_interval_ms");
	CHECK(p.v[0].value == 1000 && p.v[0].min == 0 && p.v[0].max == 3600000);
	CHECK(p.v[0].scope == TCPTUNE_SCOPE_MODULE);
	CHECK_STR(p.v[0].unit, "ms");
	CHECK_STR(p.v[1].name, "events");
	CHECK(p.v[1].scope == TCPTUNE_SCOPE_NETNS);
	CHECK_STR(p.v[2].unit, "");
	CHECK(p.v[3].unit == NULL);
	CHECK(tt_params_find(&p, "events") == &p.v[1]);
	CHECK(tt_params_find(&p, "event") == NULL);

	capture_start(false, false);
	print_params(&p);
	CHECK_STR(capture_end(),
		  "event_interval_ms       1000  (0..3600000 ms, module)\n"
		  "events                     1  (0..1 bool, netns)\n"
		  "beta                     717  (0..1024, module)\n"
		  "gain\"\\            4294967295  (1..4294967295, unknown)\n");
	capture_free();

	capture_start(true, false);
	print_params(&p);
	CHECK_STR(capture_end(),
		  "[{\"name\":\"event_interval_ms\",\"value\":1000,\"min\":0,"
		  "\"max\":3600000,\"unit\":\"ms\",\"scope\":\"module\"},"
		  "{\"name\":\"events\",\"value\":1,\"min\":0,\"max\":1,"
		  "\"unit\":\"bool\",\"scope\":\"netns\"},"
		  "{\"name\":\"beta\",\"value\":717,\"min\":0,\"max\":1024,"
		  "\"unit\":\"\",\"scope\":\"module\"},"
		  "{\"name\":\"gain\\\"\\\\\",\"value\":4294967295,\"min\":1,"
		  "\"max\":4294967295,\"unit\":\"\",\"scope\":\"unknown\"}]\n");
	capture_free();

	/* Only the reply: the ack is still to come. */
	tt_params_free(&p);
	build_config_reply(&d);
	ret = nl_process_reply(d.b, d.len - 36, SEQ, FAM, test_params_cb, &p,
			       &ack);
	CHECK(ret == 1);
	CHECK(p.n == 4);
out:
	tt_params_free(&p);
}

static void test_params_pretty_and_empty(void)
{
	struct tt_params p = { 0 };
	struct nl_ack ack = { 0 };
	struct nlmsghdr *nlh;
	struct dgram d;

	dgram_init(&d);
	nlh = genl_start(&d, FAM, SEQ, TCPTUNE_CMD_GET_CC);
	put_param(nlh, "beta", 717, 0, 1024, TCPTUNE_SCOPE_MODULE, NULL);
	msg_end(&d, nlh);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, test_params_cb, &p,
			       &ack) == 1);

	capture_start(true, true);
	print_params(&p);
	CHECK_STR(capture_end(),
		  "[\n"
		  "    {\n"
		  "        \"name\": \"beta\",\n"
		  "        \"value\": 717,\n"
		  "        \"min\": 0,\n"
		  "        \"max\": 1024,\n"
		  "        \"unit\": \"\",\n"
		  "        \"scope\": \"module\"\n"
		  "    }\n"
		  "]\n");
	capture_free();
	tt_params_free(&p);

	/* No parameters: no text at all, an empty JSON array. */
	dgram_init(&d);
	nlh = genl_start(&d, FAM, SEQ, TCPTUNE_CMD_GET_CC);
	msg_end(&d, nlh);
	put_ack(&d, SEQ, 0, true, 0, NULL, -1);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, test_params_cb, &p,
			       &ack) == 0);
	CHECK(p.n == 0);
	capture_start(false, false);
	print_params(&p);
	CHECK_STR(capture_end(), "");
	capture_free();
	capture_start(true, false);
	print_params(&p);
	CHECK_STR(capture_end(), "[]\n");
	capture_free();
	capture_start(true, true);
	print_params(&p);
	CHECK_STR(capture_end(), "[]\n");
	capture_free();
	tt_params_free(&p);
}

static void test_stats(void)
{
	struct tt_stats st = { 0 };
	struct nl_ack ack = { 0 };
	struct nlmsghdr *nlh;
	struct dgram d;

	dgram_init(&d);
	nlh = genl_start(&d, FAM, SEQ, TCPTUNE_CMD_GET_STATS);
	put_stat(nlh, "EventsSent", 0);
	mnl_attr_put_strz(nlh, TCPTUNE_A_MAX + 1, "future");
	put_stat(nlh, "EventsSuppressed", 3);
	put_stat(nlh, "BbrxProbeRttEntries", 18446744073709551615ull);
	msg_end(&d, nlh);
	put_ack(&d, SEQ, 0, true, 0, NULL, -1);

	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, stats_cb, &st, &ack) == 0);
	CHECK(st.n == 3);

	capture_start(false, false);
	print_stats(&st);
	CHECK_STR(capture_end(),
		  "EventsSent                   0\n"
		  "EventsSuppressed             3\n"
		  "BbrxProbeRttEntries          18446744073709551615\n");
	capture_free();

	capture_start(true, false);
	print_stats(&st);
	CHECK_STR(capture_end(),
		  "{\"EventsSent\":0,\"EventsSuppressed\":3,"
		  "\"BbrxProbeRttEntries\":18446744073709551615}\n");
	capture_free();

	capture_start(true, true);
	print_stats(&st);
	CHECK_STR(capture_end(),
		  "{\n"
		  "    \"EventsSent\": 0,\n"
		  "    \"EventsSuppressed\": 3,\n"
		  "    \"BbrxProbeRttEntries\": 18446744073709551615\n"
		  "}\n");
	capture_free();
	tt_stats_free(&st);
}

static void test_version(void)
{
	struct tt_version v = { 0 };
	struct nl_ack ack = { 0 };
	struct nlmsghdr *nlh;
	struct dgram d;

	dgram_init(&d);
	/* A stale reply to an earlier request comes first: ignored. */
	nlh = genl_start(&d, FAM, SEQ - 1, TCPTUNE_CMD_GET_VERSION);
	mnl_attr_put_strz(nlh, TCPTUNE_A_VERSION, "stale");
	msg_end(&d, nlh);
	nlh = genl_start(&d, FAM, SEQ, TCPTUNE_CMD_GET_VERSION);
	mnl_attr_put_strz(nlh, TCPTUNE_A_VERSION, "0.1.0");
	mnl_attr_put_strz(nlh, TCPTUNE_A_KERNEL_RELEASE, "6.1.0-28-amd64");
	msg_end(&d, nlh);
	put_ack(&d, SEQ, 0, true, 0, NULL, -1);

	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, version_cb, &v, &ack) == 0);
	CHECK_STR(v.version, "0.1.0");
	CHECK_STR(v.kernel_release, "6.1.0-28-amd64");

	capture_start(false, false);
	print_version(&v);
	CHECK_STR(capture_end(),
		  "tcptunectl 0.1.0, module tcptune 0.1.0 built for 6.1.0-28-amd64\n");
	capture_free();
	capture_start(true, false);
	print_version(&v);
	CHECK_STR(capture_end(),
		  "{\"tool\":\"0.1.0\",\"module\":\"0.1.0\","
		  "\"kernel_release\":\"6.1.0-28-amd64\"}\n");
	capture_free();
	tt_version_free(&v);
}

static void test_malformed(void)
{
	struct tt_params p = { 0 };
	struct nl_ack ack = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct dgram d;
	char raw[4] = { 'a', 'b', 'c', 'd' };

	/* A u32 sent as a u64. */
	dgram_init(&d);
	nlh = genl_start(&d, FAM, SEQ, TCPTUNE_CMD_GET_CONFIG);
	nest = mnl_attr_nest_start(nlh, TCPTUNE_A_PARAM);
	mnl_attr_put_strz(nlh, TCPTUNE_A_PARAM_NAME, "x");
	mnl_attr_put_u64(nlh, TCPTUNE_A_PARAM_VALUE, 1);
	mnl_attr_nest_end(nlh, nest);
	msg_end(&d, nlh);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, test_params_cb, &p,
			       &ack) == -EPROTO);
	tt_params_free(&p);

	/* A name without its NUL. */
	dgram_init(&d);
	nlh = genl_start(&d, FAM, SEQ, TCPTUNE_CMD_GET_CONFIG);
	nest = mnl_attr_nest_start(nlh, TCPTUNE_A_PARAM);
	mnl_attr_put(nlh, TCPTUNE_A_PARAM_NAME, sizeof(raw), raw);
	mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_VALUE, 1);
	mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_MIN_VALUE, 0);
	mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_MAX_VALUE, 1);
	mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_SCOPE, 1);
	mnl_attr_nest_end(nlh, nest);
	msg_end(&d, nlh);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, test_params_cb, &p,
			       &ack) == -EPROTO);
	tt_params_free(&p);

	/* No min, max and scope in a GET reply. */
	dgram_init(&d);
	nlh = genl_start(&d, FAM, SEQ, TCPTUNE_CMD_GET_CONFIG);
	nest = mnl_attr_nest_start(nlh, TCPTUNE_A_PARAM);
	mnl_attr_put_strz(nlh, TCPTUNE_A_PARAM_NAME, "x");
	mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_VALUE, 1);
	mnl_attr_nest_end(nlh, nest);
	msg_end(&d, nlh);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, test_params_cb, &p,
			       &ack) == -EPROTO);
	tt_params_free(&p);

	/* Too short for a generic netlink header. */
	dgram_init(&d);
	nlh = msg_start(&d, FAM, SEQ);
	mnl_nlmsg_put_extra_header(nlh, 2);
	nlh->nlmsg_len -= 2;
	msg_end(&d, nlh);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, test_params_cb, &p,
			       &ack) == -EPROTO);

	/* A message longer than the datagram, and trailing bytes. */
	build_config_reply(&d);
	CHECK(nl_process_reply(d.b, 40, SEQ, FAM, test_params_cb, &p,
			       &ack) == -EPROTO);
	CHECK(p.n == 0);
	/* 8 bytes of the 36-byte ack after the reply. */
	CHECK(nl_process_reply(d.b, d.len - 28, SEQ, FAM, test_params_cb, &p,
			       &ack) == -EPROTO);
	tt_params_free(&p);

	/* An error that is no errno. */
	dgram_init(&d);
	put_ack(&d, SEQ, -100000, true, 0, NULL, -1);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, NULL, NULL, &ack) == -EPROTO);
	dgram_init(&d);
	put_ack(&d, SEQ, 5, true, 0, NULL, -1);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, NULL, NULL, &ack) == -EPROTO);
}

static void test_extack(void)
{
	struct nl_ack ack;
	struct nlmsghdr *req;
	struct nlattr *nest, *value;
	struct dgram d;
	static char reqbuf[1024] __attribute__((aligned(8)));
	struct genlmsghdr *genl;
	uint32_t off;

	/* A SET_CONFIG request like send_params() builds. */
	req = mnl_nlmsg_put_header(reqbuf);
	req->nlmsg_type = FAM;
	genl = mnl_nlmsg_put_extra_header(req, sizeof(*genl));
	genl->cmd = TCPTUNE_CMD_SET_CONFIG;
	nest = mnl_attr_nest_start(req, TCPTUNE_A_PARAM | NLA_F_NESTED);
	mnl_attr_put_strz(req, TCPTUNE_A_PARAM_NAME, "event_interval_ms");
	mnl_attr_put_u32(req, TCPTUNE_A_PARAM_VALUE, 1);
	mnl_attr_nest_end(req, nest);
	nest = mnl_attr_nest_start(req, TCPTUNE_A_PARAM | NLA_F_NESTED);
	mnl_attr_put_strz(req, TCPTUNE_A_PARAM_NAME, "other");
	value = mnl_nlmsg_get_payload_tail(req);
	mnl_attr_put_u32(req, TCPTUNE_A_PARAM_VALUE, 99999999);
	mnl_attr_nest_end(req, nest);
	off = (uint32_t)((char *)value - reqbuf);

	CHECK_STR(request_param_at(req, off), "other");
	CHECK_STR(request_param_at(req, NLMSG_HDRLEN + GENL_HDRLEN),
		  "event_interval_ms");
	CHECK(request_param_at(req, 2) == NULL);
	CHECK(request_param_at(req, req->nlmsg_len) == NULL);

	/* Capped error with message and offset. */
	memset(&ack, 0, sizeof(ack));
	dgram_init(&d);
	put_ack(&d, SEQ, -ERANGE, true, 0,
		"other: 99999999 is out of range [0, 3600000]", off);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, NULL, NULL, &ack) == -ERANGE);
	CHECK(ack.error == -ERANGE);
	CHECK(ack.has_msg);
	CHECK_STR(ack.msg, "other: 99999999 is out of range [0, 3600000]");
	CHECK(ack.has_off && ack.off == off);

	/* Not capped: the request comes back before the TLVs. */
	memset(&ack, 0, sizeof(ack));
	dgram_init(&d);
	put_ack(&d, SEQ, -EPERM, false, 24, "denied", -1);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, NULL, NULL, &ack) == -EPERM);
	CHECK_STR(ack.msg, "denied");
	CHECK(!ack.has_off);

	/* Echoed length larger than the message: TLVs ignored, error kept. */
	memset(&ack, 0, sizeof(ack));
	dgram_init(&d);
	put_ack(&d, SEQ, -EINVAL, false, 8, "lost", -1);
	((struct nlmsgerr *)mnl_nlmsg_get_payload((struct nlmsghdr *)d.b))->msg.nlmsg_len = 60000;
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, NULL, NULL, &ack) == -EINVAL);
	CHECK(!ack.has_msg);

	/* Success with a warning. */
	memset(&ack, 0, sizeof(ack));
	dgram_init(&d);
	put_ack(&d, SEQ, 0, true, 0, "deprecated", -1);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, NULL, NULL, &ack) == 0);
	CHECK(ack.has_msg);
	CHECK_STR(ack.msg, "deprecated");

	/* An error for another request is not ours. */
	memset(&ack, 0, sizeof(ack));
	dgram_init(&d);
	put_ack(&d, SEQ + 1, -EINVAL, true, 0, NULL, -1);
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, NULL, NULL, &ack) == 1);

	/* NLMSG_DONE ends the exchange too, with its error. */
	memset(&ack, 0, sizeof(ack));
	dgram_init(&d);
	{
		struct nlmsghdr *nlh = msg_start(&d, NLMSG_DONE, SEQ);
		int *e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

		*e = -ENOENT;
		nlh->nlmsg_flags |= NLM_F_MULTI | NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump failed");
		msg_end(&d, nlh);
	}
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, NULL, NULL, &ack) == -ENOENT);
	CHECK(ack.has_msg);
	CHECK_STR(ack.msg, "dump failed");
	CHECK(!ack.dump_intr);

	/* A dump found inconsistent only when it ended says so on DONE. */
	memset(&ack, 0, sizeof(ack));
	dgram_init(&d);
	{
		struct nlmsghdr *nlh = msg_start(&d, NLMSG_DONE, SEQ);
		int *e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

		*e = 0;
		nlh->nlmsg_flags |= NLM_F_MULTI | NLM_F_DUMP_INTR;
		msg_end(&d, nlh);
	}
	CHECK(nl_process_reply(d.b, d.len, SEQ, FAM, NULL, NULL, &ack) == 0);
	CHECK(ack.dump_intr);
}

static int family_test_cb(const struct nlmsghdr *nlh, void *data)
{
	return nl_parse_family(nlh, TCPTUNE_MCGRP_EVENTS, data);
}

static void build_family_reply(struct dgram *d, bool with_events)
{
	struct nlattr *grps, *grp;
	struct nlmsghdr *nlh;

	dgram_init(d);
	nlh = genl_start(d, GENL_ID_CTRL, SEQ, CTRL_CMD_NEWFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "tcptune");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAM);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MAXATTR, TCPTUNE_A_MAX);
	grps = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "other");
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 5);
	mnl_attr_nest_end(nlh, grp);
	if (with_events) {
		grp = mnl_attr_nest_start(nlh, 2);
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 9);
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "events");
		mnl_attr_nest_end(nlh, grp);
	}
	mnl_attr_nest_end(nlh, grps);
	msg_end(d, nlh);
	put_ack(d, SEQ, 0, true, 0, NULL, -1);
}

static void test_family(void)
{
	struct nl_family fam;
	struct nl_ack ack = { 0 };
	struct nlmsghdr *nlh;
	struct dgram d;

	build_family_reply(&d, true);
	CHECK(nl_process_reply(d.b, d.len, SEQ, GENL_ID_CTRL, family_test_cb,
			       &fam, &ack) == 0);
	CHECK(fam.id == FAM && fam.version == 1);
	CHECK(fam.has_mcgrp && fam.mcgrp_id == 9);

	build_family_reply(&d, false);
	CHECK(nl_process_reply(d.b, d.len, SEQ, GENL_ID_CTRL, family_test_cb,
			       &fam, &ack) == 0);
	CHECK(fam.id == FAM && !fam.has_mcgrp);

	/* The family is not registered. */
	memset(&ack, 0, sizeof(ack));
	dgram_init(&d);
	put_ack(&d, SEQ, -ENOENT, true, 0, NULL, -1);
	CHECK(nl_process_reply(d.b, d.len, SEQ, GENL_ID_CTRL, family_test_cb,
			       &fam, &ack) == -ENOENT);
	CHECK(ack.error == -ENOENT);

	/* Unregistration notice. */
	dgram_init(&d);
	nlh = genl_start(&d, GENL_ID_CTRL, 0, CTRL_CMD_DELFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "tcptune");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAM);
	msg_end(&d, nlh);
	CHECK(nl_parse_delfamily(nlh, FAM));
	CHECK(!nl_parse_delfamily(nlh, FAM + 1));
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = CTRL_CMD_NEWFAMILY;
	CHECK(!nl_parse_delfamily(nlh, FAM));
}

static struct nlmsghdr *put_event(struct dgram *d, uint32_t kind,
				  const char *name, uint32_t value,
				  uint32_t scope, bool cookie)
{
	struct nlmsghdr *nlh = genl_start(d, FAM, 0, TCPTUNE_CMD_EVENT);
	struct nlattr *nest;

	mnl_attr_put_u32(nlh, TCPTUNE_A_EVENT_KIND, kind);
	if (name) {
		nest = mnl_attr_nest_start(nlh, TCPTUNE_A_PARAM | NLA_F_NESTED);
		mnl_attr_put_strz(nlh, TCPTUNE_A_PARAM_NAME, name);
		mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_VALUE, value);
		if (scope)
			mnl_attr_put_u32(nlh, TCPTUNE_A_PARAM_SCOPE, scope);
		mnl_attr_nest_end(nlh, nest);
	}
	if (cookie) {
		mnl_attr_put(nlh, TCPTUNE_A_PAD, 0, NULL);
		mnl_attr_put_u64(nlh, TCPTUNE_A_NETNS_COOKIE, 4097);
	}
	msg_end(d, nlh);
	return nlh;
}

static void test_events(void)
{
	struct monitor m = { .family = FAM };
	struct nlmsghdr *nlh;
	struct dgram d;

	dgram_init(&d);
	put_event(&d, TCPTUNE_EVENT_KIND_PARAM_CHANGED, "event_interval_ms", 250,
		  TCPTUNE_SCOPE_MODULE, true);
	put_event(&d, TCPTUNE_EVENT_KIND_PARAM_CHANGED, "events", 0,
		  TCPTUNE_SCOPE_NETNS, false);
	put_event(&d, 9, NULL, 0, 0, false);
	/* Malformed (no scope): warned about and skipped. */
	put_event(&d, TCPTUNE_EVENT_KIND_PARAM_CHANGED, "x", 0, 0, false);
	/* Not an event: skipped. */
	nlh = genl_start(&d, FAM, 0, TCPTUNE_CMD_GET_STATS);
	msg_end(&d, nlh);
	/* Another family: skipped. */
	nlh = put_event(&d, TCPTUNE_EVENT_KIND_PARAM_CHANGED, "y", 0, 1, false);
	nlh->nlmsg_type = FAM + 1;

	capture_start(false, false);
	err_capture_start();
	CHECK(nl_process_notifications(d.b, d.len, monitor_cb, &m) == 0);
	CHECK_STR(capture_end(),
		  "param-changed scope=module name=event_interval_ms value=250\n"
		  "param-changed scope=netns name=events value=0\n"
		  "event kind=9\n");
	capture_free();
	CHECK_STR(err_capture_end(),
		  "tcptunectl: warning: ignoring a malformed event\n");
	err_capture_free();
	CHECK(m.seen == 3);

	m.seen = 0;
	capture_start(true, false);
	err_capture_start();
	CHECK(nl_process_notifications(d.b, d.len, monitor_cb, &m) == 0);
	err_capture_end();
	err_capture_free();
	CHECK_STR(capture_end(),
		  "{\"event\":\"param-changed\",\"scope\":\"module\","
		  "\"name\":\"event_interval_ms\",\"value\":250,"
		  "\"netns_cookie\":4097}\n"
		  "{\"event\":\"param-changed\",\"scope\":\"netns\","
		  "\"name\":\"events\",\"value\":0}\n"
		  "{\"event\":\"unknown\",\"kind\":9}\n");
	capture_free();

	/* count 2: the rest of the datagram is not printed. */
	m.seen = 0;
	m.limit = 2;
	capture_start(false, false);
	CHECK(nl_process_notifications(d.b, d.len, monitor_cb, &m) == 0);
	CHECK_STR(capture_end(),
		  "param-changed scope=module name=event_interval_ms value=250\n"
		  "param-changed scope=netns name=events value=0\n");
	capture_free();
	CHECK(monitor_done(&m));

	/* The family going away ends the monitor. */
	m.seen = 0;
	m.limit = 0;
	dgram_init(&d);
	nlh = genl_start(&d, GENL_ID_CTRL, 0, CTRL_CMD_DELFAMILY);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAM);
	msg_end(&d, nlh);
	CHECK(nl_process_notifications(d.b, d.len, monitor_cb, &m) == 0);
	CHECK(m.gone && monitor_done(&m));
}

static void test_json_strings(void)
{
	capture_start(true, false);
	out_open_object(NULL);
	out_string("s", NULL, "q\" b\\ n\n t\t c\x01 e\xc3\xa9 bad\xff end\xe2\x82");
	out_string("euro", NULL, "\xe2\x82\xac \xf0\x9f\x98\x80");
	out_string("overlong", NULL, "\xc0\xaf \xe0\x80\xaf \xed\xa0\x80");
	out_open_array("a");
	out_uint(NULL, NULL, 1);
	out_open_object(NULL);
	out_close_object();
	out_open_array(NULL);
	out_close_array();
	out_close_array();
	out_close_object();
	CHECK_STR(capture_end(),
		  "{\"s\":\"q\\\" b\\\\ n\\n t\\t c\\u0001 e\xc3\xa9 bad\\ufffd end\\ufffd\\ufffd\","
		  "\"euro\":\"\xe2\x82\xac \xf0\x9f\x98\x80\","
		  "\"overlong\":\"\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\","
		  "\"a\":[1,{},[]]}\n");
	capture_free();

	/* Text mode: only the text formats. */
	capture_start(false, false);
	out_open_object(NULL);
	out_string("k", "<%s>", "v");
	out_string("hidden", NULL, "v");
	out_uint("n", "[%llu]", 7);
	out_text("!\n");
	out_close_object();
	CHECK_STR(capture_end(), "<v>[7]!\n");
	capture_free();
}

static void test_parse_u32(void)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0", "1e3",
		"\xd9\xa1",
	};
	static const char *const big[] = {
		"4294967296", "99999999999999999999999999", "18446744073709551616",
	};
	uint32_t v;
	size_t i;

	CHECK(parse_u32("0", &v) == 0 && v == 0);
	CHECK(parse_u32("007", &v) == 0 && v == 7);
	CHECK(parse_u32("4294967295", &v) == 0 && v == 4294967295u);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(parse_u32(bad[i], &v) == -EINVAL);
	for (i = 0; i < ARRAY_SIZE(big); i++)
		CHECK(parse_u32(big[i], &v) == -ERANGE);
}

/*
 * Robustness: every crafted datagram, truncated at every length and with
 * bytes changed, through every parser. Only crashes and sanitizer reports
 * count, so the outcome is ignored.
 */
struct fuzz_out {
	struct tt_version v;
	struct tt_stats st;
	struct tt_params p;
	struct nl_family fam;
};

static int fuzz_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fuzz_out *o = data;
	struct listeners ls = { 0 };
	struct tw_rows rs = { 0 };
	struct tt_event ev;

	tt_parse_version(nlh, &o->v);
	tt_parse_stats(nlh, &o->st);
	tt_parse_params(nlh, &o->p);
	nl_parse_family(nlh, "events", &o->fam);
	nl_parse_delfamily(nlh, FAM);
	if (tt_parse_event(nlh, &ev) == 0) {
		print_event_msg(nlh, &ev);
	}
	request_param_at(nlh, nlh->nlmsg_len / 2);
	if (listeners_cb(nlh, &ls) == 0)
		print_listeners(&ls, false);
	if (tw_rows_cb(nlh, &rs) == 0)
		print_tw_rows(&rs);
	free(ls.v);
	free(rs.v);
	return 0;
}

static void fuzz_one(const char *data, size_t len)
{
	struct fuzz_out o = { 0 };
	struct nl_ack ack = { 0 };
	char *copy = malloc(len ? len : 1);

	/* An exact-size heap copy, so the sanitizer sees any overread. */
	memcpy(copy, data, len);
	nl_process_reply(copy, len, SEQ, FAM, fuzz_cb, &o, &ack);
	nl_process_reply(copy, len, SEQ, GENL_ID_CTRL, fuzz_cb, &o, &ack);
	nl_process_notifications(copy, len, fuzz_cb, &o);
	print_params(&o.p);
	print_stats(&o.st);
	print_version(&o.v);
	tt_version_free(&o.v);
	tt_stats_free(&o.st);
	tt_params_free(&o.p);
	free(copy);
}

static uint32_t rnd_state = 0x2545f491;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void put_listener(struct nlmsghdr *nlh, size_t addrlen, uint32_t kind)
{
	static const uint8_t addr[16] = { 127, 0, 0, 1 };
	struct nlattr *nest = mnl_attr_nest_start(nlh, TCPTUNE_A_LISTENER | NLA_F_NESTED);
	unsigned int i;

	mnl_attr_put_u32(nlh, TCPTUNE_A_LISTENER_FAMILY, addrlen == 4 ? 2 : 10);
	mnl_attr_put(nlh, TCPTUNE_A_LISTENER_ADDR, addrlen, addr);
	mnl_attr_put_u16(nlh, TCPTUNE_A_LISTENER_PORT, 8080);
	mnl_attr_put_u32(nlh, TCPTUNE_A_LISTENER_STATE, TCPTUNE_LISTENER_STATE_LISTEN);
	mnl_attr_put_u32(nlh, TCPTUNE_A_LISTENER_BACKLOG, 128);
	for (i = 0; i < LISTENER_NCNT; i++)
		mnl_attr_put_u64(nlh, listener_cnt_attrs[i], i);
	if (kind) {
		mnl_attr_put_u32(nlh, TCPTUNE_A_LISTENER_OVERFLOW_KIND, kind);
		mnl_attr_put_u64(nlh, TCPTUNE_A_LISTENER_COUNT, 17);
	}
	mnl_attr_nest_end(nlh, nest);
}

static void put_tw_row(struct nlmsghdr *nlh, uint32_t kind, size_t addrlen)
{
	static const uint8_t addr[16] = { 0xfe, 0x80 };
	struct nlattr *nest = mnl_attr_nest_start(nlh, TCPTUNE_A_TIMEWAIT | NLA_F_NESTED);

	mnl_attr_put_u32(nlh, TCPTUNE_A_TIMEWAIT_KIND, kind);
	if (addrlen) {
		mnl_attr_put(nlh, TCPTUNE_A_TIMEWAIT_ADDR, addrlen, addr);
		mnl_attr_put_u16(nlh, TCPTUNE_A_TIMEWAIT_PORT, 443);
		mnl_attr_put_u32(nlh, TCPTUNE_A_TIMEWAIT_PORT_RANGE, 28232);
		mnl_attr_put_u32(nlh, TCPTUNE_A_TIMEWAIT_PCT100, 708);
	} else {
		mnl_attr_put_u32(nlh, TCPTUNE_A_TIMEWAIT_AGE_MIN_S, 30);
		mnl_attr_put_u32(nlh, TCPTUNE_A_TIMEWAIT_AGE_MAX_S, 60);
	}
	mnl_attr_put_u64(nlh, TCPTUNE_A_TIMEWAIT_COUNT, 2000);
	mnl_attr_nest_end(nlh, nest);
}

static void fuzz_dgram(const struct dgram *d, unsigned int rounds)
{
	static const unsigned char vals[] = { 0x00, 0x01, 0x03, 0x04, 0x7f,
					      0x80, 0xfe, 0xff };
	char *mut = malloc(d->len);
	size_t i, j, k;
	unsigned int r;

	for (i = 0; i <= d->len; i++)
		fuzz_one(d->b, i);
	for (i = 0; i < d->len; i++) {
		for (j = 0; j < ARRAY_SIZE(vals); j++) {
			memcpy(mut, d->b, d->len);
			mut[i] = (char)vals[j];
			fuzz_one(mut, d->len);
		}
	}
	for (r = 0; r < rounds; r++) {
		memcpy(mut, d->b, d->len);
		k = 1 + rnd() % 4;
		for (j = 0; j < k; j++)
			mut[rnd() % d->len] = (char)rnd();
		fuzz_one(mut, d->len - rnd() % 8 % d->len);
	}
	free(mut);
}

static void test_fuzz(void)
{
	FILE *null = fopen("/dev/null", "w");
	struct dgram d;
	char *copy;
	struct nlmsghdr *nlh;

	if (!null) {
		CHECK(null != NULL);
		return;
	}
	out_init(null, true, true);

	build_config_reply(&d);
	fuzz_dgram(&d, 20000);
	build_family_reply(&d, true);
	fuzz_dgram(&d, 20000);

	dgram_init(&d);
	nlh = genl_start(&d, FAM, SEQ, TCPTUNE_CMD_GET_STATS);
	put_stat(nlh, "EventsSent", 1);
	put_stat(nlh, "EventsSuppressed", 2);
	msg_end(&d, nlh);
	nlh = genl_start(&d, FAM, SEQ, TCPTUNE_CMD_GET_VERSION);
	mnl_attr_put_strz(nlh, TCPTUNE_A_VERSION, "0.1.0");
	mnl_attr_put_strz(nlh, TCPTUNE_A_KERNEL_RELEASE, "6.1.0");
	msg_end(&d, nlh);
	put_ack(&d, SEQ, -EINVAL, false, 16, "bad", 20);
	fuzz_dgram(&d, 20000);

	dgram_init(&d);
	put_event(&d, TCPTUNE_EVENT_KIND_PARAM_CHANGED, "events", 1,
		  TCPTUNE_SCOPE_NETNS, true);
	put_event(&d, 3, "x", 1, 1, true);
	fuzz_dgram(&d, 20000);

	/* Listeners and TIME_WAIT rows, and a listen-overflow event. */
	dgram_init(&d);
	nlh = genl_start(&d, FAM, SEQ, TCPTUNE_CMD_GET_LISTENERS);
	put_listener(nlh, 4, 0);
	put_listener(nlh, 16, 0);
	msg_end(&d, nlh);
	nlh = genl_start(&d, FAM, SEQ, TCPTUNE_CMD_GET_TIMEWAIT);
	put_tw_row(nlh, TCPTUNE_TIMEWAIT_BY_REMOTE, 16);
	put_tw_row(nlh, TCPTUNE_TIMEWAIT_BY_AGE, 0);
	msg_end(&d, nlh);
	nlh = genl_start(&d, FAM, 0, TCPTUNE_CMD_EVENT);
	mnl_attr_put_u32(nlh, TCPTUNE_A_EVENT_KIND,
			 TCPTUNE_EVENT_KIND_LISTEN_OVERFLOW);
	put_listener(nlh, 4, TCPTUNE_OVERFLOW_KIND_SYN_QUEUE);
	msg_end(&d, nlh);
	fuzz_dgram(&d, 20000);

	/* The parsers must also cope with a datagram that is all garbage. */
	copy = malloc(4096);
	for (unsigned int r = 0; r < 2000; r++) {
		for (size_t i = 0; i < 4096; i++)
			copy[i] = (char)rnd();
		fuzz_one(copy, rnd() % 4096);
	}
	free(copy);

	out_init(stdout, false, false);
	fclose(null);
}

/*
 * End to end: tcptunectl's own main() against a fake kernel. The libmnl
 * socket calls are replaced at link time (ld --wrap, see the Makefile) by
 * the __wrap_ functions below, which answer the way module/netlink.c does.
 */

#define CTRL_NOTIFY_GRP	0x10
#define EVENTS_GRP	9
#define PORTID		4242

struct fake_param {
	const char *name;
	uint32_t value;
	uint32_t min;
	uint32_t max;
	uint32_t scope;
	const char *unit;
};

struct fake_queue {
	struct {
		char *b;
		size_t len;
	} d[16];
	size_t n;
};

static struct {
	bool loaded;
	bool eperm;		/* refuse every SET, as without CAP_NET_ADMIN */
	bool no_cc;		/* GET_CC returns no parameters */
	bool bad_stats;		/* GET_STATS replies a nest without value */
	const char *warning;	/* extack message on successful acks */
	bool lax_get;		/* GET_* advertises max + 1: SET refuses it */
	bool open;
	bool joined_events;
	bool joined_ctrl;
	int evfd;
	struct fake_param params[3];	/* config (module, netns), then cc */
	struct fake_queue replies;
	struct fake_queue events;	/* read only after joining the group */
	char log[1024];			/* the requests, in order */
} fk;

static const char *const fake_cmd_names[] = {
	[TCPTUNE_CMD_GET_VERSION] = "GET_VERSION",
	[TCPTUNE_CMD_GET_STATS] = "GET_STATS",
	[TCPTUNE_CMD_GET_CONFIG] = "GET_CONFIG",
	[TCPTUNE_CMD_SET_CONFIG] = "SET_CONFIG",
	[TCPTUNE_CMD_SET_NETNS_CONFIG] = "SET_NETNS_CONFIG",
	[TCPTUNE_CMD_GET_CC] = "GET_CC",
	[TCPTUNE_CMD_SET_CC] = "SET_CC",
	[TCPTUNE_CMD_EVENT] = "EVENT",
};

static void fake_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fake_log(const char *fmt, ...)
{
	size_t len = strlen(fk.log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fk.log + len, sizeof(fk.log) - len, fmt, ap);
	va_end(ap);
}

static void fake_push(struct fake_queue *q, const struct dgram *d)
{
	CHECK(q->n < ARRAY_SIZE(q->d));
	if (q->n >= ARRAY_SIZE(q->d))
		return;
	q->d[q->n].b = malloc(d->len);
	memcpy(q->d[q->n].b, d->b, d->len);
	q->d[q->n].len = d->len;
	q->n++;
}

static void fake_clear(struct fake_queue *q)
{
	while (q->n)
		free(q->d[--q->n].b);
}

static void fake_reset(void)
{
	fake_clear(&fk.replies);
	fake_clear(&fk.events);
	fk.loaded = true;
	fk.eperm = false;
	fk.no_cc = false;
	fk.bad_stats = false;
	fk.warning = NULL;
	fk.lax_get = false;
	fk.joined_events = false;
	fk.joined_ctrl = false;
	fk.params[0] = (struct fake_param){ "event_interval_ms", 1000, 0,
					    3600000, TCPTUNE_SCOPE_MODULE, "ms" };
	fk.params[1] = (struct fake_param){ "events", 1, 0, 1,
					    TCPTUNE_SCOPE_NETNS, "bool" };
	fk.params[2] = (struct fake_param){ "beta", 717, 1, 1024,
					    TCPTUNE_SCOPE_MODULE, "" };
	fk.log[0] = '\0';
}

static void fake_group(struct nlmsghdr *nlh, const char *name, uint32_t id)
{
	struct nlattr *grps = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	struct nlattr *grp = mnl_attr_nest_start(nlh, 1);

	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, id);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, name);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, grps);
}

static void fake_ctrl(const struct nlmsghdr *req, struct dgram *d)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(req);
	const struct nlattr *attr;
	const char *name = "";
	struct nlmsghdr *nlh;

	CHECK(genl->cmd == CTRL_CMD_GETFAMILY);
	mnl_attr_for_each(attr, req, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_NAME)
			name = mnl_attr_get_str(attr);

	if (!strcmp(name, "tcptune") && fk.loaded) {
		nlh = genl_start(d, GENL_ID_CTRL, req->nlmsg_seq, CTRL_CMD_NEWFAMILY);
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "tcptune");
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAM);
		mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
		fake_group(nlh, "events", EVENTS_GRP);
		msg_end(d, nlh);
	} else if (!strcmp(name, "nlctrl")) {
		nlh = genl_start(d, GENL_ID_CTRL, req->nlmsg_seq, CTRL_CMD_NEWFAMILY);
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, GENL_ID_CTRL);
		fake_group(nlh, "notify", CTRL_NOTIFY_GRP);
		msg_end(d, nlh);
	} else {
		put_ack(d, req->nlmsg_seq, -ENOENT, true, 0, NULL, -1);
		return;
	}
	put_ack(d, req->nlmsg_seq, 0, true, 0, fk.warning, -1);
}

static void fake_put_params(struct nlmsghdr *nlh, bool cc)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fk.params); i++) {
		const struct fake_param *p = &fk.params[i];

		if ((i == 2) != cc)
			continue;
		put_param(nlh, p->name, p->value, p->min, p->max + fk.lax_get,
			  p->scope, p->unit);
	}
}

/* SET_*: all or nothing, errors with extack, as tcptune_params_set(). */
static void fake_set(const struct nlmsghdr *req, uint8_t cmd, struct dgram *d)
{
	uint32_t scope = cmd == TCPTUNE_CMD_SET_NETNS_CONFIG ?
			 TCPTUNE_SCOPE_NETNS : TCPTUNE_SCOPE_MODULE;
	bool cc = cmd == TCPTUNE_CMD_SET_CC;
	const struct nlattr *nest, *attr, *name_attr, *value_attr;
	uint32_t newval[ARRAY_SIZE(fk.params)];
	bool given[ARRAY_SIZE(fk.params)] = { false };
	struct fake_param *p;
	char msg[128];
	size_t i;

	if (fk.eperm) {
		put_ack(d, req->nlmsg_seq, -EPERM, true, 0, NULL, -1);
		return;
	}
	fake_log("%s", fake_cmd_names[cmd]);
	mnl_attr_for_each(nest, req, GENL_HDRLEN) {
		CHECK(mnl_attr_get_type(nest) == TCPTUNE_A_PARAM);
		CHECK(nest->nla_type & NLA_F_NESTED);
		name_attr = value_attr = NULL;
		mnl_attr_for_each_nested(attr, nest) {
			if (mnl_attr_get_type(attr) == TCPTUNE_A_PARAM_NAME)
				name_attr = attr;
			else if (mnl_attr_get_type(attr) == TCPTUNE_A_PARAM_VALUE)
				value_attr = attr;
			else
				CHECK(!"unexpected attribute in a SET request");
		}
		CHECK(name_attr && value_attr);
		if (!name_attr || !value_attr)
			return;
		fake_log(" %s=%u", mnl_attr_get_str(name_attr),
			 mnl_attr_get_u32(value_attr));

		for (i = 0, p = NULL; i < ARRAY_SIZE(fk.params); i++) {
			if ((i == 2) == cc && fk.params[i].scope == scope &&
			    !strcmp(fk.params[i].name, mnl_attr_get_str(name_attr)))
				p = &fk.params[i];
		}
		if (!p) {
			snprintf(msg, sizeof(msg), "no parameter '%s' for this command",
				 mnl_attr_get_str(name_attr));
			put_ack(d, req->nlmsg_seq, -ENOENT, true, 0, msg,
				(const char *)name_attr - (const char *)req);
			fake_log(" -> ENOENT; ");
			return;
		}
		i = p - fk.params;
		newval[i] = mnl_attr_get_u32(value_attr);
		given[i] = true;
		if (newval[i] < p->min || newval[i] > p->max) {
			snprintf(msg, sizeof(msg), "%s: %u is out of range [%u, %u]",
				 p->name, newval[i], p->min, p->max);
			put_ack(d, req->nlmsg_seq, -ERANGE, true, 0, msg,
				(const char *)value_attr - (const char *)req);
			fake_log(" -> ERANGE; ");
			return;
		}
	}
	for (i = 0; i < ARRAY_SIZE(fk.params); i++)
		if (given[i])
			fk.params[i].value = newval[i];
	fake_log("; ");
	put_ack(d, req->nlmsg_seq, 0, true, 0, fk.warning, -1);
}

static void fake_tcptune(const struct nlmsghdr *req, struct dgram *d)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(req);
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	CHECK(genl->version == TCPTUNE_FAMILY_VERSION);
	switch (genl->cmd) {
	case TCPTUNE_CMD_SET_CONFIG:
	case TCPTUNE_CMD_SET_NETNS_CONFIG:
	case TCPTUNE_CMD_SET_CC:
		fake_set(req, genl->cmd, d);
		return;
	case TCPTUNE_CMD_GET_VERSION:
	case TCPTUNE_CMD_GET_STATS:
	case TCPTUNE_CMD_GET_CONFIG:
	case TCPTUNE_CMD_GET_CC:
		break;
	default:
		put_ack(d, req->nlmsg_seq, -EOPNOTSUPP, true, 0, NULL, -1);
		return;
	}

	/* GETs take no attributes: the strict policy would refuse them. */
	CHECK(req->nlmsg_len == NLMSG_HDRLEN + GENL_HDRLEN);
	fake_log("%s; ", fake_cmd_names[genl->cmd]);
	nlh = genl_start(d, FAM, req->nlmsg_seq, genl->cmd);
	switch (genl->cmd) {
	case TCPTUNE_CMD_GET_VERSION:
		mnl_attr_put_strz(nlh, TCPTUNE_A_VERSION, "0.1.0");
		mnl_attr_put_strz(nlh, TCPTUNE_A_KERNEL_RELEASE, "6.1.0-fake");
		break;
	case TCPTUNE_CMD_GET_STATS:
		put_stat(nlh, "EventsSent", 3);
		put_stat(nlh, "EventsSuppressed", 0);
		if (fk.bad_stats) {
			nest = mnl_attr_nest_start(nlh, TCPTUNE_A_STAT);
			mnl_attr_put_strz(nlh, TCPTUNE_A_STAT_NAME, "NoValue");
			mnl_attr_nest_end(nlh, nest);
		}
		break;
	case TCPTUNE_CMD_GET_CONFIG:
		fake_put_params(nlh, false);
		break;
	case TCPTUNE_CMD_GET_CC:
		if (!fk.no_cc)
			fake_put_params(nlh, true);
		break;
	}
	msg_end(d, nlh);
	put_ack(d, req->nlmsg_seq, 0, true, 0, fk.warning, -1);
}

struct mnl_socket *__wrap_mnl_socket_open2(int bus, int flags)
{
	CHECK(bus == NETLINK_GENERIC);
	CHECK(flags & SOCK_CLOEXEC);
	CHECK(!fk.open);
	fk.open = true;
	return (struct mnl_socket *)&fk;
}

int __wrap_mnl_socket_close(struct mnl_socket *sk)
{
	CHECK(sk == (struct mnl_socket *)&fk && fk.open);
	fk.open = false;
	return 0;
}

int __wrap_mnl_socket_bind(struct mnl_socket *sk, unsigned int groups,
			   pid_t pid)
{
	(void)sk;
	CHECK(groups == 0 && pid == 0);
	return 0;
}

unsigned int __wrap_mnl_socket_get_portid(const struct mnl_socket *sk)
{
	(void)sk;
	return PORTID;
}

int __wrap_mnl_socket_get_fd(const struct mnl_socket *sk)
{
	(void)sk;
	return fk.evfd;
}

int __wrap_mnl_socket_setsockopt(const struct mnl_socket *sk, int type,
				 void *buf, socklen_t len)
{
	int grp;

	(void)sk;
	if (type != NETLINK_ADD_MEMBERSHIP)
		return 0;
	CHECK(len == sizeof(grp));
	memcpy(&grp, buf, sizeof(grp));
	if (grp == EVENTS_GRP)
		fk.joined_events = true;
	else if (grp == CTRL_NOTIFY_GRP)
		fk.joined_ctrl = true;
	else
		CHECK(!"joined an unknown group");
	return 0;
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *sk, const void *buf,
				 size_t len)
{
	static char storage[8192] __attribute__((aligned(8)));
	const struct nlmsghdr *req = buf;
	struct dgram d = { .b = storage };

	(void)sk;
	memset(storage, 0, sizeof(storage));
	CHECK(len == req->nlmsg_len);
	CHECK((req->nlmsg_flags & (NLM_F_REQUEST | NLM_F_ACK)) ==
	      (NLM_F_REQUEST | NLM_F_ACK));
	CHECK(mnl_nlmsg_get_payload_len(req) >= GENL_HDRLEN);
	/* Once subscribed, replies would be mixed with events. */
	CHECK(!fk.joined_events && !fk.joined_ctrl);

	if (req->nlmsg_type == GENL_ID_CTRL)
		fake_ctrl(req, &d);
	else if (req->nlmsg_type == FAM && fk.loaded)
		fake_tcptune(req, &d);
	else
		put_ack(&d, req->nlmsg_seq, -EOPNOTSUPP, true, 0, NULL, -1);
	fake_push(&fk.replies, &d);
	return (ssize_t)len;
}

ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *sk, void *buf,
				   size_t size)
{
	struct fake_queue *q = fk.replies.n ? &fk.replies : &fk.events;
	size_t len;

	(void)sk;
	if (!q->n || (q == &fk.events && !fk.joined_events)) {
		/* Nothing more will come: what SIGTERM would do to a monitor. */
		raise(SIGTERM);
		errno = EAGAIN;
		return -1;
	}
	len = q->d[0].len;
	CHECK(len <= size);
	memcpy(buf, q->d[0].b, len);
	free(q->d[0].b);
	memmove(&q->d[0], &q->d[1], --q->n * sizeof(q->d[0]));
	return (ssize_t)len;
}

static void fake_event(const char *name, uint32_t value, uint32_t scope)
{
	static char storage[1024] __attribute__((aligned(8)));
	struct dgram d = { .b = storage };

	memset(storage, 0, sizeof(storage));
	put_event(&d, TCPTUNE_EVENT_KIND_PARAM_CHANGED, name, value, scope,
		  scope == TCPTUNE_SCOPE_NETNS);
	fake_push(&fk.events, &d);
}

static void fake_delfamily(void)
{
	static char storage[256] __attribute__((aligned(8)));
	struct dgram d = { .b = storage };
	struct nlmsghdr *nlh;

	memset(storage, 0, sizeof(storage));
	nlh = genl_start(&d, GENL_ID_CTRL, 0, CTRL_CMD_DELFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "tcptune");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAM);
	msg_end(&d, nlh);
	fake_push(&fk.events, &d);
}

/* Run tcptunectl with @cmdline (split at spaces); t_out, t_err get its output. */
static char *t_out, *t_err;

static int tool(const char *cmdline)
{
	static char arg0[] = "tcptunectl";
	char *copy = strdup(cmdline), *save = NULL, *tok;
	FILE *saved_out = stdout, *saved_err = stderr;
	size_t out_size, err_size;
	const struct timespec no_wait = { 0, 0 };
	char *argv[32];
	int argc = 0, rc;
	sigset_t sigs;

	argv[argc++] = arg0;
	for (tok = strtok_r(copy, " ", &save); tok && argc < 31;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;

	free(t_out);
	free(t_err);
	stdout = open_memstream(&t_out, &out_size);
	stderr = open_memstream(&t_err, &err_size);
	optind = 0;
	monitor_stop = 0;
	rc = tcptunectl_main(argc, argv);
	/* Drop the signals the fake sent, for the next monitor. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	while (sigtimedwait(&sigs, NULL, &no_wait) > 0)
		;
	fclose(stdout);
	fclose(stderr);
	stdout = saved_out;
	stderr = saved_err;
	free(copy);
	CHECK(!fk.open);	/* the socket was closed */
	return rc;
}

#define CHECK_TOOL(cmdline, rc, out, err)				\
	do {								\
		CHECK(tool(cmdline) == (rc));				\
		CHECK_STR(t_out, out);					\
		CHECK_STR(t_err, err);					\
	} while (0)

static void test_e2e(void)
{
	fk.evfd = eventfd(1, EFD_CLOEXEC);
	CHECK(fk.evfd >= 0);

	fake_reset();
	fk.loaded = false;
	CHECK_TOOL("stats", EXIT_FAILURE, "",
		   "tcptunectl: the tcptune module is not loaded (load it with: modprobe tcptune)\n");
	CHECK_TOOL("-j monitor", EXIT_FAILURE, "",
		   "tcptunectl: the tcptune module is not loaded (load it with: modprobe tcptune)\n");

	fake_reset();
	CHECK_TOOL("version", EXIT_SUCCESS,
		   "tcptunectl 0.1.0, module tcptune 0.1.0 built for 6.1.0-fake\n", "");
	CHECK_TOOL("-j version", EXIT_SUCCESS,
		   "{\"tool\":\"0.1.0\",\"module\":\"0.1.0\",\"kernel_release\":\"6.1.0-fake\"}\n", "");
	CHECK_TOOL("stats", EXIT_SUCCESS,
		   "EventsSent                   3\n"
		   "EventsSuppressed             0\n", "");
	CHECK_TOOL("--json stats show", EXIT_SUCCESS,
		   "{\"EventsSent\":3,\"EventsSuppressed\":0}\n", "");
	CHECK_TOOL("-p stats", EXIT_SUCCESS,
		   "{\n    \"EventsSent\": 3,\n    \"EventsSuppressed\": 0\n}\n", "");
	CHECK_TOOL("config", EXIT_SUCCESS,
		   "event_interval_ms 1000  (0..3600000 ms, module)\n"
		   "events               1  (0..1 bool, netns)\n", "");
	CHECK_TOOL("cc show", EXIT_SUCCESS,
		   "beta 717  (1..1024, module)\n", "");
	CHECK_TOOL("-j cc", EXIT_SUCCESS,
		   "[{\"name\":\"beta\",\"value\":717,\"min\":1,\"max\":1024,"
		   "\"unit\":\"\",\"scope\":\"module\"}]\n", "");
	CHECK_STR(fk.log, "GET_VERSION; GET_VERSION; GET_STATS; GET_STATS; "
		  "GET_STATS; GET_CONFIG; GET_CC; GET_CC; ");

	/* set: one request per scope, module first. */
	fake_reset();
	CHECK_TOOL("config set events 0 event_interval_ms 5", EXIT_SUCCESS, "", "");
	CHECK_STR(fk.log, "GET_CONFIG; SET_CONFIG event_interval_ms=5; "
		  "SET_NETNS_CONFIG events=0; ");
	CHECK_TOOL("config", EXIT_SUCCESS,
		   "event_interval_ms 5  (0..3600000 ms, module)\n"
		   "events            0  (0..1 bool, netns)\n", "");
	fake_reset();
	CHECK_TOOL("config set events 0", EXIT_SUCCESS, "", "");
	CHECK_STR(fk.log, "GET_CONFIG; SET_NETNS_CONFIG events=0; ");
	fake_reset();
	CHECK_TOOL("cc set beta 1", EXIT_SUCCESS, "", "");
	CHECK_STR(fk.log, "GET_CC; SET_CC beta=1; ");

	/* Unknown names are refused before anything is sent. */
	fake_reset();
	CHECK_TOOL("config set events 0 beta 1", EXIT_FAILURE, "",
		   "tcptunectl: unknown config parameter \"beta\"; valid parameters: "
		   "event_interval_ms, events\n");
	CHECK_STR(fk.log, "GET_CONFIG; ");
	fake_reset();
	fk.no_cc = true;
	CHECK_TOOL("cc", EXIT_SUCCESS, "", "");
	CHECK_TOOL("-j cc", EXIT_SUCCESS, "[]\n", "");
	CHECK_TOOL("cc set beta 1", EXIT_FAILURE, "",
		   "tcptunectl: unknown cc parameter \"beta\": the module has no cc parameters\n");

	/* Values out of the advertised range are refused before any change. */
	fake_reset();
	CHECK_TOOL("config set event_interval_ms 3600001", EXIT_FAILURE, "",
		   "tcptunectl: event_interval_ms: 3600001 is out of range "
		   "[0, 3600000]; nothing was changed\n");
	CHECK_STR(fk.log, "GET_CONFIG; ");
	CHECK(fk.params[0].value == 1000);
	/* Also when the bad one would go in the second request. */
	fake_reset();
	CHECK_TOOL("config set event_interval_ms 5 events 2", EXIT_FAILURE, "",
		   "tcptunectl: events: 2 is out of range [0, 1]; nothing was changed\n");
	CHECK_STR(fk.log, "GET_CONFIG; ");
	CHECK(fk.params[0].value == 1000);

	/* Kernel errors, with and without extack. */
	fake_reset();
	fk.lax_get = true;
	CHECK_TOOL("config set event_interval_ms 3600001", EXIT_FAILURE, "",
		   "Error: event_interval_ms: 3600001 is out of range [0, 3600000] "
		   "(Numerical result out of range)\n"
		   "tcptunectl: the kernel rejected parameter \"event_interval_ms\"\n");
	CHECK(fk.params[0].value == 1000);
	/* The module part failed: the netns part is not sent. */
	fake_reset();
	fk.lax_get = true;
	CHECK_TOOL("config set events 0 event_interval_ms 3600001", EXIT_FAILURE, "",
		   "Error: event_interval_ms: 3600001 is out of range [0, 3600000] "
		   "(Numerical result out of range)\n"
		   "tcptunectl: the kernel rejected parameter \"event_interval_ms\"\n");
	CHECK_STR(fk.log, "GET_CONFIG; SET_CONFIG event_interval_ms=3600001 -> ERANGE; ");
	CHECK(fk.params[1].value == 1);
	fake_reset();
	fk.eperm = true;
	CHECK_TOOL("cc set beta 2", EXIT_FAILURE, "",
		   "Error: Operation not permitted (needs CAP_NET_ADMIN)\n");
	fake_reset();
	fk.warning = "this will go away";
	/* The acks of GET_CC and SET_CC. */
	CHECK_TOOL("cc set beta 2", EXIT_SUCCESS, "",
		   "Warning: this will go away\n"
		   "Warning: this will go away\n");
	fake_reset();
	fk.bad_stats = true;
	CHECK_TOOL("-j stats", EXIT_FAILURE, "",
		   "tcptunectl: malformed reply from the kernel\n");

	/* monitor */
	fake_reset();
	fake_event("event_interval_ms", 5, TCPTUNE_SCOPE_MODULE);
	fake_event("events", 0, TCPTUNE_SCOPE_NETNS);
	fake_event("events", 1, TCPTUNE_SCOPE_NETNS);
	CHECK_TOOL("monitor count 2", EXIT_SUCCESS,
		   "param-changed scope=module name=event_interval_ms value=5\n"
		   "param-changed scope=netns name=events value=0\n", "");
	CHECK(fk.joined_events && fk.joined_ctrl);
	CHECK(fk.events.n == 1);
	/* No count: until SIGTERM, which the fake sends when it runs dry. */
	fake_reset();
	fake_event("event_interval_ms", 5, TCPTUNE_SCOPE_MODULE);
	fake_event("events", 0, TCPTUNE_SCOPE_NETNS);
	CHECK_TOOL("-j monitor", EXIT_SUCCESS,
		   "{\"event\":\"param-changed\",\"scope\":\"module\","
		   "\"name\":\"event_interval_ms\",\"value\":5}\n"
		   "{\"event\":\"param-changed\",\"scope\":\"netns\","
		   "\"name\":\"events\",\"value\":0,\"netns_cookie\":4097}\n", "");
	fake_reset();
	fake_event("events", 0, TCPTUNE_SCOPE_NETNS);
	fake_delfamily();
	CHECK_TOOL("monitor", EXIT_FAILURE,
		   "param-changed scope=netns name=events value=0\n",
		   "tcptunectl: the tcptune module was unloaded\n");

	fake_reset();
	free(t_out);
	free(t_err);
	t_out = t_err = NULL;
	close(fk.evfd);
}

int main(void)
{
	test_params();
	test_params_pretty_and_empty();
	test_stats();
	test_version();
	test_malformed();
	test_extack();
	test_family();
	test_events();
	test_json_strings();
	test_parse_u32();
	test_fuzz();
	test_e2e();

	if (failures) {
		fprintf(stderr, "test-tcptunectl: %d of %d checks failed\n",
			failures, checks);
		return EXIT_FAILURE;
	}
	printf("test-tcptunectl: all %d checks passed\n", checks);
	return EXIT_SUCCESS;
}
