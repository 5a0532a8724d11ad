/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcptune: interfaces shared by the parts of the module.
 */
#ifndef _TCPTUNE_H
#define _TCPTUNE_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/moduleparam.h>
#include <linux/kprobes.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/genetlink.h>

#include "compat.h"
#include "uapi/tcptune.h"

#define TCPTUNE_VERSION "0.1.0"

/*
 * Counters shown in /proc/net/tcptune/stats and by TCPTUNE_CMD_GET_STATS, in
 * this order. Counters that mirror a kernel MIB carry the MIB's name.
 */
#define TCPTUNE_STATS(X)						\
	X(EVENTS_SENT,		"EventsSent")				\
	X(EVENTS_SUPPRESSED,	"EventsSuppressed")			\
	X(BBRX_FLOWS,		"BbrxFlowsInit")			\
	X(BBRX_PROBE_RTT,	"BbrxProbeRttEntries")			\
	X(BBRX_LOSS_BOUND,	"BbrxLossBoundEvents")			\
	X(BBRX_ECN_BOUND,	"BbrxEcnBoundEvents")				\
	X(LISTEN_OVERFLOWS,	"ListenOverflows")			\
	X(LISTEN_DROPS,		"ListenDrops")				\
	X(REQQ_FULL_DROP,	"TCPReqQFullDrop")			\
	X(REQQ_FULL_DO_COOKIES,	"TCPReqQFullDoCookies")			\
	X(SYNCOOKIES_SENT,	"SyncookiesSent")			\
	X(SYNACK_RETRANS,	"SynAckRetrans")				\
	X(TW,			"TW")					\
	X(TW_KILLED,		"TWKilled")				\
	X(TW_RECYCLED,		"TWRecycled")				\
	X(TW_OVERFLOW,		"TCPTimeWaitOverflow")			\
	X(TW_CURRENT,		"TimeWaitCurrent")			\
	X(TW_FINWAIT2,		"TimeWaitFinWait2")			\
	X(TW_CREATED,		"TimeWaitCreated")			\
	X(TW_DESTROYED,		"TimeWaitDestroyed")

enum tcptune_stat {
#define TCPTUNE_STAT_ENUM(id, name) TCPTUNE_STAT_##id,
	TCPTUNE_STATS(TCPTUNE_STAT_ENUM)
#undef TCPTUNE_STAT_ENUM
	__TCPTUNE_STAT_MAX
};

struct tcptune_stats {
	u64 v[__TCPTUNE_STAT_MAX];
};

/* Per network namespace state. */
struct tcptune_net {
	struct net *net;
	struct tcptune_stats __percpu *stats;	/* NULL once the netns exits */
	struct tcptune_stats __percpu *stats_dead; /* freed by exit_batch */
	u32 events_enabled;		/* netns param "events" */
	struct tcptune_listeners *listeners;	/* listeners.c */
	struct tcptune_tw *timewait;		/* timewait.c */
	u32 tw_warn_pct;		/* netns param "tw_warn_pct" */
};

extern unsigned int tcptune_net_id;
extern const char * const tcptune_stat_names[__TCPTUNE_STAT_MAX];

static inline struct tcptune_net *tcptune_pernet(const struct net *net)
{
	return net_generic(net, tcptune_net_id);
}

/*
 * Safe from any context, including softirq with BH disabled. A socket the
 * kernel owns (NFS, SMB) can outlive this module's part of a dying netns,
 * until its owner's own exit closes it: its counts are dropped then.
 */
static inline void tcptune_stat_add(const struct net *net,
				    enum tcptune_stat id, u64 n)
{
	struct tcptune_stats __percpu *stats;

	rcu_read_lock();
	stats = READ_ONCE(tcptune_pernet(net)->stats);
	if (likely(stats))
		this_cpu_add(stats->v[id], n);
	rcu_read_unlock();
}

static inline void tcptune_stat_inc(const struct net *net, enum tcptune_stat id)
{
	tcptune_stat_add(net, id, 1);
}

u64 tcptune_stat_read(const struct net *net, enum tcptune_stat id);

/*
 * Every counter of @net in display order (TCPTUNE_STATS, then the listeners'
 * extra lines), as /proc/net/tcptune/stats and get-stats show them, in one
 * pass with one TIME_WAIT hash walk. Stops at the first error of @emit.
 */
int tcptune_stats_foreach(struct net *net,
			  int (*emit)(void *arg, const char *name, u64 val),
			  void *arg);

/*
 * A u32 tunable with its valid range. The same validation serves module
 * parameters (kernel_param_ops below, kp->arg points at the tcptune_param)
 * and netlink. Readers use READ_ONCE(*p->value); writers hold
 * tcptune_params_lock (netlink.c) or run at module load, so a value is
 * never seen half-written.
 */
struct tcptune_param {
	const char *name;
	u32 *value;		/* module scope: the storage */
	u32 min;
	u32 max;
	const char *unit;
	size_t netns_offset;	/* netns scope (value == NULL): in tcptune_net */
};

extern const struct kernel_param_ops tcptune_param_ops;

/*
 * Declare a load-time module parameter backed by a tcptune_param:
 * TCPTUNE_MODULE_PARAM(bbrx_beta, the_param, "description").
 */
#define TCPTUNE_MODULE_PARAM(pname, param, desc)			\
	module_param_cb(pname, &tcptune_param_ops, &(param), 0444);	\
	MODULE_PARM_DESC(pname, desc)

/* Module-wide config parameters (netlink.c). */
extern u32 tcptune_event_interval_ms;

/*
 * Events on the "events" multicast group of @net. Build one only when
 * tcptune_event_wanted() says someone listens; tcptune_event_send() consumes
 * the skb. Usable in atomic context with GFP_ATOMIC.
 */
bool tcptune_event_wanted(struct net *net);
bool tcptune_event_due(u64 *last);
struct sk_buff *tcptune_event_new(enum tcptune_event_kind kind, void **hdr,
				  gfp_t gfp);
void tcptune_event_send(struct net *net, struct sk_buff *skb, void *hdr);

/* Start a message of a dump reply (netlink.c). */
void *tcptune_dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd);

int tcptune_netlink_init(void);
void tcptune_netlink_exit(void);

/* debugfs root, NULL when debugfs is unavailable. */
extern struct dentry *tcptune_debugfs;

struct seq_file;
struct proc_dir_entry;

/*
 * Kernel function hooks (hooks.c), shared by listeners.c and timewait.c.
 * A hook is a kprobe when kp.pre_handler is set, a kretprobe otherwise.
 * stats points at the hook's slot of a static per-CPU array; handlers bump
 * it with this_cpu_inc(h->stats->hits) and so on.
 */
struct tcptune_hook_pcpu {
	unsigned long hits;		/* handler ran */
	unsigned long nested;		/* inside another hooked call: left to it */
	unsigned long unsafe;		/* not in BH context: not attributed */
	unsigned long untracked;	/* nothing tracked for the event */
};

struct tcptune_hook {
	const char *symbol;
	bool registered;
	struct tcptune_hook_pcpu __percpu *stats;
	struct kprobe kp;		/* kprobe hooks */
	struct kretprobe krp;		/* kretprobe hooks */
};

/* Optional columns of tcptune_hooks_show(), between misses and untracked. */
#define TCPTUNE_HOOK_COL_NESTED	BIT(0)
#define TCPTUNE_HOOK_COL_NOT_BH	BIT(1)

int tcptune_hooks_register(struct tcptune_hook *hooks, int n, const char *part);
void tcptune_hooks_unregister(struct tcptune_hook *hooks, int n);
void tcptune_hooks_show(struct seq_file *seq, const struct tcptune_hook *hooks,
			int n, unsigned int cols);

/* bbrx congestion control (bbrx.c). */
extern struct tcptune_param bbrx_params[];
extern const unsigned int bbrx_nparams;
int bbrx_register(void);
void bbrx_unregister(void);

/* Per-listener queue counters (listeners.c). */
int tcptune_listeners_init(void);
void tcptune_listeners_exit(void);
int tcptune_listeners_net_init(struct net *net, struct proc_dir_entry *dir);
void tcptune_listeners_net_exit(struct net *net);
/* Extra counters after TCPTUNE_STATS: name of the i-th, NULL past the end. */
#define TCPTUNE_LISTENERS_NEXTRA	6
const char *tcptune_listeners_extra(struct net *net, unsigned int i, u64 *val);
extern const struct nla_policy tcptune_get_listeners_nl_policy[TCPTUNE_A_MAX + 1];
int tcptune_nl_get_listeners_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb);

/* TIME_WAIT counters and breakdowns (timewait.c). */
int tcptune_timewait_init(void);
void tcptune_timewait_exit(void);
int tcptune_timewait_net_init(struct net *net, struct proc_dir_entry *dir);
void tcptune_timewait_net_exit(struct net *net);
bool tcptune_tw_stat_read(const struct net *net, enum tcptune_stat id, u64 *val);
void tcptune_tw_stats_fill(const struct net *net, u64 *val);
extern const struct nla_policy tcptune_get_timewait_nl_policy[TCPTUNE_A_MAX + 1];
int tcptune_nl_get_timewait_start(struct netlink_callback *cb);
int tcptune_nl_get_timewait_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb);
int tcptune_nl_get_timewait_done(struct netlink_callback *cb);

#endif /* _TCPTUNE_H */
