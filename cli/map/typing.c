// SPDX-License-Identifier: GPL-2.0
/* How a map's fields show, when the user says so: --as PATH=FORMAT,
 * --btf FILE with --key-type / --value-type, and the same in the types
 * files: /etc/mapsh/types, then ~/.config/mapsh/types ($XDG_CONFIG_HOME),
 * then $MAPSH_TYPES; later lines and the command line win. (A bpffs holds
 * no plain files, so a pin directory's maps are named by their pin paths.)
 * A types file has one setting a line, for the maps MAP matches: a pin
 * name, a kernel name or a pin path, with shell wildcards (DIR/{star}
 * with star a "*", is every map pinned in DIR); "#" starts a comment:
 *   MAP as PATH=FORMAT
 *   MAP btf FILE              (relative: to the file's directory)
 *   MAP key-type TYPE         e.g. struct flow_key, __u32
 *   MAP value-type TYPE */
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "map/btffile.h"
#include "map/mapref.h"
#include "map/mapref_int.h"
#include "tval/tval.h"

/* What one map is told, from the files and the command line. */
struct typing {
	const char *as[MAP_MAX_AS * 2];
	const char *as_from[MAP_MAX_AS * 2];
	int nas;
	const char *btf_file, *key_type, *value_type;
	const char *btf_from;	/* "--btf" or "FILE:LINE" */
	struct strbuf keep;	/* the files' words, NUL-separated */
	char *words[256];
	int nwords;
};

static const char *keep(struct typing *t, const char *s)
{
	char *c = strdup(s);

	if (!c)
		abort();
	if (t->nwords < (int)(sizeof(t->words) / sizeof(t->words[0])))
		t->words[t->nwords++] = c;
	return c;
}

static void formats_text(struct strbuf *sb)
{
	sb_adds(sb, "none, ");
	tv_fmt_list(sb);
}

int map_as_check(const char *what, const char *spec)
{
	const char *eq = spec ? strchr(spec, '=') : NULL;
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	if (!eq || eq == spec) {
		rc = err_usage("%s: '%s' is not PATH=FORMAT (e.g. key=ipv4, value.addr=mac)",
			       what, spec ? spec : "");
	} else if (strcmp(eq + 1, "none") && tv_fmt_from_name(eq + 1) < 0 &&
		   !tv_lin_spec(eq + 1, &(int64_t){ 0 }, &(uint64_t){ 0 })) {
		formats_text(&sb);
		rc = err_usage("%s %s: no format '%s' (the formats: %s)", what,
			       spec, eq + 1, sb_str(&sb));
	}
	sb_free(&sb);
	return rc ? -1 : 0;
}

/* The type of that name and kind. In a split BTF (a module's) its own
 * types first: vmlinux may have one of the same name but another layout,
 * and the file given is the one meant. */
static int find_kind(const struct btf *btf, const char *name, int kind)
{
	const struct btf *base = btf__base_btf(btf);
	__u32 id = base ? btf__type_cnt(base) : btf__type_cnt(btf);

	for (; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *n = btf__name_by_offset(btf, t->name_off);

		if (btf_kind(t) == kind && n && !strcmp(n, name))
			return (int)id;
	}
	return btf__find_by_name_kind(btf, name, kind);
}

__u32 map_find_type(const struct btf *btf, const char *name)
{
	static const struct { const char *kw; int kind; } kws[] = {
		{ "struct ", BTF_KIND_STRUCT }, { "union ", BTF_KIND_UNION },
		{ "enum ", BTF_KIND_ENUM },
	};
	int id;

	while (*name == ' ')
		name++;
	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++) {
		size_t n = strlen(kws[i].kw);

		if (strncmp(name, kws[i].kw, n))
			continue;
		name += n;
		while (*name == ' ')
			name++;
		id = find_kind(btf, name, kws[i].kind);
		if (id < 0 && kws[i].kind == BTF_KIND_ENUM)
			id = find_kind(btf, name, BTF_KIND_ENUM64);
		return id > 0 ? (__u32)id : 0;
	}
	id = find_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		id = find_kind(btf, name, BTF_KIND_INT);
	if (id < 0)
		id = find_kind(btf, name, BTF_KIND_FLOAT);
	return id > 0 ? (__u32)id : 0;
}

static bool names_map(const struct mapref *m, const char *name)
{
	const char *base = m->pin_path ? strrchr(m->pin_path, '/') : NULL;

	return !fnmatch(name, m->name, 0) || !fnmatch(name, m->info.name, 0) ||
	       (base && !fnmatch(name, base + 1, 0)) ||
	       (m->pin_path && !fnmatch(name, m->pin_path, FNM_PATHNAME));
}

/* One types file: the lines for m into t. Missing files are no error. */
static int read_file(struct typing *t, const struct mapref *m, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024], dir[PATH_MAX];
	const char *slash;
	int lno = 0, rc = 0;

	if (!f)
		return 0;
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? path : ".");
	while (!rc && fgets(line, sizeof(line), f)) {
		char *p = line, *name, *what, *arg, *e, from[PATH_MAX + 16];

		lno++;
		if ((e = strchr(p, '#')))
			*e = '\0';
		e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		name = strtok(p, " \t");
		if (!name)
			continue;
		what = strtok(NULL, " \t");
		arg = what ? strtok(NULL, "") : NULL;
		while (arg && (*arg == ' ' || *arg == '\t'))
			arg++;
		snprintf(from, sizeof(from), "%s:%d", path, lno);
		if (!what || !arg || !*arg) {
			rc = err_usage("%s: expected 'MAP as PATH=FORMAT', 'MAP btf FILE', 'MAP key-type TYPE' or 'MAP value-type TYPE'",
				       from);
			break;
		}
		if (!names_map(m, name))
			continue;
		if (!strcmp(what, "as")) {
			if (map_as_check(from, arg)) {
				rc = EXIT_USAGE;
				break;
			}
			if (t->nas < (int)(sizeof(t->as) / sizeof(t->as[0]))) {
				t->as_from[t->nas] = keep(t, from);
				t->as[t->nas++] = keep(t, arg);
			}
		} else if (!strcmp(what, "btf")) {
			char full[PATH_MAX * 2];

			if (arg[0] == '/')
				snprintf(full, sizeof(full), "%s", arg);
			else
				snprintf(full, sizeof(full), "%s/%s", dir, arg);
			t->btf_file = keep(t, full);
			t->btf_from = keep(t, from);
		} else if (!strcmp(what, "key-type")) {
			t->key_type = keep(t, arg);
		} else if (!strcmp(what, "value-type")) {
			t->value_type = keep(t, arg);
		} else {
			rc = err_usage("%s: '%s' is no setting (expected as, btf, key-type or value-type)",
				       from, what);
		}
	}
	fclose(f);
	return rc;
}

static void typing_free(struct typing *t)
{
	for (int i = 0; i < t->nwords; i++)
		free(t->words[i]);
}

/* __u8 .. __u64, __s8 .. __s64 (and u32, s64, ...) the BTF lacks: added,
 * so a value can be an integer whatever the object declares. */
static __u32 add_int_type(struct btf *btf, const char *n)
{
	int bits, id;
	bool sgn;

	if (!strncmp(n, "__", 2))
		n += 2;
	if ((n[0] != 'u' && n[0] != 's') || sscanf(n + 1, "%d", &bits) != 1)
		return 0;
	sgn = n[0] == 's';
	if ((bits != 8 && bits != 16 && bits != 32 && bits != 64) ||
	    strlen(n) != (bits < 10 ? 2u : 3u))
		return 0;
	id = btf__add_int(btf, n, bits / 8, sgn ? BTF_INT_SIGNED : 0);
	return id > 0 ? (__u32)id : 0;
}

static int pick_type(const struct mapref *m, struct btf *btf, const char *file,
		     const char *tname, const char *what, __u32 size, __u32 *id)
{
	__s64 sz;

	*id = map_find_type(btf, tname);
	if (!*id)
		*id = add_int_type(btf, tname);
	if (!*id)
		return err_fail("%s: --%s-type %s: no such type in %s%s", m->name,
				what, tname, file, map_btf_file_under(btf));
	sz = btf__resolve_size(btf, *id);
	if (sz != (__s64)size)
		return err_fail("%s: --%s-type %s is %lld bytes, the map's %s is %u",
				m->name, what, tname, (long long)sz, what, size);
	return EXIT_OK;
}

static int use_btf(struct mapref *m, const struct typing *t)
{
	struct btf *btf;
	const char *why;
	__u32 kid = 0, vid = 0;
	int rc;

	if (!t->key_type && !t->value_type)
		return err_usage("%s: --btf %s needs --key-type TYPE or --value-type TYPE",
				 m->name, t->btf_file);
	btf = map_btf_file(t->btf_file, &why);
	if (!btf)
		return err_fail("%s: %s %s: no BTF read: %s", m->name,
				t->btf_from, t->btf_file, why);
	rc = t->key_type ? pick_type(m, btf, t->btf_file, t->key_type, "key",
				     m->info.key_size, &kid) : EXIT_OK;
	if (!rc && t->value_type)
		rc = pick_type(m, btf, t->btf_file, t->value_type, "value",
			       m->info.value_size, &vid);
	if (rc) {
		btf__free(btf);
		return rc;
	}
	map_btf_free(&m->mb);
	m->mb.btf = btf;
	m->mb.key_type_id = kid;
	m->mb.value_type_id = vid;
	m->mb.from_file = true;
	return EXIT_OK;
}

/* The --as entries for one plan: "key", "key.X", "value", "value.X" go
 * to theirs, any other path to both. */
static unsigned as_for(const struct typing *t, const char *which,
		       struct tv_as *as, int *src)
{
	size_t wl = strlen(which);
	unsigned n = 0;

	for (int i = 0; i < t->nas; i++) {
		const char *spec = t->as[i], *eq = strchr(spec, '=');
		size_t pl = (size_t)(eq - spec);
		const char *path = spec;
		static char paths[MAP_MAX_AS * 2][256];

		if ((pl == 3 && !strncmp(spec, "key", 3)) ||
		    (pl > 4 && !strncmp(spec, "key.", 4)) ||
		    (pl == 5 && !strncmp(spec, "value", 5)) ||
		    (pl > 6 && !strncmp(spec, "value.", 6))) {
			size_t sl = spec[0] == 'k' ? 3 : 5;

			if (strncmp(spec, which, sl) || sl != wl)
				continue;
			path = spec + sl + (pl > sl);
			pl -= sl + (pl > sl);
		}
		snprintf(paths[i], sizeof(paths[i]), "%.*s", (int)pl, path);
		as[n].path = paths[i];
		as[n].fmt = strcmp(eq + 1, "none") ? tv_fmt_from_name(eq + 1)
						   : TV_FMT_NONE;
		as[n].lin_min = 0;
		as[n].lin_step = 1;
		/* linhist=MIN,STEP: linear buckets from MIN, STEP wide */
		if (tv_lin_spec(eq + 1, &as[n].lin_min, &as[n].lin_step))
			as[n].fmt = TV_FMT_LINHIST;
		as[n].hit = false;
		src[n++] = i;
	}
	return n;
}

static int plan_as(struct mapref *m, const struct typing *t, const char *which,
		   __u32 type_id, __u32 size, unsigned flags,
		   struct tv_plan **out, bool *hit)
{
	struct tv_as as[MAP_MAX_AS * 2];
	int src[MAP_MAX_AS * 2];
	unsigned n = as_for(t, which, as, src);
	struct strbuf err = STRBUF_INIT;
	struct tv_plan *p;

	if (!n || !m->mb.btf || !type_id) {
		*out = n ? tv_plan_raw_as(size, as, n) : NULL;
		/* A typed array without a key type (libbpf's global data
		 * maps): its key is an index all the same. Untyped maps stay
		 * bytes. */
		if (!*out && !type_id && !strcmp(which, "key") && size == 4 &&
		    m->is_array && m->mb.value_type_id)
			*out = tv_plan_index(flags);
		if (!*out)
			*out = tv_plan_for_map(m->mb.btf, type_id, size, flags);
		for (unsigned i = 0; i < n; i++)
			if (as[i].hit)
				hit[src[i]] = true;
		return EXIT_OK;
	}
	p = tv_plan_new_as(m->mb.btf, type_id, flags, as, n, &err);
	if (!p || tv_plan_size(p) != size) {
		struct strbuf fl = STRBUF_INIT;
		int rc;
		unsigned k = 0;

		/* Name the setting the failure is about: the field's. */
		for (unsigned i = 0; i < n; i++)
			if (as[i].hit)
				k = i;
		formats_text(&fl);
		rc = err_fail("%s: %s %s: %s (the formats: %s)", m->name,
			      t->as_from[src[k]], t->as[src[k]],
			      err.len ? sb_str(&err) : "the type does not fit",
			      sb_str(&fl));
		sb_free(&fl);
		sb_free(&err);
		tv_plan_free(p);
		*out = NULL;
		return rc;
	}
	sb_free(&err);
	for (unsigned i = 0; i < n; i++)
		if (as[i].hit)
			hit[src[i]] = true;
	*out = p;
	return EXIT_OK;
}

int mapref_typed_plans(const struct map_opts *mo, struct mapref *m,
		       unsigned flags)
{
	struct typing t = { .nas = 0 };
	bool hit[MAP_MAX_AS * 2] = { false };
	char path[PATH_MAX];
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *env = getenv("MAPSH_TYPES");
	int rc;

	if (!m->name[0]) {	/* messages name it as the caller will */
		if (m->info.name[0])
			snprintf(m->name, sizeof(m->name), "%s", m->info.name);
		else
			snprintf(m->name, sizeof(m->name), "map %u", m->info.id);
	}
	rc = read_file(&t, m, MAP_TYPES_FILE);
	if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/mapsh/types", xdg);
	else
		snprintf(path, sizeof(path), "%s/.config/mapsh/types",
			 home ? home : "/");
	if (!rc)
		rc = read_file(&t, m, path);
	if (!rc && env && *env)
		rc = read_file(&t, m, env);
	for (int i = 0; !rc && i < mo->nas && t.nas < MAP_MAX_AS * 2; i++) {
		t.as_from[t.nas] = "--as";
		t.as[t.nas++] = mo->as[i];
	}
	if (mo->btf_file) {
		t.btf_file = mo->btf_file;
		t.btf_from = "--btf";
		t.key_type = mo->key_type;
		t.value_type = mo->value_type;
	} else if (!t.btf_file && (mo->key_type || mo->value_type)) {
		rc = err_usage("%s: --key-type and --value-type need --btf FILE",
			       m->name);
	}
	if (!rc && t.btf_file)
		rc = use_btf(m, &t);
	if (!rc && m->info.key_size)
		rc = plan_as(m, &t, "key", m->mb.key_type_id, m->info.key_size,
			     flags, &m->key, hit);
	if (!rc && m->info.value_size)
		rc = plan_as(m, &t, "value", m->mb.value_type_id,
			     m->info.value_size, flags, &m->value, hit);
	for (int i = 0; !rc && i < t.nas; i++) {
		if (hit[i])
			continue;
		if (strcmp(t.as_from[i], "--as")) {
			err_warn("%s: %s %s: no such field: ignored", m->name,
				 t.as_from[i], t.as[i]);
			continue;
		}
		rc = err_fail("%s: %s %s: no such field in the key (%s) or the value (%s)%s",
			      m->name, t.as_from[i], t.as[i],
			      m->key ? tv_plan_type_name(m->key) : "none",
			      m->value ? tv_plan_type_name(m->value) : "none",
			      (m->key && tv_plan_is_raw(m->key)) ||
			      (m->value && tv_plan_is_raw(m->value))
			      ? "; a map without BTF takes ipv4, mac or ipv6 for a whole key or value of 4, 6 or 16 bytes, else --btf FILE --key-type T --value-type T" : "");
	}
	typing_free(&t);
	return rc;
}
