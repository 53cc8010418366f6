/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktstr run's guest image: the initramfs every run boots, assembled from
 * the guest programs (guest/), a static busybox and the user's files.
 */
#ifndef KTSTR_CLI_RUN_IMAGE_H
#define KTSTR_CLI_RUN_IMAGE_H

#include <stddef.h>

#include <ktstr/initramfs.h>

/* Overrides where ktstr-init and ktstr-guest are looked for. */
#define KTSTR_GUEST_DIR_ENV	"KTSTR_GUEST_DIR"
/* Overrides the busybox that gives the guest its shell and tools. */
#define KTSTR_BUSYBOX_ENV	"KTSTR_BUSYBOX"
#define KTSTR_BUSYBOX_DEFAULT	"/bin/busybox"

/* One --include: a host file or directory and where it goes. */
struct run_include {
	const char *host;
	char *guest;		/* absolute, allocated */
};

/*
 * Split "HOST[:GUEST]" into @inc (GUEST defaults to HOST's real path)
 * after checking that HOST exists and GUEST is absolute: 0, or -errno
 * with the reason in @err.
 */
int run_image__parse_include(const char *arg, struct run_include *inc,
			     char *err, size_t errlen);

/*
 * The directory holding ktstr-init and ktstr-guest: $KTSTR_GUEST_DIR
 * alone when set, else beside this program, else the source tree's
 * guest/build relative to it. 0, or -ENOENT naming where it looked.
 */
int run_image__guest_dir(char *dir, size_t len, char *err, size_t errlen);

/*
 * 0 when the busybox at @path is there and statically linked: it runs
 * in a guest with no C library. Else -errno and why in @err.
 */
int run_image__check_busybox(const char *path, char *err, size_t errlen);

/*
 * Build the guest's initramfs into @ir: the user's files first (so that
 * a clash with ours names theirs), /init (ktstr-init), /bin/ktstr-guest,
 * busybox with a link for each of its applets, /dev/console. 0, or
 * -errno with the reason in @err.
 */
int run_image__build(struct ktstr_initramfs *ir, const char *guest_dir,
		     const char *busybox, const struct run_include *incs,
		     size_t nr_incs, char *err, size_t errlen);

#endif
