// SPDX-License-Identifier: GPL-2.0
/* The map a line names, as completion sees it (struct cmap in
 * complete_int.h): opened live when it can be, else what the bundled
 * definition says. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "shell/batch.h"
#include "cmd/registry.h"
#include "map/bundle.h"
#include "shell/complete.h"
#include "shell/complete_int.h"
#include "base/err.h"
#include "verbs/map_verbs.h"
#include "map/mapinfo.h"
#include "map/mapref.h"
#include "tval/netfmt.h"
#include "query/query.h"
#include "tval/tval.h"

const struct cmd *verb_table(void)
{
	return cmd_tables.verbs;
}

bool verb_fits(const struct cmd *v, const struct cmap *m)
{
	if (v->flags & CMD_HIDDEN)
		return false;
	if (!m || !m->known)
		return true;
	return map_verb_applies(v, m->type);
}

void cmap_free(struct cmap *m)
{
	tv_plan_free(m->own_k);
	tv_plan_free(m->own_v);
	mapref_free(m->ref);
	memset(m, 0, sizeof(*m));
}

/* Resolve the map named by w[0..n) (n is 1 or 2). Silent. */
void cmap_resolve(struct ctx *ctx, char **w, int n, struct cmap *m)
{
	struct strbuf sink = STRBUF_INIT;
	const struct bundle_map *bm;
	const char *name = w[0];
	unsigned flags = ctx->set.map.raw_values ? TV_RAW : 0;
	char outer[128];
	const char *br;
	int consumed;

	memset(m, 0, sizeof(*m));
	snprintf(m->label, sizeof(m->label), "%s%s%s", w[0], n > 1 ? " " : "",
		 n > 1 ? w[1] : "");
	err_capture(&sink, false);
	if (!mapref_parse(&ctx->set.map, n, w, &consumed, &m->ref) && m->ref) {
		m->known = true;
		m->type = m->ref->info.type;
		m->btf = m->ref->mb.btf;
		m->kplan = m->ref->key;
		m->vplan = m->ref->value;
	}
	err_capture(NULL, true);
	sb_free(&sink);
	session_restore_errors();
	if (m->known)
		return;
	/* Not readable here (no root, not loaded): the bundled definition. */
	if (n == 2 && !strcmp(w[0], "name"))
		name = w[1];
	else if (n == 2)
		return;
	br = strchr(name, '[');
	if (br) {
		snprintf(outer, sizeof(outer), "%.*s", (int)(br - name), name);
		name = outer;
	}
	bm = bundle_map_find(name);
	if (!bm)
		return;
	m->known = true;
	m->btf = bm->btf;
	if (br && bm->has_inner) {
		m->type = bm->inner_type;
		if (bm->inner_key_size)
			m->kplan = m->own_k = tv_plan_for_map(bm->btf, bm->inner_btf_key_type_id,
							      bm->inner_key_size, flags);
		if (bm->inner_value_size)
			m->vplan = m->own_v = tv_plan_for_map(bm->btf, bm->inner_btf_value_type_id,
							      bm->inner_value_size, flags);
		return;
	}
	m->type = bm->type;
	if (bm->key_size)
		m->kplan = m->own_k = tv_plan_for_map(bm->btf, bm->btf_key_type_id,
						      bm->key_size, flags);
	if (bm->value_size && bm->type != BPF_MAP_TYPE_RINGBUF)
		m->vplan = m->own_v = tv_plan_for_map(bm->btf, bm->btf_value_type_id,
						      bm->value_size, flags);
}
