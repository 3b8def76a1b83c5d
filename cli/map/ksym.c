// SPDX-License-Identifier: GPL-2.0
/* Kernel symbols: see ksym.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "map/ksym.h"

struct ksym {
	uint64_t addr;
	char *name;	/* "sym" or "sym [mod]" */
};

static struct ksym *syms;
static size_t nsyms;
static bool loaded;
static const char *why;

bool ksym_is_kernel(uint64_t addr)
{
	return addr >= 0xffff800000000000ULL;
}

static int cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void load(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512];
	size_t cap = 0;

	loaded = true;
	if (!f) {
		why = "/proc/kallsyms cannot be read";
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char type, name[256], mod[128] = "";
		unsigned long long a;
		struct ksym *s;

		if (sscanf(line, "%llx %c %255s [%127[^]]]", &a, &type, name, mod) < 3)
			continue;
		/* Text symbols only: a stack holds code addresses. */
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (!a)
			continue;
		if (nsyms == cap) {
			size_t nc = cap ? cap * 2 : 65536;

			s = realloc(syms, nc * sizeof(*syms));
			if (!s)
				break;
			syms = s;
			cap = nc;
		}
		s = &syms[nsyms];
		s->addr = a;
		if (*mod) {
			size_t l = strlen(name) + strlen(mod) + 4;

			s->name = malloc(l);
			if (s->name)
				snprintf(s->name, l, "%s [%s]", name, mod);
		} else {
			s->name = strdup(name);
		}
		if (!s->name)
			break;
		nsyms++;
	}
	fclose(f);
	if (!nsyms) {
		why = "/proc/kallsyms shows no addresses (kptr_restrict: run as root)";
		return;
	}
	qsort(syms, nsyms, sizeof(*syms), cmp);
}

const char *ksym_unavailable(void)
{
	if (!loaded)
		load();
	return why;
}

bool ksym_name(uint64_t addr, struct strbuf *sb)
{
	size_t lo = 0, hi;
	const struct ksym *s;
	const char *mod;

	if (!ksym_is_kernel(addr))
		return false;
	if (!loaded)
		load();
	if (!nsyms || addr < syms[0].addr)
		return false;
	/* The last symbol at or below addr. */
	hi = nsyms;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	s = &syms[lo];
	mod = strchr(s->name, ' ');
	if (mod) {
		sb_add(sb, s->name, (size_t)(mod - s->name));
		sb_addf(sb, "+0x%llx%s", (unsigned long long)(addr - s->addr), mod);
	} else {
		sb_addf(sb, "%s+0x%llx", s->name, (unsigned long long)(addr - s->addr));
	}
	return true;
}

void ksym_free(void)
{
	for (size_t i = 0; i < nsyms; i++)
		free(syms[i].name);
	free(syms);
	syms = NULL;
	nsyms = 0;
	loaded = false;
	why = NULL;
}
