/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: a session on /dev/ktstr, the host kernel module's device.
 *
 * Functions return 0 or a negative errno, in the libbpf manner.
 */
#ifndef KTSTR_DEV_H
#define KTSTR_DEV_H

#include <linux/ktstr.h>

#define KTSTR_DEV_PATH "/dev/" KTSTR_DEVICE_NAME

struct ktstr_dev;

/* Open a session on @path (NULL: KTSTR_DEV_PATH). -ENOENT: module not loaded. */
int ktstr_dev__open(const char *path, struct ktstr_dev **out);
void ktstr_dev__close(struct ktstr_dev *dev);
int ktstr_dev__fd(const struct ktstr_dev *dev);

/* Ask the module for its ABI version and features. */
int ktstr_dev__version(struct ktstr_dev *dev, struct ktstr_version *ver);

#endif /* KTSTR_DEV_H */
