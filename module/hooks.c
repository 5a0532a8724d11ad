// SPDX-License-Identifier: GPL-2.0
/*
 * tcptune: registration and debugfs report of the kprobes and kretprobes that
 * listeners.c and timewait.c put on kernel functions.
 */

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/cpumask.h>
#include <linux/seq_file.h>

#include "tcptune.h"

static bool tcptune_hook_is_kprobe(const struct tcptune_hook *h)
{
	return h->kp.pre_handler;
}

static unsigned long tcptune_hook_missed(const struct tcptune_hook *h)
{
	if (tcptune_hook_is_kprobe(h))
		return h->kp.nmissed;
	return h->krp.nmissed + h->krp.kp.nmissed;
}

/* Unregister, last first, the hooks of @hooks that are registered. */
void tcptune_hooks_unregister(struct tcptune_hook *hooks, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		struct tcptune_hook *h = &hooks[i];

		if (!h->registered)
			continue;
		if (tcptune_hook_is_kprobe(h))
			unregister_kprobe(&h->kp);
		else
			unregister_kretprobe(&h->krp);
		h->registered = false;
	}
}

/*
 * Register all @n hooks of @hooks, or none: on failure the error names
 * @part and the kernel function, and the hooks already placed are removed.
 */
int tcptune_hooks_register(struct tcptune_hook *hooks, int n, const char *part)
{
	int i, err;

	for (i = 0; i < n; i++) {
		struct tcptune_hook *h = &hooks[i];

		if (tcptune_hook_is_kprobe(h)) {
			h->kp.symbol_name = h->symbol;
			err = register_kprobe(&h->kp);
		} else {
			h->krp.kp.symbol_name = h->symbol;
			/*
			 * Calls with BH disabled nest at most twice per
			 * CPU. inet_csk_listen_start() runs in process
			 * context and can sleep, so more can be in flight:
			 * calls beyond this many are missed (debugfs
			 * "misses"), and their listeners not tracked.
			 */
			h->krp.maxactive = 4 * num_possible_cpus() + 16;
			err = register_kretprobe(&h->krp);
		}
		if (err) {
			pr_err("%s: cannot hook kernel function %s (%d%s)\n",
			       part, h->symbol, err,
			       err == -ENOENT ? ": symbol missing in this kernel" : "");
			goto err;
		}
		h->registered = true;
	}
	return 0;

err:
	tcptune_hooks_unregister(hooks, n);
	return err;
}

/*
 * The hook table of a debugfs file: a header line, then one line per hook,
 * "kind symbol registered hits misses [nested] [not_bh] untracked" with the
 * bracketed columns present when @cols has TCPTUNE_HOOK_COL_*.
 */
void tcptune_hooks_show(struct seq_file *seq, const struct tcptune_hook *hooks,
			int n, unsigned int cols)
{
	int i, cpu;

	seq_puts(seq, "hook symbol registered hits misses");
	if (cols & TCPTUNE_HOOK_COL_NESTED)
		seq_puts(seq, " nested");
	if (cols & TCPTUNE_HOOK_COL_NOT_BH)
		seq_puts(seq, " not_bh");
	seq_puts(seq, " untracked\n");

	for (i = 0; i < n; i++) {
		const struct tcptune_hook *h = &hooks[i];
		struct tcptune_hook_pcpu sum = {};

		for_each_possible_cpu(cpu) {
			const struct tcptune_hook_pcpu *p = per_cpu_ptr(h->stats, cpu);

			sum.hits += READ_ONCE(p->hits);
			sum.nested += READ_ONCE(p->nested);
			sum.unsafe += READ_ONCE(p->unsafe);
			sum.untracked += READ_ONCE(p->untracked);
		}
		seq_printf(seq, "%s %s %s %lu %lu",
			   tcptune_hook_is_kprobe(h) ? "kprobe" : "kretprobe",
			   h->symbol, h->registered ? "yes" : "no", sum.hits,
			   h->registered ? tcptune_hook_missed(h) : 0);
		if (cols & TCPTUNE_HOOK_COL_NESTED)
			seq_printf(seq, " %lu", sum.nested);
		if (cols & TCPTUNE_HOOK_COL_NOT_BH)
			seq_printf(seq, " %lu", sum.unsafe);
		seq_printf(seq, " %lu\n", sum.untracked);
	}
}
