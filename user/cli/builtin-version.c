// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr version: the ABI this build speaks and, when ktstr.ko is loaded,
 * the ABI and features the module offers. A missing module is not an
 * error (the userspace paths work without it); a module that answers
 * wrongly is.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ktstr/dev.h>

#include "builtin.h"

int cmd_version(int argc, char **argv)
{
	struct ktstr_version ver;
	struct ktstr_dev *dev;
	int err;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: ktstr version\n");
		return 2;
	}
	printf("ktstr userspace ABI %u.%u\n", KTSTR_ABI_MAJOR, KTSTR_ABI_MINOR);

	err = ktstr_dev__open(NULL, &dev);
	if (err == -ENOENT) {
		printf("ktstr.ko: not loaded (%s absent)\n", KTSTR_DEV_PATH);
		return 0;
	}
	if (err) {
		fprintf(stderr, "ktstr: %s: %s\n", KTSTR_DEV_PATH, strerror(-err));
		return 1;
	}
	err = ktstr_dev__version(dev, &ver);
	ktstr_dev__close(dev);
	if (err) {
		fprintf(stderr, "ktstr: KTSTR_IOC_VERSION: %s\n", strerror(-err));
		return 1;
	}
	printf("ktstr.ko ABI %u.%u features 0x%llx\n", ver.abi_major,
	       ver.abi_minor, (unsigned long long)ver.features);
	if (ver.abi_major != KTSTR_ABI_MAJOR) {
		fprintf(stderr, "ktstr: module ABI major %u, userspace expects %u\n",
			ver.abi_major, KTSTR_ABI_MAJOR);
		return 1;
	}
	return 0;
}
