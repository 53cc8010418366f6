// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr-init: PID 1 of a ktstr guest.
 *
 * Mounts the filesystems a scheduler test needs, runs the command given
 * after "--" on the kernel command line (the kernel passes it as our
 * argv), reaps every orphan while it runs, prints the command's outcome
 * on the console as "KTSTR_INIT_EXIT=<status>" and powers the machine
 * off. The VMM turns a guest that never prints that line into an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

static int mount_all(void)
{
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		const struct guest_mount *m = &mounts[i];

		if (mkdir(m->dir, 0755) && errno != EEXIST) {
			say("mkdir %s: %s", m->dir, strerror(errno));
			if (m->required)
				return -1;
			continue;
		}
		if (mount(m->src, m->dir, m->type, 0, NULL) && errno != EBUSY) {
			say("mount %s: %s", m->dir, strerror(errno));
			if (m->required)
				return -1;
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

static int run(char **argv)
{
	pid_t child, pid;
	int status;

	child = fork();
	if (child < 0) {
		say("fork: %s", strerror(errno));
		return 127;
	}
	if (child == 0) {
		setsid();
		execvp(argv[0], argv);
		say("exec %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	/* As PID 1, reap every orphan until the command itself is done. */
	for (;;) {
		pid = wait(&status);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0) {
			say("wait: %s", strerror(errno));
			return 127;
		}
		if (pid == child)
			break;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	say("%s killed by signal %d", argv[0], WTERMSIG(status));
	return 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	int status;

	if (getpid() != 1) {
		fprintf(stderr, "ktstr-init: must run as PID 1 of a guest\n");
		return 2;
	}
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/", 1);
	if (mount_all()) {
		status = 126;
	} else {
		console_stdio();
		dev_links();
		if (argc < 2) {
			say("no command: append \"-- CMD ARGS\" to the kernel command line");
			status = 127;
		} else {
			status = run(argv + 1);
		}
	}
	printf("KTSTR_INIT_EXIT=%d\n", status);
	fflush(stdout);
	power_off();
	return 0;
}
