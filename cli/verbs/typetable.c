// SPDX-License-Identifier: GPL-2.0
/* Which verbs apply to which map type, from the verb table (map_verbs.c):
 * the table of the README and the man page, written by `mapsh __types`
 * (Markdown) and `mapsh __synopsis --mdoc` (mdoc). */
#include <string.h>
#include "base/err.h"
#include "map/mapinfo.h"
#include "verbs/map_verbs.h"

/* The types that have one: every type but unspec, in the kernel's order. */
static void verbs_of(__u32 type, struct strbuf *sb, const char *sep)
{
	bool first = true;

	for (const struct cmd *v = map_verbs; v->name; v++) {
		if ((v->flags & CMD_HIDDEN) || !map_verb_applies(v, type))
			continue;
		sb_addf(sb, "%s%s", first ? "" : sep, v->name);
		first = false;
	}
}

void map_types_table(struct strbuf *sb, bool mdoc)
{
	if (mdoc) {
		sb_adds(sb, ".Ss Verbs by map type\n"
			    "Written from the verb table; a verb not listed for a type is refused\n"
			    "with one line saying why (exit 2).\n"
			    ".Bl -tag -width Ds\n");
	} else {
		sb_adds(sb, "| map type | verbs |\n|---|---|\n");
	}
	for (__u32 t = 1; t <= MAPSH_MAP_TYPE_LAST; t++) {
		const char *name = map_type_str(t);

		if (!strcmp(name, "unknown"))
			continue;
		if (mdoc) {
			/* One verb a line: mandoc wants lines under 80. */
			sb_addf(sb, ".It Cm %s\n", name);
			verbs_of(t, sb, ",\n");
			sb_addc(sb, '\n');
		} else {
			sb_addf(sb, "| %s | ", name);
			verbs_of(t, sb, ", ");
			sb_adds(sb, " |\n");
		}
	}
	if (mdoc)
		sb_adds(sb, ".El\n");
}

int verb_types_cmd(struct ctx *ctx, const struct cmd *cmd,
		   const struct opt_vals *opts, int argc, char **argv)
{
	(void)cmd;
	(void)opts;
	if (argc)
		return err_usage("__types: unexpected '%s'", argv[0]);
	map_types_table(&ctx->out.buf, false);
	out_flush(&ctx->out);
	return EXIT_OK;
}
