// SPDX-License-Identifier: GPL-2.0
/* ktstr: the command-line front end; each command is a builtin. */
#include <stdio.h>
#include <string.h>

#include "builtin.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd cmds[] = {
	{ "btf", cmd_btf, "render raw bytes as a BTF type (btf render)" },
	{ "events", cmd_events, "print ktstr.ko's capture, drop and watch events" },
	{ "run", cmd_run, "boot a kernel in a KVM VM, run a command in it, exit with its status" },
	{ "series", cmd_series, "show or plot a saved sample series file" },
	{ "snap", cmd_snap, "capture BPF maps into a dump report; show and query reports" },
	{ "version", cmd_version, "print the userspace ABI and the loaded ktstr.ko's" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ktstr <command> [args]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ktstr: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
