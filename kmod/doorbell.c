// SPDX-License-Identifier: GPL-2.0
/*
 * The doorbell: a wait-queue entry on an eventfd, as KVM's irqfd and vhost
 * hook theirs. KVM signals the eventfd from the vCPU thread when the guest
 * writes the doorbell GPA (KVM_IOEVENTFD), and eventfd_signal() calls
 * ktstr_doorbell_wakeup() with the eventfd's wait-queue spinlock held and
 * interrupts off. There the request slot and the capture regions, all
 * pinned and mapped at registration, are copied into the next ring record:
 * no fault, no sleep, no allocation. Netlink events go out later from a
 * work item.
 */
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ktstr.h"

/* The guest wrote the slot: trust nothing in it. */
static u32 ktstr_request_check(const struct ktstr_request *req)
{
	u32 i;

	if (req->magic != KTSTR_REQUEST_MAGIC)
		return KTSTR_MALFORMED_MAGIC;
	if (!req->kind || req->kind > KTSTR_REQUEST_KIND_MAX)
		return KTSTR_MALFORMED_KIND;
	if (!req->tag_len || req->tag_len > KTSTR_TAG_MAX)
		return KTSTR_MALFORMED_TAG_LEN;
	for (i = 0; i < req->tag_len; i++)
		if (req->tag[i] < 0x20 || req->tag[i] > 0x7e)
			return KTSTR_MALFORMED_TAG;
	return KTSTR_MALFORMED_NONE;
}

static void ktstr_doorbell_capture(struct ktstr_doorbell_state *db, u64 cnt)
{
	struct ktstr_session *sess = db->sess;
	struct ktstr_stats_acc *st = &sess->stats;
	u64 t0 = ktime_get_ns(), seq = 0, dropped = 0, lat;
	struct ktstr_record *rec;
	u32 i, reason = 0;
	char *data;

	rec = ktstr_ring_reserve(&db->ring, &seq, &dropped);
	if (rec) {
		memset(rec, 0, sizeof(*rec));
		/* One copy of the slot; everything below looks at the copy. */
		memcpy(&rec->req, db->slot.addr, sizeof(rec->req));
		reason = ktstr_request_check(&rec->req);
		if (reason) {
			rec->flags = KTSTR_RECORD_MALFORMED;
			rec->malformed = reason;
			memset(rec->req.tag, 0, sizeof(rec->req.tag));
		} else {
			/* Bytes past tag_len are not part of the tag. */
			memset(rec->req.tag + rec->req.tag_len, 0,
			       KTSTR_TAG_MAX - rec->req.tag_len);
			data = (char *)(rec + 1);
			for (i = 0; i < db->nr_regions; i++) {
				memcpy(data, db->regions[i].addr,
				       db->regions[i].len);
				data += db->regions[i].len;
			}
			rec->nr_regions = db->nr_regions;
			rec->data_len = db->data_len;
		}
		rec->size = sizeof(*rec) + rec->data_len;
		rec->seq = seq;
		rec->time_ns = t0;
		rec->dropped = dropped;
		rec->doorbells = min_t(u64, cnt, U32_MAX);
		ktstr_ring_publish(&db->ring);
	}
	lat = ktime_get_ns() - t0;

	spin_lock(&sess->stats_lock);
	st->doorbells += cnt;
	if (rec) {
		st->captures++;
		st->bytes += rec->data_len;
		st->lat_sum += lat;
		if (!st->lat_min || lat < st->lat_min)
			st->lat_min = lat;
		if (lat > st->lat_max)
			st->lat_max = lat;
		sess->ev_captures++;
		sess->ev_bytes += rec->data_len;
		sess->ev_last_seq = seq;
		if (reason) {
			st->malformed++;
			sess->ev_malformed_seq = seq;
			sess->ev_malformed_reason = reason;
		}
	} else {
		st->dropped++;
		sess->ev_drops++;
	}
	spin_unlock(&sess->stats_lock);
	/* A no-op while an event batch is pending. */
	schedule_delayed_work(&sess->event_work, KTSTR_EVENT_INTERVAL);
}

static int ktstr_doorbell_wakeup(wait_queue_entry_t *wait, unsigned int mode,
				 int sync, void *key)
{
	struct ktstr_doorbell_state *db =
		container_of(wait, struct ktstr_doorbell_state, wait);
	u64 cnt = 0;

	/*
	 * EPOLLHUP alone means the eventfd file was closed: nothing rings any
	 * more, and our context reference keeps the wait queue valid until
	 * the session lets go of it.
	 */
	if (!(key_to_poll(key) & EPOLLIN))
		return 0;
	eventfd_ctx_do_read(db->ctx, &cnt);
	if (cnt)
		ktstr_doorbell_capture(db, cnt);
	return 0;
}

static void ktstr_doorbell_queue(struct file *file, wait_queue_head_t *wqh,
				 poll_table *pt)
{
	struct ktstr_doorbell_state *db =
		container_of(pt, struct ktstr_doorbell_state, pt);

	db->wqh = wqh;
	add_wait_queue(wqh, &db->wait);
}

static void ktstr_doorbell_free(struct ktstr_doorbell_state *db)
{
	u32 i;

	for (i = 0; i < db->nr_regions; i++)
		ktstr_unpin(&db->regions[i]);
	ktstr_unpin(&db->slot);
	if (db->ring.mem)
		ktstr_ring_free(&db->ring);
	if (db->ctx)
		eventfd_ctx_put(db->ctx);
	kfree(db);
}

long ktstr_doorbell_set(struct ktstr_session *sess, void __user *uarg)
{
	struct ktstr_region regs[KTSTR_MAX_REGIONS];
	struct ktstr_doorbell_state *db;
	struct ktstr_doorbell arg;
	u64 data_len = 0;
	struct fd f;
	long ret;
	u32 i;

	ret = ktstr_copy_arg(&arg, sizeof(arg), KTSTR_DOORBELL_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (arg.pad || arg.nr_regions > KTSTR_MAX_REGIONS || !arg.nr_records ||
	    arg.nr_records > KTSTR_MAX_RECORDS)
		return -EINVAL;
	if (sess->db)
		return -EBUSY;
	if (arg.nr_regions &&
	    copy_from_user(regs, u64_to_user_ptr(arg.regions),
			   arg.nr_regions * sizeof(regs[0])))
		return -EFAULT;
	for (i = 0; i < arg.nr_regions; i++) {
		if (!regs[i].len || regs[i].len > KTSTR_MAX_RECORD_DATA)
			return -EINVAL;
		data_len += regs[i].len;
	}
	if (data_len > KTSTR_MAX_RECORD_DATA)
		return -E2BIG;

	db = kzalloc(sizeof(*db), GFP_KERNEL);
	if (!db)
		return -ENOMEM;
	db->sess = sess;

	f = fdget(arg.eventfd);
	if (!f.file) {
		ret = -EBADF;
		goto err;
	}
	db->ctx = eventfd_ctx_fileget(f.file);
	if (IS_ERR(db->ctx)) {
		ret = PTR_ERR(db->ctx);
		db->ctx = NULL;
		goto err_fdput;
	}

	ret = ktstr_pin(&db->slot, arg.slot_uaddr, sizeof(struct ktstr_request));
	if (ret)
		goto err_fdput;
	for (i = 0; i < arg.nr_regions; i++) {
		ret = ktstr_pin(&db->regions[i], regs[i].uaddr, regs[i].len);
		if (ret)
			goto err_fdput;
		db->nr_regions = i + 1;
	}
	db->data_len = data_len;
	ret = ktstr_ring_init(&db->ring, arg.nr_records, data_len);
	if (ret)
		goto err_fdput;

	arg.record_size = db->ring.record_size;
	arg.mmap_size = db->ring.mem_size;
	ret = ktstr_copy_arg_out(uarg, &arg, sizeof(arg));
	if (ret)
		goto err_fdput;

	/* Hook last: from here on, a signal captures. */
	init_waitqueue_func_entry(&db->wait, ktstr_doorbell_wakeup);
	init_poll_funcptr(&db->pt, ktstr_doorbell_queue);
	vfs_poll(f.file, &db->pt);
	fdput(f);
	if (!db->wqh) {
		ktstr_doorbell_free(db);
		return -EINVAL;
	}
	/* read(), poll() and mmap() look at sess->db without the lock. */
	smp_store_release(&sess->db, db);
	return 0;

err_fdput:
	fdput(f);
err:
	ktstr_doorbell_free(db);
	return ret;
}

long ktstr_doorbell_reply(struct ktstr_session *sess, void __user *uarg)
{
	struct ktstr_request *slot;
	struct ktstr_reply arg;
	unsigned long flags;
	long ret;

	ret = ktstr_copy_arg(&arg, sizeof(arg), KTSTR_REPLY_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (arg.status > 0 || arg.status < -MAX_ERRNO)
		return -EINVAL;
	if (!sess->db)
		return -ENODEV;

	slot = sess->db->slot.addr;
	WRITE_ONCE(slot->reply_status, arg.status);
	/* Status before id: the guest reads reply_id, then reply_status. */
	smp_wmb();
	WRITE_ONCE(slot->reply_id, arg.request_id);

	spin_lock_irqsave(&sess->stats_lock, flags);
	sess->stats.replies++;
	spin_unlock_irqrestore(&sess->stats_lock, flags);
	return 0;
}

void ktstr_doorbell_release(struct ktstr_session *sess)
{
	struct ktstr_doorbell_state *db = sess->db;
	u64 cnt;

	if (!db)
		return;
	/* Takes the wait-queue lock: no wakeup runs once this returns. */
	eventfd_ctx_remove_wait_queue(db->ctx, &db->wait, &cnt);
	sess->db = NULL;
	ktstr_doorbell_free(db);
}

/* The ring of the session's doorbell, for read/poll/mmap. */
struct ktstr_ring *ktstr_doorbell_ring(struct ktstr_session *sess)
{
	/* Pairs with the release in ktstr_doorbell_set(). */
	struct ktstr_doorbell_state *db = smp_load_acquire(&sess->db);

	return db ? &db->ring : NULL;
}
