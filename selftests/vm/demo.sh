#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make run": a short live demo of tcptune inside the VM. Loads the module,
# joins two network namespaces with a veth pair, sends a few seconds of TCP
# with iperf3 (with the bbrx congestion control when the module offers it),
# then shows what tcptunectl and procfs report. Exits non-zero if a step
# failed; it keeps going to show the rest.

. /selftests/lib.sh

ADDR_CLI=198.18.0.1
ADDR_SRV=198.18.0.2
SECONDS_OF_TRAFFIC=${DEMO_SECONDS:-3}

heading() { printf '\n===== %s =====\n' "$*"; }

# step TITLE CMD...: heading, command line, its output; a failure is noted.
step() {
	heading "$1"
	shift
	echo "\$ $*"
	"$@" 2>&1 || {
		echo "(exit $?)"
		ret=$KSFT_FAIL
	}
}

heading "tcptune demo on $(uname -r)"
step "load the module" modprobe -v tcptune

setup_ns cli srv
ip link add veth-cli netns "$cli" type veth peer name veth-srv netns "$srv" ||
	die "cannot create the veth pair"
ip -n "$cli" addr add "$ADDR_CLI/24" dev veth-cli
ip -n "$srv" addr add "$ADDR_SRV/24" dev veth-srv
ip -n "$cli" link set veth-cli up
ip -n "$srv" link set veth-srv up
echo "netns $cli ($ADDR_CLI) <-veth-> netns $srv ($ADDR_SRV)"

cc=
read_file /proc/sys/net/ipv4/tcp_available_congestion_control avail
case " $avail " in
*" bbrx "*) cc=bbrx ;;
esac

ip netns exec "$srv" "$IPERF3" -s -1 -B "$ADDR_SRV" >/dev/null 2>&1 &
srv_pid=$!
defer "kill $srv_pid 2>/dev/null"
listening() {
	case $(ip netns exec "$srv" "$SS" -Htln 2>/dev/null) in
	*"$ADDR_SRV:5201"*) return 0 ;;
	esac
	return 1
}
slowwait 10 listening || echo "(iperf3 server not listening yet)"

step "iperf3 for ${SECONDS_OF_TRAFFIC}s${cc:+ with congestion control $cc}" \
	ip netns exec "$cli" "$IPERF3" -c "$ADDR_SRV" -t "$SECONDS_OF_TRAFFIC" \
	-f m ${cc:+-C "$cc"}

step "tcptunectl version" tcptunectl version
step "tcptunectl stats (client netns)" \
	ip netns exec "$cli" "$TCPTUNECTL" stats
step "tcptunectl config" tcptunectl config
step "tcptunectl -j -p stats (client netns)" \
	ip netns exec "$cli" "$TCPTUNECTL" -j -p stats
step "cat /proc/net/tcptune/stats (client netns)" \
	ip netns exec "$cli" cat "$TCPTUNE_PROC"
step "cat /proc/net/tcptune/stats (initial netns)" cat "$TCPTUNE_PROC"

echo
ksft_exit
