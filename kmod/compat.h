/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels ktstr.ko builds for, each behind one
 * helper. kmod/Kbuild detects them in the kernel's headers.
 */
#ifndef KTSTR_COMPAT_H
#define KTSTR_COMPAT_H

#include <linux/mm.h>

/* 6.3 made vm_flags read-only outside the vm_flags_*() helpers. */
static inline void ktstr_vma_clear_flags(struct vm_area_struct *vma,
					 unsigned long flags)
{
#ifdef KTSTR_HAVE_VM_FLAGS_CLEAR
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

#endif /* KTSTR_COMPAT_H */
