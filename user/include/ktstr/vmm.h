/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr VMM: boot a Linux bzImage in a KVM virtual machine, with no
 * firmware, run it to the exit record its init writes on the wire
 * (wire.h), and give the caller the means to look inside while it runs.
 *
 * One VM is two calls: ktstr_vm__create() sets everything up (memory,
 * in-kernel interrupt controllers, the kernel loaded per the 64-bit boot
 * protocol, the vCPUs with their topology) without running anything, so
 * that the caller can attach to the VM and vCPU fds first (ktstr.ko, a
 * KVM_IOEVENTFD on the doorbell); ktstr_vm__run() then runs the vCPUs,
 * one thread each, until the guest's exit record, a reset, a KVM error,
 * the deadline or ktstr_vm__stop(), and says which in the result.
 *
 * Threads: ktstr_vm__run() blocks its caller. ktstr_vm__stop(),
 * ktstr_vm__freeze() and the accessors may be called from any thread,
 * the capture handler included, while it runs.
 *
 * The vCPU threads are kicked out of KVM_RUN with KTSTR_VM_KICK_SIGNAL,
 * for which ktstr_vm__create() installs a no-op handler (without
 * SA_RESTART); a program using the VMM must leave that signal alone.
 *
 * Functions return 0 or a negative errno; ktstr_vm__error() then says
 * what failed.
 */
#ifndef KTSTR_VMM_H
#define KTSTR_VMM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>
#include <linux/ktstr.h>

#include <ktstr/topology.h>

#define KTSTR_VM_KICK_SIGNAL	SIGUSR1

#define KTSTR_VM_DEFAULT_MEM_MB	512
/* CPUs of the default topology: two cores of one LLC (ktstr_topology__default). */
#define KTSTR_VM_DEFAULT_CPUS	2
/* Lines of console output kept for error messages. */
#define KTSTR_VM_CONSOLE_LINES	64
#define KTSTR_VM_MSG_MAX	4096

struct ktstr_vm;

/*
 * What the VM runs.
 *
 * @kernel:	path of an x86_64 bzImage (boot protocol 2.12 or later,
 *		64-bit entry, relocatable).
 * @initrd, @initrd_len: the initramfs, copied into guest memory at
 *		create time; NULL/0 for none.
 * @cmdline:	appended to the VMM's own command line (see
 *		ktstr_vm__default_cmdline()); a later parameter overrides
 *		an earlier one, so "loglevel=7" here wins.
 * @topo:	the vCPUs; all zero means KTSTR_VM_DEFAULT_CPUS cores
 *		of one LLC. A topology ktstr_topology__validate() refuses
 *		fails ktstr_vm__create() with -EINVAL.
 * @mem_mb:	guest RAM in MiB; 0 means KTSTR_VM_DEFAULT_MEM_MB.
 * @deadline_ms: wall time the run may take, counted from
 *		ktstr_vm__run(); 0 means none.
 * @console_fd: where the guest's serial console streams as it boots,
 *		line by line (e.g. STDOUT_FILENO); 0 or negative for
 *		nowhere. The last lines are kept either way.
 * @console_marker: when a console line first contains this string,
 *		its time is recorded (struct ktstr_vm_result.marker_ns);
 *		NULL for none.
 */
struct ktstr_vm_config {
	const char *kernel;
	const void *initrd;
	size_t initrd_len;
	const char *cmdline;
	struct ktstr_topology topo;
	uint64_t mem_mb;
	uint32_t deadline_ms;
	int console_fd;
	const char *console_marker;
};

enum ktstr_vm_how {
	KTSTR_VM_NONE = 0,	/* not run yet */
	KTSTR_VM_EXITED,	/* the guest's command exited; value: status 0..255 */
	KTSTR_VM_SIGNALED,	/* it was killed; value: the signal */
	KTSTR_VM_INIT_ERROR,	/* guest init could not run it; value: errno */
	KTSTR_VM_RESET,		/* the guest reset (a panic or triple fault) first */
	KTSTR_VM_POWEROFF,	/* it powered off or halted without an exit record */
	KTSTR_VM_DEADLINE,	/* the run's deadline passed */
	KTSTR_VM_KVM_ERROR,	/* KVM failed or reported an exit we cannot handle */
	KTSTR_VM_BAD_EXIT_RECORD, /* the guest wrote a malformed exit record */
	KTSTR_VM_STOPPED,	/* ktstr_vm__stop() */
};

/*
 * How a run ended. @msg says it for a human: for anything but EXITED 0
 * it names the cause, quotes the guest kernel's "Kernel panic" line if
 * it printed one, and carries the last console lines. Times are
 * CLOCK_MONOTONIC nanoseconds, 0 for "did not happen".
 */
struct ktstr_vm_result {
	enum ktstr_vm_how how;
	int value;
	uint64_t start_ns;	/* ktstr_vm__run() started the vCPUs */
	uint64_t marker_ns;	/* the console first showed console_marker */
	uint64_t first_wire_ns;	/* first guest access to the wire window */
	uint64_t exit_ns;	/* the exit record arrived */
	uint64_t end_ns;	/* every vCPU had stopped */
	uint64_t doorbells;	/* capture doorbells handled */
	uint64_t unknown_io;	/* port I/O to no device */
	uint64_t unknown_mmio;	/* MMIO to no device */
	char msg[KTSTR_VM_MSG_MAX];
};

/* "EXITED", "DEADLINE", ... */
const char *ktstr_vm__how_str(enum ktstr_vm_how how);

/* The command line the VMM puts before ktstr_vm_config.cmdline. */
const char *ktstr_vm__default_cmdline(void);

/*
 * Set up a VM; nothing runs yet. On failure *@vmp is NULL and @err (if
 * not NULL) says why: no /dev/kvm, a kernel file that is missing,
 * truncated or not a bzImage, memory too small for it, ...
 */
int ktstr_vm__create(const struct ktstr_vm_config *cfg, struct ktstr_vm **vmp,
		     char *err, size_t errlen);

/*
 * Run the vCPUs until the run ends, fill @res and return 0; a negative
 * errno when the threads could not start. Once only per VM.
 */
int ktstr_vm__run(struct ktstr_vm *vm, struct ktstr_vm_result *res);

/* End the run from another thread: the result is KTSTR_VM_STOPPED. */
void ktstr_vm__stop(struct ktstr_vm *vm);

/* Stops the run if any, joins the threads, closes and unmaps it all. */
void ktstr_vm__destroy(struct ktstr_vm *vm);

/* The last error of a call on @vm, "" when none. */
const char *ktstr_vm__error(const struct ktstr_vm *vm);

/*
 * The kept console tail, oldest line first, lines ending in '\n' (the
 * unfinished last line too). Valid until the next call or destroy.
 */
const char *ktstr_vm__last_console(struct ktstr_vm *vm);

/* ---- for ktstr.ko and the guest-memory accessor ---------------------- */

int ktstr_vm__vm_fd(const struct ktstr_vm *vm);
int ktstr_vm__kvm_fd(const struct ktstr_vm *vm);
unsigned int ktstr_vm__nr_vcpus(const struct ktstr_vm *vm);
/* -1 for an index out of range. */
int ktstr_vm__vcpu_fd(const struct ktstr_vm *vm, unsigned int i);
uint32_t ktstr_vm__vcpu_apic_id(const struct ktstr_vm *vm, unsigned int i);

/* The host mapping of the wire's shared page (KTSTR_WIRE_SHM_SIZE bytes). */
void *ktstr_vm__shm(const struct ktstr_vm *vm);

/*
 * Guest RAM as (gpa, hva, len) ranges in GPA order, for
 * ktstr_guest_mem__add_range(): one below 3 GiB, and a second at 4 GiB
 * when there is more. The wire's SHM is not among them.
 */
unsigned int ktstr_vm__nr_ram(const struct ktstr_vm *vm);
int ktstr_vm__ram(const struct ktstr_vm *vm, unsigned int idx, uint64_t *gpa,
		  void **hva, uint64_t *len);

/* ---- freeze rendezvous -------------------------------------------------- */

typedef int (*ktstr_vm_frozen_fn)(struct ktstr_vm *vm, void *ctx);

/*
 * Kick every vCPU out of KVM_RUN, wait until all are parked, call
 * @fn(@vm, @ctx) and let them run again; returns what @fn returned.
 *
 * -ETIMEDOUT when a vCPU did not park within @timeout_ms (then
 * ktstr_vm__error() names it, @fn is not called and the VM runs on).
 * One freeze at a time: a second caller waits for the first to finish
 * (its wait counts against its own @timeout_ms). A vCPU thread may
 * freeze too, from the capture handler: it counts as parked, including
 * while it waits for another freeze to finish. Before ktstr_vm__run()
 * and after it returned, every vCPU counts as parked.
 */
int ktstr_vm__freeze(struct ktstr_vm *vm, unsigned int timeout_ms,
		     ktstr_vm_frozen_fn fn, void *ctx);

/*
 * A vCPU's registers, for @fn of ktstr_vm__freeze() (or while the VM is
 * not running): -EBUSY when that vCPU may be inside KVM_RUN.
 */
int ktstr_vm__vcpu_regs(struct ktstr_vm *vm, unsigned int i,
			struct kvm_regs *regs);
int ktstr_vm__vcpu_sregs(struct ktstr_vm *vm, unsigned int i,
			 struct kvm_sregs *sregs);

/* ---- capture doorbell (the userspace path) ---------------------------- */

/*
 * Called on the vCPU thread that wrote KTSTR_WIRE_DOORBELL_GPA, with a
 * copy of the request slot taken at that moment. The VMM has validated
 * it: @malformed is KTSTR_MALFORMED_NONE, or the reason it is not valid
 * (then the tag is zeroed, the VMM replies -EINVAL whatever the handler
 * returns, and the handler is told only so that it can record it). For
 * a valid request the VMM writes the handler's return value (0 or a
 * negative errno) to reply_status, then request_id to reply_id.
 *
 * Without a handler every doorbell is answered -ENOSYS. When ktstr.ko
 * takes the doorbell with KVM_IOEVENTFD, this is never called.
 */
typedef int (*ktstr_vm_capture_fn)(struct ktstr_vm *vm, unsigned int vcpu,
				   const struct ktstr_request *req,
				   enum ktstr_malformed malformed, void *ctx);

/* Set before ktstr_vm__run(). */
void ktstr_vm__set_capture_handler(struct ktstr_vm *vm, ktstr_vm_capture_fn fn,
				   void *ctx);

#endif /* KTSTR_VMM_H */
