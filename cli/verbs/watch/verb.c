// SPDX-License-Identifier: GPL-2.0
/* `mapsh MAP watch`: a live view of a map with per-key rates and deltas.
 * On a terminal (table output) the full-screen view of tty.c runs;
 * otherwise line mode (lines.c) prints what changed at each refresh. A ring
 * buffer has a view of its own (ring.c). */
#include <string.h>
#include "base/err.h"
#include "base/interrupt.h"
#include "verbs/map_verbs.h"
#include "map/repin.h"
#include "verbs/watch/watch.h"

const struct opt_spec watch_opts[] = {
	[WOPT_INTERVAL] = { "interval", 'i', "SECONDS",
			    "time between refreshes (default 1; fractions allowed: 0.5; at least 0.1)" },
	[WOPT_RATE] = { "rate", 0, NULL,
			"counters as a rate per second, FIELD/s (default on a terminal)" },
	[WOPT_DELTA] = { "delta", 0, NULL,
			 "counters as the change since the last refresh, FIELD+ (default in line mode)" },
	[WOPT_COUNT] = { "count", 0, "N", "stop after N refreshes" },
	[WOPT_ALL] = { "all", 0, NULL, "arrays: also show elements that are all zero" },
	{ NULL },
};

int watch_follow_pin(struct watch *w)
{
	struct ctx *ctx = w->ctx;
	struct watch keep = *w;
	struct mapref *old = NULL;
	struct strbuf said = STRBUF_INIT;
	char note[sizeof(w->note)];
	int r, rc;

	/* The full-screen view shows the line itself: stderr would land on
	 * its screen and go with it. */
	r = mapref_follow_pin(&ctx->map, &ctx->set.map, 0, &old,
			      w->tty ? &said : NULL);
	snprintf(note, sizeof(note), "%s", sb_str(&said));
	sb_free(&said);
	if (r == MAPREF_PIN_SAME)
		return 0;
	if (r == MAPREF_PIN_GONE) {
		/* Said on stderr, or (the view) to say once it is left. */
		snprintf(w->err, sizeof(w->err), "%.255s", note);
		return -1;
	}
	/* Everything set up points into the old map's types: set it up
	 * again on the new one, then let the old one go. */
	watch_free(w);
	mapref_free(old);
	rc = watch_init(w, ctx, keep.opts);
	if (!rc)
		rc = watch_setup(w, keep.opts, keep.argc, keep.argv);
	if (rc) {
		/* Said why; nothing is left to free. */
		memset(w, 0, sizeof(*w));
		w->ctx = ctx;
		w->m = ctx->map;
		w->tty = keep.tty;
		snprintf(w->err, sizeof(w->err),
			 "%.160s watch: stopped: the words of the watch do not fit the new map",
			 w->m->name);
		return -1;
	}
	w->sink = keep.sink;
	w->refreshes = keep.refreshes;
	w->total_removed = keep.total_removed;
	w->hold_max = keep.hold_max;
	/* The view's sort, as the keys left it, where the new map has it. */
	if (w->tty && keep.own_sortq && keep.sort_word[0])
		watch_set_sort(w, keep.sort_word, keep.sort_desc);
	snprintf(w->note, sizeof(w->note), "%s", note);
	w->rebase = true;
	return 1;
}

int verb_watch(struct ctx *ctx, const struct cmd *cmd,
	       const struct opt_vals *opts, int argc, char **argv)
{
	struct watch w;
	int rc;

	rc = watch_init(&w, ctx, opts);
	if (!rc)
		rc = watch_setup(&w, opts, argc, argv);
	if (rc)
		return rc;
	if (!w.tty)
		w.sink = &watch_lines_sink;
	/* Ctrl-C and SIGTERM end the watch cleanly, in one-shot mode too. */
	interrupt_catch();
	rc = w.tty ? watch_tty_run(&w) : watch_lines_run(&w);
	out_flush(&ctx->out);
	watch_free(&w);
	return rc;
}
