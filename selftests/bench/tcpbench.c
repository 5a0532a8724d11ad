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
 *   tcpbench listen [-n count] PORT
 *       Listen on 127.0.0.1 ports PORT .. PORT + count - 1 (default 1),
 *       print "ready COUNT" and wait until killed.
 *   tcpbench time [-r repeats] CMD [ARG]...
 *       Run CMD repeats times (default 1), its output read through a pipe
 *       and dropped; prints the fastest, median and slowest wall time in
 *       milliseconds, then the bytes and lines of the last run's output.
 *       Exits 1 if a run failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
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
	fprintf(stderr, "usage: tcpbench server PORT | fct [-C cc] [-n bytes] [-r n] [-g ms] HOST PORT | accept [-t s] HOST PORT\n"
		"       tcpbench listen [-n count] PORT | time [-r n] CMD [ARG]...\n");
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

/* count listeners from port on 127.0.0.1, then sleep until killed. */
static int listen_many(int port, long count)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct rlimit rl;
	int one = 1, fd;
	long i;

	if (count < 1 || port < 1 || port + count - 1 > 65535)
		usage();
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < (rlim_t)count + 64) {
		rl.rlim_cur = count + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			perror("RLIMIT_NOFILE");
			return 1;
		}
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < count; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		a.sin_port = htons(port + i);
		if (fd < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 128)) {
			fprintf(stderr, "listener on port %ld: %s\n", port + i,
				strerror(errno));
			return 1;
		}
	}
	printf("ready %ld\n", count);
	fflush(stdout);
	for (;;)
		pause();
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One run of argv; its output counted in *bytes and *lines. */
static double time_one(char **argv, long *bytes, long *lines, int *failed)
{
	static char buf[65536];
	double t0 = now_ms(), t;
	int p[2], status;
	pid_t pid;
	ssize_t n;

	*bytes = *lines = 0;
	if (pipe(p)) {
		perror("pipe");
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		*bytes += n;
		while (n--)
			*lines += buf[n] == '\n';
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	t = now_ms() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		(*failed)++;
	return t;
}

static int time_cmd(char **argv, int repeats)
{
	double *ms;
	long bytes, lines;
	int i, failed = 0;

	if (repeats < 1 || !argv[0])
		usage();
	ms = calloc(repeats, sizeof(*ms));
	if (!ms) {
		perror("calloc");
		return 1;
	}
	for (i = 0; i < repeats; i++)
		ms[i] = time_one(argv, &bytes, &lines, &failed);
	qsort(ms, repeats, sizeof(*ms), cmp_double);
	printf("%.1f %.1f %.1f %ld %ld\n", ms[0], ms[repeats / 2],
	       ms[repeats - 1], bytes, lines);
	return failed ? 1 : 0;
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
	long bytes = 100000, count = -1;
	int repeats = 1, gap_ms = 0, seconds = 3, opt, i;
	char *mode;

	if (argc < 2)
		usage();
	mode = argv[1];
	argv++;
	argc--;
	/* "+": options end at the first word (the command of "time"). */
	while ((opt = getopt(argc, argv, "+C:n:r:g:t:")) != -1) {
		switch (opt) {
		case 'C': cc = optarg; break;
		case 'n': bytes = count = atol(optarg); break;
		case 'r': repeats = atoi(optarg); break;
		case 'g': gap_ms = atoi(optarg); break;
		case 't': seconds = atoi(optarg); break;
		default: usage();
		}
	}
	if (!strcmp(mode, "time"))
		return time_cmd(argv + optind, repeats);
	if (!strcmp(mode, "listen")) {
		if (optind + 1 != argc)
			usage();
		return listen_many(atoi(argv[optind]), count < 0 ? 1 : count);
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
