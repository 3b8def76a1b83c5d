// SPDX-License-Identifier: GPL-2.0
/* load --object --migrate: the loader's side of a migration (see
 * object.c for the model): which pinned maps changed type, the two sweeps
 * of map/migrate.h around the program swap, the pin swap and the backup;
 * load --rollback and load --commit. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "map/bpffs.h"
#include "map/mapref.h"
#include "map/migrate.h"
#include "base/err.h"
#include "loader/loader_int.h"
#include "loader/objload.h"

/* Are two BTF types the same (kinds, names, sizes, members, offsets)? */
static bool type_same(const struct btf *a, __u32 ia, const struct btf *b, __u32 ib,
		      int depth)
{
	const struct btf_type *ta, *tb;
	const char *na, *nb;

	if (!ia || !ib)
		return ia == ib;
	if (depth > 32)
		return true;
	ta = btf__type_by_id(a, ia);
	tb = btf__type_by_id(b, ib);
	if (!ta || !tb || btf_kind(ta) != btf_kind(tb) || btf_vlen(ta) != btf_vlen(tb))
		return false;
	na = btf__name_by_offset(a, ta->name_off);
	nb = btf__name_by_offset(b, tb->name_off);
	if (strcmp(na ? na : "", nb ? nb : ""))
		return false;
	switch (btf_kind(ta)) {
	case BTF_KIND_INT:
		return ta->size == tb->size && btf_int_encoding(ta) == btf_int_encoding(tb) &&
		       btf_int_bits(ta) == btf_int_bits(tb);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
	case BTF_KIND_FLOAT:
		return ta->size == tb->size;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *ma = btf_members(ta), *mb = btf_members(tb);

		if (ta->size != tb->size)
			return false;
		for (int i = 0; i < btf_vlen(ta); i++) {
			na = btf__name_by_offset(a, ma[i].name_off);
			nb = btf__name_by_offset(b, mb[i].name_off);
			if (strcmp(na ? na : "", nb ? nb : "") || ma[i].offset != mb[i].offset ||
			    !type_same(a, ma[i].type, b, mb[i].type, depth + 1))
				return false;
		}
		return true;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *aa = btf_array(ta), *ab = btf_array(tb);

		return aa->nelems == ab->nelems &&
		       type_same(a, aa->type, b, ab->type, depth + 1);
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *va = btf_var_secinfos(ta), *vb = btf_var_secinfos(tb);

		if (ta->size != tb->size)
			return false;
		for (int i = 0; i < btf_vlen(ta); i++)
			if (va[i].offset != vb[i].offset || va[i].size != vb[i].size ||
			    !type_same(a, va[i].type, b, vb[i].type, depth + 1))
				return false;
		return true;
	}
	case BTF_KIND_PTR:
		return true;
	default:	/* typedef, var, modifiers: what they name */
		return type_same(a, ta->type, b, tb->type, depth + 1);
	}
}

int mig_consider(struct oload *l, struct oobj *ob, struct bpf_map *m,
			const char *pin, const char *path,
			const struct map_shape *want, bool *reuse)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct btf *kb = NULL;
	const struct btf *ob_btf = bpf_object__btf(ob->obj);
	struct omig *g;
	int fd;

	*reuse = true;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return err_fail("cannot open pinned map %s: %s", path, strerror(errno));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return err_fail("%s exists but is not a BPF map", path);
	}
	close(fd);
	if (info.btf_id)
		kb = btf__load_from_kernel_by_id(info.btf_id);
	if (info.type == want->type && info.key_size == want->key_size &&
	    info.value_size == want->value_size && info.max_entries == want->max_entries &&
	    info.map_flags == want->map_flags &&
	    (!kb || !ob_btf ||
	     (type_same(kb, info.btf_key_type_id, ob_btf, bpf_map__btf_key_type_id(m), 0) &&
	      type_same(kb, info.btf_value_type_id, ob_btf, bpf_map__btf_value_type_id(m), 0)))) {
		btf__free(kb);
		return EXIT_OK;
	}
	btf__free(kb);
	if (!info.btf_id || !ob_btf || !bpf_map__btf_value_type_id(m))
		return err_fail("pinned map %s differs from %s's, and one of them has no BTF "
				"types to migrate by", path, ob->name);
	if (!l->mig) {
		l->mig = calloc(OREC_MAX_MAPS, sizeof(*l->mig));
		if (!l->mig)
			return err_fail("out of memory");
	}
	if (l->nmig >= OREC_MAX_MAPS)
		return err_fail("more than %d maps to migrate", OREC_MAX_MAPS);
	g = &l->mig[l->nmig++];
	g->ob = ob;
	g->m = m;
	snprintf(g->pin, sizeof(g->pin), "%s", pin);
	snprintf(g->path, sizeof(g->path), "%s", path);
	if (snprintf(g->tmp, sizeof(g->tmp), "%s__mapsh_new", path) >= (int)sizeof(g->tmp))
		return err_fail("pin path too long: %s", path);
	ob->nmigrated++;
	*reuse = false;
	return EXIT_OK;
}

/* Both ends of every migration opened, typed by their BTF. */
static int mig_open(struct oload *l)
{
	struct map_opts mo;

	memset(&mo, 0, sizeof(mo));
	mo.pin_dir = l->pin_dir;
	for (int i = 0; i < l->nmig; i++) {
		struct omig *g = &l->mig[i];
		struct mapsel from = { MAPSEL_PINNED, g->path }, to = { MAPSEL_ID, NULL };
		char id[16];
		int rc;

		snprintf(id, sizeof(id), "%u", map_id_of(bpf_map__fd(g->m)));
		to.arg = id;
		rc = mapref_open(&mo, &from, &g->from);
		if (!rc)
			rc = mapref_open(&mo, &to, &g->to);
		if (rc)
			return rc;
	}
	return EXIT_OK;
}

static void mig_opts(const struct oload *l, struct migrate_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sets = l->req->sets;
	o->nsets = l->req->nsets;
	o->renames = l->req->renames;
	o->nrenames = l->req->nrenames;
	o->dry_run = l->req->dry_run;
	o->audit_log = l->req->audit_log;
}

int mig_dry_run(struct oload *l)
{
	struct migrate_opts o;
	int rc = mig_open(l);

	mig_opts(l, &o);
	for (int i = 0; !rc && i < l->nmig; i++)
		if (migrate_run(l->mig[i].from, l->mig[i].to, &o, NULL, NULL))
			rc = EXIT_FAIL;
	return rc;
}

/* Between the sweeps of the last map: the new programs in place of the old
 * ones. Each map's sweeps enclose the next map's, so every map's second
 * sweep runs after the swap. */
static int mig_between(void *arg)
{
	struct oload *l = arg;
	struct migrate_opts o;

	if (l->mig_at < l->nmig) {
		struct omig *g = &l->mig[l->mig_at++];

		mig_opts(l, &o);
		return migrate_run(g->from, g->to, &o, mig_between, l) ? 1 : 0;
	}
	if (ol_attach(l))
		return 1;
	/* runs of the old program already under way on other CPUs end within
	 * an RCU grace period; their last updates land before the second
	 * sweep reads the old map */
	usleep(50 * 1000);
	return 0;
}

int mig_run_all(struct oload *l)
{
	int rc = mig_open(l);

	if (rc)
		return rc;
	l->mig_at = 0;
	return mig_between(l) ? EXIT_FAIL : EXIT_OK;
}

int mig_pin_tmp(struct oload *l)
{
	for (int i = 0; i < l->nmig; i++) {
		struct omig *g = &l->mig[i];

		unlink(g->tmp);
		if (bpf_obj_pin(bpf_map__fd(g->m), g->tmp))
			return err_fail("cannot pin the new %s at %s: %s", g->pin, g->tmp,
					strerror(errno));
		undo_path(l->ul, UNDO_UNLINK, g->tmp);
	}
	return EXIT_OK;
}

/* The new map takes the pin in one rename (the two are exchanged), and
 * the old one moves to PIN_DIR/backup/<pin>. */
void mig_swap_pins(struct oload *l)
{
	char bdir[PATH_MAX], bak[PATH_MAX + 80];

	if (!l->nmig)
		return;
	snprintf(bdir, sizeof(bdir), "%s/%s", l->pin_dir, OBJ_BACKUP_DIR);
	bpffs_mkdir_p(bdir, NULL, 0, NULL);
	for (int i = 0; i < l->nmig; i++) {
		struct omig *g = &l->mig[i];

		snprintf(bak, sizeof(bak), "%s/%s", bdir, g->pin);
		unlink(bak);
		if (renameat2(AT_FDCWD, g->tmp, AT_FDCWD, g->path, RENAME_EXCHANGE) == 0) {
			if (rename(g->tmp, bak) < 0)
				err_warn("cannot move the old %s to %s: %s", g->pin, bak,
					 strerror(errno));
			continue;
		}
		/* no exchange: the pin is missing for a moment */
		if (rename(g->path, bak) < 0 || rename(g->tmp, g->path) < 0)
			err_warn("cannot pin the new %s at %s: %s", g->pin, g->path,
				 strerror(errno));
	}
}

void mig_free(struct oload *l)
{
	for (int i = 0; l->mig && i < l->nmig; i++) {
		if (l->mig[i].from)
			mapref_free(l->mig[i].from);
		if (l->mig[i].to)
			mapref_free(l->mig[i].to);
	}
	free(l->mig);
	l->mig = NULL;
}

/* ---- commit and rollback of a migration ---- */

/* PIN_DIR/backup goes, and with it the maps only its records used (not a
 * current record's, not one of l's objects'). The records removed, -1
 * when there was no backup. */
int backup_commit(const char *pin_dir, const struct oload *l)
{
	struct orec *b = calloc(2 * OREC_MAX, sizeof(*b)), *c;
	char dir[PATH_MAX], p[PATH_MAX + 80];
	int nb, nc;

	snprintf(dir, sizeof(dir), "%s/%s", pin_dir, OBJ_BACKUP_DIR);
	if (!b || !path_exists(dir)) {
		free(b);
		return -1;
	}
	c = b + OREC_MAX;
	objects_dir(p, sizeof(p), pin_dir, true);
	nb = recs_read(p, b, OREC_MAX);
	objects_dir(p, sizeof(p), pin_dir, false);
	nc = recs_read(p, c, OREC_MAX);
	for (int i = 0; i < nb; i++)
		for (int j = 0; j < b[i].nmaps; j++) {
			__u32 id = b[i].map_id[j];

			if (!id || recs_have_map(c, nc, id) || (l && new_has_map(l, id)))
				continue;
			if (!pin_map_path(p, sizeof(p), pin_dir, b[i].map[j]) &&
			    pin_obj_id(p, NULL) == id)
				unlink(p);
		}
	rm_pin_tree(dir);
	free(b);
	return nb;
}

int loader_obj_commit(const char *pin_dir, int *n)
{
	int rc = loader_check_caps();

	if (rc)
		return rc;
	*n = backup_commit(pin_dir, NULL);
	if (*n < 0)
		return err_fail("nothing to commit: no migration backup in %s/%s", pin_dir,
				OBJ_BACKUP_DIR);
	return EXIT_OK;
}

/* The backed-up program of this name, 0 when none. */
static __u32 backup_prog(const struct orec *b, int nb, const char *name)
{
	for (int i = 0; i < nb; i++)
		for (int j = 0; j < b[i].nprogs; j++)
			if (!strcmp(b[i].prog[j], name))
				return b[i].prog_id[j];
	return 0;
}

static const char *rec_prog_name(const struct orec *r, int n, __u32 id)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < r[i].nprogs; j++)
			if (r[i].prog_id[j] == id)
				return r[i].prog[j];
	return "";
}

/* Where a program of the migration runs, the backed-up one of its name. */
static int rollback_progs(const struct orec *b, int nb, const struct orec *nw,
			  int nn, struct oatt *a, int na)
{
	char ebuf[128];
	int failures = 0;

	for (int i = 0; i < na; i++) {
		__u32 old = backup_prog(b, nb, rec_prog_name(nw, nn, a[i].id));
		int err;

		if (!old)
			err = oatt_detach(&a[i]);
		else if (a[i].hook != OHOOK_XDP)
			err = tc_attach_obj_id(a[i].ifindex, a[i].hook == OHOOK_TC_EG,
					       a[i].prio, old);
		else if (!a[i].dispatcher)
			err = xdp_swap_ids(a[i].ifindex, old, a[i].id, a[i].mode);
		else if (!(err = xdp_attach_id(a[i].ifindex, old, a[i].mode)))
			err = xdp_detach_id(a[i].ifindex, a[i].id, a[i].mode);
		if (err) {
			err_warn("%s: cannot put back the %s program in place of %u: %s",
				 a[i].ifname, oatt_hook(&a[i]), a[i].id,
				 xdp_err(err, ebuf, sizeof(ebuf)));
			failures++;
		}
	}
	return failures;
}

int loader_obj_rollback(const char *pin_dir, struct loader_obj_result *res)
{
	struct orec *b = calloc(2 * OREC_MAX, sizeof(*b)), *nw;
	struct oatt *a = calloc(OATT_MAX, sizeof(*a));
	char bdir[PATH_MAX], p[PATH_MAX + 400], q[PATH_MAX + 160];
	char (*names)[64] = calloc(OREC_MAX_MAPS, 64);
	int nb, nn = 0, na, n, rc = EXIT_OK;

	memset(res, 0, sizeof(*res));
	if (!b || !a || !names) {
		rc = err_fail("out of memory");
		goto out;
	}
	rc = loader_check_caps();
	if (rc)
		goto out;
	nw = b + OREC_MAX;
	snprintf(bdir, sizeof(bdir), "%s/%s", pin_dir, OBJ_BACKUP_DIR);
	objects_dir(p, sizeof(p), pin_dir, true);
	nb = recs_read(p, b, OREC_MAX);
	if (!path_exists(bdir) || nb == 0) {
		rc = err_fail("nothing to roll back: no migration backup in %s", bdir);
		goto out;
	}
	/* the records the migration loaded */
	snprintf(p, sizeof(p), "%s/%s", bdir, OBJ_BACKUP_NEW);
	{
		struct dirent *e;
		DIR *d = opendir(p);

		objects_dir(q, sizeof(q), pin_dir, false);
		while (d && (e = readdir(d)) && nn < OREC_MAX)
			if (e->d_name[0] != '.' && !rec_read(q, e->d_name, &nw[nn]))
				nn++;
		if (d)
			closedir(d);
	}
	/* programs first: the old ones run on the old maps */
	na = obj_scan(nw, nn, NULL, 0, a, OATT_MAX);
	if (rollback_progs(b, nb, nw, nn, a, na > 0 ? na : 0))
		rc = err_fail("rollback could not put back every program (see above)");
	/* the old maps back at their pins */
	n = 0;
	{
		struct dirent *e;
		DIR *d = opendir(bdir);

		while (d && (e = readdir(d)) && n < OREC_MAX_MAPS) {
			if (e->d_name[0] == '.' || !strcmp(e->d_name, OBJ_DIR) ||
			    !strcmp(e->d_name, OBJ_BACKUP_NEW))
				continue;
			snprintf(names[n++], 64, "%.63s", e->d_name);
		}
		if (d)
			closedir(d);
	}
	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", bdir, names[i]);
		pin_map_path(q, sizeof(q), pin_dir, names[i]);
		if (renameat2(AT_FDCWD, p, AT_FDCWD, q, RENAME_EXCHANGE) < 0 &&
		    rename(p, q) < 0) {
			err_warn("cannot put back %s at %s: %s", p, q, strerror(errno));
			continue;
		}
		unlink(p);	/* the migrated map */
	}
	/* the maps only the new records used, then the records */
	for (int i = 0; i < nn; i++) {
		for (int j = 0; j < nw[i].nmaps; j++) {
			__u32 id = nw[i].map_id[j];

			if (!id || recs_have_map(b, nb, id))
				continue;
			if (!pin_map_path(q, sizeof(q), pin_dir, nw[i].map[j]) &&
			    pin_obj_id(q, NULL) == id)
				unlink(q);
		}
		rm_pin_tree(nw[i].dir);
	}
	objects_dir(q, sizeof(q), pin_dir, false);
	for (int i = 0; i < nb; i++) {
		snprintf(p, sizeof(p), "%s/%s", q, b[i].name);
		rm_pin_tree(p);
		if (rename(b[i].dir, p) < 0)
			err_warn("cannot move %s back to %s: %s", b[i].dir, p, strerror(errno));
		if (res->nobjs < LOADER_MAX_OBJS) {
			snprintf(res->obj[res->nobjs].name, sizeof(res->obj[0].name), "%s",
				 b[i].name);
			res->nobjs++;
		}
	}
	res->migrated = n;
	rm_pin_tree(bdir);
out:
	free(b);
	free(a);
	free(names);
	return rc;
}
