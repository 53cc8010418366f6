// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr run's guest image. The guest has no disk: everything the command
 * needs is in the initramfs, so it carries a shell and the usual tools
 * (busybox and its applets) besides init, and whatever the user adds.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_image.h"

/* The applet list of a full busybox is about 4 KiB; this is plenty. */
#define APPLET_LIST_MAX		(256 * 1024)

__attribute__((format(printf, 4, 5)))
static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

int run_image__parse_include(const char *arg, struct run_include *inc,
			     char *err, size_t errlen)
{
	const char *colon = strrchr(arg, ':');
	char *host, real[PATH_MAX];
	struct stat st;

	inc->host = NULL;
	inc->guest = NULL;
	/* The last ':' splits, so that a host path may hold one. */
	host = colon ? strndup(arg, colon - arg) : strdup(arg);
	if (!host)
		return fail(err, errlen, -ENOMEM, "out of memory");
	if (!*host) {
		free(host);
		return fail(err, errlen, -EINVAL, "--include %s: no host path", arg);
	}
	if (stat(host, &st)) {
		int ret = -errno;

		fail(err, errlen, ret, "--include %s: %s: %s", arg, host,
		     strerror(-ret));
		free(host);
		return ret;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		fail(err, errlen, -EINVAL,
		     "--include %s: %s is neither a regular file nor a directory",
		     arg, host);
		free(host);
		return -EINVAL;
	}
	if (colon) {
		if (colon[1] != '/') {
			fail(err, errlen, -EINVAL,
			     "--include %s: the guest path \"%s\" must be absolute",
			     arg, colon + 1);
			free(host);
			return -EINVAL;
		}
		inc->guest = strdup(colon + 1);
	} else {
		/* By default, where it is on the host. */
		if (!realpath(host, real)) {
			int ret = -errno;

			fail(err, errlen, ret, "--include %s: %s", arg, strerror(-ret));
			free(host);
			return ret;
		}
		inc->guest = strdup(real);
	}
	if (!inc->guest) {
		free(host);
		return fail(err, errlen, -ENOMEM, "out of memory");
	}
	if (!strcmp(inc->guest, "/") && !S_ISDIR(st.st_mode)) {
		fail(err, errlen, -EINVAL, "--include %s: a file cannot be the guest's /", arg);
		free(host);
		free(inc->guest);
		inc->guest = NULL;
		return -EINVAL;
	}
	inc->host = host;
	return 0;
}

static bool has_guest_programs(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/ktstr-init", dir);
	if (access(p, X_OK))
		return false;
	snprintf(p, sizeof(p), "%s/ktstr-guest", dir);
	return !access(p, X_OK);
}

int run_image__guest_dir(char *dir, size_t len, char *err, size_t errlen)
{
	const char *env = getenv(KTSTR_GUEST_DIR_ENV);
	char exe[PATH_MAX], *slash, tried[2][PATH_MAX + 32];
	ssize_t n;

	if (env && *env) {
		if (!has_guest_programs(env))
			return fail(err, errlen, -ENOENT,
				    "%s=%s holds no executable ktstr-init and ktstr-guest",
				    KTSTR_GUEST_DIR_ENV, env);
		snprintf(dir, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return fail(err, errlen, -errno,
			    "cannot find this program through /proc/self/exe: %s (set %s)",
			    strerror(errno), KTSTR_GUEST_DIR_ENV);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	/* An installed or staged ktstr, then the build tree's user/build/ktstr. */
	snprintf(tried[0], sizeof(tried[0]), "%s", exe);
	snprintf(tried[1], sizeof(tried[1]), "%s/../../guest/build", exe);
	for (int i = 0; i < 2; i++) {
		if (has_guest_programs(tried[i])) {
			snprintf(dir, len, "%s", tried[i]);
			return 0;
		}
	}
	return fail(err, errlen, -ENOENT,
		    "cannot find ktstr-init and ktstr-guest in %s nor in %s: build them with 'make -C guest' or set %s",
		    tried[0], tried[1], KTSTR_GUEST_DIR_ENV);
}

int run_image__check_busybox(const char *path, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, -errno,
			    "busybox %s: %s (install busybox-static, or set %s)",
			    path, strerror(errno), KTSTR_BUSYBOX_ENV);
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
		ret = fail(err, errlen, -ENOEXEC, "busybox %s: not an x86_64 ELF program",
			   path);
		goto out;
	}
	/* A dynamically linked program names its loader in PT_INTERP. */
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i * eh.e_phentsize) !=
		    sizeof(ph)) {
			ret = fail(err, errlen, -ENOEXEC,
				   "busybox %s: truncated program headers", path);
			goto out;
		}
		if (ph.p_type == PT_INTERP) {
			ret = fail(err, errlen, -ENOEXEC,
				   "busybox %s is dynamically linked, and the guest has no C library: install busybox-static, or set %s to a static busybox",
				   path, KTSTR_BUSYBOX_ENV);
			goto out;
		}
	}
out:
	close(fd);
	return ret;
}

/* "busybox --list-full": one applet path per line, without the leading '/'. */
static int list_applets(const char *busybox, char **out, char *err,
			size_t errlen)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap);
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	if (!buf)
		return fail(err, errlen, -ENOMEM, "out of memory");
	if (pipe2(pfd, O_CLOEXEC)) {
		free(buf);
		return fail(err, errlen, -errno, "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		free(buf);
		close(pfd[0]);
		close(pfd[1]);
		return fail(err, errlen, -errno, "fork: %s", strerror(errno));
	}
	if (!pid) {
		dup2(pfd[1], STDOUT_FILENO);
		execl(busybox, "busybox", "--list-full", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		if (len + 1 == cap) {
			char *p = cap < APPLET_LIST_MAX ? realloc(buf, cap * 2) : NULL;

			if (!p)
				break;	/* reported below as a bad list */
			buf = p;
			cap *= 2;
		}
		n = read(pfd[0], buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(pfd[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !len || len + 1 == cap) {
		free(buf);
		return fail(err, errlen, -EIO,
			    "busybox %s --list-full did not list its applets", busybox);
	}
	*out = buf;
	return 0;
}

static int add_applets(struct ktstr_initramfs *ir, const char *busybox,
		       char *err, size_t errlen)
{
	char *list = NULL, *line, *save = NULL, path[PATH_MAX];
	int ret;

	ret = list_applets(busybox, &list, err, errlen);
	if (ret)
		return ret;
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (*line == '/')
			line++;
		/* linuxrc is busybox's init for initrds: ours is /init. */
		if (!*line || !strcmp(line, "linuxrc"))
			continue;
		snprintf(path, sizeof(path), "/%s", line);
		ret = ktstr_initramfs__add_symlink(ir, path, "/bin/busybox");
		/* What the user put there wins over an applet. */
		if (ret == -EEXIST)
			continue;
		if (ret) {
			fail(err, errlen, ret, "busybox applet %s: %s", path,
			     ktstr_initramfs__error(ir));
			break;
		}
	}
	free(list);
	return ret == -EEXIST ? 0 : ret;
}

static int add_tree(struct ktstr_initramfs *ir, const char *host,
		    const char *guest, bool top, char *err, size_t errlen)
{
	char target[PATH_MAX], hpath[PATH_MAX], gpath[PATH_MAX];
	struct dirent **ents;
	struct stat st;
	int n, ret = 0;
	ssize_t len;

	/* The named path is followed; links inside a directory are kept. */
	if ((top ? stat(host, &st) : lstat(host, &st)))
		return fail(err, errlen, -errno, "--include %s: %s", host,
			    strerror(errno));
	if (S_ISREG(st.st_mode)) {
		ret = ktstr_initramfs__add_host_file(ir, guest, KTSTR_INITRAMFS_HOST_MODE,
						     host);
	} else if (S_ISLNK(st.st_mode)) {
		len = readlink(host, target, sizeof(target) - 1);
		if (len < 0)
			return fail(err, errlen, -errno, "--include %s: %s", host,
				    strerror(errno));
		target[len] = '\0';
		ret = ktstr_initramfs__add_symlink(ir, guest, target);
	} else if (S_ISDIR(st.st_mode)) {
		if (strcmp(guest, "/")) {
			ret = ktstr_initramfs__add_dir(ir, guest, st.st_mode & 07777);
			if (ret)
				goto out;
		}
		/* Sorted: the same tree always gives the same archive. */
		n = scandir(host, &ents, NULL, alphasort);
		if (n < 0)
			return fail(err, errlen, -errno, "--include %s: %s", host,
				    strerror(errno));
		for (int i = 0; i < n; i++) {
			const char *name = ents[i]->d_name;

			if (!ret && strcmp(name, ".") && strcmp(name, "..")) {
				if (snprintf(hpath, sizeof(hpath), "%s/%s", host, name) >=
				    (int)sizeof(hpath) ||
				    snprintf(gpath, sizeof(gpath), "%s/%s",
					     strcmp(guest, "/") ? guest : "", name) >=
				    (int)sizeof(gpath))
					ret = fail(err, errlen, -ENAMETOOLONG,
						   "--include %s/%s: path too long", host, name);
				else
					ret = add_tree(ir, hpath, gpath, false, err, errlen);
			}
			free(ents[i]);
		}
		free(ents);
		return ret;
	} else {
		return fail(err, errlen, -EINVAL,
			    "--include %s: not a regular file, directory or symbolic link",
			    host);
	}
out:
	if (ret)
		fail(err, errlen, ret, "--include %s: %s", host,
		     ktstr_initramfs__error(ir));
	return ret;
}

/* One of ours; a clash means an --include took its place. */
static int add_own(struct ktstr_initramfs *ir, const char *path,
		   const char *host, char *err, size_t errlen)
{
	int ret = ktstr_initramfs__add_host_file(ir, path, 0755, host);

	if (ret == -EEXIST)
		return fail(err, errlen, ret,
			    "--include cannot replace %s: ktstr run puts %s there", path,
			    host);
	if (ret)
		return fail(err, errlen, ret, "%s", ktstr_initramfs__error(ir));
	return 0;
}

int run_image__build(struct ktstr_initramfs *ir, const char *guest_dir,
		     const char *busybox, const struct run_include *incs,
		     size_t nr_incs, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int ret;

	for (size_t i = 0; i < nr_incs; i++) {
		ret = add_tree(ir, incs[i].host, incs[i].guest, true, err, errlen);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), "%s/ktstr-init", guest_dir);
	ret = add_own(ir, "/init", path, err, errlen);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/ktstr-guest", guest_dir);
	ret = add_own(ir, "/bin/ktstr-guest", path, err, errlen);
	if (ret)
		return ret;
	ret = add_own(ir, "/bin/busybox", busybox, err, errlen);
	if (ret)
		return ret;
	/* The kernel opens it for init's stdio before devtmpfs is mounted. */
	ret = ktstr_initramfs__add_node(ir, "/dev/console", S_IFCHR | 0600, 5, 1);
	if (ret && ret != -EEXIST)
		return fail(err, errlen, ret, "%s", ktstr_initramfs__error(ir));
	return add_applets(ir, busybox, err, errlen);
}
