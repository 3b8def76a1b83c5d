// SPDX-License-Identifier: GPL-2.0
/* `mapsh MAP watch`: a live view of a map with per-key rates and deltas.
 * On a terminal (table output) the full-screen view of tty.c runs;
 * otherwise line mode (lines.c) prints what changed at each refresh. A ring
 * buffer has a view of its own (ring.c). */
#include <string.h>
#include "base/err.h"
#include "base/interrupt.h"
#include "verbs/map_verbs.h"
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
