/* SPDX-License-Identifier: GPL-2.0 */
/* The ktstr CLI's commands, one file each (cli/builtin-*.c). */
#ifndef KTSTR_CLI_BUILTIN_H
#define KTSTR_CLI_BUILTIN_H

int cmd_btf(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_series(int argc, char **argv);
int cmd_snap(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
