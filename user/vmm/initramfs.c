// SPDX-License-Identifier: GPL-2.0
/*
 * An initramfs built in memory: the cpio "newc" format, as the kernel's
 * init/initramfs.c unpacks it.
 *
 * Each entry is a 110-byte ASCII header ("070701" and thirteen 8-digit
 * hex fields), the NUL-terminated name padded so that the data starts
 * 4-byte aligned, then the data padded to 4 bytes; the archive ends with
 * an entry named "TRAILER!!!". Entries are written to the archive as they
 * are added, parents before children, which is the order the kernel needs:
 * it creates each entry as it reads it. A table of the names added keeps
 * duplicates out and tells a path's parents apart from files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <ktstr/initramfs.h>

#define NEWC_MAGIC		"070701"
#define NEWC_HDR_LEN		110	/* 6 + 13 * 8 */
/* Where the mode field sits in a header: after the magic and the inode. */
#define NEWC_MODE_OFF		14
#define NEWC_TRAILER		"TRAILER!!!"
/* The kernel skips names longer than this, NUL included. */
#define NEWC_NAME_MAX		PATH_MAX
/* Sizes are 8 hex digits. */
#define NEWC_SIZE_MAX		0xffffffffULL
/* What new_encode_dev() and so the kernel's mknod() keep of a number. */
#define NEWC_MAJOR_MAX		0xfffU
#define NEWC_MINOR_MAX		0xfffffU

struct ir_entry {
	char *name;		/* normalised: no leading '/', no "." */
	mode_t mode;		/* file type and permissions */
	size_t hdr_off;		/* where its header is in the archive */
	bool implicit;		/* a parent directory nobody asked for */
};

struct ktstr_initramfs {
	char *buf;		/* the archive so far */
	size_t len, cap;
	struct ir_entry *ents;
	size_t nr_ents, cap_ents;
	size_t *table;		/* open addressing: index + 1 into ents, 0 free */
	size_t table_size;	/* a power of two, at least twice nr_ents */
	bool finished;
	char err[PATH_MAX * 2 + 128];
};

__attribute__((format(printf, 3, 4)))
static int ir_fail(struct ktstr_initramfs *ir, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ir->err, sizeof(ir->err), fmt, ap);
	va_end(ap);
	return err;
}

struct ktstr_initramfs *ktstr_initramfs__new(void)
{
	return calloc(1, sizeof(struct ktstr_initramfs));
}

void ktstr_initramfs__free(struct ktstr_initramfs *ir)
{
	if (!ir)
		return;
	for (size_t i = 0; i < ir->nr_ents; i++)
		free(ir->ents[i].name);
	free(ir->ents);
	free(ir->table);
	free(ir->buf);
	free(ir);
}

const char *ktstr_initramfs__error(const struct ktstr_initramfs *ir)
{
	return ir->err;
}

size_t ktstr_initramfs__nr_entries(const struct ktstr_initramfs *ir)
{
	return ir->nr_ents;
}

/* ---- paths ------------------------------------------------------------- */

/*
 * @in as an archive name: "/init", "init", ".//init" are all "init". The
 * kernel would resolve "..", and a name that climbs out of the root or
 * round in circles is a mistake in the caller, so it is refused.
 */
static int path_normalise(struct ktstr_initramfs *ir, const char *in,
			  char *out)
{
	const char *p = in, *c;
	size_t len = 0, n;

	if (!in)
		return ir_fail(ir, -EINVAL, "no path");
	while (*p) {
		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		n = p - c;
		if (!n || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return ir_fail(ir, -EINVAL, "%s: \"..\" is not allowed in an initramfs path", in);
		if (n > NAME_MAX)
			return ir_fail(ir, -ENAMETOOLONG, "%.64s...: a component is longer than %d bytes",
				       in, NAME_MAX);
		if (len + !!len + n >= NEWC_NAME_MAX)
			return ir_fail(ir, -ENAMETOOLONG, "%.64s...: longer than %d bytes",
				       in, NEWC_NAME_MAX - 1);
		if (len)
			out[len++] = '/';
		memcpy(out + len, c, n);
		len += n;
	}
	out[len] = '\0';
	if (!len)
		return ir_fail(ir, -EINVAL, "\"%s\" names the root, which every initramfs has", in);
	return 0;
}

/* ---- the name table -------------------------------------------------- */

/* FNV-1a: short names, no adversary. */
static size_t name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return (size_t)h;
}

/* The first @n bytes of @name, or NULL. */
static struct ir_entry *ir_lookup(struct ktstr_initramfs *ir, const char *name,
				  size_t n)
{
	size_t mask = ir->table_size - 1, i;
	struct ir_entry *e;

	if (!ir->table_size)
		return NULL;
	for (i = name_hash(name, n) & mask; ir->table[i]; i = (i + 1) & mask) {
		e = &ir->ents[ir->table[i] - 1];
		if (!strncmp(e->name, name, n) && !e->name[n])
			return e;
	}
	return NULL;
}

static void table_insert(size_t *table, size_t size, const char *name,
			 size_t idx)
{
	size_t i = name_hash(name, strlen(name)) & (size - 1);

	while (table[i])
		i = (i + 1) & (size - 1);
	table[i] = idx + 1;
}

/* Room for one more entry, in the array and in the table. */
static int ir_reserve_entry(struct ktstr_initramfs *ir)
{
	if (ir->nr_ents == ir->cap_ents) {
		size_t cap = ir->cap_ents ? ir->cap_ents * 2 : 64;
		struct ir_entry *ents = realloc(ir->ents, cap * sizeof(*ents));

		if (!ents)
			return -ENOMEM;
		ir->ents = ents;
		ir->cap_ents = cap;
	}
	if ((ir->nr_ents + 1) * 2 > ir->table_size) {
		size_t size = ir->table_size ? ir->table_size * 2 : 128;
		size_t *table = calloc(size, sizeof(*table));

		if (!table)
			return -ENOMEM;
		for (size_t i = 0; i < ir->nr_ents; i++)
			table_insert(table, size, ir->ents[i].name, i);
		free(ir->table);
		ir->table = table;
		ir->table_size = size;
	}
	return 0;
}

/* ---- the archive ------------------------------------------------------ */

static int ir_grow(struct ktstr_initramfs *ir, size_t more)
{
	size_t cap = ir->cap ? ir->cap : 4096;
	char *buf;

	if (ir->len + more <= ir->cap)
		return 0;
	while (cap < ir->len + more) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	buf = realloc(ir->buf, cap);
	if (!buf)
		return -ENOMEM;
	ir->buf = buf;
	ir->cap = cap;
	return 0;
}

static void ir_pad4(struct ktstr_initramfs *ir)
{
	while (ir->len & 3)
		ir->buf[ir->len++] = '\0';
}

struct newc_entry {
	const char *name;
	mode_t mode;
	unsigned int ino, nlink, rmajor, rminor;
	const void *data;
	size_t size;
};

static void put_hex8(char *p, uint32_t v)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 7; i >= 0; i--, v >>= 4)
		p[i] = digits[v & 0xf];
}

/* Append one header, name and data; 0 or -ENOMEM. */
static int ir_emit(struct ktstr_initramfs *ir, const struct newc_entry *ne)
{
	size_t namesize = strlen(ne->name) + 1;
	/* The fields after the magic, in header order; sizes fit (checked). */
	const uint32_t fields[] = {
		ne->ino, ne->mode, 0 /* uid */, 0 /* gid */, ne->nlink,
		KTSTR_INITRAMFS_MTIME, (uint32_t)ne->size,
		0, 0 /* dev of the archived fs: meaningless here */,
		ne->rmajor, ne->rminor, (uint32_t)namesize, 0 /* check */,
	};
	char *p;

	if (ir_grow(ir, NEWC_HDR_LEN + namesize + 3 + ne->size + 3))
		return -ENOMEM;
	p = ir->buf + ir->len;
	memcpy(p, NEWC_MAGIC, 6);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		put_hex8(p + 6 + 8 * i, fields[i]);
	ir->len += NEWC_HDR_LEN;
	memcpy(ir->buf + ir->len, ne->name, namesize);
	ir->len += namesize;
	ir_pad4(ir);
	if (ne->size)
		memcpy(ir->buf + ir->len, ne->data, ne->size);
	ir->len += ne->size;
	ir_pad4(ir);
	return 0;
}

/* Record and write the entry @ne (ne->name of @n bytes, not yet owned). */
static int ir_add_entry(struct ktstr_initramfs *ir, struct newc_entry *ne,
			size_t n, bool implicit)
{
	struct ir_entry *e;
	size_t off = ir->len;
	char *name;

	if (ir_reserve_entry(ir))
		return -ENOMEM;
	name = strndup(ne->name, n);
	if (!name)
		return -ENOMEM;
	ne->name = name;
	/* Inode numbers only need to differ; 0 is the trailer's. */
	ne->ino = ir->nr_ents + 1;
	if (ir_emit(ir, ne)) {
		free(name);
		return -ENOMEM;
	}
	e = &ir->ents[ir->nr_ents];
	e->name = name;
	e->mode = ne->mode;
	e->hdr_off = off;
	e->implicit = implicit;
	table_insert(ir->table, ir->table_size, name, ir->nr_ents);
	ir->nr_ents++;
	return 0;
}

/*
 * Make sure every parent of @name exists as a directory, creating the
 * missing ones: the kernel creates an entry with a plain open() or mkdir()
 * in its parent and does not make directories on the way.
 */
static int ir_parents(struct ktstr_initramfs *ir, const char *name)
{
	struct ir_entry *e;
	const char *slash;
	int ret;

	for (slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t n = slash - name;
		struct newc_entry ne = {
			.name = name,
			.mode = S_IFDIR | 0755,
			.nlink = 2,
		};

		e = ir_lookup(ir, name, n);
		if (e) {
			if (!S_ISDIR(e->mode))
				return ir_fail(ir, -ENOTDIR, "%s: %.*s is not a directory",
					       name, (int)n, name);
			continue;
		}
		ret = ir_add_entry(ir, &ne, n, true);
		if (ret)
			return ir_fail(ir, ret, "%s: %s", name, strerror(-ret));
	}
	return 0;
}

/* Checks every add makes before it changes anything. */
static int ir_begin(struct ktstr_initramfs *ir, const char *path, char *name)
{
	int ret;

	if (ir->finished)
		return ir_fail(ir, -EBUSY, "%s: the archive is already finished",
			       path ? path : "(null)");
	ret = path_normalise(ir, path, name);
	if (ret)
		return ret;
	if (ir_lookup(ir, name, strlen(name)))
		return ir_fail(ir, -EEXIST, "%s: already in the archive", name);
	return 0;
}

static int ir_commit(struct ktstr_initramfs *ir, struct newc_entry *ne)
{
	int ret = ir_parents(ir, ne->name);

	if (ret)
		return ret;
	ret = ir_add_entry(ir, ne, strlen(ne->name), false);
	if (ret)
		return ir_fail(ir, ret, "%s: %s", ne->name, strerror(-ret));
	return 0;
}

static int check_perm(struct ktstr_initramfs *ir, const char *path, mode_t mode)
{
	if (mode & ~(mode_t)07777)
		return ir_fail(ir, -EINVAL, "%s: mode %#o has bits beyond 07777",
			       path, (unsigned int)mode);
	return 0;
}

int ktstr_initramfs__add_dir(struct ktstr_initramfs *ir, const char *path,
			     mode_t mode)
{
	struct newc_entry ne = { .mode = S_IFDIR | mode, .nlink = 2 };
	char name[NEWC_NAME_MAX];
	struct ir_entry *e;
	int ret;

	ret = check_perm(ir, path, mode);
	if (ret)
		return ret;
	if (ir->finished)
		return ir_begin(ir, path, name);
	ret = path_normalise(ir, path, name);
	if (ret)
		return ret;
	e = ir_lookup(ir, name, strlen(name));
	if (e && e->implicit) {
		/*
		 * Made as somebody's parent: its header is already out, but
		 * its mode is a fixed-width field that can be rewritten.
		 */
		put_hex8(ir->buf + e->hdr_off + NEWC_MODE_OFF, ne.mode);
		e->mode = ne.mode;
		e->implicit = false;
		return 0;
	}
	if (e)
		return ir_fail(ir, -EEXIST, "%s: already in the archive", name);
	ne.name = name;
	return ir_commit(ir, &ne);
}

int ktstr_initramfs__add_file(struct ktstr_initramfs *ir, const char *path,
			      mode_t mode, const void *data, size_t len)
{
	struct newc_entry ne = {
		.mode = S_IFREG | mode, .nlink = 1, .data = data, .size = len,
	};
	char name[NEWC_NAME_MAX];
	int ret;

	ret = check_perm(ir, path, mode);
	if (ret)
		return ret;
	if (!data && len)
		return ir_fail(ir, -EINVAL, "%s: no data for %zu bytes", path, len);
	if ((unsigned long long)len > NEWC_SIZE_MAX)
		return ir_fail(ir, -EFBIG, "%s: %zu bytes, a newc archive holds at most %llu",
			       path, len, NEWC_SIZE_MAX);
	ret = ir_begin(ir, path, name);
	if (ret)
		return ret;
	ne.name = name;
	return ir_commit(ir, &ne);
}

/* All of @fd, however long; a file may change size under us. */
static int read_all(int fd, size_t hint, char **out, size_t *out_len)
{
	size_t cap = hint + 1, len = 0;
	char *buf = malloc(cap), *p;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			p = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(buf);
			return n;
		}
		if (!n)
			break;
		len += n;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int ktstr_initramfs__add_host_file(struct ktstr_initramfs *ir, const char *path,
				   mode_t mode, const char *host_path)
{
	struct newc_entry ne = { .nlink = 1 };
	char name[NEWC_NAME_MAX];
	size_t len = 0;
	struct stat st;
	char *data = NULL;
	int fd, ret;

	if (mode != KTSTR_INITRAMFS_HOST_MODE) {
		ret = check_perm(ir, path, mode);
		if (ret)
			return ret;
	}
	if (!host_path)
		return ir_fail(ir, -EINVAL, "%s: no host path", path);
	ret = ir_begin(ir, path, name);
	if (ret)
		return ret;

	fd = open(host_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return ir_fail(ir, ret, "%s: open %s: %s", name, host_path, strerror(-ret));
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return ir_fail(ir, ret, "%s: stat %s: %s", name, host_path, strerror(-ret));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ir_fail(ir, -EINVAL, "%s: %s is not a regular file", name, host_path);
	}
	ret = read_all(fd, st.st_size, &data, &len);
	close(fd);
	if (ret)
		return ir_fail(ir, ret, "%s: read %s: %s", name, host_path, strerror(-ret));
	if (mode == KTSTR_INITRAMFS_HOST_MODE)
		mode = st.st_mode & 07777;
	if ((unsigned long long)len > NEWC_SIZE_MAX) {
		free(data);
		return ir_fail(ir, -EFBIG, "%s: %s has %zu bytes, a newc archive holds at most %llu",
			       name, host_path, len, NEWC_SIZE_MAX);
	}
	ne.name = name;
	ne.mode = S_IFREG | mode;
	ne.data = data;
	ne.size = len;
	ret = ir_commit(ir, &ne);
	free(data);
	return ret;
}

int ktstr_initramfs__add_symlink(struct ktstr_initramfs *ir, const char *path,
				 const char *target)
{
	struct newc_entry ne = { .mode = S_IFLNK | 0777, .nlink = 1 };
	char name[NEWC_NAME_MAX];
	size_t n;
	int ret;

	if (!target || !*target)
		return ir_fail(ir, -EINVAL, "%s: empty symlink target", path);
	n = strlen(target);
	/* symlink(2) takes at most PATH_MAX bytes, NUL included. */
	if (n >= PATH_MAX)
		return ir_fail(ir, -ENAMETOOLONG, "%s: symlink target longer than %d bytes",
			       path, PATH_MAX - 1);
	ret = ir_begin(ir, path, name);
	if (ret)
		return ret;
	ne.name = name;
	ne.data = target;
	ne.size = n;
	return ir_commit(ir, &ne);
}

int ktstr_initramfs__add_node(struct ktstr_initramfs *ir, const char *path,
			      mode_t mode, unsigned int major,
			      unsigned int minor)
{
	struct newc_entry ne = {
		.mode = mode, .nlink = 1, .rmajor = major, .rminor = minor,
	};
	mode_t type = mode & S_IFMT;
	char name[NEWC_NAME_MAX];
	int ret;

	if (type != S_IFCHR && type != S_IFBLK && type != S_IFIFO)
		return ir_fail(ir, -EINVAL, "%s: mode %#o is not a device node or a FIFO",
			       path, (unsigned int)mode);
	ret = check_perm(ir, path, mode & ~S_IFMT);
	if (ret)
		return ret;
	if (type == S_IFIFO && (major || minor))
		return ir_fail(ir, -EINVAL, "%s: a FIFO has no device number", path);
	if (major > NEWC_MAJOR_MAX || minor > NEWC_MINOR_MAX)
		return ir_fail(ir, -EINVAL, "%s: device %u:%u out of range (%u:%u at most)",
			       path, major, minor, NEWC_MAJOR_MAX, NEWC_MINOR_MAX);
	ret = ir_begin(ir, path, name);
	if (ret)
		return ret;
	ne.name = name;
	return ir_commit(ir, &ne);
}

int ktstr_initramfs__finish(struct ktstr_initramfs *ir, const void **buf,
			    size_t *len)
{
	static const struct newc_entry trailer = {
		.name = NEWC_TRAILER, .nlink = 1,
	};

	if (!ir->finished) {
		if (ir_emit(ir, &trailer))
			return ir_fail(ir, -ENOMEM, "finish: %s", strerror(ENOMEM));
		ir->finished = true;
	}
	*buf = ir->buf;
	*len = ir->len;
	return 0;
}
