// SPDX-License-Identifier: GPL-2.0
/* What is ours: the identities of this pin dir's maps and programs, read
 * from the pins, and the interfaces where programs matching them run. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "map/bpffs.h"
#include "map/bundle.h"
#include "loader/loader_int.h"

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

void ours_read(const char *pin_dir, struct ours *o)
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

int prog_facts(__u32 id, char name[16], __u32 map_id, bool *uses_map)
{
	__u32 map_ids[64] = { 0 };	/* the kernel fills them; zeroed for valgrind */
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

bool xdp_is_ours(__u32 id, const struct ours *o, char name[16])
{
	bool uses;

	if (prog_facts(id, name, o->config_map_id, &uses))
		return false;
	if (strcmp(name, bundle_objs[BUNDLE_FLOWTRACK].prog_name))
		return false;
	return id == o->prog_id[BUNDLE_FLOWTRACK] || uses;
}

bool tc_is_ours(__u32 id, const struct ours *o, char name[16])
{
	bool uses;

	if (!id || prog_facts(id, name, o->policy_map_id, &uses))
		return false;
	if (strcmp(name, bundle_objs[BUNDLE_POLICY].prog_name))
		return false;
	return id == o->prog_id[BUNDLE_POLICY] || uses;
}

int find_attached(const struct ours *o, const int *idx,
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
