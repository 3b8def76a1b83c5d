// SPDX-License-Identifier: GPL-2.0
/* migrate: `mapsh OLD migrate --to NEW`, every entry of OLD copied into
 * NEW by BTF field names (the engine: map/migrate.h). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include "base/err.h"
#include "base/interrupt.h"
#include "map/migrate.h"
#include "output/output.h"
#include "verbs/map_verbs.h"

static void say_out(void *arg, const char *line)
{
	struct out *o = arg;

	if (out_is_json(o)) {
		out_record_begin(o);
		out_str(o, "plan", line);
		out_record_end(o);
		return;
	}
	out_line(o, "%s", line);
}

/* --then CMD: run between the sweeps (e.g. to attach the new program). */
struct then {
	const char *cmd;
	struct out *out;
	const char *name;
};

static int run_then(void *arg)
{
	struct then *t = arg;
	int st;

	out_flush(t->out);
	fflush(stdout);
	st = system(t->cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		err_fail("%s migrate: --then '%s' failed (%s %d): no second sweep", t->name,
			 t->cmd, st != -1 && WIFEXITED(st) ? "exit" : "status",
			 st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : st);
		return -1;
	}
	return 0;
}

int verb_migrate(struct ctx *ctx, const struct cmd *cmd,
		 const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map, *to = NULL;
	struct migrate_opts mo = {
		.sets = opts->arg[VOPT_M_SET], .nsets = opts->count[VOPT_M_SET],
		.renames = opts->arg[VOPT_M_RENAME], .nrenames = opts->count[VOPT_M_RENAME],
		.dry_run = opts->count[VOPT_M_DRY_RUN] > 0,
		.audit_log = ctx->set.audit_log, .no_wait = ctx->set.no_wait,
		.say = say_out, .say_arg = &ctx->out,
	};
	char sel[1024], *words[3], *save = NULL;
	int nw = 0, used = 0, rc;

	if (argc)
		return err_usage("%s %s: unexpected argument '%s' (expected --to NEW)",
				 m->name, cmd->name, argv[0]);
	if (!opts->count[VOPT_M_TO])
		return err_usage("%s %s: no --to NEW given (the map to copy into)",
				 m->name, cmd->name);
	/* --to takes a selector: NEW, 'id N', 'pinned PATH', 'name NAME' */
	snprintf(sel, sizeof(sel), "%s", opts->arg[VOPT_M_TO][0]);
	for (char *w = strtok_r(sel, " \t", &save); w && nw < 3; w = strtok_r(NULL, " \t", &save))
		words[nw++] = w;
	if (!nw)
		return err_usage("%s %s: --to: empty map name", m->name, cmd->name);
	rc = mapref_parse(&ctx->set.map, nw, words, &used, &to);
	if (rc)
		return rc;
	if (used != nw) {
		mapref_free(to);
		return err_usage("%s %s: --to %s: one map expected", m->name, cmd->name,
				 opts->arg[VOPT_M_TO][0]);
	}
	if (!mo.dry_run)
		interrupt_catch();
	{
		struct then t = { .out = &ctx->out, .name = to->name };

		if (opts->count[VOPT_M_THEN] && !mo.dry_run)
			t.cmd = opts->arg[VOPT_M_THEN][0];
		rc = migrate_run(m, to, &mo, t.cmd ? run_then : NULL, &t) ? EXIT_FAIL : EXIT_OK;
	}
	mapref_free(to);
	return rc;
}
