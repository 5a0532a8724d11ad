// SPDX-License-Identifier: GPL-2.0
/*
 * Raw SYN flood for syn_flood.sh: a listener in the current network
 * namespace, SYNs with random source addresses and ports sent to it from
 * another namespace through a raw socket, as fast as the machine goes.
 *
 *   syn_flood -n NETNS_PATH -a ADDR [-P port] [-b backlog] [-t secs]
 *             [-s SRC_NET] [-w drain_ms]
 *
 *   -n   the flooding side's netns (e.g. /run/netns/NAME): the raw socket
 *        is made there, after the listener was made here
 *   -a   the listener's IPv4 address (SYN destination); the listener binds
 *        0.0.0.0
 *   -P   port (default 5000)
 *   -b   listen() backlog (default 8)
 *   -t   seconds of flooding (default 3, at most 60)
 *   -s   sources are random in this /15 (default 198.18.0.0, the
 *        benchmarking range); source ports random in 1024-65535
 *   -w   after the flood, wait this long for the last SYNs to be handled
 *        (default 500 ms), then close the listener
 *
 * The IP header is filled by us (IPPROTO_RAW implies IP_HDRINCL; the kernel
 * sets the IP checksum and total length), the TCP checksum too. Packets go
 * out in batches of BATCH with sendmmsg(). The listener never accepts and is
 * closed before exiting, so its counters are final once this has exited.
 *
 * Prints one line: "sent N SYNs in S s: R SYN/s, E send errors" (not
 * counting the single SYN sent 100 ms before the flood, which resolves the
 * neighbour).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#define BATCH		128
#define TCP_HLEN	24		/* header with an MSS option */
#define PKT_LEN		(sizeof(struct iphdr) + TCP_HLEN)

struct pkt {
	struct iphdr ip;
	struct tcphdr tcp;
	uint8_t opt[4];
};

_Static_assert(sizeof(struct pkt) == PKT_LEN, "struct pkt has padding");

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* TCP checksum over the pseudo header and @len bytes of header. */
static uint16_t tcp_csum(const struct pkt *p, int len)
{
	const uint16_t *w = (const uint16_t *)&p->tcp;
	uint32_t sum = 0;
	int i;

	sum += (p->ip.saddr >> 16) + (p->ip.saddr & 0xffff);
	sum += (p->ip.daddr >> 16) + (p->ip.daddr & 0xffff);
	sum += htons(IPPROTO_TCP) + htons(len);
	for (i = 0; i < len / 2; i++)
		sum += w[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static void fill(struct pkt *p, uint32_t src_net, uint32_t dst, uint16_t port)
{
	uint64_t r = rnd();

	memset(p, 0, sizeof(*p));
	p->ip.version = 4;
	p->ip.ihl = 5;
	p->ip.ttl = 64;
	p->ip.protocol = IPPROTO_TCP;
	p->ip.id = r;
	p->ip.saddr = htonl(src_net | ((r >> 16) & 0x1ffff));
	p->ip.daddr = dst;
	p->tcp.source = htons(1024 + (r >> 33) % 64512);
	p->tcp.dest = htons(port);
	p->tcp.seq = htonl(rnd());
	p->tcp.doff = TCP_HLEN / 4;
	p->tcp.syn = 1;
	p->tcp.window = htons(64240);
	p->opt[0] = TCPOPT_MAXSEG;
	p->opt[1] = TCPOLEN_MAXSEG;
	p->opt[2] = 1460 >> 8;
	p->opt[3] = 1460 & 0xff;
	p->tcp.check = tcp_csum(p, TCP_HLEN);
}

int main(int argc, char **argv)
{
	static struct pkt pkts[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	const char *ns_path = NULL, *addr = NULL, *src = "198.18.0.0";
	int port = 5000, backlog = 8, secs = 3, drain_ms = 500;
	int opt, lfd, nsfd, rfd, one = 1, i, n;
	unsigned long long sent = 0, errors = 0;
	struct in_addr src_net;
	double t0, t1, end;

	while ((opt = getopt(argc, argv, "n:a:P:b:t:s:w:")) != -1) {
		switch (opt) {
		case 'n': ns_path = optarg; break;
		case 'a': addr = optarg; break;
		case 'P': port = atoi(optarg); break;
		case 'b': backlog = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 's': src = optarg; break;
		case 'w': drain_ms = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: see the comment in syn_flood.c\n");
			return 2;
		}
	}
	if (!ns_path || !addr || inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    inet_pton(AF_INET, src, &src_net) != 1 || secs < 1 || secs > 60 ||
	    port < 1 || port > 65535 || backlog < 1 || drain_ms < 0) {
		fprintf(stderr, "bad arguments\n");
		return 2;
	}
	rnd_state ^= (uint64_t)getpid() << 32 ^ (uint64_t)(now_s() * 1e6);

	/* The listener, in this netns. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	{
		struct sockaddr_in l = {
			.sin_family = AF_INET,
			.sin_port = htons(port),
			.sin_addr.s_addr = htonl(INADDR_ANY),
		};

		if (bind(lfd, (struct sockaddr *)&l, sizeof(l)))
			die("bind");
	}
	if (listen(lfd, backlog))
		die("listen");

	/* The raw socket, in the flooder's netns. */
	nsfd = open(ns_path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		die(ns_path);
	if (setns(nsfd, CLONE_NEWNET))
		die("setns");
	close(nsfd);
	rfd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (rfd < 0)
		die("raw socket");

	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = &pkts[i];
		iov[i].iov_len = PKT_LEN;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_name = &sin;
		msgs[i].msg_hdr.msg_namelen = sizeof(sin);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	/* One SYN first, so the neighbour entry is resolved. */
	fill(&pkts[0], ntohl(src_net.s_addr) & ~0x1ffffu, sin.sin_addr.s_addr, port);
	if (sendto(rfd, &pkts[0], PKT_LEN, 0, (struct sockaddr *)&sin,
		   sizeof(sin)) != (ssize_t)PKT_LEN)
		die("sendto");
	sleep_ms(100);

	t0 = now_s();
	end = t0 + secs;
	do {
		for (i = 0; i < BATCH; i++)
			fill(&pkts[i], ntohl(src_net.s_addr) & ~0x1ffffu,
			     sin.sin_addr.s_addr, port);
		n = sendmmsg(rfd, msgs, BATCH, 0);
		if (n < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
				die("sendmmsg");
			errors++;
			continue;
		}
		sent += n;
		errors += BATCH - n;
	} while ((t1 = now_s()) < end);
	close(rfd);

	printf("sent %llu SYNs in %.2f s: %.0f SYN/s, %llu send errors\n",
	       sent, t1 - t0, sent / (t1 - t0), errors);
	fflush(stdout);

	sleep_ms(drain_ms);
	close(lfd);
	return 0;
}
