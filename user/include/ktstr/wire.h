/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest <-> VMM wire: where the guest finds the shared page and the
 * doorbells in guest-physical space, and what it writes there.
 *
 * Shared with guest/ (ktstr-init, ktstr-guest), which maps the window
 * through /dev/mem: it lies outside every e820 RAM range, so a kernel
 * with CONFIG_STRICT_DEVMEM still lets root map it.
 *
 *   KTSTR_WIRE_SHM_GPA       KTSTR_WIRE_SHM_SIZE bytes of RAM shared with
 *                            the VMM (a KVM memory slot of its own):
 *     +0                     struct ktstr_request, the capture request slot
 *                            (uapi/linux/ktstr.h); the host replies in it
 *     +KTSTR_WIRE_EXIT_OFF   struct ktstr_wire_exit, the run's result
 *     +KTSTR_WIRE_DATA_OFF   free for scenario data, to the end
 *   KTSTR_WIRE_DOORBELL_GPA  capture doorbell: a 4-byte write of any value
 *                            (KVM_IOEVENTFD with ktstr.ko, an MMIO exit
 *                            without it); no memory behind it
 *   KTSTR_WIRE_EXIT_GPA      exit doorbell: a 4-byte write after filling
 *                            struct ktstr_wire_exit; always an MMIO exit
 *
 * Everything the guest writes is untrusted: the VMM validates magic,
 * lengths and values and reports a malformed write as the run's error.
 */
#ifndef KTSTR_WIRE_H
#define KTSTR_WIRE_H

#include <stdint.h>

#include <linux/ktstr.h>

#define KTSTR_WIRE_SHM_GPA		0xd0000000ULL
#define KTSTR_WIRE_SHM_SIZE		0x10000ULL
#define KTSTR_WIRE_EXIT_OFF		0x200
#define KTSTR_WIRE_DATA_OFF		0x1000
#define KTSTR_WIRE_DOORBELL_GPA		(KTSTR_WIRE_SHM_GPA + KTSTR_WIRE_SHM_SIZE)
#define KTSTR_WIRE_EXIT_GPA		(KTSTR_WIRE_DOORBELL_GPA + 0x8)
/* The whole window, for the guest's /dev/mem mapping: SHM + doorbell page. */
#define KTSTR_WIRE_MAP_SIZE		(KTSTR_WIRE_SHM_SIZE + 0x1000ULL)

#define KTSTR_WIRE_EXIT_MAGIC		0x7478656bU	/* "kext" little endian */

/* How the guest's command ended (struct ktstr_wire_exit.how). */
enum ktstr_wire_exit_how {
	KTSTR_EXIT_CODE		= 1,	/* exited; value is its exit status 0..255 */
	KTSTR_EXIT_SIGNAL	= 2,	/* killed; value is the signal number */
	KTSTR_EXIT_INIT_ERROR	= 3,	/* init could not run it; value is an errno */
};

struct ktstr_wire_exit {
	uint32_t magic;		/* KTSTR_WIRE_EXIT_MAGIC */
	uint32_t how;		/* enum ktstr_wire_exit_how */
	int32_t value;
	uint32_t pad;
};

_Static_assert(sizeof(struct ktstr_request) <= KTSTR_WIRE_EXIT_OFF,
	       "the request slot overlaps the exit record");

/*
 * Whether a copy of the request slot, as the guest wrote it, is a valid
 * request: KTSTR_MALFORMED_NONE or the first reason it is not. Both of
 * the VMM's doorbell paths check with this (the MMIO exit in wire.c,
 * ktstr.ko's records in capture_kmod.c), so they agree on what is valid.
 */
static inline enum ktstr_malformed
ktstr_wire__check_request(const struct ktstr_request *req)
{
	if (req->magic != KTSTR_REQUEST_MAGIC)
		return KTSTR_MALFORMED_MAGIC;
	if (req->kind < KTSTR_REQUEST_CAPTURE || req->kind > KTSTR_REQUEST_KIND_MAX)
		return KTSTR_MALFORMED_KIND;
	if (req->tag_len < 1 || req->tag_len > KTSTR_TAG_MAX)
		return KTSTR_MALFORMED_TAG_LEN;
	for (uint32_t i = 0; i < req->tag_len; i++) {
		unsigned char ch = req->tag[i];

		if (ch < 0x20 || ch > 0x7e)
			return KTSTR_MALFORMED_TAG;
	}
	return KTSTR_MALFORMED_NONE;
}

#endif /* KTSTR_WIRE_H */
