// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr-init's reading of the kernel command line (guest/cmdline.c): the
 * words split as the kernel's next_arg() splits them, ktstr's own
 * parameters found before "--" only, and the count of init's arguments
 * that lets init tell the command from stray kernel words.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "cmdline.h"

TEST(has_word_before_dashes_only)
{
	EXPECT_TRUE(ktstr_cmdline__has_word("a ktstr.wire=1 b", "ktstr.wire=1"));
	EXPECT_TRUE(ktstr_cmdline__has_word("\"ktstr.wire=1\"", "ktstr.wire=1"));
	EXPECT_FALSE(ktstr_cmdline__has_word("a -- ktstr.wire=1", "ktstr.wire=1"));
	EXPECT_FALSE(ktstr_cmdline__has_word("ktstr.wire=10", "ktstr.wire=1"));
	EXPECT_FALSE(ktstr_cmdline__has_word("xktstr.wire=1", "ktstr.wire=1"));
	/* A quoted "--" ends the parameters too: the kernel strips quotes. */
	EXPECT_FALSE(ktstr_cmdline__has_word("\"--\" ktstr.wire=1", "ktstr.wire=1"));
}

TEST(value_found_quoted_and_last_wins)
{
	char buf[16];

	EXPECT_EQ(0, ktstr_cmdline__value("x ktstr.capture=tag1 y", "ktstr.capture",
					  buf, sizeof(buf)));
	EXPECT_STREQ("tag1", buf);
	EXPECT_EQ(0, ktstr_cmdline__value("ktstr.capture=\"a b\"", "ktstr.capture",
					  buf, sizeof(buf)));
	EXPECT_STREQ("a b", buf);
	EXPECT_EQ(0, ktstr_cmdline__value("k=1 k=2", "k", buf, sizeof(buf)));
	EXPECT_STREQ("2", buf);
	EXPECT_EQ(0, ktstr_cmdline__value("k=", "k", buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
}

TEST(value_absent_prefix_or_after_dashes)
{
	char buf[16] = "junk";

	EXPECT_EQ(-ENOENT, ktstr_cmdline__value("kk=1 k", "k", buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	EXPECT_EQ(-ENOENT, ktstr_cmdline__value("a -- k=1", "k", buf, sizeof(buf)));
	EXPECT_EQ(-ENOENT, ktstr_cmdline__value("k.x=1", "k", buf, sizeof(buf)));
	EXPECT_EQ(-ENOENT, ktstr_cmdline__value("", "k", buf, sizeof(buf)));
}

TEST(value_too_long)
{
	char buf[4];

	EXPECT_EQ(-E2BIG, ktstr_cmdline__value("k=abcd", "k", buf, sizeof(buf)));
	EXPECT_EQ(0, ktstr_cmdline__value("k=abc", "k", buf, sizeof(buf)));
	EXPECT_STREQ("abc", buf);
}

TEST(init_args_counted_after_dashes)
{
	EXPECT_EQ(0, ktstr_cmdline__nr_init_args("console=ttyS0 quiet"));
	EXPECT_EQ(0, ktstr_cmdline__nr_init_args("a --"));
	EXPECT_EQ(3, ktstr_cmdline__nr_init_args("stray -- sh -c \"exit 7\""));
	EXPECT_EQ(1, ktstr_cmdline__nr_init_args("\"\" -- \"\""));
	/* The kernel stops handing words to init at a second "--". */
	EXPECT_EQ(1, ktstr_cmdline__nr_init_args("a -- b -- c d"));
	EXPECT_EQ(2, ktstr_cmdline__nr_init_args("--   x\t y  "));
}

TEST_HARNESS_MAIN
