// SPDX-License-Identifier: GPL-2.0
/* The per-interface inner maps of iface_blocklist: pinned at
 * PIN_DIR/inner/iface_blocklist_<ifname> and installed in the outer map
 * under the interface's index. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "map/bpffs.h"
#include "map/bundle.h"
#include "base/err.h"
#include "loader/loader_int.h"

static void sanitize_name(char *out, size_t size, const char *prefix,
			  const char *ifname)
{
	size_t n = (size_t)snprintf(out, size, "%s%s", prefix, ifname);

	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++) {
		char c = out[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.'))
			out[i] = '_';
	}
}

/* The template of the inner maps, from the bundled definition (libbpf
 * frees an object's own inner template once it created the outer map). */
static const struct bundle_map *inner_template(struct map_shape *s)
{
	const struct bundle_map *bm = bundle_map_find(OUTER_MAP);

	if (!bm || !bm->has_inner)
		return NULL;
	s->type = bm->inner_type;
	s->key_size = bm->inner_key_size;
	s->value_size = bm->inner_value_size;
	s->max_entries = bm->inner_max_entries;
	s->map_flags = bm->inner_map_flags;
	return bm;
}

/* A new inner map for ifname, like the template, pinned at path: its fd
 * in *fdp, or EXIT_FAIL after printing why. */
static int inner_create(struct bpf_object *obj, const struct bundle_map *bm,
			const struct map_shape *sh, const char *ifname,
			const char *path, struct undo_list *ul, int *fdp)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo);
	int btf_fd = bpf_object__btf_fd(obj);
	char name[BPF_OBJ_NAME_LEN];
	int fd, err;

	mo.map_flags = sh->map_flags;
	/* typed like the template, so dumps show fw_rule/fw_verdict */
	if (btf_fd >= 0 && bm->inner_btf_key_type_id &&
	    bm->inner_btf_value_type_id) {
		mo.btf_fd = (__u32)btf_fd;
		mo.btf_key_type_id = bm->inner_btf_key_type_id;
		mo.btf_value_type_id = bm->inner_btf_value_type_id;
	}
	sanitize_name(name, sizeof(name), "ibl_", ifname);
	fd = bpf_map_create((enum bpf_map_type)sh->type, name, sh->key_size,
			    sh->value_size, sh->max_entries, &mo);
	if (fd < 0 && mo.btf_fd) {
		/* without types, should the kernel refuse them */
		mo.btf_fd = mo.btf_key_type_id = mo.btf_value_type_id = 0;
		fd = bpf_map_create((enum bpf_map_type)sh->type, name,
				    sh->key_size, sh->value_size,
				    sh->max_entries, &mo);
	}
	if (fd < 0)
		return err_fail("cannot create the %s map of %s: %s", OUTER_MAP,
				ifname, strerror(errno));
	if (bpf_obj_pin(fd, path)) {
		err = errno;
		close(fd);
		return err_fail("cannot pin %s: %s", path, strerror(err));
	}
	undo_path(ul, UNDO_UNLINK, path);
	*fdp = fd;
	return EXIT_OK;
}

/* The per-interface inner map of iface_blocklist: reuse the pinned one or
 * create one like the template, pin it and install it under ifindex. */
int inner_ensure(const char *pin_dir, struct bpf_object *obj, int ifindex,
		 const char *ifname, struct undo_list *ul, bool *created)
{
	struct bpf_map *outer = bpf_object__find_map_by_name(obj, OUTER_MAP);
	char path[PATH_MAX];
	__u32 key = (__u32)ifindex, old_id = 0;
	const struct bundle_map *bm;
	int fd, outer_fd, old_fd, err;
	struct map_shape sh;
	struct undo *u;

	*created = false;
	bm = inner_template(&sh);
	if (!outer || !bm)
		return 0;	/* the object has no per-interface blocklist */
	outer_fd = bpf_map__fd(outer);
	if (pin_inner_path(path, sizeof(path), pin_dir, OUTER_MAP, ifname))
		return err_fail("pin path too long for %s", ifname);
	if (path_exists(path)) {
		fd = bpf_obj_get(path);
		if (fd < 0)
			return err_fail("cannot open %s: %s", path, strerror(errno));
	} else {
		err = inner_create(obj, bm, &sh, ifname, path, ul, &fd);
		if (err)
			return err;
		*created = true;
	}
	/* remember what the outer map held, to put it back on failure */
	if (!bpf_map_lookup_elem(outer_fd, &key, &old_id) && old_id) {
		old_fd = bpf_map_get_fd_by_id(old_id);
		if (old_fd >= 0)
			close(old_fd);
		else
			old_id = 0;
	}
	if (bpf_map_update_elem(outer_fd, &key, &fd, BPF_ANY)) {
		err = errno;
		close(fd);
		return err_fail("cannot install the %s map of %s: %s", OUTER_MAP,
				ifname, strerror(err));
	}
	close(fd);
	u = undo_push(ul, old_id ? UNDO_OUTER_RESTORE : UNDO_OUTER_DELETE);
	if (u) {
		u->fd = outer_fd;
		u->key = key;
		u->id = old_id;
	}
	return 0;
}

/* The pinned inner map of ifname, if any, against the template. */
int check_inner_pin(const char *pin_dir, const char *ifname)
{
	char path[PATH_MAX], what[64];
	struct map_shape want;

	if (!inner_template(&want))
		return EXIT_OK;
	if (pin_inner_path(path, sizeof(path), pin_dir, OUTER_MAP, ifname))
		return err_fail("pin path too long for %s", ifname);
	if (!path_exists(path))
		return EXIT_OK;
	snprintf(what, sizeof(what), "inner map of %s", ifname);
	return check_pinned_shape(what, path, &want);
}

/* Drop the inner map of one interface: outer entry and pin. */
int inner_remove(const char *pin_dir, const char *ifname, int ifindex)
{
	char path[PATH_MAX];
	__u32 key = (__u32)ifindex;
	int fd, removed = 0;

	if (!pin_map_path(path, sizeof(path), pin_dir, OUTER_MAP)) {
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			bpf_map_delete_elem(fd, &key);
			close(fd);
		}
	}
	if (!pin_inner_path(path, sizeof(path), pin_dir, OUTER_MAP, ifname) &&
	    unlink(path) == 0)
		removed = 1;
	return removed;
}
