// SPDX-License-Identifier: GPL-2.0
/* What the kernel refuses, said in words: opening a pin (and what a pin
 * that is no map holds), writing an entry; and typing a map whose BTF the
 * kernel will not give (see mapref_int.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "base/err.h"
#include "map/bpffs.h"
#include "map/bundle.h"
#include "map/mapref.h"
#include "map/mapref_int.h"

/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters of a map's name. */
static bool kname_is(const char *kname, const char *want)
{
	size_t kl = strlen(kname);

	return !strcmp(kname, want) ||
	       (kl == BPF_OBJ_NAME_LEN - 1 && !strncmp(kname, want, kl));
}

/* What a bpffs pin that is not a map holds, for the message. */
const char *mapref_pin_kind(int fd)
{
	char line[128];

	if (!fdinfo_line(fd, "prog_type:", line, sizeof(line)))
		return "a pinned program, not a map";
	if (!fdinfo_line(fd, "link_type:", line, sizeof(line)))
		return "a pinned link, not a map";
	return "not a map";
}

/* The pin at path: read-write, else read-only when the pin lets this user
 * only read (writes are then refused by the kernel). 0 with *fdp set,
 * -ENOENT when there is no such file, or an exit code printed: the
 * kernel's refusal said in words. */
int mapref_open_pin(const char *path, int *fdp)
{
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
	struct stat st;
	int fd = bpf_obj_get(path), e = errno;

	if (fd < 0 && e == EACCES) {
		fd = bpf_obj_get_opts(path, &ro);
		if (fd < 0 && errno != EACCES)
			e = errno;
	}
	if (fd >= 0) {
		*fdp = fd;
		return 0;
	}
	if (e == ENOENT)
		return -ENOENT;
	if (stat(path, &st)) {
		if (errno == EACCES)
			return err_fail("permission denied opening %s: needs search access to its directories",
					path);
		return err_fail("cannot open %s: %s", path, strerror(e));
	}
	if (!bpffs_is_bpffs(path))
		return err_fail("%s: not a BPF map pin (not on a bpf filesystem)", path);
	if (S_ISDIR(st.st_mode))
		return err_fail("%s: a directory, not a BPF map pin", path);
	if (e == EACCES)
		return err_fail("permission denied opening %s: needs read access to the pin (mode %04o, owner %u:%u), or root",
				path, (unsigned)(st.st_mode & 07777),
				(unsigned)st.st_uid, (unsigned)st.st_gid);
	if (e == EPERM)
		return err_fail("permission denied opening %s: needs CAP_BPF or read access to the pin",
				path);
	return err_fail("cannot open %s: %s", path, strerror(e));
}

/* Was the map opened read-only (open_pin's fallback)? */
static bool fd_read_only(int fd)
{
	char line[128];
	unsigned long fl;

	return !fdinfo_line(fd, "flags:", line, sizeof(line)) &&
	       sscanf(line, "flags: %lo", &fl) == 1 && (fl & O_ACCMODE) == O_RDONLY;
}

/* Reading a map's BTF by id needs CAP_SYS_ADMIN: without it, a map of
 * mapsh's bundled programs (same name, type and sizes) is typed from the
 * program's BTF built into mapsh. */
void mapref_bundled_types(const struct bpf_map_info *i, struct map_btf *mb)
{
	for (int k = 0; k < bundle_map_count(); k++) {
		const struct bundle_map *b = bundle_map_at(k);
		const void *raw;
		__u32 size;

		if (!kname_is(i->name, b->name) || b->type != i->type ||
		    b->key_size != i->key_size || b->value_size != i->value_size ||
		    !b->btf || !(b->btf_key_type_id || b->btf_value_type_id))
			continue;
		raw = btf__raw_data(b->btf, &size);
		mb->btf = raw ? btf__new(raw, size) : NULL;
		if (libbpf_get_error(mb->btf)) {
			mb->btf = NULL;
			return;
		}
		mb->key_type_id = b->btf_key_type_id;
		mb->value_type_id = b->btf_value_type_id;
		return;
	}
}

int mapref_write_error(const struct mapref *m, const char *verb, int err,
		       const void *key)
{
	struct strbuf k = STRBUF_INIT;
	int rc;

	if (key)
		mapref_key_text(m, key, &k);
	switch (err) {
	case E2BIG:
	case ENOSPC:
		if (m->is_array) {
			rc = err_fail("%s: no element %s (%s has %u elements)",
				      m->name, sb_str(&k), m->name,
				      m->info.max_entries);
		} else {
			long long n = mapref_count(m);

			if (n < 0)
				n = m->info.max_entries;
			rc = err_fail("%s is full (%lld of %u entries)", m->name, n,
				      m->info.max_entries);
		}
		break;
	case EEXIST:
		rc = err_fail("%s: an entry with key %s exists already (use update or replace)",
			      m->name, sb_str(&k));
		break;
	case ENOENT:
		rc = err_fail("%s: no entry with key %s", m->name, sb_str(&k));
		break;
	case EPERM:
	case EACCES:
		if (mapref_is_frozen(m) || (m->info.map_flags & BPF_F_RDONLY))
			rc = err_fail("%s is frozen: user space can no longer change it",
				      m->name);
		else if (fd_read_only(m->fd))
			rc = err_fail("%s %s: permission denied: the pin %s is read-only for this user (needs write access to it, or root)",
				      m->name, verb, m->pin_path ? m->pin_path : "");
		else
			rc = err_fail("%s %s: %s (run as root)", m->name, verb,
				      strerror(err));
		break;
	default:
		rc = err_fail("%s %s: the kernel refused: %s", m->name, verb,
			      strerror(err));
		break;
	}
	sb_free(&k);
	return rc;
}
