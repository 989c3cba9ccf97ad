/* SPDX-License-Identifier: ISC */
/*
 * Network sysctls inside a netns. The file under /proc/sys/net is opened
 * while this thread is inside the target netns (netns_run); the opened file
 * keeps referring to that netns, as sockets do.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/netns.h"
#include "net/sysctl.h"

static int	sysctl_path(const char *, char *, size_t);
static int	sysctl_open_fn(void *);
static int	sysctl_ensure_here(const char *, const char *);
static int	sysctl_ensure_all_fn(void *);

struct sysctl_open {
	const char	*path;
	int		 flags;
};

/* "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward". */
static int
sysctl_path(const char *key, char *buf, size_t len)
{
	size_t	i, n = strlen("/proc/sys/");

	if (key == NULL || *key == '\0' || strstr(key, "..") != NULL ||
	    strncmp(key, "net", 3) != 0 || n + strlen(key) >= len)
		return -EINVAL;
	memcpy(buf, "/proc/sys/", n);
	/* Interface names may contain dots only in the slashed form. */
	for (i = 0; key[i] != '\0'; i++)
		buf[n + i] = strchr(key, '/') == NULL && key[i] == '.' ? '/' :
		    key[i];
	buf[n + i] = '\0';
	return 0;
}

static int
sysctl_open_fn(void *arg)
{
	struct sysctl_open	*o = arg;
	int			 fd;

	if ((fd = open(o->path, o->flags | O_CLOEXEC)) == -1)
		return -errno;
	return fd;
}

int
sysctl_write(int nsfd, const char *key, const char *value)
{
	struct sysctl_open	 o;
	char			 path[PATH_MAX];
	size_t			 len = strlen(value);
	ssize_t			 n;
	int			 fd, rc;

	if ((rc = sysctl_path(key, path, sizeof(path))) < 0)
		return rc;
	o.path = path;
	o.flags = O_WRONLY;
	if ((fd = netns_run(nsfd, sysctl_open_fn, &o)) < 0)
		return fd;
	n = write(fd, value, len);
	rc = n == -1 ? -errno : (size_t)n != len ? -EIO : 0;
	close(fd);
	return rc;
}

int
sysctl_read(int nsfd, const char *key, char *buf, size_t len)
{
	struct sysctl_open	 o;
	char			 path[PATH_MAX];
	ssize_t			 n;
	int			 fd, rc;

	if (len == 0)
		return -EINVAL;
	if ((rc = sysctl_path(key, path, sizeof(path))) < 0)
		return rc;
	o.path = path;
	o.flags = O_RDONLY;
	if ((fd = netns_run(nsfd, sysctl_open_fn, &o)) < 0)
		return fd;
	n = read(fd, buf, len - 1);
	rc = n == -1 ? -errno : 0;
	close(fd);
	if (rc < 0)
		return rc;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int
sysctl_ensure(int nsfd, const char *key, const char *value)
{
	char	cur[64];
	int	rc;

	if ((rc = sysctl_read(nsfd, key, cur, sizeof(cur))) < 0)
		return rc;
	if (strcmp(cur, value) == 0)
		return 0;
	if ((rc = sysctl_write(nsfd, key, value)) < 0)
		return rc;
	return 1;
}

/* sysctl_ensure in the current netns, without switching. */
static int
sysctl_ensure_here(const char *key, const char *value)
{
	struct sysctl_open	 o;
	char			 path[PATH_MAX], cur[64];
	size_t			 len = strlen(value);
	ssize_t			 n;
	int			 fd, rc;

	if ((rc = sysctl_path(key, path, sizeof(path))) < 0)
		return rc;
	o.path = path;
	o.flags = O_RDWR;
	if ((fd = sysctl_open_fn(&o)) < 0)
		return fd;
	if ((n = read(fd, cur, sizeof(cur) - 1)) == -1) {
		rc = -errno;
		goto out;
	}
	while (n > 0 && (cur[n - 1] == '\n' || cur[n - 1] == ' '))
		n--;
	if ((size_t)n == len && memcmp(cur, value, len) == 0) {
		rc = 0;
		goto out;
	}
	if ((n = pwrite(fd, value, len, 0)) == -1)
		rc = -errno;
	else
		rc = (size_t)n == len ? 1 : -EIO;
out:
	close(fd);
	return rc;
}

struct sysctl_all {
	struct sysctl_want	*v;
	size_t			 n;
};

static int
sysctl_ensure_all_fn(void *arg)
{
	struct sysctl_all	*a = arg;
	size_t			 i;
	int			 rc;

	for (i = 0; i < a->n; i++) {
		if ((rc = sysctl_ensure_here(a->v[i].key, a->v[i].value)) < 0)
			return rc;
		a->v[i].changed = rc;
	}
	return 0;
}

int
sysctl_ensure_all(int nsfd, struct sysctl_want *v, size_t n)
{
	struct sysctl_all a = { v, n };
	size_t i;

	for (i = 0; i < n; i++)
		v[i].changed = 0;
	return netns_run(nsfd, sysctl_ensure_all_fn, &a);
}
