// SPDX-License-Identifier: GPL-2.0
/* The `?` key of the shell: help for what the words before the cursor are
 * (see complete.h: complete_help). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "shell/batch.h"
#include "cmd/registry.h"
#include "map/bundle.h"
#include "shell/complete.h"
#include "shell/complete_int.h"
#include "base/err.h"
#include "verbs/map_verbs.h"
#include "map/mapinfo.h"
#include "map/mapref.h"
#include "tval/netfmt.h"
#include "query/query.h"
#include "tval/tval.h"

static bool cmd_in(const struct cmd *c, const struct cmd *table)
{
	for (const struct cmd *t = table; t->name; t++)
		if (t == c)
			return true;
	return false;
}

static void help_cmd_list(struct strbuf *sb, const struct cmd *table,
			  const char *lead, const struct cmap *m)
{
	for (const struct cmd *c = table; c->name; c++) {
		struct strbuf syn = STRBUF_INIT;
		size_t start = sb->len;

		if (c->flags & CMD_HIDDEN)
			continue;
		if (m && !verb_fits(c, m))
			continue;
		cmd_synopsis(c, &syn);
		sb_addf(sb, "  %s%s", lead, sb_str(&syn));
		if (sb->len - start > 40) {
			sb_addf(sb, "\n%44s", "");
		} else {
			for (size_t w = sb->len - start; w < 44; w++)
				sb_addc(sb, ' ');
		}
		sb_addf(sb, "%s\n", c->summary ? c->summary : "");
		sb_free(&syn);
	}
}

static void help_fields(struct strbuf *sb, const char *what,
			const struct tv_plan *p)
{
	if (!p)
		return;
	sb_addf(sb, "%s (%s):", what, tv_plan_type_name(p));
	if (tv_plan_is_scalar(p)) {
		char desc[128];

		leaf_desc(tv_plan_leaf(p, 0), desc, sizeof(desc));
		sb_addf(sb, " one value, %s\n", desc);
		return;
	}
	sb_addc(sb, '\n');
	for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);
		char desc[128];

		if (!leaf_listed(l))
			continue;
		leaf_desc(l, desc, sizeof(desc));
		sb_addf(sb, "  %-24s %s\n", l->name, desc);
	}
}

static void help_opt(struct strbuf *sb, const struct opt_spec *o)
{
	sb_addf(sb, "--%s%s%s: %s\n", o->name, o->arg ? " " : "",
		o->arg ? o->arg : "", o->help);
	if (o->choices) {
		sb_adds(sb, "one of:");
		for (const char *const *c = o->choices; *c; c++)
			sb_addf(sb, " %s", *c);
		sb_addc(sb, '\n');
	}
}

static void help_opts(struct strbuf *sb, const struct opt_spec *opts)
{
	for (const struct opt_spec *o = opts; o && o->name; o++) {
		char head[64];

		snprintf(head, sizeof(head), "%s%c%s--%s%s%s",
			 o->short_name ? "-" : "", o->short_name ? o->short_name : ' ',
			 o->short_name ? ", " : "  ", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		sb_addf(sb, "  %-30s %s\n", o->short_name ? head : head + 1, o->help);
	}
}

void complete_help(struct ctx *ctx, int nwords, char **words, unsigned flags,
		   struct strbuf *sb)
{
	struct an a = {
		.ctx = ctx, .flags = flags, .out = NULL,
		.w = words, .n = nwords > 0 ? nwords - 1 : 0,
		.cur = nwords > 0 ? words[nwords - 1] : "",
	};
	char *const *smap = NULL;
	int nsmap = session_map(&smap);
	struct strbuf syn = STRBUF_INIT;
	struct settings saved = ctx->set;	/* the line's options: a copy */

	analyze(&a);
	switch (a.kind) {
	case K_NONE:
		sb_adds(sb, "Nothing known follows; 'help' lists the commands.\n");
		break;
	case K_TOP: {
		const char *const *names = bundle_map_names();

		sb_adds(sb, "Commands:\n");
		help_cmd_list(sb, cmd_tables.top, "", NULL);
		sb_adds(sb, "\nOr a map, then a verb: MAP VERB [ARGS] (Tab after a map lists its verbs).\n"
			    "MAP is a name in the pin directory, id N, pinned PATH or name NAME.\nBundled maps:");
		for (int i = 0; names && names[i]; i++)
			sb_addf(sb, "%s%s", i % 8 ? " " : "\n  ", names[i]);
		sb_addc(sb, '\n');
		if (nsmap && (flags & COMPLETE_IN_REPL)) {
			struct cmap m;

			cmap_resolve(ctx, (char **)smap, nsmap, &m);
			sb_addf(sb, "\nVerbs of %s (the current map):\n", m.label);
			help_cmd_list(sb, verb_table(), "", &m);
			cmap_free(&m);
		}
		if (flags & COMPLETE_IN_REPL)
			sb_adds(sb, "\nSession: .format .pretty .show .help; use MAP; source FILE; quit.\n");
		break;
	}
	case K_OPTS:
		if (a.cmd) {
			sb_addf(sb, "Options of %s:\n", a.cmd->name);
			help_opts(sb, a.cmd->opts);
		}
		sb_adds(sb, "Global options:\n");
		help_opts(sb, cmd_tables.globals);
		break;
	case K_OPTARG:
		help_opt(sb, a.opt);
		break;
	case K_CMDARG:
		cmd_synopsis(a.cmd, &syn);
		sb_addf(sb, "Usage: %s%s\n%s\n", cmd_in(a.cmd, cmd_tables.top) ? "mapsh " : "",
			sb_str(&syn), a.cmd->summary ? a.cmd->summary : "");
		if (cmd_arg_at(a.cmd, a.npos)) {
			struct arg_spec pos[2] = { *cmd_arg_at(a.cmd, a.npos), { .kind = ARG_END } };
			struct cmd one = { .pos = pos };
			struct strbuf t = STRBUF_INIT;

			cmd_args_text(&one, &t);
			sb_addf(sb, "Next: %s\n", sb_str(&t));
			sb_free(&t);
		}
		break;
	case K_SELARG:
		if (!strcmp(a.sel, "id"))
			sb_adds(sb, "id N: a map of the system by id ('mapsh maps --all' lists them)\n");
		else if (!strcmp(a.sel, "name"))
			sb_adds(sb, "name NAME: a map of the system by its kernel name\n");
		else
			sb_adds(sb, "pinned PATH: a map pinned on a bpffs\n");
		break;
	case K_VERB:
		sb_addf(sb, "Verbs of %s%s%s%s:\n", a.map.label,
			a.map.known ? " (" : "",
			a.map.known ? map_type_str(a.map.type) : "",
			a.map.known ? ")" : "");
		help_cmd_list(sb, verb_table(), "", &a.map);
		break;
	case K_VERBARG:
		cmd_synopsis(a.cmd, &syn);
		sb_addf(sb, "Usage: mapsh %s %s\n%s\n", a.map.label, sb_str(&syn),
			a.cmd->summary ? a.cmd->summary : "");
		if (a.map.known) {
			const struct arg_spec *q = cmd_arg_kind(a.cmd, ARG_QUERY);
			bool query = q && (q->clauses & (QC_WHERE | QC_SORT | QC_SORT_RATE));

			if (cmd_arg_kind(a.cmd, ARG_KEY) || query)
				help_fields(sb, "Key", a.map.kplan);
			if (cmd_arg_kind(a.cmd, ARG_VALUE) || cmd_arg_kind(a.cmd, ARG_FIELDS) || query)
				help_fields(sb, "Value", a.map.vplan);
			if (query)
				sb_adds(sb, "Filters: where FIELD OP VALUE [and|or ...], sort FIELD [asc|desc],\n"
					    "  limit N, fields F,... (OP: == != < <= > >= ~ !~)\n");
		}
		break;
	}
	sb_free(&syn);
	an_free(&a);
	ctx->set = saved;
}
