// SPDX-License-Identifier: GPL-2.0
/* --btf FILE read, whatever it is. /sys/kernel/btf/<module> (and the .BTF
 * of a module's .ko) is split BTF: its type ids and string offsets go on
 * after vmlinux's and its types refer to vmlinux's by id, so alone it is
 * not valid BTF and is read again on top of the running kernel's. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/btf.h>

#include "map/btffile.h"

enum file_kind { FK_OTHER, FK_ELF, FK_RAW };

static enum file_kind file_kind(FILE *f)
{
	unsigned char m[4];

	if (fread(m, 1, sizeof(m), f) != sizeof(m))
		return FK_OTHER;
	if (!memcmp(m, "\177ELF", 4))
		return FK_ELF;
	/* the header's __u16 magic, in either byte order */
	if ((m[0] == (BTF_MAGIC & 0xff) && m[1] == BTF_MAGIC >> 8) ||
	    (m[1] == (BTF_MAGIC & 0xff) && m[0] == BTF_MAGIC >> 8))
		return FK_RAW;
	return FK_OTHER;
}

/* Kept for the program's life: a split BTF read on it points into it. */
static struct btf *vmlinux_base(void)
{
	static struct btf *base;
	static bool tried;

	if (!tried) {
		tried = true;
		base = btf__load_vmlinux_btf();
	}
	return base;
}

struct btf *map_btf_file(const char *path, const char **why)
{
	enum file_kind kind;
	struct btf *b, *base;
	int err;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		*why = strerror(errno);
		return NULL;
	}
	kind = file_kind(f);
	fclose(f);
	if (kind == FK_OTHER) {
		*why = "neither an ELF object nor raw BTF";
		return NULL;
	}
	b = btf__parse(path, NULL);
	if (b)
		return b;
	err = errno;
	base = vmlinux_base();
	if (base) {
		b = btf__parse_split(path, base);
		if (b)
			return b;
	}
	if (kind == FK_ELF)
		*why = err == ENOENT ? "an ELF object without a .BTF section"
		       : base ? "its .BTF section is not valid BTF, alone or as a module's on the kernel's BTF"
		       : "its .BTF section is not valid BTF alone; a module's is read on the kernel's BTF, and /sys/kernel/btf/vmlinux is not there";
	else
		*why = base ? "not valid BTF, alone or as a module's on the kernel's BTF"
		       : "not valid BTF alone; a module's is read on the kernel's BTF, and /sys/kernel/btf/vmlinux is not there";
	return NULL;
}

const char *map_btf_file_under(const struct btf *btf)
{
	return btf__base_btf(btf) ? " or the kernel's BTF under it" : "";
}
