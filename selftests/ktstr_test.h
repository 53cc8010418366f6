/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the tests: where the test program is, and (for the
 * VM tier) loading ktstr.ko from beside it and checking on it.
 */
#ifndef KTSTR_TEST_H
#define KTSTR_TEST_H

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KTSTR_KO_PATH	"./ktstr.ko"
#define KTSTR_DEV	"/dev/ktstr"

/*
 * The directory of the running test program into @dir (@len bytes),
 * where the files built beside it are; "." when /proc/self/exe cannot
 * be read.
 */
static inline void ktstr_test_dir(char *dir, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", dir, len - 1);
	char *d;

	if (n <= 0) {
		strcpy(dir, ".");
		return;
	}
	dir[n] = '\0';
	d = dirname(dir);
	memmove(dir, d, strlen(d) + 1);
}

static inline int ktstr_module_loaded(void)
{
	return access("/sys/module/ktstr", F_OK) == 0;
}

/* 0, or -errno from finit_module(2); -EEXIST when already loaded. */
static inline int ktstr_module_load(void)
{
	int fd = open(KTSTR_KO_PATH, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

static inline int ktstr_module_unload(void)
{
	return syscall(SYS_delete_module, "ktstr", O_NONBLOCK) ? -errno : 0;
}

static inline int ktstr_module_refcnt(void)
{
	FILE *f = fopen("/sys/module/ktstr/refcnt", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/*
 * True when this kernel runs under QEMU's TCG (hypervisor CPUID leaf
 * "TCGTCGTCGTCG"). There, a nested guest's hardware breakpoints never fire,
 * and a nested guest with them armed can wedge the whole machine, so tests
 * must not even try.
 */
static inline int ktstr_under_tcg(void)
{
	unsigned int a, b, c, d;
	char sig[13];

	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return 0;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	return !strcmp(sig, "TCGTCGTCGTCG");
}

/* Load ktstr.ko unless it is loaded, or SKIP where modules cannot load. */
#define KTSTR_ENSURE_LOADED() do {					\
	int __r = ktstr_module_load();					\
	if (__r == -EPERM || __r == -ENOSYS)				\
		SKIP(return, "cannot load modules: %s", strerror(-__r));\
	ASSERT_TRUE(__r == 0 || __r == -EEXIST) {			\
		TH_LOG("finit_module(%s): %s", KTSTR_KO_PATH,		\
		       strerror(-__r));					\
	}								\
} while (0)

#endif /* KTSTR_TEST_H */
