// SPDX-License-Identifier: GPL-2.0
/* Pins: the bundled objects opened with every map's pin path, pinned maps
 * checked against the objects' definitions, program pins, and unpinning. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "map/bpffs.h"
#include "map/bundle.h"
#include "base/err.h"
#include "loader/loader_int.h"

/* ---- pinned maps against the objects ---- */

static const char *map_type_name(__u32 t)
{
	const char *s = libbpf_bpf_map_type_str((enum bpf_map_type)t);

	return s ? s : "unknown";
}

static void shape_of_map(const struct bpf_map *m, struct map_shape *s)
{
	s->type = bpf_map__type(m);
	s->key_size = bpf_map__key_size(m);
	s->value_size = bpf_map__value_size(m);
	s->max_entries = bpf_map__max_entries(m);
	s->map_flags = bpf_map__map_flags(m);
}

/* A pin may hold a program or a link too: the fd's anon inode says which. */
static bool fd_is_map(int fd)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return true;	/* no /proc: let the info call decide */
	target[n] = '\0';
	return strstr(target, "bpf-map") != NULL;
}

int check_pinned_shape(const char *what, const char *path,
		       const struct map_shape *want)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char diff[512] = "";
	size_t off = 0;
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return err_fail("cannot open pinned %s (%s): %s", what, path,
				strerror(errno));
	memset(&info, 0, sizeof(info));
	err = !fd_is_map(fd) || bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return err_fail("%s exists but is not a BPF map; remove it or run 'mapsh unload' first",
				path);
#define DIFF(fmt, ...) \
	off += snprintf(diff + off, off < sizeof(diff) ? sizeof(diff) - off : 0, \
			"%s" fmt, off ? ", " : "", __VA_ARGS__)
	if (info.type != want->type)
		DIFF("type %s pinned, %s expected", map_type_name(info.type),
		     map_type_name(want->type));
	if (info.key_size != want->key_size)
		DIFF("key_size %u pinned, %u expected", info.key_size, want->key_size);
	if (info.value_size != want->value_size)
		DIFF("value_size %u pinned, %u expected", info.value_size,
		     want->value_size);
	if (info.max_entries != want->max_entries)
		DIFF("max_entries %u pinned, %u expected", info.max_entries,
		     want->max_entries);
	if (info.map_flags != want->map_flags)
		DIFF("map_flags 0x%x pinned, 0x%x expected", info.map_flags,
		     want->map_flags);
#undef DIFF
	if (off)
		return err_fail("pinned %s (%s) does not match: %s; run 'mapsh unload' first",
				what, path, diff);
	return EXIT_OK;
}

/* ---- the objects and their map pins ---- */

void objs_close(struct objs *o)
{
	for (int i = 0; i < 2; i++)
		if (o->skel[i])
			bundle_objs[i].close(o->skel[i]);
	for (int i = 0; i < o->nnew; i++)
		free(o->new_pin[i]);
	memset(o, 0, sizeof(*o));
}

/* Open both objects, give every non-internal map its pin path and check
 * the pins that exist. Changes nothing. */
int objs_open(const char *pin_dir, struct objs *o)
{
	char path[PATH_MAX], what[128];
	struct bpf_map *m;
	int rc;

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < 2; i++) {
		o->obj[i] = bundle_objs[i].open(NULL, &o->skel[i]);
		if (!o->obj[i])
			return err_fail("cannot open the bundled object %s: %s",
					bundle_objs[i].name, strerror(errno));
	}
	for (int i = 0; i < 2; i++) {
		bpf_object__for_each_map(m, o->obj[i]) {
			struct map_shape want;

			if (bpf_map__is_internal(m))
				continue;
			if (pin_map_path(path, sizeof(path), pin_dir, bpf_map__name(m)))
				return err_fail("pin path too long: %s/%s", pin_dir,
						bpf_map__name(m));
			if (bpf_map__set_pin_path(m, path))
				return err_fail("cannot set the pin path of %s",
						bpf_map__name(m));
			o->npinned++;
			if (!path_exists(path)) {
				if (o->nnew < 64)
					o->new_pin[o->nnew++] = strdup(path);
				if (!strcmp(bpf_map__name(m), CONFIG_MAP))
					o->config_new = true;
				continue;
			}
			shape_of_map(m, &want);
			snprintf(what, sizeof(what), "map %s", bpf_map__name(m));
			rc = check_pinned_shape(what, path, &want);
			if (rc)
				return rc;
			o->nreused++;
		}
	}
	return EXIT_OK;
}

/* After an object is loaded: the pins it created belong to this command. */
void register_new_pins(struct objs *o, struct bpf_object *obj,
		       struct undo_list *ul)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		const char *p = bpf_map__pin_path(m);

		if (!p)
			continue;
		for (int i = 0; i < o->nnew; i++)
			if (o->new_pin[i] && !strcmp(o->new_pin[i], p) && path_exists(p))
				undo_path(ul, UNDO_UNLINK, p);
	}
}

/* ---- program pins ---- */

/* Pin a loaded program at PIN_DIR/progs/<name>__new (tmp); final gets
 * PIN_DIR/progs/<name>, where the commit renames it to. */
int pin_prog_tmp(struct bpf_program *p, const char *pin_dir,
		 char *tmp, char *final, struct undo_list *ul)
{
	char name[64];
	int fd = bpf_program__fd(p);

	/* bpffs refuses dots in names */
	snprintf(name, sizeof(name), "%s__new", bpf_program__name(p));
	if (pin_prog_path(tmp, PATH_MAX, pin_dir, name) ||
	    pin_prog_path(final, PATH_MAX, pin_dir, bpf_program__name(p)))
		return err_fail("pin path too long in %s", pin_dir);
	if (fd < 0)
		return err_fail("program %s is not loaded", bpf_program__name(p));
	unlink(tmp);	/* a leftover of an interrupted load */
	if (bpf_obj_pin(fd, tmp))
		return err_fail("cannot pin program %s at %s: %s",
				bpf_program__name(p), tmp, strerror(errno));
	undo_path(ul, UNDO_UNLINK, tmp);
	return EXIT_OK;
}

/* ---- unpinning ---- */

/* Remove every pin of mapsh in pin_dir; counts what went. */
void unpin_all(const char *pin_dir, bool keep_maps,
	       struct loader_unload_result *res)
{
	char path[PATH_MAX];
	DIR *d;

	for (int i = 0; bundle_objs[i].name; i++)
		if (!pin_prog_path(path, sizeof(path), pin_dir, bundle_objs[i].prog_name))
			unlink(path);
	snprintf(path, sizeof(path), "%s/%s", pin_dir, PIN_PROGS_SUBDIR);
	rmdir(path);
	if (keep_maps) {
		res->maps_kept = 0;
		for (int i = 0; i < bundle_map_count(); i++)
			if (!pin_map_path(path, sizeof(path), pin_dir, bundle_map_at(i)->name) &&
			    path_exists(path))
				res->maps_kept++;
		return;
	}
	for (int i = 0; i < bundle_map_count(); i++) {
		const struct bundle_map *bm = bundle_map_at(i);

		if (!pin_map_path(path, sizeof(path), pin_dir, bm->name) &&
		    unlink(path) == 0)
			res->maps_unpinned++;
	}
	snprintf(path, sizeof(path), "%s/%s", pin_dir, PIN_INNER_SUBDIR);
	d = opendir(path);
	if (d) {
		struct dirent *e;
		char p[PATH_MAX + 256];

		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			if (unlink(p) == 0)
				res->inner_unpinned++;
		}
		closedir(d);
	}
	rmdir(path);
	if (rmdir(pin_dir) == 0)
		res->dir_removed = true;
}

bool any_pins(const char *pin_dir)
{
	char path[PATH_MAX];

	for (int i = 0; bundle_objs[i].name; i++)
		if (!pin_prog_path(path, sizeof(path), pin_dir, bundle_objs[i].prog_name) &&
		    path_exists(path))
			return true;
	for (int i = 0; i < bundle_map_count(); i++)
		if (!pin_map_path(path, sizeof(path), pin_dir, bundle_map_at(i)->name) &&
		    path_exists(path))
			return true;
	return false;
}
