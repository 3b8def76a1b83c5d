// SPDX-License-Identifier: GPL-2.0
/* The undo journal of a multi-entry write: see journal.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "base/err.h"
#include "map/journal.h"
#include "map/lock.h"

#define JRNL_MAGIC "MAPSHJ1\n"
#define JRNL_VERSION 1

struct jrnl_hdr {
	char magic[8];
	__u32 hdr_size, version;
	__u32 map_id, map_type, key_size, value_size, lookup_size, max_entries;
	__u64 n, time_ns;
	__u32 pid, pad;
	char verb[32];
	char map_name[64];
	char boot_id[40];
	char cmdline[320];
};

static bool quiet;

void jrnl_quiet(bool q)
{
	quiet = q;
}

static void boot_id(char *buf, size_t n)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t r = -1;

	memset(buf, 0, n);
	if (fd >= 0) {
		r = read(fd, buf, n - 1);
		close(fd);
	}
	if (r <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[strcspn(buf, "\n")] = '\0';
}

int jrnl_init(struct jrnl *j, const struct mapref *m, size_t n, const char *verb)
{
	struct timespec ts;

	memset(j, 0, sizeof(*j));
	j->map_id = m->info.id;
	j->key_size = m->info.key_size;
	j->lookup_size = m->lookup_size;
	snprintf(j->verb, sizeof(j->verb), "%s", verb);
	j->pid = (__u32)getpid();
	clock_gettime(CLOCK_REALTIME, &ts);
	j->time_ns = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	snprintf(j->cmdline, sizeof(j->cmdline), "%s", maplock_cmdline());
	if (!n)
		n = 16;
	j->flags = malloc(n);
	j->keys = malloc(n * j->key_size);
	j->olds = malloc(n * j->lookup_size);
	j->news = malloc(n * j->lookup_size);
	j->cap = n;
	if (!j->flags || !j->keys || !j->olds || !j->news) {
		jrnl_free(j);
		return -ENOMEM;
	}
	return 0;
}

static int grow(void **p, size_t elem, size_t cap)
{
	void *q = realloc(*p, elem * cap);

	if (!q)
		return -ENOMEM;
	*p = q;
	return 0;
}

int jrnl_add(struct jrnl *j, const void *key, const void *old, const void *new)
{
	size_t i = j->n;

	if (i == j->cap) {
		size_t c = j->cap * 2;

		if (grow((void **)&j->flags, 1, c) ||
		    grow((void **)&j->keys, j->key_size, c) ||
		    grow((void **)&j->olds, j->lookup_size, c) ||
		    grow((void **)&j->news, j->lookup_size, c))
			return -ENOMEM;
		j->cap = c;
	}
	j->flags[i] = (old ? JF_OLD : 0) | (new ? JF_NEW : 0);
	memcpy(j->keys + i * j->key_size, key, j->key_size);
	if (old)
		memcpy(j->olds + i * j->lookup_size, old, j->lookup_size);
	else
		memset(j->olds + i * j->lookup_size, 0, j->lookup_size);
	if (new)
		memcpy(j->news + i * j->lookup_size, new, j->lookup_size);
	else
		memset(j->news + i * j->lookup_size, 0, j->lookup_size);
	j->n++;
	return 0;
}

void jrnl_free(struct jrnl *j)
{
	free(j->flags);
	free(j->keys);
	free(j->olds);
	free(j->news);
	memset(j, 0, sizeof(*j));
}

static __u64 fnv(__u64 h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
#define FNV_START 0xcbf29ce484222325ull

static int write_all(int fd, const void *p, size_t n, __u64 *h)
{
	const char *c = p;

	if (h)
		*h = fnv(*h, p, n);
	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static void names(__u32 id, char *name, size_t n)
{
	snprintf(name, n, "%u", id);
}

int jrnl_store(const struct jrnl *j, char *err, size_t errn)
{
	struct jrnl_hdr h;
	char path[4096], tmp[4200], name[32], dir[4096];
	__u64 sum = FNV_START;
	int fd, dfd, r;

	names(j->map_id, name, sizeof(name));
	r = state_path("journal", name, true, path, sizeof(path), err, errn);
	if (r)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, JRNL_MAGIC, 8);
	h.hdr_size = sizeof(h);
	h.version = JRNL_VERSION;
	h.map_id = j->map_id;
	h.key_size = j->key_size;
	h.lookup_size = j->lookup_size;
	h.n = j->n;
	h.time_ns = j->time_ns;
	h.pid = j->pid;
	snprintf(h.verb, sizeof(h.verb), "%s", j->verb);
	snprintf(h.cmdline, sizeof(h.cmdline), "%s", j->cmdline);
	boot_id(h.boot_id, sizeof(h.boot_id));
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	r = write_all(fd, &h, sizeof(h), &sum);
	if (!r)
		r = write_all(fd, j->flags, j->n, &sum);
	if (!r)
		r = write_all(fd, j->keys, j->n * j->key_size, &sum);
	if (!r)
		r = write_all(fd, j->olds, j->n * j->lookup_size, &sum);
	if (!r)
		r = write_all(fd, j->news, j->n * j->lookup_size, &sum);
	if (!r)
		r = write_all(fd, &sum, sizeof(sum), NULL);
	if (!r && fsync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r) {
		unlink(tmp);
		goto fail;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd)) {
		r = -errno;
		if (dfd >= 0)
			close(dfd);
		unlink(path);
		goto fail;
	}
	close(dfd);
	return 0;
fail:
	snprintf(err, errn, "writing the journal %s: %s", path, strerror(-r));
	return r;
}

static bool jpath(__u32 id, char *path, size_t n)
{
	char name[32], err[64];

	names(id, name, sizeof(name));
	return !state_path("journal", name, false, path, n, err, sizeof(err));
}

void jrnl_remove(__u32 id)
{
	char path[4096];
	int dfd;

	if (!jpath(id, path, sizeof(path)))
		return;
	if (unlink(path))
		return;
	*strrchr(path, '/') = '\0';
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

bool jrnl_exists(__u32 id)
{
	char path[4096];
	struct stat st;

	return jpath(id, path, sizeof(path)) && !lstat(path, &st);
}

static int read_all(int fd, void *p, size_t n, __u64 *h)
{
	char *c = p;
	size_t want = n;

	while (n) {
		ssize_t r = read(fd, c, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	if (h)
		*h = fnv(*h, p, want);
	return 0;
}

/* The header of the journal at path: 0, -1 (not a journal), -errno. */
static int read_hdr(int fd, struct jrnl_hdr *h, __u64 *sum)
{
	if (read_all(fd, h, sizeof(*h), sum) ||
	    memcmp(h->magic, JRNL_MAGIC, 8) || h->hdr_size != sizeof(*h) ||
	    h->version != JRNL_VERSION)
		return -1;
	h->verb[sizeof(h->verb) - 1] = '\0';
	h->cmdline[sizeof(h->cmdline) - 1] = '\0';
	h->boot_id[sizeof(h->boot_id) - 1] = '\0';
	return 0;
}

static void from_hdr(struct jrnl *j, const struct jrnl_hdr *h)
{
	j->map_id = h->map_id;
	j->key_size = h->key_size;
	j->lookup_size = h->lookup_size;
	j->pid = h->pid;
	j->time_ns = h->time_ns;
	snprintf(j->verb, sizeof(j->verb), "%s", h->verb);
	snprintf(j->cmdline, sizeof(j->cmdline), "%s", h->cmdline);
}

int jrnl_load(const struct mapref *m, const char *verb, struct jrnl *j)
{
	struct jrnl_hdr h;
	char path[4096], boot[40];
	__u64 sum = FNV_START, want;
	struct stat st;
	size_t n;
	int fd;

	memset(j, 0, sizeof(*j));
	if (!jpath(m->info.id, path, sizeof(path)))
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		err_fail("%s %s: journal %s: %s", m->name, verb, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || read_hdr(fd, &h, &sum))
		goto damaged;
	n = (size_t)h.n;
	if ((off_t)(sizeof(h) + n * (1 + (size_t)h.key_size + 2 * (size_t)h.lookup_size) + 8) != st.st_size)
		goto damaged;
	boot_id(boot, sizeof(boot));
	if (h.map_id != m->info.id || h.key_size != m->info.key_size ||
	    h.lookup_size != m->lookup_size || (boot[0] && h.boot_id[0] && strcmp(boot, h.boot_id))) {
		close(fd);
		err_fail("%s %s: the journal %s is not this map's (written on another boot, or for another map of id %u): 'recover --discard' removes it",
			 m->name, verb, path, m->info.id);
		return -1;
	}
	j->key_size = h.key_size;
	j->lookup_size = h.lookup_size;
	j->cap = n ? n : 1;
	j->flags = malloc(j->cap);
	j->keys = malloc(j->cap * h.key_size);
	j->olds = malloc(j->cap * h.lookup_size);
	j->news = malloc(j->cap * h.lookup_size);
	if (!j->flags || !j->keys || !j->olds || !j->news) {
		close(fd);
		jrnl_free(j);
		err_fail("out of memory");
		return -1;
	}
	if (read_all(fd, j->flags, n, &sum) ||
	    read_all(fd, j->keys, n * h.key_size, &sum) ||
	    read_all(fd, j->olds, n * h.lookup_size, &sum) ||
	    read_all(fd, j->news, n * h.lookup_size, &sum) ||
	    read_all(fd, &want, sizeof(want), NULL) || want != sum) {
		jrnl_free(j);
		goto damaged;
	}
	close(fd);
	from_hdr(j, &h);
	j->n = n;
	return 1;
damaged:
	close(fd);
	err_fail("%s %s: the journal %s is damaged (not mapsh's, or cut short): 'recover --discard' removes it",
		 m->name, verb, path);
	return -1;
}

void jrnl_who(const struct jrnl *j, char *buf, size_t n)
{
	time_t t = (time_t)(j->time_ns / 1000000000ull);
	struct tm tm;
	char when[64];

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	snprintf(buf, n, "%s (pid %u, %s)", j->verb, j->pid, when);
}

void jrnl_recover_cmd(const struct mapref *m, char *buf, size_t n)
{
	const char *base = m->pin_path ? strrchr(m->pin_path, '/') : NULL;
	bool plain = m->name[0] && !strpbrk(m->name, " []'\"\\$;&|<>*?`");

	/* The way it was named: a pinned name, a pinned path, else its id. */
	if (base && plain && !strcmp(base + 1, m->name))
		snprintf(buf, n, "mapsh %s recover", m->name);
	else if (m->pin_path && !strpbrk(m->pin_path, " []'\"\\$;&|<>*?`"))
		snprintf(buf, n, "mapsh pinned %s recover", m->pin_path);
	else
		snprintf(buf, n, "mapsh id %u recover", m->info.id);
}

bool jrnl_describe(const struct mapref *m, char *who, size_t n)
{
	char path[4096];
	struct jrnl_hdr h;
	struct jrnl j = { 0 };
	int fd;

	if (!jpath(m->info.id, path, sizeof(path)))
		return false;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read_hdr(fd, &h, NULL) || h.map_id != m->info.id) {
		close(fd);
		return false;
	}
	close(fd);
	from_hdr(&j, &h);
	jrnl_who(&j, who, n);
	return true;
}

void jrnl_note(const struct mapref *m)
{
	char path[4096], who[160], cmd[400];
	struct stat st;

	if (quiet || !jpath(m->info.id, path, sizeof(path)) || lstat(path, &st))
		return;		/* the common case: one stat */
	if (maplock_busy(m->info.id))
		return;		/* its writer is at work */
	jrnl_recover_cmd(m, cmd, sizeof(cmd));
	if (!jrnl_describe(m, who, sizeof(who))) {
		err_warn("%s: a damaged write journal %s is there: '%s --discard' removes it",
			 m->name, path, cmd);
		return;
	}
	err_warn("%s: an interrupted %s left this map partly changed: '%s' puts it back as it was ('%s --forward' finishes the write)",
		 m->name, who, cmd, cmd);
}
