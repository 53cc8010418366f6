/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capture service's insides, shared by capture.c (the capture itself
 * and the userspace path) and capture_kmod.c (the ktstr.ko path).
 */
#ifndef KTSTR_CAPTURE_PRIV_H
#define KTSTR_CAPTURE_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/ktstr.h>

#include <ktstr/capture.h>

struct ktstr_guest_mem;
struct ktstr_guest_kernel;
struct ktstr_ksyms;
struct ktstr_dev;

#define CAPTURE_ERR_MAX	512

/* ktstr.ko's side: the session, its ring, the doorbell's eventfd. */
struct capture_kmod {
	struct ktstr_dev *dev;
	int fd;			/* the session's, from dev */
	int efd;		/* KVM_IOEVENTFD signals it, ktstr.ko listens */
	int stop_efd;		/* detach wakes the service thread */
	bool watch;		/* the module has ATTACH_VM and ADD_VCPU */
	bool ioeventfd;		/* registered with KVM, to deassign */
	void *ring;		/* read-only mmap of the capture ring */
	size_t ring_len;
	pthread_t thread;
	bool thread_started;
};

struct ktstr_capture {
	struct ktstr_vm *vm;
	struct ktstr_bridge *bridge;
	enum ktstr_capture_path path;
	char *ksyms_path;
	char *btf_path;
	unsigned int freeze_timeout_ms;

	/*
	 * One capture at a time: several vCPUs may ring at once on the
	 * userspace path, and the guest-kernel cache below is built by the
	 * first capture.
	 */
	pthread_mutex_t lock;
	struct ktstr_guest_mem *gm;
	struct ktstr_ksyms *ks;
	struct ktstr_guest_kernel *kernel;
	/* Symbols or BTF that could not be loaded: not retried, why kept. */
	int setup_err;
	char setup_why[CAPTURE_ERR_MAX];
	/* What the BTF says about kernel_cpustat. */
	uint64_t cpustat_off;		/* of cpustat[] in struct kernel_cpustat */
	uint32_t cpustat_len;		/* its elements */
	int stat_idx[8];		/* CPUTIME_USER.. per report field; -1: absent */

	struct ktstr_capture_stats stats;
	char last_error[CAPTURE_ERR_MAX];

	struct capture_kmod kmod;
};

/*
 * Serve one request on behalf of either path: a copy of the slot,
 * validated by the caller. Returns the reply status, 0 or a negative
 * errno.
 */
int capture__serve(struct ktstr_capture *c, const struct ktstr_request *req);

/* Count a request that did not validate; returns the reply, -EINVAL. */
int capture__malformed(struct ktstr_capture *c, enum ktstr_malformed why);

/* With c->lock held. */
__attribute__((format(printf, 2, 3)))
void capture__set_error(struct ktstr_capture *c, const char *fmt, ...);

/* The ktstr.ko path (capture_kmod.c). */
int capture_kmod__open(struct ktstr_capture *c, const char *dev_path,
		       char *err, size_t errlen);
int capture_kmod__start(struct ktstr_capture *c, char *err, size_t errlen);
void capture_kmod__stop(struct ktstr_capture *c);

#endif /* KTSTR_CAPTURE_PRIV_H */
