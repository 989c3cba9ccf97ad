/* SPDX-License-Identifier: ISC */
/*
 * Named network namespaces the way iproute2 makes them, so `ip netns`,
 * systemd's NetworkNamespacePath= and podman's ns: networking see ours and
 * we see theirs. /run/netns is made a shared mount point (so a bind mount
 * made here propagates into mount namespaces cloned later), then a short
 * lived helper thread unshares its own network namespace and bind mounts
 * /proc/thread-self/ns/net onto /run/netns/NAME. Only that thread ever
 * changes netns for creation: the rest of piad stays where it is.
 *
 * netns_run() switches the calling thread temporarily; piad has one thread,
 * so "the process" and "the thread" are the same outside of netns_create().
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "net/netns.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC	0x6e736673
#endif

static int	netns_path(const char *, char *, size_t);
static int	netns_prepare_rundir(void);
static void	netns_check_propagation(void);
static void	*netns_create_thread(void *);
static int	netns_is_mounted(const char *);
static int	netns_socket_fn(void *);

struct netns_create_job {
	const char	*path;
	int		 error;
};

struct netns_socket_args {
	int	domain;
	int	type;
	int	proto;
};

bool
netns_name_valid(const char *name)
{
	size_t len;

	if (name == NULL || (len = strlen(name)) == 0 || len > NETNS_NAME_MAX)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return strchr(name, '/') == NULL;
}

static int
netns_path(const char *name, char *buf, size_t len)
{
	int n;

	if (!netns_name_valid(name))
		return -EINVAL;
	n = snprintf(buf, len, "%s/%s", NETNS_RUN_DIR, name);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Make /run/netns exist and be a shared mount point, as iproute2 does: if
 * it is not a mount point yet, making it shared fails with EINVAL, so bind
 * it onto itself first.
 */
/*
 * Under `ip netns exec` a process gets a mount namespace whose mounts are
 * slaves of the real ones: a bind mount made there never reaches anyone
 * else, so our netns would be invisible to `ip netns`, systemd and the
 * user, and would vanish with piad. Say so once, loudly.
 */
static void
netns_check_propagation(void)
{
	static int	 checked;
	FILE		*f;
	char		 line[1024], mnt[256];

	if (checked++)
		return;
	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 ||
		    strcmp(mnt, NETNS_RUN_DIR) != 0)
			continue;
		if (strstr(line, " master:") != NULL)
			log_warnx("netns: %s is a slave mount here (started "
			    "by `ip netns exec`?): namespaces piad creates "
			    "are invisible to other processes and vanish "
			    "with it; enter only the network namespace "
			    "(nsenter --net=...)", NETNS_RUN_DIR);
	}
	fclose(f);
}

static int
netns_prepare_rundir(void)
{
	if (mkdir(NETNS_RUN_DIR, 0755) == -1 && errno != EEXIST)
		return -errno;
	netns_check_propagation();
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC,
	    NULL) == -1)
		return -errno;
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == -1)
		return -errno;
	return 0;
}

/* 1 if path is a mounted namespace file, 0 if not, -errno on error. */
static int
netns_is_mounted(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs) == -1)
		return errno == ENOENT ? 0 : -errno;
	return (unsigned long)sfs.f_type == NSFS_MAGIC;
}

/* Runs on its own thread: the new netns lives only in this thread. */
static void *
netns_create_thread(void *arg)
{
	struct netns_create_job *job = arg;

	job->error = 0;
	if (unshare(CLONE_NEWNET) == -1) {
		job->error = errno;
		return NULL;
	}
	if (mount("/proc/thread-self/ns/net", job->path, "none", MS_BIND,
	    NULL) == -1)
		job->error = errno;
	return NULL;
}

int
netns_create(const char *name)
{
	struct netns_create_job	job;
	pthread_t		th;
	char			path[PATH_MAX];
	int			fd, r;

	if ((r = netns_path(name, path, sizeof(path))) < 0)
		return r;
	if ((r = netns_is_mounted(path)) != 0)
		return r < 0 ? r : 0;
	if ((r = netns_prepare_rundir()) < 0)
		return r;
	/* The mount point; a stale empty file from a crash is reused. */
	if ((fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0)) == -1)
		return -errno;
	close(fd);

	job.path = path;
	job.error = 0;
	if ((r = pthread_create(&th, NULL, netns_create_thread, &job)) != 0) {
		unlink(path);
		return -r;
	}
	pthread_join(th, NULL);
	if (job.error != 0) {
		unlink(path);
		return -job.error;
	}
	return 0;
}

int
netns_open(const char *name)
{
	char	path[PATH_MAX];
	int	fd, r;

	if ((r = netns_path(name, path, sizeof(path))) < 0)
		return r;
	if ((r = netns_is_mounted(path)) <= 0)
		return r < 0 ? r : -ENOENT;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	return fd;
}

int
netns_delete(const char *name)
{
	char	path[PATH_MAX];
	int	r;

	if ((r = netns_path(name, path, sizeof(path))) < 0)
		return r;
	if (umount2(path, MNT_DETACH) == -1 && errno != EINVAL &&
	    errno != ENOENT)
		return -errno;
	if (unlink(path) == -1 && errno != ENOENT)
		return -errno;
	return 0;
}

bool
netns_exists(const char *name)
{
	char path[PATH_MAX];

	if (netns_path(name, path, sizeof(path)) < 0)
		return false;
	return netns_is_mounted(path) == 1;
}

int
netns_self(void)
{
	static int self = -1;

	if (self == -1 &&
	    (self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	return self;
}

int
netns_same(int fd_a, int fd_b)
{
	struct stat a, b;

	if (fstat(fd_a, &a) == -1 || fstat(fd_b, &b) == -1)
		return -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
netns_run(int nsfd, int (*fn)(void *), void *arg)
{
	int back, r, saved;

	if (nsfd < 0)
		return fn(arg);
	/*
	 * Return to where this thread is now, not to netns_self(): that keeps
	 * nested calls correct.
	 */
	if ((back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) ==
	    -1)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET) == -1) {
		saved = errno;
		close(back);
		return -saved;
	}
	r = fn(arg);
	saved = errno;
	if (setns(back, CLONE_NEWNET) == -1)
		fatal("netns: cannot return to the original network namespace");
	close(back);
	errno = saved;
	return r;
}

static int
netns_socket_fn(void *arg)
{
	struct netns_socket_args	*a = arg;
	int				 fd;

	if ((fd = socket(a->domain, a->type | SOCK_CLOEXEC, a->proto)) == -1)
		return -errno;
	return fd;
}

int
netns_socket(int nsfd, int domain, int type, int proto)
{
	struct netns_socket_args a = { domain, type, proto };

	return netns_run(nsfd, netns_socket_fn, &a);
}
