// SPDX-License-Identifier: GPL-2.0
/* Loading, attaching, detaching and inspecting the bundled programs: see
 * loader.h for the model. Every command validates all of its input before it
 * changes anything; load records each change in an undo list and rolls the
 * list back when a later step fails. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <net/if.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "bpffs.h"
#include "bundle.h"
#include "ctx.h"
#include "err.h"
#include "loader.h"
#include "mapsh.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define CONFIG_MAP "config"
#define POLICY_MAP "policy_routes"
#define OUTER_MAP "iface_blocklist"
#define MAX_XDP_PROGS 16
#define MAX_UNDO 512

/* ---- logging ---- */

static bool log_debug;
static bool log_set;

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (!log_debug)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int print_libxdp(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	if (!log_debug)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

bool loader_logging_set(void)
{
	return log_set;
}

void loader_set_logging(bool debug)
{
	log_set = true;
	log_debug = debug;
	libbpf_set_print(print_libbpf);
	libxdp_set_print(print_libxdp);
}

/* ---- privileges, interfaces ---- */

int loader_check_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	unsigned long long eff;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0) {
		if (geteuid() == 0)
			return EXIT_OK;
		return err_fail("this needs root (CAP_BPF and CAP_NET_ADMIN)");
	}
	eff = data[0].effective | (unsigned long long)data[1].effective << 32;
	if (!(eff & (1ULL << CAP_NET_ADMIN)) ||
	    !(eff & ((1ULL << CAP_BPF) | (1ULL << CAP_SYS_ADMIN))))
		return err_fail("this needs root (CAP_BPF and CAP_NET_ADMIN)");
	return EXIT_OK;
}

int loader_resolve_ifaces(const char *const *names, int n, int *ifindex,
			  char (*ifname)[IF_NAMESIZE], int *nout)
{
	*nout = 0;
	for (int i = 0; i < n; i++) {
		unsigned int idx = 0;
		bool dup = false;

		if (strlen(names[i]) < IF_NAMESIZE)
			idx = if_nametoindex(names[i]);
		if (!idx)
			return err_fail("no such interface '%s'", names[i]);
		for (int j = 0; j < *nout; j++)
			if (ifindex[j] == (int)idx)
				dup = true;
		if (dup)
			continue;
		if (*nout >= LOADER_MAX_IFACES)
			return err_usage("too many interfaces (at most %d)",
					 LOADER_MAX_IFACES);
		ifindex[*nout] = (int)idx;
		snprintf(ifname[*nout], IF_NAMESIZE, "%s", names[i]);
		(*nout)++;
	}
	return EXIT_OK;
}

static const char *mode_str(enum xdp_attach_mode m)
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

static const char *map_type_name(__u32 t)
{
	const char *s = libbpf_bpf_map_type_str((enum bpf_map_type)t);

	return s ? s : "unknown";
}

/* ---- what is ours ---- */

/* Identities read from the pins: programs on interfaces are matched
 * against them, never by name alone. */
struct ours {
	__u32 config_map_id;		/* PIN_DIR/config */
	__u32 policy_map_id;		/* PIN_DIR/policy_routes */
	__u32 prog_id[2];		/* PIN_DIR/progs/{flowtrack,policy} */
};

static __u32 pinned_id(const char *path, bool prog)
{
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	__u32 len;
	int fd, err;
	__u32 id = 0;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (prog) {
		memset(&pi, 0, sizeof(pi));
		len = sizeof(pi);
		err = bpf_obj_get_info_by_fd(fd, &pi, &len);
		if (!err)
			id = pi.id;
	} else {
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		err = bpf_obj_get_info_by_fd(fd, &mi, &len);
		if (!err)
			id = mi.id;
	}
	close(fd);
	return id;
}

static void ours_read(const char *pin_dir, struct ours *o)
{
	char path[PATH_MAX];

	memset(o, 0, sizeof(*o));
	if (!pin_map_path(path, sizeof(path), pin_dir, CONFIG_MAP))
		o->config_map_id = pinned_id(path, false);
	if (!pin_map_path(path, sizeof(path), pin_dir, POLICY_MAP))
		o->policy_map_id = pinned_id(path, false);
	for (int i = 0; i < 2; i++)
		if (!pin_prog_path(path, sizeof(path), pin_dir,
				   bundle_objs[i].prog_name))
			o->prog_id[i] = pinned_id(path, true);
}

/* Name of a program and whether it uses map_id. */
static int prog_facts(__u32 id, char name[16], __u32 map_id, bool *uses_map)
{
	__u32 map_ids[64];
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd, err;

	*uses_map = false;
	name[0] = '\0';
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)map_ids;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return -errno;
	snprintf(name, 16, "%s", info.name);
	for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
		if (map_id && map_ids[i] == map_id)
			*uses_map = true;
	return 0;
}

static bool xdp_is_ours(__u32 id, const struct ours *o, char name[16])
{
	bool uses;

	if (prog_facts(id, name, o->config_map_id, &uses))
		return false;
	if (strcmp(name, bundle_objs[BUNDLE_FLOWTRACK].prog_name))
		return false;
	return id == o->prog_id[BUNDLE_FLOWTRACK] || uses;
}

/* ---- XDP: what runs on an interface ---- */

struct xdp_view {
	bool present;		/* some XDP program is attached */
	bool dispatcher;	/* through libxdp's multiprog dispatcher */
	enum xdp_attach_mode mode;
	int nprogs;
	__u32 id[MAX_XDP_PROGS];
	char name[MAX_XDP_PROGS][16];
	unsigned int prio[MAX_XDP_PROGS];
	bool ours[MAX_XDP_PROGS];
	int nours, nforeign;
};

static int xdp_inspect(int ifindex, const struct ours *o, struct xdp_view *v)
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

static int xdp_detach_id(int ifindex, __u32 id, enum xdp_attach_mode mode)
{
	struct xdp_program *p = xdp_program__from_id(id);
	long err = libxdp_get_error(p);

	if (err || !p)
		return err ? (int)err : -ENOENT;
	err = xdp_program__detach(p, ifindex, mode, 0);
	xdp_program__close(p);
	return (int)err;
}

static int xdp_attach_id(int ifindex, __u32 id, enum xdp_attach_mode mode)
{
	struct xdp_program *p = xdp_program__from_id(id);
	long err = libxdp_get_error(p);

	if (err || !p)
		return err ? (int)err : -ENOENT;
	err = xdp_program__attach(p, ifindex, mode, 0);
	xdp_program__close(p);
	return (int)err;
}

/* An XDP program attached without a dispatcher, replaced atomically by
 * another one (XDP_FLAGS_REPLACE): the interface never runs without one. */
static int xdp_swap(int ifindex, int new_fd, __u32 old_id,
		    enum xdp_attach_mode mode)
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

static int xdp_swap_ids(int ifindex, __u32 new_id, __u32 old_id,
			enum xdp_attach_mode mode)
{
	int fd = bpf_prog_get_fd_by_id(new_id), err;

	if (fd < 0)
		return -errno;
	err = xdp_swap(ifindex, fd, old_id, mode);
	close(fd);
	return err;
}

/* ---- tc ---- */

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

/* Program id in mapsh's tc slot on ingress, 0 when none. */
static __u32 tc_slot_id(int ifindex)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	tc_hook_init(&h, ifindex, BPF_TC_INGRESS);
	tc_opts_init(&o);
	if (bpf_tc_query(&h, &o))
		return 0;
	return o.prog_id;
}

/* mapsh's policy program of this pin dir (pinned, or using its maps). */
static bool tc_is_ours(__u32 id, const struct ours *o, char name[16])
{
	bool uses;

	if (!id || prog_facts(id, name, o->policy_map_id, &uses))
		return false;
	if (strcmp(name, bundle_objs[BUNDLE_POLICY].prog_name))
		return false;
	return id == o->prog_id[BUNDLE_POLICY] || uses;
}

static int tc_detach_ours(int ifindex)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	tc_hook_init(&h, ifindex, BPF_TC_INGRESS);
	tc_opts_init(&o);
	return bpf_tc_detach(&h, &o);
}

static int tc_attach_fd(int ifindex, int prog_fd)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	tc_hook_init(&h, ifindex, BPF_TC_INGRESS);
	tc_opts_init(&o);
	o.prog_fd = prog_fd;
	o.flags = BPF_TC_F_REPLACE;
	return bpf_tc_attach(&h, &o);
}

static int tc_attach_id(int ifindex, __u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id), err;

	if (fd < 0)
		return -errno;
	err = tc_attach_fd(ifindex, fd);
	close(fd);
	return err;
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
static void tc_cleanup_clsact(int ifindex)
{
	struct bpf_tc_hook h;
	int in, eg;

	in = tc_count_filters(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
	eg = tc_count_filters(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS));
	if (in != 0 || eg != 0)
		return;
	tc_hook_init(&h, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
	bpf_tc_hook_destroy(&h);
}

/* ---- undo list ---- */

enum undo_kind {
	UNDO_UNLINK,		/* path */
	UNDO_RMDIR,		/* path */
	UNDO_XDP_DETACH,	/* ifindex, id, mode */
	UNDO_XDP_REATTACH,	/* ifindex, id, mode */
	UNDO_XDP_SWAP,		/* ifindex: put id2 back in place of id */
	UNDO_TC_RESTORE,	/* ifindex, id (0: detach ours) */
	UNDO_TC_HOOK,		/* ifindex: destroy the clsact we created */
	UNDO_OUTER_DELETE,	/* fd (borrowed), key */
	UNDO_OUTER_RESTORE,	/* fd (borrowed), key, id of the previous inner map */
};

struct undo {
	enum undo_kind kind;
	char *path;
	int ifindex;
	__u32 id, id2;
	enum xdp_attach_mode mode;
	int fd;
	__u32 key;
};

struct undo_list {
	struct undo u[MAX_UNDO];
	int n;
};

static struct undo *undo_push(struct undo_list *l, enum undo_kind kind)
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

static void undo_path(struct undo_list *l, enum undo_kind kind, const char *path)
{
	struct undo *u = undo_push(l, kind);

	if (u)
		u->path = strdup(path);
}

static void undo_run(struct undo_list *l)
{
	while (l->n > 0) {
		struct undo *u = &l->u[--l->n];
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
		case UNDO_TC_HOOK: {
			struct bpf_tc_hook h;

			tc_hook_init(&h, u->ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
			bpf_tc_hook_destroy(&h);
			break;
		}
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
		}
		free(u->path);
	}
}

static void undo_forget(struct undo_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->u[i].path);
	l->n = 0;
}

/* ---- pinned maps against the objects ---- */

struct map_shape {
	__u32 type, key_size, value_size, max_entries, map_flags;
};

static void shape_of_map(const struct bpf_map *m, struct map_shape *s)
{
	s->type = bpf_map__type(m);
	s->key_size = bpf_map__key_size(m);
	s->value_size = bpf_map__value_size(m);
	s->max_entries = bpf_map__max_entries(m);
	s->map_flags = bpf_map__map_flags(m);
}

/* A pin may hold a program or a link too: the fd's anon inode says which. */
static bool fd_is_map(int fd)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return true;	/* no /proc: let the info call decide */
	target[n] = '\0';
	return strstr(target, "bpf-map") != NULL;
}

/* EXIT_OK when the map pinned at path has the shape want; else one line
 * naming what differs. */
static int check_pinned_shape(const char *what, const char *path,
			      const struct map_shape *want)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char diff[512] = "";
	size_t off = 0;
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return err_fail("cannot open pinned %s (%s): %s", what, path,
				strerror(errno));
	memset(&info, 0, sizeof(info));
	err = !fd_is_map(fd) || bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return err_fail("%s exists but is not a BPF map; remove it or run 'mapsh unload' first",
				path);
#define DIFF(fmt, ...) \
	off += snprintf(diff + off, off < sizeof(diff) ? sizeof(diff) - off : 0, \
			"%s" fmt, off ? ", " : "", __VA_ARGS__)
	if (info.type != want->type)
		DIFF("type %s pinned, %s expected", map_type_name(info.type),
		     map_type_name(want->type));
	if (info.key_size != want->key_size)
		DIFF("key_size %u pinned, %u expected", info.key_size, want->key_size);
	if (info.value_size != want->value_size)
		DIFF("value_size %u pinned, %u expected", info.value_size,
		     want->value_size);
	if (info.max_entries != want->max_entries)
		DIFF("max_entries %u pinned, %u expected", info.max_entries,
		     want->max_entries);
	if (info.map_flags != want->map_flags)
		DIFF("map_flags 0x%x pinned, 0x%x expected", info.map_flags,
		     want->map_flags);
#undef DIFF
	if (off)
		return err_fail("pinned %s (%s) does not match: %s; run 'mapsh unload' first",
				what, path, diff);
	return EXIT_OK;
}

/* ---- load ---- */

struct target {
	int ifindex;
	char name[IF_NAMESIZE];
	bool requested;
	struct xdp_view xv;
	__u32 tc_old;			/* mapsh's previous tc program, 0 none */
	enum loader_mode mode;		/* how to attach */
	bool detach_old_first;		/* old ours must go before the new */
	bool swap;			/* old ours runs alone: replace it atomically */
	enum xdp_attach_mode used;	/* mode the new program got */
};

struct objs {
	struct bpf_object *obj[2];
	void *skel[2];
	/* maps that had no pin before this command */
	char *new_pin[64];
	int nnew;
	int npinned, nreused;
	bool config_new;
};

static void objs_close(struct objs *o)
{
	for (int i = 0; i < 2; i++)
		if (o->skel[i])
			bundle_objs[i].close(o->skel[i]);
	for (int i = 0; i < o->nnew; i++)
		free(o->new_pin[i]);
	memset(o, 0, sizeof(*o));
}

/* Open both objects, give every non-internal map its pin path and check
 * the pins that exist. Changes nothing. */
static int objs_open(const char *pin_dir, struct objs *o)
{
	char path[PATH_MAX], what[128];
	struct bpf_map *m;
	int rc;

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < 2; i++) {
		o->obj[i] = bundle_objs[i].open(NULL, &o->skel[i]);
		if (!o->obj[i])
			return err_fail("cannot open the bundled object %s: %s",
					bundle_objs[i].name, strerror(errno));
	}
	for (int i = 0; i < 2; i++) {
		bpf_object__for_each_map(m, o->obj[i]) {
			struct map_shape want;

			if (bpf_map__is_internal(m))
				continue;
			if (pin_map_path(path, sizeof(path), pin_dir, bpf_map__name(m)))
				return err_fail("pin path too long: %s/%s", pin_dir,
						bpf_map__name(m));
			if (bpf_map__set_pin_path(m, path))
				return err_fail("cannot set the pin path of %s",
						bpf_map__name(m));
			o->npinned++;
			if (!path_exists(path)) {
				if (o->nnew < 64)
					o->new_pin[o->nnew++] = strdup(path);
				if (!strcmp(bpf_map__name(m), CONFIG_MAP))
					o->config_new = true;
				continue;
			}
			shape_of_map(m, &want);
			snprintf(what, sizeof(what), "map %s", bpf_map__name(m));
			rc = check_pinned_shape(what, path, &want);
			if (rc)
				return rc;
			o->nreused++;
		}
	}
	return EXIT_OK;
}

/* After an object is loaded: the pins it created belong to this command. */
static void register_new_pins(struct objs *o, struct bpf_object *obj,
			      struct undo_list *ul)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		const char *p = bpf_map__pin_path(m);

		if (!p)
			continue;
		for (int i = 0; i < o->nnew; i++)
			if (o->new_pin[i] && !strcmp(o->new_pin[i], p) && path_exists(p))
				undo_path(ul, UNDO_UNLINK, p);
	}
}

/* Every interface of this netns where mapsh (of this pin dir) runs. */
static int scan_attached(const struct ours *o, struct target *tg, int *ntg)
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

static enum xdp_attach_mode want_mode(enum loader_mode m)
{
	return m == LOADER_MODE_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
}

/* Decide how to attach on one interface; refuse what cannot work. */
static int plan_target(struct target *t, const struct ours *o,
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

/* The per-interface inner map of iface_blocklist: reuse the pinned one or
 * create one like the template, pin it and install it under ifindex. */
static int inner_ensure(const char *pin_dir, struct bpf_object *obj,
			const struct target *t, struct undo_list *ul,
			bool *created)
{
	struct bpf_map *outer = bpf_object__find_map_by_name(obj, OUTER_MAP);
	char path[PATH_MAX], name[BPF_OBJ_NAME_LEN];
	__u32 key = (__u32)t->ifindex, old_id = 0;
	const struct bundle_map *bm;
	int fd, outer_fd, old_fd, err;
	struct map_shape sh;
	struct undo *u;

	*created = false;
	bm = inner_template(&sh);
	if (!outer || !bm)
		return 0;	/* the object has no per-interface blocklist */
	outer_fd = bpf_map__fd(outer);
	if (pin_inner_path(path, sizeof(path), pin_dir, OUTER_MAP, t->name))
		return err_fail("pin path too long for %s", t->name);
	if (path_exists(path)) {
		fd = bpf_obj_get(path);
		if (fd < 0)
			return err_fail("cannot open %s: %s", path, strerror(errno));
	} else {
		LIBBPF_OPTS(bpf_map_create_opts, mo);
		int btf_fd = bpf_object__btf_fd(obj);

		mo.map_flags = sh.map_flags;
		/* typed like the template, so dumps show fw_rule/fw_verdict */
		if (btf_fd >= 0 && bm->inner_btf_key_type_id &&
		    bm->inner_btf_value_type_id) {
			mo.btf_fd = (__u32)btf_fd;
			mo.btf_key_type_id = bm->inner_btf_key_type_id;
			mo.btf_value_type_id = bm->inner_btf_value_type_id;
		}
		sanitize_name(name, sizeof(name), "ibl_", t->name);
		fd = bpf_map_create((enum bpf_map_type)sh.type, name, sh.key_size,
				    sh.value_size, sh.max_entries, &mo);
		if (fd < 0 && mo.btf_fd) {
			/* without types, should the kernel refuse them */
			mo.btf_fd = mo.btf_key_type_id = mo.btf_value_type_id = 0;
			fd = bpf_map_create((enum bpf_map_type)sh.type, name,
					    sh.key_size, sh.value_size,
					    sh.max_entries, &mo);
		}
		if (fd < 0)
			return err_fail("cannot create the %s map of %s: %s", OUTER_MAP,
					t->name, strerror(errno));
		if (bpf_obj_pin(fd, path)) {
			err = errno;
			close(fd);
			return err_fail("cannot pin %s: %s", path, strerror(err));
		}
		undo_path(ul, UNDO_UNLINK, path);
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
				t->name, strerror(err));
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

static int check_inner_pin(const char *pin_dir, const char *ifname)
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

static int pin_prog_tmp(struct bpf_program *p, const char *pin_dir,
			char *tmp, char *final, struct undo_list *ul)
{
	char name[64];
	int fd = bpf_program__fd(p);

	/* bpffs refuses dots in names */
	snprintf(name, sizeof(name), "%s__new", bpf_program__name(p));
	if (pin_prog_path(tmp, PATH_MAX, pin_dir, name) ||
	    pin_prog_path(final, PATH_MAX, pin_dir, bpf_program__name(p)))
		return err_fail("pin path too long in %s", pin_dir);
	if (fd < 0)
		return err_fail("program %s is not loaded", bpf_program__name(p));
	unlink(tmp);	/* a leftover of an interrupted load */
	if (bpf_obj_pin(fd, tmp))
		return err_fail("cannot pin program %s at %s: %s",
				bpf_program__name(p), tmp, strerror(errno));
	undo_path(ul, UNDO_UNLINK, tmp);
	return EXIT_OK;
}

static const char *xdp_err(int err, char *buf, size_t size)
{
	if (libxdp_strerror(err, buf, size) < 0 || !*buf)
		snprintf(buf, size, "%s", strerror(err < 0 ? -err : err));
	return buf;
}

int loader_load(const struct loader_load_req *req, struct loader_load_result *res)
{
	static struct undo_list ul;	/* large: not on the stack */
	struct target tg[LOADER_MAX_IFACES];
	int idx[LOADER_MAX_IFACES];
	char names[LOADER_MAX_IFACES][IF_NAMESIZE];
	char tmp[2][PATH_MAX], final[2][PATH_MAX];
	char *dirs[8] = { 0 };
	int ndirs = 0, ntg = 0, nreq = 0, rc;
	struct xdp_program *xp = NULL;
	struct bpf_program *prog[2];
	bool flow_registered = false, need_plain;
	const char *pin_dir = req->pin_dir;
	struct ours o;
	struct objs ob;
	char ebuf[128];

	memset(res, 0, sizeof(*res));
	memset(&ob, 0, sizeof(ob));
	ul.n = 0;

	/* ---- validate: nothing changes until every check passed ---- */
	rc = loader_check_caps();
	if (rc)
		return rc;
	rc = loader_resolve_ifaces(req->ifaces, req->nifaces, idx, names, &nreq);
	if (rc)
		return rc;
	rc = bpffs_ensure_default();
	if (rc)
		return rc;
	rc = bpffs_check_dir(pin_dir);
	if (rc)
		return rc;
	rc = objs_open(pin_dir, &ob);
	if (rc)
		goto out;
	for (int i = 0; i < 2; i++) {
		prog[i] = bpf_object__find_program_by_name(ob.obj[i],
							   bundle_objs[i].prog_name);
		if (!prog[i]) {
			rc = err_fail("the bundled object %s has no program %s",
				      bundle_objs[i].name, bundle_objs[i].prog_name);
			goto out;
		}
	}
	ours_read(pin_dir, &o);
	for (int i = 0; i < nreq; i++) {
		memset(&tg[ntg], 0, sizeof(tg[ntg]));
		tg[ntg].ifindex = idx[i];
		tg[ntg].requested = true;
		memcpy(tg[ntg].name, names[i], IF_NAMESIZE);
		ntg++;
	}
	/* interfaces already running mapsh move to the new programs too */
	if (o.config_map_id || o.policy_map_id || o.prog_id[0] || o.prog_id[1])
		scan_attached(&o, tg, &ntg);
	for (int i = 0; i < ntg; i++) {
		rc = plan_target(&tg[i], &o, req->mode);
		if (rc)
			goto out;
		rc = check_inner_pin(pin_dir, tg[i].name);
		if (rc)
			goto out;
	}

	/* ---- change ---- */
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
		undo_path(&ul, UNDO_RMDIR, dirs[i]);
		free(dirs[i]);
	}
	if (rc) {
		rc = err_fail("cannot create %s: %s", pin_dir, strerror(-rc ? -rc : EIO));
		goto fail;
	}

	rc = bpf_object__load(ob.obj[BUNDLE_POLICY]);
	register_new_pins(&ob, ob.obj[BUNDLE_POLICY], &ul);
	if (rc) {
		rc = err_fail("cannot load %s: %s%s", bundle_objs[BUNDLE_POLICY].name,
			      strerror(-rc), log_debug ? "" : " (see -d for libbpf's log)");
		goto fail;
	}

	/* flowtrack is loaded here as a plain XDP program when it attaches
	 * nowhere or must swap in for an earlier instance that runs without a
	 * dispatcher; otherwise libxdp loads it (as a dispatcher extension, or
	 * plain when the kernel cannot do that). */
	need_plain = ntg == 0;
	for (int i = 0; i < ntg; i++)
		need_plain |= tg[i].swap;
	if (need_plain) {
		rc = bpf_object__load(ob.obj[BUNDLE_FLOWTRACK]);
		register_new_pins(&ob, ob.obj[BUNDLE_FLOWTRACK], &ul);
		flow_registered = true;
		if (rc) {
			rc = err_fail("cannot load %s: %s%s",
				      bundle_objs[BUNDLE_FLOWTRACK].name, strerror(-rc),
				      log_debug ? "" : " (see -d for libbpf's log)");
			goto fail;
		}
	}
	if (ntg > 0) {
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xo);

		if (need_plain) {
			xo.fd = bpf_program__fd(prog[BUNDLE_FLOWTRACK]);
		} else {
			xo.obj = ob.obj[BUNDLE_FLOWTRACK];
			xo.prog_name = bundle_objs[BUNDLE_FLOWTRACK].prog_name;
		}
		xp = xdp_program__create(&xo);
		if (libxdp_get_error(xp) || !xp) {
			rc = err_fail("cannot prepare %s for libxdp: %s",
				      bundle_objs[BUNDLE_FLOWTRACK].name,
				      strerror(errno ? errno : EINVAL));
			xp = NULL;
			goto fail;
		}
	}

	for (int i = 0; i < ntg; i++) {
		struct target *t = &tg[i];
		struct undo *u;
		bool hook_created = false;
		struct bpf_tc_hook h;
		int err;

		if (t->detach_old_first) {
			for (int j = 0; j < t->xv.nprogs; j++) {
				if (!t->xv.ours[j])
					continue;
				err = xdp_detach_id(t->ifindex, t->xv.id[j], t->xv.mode);
				if (err) {
					rc = err_fail("%s: cannot detach the previous XDP program %u: %s",
						      t->name, t->xv.id[j],
						      xdp_err(err, ebuf, sizeof(ebuf)));
					goto fail;
				}
				u = undo_push(&ul, UNDO_XDP_REATTACH);
				if (u) {
					u->ifindex = t->ifindex;
					u->id = t->xv.id[j];
					u->mode = t->xv.mode;
				}
			}
		}
		if (t->swap) {
			err = xdp_swap(t->ifindex, bpf_program__fd(prog[BUNDLE_FLOWTRACK]),
				       t->xv.id[0], t->xv.mode);
			if (err) {
				rc = err_fail("%s: cannot replace XDP program %u with the new %s: %s",
					      t->name, t->xv.id[0],
					      bundle_objs[BUNDLE_FLOWTRACK].name, strerror(-err));
				goto fail;
			}
			t->used = t->xv.mode;
			u = undo_push(&ul, UNDO_XDP_SWAP);
			if (u) {
				u->ifindex = t->ifindex;
				u->id = xdp_program__id(xp);
				u->id2 = t->xv.id[0];
				u->mode = t->xv.mode;
			}
			goto tc;
		}
		err = xdp_attach_new(xp, t);
		if (!flow_registered && bpf_program__fd(prog[BUNDLE_FLOWTRACK]) >= 0) {
			register_new_pins(&ob, ob.obj[BUNDLE_FLOWTRACK], &ul);
			flow_registered = true;
		}
		if (err) {
			rc = err_fail("%s: cannot attach %s (xdp %s): %s%s", t->name,
				      bundle_objs[BUNDLE_FLOWTRACK].name,
				      t->mode == LOADER_MODE_AUTO ? "native or skb"
								  : mode_str(t->used),
				      xdp_err(err, ebuf, sizeof(ebuf)),
				      log_debug ? "" : " (see -d for libxdp's log)");
			goto fail;
		}
		u = undo_push(&ul, UNDO_XDP_DETACH);
		if (u) {
			u->ifindex = t->ifindex;
			u->id = xdp_program__id(xp);
			u->mode = t->used;
		}

tc:
		tc_hook_init(&h, t->ifindex, BPF_TC_INGRESS);
		err = bpf_tc_hook_create(&h);
		if (!err)
			hook_created = true;
		else if (err != -EEXIST) {
			rc = err_fail("%s: cannot create the clsact qdisc: %s", t->name,
				      strerror(-err));
			goto fail;
		}
		if (hook_created) {
			u = undo_push(&ul, UNDO_TC_HOOK);
			if (u)
				u->ifindex = t->ifindex;
		}
		err = tc_attach_fd(t->ifindex, bpf_program__fd(prog[BUNDLE_POLICY]));
		if (err) {
			rc = err_fail("%s: cannot attach %s (tc ingress): %s", t->name,
				      bundle_objs[BUNDLE_POLICY].name, strerror(-err));
			goto fail;
		}
		u = undo_push(&ul, UNDO_TC_RESTORE);
		if (u) {
			u->ifindex = t->ifindex;
			u->id = t->tc_old;
		}
	}
	if (bpf_program__fd(prog[BUNDLE_FLOWTRACK]) < 0) {
		rc = err_fail("%s was not loaded", bundle_objs[BUNDLE_FLOWTRACK].name);
		goto fail;
	}

	if (ob.config_new) {
		struct bpf_map *cm = bpf_object__find_map_by_name(ob.obj[BUNDLE_FLOWTRACK],
								  CONFIG_MAP);
		struct config cfg = { .enabled = 1, .event_mask = EVENT_NEW_FLOW | EVENT_DROP };
		__u32 zero = 0;

		if (cm && bpf_map_update_elem(bpf_map__fd(cm), &zero, &cfg, BPF_ANY)) {
			rc = err_fail("cannot write the defaults of %s: %s", CONFIG_MAP,
				      strerror(errno));
			goto fail;
		}
		res->config_defaults = cm != NULL;
	}

	for (int i = 0; i < ntg; i++) {
		bool created;

		rc = inner_ensure(pin_dir, ob.obj[BUNDLE_FLOWTRACK], &tg[i], &ul, &created);
		if (rc)
			goto fail;
		res->ninner_created += created;
	}

	for (int i = 0; i < 2; i++) {
		rc = pin_prog_tmp(prog[i], pin_dir, tmp[i], final[i], &ul);
		if (rc)
			goto fail;
	}

	/* ---- commit: nothing below is undone ---- */
	undo_forget(&ul);
	for (int i = 0; i < ntg; i++) {
		struct target *t = &tg[i];

		if (t->detach_old_first || t->swap)
			continue;
		for (int j = 0; j < t->xv.nprogs; j++) {
			int err;

			if (!t->xv.ours[j] || t->xv.id[j] == xdp_program__id(xp))
				continue;
			err = xdp_detach_id(t->ifindex, t->xv.id[j], t->used);
			if (err)
				err_warn("%s: the previous XDP program %u is still attached: %s",
					 t->name, t->xv.id[j], xdp_err(err, ebuf, sizeof(ebuf)));
		}
	}
	for (int i = 0; i < 2; i++) {
		if (rename(tmp[i], final[i]) < 0) {
			err_warn("cannot move %s to %s: %s", tmp[i], final[i],
				 strerror(errno));
			unlink(final[i]);
			if (rename(tmp[i], final[i]) < 0)
				unlink(tmp[i]);
		}
	}

	res->maps_pinned = ob.npinned;
	res->maps_reused = ob.nreused;
	res->maps_created = ob.npinned - ob.nreused;
	for (int i = 0; i < 2; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(prog[i]), &info, &len))
			res->prog_id[i] = info.id;
	}
	for (int i = 0; i < ntg && i < LOADER_MAX_IFACES; i++) {
		snprintf(res->ifname[i], IF_NAMESIZE, "%s", tg[i].name);
		res->xdp_mode[i] = mode_str(tg[i].used);
		res->moved[i] = !tg[i].requested;
	}
	res->nifaces = ntg;
	rc = EXIT_OK;
	goto out;

fail:
	undo_run(&ul);
out:
	if (xp)
		xdp_program__close(xp);
	objs_close(&ob);
	return rc;
}

/* ---- unload ---- */

/* Remove every pin of mapsh in pin_dir; counts what went. */
static void unpin_all(const char *pin_dir, bool keep_maps,
		      struct loader_unload_result *res)
{
	char path[PATH_MAX];
	DIR *d;

	for (int i = 0; bundle_objs[i].name; i++)
		if (!pin_prog_path(path, sizeof(path), pin_dir, bundle_objs[i].prog_name))
			unlink(path);
	snprintf(path, sizeof(path), "%s/%s", pin_dir, PIN_PROGS_SUBDIR);
	rmdir(path);
	if (keep_maps)
		return;
	for (int i = 0; i < bundle_map_count(); i++) {
		const struct bundle_map *bm = bundle_map_at(i);

		if (!pin_map_path(path, sizeof(path), pin_dir, bm->name) &&
		    unlink(path) == 0)
			res->maps_unpinned++;
	}
	snprintf(path, sizeof(path), "%s/%s", pin_dir, PIN_INNER_SUBDIR);
	d = opendir(path);
	if (d) {
		struct dirent *e;
		char p[PATH_MAX + 256];

		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			if (unlink(p) == 0)
				res->inner_unpinned++;
		}
		closedir(d);
	}
	rmdir(path);
	if (rmdir(pin_dir) == 0)
		res->dir_removed = true;
}

static bool any_pins(const char *pin_dir)
{
	char path[PATH_MAX];

	for (int i = 0; bundle_objs[i].name; i++)
		if (!pin_prog_path(path, sizeof(path), pin_dir, bundle_objs[i].prog_name) &&
		    path_exists(path))
			return true;
	for (int i = 0; i < bundle_map_count(); i++)
		if (!pin_map_path(path, sizeof(path), pin_dir, bundle_map_at(i)->name) &&
		    path_exists(path))
			return true;
	return false;
}

/* Drop the inner map of one interface: outer entry and pin. */
static int inner_remove(const char *pin_dir, const char *ifname, int ifindex)
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

struct found {
	int ifindex;
	char name[IF_NAMESIZE];
	struct xdp_view xv;
	__u32 tc_id;
};

/* Where mapsh runs: on the given interfaces, or on all of them. */
static int find_attached(const struct ours *o, const int *idx,
			 char (*names)[IF_NAMESIZE], int n,
			 struct found *f, int *nf, bool keep_empty)
{
	struct if_nameindex *ifs = NULL, *it;
	int count = n;

	*nf = 0;
	if (!n) {
		ifs = if_nameindex();
		if (!ifs)
			return -errno;
		for (count = 0; ifs[count].if_index; count++)
			;
	}
	for (int i = 0; i < count; i++) {
		struct found cur;
		char name[16];

		memset(&cur, 0, sizeof(cur));
		if (ifs) {
			it = &ifs[i];
			cur.ifindex = (int)it->if_index;
			snprintf(cur.name, IF_NAMESIZE, "%s", it->if_name);
		} else {
			cur.ifindex = idx[i];
			snprintf(cur.name, IF_NAMESIZE, "%s", names[i]);
		}
		if (xdp_inspect(cur.ifindex, o, &cur.xv))
			memset(&cur.xv, 0, sizeof(cur.xv));
		cur.tc_id = tc_slot_id(cur.ifindex);
		if (cur.tc_id && !tc_is_ours(cur.tc_id, o, name))
			cur.tc_id = 0;
		if (!keep_empty && !cur.xv.nours && !cur.tc_id)
			continue;
		if (*nf < LOADER_MAX_IFACES)
			f[(*nf)++] = cur;
	}
	if (ifs)
		if_freenameindex(ifs);
	return 0;
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
	bool pins;
	char ebuf[128];

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
	if (find_attached(&o, idx, names, n, f, &nf, n > 0))
		return err_fail("cannot list the network interfaces: %s", strerror(errno));
	if (n > 0) {
		for (int i = 0; i < nf; i++)
			if (!f[i].xv.nours && !f[i].tc_id)
				return err_fail("mapsh (%s) is not attached to '%s'",
						pin_dir, f[i].name);
	} else if (!pins && nf == 0) {
		return err_fail("nothing is loaded (no pins in %s)", pin_dir);
	}

	/* ---- change ---- */
	for (int i = 0; i < nf; i++) {
		struct found *c = &f[i];
		bool done = false;

		for (int j = 0; j < c->xv.nprogs; j++) {
			int err;

			if (!c->xv.ours[j])
				continue;
			err = xdp_detach_id(c->ifindex, c->xv.id[j], c->xv.mode);
			if (err) {
				err_warn("%s: cannot detach XDP program %u: %s", c->name,
					 c->xv.id[j], xdp_err(err, ebuf, sizeof(ebuf)));
				failures++;
			} else {
				done = true;
			}
		}
		if (c->tc_id) {
			int err = tc_detach_ours(c->ifindex);

			if (err && err != -ENOENT) {
				err_warn("%s: cannot detach the tc ingress filter: %s",
					 c->name, strerror(-err));
				failures++;
			} else {
				done = true;
				tc_cleanup_clsact(c->ifindex);
			}
		}
		if (!req->keep_maps)
			res->inner_unpinned += inner_remove(pin_dir, c->name, c->ifindex);
		if (done && res->ndetached < LOADER_MAX_IFACES)
			snprintf(res->ifname[res->ndetached++], IF_NAMESIZE, "%s", c->name);
	}

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
	return EXIT_OK;
}

/* ---- status ---- */

void loader_state_free(struct loader_state *st)
{
	free(st->att);
	st->att = NULL;
	st->natt = 0;
}

int loader_status(const char *pin_dir, struct loader_state *st)
{
	static struct found f[LOADER_MAX_IFACES];
	char path[PATH_MAX];
	struct stat sb;
	struct ours o;
	int nf = 0, rc;
	DIR *d;

	memset(st, 0, sizeof(*st));
	st->pin_dir = pin_dir;
	rc = loader_check_caps();
	if (rc)
		return rc;
	if (stat(pin_dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			return err_fail("%s is not a directory", pin_dir);
		rc = bpffs_check_dir(pin_dir);
		if (rc)
			return rc;
		st->pin_dir_exists = true;
	}
	ours_read(pin_dir, &o);
	for (int i = 0; i < 2; i++) {
		struct loader_prog *p = &st->progs[st->nprogs++];
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd;

		snprintf(p->name, sizeof(p->name), "%s", bundle_objs[i].prog_name);
		pin_prog_path(p->pin, sizeof(p->pin), pin_dir, bundle_objs[i].prog_name);
		fd = bpf_obj_get(p->pin);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			p->pinned = true;
			p->id = info.id;
			p->type = info.type;
		}
		close(fd);
	}
	for (int i = 0; i < bundle_map_count(); i++)
		if (!pin_map_path(path, sizeof(path), pin_dir, bundle_map_at(i)->name) &&
		    path_exists(path))
			st->maps_pinned++;
	snprintf(path, sizeof(path), "%s/%s", pin_dir, PIN_INNER_SUBDIR);
	d = opendir(path);
	if (d) {
		struct dirent *e;

		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				st->inner_pinned++;
		closedir(d);
	}

	if (find_attached(&o, NULL, NULL, 0, f, &nf, false))
		return err_fail("cannot list the network interfaces: %s", strerror(errno));
	st->att = calloc((size_t)nf * (MAX_XDP_PROGS + 1) + 1, sizeof(*st->att));
	if (!st->att)
		return err_fail("out of memory");
	for (int i = 0; i < nf; i++) {
		struct found *c = &f[i];

		for (int j = 0; j < c->xv.nprogs; j++) {
			struct loader_attachment *a;

			if (!c->xv.ours[j])
				continue;
			a = &st->att[st->natt++];
			snprintf(a->ifname, IF_NAMESIZE, "%s", c->name);
			a->ifindex = c->ifindex;
			a->prog_id = c->xv.id[j];
			snprintf(a->prog_name, sizeof(a->prog_name), "%s", c->xv.name[j]);
			a->current = a->prog_id == o.prog_id[BUNDLE_FLOWTRACK];
			a->mode = mode_str(c->xv.mode);
			a->dispatcher = c->xv.dispatcher;
			a->run_prio = c->xv.prio[j];
			a->position = (unsigned int)j + 1;
			a->nprogs = (unsigned int)c->xv.nprogs;
		}
		if (c->tc_id) {
			struct loader_attachment *a = &st->att[st->natt++];
			bool uses;

			snprintf(a->ifname, IF_NAMESIZE, "%s", c->name);
			a->ifindex = c->ifindex;
			a->tc = true;
			a->prog_id = c->tc_id;
			prog_facts(c->tc_id, a->prog_name, 0, &uses);
			a->current = a->prog_id == o.prog_id[BUNDLE_POLICY];
			a->mode = "ingress";
			a->tc_handle = MAPSH_TC_HANDLE;
			a->tc_prio = MAPSH_TC_PRIO;
		}
	}
	return EXIT_OK;
}
