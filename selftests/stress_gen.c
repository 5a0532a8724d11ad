// SPDX-License-Identifier: GPL-2.0
/*
 * stress_gen: the work loops of stress.sh, in C (the test VM pays ~50 ms
 * per exec). Never uses bbrx: every socket is set to cubic, so the module
 * can always be unloaded while this runs.
 *
 *   stress_gen gen   -P PORT [-t SECS] [-p PROCS]
 *       Until SECS have passed or SIGTERM: a backlog-1 listener on PORT that
 *       never accepts, overflowed by non-blocking connects and re-created
 *       every few rounds; connect/accept/close on PORT+1, client first, so
 *       TIME_WAIT sockets pile up.
 *   stress_gen netns -n COUNT [-P PORT]
 *       COUNT times unshare(CLONE_NEWNET), lo up, a backlog-1 listener
 *       overflowed, a few TIME_WAIT sockets, read
 *       /proc/net/tcptune/{stats,listeners,timewait} (the listener must be
 *       listed) and GET_STATS over netlink; then leave the netns to die.
 *   stress_gen read  -t SECS [-p PROCS] [-N] [-k] [-m MAXLOOPS]
 *       PROCS processes read /proc/net/tcptune/{stats,listeners,timewait}
 *       in a loop (and, with -N, GET_STATS over netlink), checking that
 *       ListenOverflows never goes backwards. -k: the module comes and
 *       goes, so missing files and failed reads are fine (no netlink then:
 *       a family lookup would autoload the module).
 *   stress_gen exact -P PORT
 *       In a new netns: overflow one backlog-1 listener, close it, and
 *       check that the ListenOverflows delta is the same in
 *       /proc/net/netstat (TcpExt), in tcptune's stats and in the
 *       listener's row of /proc/net/tcptune/listeners, and > 0.
 *
 * Prints one summary line; exits 0 on success, 1 on failure, 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nl_lib.h"
#include "uapi/tcptune.h"

#define NCLIENTS	8	/* connects per overflow round */
#define NTW		4	/* TIME_WAIT sockets per round */
#define FILEBUF		(256 * 1024)

static const char * const proc_files[] = {
	"/proc/net/tcptune/stats",
	"/proc/net/tcptune/listeners",
	"/proc/net/tcptune/timewait",
};

static volatile sig_atomic_t stop;
static int port = 5000, secs = 10, nprocs = 1, count = 10, use_nl, tolerant;
static long maxloops = 1000000;
static char filebuf[FILEBUF];

static pid_t children[16];
static volatile sig_atomic_t nchildren;

/* Stop after this round; a parent passes the signal on to its children. */
static void on_term(int sig)
{
	int i;

	stop = 1;
	for (i = 0; i < nchildren; i++)
		kill(children[i], sig);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static struct sockaddr_in lo_addr(int p)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(p);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static int tcp_socket(int flags)
{
	int fd = socket(AF_INET, SOCK_STREAM | flags, 0);

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
	return fd;
}

static int listener(int p, int backlog)
{
	struct sockaddr_in sin = lo_addr(p);
	int fd = tcp_socket(0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* n non-blocking connects to p; the fds go to fds[] (-1 on failure). */
static void connect_burst(int p, int *fds, int n)
{
	struct sockaddr_in sin = lo_addr(p);
	int i;

	for (i = 0; i < n; i++) {
		fds[i] = tcp_socket(SOCK_NONBLOCK);
		if (fds[i] >= 0 &&
		    connect(fds[i], (struct sockaddr *)&sin, sizeof(sin)) &&
		    errno != EINPROGRESS && errno != EAGAIN) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
}

static void close_all(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* n connections to listener lfd (port p), client closing first. */
static int make_tw(int lfd, int p, int n)
{
	struct sockaddr_in sin = lo_addr(p);
	int i, c, a, ok = 0;
	char buf[64];

	for (i = 0; i < n; i++) {
		c = tcp_socket(0);
		if (c < 0)
			break;
		if (connect(c, (struct sockaddr *)&sin, sizeof(sin))) {
			close(c);
			continue;
		}
		a = accept(lfd, NULL, NULL);
		close(c);
		if (a >= 0) {
			while (read(a, buf, sizeof(buf)) > 0)
				;
			close(a);
			ok++;
		}
	}
	return ok;
}

/* Read a whole file into filebuf; its length, or -1. */
static long slurp(const char *path)
{
	long len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, filebuf + len, FILEBUF - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -1;
	filebuf[len] = '\0';
	return len;
}

/* Value of "NAME VALUE" in the text, or -1. */
static long long stat_value(const char *text, const char *name)
{
	size_t l = strlen(name);
	const char *p = text;

	while ((p = strstr(p, name))) {
		if ((p == text || p[-1] == '\n') && p[l] == ' ')
			return strtoll(p + l + 1, NULL, 10);
		p += l;
	}
	return -1;
}

/* TcpExt field NAME of /proc/net/netstat, or -1. */
static long long netstat_value(const char *name)
{
	char *hdr, *val, *save1, *save2, *h, *v;

	if (slurp("/proc/net/netstat") < 0)
		return -1;
	hdr = strstr(filebuf, "TcpExt:");
	if (!hdr)
		return -1;
	val = strstr(hdr + 1, "TcpExt:");
	if (!val)
		return -1;
	*strchr(hdr, '\n') = '\0';
	if (strchr(val, '\n'))
		*strchr(val, '\n') = '\0';
	h = strtok_r(hdr, " ", &save1);
	v = strtok_r(val, " ", &save2);
	while (h && v) {
		if (!strcmp(h, name))
			return strtoll(v, NULL, 10);
		h = strtok_r(NULL, " ", &save1);
		v = strtok_r(NULL, " ", &save2);
	}
	return -1;
}

/* GET_STATS over netlink: ListenOverflows, or -1 on error. */
static long long nl_listen_overflows(int fd, int family)
{
	static struct nl_answer a;
	struct nlattr *s, *na;
	struct nl_msg m;
	int rem, rem2;

	nl_msg_init(&m, family, TCPTUNE_CMD_GET_STATS, TCPTUNE_FAMILY_VERSION);
	if (nl_send(fd, &m, &a) || a.attrs_len <= 0)
		return -1;
	nla_for_each(s, a.attrs, a.attrs_len, rem) {
		const char *name = NULL;
		long long v = -1;

		if ((s->nla_type & NLA_TYPE_MASK) != TCPTUNE_A_STAT)
			continue;
		nla_for_each(na, NLA_DATA(s), NLA_LEN(s), rem2) {
			if (na->nla_type == TCPTUNE_A_STAT_NAME)
				name = NLA_DATA(na);
			else if (na->nla_type == TCPTUNE_A_STAT_VALUE)
				memcpy(&v, NLA_DATA(na), sizeof(v));
		}
		if (name && !strcmp(name, "ListenOverflows"))
			return v;
	}
	return -1;
}

static int nl_open_family(int *family)
{
	struct timeval tv = { .tv_sec = 5 };
	int fd = nl_open();

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*family = nl_family_id(fd, TCPTUNE_FAMILY_NAME);
	if (*family < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int lo_up(void)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, "lo");
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (!rc) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

/*
 * Run fn in nprocs children; 0 if all exited 0. A SIGTERM to the parent is
 * passed on to the children (on_term), which finish their round and report.
 */
static int fan_out(int (*fn)(int))
{
	int i, n = 0, status, rc = 0;
	pid_t pid;

	if (nprocs == 1)
		return fn(0);
	for (i = 0; i < nprocs; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			rc = 1;
			break;
		}
		if (!pid) {
			nchildren = 0;
			_exit(fn(i));
		}
		children[n++] = pid;
		nchildren = n;
		if (stop)
			kill(pid, SIGTERM);
	}
	while (n > 0) {
		pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			rc = 1;
			break;
		}
		n--;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			rc = 1;
	}
	return rc;
}

/* ---- gen ------------------------------------------------------------------ */

static int gen_one(int idx)
{
	int p = port + 2 * idx, fds[NCLIENTS], lfd = -1, twfd;
	long rounds = 0, tw = 0, relisten = 0;
	double end = now() + secs;

	twfd = listener(p + 1, 128);
	if (twfd < 0) {
		perror("stress_gen gen: TIME_WAIT listener");
		return 1;
	}
	while (!stop && now() < end && rounds < maxloops) {
		if (lfd < 0 || rounds % 16 == 0) {
			if (lfd >= 0)
				close(lfd);
			lfd = listener(p, 1);
			relisten++;
		}
		connect_burst(p, fds, NCLIENTS);
		tw += make_tw(twfd, p + 1, NTW);
		sleep_ms(20);
		close_all(fds, NCLIENTS);
		rounds++;
	}
	if (lfd >= 0)
		close(lfd);
	close(twfd);
	printf("gen %d: rounds %ld listeners %ld timewait %ld\n", idx, rounds,
	       relisten, tw);
	return 0;
}

/* ---- netns ---------------------------------------------------------------- */

static int netns_loop(void)
{
	int i, lfd, twfd, fds[NCLIENTS], nfd, family, f, bad = 0, tw = 0;
	char want[32];

	snprintf(want, sizeof(want), ":%d ", port);
	for (i = 0; i < count && !stop; i++) {
		if (unshare(CLONE_NEWNET) || lo_up()) {
			perror("stress_gen netns: unshare/lo up");
			return 1;
		}
		lfd = listener(port, 1);
		twfd = listener(port + 1, 16);
		if (lfd < 0 || twfd < 0) {
			perror("stress_gen netns: listener");
			return 1;
		}
		connect_burst(port, fds, 4);
		tw += make_tw(twfd, port + 1, 3);
		sleep_ms(10);
		for (f = 0; f < 3; f++) {
			if (slurp(proc_files[f]) < 0) {
				fprintf(stderr, "netns %d: cannot read %s: %s\n",
					i, proc_files[f], strerror(errno));
				bad++;
			} else if (f == 1 && !strstr(filebuf, want)) {
				fprintf(stderr, "netns %d: listener :%d not listed\n",
					i, port);
				bad++;
			}
		}
		nfd = nl_open_family(&family);
		if (nfd < 0 || nl_listen_overflows(nfd, family) < 0) {
			fprintf(stderr, "netns %d: GET_STATS failed\n", i);
			bad++;
		}
		if (nfd >= 0)
			close(nfd);
		close_all(fds, 4);
		close(lfd);
		close(twfd);
		if (bad > 5)
			break;
	}
	printf("netns: %d namespaces, %d TIME_WAIT, %d errors\n", i, tw, bad);
	return bad ? 1 : 0;
}

/* ---- read ----------------------------------------------------------------- */

static int read_one(int idx)
{
	long long lo, last_proc = -1, last_nl = -1;
	long loops = 0, nl_reads = 0, bad = 0, missing = 0;
	double end = now() + secs;
	int nfd = -1, family = 0, f;

	if (use_nl && !tolerant) {
		nfd = nl_open_family(&family);
		if (nfd < 0) {
			fprintf(stderr, "reader %d: no tcptune family\n", idx);
			return 1;
		}
	}
	while (!stop && now() < end && loops < maxloops) {
		for (f = 0; f < 3; f++) {
			if (slurp(proc_files[f]) < 0) {
				if (!tolerant && bad++ < 3)
					fprintf(stderr, "reader %d: %s: %s\n", idx,
						proc_files[f], strerror(errno));
				missing++;
				if (tolerant)	/* module away: let modprobe run */
					sleep_ms(2);
				continue;
			}
			if (f || tolerant)
				continue;
			lo = stat_value(filebuf, "ListenOverflows");
			if (lo < 0 || lo < last_proc) {
				if (bad++ < 3)
					fprintf(stderr, "reader %d: procfs ListenOverflows %lld after %lld\n",
						idx, lo, last_proc);
			}
			last_proc = lo;
		}
		if (nfd >= 0) {
			lo = nl_listen_overflows(nfd, family);
			if (lo < 0 || lo < last_nl) {
				if (bad++ < 3)
					fprintf(stderr, "reader %d: netlink ListenOverflows %lld after %lld\n",
						idx, lo, last_nl);
			}
			last_nl = lo;
			nl_reads++;
		}
		loops++;
	}
	if (nfd >= 0)
		close(nfd);
	printf("reader %d: %ld rounds, %ld netlink, %ld unreadable, %ld errors\n",
	       idx, loops, nl_reads, missing, bad);
	return bad ? 1 : 0;
}

/* ---- exact ---------------------------------------------------------------- */

/* ListenOverflows column of the listener row for port p, or -1. */
static long long row_overflows(int p)
{
	char want[32], *line, *save;
	long long v = -1;

	snprintf(want, sizeof(want), ":%d ", p);
	if (slurp(proc_files[1]) < 0)
		return -1;
	for (line = strtok_r(filebuf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char local[128];
		unsigned int b, a, s;

		if (!strstr(line, want))
			continue;
		/* local backlog acceptq synq ListenOverflows ... */
		if (sscanf(line, "%127s %u %u %u %lld", local, &b, &a, &s, &v) != 5)
			return -1;
	}
	return v;
}

static int exact(void)
{
	long long mib0, mib1, st0, st1, un0, un1, row;
	int lfd, fds[3 * NCLIENTS];

	if (unshare(CLONE_NEWNET) || lo_up()) {
		perror("stress_gen exact: unshare/lo up");
		return 1;
	}
	mib0 = netstat_value("ListenOverflows");
	if (slurp(proc_files[0]) < 0) {
		perror(proc_files[0]);
		return 1;
	}
	st0 = stat_value(filebuf, "ListenOverflows");
	un0 = stat_value(filebuf, "ListenOverflowsUnattributed");
	lfd = listener(port, 1);
	if (lfd < 0) {
		perror("stress_gen exact: listener");
		return 1;
	}
	connect_burst(port, fds, 3 * NCLIENTS);
	sleep_ms(300);
	/* The listener first: no later overflow can be counted after this. */
	close(lfd);
	close_all(fds, 3 * NCLIENTS);
	mib1 = netstat_value("ListenOverflows");
	if (slurp(proc_files[0]) < 0) {
		perror(proc_files[0]);
		return 1;
	}
	st1 = stat_value(filebuf, "ListenOverflows");
	un1 = stat_value(filebuf, "ListenOverflowsUnattributed");
	row = row_overflows(port);
	printf("exact: TcpExtListenOverflows +%lld, stats ListenOverflows +%lld, listener row %lld, unattributed +%lld\n",
	       mib1 - mib0, st1 - st0, row, un1 - un0);
	if (mib0 < 0 || mib1 < 0 || st0 < 0 || st1 < 0 || un0 < 0 || un1 < 0)
		return 1;
	return mib1 - mib0 > 0 && st1 - st0 == mib1 - mib0 &&
	       row == mib1 - mib0 && un1 == un0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	const char *mode;
	int opt;

	if (argc < 2)
		goto usage;
	mode = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "P:t:p:n:m:Nk")) != -1) {
		switch (opt) {
		case 'P': port = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 'p': nprocs = atoi(optarg); break;
		case 'n': count = atoi(optarg); break;
		case 'm': maxloops = atol(optarg); break;
		case 'N': use_nl = 1; break;
		case 'k': tolerant = 1; break;
		default: goto usage;
		}
	}
	if (optind != argc || port <= 0 || port > 65000 || nprocs < 1 ||
	    nprocs > 16 || secs < 0 || count < 0)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	/* No SA_RESTART: a parent in wait() must see the signal. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (!strcmp(mode, "gen"))
		return fan_out(gen_one);
	if (!strcmp(mode, "netns"))
		return netns_loop();
	if (!strcmp(mode, "read"))
		return fan_out(read_one);
	if (!strcmp(mode, "exact"))
		return exact();
usage:
	fprintf(stderr, "usage: see the comment at the top of stress_gen.c\n");
	return 2;
}
