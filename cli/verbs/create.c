// SPDX-License-Identifier: GPL-2.0
/* `mapsh create NAME TYPE key KTYPE value VTYPE max N [FLAG ...]`: a new
 * map, typed. KTYPE and VTYPE are byte sizes or types of the --btf FILE
 * (an object, a raw BTF file, the kernel's or a module's); the types are
 * copied with what they use into a BTF of the map's own, loaded into the
 * kernel with the map, so every verb (and bpftool) shows it typed.
 * Pointers inside a type are kept as void pointers (their targets would
 * pull in half the kernel); the mapsh: display tags on the types go along.
 * The map is pinned as PIN_DIR/NAME (or pin PATH) through the write path
 * (map/write.h: the audit log's intent and result). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>

#include "base/err.h"
#include "base/json_writer.h"
#include "base/strbuf.h"
#include "map/bpffs.h"
#include "map/btffile.h"
#include "map/mapinfo.h"
#include "map/mapref.h"
#include "map/write.h"
#include "verbs/create.h"
#include "verbs/maps.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

const struct create_flag create_flags[] = {
	{ "no_prealloc", BPF_F_NO_PREALLOC },
	{ "no_common_lru", BPF_F_NO_COMMON_LRU },
	{ "rdonly", BPF_F_RDONLY },
	{ "wronly", BPF_F_WRONLY },
	{ "stack_build_id", BPF_F_STACK_BUILD_ID },
	{ "zero_seed", BPF_F_ZERO_SEED },
	{ "rdonly_prog", BPF_F_RDONLY_PROG },
	{ "wronly_prog", BPF_F_WRONLY_PROG },
	{ "clone", BPF_F_CLONE },
	{ "mmapable", BPF_F_MMAPABLE },
	{ "preserve_elems", BPF_F_PRESERVE_ELEMS },
	{ "inner_map", BPF_F_INNER_MAP },
	{ NULL, 0 },
};

/* The keywords after TYPE, for completion and messages. */
const char *const create_words[] = { "key", "value", "max", "pin", "inner",
				     "extra", NULL };

int create_map_type(const char *name)
{
	for (int t = 1; t < 64; t++) {
		const char *s = libbpf_bpf_map_type_str((enum bpf_map_type)t);

		if (s && !strcmp(s, name))
			return t;
	}
	return -1;
}

/* A key or value as written: a size, or a type of the --btf file. */
struct part {
	const char *word;	/* NULL: not given */
	__u32 size;
	__u32 src_id;		/* in the source BTF; 0: a plain size */
	__u32 id;		/* in the map's BTF */
};

struct req {
	const char *name, *type_name, *pin, *btf_file;
	int type;
	struct part key, value;
	__u32 max;
	bool max_given;
	__u32 flags;
	__u64 extra;
	int inner_fd;
	__u32 inner_id;
	bool typed;		/* the map has BTF */
};

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int parse_u32(const char *what, const char *s, __u32 *v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (!*s || *end || errno || n > UINT32_MAX)
		return err_usage("create: %s '%s' is not a number", what, s);
	*v = (__u32)n;
	return EXIT_OK;
}

/* __u8 .. __u64, __s8 .. __s64, u32, ...: bits and signedness, else 0. */
static int int_name(const char *n, bool *sgn)
{
	int bits;

	if (!strncmp(n, "__", 2))
		n += 2;
	if ((n[0] != 'u' && n[0] != 's') || sscanf(n + 1, "%d", &bits) != 1)
		return 0;
	*sgn = n[0] == 's';
	if ((bits != 8 && bits != 16 && bits != 32 && bits != 64) ||
	    strlen(n) != (bits < 10 ? 2u : 3u))
		return 0;
	return bits;
}

/* ---- the types, copied into the map's BTF ---- */

struct copy {
	const struct btf *src;
	struct btf *dst;
	__u32 *map;		/* src id -> dst id (0: not copied yet) */
	__u32 n;
	int err;
};

static __u32 copy_type(struct copy *c, __u32 id)
{
	const struct btf_type *t;
	struct btf_type *nt;
	int nid;

	if (!id || c->err)
		return 0;
	if (id < c->n && c->map[id])
		return c->map[id];
	t = btf__type_by_id(c->src, id);
	if (!t) {
		c->err = -EINVAL;
		return 0;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		nid = btf__add_ptr(c->dst, 0);
		break;
	case BTF_KIND_FUNC:
	case BTF_KIND_FUNC_PROTO:
	case BTF_KIND_VAR:
	case BTF_KIND_DATASEC:
	case BTF_KIND_DECL_TAG:
		c->err = -EINVAL;	/* no type of a key or value */
		return 0;
	default:
		nid = btf__add_type(c->dst, c->src, t);
		break;
	}
	if (nid < 0) {
		c->err = nid;
		return 0;
	}
	c->map[id] = (__u32)nid;
	/* Refer to the copies: each copy may move the types' memory, so the
	 * new type is looked up again after each. */
	switch (btf_kind(t)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG: {
		__u32 r = copy_type(c, t->type);

		nt = (struct btf_type *)btf__type_by_id(c->dst, nid);
		nt->type = r;
		break;
	}
	case BTF_KIND_ARRAY: {
		__u32 e = copy_type(c, btf_array(t)->type);
		__u32 ix = copy_type(c, btf_array(t)->index_type);

		nt = (struct btf_type *)btf__type_by_id(c->dst, nid);
		btf_array(nt)->type = e;
		btf_array(nt)->index_type = ix;
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (__u16 i = 0; i < btf_vlen(t); i++) {
			__u32 r = copy_type(c, btf_members(t)[i].type);

			nt = (struct btf_type *)btf__type_by_id(c->dst, nid);
			btf_members(nt)[i].type = r;
		}
		break;
	default:
		break;
	}
	return (__u32)nid;
}

/* The decl tags of the copied types (mapsh:fmt= and the like). */
static void copy_tags(struct copy *c)
{
	for (__u32 id = 1; id < c->n && !c->err; id++) {
		const struct btf_type *t = btf__type_by_id(c->src, id);
		const char *name;

		if (!t || !btf_is_decl_tag(t) || t->type >= c->n || !c->map[t->type])
			continue;
		name = btf__name_by_offset(c->src, t->name_off);
		if (btf__add_decl_tag(c->dst, name ? name : "", c->map[t->type],
				      btf_decl_tag(t)->component_idx) < 0)
			c->err = -EINVAL;
	}
}

/* A plain size beside a typed part: an integer of that size, else bytes. */
static __u32 plain_type(struct btf *dst, __u32 size)
{
	char name[16];
	int u8, u32;

	if (size == 1 || size == 2 || size == 4 || size == 8) {
		snprintf(name, sizeof(name), "__u%u", size * 8);
		u32 = btf__add_int(dst, name, (int)size, 0);
		return u32 > 0 ? (__u32)u32 : 0;
	}
	u8 = btf__add_int(dst, "unsigned char", 1, BTF_INT_CHAR);
	u32 = btf__add_int(dst, "unsigned int", 4, 0);
	if (u8 < 0 || u32 < 0)
		return 0;
	u8 = btf__add_array(dst, u32, u8, size);
	return u8 > 0 ? (__u32)u8 : 0;
}

static int resolve_part(const struct req *r, struct btf *src, struct btf *dst,
			struct copy *c, struct part *p, const char *what)
{
	__s64 sz;
	bool sgn;
	int bits;

	if (!p->src_id) {
		if (is_number(p->word))
			return EXIT_OK;
		bits = int_name(p->word, &sgn);
		if (!bits)
			return err_fail("create: %s %s: no such type in %s%s", what,
					p->word, r->btf_file ? r->btf_file : "the BTF",
					src ? map_btf_file_under(src) : "");
		p->size = (__u32)bits / 8;
		p->id = (__u32)btf__add_int(dst, p->word, bits / 8,
					    sgn ? BTF_INT_SIGNED : 0);
		return EXIT_OK;
	}
	sz = btf__resolve_size(src, p->src_id);
	if (sz <= 0)
		return err_fail("create: %s %s has no size", what, p->word);
	p->size = (__u32)sz;
	p->id = copy_type(c, p->src_id);
	if (c->err)
		return err_fail("create: %s %s: cannot copy the type: %s", what,
				p->word, strerror(-c->err));
	return EXIT_OK;
}

/* The map's BTF from the --btf file: *btf_fd, r->key.id, r->value.id.
 * -1 in *btf_fd when nothing is typed. */
static int build_btf(struct req *r, int *btf_fd, bool debug)
{
	struct btf *src = NULL, *dst;
	struct copy c = { 0 };
	const char *why;
	int rc = EXIT_OK;

	*btf_fd = -1;
	if (!r->typed)
		return EXIT_OK;
	if (r->btf_file) {
		src = map_btf_file(r->btf_file, &why);
		if (!src)
			return err_fail("create: --btf %s: no BTF read: %s",
					r->btf_file, why);
	}
	for (struct part *p = &r->key; src && p; p = p == &r->key ? &r->value : NULL)
		if (p->word && !is_number(p->word))
			p->src_id = map_find_type(src, p->word);
	dst = btf__new_empty();
	if (!dst) {
		btf__free(src);
		return err_fail("create: out of memory");
	}
	c.src = src;
	c.dst = dst;
	c.n = src ? btf__type_cnt(src) : 1;
	c.map = calloc(c.n, sizeof(*c.map));
	if (!c.map)
		abort();
	if (r->key.word)
		rc = resolve_part(r, src, dst, &c, &r->key, "key");
	if (!rc && r->value.word)
		rc = resolve_part(r, src, dst, &c, &r->value, "value");
	if (!rc) {
		copy_tags(&c);
		if (r->key.word && r->key.size && !r->key.id)
			r->key.id = plain_type(dst, r->key.size);
		if (r->value.word && r->value.size && !r->value.id)
			r->value.id = plain_type(dst, r->value.size);
	}
	if (!rc) {
		if (btf__load_into_kernel(dst))
			rc = err_fail("create: the kernel refused the BTF of %s: %s%s",
				      r->btf_file ? r->btf_file : "the types",
				      strerror(errno), debug ? "" : " (-d shows libbpf's log)");
		else
			*btf_fd = dup(btf__fd(dst));
	}
	free(c.map);
	btf__free(dst);
	btf__free(src);
	return rc;
}

/* ---- the words ---- */

/* The cgroup and local storages: one entry per cgroup, socket, inode or
 * task, no max_entries of their own (the kernel wants 0). */
static bool sized_by_kernel(int type)
{
	switch (type) {
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
	case BPF_MAP_TYPE_SK_STORAGE:
	case BPF_MAP_TYPE_INODE_STORAGE:
	case BPF_MAP_TYPE_TASK_STORAGE:
	case MAPSH_MAP_TYPE_CGRP_STORAGE:
		return true;
	default:
		return false;
	}
}

static int take_part(struct req *r, struct part *p, const char *what,
		     const char *word, const char *btf_file)
{
	p->word = word;
	if (is_number(word))
		return parse_u32(what, word, &p->size);
	if (!btf_file && int_name(word, &(bool){ false })) {
		r->typed = true;
		return EXIT_OK;
	}
	if (!btf_file)
		return err_usage("create: %s %s: a type needs --btf FILE (an object, a raw BTF file or /sys/kernel/btf/vmlinux), or give its size in bytes",
				 what, word);
	r->typed = true;
	return EXIT_OK;
}

static int parse_words(struct ctx *ctx, struct req *r, int argc, char **argv)
{
	int rc = EXIT_OK;

	if (argc < 2)
		return err_usage("create: expected NAME TYPE key KTYPE value VTYPE max N (see 'mapsh create --help')");
	r->name = argv[0];
	r->type_name = argv[1];
	r->type = create_map_type(argv[1]);
	if (r->type < 0)
		return err_usage("create: '%s' is no map type (expected hash, array, lru_hash, percpu_hash, queue, ringbuf, ...)",
				 argv[1]);
	if (!*r->name || strlen(r->name) >= BPF_OBJ_NAME_LEN)
		return err_usage("create: NAME '%s': 1 to %d characters (the kernel's limit)",
				 r->name, BPF_OBJ_NAME_LEN - 1);
	for (const char *s = r->name; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
			return err_usage("create: NAME '%s': letters, digits, '_' and '.' only (the kernel's rule)",
					 r->name);
	for (int i = 2; !rc && i < argc; i++) {
		const char *w = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
		const struct create_flag *f;

		for (f = create_flags; f->name && strcmp(f->name, w); f++)
			;
		if (f->name) {
			r->flags |= f->bit;
			continue;
		}
		if (!strcmp(w, "key") || !strcmp(w, "value") ||
		    !strcmp(w, "max") || !strcmp(w, "pin") ||
		    !strcmp(w, "extra") || !strcmp(w, "inner")) {
			if (!arg)
				return err_usage("create: '%s' needs a value", w);
			i++;
		}
		if (!strcmp(w, "key")) {
			rc = take_part(r, &r->key, "key", arg, ctx->set.map.btf_file);
		} else if (!strcmp(w, "value")) {
			rc = take_part(r, &r->value, "value", arg, ctx->set.map.btf_file);
		} else if (!strcmp(w, "max")) {
			rc = parse_u32("max", arg, &r->max);
			r->max_given = true;
		} else if (!strcmp(w, "pin")) {
			r->pin = arg;
		} else if (!strcmp(w, "extra")) {
			__u32 v;

			rc = parse_u32("extra", arg, &v);
			r->extra = v;
		} else if (!strcmp(w, "inner")) {
			struct map_opts mo = ctx->set.map;
			struct mapref *m;
			int used;

			mo.btf_file = mo.key_type = mo.value_type = NULL;
			if (r->inner_fd >= 0)
				return err_usage("create: one inner map only");
			rc = mapref_parse(&mo, argc - i, argv + i, &used, &m);
			if (rc)
				return rc;
			i += used - 1;
			r->inner_fd = dup(m->fd);
			r->inner_id = m->info.id;
			mapref_free(m);
		} else {
			return err_usage("create: unexpected '%s' (expected key, value, max, pin, inner, extra or a flag: no_prealloc, no_common_lru, rdonly, wronly, rdonly_prog, wronly_prog, zero_seed, mmapable, preserve_elems, inner_map, clone, stack_build_id)",
					 w);
		}
	}
	if (rc)
		return rc;
	if (r->type == BPF_MAP_TYPE_HASH_OF_MAPS || r->type == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
		if (r->inner_fd < 0)
			return err_usage("create: a %s needs 'inner MAP': a map its inner maps are like",
					 r->type_name);
		if (!r->value.word) {
			r->value.word = "4";
			r->value.size = 4;
		}
	} else if (r->inner_fd >= 0) {
		return err_usage("create: 'inner MAP' is for hash_of_maps and array_of_maps");
	}
	/* Storages are sized by what they attach to: the kernel wants max 0,
	 * which is then the default. */
	if (!r->max && !r->max_given && !sized_by_kernel(r->type))
		return err_usage("create: 'max N' is needed (the most entries; a ring buffer's size in bytes)");
	if (!r->max && !sized_by_kernel(r->type))
		return err_usage("create: max 0: a %s holds 1 entry or more (a ring buffer: its size in bytes)",
				 r->type_name);
	if (!ctx->set.map.btf_file && (ctx->set.map.key_type || ctx->set.map.value_type))
		return err_usage("create: --key-type and --value-type need --btf FILE");
	r->btf_file = ctx->set.map.btf_file;
	return EXIT_OK;
}

/* ---- the audit records' members ---- */

struct note {
	const struct req *r;
	const char *pin;
	const char *key_type, *value_type;
};

static void note_members(struct jw *jw, const void *arg)
{
	const struct note *n = arg;
	const struct req *r = n->r;

	jw_kv_string(jw, "pin", n->pin);
	jw_name(jw, "created");
	jw_start_object(jw);
	jw_kv_string(jw, "type", r->type_name);
	jw_kv_u64(jw, "key_size", r->key.size);
	jw_kv_u64(jw, "value_size", r->value.size);
	jw_kv_u64(jw, "max_entries", r->max);
	jw_kv_u64(jw, "flags", r->flags);
	if (n->key_type)
		jw_kv_string(jw, "key_type", n->key_type);
	if (n->value_type)
		jw_kv_string(jw, "value_type", n->value_type);
	if (r->btf_file && r->typed)
		jw_kv_string(jw, "btf", r->btf_file);
	if (r->inner_fd >= 0)
		jw_kv_u64(jw, "inner_map_id", r->inner_id);
	jw_end_object(jw);
}

int do_create(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	struct req r = { .inner_fd = -1 };
	char pin[PATH_MAX];
	struct mapref m = { .fd = -1 };
	__u32 len = sizeof(m.info);
	struct note n = { &r, pin, NULL, NULL };
	int btf_fd = -1, rc, fd;
	bool kept_btf = true;

	rc = parse_words(ctx, &r, argc, argv);
	if (rc)
		goto out;
	if (r.pin) {
		snprintf(pin, sizeof(pin), "%s", r.pin);
	} else if (pin_map_path(pin, sizeof(pin), ctx->set.map.pin_dir, r.name)) {
		rc = err_usage("create: the pin path is too long");
		goto out;
	}
	if (path_exists(pin)) {
		rc = err_fail("create: %s exists already (nothing changed)", pin);
		goto out;
	}
	/* The kernel keeps no BTF for these: the map is made untyped, and
	 * says so. */
	switch (r.type) {
	case BPF_MAP_TYPE_QUEUE: case BPF_MAP_TYPE_STACK:
	case BPF_MAP_TYPE_RINGBUF: case BPF_MAP_TYPE_USER_RINGBUF:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY: case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_HASH_OF_MAPS: case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP: case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_CPUMAP: case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_SOCKMAP: case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_CGROUP_ARRAY: case BPF_MAP_TYPE_STACK_TRACE:
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
		kept_btf = !r.typed;
		break;
	default:
		break;
	}
	rc = build_btf(&r, &btf_fd, ctx->set.debug);
	if (rc)
		goto out;
	if (!kept_btf && btf_fd >= 0) {	/* the sizes were all it was for */
		close(btf_fd);
		btf_fd = -1;
	}
	{
		LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = r.flags,
			    .map_extra = r.extra);

		if (r.inner_fd >= 0)
			mo.inner_map_fd = (__u32)r.inner_fd;
		if (btf_fd >= 0) {
			mo.btf_fd = (__u32)btf_fd;
			mo.btf_key_type_id = r.key.id;
			mo.btf_value_type_id = r.value.id;
		}
		fd = bpf_map_create((enum bpf_map_type)r.type, r.name, r.key.size,
				    r.value.size, r.max, &mo);
		/* Queues, stacks, ring buffers, maps of maps take no BTF: the
		 * map is made untyped, and says so. */
		if (fd < 0 && btf_fd >= 0 && (errno == ENOTSUPP || errno == EOPNOTSUPP)) {
			mo.btf_fd = mo.btf_key_type_id = mo.btf_value_type_id = 0;
			fd = bpf_map_create((enum bpf_map_type)r.type, r.name,
					    r.key.size, r.value.size, r.max, &mo);
			kept_btf = false;
		}
	}
	if (fd < 0) {
		rc = err_fail("create: the kernel refused %s %s (key %u bytes, value %u bytes, max %u%s): %s",
			      r.type_name, r.name, r.key.size, r.value.size, r.max,
			      r.flags ? ", with flags" : "", strerror(errno));
		goto out;
	}
	if (!kept_btf) {
		struct strbuf hint = STRBUF_INIT;

		sb_addf(&hint, "--btf %s", r.btf_file ? r.btf_file : "/sys/kernel/btf/vmlinux");
		if (r.key.word && !is_number(r.key.word))
			sb_addf(&hint, " --key-type '%s'", r.key.word);
		if (r.value.word && !is_number(r.value.word))
			sb_addf(&hint, " --value-type '%s'", r.value.word);
		err_warn("create: the kernel keeps no BTF for %s maps: %s is untyped (read it with %s)",
			 r.type_name, r.name, sb_str(&hint));
		sb_free(&hint);
	}
	m.fd = fd;
	bpf_obj_get_info_by_fd(fd, &m.info, &len);
	snprintf(m.name, sizeof(m.name), "%s", r.name);
	if (r.key.word && !is_number(r.key.word))
		n.key_type = r.key.word;
	if (r.value.word && !is_number(r.value.word))
		n.value_type = r.value.word;
	if (!r.pin && !path_exists(ctx->set.map.pin_dir)) {
		int e = bpffs_ensure_for(ctx->set.map.pin_dir);

		if (!e)
			e = bpffs_check_dir(ctx->set.map.pin_dir);
		if (!e && bpffs_mkdir_p(ctx->set.map.pin_dir, NULL, 0, NULL))
			e = err_fail("create: cannot make %s: %s", ctx->set.map.pin_dir,
				     strerror(errno));
		if (e) {
			rc = e;
			close(fd);
			goto out;
		}
	}
	rc = mapw_create(ctx->set.audit_log, &m, pin, note_members, &n);
	if (rc) {
		if (rc != MAPW_PRINTED)
			err_fail("create: cannot pin %s at %s: %s (nothing changed)",
				 r.name, pin, strerror(-rc));
		rc = EXIT_FAIL;
		close(fd);
		goto out;
	}
	out_list_begin(&ctx->out);
	maps_emit_one(ctx, fd, &m.info, r.name, pin);
	out_list_end(&ctx->out);
	close(fd);
out:
	if (btf_fd >= 0)
		close(btf_fd);
	if (r.inner_fd >= 0)
		close(r.inner_fd);
	return rc;
}

/* ---- completion ---- */

static void offer_btf_types(const char *btf_file,
			    void (*offer)(void *arg, const char *word), void *arg)
{
	static const char *const ints[] = { "__u8", "__u16", "__u32", "__u64",
		"__s8", "__s16", "__s32", "__s64", NULL };
	const char *why;
	struct btf *b = btf_file ? map_btf_file(btf_file, &why) : NULL;
	char w[300];

	for (int i = 0; ints[i]; i++)
		offer(arg, ints[i]);
	if (!b)
		return;
	for (__u32 id = 1; id < btf__type_cnt(b); id++) {
		const struct btf_type *t = btf__type_by_id(b, id);
		const char *name = btf__name_by_offset(b, t->name_off);
		const char *kw = NULL;

		if (!name || !*name)
			continue;
		switch (btf_kind(t)) {
		case BTF_KIND_STRUCT: kw = "struct "; break;
		case BTF_KIND_UNION: kw = "union "; break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: kw = "enum "; break;
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_INT: kw = ""; break;
		default: break;
		}
		if (!kw)
			continue;
		snprintf(w, sizeof(w), "%s%s", kw, name);
		offer(arg, w);
	}
	btf__free(b);
}

void create_complete(char *const *pos, int npos, const char *btf_file,
		     void (*offer)(void *arg, const char *word), void *arg)
{
	const char *prev;

	if (npos == 0)
		return;		/* NAME: a name of the user's */
	if (npos == 1) {
		for (int t = 1; t < 64; t++) {
			const char *s = libbpf_bpf_map_type_str((enum bpf_map_type)t);

			if (s && strcmp(s, "unspec"))
				offer(arg, s);
		}
		return;
	}
	prev = pos[npos - 1];
	if (!strcmp(prev, "key") || !strcmp(prev, "value")) {
		offer_btf_types(btf_file, offer, arg);
		return;
	}
	if (!strcmp(prev, "max") || !strcmp(prev, "pin") ||
	    !strcmp(prev, "extra") || !strcmp(prev, "inner"))
		return;
	for (int i = 0; create_words[i]; i++) {
		bool used = false;

		for (int j = 2; j < npos; j++)
			used |= !strcmp(pos[j], create_words[i]);
		if (!used)
			offer(arg, create_words[i]);
	}
	for (const struct create_flag *f = create_flags; f->name; f++)
		offer(arg, f->name);
}
