// SPDX-License-Identifier: GPL-2.0
/*
 * The tcptune generic netlink family as seen from a raw netlink socket:
 * it resolves with the uapi version and the "events" group, its replies
 * agree with sysfs, uname and /proc/net/tcptune/stats, its config carries
 * the documented parameters, and unknown commands are refused.
 *
 * Loads tcptune if it is not loaded.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "nl_lib.h"
#include "uapi/tcptune.h"

#define BUF_SIZE	NL_BUF_SIZE
#define MAX_NAMES	64
#define NAME_LEN	64

/*
 * Send one genl "do" request without attributes (or, for CTRL, with
 * @req_name as the family name) and copy the reply's attributes to @attrs.
 * Returns the attributes' length, or -errno from the kernel.
 */
static int genl_do(int fd, uint16_t family, uint8_t cmd, uint8_t version,
		   const char *req_name, char *attrs, size_t attrs_size)
{
	static struct nl_answer a;
	struct nl_msg m;

	nl_msg_init(&m, family, cmd, version);
	if (req_name)
		nl_put_str(&m, CTRL_ATTR_FAMILY_NAME, req_name);
	if (nl_send(fd, &m, &a))
		return a.error;
	if (a.attrs_len < 0)
		return -ENODATA;
	if ((size_t)a.attrs_len > attrs_size)
		return -EMSGSIZE;
	memcpy(attrs, a.attrs, a.attrs_len);
	return a.attrs_len;
}

/* First line of a small file, without the newline; "" if unreadable. */
static void read_line(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, size, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

FIXTURE(genl) {
	int fd;
	uint16_t family;
	uint32_t version;
	int have_events;
};

FIXTURE_SETUP(genl)
{
	static char attrs[BUF_SIZE];
	struct nlattr *na;
	int len, rem;

	ASSERT_EQ(0, nl_load_tcptune()) TH_LOG("cannot load tcptune");
	self->fd = nl_open();
	ASSERT_LE(0, self->fd);

	len = genl_do(self->fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
		      TCPTUNE_FAMILY_NAME, attrs, sizeof(attrs));
	ASSERT_LE(0, len) TH_LOG("resolving family %s: %s",
				 TCPTUNE_FAMILY_NAME, strerror(-len));

	self->family = 0;
	self->version = 0;
	self->have_events = 0;
	nla_for_each(na, attrs, len, rem) {
		switch (na->nla_type) {
		case CTRL_ATTR_FAMILY_ID:
			self->family = *(uint16_t *)NLA_DATA(na);
			break;
		case CTRL_ATTR_VERSION:
			self->version = *(uint32_t *)NLA_DATA(na);
			break;
		}
	}
	ASSERT_NE(0, self->family);
	self->have_events = nl_group_id(self->fd, TCPTUNE_FAMILY_NAME,
					TCPTUNE_MCGRP_EVENTS) >= 0;
}

FIXTURE_TEARDOWN(genl)
{
	close(self->fd);
}

TEST_F(genl, family_version)
{
	EXPECT_EQ(TCPTUNE_FAMILY_VERSION, self->version);
}

TEST_F(genl, events_group)
{
	EXPECT_TRUE(self->have_events)
		TH_LOG("no \"%s\" multicast group", TCPTUNE_MCGRP_EVENTS);
}

TEST_F(genl, get_version)
{
	char attrs[BUF_SIZE], sysfs[128] = "";
	char version[128] = "", release[128] = "";
	struct utsname u;
	struct nlattr *na;
	int len, rem;

	len = genl_do(self->fd, self->family, TCPTUNE_CMD_GET_VERSION,
		      TCPTUNE_FAMILY_VERSION, NULL, attrs, sizeof(attrs));
	ASSERT_LE(0, len) TH_LOG("GET_VERSION: %s", strerror(-len));
	nla_for_each(na, attrs, len, rem) {
		if (na->nla_type == TCPTUNE_A_VERSION)
			snprintf(version, sizeof(version), "%.*s",
				 NLA_LEN(na), (char *)NLA_DATA(na));
		if (na->nla_type == TCPTUNE_A_KERNEL_RELEASE)
			snprintf(release, sizeof(release), "%.*s",
				 NLA_LEN(na), (char *)NLA_DATA(na));
	}
	read_line("/sys/module/tcptune/version", sysfs, sizeof(sysfs));
	ASSERT_EQ(0, uname(&u));
	EXPECT_STRNE("", version);
	EXPECT_STREQ(sysfs, version);
	EXPECT_STREQ(u.release, release);
}

TEST_F(genl, get_stats_matches_procfs)
{
	char attrs[BUF_SIZE], line[256];
	static char nl_names[MAX_NAMES][NAME_LEN];
	static char proc_names[MAX_NAMES][NAME_LEN];
	int len, rem, rem2, n_nl = 0, n_proc = 0, i;
	struct nlattr *na, *sa;
	FILE *f;

	len = genl_do(self->fd, self->family, TCPTUNE_CMD_GET_STATS,
		      TCPTUNE_FAMILY_VERSION, NULL, attrs, sizeof(attrs));
	ASSERT_LE(0, len) TH_LOG("GET_STATS: %s", strerror(-len));
	nla_for_each(na, attrs, len, rem) {
		int have_value = 0;

		if ((na->nla_type & NLA_TYPE_MASK) != TCPTUNE_A_STAT)
			continue;
		ASSERT_GT(MAX_NAMES, n_nl);
		nl_names[n_nl][0] = '\0';
		nla_for_each(sa, NLA_DATA(na), NLA_LEN(na), rem2) {
			if (sa->nla_type == TCPTUNE_A_STAT_NAME)
				snprintf(nl_names[n_nl], NAME_LEN, "%.*s",
					 NLA_LEN(sa), (char *)NLA_DATA(sa));
			if (sa->nla_type == TCPTUNE_A_STAT_VALUE) {
				EXPECT_EQ(8, NLA_LEN(sa));
				have_value = 1;
			}
		}
		EXPECT_TRUE(have_value) TH_LOG("stat %s has no value",
					       nl_names[n_nl]);
		n_nl++;
	}

	f = fopen("/proc/net/tcptune/stats", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f) && n_proc < MAX_NAMES) {
		line[strcspn(line, " \t\n")] = '\0';
		snprintf(proc_names[n_proc++], NAME_LEN, "%.*s", NAME_LEN - 1, line);
	}
	fclose(f);

	ASSERT_LT(0, n_nl);
	ASSERT_EQ(n_proc, n_nl);
	for (i = 0; i < n_nl; i++)
		EXPECT_STREQ(proc_names[i], nl_names[i])
			TH_LOG("stat %d differs", i);
}

TEST_F(genl, get_config_params)
{
	static const struct {
		const char *name;
		uint32_t scope, min, max;
	} want[] = {
		{ "event_interval_ms", TCPTUNE_SCOPE_MODULE, 0, 3600000 },
		{ "events", TCPTUNE_SCOPE_NETNS, 0, 1 },
	};
	char attrs[BUF_SIZE];
	struct nlattr *na, *pa;
	int len, rem, rem2;
	unsigned int i;

	len = genl_do(self->fd, self->family, TCPTUNE_CMD_GET_CONFIG,
		      TCPTUNE_FAMILY_VERSION, NULL, attrs, sizeof(attrs));
	ASSERT_LE(0, len) TH_LOG("GET_CONFIG: %s", strerror(-len));

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int found = 0;

		nla_for_each(na, attrs, len, rem) {
			char name[NAME_LEN] = "";
			uint32_t scope = 0, min = ~0u, max = 0, value = ~0u;

			if ((na->nla_type & NLA_TYPE_MASK) != TCPTUNE_A_PARAM)
				continue;
			nla_for_each(pa, NLA_DATA(na), NLA_LEN(na), rem2) {
				uint32_t v = NLA_LEN(pa) >= 4 ?
					     *(uint32_t *)NLA_DATA(pa) : 0;

				switch (pa->nla_type) {
				case TCPTUNE_A_PARAM_NAME:
					snprintf(name, sizeof(name), "%.*s",
						 NLA_LEN(pa),
						 (char *)NLA_DATA(pa));
					break;
				case TCPTUNE_A_PARAM_VALUE: value = v; break;
				case TCPTUNE_A_PARAM_MIN_VALUE: min = v; break;
				case TCPTUNE_A_PARAM_MAX_VALUE: max = v; break;
				case TCPTUNE_A_PARAM_SCOPE: scope = v; break;
				}
			}
			if (strcmp(name, want[i].name))
				continue;
			found = 1;
			EXPECT_EQ(want[i].scope, scope) TH_LOG("%s", name);
			EXPECT_EQ(want[i].min, min) TH_LOG("%s", name);
			EXPECT_EQ(want[i].max, max) TH_LOG("%s", name);
			EXPECT_LE(min, value) TH_LOG("%s", name);
			EXPECT_GE(max, value) TH_LOG("%s", name);
		}
		EXPECT_TRUE(found) TH_LOG("no parameter %s", want[i].name);
	}
}

/* Events a subscriber of the events group reads, without waiting. */
static int drain_events(int fd)
{
	static char buf[NL_BUF_SIZE];
	struct nlmsghdr *nlh;
	int n, events = 0;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n))
			if (((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd ==
			    TCPTUNE_CMD_EVENT)
				events++;
	return events;
}

/*
 * EventsSent counts exactly the events a subscriber receives; with the
 * netns's "events" parameter at 0, EventsSuppressed counts them instead and
 * none arrives. Each parameter change is one event.
 */
TEST_F(genl, events_counted_exactly)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	long long sent, suppressed;
	long interval;
	int grp, sub;

	interval = get_param(self->fd, self->family, "event_interval_ms");
	ASSERT_LE(0, interval);
	grp = nl_group_id(self->fd, TCPTUNE_FAMILY_NAME, TCPTUNE_MCGRP_EVENTS);
	ASSERT_LE(0, grp);
	sub = nl_open();
	ASSERT_LE(0, sub);
	/* Bound, so it has a port id: port 0 is the kernel's own. */
	ASSERT_EQ(0, bind(sub, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, setsockopt(sub, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&grp, sizeof(grp)));
	drain_events(sub);

	sent = get_stat(self->fd, self->family, "EventsSent");
	suppressed = get_stat(self->fd, self->family, "EventsSuppressed");
	ASSERT_LE(0, sent);
	ASSERT_LE(0, suppressed);

	/* Three changes with events on: three events sent and received. */
	EXPECT_EQ(0, try_set(self->fd, self->family, TCPTUNE_CMD_SET_CONFIG,
			     "event_interval_ms", interval + 1));
	EXPECT_EQ(0, try_set(self->fd, self->family, TCPTUNE_CMD_SET_CONFIG,
			     "event_interval_ms", interval + 2));
	EXPECT_EQ(0, try_set(self->fd, self->family, TCPTUNE_CMD_SET_CONFIG,
			     "event_interval_ms", interval));
	EXPECT_EQ(3, drain_events(sub));
	EXPECT_EQ(sent + 3, get_stat(self->fd, self->family, "EventsSent"));
	EXPECT_EQ(suppressed,
		  get_stat(self->fd, self->family, "EventsSuppressed"));

	/*
	 * events=0 (its own change is already suppressed), two changes, then
	 * events=1 (sent): three suppressed, one sent, one received.
	 */
	EXPECT_EQ(0, try_set(self->fd, self->family,
			     TCPTUNE_CMD_SET_NETNS_CONFIG, "events", 0));
	EXPECT_EQ(0, try_set(self->fd, self->family, TCPTUNE_CMD_SET_CONFIG,
			     "event_interval_ms", interval + 1));
	EXPECT_EQ(0, try_set(self->fd, self->family, TCPTUNE_CMD_SET_CONFIG,
			     "event_interval_ms", interval));
	EXPECT_EQ(0, try_set(self->fd, self->family,
			     TCPTUNE_CMD_SET_NETNS_CONFIG, "events", 1));
	EXPECT_EQ(1, drain_events(sub));
	EXPECT_EQ(sent + 4, get_stat(self->fd, self->family, "EventsSent"));
	EXPECT_EQ(suppressed + 3,
		  get_stat(self->fd, self->family, "EventsSuppressed"));
	close(sub);
}

TEST_F(genl, unknown_command)
{
	char attrs[BUF_SIZE];
	int len;

	len = genl_do(self->fd, self->family, TCPTUNE_CMD_MAX + 1,
		      TCPTUNE_FAMILY_VERSION, NULL, attrs, sizeof(attrs));
	EXPECT_EQ(-EOPNOTSUPP, len);
}

TEST_HARNESS_MAIN
