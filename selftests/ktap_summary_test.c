// SPDX-License-Identifier: GPL-2.0
/*
 * ktap-summary turns the runner's KTAP into the suite's verdict, so its
 * counting is tested on the shapes the two tiers produce: host programs
 * nested once, the VM tier's guest programs nested twice, crashes,
 * timeouts, guests that die half way, skips and empty runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

struct verdict {
	char last[256];
	char all[4096];
	int rc;
};

/* Feed @ktap to ./ktap-summary; return its last line and exit code. */
static void summarise(struct __test_metadata *_metadata, const char *ktap,
		      struct verdict *v)
{
	char in[] = "/tmp/ktap_summary_test.XXXXXX";
	char cmd[128];
	char line[256];
	size_t used = 0;
	FILE *p;
	int fd, st;

	memset(v, 0, sizeof(*v));
	fd = mkstemp(in);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(ktap), write(fd, ktap, strlen(ktap)));
	close(fd);
	snprintf(cmd, sizeof(cmd), "./ktap-summary %s", in);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p)) {
		snprintf(v->all + used, sizeof(v->all) - used, "%s", line);
		used = strlen(v->all);
		line[strcspn(line, "\n")] = '\0';
		snprintf(v->last, sizeof(v->last), "%s", line);
	}
	st = pclose(p);
	unlink(in);
	ASSERT_TRUE(WIFEXITED(st));
	v->rc = WEXITSTATUS(st);
}

TEST(all_pass)
{
	struct verdict v;

	summarise(_metadata,
		  "TAP version 13\n1..2\n"
		  "# selftests: ktstr: a\n# TAP version 13\n# 1..2\n"
		  "# ok 1 a.one\n# ok 2 a.two\n"
		  "ok 1 selftests: ktstr: a\n"
		  "# selftests: ktstr: b.sh\nok 2 selftests: ktstr: b.sh\n", &v);
	EXPECT_STREQ("3 passed, 0 failed", v.last);
	EXPECT_EQ(0, v.rc);
}

TEST(failure_and_skip_are_counted_once)
{
	struct verdict v;

	summarise(_metadata,
		  "TAP version 13\n1..1\n"
		  "# TAP version 13\n# 1..4\n# ok 1 x\n# not ok 2 y\n"
		  "# ok 3 z # SKIP no kvm\n# ok 4 w # XFAIL known\n"
		  "not ok 1 selftests: ktstr: a # exit=1\n", &v);
	EXPECT_STREQ("2 passed, 1 failed, 1 skipped", v.last);
	EXPECT_EQ(1, v.rc);
	EXPECT_NE(NULL, strstr(v.all, "  y\n"));
}

TEST(vm_tier_nesting)
{
	struct verdict v;

	summarise(_metadata,
		  "TAP version 13\n1..1\n# selftests: ktstr: vm_tier.sh\n"
		  "# TAP version 13\n# 1..2\n"
		  "# # selftests: ktstr: kmod_test\n# # TAP version 13\n# # 1..2\n"
		  "# # ok 1 dev.version\n# # ok 2 dev.unknown\n"
		  "# ok 1 selftests: ktstr: kmod_test\n"
		  "# # TAP version 13\n# # 1..1\n# # ok 1 kvm.smoke # SKIP no svm\n"
		  "# ok 2 selftests: ktstr: kvm_smoke_test # SKIP\n"
		  "ok 1 selftests: ktstr: vm_tier.sh\n", &v);
	EXPECT_STREQ("2 passed, 0 failed, 1 skipped", v.last);
	EXPECT_EQ(0, v.rc);
}

TEST(crash_after_passing_results_fails)
{
	struct verdict v;

	summarise(_metadata,
		  "TAP version 13\n1..1\n# TAP version 13\n# 1..1\n# ok 1 x\n"
		  "not ok 1 selftests: ktstr: a # exit=139\n", &v);
	EXPECT_STREQ("1 passed, 1 failed", v.last);
	EXPECT_EQ(1, v.rc);
}

TEST(timeout_without_output_fails)
{
	struct verdict v;

	summarise(_metadata,
		  "TAP version 13\n1..1\n#\n"
		  "not ok 1 selftests: ktstr: a # TIMEOUT 45 seconds\n", &v);
	EXPECT_STREQ("0 passed, 1 failed", v.last);
	EXPECT_EQ(1, v.rc);
}

TEST(guest_dying_half_way_counts_missing_results)
{
	struct verdict v;

	/* The guest planned 3 programs, the first planned 4 cases: 2 ran. */
	summarise(_metadata,
		  "TAP version 13\n1..1\n# TAP version 13\n# 1..3\n"
		  "# # TAP version 13\n# # 1..4\n# # ok 1 a\n# # ok 2 b\n"
		  "not ok 1 selftests: ktstr: vm_tier.sh # exit=1\n", &v);
	/* 2 cases of the first program and the 2 other programs missing. */
	EXPECT_STREQ("2 passed, 4 failed", v.last);
	EXPECT_EQ(1, v.rc);
}

TEST(runner_cut_short_counts_missing_programs)
{
	struct verdict v;

	summarise(_metadata, "TAP version 13\n1..3\n# selftests: ktstr: a\n"
		  "ok 1 selftests: ktstr: a\n", &v);
	EXPECT_STREQ("1 passed, 2 failed", v.last);
	EXPECT_EQ(1, v.rc);
}

TEST(whole_program_skip)
{
	struct verdict v;

	summarise(_metadata,
		  "TAP version 13\n1..1\n# TAP version 13\n# 1..0 # SKIP no root\n"
		  "ok 1 selftests: ktstr: a # SKIP\n", &v);
	EXPECT_STREQ("0 passed, 0 failed, 1 skipped", v.last);
	EXPECT_EQ(0, v.rc);
}

TEST(nothing_ran_is_an_error)
{
	struct verdict v;

	summarise(_metadata, "make: nothing to be done\n", &v);
	EXPECT_STREQ("0 passed, 0 failed", v.last);
	EXPECT_NE(0, v.rc);
}

TEST(carriage_returns_from_the_serial_line)
{
	struct verdict v;

	summarise(_metadata, "TAP version 13\r\n1..1\r\nok 1 a\r\n", &v);
	EXPECT_STREQ("1 passed, 0 failed", v.last);
	EXPECT_EQ(0, v.rc);
}

TEST_HARNESS_MAIN
