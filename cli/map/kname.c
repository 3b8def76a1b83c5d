// SPDX-License-Identifier: GPL-2.0
/* Maps by kernel name (`name NAME`), and the names libbpf gives the maps
 * of global data sections: OBJ.data, OBJ.bss, OBJ.rodata, OBJ.kconfig,
 * selected by that name as a bare word when no pin has it. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "base/err.h"
#include "base/strbuf.h"
#include "base/suggest.h"
#include "map/mapref_int.h"

/* The closest name seen so far (did you mean). */
struct seen {
	char *best;
	int dist;
};

static void seen_offer(struct seen *s, const char *want, const char *name)
{
	struct sg_best b = { 0 };

	sg_init(&b, want);
	sg_offer(&b, name);
	if (!b.best || (s->best && b.dist >= s->dist))
		return;
	free(s->best);
	s->best = strdup(name);
	s->dist = b.dist;
}

/* libbpf names the map of a global data section OBJ.SECTION, OBJ cut
 * short (to 8 characters, or to what fits the kernel's 15; never fewer
 * than 7): "xdpdump_.data" for xdpdump_xdp.o. So OBJECT.SECTION, the
 * whole object name, finds it too. */
static bool section_matches(const char *kname, const char *want)
{
	const char *kd = strchr(kname, '.'), *wd = strchr(want, '.');

	if (!kd || !wd || kd - kname < 7 || strcmp(kd, wd) ||
	    kd - kname >= wd - want)
		return false;
	/* libbpf spells other characters of the object name as '_' */
	for (const char *k = kname, *w = want; k < kd; k++, w++)
		if (*k != *w && !(*k == '_' && !isalnum((unsigned char)*w)))
			return false;
	return true;
}

static bool kname_matches(const char *kname, const char *want)
{
	size_t kl = strlen(kname);

	if (!strcmp(kname, want) || section_matches(kname, want))
		return true;
	/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters. */
	return kl == BPF_OBJ_NAME_LEN - 1 && strlen(want) > kl &&
	       !strncmp(kname, want, kl);
}

/* Does a word name a global data section's map (OBJ.data, OBJ.bss,
 * OBJ.rodata, OBJ.kconfig)? Such a word that is no pin is a kernel name. */
bool mapref_is_section_name(const char *w)
{
	static const char *const secs[] = { ".data", ".bss", ".rodata",
					    ".kconfig" };
	const char *d = strchr(w, '.');

	if (!d || d == w || strchr(w, '/'))
		return false;
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
		if (!strncmp(d, secs[i], strlen(secs[i])))
			return true;
	return false;
}

/* Is a map of this kernel name loaded (one or more)? Nothing said. */
bool mapref_kname_exists(const char *want)
{
	__u32 id = 0;
	bool found = false;

	while (!found && bpf_map_get_next_id(id, &id) == 0) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		int f = bpf_map_get_fd_by_id(id);

		if (f < 0)
			continue;
		found = !bpf_obj_get_info_by_fd(f, &info, &len) &&
			kname_matches(info.name, want);
		close(f);
	}
	return found;
}

/* Open by kernel name. 0 with *fd set, -ENOENT, or an exit code printed;
 * quiet: -ENOENT, nothing said, when no map has the name. */
int mapref_open_kname(const char *want, int *fdp, bool quiet)
{
	__u32 id = 0, ids[16];
	int n = 0, fd = -1;
	struct seen seen = { 0 };

	if (bpf_map_get_next_id(0, &id) && errno == EPERM)
		return err_fail("permission denied looking up map name '%s': listing the kernel's maps needs CAP_SYS_ADMIN (or open its pin: pinned PATH)",
				want);
	id = 0;
	while (bpf_map_get_next_id(id, &id) == 0) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		int f = bpf_map_get_fd_by_id(id);

		if (f < 0)
			continue;
		if (bpf_obj_get_info_by_fd(f, &info, &len) == 0 &&
		    kname_matches(info.name, want)) {
			if (n < 16)
				ids[n] = id;
			n++;
			if (fd < 0) {
				fd = f;
				continue;
			}
		} else if (info.name[0]) {
			seen_offer(&seen, want, info.name);
		}
		close(f);
	}
	if (n == 1) {
		free(seen.best);
		*fdp = fd;
		return 0;
	}
	if (fd >= 0)
		close(fd);
	if (n > 1) {
		struct strbuf sb = STRBUF_INIT;
		int rc;

		for (int i = 0; i < n && i < 16; i++)
			sb_addf(&sb, "%s%u", i ? ", " : "", ids[i]);
		if (n > 16)
			sb_adds(&sb, ", ...");
		rc = err_fail("name '%s' matches %d maps (ids %s): select one with id N",
			      want, n, sb_str(&sb));
		sb_free(&sb);
		free(seen.best);
		return rc;
	}
	if (quiet) {
		free(seen.best);
		return -ENOENT;
	}
	{
		const char *s = seen.best;
		int rc;

		if (s)
			rc = err_fail("no map named '%s' (did you mean '%s'?)", want, s);
		else
			rc = err_fail("no map named '%s' (see 'mapsh maps --all')", want);
		free(seen.best);
		return rc;
	}
}

