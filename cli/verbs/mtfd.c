// SPDX-License-Identifier: GPL-2.0
/* The verbs of the maps whose entries are file descriptors given to the
 * kernel, read back as ids and cookies: program arrays (program ids and
 * names; update takes a program), device maps (interfaces by name), CPU
 * maps (queue size and program), socket maps (cookies). The table routes
 * these types here (map_verbs.c); delete and clear are mtypes.c's. */
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "base/err.h"
#include "base/interrupt.h"
#include "map/mapinfo.h"
#include "map/write.h"
#include "output/bpfjson.h"
#include "output/entry_out.h"
#include "verbs/map_verbs.h"
#include "verbs/mtypes.h"

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

/* A socket map of 4-byte values: the kernel gives a socket's cookie only
 * into an 8-byte value, and its lookup from user space fails with ENOSPC
 * for every key of one of 4 (net/core/sock_map.c, *_lookup_sys): filled
 * or not, a sockmap's slot cannot be told; a sockhash still lists the
 * keys it holds. */
static bool sock_no_cookie(const struct mapref *m)
{
	return (m->info.type == BPF_MAP_TYPE_SOCKMAP ||
		m->info.type == BPF_MAP_TYPE_SOCKHASH ||
		m->info.type == BPF_MAP_TYPE_REUSEPORT_SOCKARRAY) &&
	       m->info.value_size != 8;
}

/* Why verb cannot read m (a socket map of 4-byte values), printed: for a
 * sockmap every verb that reads, for a sockhash those that need more than
 * the keys (keys_will: dump and count make do with them); 0 when it can. */
static int sock_refusal(const struct mapref *m, const char *verb,
			bool keys_will)
{
	if (!sock_no_cookie(m) ||
	    (keys_will && m->info.type == BPF_MAP_TYPE_SOCKHASH))
		return EXIT_OK;
	return err_fail("%s %s: the kernel gives a socket's cookie only into 8-byte values, and %s's are %u bytes: it shows %s",
			m->name, verb, m->name, m->info.value_size,
			m->info.type == BPF_MAP_TYPE_SOCKHASH ?
			"no cookie (dump lists the keys)" :
			"no cookie, nor which indexes hold a socket");
}

/* The members of one entry of a map of these types (v: what a lookup
 * returned; NULL for a socket map that shows no cookie, and an XDP socket
 * map, whose sockets the kernel does not show: the key alone). */
static void fd_members(struct out *o, const struct mapref *m, const void *k,
		       const void *v)
{
	__u32 a = 0, b = 0;
	__u64 c = 0;

	if (out_is_json(o) && o->bpftool) {
		/* bpftool's shape: the value's bytes as the kernel gave them */
		if (v) {
			bj_members(&o->jw, m, k, v);
		} else {
			jw_name(&o->jw, "key");
			tv_bpftool_hex(k, m->info.key_size, &o->jw);
		}
		return;
	}
	mt_key_field(o, m, k);
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
	default:	/* sockmap, sockhash, reuseport array: the socket's
			 * cookie (ss -e: sk:HEX) */
		memcpy(&c, v, 8);
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

/* Read one entry: 0, or -errno. XDP socket maps and socket maps that
 * show no cookie: 0 without a value. */
static int fd_read(const struct mapref *m, const void *k, void *v, bool *has_v)
{
	*has_v = m->info.type != BPF_MAP_TYPE_XSKMAP && !sock_no_cookie(m);
	if (!*has_v) {
		/* Is the key there? get_next_key from it works only then
		 * for a hash; for an array every index answers. */
		return 0;
	}
	if (bpf_map_lookup_elem(m->fd, k, v))
		return -errno;
	return 0;
}

/* Every entry, each printed as a record when print is set, else counted
 * into *count. */
static int fd_each(struct ctx *ctx, const char *verb, bool print,
		   unsigned long long *count)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	char *keys = NULL, *v;
	size_t n;
	int rc;

	rc = mt_all_keys(m, verb, &keys, &n);
	if (rc)
		return rc;
	v = calloc(1, m->info.value_size + 8);
	if (!v) {
		free(keys);
		return err_fail("out of memory");
	}
	*count = 0;
	if (print)
		out_list_begin(o);
	for (size_t i = 0; i < n && !o->broken && !interrupted(); i++) {
		const char *k = keys + i * m->info.key_size;
		bool has_v;
		int r = fd_read(m, k, v, &has_v);

		if (r == -ENOENT)
			continue;	/* an empty slot, or deleted since */
		if (r) {
			rc = err_fail("%s %s: the kernel refused to read an entry: %s",
				      m->name, verb, strerror(-r));
			break;
		}
		(*count)++;
		if (!print)
			continue;
		out_record_begin(o);
		fd_members(o, m, k, has_v ? v : NULL);
		out_record_end(o);
	}
	if (print)
		out_list_end(o);
	free(v);
	free(keys);
	return rc;
}

int mt_fd_dump(struct ctx *ctx, const struct cmd *cmd,
	       const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	unsigned long long n;
	int rc;

	(void)opts;
	if (argc)
		return err_usage("%s dump: unexpected '%s' (a %s map is dumped whole)",
				 m->name, argv[0], map_type_str(m->info.type));
	rc = sock_refusal(m, cmd->name, true);
	if (rc)
		return rc;
	if (sock_no_cookie(m))
		err_warn("%s: the keys alone: the kernel gives a socket's cookie only into 8-byte values (%s's are %u bytes)",
			 m->name, m->name, m->info.value_size);
	return fd_each(ctx, cmd->name, true, &n);
}

/* count: the entries dump shows (the filled slots of an array). */
int mt_fd_count(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	unsigned long long n;
	int rc;

	(void)opts;
	if (argc)
		return err_usage("%s count: unexpected '%s' (a %s map is counted whole)",
				 m->name, argv[0], map_type_str(m->info.type));
	rc = sock_refusal(m, cmd->name, true);
	if (!rc)
		rc = fd_each(ctx, cmd->name, false, &n);
	if (!rc)
		verb_count_out(&ctx->out, m, n);
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
	rc = mt_index_key(m, cmd->name, argc, argv, key);
	if (rc)
		return rc;
	if (m->info.type == BPF_MAP_TYPE_XSKMAP)
		return err_fail("%s lookup: the kernel does not show the sockets of an XDP socket map to user space (dump lists the keys)",
				m->name);
	rc = sock_refusal(m, cmd->name, false);
	if (rc)
		return rc;
	r = fd_read(m, key, v, &has_v);
	if (r) {
		char what[64];

		snprintf(what, sizeof(what), "%s at key", fd_what(m->info.type));
		return mt_no_entry(m, what, key, -r);
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
	rc = mt_index_key(m, cmd->name, nk, argv, key);
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
	rc = mt_index_key(m, cmd->name, nk, argv, key);
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
