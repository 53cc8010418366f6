// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr-guest: the guest's side of the wire, from a shell.
 *
 *   ktstr-guest capture TAG [--timeout-ms N] [--count N]
 *
 * asks the host for a capture under TAG and waits for its reply. A
 * request the host never answers is an error, never a silent success: a
 * test that asked for a capture must not pass without it.
 *
 * With --count N it asks N times in a row and prints the round trips it
 * measured (doorbell to reply, as the guest's CLOCK_MONOTONIC sees them)
 * as one line, "ktstr-guest: capture TAG: N round trips, min A us, avg B
 * us, max C us": the figure the capture benchmark compares across the
 * host's doorbell paths, measured where the wait is felt.
 *
 * Exit status: 0 captured, 1 failed (no wire, no reply, the host's error),
 * 2 usage.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doorbell.h"

#define EXIT_USAGE	2
/* An hour: longer than any capture, short enough to catch a typo. */
#define TIMEOUT_MS_MAX	3600000UL
#define COUNT_MAX	1000000UL

static const char *prog = "ktstr-guest";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s capture TAG [--timeout-ms N] [--count N]\n"
		"\n"
		"  capture TAG       ask the host for a capture under TAG (1..%d printable\n"
		"                    ASCII characters) and wait for its reply\n"
		"  --timeout-ms N    wait at most N ms for the reply (default %d)\n"
		"  --count N         ask N times and print the round-trip times (default 1)\n",
		prog, KTSTR_TAG_MAX, KTSTR_DOORBELL_TIMEOUT_MS);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	return EXIT_USAGE;
}

static int parse_num(const char *s, unsigned long max, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_timeout(const char *s, unsigned int *out)
{
	return parse_num(s, TIMEOUT_MS_MAX, out);
}

static int parse_count(const char *s, unsigned int *out)
{
	return parse_num(s, COUNT_MAX, out) || !*out ? -EINVAL : 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int check_tag(const char *tag)
{
	size_t bad = 0;
	int ret = ktstr_doorbell__tag_check(tag, &bad);

	if (ret == -ENAMETOOLONG)
		return usage_error("capture: tag of %zu bytes, at most %d allowed",
				   strlen(tag), KTSTR_TAG_MAX);
	if (ret && !*tag)
		return usage_error("capture: empty tag");
	if (ret)
		return usage_error("capture: byte %zu of the tag is 0x%02x, not printable ASCII",
				   bad, (unsigned char)tag[bad]);
	return 0;
}

static int cmd_capture(int argc, char **argv)
{
	unsigned int timeout_ms = KTSTR_DOORBELL_TIMEOUT_MS, count = 1, done;
	long long t, min_ns = 0, max_ns = 0, sum_ns = 0;
	const char *tag = NULL;
	bool opts = true;
	struct ktstr_wire w;
	int ret, status;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && !strcmp(a, "--timeout-ms")) {
			if (++i == argc)
				return usage_error("capture: --timeout-ms needs a value");
			if (parse_timeout(argv[i], &timeout_ms))
				return usage_error("capture: --timeout-ms %s: not a number of ms up to %lu",
						   argv[i], TIMEOUT_MS_MAX);
		} else if (opts && !strncmp(a, "--timeout-ms=", 13)) {
			if (parse_timeout(a + 13, &timeout_ms))
				return usage_error("capture: %s: not a number of ms up to %lu",
						   a, TIMEOUT_MS_MAX);
		} else if (opts && !strcmp(a, "--count")) {
			if (++i == argc)
				return usage_error("capture: --count needs a value");
			if (parse_count(argv[i], &count))
				return usage_error("capture: --count %s: not a number 1..%lu",
						   argv[i], COUNT_MAX);
		} else if (opts && a[0] == '-' && a[1]) {
			return usage_error("capture: unknown option %s", a);
		} else if (!tag) {
			tag = a;
		} else {
			return usage_error("capture: one tag only (got \"%s\" and \"%s\")",
					   tag, a);
		}
	}
	if (!tag)
		return usage_error("capture: no tag");
	ret = check_tag(tag);
	if (ret)
		return ret;

	ret = ktstr_wire__map(&w);
	if (ret == -ENODEV) {
		fprintf(stderr, "%s: capture %s: no wire here: the kernel command line lacks %s (not a ktstr guest)\n",
			prog, tag, KTSTR_WIRE_CMDLINE);
		return 1;
	}
	if (ret) {
		fprintf(stderr, "%s: capture %s: cannot map the wire at %#llx through %s: %s%s\n",
			prog, tag, KTSTR_WIRE_SHM_GPA, w.path, strerror(-ret),
			ret == -EPERM || ret == -EACCES ? " (needs root, CAP_SYS_RAWIO)" : "");
		return 1;
	}
	for (done = 0; done < count; done++) {
		t = now_ns();
		ret = ktstr_doorbell__capture(&w, tag, timeout_ms, &status);
		t = now_ns() - t;
		if (ret || status)
			break;
		sum_ns += t;
		if (!done || t < min_ns)
			min_ns = t;
		if (t > max_ns)
			max_ns = t;
	}
	ktstr_wire__unmap(&w);
	if (count > 1 && done)
		printf("%s: capture %s: %u round trips, min %lld us, avg %lld us, max %lld us\n",
		       prog, tag, done, min_ns / 1000, sum_ns / done / 1000,
		       max_ns / 1000);
	if (ret == -ETIMEDOUT) {
		fprintf(stderr, "%s: capture %s: no reply from the host within %u ms\n",
			prog, tag, timeout_ms);
		return 1;
	}
	if (ret) {
		fprintf(stderr, "%s: capture %s: %s\n", prog, tag, strerror(-ret));
		return 1;
	}
	if (status > 0) {
		fprintf(stderr, "%s: capture %s: the host replied with an invalid status %d\n",
			prog, tag, status);
		return 1;
	}
	if (status < 0) {
		fprintf(stderr, "%s: capture %s: the host failed it: %s\n",
			prog, tag, strerror(-status));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "capture"))
		return cmd_capture(argc - 1, argv + 1);
	return usage_error("unknown command \"%s\"", argv[1]);
}
