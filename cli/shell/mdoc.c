// SPDX-License-Identifier: GPL-2.0
/* `mapsh __synopsis`: every command's synopsis, and with --mdoc the man
 * page's generated command reference, from the command tables. */
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

const struct opt_spec synopsis_opts[] = {
	[SYNOPSIS_OPT_MDOC] = { "mdoc", 0, NULL,
				"the man page's generated command reference (mdoc)" },
	{ NULL },
};

static bool is_abbrev_end(const char *s, size_t i)
{
	static const char *const abbr[] = { "e.g", "i.e", "etc", "vs", "cf", NULL };

	for (int k = 0; abbr[k]; k++) {
		size_t n = strlen(abbr[k]);

		if (i >= n && !strncmp(s + i - n, abbr[k], n) &&
		    (i == n || s[i - n - 1] == ' ' || s[i - n - 1] == '('))
			return true;
	}
	return false;
}

/* Prose for mdoc text lines: escapes, no leading '.' or '\'', each
 * sentence on a line of its own and lines kept under 80 bytes. */
static void mdoc_text(struct strbuf *sb, const char *s, size_t n)
{
	size_t col = 0, i = 0;

	while (i < n) {
		size_t w = i, e;
		bool sentence;

		while (w < n && s[w] != ' ')
			w++;
		/* the word s[i..w) */
		if (col && col + (w - i) > 76) {
			sb_addc(sb, '\n');
			col = 0;
		}
		if (col)
			sb_addc(sb, ' '), col++;
		if (!col && (s[i] == '.' || s[i] == '\''))
			sb_adds(sb, "\\&");
		for (size_t k = i; k < w; k++) {
			if (s[k] == '\\')
				sb_adds(sb, "\\e");
			else
				sb_addc(sb, s[k]);
			col++;
		}
		e = w;
		while (e > i && strchr(")\"']", s[e - 1]))
			e--;
		sentence = e > i && strchr(".?!", s[e - 1]) && w < n;
		if (sentence && s[e - 1] == '.' && is_abbrev_end(s, e - 1)) {
			sb_adds(sb, "\\&");
			sentence = false;
		}
		if (sentence) {
			sb_addc(sb, '\n');
			col = 0;
		}
		i = w;
		while (i < n && s[i] == ' ')
			i++;
	}
	if (col)
		sb_addc(sb, '\n');
}

/* A one-line help or summary as a sentence: capitalized, with a period. */
static void mdoc_sentence(struct strbuf *sb, const char *s)
{
	struct strbuf t = STRBUF_INIT;

	sb_adds(&t, s);
	if (t.len && islower((unsigned char)t.buf[0]))
		t.buf[0] = (char)toupper((unsigned char)t.buf[0]);
	if (t.len && t.buf[t.len - 1] != '.')
		sb_addc(&t, '.');
	mdoc_text(sb, t.buf, t.len);
	sb_free(&t);
}

/* One word as a macro argument: quoted when it could be read as a macro
 * or a delimiter. */
static void mdoc_arg(struct strbuf *sb, const char *s, size_t n)
{
	sb_adds(sb, " \\&");
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			sb_adds(sb, "\\e");
		else if (s[i] == '-')
			sb_adds(sb, "\\-");
		else if (s[i] == '"')
			sb_adds(sb, "\\(dq");
		else
			sb_addc(sb, s[i]);
	}
	sb_adds(sb, "\\&");
}

static void mdoc_opt_synopsis(struct strbuf *sb, const struct opt_spec *o)
{
	sb_adds(sb, " Oo Fl \\-");
	sb_adds(sb, o->name);
	if (o->arg) {
		if (o->choices) {
			sb_adds(sb, " Cm");
			for (const char *const *c = o->choices; *c; c++) {
				if (c != o->choices)
					sb_adds(sb, " |");
				mdoc_arg(sb, *c, strlen(*c));
			}
		} else {
			sb_adds(sb, " Ar");
			mdoc_arg(sb, o->arg, strlen(o->arg));
		}
	}
	sb_adds(sb, " Oc");
	if (o->repeat)
		sb_adds(sb, " Ns No ...");
}

/* A synopsis args string ("[sort FIELD [asc|desc]]...") as mdoc. */
static void mdoc_args(struct strbuf *sb, const char *s)
{
	while (s && *s) {
		size_t n = 0;
		bool upper = false, lower = false;

		if (*s == ' ') {
			s++;
			continue;
		}
		if (*s == '[') {
			sb_adds(sb, " Oo");
			s++;
			continue;
		}
		if (*s == ']') {
			sb_adds(sb, " Oc");
			s++;
			continue;
		}
		if (*s == '|') {
			sb_adds(sb, " |");
			s++;
			continue;
		}
		if (!strncmp(s, "...", 3)) {
			sb_adds(sb, " Ns No ...");
			s += 3;
			continue;
		}
		/* A word: up to a blank, a closing bracket, a '|' or "...";
		 * a '[' inside a word (OUTER[KEY]) is part of it. */
		while (s[n] && s[n] != ' ' && s[n] != ']' && s[n] != '|' &&
		       strncmp(s + n, "...", 3)) {
			if (s[n] == '[') {
				const char *close = strchr(s + n, ']');

				if (!close)
					break;
				n = (size_t)(close - s) + 1;
				continue;
			}
			upper |= isupper((unsigned char)s[n]);
			lower |= islower((unsigned char)s[n]);
			n++;
		}
		if (!n) {
			s++;
			continue;
		}
		sb_adds(sb, lower && !upper && s[0] != '-' ? " Cm" : " Ar");
		mdoc_arg(sb, s, n);
		s += n;
	}
}

static void mdoc_description(struct strbuf *sb, const char *d)
{
	bool literal = false;

	while (d && *d) {
		const char *nl = strchr(d, '\n');
		size_t n = nl ? (size_t)(nl - d) : strlen(d);
		bool indented = n && (d[0] == ' ' || d[0] == '\t');

		if (indented && !literal) {
			if (sb->len >= 4 && !strcmp(sb->buf + sb->len - 4, ".Pp\n"))
				sb_trunc(sb, sb->len - 4);
			sb_adds(sb, ".Bd -literal -offset indent\n");
			literal = true;
		} else if (!indented && literal && n) {
			sb_adds(sb, ".Ed\n");
			literal = false;
		}
		if (!n) {
			if (!literal)
				sb_adds(sb, ".Pp\n");
		} else {
			const char *t = d;
			size_t tn = n;

			if (literal) {
				/* drop the common indentation */
				while (tn && (*t == ' ' || *t == '\t') && t - d < 4) {
					t++;
					tn--;
				}
			}
			while (tn && (t[tn - 1] == ' ' || t[tn - 1] == '\t'))
				tn--;
			if (literal) {
				if (tn && (*t == '.' || *t == '\''))
					sb_adds(sb, "\\&");
				for (size_t k = 0; k < tn; k++) {
					if (t[k] == '\\')
						sb_adds(sb, "\\e");
					else
						sb_addc(sb, t[k]);
				}
				sb_addc(sb, '\n');
			} else {
				mdoc_text(sb, t, tn);
			}
		}
		d += n;
		if (*d == '\n')
			d++;
	}
	if (literal)
		sb_adds(sb, ".Ed\n");
}

static void mdoc_opt_list(struct strbuf *sb, const struct opt_spec *opts)
{
	sb_adds(sb, ".Bl -tag -width Ds\n");
	for (const struct opt_spec *o = opts; o && o->name; o++) {
		sb_adds(sb, ".It");
		if (o->short_name)
			sb_addf(sb, " Fl %c ,", o->short_name);
		sb_addf(sb, " Fl \\-%s", o->name);
		if (o->arg) {
			sb_adds(sb, " Ar");
			mdoc_arg(sb, o->arg, strlen(o->arg));
		}
		sb_adds(sb, "\n");
		mdoc_sentence(sb, o->help);
		if (o->choices) {
			sb_adds(sb, "One of");
			for (const char *const *c = o->choices; *c; c++)
				sb_addf(sb, "%s\n.Cm %s", c == o->choices ? "" : " ,", *c);
			sb_adds(sb, " .\n");
		}
	}
	sb_adds(sb, ".El\n");
}

static void mdoc_pos(struct strbuf *sb, const struct cmd *c)
{
	struct strbuf t = STRBUF_INIT;

	cmd_args_text(c, &t);
	mdoc_args(sb, t.len ? sb_str(&t) : NULL);
	sb_free(&t);
}

static void mdoc_cmd(struct strbuf *sb, const struct cmd *c, bool verb)
{
	sb_adds(sb, verb ? ".It Nm Ar MAP Cm" : ".It Nm Cm");
	mdoc_arg(sb, c->name, strlen(c->name));
	for (const struct opt_spec *o = c->opts; o && o->name; o++)
		mdoc_opt_synopsis(sb, o);
	mdoc_pos(sb, c);
	sb_addc(sb, '\n');
	if (c->summary)
		mdoc_sentence(sb, c->summary);
	if (c->alias) {
		sb_adds(sb, "Alias:\n.Cm");
		mdoc_arg(sb, c->alias, strlen(c->alias));
		sb_adds(sb, " .\n");
	}
	if (c->description && *c->description) {
		sb_adds(sb, ".Pp\n");
		mdoc_description(sb, c->description);
	}
	if (c->opts && c->opts->name)
		mdoc_opt_list(sb, c->opts);
}

static void mdoc_session_cmd(struct strbuf *sb, const struct cmd *c)
{
	sb_adds(sb, ".It Ic");
	mdoc_arg(sb, c->name, strlen(c->name));
	mdoc_pos(sb, c);
	sb_addc(sb, '\n');
	mdoc_sentence(sb, c->summary);
	if (c->alias) {
		sb_adds(sb, "Alias:\n.Ic");
		mdoc_arg(sb, c->alias, strlen(c->alias));
		sb_adds(sb, " .\n");
	}
}

static void synopsis_mdoc(struct strbuf *sb)
{
	sb_adds(sb, ".\\\" BEGIN GENERATED: 'make man' writes this part from the command tables\n"
		    ".\\\" (mapsh __synopsis --mdoc); edit the tables, not this text.\n"
		    ".Sh OPTIONS\n"
		    "Global options go before or after the command.\n");
	mdoc_opt_list(sb, cmd_tables.globals);
	sb_adds(sb, ".Sh COMMANDS\n.Bl -tag -width Ds\n");
	for (const struct cmd *c = cmd_tables.top; c->name; c++)
		if (!(c->flags & CMD_HIDDEN))
			mdoc_cmd(sb, c, false);
	sb_adds(sb, ".El\n.Ss Map verbs\n"
		    "The verbs run on the map selected by\n.Ar MAP\n"
		    "(see\n.Sx MAP SELECTION ) .\n"
		    "A verb that the map's type does not support is refused with the list of\n"
		    "the verbs it does.\n");
	{
		const struct cmd *vt = verb_table();

		if (vt->name) {
			sb_adds(sb, ".Bl -tag -width Ds\n");
			for (const struct cmd *v = vt; v->name; v++) {
				if (v->flags & CMD_HIDDEN)
					continue;
				mdoc_cmd(sb, v, true);
				if (v->map_types) {
					bool first = true;

					sb_adds(sb, "Map types:");
					for (unsigned t = 0; t < 64; t++) {
						const char *name;

						if (!((v->map_types >> t) & 1))
							continue;
						name = map_type_str(t);
						sb_addf(sb, "%s\n.Cm %s", first ? "" : " ,",
							name);
						first = false;
					}
					sb_adds(sb, " .\n");
				}
			}
			sb_adds(sb, ".El\n");
		}
	}
	map_types_table(sb, true);
	sb_adds(sb, ".Ss Session commands\n"
		    "In the shell and in scripts, lines starting with a dot change the\n"
		    "session's defaults:\n.Bl -tag -width Ds\n");
	for (const struct cmd *c = session_cmds; c->name; c++)
		mdoc_session_cmd(sb, c);
	sb_adds(sb, ".El\n.\\\" END GENERATED\n");
}

int do_synopsis(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	struct strbuf *sb = &ctx->out.buf;

	if (argc)
		return err_usage("__synopsis takes no arguments");
	if (opts->count[SYNOPSIS_OPT_MDOC]) {
		synopsis_mdoc(sb);
		out_flush(&ctx->out);
		return EXIT_OK;
	}
	for (const struct cmd *c = cmd_tables.top; c->name; c++) {
		if (c->flags & CMD_HIDDEN)
			continue;
		sb_adds(sb, "mapsh ");
		cmd_synopsis(c, sb);
		sb_addc(sb, '\n');
	}
	for (const struct cmd *v = verb_table(); v->name; v++) {
		if (v->flags & CMD_HIDDEN)
			continue;
		sb_adds(sb, "mapsh MAP ");
		cmd_synopsis(v, sb);
		sb_addc(sb, '\n');
	}
	for (const struct cmd *c = session_cmds; c->name; c++) {
		cmd_synopsis(c, sb);
		sb_addc(sb, '\n');
	}
	out_flush(&ctx->out);
	return EXIT_OK;
}
