/* SPDX-License-Identifier: ISC */
/*
 * The userspace WireGuard backend: piad starts the configured program
 * (wireguard-go by default) for IFNAME in the host netns, in its own
 * session so it outlives a piad restart, waits for its TUN device and UAPI
 * socket, and moves the TUN device into the VPN netns; the program's UDP
 * socket stays in the host netns. A program already answering on the
 * socket is adopted instead of started (after a restart of piad).
 *
 * The program is the only child piad starts besides hooks: fork and exec
 * directly, no shell, a minimal environment (no secrets), stdio on
 * /dev/null so it holds no pipe of ours open.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "net/link.h"
#include "net/rtnl.h"
#include "net/wg.h"
#include "net/wg_uapi.h"

#define WG_US_POLL_MS	10

static const char *
wg_us_name(void)
{
	return "userspace";
}

static void
wg_us_close(struct wg_link *wl)
{
	/* Nothing kept open: every UAPI exchange has its own connection. */
}

static int64_t
wg_us_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
wg_us_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Runs in the child: never returns. */
static void __attribute__((noreturn))
wg_us_exec(const struct wg_link *wl)
{
	char		 path[4096] = "PATH=/usr/local/sbin:/usr/local/bin:"
			    "/usr/sbin:/usr/bin:/sbin:/bin";
	char		 fg[] = "WG_PROCESS_FOREGROUND=1";
	char		*argv[3], *envp[3];
	const char	*p;
	sigset_t	 all;
	int		 fd, sig;

	if (wl->host_nsfd >= 0 && setns(wl->host_nsfd, CLONE_NEWNET) == -1)
		_exit(126);
	/* Own session: no SIGHUP when piad's terminal or session goes. */
	setsid();
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	/* Nothing of ours (netlink, control, proxy sockets) leaks into it. */
	if (close_range(3, ~0U, 0) == -1)
		for (fd = 3; fd < 65536; fd++)
			close(fd);
	/* Undo what piad's loop changed: ignored and blocked signals. */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if ((p = getenv("PATH")) != NULL)
		snprintf(path, sizeof(path), "PATH=%s", p);
	envp[0] = path;
	/* wireguard-go: stay in the foreground so our pid is the program. */
	envp[1] = fg;
	envp[2] = NULL;
	/* Writable copies for execvpe's argv (the child's own memory). */
	if ((argv[0] = strdup(wl->program)) == NULL ||
	    (argv[1] = strdup(wl->ifname)) == NULL)
		_exit(126);
	argv[2] = NULL;
	execvpe(wl->program, argv, envp);
	_exit(127);
}

static int
wg_us_spawn(struct wg_link *wl)
{
	pid_t pid;

	if ((pid = fork()) == -1)
		return -errno;
	if (pid == 0)
		wg_us_exec(wl);
	wl->pid = pid;
	clock_gettime(CLOCK_MONOTONIC, &wl->started);
	log_info("%s: started %s (pid %ld)", wl->ifname, wl->program,
	    (long)pid);
	return 0;
}

/* Has our child exited? Reaps it; true if it is gone. */
static bool
wg_us_child_gone(struct wg_link *wl)
{
	pid_t	r;
	int	status;

	if (wl->pid <= 0)
		return true;
	r = waitpid(wl->pid, &status, WNOHANG);
	if (r == 0)
		return false;
	if (r == wl->pid) {
		if (WIFEXITED(status))
			log_warnx("%s: %s exited with status %d", wl->ifname,
			    wl->program, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			log_warnx("%s: %s killed by signal %d", wl->ifname,
			    wl->program, WTERMSIG(status));
	}
	/* r == -1 (ECHILD): someone else reaped it; it is gone too. */
	wl->pid = 0;
	return true;
}

/* The program answers: put its TUN device into the VPN netns. */
static int
wg_us_place(struct wg_link *wl)
{
	int rc;

	if ((rc = wg_dev_place(wl, "tun", false)) == -ENODEV)
		log_warnx("%s: %s answers but has no TUN device",
		    wl->ifname, wl->program);
	return rc;
}

static int
wg_us_ensure(struct wg_link *wl)
{
	int64_t	deadline;
	int	rc;

	if (wl->pid > 0)
		wg_us_child_gone(wl);
	if (wg_uapi_alive(wl->ifname))
		return wg_us_place(wl);
	if (wl->pid == 0 && (rc = wg_us_spawn(wl)) < 0) {
		log_warnx("%s: cannot start %s: %s", wl->ifname, wl->program,
		    strerror(-rc));
		return rc;
	}
	deadline = (int64_t)wl->started.tv_sec * 1000 +
	    wl->started.tv_nsec / 1000000 + (wl->wait_ms > 0 ? wl->wait_ms :
	    WG_DEFAULT_WAIT_MS);
	for (;;) {
		if (wg_us_child_gone(wl)) {
			log_warnx("%s: %s did not come up", wl->ifname,
			    wl->program);
			return -ECHILD;
		}
		if (wg_uapi_alive(wl->ifname))
			return wg_us_place(wl);
		if (wg_us_now_ms() >= deadline) {
			log_warnx("%s: %s has no UAPI socket after %d ms, "
			    "stopping it", wl->ifname, wl->program,
			    wl->wait_ms > 0 ? wl->wait_ms : WG_DEFAULT_WAIT_MS);
			/* So that the next ensure() starts afresh. */
			kill(wl->pid, SIGKILL);
			waitpid(wl->pid, NULL, 0);
			wl->pid = 0;
			return -ETIMEDOUT;
		}
		if (wl->wait_ms == 0)
			return -EINPROGRESS;
		wg_us_sleep_ms(WG_US_POLL_MS);
	}
}

static int
wg_us_configure(struct wg_link *wl, const struct wg_device_config *cfg)
{
	return wg_uapi_set(wl->ifname, cfg);
}

static int
wg_us_read(struct wg_link *wl, struct wg_device_status *st)
{
	return wg_uapi_get(wl->ifname, st);
}

/*
 * Deleting the TUN device stops the program (its reads fail and it exits,
 * removing its socket); that also works for one we adopted and never knew
 * the pid of. Our own child is then reaped, or killed if it lingers.
 */
static int
wg_us_destroy(struct wg_link *wl)
{
	struct rtnl	*r;
	int64_t		 deadline;
	int		 rc = 0, i, found;
	int		 fds[2] = { wl->vpn_nsfd, wl->host_nsfd };

	for (i = 0; i < 2; i++) {
		if (i == 0 && fds[0] < 0)
			continue;
		if ((r = rtnl_open(fds[i])) == NULL)
			return -errno;
		found = wg_dev_find(r, wl->ifname, "tun");
		if (found > 0)
			rc = link_delete(r, wl->ifname);
		rtnl_close(r);
		if (found != 0 || rc < 0)
			break;
	}
	if (wl->pid > 0) {
		deadline = wg_us_now_ms() + 1000;
		while (!wg_us_child_gone(wl) && wg_us_now_ms() < deadline)
			wg_us_sleep_ms(WG_US_POLL_MS);
		if (wl->pid > 0) {
			kill(wl->pid, SIGKILL);
			waitpid(wl->pid, NULL, 0);
			wl->pid = 0;
		}
	}
	wl->ifindex = 0;
	return rc < 0 ? rc : 0;
}

const struct wg_backend_ops wg_backend_userspace = {
	.name = wg_us_name,
	.ensure = wg_us_ensure,
	.configure = wg_us_configure,
	.read = wg_us_read,
	.destroy = wg_us_destroy,
	.close = wg_us_close,
};
