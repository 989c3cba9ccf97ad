/* SPDX-License-Identifier: ISC */
/*
 * Network sysctls inside a given netns: /proc/sys/net/... resolves to the
 * netns of the thread that opens the file, so each access runs through
 * netns_run(). Keys are dotted ("net.ipv4.ip_forward") or slashed.
 *
 * All functions return >= 0 on success and -errno on failure.
 */
#ifndef PIAD_NET_SYSCTL_H
#define PIAD_NET_SYSCTL_H

#include <stddef.h>

/* Write value (e.g. "1") to key in netns nsfd (-1: current). */
int	sysctl_write(int nsfd, const char *key, const char *value);
/* Read key into buf (NUL terminated, trailing newline removed). */
int	sysctl_read(int nsfd, const char *key, char *buf, size_t len);
/*
 * Write value only if it differs from what is there: returns 1 if it
 * wrote, 0 if it was already so (so reconcile can report "unchanged").
 */
int	sysctl_ensure(int nsfd, const char *key, const char *value);

/* One key for sysctl_ensure_all; changed is set to 1 if it was written. */
struct sysctl_want {
	const char	*key;
	const char	*value;
	int		 changed;
};
/*
 * sysctl_ensure for n keys with a single switch into netns nsfd (what a
 * reconcile of many namespaces wants). 0 or the first -errno.
 */
int	sysctl_ensure_all(int nsfd, struct sysctl_want *v, size_t n);

#endif
