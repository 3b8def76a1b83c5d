// SPDX-License-Identifier: GPL-2.0
/* Load's plan: which interfaces it attaches to (the ones asked for plus
 * those already running mapsh) and how, on each, the new programs take the
 * place of the old ones. Reads only: a plan that cannot work is refused
 * before anything changes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "map/bundle.h"
#include "base/err.h"
#include "loader/loader_int.h"

/* Every interface of this netns where mapsh (of this pin dir) runs. */
int scan_attached(const struct ours *o, struct target *tg, int *ntg)
{
	struct if_nameindex *ifs = if_nameindex(), *it;

	if (!ifs)
		return -errno;
	for (it = ifs; it->if_index; it++) {
		struct xdp_view xv;
		char name[16];
		bool have = false;

		for (int i = 0; i < *ntg; i++)
			if (tg[i].ifindex == (int)it->if_index)
				have = true;
		if (have)
			continue;
		if (xdp_inspect((int)it->if_index, o, &xv))
			memset(&xv, 0, sizeof(xv));
		if (!xv.nours && !tc_is_ours(tc_slot_id((int)it->if_index), o, name))
			continue;
		if (*ntg >= LOADER_MAX_IFACES)
			break;
		memset(&tg[*ntg], 0, sizeof(tg[*ntg]));
		tg[*ntg].ifindex = (int)it->if_index;
		snprintf(tg[*ntg].name, IF_NAMESIZE, "%s", it->if_name);
		(*ntg)++;
	}
	if_freenameindex(ifs);
	return 0;
}

enum xdp_attach_mode want_mode(enum loader_mode m)
{
	return m == LOADER_MODE_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
}

/* Decide how to attach on one interface; refuse what cannot work. */
int plan_target(struct target *t, const struct ours *o,
		enum loader_mode req_mode)
{
	char name[16];
	int err;

	err = xdp_inspect(t->ifindex, o, &t->xv);
	if (err)
		return err_fail("%s: cannot read its XDP programs: %s", t->name,
				strerror(-err));
	t->mode = req_mode;
	if (t->xv.present && !t->xv.dispatcher && t->xv.nforeign)
		return err_fail("%s: XDP program %u (%s) is attached without libxdp's "
				"dispatcher, so nothing can run beside it; detach it first",
				t->name, t->xv.id[0], t->xv.name[0]);
	if (t->xv.present && !t->xv.dispatcher) {
		/* our own, attached without a dispatcher (libxdp does that
		 * when the kernel cannot run freplace programs) */
		if (req_mode != LOADER_MODE_AUTO && want_mode(req_mode) != t->xv.mode) {
			t->detach_old_first = true;
		} else {
			t->swap = true;
			t->mode = t->xv.mode == XDP_MODE_SKB ? LOADER_MODE_SKB
							     : LOADER_MODE_NATIVE;
		}
	} else if (t->xv.present && t->xv.nprogs) {
		if (req_mode == LOADER_MODE_AUTO) {
			t->mode = t->xv.mode == XDP_MODE_SKB ? LOADER_MODE_SKB
							     : LOADER_MODE_NATIVE;
		} else if (want_mode(req_mode) != t->xv.mode) {
			if (t->xv.nforeign)
				return err_fail("%s: other XDP programs run there in %s mode; "
						"cannot attach in %s mode (use --mode %s)",
						t->name, mode_str(t->xv.mode),
						mode_str(want_mode(req_mode)),
						mode_str(t->xv.mode));
			t->detach_old_first = true;
		}
	}
	if (t->xv.nprogs + 1 > 10 && !t->detach_old_first && !t->xv.nours)
		return err_fail("%s: the XDP dispatcher is full (%d programs)",
				t->name, t->xv.nprogs);
	t->tc_old = tc_slot_id(t->ifindex);
	if (t->tc_old && !tc_is_ours(t->tc_old, o, name))
		return err_fail("%s: the tc ingress filter with mapsh's handle 0x%x and "
				"priority %u runs another program (id %u, '%s'%s)",
				t->name, MAPSH_TC_HANDLE, MAPSH_TC_PRIO, t->tc_old, name,
				strcmp(name, bundle_objs[BUNDLE_POLICY].prog_name) ? "" :
				", of another pin directory");
	return EXIT_OK;
}
