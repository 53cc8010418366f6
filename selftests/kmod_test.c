// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr.ko: load and unload, the /dev/ktstr node, sessions and the version
 * ioctl, including every way a caller can get its arguments wrong. Needs
 * root and module loading (the VM tier provides both); ktstr.ko is taken
 * from beside this program.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ktstr.h>

#include "kselftest_harness.h"

#define KO_PATH	"./ktstr.ko"
#define DEV	"/dev/ktstr"

static int module_loaded(void)
{
	return access("/sys/module/ktstr", F_OK) == 0;
}

/* 0, or -errno from finit_module(2); -EEXIST when already loaded. */
static int module_load(void)
{
	int fd = open(KO_PATH, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

static int module_unload(void)
{
	return syscall(SYS_delete_module, "ktstr", O_NONBLOCK) ? -errno : 0;
}

static int module_refcnt(void)
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

/* Load ktstr.ko unless it is loaded, or SKIP where modules cannot load. */
#define ENSURE_LOADED() do {						\
	int __r = module_load();					\
	if (__r == -EPERM || __r == -ENOSYS)				\
		SKIP(return, "cannot load modules: %s", strerror(-__r));\
	ASSERT_TRUE(__r == 0 || __r == -EEXIST) {			\
		TH_LOG("finit_module(%s): %s", KO_PATH, strerror(-__r));\
	}								\
} while (0)

TEST(load_open_unload)
{
	struct stat st;
	int fd;

	if (module_loaded())
		ASSERT_EQ(0, module_unload());
	ASSERT_NE(0, access(DEV, F_OK));

	ENSURE_LOADED();
	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, module_refcnt());

	/* An open session pins the module. */
	fd = open(DEV, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, module_refcnt());
	EXPECT_EQ(-EWOULDBLOCK, module_unload());
	close(fd);
	EXPECT_EQ(0, module_refcnt());

	ASSERT_EQ(0, module_unload());
	EXPECT_NE(0, access(DEV, F_OK));
	EXPECT_FALSE(module_loaded());

	/* And it comes back. */
	ASSERT_EQ(0, module_load());
	EXPECT_EQ(-EEXIST, module_load());
	ASSERT_EQ(0, access(DEV, F_OK));
}

TEST(sessions_released_at_exit)
{
	int fds[64];

	ENSURE_LOADED();
	for (int i = 0; i < 64; i++) {
		fds[i] = open(DEV, O_RDWR);
		ASSERT_LE(0, fds[i]);
	}
	EXPECT_EQ(64, module_refcnt());
	for (int i = 0; i < 64; i += 2)
		close(fds[i]);
	EXPECT_EQ(32, module_refcnt());
	/* The rest are closed by the harness child's exit; checked below. */
}

TEST(no_session_leaked_by_earlier_tests)
{
	ENSURE_LOADED();
	EXPECT_EQ(0, module_refcnt());
	EXPECT_EQ(0, module_unload());
	EXPECT_EQ(0, module_load());
}

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	ENSURE_LOADED();
	self->fd = open(DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, version)
{
	struct ktstr_version v;

	memset(&v, 0xa5, sizeof(v));
	v.size = sizeof(v);
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_VERSION, &v));
	EXPECT_EQ(sizeof(v), v.size);
	EXPECT_EQ(KTSTR_ABI_MAJOR, v.abi_major);
	EXPECT_EQ(KTSTR_ABI_MINOR, v.abi_minor);
	EXPECT_EQ(0, v.pad);
	EXPECT_EQ(KTSTR_FEATURES_ALL, v.features);
}

TEST_F(dev, version_from_a_newer_caller)
{
	unsigned char buf[64];
	struct ktstr_version *v = (void *)buf;

	memset(buf, 0xa5, sizeof(buf));
	v->size = sizeof(buf);
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_VERSION, buf));
	EXPECT_EQ(sizeof(struct ktstr_version), v->size);
	EXPECT_EQ(KTSTR_ABI_MAJOR, v->abi_major);
	/* The tail the module does not know is left alone. */
	for (size_t i = sizeof(*v); i < sizeof(buf); i++)
		ASSERT_EQ(0xa5, buf[i]);
}

TEST_F(dev, version_size_too_small)
{
	struct ktstr_version v = { 0 };
	const __u32 sizes[] = { 0, 4, KTSTR_VERSION_SIZE_VER0 - 1 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		v.size = sizes[i];
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_VERSION, &v));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(0, v.abi_major);
	}
}

TEST_F(dev, version_bad_pointers)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct ktstr_version *ro;
	void *none;

	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);

	none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_VERSION, none));
	EXPECT_EQ(EFAULT, errno);
	munmap(none, pg);

	/* Readable size, unwritable result. */
	ro = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ro->size = sizeof(*ro);
	ASSERT_EQ(0, mprotect(ro, pg, PROT_READ));
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_VERSION, ro));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, pg);

	/* A struct that runs off the end of the mapping. */
	ro = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, munmap((char *)ro + pg, pg));
	ro = (void *)((char *)ro + pg - 8);
	ro->size = sizeof(*ro);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_VERSION, ro));
	EXPECT_EQ(EFAULT, errno);
	munmap((char *)ro - pg + 8, pg);
}

TEST_F(dev, unknown_ioctls)
{
	char buf[64] = { 0 };
	const unsigned long cmds[] = {
		_IO(KTSTR_IOC_MAGIC, 0x7f),
		_IOWR(KTSTR_IOC_MAGIC, 0x00, char[16]),	/* right nr, wrong size */
		_IOR(KTSTR_IOC_MAGIC, 0x00, struct ktstr_version), /* wrong dir */
		_IOWR('k', 0x00, struct ktstr_version),	/* wrong magic */
		0,
		~0ul,
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], buf));
		EXPECT_EQ(ENOTTY, errno) {
			TH_LOG("cmd %#lx", cmds[i]);
		}
	}
}

TEST_F(dev, not_a_stream)
{
	char c;

	errno = 0;
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, &c, 1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, &c, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST(cli_reports_the_module)
{
	char line[256], all[1024] = "";
	FILE *p;

	ENSURE_LOADED();
	p = popen("./ktstr version 2>&1", "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p))
		strncat(all, line, sizeof(all) - strlen(all) - 1);
	EXPECT_EQ(0, pclose(p));
	EXPECT_NE(NULL, strstr(all, "ktstr.ko ABI 1.")) {
		TH_LOG("ktstr version said: %s", all);
	}
}

TEST_HARNESS_MAIN
