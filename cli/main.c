// SPDX-License-Identifier: GPL-2.0
/* mapsh entry point: global options, then one command. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "shell/batch.h"
#include "commands.h"
#include "cmd/cmd.h"
#include "cmd/registry.h"
#include "verbs/map_verbs.h"
#include "base/err.h"
#include "shell/repl.h"
#include "loader/loader.h"

/* Parse the options before the command; returns where the command starts
 * through *i. The generic parser does the work with a table-less command. */
static int parse_global(struct ctx *ctx, int argc, char **argv, int *i,
			bool *want_help)
{
	static const struct opt_spec none[] = { { NULL } };
	static const struct cmd top = { .name = "mapsh", .opts = none };
	char *words[256];
	int n = 0, k = 1, rc;
	struct opt_vals vals;

	while (k < argc && argv[k][0] == '-' && argv[k][1] && n < 254) {
		if (!strcmp(argv[k], "--")) {
			k++;
			break;
		}
		words[n++] = argv[k];
		if (global_opt_takes_next(argv[k]) && k + 1 < argc)
			words[n++] = argv[++k];
		k++;
	}
	words[n] = NULL;
	rc = cmd_parse_opts(ctx, &top, &n, words, &vals, want_help);
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
	if (want_help) {
		cmd_print_overview(&ctx);
		rc = EXIT_OK;
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
	out_fini(&ctx.out);
	return rc;
}
