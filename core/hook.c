/* SPDX-License-Identifier: ISC */
/*
 * Hook child processes. See core/hook.h.
 *
 * The child: new session (so the timeout can kill the whole group), setns
 * into the container, optional private mount namespace for its
 * resolv.conf, stdin from /dev/null, stdout and stderr into one pipe,
 * then execve /bin/sh. The parent reads the pipe and the pidfd from the
 * event loop; whichever of EOF and exit comes last ends the hook.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/hook.h"
#include "core/log.h"

#define HOOK_LINE_MAX	512

struct hook {
	char		 label[64];
	pid_t		 pid;
	int		 pidfd;
	int		 outfd;
	struct event	*out_ev;
	struct event	*exit_ev;
	struct event	*timer_ev;
	bool		 exited, eof, timed_out;
	int		 status;
	char		 line[HOOK_LINE_MAX];
	size_t		 linelen;
	hook_done_fn	 done;
	void		*arg;
};

static int
pidfd_open_compat(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void
hook_free(struct hook *h)
{
	if (h->out_ev != NULL)
		event_free(h->out_ev);
	if (h->exit_ev != NULL)
		event_free(h->exit_ev);
	if (h->timer_ev != NULL)
		event_free(h->timer_ev);
	if (h->outfd >= 0)
		close(h->outfd);
	if (h->pidfd >= 0)
		close(h->pidfd);
	free(h);
}

static void
hook_flush_line(struct hook *h)
{
	if (h->linelen == 0)
		return;
	h->line[h->linelen] = '\0';
	log_info("hook %s: %s", h->label, h->line);
	h->linelen = 0;
}

static void
hook_finish_if_done(struct hook *h)
{
	char	why[96];
	bool	ok = false;

	if (!h->exited || !h->eof)
		return;
	hook_flush_line(h);
	if (h->timed_out)
		snprintf(why, sizeof(why), "killed after the timeout");
	else if (WIFEXITED(h->status) && WEXITSTATUS(h->status) == 0) {
		ok = true;
		snprintf(why, sizeof(why), "exit 0");
	} else if (WIFEXITED(h->status))
		snprintf(why, sizeof(why), "exit %d", WEXITSTATUS(h->status));
	else if (WIFSIGNALED(h->status))
		snprintf(why, sizeof(why), "signal %d", WTERMSIG(h->status));
	else
		snprintf(why, sizeof(why), "status %d", h->status);
	if (ok)
		log_info("hook %s: done", h->label);
	else
		log_warnx("hook %s: failed: %s", h->label, why);
	if (h->done != NULL)
		h->done(ok, why, h->arg);
	hook_free(h);
}

static void
hook_out_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hook	*h = arg;
	char		 buf[1024];
	ssize_t		 n, i;

	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		event_del(h->out_ev);
		h->eof = true;
		hook_finish_if_done(h);
		return;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n' || h->linelen == HOOK_LINE_MAX - 1) {
			hook_flush_line(h);
			if (buf[i] == '\n')
				continue;
		}
		h->line[h->linelen++] = buf[i];
	}
}

static void
hook_exit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hook *h = arg;

	if (waitpid(h->pid, &h->status, WNOHANG) == 0)
		return;
	event_del(h->exit_ev);
	event_del(h->timer_ev);
	h->exited = true;
	hook_finish_if_done(h);
}

static void
hook_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hook *h = arg;

	h->timed_out = true;
	log_warnx("hook %s: still running after its timeout; killing it",
	    h->label);
	(void)kill(-h->pid, SIGKILL);
}

/* In the child: put resolv.conf of the container in place, if any. */
static void
child_mount_resolv(const char *netns_name)
{
	char		path[PATH_MAX];
	struct stat	st;

	if (netns_name == NULL)
		return;
	snprintf(path, sizeof(path), "/etc/netns/%s/resolv.conf", netns_name);
	if (stat(path, &st) < 0)
		return;
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return;
	(void)mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL);
}

static void __attribute__((noreturn))
child_exec(const char *cmd, int nsfd, const char *netns_name, int outfd,
    char *const env[])
{
	int devnull;

	(void)setsid();
	if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0) {
		dprintf(outfd, "cannot enter the container's netns: %s\n",
		    strerror(errno));
		_exit(126);
	}
	child_mount_resolv(netns_name);
	if ((devnull = open("/dev/null", O_RDONLY)) >= 0)
		dup2(devnull, 0);
	dup2(outfd, 1);
	dup2(outfd, 2);
	execle("/bin/sh", "sh", "-c", cmd, (char *)NULL, env);
	dprintf(2, "cannot run /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

struct hook *
hook_run(struct event_base *base, const char *label, const char *cmd,
    int nsfd, const char *netns_name, char *const env[], unsigned timeout_s,
    hook_done_fn done, void *arg)
{
	struct hook	*h;
	struct timeval	 tv = { (time_t)timeout_s, 0 };
	char		*envp[HOOK_MAX_ENV + 2];
	size_t		 n = 0;
	int		 pipefd[2];

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->pidfd = h->outfd = -1;
	h->done = done;
	h->arg = arg;
	snprintf(h->label, sizeof(h->label), "%s", label);
	envp[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
	    "/sbin:/bin";
	while (env != NULL && env[n - 1] != NULL && n <= HOOK_MAX_ENV) {
		envp[n] = env[n - 1];
		n++;
	}
	envp[n] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		goto fail;
	h->pid = fork();
	if (h->pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		goto fail;
	}
	if (h->pid == 0) {
		close(pipefd[0]);
		child_exec(cmd, nsfd, netns_name, pipefd[1], envp);
	}
	close(pipefd[1]);
	h->outfd = pipefd[0];
	(void)fcntl(h->outfd, F_SETFL, O_NONBLOCK);
	if ((h->pidfd = pidfd_open_compat(h->pid)) < 0) {
		log_warn("hook %s: pidfd_open", h->label);
		(void)kill(-h->pid, SIGKILL);
		(void)kill(h->pid, SIGKILL);
		(void)waitpid(h->pid, NULL, 0);
		goto fail;
	}
	h->out_ev = event_new(base, h->outfd, EV_READ | EV_PERSIST,
	    hook_out_cb, h);
	h->exit_ev = event_new(base, h->pidfd, EV_READ | EV_PERSIST,
	    hook_exit_cb, h);
	h->timer_ev = evtimer_new(base, hook_timer_cb, h);
	if (h->out_ev == NULL || h->exit_ev == NULL || h->timer_ev == NULL ||
	    event_add(h->out_ev, NULL) < 0 || event_add(h->exit_ev, NULL) < 0 ||
	    event_add(h->timer_ev, &tv) < 0) {
		hook_cancel(h);
		return NULL;
	}
	log_info("hook %s: started (pid %d)", h->label, (int)h->pid);
	return h;
fail:
	log_warn("hook %s: cannot start", h->label);
	hook_free(h);
	return NULL;
}

void
hook_cancel(struct hook *h)
{
	if (h == NULL)
		return;
	if (!h->exited && h->pid > 0) {
		(void)kill(-h->pid, SIGKILL);
		(void)kill(h->pid, SIGKILL);
		(void)waitpid(h->pid, NULL, 0);
	}
	hook_free(h);
}
