/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: an initramfs built in memory, as the cpio "newc" archive the
 * kernel's init/initramfs.c unpacks.
 *
 * Paths are relative to the archive's root: "/init", "init" and "./init"
 * name the same entry. A path may not contain "..", a component longer
 * than NAME_MAX or more than PATH_MAX - 1 bytes in all, and may be added
 * once. Parent directories are created on first use with mode 0755; an
 * explicit ktstr_initramfs__add_dir() of such a directory afterwards sets
 * its mode instead of failing. Every entry belongs to root (uid and gid
 * 0) and carries KTSTR_INITRAMFS_MTIME, so the same calls always give the
 * same bytes.
 *
 * Functions return 0 or a negative errno; ktstr_initramfs__error() then
 * says what failed, naming the path (and the host file). Not thread-safe.
 */
#ifndef KTSTR_INITRAMFS_H
#define KTSTR_INITRAMFS_H

#include <stddef.h>
#include <sys/types.h>

/* The mtime of every entry: fixed, for reproducible archives. */
#define KTSTR_INITRAMFS_MTIME		0
/* As the mode of ktstr_initramfs__add_host_file(): the host file's own. */
#define KTSTR_INITRAMFS_HOST_MODE	((mode_t)-1)

struct ktstr_initramfs;

struct ktstr_initramfs *ktstr_initramfs__new(void);
void ktstr_initramfs__free(struct ktstr_initramfs *ir);

/* @mode: permission bits only (07777); the file type is implied. */
int ktstr_initramfs__add_dir(struct ktstr_initramfs *ir, const char *path,
			     mode_t mode);
/* A regular file holding a copy of @len bytes at @data. */
int ktstr_initramfs__add_file(struct ktstr_initramfs *ir, const char *path,
			      mode_t mode, const void *data, size_t len);
/* A regular file holding the whole of @host_path, read now. */
int ktstr_initramfs__add_host_file(struct ktstr_initramfs *ir, const char *path,
				   mode_t mode, const char *host_path);
/* A symbolic link to @target (stored as given: not normalised). */
int ktstr_initramfs__add_symlink(struct ktstr_initramfs *ir, const char *path,
				 const char *target);
/*
 * A device node or FIFO: @mode is S_IFCHR, S_IFBLK or S_IFIFO plus the
 * permission bits, as for mknod(2); @major and @minor are 0 for a FIFO.
 */
int ktstr_initramfs__add_node(struct ktstr_initramfs *ir, const char *path,
			      mode_t mode, unsigned int major,
			      unsigned int minor);

/*
 * End the archive and give it out: @buf stays valid, and owned by @ir,
 * until ktstr_initramfs__free(). Nothing can be added afterwards
 * (-EBUSY); finishing again gives the same archive.
 */
int ktstr_initramfs__finish(struct ktstr_initramfs *ir, const void **buf,
			    size_t *len);

/* Entries added so far, the implicit parent directories included. */
size_t ktstr_initramfs__nr_entries(const struct ktstr_initramfs *ir);

/* Why the last failing call failed; "" when none has. */
const char *ktstr_initramfs__error(const struct ktstr_initramfs *ir);

#endif /* KTSTR_INITRAMFS_H */
