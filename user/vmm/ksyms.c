// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel symbol table from a System.map (or /proc/kallsyms) or from an
 * ELF symtab. Symbols live in one array sorted by name, duplicates kept
 * in file order, for lookup by name with bsearch; a second index sorts
 * them by address for address-to-symbol lookup. Names are in one string
 * arena: a vmlinux has over 100k symbols and a strdup() each costs more
 * than the table.
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktstr/ksyms.h>

struct ks_ent {
	uint64_t addr;
	uint64_t size;
	size_t name_off;	/* into the arena, until it stops moving */
	size_t seq;		/* file order */
	char type;
};

struct ktstr_ksyms {
	struct ktstr_ksym *syms;	/* by name, then file order */
	size_t *seq;			/* file order of syms[i] */
	size_t *by_addr;		/* indices into syms, by address */
	size_t n;
	size_t skipped;
	char *names;
};

/* The table while it is being read. */
struct ks_builder {
	struct ks_ent *ents;
	size_t n, cap;
	char *arena;
	size_t arena_len, arena_cap;
	size_t skipped;
};

static int kb_add(struct ks_builder *b, uint64_t addr, uint64_t size,
		  char type, const char *name, size_t name_len)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		struct ks_ent *e = realloc(b->ents, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		b->ents = e;
		b->cap = cap;
	}
	if (b->arena_cap - b->arena_len < name_len + 1) {
		size_t cap = b->arena_cap ? b->arena_cap : 16384;
		char *a;

		while (cap - b->arena_len < name_len + 1)
			cap *= 2;
		a = realloc(b->arena, cap);
		if (!a)
			return -ENOMEM;
		b->arena = a;
		b->arena_cap = cap;
	}
	memcpy(b->arena + b->arena_len, name, name_len);
	b->arena[b->arena_len + name_len] = '\0';
	b->ents[b->n] = (struct ks_ent){
		.addr = addr, .size = size, .type = type,
		.name_off = b->arena_len, .seq = b->n,
	};
	b->arena_len += name_len + 1;
	b->n++;
	return 0;
}

static void kb_release(struct ks_builder *b)
{
	free(b->ents);
	free(b->arena);
}

static int ent_by_name(const void *a, const void *b, void *arena)
{
	const struct ks_ent *x = a, *y = b;
	int c = strcmp((char *)arena + x->name_off, (char *)arena + y->name_off);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int idx_by_addr(const void *a, const void *b, void *ctx)
{
	const struct ktstr_ksyms *ks = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (ks->syms[x].addr != ks->syms[y].addr)
		return ks->syms[x].addr < ks->syms[y].addr ? -1 : 1;
	return ks->seq[x] < ks->seq[y] ? -1 : ks->seq[x] > ks->seq[y];
}

/* Turn a finished builder into the table; the builder is consumed. */
static int kb_finish(struct ks_builder *b, struct ktstr_ksyms **out)
{
	struct ktstr_ksyms *ks;
	size_t i;

	if (!b->n) {
		kb_release(b);
		return -ENODATA;
	}
	ks = calloc(1, sizeof(*ks));
	if (ks) {
		ks->syms = calloc(b->n, sizeof(*ks->syms));
		ks->seq = calloc(b->n, sizeof(*ks->seq));
		ks->by_addr = calloc(b->n, sizeof(*ks->by_addr));
	}
	if (!ks || !ks->syms || !ks->seq || !ks->by_addr) {
		ktstr_ksyms__free(ks);
		kb_release(b);
		return -ENOMEM;
	}

	qsort_r(b->ents, b->n, sizeof(*b->ents), ent_by_name, b->arena);
	for (i = 0; i < b->n; i++) {
		const struct ks_ent *e = &b->ents[i];

		ks->syms[i] = (struct ktstr_ksym){
			.addr = e->addr, .size = e->size, .type = e->type,
			.name = b->arena + e->name_off,
		};
		ks->seq[i] = e->seq;
		ks->by_addr[i] = i;
	}
	ks->n = b->n;
	ks->skipped = b->skipped;
	ks->names = b->arena;
	free(b->ents);
	qsort_r(ks->by_addr, ks->n, sizeof(*ks->by_addr), idx_by_addr, ks);
	*out = ks;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * One "ADDR TYPE NAME[\t[module]]" line. Returns 1 and fills the outputs
 * for a symbol, 0 for anything else; *@module says whether it had the
 * module tag.
 */
static int parse_map_line(const char *s, uint64_t *addr, char *type,
			  const char **name, size_t *name_len, bool *module)
{
	uint64_t a = 0;
	int digits = 0, v;
	const char *p = s;

	while ((v = hexval(*p)) >= 0) {
		if (++digits > 16)
			return 0;
		a = a << 4 | (uint64_t)v;
		p++;
	}
	if (!digits || *p++ != ' ')
		return 0;
	if (!isgraph((unsigned char)*p) || p[1] != ' ')
		return 0;
	*type = *p;
	p += 2;
	*name = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	*name_len = p - *name;
	if (!*name_len)
		return 0;
	/* What may follow: kallsyms' module tag, and the line end. */
	while (*p == ' ' || *p == '\t')
		p++;
	*module = *p == '[';
	if (*p == '[') {
		const char *close = strchr(p, ']');

		if (!close)
			return 0;
		p = close + 1;
	}
	while (*p == '\n' || *p == '\r')
		p++;
	if (*p)
		return 0;
	*addr = a;
	return 1;
}

int ktstr_ksyms__load_system_map(const char *path, struct ktstr_ksyms **out)
{
	struct ks_builder b = {};
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int err = 0;

	if (!path || !out)
		return -EINVAL;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	errno = 0;
	while (getline(&line, &cap, f) >= 0) {
		uint64_t addr;
		const char *name;
		bool module;
		size_t len;
		char type;

		if (!parse_map_line(line, &addr, &type, &name, &len, &module)) {
			b.skipped++;
			continue;
		}
		err = kb_add(&b, addr, 0, type, name, len);
		if (err)
			break;
	}
	if (!err && ferror(f))
		err = errno ? -errno : -EIO;
	free(line);
	fclose(f);
	if (err) {
		kb_release(&b);
		return err;
	}
	return kb_finish(&b, out);
}

/*
 * The running kernel's symbols as its link-time table. /proc/kallsyms
 * prints run-time addresses: every address in the image moved by the
 * KASLR offset, which is addr(_text) minus _text's link address. The
 * zero-based per-CPU symbols (below __START_KERNEL_map) do not move, and
 * module symbols are no part of the image, so they are left out.
 */
int ktstr_ksyms__load_kallsyms(const char *path, uint64_t link_text,
			       struct ktstr_ksyms **out)
{
	struct ks_builder b = {};
	uint64_t text = 0, off, nonzero = 0;
	char *line = NULL;
	size_t cap = 0, i;
	FILE *f;
	int err = 0;

	if (!out)
		return -EINVAL;
	if (!link_text)
		link_text = KTSTR_KSYMS_LINK_TEXT;
	f = fopen(path ? path : "/proc/kallsyms", "re");
	if (!f)
		return -errno;
	errno = 0;
	while (getline(&line, &cap, f) >= 0) {
		uint64_t addr;
		const char *name;
		bool module;
		size_t len;
		char type;

		if (!parse_map_line(line, &addr, &type, &name, &len, &module) ||
		    module) {
			b.skipped++;
			continue;
		}
		nonzero |= addr;
		if (len == 5 && !memcmp(name, "_text", 5))
			text = addr;
		err = kb_add(&b, addr, 0, type, name, len);
		if (err)
			break;
	}
	if (!err && ferror(f))
		err = errno ? -errno : -EIO;
	free(line);
	fclose(f);
	/* kptr_restrict shows every address as 0 to the unprivileged. */
	if (!err && b.n && !nonzero)
		err = -EPERM;
	else if (!err && b.n && (!text || text < link_text))
		err = -EBADMSG;
	if (err) {
		kb_release(&b);
		return err;
	}
	off = text - link_text;
	for (i = 0; i < b.n; i++)
		if (b.ents[i].addr >= KTSTR_KSYMS_KERNEL_MAP)
			b.ents[i].addr -= off;
	return kb_finish(&b, out);
}

/* nm's letter for an ELF symbol (binutils' rules, for what ELF x86 has). */
static char elf_sym_type(Elf *elf, const GElf_Sym *sym)
{
	unsigned int bind = GELF_ST_BIND(sym->st_info);
	unsigned int stt = GELF_ST_TYPE(sym->st_info);
	GElf_Shdr sh;
	Elf_Scn *scn;
	char c;

	if (sym->st_shndx == SHN_COMMON)
		return 'C';
	if (bind == STB_GNU_UNIQUE)
		return 'u';
	if (bind == STB_WEAK)
		return stt == STT_OBJECT ? 'V' : 'W';
	if (stt == STT_GNU_IFUNC)
		return 'i';
	if (sym->st_shndx == SHN_ABS) {
		c = 'a';
	} else {
		scn = elf_getscn(elf, sym->st_shndx);
		if (!scn || !gelf_getshdr(scn, &sh))
			c = '?';
		else if (sh.sh_flags & SHF_EXECINSTR)
			c = 't';
		else if (!(sh.sh_flags & SHF_ALLOC))
			c = 'n';
		else if (sh.sh_type == SHT_NOBITS)
			c = 'b';
		else if (sh.sh_flags & SHF_WRITE)
			c = 'd';
		else
			c = 'r';
	}
	if (bind == STB_GLOBAL && c != '?')
		c = toupper((unsigned char)c);
	return c;
}

static int load_elf_syms(Elf *elf, struct ks_builder *b)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return -EBADMSG;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !sh.sh_entsize)
			return -EBADMSG;
		n = sh.sh_size / sh.sh_entsize;
		/* Entry 0 is the null symbol. */
		for (i = 1; i < n; i++) {
			unsigned int stt;
			const char *name;
			GElf_Sym sym;
			int err;

			if (!gelf_getsym(data, i, &sym)) {
				b->skipped++;
				continue;
			}
			stt = GELF_ST_TYPE(sym.st_info);
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (sym.st_shndx == SHN_UNDEF || stt == STT_SECTION ||
			    stt == STT_FILE || !name || !*name) {
				b->skipped++;
				continue;
			}
			err = kb_add(b, sym.st_value, sym.st_size,
				     elf_sym_type(elf, &sym), name, strlen(name));
			if (err)
				return err;
		}
		return 0;
	}
	return -ENODATA;
}

int ktstr_ksyms__load_elf(const char *path, struct ktstr_ksyms **out)
{
	struct ks_builder b = {};
	Elf *elf;
	int fd, err;

	if (!path || !out)
		return -EINVAL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOTSUP;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = -ENOEXEC;
		goto out;
	}
	err = load_elf_syms(elf, &b);
out:
	elf_end(elf);
	close(fd);
	if (err) {
		kb_release(&b);
		return err;
	}
	return kb_finish(&b, out);
}

int ktstr_ksyms__load(const char *path, struct ktstr_ksyms **out)
{
	unsigned char magic[4];
	ssize_t got;
	int fd;

	if (!path || !out)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read(fd, magic, sizeof(magic));
	close(fd);
	if (got == (ssize_t)sizeof(magic) && !memcmp(magic, ELFMAG, SELFMAG))
		return ktstr_ksyms__load_elf(path, out);
	return ktstr_ksyms__load_system_map(path, out);
}

void ktstr_ksyms__free(struct ktstr_ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->seq);
	free(ks->by_addr);
	free(ks->names);
	free(ks);
}

size_t ktstr_ksyms__count(const struct ktstr_ksyms *ks)
{
	return ks ? ks->n : 0;
}

size_t ktstr_ksyms__skipped(const struct ktstr_ksyms *ks)
{
	return ks ? ks->skipped : 0;
}

const struct ktstr_ksym *ktstr_ksyms__find_all(const struct ktstr_ksyms *ks,
					       const char *name, size_t *n)
{
	size_t lo = 0, hi, first, last;

	if (n)
		*n = 0;
	if (!ks || !name) {
		errno = EINVAL;
		return NULL;
	}
	/* Lower bound: the first entry not below @name. */
	hi = ks->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ks->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ks->n || strcmp(ks->syms[lo].name, name)) {
		errno = ENOENT;
		return NULL;
	}
	first = lo;
	for (last = first + 1; last < ks->n; last++)
		if (strcmp(ks->syms[last].name, name))
			break;
	if (n)
		*n = last - first;
	return &ks->syms[first];
}

const struct ktstr_ksym *ktstr_ksyms__find(const struct ktstr_ksyms *ks,
					   const char *name)
{
	return ktstr_ksyms__find_all(ks, name, NULL);
}

const struct ktstr_ksym *ktstr_ksyms__addr_lookup(const struct ktstr_ksyms *ks,
						  uint64_t addr,
						  uint64_t *offset)
{
	const struct ktstr_ksym *s;
	size_t lo = 0, hi;

	if (!ks) {
		errno = EINVAL;
		return NULL;
	}
	/* The first index whose address is above @addr. */
	hi = ks->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[ks->by_addr[mid]].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		goto none;
	lo--;
	/* Among symbols at one address, the first in file order. */
	while (lo && ks->syms[ks->by_addr[lo - 1]].addr ==
		     ks->syms[ks->by_addr[lo]].addr)
		lo--;
	s = &ks->syms[ks->by_addr[lo]];
	if (s->size && addr - s->addr >= s->size)
		goto none;
	if (offset)
		*offset = addr - s->addr;
	return s;
none:
	errno = ENOENT;
	return NULL;
}
