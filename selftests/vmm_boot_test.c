// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM boots a real kernel (ktstr/vmm.h): ktstr-init as PID 1 of an
 * initramfs with a static busybox runs a command, and the run's result
 * must say how that command ended; the vCPUs the guest brings online
 * must have the declared topology as the guest kernel reports it in
 * sysfs; and every way a run can fail (no kernel, a corrupt kernel, a
 * bad topology, a panic, a hang, a power-off without an exit record)
 * must come back as its own result with a message that names it.
 *
 * Runs in the VM tier (needs /dev/kvm). The kernel is $KTSTR_VMM_KERNEL,
 * else /ktstr/vmlinuz (vm_tier.sh stages the kernel it boots there);
 * busybox is $KTSTR_VMM_BUSYBOX, else beside this test, else
 * /bin/busybox; ktstr-init is beside this test, else in guest/build/.
 * Each boot is one nested guest, 12-35 s under QEMU TCG (depending on
 * the load): nine of them, about three and a half minutes in all.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ktstr/initramfs.h>
#include <ktstr/topology.h>
#include <ktstr/vmm.h>

#include "kselftest_harness.h"

#define DEFAULT_KERNEL	"/ktstr/vmlinuz"
#define DEFAULT_BUSYBOX	"/bin/busybox"
/* Every boot must end well before this; a stuck one fails, not hangs. */
#define BOOT_DEADLINE_MS	120000
#define BOOT_TIMEOUT_S		(BOOT_DEADLINE_MS / 1000 + 30)
#define GUEST_MEM_MB		256
/*
 * One vCPU reaches its command in 12-30 s nested, depending on what else
 * the machine runs: the deadline must leave the command time to hang.
 */
#define HANG_DEADLINE_MS	50000
/* Printed by every guest script when it starts: the boot-to-command mark. */
#define RUN_MARKER		"vmm_boot_test: command running"

/* The busybox applets the guest scripts use. */
static const char *const applets[] = {
	"sh", "cat", "echo", "true", "false", "sleep", "kill", "poweroff",
};

/* Half a path: room for a file name after it. */
static char test_dir[PATH_MAX / 2];

static const char *here(void)
{
	ssize_t n;

	if (test_dir[0])
		return test_dir;
	n = readlink("/proc/self/exe", test_dir, sizeof(test_dir) - 1);
	if (n <= 0) {
		strcpy(test_dir, ".");
	} else {
		char *d;

		test_dir[n] = '\0';
		d = dirname(test_dir);
		memmove(test_dir, d, strlen(d) + 1);
	}
	return test_dir;
}

/* @name beside this test if executable there, else @fallback; NULL if neither. */
static const char *find_bin(char *buf, size_t len, const char *name,
			    const char *fallback)
{
	snprintf(buf, len, "%s/%s", here(), name);
	if (!access(buf, X_OK))
		return buf;
	if (fallback && !access(fallback, X_OK)) {
		snprintf(buf, len, "%s", fallback);
		return buf;
	}
	return NULL;
}

/*
 * A dynamically linked busybox would need its libraries in the guest:
 * look for PT_INTERP. 1 static, 0 dynamic, -errno unreadable.
 */
static int elf_is_static(const char *path)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 1;

	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64) {
		close(fd);
		return -ENOEXEC;
	}
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph)) {
			ret = -EIO;
			break;
		}
		if (ph.p_type == PT_INTERP) {
			ret = 0;
			break;
		}
	}
	close(fd);
	return ret;
}

/* What a test needs to boot: the paths, found or the reason they are not. */
struct env {
	char kernel[PATH_MAX];
	char busybox[PATH_MAX];
	char init[PATH_MAX];
	char why[PATH_MAX + 128];	/* "" when all is there */
};

static bool have_kvm(struct env *e)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(e->why, sizeof(e->why), "no usable /dev/kvm: %s",
			 strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/* false with e->why set when something is missing. */
static bool find_env(struct env *e, bool need_guest)
{
	const char *k = getenv("KTSTR_VMM_KERNEL"), *b = getenv("KTSTR_VMM_BUSYBOX");
	int st;

	memset(e, 0, sizeof(*e));
	if (!have_kvm(e))
		return false;
	snprintf(e->kernel, sizeof(e->kernel), "%s", k && *k ? k : DEFAULT_KERNEL);
	if (access(e->kernel, R_OK)) {
		snprintf(e->why, sizeof(e->why),
			 "no kernel %s (%s): set KTSTR_VMM_KERNEL to a bzImage",
			 e->kernel, strerror(errno));
		return false;
	}
	if (!need_guest)
		return true;
	if (b && *b)
		snprintf(e->busybox, sizeof(e->busybox), "%s", b);
	else if (!find_bin(e->busybox, sizeof(e->busybox), "busybox", DEFAULT_BUSYBOX))
		snprintf(e->busybox, sizeof(e->busybox), "%s", DEFAULT_BUSYBOX);
	st = elf_is_static(e->busybox);
	if (st <= 0) {
		snprintf(e->why, sizeof(e->why),
			 "busybox %s: %s (install busybox-static or set KTSTR_VMM_BUSYBOX)",
			 e->busybox, st ? strerror(-st) : "not static");
		return false;
	}
	if (!find_bin(e->init, sizeof(e->init), "ktstr-init", NULL)) {
		char alt[PATH_MAX];

		snprintf(alt, sizeof(alt), "%s/../guest/build/ktstr-init", here());
		if (access(alt, X_OK)) {
			snprintf(e->why, sizeof(e->why),
				 "no ktstr-init beside the test or in guest/build (make -C guest)");
			return false;
		}
		snprintf(e->init, sizeof(e->init), "%s", alt);
	}
	return true;
}

/* The guest scripts, in the initramfs as /t/<name>. */
struct script {
	const char *name;
	const char *text;
};

static const struct script fixed_scripts[] = {
	{ "killself", "echo '" RUN_MARKER "'\nkill -KILL $$\n" },
	{ "panic", "echo '" RUN_MARKER "'\necho c > /proc/sysrq-trigger\nsleep 60\n" },
	{ "hang", "echo '" RUN_MARKER "'\nwhile :; do sleep 1000; done\n" },
	{ "poweroff", "echo '" RUN_MARKER "'\npoweroff -f\nsleep 60\n" },
};

struct guest {
	const void *initrd;
	size_t initrd_len;
	struct ktstr_initramfs *ir;
};

/*
 * ktstr-init as /init, busybox with its applet links, the fixed scripts
 * and @extra (a script "/t/extra" when not NULL).
 */
static int build_initramfs(const struct env *e, const char *extra,
			   struct guest *g, char *err, size_t errlen)
{
	struct ktstr_initramfs *ir = ktstr_initramfs__new();
	char path[64];
	int ret = 0;

	memset(g, 0, sizeof(*g));
	if (!ir) {
		snprintf(err, errlen, "ktstr_initramfs__new: out of memory");
		return -ENOMEM;
	}
	ret = ret ?: ktstr_initramfs__add_host_file(ir, "/init", 0755, e->init);
	ret = ret ?: ktstr_initramfs__add_dir(ir, "/dev", 0755);
	/* The kernel opens it for init's stdio before devtmpfs is mounted. */
	ret = ret ?: ktstr_initramfs__add_node(ir, "/dev/console",
					       S_IFCHR | 0600, 5, 1);
	ret = ret ?: ktstr_initramfs__add_dir(ir, "/bin", 0755);
	ret = ret ?: ktstr_initramfs__add_host_file(ir, "/bin/busybox", 0755,
						    e->busybox);
	for (size_t i = 0; !ret && i < ARRAY_SIZE(applets); i++) {
		snprintf(path, sizeof(path), "/bin/%s", applets[i]);
		ret = ktstr_initramfs__add_symlink(ir, path, "busybox");
	}
	ret = ret ?: ktstr_initramfs__add_dir(ir, "/t", 0755);
	for (size_t i = 0; !ret && i < ARRAY_SIZE(fixed_scripts); i++) {
		snprintf(path, sizeof(path), "/t/%s", fixed_scripts[i].name);
		ret = ktstr_initramfs__add_file(ir, path, 0755, fixed_scripts[i].text,
						strlen(fixed_scripts[i].text));
	}
	if (!ret && extra)
		ret = ktstr_initramfs__add_file(ir, "/t/extra", 0755, extra,
						strlen(extra));
	ret = ret ?: ktstr_initramfs__finish(ir, &g->initrd, &g->initrd_len);
	if (ret) {
		snprintf(err, errlen, "initramfs: %s", ktstr_initramfs__error(ir));
		ktstr_initramfs__free(ir);
		return ret;
	}
	g->ir = ir;
	return 0;
}

/* One boot's result, and what it cost. */
struct boot {
	struct ktstr_vm_result res;
	int create_ret;
	char err[1024];
	unsigned int nr_vcpus;
	double marker_s, exit_s, end_s;		/* from the vCPUs' start; -1: never */
};

static double since_start(const struct ktstr_vm_result *r, uint64_t t)
{
	return t ? (t - r->start_ns) / 1e9 : -1.0;
}

/*
 * Boot @cfg (kernel and initrd filled in by the caller) to its end. Prints
 * the result, the timings and, for anything but a clean exit, the message.
 */
static void boot_once(struct ktstr_vm_config *cfg, struct boot *b, const char *what)
{
	struct ktstr_vm *vm;

	memset(b, 0, sizeof(*b));
	if (!cfg->deadline_ms)
		cfg->deadline_ms = BOOT_DEADLINE_MS;
	if (!cfg->mem_mb)
		cfg->mem_mb = GUEST_MEM_MB;
	if (!cfg->console_marker)
		cfg->console_marker = RUN_MARKER;
	b->create_ret = ktstr_vm__create(cfg, &vm, b->err, sizeof(b->err));
	if (b->create_ret) {
		printf("# %s: create: %d (%s): %s\n", what, b->create_ret,
		       strerror(-b->create_ret), b->err);
		fflush(stdout);
		return;
	}
	b->nr_vcpus = ktstr_vm__nr_vcpus(vm);
	if (ktstr_vm__run(vm, &b->res))
		snprintf(b->err, sizeof(b->err), "run: %s", ktstr_vm__error(vm));
	ktstr_vm__destroy(vm);
	b->marker_s = since_start(&b->res, b->res.marker_ns);
	b->exit_s = since_start(&b->res, b->res.exit_ns);
	b->end_s = since_start(&b->res, b->res.end_ns);
	printf("# %s: %u vCPUs: %s %d; command started %.2f s, exit record %.2f s, end %.2f s after the vCPUs started\n",
	       what, b->nr_vcpus, ktstr_vm__how_str(b->res.how), b->res.value,
	       b->marker_s, b->exit_s, b->end_s);
	if (!(b->res.how == KTSTR_VM_EXITED && b->res.value == 0))
		printf("# %s: result message:\n%s\n", what, b->res.msg);
	/* The harness ends each test with _exit(): flush, or it is lost. */
	fflush(stdout);
}

/*
 * The nested KVM of the VM tier (kvm-amd on QEMU's TCG-emulated SVM)
 * now and then delivers an interrupt to the guest with interrupts
 * disabled, and the guest dies of it in its entry code; the VMM has no
 * part in that delivery (user/vmm/cpuid.c on PV EOI). Such a boot is
 * tried once more, and says so; the second outcome stands.
 */
static void boot(struct ktstr_vm_config *cfg, struct boot *b, const char *what)
{
	boot_once(cfg, b, what);
	if (b->create_ret || b->res.how != KTSTR_VM_RESET ||
	    !strstr(b->res.msg, "Fatal exception in interrupt"))
		return;
	printf("# %s: retrying once: the guest died of an interrupt taken with interrupts off, a fault of the nested KVM this runs on\n",
	       what);
	boot_once(cfg, b, what);
}

/* This harness (6.1) runs a test's body even when its setup skipped it. */
#define RETURN_IF_SKIPPED()		\
	do {				\
		if (_metadata->skip)	\
			return;		\
	} while (0)

FIXTURE(vmm) {
	struct env env;
	struct guest guest;
	struct ktstr_vm_config cfg;
	struct boot b;
	char cmdline[512];
	char err[512];
};

FIXTURE_SETUP(vmm)
{
	memset(&self->guest, 0, sizeof(self->guest));
	memset(&self->cfg, 0, sizeof(self->cfg));
	if (!find_env(&self->env, true))
		SKIP(return, "%.900s", self->env.why);
	self->cfg.kernel = self->env.kernel;
	/*
	 * How a command ends does not depend on the CPUs: one vCPU boots
	 * fastest nested. The topology tests set their own, the default
	 * (two) among them.
	 */
	ktstr_topology__default(&self->cfg.topo, 1);
}

FIXTURE_TEARDOWN(vmm)
{
	ktstr_initramfs__free(self->guest.ir);
}

/* Boot with the fixed scripts (and @extra) running "-- @cmd". */
static void run_cmd(struct _test_data_vmm *self, const char *extra,
		    const char *cmd, const char *params, const char *what)
{
	int ret = build_initramfs(&self->env, extra, &self->guest, self->err,
				  sizeof(self->err));

	if (ret) {
		snprintf(self->b.err, sizeof(self->b.err), "%s", self->err);
		self->b.create_ret = ret;
		return;
	}
	self->cfg.initrd = self->guest.initrd;
	self->cfg.initrd_len = self->guest.initrd_len;
	snprintf(self->cmdline, sizeof(self->cmdline), "%s%s-- %s",
		 params ? params : "", params ? " " : "", cmd);
	self->cfg.cmdline = self->cmdline;
	boot(&self->cfg, &self->b, what);
}

/* ---- how the command ended ------------------------------------------ */

TEST_F_TIMEOUT(vmm, exit_true, BOOT_TIMEOUT_S)
{
	RETURN_IF_SKIPPED();
	run_cmd(self, NULL, "/bin/true", NULL, "true");
	ASSERT_EQ(0, self->b.create_ret) TH_LOG("%s", self->b.err);
	EXPECT_EQ(KTSTR_VM_EXITED, self->b.res.how) TH_LOG("%s", self->b.res.msg);
	EXPECT_EQ(0, self->b.res.value);
	EXPECT_NE(0, self->b.res.exit_ns) TH_LOG("EXITED without an exit record time");
}

TEST_F_TIMEOUT(vmm, exit_false, BOOT_TIMEOUT_S)
{
	RETURN_IF_SKIPPED();
	run_cmd(self, NULL, "/bin/false", NULL, "false");
	ASSERT_EQ(0, self->b.create_ret) TH_LOG("%s", self->b.err);
	EXPECT_EQ(KTSTR_VM_EXITED, self->b.res.how) TH_LOG("%s", self->b.res.msg);
	EXPECT_EQ(1, self->b.res.value);
	/* A failed command is not a clean run: the message says what happened. */
	EXPECT_NE(NULL, strstr(self->b.res.msg, "KTSTR_INIT_EXIT=1"))
		TH_LOG("no init exit line in: %s", self->b.res.msg);
}

TEST_F_TIMEOUT(vmm, killed_by_signal, BOOT_TIMEOUT_S)
{
	RETURN_IF_SKIPPED();
	run_cmd(self, NULL, "/bin/sh /t/killself", NULL, "killself");
	ASSERT_EQ(0, self->b.create_ret) TH_LOG("%s", self->b.err);
	EXPECT_EQ(KTSTR_VM_SIGNALED, self->b.res.how) TH_LOG("%s", self->b.res.msg);
	EXPECT_EQ(9, self->b.res.value);
}

TEST_F_TIMEOUT(vmm, missing_command, BOOT_TIMEOUT_S)
{
	RETURN_IF_SKIPPED();
	run_cmd(self, NULL, "/no/such/command", NULL, "missing command");
	ASSERT_EQ(0, self->b.create_ret) TH_LOG("%s", self->b.err);
	EXPECT_EQ(KTSTR_VM_INIT_ERROR, self->b.res.how) TH_LOG("%s", self->b.res.msg);
	EXPECT_EQ(ENOENT, self->b.res.value);
	EXPECT_NE(NULL, strstr(self->b.res.msg, "/no/such/command"))
		TH_LOG("the message does not name the command: %s", self->b.res.msg);
}

/* ---- topology as the guest sees it -------------------------------------- */

/* "0-1,4" as the kernel prints a CPU list (bitmap_print_to_pagebuf). */
static void cpu_list(const bool *set, unsigned int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n; i++) {
		unsigned int j = i;

		if (!set[i])
			continue;
		while (j + 1 < n && set[j + 1])
			j++;
		if (j == i)
			used += snprintf(buf + used, len - used, "%s%u",
					 used ? "," : "", i);
		else
			used += snprintf(buf + used, len - used, "%s%u-%u",
					 used ? "," : "", i, j);
		if (used >= len)
			return;
		i = j;
	}
}

/*
 * The guest script that checks sysfs against @t: every value it reads is
 * printed, so a mismatch shows what the guest saw. NULL on overflow.
 */
static char *topology_script(const struct ktstr_topology *t)
{
	uint32_t n = ktstr_topology__nr_cpus(t);
	uint32_t tbits = ktstr_topology__thread_bits(t);
	uint32_t core_mask = (1u << (ktstr_topology__pkg_shift(t) - tbits)) - 1;
	size_t len = 4096 + n * 512, used;
	char *s = malloc(len), list[256];
	bool set[KTSTR_MAX_VCPUS];

	if (!s)
		return NULL;
	used = snprintf(s, len,
		"echo '" RUN_MARKER "'\n"
		"fail=0\n"
		"check() {\n"
		"\tv=$(cat \"$1\" 2>&1)\n"
		"\tif [ \"$v\" = \"$2\" ]; then echo \"topo: $1 = $v\";\n"
		"\telse echo \"topo: MISMATCH $1 = '$v', want '$2'\"; fail=1; fi\n"
		"}\n"
		"check /sys/devices/system/cpu/online %s\n",
		n == 1 ? "0" : (snprintf(list, sizeof(list), "0-%u", n - 1), list));
	for (uint32_t cpu = 0; cpu < n && used < len; cpu++) {
		struct ktstr_cpu_place p, q;
		uint32_t apic = ktstr_topology__apic_id(t, cpu);
		char sib[256], llc[256];

		ktstr_topology__place(t, cpu, &p);
		for (uint32_t o = 0; o < n; o++) {
			ktstr_topology__place(t, o, &q);
			set[o] = q.node == p.node && q.llc == p.llc && q.core == p.core;
		}
		cpu_list(set, n, sib, sizeof(sib));
		for (uint32_t o = 0; o < n; o++) {
			ktstr_topology__place(t, o, &q);
			set[o] = q.node == p.node && q.llc == p.llc;
		}
		cpu_list(set, n, llc, sizeof(llc));
		used += snprintf(s + used, len - used,
			"d=/sys/devices/system/cpu/cpu%u\n"
			"check $d/topology/core_id %u\n"
			"check $d/topology/thread_siblings_list %s\n"
			"check $d/topology/physical_package_id %u\n"
			"check $d/cache/index3/shared_cpu_list %s\n",
			cpu, (apic >> tbits) & core_mask, sib, p.node, llc);
	}
	if (used < len)
		used += snprintf(s + used, len - used, "exit $fail\n");
	if (used >= len) {
		free(s);
		return NULL;
	}
	return s;
}

static void check_topology(struct __test_metadata *_metadata,
			   struct _test_data_vmm *self,
			   const struct ktstr_topology *want, const char *name)
{
	struct ktstr_topology t = *want;
	char *script;

	if (!t.nodes)
		ktstr_topology__default(&t, 2);
	script = topology_script(&t);
	ASSERT_NE(NULL, script);
	self->cfg.topo = *want;
	run_cmd(self, script, "/bin/sh /t/extra", NULL, name);
	free(script);
	ASSERT_EQ(0, self->b.create_ret) TH_LOG("%s", self->b.err);
	EXPECT_EQ(ktstr_topology__nr_cpus(&t), self->b.nr_vcpus);
	EXPECT_EQ(KTSTR_VM_EXITED, self->b.res.how) TH_LOG("%s", self->b.res.msg);
	EXPECT_EQ(0, self->b.res.value)
		TH_LOG("the guest's sysfs disagrees with %s:\n%s", name,
		       self->b.res.msg);
}

/* All zero: the default, which must be two vCPUs, two cores of one LLC. */
TEST_F_TIMEOUT(vmm, topology_default, BOOT_TIMEOUT_S)
{
	const struct ktstr_topology t = { 0 };

	RETURN_IF_SKIPPED();
	check_topology(_metadata, self, &t, "default topology");
}

/*
 * Two LLCs of one core with two threads: SMT siblings, and LLCs that are
 * not the package. Four vCPUs, the most nested TCG boots in reasonable
 * time on the VM tier's two CPUs.
 */
TEST_F_TIMEOUT(vmm, topology_1n2l1c2t, BOOT_TIMEOUT_S)
{
	const struct ktstr_topology t = { .nodes = 1, .llcs = 2, .cores = 1, .threads = 2 };

	RETURN_IF_SKIPPED();
	check_topology(_metadata, self, &t, "1n2l1c2t");
}

/* ---- how runs fail -------------------------------------------------------- */

TEST_F_TIMEOUT(vmm, guest_panic, BOOT_TIMEOUT_S)
{
	RETURN_IF_SKIPPED();
	run_cmd(self, NULL, "/bin/sh /t/panic", "sysrq_always_enabled", "panic");
	ASSERT_EQ(0, self->b.create_ret) TH_LOG("%s", self->b.err);
	EXPECT_EQ(KTSTR_VM_RESET, self->b.res.how) TH_LOG("%s", self->b.res.msg);
	/* The reason, however long the backtrace after it. */
	EXPECT_NE(NULL, strstr(self->b.res.msg, "the guest kernel panicked: "))
		TH_LOG("the panic is not in the message: %s", self->b.res.msg);
	EXPECT_NE(NULL, strstr(self->b.res.msg,
			       "Kernel panic - not syncing: sysrq triggered crash"))
		TH_LOG("the panic's reason is not in the message: %s",
		       self->b.res.msg);
	EXPECT_NE(0, self->b.res.marker_ns) TH_LOG("the command never ran");
}

/*
 * The command hangs: the deadline ends the run. It must cover the boot
 * (the marker proves the command was running), so it is generous.
 */
TEST_F_TIMEOUT(vmm, guest_hang_deadline, BOOT_TIMEOUT_S)
{
	RETURN_IF_SKIPPED();
	self->cfg.deadline_ms = HANG_DEADLINE_MS;
	run_cmd(self, NULL, "/bin/sh /t/hang", NULL, "hang");
	ASSERT_EQ(0, self->b.create_ret) TH_LOG("%s", self->b.err);
	EXPECT_EQ(KTSTR_VM_DEADLINE, self->b.res.how) TH_LOG("%s", self->b.res.msg);
	EXPECT_NE(0, self->b.res.marker_ns)
		TH_LOG("the deadline passed before the command ran: %s", self->b.res.msg);
	EXPECT_NE(NULL, strstr(self->b.res.msg, "deadline"));
	/* Stopped at the deadline, not long after. */
	EXPECT_LT(self->b.end_s, HANG_DEADLINE_MS / 1000.0 + 10.0);
}

TEST_F_TIMEOUT(vmm, guest_poweroff, BOOT_TIMEOUT_S)
{
	RETURN_IF_SKIPPED();
	run_cmd(self, NULL, "/bin/sh /t/poweroff", NULL, "poweroff");
	ASSERT_EQ(0, self->b.create_ret) TH_LOG("%s", self->b.err);
	EXPECT_EQ(KTSTR_VM_POWEROFF, self->b.res.how) TH_LOG("%s", self->b.res.msg);
	EXPECT_EQ(0, self->b.res.exit_ns);
	EXPECT_NE(0, self->b.res.marker_ns) TH_LOG("the command never ran");
}

/* ---- create-time failures: nothing boots ------------------------------- */

FIXTURE(create) {
	struct env env;
	char path[PATH_MAX];
	char err[1024];
};

FIXTURE_SETUP(create)
{
	self->path[0] = '\0';
	if (!find_env(&self->env, false))
		SKIP(return, "%.900s", self->env.why);
}

FIXTURE_TEARDOWN(create)
{
	if (self->path[0])
		unlink(self->path);
}

static int try_create(struct _test_data_create *self, const char *kernel,
		      const struct ktstr_topology *t)
{
	struct ktstr_vm_config cfg = { .kernel = kernel, .mem_mb = GUEST_MEM_MB };
	struct ktstr_vm *vm;
	int ret;

	if (t)
		cfg.topo = *t;
	ret = ktstr_vm__create(&cfg, &vm, self->err, sizeof(self->err));
	printf("# create(%s): %d: %s\n", kernel, ret, self->err);
	fflush(stdout);
	if (!ret)
		ktstr_vm__destroy(vm);
	return ret;
}

/* A temporary file holding @len bytes: of @src from its start, or random. */
static int temp_kernel(struct _test_data_create *self, const char *src,
		       size_t len)
{
	char *buf = malloc(len);
	int fd, in = -1, ret = -EIO;
	size_t done = 0;

	if (!buf)
		return -ENOMEM;
	if (src)
		in = open(src, O_RDONLY | O_CLOEXEC);
	else
		in = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		free(buf);
		return -errno;
	}
	while (done < len) {
		ssize_t n = read(in, buf + done, len - done);

		if (n <= 0)
			break;
		done += n;
	}
	close(in);
	snprintf(self->path, sizeof(self->path), "/tmp/vmm_boot_test.XXXXXX");
	fd = mkstemp(self->path);
	if (fd >= 0) {
		if (write(fd, buf, done) == (ssize_t)done && done == len)
			ret = 0;
		close(fd);
	} else {
		self->path[0] = '\0';
		ret = -errno;
	}
	free(buf);
	return ret;
}

TEST_F(create, missing_kernel)
{
	RETURN_IF_SKIPPED();
	EXPECT_EQ(-ENOENT, try_create(self, "/no/such/vmlinuz", NULL));
	EXPECT_NE(NULL, strstr(self->err, "/no/such/vmlinuz"));
	EXPECT_NE(NULL, strstr(self->err, strerror(ENOENT)));
}

TEST_F(create, garbage_kernel)
{
	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, temp_kernel(self, NULL, 1 << 20));
	EXPECT_EQ(-ENOEXEC, try_create(self, self->path, NULL));
	EXPECT_NE(NULL, strstr(self->err, "not a bzImage")) TH_LOG("%s", self->err);
}

/* The real kernel cut short: its header is fine, the payload is not there. */
TEST_F(create, truncated_kernel)
{
	struct stat st;

	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, stat(self->env.kernel, &st));
	/* Setup code plus a little: the header parses, the rest is missing. */
	ASSERT_EQ(0, temp_kernel(self, self->env.kernel, 64 * 1024));
	EXPECT_EQ(-ENOEXEC, try_create(self, self->path, NULL));
	EXPECT_NE(NULL, strstr(self->err, "truncated")) TH_LOG("%s", self->err);
}

TEST_F(create, zero_cpus)
{
	const struct ktstr_topology t = { .nodes = 1, .llcs = 1, .cores = 0, .threads = 1 };

	RETURN_IF_SKIPPED();
	EXPECT_EQ(-EINVAL, try_create(self, self->env.kernel, &t));
	EXPECT_NE(NULL, strstr(self->err, "zero cores per LLC")) TH_LOG("%s", self->err);
}

/* 300 cores: more vCPUs than ktstr allows, and APIC IDs beyond 8 bits. */
TEST_F(create, too_many_cpus)
{
	const struct ktstr_topology t = { .nodes = 1, .llcs = 1, .cores = 300, .threads = 1 };

	RETURN_IF_SKIPPED();
	EXPECT_EQ(-EINVAL, try_create(self, self->env.kernel, &t));
	EXPECT_NE(NULL, strstr(self->err, "300")) TH_LOG("%s", self->err);
}

/* Few enough CPUs, but their APIC IDs do not fit the MP table's 8 bits. */
TEST_F(create, apic_id_out_of_range)
{
	const struct ktstr_topology t = { .nodes = 1, .llcs = 3, .cores = 65, .threads = 1 };

	RETURN_IF_SKIPPED();
	EXPECT_EQ(-EINVAL, try_create(self, self->env.kernel, &t));
	EXPECT_NE(NULL, strstr(self->err, "APIC ID")) TH_LOG("%s", self->err);
}

TEST_HARNESS_MAIN
