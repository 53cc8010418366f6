// SPDX-License-Identifier: GPL-2.0
/*
 * The capture service: what a capture doorbell turns into, whichever
 * path brought it (capture.h). This file holds the capture itself, which
 * both paths share, and the userspace path; capture_kmod.c the ktstr.ko
 * path.
 *
 * A capture costs the guest its vCPUs for as long as it takes, and the
 * guest waits for the reply with a timeout, so what can be done
 * beforehand is: symbols and BTF are loaded at attach, once, and only
 * the guest-memory reads happen inside the freeze. The guest kernel is
 * looked for at the first capture rather than at attach, because before
 * the guest has booted there is nothing to find; a failed search is
 * retried at the next capture, a missing file is not.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/btf.h>

#include <ktstr/bridge.h>
#include <ktstr/dump.h>
#include <ktstr/guest_mem.h>
#include <ktstr/ksyms.h>
#include <ktstr/vmm.h>

#include "capture_priv.h"

#define X86_CR0_PG		(1ULL << 31)
#define X86_CR4_LA57		(1ULL << 12)
/* enum cpu_usage_stat has 10 or 11 entries; room for growth, bounded. */
#define CPUSTAT_MAX		32

/* The report's per-CPU time fields, in the guest's enum cpu_usage_stat names. */
static const char *const stat_names[8] = {
	"CPUTIME_USER", "CPUTIME_NICE", "CPUTIME_SYSTEM", "CPUTIME_IDLE",
	"CPUTIME_IOWAIT", "CPUTIME_IRQ", "CPUTIME_SOFTIRQ", "CPUTIME_STEAL",
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void capture__set_error(struct ktstr_capture *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->last_error, sizeof(c->last_error), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4)))
static int setup_fail(struct ktstr_capture *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->setup_why, sizeof(c->setup_why), fmt, ap);
	va_end(ap);
	c->setup_err = err;
	return err;
}

/* kernel_cpustat's layout: cpustat[]'s place and the enum's indices. */
static int learn_cpustat(struct ktstr_capture *c, const struct btf *btf)
{
	struct ktstr_btf_member m;
	const struct btf_type *t;
	const struct btf_enum *e;
	int id, err;

	err = ktstr_btf__member_offset(btf, "kernel_cpustat.cpustat", &m);
	if (err)
		return setup_fail(c, err, "BTF has no kernel_cpustat.cpustat: %s",
				  strerror(-err));
	if (m.bit_offset % 8 || m.bitfield_size || !m.size || m.size % 8 ||
	    m.size / 8 > CPUSTAT_MAX)
		return setup_fail(c, -EBADMSG,
				  "BTF's kernel_cpustat.cpustat is not a u64 array (%llu bytes)",
				  (unsigned long long)m.size);
	c->cpustat_off = m.bit_offset / 8;
	c->cpustat_len = m.size / 8;

	id = btf__find_by_name_kind(btf, "cpu_usage_stat", BTF_KIND_ENUM);
	if (id < 0)
		return setup_fail(c, -ENOENT, "BTF has no enum cpu_usage_stat");
	t = btf__type_by_id(btf, id);
	for (size_t f = 0; f < 8; f++)
		c->stat_idx[f] = -1;
	e = btf_enum(t);
	for (unsigned int i = 0; i < btf_vlen(t); i++, e++) {
		const char *name = btf__name_by_offset(btf, e->name_off);

		for (size_t f = 0; name && f < 8; f++)
			if (!strcmp(name, stat_names[f]) && e->val >= 0 &&
			    (uint32_t)e->val < c->cpustat_len)
				c->stat_idx[f] = e->val;
	}
	/* user, system and idle exist in every kernel: their absence is a bad BTF. */
	if (c->stat_idx[0] < 0 || c->stat_idx[2] < 0 || c->stat_idx[3] < 0)
		return setup_fail(c, -EBADMSG,
				  "BTF's enum cpu_usage_stat lacks CPUTIME_USER/SYSTEM/IDLE within cpustat[%u]",
				  c->cpustat_len);
	return 0;
}

/* Symbols and BTF, once: before any freeze, since they take a while. */
static int setup(struct ktstr_capture *c)
{
	struct btf *btf;
	int err;

	if (c->setup_err || c->ks)
		return c->setup_err;
	err = ktstr_kernel_btf__load(c->btf_path, &btf);
	if (err)
		return setup_fail(c, err, "no guest kernel BTF: %s: %s",
				  c->btf_path ? c->btf_path : "/sys/kernel/btf/vmlinux",
				  strerror(-err));
	err = learn_cpustat(c, btf);
	btf__free(btf);
	if (err)
		return err;

	if (c->ksyms_path)
		err = ktstr_ksyms__load(c->ksyms_path, &c->ks);
	else
		err = ktstr_ksyms__load_kallsyms(NULL, 0, &c->ks);
	if (err) {
		c->ks = NULL;
		return setup_fail(c, err, "no guest kernel symbols: %s: %s%s",
				  c->ksyms_path ? c->ksyms_path : "/proc/kallsyms",
				  strerror(-err),
				  err == -EPERM ? " (addresses hidden: needs root)" :
				  err == -ENODATA ? " (no symbols: a placeholder System.map?)" : "");
	}
	return 0;
}

/*
 * Find the guest kernel, with vCPU 0 frozen: its CR3 maps the kernel
 * whatever KASLR did. Before paging is on, the kernel's own tables are
 * looked for instead (and will not be found that early).
 */
static int find_kernel(struct ktstr_capture *c, char *why, size_t whylen)
{
	struct ktstr_guest_kernel_opts o = { .sz = sizeof(o), .la57 = -1 };
	struct kvm_sregs s;
	int err;

	if (c->kernel)
		return 0;
	if (!ktstr_vm__vcpu_sregs(c->vm, 0, &s) && (s.cr0 & X86_CR0_PG)) {
		o.cr3 = s.cr3;
		o.la57 = !!(s.cr4 & X86_CR4_LA57);
	}
	err = ktstr_guest_kernel__new(c->gm, c->ks, &o, &c->kernel);
	if (err) {
		c->kernel = NULL;
		snprintf(why, whylen, "guest kernel not found in memory (%s%s): %s",
			 o.cr3 ? "through vCPU 0's CR3" : "paging is off",
			 err == -ESRCH ? ", not booted yet or not the kernel the symbols describe" : "",
			 strerror(-err));
	}
	return err;
}

/* Every possible CPU's kernel_cpustat, into @r's per-CPU time section. */
static void read_cpu_time(struct ktstr_capture *c, struct ktstr_dump_report *r,
			  unsigned int nr)
{
	struct ktstr_dump_cpu_time *t;
	uint64_t sym, va, v[CPUSTAT_MAX];
	char why[256];
	int err;

	t = calloc(nr, sizeof(*t));
	if (!t) {
		r->per_cpu_time_unavailable = strdup("out of memory");
		return;
	}
	err = ktstr_guest_kernel__sym_addr(c->kernel, "kernel_cpustat", &sym);
	if (err) {
		snprintf(why, sizeof(why), "no symbol kernel_cpustat: %s", strerror(-err));
		goto fail;
	}
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		uint64_t *f[8] = {
			&t[cpu].user_ns, &t[cpu].nice_ns, &t[cpu].system_ns,
			&t[cpu].idle_ns, &t[cpu].iowait_ns, &t[cpu].irq_ns,
			&t[cpu].softirq_ns, &t[cpu].steal_ns,
		};

		err = ktstr_guest_kernel__percpu_addr(c->kernel, sym, cpu, &va);
		if (!err)
			err = ktstr_guest_kernel__read(c->kernel, va + c->cpustat_off,
						       v, c->cpustat_len * sizeof(v[0]));
		if (err) {
			snprintf(why, sizeof(why), "kernel_cpustat of CPU %u: %s",
				 cpu, strerror(-err));
			goto fail;
		}
		t[cpu].cpu = cpu;
		for (size_t i = 0; i < 8; i++)
			*f[i] = c->stat_idx[i] < 0 ? 0 : v[c->stat_idx[i]];
	}
	r->per_cpu_time = t;
	r->nr_per_cpu_time = nr;
	return;
fail:
	free(t);
	r->per_cpu_time_unavailable = strdup(why);
}

struct frozen_job {
	struct ktstr_capture *c;
	struct ktstr_dump_report *report;
	char why[CAPTURE_ERR_MAX];
	int err;
};

static int capture_frozen(struct ktstr_vm *vm, void *ctx)
{
	struct frozen_job *j = ctx;
	struct ktstr_capture *c = j->c;
	unsigned int nr;

	(void)vm;
	j->err = find_kernel(c, j->why, sizeof(j->why));
	if (j->err)
		return 0;
	j->err = ktstr_guest_kernel__nr_cpu_ids(c->kernel, &nr);
	if (j->err) {
		snprintf(j->why, sizeof(j->why), "guest nr_cpu_ids unreadable: %s",
			 strerror(-j->err));
		return 0;
	}
	j->report = ktstr_dump__new();
	if (!j->report) {
		j->err = -ENOMEM;
		snprintf(j->why, sizeof(j->why), "out of memory");
		return 0;
	}
	read_cpu_time(c, j->report, nr);
	return 0;
}

static struct ktstr_dump_report *placeholder(const char *why)
{
	return ktstr_dump__new_placeholder(why);
}

int capture__serve(struct ktstr_capture *c, const struct ktstr_request *req)
{
	struct frozen_job j = { .c = c };
	struct ktstr_dump_report *r;
	char tag[KTSTR_TAG_MAX + 1];
	uint64_t t0, dt;
	int err, status;

	if (req->kind != KTSTR_REQUEST_CAPTURE) {
		pthread_mutex_lock(&c->lock);
		c->stats.requests++;
		c->stats.errors++;
		capture__set_error(c, "request kind %u (not a capture) is not served",
				   req->kind);
		pthread_mutex_unlock(&c->lock);
		return -EOPNOTSUPP;
	}
	memcpy(tag, req->tag, req->tag_len);
	tag[req->tag_len] = '\0';

	pthread_mutex_lock(&c->lock);
	c->stats.requests++;
	t0 = now_ns();
	err = setup(c);
	if (err) {
		snprintf(j.why, sizeof(j.why), "%s", c->setup_why);
		j.err = err;
	} else {
		err = ktstr_vm__freeze(c->vm, c->freeze_timeout_ms,
				       capture_frozen, &j);
		if (err) {
			j.err = err;
			snprintf(j.why, sizeof(j.why), "cannot freeze the vCPUs: %s",
				 ktstr_vm__error(c->vm));
		}
	}
	r = j.report;
	if (j.err) {
		/* Say why on the bridge, and to the guest with the errno. */
		ktstr_dump__free(r);
		r = placeholder(j.why);
		capture__set_error(c, "capture \"%s\": %s", tag, j.why);
		status = j.err == -ETIMEDOUT ? -ETIMEDOUT : -ENODATA;
	} else {
		status = 0;
	}
	if (!r) {
		status = -ENOMEM;
	} else {
		bool ph = r->is_placeholder;

		err = ktstr_bridge__store(c->bridge, tag, r, NULL);
		if (err) {
			capture__set_error(c, "capture \"%s\": bridge store: %s",
					   tag, strerror(-err));
			status = err;
		} else if (ph) {
			c->stats.placeholders++;
		} else {
			c->stats.captures++;
		}
	}
	if (status)
		c->stats.errors++;
	dt = now_ns() - t0;
	c->stats.capture_ns_total += dt;
	if (dt > c->stats.capture_ns_max)
		c->stats.capture_ns_max = dt;
	pthread_mutex_unlock(&c->lock);
	return status;
}

int capture__malformed(struct ktstr_capture *c, enum ktstr_malformed why)
{
	pthread_mutex_lock(&c->lock);
	c->stats.requests++;
	c->stats.malformed++;
	c->stats.errors++;
	capture__set_error(c, "malformed capture request (reason %u)", why);
	pthread_mutex_unlock(&c->lock);
	return -EINVAL;
}

/* The userspace path: the VMM calls this on the vCPU thread that rang. */
static int user_doorbell(struct ktstr_vm *vm, unsigned int vcpu,
			 const struct ktstr_request *req,
			 enum ktstr_malformed bad, void *ctx)
{
	struct ktstr_capture *c = ctx;

	(void)vm;
	(void)vcpu;
	/* The VMM validated the slot; its copy cannot change under us. */
	if (bad != KTSTR_MALFORMED_NONE)
		return capture__malformed(c, bad);
	return capture__serve(c, req);
}

static int add_ram(struct ktstr_capture *c)
{
	unsigned int n = ktstr_vm__nr_ram(c->vm);

	c->gm = ktstr_guest_mem__new();
	if (!c->gm)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t gpa, len;
		void *hva;
		int err = ktstr_vm__ram(c->vm, i, &gpa, &hva, &len);

		if (!err)
			err = ktstr_guest_mem__add_range(c->gm, gpa, hva, len);
		if (err)
			return err;
	}
	return 0;
}

static void capture_free(struct ktstr_capture *c)
{
	ktstr_guest_kernel__free(c->kernel);
	ktstr_ksyms__free(c->ks);
	ktstr_guest_mem__free(c->gm);
	free(c->ksyms_path);
	free(c->btf_path);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int ktstr_capture__attach(struct ktstr_vm *vm, struct ktstr_bridge *b,
			  const struct ktstr_capture_opts *opts,
			  struct ktstr_capture **out, char *err, size_t errlen)
{
	struct ktstr_capture_opts o = { .sz = sizeof(o) };
	struct ktstr_capture *c;
	char why[CAPTURE_ERR_MAX] = "";
	int ret;

	if (err && errlen)
		*err = '\0';
	if (!vm || !b || !out)
		return -EINVAL;
	*out = NULL;
	if (opts) {
		/* A caller built against a shorter opts keeps working. */
		size_t sz = opts->sz < sizeof(o) ? opts->sz : sizeof(o);

		if (sz < sizeof(size_t))
			return -EINVAL;
		memcpy(&o, opts, sz);
	}
	if (o.path > KTSTR_CAPTURE_USER)
		return -EINVAL;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	c->vm = vm;
	c->bridge = b;
	c->kmod.fd = c->kmod.efd = c->kmod.stop_efd = -1;
	c->freeze_timeout_ms = o.freeze_timeout_ms ? o.freeze_timeout_ms :
			       KTSTR_CAPTURE_FREEZE_TIMEOUT_MS;
	if (o.ksyms_path)
		c->ksyms_path = strdup(o.ksyms_path);
	if (o.btf_path)
		c->btf_path = strdup(o.btf_path);
	if ((o.ksyms_path && !c->ksyms_path) || (o.btf_path && !c->btf_path)) {
		capture_free(c);
		return -ENOMEM;
	}
	ret = add_ram(c);
	if (ret) {
		if (err)
			snprintf(err, errlen, "guest RAM ranges: %s", strerror(-ret));
		capture_free(c);
		return ret;
	}

	c->path = KTSTR_CAPTURE_USER;
	if (o.path != KTSTR_CAPTURE_USER) {
		ret = capture_kmod__open(c, o.dev_path, why, sizeof(why));
		if (!ret) {
			c->path = KTSTR_CAPTURE_KMOD;
			ret = capture_kmod__start(c, why, sizeof(why));
		} else if (o.path == KTSTR_CAPTURE_AUTO) {
			/* Not an error for AUTO, but worth knowing why. */
			capture__set_error(c, "ktstr.ko not used: %s", why);
			ret = 0;
		}
		if (ret) {
			if (err)
				snprintf(err, errlen, "%s", why);
			capture_kmod__stop(c);
			capture_free(c);
			return ret;
		}
	}
	/* Nothing runs yet, so nothing can hold the lock: for form's sake. */
	pthread_mutex_lock(&c->lock);
	if (setup(c) && !*c->last_error)
		capture__set_error(c, "%s", c->setup_why);
	pthread_mutex_unlock(&c->lock);
	if (c->path == KTSTR_CAPTURE_USER)
		ktstr_vm__set_capture_handler(vm, user_doorbell, c);
	*out = c;
	return 0;
}

void ktstr_capture__detach(struct ktstr_capture *c)
{
	if (!c)
		return;
	if (c->path == KTSTR_CAPTURE_KMOD)
		capture_kmod__stop(c);
	else
		ktstr_vm__set_capture_handler(c->vm, NULL, NULL);
	capture_free(c);
}

enum ktstr_capture_path ktstr_capture__path(const struct ktstr_capture *c)
{
	return c->path;
}

const char *ktstr_capture__path_name(const struct ktstr_capture *c)
{
	return c->path == KTSTR_CAPTURE_KMOD ? "ktstr.ko" : "userspace";
}

void ktstr_capture__stats(const struct ktstr_capture *c,
			  struct ktstr_capture_stats *out)
{
	/* The lock guards a snapshot; the caller's view of c stays const. */
	struct ktstr_capture *m = (struct ktstr_capture *)c;

	pthread_mutex_lock(&m->lock);
	*out = c->stats;
	pthread_mutex_unlock(&m->lock);
}

const char *ktstr_capture__last_error(struct ktstr_capture *c)
{
	return c->last_error;
}
