// SPDX-License-Identifier: GPL-2.0
/* status: what is pinned in the pin dir and where its programs run.
 * Reads only. */
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
#include "map/bundle.h"
#include "base/err.h"
#include "loader/loader_int.h"

void loader_state_free(struct loader_state *st)
{
	free(st->att);
	st->att = NULL;
	st->natt = 0;
	free(st->objs);
	st->objs = NULL;
	st->nobjs = 0;
}

/* The program pins, the map pins and the inner map pins. */
static void status_pins(const char *pin_dir, struct loader_state *st)
{
	char path[PATH_MAX];
	DIR *d;

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
}

/* One attachment for each program of ours on c, XDP and tc. */
static void status_iface(const struct found *c, const struct ours *o,
			 struct loader_state *st)
{
	for (int j = 0; j < c->xv.nprogs; j++) {
		struct loader_attachment *a;

		if (!c->xv.ours[j])
			continue;
		a = &st->att[st->natt++];
		snprintf(a->ifname, IF_NAMESIZE, "%s", c->name);
		a->ifindex = c->ifindex;
		a->prog_id = c->xv.id[j];
		snprintf(a->prog_name, sizeof(a->prog_name), "%s", c->xv.name[j]);
		a->current = a->prog_id == o->prog_id[BUNDLE_FLOWTRACK];
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
		a->current = a->prog_id == o->prog_id[BUNDLE_POLICY];
		a->mode = "ingress";
		a->tc_handle = MAPSH_TC_HANDLE;
		a->tc_prio = MAPSH_TC_PRIO;
	}
}

int loader_status(const char *pin_dir, struct loader_state *st)
{
	static struct found f[LOADER_MAX_IFACES];
	struct stat sb;
	struct ours o;
	int nf = 0, rc;

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
	status_pins(pin_dir, st);

	if (find_attached(&o, NULL, NULL, 0, f, &nf, false))
		return err_fail("cannot list the network interfaces: %s", strerror(errno));
	st->att = calloc((size_t)nf * (MAX_XDP_PROGS + 1) + 1, sizeof(*st->att));
	if (!st->att)
		return err_fail("out of memory");
	for (int i = 0; i < nf; i++)
		status_iface(&f[i], &o, st);
	return obj_status(pin_dir, st);
}
