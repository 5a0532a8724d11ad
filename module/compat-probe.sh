#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print -D flags for kernel API differences, found by reading the headers of
# the kernel being built against (argument: its source tree, $(srctree)).
# Every flag is used by compat.h and nowhere else.

srctree=${1:?usage: compat-probe.sh SRCTREE}

have() { # have FLAG FILE EXTENDED-REGEX
	grep -Eqs -- "$3" "$srctree/$2" && printf ' -DTCPTUNE_HAVE_%s' "$1"
}

# 6.10: cong_control() also receives the ACK sequence and the ACK flags.
have CONG_CONTROL_ACK_FLAG include/net/tcp.h \
	'\(\*cong_control\)\(struct sock \*sk, u32 ack, int flag'
# 6.6: dump callbacks find the parsed request in genl_info_dump(cb)->attrs.
have GENL_INFO_DUMP include/net/genetlink.h 'genl_info_dump\('
echo
