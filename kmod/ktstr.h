/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktstr.ko internals: the session and the pieces it owns.
 *
 * Data flow of a capture: the guest writes its request slot and the
 * doorbell GPA; KVM signals the doorbell eventfd in-kernel; our wait-queue
 * entry on that eventfd (doorbell.c) copies the slot and the pinned
 * capture regions (pin.c) into the next record of the ring (ring.c) and
 * wakes readers; events.c announces it over generic netlink from process
 * context. vm.c holds the VM and its vCPUs, watch.c arms watchpoints on them.
 */
#ifndef KTSTR_KMOD_H
#define KTSTR_KMOD_H

#include <linux/eventfd.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <linux/ktstr.h>

struct file;
struct kvm;
struct page;
struct vm_area_struct;

/* A pinned, kernel-mapped range of the VMM's address space. */
struct ktstr_pinned {
	struct page **pages;
	unsigned int nr_pages;
	void *map;		/* vmap() of the pages */
	void *addr;		/* map + offset of the range in its first page */
	size_t len;
};

int ktstr_pin(struct ktstr_pinned *p, u64 uaddr, u64 len);
void ktstr_unpin(struct ktstr_pinned *p);

/* The capture ring: a header page, then nr_records fixed-size records. */
struct ktstr_ring {
	void *mem;			/* vmalloc_user(), mmap()ed read-only */
	size_t mem_size;
	struct ktstr_ring_header *hdr;	/* = mem */
	u32 nr_records;
	u32 record_size;
	u32 data_offset;
	spinlock_t lock;		/* head, tail, dropped; producer vs consumer */
	u64 pending_drops;		/* drops not yet reported in a record */
	struct mutex read_lock;		/* one consumer at a time */
	wait_queue_head_t wait;
};

int ktstr_ring_init(struct ktstr_ring *r, u32 nr_records, u32 data_len);
void ktstr_ring_free(struct ktstr_ring *r);
struct ktstr_record *ktstr_ring_reserve(struct ktstr_ring *r, u64 *seq,
					u64 *dropped);
void ktstr_ring_publish(struct ktstr_ring *r);
ssize_t ktstr_ring_read(struct ktstr_ring *r, char __user *buf, size_t len,
			bool nonblock);
int ktstr_ring_consume(struct ktstr_ring *r, u32 count);
__poll_t ktstr_ring_poll(struct ktstr_ring *r, struct file *file,
			 poll_table *pt);
int ktstr_ring_mmap(struct ktstr_ring *r, struct vm_area_struct *vma);

struct ktstr_stats_acc {
	u64 doorbells, captures, bytes, dropped, malformed, replies;
	u64 lat_min, lat_max, lat_sum;
	u64 watch_changes;
};

struct ktstr_doorbell_state {
	struct eventfd_ctx *ctx;
	wait_queue_entry_t wait;
	poll_table pt;
	wait_queue_head_t *wqh;		/* the eventfd's, once hooked */
	struct ktstr_pinned slot;
	struct ktstr_pinned regions[KTSTR_MAX_REGIONS];
	u32 nr_regions;
	u32 data_len;
	struct ktstr_ring ring;
	struct ktstr_session *sess;
};

struct ktstr_watch_slot {
	bool armed;
	u64 addr;
	u32 len;
	u32 kind;
};

struct ktstr_session {
	u32 id;
	struct mutex lock;		/* serialises ioctls; guards below */
	struct ktstr_doorbell_state *db;	/* set once, then stable */
	struct kvm *kvm;
	struct module *kvm_owner;	/* of the VM file's f_op */
	struct file *vcpus[KTSTR_MAX_VCPUS];
	u32 nr_vcpus;
	struct ktstr_watch_slot watch[KTSTR_WATCH_SLOTS];

	spinlock_t stats_lock;		/* stats, event counters: doorbell side */
	struct ktstr_stats_acc stats;
	u64 ev_captures, ev_bytes, ev_drops, ev_last_seq;
	u64 ev_malformed_seq;
	u32 ev_malformed_reason;
	struct delayed_work event_work;
};

/*
 * Capture, drop and malformed events of a session go out at most once per
 * this interval, each summing up what happened in it: sending a netlink
 * message per capture would cost more than the capture.
 */
#define KTSTR_EVENT_INTERVAL	msecs_to_jiffies(10)

/* doorbell.c */
long ktstr_doorbell_set(struct ktstr_session *sess, void __user *uarg);
long ktstr_doorbell_reply(struct ktstr_session *sess, void __user *uarg);
void ktstr_doorbell_release(struct ktstr_session *sess);
struct ktstr_ring *ktstr_doorbell_ring(struct ktstr_session *sess);

/* vm.c */
long ktstr_vm_attach(struct ktstr_session *sess, void __user *uarg);
long ktstr_vm_add_vcpu(struct ktstr_session *sess, void __user *uarg);
void ktstr_vm_release(struct ktstr_session *sess);
struct kvm_vcpu *ktstr_vm_vcpu(struct ktstr_session *sess, u32 i);

/* watch.c */
long ktstr_watch_arm(struct ktstr_session *sess, void __user *uarg);
long ktstr_watch_disarm(struct ktstr_session *sess, void __user *uarg);
void ktstr_watch_release(struct ktstr_session *sess);
int ktstr_watch_add_vcpu(struct ktstr_session *sess, u32 i);

/* events.c */
int ktstr_events_init(void);
void ktstr_events_exit(void);
void ktstr_events_flush(struct work_struct *work);
void ktstr_events_watch(struct ktstr_session *sess, u32 slot,
			const struct ktstr_watch_slot *w);

/* main.c: copy a versioned ioctl argument in; see uapi/linux/ktstr.h. */
int ktstr_copy_arg(void *karg, size_t ksize, size_t min_size,
		   const void __user *uarg);
int ktstr_copy_arg_out(void __user *uarg, void *karg, size_t ksize);

#endif /* KTSTR_KMOD_H */
