// SPDX-License-Identifier: GPL-2.0
/* The one write path: see write.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "base/err.h"
#include "map/audit.h"
#include "map/write.h"

static struct {
	bool open;		/* a session is open */
	bool ready;		/* its audit log is open (or off) */
	const char *setting;
	const char *verb;
} W;

void mapw_begin(const char *audit_setting, const char *verb)
{
	W.open = true;
	W.ready = false;
	W.setting = audit_setting;
	W.verb = verb;
}

void mapw_end(void)
{
	memset(&W, 0, sizeof(W));
}

/* Before every write: a session, and its log open. */
static int ready(const struct mapref *m)
{
	if (!W.open) {
		err_fail("%s: internal error: a write outside a writing verb", m->name);
		return MAPW_PRINTED;
	}
	if (!W.ready) {
		if (audit_begin(W.setting, m, W.verb))
			return MAPW_PRINTED;
		W.ready = true;
	}
	return 0;
}

int mapw_prepare(const struct mapref *m)
{
	return ready(m) ? EXIT_FAIL : EXIT_OK;
}

int mapw_error(const struct mapref *m, const char *verb, int rc,
	       const void *key)
{
	if (rc == MAPW_PRINTED)
		return EXIT_FAIL;
	return mapref_write_error(m, verb, -rc, key);
}

int mapw_update(const struct mapref *m, const void *key, const void *value,
		__u64 flags)
{
	void *old;
	int rc = ready(m);

	if (rc)
		return rc;
	old = audit_old(m, key);
	if (bpf_map_update_elem(m->fd, key, value, flags)) {
		rc = -errno;
		free(old);
		return rc;
	}
	audit_change(m, W.verb, key, old, value);
	free(old);
	return 0;
}

int mapw_delete(const struct mapref *m, const void *key)
{
	void *old;
	int rc = ready(m);

	if (rc)
		return rc;
	old = audit_old(m, key);
	if (bpf_map_delete_elem(m->fd, key)) {
		rc = -errno;
		free(old);
		return rc;
	}
	audit_change(m, W.verb, key, old, NULL);
	free(old);
	return 0;
}

int mapw_push(const struct mapref *m, const void *value, __u64 flags)
{
	int rc = ready(m);

	if (rc)
		return rc;
	if (bpf_map_update_elem(m->fd, NULL, value, flags))
		return -errno;
	audit_change(m, W.verb, NULL, NULL, value);
	return 0;
}

int mapw_pop(const struct mapref *m, void *value)
{
	int rc = ready(m);

	if (rc)
		return rc;
	if (bpf_map_lookup_and_delete_elem(m->fd, NULL, value))
		return -errno;
	audit_change(m, W.verb, NULL, value, NULL);
	return 0;
}

int mapw_update_batch(const struct mapref *m, const void *keys,
		      const void *values, __u32 *count)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	__u32 n = *count;
	void *olds;
	int rc = ready(m);

	if (rc) {
		*count = 0;
		return rc;
	}
	olds = audit_old_n(m, keys, n);		/* NULL: not audited */
	rc = bpf_map_update_batch(m->fd, keys, values, count, &o) ? -errno : 0;
	/* On a failure the kernel counts what it did only when one entry
	 * failed: a refusal of the whole batch leaves the count as it was. */
	if (rc && *count >= n)
		*count = 0;
	if (olds)
		audit_changes(m, W.verb, keys, olds, values, rc ? *count : n);
	free(olds);
	return rc;
}

int mapw_delete_batch(const struct mapref *m, const void *keys,
		      const void *olds, __u32 *count)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	__u32 n = *count;
	int rc = ready(m);

	if (rc) {
		*count = 0;
		return rc;
	}
	rc = bpf_map_delete_batch(m->fd, keys, count, &o) ? -errno : 0;
	/* As for updates: c < n done before a failure, else none. */
	if (rc && *count >= n)
		*count = 0;
	audit_changes(m, W.verb, keys, olds, NULL, rc ? *count : n);
	return rc;
}

int mapw_inner(const struct mapref *m, const void *key, int inner_fd,
	       __u32 inner_id, __u64 flags)
{
	__u32 fd32 = (__u32)inner_fd;
	void *old;
	int rc = ready(m);

	if (rc)
		return rc;
	old = audit_old(m, key);	/* a lookup gives the inner map's id */
	if (bpf_map_update_elem(m->fd, key, &fd32, flags)) {
		rc = -errno;
		free(old);
		return rc;
	}
	audit_change(m, W.verb, key, old, &inner_id);
	free(old);
	return 0;
}
