// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr events [-n COUNT] [-t SECONDS]: print ktstr.ko's events, one line
 * each, as they happen. With -n, stop after COUNT events; with -t, fail
 * when none came for SECONDS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktstr/events.h>

#include "builtin.h"

static int usage(void)
{
	fprintf(stderr, "usage: ktstr events [-n COUNT] [-t SECONDS]\n");
	return 2;
}

int cmd_events(int argc, char **argv)
{
	long count = -1, timeout_ms = -1, seen = 0;
	struct ktstr_events *ev;
	struct ktstr_event e;
	char line[256], *end;
	int opt, err;

	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		switch (opt) {
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end || count <= 0)
				return usage();
			break;
		case 't':
			timeout_ms = strtol(optarg, &end, 10) * 1000;
			if (*end || timeout_ms <= 0)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();

	err = ktstr_events__open(&ev);
	if (err == -ENOENT) {
		fprintf(stderr, "ktstr: no '%s' netlink family: is ktstr.ko loaded?\n",
			KTSTR_GENL_NAME);
		return 1;
	}
	if (err) {
		fprintf(stderr, "ktstr: cannot listen to events: %s\n", strerror(-err));
		return 1;
	}
	/* Subscribed: a caller waiting for this line may now act. */
	fprintf(stderr, "ktstr: listening\n");
	while (count < 0 || seen < count) {
		err = ktstr_events__next(ev, &e, timeout_ms);
		if (err) {
			fprintf(stderr, "ktstr: events: %s\n", err == -ETIMEDOUT ?
				"timed out" : strerror(-err));
			ktstr_events__close(ev);
			return 1;
		}
		ktstr_event__format(&e, line, sizeof(line));
		printf("%s\n", line);
		fflush(stdout);
		seen++;
	}
	ktstr_events__close(ev);
	return 0;
}
