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
#include <unistd.h>

#include <linux/ktstr.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

TEST(load_open_unload)
{
	struct stat st;
	int fd;

	if (ktstr_module_loaded())
		ASSERT_EQ(0, ktstr_module_unload());
	ASSERT_NE(0, access(KTSTR_DEV, F_OK));

	KTSTR_ENSURE_LOADED();
	ASSERT_EQ(0, stat(KTSTR_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, ktstr_module_refcnt());

	/* An open session pins the module. */
	fd = open(KTSTR_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, ktstr_module_refcnt());
	EXPECT_EQ(-EWOULDBLOCK, ktstr_module_unload());
	close(fd);
	EXPECT_EQ(0, ktstr_module_refcnt());

	ASSERT_EQ(0, ktstr_module_unload());
	EXPECT_NE(0, access(KTSTR_DEV, F_OK));
	EXPECT_FALSE(ktstr_module_loaded());

	/* And it comes back. */
	ASSERT_EQ(0, ktstr_module_load());
	EXPECT_EQ(-EEXIST, ktstr_module_load());
	ASSERT_EQ(0, access(KTSTR_DEV, F_OK));
}

TEST(sessions_released_at_exit)
{
	int fds[64];

	KTSTR_ENSURE_LOADED();
	for (int i = 0; i < 64; i++) {
		fds[i] = open(KTSTR_DEV, O_RDWR);
		ASSERT_LE(0, fds[i]);
	}
	EXPECT_EQ(64, ktstr_module_refcnt());
	for (int i = 0; i < 64; i += 2)
		close(fds[i]);
	EXPECT_EQ(32, ktstr_module_refcnt());
	/* The rest are closed by the harness child's exit; checked below. */
}

TEST(no_session_leaked_by_earlier_tests)
{
	KTSTR_ENSURE_LOADED();
	EXPECT_EQ(0, ktstr_module_refcnt());
	EXPECT_EQ(0, ktstr_module_unload());
	EXPECT_EQ(0, ktstr_module_load());
}

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	KTSTR_ENSURE_LOADED();
	self->fd = open(KTSTR_DEV, O_RDWR | O_CLOEXEC);
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
	/* read() needs a doorbell's ring; there is none yet. */
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, &c, 1));
	EXPECT_EQ(ENODEV, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, &c, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST(cli_reports_the_module)
{
	char line[256], all[1024] = "";
	FILE *p;

	KTSTR_ENSURE_LOADED();
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
