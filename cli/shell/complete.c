// SPDX-License-Identifier: GPL-2.0
/* Completion and context help from the command tables (see complete.h). */
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
#include "cmd/argscan.h"
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
#include "verbs/create.h"

/* ---------------------------------------------------------- the analysis */

/* ---- option scanning ---- */

/* Split the words after a command into positionals; when the last word is
 * an option that wants an argument, return it (the partial word is that
 * argument). */
static const struct opt_spec *scan_args(struct an *a,
					const struct opt_spec *opts,
					char **w, int n)
{
	bool only_pos = false;

	a->pos = calloc((size_t)n + 1, sizeof(*a->pos));
	if (!a->pos)
		abort();
	a->npos = 0;
	for (int i = 0; i < n; i++) {
		const struct opt_spec *o;

		if (only_pos || !argscan_is_option(w[i])) {
			a->pos[a->npos++] = w[i];
			continue;
		}
		if (!strcmp(w[i], "--")) {
			only_pos = true;
			continue;
		}
		o = argscan_wants_arg(opts, w[i]);
		if (o) {
			if (i + 1 == n)
				return o;
			i++;
		}
	}
	return NULL;
}

/* ---- the maps ---- */

static bool is_selector(const char *w)
{
	return !strcmp(w, "id") || !strcmp(w, "name") || !strcmp(w, "pinned");
}

static void offer_pins(struct an *a, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) || S_ISDIR(st.st_mode))
			continue;
		offer(a, e->d_name, bundle_map_find(e->d_name) ?
			  map_type_str(bundle_map_find(e->d_name)->type) : "pinned map");
	}
	closedir(d);
}

static void offer_map_names(struct an *a)
{
	const char *const *names = bundle_map_names();
	char dir[4096];

	for (int i = 0; names && names[i]; i++)
		offer(a, names[i], map_type_str(bundle_map_find(names[i])->type));
	if (a->ctx->set.map.pin_dir) {
		offer_pins(a, a->ctx->set.map.pin_dir);
		snprintf(dir, sizeof(dir), "%s/inner", a->ctx->set.map.pin_dir);
		offer_pins(a, dir);
	}
}

static void offer_selectors(struct an *a)
{
	offer(a, "id", "a map of the system by id");
	offer(a, "name", "a map of the system by name");
	offer(a, "pinned", "a map pinned at a path");
}

/* Every map of the system: ids or names. Needs root; silent without. */
static void offer_system_maps(struct an *a, bool ids)
{
	__u32 id = 0;

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		char num[16], desc[64];
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			snprintf(num, sizeof(num), "%u", id);
			if (ids) {
				snprintf(desc, sizeof(desc), "%s %s",
					 info.name[0] ? info.name : "-",
					 map_type_str(info.type));
				offer(a, num, desc);
			} else if (info.name[0]) {
				snprintf(desc, sizeof(desc), "id %u %s", id,
					 map_type_str(info.type));
				offer(a, info.name, desc);
			}
		}
		close(fd);
	}
}

/* ---- commands, verbs, options ---- */

static void offer_commands(struct an *a, const struct cmd *table)
{
	for (const struct cmd *c = table; c->name; c++)
		if (!(c->flags & CMD_HIDDEN))
			offer(a, c->name, c->summary);
}

static void offer_verbs(struct an *a, const struct cmap *m)
{
	for (const struct cmd *v = verb_table(); v->name; v++)
		if (verb_fits(v, m))
			offer(a, v->name, v->summary);
}

static void offer_opts(struct an *a, const struct opt_spec *opts)
{
	for (const struct opt_spec *o = opts; o && o->name; o++) {
		char w[128];

		snprintf(w, sizeof(w), "--%s", o->name);
		offer(a, w, o->help);
	}
}

static void offer_kind(struct an *a, enum complete_kind kind,
		       const char *const *choices)
{
	switch (kind) {
	case COMPLETE_IFACE:
		offer_ifaces(a);
		break;
	case COMPLETE_FILE:
		offer_files(a, false);
		break;
	case COMPLETE_DIR:
		offer_files(a, true);
		break;
	case COMPLETE_MAP:
		offer_map_names(a);
		break;
	case COMPLETE_WORDS:
		for (const char *const *c = choices; c && *c; c++)
			offer(a, *c, NULL);
		break;
	case COMPLETE_FIELD:
		offer_query_fields(a, &a->map);
		break;
	case COMPLETE_NONE:
		break;
	}
}

/* ---- positionals of commands, by their kind ---- */

static void complete_arg(struct an *a, const struct arg_spec *s)
{
	switch (s->kind) {
	case ARG_CHOICE:
		for (const char *const *w = s->choices; w && *w; w++)
			offer(a, *w, NULL);
		break;
	case ARG_FILE:
	case ARG_PATH:
		offer_files(a, false);
		break;
	case ARG_COMMAND:
		/* `help dump` shows a verb's help too, `help flows` a
		 * map's verbs */
		offer_commands(a, cmd_tables.top);
		offer_verbs(a, NULL);
		offer_map_names(a);
		break;
	case ARG_MAP:
		offer_map_names(a);
		offer_selectors(a);
		break;
	default:
		break;	/* typed map words: complete_verb_args */
	}
}

static void complete_sel_arg(struct an *a)
{
	if (!strcmp(a->sel, "id"))
		offer_system_maps(a, true);
	else if (!strcmp(a->sel, "name"))
		offer_system_maps(a, false);
	else
		offer_files(a, false);
}

static void offer_word(void *arg, const char *word)
{
	offer(arg, word, NULL);
}

/* The --btf FILE of the line, for create's types. */
static const char *line_btf(const struct an *a)
{
	for (int i = 0; i < a->n; i++) {
		if (!strcmp(a->w[i], "--btf") && i + 1 < a->n)
			return a->w[i + 1];
		if (!strncmp(a->w[i], "--btf=", 6))
			return a->w[i] + 6;
	}
	return NULL;
}

static void complete_cmd_arg(struct an *a)
{
	if (a->cmd->fn == do_create) {
		create_complete(a->pos, a->npos, line_btf(a), offer_word, a);
		return;
	}

	const struct arg_spec *first = cmd_arg_at(a->cmd, 0);
	const struct arg_spec *s = cmd_arg_at(a->cmd, a->npos);

	/* `use id <TAB>`: the second word of a two-word map selector. */
	if (a->npos == 1 && first && first->kind == ARG_MAP &&
	    is_selector(a->pos[0])) {
		a->sel = a->pos[0];
		complete_sel_arg(a);
		return;
	}
	if (s)
		complete_arg(a, s);
}


static void complete_opt_inline(struct an *a, const struct opt_spec *opts)
{
	const char *eq = strchr(a->cur, '=');
	const struct opt_spec *o;
	char pre[256];

	if (!eq || a->cur[1] != '-')
		return;
	o = argscan_long(opts, a->cur + 2, (size_t)(eq - a->cur - 2));
	if (!o || !o->arg)
		return;
	snprintf(pre, sizeof(pre), "%.*s", (int)(eq - a->cur + 1), a->cur);
	a->prefix = pre;
	if (o->complete == COMPLETE_FILE || o->complete == COMPLETE_DIR) {
		/* files complete on the partial word itself */
		const char *save = a->cur;
		struct cands tmp = { 0 };
		struct cands *out = a->out;

		a->cur = eq + 1;
		a->out = &tmp;
		a->prefix = NULL;
		offer_kind(a, o->complete, o->choices);
		a->out = out;
		a->cur = save;
		for (int i = 0; i < tmp.n; i++) {
			char w[4096];

			snprintf(w, sizeof(w), "%s%s", pre, tmp.v[i].word);
			if (out)
				cands_push(out, w, NULL);
		}
		cands_free(&tmp);
	} else {
		offer_kind(a, o->complete, o->choices);
	}
	a->prefix = NULL;
}

/* Work out what the partial word is. */
void analyze(struct an *a)
{
	const struct cmd *c = NULL;
	char *const *smap = NULL;
	int nsmap = session_map(&smap);
	int i = 0, j;
	const struct opt_spec *o;

	/* Leading global options; --pin-dir and --raw-values change what
	 * the maps complete to, so they apply. */
	while (i < a->n && argscan_is_option(a->w[i])) {
		const char *w = a->w[i], *arg = NULL;

		if (!strcmp(w, "--")) {
			i++;
			break;
		}
		o = argscan_wants_arg(NULL, w);
		if (o) {
			if (i + 1 == a->n) {
				a->kind = K_OPTARG;
				a->opt = o;
				return;
			}
			arg = a->w[++i];
		} else if (!strncmp(w, "--", 2) && strchr(w, '=')) {
			o = argscan_long(NULL, w + 2, (size_t)(strchr(w, '=') - w - 2));
			arg = strchr(w, '=') + 1;
		} else if (!strncmp(w, "--", 2)) {
			o = argscan_long(NULL, w + 2, strlen(w + 2));
		}
		if (o && (!strcmp(o->name, "pin-dir") || !strcmp(o->name, "raw-values")))
			cmd_tables.apply_global(a->ctx, (int)(o - cmd_tables.globals), arg);
		i++;
	}
	if (i == a->n) {
		a->kind = a->cur[0] == '-' ? K_OPTS : K_TOP;
		return;
	}
	if ((a->flags & COMPLETE_IN_REPL) && a->w[i][0] == '.')
		c = cmd_find(session_cmds, a->w[i]);
	if (!c)
		c = cmd_find(cmd_tables.top, a->w[i]);
	if (!c && (a->flags & COMPLETE_IN_REPL) && nsmap &&
	    cmd_find(verb_table(), a->w[i])) {
		/* A bare verb after `use MAP`. */
		cmap_resolve(a->ctx, (char **)smap, nsmap, &a->map);
		a->cmd = cmd_find(verb_table(), a->w[i]);
		j = i;
		goto verb;
	}
	if (c) {
		a->cmd = c;
		a->opt = scan_args(a, c->opts, a->w + i + 1, a->n - i - 1);
		if (a->opt)
			a->kind = K_OPTARG;
		else if (a->cur[0] == '-' && a->cur[1] != '\0' &&
			 !(a->cur[1] >= '0' && a->cur[1] <= '9'))
			a->kind = K_OPTS;
		else
			a->kind = K_CMDARG;
		return;
	}
	/* A map. */
	if (is_selector(a->w[i])) {
		if (i + 1 == a->n) {
			a->kind = K_SELARG;
			a->sel = a->w[i];
			return;
		}
		cmap_resolve(a->ctx, a->w + i, 2, &a->map);
		j = i + 2;
	} else {
		cmap_resolve(a->ctx, a->w + i, 1, &a->map);
		j = i + 1;
	}
	/* Options may come before the verb: `flows -j dump`. */
	while (j < a->n && argscan_is_option(a->w[j])) {
		if (argscan_wants_arg(NULL, a->w[j])) {
			if (j + 1 == a->n) {
				a->kind = K_OPTARG;
				a->opt = argscan_wants_arg(NULL, a->w[j]);
				return;
			}
			j++;
		} else if (j + 1 < a->n && map_opt_takes_next(a->w[j]) &&
			   !cmd_find(verb_table(), a->w[j + 1])) {
			j++;	/* a verb's option before the verb: `-n 3 drain` */
		}
		j++;
	}
	if (j == a->n) {
		a->kind = a->cur[0] == '-' ? K_OPTS : K_VERB;
		return;
	}
	a->cmd = cmd_find(verb_table(), a->w[j]);
	if (!a->cmd) {
		a->kind = K_NONE;
		return;
	}
verb:
	a->opt = scan_args(a, a->cmd->opts, a->w + j + 1, a->n - j - 1);
	if (a->opt)
		a->kind = K_OPTARG;
	else if (a->cur[0] == '-' && a->cur[1] &&
		 !(a->cur[1] >= '0' && a->cur[1] <= '9'))
		a->kind = K_OPTS;
	else
		a->kind = K_VERBARG;
}

void an_free(struct an *a)
{
	free(a->pos);
	cmap_free(&a->map);
}

void complete_words(struct ctx *ctx, int nwords, char **words,
		    unsigned flags, struct cands *out)
{
	struct an a = {
		.ctx = ctx, .flags = flags, .out = out,
		.w = words, .n = nwords > 0 ? nwords - 1 : 0,
		.cur = nwords > 0 ? words[nwords - 1] : "",
	};
	char *const *smap = NULL;
	int nsmap = session_map(&smap);
	/* --pin-dir or --raw-values on the line count for what is offered,
	 * on a copy: the session's settings stay as they are. */
	struct settings saved = ctx->set;

	memset(out, 0, sizeof(*out));
	analyze(&a);
	switch (a.kind) {
	case K_NONE:
		break;
	case K_TOP:
		if ((flags & COMPLETE_IN_REPL) && a.cur[0] == '.') {
			offer_commands(&a, session_cmds);
			break;
		}
		if (strchr(a.cur, '[') && !strchr(a.cur, ']')) {
			complete_outer_key(&a);
			break;
		}
		offer_commands(&a, cmd_tables.top);
		offer_map_names(&a);
		offer_selectors(&a);
		if (flags & COMPLETE_IN_REPL) {
			offer(&a, "quit", "leave the shell");
			offer(&a, "exit", "leave the shell");
			if (nsmap) {
				struct cmap m;

				cmap_resolve(ctx, (char **)smap, nsmap, &m);
				offer_verbs(&a, &m);
				cmap_free(&m);
			}
		}
		break;
	case K_OPTS:
		if (strchr(a.cur, '=')) {
			complete_opt_inline(&a, a.cmd ? a.cmd->opts : NULL);
			break;
		}
		if (a.cmd)
			offer_opts(&a, a.cmd->opts);
		offer_opts(&a, cmd_tables.globals);
		if (a.cmd)
			offer(&a, "--help", "show the command's help");
		break;
	case K_OPTARG:
		offer_kind(&a, a.opt->complete, a.opt->choices);
		break;
	case K_CMDARG:
		complete_cmd_arg(&a);
		break;
	case K_SELARG:
		complete_sel_arg(&a);
		break;
	case K_VERB:
		offer_verbs(&a, &a.map);
		break;
	case K_VERBARG:
		complete_verb_args(&a);
		break;
	}
	an_free(&a);
	ctx->set = saved;
	cands_sort_unique(out);
}

void complete_line(struct ctx *ctx, const char *line, size_t cursor,
		   unsigned flags, struct cands *out, size_t *word_start)
{
	struct tok_line t;
	char **words;
	int n;

	tok_split(line, cursor, &t);
	words = calloc((size_t)t.n + 2, sizeof(*words));
	if (!words)
		abort();
	for (n = 0; n < t.n; n++)
		words[n] = t.w[n].text;
	if (t.in_word && t.n) {
		*word_start = t.w[t.n - 1].start;
	} else {
		words[n++] = "";
		*word_start = cursor;
	}
	if (t.in_comment)
		memset(out, 0, sizeof(*out));
	else
		complete_words(ctx, n, words, flags, out);
	free(words);
	tok_free(&t);
}

/* ------------------------------------------------------------- handlers */

const struct opt_spec complete_opts[] = {
	[COMPLETE_OPT_DESCRIBE] = { "describe", 0, NULL,
				    "a tab and a description after each candidate" },
	[COMPLETE_OPT_LINE] = { "line", 0, "LINE",
				"the whole command line (as COMP_LINE), program first" },
	[COMPLETE_OPT_POINT] = { "point", 0, "N",
				 "the cursor's byte offset in LINE (as COMP_POINT)" },
	{ NULL },
};

int do_complete(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	const char *line = opt_get(opts, COMPLETE_OPT_LINE);
	bool describe = opts->count[COMPLETE_OPT_DESCRIBE];
	struct cands c;
	char *empty[] = { "", NULL };

	if (line) {
		const char *pt = opt_get(opts, COMPLETE_OPT_POINT);
		size_t len = strlen(line), point = len;
		struct tok_line t;
		char **words;
		int n = 0;

		if (pt) {
			char *end;
			unsigned long v = strtoul(pt, &end, 10);

			if (*end || end == pt)
				return err_usage("__complete: --point needs a number");
			point = v < len ? v : len;
		}
		tok_split(line, point, &t);
		words = calloc((size_t)t.n + 2, sizeof(*words));
		if (!words)
			abort();
		/* Drop the program's name. */
		for (int i = 1; i < t.n; i++)
			words[n++] = t.w[i].text;
		if (!t.in_word || !t.n)
			words[n++] = "";
		if (t.n == 0 || (t.n == 1 && t.in_word) || t.in_comment)
			memset(&c, 0, sizeof(c));
		else
			complete_words(ctx, n, words, 0, &c);
		free(words);
		tok_free(&t);
	} else if (argc == 0) {
		complete_words(ctx, 1, empty, 0, &c);
	} else {
		complete_words(ctx, argc, argv, 0, &c);
	}
	for (int i = 0; i < c.n; i++) {
		sb_adds(&ctx->out.buf, c.v[i].word);
		if (describe && c.v[i].desc) {
			sb_addc(&ctx->out.buf, '\t');
			for (const char *p = c.v[i].desc; *p; p++)
				sb_addc(&ctx->out.buf, *p == '\n' || *p == '\t' ? ' ' : *p);
		}
		sb_addc(&ctx->out.buf, '\n');
	}
	out_flush(&ctx->out);
	cands_free(&c);
	return EXIT_OK;
}
