// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr run: boot a kernel in a KVM virtual machine, run one command in
 * it and exit with the command's status, as if it had run here.
 *
 *	ktstr run [--kernel BZIMAGE] [--cpus N | --topology NnNlNcNt]
 *		  [--mem MB] [--timeout SEC] [--include HOST[:GUEST]]...
 *		  [--capture TAG [--capture-out FILE] [--ksyms FILE] [--btf FILE]]
 *		  [--append CMDLINE] -- CMD [ARGS...]
 *
 * The guest's serial console streams to stdout: the boot's warnings, the
 * command's output, and ktstr-init's "KTSTR_INIT_EXIT=" line. ktstr run's
 * own messages go to stderr. See Documentation/run.rst.
 *
 * The command travels on the kernel command line after "--", where the
 * kernel hands it to init as its argv: see encode_command() for what
 * that allows.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ktstr/bridge.h>
#include <ktstr/capture.h>
#include <ktstr/dump.h>
#include <ktstr/initramfs.h>
#include <ktstr/topology.h>
#include <ktstr/vmm.h>

#include "builtin.h"
#include "run_image.h"

/*
 * Exit statuses of ktstr run's own, beside the command's 0..255: as
 * timeout(1), env(1) and container runtimes use them.
 */
#define RUN_EXIT_TIMEOUT	124	/* --timeout passed */
#define RUN_EXIT_FAILED		125	/* ktstr run or the VM failed */
#define RUN_EXIT_CANNOT_RUN	126	/* init could not run the command */
#define RUN_EXIT_NOT_FOUND	127	/* no such command in the guest */

/*
 * The kernel hands init at most CONFIG_INIT_ENV_ARG_LIMIT (32) arguments
 * including argv[0], and panics on more.
 */
#define RUN_MAX_ARGS		31
#define RUN_MAX_TIMEOUT_S	(UINT32_MAX / 1000)
#define RUN_MIN_MEM_MB		64
#define RUN_MAX_MEM_MB		(1ULL << 22)
/* numa=fake needs 32 MiB a node; the guest needs room besides. */
#define RUN_MEM_MB_PER_NODE	64
#define RUN_CAPTURE_PARAM	"ktstr.capture"

static const char run_synopsis[] =
"usage: ktstr run [--kernel BZIMAGE] [--cpus N | --topology NnNlNcNt] [--mem MB]\n"
"                 [--timeout SEC] [--include HOST[:GUEST]]... [--append CMDLINE]\n"
"                 [--capture TAG [--capture-out FILE] [--ksyms FILE] [--btf FILE]]\n"
"                 -- CMD [ARGS...]\n";

static const char run_usage[] =
"\n"
"Boot BZIMAGE in a KVM virtual machine with an initramfs of ktstr-init,\n"
"ktstr-guest, busybox and the --include files, run CMD in it, and exit\n"
"with CMD's status. The guest's console streams to stdout; ktstr run's\n"
"own messages go to stderr.\n"
"\n"
"  --kernel BZIMAGE      the kernel (default /boot/vmlinuz-$(uname -r))\n"
"  --cpus N              N CPUs, 1 to 256 (default 2)\n"
"  --topology NnNlNcNt   nodes, LLCs per node, cores per LLC, threads per\n"
"                        core, e.g. 1n2l2c2t (8 CPUs); not with --cpus\n"
"  --mem MB              guest RAM in MiB, 64 to 4194304 (default 512)\n"
"  --timeout SEC         stop the guest after SEC seconds (default: never)\n"
"  --include HOST[:GUEST]\n"
"                        put a host file or directory (recursively) into the\n"
"                        guest at GUEST, an absolute path; by default at the\n"
"                        same path as on the host\n"
"  --append CMDLINE      more kernel command line (several add up)\n"
"  --capture TAG         once CMD is done, capture the guest kernel's state\n"
"                        under TAG (printable ASCII, no space or '\"')\n"
"  --capture-out FILE    write that dump report there (default TAG.json)\n"
"  --ksyms FILE          the guest kernel's System.map or vmlinux for\n"
"                        --capture (default: the running kernel's)\n"
"  --btf FILE            its BTF or vmlinux (default: the running kernel's)\n"
"\n"
"CMD runs as root in /, with busybox's applets on PATH. Its arguments\n"
"travel on the kernel command line: at most 31, none holding '\"', a\n"
"control character or being \"--\".\n"
"\n"
"Environment: KTSTR_GUEST_DIR (where ktstr-init and ktstr-guest are; by\n"
"default beside ktstr, then in the source tree's guest/build),\n"
"KTSTR_BUSYBOX (a static busybox; default /bin/busybox).\n"
"\n"
"Exit status: CMD's own; 128+N when CMD was killed by signal N (or ktstr\n"
"run by signal N); 124 when --timeout passed; 125 when ktstr run failed:\n"
"a usage error, a missing file, no KVM, a guest that panicked, reset or\n"
"powered off without CMD's status, a KVM error, a --capture that did not\n"
"produce its file; 126 when the guest's init could not run CMD; 127 when\n"
"CMD does not exist in the guest.\n";

struct run_opts {
	const char *kernel;
	char default_kernel[PATH_MAX];
	struct ktstr_topology topo;
	bool has_cpus, has_topo;
	uint64_t mem_mb;
	uint32_t timeout_s;
	struct run_include *incs;
	size_t nr_incs;
	char *append;		/* every --append, space-separated */
	const char *capture;
	const char *capture_out;
	char default_out[KTSTR_TAG_MAX + 8];
	const char *ksyms, *btf;
	char **cmd;
	int nr_cmd;
};

static int short_usage(void)
{
	fputs(run_synopsis, stderr);
	fputs("(ktstr run --help says more)\n", stderr);
	return RUN_EXIT_FAILED;
}

/* "ktstr run: " and the message, on a line of its own. */
static void say_v(const char *fmt, va_list ap)
{
	fputs("ktstr run: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* A bad command line: the message, then the synopsis. */
__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_v(fmt, ap);
	va_end(ap);
	return short_usage();
}

__attribute__((format(printf, 1, 2)))
static int run_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_v(fmt, ap);
	va_end(ap);
	return RUN_EXIT_FAILED;
}

/* A decimal number in [@min, @max]; no sign, no suffix, no blanks. */
static int parse_num(const char *s, unsigned long long min,
		     unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The tag goes on the kernel command line: one word, no quotes. */
static int check_tag(const char *tag)
{
	size_t len = strlen(tag);

	if (!len)
		return usage_error("--capture: empty tag");
	if (len > KTSTR_TAG_MAX)
		return usage_error("--capture: tag of %zu bytes, at most %d allowed",
				   len, KTSTR_TAG_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = tag[i];

		if (c <= ' ' || c >= 0x7f || c == '"')
			return usage_error("--capture %s: byte %zu (0x%02x) is not allowed: printable ASCII but space and '\"'",
					   tag, i, c);
	}
	return 0;
}

/* "--" as a word of @s, the way the kernel splits its command line. */
static bool has_dashes_word(const char *s)
{
	for (const char *p = s; (p = strstr(p, "--")); p += 2) {
		bool start = p == s || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '"';
		bool end = !p[2] || p[2] == ' ' || p[2] == '\t' || p[2] == '"';

		if (start && end)
			return true;
	}
	return false;
}

static int add_append(struct run_opts *o, const char *s)
{
	size_t old = o->append ? strlen(o->append) : 0;
	char *p;

	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < ' ' && *c != '\t')
			return usage_error("--append: control character 0x%02x in \"%s\"",
					   (unsigned char)*c, s);
	if (has_dashes_word(s))
		return usage_error("--append \"%s\": \"--\" would end the kernel's parameters; put the command after ktstr run's own \"--\"",
				   s);
	p = realloc(o->append, old + strlen(s) + 2);
	if (!p)
		return run_error("out of memory");
	if (old)
		p[old++] = ' ';
	strcpy(p + old, s);
	o->append = p;
	return 0;
}

static int add_include(struct run_opts *o, const char *arg)
{
	struct run_include *incs;
	char err[PATH_MAX + 256];

	incs = realloc(o->incs, (o->nr_incs + 1) * sizeof(*incs));
	if (!incs)
		return run_error("out of memory");
	o->incs = incs;
	if (run_image__parse_include(arg, &incs[o->nr_incs], err, sizeof(err)))
		return usage_error("%s", err);
	o->nr_incs++;
	return 0;
}

/*
 * What the kernel can carry to init after "--": words split on blanks,
 * double quotes grouping (and removed, so no argument may hold one),
 * a second "--" ending the list, no control characters.
 */
static int check_command(char **cmd, int n)
{
	if (n > RUN_MAX_ARGS)
		return usage_error("the command has %d words; the kernel passes at most %d to init",
				   n, RUN_MAX_ARGS);
	for (int i = 0; i < n; i++) {
		if (!strcmp(cmd[i], "--"))
			return usage_error("word %d of the command is \"--\", which the kernel would take as the end of init's arguments",
					   i + 1);
		for (const char *c = cmd[i]; *c; c++) {
			if (*c == '"')
				return usage_error("word %d of the command (%s) holds '\"', which the kernel's command line cannot carry",
						   i + 1, cmd[i]);
			if ((unsigned char)*c < ' ' || *c == 0x7f)
				return usage_error("word %d of the command holds control character 0x%02x, which the kernel's command line cannot carry",
						   i + 1, (unsigned char)*c);
		}
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct run_opts *o)
{
	enum { O_KERNEL = 256, O_CPUS, O_TOPO, O_MEM, O_TIMEOUT, O_INCLUDE,
	       O_APPEND, O_CAPTURE, O_CAPTURE_OUT, O_KSYMS, O_BTF };
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, O_KERNEL },
		{ "cpus", required_argument, NULL, O_CPUS },
		{ "topology", required_argument, NULL, O_TOPO },
		{ "mem", required_argument, NULL, O_MEM },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "include", required_argument, NULL, O_INCLUDE },
		{ "append", required_argument, NULL, O_APPEND },
		{ "capture", required_argument, NULL, O_CAPTURE },
		{ "capture-out", required_argument, NULL, O_CAPTURE_OUT },
		{ "ksyms", required_argument, NULL, O_KSYMS },
		{ "btf", required_argument, NULL, O_BTF },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *last_arg = NULL;
	unsigned long long v;
	char err[256];
	int opt, ret;

	/* '+': stop at the command; ':': we word the errors ourselves. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (optarg)
			last_arg = optarg;
		switch (opt) {
		case 'h':
			fputs(run_synopsis, stdout);
			fputs(run_usage, stdout);
			exit(0);
		case O_KERNEL:
			o->kernel = optarg;
			break;
		case O_CPUS:
			if (parse_num(optarg, 1, KTSTR_MAX_VCPUS, &v))
				return usage_error("--cpus %s: not a number of CPUs from 1 to %d",
						   optarg, KTSTR_MAX_VCPUS);
			ktstr_topology__default(&o->topo, v);
			o->has_cpus = true;
			break;
		case O_TOPO:
			if (ktstr_topology__parse(optarg, &o->topo, err, sizeof(err)))
				return usage_error("--topology %s: %s", optarg, err);
			o->has_topo = true;
			break;
		case O_MEM:
			if (parse_num(optarg, RUN_MIN_MEM_MB, RUN_MAX_MEM_MB, &v))
				return usage_error("--mem %s: not a size in MiB from %d to %llu",
						   optarg, RUN_MIN_MEM_MB, RUN_MAX_MEM_MB);
			o->mem_mb = v;
			break;
		case O_TIMEOUT:
			if (parse_num(optarg, 1, RUN_MAX_TIMEOUT_S, &v))
				return usage_error("--timeout %s: not a number of seconds from 1 to %u",
						   optarg, RUN_MAX_TIMEOUT_S);
			o->timeout_s = v;
			break;
		case O_INCLUDE:
			ret = add_include(o, optarg);
			if (ret)
				return ret;
			break;
		case O_APPEND:
			ret = add_append(o, optarg);
			if (ret)
				return ret;
			break;
		case O_CAPTURE:
			ret = check_tag(optarg);
			if (ret)
				return ret;
			o->capture = optarg;
			break;
		case O_CAPTURE_OUT:
			o->capture_out = optarg;
			break;
		case O_KSYMS:
			o->ksyms = optarg;
			break;
		case O_BTF:
			o->btf = optarg;
			break;
		case ':':
			return usage_error("%s needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (o->has_cpus && o->has_topo)
		return usage_error("--cpus and --topology both give the CPUs: use one");
	if ((o->capture_out || o->ksyms || o->btf) && !o->capture)
		return usage_error("%s is for --capture, which is not given",
				   o->capture_out ? "--capture-out" :
				   o->ksyms ? "--ksyms" : "--btf");
	/* getopt ate a "--", unless it was the value of the last option. */
	if (optind < 1 || strcmp(argv[optind - 1], "--") ||
	    argv[optind - 1] == last_arg) {
		if (optind < argc)
			return usage_error("expected \"--\" before the command \"%s\"",
					   argv[optind]);
		return usage_error("no command: give one after \"--\"");
	}
	if (optind == argc)
		return usage_error("no command after \"--\"");
	o->cmd = argv + optind;
	o->nr_cmd = argc - optind;
	return check_command(o->cmd, o->nr_cmd);
}

/* Files named on the command line must be there before anything boots. */
static int check_files(struct run_opts *o)
{
	const char *files[] = { o->ksyms, o->btf };
	struct utsname u;
	struct stat st;

	if (!o->kernel) {
		if (uname(&u))
			return run_error("uname: %s", strerror(errno));
		snprintf(o->default_kernel, sizeof(o->default_kernel),
			 "/boot/vmlinuz-%s", u.release);
		o->kernel = o->default_kernel;
		if (access(o->kernel, R_OK))
			return usage_error("no kernel image %s for the running kernel (%s): give one with --kernel",
					   o->kernel, strerror(errno));
	}
	if (stat(o->kernel, &st) || access(o->kernel, R_OK))
		return usage_error("--kernel %s: %s", o->kernel, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return usage_error("--kernel %s: not a regular file", o->kernel);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i] && access(files[i], R_OK))
			return usage_error("%s %s: %s", i ? "--btf" : "--ksyms", files[i],
					   strerror(errno));
	if (o->capture && !o->capture_out) {
		snprintf(o->default_out, sizeof(o->default_out), "%s.json", o->capture);
		o->capture_out = o->default_out;
	}
	return 0;
}

/* The kernel's part of the command line, then "--" and the command. */
static char *build_cmdline(const struct run_opts *o, const char *numa)
{
	size_t len = 64 + strlen(numa) + (o->append ? strlen(o->append) : 0) +
		     (o->capture ? strlen(o->capture) : 0);
	char *s, *p;

	for (int i = 0; i < o->nr_cmd; i++)
		len += strlen(o->cmd[i]) + 3;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	p += sprintf(p, "%s", numa);
	if (o->append)
		p += sprintf(p, "%s%s", p == s ? "" : " ", o->append);
	if (o->capture)
		p += sprintf(p, "%s" RUN_CAPTURE_PARAM "=%s", p == s ? "" : " ",
			     o->capture);
	p += sprintf(p, "%s--", p == s ? "" : " ");
	for (int i = 0; i < o->nr_cmd; i++) {
		const char *a = o->cmd[i];
		/* Quotes keep blanks inside one word; the kernel drops them. */
		bool quote = !*a || strpbrk(a, " \t");

		p += sprintf(p, quote ? " \"%s\"" : " %s", a);
	}
	return s;
}

/* ---- signals: stop the guest, then exit as if killed -------------------- */

static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ktstr_vm *stop_vm;
static int stop_sig;

static void *signal_thread(void *arg)
{
	sigset_t *set = arg;
	int sig;

	for (;;) {
		if (sigwait(set, &sig))
			continue;
		pthread_mutex_lock(&stop_lock);
		if (!stop_sig)
			stop_sig = sig;
		if (stop_vm)
			ktstr_vm__stop(stop_vm);
		pthread_mutex_unlock(&stop_lock);
	}
	return NULL;
}

/*
 * SIGINT, SIGTERM and SIGHUP are taken by one thread, which stops the
 * guest: the vCPU threads inherit the mask, so no signal lands on them.
 */
static int setup_signals(void)
{
	static sigset_t set;
	pthread_t thr;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	ret = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (!ret)
		ret = pthread_create(&thr, NULL, signal_thread, &set);
	if (!ret)
		ret = pthread_detach(thr);
	return -ret;
}

static int pending_signal(void)
{
	int sig;

	pthread_mutex_lock(&stop_lock);
	sig = stop_sig;
	pthread_mutex_unlock(&stop_lock);
	return sig;
}

/* ---- the run ------------------------------------------------------------- */

/* How the command ended, as an exit status of ktstr run. */
static int run_status(const struct ktstr_vm_result *res, uint32_t timeout_s)
{
	switch (res->how) {
	case KTSTR_VM_EXITED:
		return res->value;
	case KTSTR_VM_SIGNALED:
		fprintf(stderr, "ktstr run: the command was killed by signal %d (%s)\n",
			res->value, strsignal(res->value));
		return 128 + res->value;
	case KTSTR_VM_INIT_ERROR:
		fprintf(stderr, "ktstr run: ktstr-init failed: %s (its messages are in the console output)\n",
			strerror(res->value));
		return res->value == ENOENT ? RUN_EXIT_NOT_FOUND : RUN_EXIT_CANNOT_RUN;
	case KTSTR_VM_DEADLINE:
		fprintf(stderr, "ktstr run: --timeout %u passed: %s\n", timeout_s,
			res->msg);
		return RUN_EXIT_TIMEOUT;
	case KTSTR_VM_STOPPED:
		if (pending_signal()) {
			fprintf(stderr, "ktstr run: stopped by signal %d (%s)\n",
				pending_signal(), strsignal(pending_signal()));
			return 128 + pending_signal();
		}
		/* fall through */
	default:
		fprintf(stderr, "ktstr run: the guest ended without the command's status (%s): %s\n",
			ktstr_vm__how_str(res->how), res->msg);
		return RUN_EXIT_FAILED;
	}
}

/*
 * The capture the guest asked for, now on the bridge, into its file. A
 * missing one fails the run whatever the command did.
 */
static int save_capture(const struct run_opts *o, struct ktstr_bridge *b,
			struct ktstr_capture *cap, int status)
{
	struct ktstr_dump_report *r = ktstr_bridge__take(b, o->capture);
	const char *why = ktstr_capture__last_error(cap);
	int ret;

	if (!r) {
		fprintf(stderr, "ktstr run: --capture %s: no dump report arrived (%s path)%s%s; the command's status was %d\n",
			o->capture, ktstr_capture__path_name(cap), *why ? ": " : "", why,
			status);
		return RUN_EXIT_FAILED;
	}
	if (r->is_placeholder)
		fprintf(stderr, "ktstr run: --capture %s: the guest kernel could not be read, the report is a placeholder: %s\n",
			o->capture, r->placeholder_reason ? r->placeholder_reason : "no reason given");
	ret = ktstr_dump__save(r, o->capture_out);
	ktstr_dump__free(r);
	if (ret) {
		fprintf(stderr, "ktstr run: --capture-out %s: %s; the command's status was %d\n",
			o->capture_out, strerror(-ret), status);
		return RUN_EXIT_FAILED;
	}
	return status;
}

static int boot(struct run_opts *o, const void *initrd, size_t initrd_len,
		const char *cmdline)
{
	struct ktstr_capture_opts copts = { .sz = sizeof(copts) };
	struct ktstr_vm_config cfg = {
		.kernel = o->kernel,
		.initrd = initrd,
		.initrd_len = initrd_len,
		.cmdline = cmdline,
		.topo = o->topo,
		.mem_mb = o->mem_mb,
		.deadline_ms = o->timeout_s * 1000U,
		.console_fd = STDOUT_FILENO,
	};
	struct ktstr_capture *cap = NULL;
	struct ktstr_bridge *bridge = NULL;
	struct ktstr_vm_result res;
	struct ktstr_vm *vm;
	char err[KTSTR_VM_MSG_MAX];
	int ret, status;

	ret = ktstr_vm__create(&cfg, &vm, err, sizeof(err));
	if (ret)
		return run_error("cannot create the VM: %s", err);
	if (o->capture) {
		bridge = ktstr_bridge__new(NULL, NULL);
		if (!bridge) {
			status = run_error("out of memory");
			goto out;
		}
		copts.ksyms_path = o->ksyms;
		copts.btf_path = o->btf;
		ret = ktstr_capture__attach(vm, bridge, &copts, &cap, err, sizeof(err));
		if (ret) {
			status = run_error("--capture %s: cannot serve captures: %s",
					   o->capture, err);
			goto out;
		}
	}
	pthread_mutex_lock(&stop_lock);
	stop_vm = vm;
	ret = stop_sig;
	pthread_mutex_unlock(&stop_lock);
	if (ret) {
		status = 128 + ret;
		goto out;
	}
	ret = ktstr_vm__run(vm, &res);
	pthread_mutex_lock(&stop_lock);
	stop_vm = NULL;
	pthread_mutex_unlock(&stop_lock);
	fflush(stdout);
	if (ret) {
		status = run_error("cannot run the VM: %s", ktstr_vm__error(vm));
		goto out;
	}
	status = run_status(&res, o->timeout_s);
	/* A run that ended early was not going to capture: say that alone. */
	if (cap && (res.how == KTSTR_VM_EXITED || res.how == KTSTR_VM_SIGNALED ||
		    res.how == KTSTR_VM_INIT_ERROR))
		status = save_capture(o, bridge, cap, status);
out:
	if (cap)
		ktstr_capture__detach(cap);
	ktstr_vm__destroy(vm);
	ktstr_bridge__free(bridge);
	return status;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct ktstr_initramfs *ir = NULL;
	char guest_dir[PATH_MAX], err[PATH_MAX + 512], numa[512] = "";
	const char *busybox;
	const void *initrd;
	char *cmdline = NULL;
	size_t initrd_len;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (!ret)
		ret = check_files(&o);
	if (ret)
		goto out;
	if (!o.has_cpus && !o.has_topo)
		ktstr_topology__default(&o.topo, KTSTR_VM_DEFAULT_CPUS);
	if (o.topo.nodes > 1) {
		uint64_t mem = o.mem_mb ? o.mem_mb : KTSTR_VM_DEFAULT_MEM_MB;

		if (mem < (uint64_t)o.topo.nodes * RUN_MEM_MB_PER_NODE) {
			ret = usage_error("--mem %llu: %u NUMA nodes need at least %llu MiB",
					  (unsigned long long)mem, o.topo.nodes,
					  (unsigned long long)o.topo.nodes * RUN_MEM_MB_PER_NODE);
			goto out;
		}
		ret = ktstr_topology__cmdline(&o.topo, ktstr_cpuid__host_vendor(),
					      numa, sizeof(numa));
		if (ret == -EOPNOTSUPP)
			fprintf(stderr, "ktstr run: warning: on this CPU vendor the guest cannot have %u NUMA nodes of several LLCs each: it gets one node\n",
				o.topo.nodes);
		else if (ret < 0) {
			ret = run_error("cannot write the NUMA parameters: %s", strerror(-ret));
			goto out;
		}
		if (ret < 0)
			numa[0] = '\0';
	}

	ret = run_image__guest_dir(guest_dir, sizeof(guest_dir), err, sizeof(err));
	if (ret) {
		ret = run_error("%s", err);
		goto out;
	}
	busybox = getenv(KTSTR_BUSYBOX_ENV);
	if (!busybox || !*busybox)
		busybox = KTSTR_BUSYBOX_DEFAULT;
	if (run_image__check_busybox(busybox, err, sizeof(err))) {
		ret = run_error("%s", err);
		goto out;
	}
	ir = ktstr_initramfs__new();
	cmdline = build_cmdline(&o, numa);
	if (!ir || !cmdline) {
		ret = run_error("out of memory");
		goto out;
	}
	if (run_image__build(ir, guest_dir, busybox, o.incs, o.nr_incs, err,
			     sizeof(err))) {
		ret = run_error("cannot build the initramfs: %s", err);
		goto out;
	}
	ret = ktstr_initramfs__finish(ir, &initrd, &initrd_len);
	if (ret) {
		ret = run_error("cannot build the initramfs: %s", ktstr_initramfs__error(ir));
		goto out;
	}
	ret = setup_signals();
	if (ret) {
		ret = run_error("cannot set up signal handling: %s", strerror(-ret));
		goto out;
	}
	ret = boot(&o, initrd, initrd_len, cmdline);
out:
	ktstr_initramfs__free(ir);
	free(cmdline);
	for (size_t i = 0; i < o.nr_incs; i++) {
		free((char *)o.incs[i].host);
		free(o.incs[i].guest);
	}
	free(o.incs);
	free(o.append);
	return ret;
}
