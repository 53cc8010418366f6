// SPDX-License-Identifier: GPL-2.0
/*
 * Runs after every other VM-tier test (last in VM_TESTS): whatever those
 * tests registered, in sessions closed or in processes that died, is gone,
 * and ktstr.ko unloads.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

TEST(nothing_left_and_rmmod_works)
{
	if (!ktstr_module_loaded())
		SKIP(return, "ktstr.ko is not loaded: nothing ran before this test");
	EXPECT_EQ(0, ktstr_module_refcnt());
	ASSERT_EQ(0, ktstr_module_unload());
	EXPECT_FALSE(ktstr_module_loaded());
	EXPECT_NE(0, access(KTSTR_DEV, F_OK));
}

TEST_HARNESS_MAIN
