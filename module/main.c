// SPDX-License-Identifier: GPL-2.0
/*
 * tcptune: TCP instrumentation and tuning for stock kernels.
 *
 * This file holds what every part of the module shares: the per-netns state
 * (counters, /proc/net/tcptune/), the debugfs root, the tunable parameters
 * and the order in which everything is set up and torn down.
 *
 * Setup order (module_init) and its exact reverse (module_exit):
 *   debugfs root -> pernet subsystem (procfs per netns) -> bbrx -> genl family
 * The genl family goes last so no request can arrive before the state it
 * reads exists, and first on the way out.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/debugfs.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>
#include <generated/utsrelease.h>
#include <net/net_namespace.h>

#include "tcptune.h"

unsigned int tcptune_net_id __read_mostly;
struct dentry *tcptune_debugfs;
static atomic_t tcptune_netns_count = ATOMIC_INIT(0);

const char * const tcptune_stat_names[__TCPTUNE_STAT_MAX] = {
#define TCPTUNE_STAT_NAME(id, name) [TCPTUNE_STAT_##id] = name,
	TCPTUNE_STATS(TCPTUNE_STAT_NAME)
#undef TCPTUNE_STAT_NAME
};

u64 tcptune_stat_read(const struct net *net, enum tcptune_stat id)
{
	struct tcptune_stats __percpu *stats;
	u64 sum = 0;
	int cpu;

	if (tcptune_tw_stat_read(net, id, &sum))
		return sum;
	rcu_read_lock();
	stats = READ_ONCE(tcptune_pernet(net)->stats);
	if (stats)
		for_each_possible_cpu(cpu)
			sum += READ_ONCE(per_cpu_ptr(stats, cpu)->v[id]);
	rcu_read_unlock();
	return sum;
}

int tcptune_stats_foreach(struct net *net,
			  int (*emit)(void *arg, const char *name, u64 val),
			  void *arg)
{
	struct tcptune_stats __percpu *stats;
	u64 val[__TCPTUNE_STAT_MAX] = {};
	const char *name;
	u64 extra;
	int i, cpu, err;

	rcu_read_lock();
	stats = READ_ONCE(tcptune_pernet(net)->stats);
	if (stats)
		for_each_possible_cpu(cpu)
			for (i = 0; i < __TCPTUNE_STAT_MAX; i++)
				val[i] += READ_ONCE(per_cpu_ptr(stats, cpu)->v[i]);
	rcu_read_unlock();
	tcptune_tw_stats_fill(net, val);

	for (i = 0; i < __TCPTUNE_STAT_MAX; i++) {
		err = emit(arg, tcptune_stat_names[i], val[i]);
		if (err)
			return err;
	}
	for (i = 0; (name = tcptune_listeners_extra(net, i, &extra)); i++) {
		err = emit(arg, name, extra);
		if (err)
			return err;
	}
	return 0;
}

/* ---- Tunable parameters -------------------------------------------------- */

static int tcptune_param_store(const char *val, const struct kernel_param *kp)
{
	const struct tcptune_param *p = kp->arg;
	u32 v;
	int err;

	err = kstrtou32(val, 0, &v);
	if (err) {
		pr_err("%s: '%s' is not an unsigned 32-bit number\n", kp->name, val);
		return err;
	}
	if (v < p->min || v > p->max) {
		pr_err("%s: %u is out of range [%u, %u]\n", kp->name, v, p->min, p->max);
		return -ERANGE;
	}
	WRITE_ONCE(*p->value, v);
	return 0;
}

static int tcptune_param_show(char *buf, const struct kernel_param *kp)
{
	const struct tcptune_param *p = kp->arg;

	return scnprintf(buf, PAGE_SIZE, "%u\n", READ_ONCE(*p->value));
}

const struct kernel_param_ops tcptune_param_ops = {
	.set = tcptune_param_store,
	.get = tcptune_param_show,
};

/* ---- Per network namespace state ---------------------------------------- */

static int tcptune_stat_seq_line(void *seq, const char *name, u64 val)
{
	seq_printf(seq, "%s %llu\n", name, val);
	return 0;
}

static int tcptune_stats_seq_show(struct seq_file *seq, void *v)
{
	return tcptune_stats_foreach(seq_file_single_net(seq),
				     tcptune_stat_seq_line, seq);
}

static int __net_init tcptune_net_init(struct net *net)
{
	struct tcptune_net *tn = tcptune_pernet(net);
	struct proc_dir_entry *dir;

	tn->net = net;
	tn->events_enabled = 1;
	tn->stats = alloc_percpu(struct tcptune_stats);
	if (!tn->stats)
		goto err;

	dir = proc_net_mkdir(net, "tcptune", net->proc_net);
	if (!dir)
		goto err_free_stats;
	if (!proc_create_net_single("stats", 0444, dir, tcptune_stats_seq_show,
				    NULL))
		goto err_remove_dir;
	if (tcptune_listeners_net_init(net, dir))
		goto err_remove_dir;
	if (tcptune_timewait_net_init(net, dir))
		goto err_listeners;

	atomic_inc(&tcptune_netns_count);
	return 0;

err_listeners:
	remove_proc_subtree("tcptune", net->proc_net);
	tcptune_listeners_net_exit(net);
	goto err_free_stats;
err_remove_dir:
	remove_proc_subtree("tcptune", net->proc_net);
err_free_stats:
	free_percpu(tn->stats);
err:
	return -ENOMEM;
}

static void __net_exit tcptune_net_exit(struct net *net)
{
	struct tcptune_net *tn = tcptune_pernet(net);

	remove_proc_subtree("tcptune", net->proc_net);
	tcptune_timewait_net_exit(net);
	tcptune_listeners_net_exit(net);
	/* Freed after a grace period: see tcptune_stat_add(). */
	tn->stats_dead = tn->stats;
	WRITE_ONCE(tn->stats, NULL);
	atomic_dec(&tcptune_netns_count);
}

static void __net_exit tcptune_net_exit_batch(struct list_head *net_list)
{
	struct net *net;

	synchronize_rcu();
	list_for_each_entry(net, net_list, exit_list)
		free_percpu(tcptune_pernet(net)->stats_dead);
}

static struct pernet_operations tcptune_net_ops = {
	.init = tcptune_net_init,
	.exit = tcptune_net_exit,
	.exit_batch = tcptune_net_exit_batch,
	.id = &tcptune_net_id,
	.size = sizeof(struct tcptune_net),
};

/* ---- debugfs --------------------------------------------------------------- */

static int tcptune_status_show(struct seq_file *seq, void *v)
{
	seq_printf(seq, "version %s\n", TCPTUNE_VERSION);
	seq_printf(seq, "built_for %s\n", UTS_RELEASE);
	seq_printf(seq, "running_on %s\n", init_utsname()->release);
	seq_printf(seq, "netns %d\n", atomic_read(&tcptune_netns_count));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tcptune_status);

/* ---- Module ---------------------------------------------------------------- */

static int __init tcptune_init(void)
{
	int err;

	tcptune_debugfs = debugfs_create_dir("tcptune", NULL);
	if (IS_ERR(tcptune_debugfs))
		tcptune_debugfs = NULL;	/* debugfs is optional */
	else
		debugfs_create_file("status", 0444, tcptune_debugfs, NULL,
				    &tcptune_status_fops);

	err = register_pernet_subsys(&tcptune_net_ops);
	if (err)
		goto err_debugfs;

	err = tcptune_listeners_init();
	if (err)
		goto err_pernet;

	err = tcptune_timewait_init();
	if (err)
		goto err_listeners;

	err = bbrx_register();
	if (err)
		goto err_timewait;

	err = tcptune_netlink_init();
	if (err)
		goto err_bbrx;

	pr_info("version %s loaded\n", TCPTUNE_VERSION);
	return 0;

err_bbrx:
	bbrx_unregister();
err_timewait:
	tcptune_timewait_exit();
err_listeners:
	tcptune_listeners_exit();
err_pernet:
	unregister_pernet_subsys(&tcptune_net_ops);
	rcu_barrier();	/* listeners.c frees entries with call_rcu() */
err_debugfs:
	debugfs_remove_recursive(tcptune_debugfs);
	return err;
}

static void __exit tcptune_exit(void)
{
	tcptune_netlink_exit();
	bbrx_unregister();
	tcptune_timewait_exit();
	tcptune_listeners_exit();
	unregister_pernet_subsys(&tcptune_net_ops);
	rcu_barrier();	/* listeners.c frees entries with call_rcu() */
	debugfs_remove_recursive(tcptune_debugfs);
	pr_info("unloaded\n");
}

module_init(tcptune_init);
module_exit(tcptune_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The tcptune developers");
MODULE_DESCRIPTION("TCP instrumentation and tuning: bbrx congestion control, listener and TIME_WAIT counters");
MODULE_VERSION(TCPTUNE_VERSION);
MODULE_ALIAS("tcp_bbrx");
MODULE_ALIAS_GENL_FAMILY(TCPTUNE_FAMILY_NAME);
