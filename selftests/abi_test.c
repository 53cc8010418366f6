// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/ktstr ABI as userspace compiled against uapi/linux/ktstr.h
 * sees it. Every value pinned here is part of the ABI: a change that
 * breaks one of these assertions breaks binaries already in the field.
 */
#include <stddef.h>
#include <linux/ktstr.h>

#include "kselftest_harness.h"

#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))

TEST(ioctl_numbers)
{
	/* _IOWR(0xBC, 0x00, 24 bytes): dir 3, size 24, type 0xBC, nr 0. */
	EXPECT_EQ(0xc018bc00u, (unsigned int)KTSTR_IOC_VERSION);
	EXPECT_EQ(0xBC, _IOC_TYPE(KTSTR_IOC_VERSION));
}

TEST(version_layout)
{
	EXPECT_EQ(24, sizeof(struct ktstr_version));
	EXPECT_EQ(0, offsetof(struct ktstr_version, size));
	EXPECT_EQ(4, offsetof(struct ktstr_version, abi_major));
	EXPECT_EQ(8, offsetof(struct ktstr_version, abi_minor));
	EXPECT_EQ(12, offsetof(struct ktstr_version, pad));
	EXPECT_EQ(16, offsetof(struct ktstr_version, features));
	/* The first published size covers every field of ABI 1.0. */
	EXPECT_EQ(offsetofend(struct ktstr_version, features),
		  KTSTR_VERSION_SIZE_VER0);
	/* Same layout for 32-bit callers: no implicit padding anywhere. */
	EXPECT_EQ(8, _Alignof(struct ktstr_version));
}

TEST(abi_constants)
{
	EXPECT_EQ(1, KTSTR_ABI_MAJOR);
	EXPECT_STREQ("ktstr", KTSTR_DEVICE_NAME);
}

TEST_HARNESS_MAIN
