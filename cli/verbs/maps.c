// SPDX-License-Identifier: GPL-2.0
/* `mapsh maps`: what maps there are and what they hold. */
#include <dirent.h>
#include <stdio.h>
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

void maps_emit_one(struct ctx *ctx, int fd, const struct bpf_map_info *info,
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
			maps_emit_one(ctx, fd, &info, shown, path);
		}
		if (fd >= 0)
			close(fd);
		free(names[i]);
	}
	return 0;
}

/* The pins of every map on every mounted bpffs (--all): id and path,
 * sorted by id then path. */
struct pin {
	__u32 id;
	char *path;
};
struct pins {
	struct pin *v;
	size_t n, cap;
};

#define PIN_WALK_DEPTH 8
#define PIN_WALK_MAX 65536

static void walk_pins(struct pins *p, const char *dir, int depth)
{
	struct dirent *de;
	DIR *d;

	if (depth > PIN_WALK_DEPTH || p->n >= PIN_WALK_MAX || !(d = opendir(dir)))
		return;
	while ((de = readdir(d)) && p->n < PIN_WALK_MAX) {
		char path[PATH_MAX], line[64];
		unsigned id;
		int fd;

		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		if (de->d_type == DT_DIR) {
			walk_pins(p, path, depth + 1);
			continue;
		}
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!fdinfo_line(fd, "map_id:", line, sizeof(line)) &&
		    sscanf(line, "map_id: %u", &id) == 1) {
			if (p->n == p->cap) {
				size_t nc = p->cap ? p->cap * 2 : 64;
				struct pin *nv = realloc(p->v, nc * sizeof(*nv));

				if (!nv) {
					close(fd);
					break;
				}
				p->v = nv;
				p->cap = nc;
			}
			p->v[p->n].id = id;
			p->v[p->n].path = strdup(path);
			if (p->v[p->n].path)
				p->n++;
		}
		close(fd);
	}
	closedir(d);
}

static int pin_cmp(const void *a, const void *b)
{
	const struct pin *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void find_pins(struct pins *p)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char line[PATH_MAX + 256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char dev[256], mnt[PATH_MAX], type[64];

		if (sscanf(line, "%255s %4095s %63s", dev, mnt, type) == 3 &&
		    !strcmp(type, "bpf"))
			walk_pins(p, mnt, 0);
	}
	fclose(f);
	if (p->n)
		qsort(p->v, p->n, sizeof(*p->v), pin_cmp);
}

/* The first pin of map id (by path), or NULL. */
static const char *pin_of(const struct pins *p, __u32 id)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->n && p->v[lo].id == id ? p->v[lo].path : NULL;
}

static int list_all(struct ctx *ctx)
{
	struct pins pins = { 0 };
	__u32 id = 0;
	int rc = EXIT_OK;

	find_pins(&pins);

	while (bpf_map_get_next_id(id, &id) == 0) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;	/* gone since we saw its id */
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			maps_emit_one(ctx, fd, &info, info.name, pin_of(&pins, info.id));
		close(fd);
	}
	if (errno != ENOENT)
		rc = err_fail("maps: cannot walk the system's maps: %s",
			      strerror(errno));
	for (size_t i = 0; i < pins.n; i++)
		free(pins.v[i].path);
	free(pins.v);
	return rc;
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
