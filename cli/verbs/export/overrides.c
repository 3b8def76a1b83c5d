// SPDX-License-Identifier: GPL-2.0
/* `export --overrides FILE`: which maps and fields, renames and extra
 * labels, in a JSON file read with jansson:
 *
 *   { "labels": { "cluster": "eu1" },
 *     "maps": { "flows": { "fields": ["packets"],
 *                          "rename": { "packets": "pkts" },
 *                          "labels": { "team": "net" },
 *                          "drop_labels": ["sport"] } } }
 *
 * Nothing in it is needed: without it every numeric field of every map is
 * exported under its own name. Errors are one line naming the file, the
 * place in it and what was expected. */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "verbs/export/export.h"
#include "base/err.h"
#include "base/suggest.h"

static bool label_name_ok(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9') || !strncmp(s, "__", 2))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* `name="value",...` of a JSON object of strings. */
static int add_labels(const char *path, const char *where, json_t *obj,
		      struct strbuf *sb)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj))
		return err_usage("export: %s: %s must be an object of label names and strings",
				 path, where);
	json_object_foreach(obj, k, v) {
		if (!label_name_ok(k))
			return err_usage("export: %s: %s: '%s' is not a label name (expected [a-zA-Z_][a-zA-Z0-9_]*)",
					 path, where, k);
		if (!json_is_string(v))
			return err_usage("export: %s: %s.%s must be a string", path, where, k);
		if (sb->len)
			sb_addc(sb, ',');
		sb_addf(sb, "%s=\"", k);
		xp_label_value(sb, json_string_value(v));
		sb_addc(sb, '"');
	}
	return EXIT_OK;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static int load_map(const char *path, const char *name, json_t *obj,
		    struct xover_map *om)
{
	char where[200];
	const char *k;
	json_t *v;

	om->name = xstrdup(name);
	sb_init(&om->labels);
	if (!json_is_object(obj))
		return err_usage("export: %s: maps.%s must be an object (fields, rename, labels, drop_labels)",
				 path, name);
	json_object_foreach(obj, k, v) {
		snprintf(where, sizeof(where), "maps.%s.%s", name, k);
		if (!strcmp(k, "fields")) {
			size_t i;
			json_t *f;

			if (!json_is_array(v))
				return err_usage("export: %s: %s must be an array of field names", path, where);
			om->fields = calloc(json_array_size(v) + 1, sizeof(char *));
			if (!om->fields)
				abort();
			om->has_fields = true;
			json_array_foreach(v, i, f) {
				if (!json_is_string(f))
					return err_usage("export: %s: %s[%zu] must be a field name (a string)",
							 path, where, i);
				om->fields[om->nfields++] = xstrdup(json_string_value(f));
			}
		} else if (!strcmp(k, "rename")) {
			const char *from;
			json_t *to;

			if (!json_is_object(v))
				return err_usage("export: %s: %s must be an object of field: new name", path, where);
			om->ren_from = calloc(json_object_size(v) + 1, sizeof(char *));
			om->ren_to = calloc(json_object_size(v) + 1, sizeof(char *));
			if (!om->ren_from || !om->ren_to)
				abort();
			json_object_foreach(v, from, to) {
				if (!json_is_string(to) || !label_name_ok(json_string_value(to)))
					return err_usage("export: %s: %s.%s must be a metric name part ([a-zA-Z_][a-zA-Z0-9_]*)",
							 path, where, from);
				om->ren_from[om->nren] = xstrdup(from);
				om->ren_to[om->nren++] = xstrdup(json_string_value(to));
			}
		} else if (!strcmp(k, "labels")) {
			if (add_labels(path, where, v, &om->labels))
				return EXIT_USAGE;
		} else if (!strcmp(k, "drop_labels")) {
			size_t i;
			json_t *f;

			if (!json_is_array(v))
				return err_usage("export: %s: %s must be an array of key field names", path, where);
			om->drops = calloc(json_array_size(v) + 1, sizeof(char *));
			if (!om->drops)
				abort();
			json_array_foreach(v, i, f) {
				if (!json_is_string(f))
					return err_usage("export: %s: %s[%zu] must be a key field name (a string)",
							 path, where, i);
				om->drops[om->ndrops++] = xstrdup(json_string_value(f));
			}
		} else {
			return err_usage("export: %s: maps.%s: unknown key '%s' (expected fields, rename, labels or drop_labels)",
					 path, name, k);
		}
	}
	return EXIT_OK;
}

int xo_load(const char *path, struct xover *o)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	const char *k;
	json_t *v;
	int rc = EXIT_OK;

	memset(o, 0, sizeof(*o));
	o->path = path;
	sb_init(&o->labels);
	if (!root) {
		if (je.line < 1)
			return err_fail("export: --overrides %s: %s", path, je.text);
		return err_usage("export: --overrides %s:%d:%d: %s", path, je.line,
				 je.column, je.text);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return err_usage("export: %s: expected a JSON object with maps and labels", path);
	}
	json_object_foreach(root, k, v) {
		if (!strcmp(k, "labels")) {
			rc = add_labels(path, "labels", v, &o->labels);
		} else if (!strcmp(k, "maps")) {
			const char *mn;
			json_t *mv;

			if (!json_is_object(v)) {
				rc = err_usage("export: %s: maps must be an object of map names", path);
				break;
			}
			o->maps = calloc(json_object_size(v) + 1, sizeof(*o->maps));
			if (!o->maps)
				abort();
			json_object_foreach(v, mn, mv) {
				rc = load_map(path, mn, mv, &o->maps[o->nmaps++]);
				if (rc)
					break;
			}
		} else {
			rc = err_usage("export: %s: unknown key '%s' (expected maps or labels)", path, k);
		}
		if (rc)
			break;
	}
	json_decref(root);
	return rc;
}

const struct xover_map *xo_find(const struct xover *o, const char *map)
{
	for (int i = 0; o && i < o->nmaps; i++)
		if (!strcmp(o->maps[i].name, map))
			return &o->maps[i];
	return NULL;
}

const char *xo_rename(const struct xover_map *om, const char *field)
{
	for (int i = 0; om && i < om->nren; i++)
		if (!strcmp(om->ren_from[i], field))
			return om->ren_to[i];
	return NULL;
}

bool xo_wants(const struct xover_map *om, const char *field)
{
	if (!om || !om->has_fields)
		return true;
	for (int i = 0; i < om->nfields; i++)
		if (!strcmp(om->fields[i], field))
			return true;
	return false;
}

bool xo_drops(const struct xover_map *om, const char *key_field)
{
	for (int i = 0; om && i < om->ndrops; i++)
		if (!strcmp(om->drops[i], key_field))
			return true;
	return false;
}

void xo_free(struct xover *o)
{
	for (int i = 0; i < o->nmaps; i++) {
		struct xover_map *om = &o->maps[i];

		for (int j = 0; j < om->nfields; j++)
			free(om->fields[j]);
		for (int j = 0; j < om->nren; j++) {
			free(om->ren_from[j]);
			free(om->ren_to[j]);
		}
		for (int j = 0; j < om->ndrops; j++)
			free(om->drops[j]);
		free(om->drops);
		free(om->fields);
		free(om->ren_from);
		free(om->ren_to);
		free(om->name);
		sb_free(&om->labels);
	}
	free(o->maps);
	sb_free(&o->labels);
	memset(o, 0, sizeof(*o));
}
