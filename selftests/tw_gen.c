// SPDX-License-Identifier: GPL-2.0
/*
 * tw_gen: make TIME_WAIT sockets, fast (the test VM pays ~50 ms per exec).
 *
 *   tw_gen [-6] [-p PORT] [-n COUNT] [-s]
 *
 * Listens on the loopback address (127.0.0.1, or ::1 with -6) at PORT
 * (default 8080), then COUNT times: connect, accept, and close both ends.
 * By default the client closes first, so the client side (an ephemeral
 * port towards PORT) goes to TIME_WAIT; with -s the server closes first and
 * the accepted socket (local port PORT) does. The other side closes after
 * reading the FIN, so exactly one side of each connection ends in
 * TIME_WAIT. Prints
 * "connected N failed M" and exits 0 unless the listener cannot be set up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-6] [-p PORT] [-n COUNT] [-s]\n", prog);
	exit(2);
}

static void wait_eof(int fd)
{
	char buf[64];
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0 || (n < 0 && errno == EINTR));
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	int family = AF_INET, port = 8080, count = 1, server_first = 0;
	int lfd, cfd, afd, one = 1, opt, i, ok = 0, failed = 0;
	socklen_t len;

	while ((opt = getopt(argc, argv, "6p:n:s")) != -1) {
		switch (opt) {
		case '6':
			family = AF_INET6;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 's':
			server_first = 1;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc || port <= 0 || port > 65535 || count < 0)
		usage(argv[0]);

	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}

	lfd = socket(family, SOCK_STREAM, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 128)) {
		perror("tw_gen: listener");
		return 1;
	}

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
