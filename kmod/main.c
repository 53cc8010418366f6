// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr.ko: the /dev/ktstr misc device.
 *
 * Each open() of /dev/ktstr is a session; everything a session acquires
 * belongs to its struct file and is released in ktstr_release(), which
 * also runs when the owning process dies. The ioctl ABI is described in
 * uapi/linux/ktstr.h and Documentation/ioctl.rst.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <linux/ktstr.h>

/**
 * struct ktstr_session - state owned by one open file of /dev/ktstr
 * @lock: serialises the ioctls of this session.
 */
struct ktstr_session {
	struct mutex lock; /* serialises this session's ioctls */
};

static int ktstr_open(struct inode *inode, struct file *file)
{
	struct ktstr_session *sess;

	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		return -ENOMEM;
	mutex_init(&sess->lock);
	file->private_data = sess;
	return nonseekable_open(inode, file);
}

static int ktstr_release(struct inode *inode, struct file *file)
{
	struct ktstr_session *sess = file->private_data;

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
	 * A caller built against a newer header passes a larger struct:
	 * fill what this module knows and say how much that was.
	 */
	ver.size = min_t(u32, usize, sizeof(ver));
	ver.abi_major = KTSTR_ABI_MAJOR;
	ver.abi_minor = KTSTR_ABI_MINOR;
	ver.features = KTSTR_FEATURES_ALL;
	if (copy_to_user(uarg, &ver, ver.size))
		return -EFAULT;
	return 0;
}

static long ktstr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ktstr_session *sess = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	mutex_lock(&sess->lock);
	switch (cmd) {
	case KTSTR_IOC_VERSION:
		ret = ktstr_ioctl_version(uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&sess->lock);
	return ret;
}

static const struct file_operations ktstr_fops = {
	.owner		= THIS_MODULE,
	.open		= ktstr_open,
	.release	= ktstr_release,
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

	ret = misc_register(&ktstr_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", KTSTR_DEVICE_NAME, ret);
		return ret;
	}
	pr_info("ABI %u.%u ready at /dev/%s\n", KTSTR_ABI_MAJOR,
		KTSTR_ABI_MINOR, KTSTR_DEVICE_NAME);
	return 0;
}

static void __exit ktstr_exit(void)
{
	misc_deregister(&ktstr_misc);
}

module_init(ktstr_init);
module_exit(ktstr_exit);

MODULE_DESCRIPTION("ktstr: capture a KVM guest's scheduler state from the host");
MODULE_LICENSE("GPL");
