// SPDX-License-Identifier: GPL-2.0
/* migrate: `mapsh OLD migrate --to NEW`, every entry of OLD copied into
 * NEW by BTF field names (the engine: map/migrate.h). */
#include <stdio.h>
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
	rc = migrate_run(m, to, &mo, NULL, NULL) ? EXIT_FAIL : EXIT_OK;
	mapref_free(to);
	return rc;
}
