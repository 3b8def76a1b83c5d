// SPDX-License-Identifier: GPL-2.0
/* Record types: see rectype.h. */
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "base/err.h"
#include "map/rectype.h"

/* The id of the type spec names ("struct x", "x", "__u64") in btf, or 0. */
static __u32 find_type(const struct btf *btf, const char *spec)
{
	static const struct {
		const char *prefix;
		int kinds[3];
	} pre[] = {
		{ "struct ", { BTF_KIND_STRUCT } },
		{ "union ", { BTF_KIND_UNION } },
		{ "enum ", { BTF_KIND_ENUM, BTF_KIND_ENUM64 } },
	};
	static const int any[] = {
		BTF_KIND_TYPEDEF, BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_INT,
		BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT,
	};
	const int *kinds = any;
	size_t nk = sizeof(any) / sizeof(any[0]);
	const char *name = spec;

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t l = strlen(pre[i].prefix);

		if (!strncmp(spec, pre[i].prefix, l)) {
			name = spec + l;
			while (*name == ' ')
				name++;
			kinds = pre[i].kinds;
			nk = 3;
			break;
		}
	}
	if (!*name)
		return 0;
	for (size_t i = 0; i < nk; i++) {
		__s32 id;

		if (!kinds[i])
			continue;
		id = btf__find_by_name_kind(btf, name, (__u32)kinds[i]);
		if (id > 0)
			return (__u32)id;
	}
	return 0;
}

static int plan_of(const struct map_opts *mo, const struct mapref *m, const char *verb,
		   const struct btf *btf, __u32 id, const char *spec,
		   struct tv_plan **plan)
{
	struct strbuf err = STRBUF_INIT;
	int rc = EXIT_OK;

	*plan = tv_plan_new(btf, id, (mo->raw_values ? TV_RAW : 0) |
				    (mo->numeric ? TV_NUMERIC : 0), &err);
	if (!*plan)
		rc = err_usage("%s %s: type '%s': %s", m->name, verb, spec,
			       err.len ? sb_str(&err) : "cannot be decoded");
	sb_free(&err);
	return rc;
}

int rectype_named(const struct map_opts *mo, const struct mapref *m,
		  const char *verb, const char *type,
		  struct tv_plan **plan, struct btf **btf_keep)
{
	struct btf *kbtf;
	__u32 id;

	*plan = NULL;
	*btf_keep = NULL;
	if (m->mb.btf && (id = find_type(m->mb.btf, type)))
		return plan_of(mo, m, verb, m->mb.btf, id, type, plan);
	kbtf = btf__load_vmlinux_btf();
	if (libbpf_get_error(kbtf))
		kbtf = NULL;
	if (kbtf && (id = find_type(kbtf, type))) {
		int rc = plan_of(mo, m, verb, kbtf, id, type, plan);

		if (rc)
			btf__free(kbtf);
		else
			*btf_keep = kbtf;
		return rc;
	}
	btf__free(kbtf);
	if (m->mb.btf)
		return err_usage("%s %s: no type '%s' in the BTF of %s or of the kernel",
				 m->name, verb, type, m->name);
	return err_usage("%s %s: no type '%s' in the kernel's BTF (%s has no BTF of its own)",
			 m->name, verb, type, m->name);
}

/* The record type of a ring buffer or perf event array: --type, else the
 * mapsh:record= tag of the map variable; NULL plan for bytes. */
int rectype_of(const struct map_opts *mo, const struct mapref *m,
	       const char *verb, const char *type,
	       struct tv_plan **plan, struct btf **btf_keep)
{
	char name[128];
	__u32 id;

	*plan = NULL;
	*btf_keep = NULL;
	if (type)
		return rectype_named(mo, m, verb, type, plan, btf_keep);
	if (!m->mb.btf)
		return EXIT_OK;
	if (tv_find_var_tag(m->mb.btf, m->info.name, "mapsh:record=", name, sizeof(name)) &&
	    tv_find_var_tag(m->mb.btf, m->name, "mapsh:record=", name, sizeof(name)))
		return EXIT_OK;
	id = find_type(m->mb.btf, name);
	if (!id) {
		err_warn("%s: the record type '%s' its program names is not in its BTF: records shown as bytes",
			 m->name, name);
		return EXIT_OK;
	}
	*plan = tv_plan_new(m->mb.btf, id, (mo->raw_values ? TV_RAW : 0) |
				    (mo->numeric ? TV_NUMERIC : 0), NULL);
	return EXIT_OK;
}
