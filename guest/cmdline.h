/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's kernel command line, as ktstr-init reads it: the kernel
 * hands init only the words it did not recognise, and drops every
 * "module.param=value" word, so ktstr's own switches (ktstr.wire=1) are
 * only visible in /proc/cmdline.
 */
#ifndef KTSTR_GUEST_CMDLINE_H
#define KTSTR_GUEST_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Read /proc/cmdline (or @path) into @buf, NUL-terminated, trailing
 * newline removed; 0 or a negative errno (-E2BIG when it does not fit).
 */
int ktstr_cmdline__read(const char *path, char *buf, size_t size);

/*
 * True when @word is one of the kernel's own parameters in @cmdline: a
 * whole word before any "--", double quotes removed as the kernel does.
 */
bool ktstr_cmdline__has_word(const char *cmdline, const char *word);

/*
 * The value of the last "@key=value" parameter before any "--" in
 * @cmdline, quotes removed, into @buf (NUL-terminated): 0, -ENOENT when
 * there is none (@buf is then ""), -E2BIG when it does not fit.
 */
int ktstr_cmdline__value(const char *cmdline, const char *key, char *buf,
			 size_t size);

/*
 * How many words follow "--" in @cmdline: the kernel hands exactly those
 * to init as the last of its arguments, after any kernel parameter it
 * did not recognise (a word without '=' that is no known parameter).
 */
int ktstr_cmdline__nr_init_args(const char *cmdline);

#endif /* KTSTR_GUEST_CMDLINE_H */
