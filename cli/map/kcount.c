// SPDX-License-Identifier: GPL-2.0
/* The kernel's element counts through a map iterator: see kcount.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "base/bpflog.h"
#include "map/kcount.h"

#include "mapcount.skel.h"

struct rec {
	__u32 id;
	__u32 pad;
	__s64 count;
};

bool kcount_kept(__u32 t)
{
	switch (t) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return true;
	default:
		return false;
	}
}

static int id_cmp(const void *a, const void *b)
{
	const struct kcount *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int kcounts_read(struct kcounts *kc)
{
	struct mapcount *s;
	struct bpf_link *link = NULL;
	struct rec r;
	size_t cap = 0, got = 0;
	int fd = -1, rc = 0;
	ssize_t n;

	memset(kc, 0, sizeof(*kc));
	if (!bpflog_is_set())
		bpflog_set(false);
	s = mapcount__open_and_load();
	if (!s)
		return -errno;
	link = bpf_program__attach_iter(s->progs.mapcount, NULL);
	if (!link) {
		rc = -errno;
		goto out;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	/* Whole records only: the iterator writes one per map. */
	for (;;) {
		n = read(fd, (char *)&r + got, sizeof(r) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got < sizeof(r))
			continue;
		got = 0;
		if (kc->n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct kcount *nv = realloc(kc->v, nc * sizeof(*nv));

			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			kc->v = nv;
			cap = nc;
		}
		kc->v[kc->n].id = r.id;
		kc->v[kc->n++].n = r.count;
	}
	if (!rc) {
		qsort(kc->v, kc->n, sizeof(*kc->v), id_cmp);
		kc->ok = true;
	}
out:
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	mapcount__destroy(s);
	if (rc)
		kcounts_free(kc);
	return rc;
}

long long kcounts_of(const struct kcounts *kc, __u32 id, __u32 map_type)
{
	size_t lo = 0, hi;

	if (!kc->ok || !kcount_kept(map_type))
		return -1;
	hi = kc->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (kc->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < kc->n && kc->v[lo].id == id ? kc->v[lo].n : -1;
}

void kcounts_free(struct kcounts *kc)
{
	free(kc->v);
	memset(kc, 0, sizeof(*kc));
}
