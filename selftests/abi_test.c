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

TEST(ioctl_numbers_1_1)
{
	EXPECT_EQ(0xc030bc01u, (unsigned int)KTSTR_IOC_DOORBELL_SET);
	EXPECT_EQ(0x4010bc02u, (unsigned int)KTSTR_IOC_REPLY);
	EXPECT_EQ(0x4008bc03u, (unsigned int)KTSTR_IOC_CONSUME);
	EXPECT_EQ(0xc058bc04u, (unsigned int)KTSTR_IOC_STATS);
	EXPECT_EQ(0x4008bc05u, (unsigned int)KTSTR_IOC_ATTACH_VM);
	EXPECT_EQ(0xc010bc06u, (unsigned int)KTSTR_IOC_ADD_VCPU);
	EXPECT_EQ(0xc020bc07u, (unsigned int)KTSTR_IOC_WATCH_ARM);
	EXPECT_EQ(0x4020bc08u, (unsigned int)KTSTR_IOC_WATCH_DISARM);
}

/* The guest writes this one: its layout is the wire. */
TEST(request_slot_layout)
{
	EXPECT_EQ(104, sizeof(struct ktstr_request));
	EXPECT_EQ(0, offsetof(struct ktstr_request, magic));
	EXPECT_EQ(4, offsetof(struct ktstr_request, kind));
	EXPECT_EQ(8, offsetof(struct ktstr_request, request_id));
	EXPECT_EQ(16, offsetof(struct ktstr_request, tag_len));
	EXPECT_EQ(24, offsetof(struct ktstr_request, tag));
	EXPECT_EQ(88, offsetof(struct ktstr_request, reply_id));
	EXPECT_EQ(96, offsetof(struct ktstr_request, reply_status));
	EXPECT_EQ(0x6b747371, KTSTR_REQUEST_MAGIC);
	EXPECT_EQ(64, KTSTR_TAG_MAX);
}

TEST(record_and_ring_layout)
{
	EXPECT_EQ(152, sizeof(struct ktstr_record));
	EXPECT_EQ(8, offsetof(struct ktstr_record, seq));
	EXPECT_EQ(16, offsetof(struct ktstr_record, time_ns));
	EXPECT_EQ(24, offsetof(struct ktstr_record, dropped));
	EXPECT_EQ(32, offsetof(struct ktstr_record, doorbells));
	EXPECT_EQ(40, offsetof(struct ktstr_record, nr_regions));
	EXPECT_EQ(44, offsetof(struct ktstr_record, data_len));
	EXPECT_EQ(48, offsetof(struct ktstr_record, req));
	EXPECT_EQ(40, sizeof(struct ktstr_ring_header));
	EXPECT_EQ(32, offsetof(struct ktstr_ring_header, data_offset));
}

/* Each struct's first published size covers it whole, and nothing pads. */
TEST(argument_sizes)
{
	EXPECT_EQ(KTSTR_DOORBELL_SIZE_VER0, sizeof(struct ktstr_doorbell));
	EXPECT_EQ(40, offsetof(struct ktstr_doorbell, mmap_size));
	EXPECT_EQ(KTSTR_REPLY_SIZE_VER0, sizeof(struct ktstr_reply));
	EXPECT_EQ(KTSTR_CONSUME_SIZE_VER0, sizeof(struct ktstr_consume));
	EXPECT_EQ(KTSTR_STATS_SIZE_VER0, sizeof(struct ktstr_stats));
	EXPECT_EQ(80, offsetof(struct ktstr_stats, watch_changes));
	EXPECT_EQ(KTSTR_ATTACH_VM_SIZE_VER0, sizeof(struct ktstr_attach_vm));
	EXPECT_EQ(KTSTR_VCPU_SIZE_VER0, sizeof(struct ktstr_vcpu));
	EXPECT_EQ(KTSTR_WATCH_SIZE_VER0, sizeof(struct ktstr_watch));
	EXPECT_EQ(8, offsetof(struct ktstr_watch, addr));
	EXPECT_EQ(16, sizeof(struct ktstr_region));
}

TEST(abi_constants)
{
	EXPECT_EQ(1, KTSTR_ABI_MAJOR);
	EXPECT_EQ(1, KTSTR_ABI_MINOR);
	EXPECT_EQ(0xf, KTSTR_FEATURES_ALL);
	EXPECT_EQ(4, KTSTR_WATCH_SLOTS);
	EXPECT_EQ(0, KTSTR_WATCH_RESERVED_SLOT);
	EXPECT_STREQ("ktstr", KTSTR_GENL_NAME);
	EXPECT_STREQ("events", KTSTR_GENL_MCGRP);
	EXPECT_STREQ("ktstr", KTSTR_DEVICE_NAME);
}

TEST_HARNESS_MAIN
