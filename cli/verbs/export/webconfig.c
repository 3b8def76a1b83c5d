// SPDX-License-Identifier: GPL-2.0
/* `export --web-config FILE`: TLS and basic auth in the YAML file that
 * Prometheus exporters take (--web.config.file), read with libyaml:
 *
 *   tls_server_config:
 *     cert_file: /etc/mapsh/export.crt
 *     key_file: /etc/mapsh/export.key
 *   basic_auth_users:
 *     prometheus: $2y$10$...        # bcrypt, as htpasswd -B makes it
 *
 * As in the exporters, an unknown key is an error (a typo must not turn
 * auth off), and passwords are bcrypt hashes checked with crypt(3).
 * Client certificates are not supported: their keys are refused. */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "verbs/export/export.h"
#include "base/err.h"

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A whole file read into memory (a PEM certificate or key). */
static int slurp(const char *cfg, const char *what, const char *path, char **out)
{
	FILE *fp = fopen(path, "r");
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;

	if (!fp)
		return err_fail("export: --web-config %s: %s %s: %s", cfg, what, path,
				strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sb_add(&sb, buf, n);
	if (ferror(fp)) {
		int e = errno;

		fclose(fp);
		sb_free(&sb);
		return err_fail("export: --web-config %s: %s %s: %s", cfg, what, path,
				strerror(e));
	}
	fclose(fp);
	*out = xstrdup(sb_str(&sb));
	sb_free(&sb);
	return EXIT_OK;
}

static int load_tls(const char *path, yaml_document_t *doc, yaml_node_t *map,
		    struct xweb *w)
{
	const char *cert = NULL, *key = NULL;

	if (map->type != YAML_MAPPING_NODE)
		return err_usage("export: --web-config %s: tls_server_config must be a mapping (cert_file, key_file)",
				 path);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(doc, p->key));
		const char *v = scalar(yaml_document_get_node(doc, p->value));

		if (!k)
			return err_usage("export: --web-config %s: tls_server_config: keys must be names", path);
		if (!strcmp(k, "client_ca_file") || !strcmp(k, "client_auth_type") ||
		    !strcmp(k, "client_allowed_sans"))
			return err_usage("export: --web-config %s: tls_server_config.%s: client certificates are not supported (expected cert_file and key_file)",
					 path, k);
		if (strcmp(k, "cert_file") && strcmp(k, "key_file"))
			return err_usage("export: --web-config %s: tls_server_config: unknown key '%s' (expected cert_file or key_file)",
					 path, k);
		if (!v || !*v)
			return err_usage("export: --web-config %s: tls_server_config.%s must be a file name",
					 path, k);
		if (!strcmp(k, "cert_file"))
			cert = v;
		else
			key = v;
	}
	if (!cert || !key)
		return err_usage("export: --web-config %s: tls_server_config needs both cert_file and key_file",
				 path);
	if (slurp(path, "cert_file", cert, &w->cert_pem) ||
	    slurp(path, "key_file", key, &w->key_pem))
		return EXIT_FAIL;
	return EXIT_OK;
}

static int load_users(const char *path, yaml_document_t *doc, yaml_node_t *map,
		      struct xweb *w)
{
	size_t n;

	if (map->type != YAML_MAPPING_NODE)
		return err_usage("export: --web-config %s: basic_auth_users must be a mapping of user: bcrypt hash",
				 path);
	n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	w->users = calloc(n + 1, sizeof(*w->users));
	w->hashes = calloc(n + 1, sizeof(*w->hashes));
	w->ok = calloc(n + 1, sizeof(*w->ok));
	if (!w->users || !w->hashes || !w->ok)
		abort();
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(doc, p->key));
		const char *v = scalar(yaml_document_get_node(doc, p->value));

		if (!k || !*k || strchr(k, ':'))
			return err_usage("export: --web-config %s: basic_auth_users: a user name must be a non-empty word without ':'",
					 path);
		/* bcrypt only, as the exporters: $2a$, $2b$ or $2y$. */
		if (!v || strncmp(v, "$2", 2) || !v[2] || v[3] != '$' ||
		    !strchr("aby", v[2]))
			return err_usage("export: --web-config %s: basic_auth_users.%s: expected a bcrypt hash ($2y$..., as 'htpasswd -nBC 10 USER' makes it)",
					 path, k);
		for (size_t i = 0; i < w->nusers; i++)
			if (!strcmp(w->users[i], k))
				return err_usage("export: --web-config %s: basic_auth_users: '%s' is given twice",
						 path, k);
		w->users[w->nusers] = xstrdup(k);
		w->hashes[w->nusers++] = xstrdup(v);
	}
	return EXIT_OK;
}

int xw_load(const char *path, struct xweb *w)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	FILE *fp;
	int rc = EXIT_OK;

	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	fp = fopen(path, "r");
	if (!fp)
		return err_fail("export: --web-config %s: %s", path, strerror(errno));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = err_usage("export: --web-config %s:%zu:%zu: %s", path,
			       parser.problem_mark.line + 1,
			       parser.problem_mark.column + 1,
			       parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		fclose(fp);
		return rc;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE) {
		rc = err_usage("export: --web-config %s: expected a mapping with tls_server_config and basic_auth_users",
			       path);
	} else if (root) {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
		     !rc && p < root->data.mapping.pairs.top; p++) {
			const char *k = scalar(yaml_document_get_node(&doc, p->key));
			yaml_node_t *v = yaml_document_get_node(&doc, p->value);

			if (k && !strcmp(k, "tls_server_config"))
				rc = load_tls(path, &doc, v, w);
			else if (k && !strcmp(k, "basic_auth_users"))
				rc = load_users(path, &doc, v, w);
			else
				rc = err_usage("export: --web-config %s: unknown key '%s' (expected tls_server_config or basic_auth_users)",
					       path, k ? k : "?");
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(fp);
	return rc;
}

/* Constant time in the length of a, so a wrong password's prefix is not
 * told by how long the comparison took. */
static bool same(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char d = na != nb;

	for (size_t i = 0; i < na; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)(i < nb ? b[i] : 0);
	return !d;
}

bool xw_auth_ok(struct xweb *w, const char *user, const char *pw)
{
	struct crypt_data *cd;
	const char *h;
	bool ok = false;
	size_t i;

	if (!user || !pw)
		return false;
	for (i = 0; i < w->nusers; i++)
		if (!strcmp(w->users[i], user))
			break;
	if (i == w->nusers)
		return false;
	/* bcrypt costs tens of milliseconds on purpose; a scraper sends the
	 * same password every few seconds, so the last one that matched is
	 * kept (as the exporters cache theirs). */
	pthread_mutex_lock(&w->mu);
	ok = w->ok[i] && same(pw, w->ok[i]);
	pthread_mutex_unlock(&w->mu);
	if (ok)
		return true;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return false;
	h = crypt_r(pw, w->hashes[i], cd);
	ok = h && h[0] != '*' && same(h, w->hashes[i]);
	free(cd);
	if (ok) {
		pthread_mutex_lock(&w->mu);
		free(w->ok[i]);
		w->ok[i] = xstrdup(pw);
		pthread_mutex_unlock(&w->mu);
	}
	return ok;
}

void xw_free(struct xweb *w)
{
	for (size_t i = 0; i < w->nusers; i++) {
		free(w->users[i]);
		free(w->hashes[i]);
		free(w->ok[i]);
	}
	free(w->users);
	free(w->hashes);
	free(w->ok);
	free(w->cert_pem);
	free(w->key_pem);
	pthread_mutex_destroy(&w->mu);
	memset(w, 0, sizeof(*w));
}
