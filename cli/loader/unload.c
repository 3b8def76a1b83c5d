// SPDX-License-Identifier: GPL-2.0
/* unload: detach mapsh from the interfaces (all of them, or the ones
 * given), then remove the pins once nothing of this pin dir runs any more. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "map/bpffs.h"
#include "base/err.h"
#include "loader/loader_int.h"

/* Both programs off one interface, and its inner map unless the maps are
 * kept. True when something was detached; *failures counts what was not. */
static bool detach_iface(const struct loader_unload_req *req,
			 struct loader_unload_result *res,
			 const struct found *c, int *failures)
{
	bool done = false;
	char ebuf[128];

	for (int j = 0; j < c->xv.nprogs; j++) {
		int err;

		if (!c->xv.ours[j])
			continue;
		err = xdp_detach_id(c->ifindex, c->xv.id[j], c->xv.mode);
		if (err) {
			err_warn("%s: cannot detach XDP program %u: %s", c->name,
				 c->xv.id[j], xdp_err(err, ebuf, sizeof(ebuf)));
			(*failures)++;
		} else {
			done = true;
		}
	}
	if (c->tc_id) {
		int err = tc_detach_ours(c->ifindex);

		if (err && err != -ENOENT) {
			err_warn("%s: cannot detach the tc ingress filter: %s",
				 c->name, strerror(-err));
			(*failures)++;
		} else {
			done = true;
			tc_cleanup_clsact(c->ifindex);
		}
	}
	if (!req->keep_maps) {
		res->inner_unpinned += inner_remove(req->pin_dir, c->name, c->ifindex);
	} else {
		char path[PATH_MAX];

		if (!pin_inner_path(path, sizeof(path), req->pin_dir, OUTER_MAP, c->name) &&
		    path_exists(path))
			res->inner_kept++;
	}
	return done;
}

int loader_unload(const struct loader_unload_req *req,
		  struct loader_unload_result *res)
{
	static struct found f[LOADER_MAX_IFACES], rest[LOADER_MAX_IFACES];
	int idx[LOADER_MAX_IFACES];
	char names[LOADER_MAX_IFACES][IF_NAMESIZE];
	int n = 0, nf = 0, nrest = 0, rc, failures = 0;
	const char *pin_dir = req->pin_dir;
	struct ours o;
	bool pins, objs;
	int orc = EXIT_OK;

	memset(res, 0, sizeof(*res));
	rc = loader_check_caps();
	if (rc)
		return rc;
	rc = loader_resolve_ifaces(req->ifaces, req->nifaces, idx, names, &n);
	if (rc)
		return rc;
	if (path_exists(pin_dir)) {
		rc = bpffs_check_dir(pin_dir);
		if (rc)
			return rc;
	}
	ours_read(pin_dir, &o);
	pins = any_pins(pin_dir);
	objs = obj_any(pin_dir);
	if (find_attached(&o, idx, names, n, f, &nf, n > 0))
		return err_fail("cannot list the network interfaces: %s", strerror(errno));
	if (n > 0 && !objs) {
		for (int i = 0; i < nf; i++)
			if (!f[i].xv.nours && !f[i].tc_id)
				return err_fail("mapsh (%s) is not attached to '%s'",
						pin_dir, f[i].name);
	} else if (!pins && nf == 0 && !objs) {
		return err_fail("nothing is loaded (no pins in %s)", pin_dir);
	}

	/* ---- change ---- */
	res->bundled = pins || nf > 0;
	if (objs)
		orc = obj_unload(pin_dir, idx, n, req->keep_maps, res);
	for (int i = 0; i < nf; i++)
		if (detach_iface(req, res, &f[i], &failures) &&
		    res->ndetached < LOADER_MAX_IFACES)
			snprintf(res->ifname[res->ndetached++], IF_NAMESIZE, "%s",
				 f[i].name);

	/* pins go only when nothing of this pin dir runs anywhere any more:
	 * a program left attached keeps its pins, so it can be found again */
	res->full = failures == 0;
	if (n > 0 && res->full) {
		find_attached(&o, NULL, NULL, 0, rest, &nrest, false);
		res->still_attached = nrest;
		res->full = nrest == 0;
	}
	if (res->full)
		unpin_all(pin_dir, req->keep_maps, res);
	if (failures)
		return err_fail("unload left %d program%s attached (see above)", failures,
				failures == 1 ? "" : "s");
	return orc;
}
