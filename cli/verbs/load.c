// SPDX-License-Identifier: GPL-2.0
/* `load`, `unload`, `status`: option handling and output. The mechanics are
 * in loader.c. */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "map/bundle.h"
#include "verbs/load.h"
#include "cmd/ctx.h"
#include "base/err.h"
#include "loader/loader.h"
#include "output/output.h"
#include "base/strbuf.h"

static const char *const mode_choices[] = { "skb", "native", NULL };

const struct opt_spec load_opts[] = {
	[LOAD_OPT_IFACE] = { "iface", 'i', "IFACE",
			     "attach to this interface (repeatable)",
			     COMPLETE_IFACE, NULL, true },
	[LOAD_OPT_MODE] = { "mode", 'm', "MODE",
			    "XDP mode: skb or native (default: the existing dispatcher's, else native, falling back to skb)",
			    COMPLETE_WORDS, mode_choices },
	[LOAD_OPT_PIN_DIR] = { "pin-dir", 0, "DIR",
			       "pin directory (default $MAPSH_PIN_DIR or " MAPSH_DEFAULT_PIN_DIR ")",
			       COMPLETE_DIR },
	[LOAD_OPT_OBJECT] = { "object", 'o', "FILE",
			      "load this BPF object instead of the bundled programs (repeatable)",
			      COMPLETE_FILE, NULL, true },
	[LOAD_OPT_MIGRATE] = { "migrate", 0, NULL,
			       "with --object: migrate pinned maps whose type changed, keeping a backup" },
	[LOAD_OPT_DRY_RUN] = { "dry-run", 'n', NULL,
			       "with --migrate: show what would be copied, change nothing" },
	[LOAD_OPT_SET] = { "set", 0, "FIELD=VALUE",
			   "with --migrate: the value of a field only the new type has (repeatable)",
			   COMPLETE_NONE, NULL, true },
	[LOAD_OPT_RENAME] = { "rename", 0, "OLD=NEW",
			      "with --migrate: the old field OLD goes to the new field NEW (repeatable)",
			      COMPLETE_NONE, NULL, true },
	[LOAD_OPT_ROLLBACK] = { "rollback", 0, NULL,
				"put back the programs and maps a --migrate replaced" },
	[LOAD_OPT_COMMIT] = { "commit", 0, NULL,
			      "remove the backup a --migrate kept" },
	{ NULL },
};

const struct opt_spec unload_opts[] = {
	[UNLOAD_OPT_IFACE] = { "iface", 'i', "IFACE",
			       "detach from this interface only (repeatable)",
			       COMPLETE_IFACE, NULL, true },
	[UNLOAD_OPT_KEEP_MAPS] = { "keep-maps", 0, NULL,
				   "keep the map pins (and their contents)" },
	[UNLOAD_OPT_PIN_DIR] = { "pin-dir", 0, "DIR",
				 "pin directory (default $MAPSH_PIN_DIR or " MAPSH_DEFAULT_PIN_DIR ")",
				 COMPLETE_DIR },
	[UNLOAD_OPT_PURGE] = { "purge", 0, NULL,
			       "with --iface: remove the map pins too when mapsh then runs nowhere (and those interfaces' inner maps)" },
	{ NULL },
};

const struct opt_spec status_opts[] = {
	[STATUS_OPT_PIN_DIR] = { "pin-dir", 0, "DIR",
				 "pin directory (default $MAPSH_PIN_DIR or " MAPSH_DEFAULT_PIN_DIR ")",
				 COMPLETE_DIR },
	{ NULL },
};

/* The command's --pin-dir, else the global one; trailing slashes dropped
 * so messages and pin paths read cleanly. */
static const char *pin_dir_of(const struct ctx *ctx, const struct opt_vals *opts,
			      int idx)
{
	static char buf[4096];
	const char *d = opt_get(opts, idx);
	size_t n;

	if (!d || !*d)
		d = ctx->set.map.pin_dir && *ctx->set.map.pin_dir ? ctx->set.map.pin_dir : MAPSH_DEFAULT_PIN_DIR;
	n = strlen(d);
	if (n >= sizeof(buf))
		return d;
	memcpy(buf, d, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return buf;
}

static int no_args(const struct cmd *cmd, int argc, char **argv)
{
	if (argc > 0)
		return err_usage("%s: unexpected argument '%s' (see 'mapsh %s --help')",
				 cmd->name, argv[0], cmd->name);
	return EXIT_OK;
}

static void obj_result_out(struct out *o, const char *pin_dir,
			   const struct loader_obj_result *res, const char *verb)
{
	if (out_is_json(o)) {
		out_object_begin(o);
		out_str(o, "pin_dir", pin_dir);
		out_list_begin_named(o, "objects");
		for (int i = 0; i < res->nobjs; i++) {
			const struct loader_obj_info *ob = &res->obj[i];
			struct jw *w;

			out_record_begin(o);
			out_str(o, "object", ob->name);
			out_u64(o, "maps", (uint64_t)ob->nmaps);
			out_u64(o, "maps_reused", (uint64_t)ob->maps_reused);
			out_u64(o, "maps_migrated", (uint64_t)ob->maps_migrated);
			w = out_json_field(o, "programs");
			if (w) {
				jw_start_array(w);
				for (int j = 0; j < ob->nprogs; j++) {
					jw_start_object(w);
					jw_kv_string(w, "name", ob->prog[j].name);
					jw_kv_u64(w, "id", ob->prog[j].id);
					jw_kv_string(w, "hook", ob->prog[j].hook ? ob->prog[j].hook
										  : "none");
					jw_end_object(w);
				}
				jw_end_array(w);
			}
			out_record_end(o);
		}
		out_list_end(o);
		out_list_begin_named(o, "attached");
		for (int i = 0; i < res->nifaces; i++) {
			out_record_begin(o);
			out_str(o, "iface", res->ifname[i]);
			out_record_end(o);
		}
		out_list_end(o);
		out_u64(o, "replaced", (uint64_t)res->superseded);
		out_u64(o, "migrated", (uint64_t)res->migrated);
		out_bool(o, "backup", res->backup);
		out_object_end(o);
	} else {
		struct strbuf sb = STRBUF_INIT;

		for (int i = 0; i < res->nobjs; i++) {
			const struct loader_obj_info *ob = &res->obj[i];

			sb_addf(&sb, "%s%s %s (", i ? "; " : "", verb, ob->name);
			for (int j = 0; j < ob->nprogs; j++)
				sb_addf(&sb, "%s%s %s", j ? ", " : "", ob->prog[j].name,
					ob->prog[j].hook ? ob->prog[j].hook : "none");
			sb_addf(&sb, "); %d maps pinned in %s", ob->nmaps, pin_dir);
			if (ob->maps_reused)
				sb_addf(&sb, " (%d reused)", ob->maps_reused);
			if (ob->maps_migrated)
				sb_addf(&sb, ", %d migrated", ob->maps_migrated);
		}
		for (int i = 0; i < res->nifaces; i++)
			sb_addf(&sb, "%s%s", i ? ", " : "; attached to ", res->ifname[i]);
		if (res->backup)
			sb_addf(&sb, "; old maps kept in %s/backup ('load --rollback' or "
				"'load --commit')", pin_dir);
		out_line(o, "%s", sb_str(&sb));
		sb_free(&sb);
	}
}

/* load --object / --rollback / --commit. */
static int do_load_objects(struct ctx *ctx, const struct opt_vals *opts,
			   enum loader_mode mode)
{
	struct loader_obj_req req = { 0 };
	static struct loader_obj_result res;
	struct out *o = &ctx->out;
	const char *pin_dir = pin_dir_of(ctx, opts, LOAD_OPT_PIN_DIR);
	bool rollback = opts->count[LOAD_OPT_ROLLBACK] > 0;
	bool commit = opts->count[LOAD_OPT_COMMIT] > 0;
	int nobj = opts->count[LOAD_OPT_OBJECT], rc, n = 0;

	if (rollback + commit + (nobj > 0) > 1)
		return err_usage("load: --object, --rollback and --commit go alone");
	if (!nobj && (opts->count[LOAD_OPT_MIGRATE] || opts->count[LOAD_OPT_IFACE]))
		return err_usage("load: --%s with --rollback/--commit",
				 opts->count[LOAD_OPT_MIGRATE] ? "migrate" : "iface");
	if (!opts->count[LOAD_OPT_MIGRATE] &&
	    (opts->count[LOAD_OPT_DRY_RUN] || opts->count[LOAD_OPT_SET] ||
	     opts->count[LOAD_OPT_RENAME]))
		return err_usage("load: --dry-run, --set and --rename go with --migrate");
	loader_set_logging(ctx->set.debug);
	if (commit) {
		rc = loader_obj_commit(pin_dir, &n);
		if (rc)
			return rc;
		if (out_is_json(o)) {
			out_object_begin(o);
			out_str(o, "pin_dir", pin_dir);
			out_u64(o, "committed", (uint64_t)n);
			out_object_end(o);
		} else {
			out_line(o, "committed: removed the backup of %d object%s from %s", n,
				 n == 1 ? "" : "s", pin_dir);
		}
		return EXIT_OK;
	}
	if (rollback) {
		rc = loader_obj_rollback(pin_dir, &res);
		if (!res.nobjs)
			return rc;
		if (out_is_json(o)) {
			out_object_begin(o);
			out_str(o, "pin_dir", pin_dir);
			out_list_begin_named(o, "restored");
			for (int i = 0; i < res.nobjs; i++) {
				out_record_begin(o);
				out_str(o, "object", res.obj[i].name);
				out_record_end(o);
			}
			out_list_end(o);
			out_u64(o, "maps_restored", (uint64_t)res.migrated);
			out_object_end(o);
		} else {
			struct strbuf sb = STRBUF_INIT;

			for (int i = 0; i < res.nobjs; i++)
				sb_addf(&sb, "%s%s", i ? ", " : "rolled back to ", res.obj[i].name);
			sb_addf(&sb, "; %d map%s put back in %s", res.migrated,
				res.migrated == 1 ? "" : "s", pin_dir);
			out_line(o, "%s", sb_str(&sb));
			sb_free(&sb);
		}
		return rc;
	}
	req.pin_dir = pin_dir;
	req.files = (const char *const *)opts->arg[LOAD_OPT_OBJECT];
	req.nfiles = nobj;
	req.ifaces = (const char *const *)opts->arg[LOAD_OPT_IFACE];
	req.nifaces = opts->count[LOAD_OPT_IFACE];
	req.mode = mode;
	req.migrate = opts->count[LOAD_OPT_MIGRATE] > 0;
	req.dry_run = opts->count[LOAD_OPT_DRY_RUN] > 0;
	req.sets = (const char *const *)opts->arg[LOAD_OPT_SET];
	req.nsets = opts->count[LOAD_OPT_SET];
	req.renames = (const char *const *)opts->arg[LOAD_OPT_RENAME];
	req.nrenames = opts->count[LOAD_OPT_RENAME];
	req.audit_log = ctx->set.audit_log;
	rc = loader_load_objects(&req, &res);
	if (rc || req.dry_run)
		return rc;
	obj_result_out(o, pin_dir, &res, "loaded");
	return EXIT_OK;
}

int do_load(struct ctx *ctx, const struct cmd *cmd, const struct opt_vals *opts,
	    int argc, char **argv)
{
	struct loader_load_req req = { 0 };
	static struct loader_load_result res;
	const char *mode = opt_get(opts, LOAD_OPT_MODE);
	struct out *o = &ctx->out;
	int rc;

	rc = no_args(cmd, argc, argv);
	if (rc)
		return rc;
	req.mode = LOADER_MODE_AUTO;
	if (mode) {
		if (!strcmp(mode, "skb"))
			req.mode = LOADER_MODE_SKB;
		else if (!strcmp(mode, "native"))
			req.mode = LOADER_MODE_NATIVE;
		else
			return err_usage("--mode: '%s' is not valid (expected skb or native)",
					 mode);
	}
	for (int i = LOAD_OPT_OBJECT; i <= LOAD_OPT_COMMIT; i++)
		if (opts->count[i])
			return do_load_objects(ctx, opts, req.mode);
	req.pin_dir = pin_dir_of(ctx, opts, LOAD_OPT_PIN_DIR);
	req.ifaces = (const char *const *)opts->arg[LOAD_OPT_IFACE];
	req.nifaces = opts->count[LOAD_OPT_IFACE];
	loader_set_logging(ctx->set.debug);

	rc = loader_load(&req, &res);
	if (rc)
		return rc;

	if (out_is_json(o)) {
		out_object_begin(o);
		out_str(o, "pin_dir", req.pin_dir);
		out_list_begin_named(o, "programs");
		for (int i = 0; bundle_objs[i].name; i++) {
			out_record_begin(o);
			out_str(o, "name", bundle_objs[i].prog_name);
			out_u64(o, "id", res.prog_id[i]);
			out_record_end(o);
		}
		out_list_end(o);
		out_u64(o, "maps_pinned", (uint64_t)res.maps_pinned);
		out_u64(o, "maps_created", (uint64_t)res.maps_created);
		out_u64(o, "maps_reused", (uint64_t)res.maps_reused);
		out_bool(o, "config_defaults", res.config_defaults);
		out_list_begin_named(o, "attached");
		for (int i = 0; i < res.nifaces; i++) {
			out_record_begin(o);
			out_str(o, "iface", res.ifname[i]);
			out_str(o, "xdp_mode", res.xdp_mode[i]);
			out_str(o, "tc", "ingress");
			out_bool(o, "moved", res.moved[i]);
			out_record_end(o);
		}
		out_list_end(o);
		out_object_end(o);
	} else {
		struct strbuf sb = STRBUF_INIT;

		sb_adds(&sb, "loaded ");
		for (int i = 0; bundle_objs[i].name; i++)
			sb_addf(&sb, "%s%s", i ? ", " : "", bundle_objs[i].prog_name);
		sb_addf(&sb, "; %d maps pinned in %s", res.maps_pinned, req.pin_dir);
		if (res.maps_reused && res.maps_created)
			sb_addf(&sb, " (%d reused)", res.maps_reused);
		else if (res.maps_reused)
			sb_adds(&sb, " (all reused)");
		if (!res.nifaces)
			sb_adds(&sb, "; not attached to any interface");
		for (int i = 0; i < res.nifaces; i++)
			sb_addf(&sb, "%s%s (xdp %s, tc ingress)",
				i ? ", " : "; attached to ", res.ifname[i],
				res.xdp_mode[i]);
		out_line(o, "%s", sb_str(&sb));
		sb_free(&sb);
	}
	return EXIT_OK;
}

int do_unload(struct ctx *ctx, const struct cmd *cmd, const struct opt_vals *opts,
	      int argc, char **argv)
{
	struct loader_unload_req req = { 0 };
	static struct loader_unload_result res;
	struct out *o = &ctx->out;
	int rc;

	rc = no_args(cmd, argc, argv);
	if (rc)
		return rc;
	req.pin_dir = pin_dir_of(ctx, opts, UNLOAD_OPT_PIN_DIR);
	req.ifaces = (const char *const *)opts->arg[UNLOAD_OPT_IFACE];
	req.nifaces = opts->count[UNLOAD_OPT_IFACE];
	if (opts->count[UNLOAD_OPT_KEEP_MAPS] && opts->count[UNLOAD_OPT_PURGE])
		return err_usage("unload: --keep-maps and --purge contradict each other (choose one)");
	/* With --iface the maps stay unless --purge: detaching from the last
	 * interface is no reason to lose their contents. */
	req.keep_maps = opts->count[UNLOAD_OPT_KEEP_MAPS] > 0 ||
			(req.nifaces > 0 && !opts->count[UNLOAD_OPT_PURGE]);
	loader_set_logging(ctx->set.debug);

	rc = loader_unload(&req, &res);
	if (rc && !res.ndetached)
		return rc;

	if (out_is_json(o)) {
		out_object_begin(o);
		out_str(o, "pin_dir", req.pin_dir);
		out_list_begin_named(o, "detached");
		for (int i = 0; i < res.ndetached; i++) {
			out_record_begin(o);
			out_str(o, "iface", res.ifname[i]);
			out_record_end(o);
		}
		out_list_end(o);
		out_bool(o, "unloaded", res.full);
		out_u64(o, "maps_unpinned", (uint64_t)res.maps_unpinned);
		out_u64(o, "inner_unpinned", (uint64_t)res.inner_unpinned);
		out_u64(o, "still_attached", (uint64_t)res.still_attached);
		out_u64(o, "maps_kept", (uint64_t)res.maps_kept);
		out_u64(o, "inner_kept", (uint64_t)res.inner_kept);
		out_u64(o, "objects_unloaded", (uint64_t)res.objs_unloaded);
		out_object_end(o);
	} else {
		struct strbuf sb = STRBUF_INIT;

		if (res.ndetached) {
			for (int i = 0; i < res.ndetached; i++)
				sb_addf(&sb, "%s%s", i ? ", " : "detached from ",
					res.ifname[i]);
		} else {
			sb_adds(&sb, "not attached anywhere");
		}
		if (res.full) {
			if (res.bundled)
				sb_adds(&sb, "; unloaded flowtrack, policy");
			if (res.objs_unloaded)
				sb_addf(&sb, "; unloaded %d object%s", res.objs_unloaded,
					res.objs_unloaded == 1 ? "" : "s");
			if (req.keep_maps && !opts->count[UNLOAD_OPT_KEEP_MAPS])
				sb_addf(&sb, "; kept %d map pins%s in %s (remove them with 'mapsh unload --purge')",
					res.maps_kept,
					res.inner_kept ? " and the inner maps" : "",
					req.pin_dir);
			else if (req.keep_maps)
				sb_addf(&sb, "; maps kept in %s", req.pin_dir);
			else
				sb_addf(&sb, "; removed %d map pins%s from %s",
					res.maps_unpinned,
					res.inner_unpinned ? " and the inner maps" : "",
					req.pin_dir);
		} else {
			sb_addf(&sb, "; still attached to %d other interface%s",
				res.still_attached, res.still_attached == 1 ? "" : "s");
			if (res.inner_kept)
				sb_addf(&sb, "; kept %d inner map pin%s (--purge removes them)",
					res.inner_kept, res.inner_kept == 1 ? "" : "s");
		}
		out_line(o, "%s", sb_str(&sb));
		sb_free(&sb);
	}
	return rc;
}

static const char *prog_type_name(__u32 t)
{
	const char *s = libbpf_bpf_prog_type_str((enum bpf_prog_type)t);

	return s ? s : "unknown";
}

int do_status(struct ctx *ctx, const struct cmd *cmd, const struct opt_vals *opts,
	      int argc, char **argv)
{
	struct loader_state st;
	struct out *o = &ctx->out;
	bool loaded = false;
	char buf[64];
	int rc;

	rc = no_args(cmd, argc, argv);
	if (rc)
		return rc;
	loader_set_logging(ctx->set.debug);
	rc = loader_status(pin_dir_of(ctx, opts, STATUS_OPT_PIN_DIR), &st);
	if (rc)
		return rc;
	for (int i = 0; i < st.nprogs; i++)
		loaded |= st.progs[i].pinned;
	for (int i = 0; i < st.nobjs; i++)
		loaded |= !st.objs[i].backup;

	out_object_begin(o);
	out_str(o, "pin_dir", st.pin_dir);
	out_bool(o, "loaded", loaded);
	out_u64(o, "maps_pinned", (uint64_t)st.maps_pinned);
	out_u64(o, "inner_maps_pinned", (uint64_t)st.inner_pinned);

	out_list_begin_named(o, "programs");
	for (int i = 0; i < st.nprogs; i++) {
		const struct loader_prog *p = &st.progs[i];

		if (!p->pinned)
			continue;
		out_record_begin(o);
		out_str(o, "program", p->name);
		out_u64(o, "id", p->id);
		out_str(o, "type", prog_type_name(p->type));
		out_str(o, "pinned", p->pin);
		out_record_end(o);
	}
	out_list_end(o);

	/* load --object: the objects, and their programs */
	out_list_begin_named(o, "objects");
	for (int i = 0; i < st.nobjs; i++) {
		const struct loader_obj_info *ob = &st.objs[i];
		struct strbuf sb = STRBUF_INIT;

		out_record_begin(o);
		out_str(o, "object", ob->name);
		for (int j = 0; j < ob->nprogs; j++)
			sb_addf(&sb, "%s%s:%u", j ? "," : "", ob->prog[j].name, ob->prog[j].id);
		out_str(o, "programs", sb_str(&sb));
		out_u64(o, "maps", (uint64_t)ob->nmaps);
		out_str(o, "state", ob->backup ? "backup" : "loaded");
		out_record_end(o);
		sb_free(&sb);
	}
	out_list_end(o);

	out_list_begin_named(o, "attachments");
	for (int i = 0; i < st.natt; i++) {
		const struct loader_attachment *a = &st.att[i];
		struct jw *w;

		out_record_begin(o);
		out_str(o, "iface", a->ifname);
		out_str(o, "hook", a->tc ? "tc" : "xdp");
		if (out_is_json(o)) {
			out_str(o, "program", a->prog_name);
			out_bool(o, "current", a->current);
		} else {
			snprintf(buf, sizeof(buf), "%s%s", a->prog_name,
				 a->current ? "" : " (old)");
			out_str(o, "program", buf);
		}
		out_u64(o, "id", a->prog_id);
		out_str(o, "mode", a->mode);
		out_u64(o, "priority", a->tc ? a->tc_prio : a->run_prio);
		w = out_json_field(o, "position");
		if (w) {
			if (a->tc)
				jw_null(w);
			else
				jw_u64(w, a->position);
		}
		if (a->tc)
			snprintf(buf, sizeof(buf), "handle 0x%x", a->tc_handle);
		else if (a->dispatcher)
			snprintf(buf, sizeof(buf), "%u/%u", a->position, a->nprogs);
		else
			snprintf(buf, sizeof(buf), "alone");
		out_text_field(o, "position", buf);
		if (out_is_json(o)) {
			if (a->tc) {
				snprintf(buf, sizeof(buf), "0x%x", a->tc_handle);
				out_str(o, "handle", buf);
			} else {
				out_u64(o, "dispatcher_programs", a->nprogs);
				out_bool(o, "dispatcher", a->dispatcher);
			}
		}
		out_record_end(o);
	}
	out_list_end(o);
	out_object_end(o);
	loader_state_free(&st);
	return EXIT_OK;
}
