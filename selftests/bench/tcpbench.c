// SPDX-License-Identifier: GPL-2.0
/*
 * Small TCP load tools for the benchmark (selftests/bench/guest.sh).
 *
 *   tcpbench server PORT
 *       Accept connections on PORT (all addresses), read each until EOF,
 *       then close it. Runs until killed.
 *   tcpbench fct [-C cc] [-n bytes] [-r repeats] [-g gap_ms] HOST PORT
 *       Flow completion time: for each repeat, connect (with congestion
 *       control cc), send bytes, shut down the write side and wait for the
 *       server's close. Prints the times in milliseconds, comma separated,
 *       on one line; a failed flow prints "nan".
 *   tcpbench accept [-t seconds] HOST PORT
 *       Connection rate: connect and close, one at a time, for seconds;
 *       prints the connections per second (each connection completed:
 *       handshake, FIN exchange seen by the server).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN	1024

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void usage(void)
{
	fprintf(stderr, "usage: tcpbench server PORT | fct [-C cc] [-n bytes] [-r n] [-g ms] HOST PORT | accept [-t s] HOST PORT\n");
	exit(2);
}

static int server(int port)
{
	struct pollfd pfd[MAXCONN];
	struct sockaddr_in a = { .sin_family = AF_INET };
	char buf[65536];
	int one = 1, n = 1, i, ls;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons(port);
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 512)) {
		perror("bind/listen");
		return 1;
	}
	pfd[0].fd = ls;
	pfd[0].events = POLLIN;
	for (;;) {
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		for (i = n - 1; i >= 1; i--) {
			ssize_t r;

			if (!pfd[i].revents)
				continue;
			r = read(pfd[i].fd, buf, sizeof(buf));
			if (r > 0 || (r < 0 && errno == EINTR))
				continue;
			close(pfd[i].fd);
			pfd[i] = pfd[--n];
		}
		if ((pfd[0].revents & POLLIN) && n < MAXCONN) {
			int c = accept(ls, NULL, NULL);

			if (c >= 0) {
				pfd[n].fd = c;
				pfd[n].events = POLLIN;
				pfd[n].revents = 0;
				n++;
			}
		}
	}
}

/* One connection to dst; sends bytes (0: none) and waits for the close. */
static int one_flow(const struct sockaddr_in *dst, const char *cc, long bytes)
{
	static char buf[65536];
	int fd, ret = -1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (cc && setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc))) {
		perror("TCP_CONGESTION");
		goto out;
	}
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)))
		goto out;
	while (bytes > 0) {
		ssize_t w = write(fd, buf, bytes < (long)sizeof(buf) ? bytes : (long)sizeof(buf));

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		bytes -= w;
	}
	if (shutdown(fd, SHUT_WR))
		goto out;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r == 0)
			break;
		if (r < 0 && errno != EINTR)
			goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

static void parse_dst(struct sockaddr_in *dst, const char *host, const char *port)
{
	memset(dst, 0, sizeof(*dst));
	dst->sin_family = AF_INET;
	dst->sin_port = htons(atoi(port));
	if (inet_pton(AF_INET, host, &dst->sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", host);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst;
	const char *cc = NULL;
	long bytes = 100000;
	int repeats = 1, gap_ms = 0, seconds = 3, opt, i;
	char *mode;

	if (argc < 2)
		usage();
	mode = argv[1];
	argv++;
	argc--;
	while ((opt = getopt(argc, argv, "C:n:r:g:t:")) != -1) {
		switch (opt) {
		case 'C': cc = optarg; break;
		case 'n': bytes = atol(optarg); break;
		case 'r': repeats = atoi(optarg); break;
		case 'g': gap_ms = atoi(optarg); break;
		case 't': seconds = atoi(optarg); break;
		default: usage();
		}
	}
	if (!strcmp(mode, "server")) {
		if (optind + 1 != argc)
			usage();
		return server(atoi(argv[optind]));
	}
	if (optind + 2 != argc)
		usage();
	parse_dst(&dst, argv[optind], argv[optind + 1]);
	if (!strcmp(mode, "fct")) {
		int failed = 0;

		for (i = 0; i < repeats; i++) {
			double t0 = now_ms();

			if (one_flow(&dst, cc, bytes)) {
				printf("%snan", i ? "," : "");
				failed++;
			} else {
				printf("%s%.3f", i ? "," : "", now_ms() - t0);
			}
			if (gap_ms && i + 1 < repeats)
				usleep(gap_ms * 1000);
		}
		printf("\n");
		return failed == repeats;
	}
	if (!strcmp(mode, "accept")) {
		double t0 = now_ms(), end = t0 + seconds * 1e3, t;
		long n = 0, bad = 0;

		while ((t = now_ms()) < end) {
			if (one_flow(&dst, cc, 0))
				bad++;
			else
				n++;
		}
		printf("%.1f %ld %ld\n", n * 1e3 / (t - t0), n, bad);
		return n == 0;
	}
	usage();
	return 2;
}
