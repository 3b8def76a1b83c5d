// SPDX-License-Identifier: GPL-2.0
/* The audit log: see audit.h. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "map/audit.h"
#include "base/err.h"
#include "base/json_writer.h"
#include "map/mapiter.h"
#include "base/strbuf.h"
#include "tval/tval.h"

static char **kept;		/* every --audit-log given, copied */
static size_t nkept;
static char *open_path;		/* the file log_fd is open on */
static int log_fd = -1;
static bool active;		/* the current command logs */

const char *audit_keep_path(const char *path)
{
	char **k;

	/* Copies live until exit: a batch may restore an earlier one. */
	for (size_t i = 0; i < nkept; i++)
		if (!strcmp(kept[i], path))
			return kept[i];
	k = realloc(kept, (nkept + 1) * sizeof(*k));
	if (!k || !(k[nkept] = strdup(path)))
		abort();
	kept = k;
	return kept[nkept++];
}

const char *audit_path(const char *setting)
{
	const char *p = setting;

	if (!p)
		p = getenv("MAPSH_AUDIT_LOG");
	return p && *p ? p : NULL;
}

bool audit_active(void)
{
	return active;
}

int audit_begin(const char *setting, const struct mapref *m, const char *verb)
{
	const char *path = audit_path(setting);
	int fd;

	active = false;
	if (!path)
		return EXIT_OK;
	if (log_fd >= 0 && open_path && !strcmp(open_path, path)) {
		active = true;
		return EXIT_OK;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_fail("%s %s: audit log %s: %s (nothing changed)",
				m->name, verb, path, strerror(errno));
	if (log_fd >= 0)
		close(log_fd);
	free(open_path);
	open_path = strdup(path);
	if (!open_path)
		abort();
	log_fd = fd;
	active = true;
	return EXIT_OK;
}

/* An LPM trie's lookup is a longest-prefix match: is this exact prefix
 * one of its keys? */
static bool lpm_has(const struct mapref *m, const void *key)
{
	char *k = calloc(2, m->info.key_size + 8);
	char *next = k + m->info.key_size + 8;
	bool found = false;
	int r;

	if (!k)
		abort();
	for (r = mapiter_get_next_key(m->fd, NULL, next); !r;
	     r = mapiter_get_next_key(m->fd, k, next)) {
		if (!memcmp(next, key, m->info.key_size)) {
			found = true;
			break;
		}
		memcpy(k, next, m->info.key_size);
	}
	free(k);
	return found;
}

void *audit_old(const struct mapref *m, const void *key)
{
	void *v;

	if (!active || (m->lpm && !lpm_has(m, key)))
		return NULL;
	v = calloc(1, m->lookup_size + 8);
	if (!v)
		abort();
	if (bpf_map_lookup_elem(m->fd, key, v)) {
		free(v);
		return NULL;
	}
	return v;
}

void *audit_old_n(const struct mapref *m, const void *keys, __u32 n)
{
	char *v;

	if (!active)
		return NULL;
	v = calloc((size_t)n + 1, m->lookup_size);
	if (!v)
		abort();
	for (__u32 i = 0; i < n; i++)
		if (bpf_map_lookup_elem(m->fd, (const char *)keys + (size_t)i * m->info.key_size,
					v + (size_t)i * m->lookup_size))
			memset(v + (size_t)i * m->lookup_size, 0, m->lookup_size);
	return v;
}

/* A value as dump shows it: per-CPU maps summed over the CPUs. */
static void value_json(struct jw *jw, const struct mapref *m, const void *raw)
{
	void *sum;

	if (!raw) {
		jw_null(jw);
		return;
	}
	if (m->info.type == BPF_MAP_TYPE_HASH_OF_MAPS ||
	    m->info.type == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
		/* What a lookup gives and dump shows: the inner map's id. */
		__u32 id;

		memcpy(&id, raw, sizeof(id));
		jw_start_object(jw);
		jw_kv_u64(jw, "inner_id", id);
		jw_end_object(jw);
		return;
	}
	if (!m->value) {
		jw_null(jw);
		return;
	}
	if (!m->percpu) {
		tv_format_json(m->value, raw, jw);
		return;
	}
	sum = calloc(1, m->info.value_size + 8);
	if (!sum)
		abort();
	mapref_sum_cpus(m, raw, sum);
	tv_format_json(m->value, sum, jw);
	free(sum);
}

static void per_cpu_json(struct jw *jw, const struct mapref *m,
			 const char *name, const void *raw)
{
	jw_name(jw, name);
	if (!raw) {
		jw_null(jw);
		return;
	}
	jw_start_array(jw);
	for (int c = 0; c < m->ncpus; c++)
		tv_format_json(m->value, (const char *)raw + (size_t)c * m->stride, jw);
	jw_end_array(jw);
}

void audit_json_members(struct jw *jw, const struct mapref *m,
			const void *key, const void *old, const void *new)
{
	jw_name(jw, "key");
	if (m->key)
		tv_format_json(m->key, key, jw);
	else
		jw_null(jw);
	jw_name(jw, "old");
	value_json(jw, m, old);
	jw_name(jw, "new");
	value_json(jw, m, new);
	if (m->percpu && m->value) {
		per_cpu_json(jw, m, "old_per_cpu", old);
		per_cpu_json(jw, m, "new_per_cpu", new);
	}
}

static void add_time(struct jw *jw)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	jw_kv_string(jw, "time", buf);
}

static void add_user(struct jw *jw)
{
	static bool looked;
	static char name[256];
	const char *sudo = getenv("SUDO_USER");
	uid_t uid = getuid();

	if (!looked) {
		struct passwd pw, *res = NULL;
		char buf[4096];

		if (!getpwuid_r(uid, &pw, buf, sizeof(buf), &res) && res)
			snprintf(name, sizeof(name), "%s", res->pw_name);
		looked = true;
	}
	jw_name(jw, "user");
	jw_start_object(jw);
	jw_kv_u64(jw, "uid", uid);
	jw_name(jw, "name");
	if (name[0])
		jw_string(jw, name);
	else
		jw_null(jw);
	if (sudo && *sudo)
		jw_kv_string(jw, "sudo_user", sudo);
	jw_end_object(jw);
}

void audit_change(const struct mapref *m, const char *op, const void *key,
		  const void *old, const void *new)
{
	struct strbuf sb = STRBUF_INIT;
	struct jw jw;
	size_t off = 0;

	if (!active || log_fd < 0)
		return;
	jw_init(&jw, &sb, false);
	jw_start_object(&jw);
	add_time(&jw);
	add_user(&jw);
	jw_kv_u64(&jw, "pid", (uint64_t)getpid());
	jw_name(&jw, "map");
	jw_start_object(&jw);
	jw_kv_string(&jw, "name", m->name);
	jw_kv_u64(&jw, "id", m->info.id);
	jw_end_object(&jw);
	jw_kv_string(&jw, "op", op);
	audit_json_members(&jw, m, key, old, new);
	jw_end_object(&jw);
	sb_addc(&sb, '\n');
	/* One write: O_APPEND keeps concurrent writers' lines whole. */
	while (off < sb.len) {
		ssize_t n = write(log_fd, sb.buf + off, sb.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_warn("%s %s: writing the audit log %s failed: %s",
				 m->name, op, open_path, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	sb_free(&sb);
}

static bool same_value(const struct mapref *m, const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b;
	for (int c = 0; c < m->ncpus; c++)
		if (memcmp(a + (size_t)c * m->stride, b + (size_t)c * m->stride,
			   m->info.value_size))
			return false;
	return true;
}

void audit_changes(const struct mapref *m, const char *op, const void *keys,
		   const void *olds, const void *news, __u32 n)
{
	if (!active)
		return;
	for (__u32 i = 0; i < n; i++) {
		const char *k = (const char *)keys + (size_t)i * m->info.key_size;
		const char *o = olds ? (const char *)olds + (size_t)i * m->lookup_size : NULL;
		const char *w = news ? (const char *)news + (size_t)i * m->lookup_size : NULL;

		if (o && w && same_value(m, o, w))
			continue;
		audit_change(m, op, k, o, w);
	}
}
