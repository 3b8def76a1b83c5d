// SPDX-License-Identifier: GPL-2.0
/* XDP: what runs on an interface, and putting programs on and off it by
 * id, through libxdp or (without a dispatcher) by an atomic swap. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>

#include "loader/loader_int.h"

const char *mode_str(enum xdp_attach_mode m)
{
	switch (m) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "skb";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "unknown";
	}
}

const char *xdp_err(int err, char *buf, size_t size)
{
	if (libxdp_strerror(err, buf, size) < 0 || !*buf)
		snprintf(buf, size, "%s", strerror(err < 0 ? -err : err));
	return buf;
}

int xdp_inspect(int ifindex, const struct ours *o, struct xdp_view *v)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	long err;

	memset(v, 0, sizeof(*v));
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (err || !mp) {
		if (!err || err == -ENOENT)
			return 0;
		return (int)err;
	}
	v->mode = xdp_multiprog__attach_mode(mp);
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p && xdp_program__id(p)) {
			v->present = true;
			v->id[0] = xdp_program__id(p);
			v->prio[0] = xdp_program__run_prio(p);
			v->nprogs = 1;
		}
	} else {
		v->present = true;
		v->dispatcher = true;
		for (p = xdp_multiprog__next_prog(NULL, mp);
		     p && v->nprogs < MAX_XDP_PROGS;
		     p = xdp_multiprog__next_prog(p, mp)) {
			v->id[v->nprogs] = xdp_program__id(p);
			v->prio[v->nprogs] = xdp_program__run_prio(p);
			v->nprogs++;
		}
	}
	xdp_multiprog__close(mp);
	for (int i = 0; i < v->nprogs; i++) {
		v->ours[i] = xdp_is_ours(v->id[i], o, v->name[i]);
		if (v->ours[i])
			v->nours++;
		else
			v->nforeign++;
	}
	return 0;
}

/* Attach or detach the loaded program id through libxdp. */
static int xdp_by_id(int ifindex, __u32 id, enum xdp_attach_mode mode,
		     bool attach)
{
	struct xdp_program *p = xdp_program__from_id(id);
	long err = libxdp_get_error(p);

	if (err || !p)
		return err ? (int)err : -ENOENT;
	if (attach)
		err = xdp_program__attach(p, ifindex, mode, 0);
	else
		err = xdp_program__detach(p, ifindex, mode, 0);
	xdp_program__close(p);
	return (int)err;
}

int xdp_detach_id(int ifindex, __u32 id, enum xdp_attach_mode mode)
{
	return xdp_by_id(ifindex, id, mode, false);
}

int xdp_attach_id(int ifindex, __u32 id, enum xdp_attach_mode mode)
{
	return xdp_by_id(ifindex, id, mode, true);
}

/* An XDP program attached without a dispatcher, replaced atomically by
 * another one (XDP_FLAGS_REPLACE): the interface never runs without one. */
int xdp_swap(int ifindex, int new_fd, __u32 old_id, enum xdp_attach_mode mode)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	__u32 flags = XDP_FLAGS_REPLACE;
	int old_fd, err;

	old_fd = bpf_prog_get_fd_by_id(old_id);
	if (old_fd < 0)
		return -errno;
	if (mode == XDP_MODE_SKB)
		flags |= XDP_FLAGS_SKB_MODE;
	else if (mode == XDP_MODE_NATIVE)
		flags |= XDP_FLAGS_DRV_MODE;
	ao.old_prog_fd = old_fd;
	err = bpf_xdp_attach(ifindex, new_fd, flags, &ao);
	close(old_fd);
	return err;
}

int xdp_swap_ids(int ifindex, __u32 new_id, __u32 old_id,
		 enum xdp_attach_mode mode)
{
	int fd = bpf_prog_get_fd_by_id(new_id), err;

	if (fd < 0)
		return -errno;
	err = xdp_swap(ifindex, fd, old_id, mode);
	close(fd);
	return err;
}
