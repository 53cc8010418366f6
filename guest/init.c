// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr-init: PID 1 of a ktstr guest.
 *
 * Mounts the filesystems a scheduler test needs, runs the command given
 * after "--" on the kernel command line (the kernel passes it as our
 * argv) or, without one, /ktstr/run from the initramfs, reaps every
 * orphan while it runs, prints the command's outcome on the console as
 * "KTSTR_INIT_EXIT=<status>" and powers the machine off. The VMM turns a
 * guest that never prints that line into an error.
 *
 * With "ktstr.wire=1" on the kernel command line (ktstr's own VMM sets
 * it), the outcome also goes over the wire, as an exit record and the
 * exit doorbell: the VMM learns it without parsing the console. Other
 * hosts (QEMU) have no wire, and must not be sent to one.
 *
 * With "ktstr.capture=TAG" as well (ktstr run --capture TAG), init asks
 * the host for a capture under TAG once the command is done, whatever
 * its outcome, and before the exit record. A capture that fails turns
 * the outcome into an init error: a run that asked for a dump must not
 * look successful without one.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cmdline.h"
#include "doorbell.h"
#include "exit_report.h"
#include "wire.h"

/* The program that runs when the command line names none. */
#define KTSTR_RUN_PATH		"/ktstr/run"
/* The kernel parameter asking for a capture after the command. */
#define KTSTR_CAPTURE_PARAM	"ktstr.capture"
/*
 * The host freezes the guest and walks its memory for a capture: nested
 * under TCG that takes seconds, so wait longer than ktstr-guest does.
 */
#define KTSTR_INIT_CAPTURE_TIMEOUT_MS	60000

struct guest_mount {
	const char *src, *dir, *type;
	int required;
};

static const struct guest_mount mounts[] = {
	{ "proc", "/proc", "proc", 1 },
	{ "sysfs", "/sys", "sysfs", 1 },
	{ "devtmpfs", "/dev", "devtmpfs", 1 },
	{ "tmpfs", "/tmp", "tmpfs", 0 },
	{ "tmpfs", "/run", "tmpfs", 0 },
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2", 0 },
	{ "debugfs", "/sys/kernel/debug", "debugfs", 0 },
	{ "tracefs", "/sys/kernel/tracing", "tracefs", 0 },
	{ "bpf", "/sys/fs/bpf", "bpf", 0 },
};

__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ktstr-init: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/*
 * How the command ended: the console status (the exit status, 128 + the
 * signal, or 126/127 when init failed) and the wire's view of it.
 */
struct outcome {
	int status;
	enum ktstr_wire_exit_how how;
	int value;
};

static void init_error(struct outcome *o, int status, int err)
{
	o->status = status;
	o->how = KTSTR_EXIT_INIT_ERROR;
	o->value = err;
}

/* 0 or the negative errno of the first required mount that failed. */
static int mount_all(void)
{
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		const struct guest_mount *m = &mounts[i];
		int err;

		if (mkdir(m->dir, 0755) && errno != EEXIST) {
			err = errno;
			say("mkdir %s: %s", m->dir, strerror(err));
			if (m->required)
				return -err;
			continue;
		}
		if (mount(m->src, m->dir, m->type, 0, NULL) && errno != EBUSY) {
			err = errno;
			say("mount %s: %s", m->dir, strerror(err));
			if (m->required)
				return -err;
		}
	}
	return 0;
}

/*
 * devtmpfs has device nodes only; shells and the kselftest runner also
 * expect the /dev/fd and /dev/std* links that init systems create.
 */
static void dev_links(void)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
	};

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) && errno != EEXIST)
			say("symlink %s: %s", links[i][1], strerror(errno));
}

/*
 * An initramfs built without root has no /dev/console node, so the kernel
 * may have started us without stdio: take the console from devtmpfs.
 */
static void console_stdio(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* Returning from PID 1 panics; wait for the end instead. */
	for (;;)
		pause();
}

/*
 * The child's exec error, through a close-on-exec pipe: EOF means the
 * exec worked, 4 bytes are its errno. Without it, a command that cannot
 * be run would look like one that exited 127.
 */
static int exec_errno(int fd)
{
	int err;
	ssize_t n;

	do {
		n = read(fd, &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	return n == sizeof(err) ? err : 0;
}

static void run(char **argv, struct outcome *o)
{
	int status, pfd[2], err;
	pid_t child, pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		err = errno;
		say("pipe: %s", strerror(err));
		init_error(o, 127, err);
		return;
	}
	child = fork();
	if (child < 0) {
		err = errno;
		say("fork: %s", strerror(err));
		close(pfd[0]);
		close(pfd[1]);
		init_error(o, 127, err);
		return;
	}
	if (child == 0) {
		close(pfd[0]);
		setsid();
		execvp(argv[0], argv);
		err = errno;
		say("exec %s: %s", argv[0], strerror(err));
		/* If even this fails, the parent sees a plain exit 127. */
		if (write(pfd[1], &err, sizeof(err)) != sizeof(err))
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	err = exec_errno(pfd[0]);
	close(pfd[0]);
	/* As PID 1, reap every orphan until the command itself is done. */
	for (;;) {
		pid = wait(&status);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0) {
			err = errno;
			say("wait: %s", strerror(err));
			init_error(o, 127, err);
			return;
		}
		if (pid == child)
			break;
	}
	if (err) {
		init_error(o, 127, err);
	} else if (WIFEXITED(status)) {
		o->status = WEXITSTATUS(status);
		o->how = KTSTR_EXIT_CODE;
		o->value = o->status;
	} else {
		say("%s killed by signal %d", argv[0], WTERMSIG(status));
		o->status = 128 + WTERMSIG(status);
		o->how = KTSTR_EXIT_SIGNAL;
		o->value = WTERMSIG(status);
	}
}

/*
 * "--" on the kernel command line, else /ktstr/run, else nothing.
 *
 * The kernel puts the words it did not recognise before those after
 * "--" in our argv, so the command is the last @nr_args words: a stray
 * word in the kernel's part must not become the command.
 */
static void run_command(int argc, char **argv, int nr_args,
			struct outcome *o)
{
	static char run_path[] = KTSTR_RUN_PATH;
	char *run_argv[] = { run_path, NULL };

	/*
	 * Silently: "nokaslr", handled by the decompressor only, is one of
	 * those words on every boot of a KASLR kernel.
	 */
	if (nr_args > argc - 1)
		nr_args = argc - 1;
	if (nr_args > 0) {
		run(argv + argc - nr_args, o);
	} else if (!access(KTSTR_RUN_PATH, F_OK)) {
		run(run_argv, o);
	} else {
		say("no command: append \"-- CMD ARGS\" to the kernel command line or add "
		    KTSTR_RUN_PATH " to the initramfs");
		init_error(o, 127, ENOENT);
	}
}

/* What init takes from its kernel command line. */
struct init_params {
	bool wire;
	int nr_args;		/* words after "--" */
	char capture[KTSTR_TAG_MAX + 1];	/* "" for no capture */
	int capture_err;	/* a bad ktstr.capture= (negative errno) */
};

static void read_params(int argc, struct init_params *p)
{
	char cmdline[4096];
	int ret = ktstr_cmdline__read(NULL, cmdline, sizeof(cmdline));

	memset(p, 0, sizeof(*p));
	if (ret && ret != -E2BIG) {
		say("cannot read /proc/cmdline: %s", strerror(-ret));
		/* Without it, trust the kernel to have passed only "--" words. */
		p->nr_args = argc - 1;
		return;
	}
	p->wire = ktstr_cmdline__has_word(cmdline, KTSTR_WIRE_CMDLINE);
	p->nr_args = ktstr_cmdline__nr_init_args(cmdline);
	ret = ktstr_cmdline__value(cmdline, KTSTR_CAPTURE_PARAM, p->capture,
				   sizeof(p->capture));
	if (ret == -E2BIG) {
		say("%s= is longer than a tag may be (%d bytes)",
		    KTSTR_CAPTURE_PARAM, KTSTR_TAG_MAX);
		p->capture_err = -ENAMETOOLONG;
	} else if (!ret && ktstr_doorbell__tag_check(p->capture, NULL)) {
		say("%s=%s: not a tag (1..%d printable ASCII characters)",
		    KTSTR_CAPTURE_PARAM, p->capture, KTSTR_TAG_MAX);
		p->capture_err = -EINVAL;
	}
}

/*
 * Ask the host for the capture and wait for its answer. Any failure
 * becomes the run's outcome: the console line says what the command did.
 */
static void ring_capture(const struct init_params *p, struct outcome *o)
{
	struct ktstr_wire w;
	int ret, status = 0;

	if (p->capture_err) {
		ret = p->capture_err;
		goto fail;
	}
	ret = ktstr_wire__map(&w);
	if (ret) {
		say("capture %s: cannot map the wire at %#llx through %s: %s",
		    p->capture, KTSTR_WIRE_SHM_GPA, w.path, strerror(-ret));
		goto fail;
	}
	ret = ktstr_doorbell__capture(&w, p->capture,
				      KTSTR_INIT_CAPTURE_TIMEOUT_MS, &status);
	ktstr_wire__unmap(&w);
	if (ret == -ETIMEDOUT) {
		say("capture %s: no reply from the host within %d ms", p->capture,
		    KTSTR_INIT_CAPTURE_TIMEOUT_MS);
		goto fail;
	}
	if (ret) {
		say("capture %s: %s", p->capture, strerror(-ret));
		goto fail;
	}
	if (status) {
		ret = status < 0 ? status : -EPROTO;
		say("capture %s: the host failed it: %s", p->capture,
		    status < 0 ? strerror(-status) : "a positive reply status");
		goto fail;
	}
	return;
fail:
	say("capture %s failed after the command %s %d", p->capture,
	    o->how == KTSTR_EXIT_SIGNAL ? "was killed by signal" :
	    o->how == KTSTR_EXIT_CODE ? "exited" : "could not run, errno",
	    o->value);
	/* An exec failure stays what it was; anything else is now this. */
	if (o->how != KTSTR_EXIT_INIT_ERROR)
		init_error(o, 126, -ret);
}

static void wire_report(const struct outcome *o)
{
	const char *path = "/dev/mem";
	int ret;

	/*
	 * The VMM may stop the guest as soon as the exit doorbell rings:
	 * let the console line above leave the UART first.
	 */
	tcdrain(STDOUT_FILENO);
	ret = ktstr_exit__report(o->how, o->value, &path);
	if (ret)
		say("cannot report the exit over the wire: map %#llx of %s: %s",
		    KTSTR_WIRE_SHM_GPA, path, strerror(-ret));
}

int main(int argc, char **argv)
{
	struct init_params params;
	struct outcome o;
	int ret;

	if (getpid() != 1) {
		fprintf(stderr, "ktstr-init: must run as PID 1 of a guest\n");
		return 2;
	}
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/", 1);
	ret = mount_all();
	console_stdio();
	/* Even with a mount missing, /proc may be there to ask. */
	read_params(argc, &params);
	if (ret) {
		init_error(&o, 126, -ret);
	} else {
		dev_links();
		run_command(argc, argv, params.nr_args, &o);
	}
	if (params.capture[0] || params.capture_err)
		ring_capture(&params, &o);
	printf("KTSTR_INIT_EXIT=%d\n", o.status);
	fflush(stdout);
	if (params.wire)
		wire_report(&o);
	power_off();
	return 0;
}
