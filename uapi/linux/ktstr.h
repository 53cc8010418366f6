/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ktstr: host-side capture of a KVM guest's scheduler state.
 *
 * The ioctl ABI of /dev/ktstr. Every structure starts with a __u32 size
 * that the caller sets to sizeof() of the structure it was compiled with;
 * the kernel accepts any size from the first published one up to its own
 * and reports back how many bytes it filled, so both sides can grow the
 * structures at their tail. Fields are fixed width, padding is explicit
 * and must be zero, pointers travel as __u64.
 */
#ifndef _UAPI_LINUX_KTSTR_H
#define _UAPI_LINUX_KTSTR_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KTSTR_DEVICE_NAME	"ktstr"

/*
 * The major number changes only for an incompatible change, which this
 * project does not intend to make; the minor number grows with each
 * compatible addition (a new ioctl, a new tail field, a new feature bit).
 */
#define KTSTR_ABI_MAJOR		1
#define KTSTR_ABI_MINOR		0

#define KTSTR_IOC_MAGIC		0xBC

/*
 * Optional capabilities the loaded module offers; a caller tests the bit
 * before using the ioctls behind it. No optional capability exists in
 * ABI 1.0: the bits are defined as they are added.
 */
#define KTSTR_FEATURES_ALL	0ULL

/**
 * struct ktstr_version - KTSTR_IOC_VERSION argument
 * @size:	in: sizeof(struct ktstr_version) as the caller knows it, at
 *		least KTSTR_VERSION_SIZE_VER0; out: bytes the kernel wrote.
 * @abi_major:	out: KTSTR_ABI_MAJOR of the loaded module.
 * @abi_minor:	out: KTSTR_ABI_MINOR of the loaded module.
 * @pad:	out: zero.
 * @features:	out: KTSTR_FEATURE_* bits the loaded module supports.
 */
struct ktstr_version {
	__u32 size;
	__u32 abi_major;
	__u32 abi_minor;
	__u32 pad;
	__u64 features;
};

#define KTSTR_VERSION_SIZE_VER0	24

/* Report the ABI version and the optional features of the module. */
#define KTSTR_IOC_VERSION	_IOWR(KTSTR_IOC_MAGIC, 0x00, struct ktstr_version)

#endif /* _UAPI_LINUX_KTSTR_H */
