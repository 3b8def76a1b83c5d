// SPDX-License-Identifier: GPL-2.0
/*
 * split_btf OUT [BASE]: write to OUT a split BTF on BASE (default: the
 * running kernel's vmlinux BTF), as /sys/kernel/btf/<module> is: its type
 * ids and string offsets go on after the base's, and its types refer to
 * the base's by id. It holds
 *   struct modtest_val { struct in6_addr addr; __u64 packets; __u16 port; };
 * (32 bytes: addr at 0, packets at 16, port at 24) and
 *   typedef struct modtest_val modtest_val_t;
 *   struct ethhdr { __u64 cookie; };
 * with struct in6_addr, __u64 and __u16 from the base. The ethhdr is the
 * module's own, of a name vmlinux has too (its is 14 bytes): a module
 * may have such, and its own is meant. No kernel module
 * has to be loaded to have one (tests/typing.bats, tests/create.bats).
 * Exit 0, or 1 with a message.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <linux/btf.h>

static int base_id(const struct btf *base, const char *name, int kind)
{
	int id = btf__find_by_name_kind(base, name, kind);

	if (id <= 0)
		fprintf(stderr, "split_btf: no %s in the base BTF\n", name);
	return id;
}

int main(int argc, char **argv)
{
	struct btf *base, *btf;
	int in6, u64, u16, val;
	const void *raw;
	__u32 size;
	FILE *f;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: split_btf OUT [BASE]\n");
		return 1;
	}
	base = argc == 3 ? btf__parse(argv[2], NULL) : btf__load_vmlinux_btf();
	if (!base) {
		fprintf(stderr, "split_btf: no base BTF: %s\n", strerror(errno));
		return 1;
	}
	in6 = base_id(base, "in6_addr", BTF_KIND_STRUCT);
	u64 = base_id(base, "__u64", BTF_KIND_TYPEDEF);
	u16 = base_id(base, "__u16", BTF_KIND_TYPEDEF);
	if (in6 <= 0 || u64 <= 0 || u16 <= 0)
		return 1;
	btf = btf__new_empty_split(base);
	if (!btf)
		return 1;
	val = btf__add_struct(btf, "modtest_val", 32);
	if (val < 0 || btf__add_field(btf, "addr", in6, 0, 0) ||
	    btf__add_field(btf, "packets", u64, 16 * 8, 0) ||
	    btf__add_field(btf, "port", u16, 24 * 8, 0) ||
	    btf__add_typedef(btf, "modtest_val_t", val) < 0 ||
	    btf__add_struct(btf, "ethhdr", 8) < 0 ||
	    btf__add_field(btf, "cookie", u64, 0, 0)) {
		fprintf(stderr, "split_btf: adding the types failed\n");
		return 1;
	}
	raw = btf__raw_data(btf, &size);
	f = fopen(argv[1], "w");
	if (!raw || !f || fwrite(raw, 1, size, f) != size || fclose(f)) {
		fprintf(stderr, "split_btf: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	btf__free(btf);
	btf__free(base);
	return 0;
}
