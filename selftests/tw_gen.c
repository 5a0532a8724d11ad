// SPDX-License-Identifier: GPL-2.0
/*
 * tw_gen: make TIME_WAIT sockets, fast (the test VM pays ~50 ms per exec),
 * and count them with inet_diag.
 *
 *   tw_gen [-6] [-p PORT] [-n COUNT] [-s]
 *   tw_gen -f [-6] [-p PORT] [-P PORTS] [-a ADDRS] [-j PROCS] [-b BATCH]
 *          [-n COUNT] [-s]
 *   tw_gen -r [-6] [-p PORT] [-P PORTS] [-j PROCS] [-n PAIRS]
 *   tw_gen -c
 *
 * Default: listens on the loopback address (127.0.0.1, or ::1 with -6) at
 * PORT (default 8080), then COUNT times: connect, accept, and close both
 * ends, one connection at a time. By default the client closes first, so
 * the client side (an ephemeral port towards PORT) goes to TIME_WAIT; with
 * -s the server closes first and the accepted socket (local port PORT)
 * does. The other side closes after reading the FIN, so exactly one side of
 * each connection ends in TIME_WAIT. Prints "connected N failed M" and
 * exits 0 unless the listener cannot be set up.
 *
 * -f (fast): PROCS processes (default 2) share COUNT; process w listens on
 * PORTS ports (default 16) from PORT + w * PORTS, on 127.0.0.1 (::1 with
 * -6; 0.0.0.0 when ADDRS > 1), and connects to ADDRS addresses (default 1:
 * 127.0.0.1 .. 127.0.0.ADDRS, IPv4 only) x its ports in turn, so every
 * process has PORTS x ADDRS destinations and connection i of a process goes
 * to its destination i % (PORTS x ADDRS). Each round: BATCH (default 256)
 * nonblocking connects, accept them all, close the first side of each, then
 * close the other side once it has read the FIN (poll, never a sleep). The
 * kernel chooses the client ports: with tcp_tw_reuse=0 every destination
 * can hold ip_local_port_range sockets, so COUNT above that needs several
 * destinations (and the kernel's search for a free port slows down as one
 * destination's range fills: keep each below half of it). Prints
 * "connected N failed M ms T rate R/s" (T: wall time, R: connections per
 * second) and exits 1 if a connection could not be completed. With
 * connections in flight on several CPUs the kernel now and then answers a
 * late segment with a RST (TcpOutRsts), which kills the timewait socket it
 * reaches (about 15 in 262,144, seen on 6.1 in the VM and on the build
 * host): set net.ipv4.tcp_rfc1337=1 when every socket made must stay.
 *
 * -r (repair, fastest: 3,000 to 11,000 timewait sockets a second in the
 * test VM against 800 to 1,600 for -f): PAIRS connections, each made of two
 * sockets put into ESTABLISHED with TCP_REPAIR (no handshake, no listener;
 * needs CAP_NET_ADMIN) and closed at the same time, so that BOTH ends go to
 * TIME_WAIT: 2 x PAIRS timewait sockets, in substate TIME_WAIT, counted in
 * TcpExtTW like any. PROCS processes (default 2); process w's "servers" are
 * on ports PORT + w * PORTS .. + PORTS - 1 (PORT below 1024, default PORTS
 * 16), its "clients" on its share of 1024..65535, PORTS pairs per client
 * port (one per server port), all on the loopback address: by local or by
 * remote endpoint, each server port has PAIRS / (PROCS x PORTS) sockets and
 * each client port PORTS. Ephemeral ports are not used, so
 * ip_local_port_range and tcp_tw_reuse do not matter. Prints "pairs N
 * timewait 2N failed M ms T rate R/s" (R: timewait sockets per second) and
 * exits 1 if a pair failed.
 *
 * -c: counts the TIME_WAIT sockets of the current network namespace with a
 * sock_diag (inet_diag) dump per family, state filter TIME_WAIT (the
 * timewait sockets in substate TIME_WAIT, what "ss state time-wait"
 * lists), and prints "timewait4 N timewait6 M ms T".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-6] [-p PORT] [-n COUNT] [-s]\n"
		"       %s -f [-6] [-p PORT] [-P PORTS] [-a ADDRS] [-j PROCS] [-b BATCH] [-n COUNT] [-s]\n"
		"       %s -r [-6] [-p PORT] [-P PORTS] [-j PROCS] [-n PAIRS]\n"
		"       %s -c\n", prog, prog, prog, prog);
	exit(2);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void wait_eof(int fd)
{
	char buf[64];
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0 || (n < 0 && errno == EINTR));
}

/* Loopback address (or the wildcard) and port, of family. */
static socklen_t addr_of(struct sockaddr_storage *ss, int family, int port,
			 int any)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(any ? INADDR_ANY : INADDR_LOOPBACK);
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = any ? in6addr_any : in6addr_loopback;
	return sizeof(*sin6);
}

static int listener(int family, int port, int any, int backlog, int flags)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(&ss, family, port, any);
	int fd, one = 1;

	fd = socket(family, SOCK_STREAM | flags, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, backlog)) {
		fprintf(stderr, "tw_gen: listener on port %d: %s\n", port,
			strerror(errno));
		exit(1);
	}
	return fd;
}

/* One connection at a time (the original mode). */
static int run_serial(int family, int port, int count, int server_first)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(&ss, family, port, 0);
	int lfd, cfd, afd, i, ok = 0, failed = 0;

	lfd = listener(family, port, 0, 128, 0);
	for (i = 0; i < count; i++) {
		cfd = socket(family, SOCK_STREAM, 0);
		if (cfd < 0) {
			perror("tw_gen: socket");
			return 1;
		}
		if (connect(cfd, (struct sockaddr *)&ss, len)) {
			if (failed++ < 3)
				fprintf(stderr, "tw_gen: connect: %s\n",
					strerror(errno));
			close(cfd);
			continue;
		}
		afd = accept(lfd, NULL, NULL);
		if (afd < 0) {
			perror("tw_gen: accept");
			close(cfd);
			failed++;
			continue;
		}
		/*
		 * The second side closes only once it has read the first
		 * side's FIN: no simultaneous close, which would leave both
		 * sides in TIME_WAIT.
		 */
		if (server_first) {
			close(afd);
			wait_eof(cfd);
			close(cfd);
		} else {
			close(cfd);
			wait_eof(afd);
			close(afd);
		}
		ok++;
	}
	close(lfd);
	printf("connected %d failed %d\n", ok, failed);
	return 0;
}

/* ---- fast mode ------------------------------------------------------- */

#define WAIT_MS	10000	/* for a batch's accepts or FINs: then give up */

struct fast {
	int family, port, nports, naddrs, batch, server_first;
};

/*
 * Close @n sockets of @fds once each has read EOF (the peer's FIN), without
 * blocking on any one of them. Returns how many never saw it in time.
 */
static int close_after_eof(int *fds, int n, struct pollfd *pfd)
{
	double end = now_ms() + WAIT_MS;
	int i, left, timeo;
	char buf[64];
	ssize_t r;

	for (;;) {
		left = 0;
		for (i = 0; i < n; i++) {
			if (fds[i] < 0)
				continue;
			r = read(fds[i], buf, sizeof(buf));
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				close(fds[i]);
				fds[i] = -1;
				continue;
			}
			pfd[left].fd = fds[i];
			pfd[left].events = POLLIN;
			left++;
		}
		timeo = (int)(end - now_ms());
		if (!left || timeo <= 0)
			break;
		poll(pfd, left, timeo);
	}
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return left;
}

/* One process of -f: @count connections; 0 if all of them completed. */
static int run_fast_worker(const struct fast *f, int w, int count)
{
	int nd = f->nports * f->naddrs, i, j, n, nc, na, done = 0, failed = 0;
	struct sockaddr_storage *dst;
	struct pollfd *pfd;
	socklen_t len = 0;
	int *lfd, *cli, *srv, *first, *second;
	double end;

	dst = calloc(nd, sizeof(*dst));
	lfd = calloc(f->nports, sizeof(*lfd));
	cli = calloc(f->batch, sizeof(*cli));
	srv = calloc(f->batch, sizeof(*srv));
	pfd = calloc(f->batch + f->nports, sizeof(*pfd));
	if (!dst || !lfd || !cli || !srv || !pfd) {
		perror("tw_gen: calloc");
		return 1;
	}
	for (i = 0; i < f->nports; i++) {
		int port = f->port + w * f->nports + i;

		lfd[i] = listener(f->family, port, f->naddrs > 1,
				  f->batch + 64, SOCK_NONBLOCK);
		for (j = 0; j < f->naddrs; j++) {
			struct sockaddr_storage *d = &dst[i * f->naddrs + j];

			len = addr_of(d, f->family, port, 0);
			if (f->family == AF_INET)
				((struct sockaddr_in *)d)->sin_addr.s_addr =
					htonl(INADDR_LOOPBACK + j);
		}
	}
	first = f->server_first ? srv : cli;
	second = f->server_first ? cli : srv;

	while (done < count) {
		n = count - done < f->batch ? count - done : f->batch;
		nc = 0;
		for (i = 0; i < n; i++) {
			int fd = socket(f->family, SOCK_STREAM | SOCK_NONBLOCK, 0);

			if (fd < 0) {
				perror("tw_gen: socket");
				return 1;
			}
			if (connect(fd, (struct sockaddr *)&dst[(done + i) % nd],
				    len) && errno != EINPROGRESS) {
				if (failed++ < 3)
					fprintf(stderr, "tw_gen: connect: %s\n",
						strerror(errno));
				close(fd);
				continue;
			}
			cli[nc++] = fd;
		}
		/* Every connect must show up on a listener. */
		na = 0;
		end = now_ms() + WAIT_MS;
		while (na < nc) {
			for (i = 0; i < f->nports && na < nc; i++) {
				int fd;

				while (na < nc &&
				       (fd = accept4(lfd[i], NULL, NULL,
						     SOCK_NONBLOCK)) >= 0)
					srv[na++] = fd;
			}
			if (na == nc || now_ms() > end)
				break;
			for (i = 0; i < f->nports; i++) {
				pfd[i].fd = lfd[i];
				pfd[i].events = POLLIN;
			}
			poll(pfd, f->nports, 100);
		}
		if (na < nc) {
			fprintf(stderr, "tw_gen: %d of %d connections not accepted\n",
				nc - na, nc);
			failed += nc - na;
			/* Unmatched clients: close them without TIME_WAIT. */
			for (i = 0; i < nc; i++) {
				struct linger l = { 1, 0 };

				setsockopt(cli[i], SOL_SOCKET, SO_LINGER, &l,
					   sizeof(l));
			}
		}
		/* Client order and accept order differ: it does not matter. */
		for (i = 0; i < na; i++)
			close(first[i]);
		if (close_after_eof(second, na, pfd))
			fprintf(stderr, "tw_gen: a FIN did not arrive in time\n");
		for (i = na; i < nc; i++)
			close(cli[i]);
		done += n;
	}
	for (i = 0; i < f->nports; i++)
		close(lfd[i]);
	return failed;
}

/* ---- repair mode ------------------------------------------------------ */

static int repair_err(const char *what, int fd)
{
	fprintf(stderr, "tw_gen: repair: %s: %s\n", what, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * Wait until @fd's socket is closed (its connection handed over to a
 * timewait socket): the segments of a pair are normally processed before
 * shutdown() returns, but softirq work can be deferred to ksoftirqd, and
 * reusing or closing a socket still in FIN_WAIT or CLOSING would reset it.
 */
static int wait_closed(int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);
	double end = 0;

	for (;;) {
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l))
			return repair_err("TCP_INFO", -1);
		if (ti.tcpi_state == TCP_CLOSE)
			return 0;
		if (!end)
			end = now_ms() + WAIT_MS;
		else if (now_ms() > end)
			return -1;
		poll(NULL, 0, 1);
	}
}

/* A socket in repair mode, bound to @local; -1 on error. */
static int repair_bound(int family, const struct sockaddr_storage *local,
			socklen_t len)
{
	int fd, on = TCP_REPAIR_ON;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return repair_err("socket", fd);
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)))
		return repair_err("TCP_REPAIR", fd);
	if (bind(fd, (const struct sockaddr *)local, len))
		return repair_err("bind", fd);
	return fd;
}

/*
 * Put @fd, bound and closed, straight into ESTABLISHED towards @peer with
 * the sequence numbers @snd and @rcv (TCP_REPAIR: no packet is sent), and
 * leave repair mode without a window probe. @window: give it the peer's
 * receive window; else it has none, so its FIN waits until a segment from
 * the peer opens the window. @reused: @fd went through TIME_WAIT before
 * (its socket is closed but still "connected"): disconnect it and enter
 * repair mode again; it keeps its port. 0, or -1 on error.
 */
static int repair_connect(int fd, int reused,
			  const struct sockaddr_storage *peer, socklen_t len,
			  unsigned int snd, unsigned int rcv, int window)
{
	struct tcp_repair_window w = {
		.snd_wl1 = rcv, .snd_wnd = 65535, .max_window = 65535,
		.rcv_wnd = 65535, .rcv_wup = rcv,
	};
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int on = TCP_REPAIR_ON, off = TCP_REPAIR_OFF_NO_WP;
	int sndq = TCP_SEND_QUEUE, rcvq = TCP_RECV_QUEUE;

	if (reused &&
	    (wait_closed(fd) || connect(fd, &unspec, sizeof(unspec)) ||
	     setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on))))
		return repair_err("disconnect", -1);
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &sndq, sizeof(sndq)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &snd, sizeof(snd)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &rcvq, sizeof(rcvq)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &rcv, sizeof(rcv)))
		return repair_err("TCP_QUEUE_SEQ", -1);
	if (connect(fd, (const struct sockaddr *)peer, len))
		return repair_err("connect", -1);
	if (window &&
	    setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, sizeof(w)))
		return repair_err("TCP_REPAIR_WINDOW", -1);
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)))
		return repair_err("TCP_REPAIR off", -1);
	return 0;
}

/*
 * One process of -r: @count pairs. Pair i joins A, a "client" on local
 * port 1024 + i / PORTS (from the process's share of 1024..65535), and B, a
 * "server" on port PORT + w * PORTS + i % PORTS, both on the loopback
 * address and ESTABLISHED by repair. B shuts down first: it has no send
 * window, so its FIN waits. Then A shuts down: A's FIN reaches B, which acks
 * it and, its window now open, sends its own FIN; the close is
 * simultaneous and both ends go to TIME_WAIT, within A's shutdown() (the
 * segments are processed on loopback as they are sent). Four segments and
 * no socket allocation per pair but one per PORTS pairs: a socket that went
 * to TIME_WAIT is connected again to the next peer from the same port.
 * Returns the number of pairs that failed.
 */
static int run_repair_worker(const struct fast *f, int w, int count, int procs)
{
	unsigned int seq_a = 1000000, seq_b = 2000000;
	int i, k, a = -1, failed = 0, span = (65536 - 1024) / procs;
	struct sockaddr_storage la, *lb;
	int *b, *b_used;
	socklen_t len = 0;

	b = calloc(f->nports, sizeof(*b));
	b_used = calloc(f->nports, sizeof(*b_used));
	lb = calloc(f->nports, sizeof(*lb));
	if (!b || !b_used || !lb) {
		perror("tw_gen: calloc");
		return count;
	}
	for (k = 0; k < f->nports; k++) {
		len = addr_of(&lb[k], f->family, f->port + w * f->nports + k, 0);
		b[k] = repair_bound(f->family, &lb[k], len);
		if (b[k] < 0)
			return count;
	}
	for (i = 0; i < count; i++) {
		k = i % f->nports;
		if (!k) {
			if (a >= 0 && wait_closed(a))
				failed++;
			if (a >= 0)
				close(a);
			addr_of(&la, f->family, 1024 + w * span + i / f->nports, 0);
			a = repair_bound(f->family, &la, len);
			if (a < 0)
				return count;
		}
		if (repair_connect(b[k], b_used[k], &la, len, seq_b, seq_a, 0) ||
		    repair_connect(a, k > 0, &lb[k], len, seq_a, seq_b, 1) ||
		    shutdown(b[k], SHUT_WR) || shutdown(a, SHUT_WR)) {
			if (failed++ < 3)
				fprintf(stderr, "tw_gen: pair %d: %s\n", i,
					strerror(errno));
			/* Start again with fresh sockets. */
			close(a);
			close(b[k]);
			a = repair_bound(f->family, &la, len);
			b[k] = repair_bound(f->family, &lb[k], len);
			b_used[k] = 0;
			if (a < 0 || b[k] < 0)
				return count;
			continue;
		}
		b_used[k] = 1;
	}
	if (a >= 0 && wait_closed(a))
		failed++;
	if (a >= 0)
		close(a);
	for (k = 0; k < f->nports; k++) {
		if (b_used[k] && wait_closed(b[k]))
			failed++;
		close(b[k]);
	}
	return failed;
}

static int run_fast(const struct fast *f, int count, int procs, int repair)
{
	int w, status, failed = 0, share;
	double t0 = now_ms(), ms;
	struct rlimit rl;
	pid_t pid;

	/* Two sockets per connection of a batch, plus listeners. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) &&
	    rl.rlim_cur < (rlim_t)(2 * f->batch + f->nports + 64)) {
		rl.rlim_cur = 2 * f->batch + f->nports + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			perror("tw_gen: RLIMIT_NOFILE");
	}
	for (w = 0; w < procs; w++) {
		share = count / procs + (w < count % procs);
		pid = fork();
		if (pid < 0) {
			perror("tw_gen: fork");
			return 1;
		}
		if (!pid) {
			int bad = repair ? run_repair_worker(f, w, share, procs) :
					   run_fast_worker(f, w, share);

			_exit(bad > 255 ? 255 : bad);
		}
	}
	for (w = 0; w < procs; w++) {
		if (wait(&status) < 0 || !WIFEXITED(status)) {
			failed++;
			continue;
		}
		failed += WEXITSTATUS(status);
	}
	ms = now_ms() - t0;
	/* A worker reports at most 255 failures: "failed" is a lower bound. */
	if (repair)
		printf("pairs %d timewait %d failed %d ms %.0f rate %.0f/s\n",
		       count - failed, 2 * (count - failed), failed, ms,
		       2 * (count - failed) * 1e3 / (ms > 0 ? ms : 1));
	else
		printf("connected %d failed %d ms %.0f rate %.0f/s\n",
		       count - failed, failed, ms,
		       (count - failed) * 1e3 / (ms > 0 ? ms : 1));
	return failed ? 1 : 0;
}

/* ---- inet_diag count --------------------------------------------------- */

/* TIME_WAIT sockets of @family in this netns, or -1. */
static long diag_count(int family)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.r = {
			.sdiag_family = family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = 1 << TCP_TIME_WAIT,
		},
	};
	static char buf[65536];
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	struct nlmsghdr *h;
	long count = 0;
	ssize_t n;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		perror("tw_gen: netlink socket");
		return -1;
	}
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0) {
		perror("tw_gen: sock_diag request");
		goto err;
	}
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("tw_gen: sock_diag recv");
			goto err;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return count;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				fprintf(stderr, "tw_gen: sock_diag: %s\n",
					strerror(-e->error));
				goto err;
			}
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
				struct inet_diag_msg *m = NLMSG_DATA(h);

				count += m->idiag_state == TCP_TIME_WAIT;
			}
		}
	}
err:
	close(fd);
	return -1;
}

static int run_count(void)
{
	double t0 = now_ms();
	long v4 = diag_count(AF_INET), v6 = diag_count(AF_INET6);

	if (v4 < 0 || v6 < 0)
		return 1;
	printf("timewait4 %ld timewait6 %ld ms %.0f\n", v4, v6, now_ms() - t0);
	return 0;
}

int main(int argc, char **argv)
{

	struct fast f = { .family = AF_INET, .port = 8080, .nports = 16,
			  .naddrs = 1, .batch = 256 };
	int count = 1, procs = 2, fast = 0, repair = 0, opt;

	while ((opt = getopt(argc, argv, "6p:n:sfrP:a:j:b:c")) != -1) {
		switch (opt) {
		case '6':
			f.family = AF_INET6;
			break;
		case 'p':
			f.port = atoi(optarg);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 's':
			f.server_first = 1;
			break;
		case 'f':
			fast = 1;
			break;
		case 'r':
			fast = repair = 1;
			break;
		case 'P':
			f.nports = atoi(optarg);
			break;
		case 'a':
			f.naddrs = atoi(optarg);
			break;
		case 'j':
			procs = atoi(optarg);
			break;
		case 'b':
			f.batch = atoi(optarg);
			break;
		case 'c':
			if (optind != argc)
				usage(argv[0]);
			return run_count();
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc || f.port <= 0 || count < 0)
		usage(argv[0]);
	if (!fast) {
		if (f.port > 65535)
			usage(argv[0]);
		return run_serial(f.family, f.port, count, f.server_first);
	}
	if (f.nports < 1 || f.naddrs < 1 || f.naddrs > 254 || procs < 1 ||
	    procs > 64 || f.batch < 1 || f.batch > 4096 ||
	    f.port + procs * f.nports - 1 > 65535 ||
	    (f.family == AF_INET6 && f.naddrs > 1) ||
	    (repair && (f.naddrs > 1 || f.server_first || f.port >= 1024 ||
			count / procs + 1 > (65536 - 1024) / procs * f.nports)))
		usage(argv[0]);
	return run_fast(&f, count, procs, repair);
}
