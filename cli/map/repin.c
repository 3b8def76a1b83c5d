// SPDX-License-Identifier: GPL-2.0
/* Following the pin of an open map across a reload: see repin.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "base/clock.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "map/mapinfo.h"
#include "map/repin.h"

#define GRACE_STEP_MS 50

int mapref_pin_id(const char *path, __u32 *id)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char line[128];
	int fd, err = 0;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -(errno ? errno : EINVAL);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -(errno ? errno : EINVAL);
	/* A program or link pinned there has an id too: only a map has a
	 * map_type in its fdinfo (read only when the id is not the one the
	 * caller knows, so the usual check stays at three system calls). */
	else if (*id != info.id && fdinfo_line(fd, "map_type:", line, sizeof(line)))
		err = -ENOTSUP;
	close(fd);
	if (!err)
		*id = info.id;
	return err;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The id at path, waiting up to the grace time while nothing is pinned
 * there. 0, -EINTR on Ctrl-C or SIGTERM, or what mapref_pin_id says. */
static int pin_id_wait(const char *path, __u32 *id)
{
	uint64_t until = clock_mono_ns() + MAPREF_PIN_GRACE_MS * 1000000ull;
	int r;

	while ((r = mapref_pin_id(path, id)) == -ENOENT &&
	       clock_mono_ns() < until) {
		if (interrupted())
			return -EINTR;
		sleep_ms(GRACE_STEP_MS);
	}
	return r;
}

/* The one line: on stderr, or into said (without "mapsh: ") for a caller
 * that shows it itself (a full-screen view). */
static void say(struct strbuf *said, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(struct strbuf *said, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(said ? said : &sb, fmt, ap);
	va_end(ap);
	if (!said)
		err_warn("%s", sb_str(&sb));
	sb_free(&sb);
}

static int say_gone(struct strbuf *said, const char *name, const char *path,
		    int err, const char *tail)
{
	if (err == -ENOENT)
		say(said, "%s: nothing is pinned at %s any more (unloaded?)%s",
		    name, path, tail);
	else if (err == -ENOTSUP)
		say(said, "%s: what is pinned at %s now is no map%s", name, path,
		    tail);
	else
		say(said, "%s: cannot open the pin %s: %s%s", name, path,
		    strerror(-err), tail);
	return MAPREF_PIN_GONE;
}

int mapref_follow_pin(struct mapref **mp, const struct map_opts *mo,
		      unsigned flags, struct mapref **old, struct strbuf *said)
{
	struct mapref *m = *mp, *n = NULL;
	struct mapsel sel = { .kind = MAPSEL_PINNED };
	uint64_t now = clock_mono_ns();
	__u32 id;
	int r;

	if (old)
		*old = NULL;
	if (!m->pin_path)
		return MAPREF_PIN_SAME;
	if (!(flags & MAPREF_PIN_NOW) && m->pin_checked &&
	    now - m->pin_checked < MAPREF_PIN_EVERY_MS * 1000000ull)
		return MAPREF_PIN_SAME;
	m->pin_checked = now;
	id = m->info.id;
	r = pin_id_wait(m->pin_path, &id);
	if (r == -EINTR)
		return MAPREF_PIN_SAME;
	if (r)
		return say_gone(said, m->name, m->pin_path, r, ": stopping");
	if (id == m->info.id)
		return MAPREF_PIN_SAME;
	sel.arg = m->pin_path;
	if (mapref_open(mo, &sel, &n))
		return MAPREF_PIN_GONE;		/* said why */
	if (n->info.type != m->info.type) {
		say(said, "%s: the pin now names another map (id %u, was %u), a %s map, not %s: stopping",
		    m->name, n->info.id, m->info.id,
		    map_type_str(n->info.type), map_type_str(m->info.type));
		mapref_free(n);
		return MAPREF_PIN_GONE;
	}
	say(said, "%s: the pin now names another map (id %u, was %u): following the new one",
	    m->name, n->info.id, m->info.id);
	/* NAME as the user wrote it stays; a name that was the kernel's
	 * (pinned PATH) is the new map's. */
	if (strcmp(m->name, m->info.name))
		snprintf(n->name, sizeof(n->name), "%s", m->name);
	n->pin_checked = clock_mono_ns();
	*mp = n;
	if (old)
		*old = m;
	else
		mapref_free(m);
	return MAPREF_PIN_NEW;
}

int mapref_pin_recheck(const char *name, const char *path, __u32 *id)
{
	__u32 now = *id;
	int r;

	if (!path)
		return MAPREF_PIN_SAME;
	r = mapref_pin_id(path, &now);
	if (r) {
		if (!*id)
			return MAPREF_PIN_GONE;		/* said already */
		*id = 0;
		return say_gone(NULL, name, path, r, "");
	}
	if (now == *id)
		return MAPREF_PIN_SAME;
	if (!*id)
		err_warn("%s: pinned again (id %u): using it", name, now);
	else
		err_warn("%s: the pin now names another map (id %u, was %u): using the new one",
			 name, now, *id);
	*id = now;
	return MAPREF_PIN_NEW;
}
