// SPDX-License-Identifier: GPL-2.0
/* The undo list of load: each change is recorded as it is made, and a
 * later failure rolls them all back, newest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "base/err.h"
#include "loader/loader_int.h"

struct undo *undo_push(struct undo_list *l, enum undo_kind kind)
{
	struct undo *u;

	if (l->n >= MAX_UNDO)
		return NULL;
	u = &l->u[l->n++];
	memset(u, 0, sizeof(*u));
	u->kind = kind;
	u->fd = -1;
	return u;
}

void undo_path(struct undo_list *l, enum undo_kind kind, const char *path)
{
	struct undo *u = undo_push(l, kind);

	if (u)
		u->path = strdup(path);
}

void undo_iface(struct undo_list *l, enum undo_kind kind, int ifindex,
		__u32 id, __u32 id2, enum xdp_attach_mode mode)
{
	struct undo *u = undo_push(l, kind);

	if (u) {
		u->ifindex = ifindex;
		u->id = id;
		u->id2 = id2;
		u->mode = mode;
	}
}

static void undo_one(struct undo *u)
{
	int fd;

	switch (u->kind) {
	case UNDO_UNLINK:
		if (u->path)
			unlink(u->path);
		break;
	case UNDO_RMDIR:
		if (u->path)
			rmdir(u->path);
		break;
	case UNDO_XDP_DETACH:
		xdp_detach_id(u->ifindex, u->id, u->mode);
		break;
	case UNDO_XDP_REATTACH:
		if (xdp_attach_id(u->ifindex, u->id, u->mode))
			err_warn("could not put back XDP program %u on ifindex %d",
				 u->id, u->ifindex);
		break;
	case UNDO_XDP_SWAP:
		if (xdp_swap_ids(u->ifindex, u->id2, u->id, u->mode))
			err_warn("could not put back XDP program %u on ifindex %d",
				 u->id2, u->ifindex);
		break;
	case UNDO_TC_RESTORE:
		if (u->id)
			tc_attach_id(u->ifindex, u->id);
		else
			tc_detach_ours(u->ifindex);
		break;
	case UNDO_TC_HOOK:
		tc_clsact_destroy(u->ifindex);
		break;
	case UNDO_OUTER_DELETE:
		bpf_map_delete_elem(u->fd, &u->key);
		break;
	case UNDO_OUTER_RESTORE:
		fd = bpf_map_get_fd_by_id(u->id);
		if (fd >= 0) {
			bpf_map_update_elem(u->fd, &u->key, &fd, BPF_ANY);
			close(fd);
		}
		break;
	case UNDO_TC_SLOT:
		if (u->id)
			tc_attach_obj_id(u->ifindex, u->fd == 1, u->key, u->id);
		else
			tc_obj_slot_detach(u->ifindex, u->fd == 1, u->key);
		break;
	case UNDO_RENAME:
		if (u->path && u->path2 && rename(u->path, u->path2) < 0)
			err_warn("could not move %s back to %s", u->path, u->path2);
		break;
	case UNDO_RMTREE:
		if (u->path)
			rm_pin_tree(u->path);
		break;
	}
}


void undo_run(struct undo_list *l)
{
	while (l->n > 0) {
		struct undo *u = &l->u[--l->n];

		undo_one(u);
		free(u->path);
		free(u->path2);
	}
}

void undo_forget(struct undo_list *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->u[i].path);
		free(l->u[i].path2);
	}
	l->n = 0;
}
