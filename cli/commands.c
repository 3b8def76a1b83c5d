// SPDX-License-Identifier: GPL-2.0
/* The command table: the single list of what mapsh can do. Everything that
 * shows or completes commands (help, --help, the REPL, completion scripts,
 * the man page) reads it from here. */
#include <stdio.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include <string.h>
#include "map/audit.h"
#include "shell/batch.h"
#include "commands.h"
#include "cmd/registry.h"
#include "verbs/load.h"
#include "shell/complete.h"
#include "base/err.h"
#include "verbs/map_verbs.h"
#include "verbs/maps.h"
#include "verbs/diff.h"
#include "verbs/export/export.h"
#include "verbs/create.h"


enum {
	GOPT_JSON, GOPT_PRETTY, GOPT_JSONL, GOPT_FORMAT, GOPT_PIN_DIR,
	GOPT_DEBUG, GOPT_RAW, GOPT_YES, GOPT_VERSION, GOPT_FILE, GOPT_KEEP_GOING,
	GOPT_AUDIT_LOG, GOPT_NO_WAIT, GOPT_AS, GOPT_BTF, GOPT_KEY_TYPE,
	GOPT_VALUE_TYPE,
	GOPT_NUMERIC, GOPT_HUMAN,
};

const struct opt_spec mapsh_global_opts[] = {
	[GOPT_JSON] = { "json", 'j', NULL, "JSON output" },
	[GOPT_PRETTY] = { "pretty", 'p', NULL, "pretty-printed JSON (implies --json)" },
	[GOPT_JSONL] = { "jsonl", 0, NULL, "one JSON object per line" },
	[GOPT_FORMAT] = { "format", 0, "FORMAT", "table, plain, json, jsonl, csv (a header row, RFC 4180 quoting) or bpftool (JSON in the shape of 'bpftool -j map dump': raw \"0x..\" byte arrays, \"formatted\" from the map's own BTF, per-CPU \"values\") (default: table on a terminal, plain otherwise)",
			  COMPLETE_WORDS, out_mode_names },
	[GOPT_PIN_DIR] = { "pin-dir", 0, "DIR", "where mapsh pins its maps (default $MAPSH_PIN_DIR or " MAPSH_DEFAULT_PIN_DIR ")",
			   COMPLETE_DIR },
	[GOPT_DEBUG] = { "debug", 'd', NULL, "show libbpf's and libxdp's messages" },
	[GOPT_RAW] = { "raw-values", 0, NULL, "no guessed formats for untagged fields" },
	[GOPT_YES] = { "yes", 'y', NULL, "do not ask before destructive commands" },
	[GOPT_VERSION] = { "version", 'V', NULL, "print the version on one line (mapsh VERSION (libbpf X.Y)) and exit" },
	[GOPT_FILE] = { "file", 'f', "FILE", "run the commands in FILE, one per line ('-': standard input)",
			COMPLETE_FILE },
	[GOPT_KEEP_GOING] = { "keep-going", 'k', NULL, "batch: run every line even after one failed (then exit 1)" },
	[GOPT_AUDIT_LOG] = { "audit-log", 0, "FILE", "append JSON lines for every map change to FILE, before and after it (default $MAPSH_AUDIT_LOG)",
			     COMPLETE_FILE },
	[GOPT_NO_WAIT] = { "no-wait", 0, NULL, "fail at once when another mapsh is writing the map (default: wait for it)" },
	[GOPT_AS] = { "as", 0, "PATH=FORMAT", "show and read field PATH (key, value, key.F, value.F or F) as FORMAT (ipv4, ipv6, mac, port, be, ifindex, ktime, ipproto, tcpflags, hex, counter, log2hist, linhist=MIN,STEP or none); repeatable; also in a types file (" MAP_TYPES_FILE ", ~/.config/mapsh/types, $MAPSH_TYPES: lines 'MAP as PATH=FORMAT', 'MAP btf FILE', 'MAP key-type T', 'MAP value-type T'; MAP a name or pin path, wildcards allowed)",
		      .repeat = true },
	[GOPT_BTF] = { "btf", 0, "FILE", "types for a map without BTF from FILE (an object with BTF, a raw BTF file, /sys/kernel/btf/vmlinux or a module's), with --key-type and --value-type",
		       COMPLETE_FILE },
	[GOPT_KEY_TYPE] = { "key-type", 0, "TYPE", "the key's type in the --btf FILE ('struct flow_key', '__u32'); its size must be the key's" },
	[GOPT_VALUE_TYPE] = { "value-type", 0, "TYPE", "the value's type in the --btf FILE; its size must be the value's" },
	[GOPT_NUMERIC] = { "numeric", 'n', NULL, "numbers, not names: protocols, interfaces and enums as numbers (ports are numbers already), as ss -n and tcpdump -n" },
	[GOPT_HUMAN] = { "human", 'H', NULL, "sizes and counts in text output as 3.4 GiB and 1.2M (byte counts and memory in IEC units, other counters with k, M, G suffixes); JSON stays exact" },
	{ NULL },
};

int global_opt_apply(struct ctx *ctx, int idx, const char *arg)
{
	switch (idx) {
	case GOPT_JSON:
		ctx->set.json = true;
		break;
	case GOPT_PRETTY:
		ctx->set.json = ctx->set.pretty = true;
		break;
	case GOPT_JSONL:
		ctx->set.jsonl = true;
		break;
	case GOPT_FORMAT:
		for (int i = 0; out_mode_names[i]; i++) {
			if (!strcmp(arg, out_mode_names[i])) {
				ctx->set.format_set = true;
				ctx->set.format = (enum out_mode)i;
				ctx->set.json = ctx->set.jsonl = false;
				return EXIT_OK;
			}
		}
		return err_usage("--format: '%s' is not valid (expected table, plain, json, jsonl, csv or bpftool)",
				 arg);
	case GOPT_PIN_DIR:
		if (!arg || !*arg)
			return err_usage("--pin-dir needs a directory");
		ctx->set.map.pin_dir = arg;
		break;
	case GOPT_DEBUG:
		ctx->set.debug = true;
		break;
	case GOPT_RAW:
		ctx->set.map.raw_values = true;
		break;
	case GOPT_YES:
		ctx->set.yes = true;
		break;
	case GOPT_VERSION:
		ctx->set.want_version = true;
		break;
	case GOPT_FILE:
		ctx->set.batch_file = arg;
		break;
	case GOPT_KEEP_GOING:
		ctx->set.keep_going = true;
		break;
	case GOPT_AUDIT_LOG:
		if (!arg || !*arg)
			return err_usage("--audit-log needs a file");
		ctx->set.audit_log = audit_keep_path(arg);
		break;
	case GOPT_NO_WAIT:
		ctx->set.no_wait = true;
		break;
	case GOPT_AS:
		if (map_as_check("--as", arg))
			return EXIT_USAGE;
		if (ctx->set.map.nas == MAP_MAX_AS)
			return err_usage("--as: at most %d", MAP_MAX_AS);
		ctx->set.map.as[ctx->set.map.nas++] = arg;
		break;
	case GOPT_BTF:
		if (!arg || !*arg)
			return err_usage("--btf needs a file");
		ctx->set.map.btf_file = arg;
		break;
	case GOPT_KEY_TYPE:
		ctx->set.map.key_type = arg;
		break;
	case GOPT_VALUE_TYPE:
		ctx->set.map.value_type = arg;
		break;
	case GOPT_NUMERIC:
		ctx->set.map.numeric = true;
		break;
	case GOPT_HUMAN:
		ctx->set.human = true;
		break;
	}
	return EXIT_OK;
}

const char *libbpf_version_text(void)
{
	static char v[32];

	snprintf(v, sizeof(v), "%u.%u", libbpf_major_version(),
		 libbpf_minor_version());
	return v;
}

static int do_help(struct ctx *ctx, const struct cmd *self,
		   const struct opt_vals *opts, int argc, char **argv)
{
	const struct cmd *c;

	if (argc == 0) {
		cmd_print_overview(ctx);
		return EXIT_OK;
	}
	c = cmd_find(mapsh_cmds, argv[0]);
	if (!c)	/* a map verb: `mapsh help dump` */
		c = cmd_find(map_verbs, argv[0]);
	if (!c && mapsel_is_map_word(&ctx->set.map, argv[0])) {
		/* a map: `mapsh help flows` is `mapsh flows --help`, its verbs */
		char **w = calloc((size_t)argc + 2, sizeof(*w));
		int rc;

		if (!w)
			return err_fail("out of memory");
		memcpy(w, argv, (size_t)argc * sizeof(*w));
		w[argc] = "--help";
		rc = map_cmd_run(ctx, argc + 1, w);
		free(w);
		return rc;
	}
	if (!c)
		return err_usage("help: unknown command '%s' (see 'mapsh help')",
				 argv[0]);
	cmd_print_help(ctx, c);
	return EXIT_OK;
}

static int do_version(struct ctx *ctx, const struct cmd *self,
		      const struct opt_vals *opts, int argc, char **argv)
{
	/* -V: one line, as other tools print it (JSON stays an object) */
	if (ctx->set.want_version && !out_is_json(&ctx->out)) {
		out_line(&ctx->out, "mapsh %s (libbpf %s)", MAPSH_VERSION,
			 libbpf_version_text());
		return EXIT_OK;
	}
	out_object_begin(&ctx->out);
	out_str(&ctx->out, "version", MAPSH_VERSION);
	out_str(&ctx->out, "libbpf", libbpf_version_text());
	out_object_end(&ctx->out);
	return EXIT_OK;
}

const struct cmd mapsh_cmds[] = {
	{
		.name = "load", .fn = do_load, .opts = load_opts,
		.summary = "load the bundled programs or your own objects, pin their maps, attach",
		.description = LOAD_DESCRIPTION,
		.flags = CMD_NEEDS_BPF,
	},
	{
		.name = "unload", .fn = do_unload, .opts = unload_opts,
		.summary = "detach mapsh's programs and remove its pins",
		.description = UNLOAD_DESCRIPTION,
		.flags = CMD_NEEDS_BPF,
	},
	{
		.name = "status", .fn = do_status, .opts = status_opts,
		.summary = "show what is loaded, where it is attached, and the pin directory",
		.description = STATUS_DESCRIPTION,
		.flags = CMD_NEEDS_BPF,
	},
	{
		.name = "maps", .alias = "ls", .fn = do_maps, .opts = maps_opts,
		.summary = "list mapsh's maps (or every map of the system with --all)",
		.description = MAPS_DESCRIPTION,
		.flags = CMD_NEEDS_BPF,
	},
	{
		.name = "export", .fn = do_export, .opts = export_opts,
		.pos = (const struct arg_spec[]){ { .kind = ARG_MAP, .flags = ARG_OPTIONAL | ARG_REPEAT }, { .kind = ARG_END } },
		.summary = "serve maps as Prometheus/OpenMetrics metrics on /metrics (or print them once)",
		.description = EXPORT_DESCRIPTION,
		.flags = CMD_NEEDS_BPF,
	},
	{
		.name = "diff", .fn = do_diff_files, .opts = diff_files_opts,
		.pos = (const struct arg_spec[]){ { .kind = ARG_FILE }, { .kind = ARG_FILE },
			{ .kind = ARG_QUERY, .flags = ARG_OPTIONAL, .clauses = QC_WHERE | QC_FIELDS },
			{ .kind = ARG_END } },
		.summary = "show what differs between two save files, typed by a map (--type-of MAP)",
		.description = DIFF_FILES_DESCRIPTION,
	},
	{
		.name = "create", .fn = do_create,
		.pos = (const struct arg_spec[]){ { .kind = ARG_WORD, .name = "NAME" }, { .kind = ARG_WORD, .name = "TYPE" },
			{ .kind = ARG_WORD, .flags = ARG_OPTIONAL | ARG_REPEAT, .name = "key KTYPE value VTYPE max N [FLAG|pin PATH|inner MAP|extra N]" }, { .kind = ARG_END } },
		.summary = "create a map, typed from --btf FILE (or plain sizes), and pin it",
		.description = CREATE_DESCRIPTION,
		.flags = CMD_NEEDS_BPF | CMD_WRITES,
	},
	{
		.name = "help", .fn = do_help, .pos = (const struct arg_spec[]){ { .kind = ARG_COMMAND, .flags = ARG_OPTIONAL }, { .kind = ARG_END } },
		.summary = "show the commands, or one command's help",
	},
	{
		.name = "version", .fn = do_version,
		.summary = "print mapsh's version and the libbpf it uses",
	},
	{
		.name = "source", .fn = do_source, .pos = (const struct arg_spec[]){ { .kind = ARG_FILE }, { .kind = ARG_END } },
		.summary = "run the commands in FILE, one per line",
		.description = SOURCE_DESCRIPTION,
	},
	{
		.name = "use", .fn = do_use, .pos = (const struct arg_spec[]){ { .kind = ARG_MAP, .flags = ARG_OPTIONAL }, { .kind = ARG_END } },
		.summary = "make MAP the current map: verbs then work without it",
		.description = USE_DESCRIPTION,
	},
	{
		.name = "__complete", .fn = do_complete, .opts = complete_opts,
		.pos = (const struct arg_spec[]){ { .kind = ARG_WORD, .flags = ARG_OPTIONAL | ARG_REPEAT, .name = "WORD" }, { .kind = ARG_END } }, .flags = CMD_HIDDEN,
		.summary = "completion candidates for the last word, one per line",
	},
	{
		.name = "__synopsis", .fn = do_synopsis, .opts = synopsis_opts,
		.flags = CMD_HIDDEN,
		.summary = "every command's synopsis, from the command tables",
	},
	{
		.name = "__types", .fn = verb_types_cmd,
		.flags = CMD_HIDDEN,
		.summary = "the verbs of each map type, as the README's Markdown table",
	},
	{ NULL },
};
