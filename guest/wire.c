// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping the wire window and ringing its doorbells.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmdline.h"
#include "wire.h"

/*
 * Only a ktstr VMM puts anything at the wire's address. Anywhere else,
 * root's writes there would land on whatever device the address decodes
 * to (a host's PCI BAR, say), so the kernel command line must say so.
 */
static int wire_present(void)
{
	char cmdline[4096];
	int ret = ktstr_cmdline__read(NULL, cmdline, sizeof(cmdline));

	if (ret && ret != -E2BIG)
		return ret;
	return ktstr_cmdline__has_word(cmdline, KTSTR_WIRE_CMDLINE) ? 0 : -ENODEV;
}

int ktstr_wire__map(struct ktstr_wire *w)
{
	const char *path = getenv(KTSTR_WIRE_MEM_ENV);
	void *p;
	int ret;

	w->base = NULL;
	w->fd = -1;
	if (path && *path) {
		w->path = path;
	} else {
		w->path = "/dev/mem";
		ret = wire_present();
		if (ret)
			return ret;
	}
	w->fd = open(w->path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	p = mmap(NULL, KTSTR_WIRE_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 w->fd, KTSTR_WIRE_SHM_GPA);
	if (p == MAP_FAILED) {
		ret = -errno;
		close(w->fd);
		w->fd = -1;
		return ret;
	}
	w->base = p;
	return 0;
}

void ktstr_wire__unmap(struct ktstr_wire *w)
{
	if (w->base)
		munmap((void *)w->base, KTSTR_WIRE_MAP_SIZE);
	if (w->fd >= 0)
		close(w->fd);
	w->base = NULL;
	w->fd = -1;
}

void ktstr_wire__ring(struct ktstr_wire *w, uint64_t gpa)
{
	volatile uint32_t *bell =
		(volatile uint32_t *)(w->base + (gpa - KTSTR_WIRE_SHM_GPA));

	/*
	 * The host reads the slot when the bell rings: every store to it
	 * must be visible first, to the compiler and to the CPU.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*bell = 1;
}
