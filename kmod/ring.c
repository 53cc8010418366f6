// SPDX-License-Identifier: GPL-2.0
/*
 * The capture ring: one producer, the doorbell wakeup (serialised by the
 * eventfd's wait-queue lock), and consumers serialised by read_lock.
 * head and tail live in the header page that userspace maps read-only;
 * the producer publishes a record by a release store of head, a consumer
 * gives records back by a release store of tail. A full ring drops the
 * new record and counts it; the count travels in the next record that
 * fits and accumulates in the header.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "ktstr.h"

static struct ktstr_record *ktstr_ring_entry(struct ktstr_ring *r, u64 seq)
{
	u32 i = (seq - 1) % r->nr_records;

	return r->mem + r->data_offset + (size_t)i * r->record_size;
}

int ktstr_ring_init(struct ktstr_ring *r, u32 nr_records, u32 data_len)
{
	size_t rec = ALIGN(sizeof(struct ktstr_record) + data_len, 8);

	if (!nr_records || nr_records > KTSTR_MAX_RECORDS ||
	    data_len > KTSTR_MAX_RECORD_DATA)
		return -EINVAL;
	if (rec * nr_records > KTSTR_MAX_RING_BYTES)
		return -E2BIG;

	r->data_offset = PAGE_SIZE;
	r->record_size = rec;
	r->nr_records = nr_records;
	r->mem_size = PAGE_ALIGN(r->data_offset + rec * nr_records);
	r->mem = vmalloc_user(r->mem_size);
	if (!r->mem)
		return -ENOMEM;
	r->hdr = r->mem;
	r->hdr->nr_records = nr_records;
	r->hdr->record_size = rec;
	r->hdr->data_offset = r->data_offset;
	r->pending_drops = 0;
	mutex_init(&r->read_lock);
	init_waitqueue_head(&r->wait);
	return 0;
}

void ktstr_ring_free(struct ktstr_ring *r)
{
	vfree(r->mem);
	r->mem = NULL;
	mutex_destroy(&r->read_lock);
}

/*
 * Producer: the next free record, or NULL when the ring is full (the drop
 * is counted). @seq is the new record's sequence number, @dropped the
 * drops it must report.
 */
struct ktstr_record *ktstr_ring_reserve(struct ktstr_ring *r, u64 *seq,
					u64 *dropped)
{
	u64 head = r->hdr->head;
	/* Pairs with the consumer's release of tail: that record is free. */
	u64 tail = smp_load_acquire(&r->hdr->tail);

	if (head - tail >= r->nr_records) {
		r->pending_drops++;
		WRITE_ONCE(r->hdr->dropped, r->hdr->dropped + 1);
		return NULL;
	}
	*seq = head + 1;
	*dropped = r->pending_drops;
	r->pending_drops = 0;
	return ktstr_ring_entry(r, head + 1);
}

void ktstr_ring_publish(struct ktstr_ring *r)
{
	/* The record's bytes are visible before the head that covers it. */
	smp_store_release(&r->hdr->head, r->hdr->head + 1);
	wake_up_interruptible_poll(&r->wait, EPOLLIN | EPOLLRDNORM);
}

static bool ktstr_ring_empty(struct ktstr_ring *r)
{
	/* Pairs with ktstr_ring_publish(). */
	return smp_load_acquire(&r->hdr->head) == READ_ONCE(r->hdr->tail);
}

/*
 * Copy whole records, record_size bytes apart, into @buf. Records are
 * consumed only once all of them reached userspace: a fault loses nothing.
 */
ssize_t ktstr_ring_read(struct ktstr_ring *r, char __user *buf, size_t len,
			bool nonblock)
{
	u64 head, tail, n, i;
	ssize_t ret;

	if (len < r->record_size)
		return -EINVAL;
	if (mutex_lock_interruptible(&r->read_lock))
		return -ERESTARTSYS;
	while (ktstr_ring_empty(r)) {
		mutex_unlock(&r->read_lock);
		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(r->wait, !ktstr_ring_empty(r)))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&r->read_lock))
			return -ERESTARTSYS;
	}

	/* Pairs with ktstr_ring_publish(): records up to head are complete. */
	head = smp_load_acquire(&r->hdr->head);
	tail = r->hdr->tail;
	n = min_t(u64, head - tail, len / r->record_size);
	for (i = 0; i < n; i++) {
		if (copy_to_user(buf + i * r->record_size,
				 ktstr_ring_entry(r, tail + i + 1),
				 r->record_size)) {
			ret = -EFAULT;
			goto out;
		}
	}
	/* The records are copied out before the producer may reuse them. */
	smp_store_release(&r->hdr->tail, tail + n);
	ret = n * r->record_size;
out:
	mutex_unlock(&r->read_lock);
	return ret;
}

/* Give back @count records read through the mmap. */
int ktstr_ring_consume(struct ktstr_ring *r, u32 count)
{
	u64 head, tail;
	int ret = 0;

	mutex_lock(&r->read_lock);
	/* Pairs with ktstr_ring_publish(). */
	head = smp_load_acquire(&r->hdr->head);
	tail = r->hdr->tail;
	if (count > head - tail)
		ret = -EINVAL;
	else	/* The mmap reader is done with them: the producer may reuse. */
		smp_store_release(&r->hdr->tail, tail + count);
	mutex_unlock(&r->read_lock);
	return ret;
}

__poll_t ktstr_ring_poll(struct ktstr_ring *r, struct file *file,
			 poll_table *pt)
{
	poll_wait(file, &r->wait, pt);
	return ktstr_ring_empty(r) ? 0 : EPOLLIN | EPOLLRDNORM;
}

/* The header page and the records, read-only. */
int ktstr_ring_mmap(struct ktstr_ring *r, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	ktstr_vma_clear_flags(vma, VM_MAYWRITE);
	return remap_vmalloc_range(vma, r->mem, vma->vm_pgoff);
}
