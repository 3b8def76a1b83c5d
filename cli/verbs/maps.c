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
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "base/err.h"
#include "map/mapinfo.h"
#include "map/mapiter.h"
#include "map/kcount.h"
#include "base/json_writer.h"
#include "verbs/maps.h"
#include "tval/tval.h"

const struct opt_spec maps_opts[] = {
	[MAPS_OPT_ALL] = { "all", 'a', NULL, "every map of the system, not only mapsh's, with its pin on any mounted bpffs" },
	[MAPS_OPT_PROG] = { "prog", 0, "ID|NAME", "the maps of one program: its id, its pin under the pin directory's progs/ (flowtrack, policy) or its kernel name" },
	[MAPS_OPT_COUNT] = { "count", 'c', NULL, "count the entries of every map by reading it, also those of more than " MAPS_COUNT_MAX_TEXT " entries the kernel keeps no count of" },
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

/* What one listing shares: the kernel's counts, whether to read maps too
 * large for the default, the pins (--all, --prog). */
static struct {
	struct kcounts kc;
	bool kc_tried;
	bool count_all;		/* --count */
} L;

/* Entries of a map the kernel keeps no count of, read in batches (keys
 * and values: the batch calls have no keys-only form). -1: not known. */
static long long read_count(int fd, const struct bpf_map_info *info)
{
	struct mapiter it;
	const void *k, *v;
	__u32 vsize = info->value_size ? info->value_size : 8;
	long long n = 0;

	switch (info->type) {
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH: {
		int ncpus = libbpf_num_possible_cpus();

		if (ncpus <= 0)
			return -1;
		vsize = ((vsize + 7) / 8 * 8) * (__u32)ncpus;
		break;
	}
	default:
		break;
	}
	if (mapiter_init(&it, fd, info->key_size, vsize, info->max_entries))
		return -1;
	/* A batch over a map of maps stops at the first empty slot. */
	if (info->type == BPF_MAP_TYPE_HASH_OF_MAPS ||
	    info->type == BPF_MAP_TYPE_ARRAY_OF_MAPS)
		it.batch = false;
	while (mapiter_next(&it, &k, &v) > 0)
		n++;
	if (it.err)
		n = -1;
	mapiter_fini(&it);
	return n;
}

/* The entries of a map: the kernel's count (hash maps), else read when
 * the map is small enough or --count; -1 when not counted, -2 when not
 * counted because it is large (shown "?"). Arrays: -1 (every slot is). */
static long long entries_of(int fd, const struct bpf_map_info *info)
{
	long long n;

	if (!L.kc_tried) {
		L.kc_tried = true;
		kcounts_read(&L.kc);
	}
	n = kcounts_of(&L.kc, info->id, info->type);
	if (n >= 0)
		return n;
	if (!map_type_is_hash_like(info->type) &&
	    info->type != BPF_MAP_TYPE_ARRAY_OF_MAPS)
		return -1;
	if (!L.count_all && info->max_entries > MAPS_COUNT_MAX)
		return -2;
	return read_count(fd, info);
}

/* Bytes waiting in a ring buffer: its producer and consumer positions,
 * from its first two pages mapped read-only. -1 when not readable. */
static long long ringbuf_waiting(int fd)
{
	long page = sysconf(_SC_PAGESIZE);
	void *cons, *prod;
	long long w;

	cons = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd, 0);
	if (cons == MAP_FAILED)
		return -1;
	prod = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd, page);
	if (prod == MAP_FAILED) {
		munmap(cons, (size_t)page);
		return -1;
	}
	w = (long long)(__atomic_load_n((unsigned long *)prod, __ATOMIC_ACQUIRE) -
			__atomic_load_n((unsigned long *)cons, __ATOMIC_ACQUIRE));
	munmap(prod, (size_t)page);
	munmap(cons, (size_t)page);
	return w;
}

/* What waits to be read: ring buffers in bytes; queues and stacks have
 * no count the kernel gives, and no element can be looked at but the
 * next one without taking it: a peek tells empty (0) from not ("1+"). */
static void emit_waiting(struct out *o, int fd, const struct bpf_map_info *info)
{
	char buf[32];

	switch (info->type) {
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF: {
		long long w = ringbuf_waiting(fd);

		if (w < 0) {
			out_str(o, "waiting", "?");
		} else if (o->mode == OUT_TABLE) {
			human_bytes((uint64_t)w, buf, sizeof(buf));
			out_str(o, "waiting", buf);
		} else {
			out_u64(o, "waiting", (uint64_t)w);
		}
		return;
	}
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK: {
		char *v = calloc(1, info->value_size ? info->value_size : 1);
		int e = v && bpf_map_lookup_elem(fd, NULL, v) ? errno : 0;
		struct jw *jw;

		free(v);
		if (v && e == ENOENT) {
			out_u64(o, "waiting", 0);
		} else if (!v || e) {
			out_str(o, "waiting", "?");
		} else if ((jw = out_json_field(o, "waiting"))) {
			jw_null(jw);	/* at least one, how many unknown */
		} else {
			out_text_field(o, "waiting", "1+");
		}
		return;
	}
	default:
		out_str(o, "waiting", NULL);
	}
}

static void emit_full(struct out *o, long long entries, __u32 max)
{
	char buf[32];
	struct jw *jw;
	double pct;

	if (entries < 0 || !max) {
		out_str(o, "full", entries == -2 ? "?" : NULL);
		return;
	}
	pct = 100.0 * (double)entries / (double)max;
	/* One decimal, the same in the table and in JSON. */
	snprintf(buf, sizeof(buf), "%.1f%%", pct);
	if ((jw = out_json_field(o, "full"))) {
		jw_double(jw, strtod(buf, NULL));
		return;
	}
	out_text_field(o, "full", buf);
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
	entries = entries_of(fd, info);
	if (entries >= 0)
		out_u64(o, "entries", (uint64_t)entries);
	else
		out_str(o, "entries", entries == -2 ? "?" : NULL);
	out_u64(o, "max_entries", info->max_entries);
	emit_full(o, entries, info->max_entries);
	emit_waiting(o, fd, info);
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

static void pins_free(struct pins *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	memset(p, 0, sizeof(*p));
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
	pins_free(&pins);
	return rc;
}

/* --prog ID|NAME: the program's fd. NAME: a pin in PIN_DIR/progs, else
 * the kernel name of exactly one program. */
static int prog_fd_of(struct ctx *ctx, const char *arg, int *out)
{
	char path[PATH_MAX], *end;
	unsigned long id = strtoul(arg, &end, 10);
	__u32 next = 0, found = 0, n = 0;
	int fd;

	if (*arg && !*end) {
		fd = bpf_prog_get_fd_by_id((__u32)id);
		if (fd < 0)
			return err_fail("maps --prog %s: no program with id %lu: %s",
					arg, id, strerror(errno));
		*out = fd;
		return EXIT_OK;
	}
	snprintf(path, sizeof(path), "%s/progs/%s", ctx->set.map.pin_dir, arg);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		*out = fd;
		return EXIT_OK;
	}
	while (bpf_prog_get_next_id(next, &next) == 0) {
		struct bpf_prog_info pi = { 0 };
		__u32 len = sizeof(pi);
		int pfd = bpf_prog_get_fd_by_id(next);

		if (pfd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(pfd, &pi, &len) && !strcmp(pi.name, arg)) {
			n++;
			found = next;
		}
		close(pfd);
	}
	if (n == 0)
		return err_fail("maps --prog %s: no such program (a program id, a pin in %s/progs or a kernel name)",
				arg, ctx->set.map.pin_dir);
	if (n > 1)
		return err_fail("maps --prog %s: %u programs have that name: give the id (see 'bpftool prog show name %s')",
				arg, n, arg);
	fd = bpf_prog_get_fd_by_id(found);
	if (fd < 0)
		return err_fail("maps --prog %s: %s", arg, strerror(errno));
	*out = fd;
	return EXIT_OK;
}

static int list_prog(struct ctx *ctx, const char *arg)
{
	struct bpf_prog_info pi = { 0 };
	__u32 len = sizeof(pi), ids[256];
	struct pins pins = { 0 };
	int pfd = -1, rc;

	rc = prog_fd_of(ctx, arg, &pfd);
	if (rc)
		return rc;
	if (bpf_obj_get_info_by_fd(pfd, &pi, &len)) {
		rc = err_fail("maps --prog %s: %s", arg, strerror(errno));
		close(pfd);
		return rc;
	}
	if (pi.nr_map_ids > 256)
		pi.nr_map_ids = 256;
	{
		struct bpf_prog_info p2 = { .nr_map_ids = pi.nr_map_ids,
					    .map_ids = (__u64)(unsigned long)ids };

		len = sizeof(p2);
		if (pi.nr_map_ids && bpf_obj_get_info_by_fd(pfd, &p2, &len)) {
			rc = err_fail("maps --prog %s: %s", arg, strerror(errno));
			close(pfd);
			return rc;
		}
	}
	close(pfd);
	find_pins(&pins);
	for (__u32 i = 0; i < pi.nr_map_ids; i++) {
		struct bpf_map_info info = { 0 };
		int fd = bpf_map_get_fd_by_id(ids[i]);

		len = sizeof(info);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			maps_emit_one(ctx, fd, &info, info.name, pin_of(&pins, info.id));
		close(fd);
	}
	pins_free(&pins);
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
	if (opts->count[MAPS_OPT_ALL] && opts->count[MAPS_OPT_PROG])
		return err_usage("maps: --all or --prog, not both");
	if (!opts->count[MAPS_OPT_ALL] && !opts->count[MAPS_OPT_PROG] &&
	    stat(ctx->set.map.pin_dir, &st))
		return err_fail("maps: nothing loaded: %s does not exist (run 'mapsh load', or use --all)",
				ctx->set.map.pin_dir);
	L.count_all = opts->count[MAPS_OPT_COUNT] > 0;
	out_list_begin(&ctx->out);
	if (opts->count[MAPS_OPT_PROG]) {
		rc = list_prog(ctx, opts->arg[MAPS_OPT_PROG][0]);
	} else if (opts->count[MAPS_OPT_ALL]) {
		rc = list_all(ctx);
	} else {
		list_pinned(ctx, ctx->set.map.pin_dir, "");
		snprintf(inner, sizeof(inner), "%s/inner", ctx->set.map.pin_dir);
		list_pinned(ctx, inner, "inner/");
	}
	out_list_end(&ctx->out);
	kcounts_free(&L.kc);
	L.kc_tried = false;
	L.count_all = false;
	return rc;
}
