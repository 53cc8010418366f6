// SPDX-License-Identifier: GPL-2.0
/*
 * Capture round trip in a real guest, ktstr.ko path against userspace
 * path, side by side in one run.
 *
 * The VMM boots a kernel (/ktstr/vmlinuz, or $KTSTR_VMM_KERNEL) whose
 * guest asks "ktstr-guest capture b --count N": each request rings the
 * doorbell and polls for the reply, and the guest measures each round
 * trip with its own clock. The host runs the capture service (capture.h)
 * on one path per boot: the whole service is measured, the freeze and
 * the guest-memory reads included, which both paths share; the host's
 * capture time is printed beside it so the transport's share shows.
 *
 * doorbell_bench measures the bare doorbell (no capture) in a toy guest.
 *
 * Not a test: it prints figures. Run it in the VM tier with
 *	make -C selftests bench
 * or by KTSTR_VM_RUN="capture_bench [N]" selftests/vm_tier.sh. Exit 4
 * (skip) without /dev/kvm, the kernel or ktstr.ko.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ktstr/bridge.h>
#include <ktstr/capture.h>
#include <ktstr/initramfs.h>
#include <ktstr/vmm.h>

#include "ktstr_test.h"

#define KSFT_SKIP	4
#define BUSYBOX		"/bin/busybox"

struct figures {
	unsigned int n;
	long long min_us, avg_us, max_us;
	struct ktstr_capture_stats st;
	double run_s;
};

static int skip(const char *why)
{
	printf("capture_bench: SKIP: %s\n", why);
	return KSFT_SKIP;
}

static int build_initramfs(struct ktstr_initramfs *ir, unsigned int n)
{
	char script[256];
	int ret;

	/*
	 * The first capture also finds the guest kernel in its memory: the
	 * warm-up, not counted.
	 */
	snprintf(script, sizeof(script),
		 "#!/bin/sh\n"
		 "ktstr-guest capture warm --timeout-ms 120000 || exit $?\n"
		 "ktstr-guest capture b --timeout-ms 120000 --count %u\n", n);
	ret = ktstr_initramfs__add_host_file(ir, "/init", 0755,
					     access("./ktstr-init", R_OK) ? "/init" : "./ktstr-init");
	ret = ret ?: ktstr_initramfs__add_host_file(ir, "/bin/busybox", 0755, BUSYBOX);
	ret = ret ?: ktstr_initramfs__add_symlink(ir, "/bin/sh", "busybox");
	ret = ret ?: ktstr_initramfs__add_host_file(ir, "/bin/ktstr-guest", 0755,
						    "./ktstr-guest");
	ret = ret ?: ktstr_initramfs__add_node(ir, "/dev/console", S_IFCHR | 0600, 5, 1);
	return ret ?: ktstr_initramfs__add_file(ir, "/ktstr/run", 0755, script,
					       strlen(script));
}

static int run_one(const char *kernel, const void *initrd, size_t len,
		   enum ktstr_capture_path path, struct figures *f)
{
	struct ktstr_capture_opts opts = {
		.sz = sizeof(opts), .path = path, .freeze_timeout_ms = 30000,
	};
	struct ktstr_vm_config cfg = {
		.kernel = kernel, .initrd = initrd, .initrd_len = len,
		.mem_mb = 256, .deadline_ms = 240000,
	};
	struct ktstr_bridge *b = ktstr_bridge__new(NULL, NULL);
	struct ktstr_capture *c = NULL;
	struct ktstr_vm *vm = NULL;
	struct ktstr_vm_result res;
	const char *console, *line;
	char err[512];
	int ret;

	cfg.console_fd = memfd_create("console", MFD_CLOEXEC);
	ret = b && cfg.console_fd >= 0 ? 0 : -ENOMEM;
	ret = ret ?: ktstr_vm__create(&cfg, &vm, err, sizeof(err));
	ret = ret ?: ktstr_capture__attach(vm, b, &opts, &c, err, sizeof(err));
	ret = ret ?: ktstr_vm__run(vm, &res);
	if (ret) {
		fprintf(stderr, "capture_bench: %s\n", err);
		goto out;
	}
	ktstr_capture__stats(c, &f->st);
	f->run_s = (res.end_ns - res.start_ns) / 1e9;
	console = ktstr_vm__last_console(vm);
	/* "ktstr-guest: capture b: N round trips, ...": back to the ':'. */
	line = strstr(console, "round trips, min");
	while (line && line > console && line[-1] != ':')
		line--;
	if (line && line > console)
		line--;
	if (res.how != KTSTR_VM_EXITED || res.value || !line ||
	    sscanf(line, ": %u round trips, min %lld us, avg %lld us, max %lld us",
		   &f->n, &f->min_us, &f->avg_us, &f->max_us) != 4) {
		struct kvm_regs regs;

		fprintf(stderr, "capture_bench: %s path: %s\n%s\n",
			ktstr_capture__path_name(c), res.msg, console);
		fprintf(stderr, "capture_bench: host served %llu requests, %llu captures, %llu errors; last error: %s\n",
			(unsigned long long)f->st.requests,
			(unsigned long long)f->st.captures,
			(unsigned long long)f->st.errors,
			ktstr_capture__last_error(c));
		if (!ktstr_vm__vcpu_regs(vm, 0, &regs))
			fprintf(stderr, "capture_bench: vCPU 0 stopped at rip %#llx\n",
				(unsigned long long)regs.rip);
		ret = -EIO;
	}
out:
	ktstr_capture__detach(c);
	ktstr_vm__destroy(vm);
	ktstr_bridge__free(b);
	if (cfg.console_fd >= 0)
		close(cfg.console_fd);
	return ret;
}

static void show(const char *name, const struct figures *f)
{
	/* The warm-up is the longest capture by far: leave it out. */
	double cap_us = f->st.requests > 1 ?
		(f->st.capture_ns_total - f->st.capture_ns_max) / 1e3 /
		(f->st.requests - 1) : 0;

	printf("%-10s %6u %10lld %10lld %10lld %12.0f %12.0f %8.1f\n", name, f->n,
	       f->min_us, f->avg_us, f->max_us, cap_us,
	       f->st.capture_ns_max / 1e3, f->run_s);
}

int main(int argc, char **argv)
{
	const char *kernel = getenv("KTSTR_VMM_KERNEL") ?: "/ktstr/vmlinuz";
	unsigned int n = argc > 1 ? strtoul(argv[1], NULL, 10) : 50;
	struct ktstr_initramfs *ir;
	struct figures k = {}, u = {};
	const void *buf;
	size_t len;
	int ret;

	if (access("/dev/kvm", R_OK | W_OK))
		return skip("no /dev/kvm");
	if (access(kernel, R_OK))
		return skip("no kernel to boot (/ktstr/vmlinuz or KTSTR_VMM_KERNEL)");
	if (access(BUSYBOX, X_OK) || access("./ktstr-guest", X_OK))
		return skip("no busybox or ktstr-guest for the guest");
	ret = ktstr_module_load();
	if (ret && ret != -EEXIST)
		return skip("cannot load ktstr.ko");
	if (!n || n > 100000)
		n = 50;

	ir = ktstr_initramfs__new();
	if (!ir || build_initramfs(ir, n) || ktstr_initramfs__finish(ir, &buf, &len)) {
		fprintf(stderr, "capture_bench: initramfs: %s\n",
			ir ? ktstr_initramfs__error(ir) : "out of memory");
		return 1;
	}
	/* Both, even when one fails: the other's figures still tell. */
	ret = run_one(kernel, buf, len, KTSTR_CAPTURE_KMOD, &k);
	ret = run_one(kernel, buf, len, KTSTR_CAPTURE_USER, &u) ?: ret;
	ktstr_initramfs__free(ir);

	printf("capture round trip as the guest sees it, %u captures per path, 1 vCPU\n", n);
	printf("guest: round trip of each capture; host: its capture time, avg without\n"
	       "the warm-up, and the warm-up's (finding the guest kernel in memory)\n");
	printf("%-10s %6s %10s %10s %10s %12s %12s %8s\n", "path", "n", "min us",
	       "avg us", "max us", "host avg us", "warm-up us", "run s");
	show("ktstr.ko", &k);
	show("userspace", &u);
	if (u.avg_us)
		printf("ratio ktstr.ko/userspace: avg %.2f, min %.2f\n",
		       (double)k.avg_us / u.avg_us,
		       u.min_us ? (double)k.min_us / u.min_us : 0.0);
	return ret ? 1 : 0;
}
