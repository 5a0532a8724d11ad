// SPDX-License-Identifier: GPL-2.0
/*
 * fault_gen: make the Nth fault-injection point of one system call fail,
 * through /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION), for faults.sh.
 *
 *   fault_gen load MODULE.ko [MAX]
 *   fault_gen netns [MAX]
 *   fault_gen read N FILE
 *   fault_gen listen N PORT
 *   fault_gen exec N PROG [ARG...]
 *
 * Writing N to fail-nth makes the Nth injectable call of this thread fail
 * (a slab allocation, with failslab's filters: faults.sh limits them to
 * tcptune's code with require-start/require-end); after the call, fail-nth
 * reads 0 if the fault was injected, and the remaining count otherwise.
 *
 * load: count the allocation points P of one load, then for N = 1, 1 + S,
 * 1 + 2S, ...: finit_module() with the Nth allocation failing, and
 * delete_module() if the load succeeded anyway; until a load completes
 * before its Nth allocation. S is 1 (every point) unless P > MAX (default
 * 2000): then S = ceil(P / MAX), so at most MAX + 1 loads. A failed load must
 * leave no module behind. Prints "points P stride S tries T injected I
 * failed F survived V (...)"; exits 1 if a check failed.
 * netns: for N = 1, 2, ...: unshare(CLONE_NEWNET) in a child process with
 * the Nth allocation failing, until one completes before it or MAX tries.
 * Prints "tries T injected I failed F survived V"; exits 1 if a check
 * failed or MAX was reached.
 *
 * read: read FILE to its end with the Nth allocation failing; prints
 * "injected 0|1 result ok|ERRNO-NAME bytes B".
 * listen: a TCP listener on 127.0.0.1:PORT whose listen() has the Nth
 * allocation failing; prints "injected 0|1 result ok|ERRNO-NAME".
 * exec: run PROG with fail-nth at N (whether it hit is up to PROG's output).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAIL_NTH "/proc/thread-self/fail-nth"

static int fail_nth_fd = -1;

static void die(const char *what)
{
	fprintf(stderr, "fault_gen: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void set_fail_nth(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fail_nth_fd, buf, len, 0) != len)
		die("write " FAIL_NTH);
}

/* Injectable calls left before the fault; 0 once it was injected. */
static unsigned int fail_nth_left(void)
{
	char buf[16] = "";

	if (pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		die("read " FAIL_NTH);
	return strtoul(buf, NULL, 10);
}

/* Was the fault injected? Also disarms a fault that was not. */
static int fail_nth_hit(void)
{
	if (fail_nth_left() == 0)
		return 1;
	set_fail_nth(0);
	return 0;
}

static void open_fail_nth(void)
{
	fail_nth_fd = open(FAIL_NTH, O_RDWR);
	if (fail_nth_fd < 0)
		die("open " FAIL_NTH);
}

static const char *err_name(int err)
{
	switch (err) {
	case 0: return "ok";
	case ENOMEM: return "ENOMEM";
	case ENOBUFS: return "ENOBUFS";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EBUSY: return "EBUSY";
	case EFAULT: return "EFAULT";
	default: return "other";
	}
}

/* The module's name: the file name without directory and ".ko". */
static void module_name(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	char *dot;

	snprintf(name, size, "%s", base ? base + 1 : path);
	dot = strstr(name, ".ko");
	if (dot)
		*dot = '\0';
}

static int module_present(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

/* One load with fail-nth far away: how many points does a load pass? */
static unsigned int count_load_points(const char *ko, const char *name)
{
	const unsigned int far = 1000000;
	unsigned int left;
	int fd, ret;

	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(ko);
	set_fail_nth(far);
	ret = syscall(SYS_finit_module, fd, "", 0);
	left = fail_nth_left();
	set_fail_nth(0);
	close(fd);
	if (ret)
		die("load without a fault");
	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		die("unload");
	return far - left;
}

static int do_load(const char *ko, unsigned int max)
{
	unsigned int n, points, stride, tries = 0, injected = 0, failed = 0;
	unsigned int survived = 0;
	unsigned int errs[3] = { 0 };
	char name[64];
	int bad = 0;

	module_name(ko, name, sizeof(name));
	if (module_present(name)) {
		fprintf(stderr, "fault_gen: %s is loaded already\n", name);
		return 1;
	}
	points = count_load_points(ko, name);
	stride = points > max ? (points + max - 1) / max : 1;
	/* Up to points + 1: the last try must complete without a fault. */
	for (n = 1; n <= points + stride; n += stride) {
		int fd = open(ko, O_RDONLY | O_CLOEXEC);
		int ret, err, hit;

		if (fd < 0)
			die(ko);
		tries++;
		set_fail_nth(n);
		ret = syscall(SYS_finit_module, fd, "", 0);
		err = ret ? errno : 0;
		hit = fail_nth_hit();
		close(fd);

		if (!hit) {
			if (ret) {
				fprintf(stderr, "fault_gen: load %u: %s without a fault\n",
					n, strerror(err));
				bad = 1;
			}
		} else {
			injected++;
			if (ret) {
				failed++;
				errs[err == ENOMEM ? 0 : err == EINVAL ? 1 : 2]++;
				if (module_present(name)) {
					fprintf(stderr, "fault_gen: load %u failed (%s) but %s is present\n",
						n, strerror(err), name);
					bad = 1;
					break;
				}
			} else {
				survived++;
			}
		}
		if (!ret && syscall(SYS_delete_module, name, O_NONBLOCK)) {
			fprintf(stderr, "fault_gen: unload after load %u: %s\n",
				n, strerror(errno));
			bad = 1;
			break;
		}
		if (!hit)
			break;
	}
	printf("points %u stride %u tries %u injected %u failed %u survived %u (ENOMEM %u EINVAL %u other %u)\n",
	       points, stride, tries, injected, failed, survived,
	       errs[0], errs[1], errs[2]);
	return bad;
}

/* Child: unshare the netns with the Nth allocation failing. */
static int netns_child(unsigned int n)
{
	int ret, err, hit;

	open_fail_nth();
	set_fail_nth(n);
	ret = unshare(CLONE_NEWNET);
	err = ret ? errno : 0;
	hit = fail_nth_hit();
	if (!hit)
		return ret ? 3 : 0;
	if (ret)
		return err == ENOMEM ? 1 : 4;
	return 2;
}

static int do_netns(unsigned int max)
{
	unsigned int n, injected = 0, failed = 0, survived = 0;
	int bad = 0, code = 0;

	for (n = 1; n <= max; n++) {
		pid_t pid = fork();
		int status;

		if (pid < 0)
			die("fork");
		if (!pid)
			_exit(netns_child(n));
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid");
		code = WIFEXITED(status) ? WEXITSTATUS(status) : 5;
		if (code == 0)
			break;
		if (code == 1 || code == 2) {
			injected++;
			if (code == 1)
				failed++;
			else
				survived++;
			continue;
		}
		fprintf(stderr, "fault_gen: netns %u: %s\n", n,
			code == 3 ? "failed without a fault" :
			code == 4 ? "failed with an error other than ENOMEM" :
			"child died");
		bad = 1;
		break;
	}
	printf("tries %u injected %u failed %u survived %u\n",
	       n > max ? max : n, injected, failed, survived);
	if (n > max) {
		fprintf(stderr, "fault_gen: still failing after %u tries\n", max);
		bad = 1;
	}
	return bad;
}

static int do_read(unsigned int n, const char *file)
{
	char buf[4096];
	size_t bytes = 0;
	int fd, err = 0;
	ssize_t len;

	fd = open(file, O_RDONLY);
	if (fd < 0)
		die(file);
	set_fail_nth(n);
	while ((len = read(fd, buf, sizeof(buf))) > 0)
		bytes += len;
	if (len < 0)
		err = errno;
	printf("injected %d result %s bytes %zu\n", fail_nth_hit(),
	       err_name(err), bytes);
	close(fd);
	return 0;
}

static int do_listen(unsigned int n, int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd, one = 1, ret, err;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("bind");
	set_fail_nth(n);
	ret = listen(fd, 16);
	err = ret ? errno : 0;
	printf("injected %d result %s\n", fail_nth_hit(), err_name(err));
	close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fault_gen load MODULE.ko [MAX]\n"
		"       fault_gen netns [MAX]\n"
		"       fault_gen read N FILE\n"
		"       fault_gen listen N PORT\n"
		"       fault_gen exec N PROG [ARG...]\n");
	exit(2);
}

static unsigned int number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v == 0 || v > 1000000)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "load") && (argc == 3 || argc == 4)) {
		open_fail_nth();
		return do_load(argv[2], argc == 4 ? number(argv[3]) : 2000);
	}
	if (!strcmp(argv[1], "netns") && (argc == 2 || argc == 3))
		return do_netns(argc == 3 ? number(argv[2]) : 2000);
	if (!strcmp(argv[1], "read") && argc == 4) {
		open_fail_nth();
		return do_read(number(argv[2]), argv[3]);
	}
	if (!strcmp(argv[1], "listen") && argc == 4) {
		open_fail_nth();
		return do_listen(number(argv[2]), number(argv[3]));
	}
	if (!strcmp(argv[1], "exec") && argc >= 4) {
		open_fail_nth();
		set_fail_nth(number(argv[2]));
		execvp(argv[3], argv + 3);
		die(argv[3]);
	}
	usage();
	return 2;
}
