/* SPDX-License-Identifier: ISC */
/*
 * User hooks (on_port_forwarded): `/bin/sh -c TEXT` in a container's
 * netns with a small environment, its output logged line by line, killed
 * (with its whole process group) after a timeout. A hook never affects
 * the tunnel: its outcome is reported to a callback for `status`.
 * Children are watched through a pidfd, so no SIGCHLD handler is needed.
 */
#ifndef PIAD_CORE_HOOK_H
#define PIAD_CORE_HOOK_H

#include <stdbool.h>

struct event_base;
struct hook;

#define HOOK_TIMEOUT_S	60
#define HOOK_MAX_ENV	16

/*
 * ok: exited 0. Otherwise why says how it failed ("exit 3", "killed after
 * 60 s", "signal 9", "cannot start: ..."). The hook is freed after the
 * callback returns.
 */
typedef void (*hook_done_fn)(bool ok, const char *why, void *arg);

/*
 * Start cmd in netns nsfd (-1: piad's own) with env ("NAME=value", NULL
 * terminated, copied; PATH is added). label names the hook in logs.
 * When netns_name is set and /etc/netns/NAME/resolv.conf exists it is
 * bind-mounted over /etc/resolv.conf in a private mount namespace, as
 * `ip netns exec` does. NULL on failure (done is not called then).
 */
struct hook	*hook_run(struct event_base *, const char *label,
		    const char *cmd, int nsfd, const char *netns_name,
		    char *const env[], unsigned timeout_s,
		    hook_done_fn done, void *arg);
/* Kill (SIGKILL to the group) and free without calling done. */
void		 hook_cancel(struct hook *);

#endif
