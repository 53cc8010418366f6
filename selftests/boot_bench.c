// SPDX-License-Identifier: GPL-2.0
/*
 * boot_bench: how long the same kernel and initramfs take to boot, under
 * ktstr's VMM and under "qemu-system-x86_64 -M microvm -accel kvm", side
 * by side in one run.
 *
 *   boot_bench [--iterations N] [--kernel BZIMAGE] [--mem MB] [--qemu PATH]
 *              [--append PARAMS] [--qemu-cpu MODEL] [--deadline SEC]
 *
 * Each iteration boots both, one after the other, with one vCPU. The
 * guest is ktstr-init running "busybox echo KTSTR_BENCH_INIT" and
 * powering off. Two times, from just before the VMM's create call or the
 * fork of QEMU:
 *
 *   init  the console showed the marker line (the first command init
 *         started has run: the boot to userspace)
 *   end   everything is over: ktstr_vm__destroy() returned, or QEMU
 *         exited (waitpid)
 *
 * The runs end differently, and that is part of what is measured: the
 * VMM stops at ktstr-init's exit record (the wire), QEMU when the guest
 * kernel has powered the machine off through ACPI. Printed: every
 * iteration, then the medians and their ratios (QEMU / ktstr) over the
 * boots that completed, and how many hung (no end within --deadline,
 * default DEADLINE_MS).
 *
 * --append adds kernel parameters for both (before the command).
 *
 * The kernel: --kernel, else /ktstr/vmlinuz (the VM tier's), else
 * /boot/vmlinuz-$(uname -r). ktstr-init comes from $KTSTR_GUEST_DIR or
 * beside this program, busybox from $KTSTR_BUSYBOX or /bin/busybox.
 *
 * Exit status: 0, 1 when a boot failed (a hang is counted, not a failure,
 * unless no boot of one side completed), 2 usage, 4 (kselftest skip) when
 * there is no /dev/kvm, no QEMU, no microvm firmware or no kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ktstr/initramfs.h>
#include <ktstr/vmm.h>

#define KSFT_SKIP		4
#define MARKER			"KTSTR_BENCH_INIT"
#define COMMAND			"-- /bin/busybox echo " MARKER
#define APPEND_MAX		1024
/*
 * In the VM tier (nested KVM under TCG) ktstr boots in 10 to 30 s. A
 * boot that does not end within this is counted as hung, not as a
 * figure.
 */
#define DEADLINE_MS		120000
static unsigned long deadline_ms = DEADLINE_MS;
/*
 * QEMU's -cpu: "host" is what the VMM gives (KVM's supported CPUID),
 * without PV EOI, which the VMM does not offer either (user/vmm/cpuid.c
 * says why): with it, QEMU's microvm guest hung early in every boot in
 * the VM tier, 14 of 14.
 */
static const char *qemu_cpu = "host,kvm-pv-eoi=off";
/* QEMU's microvm firmware: it cannot boot without it. */
#define MICROVM_BIOS		"/usr/share/qemu/bios-microvm.bin"
#define MAX_ITERATIONS		100

/*
 * The VMM's own parameters minus acpi=off (microvm's ACPI is how the
 * guest powers QEMU off) and ktstr.wire=1 (QEMU has no wire).
 */
#define QEMU_CMDLINE \
	"console=ttyS0 earlyprintk=serial,ttyS0,115200 nokaslr reboot=t panic=-1 " \
	"pci=off no_timer_check loglevel=4"

/* --append, then the command: the same words for both. */
static char tail_cmdline[APPEND_MAX + sizeof(COMMAND) + 2] = COMMAND;
static char qemu_cmdline[sizeof(QEMU_CMDLINE) + sizeof(tail_cmdline) + 1];

/* Milliseconds from the start; "stop" is the exit record or power-down line. */
struct times {
	double init_ms, stop_ms, end_ms;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static double ms(uint64_t from, uint64_t to)
{
	return (to - from) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the guest ------------------------------------------------------------ */

static const char *guest_file(const char *env, const char *name, char *buf,
			      size_t len)
{
	const char *dir = getenv(env);
	char exe[PATH_MAX - 64], *slash;
	ssize_t n;

	if (dir && *dir) {
		snprintf(buf, len, "%s/%s", dir, name);
		return buf;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return name;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(buf, len, "%s/%s", exe, name);
	return buf;
}

static int build_initramfs(const char *init, const char *busybox,
			   struct ktstr_initramfs **irp, const void **buf,
			   size_t *len)
{
	struct ktstr_initramfs *ir = ktstr_initramfs__new();
	int ret;

	if (!ir)
		return -ENOMEM;
	ret = ktstr_initramfs__add_host_file(ir, "/init", 0755, init);
	if (!ret)
		ret = ktstr_initramfs__add_host_file(ir, "/bin/busybox", 0755, busybox);
	if (!ret)
		ret = ktstr_initramfs__add_node(ir, "/dev/console", S_IFCHR | 0600, 5, 1);
	if (!ret)
		ret = ktstr_initramfs__finish(ir, buf, len);
	if (ret)
		fprintf(stderr, "boot_bench: initramfs: %s\n", ktstr_initramfs__error(ir));
	*irp = ir;
	return ret;
}

/* ---- ktstr's VMM ------------------------------------------------------------ */

static int boot_ktstr(const char *kernel, const void *initrd, size_t len,
		      uint64_t mem_mb, struct times *t)
{
	struct ktstr_vm_config cfg = {
		.kernel = kernel,
		.initrd = initrd,
		.initrd_len = len,
		.cmdline = tail_cmdline,
		.mem_mb = mem_mb,
		.deadline_ms = deadline_ms,
		.console_fd = -1,
		.console_marker = MARKER,
	};
	struct ktstr_vm_result res;
	struct ktstr_vm *vm;
	char err[KTSTR_VM_MSG_MAX];
	uint64_t t0 = now_ns();
	int ret;

	ktstr_topology__default(&cfg.topo, 1);
	ret = ktstr_vm__create(&cfg, &vm, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "boot_bench: ktstr: cannot create the VM: %s\n", err);
		return ret;
	}
	ret = ktstr_vm__run(vm, &res);
	if (ret)
		fprintf(stderr, "boot_bench: ktstr: cannot run: %s\n", ktstr_vm__error(vm));
	ktstr_vm__destroy(vm);
	t->end_ms = ms(t0, now_ns());
	if (ret)
		return ret;
	if (res.how == KTSTR_VM_DEADLINE) {
		fprintf(stderr, "boot_bench: ktstr: hung: %s\n", res.msg);
		return -ETIMEDOUT;
	}
	if (res.how != KTSTR_VM_EXITED || res.value || !res.marker_ns) {
		fprintf(stderr, "boot_bench: ktstr: the guest ended %s %d%s: %s\n",
			ktstr_vm__how_str(res.how), res.value,
			res.marker_ns ? "" : " without the marker", res.msg);
		return -EIO;
	}
	t->init_ms = ms(t0, res.marker_ns);
	t->stop_ms = ms(t0, res.exit_ns);
	return 0;
}

/* ---- QEMU microvm ------------------------------------------------------------ */

/*
 * Read QEMU's console until EOF, noting when the marker line came. A
 * guest that printed the kernel's power-down line gets POWEROFF_GRACE_MS
 * more to end QEMU (through ACPI); after that it is an error.
 */
#define POWEROFF_GRACE_MS	5000

static int watch_console(int fd, pid_t pid, uint64_t t0, uint64_t *marker_ns,
			 uint64_t *down_ns, char *tail, size_t tail_len)
{
	uint64_t deadline = t0 + deadline_ms * 1000000ULL;
	char buf[4096], line[1024];
	bool powered_off = false;
	size_t llen = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ns();
		ssize_t n;
		int r;

		if (now >= deadline) {
			kill(pid, SIGKILL);
			return powered_off ? -EPROTO : -ETIMEDOUT;
		}
		r = poll(&pfd, 1, (deadline - now) / 1000000 + 1);
		if (r <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		now = now_ns();
		for (ssize_t i = 0; i < n; i++) {
			char c = buf[i];

			if (c != '\n') {
				if (c != '\r' && llen < sizeof(line) - 1)
					line[llen++] = c;
				continue;
			}
			line[llen] = '\0';
			llen = 0;
			if (!*marker_ns && strstr(line, MARKER))
				*marker_ns = now;
			if (!powered_off && strstr(line, "reboot: Power down")) {
				powered_off = true;
				*down_ns = now;
				deadline = now + POWEROFF_GRACE_MS * 1000000ULL;
			}
			/* The last line, for an error message. */
			snprintf(tail, tail_len, "%s", line);
		}
	}
}

static int boot_qemu(const char *qemu, const char *kernel, const char *initrd,
		     uint64_t mem_mb, struct times *t)
{
	char mem[32], tail[1024] = "";
	uint64_t t0, marker_ns = 0, down_ns = 0;
	int pfd[2], status, ret;
	pid_t pid;

	snprintf(mem, sizeof(mem), "%llu", (unsigned long long)mem_mb);
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (!pid) {
		dup2(pfd[1], STDOUT_FILENO);
		execlp(qemu, qemu, "-M", "microvm", "-accel", "kvm", "-cpu", qemu_cpu,
		       "-smp", "1", "-m", mem, "-nodefaults", "-no-user-config",
		       "-display", "none", "-no-reboot", "-serial", "stdio",
		       "-kernel", kernel, "-initrd", initrd, "-append", qemu_cmdline,
		       (char *)NULL);
		fprintf(stderr, "boot_bench: exec %s: %s\n", qemu, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	ret = watch_console(pfd[0], pid, t0, &marker_ns, &down_ns, tail, sizeof(tail));
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	t->end_ms = ms(t0, now_ns());
	if (ret == -ETIMEDOUT) {
		fprintf(stderr, "boot_bench: qemu: hung: no end within %lu ms; last console line: %s\n",
			deadline_ms, tail);
		return ret;
	}
	if (ret == -EPROTO) {
		fprintf(stderr, "boot_bench: qemu: the guest powered off, QEMU did not exit within %d ms (no ACPI power-off?)\n",
			POWEROFF_GRACE_MS);
		return ret;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !marker_ns) {
		fprintf(stderr, "boot_bench: qemu: exit status %#x%s; last console line: %s\n",
			status, marker_ns ? "" : ", no marker", tail);
		return -EIO;
	}
	t->init_ms = ms(t0, marker_ns);
	t->stop_ms = down_ns ? ms(t0, down_ns) : 0;
	return 0;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f, "usage: boot_bench [--iterations N] [--kernel BZIMAGE] [--mem MB] [--qemu PATH]\n"
		"                  [--append PARAMS] [--qemu-cpu MODEL] [--deadline SEC]\n");
}

static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out < min || *out > max ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "mem", required_argument, NULL, 'm' },
		{ "qemu", required_argument, NULL, 'q' },
		{ "append", required_argument, NULL, 'a' },
		{ "qemu-cpu", required_argument, NULL, 'c' },
		{ "deadline", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long iters = 3, mem_mb = 256;
	const char *kernel = NULL, *qemu = "qemu-system-x86_64", *busybox;
	char kbuf[PATH_MAX], ibuf[PATH_MAX], initrd_path[] = "/tmp/boot_bench.XXXXXX";
	double ki[MAX_ITERATIONS], ke[MAX_ITERATIONS], qi[MAX_ITERATIONS], qe[MAX_ITERATIONS];
	struct ktstr_initramfs *ir = NULL;
	const void *initrd;
	size_t initrd_len;
	int opt, fd, ret = 1, nk = 0, nq = 0, k_hung = 0, q_hung = 0;
	struct utsname u;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (parse_uint(optarg, 1, MAX_ITERATIONS, &iters)) {
				fprintf(stderr, "boot_bench: --iterations %s: not 1 to %d\n",
					optarg, MAX_ITERATIONS);
				return 2;
			}
			break;
		case 'k':
			kernel = optarg;
			break;
		case 'm':
			if (parse_uint(optarg, 64, 65536, &mem_mb)) {
				fprintf(stderr, "boot_bench: --mem %s: not 64 to 65536 MiB\n",
					optarg);
				return 2;
			}
			break;
		case 'q':
			qemu = optarg;
			break;
		case 'c':
			qemu_cpu = optarg;
			break;
		case 'd':
			if (parse_uint(optarg, 1, 3600, &deadline_ms)) {
				fprintf(stderr, "boot_bench: --deadline %s: not 1 to 3600 s\n",
					optarg);
				return 2;
			}
			deadline_ms *= 1000;
			break;
		case 'a':
			if (strlen(optarg) > APPEND_MAX || strstr(optarg, "--")) {
				fprintf(stderr, "boot_bench: --append: at most %d bytes, no \"--\"\n",
					APPEND_MAX);
				return 2;
			}
			snprintf(tail_cmdline, sizeof(tail_cmdline), "%s " COMMAND, optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	snprintf(qemu_cmdline, sizeof(qemu_cmdline), "%s %s", QEMU_CMDLINE, tail_cmdline);
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!kernel) {
		kernel = "/ktstr/vmlinuz";
		if (access(kernel, R_OK) && !uname(&u)) {
			snprintf(kbuf, sizeof(kbuf), "/boot/vmlinuz-%s", u.release);
			kernel = kbuf;
		}
	}
	if (access(kernel, R_OK)) {
		printf("# SKIP no kernel image %s: %s\n", kernel, strerror(errno));
		return KSFT_SKIP;
	}
	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("# SKIP no /dev/kvm: %s\n", strerror(errno));
		return KSFT_SKIP;
	}
	if (access(MICROVM_BIOS, R_OK)) {
		printf("# SKIP no microvm firmware %s (vm_tier.sh stages it with KTSTR_VM_RUN=boot_bench)\n",
		       MICROVM_BIOS);
		return KSFT_SKIP;
	}
	busybox = getenv("KTSTR_BUSYBOX");
	if (!busybox || !*busybox)
		busybox = "/bin/busybox";
	if (build_initramfs(guest_file("KTSTR_GUEST_DIR", "ktstr-init", ibuf, sizeof(ibuf)),
			    busybox, &ir, &initrd, &initrd_len))
		goto out;
	fd = mkstemp(initrd_path);
	if (fd < 0 || write(fd, initrd, initrd_len) != (ssize_t)initrd_len) {
		fprintf(stderr, "boot_bench: cannot write %s: %s\n", initrd_path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);

	printf("# boot_bench: %s, 1 vCPU, %lu MiB, a %zu KiB initramfs, %lu iterations\n",
	       kernel, mem_mb, initrd_len / 1024, iters);
	printf("# ktstr: %s %s\n# qemu -cpu %s: %s\n", ktstr_vm__default_cmdline(),
	       tail_cmdline, qemu_cpu, qemu_cmdline);
	printf("# ms from the start: init = the marker line, stop = ktstr's exit record or\n"
	       "# QEMU's \"reboot: Power down\" line, end = the VM or process is gone\n");
	printf("# %-4s %10s %10s %10s %10s %10s %10s\n", "iter", "ktstr_init", "ktstr_stop",
	       "ktstr_end", "qemu_init", "qemu_stop", "qemu_end");
	fflush(stdout);
	for (unsigned long i = 0; i < iters; i++) {
		struct times k = { 0 }, q = { 0 };
		int kr, qr;

		kr = boot_ktstr(kernel, initrd, initrd_len, mem_mb, &k);
		if (kr && kr != -ETIMEDOUT)
			goto out_unlink;
		/* QEMU that never got through once will not now: spare the waits. */
		if (q_hung && !nq)
			qr = -ETIMEDOUT;
		else
			qr = boot_qemu(qemu, kernel, initrd_path, mem_mb, &q);
		if (qr && qr != -ETIMEDOUT) {
			if (i == 0) {
				/* QEMU cannot run here at all: say so, keep ktstr's figure. */
				printf("# SKIP qemu -M microvm -accel kvm did not boot (see above); ktstr: init %.1f ms, end %.1f ms\n",
				       k.init_ms, k.end_ms);
				ret = KSFT_SKIP;
			}
			goto out_unlink;
		}
		if (kr) {
			k_hung++;
			printf("  %-4lu %32s", i, "ktstr hung");
		} else {
			ki[nk] = k.init_ms;
			ke[nk++] = k.end_ms;
			printf("  %-4lu %10.1f %10.1f %10.1f", i, k.init_ms, k.stop_ms, k.end_ms);
		}
		if (qr) {
			q_hung++;
			printf(" %32s\n", "qemu hung");
		} else {
			qi[nq] = q.init_ms;
			qe[nq++] = q.end_ms;
			printf(" %10.1f %10.1f %10.1f\n", q.init_ms, q.stop_ms, q.end_ms);
		}
		fflush(stdout);
	}
	printf("hangs: ktstr %d/%lu qemu_microvm %d/%lu\n", k_hung, iters, q_hung, iters);
	if (!nk || !nq) {
		fprintf(stderr, "boot_bench: no completed boot under %s%s\n",
			!nk ? "ktstr" : "qemu",
			!nq ? " (after the first hang it was not tried again)" : "");
		goto out_unlink;
	}
	{
		double mki = median(ki, nk), mke = median(ke, nk);
		double mqi = median(qi, nq), mqe = median(qe, nq);

		printf("boot_to_init_ms (median): ktstr %.1f qemu_microvm %.1f ratio_qemu_over_ktstr %.2f\n",
		       mki, mqi, mqi / mki);
		printf("boot_to_end_ms (median): ktstr %.1f qemu_microvm %.1f ratio_qemu_over_ktstr %.2f\n",
		       mke, mqe, mqe / mke);
	}
	ret = 0;
out_unlink:
	unlink(initrd_path);
out:
	ktstr_initramfs__free(ir);
	return ret;
}
