// SPDX-License-Identifier: GPL-2.0
/* recover: what an interrupted write of several entries (apply, clear)
 * left, put back from its undo journal (map/journal.h, map/write.h):
 * every journaled key to its old bytes, or --forward to its new ones;
 * --discard forgets the journal. */
#include <stdio.h>
#include "base/err.h"
#include "base/interrupt.h"
#include "map/write.h"
#include "verbs/map_verbs.h"

int verb_recover(struct ctx *ctx, const struct cmd *cmd,
		 const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	bool forward = opts->count[VOPT_FORWARD] > 0;
	bool discard = opts->count[VOPT_DISCARD] > 0;
	bool found = false;
	size_t written = 0;
	char who[160] = "", n[32];
	int rc;

	rc = verb_no_args(m, cmd->name, argc, argv);
	if (rc)
		return rc;
	if (forward && discard)
		return err_usage("%s recover: --forward and --discard exclude each other",
				 m->name);
	if (discard) {
		rc = mapw_discard(m, &found);
	} else {
		/* A Ctrl-C stops it between batches: the journal stays, and
		 * running it again goes on from where the map is. */
		interrupt_catch();
		rc = mapw_recover(m, forward, &found, &written, who, sizeof(who));
	}
	if (rc)
		return rc;
	if (out_is_json(o)) {
		out_object_begin(o);
		out_str(o, "map", m->name);
		out_bool(o, "journal", found);
		if (found && *who)
			out_str(o, "write", who);
		out_str(o, "done", discard ? "discarded" : forward ? "forward" : "back");
		out_u64(o, "written", written);
		out_object_end(o);
	} else if (!found) {
		out_line(o, "%s: nothing to recover (no interrupted write)", m->name);
	} else if (discard) {
		out_line(o, "%s: the journal of the interrupted write is removed; the map is left as it is",
			 m->name);
	} else if (forward) {
		out_line(o, "%s: finished the interrupted %s: %s entries written",
			 m->name, who, mapw_count_text(written, n, sizeof(n)));
	} else {
		out_line(o, "%s: undid the interrupted %s: %s entries put back as they were",
			 m->name, who, mapw_count_text(written, n, sizeof(n)));
	}
	return EXIT_OK;
}
