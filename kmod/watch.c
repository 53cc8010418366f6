// SPDX-License-Identifier: GPL-2.0
/*
 * Watchpoints: the session's slots become the guest debug registers of
 * every registered vCPU through KVM_SET_GUEST_DEBUG, all vCPUs or none.
 *
 * KVM exports no way to set guest debug state from a module, so the
 * module issues the vCPU ioctl itself, with its argument in a scratch page
 * mapped into the caller. That only works from the VMM's own process (KVM
 * refuses vCPU ioctls from another mm) and only while the vCPU is outside
 * KVM_RUN (the ioctl waits for the vCPU's mutex): a vCPU found running
 * fails the request with -EBUSY, and the vCPUs already changed are put
 * back. A caller must kick its vCPUs out of KVM_RUN first.
 */
#include <linux/kvm_host.h>
#include <linux/mman.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "ktstr.h"

#define KTSTR_DR7_FIXED		0x400	/* DR7 bit 10 reads as one */
#define KTSTR_DR7_GE		0x200

/* DR7 R/W and LEN fields for slot @i. */
static u64 ktstr_dr7_slot(u32 i, const struct ktstr_watch_slot *w)
{
	static const u8 len_bits[9] = { [1] = 0, [2] = 1, [4] = 3, [8] = 2 };
	u64 rw;

	switch (w->kind) {
	case KTSTR_WATCH_WRITE:
		rw = 1;
		break;
	case KTSTR_WATCH_RW:
		rw = 3;
		break;
	default:
		rw = 0;
		break;
	}
	return (2ULL << (i * 2)) |
	       ((rw | (u64)len_bits[w->len] << 2) << (16 + i * 4));
}

static void ktstr_watch_debug(const struct ktstr_watch_slot *slots,
			      struct kvm_guest_debug *dbg)
{
	u32 i;

	memset(dbg, 0, sizeof(*dbg));
	dbg->arch.debugreg[7] = KTSTR_DR7_FIXED | KTSTR_DR7_GE;
	for (i = 0; i < KTSTR_WATCH_SLOTS; i++) {
		if (!slots[i].armed)
			continue;
		dbg->control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
		dbg->arch.debugreg[i] = slots[i].addr;
		dbg->arch.debugreg[7] |= ktstr_dr7_slot(i, &slots[i]);
	}
	if (!dbg->control)
		dbg->arch.debugreg[7] = 0;
}

static int ktstr_watch_set_vcpu(struct ktstr_session *sess, u32 i,
				const struct kvm_guest_debug *dbg,
				void __user *scratch)
{
	struct file *f = sess->vcpus[i];

	if (mutex_is_locked(&ktstr_vm_vcpu(sess, i)->mutex))
		return -EBUSY;
	if (copy_to_user(scratch, dbg, sizeof(*dbg)))
		return -EFAULT;
	return f->f_op->unlocked_ioctl(f, KVM_SET_GUEST_DEBUG,
				       (unsigned long)scratch);
}

/* Move every vCPU from @old to @new, or leave them all at @old. */
static int ktstr_watch_apply(struct ktstr_session *sess,
			     const struct ktstr_watch_slot *old,
			     const struct ktstr_watch_slot *new)
{
	struct kvm_guest_debug dbg_old, dbg_new;
	unsigned long scratch;
	int ret = 0;
	u32 i, j;

	if (!sess->nr_vcpus)
		return 0;
	if (current->mm != sess->kvm->mm)
		return -EPERM;
	ktstr_watch_debug(old, &dbg_old);
	ktstr_watch_debug(new, &dbg_new);

	scratch = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(scratch))
		return (int)scratch;
	for (i = 0; i < sess->nr_vcpus; i++) {
		ret = ktstr_watch_set_vcpu(sess, i, &dbg_new,
					   (void __user *)scratch);
		if (ret)
			break;
	}
	if (ret) {
		for (j = 0; j < i; j++)
			if (ktstr_watch_set_vcpu(sess, j, &dbg_old,
						 (void __user *)scratch))
				pr_warn("vCPU %u: cannot restore guest debug state\n", j);
	}
	vm_munmap(scratch, PAGE_SIZE);
	return ret;
}

static int ktstr_watch_check(const struct ktstr_watch *w)
{
	if (w->pad || (w->flags & ~KTSTR_WATCH_ERROR_TRIGGER))
		return -EINVAL;
	if (w->len != 1 && w->len != 2 && w->len != 4 && w->len != 8)
		return -EINVAL;
	if (w->addr & (w->len - 1))
		return -EINVAL;
	if (w->kind != KTSTR_WATCH_WRITE && w->kind != KTSTR_WATCH_RW &&
	    w->kind != KTSTR_WATCH_EXEC)
		return -EINVAL;
	if (w->kind == KTSTR_WATCH_EXEC && w->len != 1)
		return -EINVAL;
	return 0;
}

/* Slot 0 is the error trigger's and only its; the others are the users'. */
static int ktstr_watch_slot_ok(const struct ktstr_watch *w)
{
	bool trigger = w->flags & KTSTR_WATCH_ERROR_TRIGGER;
	bool reserved = w->slot == KTSTR_WATCH_RESERVED_SLOT;

	if (w->slot >= KTSTR_WATCH_SLOTS)
		return -EINVAL;
	if (reserved != trigger)
		return -EPERM;
	return 0;
}

long ktstr_watch_arm(struct ktstr_session *sess, void __user *uarg)
{
	struct ktstr_watch_slot slots[KTSTR_WATCH_SLOTS];
	struct ktstr_watch arg;
	unsigned long flags;
	long ret;
	u32 i;

	ret = ktstr_copy_arg(&arg, sizeof(arg), KTSTR_WATCH_SIZE_VER0, uarg);
	if (ret)
		return ret;
	ret = ktstr_watch_check(&arg);
	if (ret)
		return ret;
	if (!sess->kvm)
		return -ENOTCONN;

	if (arg.slot == KTSTR_WATCH_ANY_SLOT) {
		if (arg.flags & KTSTR_WATCH_ERROR_TRIGGER) {
			arg.slot = KTSTR_WATCH_RESERVED_SLOT;
		} else {
			for (i = 1; i < KTSTR_WATCH_SLOTS; i++)
				if (!sess->watch[i].armed)
					break;
			if (i == KTSTR_WATCH_SLOTS)
				return -ENOSPC;
			arg.slot = i;
		}
	}
	ret = ktstr_watch_slot_ok(&arg);
	if (ret)
		return ret;
	if (sess->watch[arg.slot].armed)
		return -EEXIST;

	memcpy(slots, sess->watch, sizeof(slots));
	slots[arg.slot] = (struct ktstr_watch_slot){
		.armed = true, .addr = arg.addr, .len = arg.len, .kind = arg.kind,
	};
	ret = ktstr_watch_apply(sess, sess->watch, slots);
	if (ret)
		return ret;
	ret = ktstr_copy_arg_out(uarg, &arg, sizeof(arg));
	if (ret) {
		ktstr_watch_apply(sess, slots, sess->watch);
		return ret;
	}
	memcpy(sess->watch, slots, sizeof(slots));
	spin_lock_irqsave(&sess->stats_lock, flags);
	sess->stats.watch_changes++;
	spin_unlock_irqrestore(&sess->stats_lock, flags);
	ktstr_events_watch(sess, arg.slot, &slots[arg.slot]);
	return 0;
}

long ktstr_watch_disarm(struct ktstr_session *sess, void __user *uarg)
{
	struct ktstr_watch_slot slots[KTSTR_WATCH_SLOTS];
	struct ktstr_watch arg;
	unsigned long flags;
	long ret;

	ret = ktstr_copy_arg(&arg, sizeof(arg), KTSTR_WATCH_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (arg.pad || (arg.flags & ~KTSTR_WATCH_ERROR_TRIGGER))
		return -EINVAL;
	ret = ktstr_watch_slot_ok(&arg);
	if (ret)
		return ret;
	if (!sess->watch[arg.slot].armed)
		return -ENOENT;

	memcpy(slots, sess->watch, sizeof(slots));
	slots[arg.slot].armed = false;
	ret = ktstr_watch_apply(sess, sess->watch, slots);
	if (ret)
		return ret;
	memcpy(sess->watch, slots, sizeof(slots));
	spin_lock_irqsave(&sess->stats_lock, flags);
	sess->stats.watch_changes++;
	spin_unlock_irqrestore(&sess->stats_lock, flags);
	ktstr_events_watch(sess, arg.slot, &slots[arg.slot]);
	return 0;
}

/*
 * At release, clear the vCPUs' debug state when that is possible: from the
 * VMM's own process with its vCPUs parked. When the VMM is exiting, its VM
 * goes with it and there is nothing to clear. Either way the session lets
 * go of its slots, and says so.
 */
void ktstr_watch_release(struct ktstr_session *sess)
{
	static const struct ktstr_watch_slot none[KTSTR_WATCH_SLOTS];
	u32 i;

	for (i = 0; i < KTSTR_WATCH_SLOTS; i++)
		if (sess->watch[i].armed)
			break;
	if (i == KTSTR_WATCH_SLOTS || !sess->kvm)
		return;
	if (current->mm == sess->kvm->mm &&
	    ktstr_watch_apply(sess, sess->watch, none))
		pr_warn("session %u: watchpoints left armed: a vCPU is running\n",
			sess->id);
	for (i = 0; i < KTSTR_WATCH_SLOTS; i++) {
		if (!sess->watch[i].armed)
			continue;
		sess->watch[i].armed = false;
		ktstr_events_watch(sess, i, &sess->watch[i]);
	}
}

/* A vCPU registered while watchpoints are armed gets them too. */
int ktstr_watch_add_vcpu(struct ktstr_session *sess, u32 i)
{
	struct kvm_guest_debug dbg;
	unsigned long scratch;
	int ret;

	ktstr_watch_debug(sess->watch, &dbg);
	if (!dbg.control)
		return 0;
	if (current->mm != sess->kvm->mm)
		return -EPERM;
	scratch = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(scratch))
		return (int)scratch;
	ret = ktstr_watch_set_vcpu(sess, i, &dbg, (void __user *)scratch);
	vm_munmap(scratch, PAGE_SIZE);
	return ret;
}
