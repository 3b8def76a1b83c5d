// SPDX-License-Identifier: GPL-2.0
/* The records of loaded objects (load --object) and what status and unload
 * do with them. A record is a directory of pins, so it lives and dies with
 * the bpffs and needs no file of its own:
 *
 *   PIN_DIR/objects/<object>/progs/<program>   the loaded program
 *   PIN_DIR/objects/<object>/maps/<pin>        a link to PIN_DIR/<pin>
 *   PIN_DIR/objects/<object>/links/<program>   the bpf_link of a program
 *                                              attached where its section says
 *   PIN_DIR/backup/...                         a migration not yet committed
 *                                              (see object.c)
 *
 * Where a program runs is read from the interfaces: an XDP program whose id
 * is a recorded program's, a tc filter with handle MAPSH_OBJ_TC_HANDLE whose
 * program is. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "map/bpffs.h"
#include "base/err.h"
#include "loader/loader_int.h"
#include "loader/objstate.h"

void rm_pin_tree(const char *path)
{
	struct stat sb;
	DIR *d;

	if (lstat(path, &sb) < 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	if (d) {
		struct dirent *e;
		char p[PATH_MAX];

		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (snprintf(p, sizeof(p), "%s/%s", path, e->d_name) >= (int)sizeof(p))
				continue;
			rm_pin_tree(p);
		}
		closedir(d);
	}
	rmdir(path);
}

__u32 pin_obj_id(const char *path, __u32 *type)
{
	union {
		struct bpf_prog_info p;
		struct bpf_map_info m;
		struct bpf_link_info l;
	} info;
	__u32 len = sizeof(info), id = 0;
	char link[64], target[64];
	ssize_t n;
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		if (strstr(target, "bpf-prog")) {
			id = info.p.id;
			if (type)
				*type = info.p.type;
		} else if (strstr(target, "bpf-map")) {
			id = info.m.id;
			if (type)
				*type = info.m.type;
		} else {
			id = info.l.id;
		}
	}
	close(fd);
	return id;
}

/* The names in dir (no dot entries), up to max; -1 when dir is missing. */
static int list_names(const char *dir, char (*names)[64], int max)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(names[n++], 64, "%.63s", e->d_name);
	}
	closedir(d);
	return n;
}

int rec_read(const char *dir, const char *name, struct orec *r)
{
	char sub[PATH_MAX + 16], p[PATH_MAX + 96];
	int n;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (snprintf(r->dir, sizeof(r->dir), "%s/%s", dir, name) >= (int)sizeof(r->dir))
		return -1;
	snprintf(sub, sizeof(sub), "%s/progs", r->dir);
	n = list_names(sub, r->prog, OREC_MAX_PROGS);
	r->nprogs = n > 0 ? n : 0;
	for (int i = 0; i < r->nprogs; i++) {
		snprintf(p, sizeof(p), "%s/%s", sub, r->prog[i]);
		r->prog_id[i] = pin_obj_id(p, &r->prog_type[i]);
	}
	snprintf(sub, sizeof(sub), "%s/maps", r->dir);
	n = list_names(sub, r->map, OREC_MAX_MAPS);
	r->nmaps = n > 0 ? n : 0;
	for (int i = 0; i < r->nmaps; i++) {
		snprintf(p, sizeof(p), "%s/%s", sub, r->map[i]);
		r->map_id[i] = pin_obj_id(p, NULL);
	}
	return 0;
}

int recs_read(const char *dir, struct orec *r, int max)
{
	char (*names)[64] = calloc((size_t)max, 64);
	int n, k = 0;

	if (!names)
		return 0;
	n = list_names(dir, names, max);
	for (int i = 0; i < n; i++) {
		/* a load's record before its commit */
		size_t len = strlen(names[i]);

		if (len > 5 && !strcmp(names[i] + len - 5, "__new"))
			continue;
		if (!rec_read(dir, names[i], &r[k]))
			k++;
	}
	free(names);
	return k;
}

bool recs_have_prog(const struct orec *r, int n, __u32 id, const char *name)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < r[i].nprogs; j++)
			if (r[i].prog_id[j] == id && id &&
			    (!name || !strcmp(r[i].prog[j], name)))
				return true;
	return false;
}

bool recs_have_map(const struct orec *r, int n, __u32 id)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < r[i].nmaps; j++)
			if (r[i].map_id[j] == id && id)
				return true;
	return false;
}

const char *oatt_hook(const struct oatt *a)
{
	return a->hook == OHOOK_XDP ? "xdp" : a->hook == OHOOK_TC_IN ? "tc ingress"
								       : "tc egress";
}

int obj_scan(const struct orec *r, int nr, const int *idx, int nidx,
	     struct oatt *a, int max)
{
	struct if_nameindex *ifs = if_nameindex();
	struct ours none;
	int n = 0;

	if (!ifs)
		return -errno;
	memset(&none, 0, sizeof(none));
	for (struct if_nameindex *it = ifs; it->if_index; it++) {
		int ifindex = (int)it->if_index;
		struct xdp_view xv;
		bool want = nidx == 0;

		for (int i = 0; i < nidx; i++)
			want |= idx[i] == ifindex;
		if (!want)
			continue;
		if (xdp_inspect(ifindex, &none, &xv))
			memset(&xv, 0, sizeof(xv));
		for (int j = 0; j < xv.nprogs && n < max; j++) {
			if (!recs_have_prog(r, nr, xv.id[j], NULL))
				continue;
			memset(&a[n], 0, sizeof(a[n]));
			a[n].ifindex = ifindex;
			snprintf(a[n].ifname, IF_NAMESIZE, "%s", it->if_name);
			a[n].id = xv.id[j];
			a[n].hook = OHOOK_XDP;
			a[n].mode = xv.mode;
			a[n].dispatcher = xv.dispatcher;
			a[n].prio = xv.prio[j];
			a[n].position = (unsigned int)j + 1;
			a[n].nprogs = (unsigned int)xv.nprogs;
			n++;
		}
		for (int eg = 0; eg < 2; eg++) {
			for (__u32 k = 0; k < MAPSH_OBJ_TC_SLOTS && n < max; k++) {
				__u32 id = tc_obj_slot_id(ifindex, eg, MAPSH_OBJ_TC_PRIO + k);

				if (!id || !recs_have_prog(r, nr, id, NULL))
					continue;
				memset(&a[n], 0, sizeof(a[n]));
				a[n].ifindex = ifindex;
				snprintf(a[n].ifname, IF_NAMESIZE, "%s", it->if_name);
				a[n].id = id;
				a[n].hook = eg ? OHOOK_TC_EG : OHOOK_TC_IN;
				a[n].prio = MAPSH_OBJ_TC_PRIO + k;
				n++;
			}
		}
	}
	if_freenameindex(ifs);
	return n;
}

int oatt_detach(const struct oatt *a)
{
	int err;

	if (a->hook == OHOOK_XDP)
		return xdp_detach_id(a->ifindex, a->id, a->mode);
	err = tc_obj_slot_detach(a->ifindex, a->hook == OHOOK_TC_EG, a->prio);
	if (!err)
		tc_cleanup_clsact(a->ifindex);
	return err;
}

void objects_dir(char *buf, size_t size, const char *pin_dir, bool backup)
{
	snprintf(buf, size, "%s/%s", pin_dir, backup ? OBJ_BACKUP_DIR "/" OBJ_DIR : OBJ_DIR);
}

bool obj_any(const char *pin_dir)
{
	char dir[PATH_MAX];
	struct orec *r = calloc(OREC_MAX, sizeof(*r));
	bool any;

	if (!r)
		return false;
	objects_dir(dir, sizeof(dir), pin_dir, false);
	any = recs_read(dir, r, OREC_MAX) > 0;
	free(r);
	return any;
}

/* ---- status ---- */

static void info_of(const struct orec *r, bool backup, struct loader_obj_info *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", r->name);
	o->nmaps = r->nmaps;
	o->backup = backup;
	for (int j = 0; j < r->nprogs && j < LOADER_OBJ_PROGS; j++) {
		snprintf(o->prog[j].name, sizeof(o->prog[j].name), "%s", r->prog[j]);
		o->prog[j].id = r->prog_id[j];
		o->prog[j].type = r->prog_type[j];
		o->nprogs++;
	}
}

int obj_status(const char *pin_dir, struct loader_state *st)
{
	struct orec *r = calloc(2 * OREC_MAX, sizeof(*r));
	struct oatt *a = calloc(OATT_MAX, sizeof(*a));
	char dir[PATH_MAX];
	int nr, nb, na;
	struct loader_attachment *att;

	if (!r || !a) {
		free(r);
		free(a);
		return err_fail("out of memory");
	}
	objects_dir(dir, sizeof(dir), pin_dir, false);
	nr = recs_read(dir, r, OREC_MAX);
	objects_dir(dir, sizeof(dir), pin_dir, true);
	nb = recs_read(dir, r + nr, OREC_MAX);
	st->objs = calloc((size_t)(nr + nb) + 1, sizeof(*st->objs));
	na = nr ? obj_scan(r, nr, NULL, 0, a, OATT_MAX) : 0;
	att = realloc(st->att, ((size_t)st->natt + (size_t)(na > 0 ? na : 0) + 1) *
			       sizeof(*att));
	if (!st->objs || !att) {
		free(r);
		free(a);
		if (att)
			st->att = att;
		return err_fail("out of memory");
	}
	st->att = att;
	for (int i = 0; i < nr + nb; i++)
		info_of(&r[i], i >= nr, &st->objs[st->nobjs++]);
	for (int i = 0; i < na; i++) {
		struct loader_attachment *x = &st->att[st->natt++];

		memset(x, 0, sizeof(*x));
		snprintf(x->ifname, IF_NAMESIZE, "%s", a[i].ifname);
		x->ifindex = a[i].ifindex;
		x->prog_id = a[i].id;
		for (int k = 0; k < nr; k++)
			for (int j = 0; j < r[k].nprogs; j++)
				if (r[k].prog_id[j] == a[i].id)
					snprintf(x->prog_name, sizeof(x->prog_name), "%s",
						 r[k].prog[j]);
		x->current = true;
		if (a[i].hook == OHOOK_XDP) {
			x->mode = mode_str(a[i].mode);
			x->dispatcher = a[i].dispatcher;
			x->run_prio = a[i].prio;
			x->position = a[i].position;
			x->nprogs = a[i].nprogs;
		} else {
			x->tc = true;
			x->mode = a[i].hook == OHOOK_TC_EG ? "egress" : "ingress";
			x->tc_handle = MAPSH_OBJ_TC_HANDLE;
			x->tc_prio = a[i].prio;
		}
	}
	free(r);
	free(a);
	return EXIT_OK;
}

/* ---- unload ---- */

/* The map pins of records r that still name the recorded map. */
static int unpin_rec_maps(const char *pin_dir, const struct orec *r, int nr)
{
	char p[PATH_MAX];
	int n = 0;

	for (int i = 0; i < nr; i++)
		for (int j = 0; j < r[i].nmaps; j++) {
			if (pin_map_path(p, sizeof(p), pin_dir, r[i].map[j]))
				continue;
			if (r[i].map_id[j] && pin_obj_id(p, NULL) == r[i].map_id[j] &&
			    unlink(p) == 0)
				n++;
		}
	return n;
}

int obj_unload(const char *pin_dir, const int *idx, int n, bool keep_maps,
	       struct loader_unload_result *res)
{
	struct orec *r = calloc(2 * OREC_MAX, sizeof(*r));
	struct oatt *a = calloc(OATT_MAX, sizeof(*a));
	char dir[PATH_MAX], ebuf[128];
	int nr, nb, na, failures = 0;

	if (!r || !a) {
		free(r);
		free(a);
		return err_fail("out of memory");
	}
	objects_dir(dir, sizeof(dir), pin_dir, false);
	nr = recs_read(dir, r, OREC_MAX);
	objects_dir(dir, sizeof(dir), pin_dir, true);
	nb = recs_read(dir, r + nr, OREC_MAX);
	na = obj_scan(r, nr + nb, idx, n, a, OATT_MAX);
	for (int i = 0; i < na; i++) {
		int err = oatt_detach(&a[i]);
		bool have = false;

		if (err) {
			err_warn("%s: cannot detach %s program %u: %s", a[i].ifname,
				 oatt_hook(&a[i]), a[i].id, xdp_err(err, ebuf, sizeof(ebuf)));
			failures++;
			continue;
		}
		for (int k = 0; k < res->ndetached; k++)
			have |= !strcmp(res->ifname[k], a[i].ifname);
		if (!have && res->ndetached < LOADER_MAX_IFACES)
			snprintf(res->ifname[res->ndetached++], IF_NAMESIZE, "%s",
				 a[i].ifname);
	}
	/* records go when nothing of them runs anywhere any more */
	if (!failures && (n == 0 || obj_scan(r, nr + nb, NULL, 0, a, OATT_MAX) == 0)) {
		if (!keep_maps)
			res->maps_unpinned += unpin_rec_maps(pin_dir, r, nr + nb);
		if (!keep_maps || nb == 0) {
			snprintf(dir, sizeof(dir), "%s/%s", pin_dir, OBJ_BACKUP_DIR);
			rm_pin_tree(dir);
		}
		objects_dir(dir, sizeof(dir), pin_dir, false);
		rm_pin_tree(dir);
		res->objs_unloaded = nr;
	}
	free(r);
	free(a);
	return failures ? err_fail("unload left %d program%s of loaded objects attached",
				   failures, failures == 1 ? "" : "s")
			: EXIT_OK;
}
