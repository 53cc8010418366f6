// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: ktstr_dump__from_json() on arbitrary bytes. It must never
 * crash, read out of bounds or leak; and whatever it accepts must write
 * back out, read back equal, and write the same text again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/dump.h>

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_dump_json: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktstr_dump_report *r, *back;
	char err[512], *text, *text2;

	if (ktstr_dump__from_json((const char *)data, size, &r, err, sizeof(err))) {
		/* Every refusal says why. */
		if (!err[0])
			die("refused without a message", NULL);
		return 0;
	}
	text = ktstr_dump__to_json(r);
	if (!text)
		die("a loaded report cannot be written", strerror(errno));
	if (ktstr_dump__from_json(text, strlen(text), &back, err, sizeof(err)))
		die("a written report does not load", err);
	if (!ktstr_dump__equal(r, back))
		die("the report changed on the way through JSON", text);
	text2 = ktstr_dump__to_json(back);
	if (!text2 || strcmp(text, text2))
		die("writing is not stable", text);
	free(text);
	free(text2);
	ktstr_dump__free(back);
	ktstr_dump__free(r);
	return 0;
}
