// SPDX-License-Identifier: GPL-2.0
/* The one reading of option words: see argscan.h. */
#include <string.h>
#include "cmd/argscan.h"
#include "cmd/registry.h"

bool argscan_is_option(const char *w)
{
	return w[0] == '-' && w[1] && !(w[1] >= '0' && w[1] <= '9');
}

static const struct opt_spec *find_long(const struct opt_spec *opts,
					const char *name, size_t len)
{
	for (const struct opt_spec *o = opts; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

static const struct opt_spec *find_short(const struct opt_spec *opts, char c)
{
	for (const struct opt_spec *o = opts; o && o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

const struct opt_spec *argscan_long(const struct opt_spec *opts,
				    const char *name, size_t len)
{
	const struct opt_spec *o = find_long(opts, name, len);

	return o ? o : find_long(cmd_tables.globals, name, len);
}

const struct opt_spec *argscan_short(const struct opt_spec *opts, char c)
{
	const struct opt_spec *o = find_short(opts, c);

	return o ? o : find_short(cmd_tables.globals, c);
}

const struct opt_spec *argscan_wants_arg(const struct opt_spec *opts,
					 const char *w)
{
	const struct opt_spec *o;

	if (!argscan_is_option(w) || !strcmp(w, "--"))
		return NULL;
	if (w[1] == '-') {
		if (strchr(w + 2, '='))
			return NULL;
		o = argscan_long(opts, w + 2, strlen(w + 2));
		return o && o->arg ? o : NULL;
	}
	for (const char *p = w + 1; *p; p++) {
		o = argscan_short(opts, *p);
		if (o && o->arg)
			return p[1] ? NULL : o;	/* -ieth0 holds it */
	}
	return NULL;
}

bool argscan_is_global(const char *w)
{
	if (!argscan_is_option(w) || !strcmp(w, "--"))
		return false;
	if (!strcmp(w, "-h") || !strcmp(w, "--help"))
		return true;
	if (w[1] == '-') {
		const char *eq = strchr(w + 2, '=');

		return find_long(cmd_tables.globals, w + 2,
				 eq ? (size_t)(eq - w - 2) : strlen(w + 2)) != NULL;
	}
	for (const char *p = w + 1; *p; p++) {
		const struct opt_spec *o = find_short(cmd_tables.globals, *p);

		if (!o)
			return false;
		if (o->arg)
			return true;	/* the rest of the word is its argument */
	}
	return true;
}

int argscan_globals(int argc, char **argv, char **opts, int *nopts)
{
	int k = 0, n = 0;

	while (k < argc && argscan_is_global(argv[k])) {
		opts[n++] = argv[k];
		if (argscan_wants_arg(NULL, argv[k]) && k + 1 < argc)
			opts[n++] = argv[++k];
		k++;
	}
	if (k < argc && !strcmp(argv[k], "--"))
		k++;
	*nopts = n;
	return k;
}
