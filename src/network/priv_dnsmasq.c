/* The helper's dnsmasq work: start (fork, setns into the qdhcp- namespace, execve with an
 * argv built here, never a shell), SIGHUP, stop and the is-running check. A process is
 * taken for ours only when its pid file (under the state dir) names a live
 * /usr/sbin/dnsmasq started with that very pid file, so no other process is signalled.
 * The conf file is read first and only allowlisted options pass. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "network/priv_int.h"

#define DNSMASQ "/usr/sbin/dnsmasq"

/* ---- dnsmasq ----------------------------------------------------------------------------- */

/* Options a conf file may hold. Those whose value names a file ('path') must
 * name one under the state dir; anything else (dhcp-script, conf-dir,
 * conf-file, user, tftp, ...) is refused, because dnsmasq starts as root. */
static const struct {
	const char *key;
	bool path;
} dnsmasq_keys[] = {
	{ "no-hosts", false },
	{ "no-resolv", false },
	{ "no-poll", false },
	{ "strict-order", false },
	{ "bind-interfaces", false },
	{ "bind-dynamic", false },
	{ "interface", false },
	{ "except-interface", false },
	{ "no-dhcp-interface", false },
	{ "listen-address", false },
	{ "port", false },
	{ "domain", false },
	{ "local", false },
	{ "domain-needed", false },
	{ "bogus-priv", false },
	{ "expand-hosts", false },
	{ "cache-size", false },
	{ "no-negcache", false },
	{ "server", false },
	{ "address", false },
	{ "host-record", false },
	{ "cname", false },
	{ "ptr-record", false },
	{ "txt-record", false },
	{ "srv-host", false },
	{ "edns-packet-max", false },
	{ "dns-forward-max", false },
	{ "dhcp-range", false },
	{ "dhcp-option", false },
	{ "dhcp-option-force", false },
	{ "dhcp-host", false },
	{ "dhcp-lease-max", false },
	{ "dhcp-authoritative", false },
	{ "dhcp-match", false },
	{ "dhcp-ignore", false },
	{ "dhcp-ignore-names", false },
	{ "dhcp-no-override", false },
	{ "dhcp-sequential-ip", false },
	{ "dhcp-broadcast", false },
	{ "dhcp-generate-names", false },
	{ "dhcp-fqdn", false },
	{ "dhcp-rapid-commit", false },
	{ "dhcp-reply-delay", false },
	{ "dhcp-client-update", false },
	{ "dhcp-mac", false },
	{ "dhcp-userclass", false },
	{ "dhcp-vendorclass", false },
	{ "tag-if", false },
	{ "no-ping", false },
	{ "leasefile-ro", false },
	{ "log-dhcp", false },
	{ "log-queries", false },
	{ "quiet-dhcp", false },
	{ "quiet-dhcp6", false },
	{ "quiet-ra", false },
	{ "enable-ra", false },
	{ "ra-param", false },
	{ "dhcp-hostsfile", true },
	{ "dhcp-optsfile", true },
	{ "addn-hosts", true },
	{ "dhcp-leasefile", true },
	{ "servers-file", true },
	{ "resolv-file", true },
	{ "log-facility", true }, /* a syslog facility name is fine too (no '/') */
};

static int dnsmasq_check_conf(struct priv_ctx *c, const char *conf)
{
	char *text = priv_read_file(c, conf, 1u << 20, NULL);
	int rc = 0, lineno = 0;

	if (text == NULL)
		return -1;
	for (char *line = text, *next; line != NULL && rc == 0; line = next) {
		char *eq, *val = NULL;
		size_t k;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		line += strspn(line, " \t");
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (eq != NULL) {
			*eq = '\0';
			val = eq + 1;
		}
		for (size_t n = strlen(line); n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t');)
			line[--n] = '\0';
		for (k = 0; k < ARRAY_SIZE(dnsmasq_keys); k++)
			if (strcmp(line, dnsmasq_keys[k].key) == 0)
				break;
		if (k == ARRAY_SIZE(dnsmasq_keys)) {
			rc = priv_fail(c, EPERM,
				       "dnsmasq conf line %d: option \"%.40s\" is not "
				       "allowed",
				       lineno, line);
		} else if (dnsmasq_keys[k].path) {
			const char *v = val != NULL ? val + strspn(val, " \t") : "";
			bool facility = strcmp(line, "log-facility") == 0 &&
					(strcmp(v, "-") == 0 || strchr(v, '/') == NULL);

			if (!facility &&
			    (!priv_path_under(v, c->state_name) || priv_path_check(c, v) < 0))
				rc = priv_fail(c, EPERM,
					       "dnsmasq conf line %d: %s must be under the state "
					       "directory",
					       lineno, line);
		}
	}
	free(text);
	return rc;
}

/* The pid in pid file 'pidfile' when it names a live dnsmasq started with that
 * pid file, else 0. Never signals a process that is not ours. */
static pid_t dnsmasq_pid(struct priv_ctx *c, const char *pidfile)
{
	char exe[PATH_MAX], proc[64], want[PRIV_PATH_SIZE + 16];
	char *text, *cmd;
	size_t size;
	long pid;
	ssize_t n;
	bool found = false;
	int fd;

	if (priv_path_check(c, pidfile) < 0)
		return -1;
	fd = open(pidfile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0
				       : priv_fail(c, errno, "%s: %s", pidfile, strerror(errno));
	n = read(fd, exe, 31);
	close(fd);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	pid = strtol(exe, NULL, 10);
	if (pid <= 1 || pid > INT_MAX)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/%ld/exe", pid);
	n = readlink(proc, exe, sizeof(exe) - 1);
	if (n < 0)
		return 0;
	exe[n] = '\0';
	if (strcmp(exe, DNSMASQ) != 0)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/%ld/cmdline", pid);
	fd = open(proc, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	text = xmalloc(8192);
	size = 0;
	while (size < 8191 && (n = read(fd, text + size, 8191 - size)) > 0)
		size += (size_t)n;
	close(fd);
	text[size] = '\0';
	snprintf(want, sizeof(want), "--pid-file=%s", pidfile);
	for (cmd = text; cmd < text + size; cmd += strlen(cmd) + 1)
		found = found || strcmp(cmd, want) == 0;
	free(text);
	return found ? (pid_t)pid : 0;
}

/* Waits (2 s at most) until daemon 'pid' sleeps in poll(), its event loop. dnsmasq
 * releases its first process a little before it starts handling signals and ignores a
 * SIGHUP that comes in between: a SIGHUP is sent only after this wait. The start does
 * not wait (it would serialise ~5 ms per dnsmasq in a reconcile of hundreds); a daemon
 * running for a while is in its loop at the first look. */
static void wait_event_loop(pid_t pid)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (int i = 0; i < 2000; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n;
		long nr;

		if (fd < 0)
			return;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return;
		buf[n] = '\0';
		nr = strtol(buf, NULL, 10);
#ifdef SYS_poll
		if (nr == SYS_poll)
			return;
#endif
		if (nr == SYS_ppoll)
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 1000 * 1000 }, NULL);
	}
}

/* ---- starts in flight -------------------------------------------------------------------- */

/* A start answers once dnsmasq is forked, so that the starts of a reconcile run side by
 * side (each takes ~10 ms, mostly waiting, until its first process exits: the daemon is
 * ready or failed). The first process is waited for by the next op naming the same pid
 * file (running, hup, stop, start), which reports a failure; priv_dnsmasq_collect()
 * reaps those that exited before the server's reaper would take their status. The helper
 * is single-threaded: no lock. */
#define PENDING_MAX 64

static struct pending {
	pid_t pid;
	int fd;	     /* read end of its stderr */
	int status;
	bool exited; /* reaped: 'status' holds its wait status */
	char pidfile[PRIV_PATH_SIZE];
} pending[PENDING_MAX];
static int npending;

void priv_dnsmasq_collect(void)
{
	for (int i = 0; i < npending; i++)
		if (!pending[i].exited &&
		    waitpid(pending[i].pid, &pending[i].status, WNOHANG) == pending[i].pid)
			pending[i].exited = true;
}

/* Waits for pending start 'i' and drops it. A failure is set on 'c' (and -1 returned)
 * unless 'quiet': then the next running check of that pid file tells. */
static int pending_finish(struct priv_ctx *c, int i, bool quiet)
{
	struct pending p = pending[i];
	char out[sizeof(c->ans->msg) - 32];
	ssize_t n;

	pending[i] = pending[--npending];
	if (!p.exited) {
		pid_t w;

		while ((w = waitpid(p.pid, &p.status, 0)) < 0 && errno == EINTR)
			;
		if (w < 0)
			p.status = 0; /* reaped elsewhere: the pid file tells */
	}
	fcntl(p.fd, F_SETFL, O_NONBLOCK);
	n = read(p.fd, out, sizeof(out) - 1);
	close(p.fd);
	out[n > 0 ? n : 0] = '\0';
	for (char *q = out; *q != '\0'; q++)
		if (*q == '\n')
			*q = ' ';
	if (quiet || (WIFEXITED(p.status) && WEXITSTATUS(p.status) == 0))
		return 0;
	return priv_fail(c, EIO, "dnsmasq failed (status %d): %s",
			 WIFEXITED(p.status) ? WEXITSTATUS(p.status) : -1, out);
}

/* Waits for the pending start of 'pidfile', if any (see pending_finish). */
static int pending_wait(struct priv_ctx *c, const char *pidfile, bool quiet)
{
	for (int i = 0; i < npending; i++)
		if (strcmp(pending[i].pidfile, pidfile) == 0)
			return pending_finish(c, i, quiet);
	return 0;
}

int priv_op_dnsmasq_start(struct priv_ctx *c, const struct priv_req *r)
{
	char conf_arg[PRIV_PATH_SIZE + 16], pid_arg[PRIV_PATH_SIZE + 16];
	/* --user=root: dnsmasq would drop to nobody, who cannot read the hosts and opts
	 * files inside ciel's 0700 state dir (neither at start nor at SIGHUP) */
	char *argv[] = { DNSMASQ, conf_arg, pid_arg, "--user=root", NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	pid_t pid, running;
	int pipefd[2], nsfd;

	pending_wait(c, r->path2, true);
	if (npending == PENDING_MAX)
		pending_finish(c, 0, true);
	running = dnsmasq_pid(c, r->path2);
	if (running != 0)
		return running < 0 ? -1 : 0;
	if (dnsmasq_check_conf(c, r->path) < 0)
		return -1;
	nsfd = priv_ns_open(c, r->ns);
	if (nsfd < 0)
		return -1;
	snprintf(conf_arg, sizeof(conf_arg), "--conf-file=%s", r->path);
	snprintf(pid_arg, sizeof(pid_arg), "--pid-file=%s", r->path2);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		close(nsfd);
		return priv_fail(c, errno, "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		close(nsfd);
		close(pipefd[0]);
		close(pipefd[1]);
		return priv_fail(c, errno, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		sigset_t none;

		if (null < 0 || setns(nsfd, CLONE_NEWNET) < 0 || setsid() < 0 ||
		    dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(pipefd[1], 2) < 0)
			_exit(127);
		close_range(3, ~0U, 0);
		/* ignored and blocked signals survive execve: dnsmasq gets the defaults */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(DNSMASQ, argv, envp);
		_exit(127);
	}
	close(nsfd);
	close(pipefd[1]);
	pending[npending++] = (struct pending){ .pid = pid, .fd = pipefd[0] };
	snprintf(pending[npending - 1].pidfile, PRIV_PATH_SIZE, "%s", r->path2);
	return 0;
}

int priv_op_dnsmasq_hup(struct priv_ctx *c, const struct priv_req *r)
{
	pid_t pid;

	if (pending_wait(c, r->path2, false) < 0)
		return -1;
	pid = dnsmasq_pid(c, r->path2);

	if (pid < 0)
		return -1;
	if (pid == 0)
		return priv_fail(c, ESRCH, "dnsmasq is not running");
	wait_event_loop(pid);
	if (kill(pid, SIGHUP) < 0)
		return priv_fail(c, errno, "kill: %s", strerror(errno));
	return 0;
}

/* Whether 'pid' exists and is not a zombie. */
static bool dnsmasq_alive(pid_t pid)
{
	char stat[64], buf[256];
	ssize_t n;
	int fd;

	snprintf(stat, sizeof(stat), "/proc/%d/stat", (int)pid);
	fd = open(stat, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, ") Z") == NULL && strstr(buf, ") X") == NULL;
}

int priv_op_dnsmasq_stop(struct priv_ctx *c, const struct priv_req *r)
{
	pid_t pid;

	pending_wait(c, r->path2, true);
	pid = dnsmasq_pid(c, r->path2);

	if (pid < 0)
		return -1;
	if (pid > 0) {
		kill(pid, SIGTERM);
		/* the daemon is our child (we are its subreaper) when we started it; else
		 * it is gone when /proc says so */
		for (int i = 0; i < 200; i++) {
			if (waitpid(pid, NULL, WNOHANG) == pid || !dnsmasq_alive(pid))
				break;
			nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
		}
		if (dnsmasq_alive(pid) && dnsmasq_pid(c, r->path2) == pid) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	}
	if (unlink(r->path2) < 0 && errno != ENOENT)
		return priv_fail(c, errno, "%s: %s", r->path2, strerror(errno));
	return 0;
}

int priv_op_dnsmasq_running(struct priv_ctx *c, const struct priv_req *r)
{
	pid_t pid;

	if (pending_wait(c, r->path2, false) < 0)
		return -1;
	pid = dnsmasq_pid(c, r->path2);

	if (pid < 0)
		return -1;
	c->ans->num[0] = pid > 0;
	return 0;
}
