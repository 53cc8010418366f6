/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's view of the guest <-> VMM wire (user/include/ktstr/wire.h):
 * the shared page and the doorbells, mapped through /dev/mem.
 *
 * The window lies outside every e820 RAM range, so CONFIG_STRICT_DEVMEM
 * lets root map it, and O_SYNC makes the mapping uncached: a doorbell
 * store must reach the bus as one 4-byte write, not sit in a cache.
 *
 * For tests, KTSTR_WIRE_MEM names a file to map instead of /dev/mem (a
 * sparse file at least KTSTR_WIRE_SHM_GPA + KTSTR_WIRE_MAP_SIZE long):
 * the protocol can then be exercised on any host, a process standing in
 * for the VMM.
 */
#ifndef KTSTR_GUEST_WIRE_H
#define KTSTR_GUEST_WIRE_H

#include <stdint.h>

#include <ktstr/wire.h>

#define KTSTR_WIRE_MEM_ENV	"KTSTR_WIRE_MEM"
/* On the kernel command line of a guest that has the wire. */
#define KTSTR_WIRE_CMDLINE	"ktstr.wire=1"

struct ktstr_wire {
	int fd;
	volatile uint8_t *base;		/* KTSTR_WIRE_SHM_GPA */
	const char *path;		/* what was mapped, for messages */
};

/*
 * Map the window; 0 or a negative errno (w->path says what failed):
 * -ENODEV when mapping /dev/mem and the kernel command line lacks
 * KTSTR_WIRE_CMDLINE, i.e. this is no ktstr guest.
 */
int ktstr_wire__map(struct ktstr_wire *w);
void ktstr_wire__unmap(struct ktstr_wire *w);

/*
 * Ring the doorbell at @gpa (KTSTR_WIRE_DOORBELL_GPA or KTSTR_WIRE_EXIT_GPA)
 * after everything written to the window so far.
 */
void ktstr_wire__ring(struct ktstr_wire *w, uint64_t gpa);

static inline volatile struct ktstr_request *
ktstr_wire__request(struct ktstr_wire *w)
{
	return (volatile struct ktstr_request *)w->base;
}

static inline volatile struct ktstr_wire_exit *
ktstr_wire__exit(struct ktstr_wire *w)
{
	return (volatile struct ktstr_wire_exit *)(w->base + KTSTR_WIRE_EXIT_OFF);
}

#endif /* KTSTR_GUEST_WIRE_H */
