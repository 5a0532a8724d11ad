# SPDX-License-Identifier: GPL-2.0
#
# What counts as the kernel reporting a problem, for both readers of its
# log: /init in the guest (dmesg, sourced from the initramfs) and
# run-vm.sh on the host (the serial console). One list, so that the two
# cannot drift apart.
#
# KERNEL_PROBLEMS: an extended regex matched anywhere in a log line.
# KERNEL_BENIGN: lines that match it but report nothing (boot banners of
# debug kernels); they are dropped first.
# shellcheck shell=sh disable=SC2034 # used by the scripts that source this file

KERNEL_PROBLEMS='WARNING:|BUG:|BUG at|Oops|Kernel panic|Call Trace|general protection|UBSAN:|KASAN|KFENCE|lockdep|possible circular|possible recursive|INFO: task .* blocked|rcu_.*stall|unregister_netdevice: waiting|refcount_t:|corruption|stack-protector|double fault'
KERNEL_BENIGN='RCU lockdep checking is enabled'
