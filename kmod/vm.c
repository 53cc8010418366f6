// SPDX-License-Identifier: GPL-2.0
/*
 * The VM a session serves and its vCPUs. The VM is held with
 * kvm_get_kvm(); each vCPU by a reference to its file, so neither goes
 * away under the session, whatever the VMM closes.
 */
#include <linux/file.h>
#include <linux/kvm_host.h>
#include <linux/string.h>

#include "ktstr.h"

long ktstr_vm_attach(struct ktstr_session *sess, void __user *uarg)
{
	struct ktstr_attach_vm arg;
	struct file *f;
	long ret;

	ret = ktstr_copy_arg(&arg, sizeof(arg), KTSTR_ATTACH_VM_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (sess->kvm)
		return -EBUSY;
	f = fget(arg.vm_fd);
	if (!f)
		return -EBADF;
	if (!file_is_kvm(f)) {
		fput(f);
		return -EINVAL;
	}
	sess->kvm = f->private_data;
	kvm_get_kvm(sess->kvm);
	sess->kvm_owner = f->f_op->owner;
	fput(f);
	return 0;
}

/*
 * KVM exports no test for a vCPU file. Its vCPU files are the anonymous
 * inodes named "kvm-vcpu:<id>" whose file operations belong to the same
 * module as the VM file's; only then is private_data a struct kvm_vcpu,
 * and it must belong to our VM.
 */
static struct kvm_vcpu *ktstr_file_vcpu(struct ktstr_session *sess,
					struct file *f)
{
	struct kvm_vcpu *vcpu;

	if (f->f_op->owner != sess->kvm_owner ||
	    strncmp(f->f_path.dentry->d_name.name, "kvm-vcpu:", 9))
		return NULL;
	vcpu = f->private_data;
	return vcpu && vcpu->kvm == sess->kvm ? vcpu : NULL;
}

struct kvm_vcpu *ktstr_vm_vcpu(struct ktstr_session *sess, u32 i)
{
	return sess->vcpus[i]->private_data;
}

long ktstr_vm_add_vcpu(struct ktstr_session *sess, void __user *uarg)
{
	struct ktstr_vcpu arg;
	struct file *f;
	long ret;
	u32 i;

	ret = ktstr_copy_arg(&arg, sizeof(arg), KTSTR_VCPU_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (arg.pad)
		return -EINVAL;
	if (!sess->kvm)
		return -ENOTCONN;
	f = fget(arg.vcpu_fd);
	if (!f)
		return -EBADF;
	if (!ktstr_file_vcpu(sess, f)) {
		ret = -EINVAL;
		goto err;
	}
	for (i = 0; i < sess->nr_vcpus; i++) {
		if (sess->vcpus[i]->private_data == f->private_data) {
			ret = -EEXIST;
			goto err;
		}
	}
	if (sess->nr_vcpus == KTSTR_MAX_VCPUS) {
		ret = -ENOSPC;
		goto err;
	}
	arg.index = sess->nr_vcpus;
	ret = ktstr_copy_arg_out(uarg, &arg, sizeof(arg));
	if (ret)
		goto err;
	sess->vcpus[arg.index] = f;
	ret = ktstr_watch_add_vcpu(sess, arg.index);
	if (ret) {
		sess->vcpus[arg.index] = NULL;
		goto err;
	}
	sess->nr_vcpus++;
	return 0;
err:
	fput(f);
	return ret;
}

void ktstr_vm_release(struct ktstr_session *sess)
{
	u32 i;

	for (i = 0; i < sess->nr_vcpus; i++)
		fput(sess->vcpus[i]);
	sess->nr_vcpus = 0;
	if (sess->kvm)
		kvm_put_kvm(sess->kvm);
	sess->kvm = NULL;
}
