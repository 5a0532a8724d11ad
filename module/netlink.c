// SPDX-License-Identifier: GPL-2.0
/*
 * The "tcptune" generic netlink family, as described by
 * Documentation/netlink/specs/tcptune.yaml.
 *
 * Every op has its own strict policy: unknown or unexpected attributes are
 * rejected by the netlink core with an extack message, and every rejection
 * made here says why in the extack too.
 *
 * Privileges: reading is open to anyone, for the requester's own netns.
 * Changing module-wide state (set-config, set-cc) needs CAP_NET_ADMIN in the
 * initial user namespace (GENL_ADMIN_PERM); changing one netns's state
 * (set-netns-config) needs CAP_NET_ADMIN in the user namespace owning that
 * netns (GENL_UNS_ADMIN_PERM). Ops run in parallel (parallel_ops);
 * parameter writers are serialised by tcptune_params_lock.
 */
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/rtnetlink.h>
#include <linux/string.h>
#include <generated/utsrelease.h>
#include <net/genetlink.h>

#include "tcptune.h"

#define TCPTUNE_PARAM_NAME_LEN	32	/* including the NUL */
#define TCPTUNE_PARAMS_MAX	32	/* entries in one parameter table */

/* ---- Config parameters ------------------------------------------------- */

u32 tcptune_event_interval_ms = 1000;

static struct tcptune_param tcptune_module_params[] = {
	{
		.name = "event_interval_ms",
		.value = &tcptune_event_interval_ms,
		.min = 0,
		.max = 3600 * 1000,
		.unit = "ms",
	},
};

static const struct tcptune_param tcptune_netns_params[] = {
	{
		.name = "events",
		.netns_offset = offsetof(struct tcptune_net, events_enabled),
		.min = 0,
		.max = 1,
		.unit = "bool",
	},
	{
		.name = "tw_warn_pct",
		.netns_offset = offsetof(struct tcptune_net, tw_warn_pct),
		.min = 0,
		.max = 100,
		.unit = "%",
	},
};

TCPTUNE_MODULE_PARAM(event_interval_ms, tcptune_module_params[0],
		     "Minimum interval between two events about the same object, in ms (0-3600000, default 1000)");

static u32 *tcptune_param_slot(const struct tcptune_param *p,
			       struct tcptune_net *tn)
{
	return p->value ?: (u32 *)((char *)tn + p->netns_offset);
}

/* ---- Family ------------------------------------------------------------- */

enum tcptune_mcgrp {
	TCPTUNE_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group tcptune_mcgrps[] = {
	[TCPTUNE_MCGRP_EVENTS_ID] = { .name = TCPTUNE_MCGRP_EVENTS },
};

static struct genl_family tcptune_family;

/* Ops that take no attributes still get a policy, so any attribute fails. */
static const struct nla_policy tcptune_none_nl_policy[TCPTUNE_A_MAX + 1] = {
};

static const struct nla_policy tcptune_param_set_nl_policy[TCPTUNE_A_PARAM_MAX + 1] = {
	[TCPTUNE_A_PARAM_NAME] = { .type = NLA_NUL_STRING,
				   .len = TCPTUNE_PARAM_NAME_LEN - 1 },
	[TCPTUNE_A_PARAM_VALUE] = { .type = NLA_U32 },
};

static const struct nla_policy tcptune_set_nl_policy[TCPTUNE_A_MAX + 1] = {
	[TCPTUNE_A_PARAM] = NLA_POLICY_NESTED(tcptune_param_set_nl_policy),
};

static int tcptune_reply(struct genl_info *info, u8 cmd,
			 struct sk_buff **skbp, void **hdrp)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(skb, info, &tcptune_family, 0, cmd);
	if (!hdr) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	*skbp = skb;
	*hdrp = hdr;
	return 0;
}

static int tcptune_reply_send(struct genl_info *info, struct sk_buff *skb,
			      void *hdr)
{
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int tcptune_nl_get_version(struct sk_buff *unused, struct genl_info *info)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	err = tcptune_reply(info, TCPTUNE_CMD_GET_VERSION, &skb, &hdr);
	if (err)
		return err;
	if (nla_put_string(skb, TCPTUNE_A_VERSION, TCPTUNE_VERSION) ||
	    nla_put_string(skb, TCPTUNE_A_KERNEL_RELEASE, UTS_RELEASE)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	return tcptune_reply_send(info, skb, hdr);
}

static int tcptune_stat_put(void *skb, const char *name, u64 val)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, TCPTUNE_A_STAT);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, TCPTUNE_A_STAT_NAME, name) ||
	    nla_put_u64_64bit(skb, TCPTUNE_A_STAT_VALUE, val, TCPTUNE_A_STAT_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int tcptune_nl_get_stats(struct sk_buff *unused, struct genl_info *info)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	err = tcptune_reply(info, TCPTUNE_CMD_GET_STATS, &skb, &hdr);
	if (err)
		return err;
	err = tcptune_stats_foreach(genl_info_net(info), tcptune_stat_put, skb);
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	return tcptune_reply_send(info, skb, hdr);
}

static int tcptune_param_put(struct sk_buff *skb, const struct tcptune_param *p,
			     enum tcptune_scope scope, struct tcptune_net *tn,
			     bool full)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, TCPTUNE_A_PARAM);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, TCPTUNE_A_PARAM_NAME, p->name) ||
	    nla_put_u32(skb, TCPTUNE_A_PARAM_VALUE,
			READ_ONCE(*tcptune_param_slot(p, tn))) ||
	    nla_put_u32(skb, TCPTUNE_A_PARAM_SCOPE, scope))
		goto err_cancel;
	if (full &&
	    (nla_put_u32(skb, TCPTUNE_A_PARAM_MIN_VALUE, p->min) ||
	     nla_put_u32(skb, TCPTUNE_A_PARAM_MAX_VALUE, p->max) ||
	     nla_put_string(skb, TCPTUNE_A_PARAM_UNIT, p->unit ?: "")))
		goto err_cancel;
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int tcptune_params_fill(struct sk_buff *skb,
			       const struct tcptune_param *tbl, unsigned int n,
			       enum tcptune_scope scope, struct tcptune_net *tn)
{
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		err = tcptune_param_put(skb, &tbl[i], scope, tn, true);
		if (err)
			return err;
	}
	return 0;
}

static void tcptune_param_changed(struct net *net, const struct tcptune_param *p,
				  enum tcptune_scope scope)
{
	struct sk_buff *skb;
	void *hdr;

	if (!tcptune_event_wanted(net))
		return;
	skb = tcptune_event_new(TCPTUNE_EVENT_KIND_PARAM_CHANGED, &hdr, GFP_KERNEL);
	if (!skb)
		return;
	if (tcptune_param_put(skb, p, scope, tcptune_pernet(net), false)) {
		nlmsg_free(skb);
		return;
	}
	tcptune_event_send(net, skb, hdr);
}

/*
 * The family runs its ops in parallel (a get-stats or timewait walk of a
 * large TIME_WAIT table would otherwise hold the genl mutex all families
 * share): this keeps one request's changes, and their events, together.
 */
static DEFINE_MUTEX(tcptune_params_lock);

/*
 * Announce the parameters of @tbl in @given where they apply: a netns
 * parameter in @net, a module parameter in every netns.
 */
static void tcptune_params_announce(const struct tcptune_param *tbl,
				    const unsigned long *given, unsigned int n,
				    enum tcptune_scope scope, struct net *net)
{
	struct net *each;
	unsigned int i;

	if (scope != TCPTUNE_SCOPE_MODULE) {
		for_each_set_bit(i, given, n)
			tcptune_param_changed(net, &tbl[i], scope);
		return;
	}
	down_read(&net_rwsem);
	for_each_net(each)
		for_each_set_bit(i, given, n)
			tcptune_param_changed(each, &tbl[i], scope);
	up_read(&net_rwsem);
}

static const struct tcptune_param *
tcptune_param_find(const struct tcptune_param *tbl, unsigned int n,
		   const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(tbl[i].name, name))
			return &tbl[i];
	return NULL;
}

/*
 * Apply every TCPTUNE_A_PARAM of the request to the parameters of @tbl, all
 * or none: everything is validated before anything changes.
 */
static int tcptune_params_set(const struct tcptune_param *tbl, unsigned int n,
			      enum tcptune_scope scope, struct genl_info *info)
{
	struct nlattr *tb[TCPTUNE_A_PARAM_MAX + 1];
	struct net *net = genl_info_net(info);
	struct tcptune_net *tn = tcptune_pernet(net);
	u32 newval[TCPTUNE_PARAMS_MAX];
	DECLARE_BITMAP(given, TCPTUNE_PARAMS_MAX);
	const struct tcptune_param *p;
	struct nlattr *attr;
	unsigned int i;
	int rem, err;

	if (WARN_ON_ONCE(n > TCPTUNE_PARAMS_MAX))
		return -EINVAL;
	if (GENL_REQ_ATTR_CHECK(info, TCPTUNE_A_PARAM)) {
		NL_SET_ERR_MSG(info->extack, "no parameter to set");
		return -EINVAL;
	}

	bitmap_zero(given, TCPTUNE_PARAMS_MAX);
	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		if (nla_type(attr) != TCPTUNE_A_PARAM)
			continue;
		err = nla_parse_nested(tb, TCPTUNE_A_PARAM_MAX, attr,
				       tcptune_param_set_nl_policy, info->extack);
		if (err)
			return err;
		if (!tb[TCPTUNE_A_PARAM_NAME]) {
			NL_SET_ERR_ATTR_MISS(info->extack, attr, TCPTUNE_A_PARAM_NAME);
			NL_SET_ERR_MSG(info->extack, "parameter without a name");
			return -EINVAL;
		}
		if (!tb[TCPTUNE_A_PARAM_VALUE]) {
			NL_SET_ERR_ATTR_MISS(info->extack, attr, TCPTUNE_A_PARAM_VALUE);
			NL_SET_ERR_MSG(info->extack, "parameter without a value");
			return -EINVAL;
		}
		p = tcptune_param_find(tbl, n, nla_data(tb[TCPTUNE_A_PARAM_NAME]));
		if (!p) {
			TCPTUNE_ERR_ATTR(info->extack, tb[TCPTUNE_A_PARAM_NAME],
					 "no such parameter for this command",
					 "no parameter '%s' for this command",
					 (char *)nla_data(tb[TCPTUNE_A_PARAM_NAME]));
			return -ENOENT;
		}
		i = p - tbl;
		if (test_and_set_bit(i, given)) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "parameter given twice");
			return -EINVAL;
		}
		newval[i] = nla_get_u32(tb[TCPTUNE_A_PARAM_VALUE]);
		if (newval[i] < p->min || newval[i] > p->max) {
			TCPTUNE_ERR_ATTR(info->extack, tb[TCPTUNE_A_PARAM_VALUE],
					 "value out of range",
					 "%s: %u is out of range [%u, %u]",
					 p->name, newval[i], p->min, p->max);
			return -ERANGE;
		}
	}

	mutex_lock(&tcptune_params_lock);
	for_each_set_bit(i, given, n)
		WRITE_ONCE(*tcptune_param_slot(&tbl[i], tn), newval[i]);
	tcptune_params_announce(tbl, given, n, scope, net);
	mutex_unlock(&tcptune_params_lock);
	return 0;
}

static int tcptune_nl_get_config(struct sk_buff *unused, struct genl_info *info)
{
	struct tcptune_net *tn = tcptune_pernet(genl_info_net(info));
	struct sk_buff *skb;
	void *hdr;
	int err;

	err = tcptune_reply(info, TCPTUNE_CMD_GET_CONFIG, &skb, &hdr);
	if (err)
		return err;
	err = tcptune_params_fill(skb, tcptune_module_params,
				  ARRAY_SIZE(tcptune_module_params),
				  TCPTUNE_SCOPE_MODULE, tn);
	if (!err)
		err = tcptune_params_fill(skb, tcptune_netns_params,
					  ARRAY_SIZE(tcptune_netns_params),
					  TCPTUNE_SCOPE_NETNS, tn);
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	return tcptune_reply_send(info, skb, hdr);
}

static int tcptune_nl_set_config(struct sk_buff *unused, struct genl_info *info)
{
	return tcptune_params_set(tcptune_module_params,
				  ARRAY_SIZE(tcptune_module_params),
				  TCPTUNE_SCOPE_MODULE, info);
}

static int tcptune_nl_set_netns_config(struct sk_buff *unused,
				       struct genl_info *info)
{
	return tcptune_params_set(tcptune_netns_params,
				  ARRAY_SIZE(tcptune_netns_params),
				  TCPTUNE_SCOPE_NETNS, info);
}

static int tcptune_nl_get_cc(struct sk_buff *unused, struct genl_info *info)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	err = tcptune_reply(info, TCPTUNE_CMD_GET_CC, &skb, &hdr);
	if (err)
		return err;
	err = tcptune_params_fill(skb, bbrx_params, bbrx_nparams,
				  TCPTUNE_SCOPE_MODULE, NULL);
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	return tcptune_reply_send(info, skb, hdr);
}

static int tcptune_nl_set_cc(struct sk_buff *unused, struct genl_info *info)
{
	return tcptune_params_set(bbrx_params, bbrx_nparams,
				  TCPTUNE_SCOPE_MODULE, info);
}

static const struct genl_ops tcptune_ops[] = {
	{
		.cmd = TCPTUNE_CMD_GET_VERSION,
		.doit = tcptune_nl_get_version,
		.policy = tcptune_none_nl_policy,
		.maxattr = TCPTUNE_A_MAX,
	},
	{
		.cmd = TCPTUNE_CMD_GET_STATS,
		.doit = tcptune_nl_get_stats,
		.policy = tcptune_none_nl_policy,
		.maxattr = TCPTUNE_A_MAX,
	},
	{
		.cmd = TCPTUNE_CMD_GET_CONFIG,
		.doit = tcptune_nl_get_config,
		.policy = tcptune_none_nl_policy,
		.maxattr = TCPTUNE_A_MAX,
	},
	{
		.cmd = TCPTUNE_CMD_SET_CONFIG,
		.doit = tcptune_nl_set_config,
		.policy = tcptune_set_nl_policy,
		.maxattr = TCPTUNE_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TCPTUNE_CMD_SET_NETNS_CONFIG,
		.doit = tcptune_nl_set_netns_config,
		.policy = tcptune_set_nl_policy,
		.maxattr = TCPTUNE_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = TCPTUNE_CMD_GET_CC,
		.doit = tcptune_nl_get_cc,
		.policy = tcptune_none_nl_policy,
		.maxattr = TCPTUNE_A_MAX,
	},
	{
		.cmd = TCPTUNE_CMD_SET_CC,
		.doit = tcptune_nl_set_cc,
		.policy = tcptune_set_nl_policy,
		.maxattr = TCPTUNE_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TCPTUNE_CMD_GET_LISTENERS,
		.dumpit = tcptune_nl_get_listeners_dumpit,
		.policy = tcptune_get_listeners_nl_policy,
		.maxattr = TCPTUNE_A_MAX,
	},
	{
		.cmd = TCPTUNE_CMD_GET_TIMEWAIT,
		.start = tcptune_nl_get_timewait_start,
		.dumpit = tcptune_nl_get_timewait_dumpit,
		.done = tcptune_nl_get_timewait_done,
		.policy = tcptune_get_timewait_nl_policy,
		.maxattr = TCPTUNE_A_MAX,
	},
};

static struct genl_family tcptune_family __ro_after_init = {
	.name = TCPTUNE_FAMILY_NAME,
	.version = TCPTUNE_FAMILY_VERSION,
	.netnsok = true,
	.parallel_ops = true,	/* see tcptune_params_lock */
	.module = THIS_MODULE,
	.ops = tcptune_ops,
	.n_ops = ARRAY_SIZE(tcptune_ops),
	.mcgrps = tcptune_mcgrps,
	.n_mcgrps = ARRAY_SIZE(tcptune_mcgrps),
};

void *tcptune_dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &tcptune_family, NLM_F_MULTI, cmd);
}

/* ---- Events ------------------------------------------------------------- */

bool tcptune_event_wanted(struct net *net)
{
	if (!genl_has_listeners(&tcptune_family, net, TCPTUNE_MCGRP_EVENTS_ID))
		return false;
	if (!READ_ONCE(tcptune_pernet(net)->events_enabled)) {
		tcptune_stat_inc(net, TCPTUNE_STAT_EVENTS_SUPPRESSED);
		return false;
	}
	return true;
}

/*
 * Rate limit for events about one object: true for the first event and then
 * at most once per event_interval_ms, for the one caller that claims *@last
 * (jiffies64, 0: never sent). Lockless, usable from any context.
 */
bool tcptune_event_due(u64 *last)
{
	u64 now = get_jiffies_64(), prev = READ_ONCE(*last);

	if (prev && time_before64(now, prev +
			msecs_to_jiffies(READ_ONCE(tcptune_event_interval_ms))))
		return false;
	return cmpxchg64(last, prev, now ?: 1) == prev;
}

struct sk_buff *tcptune_event_new(enum tcptune_event_kind kind, void **hdr,
				  gfp_t gfp)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, gfp);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &tcptune_family, 0, TCPTUNE_CMD_EVENT);
	if (!*hdr || nla_put_u32(skb, TCPTUNE_A_EVENT_KIND, kind)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

void tcptune_event_send(struct net *net, struct sk_buff *skb, void *hdr)
{
	if (nla_put_u64_64bit(skb, TCPTUNE_A_NETNS_COOKIE, net->net_cookie,
			      TCPTUNE_A_PAD)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	if (!genlmsg_multicast_netns(&tcptune_family, net, skb, 0,
				     TCPTUNE_MCGRP_EVENTS_ID, GFP_ATOMIC))
		tcptune_stat_inc(net, TCPTUNE_STAT_EVENTS_SENT);
}

int __init tcptune_netlink_init(void)
{
	BUILD_BUG_ON(ARRAY_SIZE(tcptune_module_params) > TCPTUNE_PARAMS_MAX);
	BUILD_BUG_ON(ARRAY_SIZE(tcptune_netns_params) > TCPTUNE_PARAMS_MAX);
	return genl_register_family(&tcptune_family);
}

void tcptune_netlink_exit(void)
{
	genl_unregister_family(&tcptune_family);
}
