// SPDX-License-Identifier: GPL-2.0
/* Map selection: see mapref.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "map/bpffs.h"
#include "map/bundle.h"
#include "base/caps.h"
#include "map/journal.h"
#include "base/err.h"
#include "map/mapiter.h"
#include "map/mapref.h"
#include "map/mapref_int.h"
#include "base/suggest.h"

#define SELECT_FORMS "NAME (pinned in the pin directory), id N, pinned PATH or name NAME"

int mapsel_parse(int argc, char **argv, struct mapsel *sel)
{
	static const struct {
		const char *word;
		enum mapsel_kind kind;
		const char *what;
	} kw[] = {
		{ "id", MAPSEL_ID, "a map id" },
		{ "pinned", MAPSEL_PINNED, "a path on a bpffs" },
		{ "name", MAPSEL_KNAME, "a kernel map name" },
	};

	if (argc < 1 || !argv[0][0]) {
		err_usage("no map given (expected " SELECT_FORMS ")");
		return -1;
	}
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++) {
		if (strcmp(argv[0], kw[i].word))
			continue;
		if (argc < 2 || !argv[1][0]) {
			err_usage("'%s' needs %s (e.g. 'mapsh %s %s dump')",
				  kw[i].word, kw[i].what, kw[i].word,
				  kw[i].kind == MAPSEL_ID ? "42" :
				  kw[i].kind == MAPSEL_PINNED ? "/sys/fs/bpf/m" : "flows");
			return -1;
		}
		if (kw[i].kind == MAPSEL_ID) {
			char *end;
			unsigned long long id;

			errno = 0;
			id = strtoull(argv[1], &end, 0);
			if (*end || errno || id > UINT32_MAX || argv[1][0] == '-' ||
			    !isdigit((unsigned char)argv[1][0])) {
				err_usage("id '%s': not a map id (expected a number, e.g. 'mapsh id 42 dump')",
					  argv[1]);
				return -1;
			}
		}
		sel->kind = kw[i].kind;
		sel->arg = argv[1];
		return 2;
	}
	sel->kind = MAPSEL_PINNAME;
	sel->arg = argv[0];
	return 1;
}

static bool safe_pin_name(const char *name)
{
	if (!*name || name[0] == '/')
		return false;
	for (const char *p = name; *p; p++)
		if (p[0] == '.' && p[1] == '.' && (p == name || p[-1] == '/'))
			return false;
	return true;
}

/* PIN_DIR/name, then PIN_DIR/inner/name, into path. */
static bool find_pin(const struct map_opts *mo, const char *name, char *path,
		     size_t size)
{
	if (!safe_pin_name(name))
		return false;
	snprintf(path, size, "%s/%s", mo->pin_dir, name);
	if (path_exists(path))
		return true;
	snprintf(path, size, "%s/" PIN_INNER_SUBDIR "/%s", mo->pin_dir, name);
	return path_exists(path);
}

/* "OUTER[KEY]": the split point, or NULL. */
static const char *inner_bracket(const char *s)
{
	const char *b = strchr(s, '[');
	size_t len = strlen(s);

	if (!b || b == s || len < 3 || s[len - 1] != ']')
		return NULL;
	return b;
}

bool mapref_pin_exists(const struct map_opts *mo, const char *name)
{
	char path[PATH_MAX];

	return find_pin(mo, name, path, sizeof(path));
}

bool mapsel_is_map_word(const struct map_opts *mo, const char *word)
{
	char path[PATH_MAX];

	if (!strcmp(word, "id") || !strcmp(word, "pinned") ||
	    !strcmp(word, "name"))
		return true;
	if (inner_bracket(word))
		return true;
	/* A pin is a stat away; the bundled names need the embedded objects
	 * opened, so they are asked only when nothing is pinned. */
	if (find_pin(mo, word, path, sizeof(path)))
		return true;
	if (bundle_map_find(word) != NULL)
		return true;
	return mapref_is_section_name(word) && mapref_kname_exists(word);
}

/* ---- did you mean ---- */

struct names {
	char **v;
	int n, cap;
};

static void names_add(struct names *ns, const char *s)
{
	if (ns->n == ns->cap) {
		int cap = ns->cap ? ns->cap * 2 : 32;
		char **v = realloc(ns->v, (size_t)cap * sizeof(*v));

		if (!v)
			return;
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n] = strdup(s);
	if (ns->v[ns->n])
		ns->n++;
}

static void names_free(struct names *ns)
{
	for (int i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

static void names_from_dir(struct names *ns, const char *dir,
			   const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char tmp[NAME_MAX + 16];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		snprintf(tmp, sizeof(tmp), "%s%s", prefix, de->d_name);
		names_add(ns, tmp);
		if (*prefix)	/* inner maps are found without "inner/" too */
			names_add(ns, de->d_name);
	}
	closedir(d);
}

static char *best_of(struct names *ns, const char *word)
{
	struct sg_best b;
	char *r;

	sg_init(&b, word);
	/* Not the word itself: a bundled name that is not pinned here
	 * is no better a guess. */
	for (int i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], word))
			sg_offer(&b, ns->v[i]);
	r = b.best ? strdup(b.best) : NULL;
	return r;
}

/* The names pinned in the pin directory and its inner/. */
static void pinned_names(struct names *ns, const struct map_opts *mo)
{
	char dir[PATH_MAX];

	names_from_dir(ns, mo->pin_dir, "");
	snprintf(dir, sizeof(dir), "%s/" PIN_INNER_SUBDIR, mo->pin_dir);
	names_from_dir(ns, dir, PIN_INNER_SUBDIR "/");
}

/* Did-you-mean among what is pinned in the pin directory only. */
static char *pinned_suggest(const struct map_opts *mo, const char *word)
{
	struct names ns = { 0 };
	char *r;

	pinned_names(&ns, mo);
	r = best_of(&ns, word);
	names_free(&ns);
	return r;
}

char *mapref_suggest(const struct map_opts *mo, const char *word,
		     const char *const *extra)
{
	struct names ns = { 0 };
	const char *const *bn = bundle_map_names();
	char *r;

	pinned_names(&ns, mo);
	for (; bn && *bn; bn++)
		names_add(&ns, *bn);
	for (; extra && *extra; extra++)
		names_add(&ns, *extra);
	r = best_of(&ns, word);
	names_free(&ns);
	return r;
}

/* ---- opening ---- */

/* Is fd a map (and not a program or link pinned by that name)? */
static bool fd_is_map(int fd)
{
	char line[128];

	return !fdinfo_line(fd, "map_type:", line, sizeof(line));
}

static bool fd_is_frozen(int fd)
{
	char line[128];
	int v;

	return !fdinfo_line(fd, "frozen:", line, sizeof(line)) &&
	       sscanf(line, "frozen: %d", &v) == 1 && v != 0;
}

static int not_found(const struct map_opts *mo, enum mapsel_kind kind,
		     const char *arg)
{
	struct stat st;
	char *s;
	int rc;

	switch (kind) {
	case MAPSEL_ID:
		return err_fail("no map with id %s (see 'mapsh maps --all')", arg);
	case MAPSEL_PINNED:
		return err_fail("no pinned map at %s", arg);
	case MAPSEL_KNAME:
		return err_fail("no map named '%s'", arg);
	case MAPSEL_PINNAME:
		break;
	}
	if (stat(mo->pin_dir, &st))
		return err_fail("no map '%s': %s does not exist (run 'mapsh load', or select a map with id N, pinned PATH or name NAME)",
				arg, mo->pin_dir);
	for (const char *const *bn = bundle_map_names(); bn && *bn; bn++)
		if (!strcmp(*bn, arg))
			return err_fail("no map '%s' in %s: it is one of mapsh's own maps, not loaded there (run 'mapsh load'%s)",
					arg, mo->pin_dir,
					strcmp(mo->pin_dir, MAPSH_DEFAULT_PIN_DIR) ? " with the same --pin-dir" : "");
	s = pinned_suggest(mo, arg);
	if (s)
		rc = err_fail("no map '%s' in %s (did you mean '%s'? a map is " SELECT_FORMS ")",
			      arg, mo->pin_dir, s);
	else
		rc = err_fail("no map '%s' in %s (a map is " SELECT_FORMS ")",
			      arg, mo->pin_dir);
	free(s);
	return rc;
}

/* Open arg as written. 0 with *fd set (and m->pin_path), -ENOENT when
 * there is no such map, or an exit code already printed. */
static int open_direct(const struct map_opts *mo, enum mapsel_kind kind,
		       const char *arg, struct mapref *m, int *fdp)
{
	char path[PATH_MAX];
	int fd = -1, rc;

	switch (kind) {
	case MAPSEL_PINNAME:
		if (!find_pin(mo, arg, path, sizeof(path)))
			return -ENOENT;
		rc = mapref_open_pin(path, &fd);
		if (rc == -ENOENT)
			return err_fail("cannot open %s: %s", path, strerror(ENOENT));
		if (rc)
			return rc;
		free(m->pin_path);
		m->pin_path = strdup(path);
		break;
	case MAPSEL_PINNED:
		rc = mapref_open_pin(arg, &fd);
		if (rc)
			return rc;
		free(m->pin_path);
		m->pin_path = strdup(arg);
		break;
	case MAPSEL_ID: {
		char *end;
		unsigned long id;

		errno = 0;
		id = strtoul(arg, &end, 0);
		if (*end || end == arg || errno || id > UINT32_MAX || arg[0] == '-')
			return -ENOENT;
		fd = bpf_map_get_fd_by_id((__u32)id);
		if (fd < 0) {
			if (errno == ENOENT)
				return -ENOENT;
			return errno == EPERM
			       ? err_fail("permission denied opening map id %lu: a map by id needs CAP_SYS_ADMIN (or open its pin: pinned PATH)", id)
			       : err_fail("cannot open map id %lu: %s", id, strerror(errno));
		}
		break;
	}
	case MAPSEL_KNAME:
		rc = mapref_open_kname(arg, &fd, false);
		if (rc)
			return rc;
		break;
	default:
		return -ENOENT;
	}
	if (!fd_is_map(fd)) {
		const char *what = mapref_pin_kind(fd);

		close(fd);
		return err_fail("%s is %s", arg, what);
	}
	*fdp = fd;
	return 0;
}

/* The key and value types of the inner maps of the map-of-maps variable
 * `outer` in btf (`__array(values, struct { ... })`). */
static bool inner_def_types(const struct btf *btf, const char *outer,
			    __u32 *key, __u32 *value)
{
	const struct btf_type *def = btf_find_map_def(btf, outer), *mt;
	const struct btf_member *mb;

	if (!def)
		return false;
	mb = btf_members(def);
	for (int k = 0; k < btf_vlen(def); k++, mb++) {
		const struct btf_member *im;

		if (strcmp(btf__name_by_offset(btf, mb->name_off), "values"))
			continue;
		mt = btf__type_by_id(btf, mb->type);
		if (!mt || !btf_is_array(mt))
			return false;
		mt = btf__type_by_id(btf, btf_array(mt)->type);
		if (!mt || !btf_is_ptr(mt))
			return false;
		mt = btf__type_by_id(btf, mt->type);
		if (!mt || !btf_is_struct(mt))
			return false;
		im = btf_members(mt);
		for (int j = 0; j < btf_vlen(mt); j++, im++) {
			const char *mn = btf__name_by_offset(btf, im->name_off);
			const struct btf_type *p = btf__type_by_id(btf, im->type);

			if (!p || !btf_is_ptr(p))
				continue;
			if (!strcmp(mn, "key"))
				*key = p->type;
			else if (!strcmp(mn, "value"))
				*value = p->type;
		}
		return *key || *value;
	}
	return false;
}

/* The BTF object `id` of the kernel. Like btf__load_from_kernel_by_id(),
 * but the buffer the kernel fills is zeroed first, so that valgrind (which
 * does not know that BPF_OBJ_GET_INFO_BY_FD writes through info.btf) sees
 * defined bytes rather than flagging every use of the types. */
/* Info, BTF (unless already set) and plans for an open m->fd. */
/* A display tag of the map's types that could not apply is said, once a
 * line, as the map is opened: never shown silently as something else. */
static void warn_plan_notes(const struct mapref *m, const char *what,
			    const struct tv_plan *p)
{
	const char *n = p ? tv_plan_notes(p) : NULL;

	while (n && *n) {
		const char *e = strchr(n, '\n');
		int len = e ? (int)(e - n) : (int)strlen(n);

		err_warn("%s: %s %s: %.*s", m->name, what, tv_plan_type_name(p), len, n);
		n = e ? e + 1 : n + len;
	}
}

static void warn_notes(const struct mapref *m)
{
	warn_plan_notes(m, "key", m->key);
	warn_plan_notes(m, "value", m->value);
	jrnl_note(m);	/* an interrupted write left it partly changed? */
}

static int finish(const struct map_opts *mo, struct mapref *m, bool have_btf)
{
	__u32 len = sizeof(m->info);
	unsigned flags = (mo->raw_values ? TV_RAW : 0) |
			 (mo->numeric ? TV_NUMERIC : 0);
	const struct bpf_map_info *i = &m->info;

	memset(&m->info, 0, sizeof(m->info));
	if (bpf_obj_get_info_by_fd(m->fd, &m->info, &len))
		return err_fail("%s: cannot read the map's info: %s", m->name,
				strerror(errno));
	if (!have_btf && i->btf_id &&
	    (i->btf_key_type_id || i->btf_value_type_id)) {
		/* The map carries its types: the common case. */
		m->mb.btf = btf_load_kernel(i->btf_id);
		m->mb.key_type_id = i->btf_key_type_id;
		m->mb.value_type_id = i->btf_value_type_id;
		have_btf = m->mb.btf != NULL;
	}
	if (!have_btf) {
		/* Queues, ring buffers, maps of maps, maps without BTF. */
		map_btf_free(&m->mb);
		map_btf_resolve(m->fd, &m->info, &m->mb);
		if (!m->mb.btf && i->btf_id && !caps_have(CAP_SYS_ADMIN))
			mapref_bundled_types(i, &m->mb);
	}
	m->percpu = map_type_is_percpu(i->type);
	m->ncpus = 1;
	if (m->percpu) {
		m->ncpus = libbpf_num_possible_cpus();
		if (m->ncpus < 1)
			return err_fail("cannot count the possible CPUs: %s",
					strerror(-m->ncpus));
	}
	m->stride = m->percpu ? (i->value_size + 7) / 8 * 8 : i->value_size;
	m->lookup_size = m->stride * (__u32)m->ncpus;
	m->is_array = i->type == BPF_MAP_TYPE_ARRAY ||
		      i->type == BPF_MAP_TYPE_PERCPU_ARRAY;
	m->lpm = i->type == BPF_MAP_TYPE_LPM_TRIE;
	return mapref_typed_plans(mo, m, flags);
}

static int open_sel(const struct map_opts *mo, enum mapsel_kind kind, const char *arg,
		    struct mapref *m);

/* OUTER[KEY]: the inner map stored at KEY. */
static int open_inner(const struct map_opts *mo, enum mapsel_kind kind,
		      const char *arg, const char *bracket, struct mapref *m)
{
	char *outer_arg = strndup(arg, (size_t)(bracket - arg));
	char *keytext = strndup(bracket + 1, strlen(bracket) - 2);
	struct mapref *o = calloc(1, sizeof(*o));
	__u32 inner_id = 0, ktype = 0, vtype = 0;
	void *key = NULL;
	int rc, fd;

	if (!outer_arg || !keytext || !o) {
		rc = err_fail("out of memory");
		goto out;
	}
	o->fd = -1;
	rc = open_sel(mo, kind, outer_arg, o);
	if (rc)
		goto out;
	if (o->info.type != BPF_MAP_TYPE_HASH_OF_MAPS &&
	    o->info.type != BPF_MAP_TYPE_ARRAY_OF_MAPS) {
		rc = err_usage("%s is a %s map, not a map of maps ('%s' selects an inner map)",
			       o->name, map_type_str(o->info.type), arg);
		goto out;
	}
	key = calloc(1, o->info.key_size);
	if (!key) {
		rc = err_fail("out of memory");
		goto out;
	}
	{
		char *words[64];
		int n = 0;
		char *save, *w;

		for (w = strtok_r(keytext, " \t", &save); w && n < 63;
		     w = strtok_r(NULL, " \t", &save))
			words[n++] = w;
		words[n] = NULL;
		rc = mapref_parse_key(o, NULL, n, words, key);
		if (rc)
			goto out;
	}
	if (bpf_map_lookup_elem(o->fd, key, &inner_id)) {
		struct strbuf sb = STRBUF_INIT;

		mapref_key_text(o, key, &sb);
		if (errno == ENOENT)
			rc = err_fail("%s has no inner map at key %s", o->name, sb_str(&sb));
		else
			rc = err_fail("%s: cannot look up key %s: %s", o->name,
				      sb_str(&sb), strerror(errno));
		sb_free(&sb);
		goto out;
	}
	fd = bpf_map_get_fd_by_id(inner_id);
	if (fd < 0) {
		rc = err_fail("%s: cannot open inner map id %u: %s", o->name,
			      inner_id, strerror(errno));
		goto out;
	}
	m->fd = fd;
	snprintf(m->name, sizeof(m->name), "%s%s", o->name, bracket);
	free(m->pin_path);
	m->pin_path = NULL;
	{
		struct bpf_map_info ii = { 0 };
		__u32 len = sizeof(ii);

		if (!bpf_obj_get_info_by_fd(fd, &ii, &len) &&
		    map_btf_resolve(fd, &ii, &m->mb) == 0) {
			rc = finish(mo, m, true);
			goto out;
		}
	}
	/* Inner maps are made without BTF: the outer map's definition says
	 * what they hold. */
	if (o->mb.btf && inner_def_types(o->mb.btf, o->info.name, &ktype, &vtype)) {
		m->mb.btf = o->mb.btf;
		o->mb.btf = NULL;
		m->mb.key_type_id = ktype;
		m->mb.value_type_id = vtype;
	}
	rc = finish(mo, m, true);
out:
	free(key);
	if (o)
		mapref_free(o);
	free(outer_arg);
	free(keytext);
	return rc;
}

int mapref_open_inner(const struct map_opts *mo, const struct mapref *outer,
		      __u32 inner_id, const char *name, struct mapref **out)
{
	struct mapref *m = calloc(1, sizeof(*m));
	struct bpf_map_info ii = { 0 };
	__u32 len = sizeof(ii), ktype = 0, vtype = 0;
	int rc;

	*out = NULL;
	if (!m)
		return err_fail("out of memory");
	m->fd = bpf_map_get_fd_by_id(inner_id);
	if (m->fd < 0) {
		rc = err_fail("%s: cannot open inner map id %u: %s", outer->name,
			      inner_id, strerror(errno));
		mapref_free(m);
		return rc;
	}
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->sel, sizeof(m->sel), "%s", name);
	if (bpf_obj_get_info_by_fd(m->fd, &ii, &len) ||
	    map_btf_resolve(m->fd, &ii, &m->mb)) {
		/* As open_inner: the outer map's definition types them, in
		 * a copy of its BTF (the outer map keeps its own). */
		if (outer->mb.btf &&
		    inner_def_types(outer->mb.btf, outer->info.name, &ktype, &vtype)) {
			__u32 size = 0;
			const void *raw = btf__raw_data(outer->mb.btf, &size);
			struct btf *copy = raw ? btf__new(raw, size) : NULL;

			if (copy && !libbpf_get_error(copy)) {
				m->mb.btf = copy;
				m->mb.key_type_id = ktype;
				m->mb.value_type_id = vtype;
			}
		}
	}
	rc = finish(mo, m, true);
	if (rc) {
		mapref_free(m);
		return rc;
	}
	warn_notes(m);
	*out = m;
	return EXIT_OK;
}

static int open_sel(const struct map_opts *mo, enum mapsel_kind kind, const char *arg,
		    struct mapref *m)
{
	const char *br;
	int fd = -1, rc;

	rc = open_direct(mo, kind, arg, m, &fd);
	if (rc == -ENOENT && kind == MAPSEL_PINNAME && mapref_is_section_name(arg)) {
		/* not pinned: gl_data.bss is the kernel's name for it */
		rc = mapref_open_kname(arg, &fd, true);
		if (!rc)
			kind = MAPSEL_KNAME;
	}
	if (rc == -ENOENT && (br = inner_bracket(arg)))
		return open_inner(mo, kind, arg, br, m);
	if (rc == -ENOENT)
		return not_found(mo, kind, arg);
	if (rc)
		return rc;
	m->fd = fd;
	switch (kind) {
	case MAPSEL_PINNAME:
	case MAPSEL_KNAME:
		snprintf(m->name, sizeof(m->name), "%s", arg);
		break;
	default:
		m->name[0] = '\0';
		break;
	}
	rc = finish(mo, m, false);
	if (!rc && !m->name[0]) {
		if (m->info.name[0])
			snprintf(m->name, sizeof(m->name), "%s", m->info.name);
		else
			snprintf(m->name, sizeof(m->name), "map %u", m->info.id);
	}
	return rc;
}

const char *mapref_sel(const struct mapref *m)
{
	return m->sel[0] ? m->sel : m->name;
}

int mapref_open(const struct map_opts *mo, const struct mapsel *sel, struct mapref **out)
{
	struct mapref *m = calloc(1, sizeof(*m));
	int rc;

	*out = NULL;
	if (!m)
		return err_fail("out of memory");
	m->fd = -1;
	rc = open_sel(mo, sel->kind, sel->arg, m);
	if (rc) {
		mapref_free(m);
		return rc;
	}
	snprintf(m->sel, sizeof(m->sel), "%s%s",
		 sel->kind == MAPSEL_ID ? "id " : sel->kind == MAPSEL_PINNED ?
		 "pinned " : sel->kind == MAPSEL_KNAME ? "name " : "", sel->arg);
	warn_notes(m);
	*out = m;
	return EXIT_OK;
}

int mapref_parse(const struct map_opts *mo, int argc, char **argv, int *consumed,
		 struct mapref **out)
{
	struct mapsel sel;
	int n = mapsel_parse(argc, argv, &sel);

	*out = NULL;
	if (n < 0)
		return EXIT_USAGE;
	*consumed = n;
	return mapref_open(mo, &sel, out);
}

void mapref_free(struct mapref *m)
{
	if (!m)
		return;
	if (m->fd >= 0)
		close(m->fd);
	tv_plan_free(m->key);
	tv_plan_free(m->value);
	map_btf_free(&m->mb);
	free(m->pin_path);
	free(m);
}

/* ---- keys ---- */

static __u32 lpm_addr_len(const struct mapref *m)
{
	if (m->info.key_size == 8)
		return 4;
	if (m->info.key_size == 20)
		return 16;
	return 0;
}

static bool looks_like_cidr(const char *s)
{
	if (strchr(s, '=') || s[0] == '{' || s[0] == '[' || s[0] == '"' ||
	    !strcmp(s, "hex"))
		return false;
	return strchr(s, '.') || strchr(s, ':');
}

/* "ADDR[/LEN]" into an LPM key: typed through tval, raw by hand. */
static int lpm_parse(const struct mapref *m, const char *text, void *buf,
		     struct strbuf *err)
{
	__u32 alen = lpm_addr_len(m);
	char tmp[128];

	const char *slash = strchr(text, '/');

	/* (an address of the other family is tval's to name) */
	if (slash && alen && isdigit((unsigned char)slash[1]) &&
	    (alen == 16) == (memchr(text, ':', (size_t)(slash - text)) != NULL)) {
		unsigned long long plen = strtoull(slash + 1, NULL, 10);

		if (plen > alen * 8) {
			sb_addf(err, "%.*s: prefix length %s is over %u",
				64, text, slash + 1, alen * 8);
			return -EINVAL;
		}
	}
	if (!slash && alen)
		snprintf(tmp, sizeof(tmp), "%s/%u", text, alen * 8);
	else
		snprintf(tmp, sizeof(tmp), "%s", text);
	if (!tv_plan_is_raw(m->key))
		return tv_parse_cidr_key(m->key, tmp, buf, err);
	{
		char addr[128], *slash, *end;
		unsigned long len;
		__u32 plen;
		int af = alen == 4 ? AF_INET : AF_INET6;

		snprintf(addr, sizeof(addr), "%s", tmp);
		slash = strchr(addr, '/');
		*slash = '\0';
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (*end || end == slash + 1 || errno || len > alen * 8) {
			sb_addf(err, "%s: the prefix length must be 0..%u", text, alen * 8);
			return -EINVAL;
		}
		if (inet_pton(af, addr, (char *)buf + 4) != 1) {
			sb_addf(err, "%s: not an IPv%d prefix", text, alen == 4 ? 4 : 6);
			return -EINVAL;
		}
		plen = (__u32)len;
		memcpy(buf, &plen, 4);
		/* Clear the host bits, as tval does for typed keys. */
		for (__u32 b = plen; b < alen * 8; b++)
			((unsigned char *)buf)[4 + b / 8] &= (unsigned char)~(0x80 >> (b % 8));
	}
	return 0;
}

int mapref_parse_key(const struct mapref *m, const char *verb, int argc,
		     char **argv, void *buf)
{
	struct strbuf err = STRBUF_INIT;
	int rc;

	if (!m->key)
		return err_usage("%s: %s maps have no keys", m->name,
				 map_type_str(m->info.type));
	memset(buf, 0, m->info.key_size);
	if (!verb)	/* OUTER[KEY] */
		verb = "[KEY]";
	if (argc == 0)
		return err_usage("%s %s: no key given (expected %s)", m->name,
				 verb, tv_plan_type_name(m->key));
	if (m->lpm && argc == 1 && looks_like_cidr(argv[0]) &&
	    (lpm_addr_len(m) && (tv_plan_is_raw(m->key) || tv_plan_is_lpm_key(m->key)))) {
		rc = lpm_parse(m, argv[0], buf, &err);
	} else {
		/* key.@uncovered=0x.. as plain rows print it: the key's own */
		char **w = malloc(((size_t)argc + 1) * sizeof(*w));

		if (!w)
			return err_fail("out of memory");
		for (int i = 0; i < argc; i++)
			w[i] = strncmp(argv[i], "key.@uncovered=", 15) ? argv[i] : argv[i] + 4;
		w[argc] = NULL;
		rc = tv_parse_args(m->key, argc, w, buf, TV_PARSE_ALL, &err);
		free(w);
	}
	if (rc) {
		memset(buf, 0, m->info.key_size);
		rc = err_usage("%s %s: %s", m->name, verb,
			       err.len ? sb_str(&err) : "not a valid key");
		sb_free(&err);
		return rc;
	}
	sb_free(&err);
	if (m->lpm && m->info.key_size > 4) {
		/* Every form (prefixlen=N, JSON, hex): the kernel's EINVAL
		 * would not say which field. */
		__u32 plen, bits = (m->info.key_size - 4) * 8;

		memcpy(&plen, buf, 4);
		if (plen > bits) {
			memset(buf, 0, m->info.key_size);
			return err_usage("%s %s: prefix length %u is over %u (the key's address has %u bits)",
					 m->name, verb, plen, bits, bits);
		}
	}
	if (m->is_array && m->info.key_size == 4) {
		__u32 idx;

		memcpy(&idx, buf, 4);
		if (idx >= m->info.max_entries)
			return err_fail("%s: no element %u (%s has %u elements: 0..%u)",
					m->name, idx, m->name, m->info.max_entries,
					m->info.max_entries - 1);
	}
	return EXIT_OK;
}

bool mapref_lpm_text(const struct mapref *m, const void *key,
		     struct strbuf *sb)
{
	__u32 alen = lpm_addr_len(m), plen;
	char addr[INET6_ADDRSTRLEN];

	if (!m->lpm || !alen || !m->key)
		return false;
	memcpy(&plen, key, 4);
	if (!tv_plan_is_raw(m->key)) {
		const struct tv_leaf *a = NULL;

		if (!tv_plan_is_lpm_key(m->key))
			return false;
		for (uint32_t i = 0; i < tv_plan_nleaves(m->key); i++) {
			const struct tv_leaf *l = tv_plan_leaf(m->key, i);

			if (l->offset == 4 && l->size == alen)
				a = l;
		}
		if (!a)
			return false;
		if (a->fmt == TV_FMT_IPV4 || a->fmt == TV_FMT_IPV6) {
			tv_leaf_format_text(a, key, sb);
			sb_addf(sb, "/%u", plen);
			return true;
		}
	}
	if (!inet_ntop(alen == 4 ? AF_INET : AF_INET6, (const char *)key + 4,
		       addr, sizeof(addr)))
		return false;
	sb_addf(sb, "%s/%u", addr, plen);
	return true;
}

void mapref_key_text(const struct mapref *m, const void *key,
		     struct strbuf *sb)
{
	if (mapref_lpm_text(m, key, sb))
		return;
	if (m->key)
		tv_format_text(m->key, key, sb);
}

void mapref_set_clock(const struct mapref *m, uint64_t now_mono,
		      uint64_t now_real)
{
	if (m->key)
		tv_plan_set_clock(m->key, now_mono, now_real);
	if (m->value)
		tv_plan_set_clock(m->value, now_mono, now_real);
}

void mapref_fix_clock(const struct mapref *m)
{
	struct timespec mono, real;
	uint64_t nm, nr;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	nm = (uint64_t)mono.tv_sec * 1000000000ull + (uint64_t)mono.tv_nsec;
	nr = (uint64_t)real.tv_sec * 1000000000ull + (uint64_t)real.tv_nsec;
	mapref_set_clock(m, nm, nr);
}

long long mapref_count(const struct mapref *m)
{
	struct mapiter it;
	const void *k, *v;
	long long n = 0;

	if (m->is_array)
		return m->info.max_entries;
	if (!map_type_is_hash_like(m->info.type) &&
	    m->info.type != BPF_MAP_TYPE_ARRAY_OF_MAPS)
		return -1;
	if (mapiter_init(&it, m->fd, m->info.key_size,
			 m->lookup_size ? m->lookup_size : 8, m->info.max_entries))
		return -1;
	/* A batch over a map of maps stops at the first empty slot. */
	if (m->info.type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	    m->info.type == BPF_MAP_TYPE_HASH_OF_MAPS)
		it.batch = false;
	else if (m->info.max_entries > it.chunk)
		mapiter_prefetch(&it);	/* split over CPUs for big hash maps */
	while (mapiter_next(&it, &k, &v) > 0)
		n++;
	if (it.err)
		n = -1;
	mapiter_fini(&it);
	return n;
}

bool mapref_is_frozen(const struct mapref *m)
{
	return fd_is_frozen(m->fd);
}

