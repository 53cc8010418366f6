// SPDX-License-Identifier: GPL-2.0
/*
 * Pin a range of the calling process's memory and map it into the kernel.
 *
 * The doorbell wakeup runs with a spinlock held and interrupts off, where
 * it may neither fault nor sleep, so every byte it touches is pinned and
 * vmap()ed when the doorbell is registered. FOLL_WRITE makes GUP break
 * copy-on-write now, so the pinned page is the one the guest writes later
 * and not a shared zero page.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "ktstr.h"

int ktstr_pin(struct ktstr_pinned *p, u64 uaddr, u64 len)
{
	unsigned long start, end;
	int n, pinned, ret;

	memset(p, 0, sizeof(*p));
	if (!len || uaddr + len < uaddr)
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(uaddr), len))
		return -EFAULT;

	start = uaddr & PAGE_MASK;
	end = PAGE_ALIGN(uaddr + len);
	n = (end - start) >> PAGE_SHIFT;
	p->pages = kvmalloc_array(n, sizeof(*p->pages), GFP_KERNEL);
	if (!p->pages)
		return -ENOMEM;

	pinned = pin_user_pages_fast(start, n, FOLL_WRITE | FOLL_LONGTERM,
				     p->pages);
	if (pinned != n) {
		ret = pinned < 0 ? pinned : -EFAULT;
		if (pinned > 0)
			unpin_user_pages(p->pages, pinned);
		goto err_free;
	}
	p->nr_pages = n;

	p->map = vmap(p->pages, n, VM_MAP, PAGE_KERNEL);
	if (!p->map) {
		ret = -ENOMEM;
		goto err_unpin;
	}
	p->addr = p->map + offset_in_page(uaddr);
	p->len = len;
	return 0;

err_unpin:
	unpin_user_pages(p->pages, n);
	p->nr_pages = 0;
err_free:
	kvfree(p->pages);
	p->pages = NULL;
	return ret;
}

void ktstr_unpin(struct ktstr_pinned *p)
{
	if (!p->pages)
		return;
	vunmap(p->map);
	unpin_user_pages(p->pages, p->nr_pages);
	kvfree(p->pages);
	memset(p, 0, sizeof(*p));
}
