/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the guest's command ended, told to the VMM over the wire: the exit
 * record (struct ktstr_wire_exit), then the exit doorbell.
 */
#ifndef KTSTR_GUEST_EXIT_REPORT_H
#define KTSTR_GUEST_EXIT_REPORT_H

#include <ktstr/wire.h>

/*
 * Map the wire, fill the exit record with @how and @value, ring the exit
 * doorbell. 0, or a negative errno when the wire cannot be mapped; the
 * name of what could not be mapped goes to @path when not NULL.
 */
int ktstr_exit__report(enum ktstr_wire_exit_how how, int value,
		       const char **path);

#endif /* KTSTR_GUEST_EXIT_REPORT_H */
