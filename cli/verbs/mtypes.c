// SPDX-License-Identifier: GPL-2.0
/* The verbs of map types whose entries are not plain data: stack traces
 * (addresses, kernel ones by symbol), bloom filters (a membership test);
 * delete and clear entry by entry, also of the maps of file descriptors,
 * whose dump, lookup and update are in mtfd.c (program arrays, device,
 * CPU and socket maps, reuseport arrays), and of the cgroup and perf
 * event arrays; why a verb does not apply. Local storages and
 * struct_ops maps are in mtstore.c. The table routes these types here
 * (map_verbs.c). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "base/err.h"
#include "base/interrupt.h"
#include "map/ksym.h"
#include "map/mapinfo.h"
#include "map/mapiter.h"
#include "map/write.h"
#include "output/entry_out.h"
#include "verbs/map_verbs.h"
#include "verbs/mtypes.h"

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
int mt_index_key(const struct mapref *m, const char *verb, int argc,
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
void mt_key_field(struct out *o, const struct mapref *m, const void *k)
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
int mt_all_keys(const struct mapref *m, const char *verb, char **keys,
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
		mt_key_field(o, m, k);
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
			mt_key_field(o, m, k);
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
	rc = mt_all_keys(m, cmd->name, &keys, &n);
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

int mt_no_entry(const struct mapref *m, const char *what, const void *key,
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
	rc = mt_index_key(m, cmd->name, argc, argv, key);
	if (rc)
		return rc;
	v = malloc(m->info.value_size);
	if (!v)
		return err_fail("out of memory");
	if (bpf_map_lookup_elem(m->fd, key, v)) {
		rc = mt_no_entry(m, "stack with id", key, errno);
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

/* A sockmap answers the delete of an empty slot with EINVAL, not ENOENT
 * (net/core/sock_map.c, __sock_map_delete); the index is in range, as
 * mt_index_key checked. */
static bool empty_slot(const struct mapref *m, int rc)
{
	return rc == -EINVAL && m->info.type == BPF_MAP_TYPE_SOCKMAP;
}

int mt_delete(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	char key[64] = { 0 };
	int rc;

	(void)opts;
	if (m->info.key_size > sizeof(key))
		return verb_delete(ctx, cmd, opts, argc, argv);
	rc = mt_index_key(m, cmd->name, argc, argv, key);
	if (rc || !(rc = mapw_delete(m, key)))
		return rc;
	/* the key as dump shows it: a 4-byte index as a number */
	if (rc == -ENOENT || empty_slot(m, rc))
		return mt_no_entry(m, "entry with key", key, ENOENT);
	return mapw_error(m, cmd->name, rc, key);
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
		rc = mt_all_keys(m, cmd->name, &keys, &n);
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
		 * not entries; an XDP socket map does not say, nor a socket
		 * map that shows no cookie (ENOSPC), nor do the cgroup and
		 * perf event arrays (ENOTSUPP): the delete does. */
		if (m->info.type != BPF_MAP_TYPE_XSKMAP &&
		    bpf_map_lookup_elem(m->fd, k, v) && errno == ENOENT)
			continue;
		r = mapw_delete(m, k);
		if (r == -ENOENT || empty_slot(m, r))
			continue;	/* gone since, or empty */
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
