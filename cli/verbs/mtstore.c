// SPDX-License-Identifier: GPL-2.0
/* The map types the kernel keys by something else than bytes, or types
 * from its own BTF: task, cgroup and inode storages (by PID, cgroup
 * directory or file, opened as the fd the kernel takes) and struct_ops
 * maps (the kernel's struct bpf_struct_ops_NAME). See map_verbs.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "base/err.h"
#include "map/mapinfo.h"
#include "map/write.h"
#include "verbs/map_verbs.h"

/* ---- local storages: reached through a file descriptor ---- */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* The fd a local storage is keyed by, opened from KEY: a PID (task),
 * a cgroup directory (cgrp), a file (inode); -1 after printing why. */
static int storage_key_fd(const struct mapref *m, const char *verb, int argc,
			  char **argv)
{
	const char *w;
	int fd;

	if (m->info.type == BPF_MAP_TYPE_SK_STORAGE) {
		return -err_usage("%s %s: a socket storage is keyed by a socket of the reading process, which a command line cannot give",
				  m->name, verb);
	}
	if (argc < 1) {
		return -err_usage("%s %s: expected %s", m->name, verb,
			  m->info.type == BPF_MAP_TYPE_TASK_STORAGE ? "a PID" :
			  m->info.type == MAPSH_MAP_TYPE_CGRP_STORAGE ? "a cgroup directory" :
			  "a file");
	}
	w = argv[0];
	if (m->info.type == BPF_MAP_TYPE_TASK_STORAGE) {
		char *end;
		long pid;

		if (!strncmp(w, "pid=", 4))
			w += 4;
		errno = 0;
		pid = strtol(w, &end, 10);
		if (errno || *end || pid <= 0 || pid > 0x3fffffff) {
			return -err_usage("%s %s: '%s' is not a PID", m->name, verb,
					  argv[0]);
		}
		fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
		if (fd < 0)
			return -err_fail("%s %s: no process %ld: %s", m->name, verb,
					 pid, strerror(errno));
		return fd;
	}
	fd = open(w, O_RDONLY | O_CLOEXEC |
		  (m->info.type == MAPSH_MAP_TYPE_CGRP_STORAGE ? O_DIRECTORY : 0));
	if (fd < 0)
		return -err_fail("%s %s: cannot open %s: %s", m->name, verb, w,
				 strerror(errno));
	return fd;
}

static int storage_error(const struct mapref *m, const char *verb,
			 const char *key, int e)
{
	if (e == ENOENT)
		return err_fail("%s: no entry for %s", m->name, key);
	if (e == EBADF || e == EINVAL)
		return err_fail("%s %s: the kernel refused %s as a key of a %s map: %s",
				m->name, verb, key, map_type_str(m->info.type),
				strerror(e));
	return err_fail("%s %s: %s", m->name, verb, strerror(e));
}

int mt_storage_lookup(struct ctx *ctx, const struct cmd *cmd,
		      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	void *v;
	int fd, rc = EXIT_OK;

	(void)opts;
	if (argc > 1)
		return err_usage("%s %s: unexpected '%s'", m->name, cmd->name, argv[1]);
	fd = storage_key_fd(m, cmd->name, argc, argv);
	if (fd < 0)
		return -fd;
	v = calloc(1, m->info.value_size + 8);
	if (!v) {
		close(fd);
		return err_fail("out of memory");
	}
	if (bpf_map_lookup_elem(m->fd, &fd, v)) {
		rc = storage_error(m, cmd->name, argv[0], errno);
	} else {
		struct strbuf sb = STRBUF_INIT;
		struct jw *w;

		out_object_begin(o);
		out_str(o, "key", argv[0]);
		w = out_json_field(o, "value");
		if (w) {
			tv_format_json(m->value, v, w);
		} else {
			tv_format_text(m->value, v, &sb);
			out_text_field(o, "value", sb_str(&sb));
		}
		out_object_end(o);
		sb_free(&sb);
	}
	free(v);
	close(fd);
	return rc;
}

int mt_storage_update(struct ctx *ctx, const struct cmd *cmd,
		      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct strbuf err = STRBUF_INIT;
	__u64 flags;
	void *v;
	int fd, rc, skip = 1;

	rc = verb_update_flags(m, cmd->name, opts, &flags);
	if (rc)
		return rc;
	if (argc >= 2 && !strcmp(argv[1], "value"))
		skip = 2;
	if (argc <= skip)
		return err_usage("%s %s: expected KEY VALUE", m->name, cmd->name);
	fd = storage_key_fd(m, cmd->name, argc, argv);
	if (fd < 0)
		return -fd;
	v = calloc(1, m->info.value_size + 8);
	if (!v) {
		close(fd);
		return err_fail("out of memory");
	}
	/* The fields VALUE does not name keep what the entry has. */
	if (bpf_map_lookup_elem(m->fd, &fd, v))
		memset(v, 0, m->info.value_size);
	if (tv_parse_args(m->value, argc - skip, argv + skip, v, 0, &err)) {
		rc = err_usage("%s %s: %s", m->name, cmd->name,
			       err.len ? sb_str(&err) : "not a valid value");
	} else if ((rc = mapw_update(m, &fd, v, flags)) < 0) {
		if (rc == -EEXIST)
			rc = err_fail("%s: %s has an entry already (use update or replace)",
				      m->name, argv[0]);
		else
			rc = storage_error(m, cmd->name, argv[0], -rc);
	}
	sb_free(&err);
	free(v);
	close(fd);
	return rc;
}

int mt_storage_delete(struct ctx *ctx, const struct cmd *cmd,
		      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	int fd, rc = EXIT_OK;

	(void)opts;
	if (argc > 1)
		return err_usage("%s %s: unexpected '%s'", m->name, cmd->name, argv[1]);
	fd = storage_key_fd(m, cmd->name, argc, argv);
	if (fd < 0)
		return -fd;
	if ((rc = mapw_delete(m, &fd)) < 0)
		rc = storage_error(m, cmd->name, argv[0], -rc);
	close(fd);
	return rc;
}

/* ---- struct_ops: the kernel's struct, typed from its BTF ---- */

/* Is the pointer field l of a struct_ops value v a callback: in "data",
 * holding the id of a struct_ops program (what the kernel's lookup puts
 * there)? Its name into name[16]. */
static bool so_callback(const struct tv_leaf *l, const void *v, __u32 *id,
			char *name)
{
	struct bpf_prog_info pi = { 0 };
	__u32 len = sizeof(pi);
	uint64_t x;
	bool ok;
	int fd;

	if (l->kind != TV_KIND_PTR || l->is_padding || strncmp(l->name, "data.", 5))
		return false;
	x = tv_leaf_get_u64(l, v);
	if (!x || x > UINT32_MAX || (fd = bpf_prog_get_fd_by_id((__u32)x)) < 0)
		return false;
	ok = !bpf_obj_get_info_by_fd(fd, &pi, &len) &&
	     pi.type == BPF_PROG_TYPE_STRUCT_OPS;
	close(fd);
	*id = (__u32)x;
	snprintf(name, 16, "%.15s", (const char *)pi.name);
	return ok;
}

/* The callbacks of a struct_ops value by program: "callbacks"
 * [{"field": F, "prog_id": N, "prog_name": P}, ...] in JSON,
 * "F=N:P,..." in text ("-": none). */
static void so_callbacks(struct out *o, const struct tv_plan *plan,
			 const void *v, bool typed)
{
	struct jw *w = out_json_field(o, "callbacks");
	struct strbuf sb = STRBUF_INIT;
	char name[16];
	__u32 id;

	if (w)
		jw_start_array(w);
	for (uint32_t i = 0; typed && i < tv_plan_nleaves(plan); i++) {
		const struct tv_leaf *l = tv_plan_leaf(plan, i);

		if (!so_callback(l, v, &id, name))
			continue;
		if (w) {
			jw_start_object(w);
			jw_kv_string(w, "field", l->name + 5);
			jw_kv_u64(w, "prog_id", id);
			jw_kv_string(w, "prog_name", name);
			jw_end_object(w);
			continue;
		}
		if (sb.len)
			sb_addc(&sb, ',');
		sb_adds(&sb, l->name + 5);
		sb_addc(&sb, '=');
		sb_add_u64(&sb, id);
		sb_addc(&sb, ':');
		sb_adds(&sb, name[0] ? name : "-");
	}
	if (w)
		jw_end_array(w);
	else
		out_text_field(o, "callbacks", sb.len ? sb_str(&sb) : "-");
	sb_free(&sb);
}

/* dump and lookup 0: the one value, as the kernel's struct
 * bpf_struct_ops_NAME (btf_vmlinux_value_type_id in vmlinux BTF):
 * {"key": 0, "value": {"common": {.. "state": ..}, "data": {...}}}. */
int mt_structops_dump(struct ctx *ctx, const struct cmd *cmd,
		      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	struct strbuf err = STRBUF_INIT, sb = STRBUF_INIT;
	struct tv_plan *plan = NULL;
	struct btf *vmlinux = NULL;
	__u32 key = 0;
	void *v = NULL;
	bool typed, lookup;
	int rc = EXIT_OK;

	(void)opts;
	if (!strcmp(cmd->name, "lookup")) {
		if (argc != 1 || strcmp(argv[0], "0"))
			return err_usage("%s lookup: a struct_ops map has one entry, key 0", m->name);
	} else if (argc) {
		return err_usage("%s dump: unexpected '%s'", m->name, argv[0]);
	}
	v = calloc(1, m->info.value_size + 8);
	if (!v)
		return err_fail("out of memory");
	if (bpf_map_lookup_elem(m->fd, &key, v)) {
		rc = err_fail("%s %s: the kernel refused to read it: %s", m->name,
			      cmd->name, strerror(errno));
		goto out;
	}
	vmlinux = btf__load_vmlinux_btf();
	if (libbpf_get_error(vmlinux))
		vmlinux = NULL;
	if (vmlinux && m->info.btf_vmlinux_value_type_id)
		plan = tv_plan_new(vmlinux, m->info.btf_vmlinux_value_type_id, 0, &err);
	if (plan && tv_plan_size(plan) != m->info.value_size) {
		tv_plan_free(plan);
		plan = NULL;
	}
	typed = plan != NULL;
	if (!plan) {
		err_warn("%s: the kernel's type of its value is not known%s%s: shown as bytes",
			 m->name, err.len ? ": " : "", sb_str(&err));
		plan = tv_plan_raw(m->info.value_size);
	}
	lookup = !strcmp(cmd->name, "lookup");
	if (lookup) {
		out_object_begin(o);
	} else {
		out_list_begin(o);
		out_record_begin(o);
	}
	out_u64(o, "key", 0);
	out_str(o, "type", typed ? tv_plan_type_name(plan) : "-");
	{
		struct jw *w = out_json_field(o, "value");

		if (w) {
			tv_format_json(plan, v, w);
		} else {
			tv_format_text(plan, v, &sb);
			out_text_field(o, "value", sb_str(&sb));
		}
	}
	so_callbacks(o, plan, v, typed);
	if (lookup) {
		out_object_end(o);
	} else {
		out_record_end(o);
		out_list_end(o);
	}
out:
	tv_plan_free(plan);
	btf__free(vmlinux);
	sb_free(&err);
	sb_free(&sb);
	free(v);
	return rc;
}
