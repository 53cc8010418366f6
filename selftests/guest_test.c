// SPDX-License-Identifier: GPL-2.0
/*
 * The guest programs (guest/): ktstr-guest's command line, its doorbell
 * protocol against a stand-in for the VMM, and ktstr-init booted by a
 * real kernel under QEMU from an initramfs built with ktstr/initramfs.h.
 *
 * The stand-in: KTSTR_WIRE_MEM points ktstr-guest at a sparse file
 * instead of /dev/mem; a thread here maps the same window, watches the
 * doorbell word, checks the request slot as ktstr.ko does and replies.
 * The test never lets ktstr-guest near this host's /dev/mem.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ktstr/initramfs.h>
#include <ktstr/wire.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

static char dir[PATH_MAX];	/* where this test is */

/* A guest binary: beside the test (installed), else in the source tree. */
static const char *guest_bin(const char *name)
{
	static char path[4][PATH_MAX + 64];
	static int next;
	char *p = path[next++ % 4];

	if (!dir[0])
		ktstr_test_dir(dir, sizeof(dir));
	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	if (access(p, X_OK))
		snprintf(p, sizeof(path[0]), "%s/../guest/build/%s", dir, name);
	return p;
}

struct run {
	int status;		/* exit status; -1: did not exit */
	char err[4096];		/* stderr */
};

/* Run ktstr-guest with @argv (NULL-terminated, argv[0] omitted). */
static void run_guest(struct run *r, const char *wire_mem, const char *const *argv)
{
	const char *args[16] = { guest_bin("ktstr-guest") };
	int pfd[2], st, i;
	ssize_t n, len = 0;
	pid_t pid;

	for (i = 0; argv[i] && i < 14; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	r->status = -1;
	r->err[0] = '\0';
	if (pipe(pfd))
		return;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* stdout would mix with the KTAP. */
		dup2(null, 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		/* Never the real /dev/mem: a file, or a path that is not there. */
		setenv("KTSTR_WIRE_MEM", wire_mem ? wire_mem : "/nonexistent/ktstr-wire", 1);
		execv(args[0], (char *const *)args);
		_exit(126);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], r->err + len, sizeof(r->err) - 1 - len)) > 0)
		len += n;
	r->err[len] = '\0';
	close(pfd[0]);
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		r->status = WEXITSTATUS(st);
}

#define RUN_GUEST(r, mem, ...) run_guest((r), (mem), (const char *const[]){ __VA_ARGS__, NULL })

/* ---- the command line ---------------------------------------------------- */

TEST(usage_errors)
{
	static const struct {
		const char *args[4];
		const char *msg;
	} cases[] = {
		{ { NULL }, "no command" },
		{ { "snapshot", "x" }, "unknown command" },
		{ { "capture" }, "no tag" },
		{ { "capture", "" }, "empty tag" },
		{ { "capture", "0123456789012345678901234567890123456789012345678901234567890123X" },
		  "at most 64" },
		{ { "capture", "a\tb" }, "byte 1 of the tag is 0x09" },
		{ { "capture", "caf\xc3\xa9" }, "byte 3 of the tag is 0xc3" },
		{ { "capture", "a", "b" }, "one tag only" },
		{ { "capture", "a", "--timeout-ms" }, "needs a value" },
		{ { "capture", "a", "--timeout-ms", "abc" }, "not a number" },
		{ { "capture", "a", "--timeout-ms", "-5" }, "not a number" },
		{ { "capture", "a", "--timeout-ms=99999999999" }, "not a number" },
		{ { "capture", "--verbose", "a" }, "unknown option" },
	};
	struct run r;

	if (access(guest_bin("ktstr-guest"), X_OK))
		SKIP(return, "ktstr-guest not built (make -C guest)");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const *a = cases[i].args;

		if (!a[0])
			run_guest(&r, NULL, (const char *const[]){ NULL });
		else
			run_guest(&r, NULL, a);
		EXPECT_EQ(2, r.status) TH_LOG("case %zu: %s", i, r.err);
		EXPECT_NE(NULL, strstr(r.err, cases[i].msg))
			TH_LOG("case %zu: \"%s\" lacks \"%s\"", i, r.err, cases[i].msg);
		EXPECT_NE(NULL, strstr(r.err, "usage: ")) TH_LOG("case %zu", i);
	}
	RUN_GUEST(&r, NULL, "--help");
	EXPECT_EQ(0, r.status);
}

/* A good tag without a wire: a clear error naming the tag, exit 1. */
TEST(no_wire)
{
	char cmdline[4096] = "";
	struct run r;
	FILE *f;

	if (access(guest_bin("ktstr-guest"), X_OK))
		SKIP(return, "ktstr-guest not built (make -C guest)");
	/* 64 printable bytes, spaces and '~' included, is a valid tag. */
	RUN_GUEST(&r, NULL, "capture",
		  " ~0123456789012345678901234567890123456789012345678901234567890");
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "cannot map the wire at 0xd0000000 through "
				      "/nonexistent/ktstr-wire: No such file or directory"))
		TH_LOG("%s", r.err);

	/* /dev/mem is only touched in a ktstr guest: not here, then. */
	f = fopen("/proc/cmdline", "r");
	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = '\0';
		fclose(f);
	}
	if (strstr(cmdline, "ktstr.wire=1"))
		SKIP(return, "this kernel has ktstr.wire=1: a real wire, not tested here");
	RUN_GUEST(&r, "", "capture", "tag1");
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "capture tag1: no wire here")) TH_LOG("%s", r.err);
}

/* ---- the doorbell against a stand-in VMM ------------------------------ */

struct host {
	volatile uint8_t *base;
	pthread_t thread;
	volatile int stop;
	int reply;		/* 0: reply reply_status; 1: never reply */
	int reply_status;
	/* What the requests looked like. */
	int nr;
	uint64_t ids[8];
	char tags[8][KTSTR_TAG_MAX + 1];
	int bad;		/* a request ktstr.ko would call malformed */
};

static void *host_main(void *arg)
{
	struct host *h = arg;
	volatile uint32_t *bell = (volatile uint32_t *)
		(h->base + (KTSTR_WIRE_DOORBELL_GPA - KTSTR_WIRE_SHM_GPA));
	volatile struct ktstr_request *req = (volatile struct ktstr_request *)h->base;

	while (!h->stop) {
		if (!*bell) {
			usleep(200);
			continue;
		}
		*bell = 0;
		if (req->magic != KTSTR_REQUEST_MAGIC || req->kind != KTSTR_REQUEST_CAPTURE ||
		    !req->tag_len || req->tag_len > KTSTR_TAG_MAX || req->pad)
			h->bad++;
		for (uint32_t i = 0; i < KTSTR_TAG_MAX; i++) {
			char c = req->tag[i];

			if (i < req->tag_len && (c < 0x20 || c > 0x7e))
				h->bad++;
			if (i >= req->tag_len && c)
				h->bad++;	/* stale bytes left behind */
		}
		if (h->nr < 8) {
			h->ids[h->nr] = req->request_id;
			for (uint32_t i = 0; i < req->tag_len && i < KTSTR_TAG_MAX; i++)
				h->tags[h->nr][i] = req->tag[i];
			h->nr++;
		}
		if (h->reply)
			continue;
		/* As ktstr.ko's REPLY: status, then id. */
		req->reply_status = h->reply_status;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		req->reply_id = req->request_id;
	}
	return NULL;
}

FIXTURE(wire) {
	char path[64];
	int fd;
	struct host h;
};

FIXTURE_SETUP(wire)
{
	void *p;

	memset(&self->h, 0, sizeof(self->h));
	if (access(guest_bin("ktstr-guest"), X_OK))
		SKIP(return, "ktstr-guest not built (make -C guest)");
	strcpy(self->path, "/tmp/guest_test.wire.XXXXXX");
	self->fd = mkstemp(self->path);
	ASSERT_LE(0, self->fd);
	/* Sparse: only the window is ever touched. */
	ASSERT_EQ(0, ftruncate(self->fd, KTSTR_WIRE_SHM_GPA + KTSTR_WIRE_MAP_SIZE));
	p = mmap(NULL, KTSTR_WIRE_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, KTSTR_WIRE_SHM_GPA);
	ASSERT_NE(MAP_FAILED, p);
	self->h.base = p;
}

FIXTURE_TEARDOWN(wire)
{
	if (self->h.thread) {
		self->h.stop = 1;
		pthread_join(self->h.thread, NULL);
	}
	if (self->h.base)
		munmap((void *)self->h.base, KTSTR_WIRE_MAP_SIZE);
	if (self->path[0]) {
		unlink(self->path);
		close(self->fd);
	}
}

static void start_host(struct host *h, int reply, int status)
{
	h->reply = reply;
	h->reply_status = status;
	pthread_create(&h->thread, NULL, host_main, h);
}

TEST_F(wire, capture_ok)
{
	struct run r;

	start_host(&self->h, 0, 0);
	RUN_GUEST(&r, self->path, "capture", "after_warmup");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.err);
	/* A shorter tag next: the old tag's tail must not linger. */
	RUN_GUEST(&r, self->path, "capture", "--timeout-ms", "5000", "--", "-x");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	ASSERT_EQ(2, self->h.nr);
	EXPECT_STREQ("after_warmup", self->h.tags[0]);
	EXPECT_STREQ("-x", self->h.tags[1]);
	/* Fresh, nonzero ids, one after the other. */
	EXPECT_NE(0, self->h.ids[0]);
	EXPECT_EQ(self->h.ids[0] + 1, self->h.ids[1]);
	EXPECT_EQ(0, self->h.bad);
}

TEST_F(wire, host_error)
{
	struct run r;

	start_host(&self->h, 0, -ENOSPC);
	RUN_GUEST(&r, self->path, "capture", "full");
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "capture full: the host failed it: No space left on device"))
		TH_LOG("%s", r.err);
}

/* No reply: an error naming the tag, after the timeout and not much later. */
TEST_F(wire, timeout)
{
	struct timespec t0, t1;
	struct run r;
	long ms;

	start_host(&self->h, 1, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	RUN_GUEST(&r, self->path, "capture", "lost", "--timeout-ms=300");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "capture lost: no reply from the host within 300 ms"))
		TH_LOG("%s", r.err);
	EXPECT_LE(300, ms);
	EXPECT_GT(3000, ms);
	EXPECT_EQ(1, self->h.nr);
	/* A late reply to the lost request must not complete the next one. */
	self->h.reply = 0;
	RUN_GUEST(&r, self->path, "capture", "next");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_EQ(self->h.ids[0] + 1, self->h.ids[1]);
}

/* A stale reply_id equal to the next id must be skipped, not matched. */
TEST_F(wire, stale_reply_id)
{
	volatile struct ktstr_request *req = (volatile struct ktstr_request *)self->h.base;
	struct run r;

	req->request_id = 41;
	req->reply_id = 42;
	start_host(&self->h, 0, 0);
	RUN_GUEST(&r, self->path, "capture", "s");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	ASSERT_EQ(1, self->h.nr);
	EXPECT_EQ(43, self->h.ids[0]);
}

/* ---- ktstr-init in a real kernel ------------------------------------------ */

static const char *find_kernel(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("KTSTR_VM_KERNEL");
	FILE *f;

	if (env && *env)
		return env;
	f = popen("ls -1v /boot/vmlinuz-* 2>/dev/null | tail -n 1", "r");
	if (!f)
		return NULL;
	if (!fgets(path, sizeof(path), f))
		path[0] = '\0';
	pclose(f);
	path[strcspn(path, "\n")] = '\0';
	return path[0] && !access(path, R_OK) ? path : NULL;
}

/*
 * An initramfs of busybox, ktstr-init as /init, ktstr-guest and @run as
 * /ktstr/run (when not NULL), written to @out.
 */
static int build_initramfs(const char *out, const char *run, char *err, size_t errlen)
{
	static const char *const applets[] = { "sh", "echo", "cat", "kill", "sleep" };
	struct ktstr_initramfs *ir = ktstr_initramfs__new();
	const void *buf;
	size_t len;
	int ret = -ENOMEM, fd;
	char link[32];

	if (!ir)
		return ret;
	ret = ktstr_initramfs__add_host_file(ir, "/init", 0755, guest_bin("ktstr-init"));
	if (!ret)
		ret = ktstr_initramfs__add_host_file(ir, "bin/ktstr-guest", 0755,
						     guest_bin("ktstr-guest"));
	if (!ret)
		ret = ktstr_initramfs__add_host_file(ir, "bin/busybox", 0755, "/bin/busybox");
	for (size_t i = 0; !ret && i < sizeof(applets) / sizeof(applets[0]); i++) {
		snprintf(link, sizeof(link), "bin/%s", applets[i]);
		ret = ktstr_initramfs__add_symlink(ir, link, "busybox");
	}
	if (!ret)
		ret = ktstr_initramfs__add_node(ir, "dev/console", S_IFCHR | 0600, 5, 1);
	if (!ret && run)
		ret = ktstr_initramfs__add_file(ir, "ktstr/run", 0755, run, strlen(run));
	if (!ret)
		ret = ktstr_initramfs__finish(ir, &buf, &len);
	if (ret) {
		snprintf(err, errlen, "%s", ktstr_initramfs__error(ir));
	} else {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
			ret = -EIO;
		if (fd >= 0)
			close(fd);
	}
	ktstr_initramfs__free(ir);
	return ret;
}

/* Boot @kernel with @initrd and @append; the console output, or NULL. */
static char *boot(const char *kernel, const char *initrd, const char *append)
{
	char cmd[2048], *out;
	size_t len = 0, cap = 1 << 16;
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "timeout -k 5 120 qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 256 "
		 "-nodefaults -no-user-config -display none -no-reboot "
		 "-kernel '%s' -initrd '%s' -serial stdio "
		 "-append 'console=ttyS0 rdinit=/init panic=-1 loglevel=4 %s' </dev/null 2>&1",
		 kernel, initrd, append);
	f = popen(cmd, "r");
	out = malloc(cap);
	if (!f || !out) {
		free(out);
		if (f)
			pclose(f);
		return NULL;
	}
	while ((n = fread(out + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len == cap - 1) {
			char *p = realloc(out, cap * 2);

			if (!p)
				break;
			out = p;
			cap *= 2;
		}
	}
	out[len] = '\0';
	pclose(f);
	return out;
}

FIXTURE(vm) {
	const char *kernel;
	char initrd[64];
};

FIXTURE_SETUP(vm)
{
	self->initrd[0] = '\0';
	if (system("command -v qemu-system-x86_64 >/dev/null"))
		SKIP(return, "qemu-system-x86_64 not installed (make deps)");
	if (access("/bin/busybox", X_OK) || !system("ldd /bin/busybox >/dev/null 2>&1"))
		SKIP(return, "no static /bin/busybox (make deps installs busybox-static)");
	if (access(guest_bin("ktstr-init"), X_OK) || access(guest_bin("ktstr-guest"), X_OK))
		SKIP(return, "guest programs not built (make -C guest)");
	self->kernel = find_kernel();
	if (!self->kernel)
		SKIP(return, "no kernel image in /boot (set KTSTR_VM_KERNEL)");
	strcpy(self->initrd, "/tmp/guest_test.initrd.XXXXXX");
	close(mkstemp(self->initrd));
}

FIXTURE_TEARDOWN(vm)
{
	if (self->initrd[0])
		unlink(self->initrd);
}

/*
 * ktstr.wire=1 and no "--": init runs /ktstr/run, reports over the wire
 * and still prints its console line and powers off. QEMU has nothing at
 * the wire's address, so ktstr-guest's request goes unanswered there: a
 * real timeout in a real guest.
 */
TEST_F(vm, wire_and_ktstr_run)
{
	static const char run[] =
		"#!/bin/sh\n"
		"echo RUN_STARTED\n"
		"ktstr-guest capture boot_tag --timeout-ms 200\n"
		"echo CAPTURE_RC=$?\n"
		"exit 7\n";
	char err[512] = "", *out;

	ASSERT_EQ(0, build_initramfs(self->initrd, run, err, sizeof(err))) TH_LOG("%s", err);
	out = boot(self->kernel, self->initrd, "ktstr.wire=1");
	ASSERT_NE(NULL, out);
	EXPECT_NE(NULL, strstr(out, "RUN_STARTED")) TH_LOG("console:\n%s", out);
	EXPECT_NE(NULL, strstr(out, "capture boot_tag: no reply from the host within 200 ms"));
	EXPECT_NE(NULL, strstr(out, "CAPTURE_RC=1"));
	EXPECT_NE(NULL, strstr(out, "KTSTR_INIT_EXIT=7"));
	EXPECT_EQ(NULL, strstr(out, "cannot report the exit")) TH_LOG("console:\n%s", out);
	EXPECT_EQ(NULL, strstr(out, "Kernel panic"));
	free(out);
}

/*
 * The QEMU VM tier's way: no wire, the command after "--" (preferred to
 * /ktstr/run), killed by a signal: 128 + the signal, as before.
 */
TEST_F(vm, legacy_command)
{
	char err[512] = "", *out;

	ASSERT_EQ(0, build_initramfs(self->initrd, "#!/bin/sh\necho WRONG\n", err, sizeof(err)))
		TH_LOG("%s", err);
	out = boot(self->kernel, self->initrd, "-- /bin/sh -c \"echo LEGACY_RAN; kill -9 $$\"");
	ASSERT_NE(NULL, out);
	EXPECT_NE(NULL, strstr(out, "LEGACY_RAN")) TH_LOG("console:\n%s", out);
	EXPECT_EQ(NULL, strstr(out, "WRONG"));
	EXPECT_NE(NULL, strstr(out, "KTSTR_INIT_EXIT=137"));
	EXPECT_EQ(NULL, strstr(out, "over the wire"));
	free(out);
}

TEST_HARNESS_MAIN
