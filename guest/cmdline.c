// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel command line, split into words the way the kernel's
 * next_arg() splits it: on blanks, except inside double quotes, which are
 * not part of the word; "--" ends the kernel's parameters and starts
 * init's arguments.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"

int ktstr_cmdline__read(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd, ret = 0;

	if (!size)
		return -EINVAL;
	fd = open(path ? path : "/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len == size - 1) {
			char c;

			/* Full: anything more means it did not fit. */
			n = read(fd, &c, 1);
			if (n > 0)
				ret = -E2BIG;
			break;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	while (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return ret;
}

/*
 * The next word at or after *@pp: its raw extent in [*@start, *@pp) on
 * return, quotes included. False at the end of the line.
 */
static bool next_word(const char **pp, const char **start)
{
	const char *p = *pp;
	bool quoted = false;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return false;
	*start = p;
	for (; *p && (quoted || !isspace((unsigned char)*p)); p++)
		if (*p == '"')
			quoted = !quoted;
	*pp = p;
	return true;
}

/* The word [@s, @e) with its quotes removed equals @word. */
static bool word_is(const char *s, const char *e, const char *word)
{
	for (; s < e; s++) {
		if (*s == '"')
			continue;
		if (*word++ != *s)
			return false;
	}
	return !*word;
}

bool ktstr_cmdline__has_word(const char *cmdline, const char *word)
{
	const char *p = cmdline, *start;

	while (next_word(&p, &start)) {
		if (word_is(start, p, "--"))
			return false;
		if (word_is(start, p, word))
			return true;
	}
	return false;
}

int ktstr_cmdline__value(const char *cmdline, const char *key, char *buf,
			 size_t size)
{
	size_t klen = strlen(key), len;
	const char *p = cmdline, *start;
	int ret = -ENOENT;

	if (!size)
		return -EINVAL;
	while (next_word(&p, &start)) {
		const char *s = start;
		size_t i = 0;

		if (word_is(start, p, "--"))
			break;
		/* Match "key=" with quotes skipped, then copy the rest. */
		for (; s < p && i < klen; s++) {
			if (*s == '"')
				continue;
			if (*s != key[i])
				break;
			i++;
		}
		while (s < p && *s == '"')
			s++;
		if (i < klen || s == p || *s != '=')
			continue;
		/* Later words override earlier ones, as for the kernel. */
		len = 0;
		ret = 0;
		for (s++; s < p; s++) {
			if (*s == '"')
				continue;
			if (len == size - 1) {
				ret = -E2BIG;
				break;
			}
			buf[len++] = *s;
		}
		buf[len] = '\0';
	}
	if (ret == -ENOENT)
		buf[0] = '\0';
	return ret;
}

int ktstr_cmdline__nr_init_args(const char *cmdline)
{
	const char *p = cmdline, *start;
	bool after = false;
	int n = 0;

	while (next_word(&p, &start)) {
		if (word_is(start, p, "--")) {
			/* The kernel stops handing words to init at a second one. */
			if (after)
				break;
			after = true;
			continue;
		}
		if (after)
			n++;
	}
	return n;
}
