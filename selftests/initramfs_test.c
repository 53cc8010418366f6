// SPDX-License-Identifier: GPL-2.0
/*
 * The in-memory initramfs builder (ktstr/initramfs.h), checked against an
 * independent reader, GNU cpio: archives are unpacked with `cpio -i` and
 * listed with `cpio -t -v`, and every name, type, mode, symlink target and
 * byte of content compared with what was added. Then every way to misuse
 * the API, each of which must fail with its errno and a message, and
 * leave the archive as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <ktstr/initramfs.h>

#include "kselftest_harness.h"

/* ---- helpers ----------------------------------------------------------- */

static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n = -1;

	if (fd < 0)
		return -1;
	if (len)
		n = write(fd, data, len);
	close(fd);
	return len && n != (ssize_t)len ? -1 : 0;
}

/* The whole of @path, or NULL; its length in *@len. */
static char *read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

/* Output of the shell command @cmd (stdout only), or NULL. */
static char *run_out(const char *cmd)
{
	size_t len = 0, cap = 4096;
	char *out = malloc(cap);
	FILE *f = popen(cmd, "r");
	size_t n;

	if (!f || !out) {
		free(out);
		if (f)
			pclose(f);
		return NULL;
	}
	while ((n = fread(out + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			out = realloc(out, cap);
			if (!out)
				break;
		}
	}
	if (pclose(f) != 0) {
		free(out);
		return NULL;
	}
	if (out)
		out[len] = '\0';
	return out;
}

FIXTURE(ir) {
	struct ktstr_initramfs *ir;
	char dir[64];		/* scratch: the archive and what cpio unpacks */
	char archive[96];
	char root[96];
};

FIXTURE_SETUP(ir)
{
	if (system("cpio --version >/dev/null 2>&1"))
		SKIP(return, "GNU cpio is not installed (make deps)");
	self->ir = ktstr_initramfs__new();
	ASSERT_NE(NULL, self->ir);
	strcpy(self->dir, "/tmp/initramfs_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->archive, sizeof(self->archive), "%s/archive.cpio", self->dir);
	snprintf(self->root, sizeof(self->root), "%s/root", self->dir);
	ASSERT_EQ(0, mkdir(self->root, 0700));
}

FIXTURE_TEARDOWN(ir)
{
	char cmd[128];

	ktstr_initramfs__free(self->ir);
	if (self->dir[0] == '/') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
		if (system(cmd))
			TH_LOG("cannot remove %s", self->dir);
	}
}

/* Finish the archive and write it to self->archive. */
static int save(struct __test_metadata *_metadata, FIXTURE_DATA(ir) *self)
{
	const void *buf;
	size_t len;

	if (ktstr_initramfs__finish(self->ir, &buf, &len))
		return -1;
	/* newc: every entry, and so the archive, is 4-byte aligned. */
	EXPECT_EQ(0, len % 4);
	return write_file(self->archive, buf, len);
}

/* Unpack self->archive into self->root with cpio. */
static int unpack(FIXTURE_DATA(ir) *self)
{
	char cmd[512];

	/* -m: the archive's mtimes; --no-absolute-filenames: stay inside. */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && cpio -i -d -m -u --quiet --no-absolute-filenames < '%s'",
		 self->root, self->archive);
	return system(cmd);
}

static char *list(FIXTURE_DATA(ir) *self)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "cpio -t --quiet < '%s'", self->archive);
	return run_out(cmd);
}

/* lstat() of @name below the unpacked root. */
static int lstat_in(FIXTURE_DATA(ir) *self, const char *name, struct stat *st)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", self->root, name);
	return lstat(path, st);
}

static char *read_in(FIXTURE_DATA(ir) *self, const char *name, size_t *len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", self->root, name);
	return read_file(path, len);
}

#define EXPECT_ENTRY(name, type, perm) do {					\
	struct stat __st;							\
	ASSERT_EQ(0, lstat_in(self, (name), &__st)) TH_LOG("%s missing", (name)); \
	EXPECT_EQ((type), __st.st_mode & S_IFMT) TH_LOG("%s: type", (name));	\
	if ((type) != S_IFLNK)							\
		EXPECT_EQ((perm), __st.st_mode & 07777) TH_LOG("%s: mode", (name)); \
	/* cpio -m sets no symlink's time, nor a directory's after its files. */ \
	if ((type) == S_IFREG || (type) == S_IFIFO)				\
		EXPECT_EQ(0, __st.st_mtime) TH_LOG("%s: mtime", (name));	\
} while (0)

#define EXPECT_CONTENT(name, data, n) do {					\
	size_t __len = 0;							\
	char *__got = read_in(self, (name), &__len);				\
	ASSERT_NE(NULL, __got) TH_LOG("cannot read %s", (name));		\
	EXPECT_EQ((size_t)(n), __len) TH_LOG("%s: length", (name));		\
	if (__len == (size_t)(n))						\
		EXPECT_EQ(0, memcmp(__got, (data), (n))) TH_LOG("%s: content", (name)); \
	free(__got);								\
} while (0)

/* ---- unpacked by cpio, compared byte for byte -------------------------- */

TEST_F(ir, unpacks_with_cpio)
{
	static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n";
	char bytes[1027], host[128], target[PATH_MAX];
	char *big, *host_data;
	size_t big_len = (1 << 20) + 3;
	struct ktstr_initramfs *ir = self->ir;
	ssize_t n;

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (char)(i * 7);
	big = malloc(big_len);
	ASSERT_NE(NULL, big);
	for (size_t i = 0; i < big_len; i++)
		big[i] = (char)(i ^ (i >> 8));
	host_data = malloc(12345);
	ASSERT_NE(NULL, host_data);
	for (size_t i = 0; i < 12345; i++)
		host_data[i] = (char)(i * 13 + 1);
	snprintf(host, sizeof(host), "%s/host-file", self->dir);
	ASSERT_EQ(0, write_file(host, host_data, 12345));
	ASSERT_EQ(0, chmod(host, 0640));

	ASSERT_EQ(0, ktstr_initramfs__add_dir(ir, "etc", 0700));
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "/etc/passwd", 0644, passwd,
					       strlen(passwd)));
	/* Every name length mod 4, and data lengths that need padding. */
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "bin/tool", 04755, bytes, sizeof(bytes)));
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "bin/t1", 0755, bytes, 1));
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "bin/t22", 0755, bytes, 2));
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "bin/t333", 0755, bytes, 3));
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "bin/t4444", 0755, bytes, 4));
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "empty", 0600, NULL, 0));
	ASSERT_EQ(0, ktstr_initramfs__add_symlink(ir, "bin/sh", "tool"));
	ASSERT_EQ(0, ktstr_initramfs__add_symlink(ir, "/lib64", "/usr/lib/x86_64-linux-gnu"));
	/* Parents made on the way, then one of them given its own mode. */
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "a/b/c/d/big", 0444, big, big_len));
	ASSERT_EQ(0, ktstr_initramfs__add_dir(ir, "a/b", 0750));
	ASSERT_EQ(0, ktstr_initramfs__add_host_file(ir, "ktstr/host", KTSTR_INITRAMFS_HOST_MODE,
						    host));
	ASSERT_EQ(0, ktstr_initramfs__add_host_file(ir, "ktstr/run", 0755, host));
	ASSERT_EQ(0, ktstr_initramfs__add_dir(ir, "./tmp//", 01777));
	ASSERT_EQ(0, ktstr_initramfs__add_node(ir, "ktstr/fifo", S_IFIFO | 0620, 0, 0));
	EXPECT_STREQ("", ktstr_initramfs__error(ir));
	ASSERT_EQ(0, save(_metadata, self));
	ASSERT_EQ(0, unpack(self));

	EXPECT_ENTRY("etc", S_IFDIR, 0700);
	EXPECT_ENTRY("etc/passwd", S_IFREG, 0644);
	EXPECT_CONTENT("etc/passwd", passwd, strlen(passwd));
	EXPECT_ENTRY("bin", S_IFDIR, 0755);
	EXPECT_ENTRY("bin/tool", S_IFREG, 04755);
	EXPECT_CONTENT("bin/tool", bytes, sizeof(bytes));
	EXPECT_CONTENT("bin/t1", bytes, 1);
	EXPECT_CONTENT("bin/t22", bytes, 2);
	EXPECT_CONTENT("bin/t333", bytes, 3);
	EXPECT_CONTENT("bin/t4444", bytes, 4);
	EXPECT_ENTRY("empty", S_IFREG, 0600);
	EXPECT_CONTENT("empty", "", 0);
	EXPECT_ENTRY("bin/sh", S_IFLNK, 0);
	{
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/bin/sh", self->root);
		n = readlink(p, target, sizeof(target) - 1);
		ASSERT_EQ(4, n);
		target[n] = '\0';
		EXPECT_STREQ("tool", target);
		snprintf(p, sizeof(p), "%s/lib64", self->root);
		n = readlink(p, target, sizeof(target) - 1);
		ASSERT_LT(0, n);
		target[n] = '\0';
		EXPECT_STREQ("/usr/lib/x86_64-linux-gnu", target);
	}
	EXPECT_ENTRY("a", S_IFDIR, 0755);
	EXPECT_ENTRY("a/b", S_IFDIR, 0750);
	EXPECT_ENTRY("a/b/c", S_IFDIR, 0755);
	EXPECT_ENTRY("a/b/c/d", S_IFDIR, 0755);
	EXPECT_ENTRY("a/b/c/d/big", S_IFREG, 0444);
	EXPECT_CONTENT("a/b/c/d/big", big, big_len);
	EXPECT_ENTRY("ktstr/host", S_IFREG, 0640);
	EXPECT_CONTENT("ktstr/host", host_data, 12345);
	EXPECT_ENTRY("ktstr/run", S_IFREG, 0755);
	EXPECT_CONTENT("ktstr/run", host_data, 12345);
	EXPECT_ENTRY("tmp", S_IFDIR, 01777);
	EXPECT_ENTRY("ktstr/fifo", S_IFIFO, 0620);
	free(big);
	free(host_data);
}

/*
 * The listing: names as given but normalised, each once, every parent
 * before its children (the kernel creates entries in archive order), and
 * the trailer, which ends the archive, not in it.
 */
TEST_F(ir, listing_order)
{
	struct ktstr_initramfs *ir = self->ir;
	char *out;

	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "/init", 0755, "x", 1));
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "usr/bin/a", 0755, "a", 1));
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "usr/bin/b", 0755, "b", 1));
	ASSERT_EQ(0, ktstr_initramfs__add_symlink(ir, "usr/sbin/c", "../bin/a"));
	ASSERT_EQ(0, ktstr_initramfs__add_dir(ir, "usr", 0711));
	EXPECT_EQ(7, ktstr_initramfs__nr_entries(ir));
	ASSERT_EQ(0, save(_metadata, self));
	out = list(self);
	ASSERT_NE(NULL, out);
	EXPECT_STREQ("init\nusr\nusr/bin\nusr/bin/a\nusr/bin/b\nusr/sbin\nusr/sbin/c\n", out);
	free(out);
}

/*
 * Owner root, mtime fixed, device numbers: as `cpio -t -v -n` shows them.
 * Device nodes are checked in the listing, which needs no privilege.
 */
TEST_F(ir, owners_times_devices)
{
	struct ktstr_initramfs *ir = self->ir;
	char cmd[256], *out;

	ASSERT_EQ(0, ktstr_initramfs__add_node(ir, "dev/console", S_IFCHR | 0600, 5, 1));
	ASSERT_EQ(0, ktstr_initramfs__add_node(ir, "dev/vda", S_IFBLK | 0660, 254, 0));
	ASSERT_EQ(0, ktstr_initramfs__add_node(ir, "dev/big", S_IFCHR | 0666, 0xfff, 0xfffff));
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "f", 0644, "abc", 3));
	ASSERT_EQ(0, save(_metadata, self));
	snprintf(cmd, sizeof(cmd), "TZ=UTC cpio -t -v -n --quiet < '%s' | tr -s ' '", self->archive);
	out = run_out(cmd);
	ASSERT_NE(NULL, out);
	/* Mode, links, uid, gid, major, minor, the epoch (UTC), name. */
	EXPECT_STREQ("drwxr-xr-x 2 0 0 0 Jan 1 1970 dev\n"
		     "crw------- 1 0 0 5, 1 Jan 1 1970 dev/console\n"
		     "brw-rw---- 1 0 0 254, 0 Jan 1 1970 dev/vda\n"
		     "crw-rw-rw- 1 0 0 4095, 1048575 Jan 1 1970 dev/big\n"
		     "-rw-r--r-- 1 0 0 3 Jan 1 1970 f\n", out);
	free(out);
}

/* The same calls give the same bytes, whenever and wherever they run. */
TEST_F(ir, reproducible)
{
	struct ktstr_initramfs *a = self->ir, *b = ktstr_initramfs__new();
	const void *buf_a, *buf_b, *again;
	size_t len_a, len_b, len_again;

	ASSERT_NE(NULL, b);
	for (int i = 0; i < 2; i++) {
		struct ktstr_initramfs *ir = i ? b : a;

		ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "x/y", 0644, "hello", 5));
		ASSERT_EQ(0, ktstr_initramfs__add_symlink(ir, "z", "x/y"));
		if (i)
			usleep(1100000);	/* a clock leak would show */
	}
	ASSERT_EQ(0, ktstr_initramfs__finish(a, &buf_a, &len_a));
	ASSERT_EQ(0, ktstr_initramfs__finish(b, &buf_b, &len_b));
	ASSERT_EQ(len_a, len_b);
	EXPECT_EQ(0, memcmp(buf_a, buf_b, len_a));
	/* Finishing again changes nothing. */
	ASSERT_EQ(0, ktstr_initramfs__finish(a, &again, &len_again));
	EXPECT_EQ(buf_a, again);
	EXPECT_EQ(len_a, len_again);
	/* The first header, field by field: "070701", ino 1, dir 0755, uid, gid 0. */
	EXPECT_EQ(0, memcmp(buf_a, "070701" "00000001" "000041ed" "00000000" "00000000",
			    6 + 4 * 8));
	/* It ends with the trailer entry. */
	EXPECT_NE(NULL, memmem(buf_a, len_a, "TRAILER!!!", 11));
	ktstr_initramfs__free(b);
}

/* Many entries: the name table grows, duplicates are still found. */
TEST_F(ir, many_entries)
{
	struct ktstr_initramfs *ir = self->ir;
	char name[64], *out, *p;
	int lines = 0;

	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "bin/applet%d", i);
		ASSERT_EQ(0, ktstr_initramfs__add_symlink(ir, name, "busybox"));
	}
	for (int i = 0; i < 3000; i += 97) {
		snprintf(name, sizeof(name), "/bin/applet%d", i);
		ASSERT_EQ(-EEXIST, ktstr_initramfs__add_symlink(ir, name, "busybox"));
	}
	EXPECT_EQ(3001, ktstr_initramfs__nr_entries(ir));
	ASSERT_EQ(0, save(_metadata, self));
	out = list(self);
	ASSERT_NE(NULL, out);
	for (p = out; *p; p++)
		lines += *p == '\n';
	EXPECT_EQ(3001, lines);
	free(out);
}

/* A path just short of PATH_MAX fits; cpio reads it back whole. */
TEST_F(ir, longest_path)
{
	struct ktstr_initramfs *ir = self->ir;
	char path[PATH_MAX], *out, *last;
	size_t len = 0;

	/* 16 components of 255 bytes and 15 slashes: 4095 bytes. */
	for (int i = 0; i < 16; i++) {
		if (i)
			path[len++] = '/';
		memset(path + len, 'a' + i, NAME_MAX);
		len += NAME_MAX;
	}
	path[len] = '\0';
	ASSERT_EQ(PATH_MAX - 1, len);
	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, path, 0644, "deep", 4));
	ASSERT_EQ(0, save(_metadata, self));
	out = list(self);
	ASSERT_NE(NULL, out);
	last = strrchr(out, '\n');
	ASSERT_NE(NULL, last);
	*last = '\0';
	last = strrchr(out, '\n');
	EXPECT_STREQ(path, last ? last + 1 : out);
	free(out);
}

/* ---- errors: each with its errno and a message, none leaving a trace ---- */

#define EXPECT_FAIL(err, call, needle) do {					\
	EXPECT_EQ((err), (call));						\
	EXPECT_NE(NULL, strstr(ktstr_initramfs__error(self->ir), (needle)))	\
		TH_LOG("message \"%s\" lacks \"%s\"",				\
		       ktstr_initramfs__error(self->ir), (needle));		\
} while (0)

TEST_F(ir, errors)
{
	struct ktstr_initramfs *ir = self->ir;
	char longname[NAME_MAX + 2], longpath[PATH_MAX + 1], *out;
	char host_missing[128], target[PATH_MAX + 1];
	size_t len = 0;

	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "init", 0755, "x", 1));
	ASSERT_EQ(0, ktstr_initramfs__add_symlink(ir, "link", "init"));
	ASSERT_EQ(0, ktstr_initramfs__add_dir(ir, "d", 0755));

	/* Duplicates, however spelt. */
	EXPECT_FAIL(-EEXIST, ktstr_initramfs__add_file(ir, "/init", 0755, "y", 1), "init");
	EXPECT_FAIL(-EEXIST, ktstr_initramfs__add_file(ir, "./init", 0755, "y", 1), "init");
	EXPECT_FAIL(-EEXIST, ktstr_initramfs__add_file(ir, "//init/", 0755, "y", 1), "init");
	EXPECT_FAIL(-EEXIST, ktstr_initramfs__add_symlink(ir, "init", "x"), "already");
	EXPECT_FAIL(-EEXIST, ktstr_initramfs__add_dir(ir, "init", 0755), "already");
	EXPECT_FAIL(-EEXIST, ktstr_initramfs__add_dir(ir, "/d/", 0700), "already");
	EXPECT_FAIL(-EEXIST, ktstr_initramfs__add_node(ir, "link", S_IFIFO | 0600, 0, 0),
		    "link");

	/* Escapes and the root itself. */
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_file(ir, "../etc", 0644, "", 0), "..");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_file(ir, "d/../../etc", 0644, "", 0), "..");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_dir(ir, "/", 0755), "root");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_dir(ir, "", 0755), "root");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_dir(ir, "./.", 0755), "root");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_file(ir, NULL, 0644, "", 0), "path");

	/* Too long: a component, the whole path. */
	memset(longname, 'n', NAME_MAX + 1);
	longname[NAME_MAX + 1] = '\0';
	EXPECT_FAIL(-ENAMETOOLONG, ktstr_initramfs__add_file(ir, longname, 0644, "", 0),
		    "component");
	for (int i = 0; len + 101 < sizeof(longpath); i++) {
		memset(longpath + len, 'p', 99);
		len += 99;
		longpath[len++] = '/';
	}
	memset(longpath + len, 'q', sizeof(longpath) - 1 - len);
	longpath[sizeof(longpath) - 1] = '\0';
	ASSERT_EQ(PATH_MAX, strlen(longpath));
	EXPECT_FAIL(-ENAMETOOLONG, ktstr_initramfs__add_file(ir, longpath, 0644, "", 0),
		    "longer than");

	/* Parents that are not directories. */
	EXPECT_FAIL(-ENOTDIR, ktstr_initramfs__add_file(ir, "init/x", 0644, "", 0),
		    "init is not a directory");
	EXPECT_FAIL(-ENOTDIR, ktstr_initramfs__add_dir(ir, "link/sub/x", 0755),
		    "link is not a directory");

	/* Modes. */
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_file(ir, "m1", S_IFREG | 0644, "", 0),
		    "mode");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_dir(ir, "m2", S_IFDIR | 0755), "mode");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_host_file(ir, "m3", 010644, "/etc/hostname"),
		    "mode");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_node(ir, "m4", S_IFREG | 0644, 1, 3),
		    "not a device");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_node(ir, "m5", 0644, 1, 3), "not a device");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_node(ir, "m6", S_IFIFO | 0600, 1, 0), "FIFO");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_node(ir, "m7", S_IFCHR | 0600, 0x1000, 0),
		    "out of range");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_node(ir, "m8", S_IFBLK | 0600, 1, 0x100000),
		    "out of range");

	/* Data. */
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_file(ir, "f1", 0644, NULL, 1), "no data");
	EXPECT_FAIL(-EFBIG, ktstr_initramfs__add_file(ir, "f2", 0644, "x", 0x100000000ULL),
		    "at most");

	/* Host files: the path, the host path and the reason in the message. */
	snprintf(host_missing, sizeof(host_missing), "%s/no-such-file", self->dir);
	EXPECT_FAIL(-ENOENT, ktstr_initramfs__add_host_file(ir, "h1", 0644, host_missing),
		    host_missing);
	EXPECT_NE(NULL, strstr(ktstr_initramfs__error(ir), strerror(ENOENT)));
	EXPECT_NE(NULL, strstr(ktstr_initramfs__error(ir), "h1"));
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_host_file(ir, "h2", 0644, self->dir),
		    "not a regular file");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_host_file(ir, "h3", 0644, NULL),
		    "no host path");

	/* Symlinks. */
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_symlink(ir, "s1", ""), "empty");
	EXPECT_FAIL(-EINVAL, ktstr_initramfs__add_symlink(ir, "s2", NULL), "empty");
	memset(target, 't', PATH_MAX);
	target[PATH_MAX] = '\0';
	EXPECT_FAIL(-ENAMETOOLONG, ktstr_initramfs__add_symlink(ir, "s3", target), "target");
	target[PATH_MAX - 1] = '\0';
	EXPECT_EQ(0, ktstr_initramfs__add_symlink(ir, "s4", target));

	/* Failures created nothing: no parents, no entries. */
	EXPECT_EQ(4, ktstr_initramfs__nr_entries(ir));

	ASSERT_EQ(0, save(_metadata, self));
	EXPECT_FAIL(-EBUSY, ktstr_initramfs__add_file(ir, "late", 0644, "", 0), "finished");
	EXPECT_FAIL(-EBUSY, ktstr_initramfs__add_dir(ir, "late", 0755), "finished");
	EXPECT_FAIL(-EBUSY, ktstr_initramfs__add_dir(ir, "d", 0700), "finished");
	EXPECT_FAIL(-EBUSY, ktstr_initramfs__add_symlink(ir, "late", "x"), "finished");
	out = list(self);
	ASSERT_NE(NULL, out);
	EXPECT_STREQ("init\nlink\nd\ns4\n", out);
	free(out);
}

/* Explicit directories: once each; a parent made implicitly can be set once. */
TEST_F(ir, implicit_then_explicit)
{
	struct ktstr_initramfs *ir = self->ir;

	ASSERT_EQ(0, ktstr_initramfs__add_file(ir, "p/q/r", 0644, "r", 1));
	ASSERT_EQ(0, ktstr_initramfs__add_dir(ir, "/p/q/", 0700));
	EXPECT_EQ(-EEXIST, ktstr_initramfs__add_dir(ir, "p/q", 0755));
	ASSERT_EQ(0, ktstr_initramfs__add_dir(ir, "p", 0555));
	ASSERT_EQ(0, save(_metadata, self));
	ASSERT_EQ(0, unpack(self));
	EXPECT_ENTRY("p", S_IFDIR, 0555);
	EXPECT_ENTRY("p/q", S_IFDIR, 0700);
	EXPECT_ENTRY("p/q/r", S_IFREG, 0644);
}

TEST_HARNESS_MAIN
