# SPDX-License-Identifier: GPL-2.0
# Drop the kernel's reports of failed allocations (warn_alloc(): the header
# line to the end of its call trace) from a kernel log, so the problem scan
# does not take the faults injected by faults.sh for bugs. Used by /init in
# the guest and by run-vm.sh on the console log, for the faults VM only.
/vmalloc error:|page allocation failure:/ { skip = 1 }
!skip { print }
skip && /<\/TASK>/ { skip = 0 }
