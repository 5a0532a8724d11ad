// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupted get-listeners dumps: NLM_F_DUMP_INTR is set when, and only
 * when, the set of listeners changed while a dump was in progress.
 *
 * Every test runs in a fresh network namespace with its own listeners
 * (1000 of them by default, 0.0.0.0:BASE_PORT and up), so a dump needs many
 * datagrams. The netlink core builds the next part of a dump while the
 * previous one is read (recvmsg() calls netlink_dump() once the receive
 * queue has room), so with one datagram read before the change, part 2 was
 * built before it and part 3 is the first one built after it: part 3 must
 * carry NLM_F_DUMP_INTR, parts 1 and 2 must not.
 *
 *   quiet_dump         no change during the dump: no INTR anywhere, every
 *                      listener exactly once, NLMSG_DONE at the end; also
 *                      after opens, closes and closed-list evictions made
 *                      before the dump; a port filter gives one listener
 *   intr_on_open       a listener opened mid-dump flags part 3
 *   intr_on_close      a listener closed mid-dump (one already dumped, so
 *                      every later entry shifts) flags part 3
 *   concurrent_churn   dumpers in several processes while another opens and
 *                      closes listeners: every dump ends with NLMSG_DONE and
 *                      is either flagged or consistent (each long-lived
 *                      listener exactly once, no listening port twice, no
 *                      port outside the test's ranges)
 *
 * get-timewait has no consistency tracking (each part is a new walk, see
 * module/timewait.c), so it is not tested here.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "nl_lib.h"
#include "uapi/tcptune.h"

#define NLISTEN		1000		/* listeners per test */
#define BASE_PORT	20000		/* NLISTEN ports from here */
#define EXTRA_PORT	(BASE_PORT + NLISTEN)	/* opened mid-dump */
#define CHURN_PORT	30000		/* concurrent_churn: churned ports */
#define NCHURN		100
#define NSTABLE		300		/* concurrent_churn: long-lived ones */
#define NDUMPERS	3
#define CHURN_SECS	4
#define RECV_BUF	65536		/* >= the largest part (32 KiB) */
#define MAX_ROWS	4096

struct row {
	uint16_t port;
	uint8_t state;
	uint8_t family;
};

/* One dump in progress and what it returned so far. */
struct dump {
	int fd;
	uint32_t seq;
	int done;		/* NLMSG_DONE seen */
	int error;		/* NLMSG_ERROR or NLMSG_DONE error, -errno */
	int parts;		/* datagrams read */
	int msgs;		/* listener messages */
	int intr;		/* messages (DONE included) with NLM_F_DUMP_INTR */
	int first_intr_part;	/* 1-based part of the first INTR, 0: none */
	int bad;		/* malformed messages */
	int nrows;
	struct row rows[MAX_ROWS];
};

static int dump_start(struct dump *d, int fd, int family, int port)
{
	static uint32_t seq = 1000;
	struct nl_msg m;
	struct nlmsghdr *nlh = (struct nlmsghdr *)m.buf;
	uint16_t p = port;

	memset(d, 0, offsetof(struct dump, rows));
	d->fd = fd;
	d->seq = ++seq;
	nl_msg_init(&m, family, TCPTUNE_CMD_GET_LISTENERS, TCPTUNE_FAMILY_VERSION);
	if (port >= 0)
		nl_put(&m, TCPTUNE_A_LISTEN_PORT, &p, sizeof(p));
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = d->seq;
	nlh->nlmsg_len = m.len;
	return send(fd, m.buf, m.len, 0) == (ssize_t)m.len ? 0 : -errno;
}

static void dump_listener(struct dump *d, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = NLMSG_DATA(nlh);
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	struct nlattr *na, *la;
	struct row r = {};
	int rem, rem2, have = 0;

	if (len < 0 || g->cmd != TCPTUNE_CMD_GET_LISTENERS) {
		d->bad++;
		return;
	}
	nla_for_each(na, (char *)g + GENL_HDRLEN, len, rem) {
		if ((na->nla_type & NLA_TYPE_MASK) != TCPTUNE_A_LISTENER)
			continue;
		nla_for_each(la, NLA_DATA(na), NLA_LEN(na), rem2) {
			switch (la->nla_type) {
			case TCPTUNE_A_LISTENER_PORT:
				r.port = *(uint16_t *)NLA_DATA(la);
				have |= 1;
				break;
			case TCPTUNE_A_LISTENER_STATE:
				r.state = *(uint32_t *)NLA_DATA(la);
				have |= 2;
				break;
			case TCPTUNE_A_LISTENER_FAMILY:
				r.family = *(uint32_t *)NLA_DATA(la);
				have |= 4;
				break;
			}
		}
	}
	if (have != 7 || d->nrows >= MAX_ROWS) {
		d->bad++;
		return;
	}
	d->rows[d->nrows++] = r;
}

/* Read one datagram of the dump: 1 when the dump ended, 0 if not, -errno. */
static int dump_part(struct dump *d)
{
	static char buf[RECV_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	ssize_t n;

	n = recv(d->fd, buf, sizeof(buf), MSG_TRUNC);
	if (n < 0)
		return d->error = -errno;
	if (n > (ssize_t)sizeof(buf))
		return d->error = -EMSGSIZE;
	d->parts++;
	for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
	     nlh = NLMSG_NEXT(nlh, n)) {
		if (nlh->nlmsg_seq != d->seq) {
			d->bad++;
			continue;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			d->intr++;
			if (!d->first_intr_part)
				d->first_intr_part = d->parts;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			d->error = ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			return d->error ? d->error : -EPROTO;
		}
		if (nlh->nlmsg_type == NLMSG_DONE) {
			d->error = *(int *)NLMSG_DATA(nlh);
			d->done = 1;
			return d->error ? d->error : 1;
		}
		if (!(nlh->nlmsg_flags & NLM_F_MULTI))
			d->bad++;
		d->msgs++;
		dump_listener(d, nlh);
	}
	return 0;
}

static int dump_rest(struct dump *d)
{
	int err;

	while (!(err = dump_part(d)))
		;
	return err < 0 ? err : 0;
}

/* Rows of @port in @state (0: any state). */
static int dump_count(const struct dump *d, uint16_t port, uint8_t state)
{
	int i, n = 0;

	for (i = 0; i < d->nrows; i++)
		if (d->rows[i].port == port && (!state || d->rows[i].state == state))
			n++;
	return n;
}

static int listener(uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 4)) {
		close(fd);
		return -1;
	}
	return fd;
}

FIXTURE(dump) {
	int fd;
	int family;
	int lfd[NLISTEN];
};

FIXTURE_SETUP(dump)
{
	struct rlimit rl = { 8192, 8192 };
	int i;

	ASSERT_EQ(0, nl_load_tcptune()) TH_LOG("cannot load tcptune");
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	self->fd = open_family(&self->family);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < NLISTEN; i++) {
		self->lfd[i] = listener(BASE_PORT + i);
		ASSERT_LE(0, self->lfd[i]) TH_LOG("listener %d: %s",
						  BASE_PORT + i, strerror(errno));
	}
}

FIXTURE_TEARDOWN(dump)
{
	int i;

	for (i = 0; i < NLISTEN; i++)
		if (self->lfd[i] >= 0)
			close(self->lfd[i]);
	close(self->fd);
}

static struct dump dd;

TEST_F(dump, quiet_dump)
{
	int i, closed = 0;

	ASSERT_EQ(0, dump_start(&dd, self->fd, self->family, -1));
	ASSERT_EQ(0, dump_rest(&dd));
	TH_LOG("%d listeners in %d parts", dd.msgs, dd.parts);
	EXPECT_EQ(1, dd.done);
	EXPECT_EQ(0, dd.bad);
	EXPECT_EQ(0, dd.intr) TH_LOG("NLM_F_DUMP_INTR without any change");
	EXPECT_LE(4, dd.parts) TH_LOG("the dump should need several parts");
	EXPECT_EQ(NLISTEN, dd.nrows);
	for (i = 0; i < NLISTEN; i++)
		EXPECT_EQ(1, dump_count(&dd, BASE_PORT + i, TCPTUNE_LISTENER_STATE_LISTEN))
			TH_LOG("port %d", BASE_PORT + i);

	/*
	 * Changes before the dump are not interruptions: close 100 listeners
	 * (more than listeners_closed_max, 64 by default, so some closed
	 * entries are evicted too) and open one.
	 */
	for (i = 0; i < 100; i++) {
		close(self->lfd[i * 10]);
		self->lfd[i * 10] = -1;
	}
	self->lfd[0] = listener(BASE_PORT);
	ASSERT_LE(0, self->lfd[0]);
	ASSERT_EQ(0, dump_start(&dd, self->fd, self->family, -1));
	ASSERT_EQ(0, dump_rest(&dd));
	EXPECT_EQ(1, dd.done);
	EXPECT_EQ(0, dd.bad);
	EXPECT_EQ(0, dd.intr) TH_LOG("NLM_F_DUMP_INTR after changes made before the dump");
	for (i = 0; i < NLISTEN; i++) {
		int want = self->lfd[i] >= 0;

		EXPECT_EQ(want, dump_count(&dd, BASE_PORT + i,
					   TCPTUNE_LISTENER_STATE_LISTEN))
			TH_LOG("port %d", BASE_PORT + i);
		closed += dump_count(&dd, BASE_PORT + i,
				     TCPTUNE_LISTENER_STATE_CLOSED);
	}
	EXPECT_EQ(NLISTEN - 99, dd.nrows - closed);
	EXPECT_LE(1, closed);
	EXPECT_GE(100, closed);
	TH_LOG("after 100 closes: %d listening, %d closed kept", dd.nrows - closed,
	       closed);

	/* A port filter: one listener, one part, no INTR. */
	ASSERT_EQ(0, dump_start(&dd, self->fd, self->family, BASE_PORT + 1));
	ASSERT_EQ(0, dump_rest(&dd));
	EXPECT_EQ(1, dd.done);
	EXPECT_EQ(0, dd.intr);
	EXPECT_EQ(1, dd.nrows);
	EXPECT_EQ(1, dump_count(&dd, BASE_PORT + 1, TCPTUNE_LISTENER_STATE_LISTEN));
}

/* Read part 1, make a change, read the rest: part 3 and only it is flagged. */
static void check_intr(struct __test_metadata *_metadata, struct dump *d)
{
	EXPECT_EQ(1, d->done);
	EXPECT_EQ(0, d->error);
	EXPECT_EQ(0, d->bad);
	EXPECT_LE(4, d->parts);
	EXPECT_LE(1, d->intr) TH_LOG("change during the dump not flagged");
	EXPECT_EQ(3, d->first_intr_part)
		TH_LOG("first NLM_F_DUMP_INTR in part %d of %d, want 3 (the first part built after the change)",
		       d->first_intr_part, d->parts);
	TH_LOG("%d parts, %d listener messages, %d flagged, first in part %d",
	       d->parts, d->msgs, d->intr, d->first_intr_part);
}

TEST_F(dump, intr_on_open)
{
	int fd;

	ASSERT_EQ(0, dump_start(&dd, self->fd, self->family, -1));
	ASSERT_EQ(0, dump_part(&dd));
	EXPECT_EQ(0, dd.intr);
	fd = listener(EXTRA_PORT);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dump_rest(&dd));
	check_intr(_metadata, &dd);
	close(fd);

	/* The next dump is clean again and has the new listener. */
	ASSERT_EQ(0, dump_start(&dd, self->fd, self->family, -1));
	ASSERT_EQ(0, dump_rest(&dd));
	EXPECT_EQ(0, dd.intr);
	EXPECT_EQ(1, dump_count(&dd, EXTRA_PORT, TCPTUNE_LISTENER_STATE_CLOSED));
	EXPECT_EQ(NLISTEN + 1, dd.nrows);
}

TEST_F(dump, intr_on_close)
{
	ASSERT_EQ(0, dump_start(&dd, self->fd, self->family, -1));
	ASSERT_EQ(0, dump_part(&dd));
	EXPECT_EQ(0, dd.intr);
	ASSERT_LE(1, dd.nrows);
	/* One already dumped: all later open entries move up by one. */
	close(self->lfd[0]);
	self->lfd[0] = -1;
	ASSERT_EQ(0, dump_rest(&dd));
	check_intr(_metadata, &dd);

	ASSERT_EQ(0, dump_start(&dd, self->fd, self->family, -1));
	ASSERT_EQ(0, dump_rest(&dd));
	EXPECT_EQ(0, dd.intr);
	EXPECT_EQ(NLISTEN, dd.nrows);
	EXPECT_EQ(1, dump_count(&dd, BASE_PORT, TCPTUNE_LISTENER_STATE_CLOSED));
}

/* What each concurrent dumper found, in shared memory. */
struct churn_result {
	int dumps, intr, clean, failed;
	char why[160];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A dump's rows against what a dump without INTR must show; "" if fine. */
static void check_consistent(const struct dump *d, char *why, size_t len)
{
	static unsigned char seen[65536];
	int i;

	why[0] = '\0';
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < d->nrows; i++) {
		const struct row *r = &d->rows[i];
		int stable = r->port >= BASE_PORT && r->port < BASE_PORT + NSTABLE;
		int churn = r->port >= CHURN_PORT && r->port < CHURN_PORT + NCHURN;
		/* Closed by the test before the churn started. */
		int gone = r->port >= BASE_PORT + NSTABLE && r->port < BASE_PORT + NLISTEN;

		if (r->family != AF_INET || (!stable && !churn && !gone)) {
			snprintf(why, len, "row %d: family %u port %u is none of ours",
				 i, r->family, r->port);
			return;
		}
		if (r->state != TCPTUNE_LISTENER_STATE_LISTEN) {
			if (stable) {
				snprintf(why, len, "stable port %u closed", r->port);
				return;
			}
			continue;
		}
		if (gone) {
			snprintf(why, len, "closed port %u listening", r->port);
			return;
		}
		if (seen[r->port]++) {
			snprintf(why, len, "port %u listening twice", r->port);
			return;
		}
	}
	for (i = 0; i < NSTABLE; i++)
		if (!seen[BASE_PORT + i]) {
			snprintf(why, len, "stable port %d missing", BASE_PORT + i);
			return;
		}
}

static void dumper(struct churn_result *res, int family, double end)
{
	static struct dump d;
	int fd, err;

	fd = open_family(&family);
	if (fd < 0) {
		res->failed++;
		snprintf(res->why, sizeof(res->why), "open_family failed");
		return;
	}
	while (now_s() < end) {
		if (dump_start(&d, fd, family, -1)) {
			res->failed++;
			snprintf(res->why, sizeof(res->why), "send: %s", strerror(errno));
			return;
		}
		/* Slow reader: changes land between the parts. */
		while (!(err = dump_part(&d)))
			usleep(500);
		res->dumps++;
		if (err < 0 || !d.done || d.bad) {
			res->failed++;
			snprintf(res->why, sizeof(res->why),
				 "dump %d: error %d done %d bad %d", res->dumps,
				 err, d.done, d.bad);
			return;
		}
		if (d.intr) {
			res->intr++;
			continue;
		}
		check_consistent(&d, res->why, sizeof(res->why));
		if (res->why[0]) {
			res->failed++;
			return;
		}
		res->clean++;
	}
	close(fd);
}

/*
 * Open and close churn listeners until @end: 200 ms with a change every
 * 2 ms (the dumps then see changes), 200 ms without (clean dumps), and so on.
 */
static void churner(double end)
{
	double start = now_s(), t;
	int fds[NCHURN], i;
	unsigned int r = getpid();

	for (i = 0; i < NCHURN; i++)
		fds[i] = -1;
	while ((t = now_s()) < end) {
		if ((int)((t - start) / 0.2) % 2) {
			usleep(10 * 1000);
			continue;
		}
		r = r * 1103515245 + 12345;
		i = (r >> 8) % NCHURN;
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		} else {
			fds[i] = listener(CHURN_PORT + i);
		}
		usleep(2000);
	}
}

TEST_F_TIMEOUT(dump, concurrent_churn, 120)
{
	struct churn_result *res;
	int i, status, dumps = 0, intr = 0, clean = 0;
	double end;
	pid_t pid[NDUMPERS + 1];

	/* Only NSTABLE long-lived listeners here: shorter dumps. */
	for (i = NSTABLE; i < NLISTEN; i++) {
		close(self->lfd[i]);
		self->lfd[i] = -1;
	}
	res = mmap(NULL, sizeof(*res) * NDUMPERS, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	memset(res, 0, sizeof(*res) * NDUMPERS);

	end = now_s() + CHURN_SECS;
	for (i = 0; i <= NDUMPERS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			if (i == NDUMPERS)
				churner(end);
			else
				dumper(&res[i], self->family, end);
			_exit(0);
		}
	}
	for (i = 0; i <= NDUMPERS; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	for (i = 0; i < NDUMPERS; i++) {
		EXPECT_EQ(0, res[i].failed) TH_LOG("dumper %d: %s", i, res[i].why);
		dumps += res[i].dumps;
		intr += res[i].intr;
		clean += res[i].clean;
	}
	TH_LOG("%d dumps in %d s from %d processes: %d flagged NLM_F_DUMP_INTR, %d clean and consistent",
	       dumps, CHURN_SECS, NDUMPERS, intr, clean);
	EXPECT_LT(0, dumps);
	EXPECT_LT(0, intr) TH_LOG("no dump saw a change");
	EXPECT_LT(0, clean) TH_LOG("no dump without a change");
	EXPECT_EQ(dumps, intr + clean);
	munmap(res, sizeof(*res) * NDUMPERS);
}

TEST_HARNESS_MAIN
