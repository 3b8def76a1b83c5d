// SPDX-License-Identifier: GPL-2.0
/* The write lock of a map: see lock.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "base/err.h"
#include "base/interrupt.h"
#include "map/lock.h"

const char *state_dir(void)
{
	static char own[256];
	const char *d = getenv("MAPSH_STATE_DIR"), *rt;

	if (d && *d)
		return d;
	if (geteuid() == 0)
		return MAPSH_DEFAULT_STATE_DIR;
	/* root's directory is root's alone (own_dir) */
	rt = getenv("XDG_RUNTIME_DIR");
	if (rt && *rt && strlen(rt) < sizeof(own) - 8)
		snprintf(own, sizeof(own), "%s/mapsh", rt);
	else
		snprintf(own, sizeof(own), "/tmp/mapsh-%u", (unsigned)geteuid());
	return own;
}

/* dir exists (made 0700 when missing), is a directory of ours that
 * nobody else may write. */
static int own_dir(const char *dir, char *err, size_t errn)
{
	struct stat st;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		int e = errno;

		snprintf(err, errn, "state directory %s: %s (set $MAPSH_STATE_DIR)",
			 dir, strerror(e));
		return -e;
	}
	if (lstat(dir, &st)) {
		int e = errno;

		snprintf(err, errn, "state directory %s: %s", dir, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(err, errn, "state directory %s is not a directory of uid %u that only it can write (refused)",
			 dir, (unsigned)geteuid());
		return -EPERM;
	}
	return 0;
}

int state_path(const char *sub, const char *name, bool create, char *buf,
	       size_t n, char *err, size_t errn)
{
	const char *top = state_dir();
	int r;

	if (create) {
		r = own_dir(top, err, errn);
		if (r)
			return r;
	}
	snprintf(buf, n, "%s/%s", top, sub);
	if (create) {
		r = own_dir(buf, err, errn);
		if (r)
			return r;
	}
	if ((size_t)snprintf(buf, n, "%s/%s/%s", top, sub, name) >= n) {
		snprintf(err, errn, "state directory %s: path too long", top);
		return -ENAMETOOLONG;
	}
	return 0;
}

const char *maplock_cmdline(void)
{
	static char line[320];
	char buf[4096];
	ssize_t n = 0;
	size_t len = 0;
	int fd;

	if (line[0])
		return line;
	fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(line, sizeof(line), "mapsh");
		return line;
	}
	buf[n] = '\0';
	for (char *w = buf; w < buf + n && len + 1 < sizeof(line); w += strlen(w) + 1) {
		const char *word = w;

		if (w == buf) {
			const char *slash = strrchr(w, '/');

			word = slash ? slash + 1 : w;
		}
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s",
					len ? " " : "", word);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
	}
	for (char *c = line; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	return line;
}

static int open_lock(__u32 id, bool create, char *err, size_t errn)
{
	char path[4096], name[32];
	int fd, r;

	snprintf(name, sizeof(name), "%u", id);
	r = state_path("lock", name, create, path, sizeof(path), err, errn);
	if (r)
		return r;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errn, "lock file %s: %s", path, strerror(-r));
		return r;
	}
	return fd;
}

/* Who holds the lock on fd: "pid 4242 (mapsh flows apply big.json)". The
 * holder writes it just after taking the lock: give it a moment. */
static void holder(int fd, char *who, size_t n)
{
	char buf[400];

	for (int i = 0; i < 20; i++) {
		ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);
		char *sp, *nl;

		if (r > 0) {
			buf[r] = '\0';
			nl = strchr(buf, '\n');
			if (nl) {
				*nl = '\0';
				sp = strchr(buf, ' ');
				if (sp) {
					*sp = '\0';
					snprintf(who, n, "pid %s (%s)", buf, sp + 1);
				} else {
					snprintf(who, n, "pid %s", buf);
				}
				return;
			}
		}
		{
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	snprintf(who, n, "another mapsh process");
}

int maplock_take(const struct mapref *m, const char *verb, bool no_wait,
		 struct maplock *l)
{
	char err[4400], who[480], line[400];
	int fd, len;

	l->fd = -1;
	l->id = m->info.id;
	fd = open_lock(m->info.id, true, err, sizeof(err));
	if (fd < 0)
		return err_fail("%s %s: %s (nothing changed)", m->name, verb, err);
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			int e = errno;

			close(fd);
			return err_fail("%s %s: locking the map: %s (nothing changed)",
					m->name, verb, strerror(e));
		}
		holder(fd, who, sizeof(who));
		if (no_wait) {
			close(fd);
			return err_fail("%s %s: %s is writing to this map (--no-wait: nothing changed)",
					m->name, verb, who);
		}
		err_warn("%s: waiting for %s, which is writing to this map",
			 m->name, who);
		while (flock(fd, LOCK_EX)) {
			if (errno == EINTR && !interrupted())
				continue;
			close(fd);
			return err_fail("%s %s: %s while waiting for the map (nothing changed)",
					m->name, verb,
					errno == EINTR ? "interrupted" : strerror(errno));
		}
	}
	len = snprintf(line, sizeof(line), "%ld %s\n", (long)getpid(), maplock_cmdline());
	if (ftruncate(fd, 0) || pwrite(fd, line, (size_t)len, 0) != len) {
		/* Only a note for waiters: the lock is held all the same. */
	}
	l->fd = fd;
	return EXIT_OK;
}

void maplock_drop(struct maplock *l)
{
	if (l->fd >= 0)
		close(l->fd);	/* the kernel drops the flock */
	l->fd = -1;
}

bool maplock_busy(__u32 id)
{
	char err[4400];
	int fd = open_lock(id, false, err, sizeof(err));
	bool busy;

	if (fd < 0)
		return false;
	busy = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}
