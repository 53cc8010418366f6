/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr VMM: the capture service, which answers the guest's capture
 * doorbell (wire.h) with a dump report built from guest memory.
 *
 * One service per VM, attached after ktstr_vm__create() and before
 * ktstr_vm__run(), detached after the run returned. It takes the
 * doorbell by one of two paths:
 *
 *  - ktstr.ko: the doorbell GPA is a KVM_IOEVENTFD, the vCPU does not
 *    exit; the module copies the request slot into its capture ring and
 *    a service thread of ours reads the ring, captures and replies with
 *    KTSTR_IOC_REPLY (the module writes the guest's reply slot).
 *  - userspace: the doorbell is an MMIO exit, the VMM calls us on the
 *    vCPU thread that rang it (ktstr_vm__set_capture_handler()).
 *
 * Either way the same capture runs: freeze the vCPUs, find the guest
 * kernel (once, at the first capture, since the guest must have booted
 * far enough), read its state into a ktstr_dump_report, let the vCPUs
 * run, store the report on the bridge under the request's tag and reply
 * 0. When nothing could be captured the bridge still gets a report under
 * the tag, a placeholder whose reason says why, and the guest a negative
 * errno, so that its "ktstr-guest capture" fails: -ENODATA (no symbols
 * or BTF, the kernel not found in memory), -ETIMEDOUT (the vCPUs did not
 * park in time), or the bridge's error when it could not store. Requests
 * that do not validate are answered -EINVAL, other kinds than
 * KTSTR_REQUEST_CAPTURE -EOPNOTSUPP; neither stores anything.
 *
 * The report holds, today: nr_cpu_ids (as the per-CPU time section's
 * length) and every possible CPU's kernel_cpustat as per-CPU time. When
 * the guest kernel cannot be read (no symbols, no BTF, not found in
 * memory) the report is a placeholder whose reason says why. The guest
 * scheduler's BPF maps are not rendered yet.
 *
 * Symbols and BTF come from files, or by default from the kernel this
 * runs on (/proc/kallsyms, read as root, and /sys/kernel/btf/vmlinux):
 * right when the guest boots the same kernel as its host, as on a
 * dedicated test host or in the project's VM tier.
 *
 * Functions return 0 or a negative errno.
 */
#ifndef KTSTR_CAPTURE_H
#define KTSTR_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct ktstr_vm;
struct ktstr_bridge;
struct ktstr_capture;

enum ktstr_capture_path {
	KTSTR_CAPTURE_AUTO = 0,	/* ktstr.ko when usable, else userspace */
	KTSTR_CAPTURE_KMOD,	/* ktstr.ko or fail */
	KTSTR_CAPTURE_USER,	/* the VMM's MMIO exit */
};

/* Nested virtualization can take seconds to get a vCPU out of KVM_RUN. */
#define KTSTR_CAPTURE_FREEZE_TIMEOUT_MS	5000

struct ktstr_capture_opts {
	size_t sz;		/* sizeof(struct ktstr_capture_opts) */
	enum ktstr_capture_path path;
	/*
	 * The guest kernel's symbols: a System.map, a kallsyms dump or a
	 * vmlinux ELF. NULL: the running kernel's /proc/kallsyms (needs
	 * root), its KASLR offset taken out so that the addresses are
	 * link-time ones like a System.map's.
	 */
	const char *ksyms_path;
	/* Raw BTF or a vmlinux ELF; NULL: /sys/kernel/btf/vmlinux. */
	const char *btf_path;
	/* How long a capture waits for the vCPUs to park; 0: the default. */
	unsigned int freeze_timeout_ms;
	/* /dev/ktstr's path; NULL: KTSTR_DEV_PATH. */
	const char *dev_path;
};

/*
 * Take the VM's capture doorbell, storing reports on @b (borrowed; it
 * must outlive the service). @opts may be NULL (AUTO, running kernel).
 * AUTO uses ktstr.ko when /dev/ktstr opens, its ABI major matches and it
 * has KTSTR_FEATURE_DOORBELL, and the userspace path otherwise; KMOD
 * fails instead (-ENOENT: no module; -EPROTO: ABI mismatch). Symbols and
 * BTF are loaded here, which takes a while (a second or more for
 * /proc/kallsyms under nested virtualization), so that the guest's first
 * capture does not wait for it; one that cannot be loaded is no attach
 * error but the reason of every capture's placeholder (and of
 * ktstr_capture__last_error()). @err (may be NULL) says what failed.
 */
int ktstr_capture__attach(struct ktstr_vm *vm, struct ktstr_bridge *b,
			  const struct ktstr_capture_opts *opts,
			  struct ktstr_capture **out, char *err, size_t errlen);

/* Stop serving (joins the service thread), unregister and free. */
void ktstr_capture__detach(struct ktstr_capture *c);

enum ktstr_capture_path ktstr_capture__path(const struct ktstr_capture *c);
/* "ktstr.ko" or "userspace". */
const char *ktstr_capture__path_name(const struct ktstr_capture *c);

struct ktstr_capture_stats {
	uint64_t requests;	/* doorbells seen, malformed ones included */
	uint64_t captures;	/* reports stored that are not placeholders */
	uint64_t placeholders;	/* reports stored as placeholders */
	uint64_t errors;	/* requests answered with a negative errno */
	uint64_t malformed;	/* requests that did not validate */
	uint64_t dropped;	/* ktstr.ko ring records lost (kmod path) */
	uint64_t capture_ns_total; /* time spent capturing, frozen or not */
	uint64_t capture_ns_max;
};

void ktstr_capture__stats(const struct ktstr_capture *c,
			  struct ktstr_capture_stats *out);

/*
 * The last problem the service met (a capture that fell back to a
 * placeholder, a failed reply...), "" when none.
 */
const char *ktstr_capture__last_error(struct ktstr_capture *c);

#endif /* KTSTR_CAPTURE_H */
