// SPDX-License-Identifier: GPL-2.0
/*
 * The series file and what people look at: a series built the way a run
 * builds it (reports stored into a real bridge, drained, projected,
 * checked with patterns), saved, then shown as a table and plotted as an
 * SVG by the real `ktstr` binary staged beside this test. The SVG is
 * parsed by xmllint (libxml2), and the checks are XPath queries over it.
 * Loading is also tried on corrupt and truncated files.
 */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ktstr/bridge.h>
#include <ktstr/series.h>
#include <ktstr/svg_plot.h>

#include "kselftest_harness.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---- running programs ----------------------------------------------------- */

struct run {
	int status;		/* exit status; -1: did not exit normally */
	char *out, *err;	/* what it wrote */
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return strdup("");
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

/* Run @argv (NULL-terminated; argv[0] searched in PATH) with output captured. */
static int run(const char *dir, char *const argv[], struct run *r)
{
	char out[PATH_MAX], err[PATH_MAX];
	pid_t pid;
	int st, fd;

	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = slurp(out);
	r->err = slurp(err);
	return 0;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* The ktstr binary the Makefile stages beside this test. */
static const char *ktstr_bin(void)
{
	static char path[PATH_MAX];
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return "./ktstr";
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/ktstr", dirname(self));
	return path;
}

static bool have_xmllint(void)
{
	return !access("/usr/bin/xmllint", X_OK);
}

/* The string value of an XPath expression over @svg; malloc()ed, "" when empty. */
static char *xpath(const char *dir, const char *svg, const char *expr)
{
	char *argv[] = { "xmllint", "--xpath", (char *)expr, (char *)svg, NULL };
	struct run r;
	char *s;

	if (run(dir, argv, &r))
		return strdup("(xmllint did not run)");
	s = r.status == 0 ? r.out : strdup("");
	if (r.status == 0)
		r.out = NULL;
	run_free(&r);
	/* xmllint ends what it prints with a newline of its own. */
	if (s && *s && s[strlen(s) - 1] == '\n')
		s[strlen(s) - 1] = '\0';
	return s;
}

static long xcount(const char *dir, const char *svg, const char *expr)
{
	char *q, *s;
	long n;

	if (asprintf(&q, "count(%s)", expr) < 0)
		return -1;
	s = xpath(dir, svg, q);
	n = *s ? strtol(s, NULL, 10) : -1;
	free(q);
	free(s);
	return n;
}

/* SVG elements are in the SVG namespace: match by local name. */
#define E(name)		"*[local-name()='" name "']"
#define SERIES(label)	"//" E("g") "[@class='series'][" E("title") "='" label "']"

/* ---- the run --------------------------------------------------------------- */

struct synth {
	const char *tag;
	uint64_t nr_dispatched;
	const char *stats;		/* NULL: stats timed out */
	uint64_t elapsed;
	uint16_t step;
};

/*
 * Five periodic captures over three phases. nr_dispatched goes backwards
 * at periodic_003 (nondecreasing fails there); the stats request timed
 * out at periodic_002 (a gap; the strict always_true fails there).
 */
static const struct synth run_samples[] = {
	{ "periodic_000", 10, "{\"busy\": 50.5}", 100, 0 },
	{ "periodic_001", 20, "{\"busy\": 60.25}", 200, 0 },
	{ "periodic_002", 30, NULL, 300, 1 },
	{ "periodic_003", 25, "{\"busy\": 0.1}", 400, 1 },
	{ "periodic_004", 40, "{\"busy\": 70}", 500, 2 },
};
#define NR_RUN	(sizeof(run_samples) / sizeof(run_samples[0]))

static const char *const busy_text[NR_RUN] = { "50.5", "60.25", NULL, "0.1", "70" };
static const char *const phase_text[NR_RUN] = {
	"BASELINE", "BASELINE", "step 1", "step 1", "step 2"
};

static bool below_100(void *ctx, double v)
{
	(void)ctx;
	return v < 100;
}

static bool not_negative(void *ctx, double v)
{
	(void)ctx;
	return v >= 0;
}

struct built {
	struct ktstr_series_field *dispatched, *busy;
	struct ktstr_temporal_result *res[3];
	struct ktstr_series_file *file;
};

static void built_free(struct built *b)
{
	ktstr_series_field__free(b->dispatched);
	ktstr_series_field__free(b->busy);
	for (int i = 0; i < 3; i++)
		ktstr_temporal_result__free(b->res[i]);
	ktstr_series_file__free(b->file);
	memset(b, 0, sizeof(*b));
}

/* Store, drain, project, check, and gather into a file: 0 or -errno. */
static int build_run(struct built *b)
{
	static const char *const names[] = { "nr_dispatched" };
	struct ktstr_bridge *bridge = ktstr_bridge__new(NULL, NULL);
	struct ktstr_series *s = NULL;
	size_t i;
	int err = -ENOMEM;

	memset(b, 0, sizeof(*b));
	if (!bridge)
		return -ENOMEM;
	for (i = 0; i < NR_RUN; i++) {
		const struct synth *x = &run_samples[i];
		struct ktstr_bridge_meta meta = {
			.stats_json = x->stats,
			.stats_missing = x->stats ? KTSTR_STATS_PRESENT : KTSTR_STATS_TIMEOUT,
			.has_elapsed = true,
			.elapsed_ms = x->elapsed,
			.has_step = true,
			.step_index = x->step,
		};
		struct ktstr_dump_report *r;

		r = ktstr_series__synth_report("scx_obj", names, &x->nr_dispatched, 1);
		if (!r)
			goto out;
		err = ktstr_bridge__store(bridge, x->tag, r, &meta);
		if (err)
			goto out;
	}
	err = ktstr_series__from_bridge(bridge, &s);
	if (err)
		goto out;
	err = -ENOMEM;
	b->dispatched = ktstr_series__bpf(s, "nr_dispatched");
	b->busy = ktstr_series__stats(s, "busy");
	if (!b->dispatched || !b->busy)
		goto out;
	b->res[0] = ktstr_temporal__nondecreasing(b->dispatched);
	b->res[1] = ktstr_temporal__always_true(b->busy, below_100, NULL, "busy < 100");
	b->res[2] = ktstr_temporal__always_true(b->dispatched, not_negative, NULL, ">= 0");
	b->file = ktstr_series_file__new();
	if (!b->res[0] || !b->res[1] || !b->res[2] || !b->file)
		goto out;
	if ((err = ktstr_series_file__add_field(b->file, b->dispatched)) ||
	    (err = ktstr_series_file__add_field(b->file, b->busy)))
		goto out;
	for (i = 0; i < 3; i++)
		if ((err = ktstr_series_file__add_result(b->file, b->res[i])))
			goto out;
	err = 0;
out:
	ktstr_series__free(s);
	ktstr_bridge__free(bridge);
	return err;
}

/* ---- the table ------------------------------------------------------------- */

/*
 * Split a table line at the header's column starts (@n of them), each
 * cell trimmed of its padding. Free with cells_free().
 */
static char **cells_of(const char *line, const size_t *starts, size_t n)
{
	char **c = calloc(n, sizeof(*c));
	size_t len = strlen(line), a, e;

	for (size_t i = 0; c && i < n; i++) {
		a = starts[i] < len ? starts[i] : len;
		e = i + 1 < n ? (starts[i + 1] < len ? starts[i + 1] : len) : len;
		while (e > a && line[e - 1] == ' ')
			e--;
		c[i] = strndup(line + a, e - a);
	}
	return c;
}

static void cells_free(char **c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		free(c[i]);
	free(c);
}

/* The lines of @text, split in place. */
static size_t lines_of(char *text, char **lines, size_t cap)
{
	size_t n = 0;
	char *save, *l;

	for (l = strtok_r(text, "\n", &save); l && n < cap; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	return n;
}

/* ---- fixture ---------------------------------------------------------------- */

FIXTURE(series_cli) {
	char dir[64];
	char file[PATH_MAX];
	char svg[PATH_MAX];
	struct built b;
};

FIXTURE_SETUP(series_cli)
{
	strcpy(self->dir, "/tmp/series_cli_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->file, sizeof(self->file), "%s/run.series.json", self->dir);
	snprintf(self->svg, sizeof(self->svg), "%s/run.svg", self->dir);
	ASSERT_EQ(0, build_run(&self->b));
	ASSERT_EQ(0, ktstr_series_file__save(self->b.file, self->file));
	if (access(ktstr_bin(), X_OK))
		SKIP(return, "%s not built (make -C selftests stages it)", ktstr_bin());
}

FIXTURE_TEARDOWN(series_cli)
{
	char cmd[128];

	built_free(&self->b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

/* The series the run built is what the test thinks it is. */
TEST_F(series_cli, run_is_as_built)
{
	ASSERT_EQ(NR_RUN, self->b.dispatched->nr_points);
	ASSERT_EQ(NR_RUN, self->b.busy->nr_points);
	EXPECT_EQ(NULL, self->b.busy->points[1].error);
	ASSERT_NE(NULL, self->b.busy->points[2].error);
	EXPECT_NE(NULL, strstr(self->b.busy->points[2].error, "timeout"));
	EXPECT_FALSE(self->b.res[0]->pass);
	EXPECT_EQ(3, self->b.res[0]->offender_index);
	EXPECT_FALSE(self->b.res[1]->pass);
	EXPECT_EQ(2, self->b.res[1]->offender_index);
	EXPECT_TRUE(self->b.res[2]->pass);
}

/* Save, load: the same file, exactly. */
TEST_F(series_cli, round_trip)
{
	struct ktstr_temporal_result *r;
	struct ktstr_series_file *back;
	char err[256] = "";
	char *text;

	ASSERT_EQ(0, ktstr_series_file__load(self->file, &back, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	EXPECT_TRUE(ktstr_series_file__equal(self->b.file, back));
	text = ktstr_series_file__to_json(back);
	ASSERT_NE(NULL, text);
	ktstr_series_file__free(back);
	ASSERT_EQ(0, ktstr_series_file__from_json(text, strlen(text), &back, err, sizeof(err)));
	EXPECT_TRUE(ktstr_series_file__equal(self->b.file, back));
	/* A loaded field is a field: the patterns run on it again. */
	r = ktstr_temporal__nondecreasing(ktstr_series_file__field(back, "bpf:nr_dispatched"));
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_EQ(3, r->offender_index);
	ktstr_temporal_result__free(r);
	EXPECT_EQ(NULL, ktstr_series_file__field(back, "bpf:nope"));
	EXPECT_EQ(-EEXIST, ktstr_series_file__add_field(back, self->b.busy));
	ktstr_series_file__free(back);
	free(text);
}

/* show: one aligned row per sample, a column per field, errors as the reason. */
TEST_F(series_cli, show_table)
{
	char *argv[] = { (char *)ktstr_bin(), "series", "show", self->file, NULL };
	const char *head[] = { "tag", "elapsed_ms", "phase", "bpf:nr_dispatched",
			       "stats:busy" };
	size_t starts[5], nl, i, c;
	char *lines[32], *p, want[128];
	struct run r;

	ASSERT_EQ(0, run(self->dir, argv, &r));
	ASSERT_EQ(0, r.status) {
		TH_LOG("stderr: %s", r.err);
	}
	nl = lines_of(r.out, lines, 32);
	/* The header, five rows, then the three results. */
	ASSERT_GE(nl, 1 + NR_RUN + 3) {
		TH_LOG("output:\n%s", r.out);
	}
	for (c = 0; c < 5; c++) {
		p = strstr(lines[0], head[c]);
		ASSERT_NE(NULL, p) {
			TH_LOG("header: %s", lines[0]);
		}
		starts[c] = p - lines[0];
		if (c)
			ASSERT_LT(starts[c - 1], starts[c]);
	}
	for (i = 0; i < NR_RUN; i++) {
		char **cell = cells_of(lines[1 + i], starts, 5);

		ASSERT_NE(NULL, cell);
		EXPECT_STREQ(run_samples[i].tag, cell[0]);
		snprintf(want, sizeof(want), "%" PRIu64, run_samples[i].elapsed);
		EXPECT_STREQ(want, cell[1]);
		EXPECT_STREQ(phase_text[i], cell[2]);
		snprintf(want, sizeof(want), "%" PRIu64, run_samples[i].nr_dispatched);
		EXPECT_STREQ(want, cell[3]);
		if (busy_text[i])
			snprintf(want, sizeof(want), "%s", busy_text[i]);
		else
			snprintf(want, sizeof(want), "(%s)", self->b.busy->points[i].error);
		EXPECT_STREQ(want, cell[4]);
		/* Aligned: every column starts where the header's does. */
		for (c = 1; c < 5; c++)
			EXPECT_EQ(' ', lines[1 + i][starts[c] - 1]);
		cells_free(cell, 5);
	}
	/* The results follow, rendered, pass or fail. */
	for (int k = 0; k < 3; k++) {
		char *t = ktstr_temporal_result__render(self->b.res[k]);
		bool found = false;

		ASSERT_NE(NULL, t);
		snprintf(want, sizeof(want), "%s %.100s", self->b.res[k]->pass ? "PASS" : "FAIL",
			 t);
		for (i = 1 + NR_RUN; i < nl; i++)
			found |= !strncmp(lines[i], want, strlen(want));
		EXPECT_TRUE(found) {
			TH_LOG("no line '%s' in:\n%s", want, r.out);
		}
		free(t);
	}
	run_free(&r);
}

/* show --field: only that column, and only that field's results. */
TEST_F(series_cli, show_one_field)
{
	char *argv[] = { (char *)ktstr_bin(), "series", "show", self->file,
			 "--field", "stats:busy", NULL };
	char *argv_bad[] = { (char *)ktstr_bin(), "series", "show", self->file,
			     "--field", "stats:nope", NULL };
	struct run r;

	ASSERT_EQ(0, run(self->dir, argv, &r));
	ASSERT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "stats:busy"));
	EXPECT_EQ(NULL, strstr(r.out, "bpf:nr_dispatched"));
	EXPECT_NE(NULL, strstr(r.out, "FAIL always_true"));
	EXPECT_EQ(NULL, strstr(r.out, "nondecreasing"));
	run_free(&r);

	ASSERT_EQ(0, run(self->dir, argv_bad, &r));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "no field 'stats:nope'"));
	EXPECT_NE(NULL, strstr(r.err, "'bpf:nr_dispatched'"));
	run_free(&r);
}

/* plot: well-formed SVG with the lines, gaps, phases and failing samples. */
TEST_F(series_cli, plot_svg)
{
	char *argv[] = { (char *)ktstr_bin(), "series", "plot", self->file, "-o", self->svg,
			 NULL };
	char *argv_lint[] = { "xmllint", "--noout", self->svg, NULL };
	char *s, *t, *want;
	struct run r;

	if (!have_xmllint())
		SKIP(return, "xmllint (libxml2-utils) not installed: make deps");
	ASSERT_EQ(0, run(self->dir, argv, &r));
	ASSERT_EQ(0, r.status) {
		TH_LOG("stderr: %s", r.err);
	}
	run_free(&r);
	ASSERT_EQ(0, run(self->dir, argv_lint, &r));
	EXPECT_EQ(0, r.status) {
		TH_LOG("xmllint: %s", r.err);
	}
	run_free(&r);

	/* A line per field; the stats gap breaks its line in two. */
	EXPECT_EQ(2, xcount(self->dir, self->svg, "//" E("g") "[@class='series']"));
	EXPECT_EQ(1, xcount(self->dir, self->svg, SERIES("bpf:nr_dispatched") "/" E("polyline")));
	EXPECT_EQ(2, xcount(self->dir, self->svg, SERIES("stats:busy") "/" E("polyline")));
	s = xpath(self->dir, self->svg,
		  "string(" SERIES("bpf:nr_dispatched") "/" E("polyline") "/@points)");
	/* Five points: five "x,y" pairs, four separating spaces. */
	{
		int commas = 0, spaces = 0;

		for (t = s; *t; t++)
			commas += *t == ',', spaces += *t == ' ';
		EXPECT_EQ(5, commas);
		EXPECT_EQ(4, spaces);
	}
	free(s);
	EXPECT_EQ(5, xcount(self->dir, self->svg, SERIES("bpf:nr_dispatched") "/"
			    E("circle") "[@class='point']"));
	EXPECT_EQ(4, xcount(self->dir, self->svg, SERIES("stats:busy") "/"
			    E("circle") "[@class='point']"));

	/* The errored sample: a gap mark titled with its reason. */
	EXPECT_EQ(1, xcount(self->dir, self->svg, "//" E("path") "[@class='gap']"));
	s = xpath(self->dir, self->svg,
		  "string(" SERIES("stats:busy") "/" E("path") "[@class='gap']/" E("title") ")");
	EXPECT_NE(NULL, strstr(s, "periodic_002"));
	EXPECT_NE(NULL, strstr(s, self->b.busy->points[2].error));
	free(s);

	/* Phase boundaries: BASELINE, step 1, step 2, each once. */
	EXPECT_EQ(3, xcount(self->dir, self->svg, "//" E("g") "[@class='phase']"));
	EXPECT_EQ(1, xcount(self->dir, self->svg,
			    "//" E("g") "[@class='phase'][" E("title") "='BASELINE']"));
	EXPECT_EQ(1, xcount(self->dir, self->svg,
			    "//" E("g") "[@class='phase'][" E("title") "='step 1']"));
	EXPECT_EQ(1, xcount(self->dir, self->svg,
			    "//" E("g") "[@class='phase'][" E("title") "='step 2']"));

	/* Failing samples: one per failing result, titled with its rendering. */
	EXPECT_EQ(2, xcount(self->dir, self->svg, "//" E("circle") "[@class='fail']"));
	s = xpath(self->dir, self->svg, "string(" SERIES("bpf:nr_dispatched") "/"
		  E("circle") "[@class='fail']/" E("title") ")");
	want = ktstr_temporal_result__render(self->b.res[0]);
	EXPECT_STREQ(want, s);
	EXPECT_NE(NULL, strstr(s, "nondecreasing"));
	free(want);
	free(s);
	/* ...at the offending point: periodic_003, the fourth. */
	s = xpath(self->dir, self->svg, "string(" SERIES("bpf:nr_dispatched") "/"
		  E("circle") "[@class='fail']/@cx)");
	t = xpath(self->dir, self->svg, "string(" SERIES("bpf:nr_dispatched") "/"
		  E("circle") "[@class='point'][4]/@cx)");
	EXPECT_STRNE("", s);
	EXPECT_STREQ(t, s);
	free(s);
	free(t);
	/* The strict pattern failed on the gap itself. */
	s = xpath(self->dir, self->svg, "string(" SERIES("stats:busy") "/"
		  E("circle") "[@class='fail']/" E("title") ")");
	want = ktstr_temporal_result__render(self->b.res[1]);
	EXPECT_STREQ(want, s);
	EXPECT_NE(NULL, strstr(s, "always_true"));
	free(want);
	free(s);

	/* Self-contained: no scripts, nothing fetched. */
	EXPECT_EQ(0, xcount(self->dir, self->svg, "//" E("script")));
	EXPECT_EQ(0, xcount(self->dir, self->svg, "//@*[local-name()='href']"));
}

/* plot --field: just that line (and its marks). */
TEST_F(series_cli, plot_one_field)
{
	char *argv[] = { (char *)ktstr_bin(), "series", "plot", self->file, "--field",
			 "stats:busy", "-o", self->svg, NULL };
	struct run r;

	if (!have_xmllint())
		SKIP(return, "xmllint (libxml2-utils) not installed: make deps");
	ASSERT_EQ(0, run(self->dir, argv, &r));
	ASSERT_EQ(0, r.status);
	run_free(&r);
	EXPECT_EQ(1, xcount(self->dir, self->svg, "//" E("g") "[@class='series']"));
	EXPECT_EQ(1, xcount(self->dir, self->svg, SERIES("stats:busy")));
	EXPECT_EQ(1, xcount(self->dir, self->svg, "//" E("circle") "[@class='fail']"));
}

/*
 * Corrupt files: a clear error naming where, exit 1, no output left.
 * A dozen runs of the CLI: time enough for them under valgrind.
 */
TEST_F_TIMEOUT(series_cli, corrupt_file, 300)
{
	static const struct {
		const char *doc;
		const char *msg;
	} bad[] = {
		{ "{\"schema\": \"ktstr.series/1\", \"fields\": [{\"label\": \"a\", \"axis\": "
		  "\"none\", \"samples\": [{\"tag\": \"t\", \"elapsed_ms\": 1, \"value\": 1}, "
		  "{\"tag\": \"u\", \"elapsed_ms\": true, \"value\": 2}]}]}",
		  "fields[0].samples[1].elapsed_ms: expected a number" },
		{ "{\"schema\": \"ktstr.dump/1\", \"fields\": []}", "schema: expected" },
		{ "[1, 2]", "document: expected an object" },
		{ "{\"schema\": \"ktstr.series/1\", \"fields\": [], \"results\": [{"
		  "\"pattern\": \"p\", \"label\": \"a\", \"pass\": 1}]}",
		  "results[0].pass: expected true or false" },
		{ "{\"schema\": \"ktstr.series/1\", \"fields\": [{\"label\": \"a\", "
		  "\"axis\": \"none\", \"samples\": [{\"tag\": \"t\", \"elapsed_ms\": 1}]}]}",
		  "fields[0].samples[0]: needs exactly one of" },
		{ "{\"schema\": \"ktstr.series/1\", \"fields\": [], \"fields\": []}",
		  "duplicate object key" },
	};
	char path[PATH_MAX], *text;
	struct run r;
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "%s/bad.json", self->dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *show[] = { (char *)ktstr_bin(), "series", "show", path, NULL };
		char *plot[] = { (char *)ktstr_bin(), "series", "plot", path, "-o", self->svg,
				 NULL };

		f = fopen(path, "w");
		ASSERT_NE(NULL, f);
		fputs(bad[i].doc, f);
		fclose(f);
		ASSERT_EQ(0, run(self->dir, show, &r));
		EXPECT_EQ(1, r.status);
		EXPECT_NE(NULL, strstr(r.err, bad[i].msg)) {
			TH_LOG("case %zu: stderr '%s', wanted '%s'", i, r.err, bad[i].msg);
		}
		EXPECT_NE(NULL, strstr(r.err, path));
		EXPECT_STREQ("", r.out);
		run_free(&r);
		ASSERT_EQ(0, run(self->dir, plot, &r));
		EXPECT_EQ(1, r.status);
		EXPECT_NE(0, access(self->svg, F_OK));
		run_free(&r);
	}

	/* Cut in half: where the JSON broke. */
	text = slurp(self->file);
	len = strlen(text);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fwrite(text, 1, len / 2, f);
	fclose(f);
	free(text);
	{
		char *show[] = { (char *)ktstr_bin(), "series", "show", path, NULL };

		ASSERT_EQ(0, run(self->dir, show, &r));
		EXPECT_EQ(1, r.status);
		EXPECT_NE(NULL, strstr(r.err, "line ")) {
			TH_LOG("stderr: %s", r.err);
		}
		EXPECT_NE(NULL, strstr(r.err, "column "));
		run_free(&r);
	}
	/* Absent file; usage. */
	{
		char *show[] = { (char *)ktstr_bin(), "series", "show", "/nonexistent/x.json",
				 NULL };
		char *noout[] = { (char *)ktstr_bin(), "series", "plot", self->file, NULL };

		ASSERT_EQ(0, run(self->dir, show, &r));
		EXPECT_EQ(1, r.status);
		EXPECT_NE(NULL, strstr(r.err, strerror(ENOENT)));
		run_free(&r);
		ASSERT_EQ(0, run(self->dir, noout, &r));
		EXPECT_EQ(2, r.status);
		EXPECT_NE(NULL, strstr(r.err, "usage"));
		run_free(&r);
	}
}

/* ---- without the CLI ---------------------------------------------------------- */

/* Values JSON has no number for, and the edges of the ones it has. */
TEST(special_values_round_trip)
{
	static const double vals[] = { -0.0, 0.0, DBL_MIN, 4.9406564584124654e-324, DBL_MAX,
				       -DBL_MAX, 0.1, 1.0 / 3, 1e-300, 123456789.125 };
	struct ktstr_series_field *fl = ktstr_series_field__new("hand:special",
								KTSTR_AXIS_CUSTOM);
	struct ktstr_series_file *f = ktstr_series_file__new(), *back;
	struct ktstr_series_point p = { .tag = "big", .elapsed_ms = UINT64_MAX,
					.has_phase = true, .phase = UINT16_MAX };
	const struct ktstr_series_field *b;
	char err[256] = "", *text;
	size_t i;

	ASSERT_NE(NULL, fl);
	ASSERT_NE(NULL, f);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		ASSERT_EQ(0, ktstr_series_field__push_f64(fl, "v", i, (int)i % 3 - 1, vals[i]));
	ASSERT_EQ(0, ktstr_series_field__push_f64(fl, "nan", 20, -1, NAN));
	ASSERT_EQ(0, ktstr_series_field__push_f64(fl, "inf", 21, -1, INFINITY));
	ASSERT_EQ(0, ktstr_series_field__push_f64(fl, "-inf", 22, -1, -INFINITY));
	ASSERT_EQ(0, ktstr_series_field__push_u64(fl, "u64max", 23, 0, UINT64_MAX));
	ASSERT_EQ(0, ktstr_series_field__push_u64(fl, "2^53+1", 24, 0, (1ULL << 53) + 1));
	ASSERT_EQ(0, ktstr_series_field__push_error(fl, "err", 25, 2, "why: %s", "\"quoted\"\n"));
	p.value = 7;
	ASSERT_EQ(0, ktstr_series_field__push(fl, &p));
	ASSERT_EQ(0, ktstr_series_file__add_field(f, fl));

	text = ktstr_series_file__to_json(f);
	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, ktstr_series_file__from_json(text, strlen(text), &back, err,
						  sizeof(err))) {
		TH_LOG("%s\n%s", err, text);
	}
	EXPECT_TRUE(ktstr_series_file__equal(f, back));
	b = back->fields[0];
	ASSERT_EQ(fl->nr_points, b->nr_points);
	EXPECT_TRUE(signbit(b->points[0].value));
	EXPECT_EQ(4.9406564584124654e-324, b->points[3].value);
	EXPECT_TRUE(isnan(b->points[10].value));
	EXPECT_EQ(UINT64_MAX, b->points[13].u64);
	EXPECT_TRUE(b->points[13].is_u64);
	EXPECT_EQ((1ULL << 53) + 1, b->points[14].u64);
	EXPECT_STREQ("why: \"quoted\"\n", b->points[15].error);
	EXPECT_EQ(UINT64_MAX, b->points[16].elapsed_ms);
	EXPECT_EQ(UINT16_MAX, b->points[16].phase);
	EXPECT_FALSE(b->points[10].has_phase);
	ktstr_series_file__free(back);
	free(text);
	ktstr_series_field__free(fl);
	ktstr_series_file__free(f);
}

FIXTURE(loads) {
	struct built b;
};

FIXTURE_SETUP(loads)
{
	ASSERT_EQ(0, build_run(&self->b));
}

FIXTURE_TEARDOWN(loads)
{
	built_free(&self->b);
}

/*
 * Every strict prefix of a file, and every byte of it spoiled: an error,
 * never a crash. Some 20000 loads: time enough for them under valgrind.
 */
TEST_F_TIMEOUT(loads, hostile, 300)
{
	struct ktstr_series_file *back;
	char err[256], *text, *copy;
	size_t len, i, ok = 0, bad = 0;
	static const char spoil[] = { '"', '}', '[', '0', '-', 'x', '\\', '\0' };

	text = ktstr_series_file__to_json(self->b.file);
	ASSERT_NE(NULL, text);
	len = strlen(text);
	for (i = 0; i < len; i++) {
		err[0] = '\0';
		back = (void *)1;
		ASSERT_GT(0, ktstr_series_file__from_json(text, i, &back, err, sizeof(err)));
		EXPECT_EQ(NULL, back);
		EXPECT_NE('\0', err[0]);
	}
	copy = malloc(len);
	ASSERT_NE(NULL, copy);
	for (i = 0; i < len; i++) {
		for (size_t k = 0; k < sizeof(spoil); k++) {
			memcpy(copy, text, len);
			copy[i] = spoil[k];
			err[0] = '\0';
			if (ktstr_series_file__from_json(copy, len, &back, err, sizeof(err))) {
				EXPECT_NE('\0', err[0]);
				bad++;
			} else {
				ktstr_series_file__free(back);
				ok++;
			}
		}
	}
	TH_LOG("%zu spoiled documents refused, %zu still valid", bad, ok);
	EXPECT_GT(bad, 0);
	free(copy);
	free(text);
}

/* Labels are user data: escaped in the SVG, made harmless on a terminal. */
TEST(hostile_labels)
{
	static const char label[] = "a<b>&\"c'\x01\x1b[2J\xc3\xa9]]>";
	char dir[] = "/tmp/series_cli_test.XXXXXX", file[PATH_MAX], svg[PATH_MAX];
	struct ktstr_series_field *fl = ktstr_series_field__new(label, KTSTR_AXIS_NONE);
	struct ktstr_series_file *f = ktstr_series_file__new();
	struct run r;
	char cmd[128], *s;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/l.json", dir);
	snprintf(svg, sizeof(svg), "%s/l.svg", dir);
	ASSERT_EQ(0, ktstr_series_field__push_f64(fl, "<t&>", 0, 0, 1));
	ASSERT_EQ(0, ktstr_series_field__push_error(fl, "x", 10, 1, "</title><script>"));
	ASSERT_EQ(0, ktstr_series_field__push_f64(fl, "y", 20, 1, 3));
	ASSERT_EQ(0, ktstr_series_file__add_field(f, fl));
	ASSERT_EQ(0, ktstr_series_file__save(f, file));
	if (access(ktstr_bin(), X_OK))
		SKIP(goto out, "%s not built", ktstr_bin());
	{
		char *plot[] = { (char *)ktstr_bin(), "series", "plot", file, "-o", svg, NULL };
		char *lint[] = { "xmllint", "--noout", svg, NULL };
		char *show[] = { (char *)ktstr_bin(), "series", "show", file, NULL };

		ASSERT_EQ(0, run(dir, show, &r));
		EXPECT_EQ(0, r.status);
		EXPECT_EQ(NULL, strchr(r.out, '\x1b'));
		EXPECT_EQ(NULL, strchr(r.out, '\x01'));
		EXPECT_NE(NULL, strstr(r.out, "a<b>&\"c'\\x01\\x1b[2J\xc3\xa9]]>"));
		run_free(&r);
		if (!have_xmllint())
			SKIP(goto out, "xmllint (libxml2-utils) not installed: make deps");
		ASSERT_EQ(0, run(dir, plot, &r));
		EXPECT_EQ(0, r.status);
		run_free(&r);
		ASSERT_EQ(0, run(dir, lint, &r));
		EXPECT_EQ(0, r.status) {
			TH_LOG("xmllint: %s", r.err);
		}
		run_free(&r);
	}
	/* The text comes back as it was, the control characters as U+FFFD. */
	s = xpath(dir, svg, "string(//" E("g") "[@class='series']/" E("title") ")");
	EXPECT_STREQ("a<b>&\"c'\xef\xbf\xbd\xef\xbf\xbd[2J\xc3\xa9]]>", s);
	free(s);
	EXPECT_EQ(0, xcount(dir, svg, "//" E("script")));
	EXPECT_EQ(1, xcount(dir, svg, "//" E("path") "[@class='gap']"));
out:
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		TH_LOG("could not remove %s", dir);
	ktstr_series_field__free(fl);
	ktstr_series_file__free(f);
}

/* Empty, one sample, extreme values: always a well-formed, finite SVG. */
TEST(plot_edges)
{
	char dir[] = "/tmp/series_cli_test.XXXXXX", svg[PATH_MAX], cmd[128];
	static const double extreme[] = { -DBL_MAX, DBL_MAX, NAN, INFINITY, 1e-320, 0 };
	struct ktstr_plot_point pts[6];
	struct ktstr_plot_line line = { "extreme", pts, 6 };
	struct ktstr_plot_vline vl = { 1e300, "step 9" };
	struct ktstr_plot cases[] = {
		{ .title = "empty" },
		{ .title = "one", .lines = &line, .nr_lines = 1 },
		{ .title = "all", .lines = &line, .nr_lines = 1, .vlines = &vl, .nr_vlines = 1 },
	};
	size_t sizes[] = { 0, 1, 6 };
	struct run r;
	FILE *out;

	if (!have_xmllint())
		SKIP(return, "xmllint (libxml2-utils) not installed: make deps");
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(svg, sizeof(svg), "%s/e.svg", dir);
	for (int i = 0; i < 6; i++)
		pts[i] = (struct ktstr_plot_point){ .x = i * 1e17, .y = extreme[i], .has_y = true,
						    .fail = i == 2 ? "nan failed" : NULL };
	for (size_t c = 0; c < 3; c++) {
		char *lint[] = { "xmllint", "--noout", svg, NULL };

		line.nr_points = sizes[c];
		out = fopen(svg, "w");
		ASSERT_NE(NULL, out);
		EXPECT_EQ(0, ktstr_plot__write_svg(&cases[c], out));
		fclose(out);
		ASSERT_EQ(0, run(dir, lint, &r));
		EXPECT_EQ(0, r.status) {
			TH_LOG("case %zu: %s", c, r.err);
		}
		run_free(&r);
		/* No coordinate is nan or inf. */
		EXPECT_EQ(0, xcount(dir, svg, "//@*[contains(translate(., 'NAIF', 'naif'), "
				    "'nan') or contains(translate(., 'NAIF', 'naif'), 'inf')]"));
	}
	/* NaN and inf are not drawable: gaps; the rest on the line. */
	EXPECT_EQ(2, xcount(dir, svg, "//" E("path") "[@class='gap']"));
	EXPECT_EQ(4, xcount(dir, svg, "//" E("circle") "[@class='point']"));
	EXPECT_EQ(1, xcount(dir, svg, "//" E("circle") "[@class='fail']"));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		TH_LOG("could not remove %s", dir);
}

TEST_HARNESS_MAIN
