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
#include <sys/file.h>
#include <sys/stat.h>
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

const char *audit_open_path(void)
{
	return active ? open_path : NULL;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "not a regular file";
}

/* Open the log: a regular file, never through a symbolic link, never
 * blocking on a FIFO. fd, or -1 after printing. */
static int open_log(const char *path, const struct mapref *m, const char *verb)
{
	struct stat st;
	int fd, e, fl;

	/* Read too, to see whether the last record was cut short (append). */
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
			O_NONBLOCK, 0600);
	if (fd < 0 && errno == EACCES)
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
				O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0) {
		e = errno;
		if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
			err_fail("%s %s: audit log %s is %s, not a regular file (refused; nothing changed)",
				 m->name, verb, path, file_kind(st.st_mode));
			return -1;
		}
		err_fail("%s %s: audit log %s: %s (nothing changed)", m->name,
			 verb, path, strerror(e));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err_fail("%s %s: audit log %s is %s, not a regular file (refused; nothing changed)",
			 m->name, verb, path, file_kind(st.st_mode));
		close(fd);
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
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
	fd = open_log(path, m, verb);
	if (fd < 0)
		return EXIT_FAIL;
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

/* A value as dump shows it: per-CPU maps summed over the CPUs, or the
 * string "per_cpu" when a field that is not summed differs between the
 * CPUs (there is no one value: "old_per_cpu"/"new_per_cpu" have them). */
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
	if (!mapref_one_value(m, raw)) {
		jw_string(jw, "per_cpu");
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

/* time, user, pid, map, op, txn: the members every record starts with. */
static void record_head(struct jw *jw, const struct audit_txn *t, const char *state)
{
	jw_start_object(jw);
	add_time(jw);
	add_user(jw);
	jw_kv_u64(jw, "pid", (uint64_t)getpid());
	jw_name(jw, "map");
	jw_start_object(jw);
	jw_kv_string(jw, "name", t->m->name);
	jw_kv_u64(jw, "id", t->m->info.id);
	jw_end_object(jw);
	jw_kv_string(jw, "op", t->op);
	jw_kv_string(jw, "txn", t->id);
	jw_kv_string(jw, "state", state);
}

/* Append buf to the log, whole or not at all, and sync it: 0 or -errno.
 * Under an flock of the log (other mapsh writers wait), a record cut
 * short by a full disk is cut off again. */
static int append(const char *buf, size_t len)
{
	struct stat st;
	off_t start = -1;
	size_t off = 0;
	int rc = 0;

	while (flock(log_fd, LOCK_EX) && errno == EINTR)
		;
	if (!fstat(log_fd, &st))
		start = st.st_size;
	/* A writer killed in the middle of a record left it cut short: ours
	 * start on a line of their own. */
	if (start > 0) {
		char last = '\n';

		if (pread(log_fd, &last, 1, start - 1) == 1 && last != '\n' &&
		    write(log_fd, "\n", 1) == 1)
			start++;
	}
	while (off < len) {
		ssize_t n = write(log_fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	if (!rc && fdatasync(log_fd))
		rc = -errno;
	if (rc && off && start >= 0 && ftruncate(log_fd, start)) {
		/* cannot cut it: the line stays cut short */
	}
	flock(log_fd, LOCK_UN);
	return rc;
}

static unsigned txn_seq;

void audit_txn_begin(struct audit_txn *t, const struct mapref *m, const char *op)
{
	static char prefix[40];

	memset(t, 0, sizeof(*t));
	sb_init(&t->lines);
	t->m = m;
	t->op = op;
	t->on = active && log_fd >= 0;
	if (!t->on)
		return;
	if (!prefix[0]) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(prefix, sizeof(prefix), "%llx-%ld",
			 (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec,
			 (long)getpid());
	}
	snprintf(t->id, sizeof(t->id), "%s-%u", prefix, ++txn_seq);
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

void audit_txn_add(struct audit_txn *t, const void *key, const void *old,
		   const void *new)
{
	struct jw jw;
	bool has;

	if (!t->on)
		return;
	if (t->n == t->cap) {
		size_t c = t->cap ? t->cap * 2 : 64;
		unsigned char *h = realloc(t->has, c);

		if (!h)
			abort();
		t->has = h;
		t->cap = c;
	}
	/* A queue's element has no key: old or new alone is the change. */
	has = !(key && old && new && same_value(t->m, old, new));
	t->has[t->n++] = has;
	if (!has)
		return;
	jw_init(&jw, &t->lines, false);
	record_head(&jw, t, "intent");
	audit_json_members(&jw, t->m, key, old, new);
	jw_end_object(&jw);
	sb_addc(&t->lines, '\n');
	t->nintent++;
}

int audit_txn_intent(struct audit_txn *t)
{
	int rc;

	if (!t->on || !t->nintent)
		return 0;
	rc = append(t->lines.buf, t->lines.len);
	sb_reset(&t->lines);
	return rc;
}

int audit_txn_result(struct audit_txn *t, size_t done, const void *keys,
		     const size_t *gone, size_t ngone, int err)
{
	struct strbuf sb = STRBUF_INIT;
	const struct mapref *m = t->m;
	size_t made = 0;
	struct jw jw;
	int rc;

	if (!t->on || !t->nintent)
		return 0;
	for (size_t i = 0; i < done && i < t->n; i++)
		made += t->has[i];
	for (size_t g = 0; g < ngone; g++)
		if (gone[g] < t->n && t->has[gone[g]] && made)
			made--;
	jw_init(&jw, &sb, false);
	record_head(&jw, t, err ? "failed" : "done");
	jw_kv_u64(&jw, "changes", made);
	if (err)
		jw_kv_string(&jw, "error", strerror(err));
	if (ngone && keys && m->key) {
		jw_name(&jw, "gone");
		jw_start_array(&jw);
		for (size_t g = 0; g < ngone; g++)
			tv_format_json(m->key, (const char *)keys +
				       gone[g] * m->info.key_size, &jw);
		jw_end_array(&jw);
	}
	if (t->taken) {
		jw_name(&jw, "old");
		value_json(&jw, m, t->taken);
	}
	jw_end_object(&jw);
	sb_addc(&sb, '\n');
	rc = append(sb.buf, sb.len);
	sb_free(&sb);
	return rc;
}

int audit_txn_note(struct audit_txn *t, const char *state,
		   void (*members)(struct jw *jw, const void *arg),
		   const void *arg, int err)
{
	struct strbuf sb = STRBUF_INIT;
	struct jw jw;
	int rc;

	if (!t->on)
		return 0;
	jw_init(&jw, &sb, false);
	record_head(&jw, t, state);
	if (members)
		members(&jw, arg);
	if (err)
		jw_kv_string(&jw, "error", strerror(err));
	jw_end_object(&jw);
	sb_addc(&sb, '\n');
	rc = append(sb.buf, sb.len);
	sb_free(&sb);
	return rc;
}

void audit_txn_free(struct audit_txn *t)
{
	sb_free(&t->lines);
	free(t->has);
	memset(t, 0, sizeof(*t));
}
