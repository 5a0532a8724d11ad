// SPDX-License-Identifier: GPL-2.0
/*
 * Per-listener SYN-queue and accept-queue counters.
 *
 * For every listening TCP socket (IPv4, IPv6, v4-mapped) tcptune counts the
 * kernel's own ListenOverflows, ListenDrops, TCPReqQFullDrop,
 * TCPReqQFullDoCookies and SyncookiesSent increments, and its SYN-ACK
 * retransmits (TCPSynRetrans in tcp_rtx_synack()).
 *
 * How: the kernel functions that increment these MIBs are probed with
 * kretprobes. They run in softirq or with BH disabled, so nothing else can
 * touch this CPU's slot of the netns's MIBs between entry and return: the
 * entry handler reads the slot, the return handler reads it again and adds
 * the difference to the listener passed as argument. The kernel's
 * conditions are never re-derived, so the counters are the MIBs, split.
 * When probed functions nest (tcp_v6_conn_request() calling
 * tcp_v4_conn_request() for a v4-mapped SYN), only the outermost attributes.
 *
 * Listeners: an entry is made when a socket starts listening (entry of
 * inet_csk_listen_start(); dropped again if that fails) or, for sockets
 * already listening at load, by a walk of the listening hash. The SYN path
 * looks entries up by socket pointer under RCU and never allocates. At
 * inet_csk_listen_stop() an entry is moved to a bounded list of recently
 * closed listeners (module parameters listeners_closed_max and
 * listeners_closed_age_ms); evictions are counted. Entries are per netns
 * and die with it.
 *
 * Readers (procfs, the get-listeners dump) see an entry once listen() has
 * succeeded (or, at load, once found listening): between the entry and the
 * return of inet_csk_listen_start() it is hashed for the SYN path but has no
 * address yet, and listen() may still fail. tl->gen changes with every change
 * of the entries readers see or of their order; it is the dump's cb->seq, so
 * the netlink core sets NLM_F_DUMP_INTR on the first message built after a
 * change (each part of a dump is built under tl->lock).
 *
 * Locking: tl->lock (a plain spinlock) is only taken in process context
 * (kprobe handlers of listen start/stop, readers, the gc work, netns exit,
 * the load-time walk), never in softirq. The SYN path only reads under RCU.
 * An entry in state "listen" has a live socket: the socket cannot be freed
 * before inet_csk_listen_stop(), whose handler takes tl->lock, so readers
 * may look at the socket's queues while holding tl->lock.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/hash.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <linux/workqueue.h>
#include <linux/debugfs.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/jiffies.h>
#include <net/sock.h>
#include <net/ip.h>
#include <net/tcp.h>
#include <net/inet_hashtables.h>
#include <net/inet_connection_sock.h>
#include <net/genetlink.h>

#include "tcptune.h"

/* Counters of one listener, in this order everywhere. */
enum tl_counter {
	TL_OVERFLOWS,		/* ListenOverflows */
	TL_DROPS,		/* ListenDrops */
	TL_REQQ_DROP,		/* TCPReqQFullDrop */
	TL_REQQ_COOKIES,	/* TCPReqQFullDoCookies */
	TL_COOKIES_SENT,	/* SyncookiesSent */
	TL_SYNACK_RETRANS,	/* TCPSynRetrans in tcp_rtx_synack() */
	TL_NCOUNTERS
};

/* Counters that mirror a MIB one to one (have an "unattributed" twin). */
#define TL_NMIRROR	TL_SYNACK_RETRANS

static const unsigned int tl_mib[TL_NCOUNTERS] = {
	[TL_OVERFLOWS]		= LINUX_MIB_LISTENOVERFLOWS,
	[TL_DROPS]		= LINUX_MIB_LISTENDROPS,
	[TL_REQQ_DROP]		= LINUX_MIB_TCPREQQFULLDROP,
	[TL_REQQ_COOKIES]	= LINUX_MIB_TCPREQQFULLDOCOOKIES,
	[TL_COOKIES_SENT]	= LINUX_MIB_SYNCOOKIESSENT,
	[TL_SYNACK_RETRANS]	= LINUX_MIB_TCPSYNRETRANS,
};

static const enum tcptune_stat tl_stat[TL_NCOUNTERS] = {
	[TL_OVERFLOWS]		= TCPTUNE_STAT_LISTEN_OVERFLOWS,
	[TL_DROPS]		= TCPTUNE_STAT_LISTEN_DROPS,
	[TL_REQQ_DROP]		= TCPTUNE_STAT_REQQ_FULL_DROP,
	[TL_REQQ_COOKIES]	= TCPTUNE_STAT_REQQ_FULL_DO_COOKIES,
	[TL_COOKIES_SENT]	= TCPTUNE_STAT_SYNCOOKIES_SENT,
	[TL_SYNACK_RETRANS]	= TCPTUNE_STAT_SYNACK_RETRANS,
};

static const char * const tl_name[TL_NCOUNTERS] = {
	[TL_OVERFLOWS]		= "ListenOverflows",
	[TL_DROPS]		= "ListenDrops",
	[TL_REQQ_DROP]		= "TCPReqQFullDrop",
	[TL_REQQ_COOKIES]	= "TCPReqQFullDoCookies",
	[TL_COOKIES_SENT]	= "SyncookiesSent",
	[TL_SYNACK_RETRANS]	= "SynAckRetrans",
};

static const int tl_nlattr[TL_NCOUNTERS] = {
	[TL_OVERFLOWS]		= TCPTUNE_A_LISTENER_LISTEN_OVERFLOWS,
	[TL_DROPS]		= TCPTUNE_A_LISTENER_LISTEN_DROPS,
	[TL_REQQ_DROP]		= TCPTUNE_A_LISTENER_REQQ_FULL_DROP,
	[TL_REQQ_COOKIES]	= TCPTUNE_A_LISTENER_REQQ_FULL_DO_COOKIES,
	[TL_COOKIES_SENT]	= TCPTUNE_A_LISTENER_SYNCOOKIES_SENT,
	[TL_SYNACK_RETRANS]	= TCPTUNE_A_LISTENER_SYNACK_RETRANS,
};

struct tl_pcpu {
	u64 v[TL_NCOUNTERS];
};

/* A listener's queues: limit, accept queue and SYN queue lengths. */
struct tl_queues {
	u32 backlog, acceptq, synq;
};

struct tl_entry {
	struct hlist_node hnode;	/* tl->hash, key sk; RCU */
	struct list_head lnode;		/* tl->open or tl->closed */
	struct rcu_head rcu;
	const struct sock *sk;		/* key only once closed */
	struct tl_pcpu __percpu *cnt;
	u64 last_event[2];		/* jiffies64 per overflow kind, 0: never */
	unsigned long closed_at;	/* jiffies */
	bool closed;
	bool hashed;
	bool visible;			/* listening or closed: shown to readers */
	bool frozen;			/* unloading: queue state is a snapshot */
	u16 family;
	u16 port;			/* host order */
	union {
		__be32 v4;
		struct in6_addr v6;
	} addr;
	struct tl_queues saved;		/* when closed or frozen */
};

#define TL_HASH_BITS	8

struct tcptune_listeners {
	spinlock_t lock;
	bool dying;
	u32 gen;			/* changes with what readers see, never 0 */
	unsigned int nclosed;
	u64 evictions;
	struct list_head open;
	struct list_head closed;	/* oldest first */
	struct delayed_work gc;
	struct rcu_head rcu;
	unsigned long mib_base[TL_NMIRROR];
	struct hlist_head hash[1 << TL_HASH_BITS];
};

/* ---- Parameters ---------------------------------------------------------- */

static u32 tl_closed_max = 64;
static u32 tl_closed_age_ms = 300 * 1000;

static struct tcptune_param tl_params[] = {
	{
		.name = "listeners_closed_max",
		.value = &tl_closed_max,
		.min = 0,
		.max = 4096,
		.unit = "listeners",
	},
	{
		.name = "listeners_closed_age_ms",
		.value = &tl_closed_age_ms,
		.min = 1000,
		.max = 86400 * 1000,
		.unit = "ms",
	},
};

TCPTUNE_MODULE_PARAM(listeners_closed_max, tl_params[0],
		     "Closed listeners kept per netns with their counters (0-4096, default 64)");
TCPTUNE_MODULE_PARAM(listeners_closed_age_ms, tl_params[1],
		     "How long a closed listener is kept, in ms (1000-86400000, default 300000)");

/* ---- Hooks ----------------------------------------------------------------- */

/*
 * Registered in this order, removed in reverse. The stop hook comes first
 * and goes last: a listener is only tracked while its close can be seen,
 * since an open entry's socket is read until then (see tl_row()).
 */
enum tl_hook_id {
	TL_HOOK_LISTEN_STOP,
	TL_HOOK_LISTEN_START,
	TL_HOOK_V4_CONN_REQUEST,
	TL_HOOK_V6_CONN_REQUEST,
	TL_HOOK_V4_SYN_RECV_SOCK,
	TL_HOOK_V6_SYN_RECV_SOCK,
	TL_HOOK_REQ_ERR,
	TL_HOOK_RTX_SYNACK,
	TL_NHOOKS
};

/* What a SYN-path hook attributes, indexed like tl_hooks. */
struct tl_syn_attr {
	u32 mask;			/* counters attributed, BIT(TL_*) */
	bool arg_is_req;		/* argument 0 is a request socket */
	bool listener_only;		/* argument 0 may be another socket */
};

#define TL_SYN_MASK	(BIT(TL_OVERFLOWS) | BIT(TL_DROPS) | BIT(TL_REQQ_DROP) | \
			 BIT(TL_REQQ_COOKIES) | BIT(TL_COOKIES_SENT))
#define TL_ACK_MASK	(BIT(TL_OVERFLOWS) | BIT(TL_DROPS))

/* What a SYN-path hook remembers between entry and return. */
struct tl_frame {
	const struct sock *sk;		/* the listener, compared only */
	struct net *net;
	unsigned long mib[TL_NCOUNTERS];
};

/* What the listen_start hook remembers. */
struct tl_start_frame {
	struct tcptune_listeners *tl;
	struct tl_entry *e;
};

static DEFINE_PER_CPU(struct tcptune_hook_pcpu [TL_NHOOKS], tl_hook_stats);
static DEFINE_PER_CPU(int, tl_depth);
static atomic_long_t tl_alloc_failures = ATOMIC_LONG_INIT(0);

static struct tcptune_hook tl_hooks[TL_NHOOKS];
static const struct tl_syn_attr tl_syn_attrs[TL_NHOOKS];

/* Under RCU, or while the netns cannot go away. */
static struct tcptune_listeners *tl_of(struct net *net)
{
	return READ_ONCE(tcptune_pernet(net)->listeners);
}

static struct tl_entry *tl_lookup(struct tcptune_listeners *tl,
				  const struct sock *sk)
{
	struct tl_entry *e;

	hlist_for_each_entry_rcu(e, &tl->hash[hash_ptr(sk, TL_HASH_BITS)], hnode,
				 lockdep_is_held(&tl->lock))
		if (e->sk == sk)
			return e;
	return NULL;
}

static u64 tl_sum(const struct tl_entry *e, enum tl_counter c)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(e->cnt, cpu)->v[c]);
	return sum;
}

static void tl_free_rcu(struct rcu_head *head)
{
	struct tl_entry *e = container_of(head, struct tl_entry, rcu);

	free_percpu(e->cnt);
	kfree(e);
}

static struct tl_entry *tl_alloc(const struct sock *sk)
{
	struct tl_entry *e;

	e = kzalloc(sizeof(*e), GFP_ATOMIC);
	if (!e)
		goto err;
	e->cnt = alloc_percpu_gfp(struct tl_pcpu, GFP_ATOMIC);
	if (!e->cnt)
		goto err_free;
	e->sk = sk;
	e->family = sk->sk_family;
	return e;

err_free:
	kfree(e);
err:
	atomic_long_inc(&tl_alloc_failures);
	return NULL;
}

/* The socket's local address; sk is locked or known to be listening. */
static void tl_fill_addr(struct tl_entry *e, const struct sock *sk)
{
	e->port = inet_sk(sk)->inet_num;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		e->addr.v6 = sk->sk_v6_rcv_saddr;
		return;
	}
#endif
	e->addr.v4 = inet_sk(sk)->inet_rcv_saddr;
}

/* What readers see changed; tl->lock held. 0 is the dump's "no seq yet". */
static void tl_changed(struct tcptune_listeners *tl)
{
	if (!++tl->gen)
		tl->gen = 1;
}

static void tl_unlink(struct tcptune_listeners *tl, struct tl_entry *e)
{
	if (e->hashed) {
		hlist_del_rcu(&e->hnode);
		e->hashed = false;
	}
	list_del(&e->lnode);
	if (e->visible)
		tl_changed(tl);
	call_rcu(&e->rcu, tl_free_rcu);
}

static void tl_insert(struct tcptune_listeners *tl, struct tl_entry *e)
{
	struct tl_entry *old = tl_lookup(tl, e->sk);

	/* A closed listener whose socket memory was reused. */
	if (old) {
		hlist_del_rcu(&old->hnode);
		old->hashed = false;
	}
	hlist_add_head_rcu(&e->hnode, &tl->hash[hash_ptr(e->sk, TL_HASH_BITS)]);
	e->hashed = true;
	list_add_tail(&e->lnode, &tl->open);
	if (e->visible)
		tl_changed(tl);
}

/* Drop closed entries over the count or age limit; tl->lock held. */
static void tl_trim(struct tcptune_listeners *tl)
{
	unsigned long age = msecs_to_jiffies(READ_ONCE(tl_closed_age_ms));
	u32 max = READ_ONCE(tl_closed_max);
	struct tl_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, &tl->closed, lnode) {
		if (tl->nclosed <= max && time_before(jiffies, e->closed_at + age))
			break;
		tl_unlink(tl, e);
		tl->nclosed--;
		tl->evictions++;
	}
	if (!tl->dying && !list_empty(&tl->closed)) {
		e = list_first_entry(&tl->closed, struct tl_entry, lnode);
		queue_delayed_work(system_wq, &tl->gc,
				   e->closed_at + age - jiffies + 1);
	}
}

static void tl_gc(struct work_struct *work)
{
	struct tcptune_listeners *tl =
		container_of(to_delayed_work(work), struct tcptune_listeners, gc);

	spin_lock(&tl->lock);
	tl_trim(tl);
	spin_unlock(&tl->lock);
}

static void tl_event(struct net *net, struct tl_entry *e, int kind);

/* ---- SYN path: attribute this CPU's MIB increments ---------------------- */

static struct tcptune_hook *tl_hook_of(struct kretprobe_instance *ri)
{
	return container_of(get_kretprobe(ri), struct tcptune_hook, krp);
}

static int tl_syn_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct tcptune_hook *h = tl_hook_of(ri);
	const struct tl_syn_attr *a = &tl_syn_attrs[h - tl_hooks];
	struct tl_frame *f = (struct tl_frame *)ri->data;
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct tcptune_hook_pcpu *st = this_cpu_ptr(h->stats);
	struct linux_mib __percpu *mib;
	unsigned long mask = a->mask;
	int i;

	st->hits++;
	/* Only with BH off is this CPU's MIB slot ours until the return. */
	if (!softirq_count()) {
		st->unsafe++;
		return 1;
	}
	if (__this_cpu_read(tl_depth)) {
		st->nested++;
		return 1;
	}
	if (a->arg_is_req)
		sk = inet_reqsk(sk)->rsk_listener;
	if (a->listener_only && sk->sk_state != TCP_LISTEN) {
		st->untracked++;
		return 1;
	}
	f->sk = sk;
	f->net = sock_net(sk);
	mib = f->net->mib.net_statistics;
	for_each_set_bit(i, &mask, TL_NCOUNTERS)
		f->mib[i] = __this_cpu_read(mib->mibs[tl_mib[i]]);
	__this_cpu_write(tl_depth, 1);
	return 0;
}

static int tl_syn_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct tcptune_hook *h = tl_hook_of(ri);
	struct tl_frame *f = (struct tl_frame *)ri->data;
	struct linux_mib __percpu *mib = f->net->mib.net_statistics;
	unsigned long delta[TL_NCOUNTERS] = {};
	unsigned long mask = tl_syn_attrs[h - tl_hooks].mask, any = 0;
	struct tcptune_listeners *tl;
	struct tl_entry *e;
	int i;

	__this_cpu_write(tl_depth, 0);
	for_each_set_bit(i, &mask, TL_NCOUNTERS) {
		delta[i] = __this_cpu_read(mib->mibs[tl_mib[i]]) - f->mib[i];
		any |= delta[i];
	}
	if (!any)
		return 0;

	/* f->sk may be gone (tcp_req_err() drops the last reference): compare only. */
	rcu_read_lock();
	tl = tl_of(f->net);
	e = tl ? tl_lookup(tl, f->sk) : NULL;
	if (!e) {
		this_cpu_inc(h->stats->untracked);
		goto out;
	}
	for_each_set_bit(i, &mask, TL_NCOUNTERS) {
		if (!delta[i])
			continue;
		this_cpu_add(e->cnt->v[i], delta[i]);
		tcptune_stat_add(f->net, tl_stat[i], delta[i]);
	}
	if (delta[TL_OVERFLOWS])
		tl_event(f->net, e, TCPTUNE_OVERFLOW_KIND_ACCEPT_QUEUE);
	if (delta[TL_REQQ_DROP] || delta[TL_REQQ_COOKIES])
		tl_event(f->net, e, TCPTUNE_OVERFLOW_KIND_SYN_QUEUE);
out:
	rcu_read_unlock();
	return 0;
}

/* ---- Listener life cycle --------------------------------------------------- */

/* @sk's queues now; @sk listens, or is closing under tl->lock. */
static void tl_queues_read(const struct sock *sk, struct tl_queues *q)
{
	q->backlog = READ_ONCE(sk->sk_max_ack_backlog);
	q->acceptq = READ_ONCE(sk->sk_ack_backlog);
	q->synq = reqsk_queue_len(&inet_csk(sk)->icsk_accept_queue);
}

static bool tl_is_tcp(const struct sock *sk)
{
	return sk->sk_type == SOCK_STREAM && sk->sk_protocol == IPPROTO_TCP;
}

static int tl_start_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct tcptune_hook *h = tl_hook_of(ri);
	struct tl_start_frame *f = (struct tl_start_frame *)ri->data;
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct tcptune_listeners *tl;
	struct tl_entry *e, *old;

	this_cpu_inc(h->stats->hits);
	if (!tl_is_tcp(sk))
		return 1;
	/* The socket is locked and its netns alive until we return. */
	rcu_read_lock();
	tl = tl_of(sock_net(sk));
	rcu_read_unlock();
	if (!tl)
		return 1;
	e = tl_alloc(sk);
	if (!e)
		return 1;

	spin_lock(&tl->lock);
	old = tl_lookup(tl, sk);
	if (tl->dying || (old && !old->closed)) {
		spin_unlock(&tl->lock);
		tl_free_rcu(&e->rcu);
		return 1;
	}
	/* Hashed before the socket is: no SYN can miss it. */
	tl_insert(tl, e);
	spin_unlock(&tl->lock);

	f->tl = tl;
	f->e = e;
	return 0;
}

static int tl_start_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct tl_start_frame *f = (struct tl_start_frame *)ri->data;
	struct tcptune_listeners *tl = f->tl;
	struct tl_entry *e = f->e;

	spin_lock(&tl->lock);
	if (regs_return_value(regs)) {
		tl_unlink(tl, e);	/* listen() failed: never shown */
	} else {
		tl_fill_addr(e, e->sk);
		e->visible = true;
		tl_changed(tl);
	}
	spin_unlock(&tl->lock);
	return 0;
}

static int tl_stop_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct tcptune_listeners *tl;
	struct tl_entry *e;

	this_cpu_inc(tl_hook_stats[TL_HOOK_LISTEN_STOP].hits);
	rcu_read_lock();
	tl = tl_of(sock_net(sk));
	if (!tl)
		goto out;
	spin_lock(&tl->lock);
	e = tl_lookup(tl, sk);
	if (e && !e->closed) {
		tl_fill_addr(e, sk);
		tl_queues_read(sk, &e->saved);
		e->closed = true;
		e->closed_at = jiffies;
		e->visible = true;
		list_move_tail(&e->lnode, &tl->closed);
		tl->nclosed++;
		tl_changed(tl);
		tl_trim(tl);
	}
	spin_unlock(&tl->lock);
out:
	rcu_read_unlock();
	return 0;
}

/* ---- Hook table and registration ---------------------------------------- */

#define TL_SYN_HOOK(id, sym)						\
	[id] = {							\
		.symbol = sym,						\
		.stats = &tl_hook_stats[id],				\
		.krp = {						\
			.entry_handler = tl_syn_entry,			\
			.handler = tl_syn_ret,				\
			.data_size = sizeof(struct tl_frame),		\
		},							\
	}

static struct tcptune_hook tl_hooks[TL_NHOOKS] = {
	[TL_HOOK_LISTEN_STOP] = {
		.symbol = "inet_csk_listen_stop",
		.stats = &tl_hook_stats[TL_HOOK_LISTEN_STOP],
		.kp = { .pre_handler = tl_stop_pre },
	},
	[TL_HOOK_LISTEN_START] = {
		.symbol = "inet_csk_listen_start",
		.stats = &tl_hook_stats[TL_HOOK_LISTEN_START],
		.krp = {
			.entry_handler = tl_start_entry,
			.handler = tl_start_ret,
			.data_size = sizeof(struct tl_start_frame),
		},
	},
	TL_SYN_HOOK(TL_HOOK_V4_CONN_REQUEST, "tcp_v4_conn_request"),
	TL_SYN_HOOK(TL_HOOK_V6_CONN_REQUEST, "tcp_v6_conn_request"),
	TL_SYN_HOOK(TL_HOOK_V4_SYN_RECV_SOCK, "tcp_v4_syn_recv_sock"),
	TL_SYN_HOOK(TL_HOOK_V6_SYN_RECV_SOCK, "tcp_v6_syn_recv_sock"),
	TL_SYN_HOOK(TL_HOOK_REQ_ERR, "tcp_req_err"),
	TL_SYN_HOOK(TL_HOOK_RTX_SYNACK, "tcp_rtx_synack"),
};

static const struct tl_syn_attr tl_syn_attrs[TL_NHOOKS] = {
	[TL_HOOK_V4_CONN_REQUEST]	= { TL_SYN_MASK, false },
	[TL_HOOK_V6_CONN_REQUEST]	= { TL_SYN_MASK, false },
	[TL_HOOK_V4_SYN_RECV_SOCK]	= { TL_ACK_MASK, false },
	[TL_HOOK_V6_SYN_RECV_SOCK]	= { TL_ACK_MASK, false },
	[TL_HOOK_REQ_ERR]		= { BIT(TL_DROPS), true },
	/*
	 * A Fast Open child retransmits its own SYN-ACK: closed listeners
	 * are looked up by address, and the child may have the address of
	 * one, whose final counts it would then change.
	 */
	[TL_HOOK_RTX_SYNACK]		= { BIT(TL_SYNACK_RETRANS), false, true },
};

/* Listeners that were listening before the hooks existed. */
static void tl_track(struct sock *sk)
{
	struct tcptune_listeners *tl = tl_of(sock_net(sk));
	struct tl_entry *e;

	if (!tl || !tl_is_tcp(sk))
		return;
	spin_lock(&tl->lock);
	e = tl_lookup(tl, sk);
	if (!tl->dying && (!e || e->closed)) {
		e = tl_alloc(sk);
		if (e) {
			tl_fill_addr(e, sk);
			e->visible = true;
			tl_insert(tl, e);
		}
	}
	spin_unlock(&tl->lock);
}

static void tl_walk_existing(void)
{
	struct inet_hashinfo *h = init_net.ipv4.tcp_death_row.hashinfo;
	struct hlist_nulls_node *node;
	unsigned int i;
	struct sock *sk;

	if (!h || !h->lhash2)
		return;
	for (i = 0; i <= h->lhash2_mask; i++) {
		struct inet_listen_hashbucket *ilb2 = &h->lhash2[i];

		if (hlist_nulls_empty(&ilb2->nulls_head))
			continue;
		rcu_read_lock();
		spin_lock_bh(&ilb2->lock);
		sk_nulls_for_each(sk, node, &ilb2->nulls_head)
			if (sk->sk_state == TCP_LISTEN)
				tl_track(sk);
		spin_unlock_bh(&ilb2->lock);
		rcu_read_unlock();
		cond_resched();
	}
}

/* ---- Events ----------------------------------------------------------------- */

static int tl_put_addr(struct sk_buff *skb, const struct tl_entry *e)
{
	if (nla_put_u32(skb, TCPTUNE_A_LISTENER_FAMILY, e->family) ||
	    nla_put_u16(skb, TCPTUNE_A_LISTENER_PORT, e->port))
		return -EMSGSIZE;
	if (e->family == AF_INET6)
		return nla_put(skb, TCPTUNE_A_LISTENER_ADDR, sizeof(e->addr.v6),
			       &e->addr.v6);
	return nla_put_in_addr(skb, TCPTUNE_A_LISTENER_ADDR, e->addr.v4);
}

/* Softirq: the first overflow of a kind, then at most one per interval. */
static void tl_event(struct net *net, struct tl_entry *e, int kind)
{
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;
	u64 count;

	if (!tcptune_event_due(&e->last_event[kind - 1]))
		return;		/* too soon, or another CPU sends this one */
	if (!tcptune_event_wanted(net))
		return;
	if (kind == TCPTUNE_OVERFLOW_KIND_ACCEPT_QUEUE)
		count = tl_sum(e, TL_OVERFLOWS);
	else
		count = tl_sum(e, TL_REQQ_DROP) + tl_sum(e, TL_REQQ_COOKIES);

	skb = tcptune_event_new(TCPTUNE_EVENT_KIND_LISTEN_OVERFLOW, &hdr,
				GFP_ATOMIC);
	if (!skb)
		return;
	nest = nla_nest_start(skb, TCPTUNE_A_LISTENER);
	if (!nest || tl_put_addr(skb, e) ||
	    nla_put_u32(skb, TCPTUNE_A_LISTENER_OVERFLOW_KIND, kind) ||
	    nla_put_u64_64bit(skb, TCPTUNE_A_LISTENER_COUNT, count,
			      TCPTUNE_A_LISTENER_PAD)) {
		nlmsg_free(skb);
		return;
	}
	nla_nest_end(skb, nest);
	tcptune_event_send(net, skb, hdr);
}

/* ---- Readers ------------------------------------------------------------- */

/*
 * Queue state now (listening) or at close; tl->lock held. An open entry's
 * socket is alive: the stop hook, which takes tl->lock, has not run for it.
 */
static void tl_row(const struct tl_entry *e, struct tl_queues *r)
{
	if (e->closed || e->frozen)
		*r = e->saved;
	else
		tl_queues_read(e->sk, r);
}

static void tl_seq_entry(struct seq_file *seq, const struct tl_entry *e)
{
	struct tl_queues r;
	char local[64];
	int i;

	if (e->family == AF_INET6)
		snprintf(local, sizeof(local), "[%pI6c]:%u", &e->addr.v6, e->port);
	else
		snprintf(local, sizeof(local), "%pI4:%u", &e->addr.v4, e->port);
	tl_row(e, &r);
	seq_printf(seq, "%s %u %u %u", local, r.backlog, r.acceptq, r.synq);
	for (i = 0; i < TL_NCOUNTERS; i++)
		seq_printf(seq, " %llu", tl_sum(e, i));
	seq_printf(seq, " %s\n", e->closed ? "closed" : "listen");
}

static int tl_seq_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct tcptune_listeners *tl;
	struct tl_entry *e;
	int i;

	seq_puts(seq, "local backlog acceptq synq");
	for (i = 0; i < TL_NCOUNTERS; i++)
		seq_printf(seq, " %s", tl_name[i]);
	seq_puts(seq, " state\n");
	rcu_read_lock();
	tl = tl_of(net);
	if (tl) {
		spin_lock(&tl->lock);
		list_for_each_entry(e, &tl->open, lnode)
			if (e->visible)
				tl_seq_entry(seq, e);
		list_for_each_entry(e, &tl->closed, lnode)
			tl_seq_entry(seq, e);
		spin_unlock(&tl->lock);
	}
	rcu_read_unlock();
	return 0;
}

/*
 * Counters that follow the TCPTUNE_STATS ones in /proc/net/tcptune/stats and
 * in get-stats replies: for each mirrored counter the MIB increase since
 * load that was not attributed to a listener, then the evictions.
 */
static const char * const tl_extra_names[TCPTUNE_LISTENERS_NEXTRA] = {
	"ListenOverflowsUnattributed",
	"ListenDropsUnattributed",
	"TCPReqQFullDropUnattributed",
	"TCPReqQFullDoCookiesUnattributed",
	"SyncookiesSentUnattributed",
	"ListenersClosedEvicted",
};

const char *tcptune_listeners_extra(struct net *net, unsigned int i, u64 *val)
{
	struct tcptune_listeners *tl;
	unsigned long mib;
	u64 attributed;

	BUILD_BUG_ON(TL_NMIRROR + 1 != TCPTUNE_LISTENERS_NEXTRA);
	*val = 0;
	if (i >= TCPTUNE_LISTENERS_NEXTRA)
		return NULL;
	rcu_read_lock();
	tl = tl_of(net);
	if (!tl)
		goto out;
	if (i == TL_NMIRROR) {
		*val = READ_ONCE(tl->evictions);
		goto out;
	}
	/* Attributed first: each of those increments is already in the MIB. */
	attributed = tcptune_stat_read(net, tl_stat[i]);
	mib = snmp_fold_field(net->mib.net_statistics, tl_mib[i]) - tl->mib_base[i];
	*val = mib > attributed ? mib - attributed : 0;
out:
	rcu_read_unlock();
	return tl_extra_names[i];
}

/* ---- Netlink dump --------------------------------------------------------- */

struct tl_dump_ctx {
	u32 idx;		/* visible entries already dumped (open, then closed) */
};

static int tl_nl_fill(struct sk_buff *skb, struct netlink_callback *cb,
		      const struct tl_entry *e)
{
	struct nlattr *nest;
	struct tl_queues r;
	void *hdr;
	int i;

	hdr = tcptune_dump_put(skb, cb, TCPTUNE_CMD_GET_LISTENERS);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	tl_row(e, &r);
	nest = nla_nest_start(skb, TCPTUNE_A_LISTENER);
	if (!nest || tl_put_addr(skb, e) ||
	    nla_put_u32(skb, TCPTUNE_A_LISTENER_STATE,
			e->closed ? TCPTUNE_LISTENER_STATE_CLOSED :
				    TCPTUNE_LISTENER_STATE_LISTEN) ||
	    nla_put_u32(skb, TCPTUNE_A_LISTENER_BACKLOG, r.backlog) ||
	    nla_put_u32(skb, TCPTUNE_A_LISTENER_ACCEPTQ, r.acceptq) ||
	    nla_put_u32(skb, TCPTUNE_A_LISTENER_SYNQ, r.synq))
		goto err;
	for (i = 0; i < TL_NCOUNTERS; i++)
		if (nla_put_u64_64bit(skb, tl_nlattr[i], tl_sum(e, i),
				      TCPTUNE_A_LISTENER_PAD))
			goto err;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

const struct nla_policy tcptune_get_listeners_nl_policy[TCPTUNE_A_MAX + 1] = {
	[TCPTUNE_A_LISTEN_PORT] = { .type = NLA_U16 },
};

int tcptune_nl_get_listeners_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct tl_dump_ctx *ctx = (struct tl_dump_ctx *)cb->ctx;
	struct nlattr **attrs = tcptune_dump_attrs(cb);
	struct tcptune_listeners *tl;
	struct list_head *lists[2];
	struct tl_entry *e;
	u32 idx = 0;
	int port = -1, l, err = 0;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	/* The requester's netns outlives its dump. */
	rcu_read_lock();
	tl = tl_of(sock_net(skb->sk));
	rcu_read_unlock();
	if (!tl)
		return 0;
	if (attrs && attrs[TCPTUNE_A_LISTEN_PORT])
		port = nla_get_u16(attrs[TCPTUNE_A_LISTEN_PORT]);
	lists[0] = &tl->open;
	lists[1] = &tl->closed;

	/*
	 * Each part is built under the lock; ctx->idx counts visible entries,
	 * whose set and order only change together with tl->gen.
	 */
	spin_lock(&tl->lock);
	cb->seq = tl->gen;
	for (l = 0; l < 2; l++) {
		list_for_each_entry(e, lists[l], lnode) {
			if (!e->visible)
				continue;
			if (idx++ < ctx->idx)
				continue;
			if (port >= 0 && e->port != port) {
				ctx->idx = idx;
				continue;
			}
			err = tl_nl_fill(skb, cb, e);
			if (err)
				goto out;
			ctx->idx = idx;
		}
	}
out:
	spin_unlock(&tl->lock);
	/* A full skb ends this round; the core calls again for the rest. */
	if (err && skb->len)
		return skb->len;
	return err;
}

/* ---- debugfs ---------------------------------------------------------------- */

static int tl_hooks_show(struct seq_file *seq, void *v)
{
	tcptune_hooks_show(seq, tl_hooks, TL_NHOOKS,
			   TCPTUNE_HOOK_COL_NESTED | TCPTUNE_HOOK_COL_NOT_BH);
	seq_printf(seq, "alloc_failures %ld\n", atomic_long_read(&tl_alloc_failures));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tl_hooks);

/* ---- Per netns and module ------------------------------------------------ */

int tcptune_listeners_net_init(struct net *net, struct proc_dir_entry *dir)
{
	struct tcptune_net *tn = tcptune_pernet(net);
	struct tcptune_listeners *tl;
	int i;

	tl = kzalloc(sizeof(*tl), GFP_KERNEL);
	if (!tl)
		return -ENOMEM;
	spin_lock_init(&tl->lock);
	tl->gen = 1;
	INIT_LIST_HEAD(&tl->open);
	INIT_LIST_HEAD(&tl->closed);
	INIT_DELAYED_WORK(&tl->gc, tl_gc);
	for (i = 0; i < TL_NMIRROR; i++)
		tl->mib_base[i] = snmp_fold_field(net->mib.net_statistics, tl_mib[i]);

	if (!proc_create_net_single("listeners", 0444, dir, tl_seq_show, NULL)) {
		kfree(tl);
		return -ENOMEM;
	}
	WRITE_ONCE(tn->listeners, tl);
	return 0;
}

void tcptune_listeners_net_exit(struct net *net)
{
	struct tcptune_net *tn = tcptune_pernet(net);
	struct tcptune_listeners *tl = tn->listeners;
	struct tl_entry *e, *tmp;

	if (!tl)
		return;
	spin_lock(&tl->lock);
	tl->dying = true;
	spin_unlock(&tl->lock);
	WRITE_ONCE(tn->listeners, NULL);
	cancel_delayed_work_sync(&tl->gc);

	spin_lock(&tl->lock);
	list_for_each_entry_safe(e, tmp, &tl->open, lnode)
		tl_unlink(tl, e);
	list_for_each_entry_safe(e, tmp, &tl->closed, lnode)
		tl_unlink(tl, e);
	spin_unlock(&tl->lock);
	kfree_rcu(tl, rcu);
}

int __init tcptune_listeners_init(void)
{
	int err;

	err = tcptune_hooks_register(tl_hooks, TL_NHOOKS, "listeners");
	if (err)
		return err;
	tl_walk_existing();
	if (tcptune_debugfs)
		debugfs_create_file("hooks", 0444, tcptune_debugfs, NULL,
				    &tl_hooks_fops);
	return 0;
}

/*
 * Before the stop hook goes, every open entry keeps a snapshot of its
 * queue state and stops reading its socket, which may close unseen from
 * then on, while /proc and get-listeners can still be read until the
 * pernet exit. No entry is added by then: the start hook is gone first.
 */
static void tl_freeze_all(void)
{
	struct tcptune_listeners *tl;
	struct tl_entry *e;
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net) {
		tl = tl_of(net);
		if (!tl)
			continue;
		spin_lock(&tl->lock);
		list_for_each_entry(e, &tl->open, lnode) {
			if (!e->visible)	/* listen() in progress: not read */
				continue;
			tl_queues_read(e->sk, &e->saved);
			e->frozen = true;
		}
		spin_unlock(&tl->lock);
	}
	up_read(&net_rwsem);
}

void tcptune_listeners_exit(void)
{
	tcptune_hooks_unregister(&tl_hooks[1], TL_NHOOKS - 1);
	tl_freeze_all();
	tcptune_hooks_unregister(tl_hooks, 1);
}
