// SPDX-License-Identifier: GPL-2.0
/* load --object: the user's own BPF objects.
 *
 * Each object is opened with libbpf; every map gets PIN_DIR/<name> as its
 * pin path (dots, which bpffs refuses, become '_': ".bss" of object "foo"
 * is PIN_DIR/foo_bss), so a pinned map of the same shape is reused with its
 * contents and a new one is pinned. A pinned map of another shape stops
 * the load before anything changes, unless --migrate (below). Programs go
 * where their section says: "xdp" on every --iface through libxdp (the
 * kernel's XDP hook directly when libxdp's dispatcher cannot run), "tc"
 * (or tc/ingress, tc/egress, classifier) as a clsact filter with handle
 * MAPSH_OBJ_TC_HANDLE in the first free priority slot, anything else where
 * libbpf's auto-attach puts it (its link pinned); what cannot attach stays
 * loaded and pinned. The record (objstate.c) is PIN_DIR/objects/<object>.
 *
 * A later load of an object that has a program of the same name as a
 * recorded one (or the same object name) replaces that record: its
 * programs are replaced in place (XDP_FLAGS_REPLACE without a dispatcher,
 * tc's replace in the same slot) on every interface where they run, and
 * the maps only the old object used are unpinned.
 *
 * --migrate: a pinned map whose type (BTF key or value type, sizes, map
 * type, max_entries, flags) differs from the object's is not reused:
 * libbpf creates a fresh one, migrate_run (map/migrate.h) copies the old
 * one into it in a first sweep, the new programs are attached in place of
 * the old ones, and a second sweep carries what changed in between. Then
 * the new map takes the pin (rename(2) exchange on bpffs) and the old one
 * moves to PIN_DIR/backup/<name>, the replaced records to
 * PIN_DIR/backup/objects; --rollback puts them back, --commit (or any later
 * load --object) removes them. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "map/bpffs.h"
#include "map/mapref.h"
#include "base/err.h"
#include "loader/loader_int.h"
#include "loader/objload.h"

/* ---- helpers ---- */

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

__u32 map_id_of(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/* bpffs refuses dots in names: libbpf's rule for pin names. */
static void pin_name(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s", name);
	for (char *s = buf; *s; s++)
		if (*s == '.')
			*s = '_';
}

static const char *hook_str(enum ophook h)
{
	switch (h) {
	case OP_XDP:
		return "xdp";
	case OP_TC_IN:
		return "tc ingress";
	case OP_TC_EG:
		return "tc egress";
	case OP_LINK:
		return "link";
	default:
		return "none";
	}
}

static enum ophook prog_hook(struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);

	switch (bpf_program__type(p)) {
	case BPF_PROG_TYPE_XDP:
		return bpf_program__expected_attach_type(p) == BPF_XDP ? OP_XDP : OP_NONE;
	case BPF_PROG_TYPE_SCHED_CLS:
		return sec && strstr(sec, "egress") ? OP_TC_EG : OP_TC_IN;
	default:
		return OP_LINK;
	}
}

/* A superseded record's program with this id and name? */
static bool sup_has(const struct oload *l, __u32 id, const char *name)
{
	for (int i = 0; i < l->nrecs; i++)
		if (l->recs[i].superseded && recs_have_prog(&l->recs[i], 1, id, name))
			return true;
	return false;
}

static int mkdir_undo(struct oload *l, const char *dir)
{
	char *made[8] = { 0 };
	int nmade = 0, rc;

	rc = bpffs_mkdir_p(dir, made, 8, &nmade);
	for (int i = 0; i < nmade; i++) {
		undo_path(l->ul, UNDO_RMDIR, made[i]);
		free(made[i]);
	}
	if (rc)
		return err_fail("cannot create %s: %s", dir, strerror(-rc));
	return EXIT_OK;
}

/* ---- validate and open: nothing changes ---- */

static int ol_validate(struct oload *l)
{
	int idx[LOADER_MAX_IFACES];
	char names[LOADER_MAX_IFACES][IF_NAMESIZE];
	int n = 0, rc;

	rc = loader_check_caps();
	if (rc)
		return rc;
	if (l->req->nfiles > LOADER_MAX_OBJS)
		return err_usage("load: at most %d --object", LOADER_MAX_OBJS);
	rc = loader_resolve_ifaces(l->req->ifaces, l->req->nifaces, idx, names, &n);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++) {
		l->tg[l->ntg].ifindex = idx[i];
		memcpy(l->tg[l->ntg].name, names[i], IF_NAMESIZE);
		l->ntg++;
	}
	rc = bpffs_ensure_for(l->pin_dir);
	if (!rc)
		rc = bpffs_check_dir(l->pin_dir);
	return rc;
}

/* One map of an object: its pin path, and the pinned map checked. */
static int ol_map(struct oload *l, struct oobj *ob, struct bpf_map *m)
{
	char pin[64], path[PATH_MAX], what[128];
	struct map_shape want;
	int rc;

	pin_name(pin, sizeof(pin), bpf_map__name(m));
	if (pin_map_path(path, sizeof(path), l->pin_dir, pin))
		return err_fail("pin path too long: %s/%s", l->pin_dir, pin);
	ob->nmaps++;
	if (!path_exists(path)) {
		if (l->req->dry_run)
			return EXIT_OK;
		if (l->nnew < 256)
			l->new_pin[l->nnew++] = strdup(path);
		if (bpf_map__set_pin_path(m, path))
			return err_fail("cannot set the pin path of %s", bpf_map__name(m));
		return EXIT_OK;
	}
	want.type = bpf_map__type(m);
	want.key_size = bpf_map__key_size(m);
	want.value_size = bpf_map__value_size(m);
	want.max_entries = bpf_map__max_entries(m);
	want.map_flags = bpf_map__map_flags(m);
	if (l->req->migrate) {
		bool reuse;

		rc = mig_consider(l, ob, m, pin, path, &want, &reuse);
		if (rc || !reuse)
			return rc;	/* refused, or to be migrated */
	} else {
		snprintf(what, sizeof(what), "map %s", bpf_map__name(m));
		rc = check_pinned_shape(what, path, &want);
		if (rc)
			return rc;
	}
	ob->nreused++;
	if (!l->req->dry_run && bpf_map__set_pin_path(m, path))
		return err_fail("cannot set the pin path of %s", bpf_map__name(m));
	return EXIT_OK;
}

static int ol_open_one(struct oload *l, struct oobj *ob, const char *file)
{
	struct bpf_program *p;
	struct bpf_map *m;
	char dir[PATH_MAX];
	int rc;

	ob->file = file;
	ob->obj = bpf_object__open_file(file, NULL);
	if (!ob->obj) {
		rc = errno;
		return err_fail("cannot open %s: %s", file, strerror(rc ? rc : EINVAL));
	}
	snprintf(ob->name, sizeof(ob->name), "%s", bpf_object__name(ob->obj));
	for (int i = 0; i < l->no; i++)
		if (&l->o[i] != ob && !strcmp(l->o[i].name, ob->name))
			return err_usage("load: two --object named %s", ob->name);
	objects_dir(dir, sizeof(dir), l->pin_dir, false);
	if (snprintf(ob->rec, sizeof(ob->rec), "%s/%s", dir, ob->name) >= (int)sizeof(ob->rec) ||
	    snprintf(ob->tmp, sizeof(ob->tmp), "%s__new", ob->rec) >= (int)sizeof(ob->tmp))
		return err_fail("pin path too long in %s", l->pin_dir);
	bpf_object__for_each_map(m, ob->obj) {
		rc = ol_map(l, ob, m);
		if (rc)
			return rc;
	}
	bpf_object__for_each_program(p, ob->obj) {
		struct oprog *op;

		if (!bpf_program__autoload(p))
			continue;
		if (ob->nprogs >= LOADER_OBJ_PROGS)
			return err_fail("%s: more than %d programs", file, LOADER_OBJ_PROGS);
		op = &ob->prog[ob->nprogs++];
		op->p = p;
		op->hook = prog_hook(p);
	}
	return EXIT_OK;
}

static bool shares_prog(const struct orec *r, const struct oobj *ob)
{
	for (int i = 0; i < r->nprogs; i++)
		for (int j = 0; j < ob->nprogs; j++)
			if (!strcmp(r->prog[i], bpf_program__name(ob->prog[j].p)))
				return true;
	return false;
}

static int ol_open(struct oload *l)
{
	char dir[PATH_MAX];
	int rc, nxdp = 0;

	l->no = l->req->nfiles;
	for (int i = 0; i < l->no; i++) {
		rc = ol_open_one(l, &l->o[i], l->req->files[i]);
		if (rc)
			return rc;
		for (int j = 0; j < l->o[i].nprogs; j++)
			nxdp += l->o[i].prog[j].hook == OP_XDP;
	}
	/* what this load replaces */
	objects_dir(dir, sizeof(dir), l->pin_dir, false);
	l->nrecs = recs_read(dir, l->recs, OREC_MAX);
	for (int i = 0; i < l->nrecs; i++)
		for (int j = 0; j < l->no; j++)
			if (!strcmp(l->recs[i].name, l->o[j].name) ||
			    shares_prog(&l->recs[i], &l->o[j]))
				l->recs[i].superseded = true;
	if (nxdp > 1 && (l->ntg || l->nrecs))
		return err_fail("load: %d XDP programs, but an interface runs one (without "
				"libxdp's dispatcher); load them with separate pin directories",
				nxdp);
	return EXIT_OK;
}

/* The interfaces where a replaced program runs are targets too. */
static int ol_plan(struct oload *l)
{
	struct oatt *a = calloc(OATT_MAX, sizeof(*a));
	int na = 0;

	if (!a)
		return err_fail("out of memory");
	for (int i = 0; i < l->nrecs; i++)
		if (l->recs[i].superseded) {
			int k = obj_scan(&l->recs[i], 1, NULL, 0, a + na, OATT_MAX - na);

			na += k > 0 ? k : 0;
		}
	for (int i = 0; i < na; i++) {
		bool have = false;

		for (int j = 0; j < l->ntg; j++)
			have |= l->tg[j].ifindex == a[i].ifindex;
		if (!have && l->ntg < LOADER_MAX_IFACES) {
			l->tg[l->ntg].ifindex = a[i].ifindex;
			snprintf(l->tg[l->ntg].name, IF_NAMESIZE, "%s", a[i].ifname);
			l->ntg++;
		}
	}
	free(a);
	return EXIT_OK;
}

/* ---- change: each step records itself in the undo list ---- */

static void ol_register_pins(struct oload *l, struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		const char *p = bpf_map__pin_path(m);

		if (!p)
			continue;
		for (int i = 0; i < l->nnew; i++)
			if (l->new_pin[i] && !strcmp(l->new_pin[i], p) && path_exists(p)) {
				undo_path(l->ul, UNDO_UNLINK, p);
				free(l->new_pin[i]);
				l->new_pin[i] = NULL;
			}
	}
}

static int ol_load(struct oload *l)
{
	for (int i = 0; i < l->no; i++) {
		int rc = bpf_object__load(l->o[i].obj);

		ol_register_pins(l, l->o[i].obj);
		if (rc)
			return err_fail("cannot load %s: %s%s", l->o[i].file, strerror(-rc),
					loader_debug() ? "" : " (see -d for libbpf's log)");
	}
	return EXIT_OK;
}

static int xdp_attach_mode(struct xdp_program *xp, int ifindex,
			   enum loader_mode m, enum xdp_attach_mode *used)
{
	int err;

	if (m == LOADER_MODE_AUTO) {
		*used = XDP_MODE_NATIVE;
		err = xdp_program__attach(xp, ifindex, XDP_MODE_NATIVE, 0);
		if (!err)
			return 0;
		*used = XDP_MODE_SKB;
		return xdp_program__attach(xp, ifindex, XDP_MODE_SKB, 0);
	}
	*used = want_mode(m);
	return xdp_program__attach(xp, ifindex, *used, 0);
}

static int attach_xdp(struct oload *l, const struct otgt *t, struct oprog *op)
{
	const char *name = bpf_program__name(op->p);
	int fd = bpf_program__fd(op->p), err;
	enum xdp_attach_mode used;
	enum loader_mode m = l->req->mode;
	struct xdp_view xv;
	struct ours none;
	char ebuf[128];
	__u32 old = 0;

	memset(&none, 0, sizeof(none));
	err = xdp_inspect(t->ifindex, &none, &xv);
	if (err)
		return err_fail("%s: cannot read its XDP programs: %s", t->name, strerror(-err));
	for (int j = 0; j < xv.nprogs; j++)
		if (sup_has(l, xv.id[j], name))
			old = xv.id[j];
	if (old && !xv.dispatcher) {
		/* the replaced program runs alone: swap atomically */
		err = xdp_swap(t->ifindex, fd, old, xv.mode);
		if (err)
			return err_fail("%s: cannot replace XDP program %u with %s: %s",
					t->name, old, name, strerror(-err));
		undo_iface(l->ul, UNDO_XDP_SWAP, t->ifindex, prog_id_of(fd), old, xv.mode);
		return EXIT_OK;
	}
	if (xv.present && !xv.dispatcher)
		return err_fail("%s: XDP program %u is attached without libxdp's dispatcher, "
				"so nothing can run beside it; detach it first",
				t->name, xv.id[0]);
	if (!op->xp) {
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xo, .fd = fd);

		op->xp = xdp_program__create(&xo);
		if (libxdp_get_error(op->xp) || !op->xp) {
			op->xp = NULL;
			return err_fail("cannot prepare %s for libxdp: %s", name,
					strerror(errno ? errno : EINVAL));
		}
	}
	if (xv.present && m == LOADER_MODE_AUTO)
		m = xv.mode == XDP_MODE_SKB ? LOADER_MODE_SKB : LOADER_MODE_NATIVE;
	err = xdp_attach_mode(op->xp, t->ifindex, m, &used);
	if (err)
		return err_fail("%s: cannot attach %s (xdp): %s%s", t->name, name,
				xdp_err(err, ebuf, sizeof(ebuf)),
				loader_debug() ? "" : " (see -d for libxdp's log)");
	undo_iface(l->ul, UNDO_XDP_DETACH, t->ifindex, prog_id_of(fd), 0, used);
	return EXIT_OK;
}

static int attach_tc(struct oload *l, const struct otgt *t, struct oprog *op)
{
	const char *name = bpf_program__name(op->p);
	bool eg = op->hook == OP_TC_EG;
	int slot = -1, free_slot = -1, err;
	struct undo *u;
	__u32 old = 0;

	for (int k = 0; k < MAPSH_OBJ_TC_SLOTS; k++) {
		__u32 id = tc_obj_slot_id(t->ifindex, eg, MAPSH_OBJ_TC_PRIO + (__u32)k);

		if (id && sup_has(l, id, name)) {
			slot = k;
			old = id;
			break;
		}
		if (!id && free_slot < 0)
			free_slot = k;
	}
	if (slot < 0)
		slot = free_slot;
	if (slot < 0)
		return err_fail("%s: all %d tc slots of loaded objects are taken (%s)",
				t->name, MAPSH_OBJ_TC_SLOTS, eg ? "egress" : "ingress");
	err = tc_clsact_create(t->ifindex);
	if (err && err != -EEXIST)
		return err_fail("%s: cannot create the clsact qdisc: %s", t->name,
				strerror(-err));
	if (!err)
		undo_iface(l->ul, UNDO_TC_HOOK, t->ifindex, 0, 0, XDP_MODE_UNSPEC);
	err = tc_obj_slot_attach(t->ifindex, eg, MAPSH_OBJ_TC_PRIO + (__u32)slot,
				 bpf_program__fd(op->p));
	if (err)
		return err_fail("%s: cannot attach %s (tc %s): %s", t->name, name,
				eg ? "egress" : "ingress", strerror(-err));
	u = undo_push(l->ul, UNDO_TC_SLOT);
	if (u) {
		u->ifindex = t->ifindex;
		u->key = MAPSH_OBJ_TC_PRIO + (__u32)slot;
		u->fd = eg;
		u->id = old;
	}
	return EXIT_OK;
}

/* Every program of every object on every target (the step between the
 * sweeps of a migration). */
int ol_attach(struct oload *l)
{
	int rc;

	for (int t = 0; t < l->ntg; t++)
		for (int i = 0; i < l->no; i++)
			for (int j = 0; j < l->o[i].nprogs; j++) {
				struct oprog *op = &l->o[i].prog[j];

				if (op->hook == OP_XDP)
					rc = attach_xdp(l, &l->tg[t], op);
				else if (op->hook == OP_TC_IN || op->hook == OP_TC_EG)
					rc = attach_tc(l, &l->tg[t], op);
				else
					continue;
				if (rc)
					return rc;
			}
	return EXIT_OK;
}

/* The record beside its final place: PIN_DIR/objects/<object>__new. */
static int ol_record(struct oload *l)
{
	char sub[PATH_MAX + 16], p[PATH_MAX + 96];
	int rc;

	for (int i = 0; i < l->no; i++) {
		struct oobj *ob = &l->o[i];

		rm_pin_tree(ob->tmp);	/* a leftover of an interrupted load */
		snprintf(sub, sizeof(sub), "%s/progs", ob->tmp);
		rc = mkdir_undo(l, sub);
		if (rc)
			return rc;
		undo_path(l->ul, UNDO_RMTREE, ob->tmp);
		snprintf(sub, sizeof(sub), "%s/maps", ob->tmp);
		rc = mkdir_undo(l, sub);
		if (rc)
			return rc;
		for (int j = 0; j < ob->nprogs; j++) {
			struct oprog *op = &ob->prog[j];

			snprintf(p, sizeof(p), "%s/progs/%s", ob->tmp, bpf_program__name(op->p));
			if (bpf_obj_pin(bpf_program__fd(op->p), p))
				return err_fail("cannot pin program %s at %s: %s",
						bpf_program__name(op->p), p, strerror(errno));
			if (op->hook != OP_LINK)
				continue;
			/* where its section says, when libbpf knows how */
			op->link = bpf_program__attach(op->p);
			if (!op->link) {
				op->hook = OP_NONE;
				continue;
			}
			snprintf(sub, sizeof(sub), "%s/links", ob->tmp);
			rc = mkdir_undo(l, sub);
			if (rc)
				return rc;
			snprintf(p, sizeof(p), "%s/links/%s", ob->tmp, bpf_program__name(op->p));
			if (bpf_link__pin(op->link, p))
				return err_fail("cannot pin the link of %s at %s: %s",
						bpf_program__name(op->p), p, strerror(errno));
		}
	}
	return EXIT_OK;
}

/* ---- commit: nothing below is undone ---- */

/* The maps of the new objects, by id. */
bool new_has_map(const struct oload *l, __u32 id)
{
	struct bpf_map *m;

	for (int i = 0; i < l->no; i++)
		bpf_object__for_each_map(m, l->o[i].obj)
			if (map_id_of(bpf_map__fd(m)) == id)
				return true;
	return false;
}

/* Replaced programs still attached somewhere (beside a dispatcher, or
 * without a counterpart) go. */
static void ol_detach_replaced(struct oload *l)
{
	struct oatt *a = calloc(OATT_MAX, sizeof(*a));
	char ebuf[128];

	if (!a)
		return;
	for (int i = 0; i < l->nrecs; i++) {
		int n;

		if (!l->recs[i].superseded)
			continue;
		n = obj_scan(&l->recs[i], 1, NULL, 0, a, OATT_MAX);
		for (int k = 0; k < n; k++) {
			int err = oatt_detach(&a[k]);

			if (err)
				err_warn("%s: the replaced %s program %u is still attached: %s",
					 a[k].ifname, oatt_hook(&a[k]), a[k].id,
					 xdp_err(err, ebuf, sizeof(ebuf)));
		}
	}
	free(a);
}

/* Replaced records: removed with the maps only they used, or (migration)
 * moved to PIN_DIR/backup/objects. */
static void ol_supersede(struct oload *l)
{
	char p[PATH_MAX + 80], bdir[PATH_MAX];

	objects_dir(bdir, sizeof(bdir), l->pin_dir, true);
	if (l->req->migrate && l->nmig) {
		bpffs_mkdir_p(bdir, NULL, 0, NULL);
		for (int i = 0; i < l->no; i++) {
			snprintf(p, sizeof(p), "%s/%s/%s/%s", l->pin_dir, OBJ_BACKUP_DIR,
				 OBJ_BACKUP_NEW, l->o[i].name);
			bpffs_mkdir_p(p, NULL, 0, NULL);
		}
	}
	for (int i = 0; i < l->nrecs; i++) {
		struct orec *r = &l->recs[i];

		if (!r->superseded)
			continue;
		l->res->superseded++;
		if (l->req->migrate && l->nmig) {
			snprintf(p, sizeof(p), "%s/%s", bdir, r->name);
			rm_pin_tree(p);
			if (rename(r->dir, p) == 0)
				continue;
			err_warn("cannot move %s to %s: %s", r->dir, p, strerror(errno));
		}
		for (int j = 0; j < r->nmaps; j++) {
			if (!r->map_id[j] || new_has_map(l, r->map_id[j]))
				continue;
			if (!pin_map_path(p, sizeof(p), l->pin_dir, r->map[j]) &&
			    pin_obj_id(p, NULL) == r->map_id[j])
				unlink(p);
		}
		rm_pin_tree(r->dir);
	}
}

/* The new records in place, with a link to each of their map pins. */
static void ol_commit_records(struct oload *l)
{
	char pin[64], from[PATH_MAX], to[PATH_MAX + 80];
	struct bpf_map *m;

	for (int i = 0; i < l->no; i++) {
		struct oobj *ob = &l->o[i];

		rm_pin_tree(ob->rec);
		if (rename(ob->tmp, ob->rec) < 0) {
			err_warn("cannot move %s to %s: %s", ob->tmp, ob->rec, strerror(errno));
			continue;
		}
		bpf_object__for_each_map(m, ob->obj) {
			pin_name(pin, sizeof(pin), bpf_map__name(m));
			if (pin_map_path(from, sizeof(from), l->pin_dir, pin))
				continue;
			snprintf(to, sizeof(to), "%s/maps/%s", ob->rec, pin);
			if (link(from, to) < 0 && bpf_obj_pin(bpf_map__fd(m), to))
				err_warn("cannot record map %s in %s: %s", pin, ob->rec,
					 strerror(errno));
		}
	}
}

static void ol_report(struct oload *l)
{
	struct loader_obj_result *res = l->res;

	res->nobjs = l->no;
	for (int i = 0; i < l->no; i++) {
		struct loader_obj_info *o = &res->obj[i];
		struct oobj *ob = &l->o[i];

		snprintf(o->name, sizeof(o->name), "%s", ob->name);
		o->nmaps = ob->nmaps;
		o->maps_reused = ob->nreused;
		o->maps_migrated = ob->nmigrated;
		o->nprogs = ob->nprogs;
		for (int j = 0; j < ob->nprogs; j++) {
			struct oprog *op = &ob->prog[j];

			snprintf(o->prog[j].name, sizeof(o->prog[j].name), "%s",
				 bpf_program__name(op->p));
			o->prog[j].id = prog_id_of(bpf_program__fd(op->p));
			o->prog[j].type = bpf_program__type(op->p);
			o->prog[j].hook = (op->hook == OP_XDP || op->hook == OP_TC_IN ||
					   op->hook == OP_TC_EG) && !l->ntg ? "none"
									  : hook_str(op->hook);
		}
	}
	res->nifaces = l->ntg;
	for (int i = 0; i < l->ntg; i++)
		snprintf(res->ifname[i], IF_NAMESIZE, "%s", l->tg[i].name);
}

static void ol_close(struct oload *l)
{
	for (int i = 0; i < l->no; i++) {
		for (int j = 0; j < l->o[i].nprogs; j++) {
			if (l->o[i].prog[j].xp)
				xdp_program__close(l->o[i].prog[j].xp);
			if (l->o[i].prog[j].link)
				bpf_link__destroy(l->o[i].prog[j].link);
		}
		if (l->o[i].obj)
			bpf_object__close(l->o[i].obj);
	}
	for (int i = 0; i < l->nnew; i++)
		free(l->new_pin[i]);
	mig_free(l);
	free(l->recs);
}

int loader_load_objects(const struct loader_obj_req *req,
			struct loader_obj_result *res)
{
	static struct undo_list ul;
	static struct oload l;
	char dir[PATH_MAX];
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&l, 0, sizeof(l));
	l.req = req;
	l.res = res;
	l.pin_dir = req->pin_dir;
	l.ul = &ul;
	ul.n = 0;
	l.recs = calloc(OREC_MAX, sizeof(*l.recs));
	if (!l.recs)
		return err_fail("out of memory");

	rc = ol_validate(&l);
	if (!rc)
		rc = ol_open(&l);
	if (!rc)
		rc = ol_plan(&l);
	if (!rc && l.ntg) {
		const char *x = secure_getenv("LIBXDP_BPFFS");

		rc = bpffs_ensure_for(x && *x ? x : BPFFS_DEFAULT_MNT);
	}
	if (rc)
		goto out;
	if (req->dry_run) {
		rc = ol_load(&l);
		if (!rc)
			rc = mig_dry_run(&l);
		undo_run(&ul);
		ol_report(&l);
		goto out;
	}

	objects_dir(dir, sizeof(dir), l.pin_dir, false);
	rc = mkdir_undo(&l, dir);
	if (!rc)
		rc = ol_load(&l);
	if (!rc)
		rc = l.nmig ? mig_run_all(&l) : ol_attach(&l);
	if (!rc)
		rc = ol_record(&l);
	if (!rc)
		rc = mig_pin_tmp(&l);
	if (rc) {
		undo_run(&ul);
		goto out;
	}

	undo_forget(&ul);
	res->backup_committed = backup_commit(l.pin_dir, &l) > 0;
	mig_swap_pins(&l);
	ol_detach_replaced(&l);
	ol_supersede(&l);
	ol_commit_records(&l);
	ol_report(&l);
	res->migrated = l.nmig;
	res->backup = l.nmig > 0;
out:
	ol_close(&l);
	return rc;
}
