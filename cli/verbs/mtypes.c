// SPDX-License-Identifier: GPL-2.0
/* The verbs of map types whose entries are not plain data: stack traces
 * (addresses, kernel ones by symbol), program arrays (program ids and
 * names), device maps (interfaces by name), CPU maps (queue size and
 * program), socket maps and reuseport arrays (cookies), XDP socket maps
 * (keys only), bloom filters (a membership test). Local storages and
 * struct_ops maps are in mtstore.c. The table routes these types here
 * (map_verbs.c). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "base/err.h"
#include "base/interrupt.h"
#include "map/ksym.h"
#include "map/mapinfo.h"
#include "map/mapiter.h"
#include "map/write.h"
#include "output/entry_out.h"
#include "verbs/map_verbs.h"

/* A number as a little-endian key of key_size (4 or 8) bytes: true when
 * w is one. */
static bool number_key(const struct mapref *m, const char *w, void *key)
{
	unsigned long long v;
	char *end;

	if (m->info.key_size != 4 && m->info.key_size != 8)
		return false;
	if (!isdigit((unsigned char)w[0]))
		return false;
	errno = 0;
	v = strtoull(w, &end, 0);
	if (errno || *end)
		return false;
	if (m->info.key_size == 4) {
		__u32 k = (__u32)v;

		if (v > 0xffffffffULL)
			return false;
		memcpy(key, &k, 4);
	} else {
		memcpy(key, &v, 8);
	}
	return true;
}

/* KEY: a number (an index, a stack id, a CPU) for 4- and 8-byte keys even
 * without BTF; else as any key (mapref_parse_key). */
static int index_key(const struct mapref *m, const char *verb, int argc,
		     char **argv, void *key)
{
	if (argc == 1 && number_key(m, argv[0], key)) {
		if (m->is_array || m->info.type == BPF_MAP_TYPE_PROG_ARRAY ||
		    m->info.type == BPF_MAP_TYPE_DEVMAP ||
		    m->info.type == BPF_MAP_TYPE_CPUMAP ||
		    m->info.type == BPF_MAP_TYPE_XSKMAP ||
		    m->info.type == BPF_MAP_TYPE_SOCKMAP ||
		    m->info.type == BPF_MAP_TYPE_REUSEPORT_SOCKARRAY ||
		    m->info.type == BPF_MAP_TYPE_CGROUP_ARRAY ||
		    m->info.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
			__u32 k;

			memcpy(&k, key, 4);
			if (k >= m->info.max_entries)
				return err_usage("%s %s: index %u out of range (%s has %u elements)",
						 m->name, verb, k, m->name,
						 m->info.max_entries);
		}
		return EXIT_OK;
	}
	if (!argc)
		return err_usage("%s %s: expected KEY", m->name, verb);
	return mapref_parse_key(m, verb, argc, argv, key);
}

static __u32 key_u32(const void *k)
{
	__u32 v;

	memcpy(&v, k, 4);
	return v;
}

/* The key as a JSON member or a cell: a number for 4-byte keys, else as
 * mapref shows keys. */
static void key_field(struct out *o, const struct mapref *m, const void *k)
{
	struct strbuf sb = STRBUF_INIT;

	if (m->info.key_size == 4 && (!m->key || tv_plan_is_raw(m->key))) {
		out_u64(o, "key", key_u32(k));
		return;
	}
	mapref_key_text(m, k, &sb);
	out_str(o, "key", sb_str(&sb));
	sb_free(&sb);
}

/* Every key (get_next_key), for the verbs that read each entry on its own:
 * *keys (n of them) to free. */
static int all_keys(const struct mapref *m, const char *verb, char **keys,
		    size_t *n)
{
	size_t ks = m->info.key_size, cap = 0;
	char *buf = NULL, *prev = NULL;

	*n = 0;
	for (;;) {
		char *nb;

		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			nb = realloc(buf, cap * ks);
			if (!nb) {
				free(buf);
				return err_fail("out of memory");
			}
			buf = nb;
		}
		prev = *n ? buf + (*n - 1) * ks : NULL;
		if (mapiter_get_next_key(m->fd, prev, buf + *n * ks)) {
			int e = errno;

			if (e == ENOENT)
				break;
			free(buf);
			if (e == EOPNOTSUPP || e == 524 /* ENOTSUPP */)
				return err_fail("%s %s: the kernel lists no keys of a %s map", m->name,
						verb, map_type_str(m->info.type));
			return err_fail("%s %s: reading the keys failed: %s", m->name, verb,
					strerror(e));
		}
		(*n)++;
		if (*n > (size_t)m->info.max_entries + 1024)
			break;	/* entries coming faster than we read */
	}
	*keys = buf;
	return EXIT_OK;
}

/* ---- stack traces ---- */

struct build_id_frame {		/* struct bpf_stack_build_id */
	__s32 status;
	unsigned char build_id[20];
	__u64 offset;
};

static bool build_id_stack(const struct mapref *m)
{
	return m->info.map_flags & BPF_F_STACK_BUILD_ID;
}

/* One stack: the frames until the first empty one. */
static unsigned stack_frames(const struct mapref *m, const void *v)
{
	unsigned n;

	if (build_id_stack(m)) {
		const struct build_id_frame *f = v;

		n = m->info.value_size / sizeof(*f);
		for (unsigned i = 0; i < n; i++)
			if (f[i].status == 0)	/* BPF_STACK_BUILD_ID_EMPTY */
				return i;
		return n;
	}
	n = m->info.value_size / 8;
	for (unsigned i = 0; i < n; i++) {
		__u64 a;

		memcpy(&a, (const char *)v + i * 8, 8);
		if (!a)
			return i;
	}
	return n;
}

/* Frame i: its address (or build-id offset) and where it is. */
static void stack_frame(const struct mapref *m, const void *v, unsigned i,
			struct strbuf *addr, struct strbuf *where)
{
	sb_reset(addr);
	sb_reset(where);
	if (build_id_stack(m)) {
		const struct build_id_frame *f = (const struct build_id_frame *)v + i;

		if (f->status == 2) {	/* BPF_STACK_BUILD_ID_IP */
			sb_addf(addr, "0x%llx", (unsigned long long)f->offset);
			ksym_name(f->offset, where);
			return;
		}
		sb_addf(addr, "0x%llx", (unsigned long long)f->offset);
		sb_adds(where, "build-id ");
		for (int b = 0; b < 20; b++)
			sb_addf(where, "%02x", f->build_id[b]);
		return;
	}
	{
		__u64 a;

		memcpy(&a, (const char *)v + i * 8, 8);
		sb_addf(addr, "0x%llx", (unsigned long long)a);
		ksym_name(a, where);
	}
}

/* Text: one row per frame (id, frame, address, symbol); JSON: one object
 * per stack, {"key": ID, "stack": [{"addr": .., "symbol": ..}, ...]}. */
static void stack_record(struct out *o, const struct mapref *m, const void *k,
			 const void *v, bool members)
{
	struct strbuf addr = STRBUF_INIT, where = STRBUF_INIT;
	unsigned n = stack_frames(m, v);

	if (out_is_json(o)) {
		struct jw *w;

		if (!members)
			out_record_begin(o);
		key_field(o, m, k);
		w = out_json_field(o, "stack");
		jw_start_array(w);
		for (unsigned i = 0; i < n; i++) {
			const struct build_id_frame *f = (const struct build_id_frame *)v + i;

			stack_frame(m, v, i, &addr, &where);
			jw_start_object(w);
			if (build_id_stack(m) && f->status == 1) {
				/* BPF_STACK_BUILD_ID_VALID: file and offset */
				jw_kv_string(w, "build_id", sb_str(&where) + strlen("build-id "));
				jw_kv_string(w, "offset", sb_str(&addr));
				jw_end_object(w);
				continue;
			}
			jw_kv_string(w, "addr", sb_str(&addr));
			jw_name(w, "symbol");
			if (where.len)
				jw_string(w, sb_str(&where));
			else
				jw_null(w);
			jw_end_object(w);
		}
		jw_end_array(w);
		if (!members)
			out_record_end(o);
	} else {
		for (unsigned i = 0; i < n; i++) {
			stack_frame(m, v, i, &addr, &where);
			out_record_begin(o);
			key_field(o, m, k);
			out_u64(o, "frame", i);
			out_str(o, "address", sb_str(&addr));
			out_str(o, "symbol", where.len ? sb_str(&where) : "-");
			out_record_end(o);
		}
	}
	sb_free(&addr);
	sb_free(&where);
}

int mt_stack_dump(struct ctx *ctx, const struct cmd *cmd,
		  const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	char *keys = NULL, *v;
	size_t n;
	int rc;

	(void)opts;
	if (argc)
		return err_usage("%s dump: unexpected '%s' (a stack trace map is dumped whole; 'lookup ID' shows one stack)",
				 m->name, argv[0]);
	rc = all_keys(m, cmd->name, &keys, &n);
	if (rc)
		return rc;
	v = malloc(m->info.value_size);
	if (!v) {
		free(keys);
		return err_fail("out of memory");
	}
	out_list_begin(o);
	for (size_t i = 0; i < n && !o->broken && !interrupted(); i++) {
		const char *k = keys + i * m->info.key_size;

		if (bpf_map_lookup_elem(m->fd, k, v))
			continue;	/* deleted since */
		stack_record(o, m, k, v, false);
	}
	out_list_end(o);
	free(v);
	free(keys);
	return EXIT_OK;
}

static int no_entry(const struct mapref *m, const char *what, const void *key,
		    int e)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	if (m->info.key_size == 4)
		sb_addf(&sb, "%u", key_u32(key));
	else
		mapref_key_text(m, key, &sb);
	if (e == ENOENT)
		rc = err_fail("%s: no %s %s", m->name, what, sb_str(&sb));
	else
		rc = err_fail("%s lookup: %s", m->name, strerror(e));
	sb_free(&sb);
	return rc;
}

int mt_stack_lookup(struct ctx *ctx, const struct cmd *cmd,
		    const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	char key[64] = { 0 };
	char *v;
	int rc;

	(void)opts;
	if (m->info.key_size > sizeof(key))
		return err_fail("%s: key of %u bytes", m->name, m->info.key_size);
	rc = index_key(m, cmd->name, argc, argv, key);
	if (rc)
		return rc;
	v = malloc(m->info.value_size);
	if (!v)
		return err_fail("out of memory");
	if (bpf_map_lookup_elem(m->fd, key, v)) {
		rc = no_entry(m, "stack with id", key, errno);
		free(v);
		return rc;
	}
	if (out_is_json(o)) {
		/* One object, as lookup shows one entry. */
		out_object_begin(o);
		stack_record(o, m, key, v, true);
		out_object_end(o);
	} else {
		out_list_begin(o);
		stack_record(o, m, key, v, false);
		out_list_end(o);
	}
	free(v);
	return EXIT_OK;
}

/* ---- delete and clear, entry by entry ---- */

int mt_delete(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	char key[64] = { 0 };
	int rc;

	(void)opts;
	if (m->info.key_size > sizeof(key))
		return verb_delete(ctx, cmd, opts, argc, argv);
	rc = index_key(m, cmd->name, argc, argv, key);
	if (!rc && (rc = mapw_delete(m, key)))
		rc = mapw_error(m, cmd->name, rc, key);
	return rc;
}

/* clear of a map whose entries user space cannot write back (stack
 * traces, program arrays, device, socket, cgroup and perf event maps):
 * each entry deleted, no undo journal. */
int mt_clear(struct ctx *ctx, const struct cmd *cmd,
	     const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	unsigned long long done = 0;
	char *keys = NULL, *v;
	size_t n;
	int rc;

	(void)opts;
	rc = verb_no_args(m, cmd->name, argc, argv);
	if (!rc)
		rc = verb_confirm_clear(ctx, m);
	if (!rc)
		rc = all_keys(m, cmd->name, &keys, &n);
	if (rc)
		return rc;
	v = calloc(1, m->info.value_size + 8);
	if (!v) {
		free(keys);
		return err_fail("out of memory");
	}
	for (size_t i = 0; i < n && !rc; i++) {
		const char *k = keys + i * m->info.key_size;
		int r;

		/* The empty slots of an array (devmap, prog_array, ...) are
		 * not entries; an XDP socket map does not say, nor do the
		 * cgroup and perf event arrays (ENOTSUPP): the delete does. */
		if (m->info.type != BPF_MAP_TYPE_XSKMAP &&
		    bpf_map_lookup_elem(m->fd, k, v) && errno == ENOENT)
			continue;
		r = mapw_delete(m, k);
		if (r == -ENOENT)
			continue;	/* gone since */
		if (r)
			rc = mapw_error(m, cmd->name, r, k);
		else
			done++;
	}
	free(v);
	free(keys);
	if (out_is_json(o)) {
		out_object_begin(o);
		out_u64(o, "deleted", done);
		out_object_end(o);
	} else if (!rc) {
		out_line(o, "%s: deleted %llu %s", m->name, done,
			 done == 1 ? "entry" : "entries");
	}
	return rc;
}

/* ---- program arrays, device, CPU and socket maps ---- */

static void prog_fields(struct out *o, __u32 id)
{
	struct bpf_prog_info pi = { 0 };
	__u32 len = sizeof(pi);
	int fd = bpf_prog_get_fd_by_id(id);
	const char *t = NULL;

	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &pi, &len))
		t = libbpf_bpf_prog_type_str(pi.type);
	if (fd >= 0)
		close(fd);
	out_u64(o, "prog_id", id);
	out_str(o, "prog_name", t ? pi.name : "-");
	out_str(o, "prog_type", t ? t : "-");
}

static void ifname_field(struct out *o, __u32 ifindex)
{
	char name[IF_NAMESIZE];

	out_u64(o, "ifindex", ifindex);
	out_str(o, "ifname", if_indextoname(ifindex, name) ? name : "-");
}

/* The members of one entry of a map of these types (v: what a lookup
 * returned, NULL for an XDP socket map, whose sockets the kernel does not
 * show). */
static void fd_members(struct out *o, const struct mapref *m, const void *k,
		       const void *v)
{
	__u32 a = 0, b = 0;
	__u64 c = 0;

	key_field(o, m, k);
	if (!v)
		return;
	memcpy(&a, v, 4);
	if (m->info.value_size >= 8)
		memcpy(&b, (const char *)v + 4, 4);
	switch (m->info.type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
		prog_fields(o, a);
		break;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		ifname_field(o, a);
		if (m->info.value_size >= 8) {
			if (b)
				prog_fields(o, b);
			else
				out_str(o, "prog_id", "-");
		}
		break;
	case BPF_MAP_TYPE_CPUMAP:
		out_u64(o, "qsize", a);
		if (m->info.value_size >= 8) {
			if (b)
				prog_fields(o, b);
			else
				out_str(o, "prog_id", "-");
		}
		break;
	default:	/* sockmap, sockhash, reuseport array: the socket's cookie */
		if (m->info.value_size >= 8)
			memcpy(&c, v, 8);
		else
			c = a;
		out_u64(o, "cookie", c);
		break;
	}
}

static const char *fd_what(__u32 type)
{
	switch (type) {
	case BPF_MAP_TYPE_PROG_ARRAY: return "program";
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH: return "device";
	case BPF_MAP_TYPE_CPUMAP: return "CPU entry";
	default: return "socket";
	}
}

/* Read one entry: 0, or -errno. XDP socket maps: 0 without a value. */
static int fd_read(const struct mapref *m, const void *k, void *v, bool *has_v)
{
	*has_v = m->info.type != BPF_MAP_TYPE_XSKMAP;
	if (!*has_v) {
		/* Is the key there? get_next_key from it works only then
		 * for a hash; for an array every index answers. */
		return 0;
	}
	if (bpf_map_lookup_elem(m->fd, k, v))
		return -errno;
	return 0;
}

int mt_fd_dump(struct ctx *ctx, const struct cmd *cmd,
	       const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	char *keys = NULL, *v;
	size_t n;
	int rc;

	(void)opts;
	if (argc)
		return err_usage("%s dump: unexpected '%s' (a %s map is dumped whole)",
				 m->name, argv[0], map_type_str(m->info.type));
	rc = all_keys(m, cmd->name, &keys, &n);
	if (rc)
		return rc;
	v = calloc(1, m->info.value_size + 8);
	if (!v) {
		free(keys);
		return err_fail("out of memory");
	}
	out_list_begin(o);
	for (size_t i = 0; i < n && !o->broken && !interrupted(); i++) {
		const char *k = keys + i * m->info.key_size;
		bool has_v;
		int r = fd_read(m, k, v, &has_v);

		if (r == -ENOENT)
			continue;	/* an empty slot, or deleted since */
		if (r) {
			rc = err_fail("%s dump: the kernel refused to read an entry: %s",
				      m->name, strerror(-r));
			break;
		}
		out_record_begin(o);
		fd_members(o, m, k, has_v ? v : NULL);
		out_record_end(o);
	}
	out_list_end(o);
	free(v);
	free(keys);
	return rc;
}

int mt_fd_lookup(struct ctx *ctx, const struct cmd *cmd,
		 const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	char key[64] = { 0 }, v[64] = { 0 };
	bool has_v;
	int rc, r;

	(void)opts;
	if (m->info.key_size > sizeof(key) || m->info.value_size > sizeof(v))
		return err_fail("%s: entries of %u+%u bytes", m->name,
				m->info.key_size, m->info.value_size);
	rc = index_key(m, cmd->name, argc, argv, key);
	if (rc)
		return rc;
	if (m->info.type == BPF_MAP_TYPE_XSKMAP)
		return err_fail("%s lookup: the kernel does not show the sockets of an XDP socket map to user space (dump lists the keys)",
				m->name);
	r = fd_read(m, key, v, &has_v);
	if (r) {
		char what[64];

		snprintf(what, sizeof(what), "%s at key", fd_what(m->info.type));
		return no_entry(m, what, key, -r);
	}
	out_object_begin(o);
	fd_members(o, m, key, v);
	out_object_end(o);
	return EXIT_OK;
}

/* A value word of a device or CPU map: a number, an interface name
 * (devmaps), or NAME=N. */
static int fd_value_word(const struct mapref *m, const char *verb,
			 const char *w, __u32 *out)
{
	const char *eq = strchr(w, '=');
	const char *val = eq ? eq + 1 : w;
	unsigned long long v;
	char *end;

	if (eq) {
		size_t l = (size_t)(eq - w);
		bool dev = m->info.type != BPF_MAP_TYPE_CPUMAP;

		if (!((dev && (!strncmp(w, "ifindex", l) || !strncmp(w, "ifname", l)) && (l == 7 || l == 6)) ||
		      (!dev && l == 5 && !strncmp(w, "qsize", l))))
			return err_usage("%s %s: unknown field '%.*s' (expected %s)",
					 m->name, verb, (int)l, w,
					 dev ? "ifindex=IFACE" : "qsize=N");
	}
	errno = 0;
	v = strtoull(val, &end, 0);
	if (*val && !*end && !errno && v <= 0xffffffffULL) {
		*out = (__u32)v;
		return EXIT_OK;
	}
	if (m->info.type != BPF_MAP_TYPE_CPUMAP) {
		unsigned idx = if_nametoindex(val);

		if (idx) {
			*out = idx;
			return EXIT_OK;
		}
		return err_usage("%s %s: no interface '%s' (expected an interface name or index)",
				 m->name, verb, val);
	}
	return err_usage("%s %s: '%s' is not a queue size (expected qsize=N)",
			 m->name, verb, val);
}

/* update KEY IFACE (device maps), update CPU qsize=N (CPU maps): value
 * {ifindex or qsize, no program}. */
int mt_fd_update(struct ctx *ctx, const struct cmd *cmd,
		 const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	char key[64] = { 0 }, v[64] = { 0 };
	__u64 flags;
	__u32 x = 0;
	int rc, nk;

	if (m->info.key_size > sizeof(key) || m->info.value_size > sizeof(v) ||
	    m->info.value_size < 4)
		return err_fail("%s: entries of %u+%u bytes", m->name,
				m->info.key_size, m->info.value_size);
	rc = verb_update_flags(m, cmd->name, opts, &flags);
	if (rc)
		return rc;
	/* key KEY value VALUE, or KEY VALUE */
	if (argc >= 1 && !strcmp(argv[0], "key")) {
		argv++;
		argc--;
	}
	for (nk = 0; nk < argc && strcmp(argv[nk], "value"); nk++)
		;
	if (nk == argc)
		nk = argc - 1;	/* KEY... VALUE */
	if (nk < 1 || argc - nk - (nk < argc && !strcmp(argv[nk], "value")) != 1)
		return err_usage("%s %s: expected KEY VALUE (%s)", m->name, cmd->name,
				 m->info.type == BPF_MAP_TYPE_CPUMAP ?
				 "update CPU qsize=N" : "update KEY IFACE");
	rc = index_key(m, cmd->name, nk, argv, key);
	if (rc)
		return rc;
	rc = fd_value_word(m, cmd->name, argv[argc - 1], &x);
	if (rc)
		return rc;
	memcpy(v, &x, 4);	/* the program fd after it: 0, none */
	rc = mapw_update(m, key, v, flags);
	if (rc)
		rc = mapw_error(m, cmd->name, rc, key);
	return rc;
}

/* ---- bloom filters ---- */

static int bloom_value(const struct mapref *m, const char *verb, int argc,
		       char **argv, void *v)
{
	if (!argc)
		return err_usage("%s %s: expected VALUE", m->name, verb);
	if (argc == 1 && (m->info.value_size == 4 || m->info.value_size == 8) &&
	    (!m->value || tv_plan_is_raw(m->value)) && isdigit((unsigned char)argv[0][0])) {
		unsigned long long x;
		char *end;

		errno = 0;
		x = strtoull(argv[0], &end, 0);
		if (errno || *end || (m->info.value_size == 4 && x > 0xffffffffULL))
			return err_usage("%s %s: '%s' is not a %u-byte number", m->name,
					 verb, argv[0], m->info.value_size);
		if (m->info.value_size == 4) {
			__u32 y = (__u32)x;

			memcpy(v, &y, 4);
		} else {
			memcpy(v, &x, 8);
		}
		return EXIT_OK;
	}
	{
		struct strbuf err = STRBUF_INIT;
		int rc = EXIT_OK;

		if (!m->value)
			return err_usage("%s %s: the value has no type: give it as bytes (hex ..)",
					 m->name, verb);
		if (tv_parse_args(m->value, argc, argv, v, 0, &err))
			rc = err_usage("%s %s: %s", m->name, verb,
				       err.len ? sb_str(&err) : "not a valid value");
		sb_free(&err);
		return rc;
	}
}

/* lookup VALUE: "maybe present" (exit 0) or "not present" (exit 1). */
int mt_bloom_lookup(struct ctx *ctx, const struct cmd *cmd,
		    const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	void *v = calloc(1, m->info.value_size + 8);
	bool present;
	int rc;

	(void)opts;
	if (!v)
		return err_fail("out of memory");
	rc = bloom_value(m, cmd->name, argc, argv, v);
	if (rc)
		goto out;
	if (bpf_map_lookup_elem(m->fd, NULL, v)) {
		if (errno != ENOENT) {
			rc = err_fail("%s lookup: %s", m->name, strerror(errno));
			goto out;
		}
		present = false;
	} else {
		present = true;
	}
	if (out_is_json(o)) {
		out_object_begin(o);
		out_bool(o, "maybe_present", present);
		out_object_end(o);
	} else {
		out_line(o, "%s", present ? "maybe present" : "not present");
	}
	if (!present)
		rc = EXIT_FAIL;
out:
	free(v);
	return rc;
}

/* push VALUE: add it to the filter. */
int mt_bloom_push(struct ctx *ctx, const struct cmd *cmd,
		  const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	void *v = calloc(1, m->info.value_size + 8);
	int rc;

	(void)opts;
	if (!v)
		return err_fail("out of memory");
	rc = bloom_value(m, cmd->name, argc, argv, v);
	if (!rc && (rc = mapw_push(m, v, 0)))
		rc = mapw_error(m, cmd->name, rc, NULL);
	free(v);
	return rc;
}

/* ---- what cannot be done, and why ---- */

const char *mt_refusal_note(__u32 type, const char *verb)
{
	bool write = !strcmp(verb, "update") || !strcmp(verb, "add") ||
		     !strcmp(verb, "replace") || !strcmp(verb, "set") ||
		     !strcmp(verb, "apply");

	switch (type) {
	case BPF_MAP_TYPE_SK_STORAGE:
	case BPF_MAP_TYPE_INODE_STORAGE:
	case BPF_MAP_TYPE_TASK_STORAGE:
	case MAPSH_MAP_TYPE_CGRP_STORAGE:
		if (type == BPF_MAP_TYPE_SK_STORAGE)
			return "the kernel lists no keys of a local storage, and a socket storage is reached only through a socket of the reading process";
		return "the kernel lists no keys of a local storage: lookup, update and delete take a PID (task), a cgroup directory (cgrp) or a file (inode)";
	case BPF_MAP_TYPE_USER_RINGBUF:
		return "user space writes a user ring buffer through its memory mapping, programs drain it; the kernel gives no entries to read";
	case MAPSH_MAP_TYPE_ARENA:
		return "an arena is memory shared with programs through mmap, with no entries";
	case BPF_MAP_TYPE_STRUCT_OPS:
		return "a struct_ops map holds kernel callbacks that its loader registers; dump and lookup show them";
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
	case BPF_MAP_TYPE_XSKMAP:
		if (type == BPF_MAP_TYPE_XSKMAP && !write)
			return "the kernel does not show the sockets of an XDP socket map to user space";
		if (write)
			return "an entry is a socket of the writing process (a file descriptor), which a command line cannot give";
		return NULL;
	case BPF_MAP_TYPE_PROG_ARRAY:
		if (write)
			return "update KEY id N (or pinned PATH) sets a program";
		return NULL;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		if (!strcmp(verb, "dump") || !strcmp(verb, "lookup"))
			return "its entries are perf event buffers: follow or drain read the records";
		return NULL;
	case BPF_MAP_TYPE_RINGBUF:
		if (!strcmp(verb, "dump") || !strcmp(verb, "lookup"))
			return "it holds records, not entries: follow or drain read them";
		return NULL;
	case BPF_MAP_TYPE_STACK_TRACE:
		if (write)
			return "only programs record stacks (bpf_get_stackid)";
		return NULL;
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		if (!strcmp(verb, "delete") || !strcmp(verb, "clear") || !strcmp(verb, "add"))
			return "an entry lives as long as its program is attached to the cgroup";
		return NULL;
	case BPF_MAP_TYPE_CGROUP_ARRAY:
		return "its entries are cgroup file descriptors, which the kernel does not give back to user space";
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return "a bloom filter has no keys: lookup VALUE tests membership, push VALUE adds";
	default:
		return NULL;
	}
}

/* ---- program arrays: update KEY PROG ---- */

/* PROG: id N, pinned PATH, prog=id:N, prog=pinned:PATH or a bare id: an
 * fd of the program (closed by the caller) and its id; or minus the exit
 * code after printing why. */
static int prog_word_fd(const struct mapref *m, const char *verb, int argc,
			char **argv, __u32 *id)
{
	struct bpf_prog_info pi = { 0 };
	__u32 len = sizeof(pi);
	const char *how = NULL, *arg = NULL;
	int fd;

	if (argc == 2 && (!strcmp(argv[0], "id") || !strcmp(argv[0], "pinned"))) {
		how = argv[0];
		arg = argv[1];
	} else if (argc == 1 && !strncmp(argv[0], "prog=id:", 8)) {
		how = "id";
		arg = argv[0] + 8;
	} else if (argc == 1 && !strncmp(argv[0], "prog=pinned:", 12)) {
		how = "pinned";
		arg = argv[0] + 12;
	} else if (argc == 1 && isdigit((unsigned char)argv[0][0])) {
		how = "id";
		arg = argv[0];
	} else {
		return -err_usage("%s %s: expected KEY and a program: id N, pinned PATH (or prog=id:N, prog=pinned:PATH)",
				  m->name, verb);
	}
	if (!strcmp(how, "id")) {
		unsigned long long n;
		char *end;

		errno = 0;
		n = strtoull(arg, &end, 0);
		if (errno || *end || !*arg || n > 0xffffffffULL)
			return -err_usage("%s %s: '%s' is not a program id", m->name, verb, arg);
		fd = bpf_prog_get_fd_by_id((__u32)n);
		if (fd < 0)
			return -err_fail("%s %s: no program with id %llu: %s", m->name,
					 verb, n, strerror(errno));
	} else {
		fd = bpf_obj_get(arg);
		if (fd < 0)
			return -err_fail("%s %s: cannot open %s: %s", m->name, verb, arg,
					 strerror(errno));
	}
	{
		char line[64];

		/* A map's or link's pin opens too: fdinfo says which. */
		if (fdinfo_line(fd, "prog_type:", line, sizeof(line))) {
			close(fd);
			return -err_usage("%s %s: %s is not a program", m->name, verb, arg);
		}
	}
	if (bpf_obj_get_info_by_fd(fd, &pi, &len) || !pi.id) {
		close(fd);
		return -err_usage("%s %s: %s %s is not a program", m->name, verb, how, arg);
	}
	*id = pi.id;
	return fd;
}

int mt_prog_update(struct ctx *ctx, const struct cmd *cmd,
		   const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	char key[8] = { 0 };
	__u64 flags;
	__u32 id = 0;
	int rc, fd, nk = 1;

	rc = verb_update_flags(m, cmd->name, opts, &flags);
	if (rc)
		return rc;
	if (argc >= 1 && !strcmp(argv[0], "key")) {
		argv++;
		argc--;
	}
	if (argc < 2)
		return err_usage("%s %s: expected KEY and a program: id N, pinned PATH (or prog=id:N, prog=pinned:PATH)",
				 m->name, cmd->name);
	rc = index_key(m, cmd->name, nk, argv, key);
	if (rc)
		return rc;
	argv += nk;
	argc -= nk;
	if (argc >= 1 && !strcmp(argv[0], "value")) {
		argv++;
		argc--;
	}
	fd = prog_word_fd(m, cmd->name, argc, argv, &id);
	if (fd < 0)
		return -fd;
	rc = mapw_inner(m, key, fd, id, flags);
	if (rc == -EINVAL)
		rc = err_fail("%s %s: the kernel refused program %u: a program array holds programs of one type (the type of the programs that call it)",
			      m->name, cmd->name, id);
	else if (rc)
		rc = mapw_error(m, cmd->name, rc, key);
	close(fd);
	return rc;
}
