// SPDX-License-Identifier: GPL-2.0
/* mapsh entry point: global options, then one command. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "output/bpfjson.h"
#include "shell/batch.h"
#include "commands.h"
#include "cmd/argscan.h"
#include "cmd/cmd.h"
#include "cmd/registry.h"
#include "verbs/map_verbs.h"
#include "base/err.h"
#include "shell/repl.h"
#include "loader/loader.h"

/* Parse the global options before the command; returns where the command
 * starts through *i. An option word there that is no global option is
 * reported by the parser ("unknown option"). */
static int parse_global(struct ctx *ctx, int argc, char **argv, int *i,
			bool *want_help)
{
	static const struct opt_spec none[] = { { NULL } };
	static const struct cmd top = { .name = "mapsh", .opts = none };
	char **words = calloc((size_t)argc + 1, sizeof(*words));
	struct opt_vals vals;
	int n, k, rc;

	if (!words)
		abort();
	k = 1 + argscan_globals(argc - 1, argv + 1, words, &n);
	if (k < argc && argscan_is_option(argv[k]) && strcmp(argv[k - 1], "--"))
		words[n++] = argv[k++];
	words[n] = NULL;
	rc = cmd_parse_opts(ctx, &top, "", &n, words, &vals, want_help);
	free(words);
	*i = k;
	return rc;
}

/* The composition root: the tables every floor below reads. */
static void register_tables(void)
{
	cmd_tables = (struct cmd_tables){
		.top = mapsh_cmds,
		.verbs = map_verbs,
		.globals = mapsh_global_opts,
		.apply_global = global_opt_apply,
		.run_map = map_cmd_run,
	};
}

int main(int argc, char **argv)
{
	struct ctx ctx = { 0 };
	bool want_help = false;
	const char *env;
	int i = 1, rc;

	/* A closed pipe must not kill us mid-write: out_flush sees EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	register_tables();
	ctx.tty_out = isatty(STDOUT_FILENO);
	env = getenv("NO_COLOR");
	ctx.color = ctx.tty_out && !(env && *env);
	env = getenv("MAPSH_PIN_DIR");
	ctx.set.map.pin_dir = env && *env ? env : MAPSH_DEFAULT_PIN_DIR;
	out_init(&ctx.out, ctx.tty_out ? OUT_TABLE : OUT_PLAIN, false, stdout);

	rc = parse_global(&ctx, argc, argv, &i, &want_help);
	if (rc)
		goto out;
	loader_set_logging(ctx.set.debug);

	if (ctx.set.want_version) {
		char *v[] = { "version", NULL };

		rc = cmd_run(&ctx, 1, v);
		goto out;
	}
	if (want_help && i >= argc) {
		cmd_print_overview(&ctx);
		rc = EXIT_OK;
		goto out;
	}
	if (want_help) {
		/* `mapsh -h CMD ...` is `mapsh CMD ... --help`, as in a line
		 * of the shell. */
		char **w = calloc((size_t)(argc - i) + 2, sizeof(*w));

		if (!w)
			abort();
		memcpy(w, argv + i, (size_t)(argc - i) * sizeof(*w));
		w[argc - i] = "--help";
		rc = cmd_run(&ctx, argc - i + 1, w);
		free(w);
		goto out;
	}
	if (ctx.set.batch_file) {
		/* mapsh [OPTIONS] -f FILE: a script, one command per line. */
		rc = i < argc ? err_usage("-f FILE runs a script: no command after it ('%s')",
					  argv[i])
			      : batch_run_path(&ctx, ctx.set.batch_file);
		goto out;
	}
	if (i >= argc) {
		/* No command: the shell on a terminal, else a batch on stdin. */
		rc = isatty(STDIN_FILENO) ? repl_run(&ctx)
					  : batch_run_path(&ctx, "-");
		goto out;
	}
	rc = cmd_run(&ctx, argc - i, argv + i);
out:
	session_fini();
	/* The last flush (stdio's too): a write error fails even a command
	 * that succeeded, the shell and a batch (output.h). */
	rc = out_status(&ctx.out, rc);
	out_fini(&ctx.out);
	bj_release();
	return rc;
}
