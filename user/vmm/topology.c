// SPDX-License-Identifier: GPL-2.0
/*
 * The declared CPU topology: parsing "1n2l4c2t", vCPU placement and APIC
 * ID packing, and the command-line words for NUMA. See ktstr/topology.h
 * for what the guest makes of it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/ktstr.h>
#include <ktstr/topology.h>

/* Linux's LOCAL_DISTANCE and REMOTE_DISTANCE. */
#define NUMA_LOCAL_DISTANCE	10
#define NUMA_REMOTE_DISTANCE	20

static const char topology_syntax[] =
	"expected [<nodes>n]<llcs>l<cores>c<threads>t, e.g. 1n2l4c2t";

static void topology__error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint32_t bits_for(uint32_t count)
{
	uint32_t bits = 0;

	while (bits < 32 && (1ull << bits) < count)
		bits++;
	return bits;
}

uint32_t ktstr_topology__thread_bits(const struct ktstr_topology *t)
{
	return bits_for(t->threads);
}

uint32_t ktstr_topology__core_bits(const struct ktstr_topology *t)
{
	return bits_for(t->cores);
}

uint32_t ktstr_topology__llc_bits(const struct ktstr_topology *t)
{
	return bits_for(t->llcs);
}

uint32_t ktstr_topology__node_bits(const struct ktstr_topology *t)
{
	return bits_for(t->nodes);
}

uint32_t ktstr_topology__llc_shift(const struct ktstr_topology *t)
{
	return ktstr_topology__thread_bits(t) + ktstr_topology__core_bits(t);
}

uint32_t ktstr_topology__pkg_shift(const struct ktstr_topology *t)
{
	return ktstr_topology__llc_shift(t) + ktstr_topology__llc_bits(t);
}

void ktstr_topology__default(struct ktstr_topology *t, uint32_t nr_cpus)
{
	t->nodes = 1;
	t->llcs = 1;
	t->cores = nr_cpus;
	t->threads = 1;
}

uint32_t ktstr_topology__nr_cpus(const struct ktstr_topology *t)
{
	return t->nodes * t->llcs * t->cores * t->threads;
}

void ktstr_topology__place(const struct ktstr_topology *t, uint32_t cpu,
			   struct ktstr_cpu_place *p)
{
	/* Nodes interleave so that numa=fake's round robin lands right. */
	uint32_t in_node = cpu / t->nodes;

	p->node = cpu % t->nodes;
	p->thread = in_node % t->threads;
	p->core = in_node / t->threads % t->cores;
	p->llc = in_node / t->threads / t->cores;
}

static uint32_t pack(const struct ktstr_topology *t,
		     const struct ktstr_cpu_place *p)
{
	uint32_t tb = ktstr_topology__thread_bits(t);
	uint32_t cb = ktstr_topology__core_bits(t);
	uint32_t lb = ktstr_topology__llc_bits(t);

	return p->thread | p->core << tb | p->llc << (tb + cb) |
	       p->node << (tb + cb + lb);
}

uint32_t ktstr_topology__apic_id(const struct ktstr_topology *t, uint32_t cpu)
{
	struct ktstr_cpu_place p;

	ktstr_topology__place(t, cpu, &p);
	return pack(t, &p);
}

uint32_t ktstr_topology__max_apic_id(const struct ktstr_topology *t)
{
	struct ktstr_cpu_place p = {
		.node = t->nodes - 1,
		.llc = t->llcs - 1,
		.core = t->cores - 1,
		.thread = t->threads - 1,
	};

	return pack(t, &p);
}

int ktstr_topology__validate(const struct ktstr_topology *t, char *err,
			     size_t errlen)
{
	static const char *const what[] = {
		"nodes", "LLCs per node", "cores per LLC", "threads per core",
	};
	const uint32_t count[] = { t->nodes, t->llcs, t->cores, t->threads };
	uint64_t total = 1;
	char name[64];
	uint32_t max_id;

	for (size_t i = 0; i < 4; i++) {
		if (!count[i]) {
			topology__error(err, errlen, "zero %s", what[i]);
			return -EINVAL;
		}
		/* Bounds each factor first so the product cannot overflow. */
		if (count[i] > KTSTR_MAX_VCPUS) {
			topology__error(err, errlen,
					"%u %s: more than the %u vCPUs a VM may have",
					count[i], what[i], KTSTR_MAX_VCPUS);
			return -EINVAL;
		}
		total *= count[i];
	}
	if (ktstr_topology__format(t, name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "?");
	if (total > KTSTR_MAX_VCPUS) {
		topology__error(err, errlen,
				"%s is %llu CPUs: at most %u (KTSTR_MAX_VCPUS)",
				name, (unsigned long long)total,
				KTSTR_MAX_VCPUS);
		return -EINVAL;
	}
	/* Every field is at most 8 bits wide here: the shifts are small. */
	max_id = ktstr_topology__max_apic_id(t);
	if (max_id > KTSTR_TOPOLOGY_MAX_APIC_ID) {
		topology__error(err, errlen,
				"%s needs APIC ID %u (%u bits): at most %u, the MP table has 8-bit APIC IDs and 255 is broadcast",
				name, max_id, ktstr_topology__pkg_shift(t) +
				ktstr_topology__node_bits(t),
				KTSTR_TOPOLOGY_MAX_APIC_ID);
		return -EINVAL;
	}
	return 0;
}

/*
 * One "<count><unit>" part at *pos. 1 with the count and unit, 0 at the
 * end of the string, -EINVAL (message in err) on anything else.
 */
static int parse_part(const char *s, size_t *pos, uint32_t *count, char *unit,
		      char *err, size_t errlen)
{
	size_t i = *pos, start = i;
	uint64_t v = 0;

	if (!s[i])
		return 0;
	if (s[i] < '0' || s[i] > '9') {
		topology__error(err, errlen,
				"\"%s\": '%c' at offset %zu where a number should be; %s",
				s, s[i], i, topology_syntax);
		return -EINVAL;
	}
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX) {
			topology__error(err, errlen,
					"\"%s\": the number at offset %zu does not fit in 32 bits",
					s, start);
			return -EINVAL;
		}
	}
	if (!s[i]) {
		topology__error(err, errlen,
				"\"%s\": the number at offset %zu has no unit (n, l, c or t); %s",
				s, start, topology_syntax);
		return -EINVAL;
	}
	*count = (uint32_t)v;
	*unit = s[i];
	*pos = i + 1;
	return 1;
}

int ktstr_topology__parse(const char *s, struct ktstr_topology *t, char *err,
			  size_t errlen)
{
	static const char units[] = "nlct";
	static const char *const names[] = {
		"node or LLC count (<n>n or <n>l)", "LLC count (<n>l)", "core count (<n>c)",
		"thread count (<n>t)",
	};
	uint32_t counts[4] = { 1, 0, 0, 0 };
	size_t pos = 0;
	int next = 0;	/* index in units of the part expected next */
	struct ktstr_topology out;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!s || !*s) {
		topology__error(err, errlen, "empty topology; %s",
				topology_syntax);
		return -EINVAL;
	}
	while (next < 4) {
		const char *u;
		uint32_t count;
		char unit;

		ret = parse_part(s, &pos, &count, &unit, err, errlen);
		if (ret < 0)
			return ret;
		if (!ret) {
			topology__error(err, errlen, "\"%s\": missing the %s; %s",
					s, names[next], topology_syntax);
			return -EINVAL;
		}
		u = unit ? strchr(units, unit) : NULL;
		if (!u) {
			topology__error(err, errlen,
					"\"%s\": unknown unit '%c' at offset %zu; %s",
					s, unit, pos - 1, topology_syntax);
			return -EINVAL;
		}
		/* The node part is optional: a topology may start at l. */
		if (next == 0 && *u == 'l')
			next = 1;
		if (*u != units[next]) {
			topology__error(err, errlen,
					"\"%s\": '%c' at offset %zu where the %s should be; %s",
					s, unit, pos - 1, names[next],
					topology_syntax);
			return -EINVAL;
		}
		counts[next++] = count;
	}
	if (s[pos]) {
		topology__error(err, errlen,
				"\"%s\": trailing \"%s\" after the thread count",
				s, s + pos);
		return -EINVAL;
	}
	out = (struct ktstr_topology){
		.nodes = counts[0],
		.llcs = counts[1],
		.cores = counts[2],
		.threads = counts[3],
	};
	ret = ktstr_topology__validate(&out, err, errlen);
	if (ret)
		return ret;
	*t = out;
	return 0;
}

int ktstr_topology__format(const struct ktstr_topology *t, char *buf,
			   size_t len)
{
	int n = snprintf(buf, len, "%un%ul%uc%ut", t->nodes, t->llcs,
			 t->cores, t->threads);

	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

/* Appends to buf at *used; false once it does not fit. */
static bool append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *used)
		return false;
	*used += n;
	return true;
}

int ktstr_topology__cmdline(const struct ktstr_topology *t,
			    enum ktstr_cpu_vendor v, char *buf, size_t len)
{
	size_t used = 0;

	if (ktstr_topology__validate(t, NULL, 0))
		return -EINVAL;
	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	if (t->nodes == 1)
		return 0;
	/*
	 * AMD guests move each CPU to the node numbered like its LLC ID:
	 * right only when the LLC is the whole node.
	 */
	if (v == KTSTR_CPU_VENDOR_AMD && t->llcs > 1)
		return -EOPNOTSUPP;

	if (!append(buf, len, &used, "numa=fake=%u:", t->nodes))
		return -ENOSPC;
	for (uint32_t i = 0; i < t->nodes; i++)
		for (uint32_t j = 0; j < t->nodes; j++)
			if (!append(buf, len, &used, "%s%u", i || j ? "," : "",
				    i == j ? NUMA_LOCAL_DISTANCE :
					     NUMA_REMOTE_DISTANCE))
				return -ENOSPC;
	return (int)used;
}
