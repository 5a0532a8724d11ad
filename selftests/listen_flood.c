// SPDX-License-Identifier: GPL-2.0
/*
 * Load generator for listeners.sh: one listener that never accepts, and
 * clients that connect to it, all in the current network namespace.
 *
 *   listen_flood [-f 4|6|m] [-P port] [-b backlog] [-n clients] [-p procs]
 *                [-d] [-w ms] [-i port] [-H] [-L n]
 *
 *   -f 4   listener on 127.0.0.1, IPv4 clients (default)
 *   -f 6   listener on ::1, IPv6 clients
 *   -f m   dual-stack listener on :: (v4-mapped), IPv4 clients to 127.0.0.1
 *   -P     listener port (default 5000)
 *   -b     listen() backlog (default 1)
 *   -n     connections per client process (default 50)
 *   -p     client processes (default 1), started together
 *   -d     TCP_DEFER_ACCEPT (60 s) on the listener: handshakes without
 *          data stay in the SYN queue, so it fills up
 *   -D s   TCP_DEFER_ACCEPT of s seconds instead (1: the kernel retransmits
 *          the SYN-ACK of acked requests at the first timeout)
 *   -w     wait this long after the last connect before closing (default 1000)
 *   -i     also open an idle listener on this port (never gets traffic)
 *   -H     hold: after the connects, print "ready" and wait for stdin EOF
 *   -L n   also open n idle listeners on the ports after the listener's
 *          (port + 1 .. port + n, same family), closed after it
 *
 * Clients connect without blocking, in batches of at most 400 sockets per
 * process; everything is closed before exiting, the listener first, so the
 * kernel's counters are final once this program has exited.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH	400

static char family = '4';
static int port = 5000, backlog = 1, nconn = 50, nprocs = 1, defer;
static int wait_ms = 1000, idle_port, hold, nextra;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int make_listener(int p)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd, one = 1, zero = 0, secs = defer;

	if (family == '4') {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		sin6->sin6_addr = family == '6' ? in6addr_loopback : in6addr_any;
		len = sizeof(*sin6);
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == 'm' &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)))
		die("IPV6_V6ONLY");
	if (defer && setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
				sizeof(secs)))
		die("TCP_DEFER_ACCEPT");
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	if (listen(fd, backlog))
		die("listen");
	return fd;
}

static int client(void)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd;

	if (family == '6') {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		die("client socket");
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS &&
	    errno != EAGAIN) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One client process: nconn connects, in batches; closes all at the end. */
static void run_clients(int last_wait)
{
	static int fds[BATCH];
	int done = 0, i, n;

	while (done < nconn) {
		n = nconn - done < BATCH ? nconn - done : BATCH;
		for (i = 0; i < n; i++)
			fds[i] = client();
		done += n;
		sleep_ms(done < nconn ? 200 : last_wait);
		if (done < nconn || !hold)
			for (i = 0; i < n; i++)
				if (fds[i] >= 0)
					close(fds[i]);
	}
}

int main(int argc, char **argv)
{
	int opt, lfd, ifd = -1, i, status, rc = 0, *extra = NULL;
	char buf[64];
	pid_t pid;

	while ((opt = getopt(argc, argv, "f:P:b:n:p:dD:w:i:HL:")) != -1) {
		switch (opt) {
		case 'f': family = optarg[0]; break;
		case 'P': port = atoi(optarg); break;
		case 'b': backlog = atoi(optarg); break;
		case 'n': nconn = atoi(optarg); break;
		case 'p': nprocs = atoi(optarg); break;
		case 'd': defer = 60; break;
		case 'D': defer = atoi(optarg); break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'i': idle_port = atoi(optarg); break;
		case 'H': hold = 1; break;
		case 'L': nextra = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: see the comment in listen_flood.c\n");
			return 2;
		}
	}
	if (!strchr("46m", family) || nprocs < 1 || (hold && nprocs != 1) ||
	    nextra < 0 || port + nextra > 65535) {
		fprintf(stderr, "bad arguments\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = make_listener(port);
	if (idle_port)
		ifd = make_listener(idle_port);
	if (nextra) {
		extra = calloc(nextra, sizeof(*extra));
		if (!extra)
			die("calloc");
		for (i = 0; i < nextra; i++)
			extra[i] = make_listener(port + 1 + i);
	}

	if (nprocs == 1) {
		run_clients(wait_ms);
	} else {
		for (i = 0; i < nprocs; i++) {
			pid = fork();
			if (pid < 0)
				die("fork");
			if (!pid) {
				run_clients(wait_ms);
				_exit(0);
			}
		}
		for (i = 0; i < nprocs; i++)
			if (wait(&status) < 0 || !WIFEXITED(status) ||
			    WEXITSTATUS(status))
				rc = 1;
	}
	if (hold) {
		printf("ready\n");
		fflush(stdout);
		while (read(0, buf, sizeof(buf)) > 0)
			;
	}
	close(lfd);
	if (ifd >= 0)
		close(ifd);
	for (i = 0; i < nextra; i++)
		close(extra[i]);
	free(extra);
	return rc;
}
