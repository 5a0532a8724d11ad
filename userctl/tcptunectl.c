// SPDX-License-Identifier: GPL-2.0
/*
 * tcptunectl: show and set the counters and parameters of the tcptune
 * module, and watch its events, over the "tcptune" generic netlink family.
 *
 * Usage: tcptunectl [OPTIONS] OBJECT [COMMAND] [ARGS]; see print_usage(),
 * which is generated from the tables below, and tcptunectl(8).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "tcptune.h"
#include "json_print.h"
#include "nl.h"
#include "reply.h"

#define TOOL_VERSION	"0.1.0"
#define NETNS_RUN_DIR	"/run/netns"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct ctx {
	const char *netns;	/* -n NETNS, or NULL */
	struct nl nl;
	struct nl_family fam;	/* the tcptune family */
};

/* One line of help: the syntax, then what it does (may hold '\n'). */
struct usage {
	const char *syntax;
	const char *help;
};

struct command {
	const char *name;
	int (*run)(struct ctx *c, int argc, char **argv);
};

struct object {
	const char *name;
	const struct usage *usage;	/* ended by { NULL } */
	/*
	 * Ended by { NULL }; the first one runs when no command is given.
	 * Objects without commands have run() parse all their arguments.
	 */
	const struct command *cmds;
	int (*run)(struct ctx *c, int argc, char **argv);
};

static const struct object objects[];

/* Messages */

static void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void pr_err(const char *fmt, ...)
{
	va_list ap;

	fputs("tcptunectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A command line mistake about @object: message, hint, failure. */
static int arg_error(const char *object, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int arg_error(const char *object, const char *fmt, ...)
{
	va_list ap;

	fputs("tcptunectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (object)
		fprintf(stderr, "Try \"tcptunectl %s help\".\n", object);
	else
		fprintf(stderr, "Try \"tcptunectl --help\".\n");
	return -1;
}

/* Help */

static const struct usage options_usage[] = {
	{ "-j, --json", "Print JSON instead of text." },
	{ "-p, --pretty", "Print indented JSON (implies --json)." },
	{ "-n, --netns NETNS", "Run in the network namespace NETNS (/run/netns/NETNS)." },
	{ "-V, --version", "Print the version of tcptunectl and exit." },
	{ "-h, --help", "Print this help and exit." },
	{ NULL, NULL }
};

static void print_usage_entry(FILE *f, const struct usage *u)
{
	const char *s = u->help;
	size_t len;

	fprintf(f, "  %s\n", u->syntax);
	while (*s) {
		len = strcspn(s, "\n");
		fprintf(f, "      %.*s\n", (int)len, s);
		s += len;
		if (*s)
			s++;
	}
}

static void print_usage(FILE *f)
{
	const struct object *obj;
	const struct usage *u;

	fputs("Usage: tcptunectl [OPTIONS] OBJECT [COMMAND] [ARGS]\n"
	      "       tcptunectl OBJECT help\n"
	      "       tcptunectl {-V | --version | -h | --help}\n"
	      "\n"
	      "Objects and commands:\n", f);
	for (obj = objects; obj->name; obj++)
		for (u = obj->usage; u->syntax; u++)
			print_usage_entry(f, u);
	fputs("\nOptions:\n", f);
	for (u = options_usage; u->syntax; u++)
		fprintf(f, "  %-19s %s\n", u->syntax, u->help);
}

static void print_object_usage(FILE *f, const struct object *obj)
{
	const struct usage *u;

	for (u = obj->usage; u->syntax; u++)
		fprintf(f, "%s tcptunectl [OPTIONS] %s\n",
			u == obj->usage ? "Usage:" : "      ", u->syntax);
	fputc('\n', f);
	for (u = obj->usage; u->syntax; u++)
		print_usage_entry(f, u);
}

/* Arguments */

/* A decimal u32: digits only, so no sign, blank, base prefix or suffix. */
static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s || s[strspn(s, "0123456789")])
		return -EINVAL;
	for (; *s; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_value(const char *object, const char *name, const char *s,
		       uint32_t *out)
{
	switch (parse_u32(s, out)) {
	case 0:
		return 0;
	case -ERANGE:
		return arg_error(object,
				 "value \"%s\" for parameter \"%s\" is too large (the maximum is %u)",
				 s, name, UINT32_MAX);
	default:
		return arg_error(object,
				 "invalid value \"%s\" for parameter \"%s\": expected a decimal number from 0 to %u",
				 s, name, UINT32_MAX);
	}
}

static int no_args(const char *object, int argc, char **argv)
{
	if (argc > 0)
		return arg_error(object, "unexpected argument \"%s\"", argv[0]);
	return 0;
}

/* Talking to the kernel */

static int enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd, n;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..")) {
		pr_err("invalid network namespace name \"%s\"", name);
		return -1;
	}
	n = snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		pr_err("network namespace name \"%s\" is too long", name);
		return -1;
	}

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			pr_err("network namespace \"%s\" does not exist (no %s)",
			       name, path);
		else
			pr_err("cannot open network namespace \"%s\": %s",
			       name, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		pr_err("cannot enter network namespace \"%s\": %s",
		       name, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The name of the parameter at offset @off of request @req, if any. */
static const char *request_param_at(const struct nlmsghdr *req, uint32_t off)
{
	const struct nlattr *nest, *attr;

	nest = nl_attr_at_offset(req, GENL_HDRLEN, off);
	if (!nest || mnl_attr_get_type(nest) != TCPTUNE_A_PARAM)
		return NULL;
	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) == TCPTUNE_A_PARAM_NAME &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

/* Report a failed request; @req may be NULL. */
static void report_error(const struct ctx *c, const struct nlmsghdr *req,
			 int err)
{
	const struct nl_ack *ack = &c->nl.ack;
	const char *name;

	if (err != ack->error) {
		/* Not the kernel's answer: it failed on our side. */
		if (err == -EPROTO)
			pr_err("malformed reply from the kernel");
		else if (err == -ENOMEM)
			pr_err("out of memory");
		else
			pr_err("netlink: %s", strerror(-err));
		return;
	}

	if (ack->has_msg)
		fprintf(stderr, "Error: %s (%s)\n", ack->msg, strerror(-err));
	else if (err == -EPERM)
		fprintf(stderr, "Error: %s (needs CAP_NET_ADMIN)\n",
			strerror(-err));
	else
		fprintf(stderr, "Error: %s\n", strerror(-err));

	if (ack->has_off && req) {
		name = request_param_at(req, ack->off);
		if (name)
			pr_err("the kernel rejected parameter \"%s\"", name);
	}
	if (ack->has_miss_type)
		pr_err("the kernel reports missing attribute %u",
		       ack->miss_type);
}

/* Send @req and wait for its ack; errors and warnings are reported. */
static int request(struct ctx *c, struct nlmsghdr *req, nl_msg_cb cb,
		   void *data)
{
	int err = nl_request(&c->nl, req, cb, data);

	if (err) {
		report_error(c, req, err);
		return -1;
	}
	if (c->nl.ack.has_msg)
		fprintf(stderr, "Warning: %s\n", c->nl.ack.msg);
	return 0;
}

/* Enter the netns, open the socket and resolve the tcptune family. */
static int ctx_connect(struct ctx *c)
{
	int err;

	if (c->netns && enter_netns(c->netns))
		return -1;

	err = nl_open(&c->nl);
	if (err) {
		pr_err("cannot open a generic netlink socket: %s",
		       strerror(-err));
		return -1;
	}

	err = nl_resolve_family(&c->nl, TCPTUNE_FAMILY_NAME,
				TCPTUNE_MCGRP_EVENTS, &c->fam);
	if (err == -ENOENT && err == c->nl.ack.error) {
		pr_err("the tcptune module is not loaded (load it with: modprobe tcptune)");
		return -1;
	}
	if (err) {
		report_error(c, NULL, err);
		return -1;
	}
	return 0;
}

static struct nlmsghdr *tt_msg(struct ctx *c, uint8_t cmd)
{
	return nl_genl_msg(&c->nl, c->fam.id, cmd, TCPTUNE_FAMILY_VERSION);
}

static const char *scope_name(uint32_t scope)
{
	switch (scope) {
	case TCPTUNE_SCOPE_MODULE:
		return "module";
	case TCPTUNE_SCOPE_NETNS:
		return "netns";
	default:
		return "unknown";
	}
}

/* stats */

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	return tt_parse_stats(nlh, data);
}

/* Text: "NAME VALUE" lines as nstat does. JSON: {"NAME": VALUE, ...}. */
static void print_stats(const struct tt_stats *st)
{
	size_t i;

	out_open_object(NULL);
	for (i = 0; i < st->n; i++) {
		out_text("%-28s ", st->v[i].name);
		out_uint(st->v[i].name, "%llu\n", st->v[i].value);
	}
	out_close_object();
}

static int cmd_stats_show(struct ctx *c, int argc, char **argv)
{
	struct tt_stats st = { 0 };
	int ret;

	if (no_args("stats", argc, argv) || ctx_connect(c))
		return -1;

	ret = request(c, tt_msg(c, TCPTUNE_CMD_GET_STATS), stats_cb, &st);
	if (!ret)
		print_stats(&st);
	tt_stats_free(&st);
	return ret;
}

/* version */

static int version_cb(const struct nlmsghdr *nlh, void *data)
{
	return tt_parse_version(nlh, data);
}

/*
 * Text: "tcptunectl TOOL, module tcptune MODULE built for RELEASE".
 * JSON: {"tool":..,"module":..,"kernel_release":..}.
 */
static void print_version(const struct tt_version *v)
{
	out_open_object(NULL);
	out_string("tool", "tcptunectl %s, ", TOOL_VERSION);
	out_string("module", "module tcptune %s ",
		   v->version ? v->version : "unknown");
	out_string("kernel_release", "built for %s\n",
		   v->kernel_release ? v->kernel_release : "unknown");
	out_close_object();
}

static int cmd_version(struct ctx *c, int argc, char **argv)
{
	struct tt_version v = { 0 };
	int ret;

	if (no_args("version", argc, argv) || ctx_connect(c))
		return -1;

	ret = request(c, tt_msg(c, TCPTUNE_CMD_GET_VERSION), version_cb, &v);
	if (!ret)
		print_version(&v);
	tt_version_free(&v);
	return ret;
}

/* config and cc */

/* What "config" and "cc" read and write. */
struct param_object {
	const char *name;
	uint8_t get_cmd;
	/* The command setting parameters of each scope; 0: read-only. */
	uint8_t set_cmd[TCPTUNE_SCOPE_NETNS + 1];
};

static const struct param_object config_object = {
	.name = "config",
	.get_cmd = TCPTUNE_CMD_GET_CONFIG,
	.set_cmd = {
		[TCPTUNE_SCOPE_MODULE] = TCPTUNE_CMD_SET_CONFIG,
		[TCPTUNE_SCOPE_NETNS] = TCPTUNE_CMD_SET_NETNS_CONFIG,
	},
};

static const struct param_object cc_object = {
	.name = "cc",
	.get_cmd = TCPTUNE_CMD_GET_CC,
	.set_cmd = {
		[TCPTUNE_SCOPE_MODULE] = TCPTUNE_CMD_SET_CC,
	},
};

static int params_cb(const struct nlmsghdr *nlh, void *data)
{
	return tt_parse_params(nlh, data);
}

static int get_params(struct ctx *c, const struct param_object *po,
		      struct tt_params *p)
{
	return request(c, tt_msg(c, po->get_cmd), params_cb, p);
}

static int num_width(unsigned long long v)
{
	int w = 1;

	while (v >= 10) {
		v /= 10;
		w++;
	}
	return w;
}

/*
 * Text: "NAME VALUE  (MIN..MAX[ UNIT], SCOPE)", names left and values right
 * aligned. JSON: an array of objects with all of these, unit "" if none.
 */
static void print_params(const struct tt_params *p)
{
	char name_fmt[32], value_fmt[32];
	int name_w = 0, value_w = 0;
	const struct tt_param *q;
	const char *unit;
	size_t i;

	for (i = 0; i < p->n; i++) {
		q = &p->v[i];
		if ((int)strlen(q->name) > name_w)
			name_w = (int)strlen(q->name);
		if (num_width(q->value) > value_w)
			value_w = num_width(q->value);
	}
	snprintf(name_fmt, sizeof(name_fmt), "%%-%ds ", name_w);
	snprintf(value_fmt, sizeof(value_fmt), "%%%dllu  (", value_w);

	out_open_array(NULL);
	for (i = 0; i < p->n; i++) {
		q = &p->v[i];
		unit = q->unit ? q->unit : "";
		out_open_object(NULL);
		out_string("name", name_fmt, q->name);
		out_uint("value", value_fmt, q->value);
		out_uint("min", "%llu..", q->min);
		out_uint("max", "%llu", q->max);
		out_string("unit", unit[0] ? " %s" : NULL, unit);
		out_string("scope", ", %s)\n", scope_name(q->scope));
		out_close_object();
	}
	out_close_array();
}

static int cmd_params_show(struct ctx *c, const struct param_object *po,
			   int argc, char **argv)
{
	struct tt_params p = { 0 };
	int ret;

	if (no_args(po->name, argc, argv) || ctx_connect(c))
		return -1;

	ret = get_params(c, po, &p);
	if (!ret)
		print_params(&p);
	tt_params_free(&p);
	return ret;
}

/* NAME VALUE from the command line, and what the kernel says about NAME. */
struct assignment {
	const char *name;
	uint32_t value;
	const struct tt_param *param;
};

static void report_unknown_param(const struct param_object *po,
				 const struct tt_params *p, const char *name)
{
	size_t i;

	if (!p->n) {
		pr_err("unknown %s parameter \"%s\": the module has no %s parameters",
		       po->name, name, po->name);
		return;
	}
	fprintf(stderr, "tcptunectl: unknown %s parameter \"%s\"; valid parameters: ",
		po->name, name);
	for (i = 0; i < p->n; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", p->v[i].name);
	fputc('\n', stderr);
}

/* One request setting all parameters of @scope among @a. */
static int send_params(struct ctx *c, uint8_t cmd, uint32_t scope,
		       const struct assignment *a, size_t n)
{
	struct nlmsghdr *nlh = tt_msg(c, cmd);
	struct nlattr *nest;
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		if (a[i].param->scope != scope)
			continue;
		nest = mnl_attr_nest_start_check(nlh, NL_BUF_SIZE,
						 TCPTUNE_A_PARAM | NLA_F_NESTED);
		if (!nest ||
		    !mnl_attr_put_strz_check(nlh, NL_BUF_SIZE, TCPTUNE_A_PARAM_NAME,
					     a[i].param->name) ||
		    !mnl_attr_put_u32_check(nlh, NL_BUF_SIZE, TCPTUNE_A_PARAM_VALUE,
					    a[i].value)) {
			pr_err("too many parameters for one request");
			return -1;
		}
		mnl_attr_nest_end(nlh, nest);
		count++;
	}
	if (!count)
		return 0;
	return request(c, nlh, NULL, NULL);
}

static int cmd_params_set(struct ctx *c, const struct param_object *po,
			  int argc, char **argv)
{
	struct tt_params p = { 0 };
	struct assignment *a;
	size_t n, i, j;
	uint32_t scope;
	int ret = -1;

	if (argc == 0)
		return arg_error(po->name, "\"%s set\" needs NAME VALUE pairs",
				 po->name);
	if (argc % 2)
		return arg_error(po->name, "missing value for parameter \"%s\"",
				 argv[argc - 1]);

	n = (size_t)argc / 2;
	a = calloc(n, sizeof(*a));
	if (!a) {
		pr_err("out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		a[i].name = argv[2 * i];
		if (parse_value(po->name, a[i].name, argv[2 * i + 1], &a[i].value))
			goto out;
		for (j = 0; j < i; j++) {
			if (!strcmp(a[j].name, a[i].name)) {
				arg_error(po->name, "parameter \"%s\" is given more than once",
					  a[i].name);
				goto out;
			}
		}
	}

	/* Learn the names and scopes, so mistakes are caught before any change. */
	if (ctx_connect(c) || get_params(c, po, &p))
		goto out;
	for (i = 0; i < n; i++) {
		a[i].param = tt_params_find(&p, a[i].name);
		if (!a[i].param) {
			report_unknown_param(po, &p, a[i].name);
			goto out;
		}
		scope = a[i].param->scope;
		if (scope >= ARRAY_SIZE(po->set_cmd) || !po->set_cmd[scope]) {
			pr_err("%s parameter \"%s\" has scope %s (%u), which tcptunectl cannot set",
			       po->name, a[i].name, scope_name(scope), scope);
			goto out;
		}
		/*
		 * The module checks too, but per request: without this, a
		 * module-scope value would be set before a netns-scope one
		 * of the same command was refused.
		 */
		if (a[i].value < a[i].param->min || a[i].value > a[i].param->max) {
			pr_err("%s: %u is out of range [%u, %u]; nothing was changed",
			       a[i].name, a[i].value, a[i].param->min,
			       a[i].param->max);
			goto out;
		}
	}

	/* Module scope first, then netns scope: one request for each. */
	for (scope = 0; scope < ARRAY_SIZE(po->set_cmd); scope++) {
		if (po->set_cmd[scope] &&
		    send_params(c, po->set_cmd[scope], scope, a, n))
			goto out;
	}
	ret = 0;
out:
	free(a);
	tt_params_free(&p);
	return ret;
}

static int cmd_config_show(struct ctx *c, int argc, char **argv)
{
	return cmd_params_show(c, &config_object, argc, argv);
}

static int cmd_config_set(struct ctx *c, int argc, char **argv)
{
	return cmd_params_set(c, &config_object, argc, argv);
}

static int cmd_cc_show(struct ctx *c, int argc, char **argv)
{
	return cmd_params_show(c, &cc_object, argc, argv);
}

static int cmd_cc_set(struct ctx *c, int argc, char **argv)
{
	return cmd_params_set(c, &cc_object, argc, argv);
}

/* listeners */

#define LISTENER_NCNT	6

/* Counter columns, named as in /proc/net/tcptune/listeners. */
static const char *const listener_cnt_names[LISTENER_NCNT] = {
	"ListenOverflows", "ListenDrops", "TCPReqQFullDrop",
	"TCPReqQFullDoCookies", "SyncookiesSent", "SynAckRetrans",
};

static const uint16_t listener_cnt_attrs[LISTENER_NCNT] = {
	TCPTUNE_A_LISTENER_LISTEN_OVERFLOWS, TCPTUNE_A_LISTENER_LISTEN_DROPS,
	TCPTUNE_A_LISTENER_REQQ_FULL_DROP, TCPTUNE_A_LISTENER_REQQ_FULL_DO_COOKIES,
	TCPTUNE_A_LISTENER_SYNCOOKIES_SENT, TCPTUNE_A_LISTENER_SYNACK_RETRANS,
};

struct listener {
	uint32_t family;
	uint32_t state;		/* enum tcptune_listener_state */
	uint32_t backlog, acceptq, synq;
	uint32_t kind;		/* events: enum tcptune_overflow_kind */
	uint64_t count;		/* events */
	uint16_t port;
	uint8_t addr[16];
	size_t addrlen;
	uint64_t cnt[LISTENER_NCNT];
};

struct listeners {
	struct listener *v;
	size_t n, cap;
	bool intr;		/* NLM_F_DUMP_INTR seen */
};

static int attr_check(const struct nlattr *a, size_t len)
{
	return mnl_attr_get_payload_len(a) == len ? 0 : -EPROTO;
}

/* An IPv4 (4 bytes) or IPv6 (16 bytes) address attribute. */
static int parse_addr(const struct nlattr *a, uint8_t addr[16], size_t *len)
{
	*len = mnl_attr_get_payload_len(a);
	if (*len != 4 && *len != 16)
		return -EPROTO;
	memcpy(addr, mnl_attr_get_payload(a), *len);
	return 0;
}

/* "addr:port", IPv6 in brackets, as in the procfs files. */
static void format_endpoint(const uint8_t *addr, size_t addrlen, uint16_t port,
			    char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(addrlen == 16 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	snprintf(buf, len, addrlen == 16 ? "[%s]:%u" : "%s:%u", a, port);
}

/* Room for one more element of @size in the array *@v of *@cap; 0 or -ENOMEM. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;

	if (n < *cap)
		return 0;
	nv = realloc(*v, (*cap ? 2 * *cap : 16) * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = *cap ? 2 * *cap : 16;
	return 0;
}

/* One TCPTUNE_A_LISTENER nest; unknown attributes are skipped. */
static int parse_listener(const struct nlattr *nest, struct listener *l)
{
	const struct nlattr *a;
	unsigned int i;

	memset(l, 0, sizeof(*l));
	mnl_attr_for_each_nested(a, nest) {
		uint16_t type = mnl_attr_get_type(a);

		for (i = 0; i < LISTENER_NCNT; i++)
			if (type == listener_cnt_attrs[i])
				break;
		if (i < LISTENER_NCNT) {
			if (attr_check(a, 8))
				return -EPROTO;
			l->cnt[i] = mnl_attr_get_u64(a);
			continue;
		}
		switch (type) {
		case TCPTUNE_A_LISTENER_FAMILY:
		case TCPTUNE_A_LISTENER_STATE:
		case TCPTUNE_A_LISTENER_BACKLOG:
		case TCPTUNE_A_LISTENER_ACCEPTQ:
		case TCPTUNE_A_LISTENER_SYNQ:
		case TCPTUNE_A_LISTENER_OVERFLOW_KIND:
			if (attr_check(a, 4))
				return -EPROTO;
			*(type == TCPTUNE_A_LISTENER_FAMILY ? &l->family :
			  type == TCPTUNE_A_LISTENER_STATE ? &l->state :
			  type == TCPTUNE_A_LISTENER_BACKLOG ? &l->backlog :
			  type == TCPTUNE_A_LISTENER_ACCEPTQ ? &l->acceptq :
			  type == TCPTUNE_A_LISTENER_SYNQ ? &l->synq :
			  &l->kind) = mnl_attr_get_u32(a);
			break;
		case TCPTUNE_A_LISTENER_PORT:
			if (attr_check(a, 2))
				return -EPROTO;
			l->port = mnl_attr_get_u16(a);
			break;
		case TCPTUNE_A_LISTENER_COUNT:
			if (attr_check(a, 8))
				return -EPROTO;
			l->count = mnl_attr_get_u64(a);
			break;
		case TCPTUNE_A_LISTENER_ADDR:
			if (parse_addr(a, l->addr, &l->addrlen))
				return -EPROTO;
			break;
		default:
			break;
		}
	}
	return 0;
}

static void listener_local(const struct listener *l, char *buf, size_t len)
{
	format_endpoint(l->addr, l->addrlen, l->port, buf, len);
}

static int listeners_cb(const struct nlmsghdr *nlh, void *data)
{
	struct listeners *ls = data;
	const struct nlattr *a;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		ls->intr = true;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != TCPTUNE_A_LISTENER)
			continue;
		if (grow((void **)&ls->v, &ls->cap, ls->n, sizeof(*ls->v)))
			return -ENOMEM;
		if (parse_listener(a, &ls->v[ls->n]))
			return -EPROTO;
		ls->n++;
	}
	return 0;
}

static bool listener_overflowing(const struct listener *l)
{
	return l->cnt[0] || l->cnt[1] || l->cnt[2] || l->cnt[3];
}

/*
 * Text: the header and rows of /proc/net/tcptune/listeners. JSON: an array
 * of objects whose keys are the same column names.
 */
static void print_listeners(const struct listeners *ls, bool overflowing)
{
	char local[64];
	size_t i, j;

	out_open_array(NULL);
	out_text("local backlog acceptq synq");
	for (j = 0; j < LISTENER_NCNT; j++)
		out_text(" %s", listener_cnt_names[j]);
	out_text(" state\n");
	for (i = 0; i < ls->n; i++) {
		const struct listener *l = &ls->v[i];

		if (overflowing && !listener_overflowing(l))
			continue;
		listener_local(l, local, sizeof(local));
		out_open_object(NULL);
		out_string("local", "%s", local);
		out_uint("backlog", " %llu", l->backlog);
		out_uint("acceptq", " %llu", l->acceptq);
		out_uint("synq", " %llu", l->synq);
		for (j = 0; j < LISTENER_NCNT; j++)
			out_uint(listener_cnt_names[j], " %llu", l->cnt[j]);
		out_string("state", " %s\n",
			   l->state == TCPTUNE_LISTENER_STATE_CLOSED ? "closed" : "listen");
		out_close_object();
	}
	out_close_array();
}

static int cmd_listeners(struct ctx *c, int argc, char **argv)
{
	struct listeners ls = { 0 };
	bool overflowing = false, has_port = false;
	struct nlmsghdr *nlh;
	uint32_t port = 0;
	int ret, tries;

	while (argc > 0) {
		if (!strcmp(argv[0], "overflowing")) {
			overflowing = true;
			argc--;
			argv++;
			continue;
		}
		if (strcmp(argv[0], "port"))
			return arg_error("listeners", "unexpected argument \"%s\"",
					 argv[0]);
		if (has_port)
			return arg_error("listeners", "\"port\" is given more than once");
		if (argc < 2 || parse_u32(argv[1], &port) || port > 65535)
			return arg_error("listeners",
					 "\"port\" needs a port number from 0 to 65535");
		has_port = true;
		argc -= 2;
		argv += 2;
	}
	if (ctx_connect(c))
		return -1;

	/* The set of listeners changed during the dump: ask again. */
	for (tries = 0; tries < 5; tries++) {
		ls.n = 0;
		ls.intr = false;
		nlh = tt_msg(c, TCPTUNE_CMD_GET_LISTENERS);
		nlh->nlmsg_flags |= NLM_F_DUMP;
		if (has_port)
			mnl_attr_put_u16(nlh, TCPTUNE_A_LISTEN_PORT, (uint16_t)port);
		ret = request(c, nlh, listeners_cb, &ls);
		if (c->nl.ack.dump_intr)
			ls.intr = true;
		if (ret || !ls.intr)
			break;
	}
	if (!ret) {
		if (ls.intr)
			pr_err("warning: listeners kept changing, the list may be inconsistent");
		print_listeners(&ls, overflowing);
	}
	free(ls.v);
	return ret;
}

/* timewait */

struct tw_row {
	uint32_t kind;		/* enum tcptune_timewait_by */
	uint32_t family;
	uint32_t port_range, pct100;
	uint32_t age_min, age_max;
	uint32_t max_buckets;	/* tw-overflow events */
	bool has_age_max, has_pct;
	uint16_t port;
	uint8_t addr[16];
	size_t addrlen;
	uint64_t count;
};

struct tw_rows {
	struct tw_row *v;
	size_t n, cap;
};

/* One TCPTUNE_A_TIMEWAIT nest; unknown attributes are skipped. */
static int parse_tw_row(const struct nlattr *nest, struct tw_row *r)
{
	const struct nlattr *a;

	memset(r, 0, sizeof(*r));
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case TCPTUNE_A_TIMEWAIT_KIND:
		case TCPTUNE_A_TIMEWAIT_FAMILY:
		case TCPTUNE_A_TIMEWAIT_PORT_RANGE:
		case TCPTUNE_A_TIMEWAIT_PCT100:
		case TCPTUNE_A_TIMEWAIT_AGE_MIN_S:
		case TCPTUNE_A_TIMEWAIT_AGE_MAX_S:
		case TCPTUNE_A_TIMEWAIT_MAX_BUCKETS:
			if (attr_check(a, 4))
				return -EPROTO;
			switch (mnl_attr_get_type(a)) {
			case TCPTUNE_A_TIMEWAIT_KIND:
				r->kind = mnl_attr_get_u32(a);
				break;
			case TCPTUNE_A_TIMEWAIT_FAMILY:
				r->family = mnl_attr_get_u32(a);
				break;
			case TCPTUNE_A_TIMEWAIT_PORT_RANGE:
				r->port_range = mnl_attr_get_u32(a);
				break;
			case TCPTUNE_A_TIMEWAIT_PCT100:
				r->pct100 = mnl_attr_get_u32(a);
				r->has_pct = true;
				break;
			case TCPTUNE_A_TIMEWAIT_AGE_MIN_S:
				r->age_min = mnl_attr_get_u32(a);
				break;
			case TCPTUNE_A_TIMEWAIT_MAX_BUCKETS:
				r->max_buckets = mnl_attr_get_u32(a);
				break;
			default:
				r->age_max = mnl_attr_get_u32(a);
				r->has_age_max = true;
				break;
			}
			break;
		case TCPTUNE_A_TIMEWAIT_PORT:
			if (attr_check(a, 2))
				return -EPROTO;
			r->port = mnl_attr_get_u16(a);
			break;
		case TCPTUNE_A_TIMEWAIT_COUNT:
			if (attr_check(a, 8))
				return -EPROTO;
			r->count = mnl_attr_get_u64(a);
			break;
		case TCPTUNE_A_TIMEWAIT_ADDR:
			if (parse_addr(a, r->addr, &r->addrlen))
				return -EPROTO;
			break;
		default:
			break;
		}
	}
	return 0;
}

static int tw_rows_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tw_rows *rs = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != TCPTUNE_A_TIMEWAIT)
			continue;
		if (grow((void **)&rs->v, &rs->cap, rs->n, sizeof(*rs->v)))
			return -ENOMEM;
		if (parse_tw_row(a, &rs->v[rs->n]))
			return -EPROTO;
		rs->n++;
	}
	return 0;
}

static const char *const tw_kind_names[] = {
	[TCPTUNE_TIMEWAIT_BY_LOCAL] = "local",
	[TCPTUNE_TIMEWAIT_BY_REMOTE] = "remote",
	[TCPTUNE_TIMEWAIT_BY_AGE] = "age",
};

/*
 * Text: the "kind endpoint count pct" rows of /proc/net/tcptune/timewait.
 * JSON: an array of objects with those keys ("pct" only in remote rows,
 * with "port_range"; age rows have "endpoint" as the bucket, e.g. "1-5s").
 */
static void print_tw_rows(const struct tw_rows *rs)
{
	char ep[64];
	size_t i;

	out_open_array(NULL);
	out_text("kind endpoint count pct\n");
	for (i = 0; i < rs->n; i++) {
		const struct tw_row *r = &rs->v[i];
		const char *kind = r->kind < ARRAY_SIZE(tw_kind_names) &&
				   tw_kind_names[r->kind] ? tw_kind_names[r->kind] : "?";

		if (r->kind == TCPTUNE_TIMEWAIT_BY_AGE) {
			if (r->has_age_max)
				snprintf(ep, sizeof(ep), "%u-%us", r->age_min, r->age_max);
			else
				snprintf(ep, sizeof(ep), "%us+", r->age_min);
		} else {
			format_endpoint(r->addr, r->addrlen, r->port, ep,
					sizeof(ep));
		}
		out_open_object(NULL);
		out_string("kind", "%s", kind);
		out_string("endpoint", " %s", ep);
		out_uint("count", " %llu", (unsigned long long)r->count);
		if (r->has_pct) {
			out_text(" %u.%02u\n", r->pct100 / 100, r->pct100 % 100);
			out_uint("pct100", NULL, r->pct100);
			out_uint("port_range", NULL, r->port_range);
		} else {
			out_text(" -\n");
		}
		out_close_object();
	}
	out_close_array();
}

static int cmd_timewait(struct ctx *c, int argc, char **argv)
{
	struct tw_rows rs = { 0 };
	uint32_t by = 0, top = 0;
	struct nlmsghdr *nlh;
	int ret;

	while (argc > 0) {
		if (!strcmp(argv[0], "by")) {
			if (by)
				return arg_error("timewait", "\"by\" is given more than once");
			if (argc < 2)
				by = 0;
			else if (!strcmp(argv[1], "local"))
				by = TCPTUNE_TIMEWAIT_BY_LOCAL;
			else if (!strcmp(argv[1], "remote"))
				by = TCPTUNE_TIMEWAIT_BY_REMOTE;
			else if (!strcmp(argv[1], "age"))
				by = TCPTUNE_TIMEWAIT_BY_AGE;
			if (!by)
				return arg_error("timewait",
						 "\"by\" needs local, remote or age");
		} else if (!strcmp(argv[0], "top")) {
			if (top)
				return arg_error("timewait", "\"top\" is given more than once");
			if (argc < 2 || parse_u32(argv[1], &top) || top < 1 || top > 1000)
				return arg_error("timewait",
						 "\"top\" needs a number from 1 to 1000");
		} else {
			return arg_error("timewait", "unexpected argument \"%s\"",
					 argv[0]);
		}
		argc -= 2;
		argv += 2;
	}
	if (ctx_connect(c))
		return -1;
	nlh = tt_msg(c, TCPTUNE_CMD_GET_TIMEWAIT);
	nlh->nlmsg_flags |= NLM_F_DUMP;
	if (by)
		mnl_attr_put_u32(nlh, TCPTUNE_A_TIMEWAIT_BY, by);
	if (top)
		mnl_attr_put_u32(nlh, TCPTUNE_A_TIMEWAIT_TOP, top);
	ret = request(c, nlh, tw_rows_cb, &rs);
	if (!ret)
		print_tw_rows(&rs);
	free(rs.v);
	return ret;
}

/* monitor */

static volatile sig_atomic_t monitor_stop;

static void monitor_on_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

struct monitor {
	uint16_t family;
	uint32_t limit;		/* stop after this many events; 0: never */
	uint32_t seen;
	bool gone;		/* the family was unregistered */
};

static bool monitor_done(const struct monitor *m)
{
	return m->gone || (m->limit && m->seen >= m->limit);
}

/*
 * Text: "param-changed scope=S name=N value=V",
 * "listen-overflow local=ADDR:PORT kind=accept-queue|syn-queue count=N",
 * "tw-exhaustion remote=ADDR:PORT count=N pct=P port_range=R",
 * "tw-overflow max_buckets=M count=N", or "event kind=K".
 * JSON: {"event":"param-changed","scope":..,"name":..,"value":..},
 * {"event":"listen-overflow","local":..,"kind":..,"count":..},
 * {"event":"tw-exhaustion","remote":..,"count":..,"pct100":..,"port_range":..},
 * {"event":"tw-overflow","max_buckets":..,"count":..} or
 * {"event":"unknown","kind":K}, with "netns_cookie" when the kernel sent one.
 */
static void print_event(const struct tt_event *ev, const struct listener *l,
			const struct tw_row *tw)
{
	char local[64];

	out_open_object(NULL);
	if (ev->kind == TCPTUNE_EVENT_KIND_LISTEN_OVERFLOW && l) {
		listener_local(l, local, sizeof(local));
		out_string("event", "%s", "listen-overflow");
		out_string("local", " local=%s", local);
		out_string("kind", " kind=%s",
			   l->kind == TCPTUNE_OVERFLOW_KIND_SYN_QUEUE ?
			   "syn-queue" : "accept-queue");
		out_uint("count", " count=%llu", l->count);
	} else if (ev->kind == TCPTUNE_EVENT_KIND_TW_EXHAUSTION && tw) {
		format_endpoint(tw->addr, tw->addrlen, tw->port, local,
				sizeof(local));
		out_string("event", "%s", "tw-exhaustion");
		out_string("remote", " remote=%s", local);
		out_uint("count", " count=%llu", (unsigned long long)tw->count);
		out_text(" pct=%u.%02u", tw->pct100 / 100, tw->pct100 % 100);
		out_uint("pct100", NULL, tw->pct100);
		out_uint("port_range", " port_range=%llu", tw->port_range);
	} else if (ev->kind == TCPTUNE_EVENT_KIND_TW_OVERFLOW && tw) {
		out_string("event", "%s", "tw-overflow");
		out_uint("max_buckets", " max_buckets=%llu", tw->max_buckets);
		out_uint("count", " count=%llu", (unsigned long long)tw->count);
	} else if (ev->kind == TCPTUNE_EVENT_KIND_PARAM_CHANGED) {
		out_string("event", "%s", "param-changed");
		out_string("scope", " scope=%s", scope_name(ev->param.scope));
		out_string("name", " name=%s", ev->param.name);
		out_uint("value", " value=%llu", ev->param.value);
	} else {
		out_text("event");
		out_string("event", NULL, "unknown");
		out_uint("kind", " kind=%llu", ev->kind);
	}
	if (ev->has_netns_cookie)
		out_uint("netns_cookie", NULL, ev->netns_cookie);
	out_text("\n");
	out_close_object();
}

/* Print the event @ev parsed from @nlh, with its listener or TIME_WAIT nest. */
static void print_event_msg(const struct nlmsghdr *nlh, const struct tt_event *ev)
{
	struct listener l, *lp = NULL;
	struct tw_row tw, *twp = NULL;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == TCPTUNE_A_LISTENER &&
		    !parse_listener(a, &l))
			lp = &l;
		if (mnl_attr_get_type(a) == TCPTUNE_A_TIMEWAIT &&
		    !parse_tw_row(a, &tw))
			twp = &tw;
	}
	print_event(ev, lp, twp);
}

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	struct tt_event ev;
	int err;

	if (nl_parse_delfamily(nlh, m->family)) {
		m->gone = true;
		return 0;
	}
	if (nlh->nlmsg_type != m->family || monitor_done(m))
		return 0;

	err = tt_parse_event(nlh, &ev);
	if (err == -ENOMSG)
		return 0;
	if (err) {
		pr_err("warning: ignoring a malformed event");
		return 0;
	}
	print_event_msg(nlh, &ev);
	m->seen++;
	/* Readers may be on the other end of a pipe: no buffering. */
	return out_flush();
}

/*
 * Whether SIGINT or SIGTERM came. ppoll() only runs the handler when the
 * signal interrupts the wait: when the socket is readable at once, as under
 * a flood of events, the signal stays pending and must be looked for.
 */
static bool monitor_stopped(void)
{
	sigset_t pending;

	if (monitor_stop)
		return true;
	if (sigpending(&pending) < 0)
		return false;
	return sigismember(&pending, SIGINT) == 1 ||
	       sigismember(&pending, SIGTERM) == 1;
}

static int monitor_loop(struct ctx *c, struct monitor *m,
			const sigset_t *wait_mask)
{
	struct pollfd pfd = {
		.fd = mnl_socket_get_fd(c->nl.sk),
		.events = POLLIN,
	};
	ssize_t len;
	int err;

	while (!monitor_stopped() && !monitor_done(m)) {
		if (ppoll(&pfd, 1, NULL, wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("poll: %s", strerror(errno));
			return -1;
		}
		len = mnl_socket_recvfrom(c->nl.sk, c->nl.rbuf, NL_BUF_SIZE);
		if (len < 0) {
			switch (errno) {
			case EAGAIN:
			case EINTR:
				continue;
			case ENOBUFS:
				pr_err("warning: events were lost (socket receive buffer overrun)");
				continue;
			case ENOSPC:
				pr_err("warning: ignoring a message too large for the buffer");
				continue;
			default:
				pr_err("receive: %s", strerror(errno));
				return -1;
			}
		}
		err = nl_process_notifications(c->nl.rbuf, len, monitor_cb, m);
		if (err == -EPROTO) {
			pr_err("warning: ignoring a malformed datagram");
		} else if (err) {
			pr_err("cannot write the output: %s", strerror(-err));
			return -1;
		}
	}

	if (m->gone) {
		pr_err("the tcptune module was unloaded");
		return -1;
	}
	return 0;
}

static int cmd_monitor(struct ctx *c, int argc, char **argv)
{
	struct monitor m = { 0 };
	struct nl_family ctrl;
	sigset_t block, wait_mask;
	struct sigaction sa;
	bool has_count = false;
	int fd, flags, err;

	while (argc > 0) {
		if (strcmp(argv[0], "count"))
			return arg_error("monitor", "unexpected argument \"%s\"",
					 argv[0]);
		if (has_count)
			return arg_error("monitor", "\"count\" is given more than once");
		if (argc < 2)
			return arg_error("monitor", "\"count\" needs a number of events");
		if (parse_u32(argv[1], &m.limit) || m.limit == 0)
			return arg_error("monitor",
					 "invalid count \"%s\": expected a decimal number from 1 to %u",
					 argv[1], UINT32_MAX);
		has_count = true;
		argc -= 2;
		argv += 2;
	}

	/*
	 * SIGINT and SIGTERM end the monitor with success. They stay blocked
	 * but inside ppoll(), so none is missed between the check and the
	 * wait. The handler replaces SIG_IGN on purpose: a shell starts
	 * background jobs with SIGINT ignored, and "kill -INT" must still work.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = monitor_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (ctx_connect(c))
		return -1;
	if (!c->fam.has_mcgrp) {
		pr_err("the tcptune module has no \"%s\" multicast group",
		       TCPTUNE_MCGRP_EVENTS);
		return -1;
	}
	m.family = c->fam.id;

	/*
	 * Also hear from nlctrl when the family goes away, or a monitor would
	 * wait forever after "modprobe -r tcptune". Optional. No request may
	 * follow the joins: replies would be mixed with events.
	 */
	if (nl_resolve_family(&c->nl, "nlctrl", "notify", &ctrl) == 0 &&
	    ctrl.has_mcgrp)
		(void)nl_join_group(&c->nl, ctrl.mcgrp_id);

	err = nl_join_group(&c->nl, c->fam.mcgrp_id);
	if (err) {
		pr_err("cannot join the \"%s\" multicast group: %s",
		       TCPTUNE_MCGRP_EVENTS, strerror(-err));
		return -1;
	}

	fd = mnl_socket_get_fd(c->nl.sk);
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		pr_err("fcntl: %s", strerror(errno));
		return -1;
	}

	return monitor_loop(c, &m, &wait_mask);
}

/* help */

static int cmd_help(struct ctx *c, int argc, char **argv)
{
	(void)c;
	if (no_args("help", argc, argv))
		return -1;
	print_usage(stdout);
	return 0;
}

/* Objects */

static const struct usage stats_usage[] = {
	{ "stats [show]",
	  "Show the counters of the current network namespace." },
	{ NULL, NULL }
};

static const struct command stats_cmds[] = {
	{ "show", cmd_stats_show },
	{ NULL, NULL }
};

static const struct usage version_usage[] = {
	{ "version",
	  "Show the versions of tcptunectl and of the loaded module." },
	{ NULL, NULL }
};

static const struct usage config_usage[] = {
	{ "config [show]",
	  "Show the module and network namespace parameters." },
	{ "config set NAME VALUE [NAME VALUE]...",
	  "Set parameters. Module scope needs CAP_NET_ADMIN in the initial\n"
	  "user namespace, netns scope CAP_NET_ADMIN over the namespace." },
	{ NULL, NULL }
};

static const struct command config_cmds[] = {
	{ "show", cmd_config_show },
	{ "set", cmd_config_set },
	{ NULL, NULL }
};

static const struct usage cc_usage[] = {
	{ "cc [show]",
	  "Show the parameters of the bbrx congestion control." },
	{ "cc set NAME VALUE [NAME VALUE]...",
	  "Set bbrx parameters (needs CAP_NET_ADMIN in the initial\n"
	  "user namespace)." },
	{ NULL, NULL }
};

static const struct command cc_cmds[] = {
	{ "show", cmd_cc_show },
	{ "set", cmd_cc_set },
	{ NULL, NULL }
};

static const struct usage listeners_usage[] = {
	{ "listeners [port N] [overflowing]",
	  "Show the listening TCP sockets of the current network namespace\n"
	  "and the recently closed ones, with their queue counters; only\n"
	  "those on local port N, or only those that dropped or cookie-\n"
	  "answered requests." },
	{ NULL, NULL }
};

static const struct usage timewait_usage[] = {
	{ "timewait [by local|remote|age] [top N]",
	  "Show the TIME_WAIT sockets of the current network namespace by\n"
	  "local endpoint, by remote endpoint with the share of\n"
	  "ip_local_port_range they hold, and by time left; the N largest\n"
	  "rows of each (default: module parameter timewait_top)." },
	{ NULL, NULL }
};

static const struct usage monitor_usage[] = {
	{ "monitor [count N]",
	  "Print parameter change, listen-overflow and TIME_WAIT events until SIGINT\n"
	  "or SIGTERM, or until N events were printed." },
	{ NULL, NULL }
};

static const struct usage help_usage[] = {
	{ "help", "Print this help." },
	{ NULL, NULL }
};

static const struct object objects[] = {
	{ "stats", stats_usage, stats_cmds, NULL },
	{ "version", version_usage, NULL, cmd_version },
	{ "config", config_usage, config_cmds, NULL },
	{ "cc", cc_usage, cc_cmds, NULL },
	{ "listeners", listeners_usage, NULL, cmd_listeners },
	{ "timewait", timewait_usage, NULL, cmd_timewait },
	{ "monitor", monitor_usage, NULL, cmd_monitor },
	{ "help", help_usage, NULL, cmd_help },
	{ NULL, NULL, NULL, NULL }
};

static int run_object(struct ctx *c, const struct object *obj, int argc,
		      char **argv)
{
	const struct command *cmd;

	if (argc > 0 && !strcmp(argv[0], "help")) {
		if (no_args(obj->name, argc - 1, argv + 1))
			return -1;
		print_object_usage(stdout, obj);
		return 0;
	}
	if (!obj->cmds)
		return obj->run(c, argc, argv);
	if (argc == 0)
		return obj->cmds[0].run(c, 0, argv);
	for (cmd = obj->cmds; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[0]))
			return cmd->run(c, argc - 1, argv + 1);
	return arg_error(obj->name, "unknown command \"%s\" for object \"%s\"%s",
			 argv[0], obj->name,
			 argv[0][0] == '-' ? " (options go before the object)" : "");
}

static int finish(int ret)
{
	int err = out_flush();

	if (err) {
		pr_err("cannot write the output: %s", strerror(-err));
		ret = -1;
	}
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * What getopt_long() refused: a long option that is unknown or was given a
 * value it does not take (it reports both as '?'; like getopt_long(), a
 * prefix names an option), or a short one.
 */
static void bad_option(const struct option *opts, const char *arg)
{
	size_t len;

	if (strncmp(arg, "--", 2)) {
		arg_error(NULL, "unknown option \"-%c\"", optopt);
		return;
	}
	len = strcspn(arg + 2, "=");
	for (; opts->name; opts++)
		if (len && !strncmp(opts->name, arg + 2, len)) {
			arg_error(NULL, "option \"--%s\" takes no value",
				  opts->name);
			return;
		}
	arg_error(NULL, "unknown option \"%.*s\"",
		  (int)(len ? len + 2 : strlen(arg)), arg);
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "pretty",	no_argument,		NULL, 'p' },
		{ "netns",	required_argument,	NULL, 'n' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	const struct object *obj;
	struct ctx c = { 0 };
	bool json = false, pretty = false;
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:jpn:Vh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'p':
			json = true;
			pretty = true;
			break;
		case 'n':
			c.netns = optarg;
			break;
		case 'V':
			printf("tcptunectl %s\n", TOOL_VERSION);
			return finish(0);
		case 'h':
			print_usage(stdout);
			return finish(0);
		case ':':
			arg_error(NULL, "option -n (--netns) needs a network namespace name");
			return EXIT_FAILURE;
		default:
			bad_option(long_opts, argv[optind - 1]);
			return EXIT_FAILURE;
		}
	}

	if (optind >= argc) {
		print_usage(stderr);
		return EXIT_FAILURE;
	}
	for (obj = objects; obj->name; obj++)
		if (!strcmp(obj->name, argv[optind]))
			break;
	if (!obj->name) {
		arg_error(NULL, "unknown object \"%s\"", argv[optind]);
		return EXIT_FAILURE;
	}

	out_init(stdout, json, pretty);
	ret = run_object(&c, obj, argc - optind - 1, argv + optind + 1);
	nl_close(&c.nl);
	return finish(ret);
}
