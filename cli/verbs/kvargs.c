// SPDX-License-Identifier: GPL-2.0
/* The words of a map verb after its options: where KEY ends and VALUE
 * starts, --exist/--noexist, no words at all, and --count N (see
 * map_verbs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "base/err.h"
#include "verbs/map_verbs.h"

/* ---- KEY / VALUE splitting ---- */

/* Does the top-level name of a field=value word (x of x.y=1, x[2]=1)
 * name a field of plan? */
static bool names_field(const struct tv_plan *plan, const char *word)
{
	const char *eq = strchr(word, '=');
	size_t base;

	if (!plan || tv_plan_is_raw(plan) || !eq || eq == word)
		return false;
	if (strchr("{[\"'", word[0]))
		return false;
	base = strcspn(word, ".[=");
	if (base > (size_t)(eq - word))
		base = (size_t)(eq - word);
	for (uint32_t i = 0; i < tv_plan_nleaves(plan); i++) {
		const char *n = tv_plan_leaf(plan, i)->name;

		if (!strncmp(n, word, base) &&
		    (n[base] == '\0' || n[base] == '.' || n[base] == '['))
			return true;
	}
	return false;
}

static bool plan_has_cpu_field(const struct tv_plan *plan)
{
	return plan && !tv_plan_is_raw(plan) && names_field(plan, "cpu=");
}

static int parse_cpu(const struct mapref *m, const char *verb, const char *s,
		     int *cpu)
{
	char *end;
	long v;

	if (!m->percpu)
		return err_usage("%s %s: cpu applies to per-CPU maps only (%s is %s)",
				 m->name, verb, m->name, map_type_str(m->info.type));
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v >= m->ncpus)
		return err_usage("%s %s: cpu '%s' is not a CPU (expected 0..%d)",
				 m->name, verb, s, m->ncpus - 1);
	*cpu = (int)v;
	return EXIT_OK;
}

/* The top-level name of a field=value word: x of x.y=1, x[2]=1. */
static size_t base_len(const char *word)
{
	return strcspn(word, ".[=");
}

/* "value.ip=1" for a value without a field named value: the word names
 * the value's field ip explicitly (key and value may share the name). */
static const char *value_dot(const struct mapref *m, const char *word)
{
	if (strncmp(word, "value.", 6) || names_field(m->value, word))
		return NULL;
	return names_field(m->value, word + 6) ? word + 6 : NULL;
}

/* Where VALUE starts without the word 'value': the first field=value
 * word naming a value field that the key does not have, or that the key
 * words have named already, or that follows positional key words; after
 * a whole key in one word ({...}, [...]); or -1. */
static int value_start(const struct mapref *m, char **w, int n)
{
	bool positional = n && !strchr(w[0], '=');

	if (n > 1 && m->key && !tv_plan_is_raw(m->key) &&
	    (w[0][0] == '{' || w[0][0] == '[')) {
		char close = w[0][0] == '{' ? '}' : ']';
		size_t l = strlen(w[0]);

		if (w[0][l - 1] == close)
			return 1;
	}
	for (int i = 0; i < n; i++) {
		if (value_dot(m, w[i]))
			return i;
		if (!names_field(m->value, w[i]))
			continue;
		if (!names_field(m->key, w[i]) || (positional && i))
			return i;
		for (int j = 0; j < i; j++)
			if (base_len(w[j]) == base_len(w[i]) &&
			    !strncmp(w[j], w[i], base_len(w[i])))
				return i;
	}
	return -1;
}

/* key.@uncovered= / value.@uncovered= words, last in their lists as
 * "@uncovered=0x.." (the lists have a slot to spare). */
static int add_uncovered(struct kv_split *s, char *kunc, char *vunc)
{
	if (kunc)
		s->key[s->nkey++] = kunc;
	if (vunc)
		s->val[s->nval++] = vunc;
	return EXIT_OK;
}

void kv_split_free(struct kv_split *s)
{
	free(s->mem);
	memset(s, 0, sizeof(*s));
	s->cpu = -1;
}

int verb_split_kv(const struct mapref *m, const char *verb, int argc,
		  char **argv, const char *cpu_opt, struct kv_split *s)
{
	bool cpu_words = !plan_has_cpu_field(m->key) &&
			 !plan_has_cpu_field(m->value);
	char **w;
	char *kunc = NULL, *vunc = NULL;	/* key.@uncovered=, value.@uncovered= */
	int n = 0, i, rc;

	memset(s, 0, sizeof(*s));
	s->cpu = -1;
	s->mem = calloc((size_t)argc * 3 + 4, sizeof(char *));
	if (!s->mem)
		return err_fail("out of memory");
	w = s->mem;
	if (cpu_opt) {
		rc = parse_cpu(m, verb, cpu_opt, &s->cpu);
		if (rc)
			return rc;
	}
	for (i = 0; i < argc; i++) {
		if (cpu_words && !strncmp(argv[i], "cpu=", 4)) {
			if (cpu_opt || s->cpu >= 0)
				return err_usage("%s %s: the CPU is given twice", m->name, verb);
			rc = parse_cpu(m, verb, argv[i] + 4, &s->cpu);
			if (rc)
				return rc;
			continue;
		}
		/* As plain rows print them: the bytes no field names, of the
		 * key or of the value, whatever the order of the words. */
		if (!strncmp(argv[i], "key.@uncovered=", 15) ||
		    !strncmp(argv[i], "value.@uncovered=", 17)) {
			char **slot = argv[i][0] == 'k' ? &kunc : &vunc;

			if (*slot)
				return err_usage("%s %s: '%.*s' is given twice", m->name, verb,
						 (int)(strchr(argv[i], '=') - argv[i]), argv[i]);
			*slot = strchr(argv[i], '@');
			continue;
		}
		w[n++] = argv[i];
	}
	/* w[0..n) are the words; the key and value lists point after them. */
	s->key = w + n + 1;
	s->val = w + n + 2 + n;
	if (n && !strcmp(w[0], "key")) {
		for (i = 1; i < n && strcmp(w[i], "value"); i++)
			s->key[s->nkey++] = w[i];
		for (i++; i < n; i++)
			s->val[s->nval++] = w[i];
		return add_uncovered(s, kunc, vunc);
	}
	for (i = 0; i < n; i++)
		if (!strcmp(w[i], "value"))
			break;
	if (i < n) {
		for (int k = 0; k < i; k++)
			s->key[s->nkey++] = w[k];
		for (i++; i < n; i++)
			s->val[s->nval++] = w[i];
		return add_uncovered(s, kunc, vunc);
	}
	{
		int split = -1;

		if (n && !strcmp(w[0], "hex") && m->key) {
			split = 1 + (int)m->info.key_size;
		} else {
			split = value_start(m, w, n);
			if (split < 0 && m->key && n) {
				if (m->lpm && strchr(w[0], '/') && !strchr(w[0], '='))
					split = 1;
				else if (tv_plan_is_raw(m->key))
					split = (int)m->info.key_size;
				else if (tv_plan_is_scalar(m->key) || m->lpm)
					split = 1;
			}
		}
		if (split < 0 || split > n)
			split = n;
		for (i = 0; i < split; i++)
			s->key[s->nkey++] = w[i];
		for (; i < n; i++)
			s->val[s->nval++] = value_dot(m, w[i]) ? w[i] + 6 : w[i];
	}
	return add_uncovered(s, kunc, vunc);
}

int verb_update_flags(const struct mapref *m, const char *verb,
		      const struct opt_vals *opts, __u64 *flags)
{
	*flags = BPF_ANY;
	if (!strcmp(verb, "add")) {
		*flags = BPF_NOEXIST;
	} else if (!strcmp(verb, "replace")) {
		*flags = BPF_EXIST;
	} else {
		if (opts->count[VOPT_NOEXIST] && opts->count[VOPT_EXIST])
			return err_usage("%s update: --noexist and --exist exclude each other",
					 m->name);
		if (opts->count[VOPT_NOEXIST])
			*flags = BPF_NOEXIST;
		if (opts->count[VOPT_EXIST])
			*flags = BPF_EXIST;
	}
	return EXIT_OK;
}

int verb_no_args(const struct mapref *m, const char *verb, int argc,
		 char **argv)
{
	if (argc)
		return err_usage("%s %s: unexpected argument '%s' (see 'mapsh %s %s --help')",
				 m->name, verb, argv[0], mapref_sel(m), verb);
	return EXIT_OK;
}

/* ---- --count N ---- */

int verb_parse_count(const struct mapref *m, const char *verb,
		     const char *arg, unsigned long long *n)
{
	char *end;

	*n = 0;
	if (!arg)
		return EXIT_OK;
	errno = 0;
	*n = strtoull(arg, &end, 10);
	if (!*arg || *end || errno || *n == 0 || arg[0] == '-')
		return err_usage("%s %s: --count '%s' is not a positive number",
				 m->name, verb, arg);
	return EXIT_OK;
}
