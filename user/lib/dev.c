// SPDX-License-Identifier: GPL-2.0
/* libktstr: a session on /dev/ktstr. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <ktstr/dev.h>

struct ktstr_dev {
	int fd;
};

int ktstr_dev__open(const char *path, struct ktstr_dev **out)
{
	struct ktstr_dev *dev;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->fd = open(path ? path : KTSTR_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		int err = -errno;

		free(dev);
		return err;
	}
	*out = dev;
	return 0;
}

void ktstr_dev__close(struct ktstr_dev *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

int ktstr_dev__fd(const struct ktstr_dev *dev)
{
	return dev->fd;
}

int ktstr_dev__version(struct ktstr_dev *dev, struct ktstr_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	ver->size = sizeof(*ver);
	if (ioctl(dev->fd, KTSTR_IOC_VERSION, ver) < 0)
		return -errno;
	/* An older module fills less; what it did not fill stays zero. */
	if (ver->size < KTSTR_VERSION_SIZE_VER0 || ver->size > sizeof(*ver))
		return -EPROTO;
	return 0;
}
