// SPDX-License-Identifier: GPL-2.0
/* `mapsh MAP VERB ...`: the help that lists a map's verbs and the dispatch
 * of a map command line to its verb (the table is in map_verbs.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "base/err.h"
#include "cmd/argscan.h"
#include "map/journal.h"
#include "map/write.h"
#include "cmd/registry.h"
#include "verbs/map_verbs.h"
#include "verbs/diff.h"
#include "verbs/migrate_help.h"
#include "map/mapinfo.h"
#include "query/query.h"
#include "base/suggest.h"

/* ---- help ---- */

void map_print_verbs(struct ctx *ctx, const char *name, const struct mapref *m)
{
	struct strbuf sb = STRBUF_INIT;

	sb_addf(&sb, "Usage: mapsh %s VERB [ARGS...]\n\n", name);
	if (m) {
		sb_addf(&sb, "%s: %s map, ", m->name, map_type_str(m->info.type));
		if (m->key)
			sb_addf(&sb, "key %s, ", tv_plan_type_name(m->key));
		if (m->value)
			sb_addf(&sb, "value %s, ", tv_plan_type_name(m->value));
		sb_addf(&sb, "max_entries %u\n\nVerbs for %s maps:\n",
			m->info.max_entries, map_type_str(m->info.type));
	} else {
		sb_adds(&sb, "MAP is a name pinned in the pin directory, id N, pinned PATH,\n"
			     "name NAME (kernel name) or OUTER[KEY] (an inner map).\n\nVerbs:\n");
	}
	for (const struct cmd *v = map_verbs; v->name; v++) {
		size_t start = sb.len;

		if (m && !map_verb_applies(v, m->info.type))
			continue;
		sb_addf(&sb, "  %s", v->name);
		for (size_t w = sb.len - start; w < 12; w++)
			sb_addc(&sb, ' ');
		sb_addf(&sb, " %s\n", v->summary);
	}
	sb_addf(&sb, "\nWithout a verb: %s. Run 'mapsh %s VERB --help' for a verb's arguments.\n",
		!m || map_verb_applies(cmd_find(map_verbs, "dump"), m->info.type) ? "dump" : "info",
		name);
	sb_add(&ctx->out.buf, sb.buf, sb.len);
	out_flush(&ctx->out);
	sb_free(&sb);
}

static void verbs_for(__u32 type, struct strbuf *sb)
{
	for (const struct cmd *v = map_verbs; v->name; v++) {
		if (!map_verb_applies(v, type))
			continue;
		if (sb->len)
			sb_adds(sb, ", ");
		sb_adds(sb, v->name);
	}
}

/* ---- dispatch ---- */

/* Does option word w take the next word as its argument for some verb (or
 * as a global option)? Before the verb is known, any verb's option counts. */
bool map_opt_takes_next(const char *w)
{
	if (argscan_wants_arg(NULL, w))
		return true;
	for (const struct cmd *v = map_verbs; v->name; v++)
		if (argscan_wants_arg(v->opts, w))
			return true;
	return false;
}

int map_find_verb(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1 < argc ? i + 1 : -1;
		if (argscan_is_option(argv[i]))
			continue;
		/* The argument of the option before it, unless a verb:
		 * `-n 3 drain`, but `-n apply FILE`. */
		if (i > 0 && argscan_is_option(argv[i - 1]) &&
		    map_opt_takes_next(argv[i - 1]) && !cmd_find(map_verbs, argv[i]))
			continue;
		return i;
	}
	return -1;
}

static bool wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

/* A verb first, as bpftool orders it (`mapsh dump id 42`): the map comes
 * first in mapsh; say the command in that order. */
static int verb_first(struct ctx *ctx, int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	struct mapsel sel;
	int n, rc;

	if (argc < 2 || !mapsel_is_map_word(&ctx->set.map, argv[1]))
		return err_usage("unknown command '%s': a verb comes after its map (mapsh MAP %s, or after 'use MAP' in the shell; see 'mapsh help %s')",
				 argv[0], argv[0], argv[0]);
	n = mapsel_parse(argc - 1, argv + 1, &sel);
	if (n < 0)
		return EXIT_USAGE;
	sb_adds(&sb, "mapsh");
	for (int i = 1; i <= n; i++)
		sb_addf(&sb, " %s", argv[i]);
	sb_addf(&sb, " %s", argv[0]);
	for (int i = n + 1; i < argc; i++)
		sb_addf(&sb, " %s", argv[i]);
	rc = err_usage("unknown command '%s': the map comes before the verb (did you mean '%s'?)",
		       argv[0], sb_str(&sb));
	sb_free(&sb);
	return rc;
}

static int unknown_word(struct ctx *ctx, int argc, char **argv)
{
	const char *word = argv[0];
	const char *s = cmd_suggest(cmd_tables.top, word);
	char *ms;
	int rc;

	if (cmd_find(map_verbs, word) && !cmd_find(cmd_tables.top, word))
		return verb_first(ctx, argc, argv);
	if (s)
		return err_usage("unknown command '%s' (did you mean '%s'? see 'mapsh help')",
				 word, s);
	{
		/* Maps and commands alike: the word may be either. */
		const char *names[64];
		int n = 0;

		for (const struct cmd *c = cmd_tables.top; c->name && n < 63; c++)
			if (!(c->flags & CMD_HIDDEN))
				names[n++] = c->name;
		names[n] = NULL;
		ms = mapref_suggest(&ctx->set.map, word, names);
	}
	if (ms)
		rc = err_usage("unknown command or map '%s' (did you mean '%s'? see 'mapsh help')",
			       word, ms);
	else
		rc = err_usage("unknown command '%s' (see 'mapsh help')", word);
	free(ms);
	return rc;
}

static const struct opt_spec no_opts[] = { { NULL } };

int map_cmd_run(struct ctx *ctx, int argc, char **argv)
{
	struct cmd none = { .name = argv[0], .opts = no_opts };
	const struct cmd *verb = NULL;
	struct mapref *m = NULL;
	struct opt_vals vals;
	struct mapsel sel;
	bool want_help = false, explicit_verb, default_verb = false;
	char **words = NULL;
	char selname[320];
	char who[352];
	int n, vi, nw = 0, rc;

	if (!mapsel_is_map_word(&ctx->set.map, argv[0]) &&
	    !(argc > 1 && cmd_find(map_verbs, argv[1])))
		return unknown_word(ctx, argc, argv);
	n = mapsel_parse(argc, argv, &sel);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 2)
		snprintf(selname, sizeof(selname), "%s %s", argv[0], argv[1]);
	else
		snprintf(selname, sizeof(selname), "%s", argv[0]);
	argc -= n;
	argv += n;

	words = calloc((size_t)argc + 2, sizeof(*words));
	if (!words)
		return err_fail("out of memory");
	vi = map_find_verb(argc, argv);
	/* `mapsh flows where ...`: the default verb's words. */
	if (vi >= 0 && !cmd_find(map_verbs, argv[vi]) && query_is_keyword(argv[vi]))
		vi = -1;
	explicit_verb = vi >= 0;
	for (int i = 0; i < argc; i++)
		if (i != vi)
			words[nw++] = argv[i];
	words[nw] = NULL;

	if (explicit_verb) {
		verb = cmd_find(map_verbs, argv[vi]);
		if (!verb) {
			/* Name the verbs this map has: apply the global
			 * options (--pin-dir) and open it first. */
			rc = cmd_parse_opts(ctx, &none, selname, &nw, words, &vals, &want_help);
			if (rc)
				goto out;
			cmd_setup_output(ctx);
			rc = mapref_open(&ctx->set.map, &sel, &m);
			if (rc)
				goto out;
			{
				const char *s = cmd_suggest(map_verbs, argv[vi]);
				struct strbuf sb = STRBUF_INIT;

				verbs_for(m->info.type, &sb);
				if (s && map_verb_applies(cmd_find(map_verbs, s), m->info.type))
					rc = err_usage("%s: unknown verb '%s' (did you mean '%s'? verbs for %s maps: %s)",
						       m->name, argv[vi], s,
						       map_type_str(m->info.type), sb_str(&sb));
				else
					rc = err_usage("%s: unknown verb '%s' (verbs for %s maps: %s)",
						       m->name, argv[vi],
						       map_type_str(m->info.type), sb_str(&sb));
				sb_free(&sb);
			}
			goto out;
		}
	} else if (wants_help(argc, argv)) {
		/* `mapsh MAP --help`: the verbs of this map. */
		rc = cmd_parse_opts(ctx, &none, selname, &nw, words, &vals, &want_help);
		if (rc)
			goto out;
		cmd_setup_output(ctx);
		if (sel.kind == MAPSEL_PINNAME && !mapref_pin_exists(&ctx->set.map, sel.arg)) {
			map_print_verbs(ctx, selname, NULL);
			rc = EXIT_OK;
			goto out;
		}
		rc = mapref_open(&ctx->set.map, &sel, &m);
		if (!rc)
			map_print_verbs(ctx, selname, m);
		goto out;
	} else {
		verb = cmd_find(map_verbs, "dump");
		default_verb = true;
	}

	snprintf(who, sizeof(who), "%s %s", selname, verb->name);
	rc = cmd_parse_opts(ctx, verb, who, &nw, words, &vals, &want_help);
	if (rc)
		goto out;
	cmd_setup_output(ctx);
	if (want_help) {
		cmd_print_help(ctx, verb);
		rc = EXIT_OK;
		goto out;
	}
	/* No gate on the user id: the kernel decides. A pin is opened
	 * when its permissions let this user (CAP_BPF or not), a map by id
	 * or kernel name needs CAP_SYS_ADMIN; mapref_open says which refusal
	 * it met. */
	/* A writer says itself why it will not write over an interrupted
	 * write's journal; the others are told on opening the map. */
	jrnl_quiet(verb->flags & CMD_WRITES);
	rc = mapref_open(&ctx->set.map, &sel, &m);
	jrnl_quiet(false);
	if (rc && verb->fn == verb_diff)
		rc = DIFF_TROUBLE;	/* diff's 1 is "different" */
	if (rc)
		goto out;
	if (default_verb && !map_verb_applies(verb, m->info.type))
		verb = cmd_find(map_verbs, "info");	/* nothing to dump */
	if (!map_verb_applies(verb, m->info.type)) {
		struct strbuf sb = STRBUF_INIT;

		const char *note = mt_refusal_note(m->info.type, verb->name);

		verbs_for(m->info.type, &sb);
		rc = err_usage("%s (%s): '%s' does not apply%s%s (verbs for %s maps: %s)",
			       m->name, map_type_str(m->info.type), verb->name,
			       note ? ": " : "", note ? note : "",
			       map_type_str(m->info.type), sb_str(&sb));
		sb_free(&sb);
		goto out;
	}
	ctx->map = m;
	if (verb->flags & CMD_WRITES) {
		/* The map's write lock, before the verb reads what it
		 * changes (map/write.h). */
		struct mapw_session ws = {
			.audit_log = ctx->set.audit_log, .verb = verb->name,
			.no_wait = ctx->set.no_wait,
			.recovering = verb->fn == verb_recover,
		};

		rc = mapw_begin(&ws, m);
	}
	if (!rc)
		rc = cmd_fn_for(verb, m->info.type)(ctx, verb, &vals, nw, words);
	mapw_end();
	out_flush(&ctx->out);
	/* A verb that followed a reload (map/repin.h) left the new map. */
	m = ctx->map;
	ctx->map = NULL;
out:
	mapref_free(m);
	free(words);
	return rc;
}
