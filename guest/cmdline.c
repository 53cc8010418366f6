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

bool ktstr_cmdline__has_word(const char *cmdline, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = cmdline;

	while (*p) {
		bool quoted = false, match = true;
		const char *start;
		size_t i = 0;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		start = p;
		/* Compare on the fly: a word is at most the rest of the line. */
		for (; *p && (quoted || !isspace((unsigned char)*p)); p++) {
			if (*p == '"') {
				quoted = !quoted;
				continue;
			}
			if (i >= wlen || word[i] != *p)
				match = false;
			i++;
		}
		if (p - start == 2 && !strncmp(start, "--", 2))
			return false;
		if (match && i == wlen)
			return true;
	}
	return false;
}
