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

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define KTSTR_DEVICE_NAME	"ktstr"

/*
 * The major number changes only for an incompatible change, which this
 * project does not intend to make; the minor number grows with each
 * compatible addition (a new ioctl, a new tail field, a new feature bit).
 */
#define KTSTR_ABI_MAJOR		1
#define KTSTR_ABI_MINOR		1

#define KTSTR_IOC_MAGIC		0xBC

/*
 * Optional capabilities the loaded module offers; a caller tests the bit
 * before using the ioctls behind it.
 */
#define KTSTR_FEATURE_DOORBELL	_BITULL(0)	/* DOORBELL_SET, REPLY, ring */
#define KTSTR_FEATURE_WATCH	_BITULL(1)	/* ATTACH_VM, ADD_VCPU, WATCH_* */
#define KTSTR_FEATURE_EVENTS	_BITULL(2)	/* the generic-netlink family */
#define KTSTR_FEATURE_STATS	_BITULL(3)	/* STATS */
#define KTSTR_FEATURES_ALL	(KTSTR_FEATURE_DOORBELL | KTSTR_FEATURE_WATCH | \
				 KTSTR_FEATURE_EVENTS | KTSTR_FEATURE_STATS)

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

/* ---- The guest <-> host wire ---------------------------------------- */

/*
 * The request slot: a struct ktstr_request in guest memory. The guest
 * fills magic, kind, request_id and the tag, then writes the doorbell GPA;
 * the host copies the slot as it is at that moment into a capture record.
 * The guest is untrusted: a slot that does not validate is recorded with
 * KTSTR_RECORD_MALFORMED and the reason, never interpreted. The host
 * completes a request by writing reply_status, then reply_id; the guest
 * waits until reply_id equals its request_id.
 */
#define KTSTR_REQUEST_MAGIC	0x6b747371	/* "qstk" little endian */
#define KTSTR_TAG_MAX		64

enum ktstr_request_kind {
	KTSTR_REQUEST_CAPTURE	= 1,	/* on-demand capture under a tag */
	KTSTR_REQUEST_WATCH	= 2,	/* register a watch on a symbol (tag) */
	KTSTR_REQUEST_KIND_MAX	= KTSTR_REQUEST_WATCH,
};

struct ktstr_request {
	__u32 magic;
	__u32 kind;		/* enum ktstr_request_kind */
	__u64 request_id;
	__u32 tag_len;		/* bytes of tag used, 1..KTSTR_TAG_MAX */
	__u32 pad;
	char tag[KTSTR_TAG_MAX]; /* printable ASCII, not NUL terminated */
	/* Written by the host. */
	__u64 reply_id;
	__s32 reply_status;	/* 0 or a negative errno */
	__u32 reply_pad;
};

/* ---- Capture records -------------------------------------------------- */

/* Why a request was recorded as malformed (struct ktstr_record.malformed). */
enum ktstr_malformed {
	KTSTR_MALFORMED_NONE	= 0,
	KTSTR_MALFORMED_MAGIC	= 1,
	KTSTR_MALFORMED_KIND	= 2,
	KTSTR_MALFORMED_TAG_LEN	= 3,
	KTSTR_MALFORMED_TAG	= 4,	/* a byte of the tag is not printable */
};

#define KTSTR_RECORD_MALFORMED	_BITUL(0)

/*
 * One capture: this header, then the bytes of every capture region in
 * registration order (data_len bytes in all). Records are record_size
 * bytes apart in the ring; read() returns whole records.
 */
struct ktstr_record {
	__u32 size;		/* header + data_len */
	__u32 flags;		/* KTSTR_RECORD_* */
	__u64 seq;		/* 1, 2, ... within the session */
	__u64 time_ns;		/* CLOCK_MONOTONIC when the doorbell rang */
	__u64 dropped;		/* records lost to a full ring just before this one */
	__u32 doorbells;	/* eventfd count this capture consumed (normally 1) */
	__u32 malformed;	/* enum ktstr_malformed */
	__u32 nr_regions;
	__u32 data_len;
	struct ktstr_request req; /* the slot as it was; zeroed tag when malformed */
};

/*
 * The first bytes of the read-only mmap of the ring: records start at
 * data_offset, record i of the ring at data_offset + i * record_size, and
 * sequence number seq lives in ring entry (seq - 1) % nr_records. Records
 * tail + 1 .. head are readable; read() and KTSTR_IOC_CONSUME advance tail.
 */
struct ktstr_ring_header {
	__u64 head;		/* records produced */
	__u64 tail;		/* records consumed */
	__u64 dropped;		/* records lost to a full ring, in all */
	__u32 nr_records;
	__u32 record_size;
	__u32 data_offset;
	__u32 pad;
};

/* ---- ioctls ------------------------------------------------------------ */

#define KTSTR_MAX_REGIONS	16
#define KTSTR_MAX_RECORD_DATA	(1024U * 1024)	/* bytes of regions per record */
#define KTSTR_MAX_RECORDS	4096
#define KTSTR_MAX_RING_BYTES	(64U << 20)
#define KTSTR_MAX_VCPUS		256

/* A range of the VMM's address space that backs guest memory. */
struct ktstr_region {
	__u64 uaddr;
	__u64 len;
};

/**
 * struct ktstr_doorbell - KTSTR_IOC_DOORBELL_SET argument
 * @size:	sizeof(struct ktstr_doorbell), at least KTSTR_DOORBELL_SIZE_VER0.
 * @eventfd:	the eventfd the doorbell signals (also given to KVM_IOEVENTFD).
 * @slot_uaddr:	VMM address of the guest's struct ktstr_request.
 * @regions:	user pointer to @nr_regions struct ktstr_region.
 * @nr_regions:	0..KTSTR_MAX_REGIONS; each 1..KTSTR_MAX_RECORD_DATA bytes,
 *		KTSTR_MAX_RECORD_DATA in all.
 * @nr_records:	ring capacity, 1..KTSTR_MAX_RECORDS.
 * @record_size: out: bytes between records in the ring.
 * @pad:	zero.
 * @mmap_size:	out: length of the ring's mmap at offset 0.
 *
 * The slot and the regions must be writable mappings; they are pinned until
 * the session ends. One doorbell per session.
 */
struct ktstr_doorbell {
	__u32 size;
	__s32 eventfd;
	__u64 slot_uaddr;
	__u64 regions;
	__u32 nr_regions;
	__u32 nr_records;
	__u32 record_size;
	__u32 pad;
	__u64 mmap_size;
};

#define KTSTR_DOORBELL_SIZE_VER0	48

/* Complete request @request_id with @status in the guest's slot. */
struct ktstr_reply {
	__u32 size;
	__s32 status;		/* 0 or a negative errno */
	__u64 request_id;
};

#define KTSTR_REPLY_SIZE_VER0		16

/* Mark @count records consumed (mmap readers). */
struct ktstr_consume {
	__u32 size;
	__u32 count;
};

#define KTSTR_CONSUME_SIZE_VER0		8

struct ktstr_stats {
	__u32 size;
	__u32 session_id;	/* as in the netlink events */
	__u64 doorbells;	/* eventfd counts seen */
	__u64 captures;		/* records written */
	__u64 bytes;		/* region bytes copied */
	__u64 dropped;		/* records lost to a full ring */
	__u64 malformed;	/* records of malformed requests */
	__u64 replies;
	__u64 latency_min_ns;	/* callback start to record published */
	__u64 latency_avg_ns;
	__u64 latency_max_ns;
	__u64 watch_changes;	/* successful WATCH_ARM/DISARM */
};

#define KTSTR_STATS_SIZE_VER0		88

struct ktstr_attach_vm {
	__u32 size;
	__s32 vm_fd;		/* a KVM VM file descriptor */
};

#define KTSTR_ATTACH_VM_SIZE_VER0	8

struct ktstr_vcpu {
	__u32 size;
	__s32 vcpu_fd;		/* a vCPU fd of the attached VM */
	__u32 index;		/* out: its index in the session */
	__u32 pad;
};

#define KTSTR_VCPU_SIZE_VER0		16

/*
 * Watchpoints map onto the guest's debug registers: slot N is DRN. Slot 0
 * is reserved for the error-class trigger and needs KTSTR_WATCH_ERROR_TRIGGER;
 * slots 1..3 are the user slots, and KTSTR_WATCH_ANY_SLOT picks a free one.
 */
#define KTSTR_WATCH_SLOTS		4
#define KTSTR_WATCH_RESERVED_SLOT	0
#define KTSTR_WATCH_ANY_SLOT		0xffffffffU

enum ktstr_watch_kind {
	KTSTR_WATCH_WRITE	= 1,
	KTSTR_WATCH_RW		= 2,
	KTSTR_WATCH_EXEC	= 3,	/* len must be 1 */
};

#define KTSTR_WATCH_ERROR_TRIGGER	_BITUL(0)

/**
 * struct ktstr_watch - KTSTR_IOC_WATCH_ARM / KTSTR_IOC_WATCH_DISARM argument
 * @size:	sizeof(struct ktstr_watch), at least KTSTR_WATCH_SIZE_VER0.
 * @slot:	in: 0..3 or KTSTR_WATCH_ANY_SLOT; out: the slot armed.
 * @addr:	guest virtual address, aligned to @len (ARM only).
 * @len:	1, 2, 4 or 8 (ARM only).
 * @kind:	enum ktstr_watch_kind (ARM only).
 * @flags:	KTSTR_WATCH_ERROR_TRIGGER for slot 0.
 * @pad:	zero.
 */
struct ktstr_watch {
	__u32 size;
	__u32 slot;
	__u64 addr;
	__u32 len;
	__u32 kind;
	__u32 flags;
	__u32 pad;
};

#define KTSTR_WATCH_SIZE_VER0		32

#define KTSTR_IOC_DOORBELL_SET	_IOWR(KTSTR_IOC_MAGIC, 0x01, struct ktstr_doorbell)
#define KTSTR_IOC_REPLY		_IOW(KTSTR_IOC_MAGIC, 0x02, struct ktstr_reply)
#define KTSTR_IOC_CONSUME	_IOW(KTSTR_IOC_MAGIC, 0x03, struct ktstr_consume)
#define KTSTR_IOC_STATS		_IOWR(KTSTR_IOC_MAGIC, 0x04, struct ktstr_stats)
#define KTSTR_IOC_ATTACH_VM	_IOW(KTSTR_IOC_MAGIC, 0x05, struct ktstr_attach_vm)
#define KTSTR_IOC_ADD_VCPU	_IOWR(KTSTR_IOC_MAGIC, 0x06, struct ktstr_vcpu)
#define KTSTR_IOC_WATCH_ARM	_IOWR(KTSTR_IOC_MAGIC, 0x07, struct ktstr_watch)
#define KTSTR_IOC_WATCH_DISARM	_IOW(KTSTR_IOC_MAGIC, 0x08, struct ktstr_watch)

/* ---- Events: generic netlink --------------------------------------------- */

#define KTSTR_GENL_NAME		"ktstr"
#define KTSTR_GENL_VERSION	1
#define KTSTR_GENL_MCGRP	"events"

enum ktstr_genl_cmd {
	KTSTR_CMD_UNSPEC,
	KTSTR_CMD_CAPTURE,	/* SESSION, SEQ (newest), COUNT, BYTES */
	KTSTR_CMD_DROP,		/* SESSION, COUNT (records lost since last event) */
	KTSTR_CMD_MALFORMED,	/* SESSION, SEQ, REASON */
	KTSTR_CMD_WATCH,	/* SESSION, SLOT, ADDR, LEN, KIND, ARMED */
	__KTSTR_CMD_MAX,
};

enum ktstr_genl_attr {
	KTSTR_A_UNSPEC,
	KTSTR_A_SESSION,	/* u32 */
	KTSTR_A_SEQ,		/* u64 */
	KTSTR_A_COUNT,		/* u64 */
	KTSTR_A_BYTES,		/* u64 */
	KTSTR_A_REASON,		/* u32, enum ktstr_malformed */
	KTSTR_A_SLOT,		/* u32 */
	KTSTR_A_ADDR,		/* u64 */
	KTSTR_A_LEN,		/* u32 */
	KTSTR_A_KIND,		/* u32 */
	KTSTR_A_ARMED,		/* u8 */
	KTSTR_A_PAD,
	__KTSTR_A_MAX,
};

#define KTSTR_A_MAX	(__KTSTR_A_MAX - 1)

#endif /* _UAPI_LINUX_KTSTR_H */
