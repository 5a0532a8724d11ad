// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile and unprivileged use of the tcptune genl family: every malformed
 * request is refused with an errno (and, where tcptune or the netlink core
 * can say why, an extack message), nothing changes when a request is
 * refused, and the privilege model holds:
 *   - module-wide changes need CAP_NET_ADMIN in the initial user namespace;
 *   - a netns's changes need CAP_NET_ADMIN over that netns, so root inside a
 *     user namespace may change its own netns and nothing else.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdlib.h>
#include <grp.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "nl_lib.h"
#include "uapi/tcptune.h"

FIXTURE(bad) {
	int fd;
	int family;
	struct nl_msg m;
	struct nl_answer a;
};

FIXTURE_SETUP(bad)
{
	ASSERT_EQ(0, nl_load_tcptune()) TH_LOG("cannot load tcptune");
	self->fd = open_family(&self->family);
	ASSERT_LE(0, self->fd) TH_LOG("family %s not found", TCPTUNE_FAMILY_NAME);
}

FIXTURE_TEARDOWN(bad)
{
	close(self->fd);
}

/* An error with an explanation, as a user of tcptunectl would see it. */
#define EXPECT_REFUSED(self, err)					\
	do {								\
		EXPECT_EQ(err, nl_send(self->fd, &self->m, &self->a));	\
		EXPECT_NE('\0', self->a.extack[0])			\
			TH_LOG("no extack message");			\
		TH_LOG("errno %d: \"%s\"", -self->a.error, self->a.extack); \
	} while (0)

TEST_F(bad, set_without_param)
{
	nl_msg_init(&self->m, self->family, TCPTUNE_CMD_SET_CONFIG,
		    TCPTUNE_FAMILY_VERSION);
	EXPECT_REFUSED(self, -EINVAL);
}

TEST_F(bad, unknown_top_level_attribute)
{
	set_req(&self->m, self->family, TCPTUNE_CMD_SET_CONFIG,
		"event_interval_ms", 1000);
	nl_put_u32(&self->m, 200, 1);
	EXPECT_REFUSED(self, -EINVAL);
}

TEST_F(bad, attribute_on_a_get)
{
	nl_msg_init(&self->m, self->family, TCPTUNE_CMD_GET_STATS,
		    TCPTUNE_FAMILY_VERSION);
	nl_put_str(&self->m, TCPTUNE_A_VERSION, "x");
	EXPECT_REFUSED(self, -EINVAL);
}

TEST_F(bad, out_of_range_changes_nothing)
{
	long before = get_param(self->fd, self->family, "event_interval_ms");

	ASSERT_LE(0, before);
	set_req(&self->m, self->family, TCPTUNE_CMD_SET_CONFIG,
		"event_interval_ms", 3600 * 1000 + 1);
	EXPECT_REFUSED(self, -ERANGE);
	EXPECT_EQ(before, get_param(self->fd, self->family, "event_interval_ms"));
}

TEST_F(bad, unknown_name)
{
	set_req(&self->m, self->family, TCPTUNE_CMD_SET_CONFIG, "no_such", 1);
	EXPECT_REFUSED(self, -ENOENT);
}

TEST_F(bad, wrong_scope)
{
	/* A module-wide parameter through the per-netns command. */
	set_req(&self->m, self->family, TCPTUNE_CMD_SET_NETNS_CONFIG,
		"event_interval_ms", 10);
	EXPECT_REFUSED(self, -ENOENT);
	set_req(&self->m, self->family, TCPTUNE_CMD_SET_CONFIG, "events", 0);
	EXPECT_REFUSED(self, -ENOENT);
}

TEST_F(bad, duplicate_is_all_or_nothing)
{
	long before = get_param(self->fd, self->family, "event_interval_ms");
	size_t nest;

	set_req(&self->m, self->family, TCPTUNE_CMD_SET_CONFIG,
		"event_interval_ms", before == 7 ? 8 : 7);
	nest = nl_nest_start(&self->m, TCPTUNE_A_PARAM);
	nl_put_str(&self->m, TCPTUNE_A_PARAM_NAME, "event_interval_ms");
	nl_put_u32(&self->m, TCPTUNE_A_PARAM_VALUE, 9);
	nl_nest_end(&self->m, nest);
	EXPECT_REFUSED(self, -EINVAL);
	EXPECT_EQ(before, get_param(self->fd, self->family, "event_interval_ms"));
}

TEST_F(bad, value_of_wrong_size)
{
	uint16_t v = 5;
	size_t nest;

	nl_msg_init(&self->m, self->family, TCPTUNE_CMD_SET_CONFIG,
		    TCPTUNE_FAMILY_VERSION);
	nest = nl_nest_start(&self->m, TCPTUNE_A_PARAM);
	nl_put_str(&self->m, TCPTUNE_A_PARAM_NAME, "event_interval_ms");
	nl_put(&self->m, TCPTUNE_A_PARAM_VALUE, &v, sizeof(v));
	nl_nest_end(&self->m, nest);
	EXPECT_REFUSED(self, -EINVAL);
}

TEST_F(bad, missing_value)
{
	size_t nest;

	nl_msg_init(&self->m, self->family, TCPTUNE_CMD_SET_CONFIG,
		    TCPTUNE_FAMILY_VERSION);
	nest = nl_nest_start(&self->m, TCPTUNE_A_PARAM);
	nl_put_str(&self->m, TCPTUNE_A_PARAM_NAME, "event_interval_ms");
	nl_nest_end(&self->m, nest);
	EXPECT_REFUSED(self, -EINVAL);
}

TEST_F(bad, name_too_long)
{
	set_req(&self->m, self->family, TCPTUNE_CMD_SET_CONFIG,
		"a_parameter_name_longer_than_the_limit_of_31", 1);
	EXPECT_NE(0, nl_send(self->fd, &self->m, &self->a));
	EXPECT_NE('\0', self->a.extack[0]);
}

TEST_F(bad, name_not_terminated)
{
	size_t nest;

	nl_msg_init(&self->m, self->family, TCPTUNE_CMD_SET_CONFIG,
		    TCPTUNE_FAMILY_VERSION);
	nest = nl_nest_start(&self->m, TCPTUNE_A_PARAM);
	nl_put(&self->m, TCPTUNE_A_PARAM_NAME, "events", 6);
	nl_put_u32(&self->m, TCPTUNE_A_PARAM_VALUE, 1);
	nl_nest_end(&self->m, nest);
	EXPECT_REFUSED(self, -EINVAL);
}

TEST_F(bad, reserved_header_field)
{
	nl_msg_init(&self->m, self->family, TCPTUNE_CMD_GET_STATS,
		    TCPTUNE_FAMILY_VERSION);
	((struct genlmsghdr *)NLMSG_DATA((struct nlmsghdr *)self->m.buf))->reserved = 1;
	EXPECT_NE(0, nl_send(self->fd, &self->m, &self->a));
}

TEST_F(bad, truncated_genl_header)
{
	nl_msg_init(&self->m, self->family, TCPTUNE_CMD_GET_STATS,
		    TCPTUNE_FAMILY_VERSION);
	((struct nlmsghdr *)self->m.buf)->nlmsg_len = NLMSG_HDRLEN + 2;
	EXPECT_EQ(-EINVAL, nl_send_raw(self->fd, &self->m, NLMSG_HDRLEN + 2,
				       &self->a));
}

TEST_F(bad, unknown_command)
{
	nl_msg_init(&self->m, self->family, 200, TCPTUNE_FAMILY_VERSION);
	EXPECT_EQ(-EOPNOTSUPP, nl_send(self->fd, &self->m, &self->a));
}

/*
 * Random messages: every command, random attribute types, lengths, nesting
 * and payloads. Each must be answered (error or reply), and the family must
 * still work afterwards. The seed is printed so a failure can be replayed.
 */
TEST_F(bad, random_messages)
{
	unsigned int seed = getenv("SEED") ? atoi(getenv("SEED")) : getpid();
	int i, j, answered = 0;

	TH_LOG("seed %u", seed);
	srandom(seed);
	for (i = 0; i < 2000; i++) {
		int nattr = random() % 4;
		size_t nest = 0;

		nl_msg_init(&self->m, self->family, random() % (TCPTUNE_CMD_MAX + 2),
			    random() % 3);
		if (random() % 8 == 0)
			((struct nlmsghdr *)self->m.buf)->nlmsg_flags |=
				random() & 0x0f00;
		for (j = 0; j < nattr; j++) {
			char payload[64];
			size_t len = random() % sizeof(payload);
			size_t k;

			for (k = 0; k < len; k++)
				payload[k] = random();
			if (random() % 3 == 0 && !nest)
				nest = nl_nest_start(&self->m, random() % (TCPTUNE_A_MAX + 2));
			nl_put(&self->m, random() % (TCPTUNE_A_MAX + 3), payload, len);
		}
		if (nest)
			nl_nest_end(&self->m, nest);
		/* Sets are privileged: never let a random one succeed by luck
		 * with a valid value; those were tested above.
		 */
		nl_send(self->fd, &self->m, &self->a);
		if (self->a.error != -EAGAIN && self->a.error != -ENODATA)
			answered++;
	}
	TH_LOG("%d of 2000 answered", answered);
	/* Dumps (flags 0x300) of do-only ops are answered too, so all are. */
	EXPECT_EQ(2000, answered);

	nl_msg_init(&self->m, self->family, TCPTUNE_CMD_GET_STATS,
		    TCPTUNE_FAMILY_VERSION);
	EXPECT_EQ(0, nl_send(self->fd, &self->m, &self->a));
}

/* ---- Privileges ---------------------------------------------------------- */

/* Run @fn in a child; its exit status is the number of failed checks. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn());
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#define CHILD_CHECK(cond, what)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "# child: %s failed\n", what);	\
			fails++;					\
		}							\
	} while (0)

static int unprivileged_user(void)
{
	struct nl_msg m;
	static struct nl_answer a;
	int fd, family, fails = 0;

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return 100;
	fd = open_family(&family);
	if (fd < 0)
		return 101;
	CHILD_CHECK(try_set(fd, family, TCPTUNE_CMD_SET_CONFIG,
			    "event_interval_ms", 10) == -EPERM, "set-config EPERM");
	CHILD_CHECK(try_set(fd, family, TCPTUNE_CMD_SET_NETNS_CONFIG,
			    "events", 0) == -EPERM, "set-netns-config EPERM");
	CHILD_CHECK(try_set(fd, family, TCPTUNE_CMD_SET_CC, "x", 0) == -EPERM,
		    "set-cc EPERM");
	nl_msg_init(&m, family, TCPTUNE_CMD_GET_STATS, TCPTUNE_FAMILY_VERSION);
	CHILD_CHECK(nl_send(fd, &m, &a) == 0, "get-stats allowed");
	return fails;
}

static int userns_root(void)
{
	int fd, family, fails = 0;

	if (unshare(CLONE_NEWUSER))
		return 100;
	fd = open_family(&family);
	if (fd < 0)
		return 101;
	/* Root in a child user namespace owns nothing of the initial netns. */
	CHILD_CHECK(try_set(fd, family, TCPTUNE_CMD_SET_CONFIG,
			    "event_interval_ms", 10) == -EPERM, "set-config EPERM");
	CHILD_CHECK(try_set(fd, family, TCPTUNE_CMD_SET_CC, "x", 0) == -EPERM,
		    "set-cc EPERM");
	CHILD_CHECK(try_set(fd, family, TCPTUNE_CMD_SET_NETNS_CONFIG,
			    "events", 0) == -EPERM,
		    "set-netns-config of init_net EPERM");
	close(fd);

	/* ... but it owns a netns it creates. */
	if (unshare(CLONE_NEWNET))
		return 102;
	fd = open_family(&family);
	if (fd < 0)
		return 103;
	CHILD_CHECK(try_set(fd, family, TCPTUNE_CMD_SET_NETNS_CONFIG,
			    "events", 0) == 0, "set-netns-config of own netns");
	CHILD_CHECK(get_param(fd, family, "events") == 0, "own netns events=0");
	CHILD_CHECK(try_set(fd, family, TCPTUNE_CMD_SET_CONFIG,
			    "event_interval_ms", 10) == -EPERM,
		    "set-config still EPERM");
	return fails;
}

FIXTURE(privs) {
	int fd;
	int family;
};

FIXTURE_SETUP(privs)
{
	ASSERT_EQ(0, nl_load_tcptune());
	self->fd = open_family(&self->family);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(privs)
{
	close(self->fd);
}

TEST_F(privs, unprivileged_user_may_only_read)
{
	long before = get_param(self->fd, self->family, "event_interval_ms");

	EXPECT_EQ(0, in_child(unprivileged_user));
	EXPECT_EQ(before, get_param(self->fd, self->family, "event_interval_ms"));
}

TEST_F(privs, userns_root_may_change_only_its_netns)
{
	long interval = get_param(self->fd, self->family, "event_interval_ms");

	ASSERT_EQ(1, get_param(self->fd, self->family, "events"));
	EXPECT_EQ(0, in_child(userns_root));
	/* Nothing leaked into the initial netns or module-wide state. */
	EXPECT_EQ(1, get_param(self->fd, self->family, "events"));
	EXPECT_EQ(interval, get_param(self->fd, self->family, "event_interval_ms"));
}

TEST_F(privs, admin_may_change_both)
{
	long interval = get_param(self->fd, self->family, "event_interval_ms");

	EXPECT_EQ(0, try_set(self->fd, self->family, TCPTUNE_CMD_SET_CONFIG,
			     "event_interval_ms", 1234));
	EXPECT_EQ(1234, get_param(self->fd, self->family, "event_interval_ms"));
	EXPECT_EQ(0, try_set(self->fd, self->family, TCPTUNE_CMD_SET_CONFIG,
			     "event_interval_ms", interval));
	EXPECT_EQ(0, try_set(self->fd, self->family,
			     TCPTUNE_CMD_SET_NETNS_CONFIG, "events", 1));
}

TEST_HARNESS_MAIN
