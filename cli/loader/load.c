// SPDX-License-Identifier: GPL-2.0
/* Loading, attaching, detaching and inspecting the bundled programs: see
 * loader.h for the model and loader_int.h for where each part lives. Every
 * command validates all of its input before it changes anything; load
 * records each change in an undo list and rolls the list back when a later
 * step fails.
 *
 * This file is load itself, in steps: validate, open the objects (checking
 * the pins), plan every interface; then create the pin directories, load,
 * attach on each interface, write the config defaults, install the inner
 * maps and pin the programs; then commit. */
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
#include "mapsh.h"

/* One load command: what its steps share. */
struct load {
	const struct loader_load_req *req;
	struct loader_load_result *res;
	const char *pin_dir;
	struct undo_list *ul;
	struct target tg[LOADER_MAX_IFACES];
	int ntg;
	struct ours o;
	struct objs ob;
	struct bpf_program *prog[2];
	struct xdp_program *xp;
	bool flow_registered;		/* flowtrack's new pins are in ul */
	char tmp[2][PATH_MAX], final[2][PATH_MAX];
};

/* ---- validate: nothing changes until every check passed ---- */

/* Privileges, the interfaces asked for (the first targets), bpffs. */
static int load_validate(struct load *l)
{
	int idx[LOADER_MAX_IFACES];
	char names[LOADER_MAX_IFACES][IF_NAMESIZE];
	int nreq = 0, rc;

	rc = loader_check_caps();
	if (rc)
		return rc;
	rc = loader_resolve_ifaces(l->req->ifaces, l->req->nifaces, idx, names,
				   &nreq);
	if (rc)
		return rc;
	for (int i = 0; i < nreq; i++) {
		struct target *t = &l->tg[l->ntg++];

		memset(t, 0, sizeof(*t));
		t->ifindex = idx[i];
		t->requested = true;
		memcpy(t->name, names[i], IF_NAMESIZE);
	}
	rc = bpffs_ensure_for(l->pin_dir);
	if (rc)
		return rc;
	return bpffs_check_dir(l->pin_dir);
}

/* Both objects with their map pins checked, and their programs. */
static int load_open(struct load *l)
{
	int rc;

	rc = objs_open(l->pin_dir, &l->ob);
	if (rc)
		return rc;
	for (int i = 0; i < 2; i++) {
		l->prog[i] = bpf_object__find_program_by_name(l->ob.obj[i],
							      bundle_objs[i].prog_name);
		if (!l->prog[i])
			return err_fail("the bundled object %s has no program %s",
					bundle_objs[i].name, bundle_objs[i].prog_name);
	}
	return EXIT_OK;
}

/* How to attach on every interface, and their inner map pins. */
static int load_plan(struct load *l)
{
	struct ours *o = &l->o;
	int rc;

	ours_read(l->pin_dir, o);
	/* interfaces already running mapsh move to the new programs too */
	if (o->config_map_id || o->policy_map_id || o->prog_id[0] || o->prog_id[1])
		scan_attached(o, l->tg, &l->ntg);
	for (int i = 0; i < l->ntg; i++) {
		rc = plan_target(&l->tg[i], o, l->req->mode);
		if (rc)
			return rc;
		rc = check_inner_pin(l->pin_dir, l->tg[i].name);
		if (rc)
			return rc;
	}
	return EXIT_OK;
}

/* libxdp keeps its dispatcher's state on the bpffs at $LIBXDP_BPFFS, by
 * default /sys/fs/bpf, and runs no dispatcher without one: mounted there
 * when load attaches and nothing is mounted at /sys/fs/bpf. */
static int load_libxdp_bpffs(struct load *l)
{
	const char *dir = secure_getenv("LIBXDP_BPFFS");

	if (l->ntg == 0)
		return EXIT_OK;
	return bpffs_ensure_for(dir && *dir ? dir : BPFFS_DEFAULT_MNT);
}

/* ---- change: every step records what it did in the undo list ---- */

/* PIN_DIR and its progs/ and inner/ subdirectories. */
static int load_make_dirs(struct load *l)
{
	const char *pin_dir = l->pin_dir;
	char *dirs[8] = { 0 };
	int ndirs = 0, rc;

	if (bpffs_mkdir_p(pin_dir, dirs, 8, &ndirs) == 0) {
		char sub[PATH_MAX];

		snprintf(sub, sizeof(sub), "%s/%s", pin_dir, PIN_PROGS_SUBDIR);
		rc = bpffs_mkdir_p(sub, dirs, 8, &ndirs);
		snprintf(sub, sizeof(sub), "%s/%s", pin_dir, PIN_INNER_SUBDIR);
		if (!rc)
			rc = bpffs_mkdir_p(sub, dirs, 8, &ndirs);
	} else {
		rc = -errno;
	}
	for (int i = 0; i < ndirs; i++) {
		undo_path(l->ul, UNDO_RMDIR, dirs[i]);
		free(dirs[i]);
	}
	if (rc)
		return err_fail("cannot create %s: %s", pin_dir,
				strerror(-rc ? -rc : EIO));
	return EXIT_OK;
}

static int load_failed(int obj, int rc)
{
	return err_fail("cannot load %s: %s%s", bundle_objs[obj].name,
			strerror(-rc),
			loader_debug() ? "" : " (see -d for libbpf's log)");
}

/* policy, and flowtrack when it is not libxdp's to load; the libxdp
 * handle of flowtrack when it attaches anywhere. */
static int load_objects(struct load *l)
{
	struct objs *ob = &l->ob;
	bool need_plain;
	int rc;

	rc = bpf_object__load(ob->obj[BUNDLE_POLICY]);
	register_new_pins(ob, ob->obj[BUNDLE_POLICY], l->ul);
	if (rc)
		return load_failed(BUNDLE_POLICY, rc);

	/* flowtrack is loaded here as a plain XDP program when it attaches
	 * nowhere or must swap in for an earlier instance that runs without a
	 * dispatcher; otherwise libxdp loads it (as a dispatcher extension, or
	 * plain when the kernel cannot do that). */
	need_plain = l->ntg == 0;
	for (int i = 0; i < l->ntg; i++)
		need_plain |= l->tg[i].swap;
	if (need_plain) {
		rc = bpf_object__load(ob->obj[BUNDLE_FLOWTRACK]);
		register_new_pins(ob, ob->obj[BUNDLE_FLOWTRACK], l->ul);
		l->flow_registered = true;
		if (rc)
			return load_failed(BUNDLE_FLOWTRACK, rc);
	}
	if (l->ntg > 0) {
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xo);

		if (need_plain) {
			xo.fd = bpf_program__fd(l->prog[BUNDLE_FLOWTRACK]);
		} else {
			xo.obj = ob->obj[BUNDLE_FLOWTRACK];
			xo.prog_name = bundle_objs[BUNDLE_FLOWTRACK].prog_name;
		}
		l->xp = xdp_program__create(&xo);
		if (libxdp_get_error(l->xp) || !l->xp) {
			l->xp = NULL;
			return err_fail("cannot prepare %s for libxdp: %s",
					bundle_objs[BUNDLE_FLOWTRACK].name,
					strerror(errno ? errno : EINVAL));
		}
	}
	return EXIT_OK;
}

/* The previous flowtrack instances that must go before the new one can
 * attach (another XDP mode). */
static int detach_old_first(struct load *l, struct target *t)
{
	char ebuf[128];
	int err;

	for (int j = 0; j < t->xv.nprogs; j++) {
		if (!t->xv.ours[j])
			continue;
		err = xdp_detach_id(t->ifindex, t->xv.id[j], t->xv.mode);
		if (err)
			return err_fail("%s: cannot detach the previous XDP program %u: %s",
					t->name, t->xv.id[j],
					xdp_err(err, ebuf, sizeof(ebuf)));
		undo_iface(l->ul, UNDO_XDP_REATTACH, t->ifindex, t->xv.id[j], 0,
			   t->xv.mode);
	}
	return EXIT_OK;
}

/* The new flowtrack in place of the previous one, which runs alone. */
static int swap_in(struct load *l, struct target *t)
{
	int err;

	err = xdp_swap(t->ifindex, bpf_program__fd(l->prog[BUNDLE_FLOWTRACK]),
		       t->xv.id[0], t->xv.mode);
	if (err)
		return err_fail("%s: cannot replace XDP program %u with the new %s: %s",
				t->name, t->xv.id[0],
				bundle_objs[BUNDLE_FLOWTRACK].name, strerror(-err));
	t->used = t->xv.mode;
	undo_iface(l->ul, UNDO_XDP_SWAP, t->ifindex, xdp_program__id(l->xp),
		   t->xv.id[0], t->xv.mode);
	return EXIT_OK;
}

static int xdp_attach_new(struct xdp_program *xp, struct target *t)
{
	int err;

	if (t->mode == LOADER_MODE_AUTO) {
		err = xdp_program__attach(xp, t->ifindex, XDP_MODE_NATIVE, 0);
		if (!err) {
			t->used = XDP_MODE_NATIVE;
			return 0;
		}
		err = xdp_program__attach(xp, t->ifindex, XDP_MODE_SKB, 0);
		if (!err)
			t->used = XDP_MODE_SKB;
		return err;
	}
	t->used = want_mode(t->mode);
	return xdp_program__attach(xp, t->ifindex, t->used, 0);
}

/* The new flowtrack beside whatever runs there, through libxdp. */
static int attach_new(struct load *l, struct target *t)
{
	struct bpf_program *flow = l->prog[BUNDLE_FLOWTRACK];
	char ebuf[128];
	int err;

	err = xdp_attach_new(l->xp, t);
	/* libxdp loads flowtrack on its first attach: from then on, the pins
	 * it created are this command's */
	if (!l->flow_registered && bpf_program__fd(flow) >= 0) {
		register_new_pins(&l->ob, l->ob.obj[BUNDLE_FLOWTRACK], l->ul);
		l->flow_registered = true;
	}
	if (err)
		return err_fail("%s: cannot attach %s (xdp %s): %s%s", t->name,
				bundle_objs[BUNDLE_FLOWTRACK].name,
				t->mode == LOADER_MODE_AUTO ? "native or skb"
							    : mode_str(t->used),
				xdp_err(err, ebuf, sizeof(ebuf)),
				loader_debug() ? "" : " (see -d for libxdp's log)");
	undo_iface(l->ul, UNDO_XDP_DETACH, t->ifindex, xdp_program__id(l->xp), 0,
		   t->used);
	return EXIT_OK;
}

/* policy in mapsh's tc slot, creating clsact when there is none. */
static int attach_tc(struct load *l, struct target *t)
{
	int err;

	err = tc_clsact_create(t->ifindex);
	if (err && err != -EEXIST)
		return err_fail("%s: cannot create the clsact qdisc: %s", t->name,
				strerror(-err));
	if (!err)
		undo_iface(l->ul, UNDO_TC_HOOK, t->ifindex, 0, 0, XDP_MODE_UNSPEC);
	err = tc_attach_fd(t->ifindex, bpf_program__fd(l->prog[BUNDLE_POLICY]));
	if (err)
		return err_fail("%s: cannot attach %s (tc ingress): %s", t->name,
				bundle_objs[BUNDLE_POLICY].name, strerror(-err));
	undo_iface(l->ul, UNDO_TC_RESTORE, t->ifindex, t->tc_old, 0,
		   XDP_MODE_UNSPEC);
	return EXIT_OK;
}

/* Both programs on one interface, as planned. */
static int attach_iface(struct load *l, struct target *t)
{
	int rc;

	if (t->detach_old_first) {
		rc = detach_old_first(l, t);
		if (rc)
			return rc;
	}
	if (t->swap)
		rc = swap_in(l, t);
	else
		rc = attach_new(l, t);
	if (rc)
		return rc;
	return attach_tc(l, t);
}

static int load_attach(struct load *l)
{
	int rc;

	for (int i = 0; i < l->ntg; i++) {
		rc = attach_iface(l, &l->tg[i]);
		if (rc)
			return rc;
	}
	if (bpf_program__fd(l->prog[BUNDLE_FLOWTRACK]) < 0)
		return err_fail("%s was not loaded", bundle_objs[BUNDLE_FLOWTRACK].name);
	return EXIT_OK;
}

/* A config map new with this command starts with the defaults. */
static int load_config_defaults(struct load *l)
{
	struct bpf_map *cm;
	struct config cfg = { .enabled = 1, .event_mask = EVENT_NEW_FLOW | EVENT_DROP };
	__u32 zero = 0;

	if (!l->ob.config_new)
		return EXIT_OK;
	cm = bpf_object__find_map_by_name(l->ob.obj[BUNDLE_FLOWTRACK], CONFIG_MAP);
	if (cm && bpf_map_update_elem(bpf_map__fd(cm), &zero, &cfg, BPF_ANY))
		return err_fail("cannot write the defaults of %s: %s", CONFIG_MAP,
				strerror(errno));
	l->res->config_defaults = cm != NULL;
	return EXIT_OK;
}

static int load_inner_maps(struct load *l)
{
	int rc;

	for (int i = 0; i < l->ntg; i++) {
		bool created;

		rc = inner_ensure(l->pin_dir, l->ob.obj[BUNDLE_FLOWTRACK],
				  l->tg[i].ifindex, l->tg[i].name, l->ul, &created);
		if (rc)
			return rc;
		l->res->ninner_created += created;
	}
	return EXIT_OK;
}

/* Both programs pinned beside their final pins, renamed by the commit. */
static int load_pin_progs(struct load *l)
{
	int rc;

	for (int i = 0; i < 2; i++) {
		rc = pin_prog_tmp(l->prog[i], l->pin_dir, l->tmp[i], l->final[i],
				  l->ul);
		if (rc)
			return rc;
	}
	return EXIT_OK;
}

/* ---- commit: nothing below is undone ---- */

/* The previous flowtrack instances left beside the new one go. */
static void detach_previous(struct load *l)
{
	char ebuf[128];

	for (int i = 0; i < l->ntg; i++) {
		struct target *t = &l->tg[i];

		if (t->detach_old_first || t->swap)
			continue;
		for (int j = 0; j < t->xv.nprogs; j++) {
			int err;

			if (!t->xv.ours[j] || t->xv.id[j] == xdp_program__id(l->xp))
				continue;
			err = xdp_detach_id(t->ifindex, t->xv.id[j], t->used);
			if (err)
				err_warn("%s: the previous XDP program %u is still attached: %s",
					 t->name, t->xv.id[j], xdp_err(err, ebuf, sizeof(ebuf)));
		}
	}
}

static void rename_prog_pins(struct load *l)
{
	for (int i = 0; i < 2; i++) {
		if (rename(l->tmp[i], l->final[i]) < 0) {
			err_warn("cannot move %s to %s: %s", l->tmp[i], l->final[i],
				 strerror(errno));
			unlink(l->final[i]);
			if (rename(l->tmp[i], l->final[i]) < 0)
				unlink(l->tmp[i]);
		}
	}
}

static void load_report(struct load *l)
{
	struct loader_load_result *res = l->res;

	res->maps_pinned = l->ob.npinned;
	res->maps_reused = l->ob.nreused;
	res->maps_created = l->ob.npinned - l->ob.nreused;
	for (int i = 0; i < 2; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(l->prog[i]), &info, &len))
			res->prog_id[i] = info.id;
	}
	for (int i = 0; i < l->ntg && i < LOADER_MAX_IFACES; i++) {
		snprintf(res->ifname[i], IF_NAMESIZE, "%s", l->tg[i].name);
		res->xdp_mode[i] = mode_str(l->tg[i].used);
		res->moved[i] = !l->tg[i].requested;
	}
	res->nifaces = l->ntg;
}

int loader_load(const struct loader_load_req *req, struct loader_load_result *res)
{
	static struct undo_list ul;	/* large: not on the stack */
	struct load l;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&l, 0, sizeof(l));
	l.req = req;
	l.res = res;
	l.pin_dir = req->pin_dir;
	l.ul = &ul;
	ul.n = 0;

	/* validate: nothing changes until every check passed */
	rc = load_validate(&l);
	if (!rc)
		rc = load_open(&l);
	if (!rc)
		rc = load_plan(&l);
	if (!rc)
		rc = load_libxdp_bpffs(&l);
	if (rc)
		goto out;

	/* change: each step records what it did in ul */
	rc = load_make_dirs(&l);
	if (!rc)
		rc = load_objects(&l);
	if (!rc)
		rc = load_attach(&l);
	if (!rc)
		rc = load_config_defaults(&l);
	if (!rc)
		rc = load_inner_maps(&l);
	if (!rc)
		rc = load_pin_progs(&l);
	if (rc) {
		undo_run(&ul);
		goto out;
	}

	/* commit: nothing below is undone */
	undo_forget(&ul);
	detach_previous(&l);
	rename_prog_pins(&l);
	load_report(&l);
out:
	if (l.xp)
		xdp_program__close(l.xp);
	objs_close(&l.ob);
	return rc;
}
