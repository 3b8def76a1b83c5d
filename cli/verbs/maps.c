// SPDX-License-Identifier: GPL-2.0
/* `mapsh maps`: what maps there are and what they hold. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "base/err.h"
#include "map/mapinfo.h"
#include "verbs/maps.h"
#include "tval/tval.h"

const struct opt_spec maps_opts[] = {
	[MAPS_OPT_ALL] = { "all", 'a', NULL, "every map of the system, not only mapsh's" },
	{ NULL },
};

static void human_bytes(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)v);
	else
		snprintf(buf, len, "%.1f %s", d, units[u]);
}

static void emit_map(struct ctx *ctx, int fd, const struct bpf_map_info *info,
		     const char *name, const char *pin)
{
	struct out *o = &ctx->out;
	struct strbuf sb = STRBUF_INIT;
	struct map_btf mb;
	long long entries;
	uint64_t mem = 0;
	bool have_mem;

	map_btf_resolve(fd, info, &mb);
	out_record_begin(o);
	out_u64(o, "id", info->id);
	out_str(o, "name", name);
	out_str(o, "type", map_type_str(info->type));
	if (info->key_size) {
		map_type_desc(mb.btf, mb.key_type_id, info->key_size, &sb);
		out_str(o, "key", sb_str(&sb));
	} else {
		out_str(o, "key", NULL);
	}
	sb_reset(&sb);
	if (info->type == BPF_MAP_TYPE_RINGBUF) {
		char rec[128];

		/* Ring buffers have no value type; bpf/ names the record type
		 * with a mapsh:record= tag on the map variable. */
		if (mb.btf && tv_find_var_tag(mb.btf, info->name, "mapsh:record=",
					      rec, sizeof(rec)) == 0) {
			sb_addf(&sb, "struct %s", rec);
			out_str(o, "value", sb_str(&sb));
		} else {
			out_str(o, "value", NULL);
		}
	} else if (info->type == BPF_MAP_TYPE_HASH_OF_MAPS ||
		   info->type == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
		out_str(o, "value", "map id");
	} else if (info->value_size) {
		map_type_desc(mb.btf, mb.value_type_id, info->value_size, &sb);
		out_str(o, "value", sb_str(&sb));
	} else {
		out_str(o, "value", NULL);
	}
	entries = map_count_entries(fd, info);
	if (entries >= 0)
		out_u64(o, "entries", (uint64_t)entries);
	else
		out_str(o, "entries", NULL);
	out_u64(o, "max_entries", info->max_entries);
	have_mem = map_memlock(fd, &mem) == 0;
	if (!have_mem) {
		out_str(o, "memory", NULL);
	} else if (o->mode == OUT_TABLE) {
		char tmp[32];

		human_bytes(mem, tmp, sizeof(tmp));
		out_str(o, "memory", tmp);
	} else {
		out_u64(o, "memory", mem);
	}
	out_str(o, "pinned", pin);
	out_record_end(o);
	map_btf_free(&mb);
	sb_free(&sb);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every map pinned directly in dir (and in dir/inner): sorted by name. */
static int list_pinned(struct ctx *ctx, const char *dir, const char *prefix)
{
	char *names[1024];
	int n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < 1024) {
		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], shown[NAME_MAX + 64];
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fd = bpf_obj_get(path);
		/* Program pins live elsewhere; anything not a map is skipped. */
		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    info.type != BPF_MAP_TYPE_UNSPEC && len >= offsetof(struct bpf_map_info, max_entries)) {
			snprintf(shown, sizeof(shown), "%s%s", prefix, names[i]);
			emit_map(ctx, fd, &info, shown, path);
		}
		if (fd >= 0)
			close(fd);
		free(names[i]);
	}
	return 0;
}

static int list_all(struct ctx *ctx)
{
	__u32 id = 0;

	while (bpf_map_get_next_id(id, &id) == 0) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;	/* gone since we saw its id */
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			emit_map(ctx, fd, &info, info.name, NULL);
		close(fd);
	}
	if (errno != ENOENT)
		return err_fail("maps: cannot walk the system's maps: %s",
				strerror(errno));
	return EXIT_OK;
}

int do_maps(struct ctx *ctx, const struct cmd *cmd,
	    const struct opt_vals *opts, int argc, char **argv)
{
	char inner[PATH_MAX];
	struct stat st;
	int rc = EXIT_OK;

	if (argc)
		return err_usage("maps: unexpected argument '%s' (see 'mapsh maps --help')",
				 argv[0]);
	if (!opts->count[MAPS_OPT_ALL] && stat(ctx->set.map.pin_dir, &st))
		return err_fail("maps: nothing loaded: %s does not exist (run 'mapsh load', or use --all)",
				ctx->set.map.pin_dir);
	out_list_begin(&ctx->out);
	if (opts->count[MAPS_OPT_ALL]) {
		rc = list_all(ctx);
	} else {
		list_pinned(ctx, ctx->set.map.pin_dir, "");
		snprintf(inner, sizeof(inner), "%s/inner", ctx->set.map.pin_dir);
		list_pinned(ctx, inner, "inner/");
	}
	out_list_end(&ctx->out);
	return rc;
}
