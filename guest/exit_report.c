// SPDX-License-Identifier: GPL-2.0
/*
 * The exit record. The VMM stops the guest on the exit doorbell, so the
 * record is complete before the bell rings and nothing comes after it.
 */
#include "exit_report.h"
#include "wire.h"

int ktstr_exit__report(enum ktstr_wire_exit_how how, int value,
		       const char **path)
{
	volatile struct ktstr_wire_exit *rec;
	struct ktstr_wire w;
	int ret;

	ret = ktstr_wire__map(&w);
	if (path)
		*path = w.path;
	if (ret)
		return ret;
	rec = ktstr_wire__exit(&w);
	rec->how = how;
	rec->value = value;
	rec->pad = 0;
	/* Magic last: a half-written record never looks valid. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	rec->magic = KTSTR_WIRE_EXIT_MAGIC;
	ktstr_wire__ring(&w, KTSTR_WIRE_EXIT_GPA);
	ktstr_wire__unmap(&w);
	return 0;
}
