// SPDX-License-Identifier: GPL-2.0
/* tc: mapsh's filter on clsact ingress (handle/priority MAPSH_TC_*), and
 * the clsact qdisc it hangs off. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>

#include "loader/loader_int.h"

static void tc_hook_init(struct bpf_tc_hook *h, int ifindex,
			 enum bpf_tc_attach_point where)
{
	memset(h, 0, sizeof(*h));
	h->sz = sizeof(*h);
	h->ifindex = ifindex;
	h->attach_point = where;
}

static void tc_opts_init(struct bpf_tc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->handle = MAPSH_TC_HANDLE;
	o->priority = MAPSH_TC_PRIO;
}

__u32 tc_slot_id(int ifindex)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	tc_hook_init(&h, ifindex, BPF_TC_INGRESS);
	tc_opts_init(&o);
	if (bpf_tc_query(&h, &o))
		return 0;
	return o.prog_id;
}

int tc_detach_ours(int ifindex)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	tc_hook_init(&h, ifindex, BPF_TC_INGRESS);
	tc_opts_init(&o);
	return bpf_tc_detach(&h, &o);
}

int tc_attach_fd(int ifindex, int prog_fd)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	tc_hook_init(&h, ifindex, BPF_TC_INGRESS);
	tc_opts_init(&o);
	o.prog_fd = prog_fd;
	o.flags = BPF_TC_F_REPLACE;
	return bpf_tc_attach(&h, &o);
}

int tc_attach_id(int ifindex, __u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id), err;

	if (fd < 0)
		return -errno;
	err = tc_attach_fd(ifindex, fd);
	close(fd);
	return err;
}

int tc_clsact_create(int ifindex)
{
	struct bpf_tc_hook h;

	tc_hook_init(&h, ifindex, BPF_TC_INGRESS);
	return bpf_tc_hook_create(&h);
}

void tc_clsact_destroy(int ifindex)
{
	struct bpf_tc_hook h;

	tc_hook_init(&h, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
	bpf_tc_hook_destroy(&h);
}

/* Filters under one clsact parent (netlink dump); -errno when unknown. */
static int tc_count_filters(int ifindex, __u32 parent)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[16384];
	int fd, count = 0, err = 0;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.nh.nlmsg_type = RTM_GETTFILTER;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.t.tcm_family = AF_UNSPEC;
	req.t.tcm_ifindex = ifindex;
	req.t.tcm_parent = parent;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned int)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error ? e->error : -EPROTO;
				goto out;
			}
			if (nh->nlmsg_type == RTM_NEWTFILTER)
				count++;
		}
	}
out:
	close(fd);
	return err ? err : count;
}

/* After mapsh's filter is gone: drop the clsact qdisc when nothing else
 * hangs off it (an empty clsact does nothing but clutter `tc qdisc`). */
void tc_cleanup_clsact(int ifindex)
{
	int in, eg;

	in = tc_count_filters(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
	eg = tc_count_filters(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS));
	if (in != 0 || eg != 0)
		return;
	tc_clsact_destroy(ifindex);
}

/* ---- the slots of loaded objects' filters (loader/object.c) ---- */

static void tc_slot_init(struct bpf_tc_hook *h, struct bpf_tc_opts *o,
			 int ifindex, bool egress, __u32 prio)
{
	tc_hook_init(h, ifindex, egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->handle = MAPSH_OBJ_TC_HANDLE;
	o->priority = prio;
}

__u32 tc_obj_slot_id(int ifindex, bool egress, __u32 prio)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	tc_slot_init(&h, &o, ifindex, egress, prio);
	if (bpf_tc_query(&h, &o))
		return 0;
	return o.prog_id;
}

int tc_obj_slot_attach(int ifindex, bool egress, __u32 prio, int prog_fd)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	tc_slot_init(&h, &o, ifindex, egress, prio);
	o.prog_fd = prog_fd;
	o.flags = BPF_TC_F_REPLACE;
	return bpf_tc_attach(&h, &o);
}

int tc_obj_slot_detach(int ifindex, bool egress, __u32 prio)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	tc_slot_init(&h, &o, ifindex, egress, prio);
	return bpf_tc_detach(&h, &o);
}

int tc_attach_obj_id(int ifindex, bool egress, __u32 prio, __u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id), err;

	if (fd < 0)
		return -errno;
	err = tc_obj_slot_attach(ifindex, egress, prio, fd);
	close(fd);
	return err;
}
