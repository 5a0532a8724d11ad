// SPDX-License-Identifier: GPL-2.0
/*
 * TIME_WAIT counters, breakdowns and port-exhaustion warnings.
 *
 * Counters (Documentation/timewait.rst):
 *   TW, TWKilled, TWRecycled, TCPTimeWaitOverflow: the netns's own MIBs
 *     minus their value when tcptune started tracking the netns, so they
 *     are the kernel's counters, exactly, since then.
 *   TimeWaitCurrent, TimeWaitFinWait2: gauges, counted at read time by a
 *     walk of the netns's established hash (substate TIME_WAIT, as "ss state
 *     time-wait" shows them, and substate FIN_WAIT2; the sum is sockstat's
 *     "tw"). A walk cannot drift, a gauge kept by hooks could.
 *   TimeWaitCreated, TimeWaitDestroyed: kprobes on __inet_twsk_schedule()
 *     (first arming of the timer, once per timewait socket) and on
 *     inet_twsk_free(). Both are global functions on 6.1 and 6.12.
 *
 * The free hook may run after the socket's netns is gone (a lookup from
 * another netns can hold the last reference), so it never dereferences the
 * socket's netns: tracked namespaces are found in a registry keyed by the
 * address of their TCP death row, compared with tw->tw_dr as a plain value.
 *
 * Exhaustion: each tracked netns keeps a fixed table of destinations
 * (remote address:port) with the number of timewait sockets towards each,
 * maintained by the same two hooks. When a destination reaches tw_warn_pct
 * percent of ip_local_port_range, an event is queued to a work item (the
 * hook may run under the ehash lock). A full table is counted, not grown.
 * tcp_max_tw_buckets overflows are seen at entry of inet_twsk_alloc(), with
 * the kernel's own test, and reported as events (rate-limited).
 *
 * Breakdowns (/proc/net/tcptune/timewait and the get-timewait dump) walk the
 * established hash bucket by bucket under the bucket lock into tables
 * allocated beforehand, bounded by the timewait_max_keys module parameter.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sort.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/workqueue.h>
#include <linux/debugfs.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/jiffies.h>
#include <net/sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/genetlink.h>

#include "tcptune.h"

/* MIB mirrors, in the order of their TCPTUNE_STAT_* ids. */
static const struct {
	enum tcptune_stat stat;
	unsigned int mib;
} tw_mibs[] = {
	{ TCPTUNE_STAT_TW,		LINUX_MIB_TIMEWAITED },
	{ TCPTUNE_STAT_TW_KILLED,	LINUX_MIB_TIMEWAITKILLED },
	{ TCPTUNE_STAT_TW_RECYCLED,	LINUX_MIB_TIMEWAITRECYCLED },
	{ TCPTUNE_STAT_TW_OVERFLOW,	LINUX_MIB_TCPTIMEWAITOVERFLOW },
};

#define TW_NMIB		ARRAY_SIZE(tw_mibs)
#define TW_DEST_SLOTS	256	/* destinations tracked per netns */
#define TW_DEST_PROBE	16	/* slots looked at per lookup */
#define TW_REG_BITS	6

/* A local or remote endpoint. IPv4 addresses are kept v4-mapped. */
struct tw_key {
	struct in6_addr addr;
	u16 port;			/* host order */
	u16 family;			/* of the socket: AF_INET or AF_INET6 */
};

struct tw_dest {
	struct tw_key key;
	u32 count;			/* timewait sockets towards key */
	unsigned long since;		/* jiffies: counted from then on */
	bool used;
	bool pending;			/* event queued */
	u64 last_event;			/* jiffies64, 0: never */
};

struct tw_pcpu {
	u64 created;
	u64 destroyed;
};

struct tcptune_tw {
	struct hlist_node rnode;	/* tw_registry, key dr; RCU */
	struct rcu_head rcu;
	const void *dr;			/* &net->ipv4.tcp_death_row */
	struct net *net;
	struct tw_pcpu __percpu *cnt;
	unsigned long mib_base[TW_NMIB];
	u64 last_overflow_event;	/* jiffies64, 0: never */
	struct work_struct work;
	spinlock_t lock;		/* dest, dying; irqsave */
	bool dying;
	u32 dest_used;
	u64 dest_full;			/* creations not tracked: table full */
	struct tw_dest dest[TW_DEST_SLOTS];
};

static struct hlist_head tw_registry[1 << TW_REG_BITS];
static DEFINE_SPINLOCK(tw_registry_lock);

/* Module-wide, for debugfs. */
static atomic64_t tw_created_total = ATOMIC64_INIT(0);
static atomic64_t tw_destroyed_total = ATOMIC64_INIT(0);
static atomic64_t tw_destroyed_untracked = ATOMIC64_INIT(0);
static atomic_long_t tw_walk_bytes_peak = ATOMIC_LONG_INIT(0);

/* ---- Parameters ---------------------------------------------------------- */

static u32 tw_top = 10;
static u32 tw_max_keys = 4096;

static struct tcptune_param tw_params[] = {
	{
		.name = "timewait_top",
		.value = &tw_top,
		.min = 1,
		.max = 1000,
		.unit = "rows",
	},
	{
		.name = "timewait_max_keys",
		.value = &tw_max_keys,
		.min = 64,
		.max = 65536,
		.unit = "endpoints",
	},
};

TCPTUNE_MODULE_PARAM(timewait_top, tw_params[0],
		     "Rows per breakdown in /proc/net/tcptune/timewait (1-1000, default 10)");
TCPTUNE_MODULE_PARAM(timewait_max_keys, tw_params[1],
		     "Distinct endpoints one breakdown walk can hold (64-65536, default 4096)");

/* ---- Registry -------------------------------------------------------------- */

static struct tcptune_tw *tw_find(const void *dr)
{
	struct tcptune_tw *t;

	hlist_for_each_entry_rcu(t, &tw_registry[hash_ptr(dr, TW_REG_BITS)], rnode)
		if (t->dr == dr)
			return t;
	return NULL;
}

static struct tcptune_tw *tw_of(const struct net *net)
{
	return READ_ONCE(tcptune_pernet(net)->timewait);
}

/* ---- Endpoints ----------------------------------------------------------- */

static void tw_key_remote(struct tw_key *k, const struct inet_timewait_sock *tw)
{
	memset(k, 0, sizeof(*k));
	k->family = tw->tw_family;
	k->port = ntohs(tw->tw_dport);
#if IS_ENABLED(CONFIG_IPV6)
	if (tw->tw_family == AF_INET6) {
		k->addr = tw->tw_v6_daddr;
		return;
	}
#endif
	ipv6_addr_set_v4mapped(tw->tw_daddr, &k->addr);
}

static void tw_key_local(struct tw_key *k, const struct inet_timewait_sock *tw)
{
	memset(k, 0, sizeof(*k));
	k->family = tw->tw_family;
	k->port = tw->tw_num;
#if IS_ENABLED(CONFIG_IPV6)
	if (tw->tw_family == AF_INET6) {
		k->addr = tw->tw_v6_rcv_saddr;
		return;
	}
#endif
	ipv6_addr_set_v4mapped(tw->tw_rcv_saddr, &k->addr);
}

static bool tw_key_eq(const struct tw_key *a, const struct tw_key *b)
{
	return a->port == b->port && a->family == b->family &&
	       ipv6_addr_equal(&a->addr, &b->addr);
}

static u32 tw_key_hash(const struct tw_key *k)
{
	return jhash2((const u32 *)&k->addr, 4, ((u32)k->family << 16) | k->port);
}

static int tw_key_str(char *buf, size_t len, const struct tw_key *k)
{
	if (k->family == AF_INET)
		return scnprintf(buf, len, "%pI4:%u", &k->addr.s6_addr32[3], k->port);
	return scnprintf(buf, len, "[%pI6c]:%u", &k->addr, k->port);
}

static u32 tw_port_range(const struct net *net)
{
	int lo, hi;

	inet_get_local_port_range(net, &lo, &hi);
	return hi >= lo ? hi - lo + 1 : 1;
}

/* Hundredths of a percent of the local port range held by @count sockets. */
static u32 tw_pct100(u64 count, u32 range)
{
	return div_u64(count * 10000, range);
}

/* ---- Destination table (hooks; t->lock) ------------------------------ */

static struct tw_dest *tw_dest_get(struct tcptune_tw *t, const struct tw_key *k,
				   bool create)
{
	u32 h = tw_key_hash(k), i;
	struct tw_dest *free = NULL, *d;

	for (i = 0; i < TW_DEST_PROBE; i++) {
		d = &t->dest[(h + i) & (TW_DEST_SLOTS - 1)];
		if (d->used && tw_key_eq(&d->key, k))
			return d;
		if (!free && (!d->used || (!d->count && !d->pending)))
			free = d;
	}
	if (!create || !free)
		return NULL;
	if (!free->used)
		t->dest_used++;
	memset(free, 0, sizeof(*free));
	free->key = *k;
	free->used = true;
	free->since = jiffies;
	return free;
}

/* ---- Hooks ----------------------------------------------------------------- */

enum tw_hook_id {
	TW_HOOK_SCHEDULE,
	TW_HOOK_FREE,
	TW_HOOK_ALLOC,
	TW_NHOOKS
};

/* untracked: no tracked netns (or not TCP). */
static DEFINE_PER_CPU(struct tcptune_hook_pcpu [TW_NHOOKS], tw_hook_stats);

static void tw_hit(enum tw_hook_id id)
{
	this_cpu_inc(tw_hook_stats[id].hits);
}

static void tw_untracked(enum tw_hook_id id)
{
	this_cpu_inc(tw_hook_stats[id].untracked);
}

/* __inet_twsk_schedule(tw, timeo, rearm): a timewait socket is born. */
static int tw_schedule_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw =
		(struct inet_timewait_sock *)regs_get_kernel_argument(regs, 0);
	bool rearm = (u8)regs_get_kernel_argument(regs, 2);
	u32 range, pct, thr;
	struct tcptune_tw *t;
	struct tw_dest *d;
	unsigned long flags;
	struct tw_key k;

	tw_hit(TW_HOOK_SCHEDULE);
	if (rearm)
		return 0;
	rcu_read_lock();
	t = tw_find(tw->tw_dr);
	if (!t) {
		tw_untracked(TW_HOOK_SCHEDULE);
		goto out;
	}
	this_cpu_inc(t->cnt->created);
	atomic64_inc(&tw_created_total);

	/* The socket is alive, so is its netns. */
	pct = READ_ONCE(tcptune_pernet(t->net)->tw_warn_pct);
	range = tw_port_range(t->net);
	thr = pct ? max_t(u32, DIV_ROUND_UP(pct * range, 100), 1) : 0;
	tw_key_remote(&k, tw);

	spin_lock_irqsave(&t->lock, flags);
	d = tw_dest_get(t, &k, true);
	if (!d) {
		t->dest_full++;
		goto unlock;
	}
	d->count++;
	/*
	 * Queued under the lock that dying is set under: the exit's
	 * cancel_work_sync() then comes after any queueing.
	 */
	if (thr && d->count == thr && !d->pending && !t->dying &&
	    tcptune_event_due(&d->last_event)) {
		d->pending = true;
		schedule_work(&t->work);
	}
unlock:
	spin_unlock_irqrestore(&t->lock, flags);
out:
	rcu_read_unlock();
	return 0;
}

/*
 * Was @tw counted in @d? Only if it was made after @d began counting:
 * sockets that existed before (at module load, or while the table was
 * full) were not, and their frees must not cancel ones that were. A timer
 * is first armed for at most TCP_TIMEWAIT_LEN, and rearmed only later, so
 * a timer that ends a full TCP_TIMEWAIT_LEN after @d began belongs to a
 * socket made since. A FIN_WAIT2 socket made in @d's first minute with a
 * tcp_fin_timeout below 60 s fails the test and stays counted: the error
 * is that small, and in that direction.
 */
static bool tw_counted_in(const struct inet_timewait_sock *tw,
			  const struct tw_dest *d)
{
	return !time_before(READ_ONCE(tw->tw_timer.expires),
			    d->since + TCP_TIMEWAIT_LEN);
}

/* inet_twsk_free(tw): its netns may be gone, tw_dr is only compared. */
static int tw_free_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw =
		(struct inet_timewait_sock *)regs_get_kernel_argument(regs, 0);
	struct tcptune_tw *t;
	struct tw_dest *d;
	unsigned long flags;
	struct tw_key k;

	tw_hit(TW_HOOK_FREE);
	atomic64_inc(&tw_destroyed_total);
	rcu_read_lock();
	t = tw_find(tw->tw_dr);
	if (!t) {
		tw_untracked(TW_HOOK_FREE);
		atomic64_inc(&tw_destroyed_untracked);
		goto out;
	}
	this_cpu_inc(t->cnt->destroyed);
	tw_key_remote(&k, tw);
	spin_lock_irqsave(&t->lock, flags);
	d = tw_dest_get(t, &k, false);
	if (d && d->count && tw_counted_in(tw, d))
		d->count--;
	spin_unlock_irqrestore(&t->lock, flags);
out:
	rcu_read_unlock();
	return 0;
}

static void tw_overflow_event(struct tcptune_tw *t, int max);

/* inet_twsk_alloc(sk, dr, state): the kernel's own tcp_max_tw_buckets test. */
static int tw_alloc_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct inet_timewait_death_row *dr =
		(struct inet_timewait_death_row *)regs_get_kernel_argument(regs, 1);
	struct tcptune_tw *t;
	int max;

	tw_hit(TW_HOOK_ALLOC);
	max = READ_ONCE(dr->sysctl_max_tw_buckets);
	if (refcount_read(&dr->tw_refcount) - 1 < max)
		return 0;
	rcu_read_lock();
	t = tw_find(dr);
	if (t)
		tw_overflow_event(t, max);
	else
		tw_untracked(TW_HOOK_ALLOC);
	rcu_read_unlock();
	return 0;
}

static struct tcptune_hook tw_hooks[TW_NHOOKS] = {
	[TW_HOOK_SCHEDULE] = {
		.symbol = "__inet_twsk_schedule",
		.stats = &tw_hook_stats[TW_HOOK_SCHEDULE],
		.kp = { .pre_handler = tw_schedule_pre },
	},
	[TW_HOOK_FREE] = {
		.symbol = "inet_twsk_free",
		.stats = &tw_hook_stats[TW_HOOK_FREE],
		.kp = { .pre_handler = tw_free_pre },
	},
	[TW_HOOK_ALLOC] = {
		.symbol = "inet_twsk_alloc",
		.stats = &tw_hook_stats[TW_HOOK_ALLOC],
		.kp = { .pre_handler = tw_alloc_pre },
	},
};

/* ---- Events ----------------------------------------------------------------- */

static int tw_put_endpoint(struct sk_buff *skb, const struct tw_key *k)
{
	if (nla_put_u32(skb, TCPTUNE_A_TIMEWAIT_FAMILY, k->family) ||
	    nla_put_u16(skb, TCPTUNE_A_TIMEWAIT_PORT, k->port))
		return -EMSGSIZE;
	if (k->family == AF_INET6)
		return nla_put(skb, TCPTUNE_A_TIMEWAIT_ADDR, sizeof(k->addr),
			       &k->addr);
	return nla_put_in_addr(skb, TCPTUNE_A_TIMEWAIT_ADDR, k->addr.s6_addr32[3]);
}

/* Hook context: the first overflow, then at most one per interval. */
static void tw_overflow_event(struct tcptune_tw *t, int max)
{
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	if (!tcptune_event_due(&t->last_overflow_event))
		return;
	if (!tcptune_event_wanted(t->net))
		return;
	skb = tcptune_event_new(TCPTUNE_EVENT_KIND_TW_OVERFLOW, &hdr, GFP_ATOMIC);
	if (!skb)
		return;
	nest = nla_nest_start(skb, TCPTUNE_A_TIMEWAIT);
	if (!nest ||
	    nla_put_u32(skb, TCPTUNE_A_TIMEWAIT_MAX_BUCKETS, max) ||
	    nla_put_u64_64bit(skb, TCPTUNE_A_TIMEWAIT_COUNT,
			      tcptune_stat_read(t->net, TCPTUNE_STAT_TW_OVERFLOW) + 1,
			      TCPTUNE_A_TIMEWAIT_PAD)) {
		nlmsg_free(skb);
		return;
	}
	nla_nest_end(skb, nest);
	tcptune_event_send(t->net, skb, hdr);
}

static void tw_exhaustion_event(struct tcptune_tw *t, const struct tw_key *k,
				u32 count, u32 range)
{
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	if (!tcptune_event_wanted(t->net))
		return;
	skb = tcptune_event_new(TCPTUNE_EVENT_KIND_TW_EXHAUSTION, &hdr, GFP_KERNEL);
	if (!skb)
		return;
	nest = nla_nest_start(skb, TCPTUNE_A_TIMEWAIT);
	if (!nest ||
	    nla_put_u32(skb, TCPTUNE_A_TIMEWAIT_KIND, TCPTUNE_TIMEWAIT_BY_REMOTE) ||
	    tw_put_endpoint(skb, k) ||
	    nla_put_u64_64bit(skb, TCPTUNE_A_TIMEWAIT_COUNT, count,
			      TCPTUNE_A_TIMEWAIT_PAD) ||
	    nla_put_u32(skb, TCPTUNE_A_TIMEWAIT_PORT_RANGE, range) ||
	    nla_put_u32(skb, TCPTUNE_A_TIMEWAIT_PCT100, tw_pct100(count, range))) {
		nlmsg_free(skb);
		return;
	}
	nla_nest_end(skb, nest);
	tcptune_event_send(t->net, skb, hdr);
}

#define TW_EVENT_BATCH	8

static void tw_work(struct work_struct *work)
{
	struct tcptune_tw *t = container_of(work, struct tcptune_tw, work);
	struct {
		struct tw_key key;
		u32 count;
	} ev[TW_EVENT_BATCH];
	u32 range = tw_port_range(t->net);
	unsigned long flags;
	int i, n;

	do {
		n = 0;
		spin_lock_irqsave(&t->lock, flags);
		for (i = 0; i < TW_DEST_SLOTS && n < TW_EVENT_BATCH; i++) {
			struct tw_dest *d = &t->dest[i];

			if (!d->pending)
				continue;
			d->pending = false;
			ev[n].key = d->key;
			ev[n].count = d->count;
			n++;
		}
		spin_unlock_irqrestore(&t->lock, flags);
		for (i = 0; i < n; i++)
			tw_exhaustion_event(t, &ev[i].key, ev[i].count, range);
	} while (n == TW_EVENT_BATCH);
}

/* ---- Walks ------------------------------------------------------------------ */

/* Age buckets: seconds of timer left, [lower, next lower). */
static const u32 tw_age_lo[] = { 0, 1, 5, 15, 30, 60 };
#define TW_NAGE ARRAY_SIZE(tw_age_lo)

struct tw_agg_ent {
	struct tw_key key;
	u32 count;
};

struct tw_agg {
	u32 size;			/* power of two */
	u32 used;
	u32 dropped;			/* sockets whose key did not fit */
	struct tw_agg_ent *ent;
};

struct tw_walk {
	u32 tw;				/* substate TIME_WAIT */
	u32 fw2;			/* substate FIN_WAIT2 */
	u32 age[TW_NAGE];
	struct tw_agg agg[2];		/* local, remote; ent NULL: not wanted */
};

static void tw_agg_add(struct tw_agg *a, const struct tw_key *k)
{
	u32 h = tw_key_hash(k), i;
	struct tw_agg_ent *e;

	/* Kept at most 3/4 full, so probing ends. */
	for (i = 0; i < a->size; i++) {
		e = &a->ent[(h + i) & (a->size - 1)];
		if (!e->count) {
			if (a->used >= a->size / 4 * 3)
				break;
			e->key = *k;
			e->count = 1;
			a->used++;
			return;
		}
		if (tw_key_eq(&e->key, k)) {
			e->count++;
			return;
		}
	}
	a->dropped++;
}

static void tw_account(struct tw_walk *w, const struct inet_timewait_sock *tw)
{
	unsigned long now = jiffies, left = 0;
	struct tw_key k;
	u32 secs;
	int i;

	if (READ_ONCE(tw->tw_substate) == TCP_FIN_WAIT2)
		w->fw2++;
	else
		w->tw++;
	if (timer_pending(&tw->tw_timer) &&
	    time_after(READ_ONCE(tw->tw_timer.expires), now))
		left = READ_ONCE(tw->tw_timer.expires) - now;
	secs = jiffies_to_msecs(left) / 1000;
	for (i = TW_NAGE - 1; i > 0 && secs < tw_age_lo[i]; i--)
		;
	w->age[i]++;
	if (w->agg[TCPTUNE_TIMEWAIT_BY_LOCAL - 1].ent) {
		tw_key_local(&k, tw);
		tw_agg_add(&w->agg[TCPTUNE_TIMEWAIT_BY_LOCAL - 1], &k);
	}
	if (w->agg[TCPTUNE_TIMEWAIT_BY_REMOTE - 1].ent) {
		tw_key_remote(&k, tw);
		tw_agg_add(&w->agg[TCPTUNE_TIMEWAIT_BY_REMOTE - 1], &k);
	}
}

/* Process context. Each bucket is walked under its lock, like inet_diag. */
static void tw_walk(const struct net *net, struct tw_walk *w)
{
	struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;
	struct hlist_nulls_node *node;
	struct sock *sk;
	unsigned int i;

	if (!h)
		return;
	for (i = 0; i <= h->ehash_mask; i++) {
		struct inet_ehash_bucket *head = &h->ehash[i];
		spinlock_t *lock;	/* the bucket's */

		if (hlist_nulls_empty(&head->chain))
			goto next;
		lock = inet_ehash_lockp(h, i);
		spin_lock_bh(lock);
		sk_nulls_for_each(sk, node, &head->chain) {
			if (sk->sk_state != TCP_TIME_WAIT ||
			    !net_eq(sock_net(sk), net))
				continue;
			tw_account(w, inet_twsk(sk));
		}
		spin_unlock_bh(lock);
next:
		if (!(i & 1023))
			cond_resched();
	}
}

static void tw_walk_free(struct tw_walk *w)
{
	kvfree(w->agg[0].ent);
	kvfree(w->agg[1].ent);
}

/* Sets up the tables asked for in @mask (BIT(TCPTUNE_TIMEWAIT_BY_*)). */
static int tw_walk_alloc(struct tw_walk *w, unsigned int mask)
{
	u32 size = roundup_pow_of_two(READ_ONCE(tw_max_keys) * 4 / 3 + 1);
	long bytes = 0, peak;
	int i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < 2; i++) {
		if (!(mask & BIT(i + 1)))
			continue;
		w->agg[i].size = size;
		w->agg[i].ent = kvcalloc(size, sizeof(struct tw_agg_ent),
					 GFP_KERNEL);
		if (!w->agg[i].ent)
			goto err;
		bytes += size * sizeof(struct tw_agg_ent);
	}
	peak = atomic_long_read(&tw_walk_bytes_peak);
	while (bytes > peak &&
	       !atomic_long_try_cmpxchg(&tw_walk_bytes_peak, &peak, bytes))
		;
	return 0;

err:
	tw_walk_free(w);
	return -ENOMEM;
}

static int tw_ent_cmp(const void *a, const void *b)
{
	const struct tw_agg_ent *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->key.port != y->key.port)
		return x->key.port < y->key.port ? -1 : 1;
	return memcmp(&x->key.addr, &y->key.addr, sizeof(x->key.addr));
}

/* Compact and sort by count, descending; returns the number of rows. */
static u32 tw_agg_sort(struct tw_agg *a)
{
	u32 i, n = 0;

	if (!a->ent)
		return 0;
	for (i = 0; i < a->size; i++)
		if (a->ent[i].count)
			a->ent[n++] = a->ent[i];
	sort(a->ent, n, sizeof(*a->ent), tw_ent_cmp, NULL);
	return n;
}

/* ---- Counters ---------------------------------------------------------------- */

/* Values of the TIME_WAIT ids of TCPTUNE_STATS; false for other ids. */
bool tcptune_tw_stat_read(const struct net *net, enum tcptune_stat id, u64 *val)
{
	struct tcptune_tw *t = tw_of(net);
	struct tw_walk w;
	unsigned int i;
	int cpu;

	switch (id) {
	case TCPTUNE_STAT_TW:
	case TCPTUNE_STAT_TW_KILLED:
	case TCPTUNE_STAT_TW_RECYCLED:
	case TCPTUNE_STAT_TW_OVERFLOW:
		*val = 0;
		for (i = 0; t && i < TW_NMIB; i++)
			if (tw_mibs[i].stat == id)
				*val = snmp_fold_field(net->mib.net_statistics,
						       tw_mibs[i].mib) - t->mib_base[i];
		return true;
	case TCPTUNE_STAT_TW_CURRENT:
	case TCPTUNE_STAT_TW_FINWAIT2:
		*val = 0;
		if (in_task()) {
			memset(&w, 0, sizeof(w));
			tw_walk(net, &w);
			*val = id == TCPTUNE_STAT_TW_CURRENT ? w.tw : w.fw2;
		}
		return true;
	case TCPTUNE_STAT_TW_CREATED:
	case TCPTUNE_STAT_TW_DESTROYED:
		*val = 0;
		for_each_possible_cpu(cpu) {
			if (!t)
				break;
			if (id == TCPTUNE_STAT_TW_CREATED)
				*val += READ_ONCE(per_cpu_ptr(t->cnt, cpu)->created);
			else
				*val += READ_ONCE(per_cpu_ptr(t->cnt, cpu)->destroyed);
		}
		return true;
	default:
		return false;
	}
}

/*
 * All TIME_WAIT ids of TCPTUNE_STATS into @val (indexed by id), with a single
 * hash walk for both gauges, so they describe the same instant.
 */
void tcptune_tw_stats_fill(const struct net *net, u64 *val)
{
	struct tw_walk w;
	int id;

	for (id = 0; id < __TCPTUNE_STAT_MAX; id++)
		if (id != TCPTUNE_STAT_TW_CURRENT && id != TCPTUNE_STAT_TW_FINWAIT2)
			tcptune_tw_stat_read(net, id, &val[id]);
	memset(&w, 0, sizeof(w));
	if (in_task())
		tw_walk(net, &w);
	val[TCPTUNE_STAT_TW_CURRENT] = w.tw;
	val[TCPTUNE_STAT_TW_FINWAIT2] = w.fw2;
}

/* ---- /proc/net/tcptune/timewait ----------------------------------------------- */

static void tw_age_str(char *buf, size_t len, int i)
{
	if (i + 1 < TW_NAGE)
		scnprintf(buf, len, "%u-%us", tw_age_lo[i], tw_age_lo[i + 1]);
	else
		scnprintf(buf, len, "%us+", tw_age_lo[i]);
}

/* Longest output of tw_seq_show() for @top rows per breakdown. */
static size_t tw_seq_bytes(u32 top)
{
	/* A row is at most 78 characters: remote [IPv6]:port count pct. */
	return 256 + (2 * (size_t)top + TW_NAGE) * 80;
}

static int tw_seq_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	u32 top = READ_ONCE(tw_top), range = tw_port_range(net), n, i, p;
	struct tw_walk w;
	char ep[64];
	int lo, hi, k;

	/*
	 * A show that overflows the buffer is called again with one twice as
	 * big: ask for the room first rather than walk once per doubling
	 * (262,144 sockets and timewait_top=1000 took 6 walks).
	 */
	if (seq->size < tw_seq_bytes(top)) {
		seq_commit(seq, -1);
		return 0;
	}
	if (tw_walk_alloc(&w, BIT(TCPTUNE_TIMEWAIT_BY_LOCAL) |
			      BIT(TCPTUNE_TIMEWAIT_BY_REMOTE)))
		return -ENOMEM;
	tw_walk(net, &w);
	inet_get_local_port_range(net, &lo, &hi);
	seq_printf(seq, "timewait %u finwait2 %u port_range %d-%d ports %u top %u dropped %u\n",
		   w.tw, w.fw2, lo, hi, range, top,
		   w.agg[0].dropped + w.agg[1].dropped);
	seq_puts(seq, "kind endpoint count pct\n");
	for (k = 0; k < 2; k++) {
		n = tw_agg_sort(&w.agg[k]);
		for (i = 0; i < n && i < top; i++) {
			const struct tw_agg_ent *e = &w.agg[k].ent[i];

			tw_key_str(ep, sizeof(ep), &e->key);
			if (k == TCPTUNE_TIMEWAIT_BY_REMOTE - 1) {
				p = tw_pct100(e->count, range);
				seq_printf(seq, "remote %s %u %u.%02u\n", ep,
					   e->count, p / 100, p % 100);
			} else {
				seq_printf(seq, "local %s %u -\n", ep, e->count);
			}
		}
	}
	for (k = 0; k < TW_NAGE; k++) {
		tw_age_str(ep, sizeof(ep), k);
		seq_printf(seq, "age %s %u -\n", ep, w.age[k]);
	}
	tw_walk_free(&w);
	return 0;
}

/* ---- Netlink dump ------------------------------------------------------------ */

const struct nla_policy tcptune_get_timewait_nl_policy[TCPTUNE_A_MAX + 1] = {
	[TCPTUNE_A_TIMEWAIT_BY] = NLA_POLICY_RANGE(NLA_U32, TCPTUNE_TIMEWAIT_BY_LOCAL,
						   TCPTUNE_TIMEWAIT_BY_AGE),
	[TCPTUNE_A_TIMEWAIT_TOP] = NLA_POLICY_RANGE(NLA_U32, 1, 1000),
};

/* One row of a dump: an endpoint (local, remote) or an age bucket. */
struct tw_dump_row {
	struct tw_key key;
	u32 count;
	u8 kind;			/* TCPTUNE_TIMEWAIT_BY_* */
	s8 age;				/* age bucket, -1 for endpoints */
};

/* The rows of one dump, from a single walk made when the dump starts. */
struct tw_dump {
	u32 n;				/* rows */
	u32 next;			/* first row not sent yet */
	u32 range;			/* ip_local_port_range size */
	struct tw_dump_row row[];
};

struct tw_dump_ctx {
	struct tw_dump *d;
};

static int tw_nl_row(struct sk_buff *skb, struct netlink_callback *cb,
		     const struct tw_dump_row *r, u32 range)
{
	struct nlattr *nest;
	void *hdr;

	hdr = tcptune_dump_put(skb, cb, TCPTUNE_CMD_GET_TIMEWAIT);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, TCPTUNE_A_TIMEWAIT);
	if (!nest ||
	    nla_put_u32(skb, TCPTUNE_A_TIMEWAIT_KIND, r->kind) ||
	    nla_put_u64_64bit(skb, TCPTUNE_A_TIMEWAIT_COUNT, r->count,
			      TCPTUNE_A_TIMEWAIT_PAD))
		goto err;
	if (r->age < 0 && tw_put_endpoint(skb, &r->key))
		goto err;
	if (r->kind == TCPTUNE_TIMEWAIT_BY_REMOTE &&
	    (nla_put_u32(skb, TCPTUNE_A_TIMEWAIT_PORT_RANGE, range) ||
	     nla_put_u32(skb, TCPTUNE_A_TIMEWAIT_PCT100,
			 tw_pct100(r->count, range))))
		goto err;
	if (r->age >= 0 &&
	    (nla_put_u32(skb, TCPTUNE_A_TIMEWAIT_AGE_MIN_S, tw_age_lo[r->age]) ||
	     (r->age + 1 < TW_NAGE &&
	      nla_put_u32(skb, TCPTUNE_A_TIMEWAIT_AGE_MAX_S,
			  tw_age_lo[r->age + 1]))))
		goto err;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * The walk is made once, when the dump starts, and its rows are kept until
 * it ends: a dump that needs several skbs (2,006 rows with top 1000) sends
 * one snapshot, without walking again for each skb, which took as many
 * walks as skbs and, with sockets expiring in between, could repeat or skip
 * rows as their order changed.
 */
int tcptune_nl_get_timewait_start(struct netlink_callback *cb)
{
	struct tw_dump_ctx *ctx = (struct tw_dump_ctx *)cb->ctx;
	struct nlattr **attrs = tcptune_dump_attrs(cb);
	struct net *net = sock_net(cb->skb->sk);
	u32 by = 0, top = READ_ONCE(tw_top), nrows[2], n, i;
	unsigned int mask;
	struct tw_dump *d;
	struct tw_walk w;
	int k;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	ctx->d = NULL;
	if (attrs && attrs[TCPTUNE_A_TIMEWAIT_BY])
		by = nla_get_u32(attrs[TCPTUNE_A_TIMEWAIT_BY]);
	if (attrs && attrs[TCPTUNE_A_TIMEWAIT_TOP])
		top = nla_get_u32(attrs[TCPTUNE_A_TIMEWAIT_TOP]);
	mask = BIT(TCPTUNE_TIMEWAIT_BY_LOCAL) | BIT(TCPTUNE_TIMEWAIT_BY_REMOTE);
	if (by)
		mask &= BIT(by);
	if (tw_walk_alloc(&w, mask))
		return -ENOMEM;
	tw_walk(net, &w);

	n = 0;
	for (k = 0; k < 2; k++) {
		nrows[k] = min(tw_agg_sort(&w.agg[k]), top);
		n += nrows[k];
	}
	if (!by || by == TCPTUNE_TIMEWAIT_BY_AGE)
		n += TW_NAGE;
	d = kvmalloc(struct_size(d, row, n), GFP_KERNEL);
	if (!d) {
		tw_walk_free(&w);
		return -ENOMEM;
	}
	d->n = 0;
	d->next = 0;
	d->range = tw_port_range(net);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < nrows[k]; i++) {
			struct tw_dump_row *r = &d->row[d->n++];

			r->key = w.agg[k].ent[i].key;
			r->count = w.agg[k].ent[i].count;
			r->kind = k + 1;
			r->age = -1;
		}
	}
	for (k = 0; d->n < n; k++) {
		struct tw_dump_row *r = &d->row[d->n++];

		memset(&r->key, 0, sizeof(r->key));
		r->count = w.age[k];
		r->kind = TCPTUNE_TIMEWAIT_BY_AGE;
		r->age = k;
	}
	tw_walk_free(&w);
	ctx->d = d;
	return 0;
}

int tcptune_nl_get_timewait_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct tw_dump_ctx *ctx = (struct tw_dump_ctx *)cb->ctx;
	struct tw_dump *d = ctx->d;
	int err;

	for (; d->next < d->n; d->next++) {
		err = tw_nl_row(skb, cb, &d->row[d->next], d->range);
		if (err)
			return skb->len ? skb->len : err;
	}
	return 0;
}

int tcptune_nl_get_timewait_done(struct netlink_callback *cb)
{
	struct tw_dump_ctx *ctx = (struct tw_dump_ctx *)cb->ctx;

	kvfree(ctx->d);
	ctx->d = NULL;
	return 0;
}

/* ---- debugfs ---------------------------------------------------------------- */

static int tw_debug_show(struct seq_file *seq, void *v)
{
	tcptune_hooks_show(seq, tw_hooks, TW_NHOOKS, 0);
	seq_printf(seq, "created_total %lld\n", atomic64_read(&tw_created_total));
	seq_printf(seq, "destroyed_total %lld\n", atomic64_read(&tw_destroyed_total));
	seq_printf(seq, "destroyed_untracked %lld\n",
		   atomic64_read(&tw_destroyed_untracked));
	seq_printf(seq, "netns_state_bytes %zu\n", sizeof(struct tcptune_tw));
	seq_printf(seq, "dest_slots %u\n", TW_DEST_SLOTS);
	seq_printf(seq, "walk_bytes_max %zu\n",
		   2 * roundup_pow_of_two(READ_ONCE(tw_max_keys) * 4 / 3 + 1) *
		   sizeof(struct tw_agg_ent));
	seq_printf(seq, "walk_bytes_peak %ld\n", atomic_long_read(&tw_walk_bytes_peak));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tw_debug);

/* Per netns: destination table use, in /proc/net/tcptune/timewait_dest. */
static int tw_dest_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct tcptune_tw *t = tw_of(net);
	unsigned long flags;
	u32 used, busy = 0;
	u64 full;
	int i;

	if (!t)
		return 0;
	spin_lock_irqsave(&t->lock, flags);
	used = t->dest_used;
	full = t->dest_full;
	for (i = 0; i < TW_DEST_SLOTS; i++)
		busy += t->dest[i].used && t->dest[i].count;
	spin_unlock_irqrestore(&t->lock, flags);
	seq_printf(seq, "slots %u used %u busy %u full %llu\n",
		   TW_DEST_SLOTS, used, busy, full);
	return 0;
}

/* ---- Per netns and module ------------------------------------------------ */

static void tw_free_rcu(struct rcu_head *head)
{
	struct tcptune_tw *t = container_of(head, struct tcptune_tw, rcu);

	free_percpu(t->cnt);
	kvfree(t);
}

int tcptune_timewait_net_init(struct net *net, struct proc_dir_entry *dir)
{
	struct tcptune_net *tn = tcptune_pernet(net);
	struct tcptune_tw *t;
	unsigned int i;

	tn->tw_warn_pct = 50;
	t = kvzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		goto err;
	t->cnt = alloc_percpu(struct tw_pcpu);
	if (!t->cnt)
		goto err_free;
	t->net = net;
	t->dr = &net->ipv4.tcp_death_row;
	spin_lock_init(&t->lock);
	INIT_WORK(&t->work, tw_work);
	for (i = 0; i < TW_NMIB; i++)
		t->mib_base[i] = snmp_fold_field(net->mib.net_statistics,
						 tw_mibs[i].mib);
	if (!proc_create_net_single("timewait", 0444, dir, tw_seq_show, NULL))
		goto err_percpu;
	if (!proc_create_net_single("timewait_dest", 0444, dir, tw_dest_show, NULL))
		goto err_percpu;	/* the caller removes the directory */

	WRITE_ONCE(tn->timewait, t);
	spin_lock_bh(&tw_registry_lock);
	hlist_add_head_rcu(&t->rnode, &tw_registry[hash_ptr(t->dr, TW_REG_BITS)]);
	spin_unlock_bh(&tw_registry_lock);
	return 0;

err_percpu:
	free_percpu(t->cnt);
err_free:
	kvfree(t);
err:
	return -ENOMEM;
}

void tcptune_timewait_net_exit(struct net *net)
{
	struct tcptune_net *tn = tcptune_pernet(net);
	struct tcptune_tw *t = tn->timewait;
	unsigned long flags;

	if (!t)
		return;
	spin_lock_bh(&tw_registry_lock);
	hlist_del_rcu(&t->rnode);
	spin_unlock_bh(&tw_registry_lock);
	WRITE_ONCE(tn->timewait, NULL);

	/* No hook queues work once dying is set. */
	spin_lock_irqsave(&t->lock, flags);
	t->dying = true;
	spin_unlock_irqrestore(&t->lock, flags);
	cancel_work_sync(&t->work);
	call_rcu(&t->rcu, tw_free_rcu);
}

int __init tcptune_timewait_init(void)
{
	int err;

	err = tcptune_hooks_register(tw_hooks, TW_NHOOKS, "timewait");
	if (err)
		return err;
	if (tcptune_debugfs)
		debugfs_create_file("timewait", 0444, tcptune_debugfs, NULL,
				    &tw_debug_fops);
	return 0;
}

void tcptune_timewait_exit(void)
{
	tcptune_hooks_unregister(tw_hooks, TW_NHOOKS);
}
