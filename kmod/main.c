// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr.ko: the /dev/ktstr misc device.
 *
 * Each open() of /dev/ktstr is a session; everything a session acquires
 * (doorbell hook, pinned pages, ring, VM and vCPU references, armed
 * watchpoints) belongs to its struct file and is released in
 * ktstr_release(), which also runs when the owning process dies. The
 * ioctl ABI is described in uapi/linux/ktstr.h and Documentation/ioctl.rst.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ktstr.h"

static atomic_t ktstr_next_session_id = ATOMIC_INIT(0);

/*
 * Read a versioned argument: the caller's struct may be older (at least
 * @min_size) or newer than ours; a newer one must have zeros in the part
 * we do not know (copy_struct_from_user(): -E2BIG otherwise). Leaves the
 * size field at the number of bytes both sides know.
 */
int ktstr_copy_arg(void *karg, size_t ksize, size_t min_size,
		   const void __user *uarg)
{
	u32 usize;
	int ret;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	ret = copy_struct_from_user(karg, ksize, uarg, usize);
	if (ret)
		return ret;
	*(u32 *)karg = min_t(u32, usize, ksize);
	return 0;
}

/* Write back the part of the argument both sides know. */
int ktstr_copy_arg_out(void __user *uarg, void *karg, size_t ksize)
{
	u32 n = min_t(u32, *(u32 *)karg, ksize);

	return copy_to_user(uarg, karg, n) ? -EFAULT : 0;
}

static int ktstr_open(struct inode *inode, struct file *file)
{
	struct ktstr_session *sess;

	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		return -ENOMEM;
	sess->id = atomic_inc_return(&ktstr_next_session_id);
	mutex_init(&sess->lock);
	spin_lock_init(&sess->stats_lock);
	INIT_DELAYED_WORK(&sess->event_work, ktstr_events_flush);
	file->private_data = sess;
	return nonseekable_open(inode, file);
}

static int ktstr_release(struct inode *inode, struct file *file)
{
	struct ktstr_session *sess = file->private_data;

	ktstr_doorbell_release(sess);
	/* Send what the last captures left to announce, then stop. */
	flush_delayed_work(&sess->event_work);
	ktstr_watch_release(sess);
	ktstr_vm_release(sess);
	mutex_destroy(&sess->lock);
	kfree(sess);
	return 0;
}

static long ktstr_ioctl_version(void __user *uarg)
{
	struct ktstr_version ver = {};
	u32 usize;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < KTSTR_VERSION_SIZE_VER0)
		return -EINVAL;

	/*
	 * Output only: a caller built against a newer header passes a larger
	 * struct; fill what this module knows and say how much that was.
	 */
	ver.size = min_t(u32, usize, sizeof(ver));
	ver.abi_major = KTSTR_ABI_MAJOR;
	ver.abi_minor = KTSTR_ABI_MINOR;
	ver.features = KTSTR_FEATURES_ALL;
	if (copy_to_user(uarg, &ver, ver.size))
		return -EFAULT;
	return 0;
}

static long ktstr_ioctl_stats(struct ktstr_session *sess, void __user *uarg)
{
	struct ktstr_stats_acc acc;
	struct ktstr_stats st;
	unsigned long flags;
	long ret;

	ret = ktstr_copy_arg(&st, sizeof(st), KTSTR_STATS_SIZE_VER0, uarg);
	if (ret)
		return ret;
	spin_lock_irqsave(&sess->stats_lock, flags);
	acc = sess->stats;
	spin_unlock_irqrestore(&sess->stats_lock, flags);

	st.session_id = sess->id;
	st.doorbells = acc.doorbells;
	st.captures = acc.captures;
	st.bytes = acc.bytes;
	st.dropped = acc.dropped;
	st.malformed = acc.malformed;
	st.replies = acc.replies;
	st.latency_min_ns = acc.lat_min;
	st.latency_avg_ns = acc.captures ? div64_u64(acc.lat_sum, acc.captures) : 0;
	st.latency_max_ns = acc.lat_max;
	st.watch_changes = acc.watch_changes;
	return ktstr_copy_arg_out(uarg, &st, sizeof(st));
}

static long ktstr_ioctl_consume(struct ktstr_session *sess, void __user *uarg)
{
	struct ktstr_ring *ring = ktstr_doorbell_ring(sess);
	struct ktstr_consume arg;
	long ret;

	ret = ktstr_copy_arg(&arg, sizeof(arg), KTSTR_CONSUME_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (!ring)
		return -ENODEV;
	return ktstr_ring_consume(ring, arg.count);
}

static long ktstr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ktstr_session *sess = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	if (cmd == KTSTR_IOC_VERSION)
		return ktstr_ioctl_version(uarg);

	if (mutex_lock_interruptible(&sess->lock))
		return -ERESTARTSYS;
	switch (cmd) {
	case KTSTR_IOC_DOORBELL_SET:
		ret = ktstr_doorbell_set(sess, uarg);
		break;
	case KTSTR_IOC_REPLY:
		ret = ktstr_doorbell_reply(sess, uarg);
		break;
	case KTSTR_IOC_CONSUME:
		ret = ktstr_ioctl_consume(sess, uarg);
		break;
	case KTSTR_IOC_STATS:
		ret = ktstr_ioctl_stats(sess, uarg);
		break;
	case KTSTR_IOC_ATTACH_VM:
		ret = ktstr_vm_attach(sess, uarg);
		break;
	case KTSTR_IOC_ADD_VCPU:
		ret = ktstr_vm_add_vcpu(sess, uarg);
		break;
	case KTSTR_IOC_WATCH_ARM:
		ret = ktstr_watch_arm(sess, uarg);
		break;
	case KTSTR_IOC_WATCH_DISARM:
		ret = ktstr_watch_disarm(sess, uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&sess->lock);
	return ret;
}

static ssize_t ktstr_read(struct file *file, char __user *buf, size_t len,
			  loff_t *ppos)
{
	struct ktstr_ring *ring = ktstr_doorbell_ring(file->private_data);

	if (!ring)
		return -ENODEV;
	return ktstr_ring_read(ring, buf, len, file->f_flags & O_NONBLOCK);
}

static __poll_t ktstr_poll(struct file *file, poll_table *pt)
{
	struct ktstr_ring *ring = ktstr_doorbell_ring(file->private_data);

	if (!ring)
		return EPOLLERR;
	return ktstr_ring_poll(ring, file, pt);
}

static int ktstr_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ktstr_ring *ring = ktstr_doorbell_ring(file->private_data);

	if (!ring)
		return -ENODEV;
	return ktstr_ring_mmap(ring, vma);
}

static const struct file_operations ktstr_fops = {
	.owner		= THIS_MODULE,
	.open		= ktstr_open,
	.release	= ktstr_release,
	.read		= ktstr_read,
	.poll		= ktstr_poll,
	.mmap		= ktstr_mmap,
	.unlocked_ioctl	= ktstr_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice ktstr_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= KTSTR_DEVICE_NAME,
	.fops	= &ktstr_fops,
	.mode	= 0600,
};

static int __init ktstr_init(void)
{
	int ret;

	ret = ktstr_events_init();
	if (ret) {
		pr_err("cannot register the %s netlink family: %d\n",
		       KTSTR_GENL_NAME, ret);
		return ret;
	}
	ret = misc_register(&ktstr_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", KTSTR_DEVICE_NAME, ret);
		ktstr_events_exit();
		return ret;
	}
	pr_info("ABI %u.%u ready at /dev/%s\n", KTSTR_ABI_MAJOR,
		KTSTR_ABI_MINOR, KTSTR_DEVICE_NAME);
	return 0;
}

static void __exit ktstr_exit(void)
{
	misc_deregister(&ktstr_misc);
	ktstr_events_exit();
}

module_init(ktstr_init);
module_exit(ktstr_exit);

MODULE_DESCRIPTION("ktstr: capture a KVM guest's scheduler state from the host");
MODULE_LICENSE("GPL");
