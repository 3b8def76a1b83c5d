/* SPDX-License-Identifier: GPL-2.0 */
/* `mapsh export`: maps as Prometheus / OpenMetrics metrics, typed from BTF.
 *
 * collect.c reads every exported map once (batch lookups, never a write)
 * and prints one exposition in the Prometheus text format 0.0.4;
 * om_from_text() turns it into OpenMetrics 1.0 (counter families lose
 * their _total in the TYPE/HELP lines, # EOF at the end). http.c serves
 * it with libmicrohttpd; export.c is the command. */
#ifndef MAPSH_EXPORT_H
#define MAPSH_EXPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "cmd/cmd.h"
#include "map/mapref.h"
#include "base/strbuf.h"

#define EXPORT_DEFAULT_PORT 9847
#define EXPORT_DEFAULT_LISTEN "127.0.0.1:9847"

enum {
	XOPT_ONCE, XOPT_TEXTFILE, XOPT_LISTEN, XOPT_PREFIX, XOPT_PER_CPU,
	XOPT_MAX_SERIES, XOPT_OVERRIDES, XOPT_WEB_CONFIG,
};
extern const struct opt_spec export_opts[];

#define EXPORT_DESCRIPTION \
	"Serves the maps on http://" EXPORT_DEFAULT_LISTEN "/metrics (--listen) in the\n" \
	"Prometheus text format, or OpenMetrics when the scraper's Accept header asks\n" \
	"for it, until SIGINT or SIGTERM; --once prints one exposition instead, and\n" \
	"--textfile FILE writes one atomically. Without MAP, every bundled map with\n" \
	"counters that is pinned; any map works (NAME, id N, pinned PATH, name NAME).\n" \
	"No configuration: the value's BTF types the series. One series per numeric\n" \
	"field, named PREFIX_MAP_FIELD: counter fields (mapsh:counter tags, and the\n" \
	"guessed packets/bytes/... names) are counters (_total), other integers\n" \
	"gauges; addresses, enums, flags and times are no values; an integer array\n" \
	"named ..hist.., slots or buckets is a histogram of log2 slots (le 0, 1, 3,\n" \
	"7, ...: slot i counts values of bit length i); one tagged mapsh:linhist=MIN,STEP\n" \
	"has linear buckets (le MIN+STEP-1, ...); a sum, total or *_sum field beside it\n" \
	"is its _sum. The key's fields\n" \
	"are the labels, formatted as mapsh shows them (a scalar key: label key).\n" \
	"Per-CPU values are summed (--per-cpu: a cpu label); array slots that are all\n" \
	"zero are left out. Per map: PREFIX_map_up, _map_entries, _map_max_entries,\n" \
	"_map_memory_bytes, for ring buffers _map_fill_ratio, and for queues and\n" \
	"stacks _map_nonempty (1 when an element waits: the kernel keeps no count\n" \
	"of them, and a peek is all that reads one without taking it). A missing or\n" \
	"reloaded map is reported (map_up 0, a line on stderr) and picked up again.\n" \
	"Maps are read with batch lookups, concurrent scrapes share one read, and\n" \
	"nothing is written. --overrides FILE (JSON, all optional):\n" \
	"  {\"labels\": {\"cluster\": \"eu1\"},\n" \
	"   \"maps\": {\"flows\": {\"fields\": [\"packets\"], \"rename\": {\"packets\": \"pkts\"},\n" \
	"                        \"labels\": {\"team\": \"net\"}, \"drop_labels\": [\"sport\"]}}}\n" \
	"exports only the fields listed, under the new names, with the extra labels,\n" \
	"without the key fields dropped (entries that then share their labels are one\n" \
	"series, their values added up, as sum without(sport) would);\n" \
	"without MAP, the maps it names. Exit 2 for bad usage or a bad overrides\n" \
	"file, 1 for an unknown map, a map with nothing numeric or a port in use.\n" \
	"--web-config FILE: TLS and basic auth in the YAML of Prometheus exporters'\n" \
	"web configuration (tls_server_config: cert_file, key_file; basic_auth_users:\n" \
	"USER: BCRYPT-HASH, as htpasswd -nBC 10 USER makes it); an unknown key is an\n" \
	"error; a scrape without the right user and password gets 401."

int do_export(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv);

/* The --overrides file (overrides.c): per map the fields to export (all
 * when has_fields is false), renames of fields, extra labels; extra labels
 * for every series. Labels are kept rendered: `a="x",b="y"`. */
struct xover_map {
	char *name;
	bool has_fields;
	char **fields;
	int nfields;
	char **ren_from, **ren_to;
	int nren;
	char **drops;		/* key fields that are no label */
	int ndrops;
	struct strbuf labels;
};
struct xover {
	const char *path;
	struct xover_map *maps;
	int nmaps;
	struct strbuf labels;
};
/* EXIT_OK, or EXIT_USAGE / EXIT_FAIL after one line. */
int xo_load(const char *path, struct xover *o);
const struct xover_map *xo_find(const struct xover *o, const char *map);
/* The new name of a field, or NULL. */
const char *xo_rename(const struct xover_map *om, const char *field);
bool xo_wants(const struct xover_map *om, const char *field);
/* Is the key field no label (drop_labels)? Entries that then share their
 * labels are one series, their values added up. */
bool xo_drops(const struct xover_map *om, const char *key_field);
void xo_free(struct xover *o);

/* --web-config FILE (webconfig.c): the exporters' YAML web configuration,
 * TLS (the PEM files read) and basic auth users with bcrypt hashes. */
struct xweb {
	char *cert_pem, *key_pem;	/* NULL: plain HTTP */
	char **users, **hashes;
	char **ok;		/* per user, the last password that matched */
	size_t nusers;		/* 0: no auth */
	pthread_mutex_t mu;
};
/* EXIT_OK, or EXIT_USAGE / EXIT_FAIL after one line. */
int xw_load(const char *path, struct xweb *w);
/* Is (user, pw) one of the basic_auth_users? */
bool xw_auth_ok(struct xweb *w, const char *user, const char *pw);
void xw_free(struct xweb *w);

/* One exported map: the selector as given (to open it again after it went
 * away), the open map or NULL while it is missing. */
struct xmap {
	struct mapsel sel;
	char name[128];		/* in metric names: "flows" */
	struct mapref *m;
	const struct xover_map *om;	/* its overrides, or NULL */
	bool missing_said;	/* its absence was said on stderr */
};

struct xport {
	struct map_opts mo;
	const char *prefix;	/* "mapsh" */
	bool per_cpu;
	bool follow;		/* long-running: follow pins, reopen maps */
	unsigned long long max_series;	/* 0: no cap */
	unsigned long long dropped_total;	/* series left out, all scrapes */
	unsigned long long reads;	/* collections done */
	bool cap_said;
	const struct xover *ov;	/* --overrides, or NULL */
	struct xweb *web;	/* --web-config, or NULL */
	int nmaps;
	struct xmap *maps;
};

/* Read every map of x and append one exposition (text format 0.0.4). */
void xp_collect(struct xport *x, struct strbuf *out);
/* The same, handing out to flush (which must empty it) whenever it holds
 * a few hundred KB: a large exposition is written as it is made. */
typedef void (*xp_flush_fn)(void *arg, struct strbuf *out);
void xp_collect_to(struct xport *x, struct strbuf *out, xp_flush_fn flush,
		   void *arg);
struct tvf;
/* labels.c: a metric or label name from s ([a-zA-Z0-9_], others '_'). */
void xp_add_name(struct strbuf *sb, const char *s);
/* The label names of a key's fields, `a="` each (empty for the fields
 * that are no label, or dropped by om), one per leaf of m's key plan. */
struct strbuf *xp_key_label_names(const struct mapref *m,
				  const struct xover_map *om);
/* Per key field a compiled program printing it, or NULL. */
struct tvf **xp_key_label_progs(const struct mapref *m);
/* The labels of one key: `a="..",b=".."` (no braces). */
void xp_key_labels(const struct mapref *m, const struct strbuf *names,
		   struct tvf *const *progs, const void *key,
		   struct strbuf *lab, struct strbuf *tmp);
/* s as a label value (without the quotes): \\, \" and \n escaped. */
void xp_label_value(struct strbuf *sb, const char *s);
/* The OpenMetrics form of a text exposition that xp_collect printed. */
void om_from_text(const char *text, struct strbuf *out);
/* Does the value of m have a field that becomes a series? */
bool xp_has_values(const struct xport *x, const struct mapref *m);
/* Does the plan have a counter field? (bundled maps without MAP) */
bool xp_plan_has_counter(const struct tv_plan *p, bool guess);

/* Do the overrides of xm name fields its value has (numeric ones)?
 * EXIT_OK, or EXIT_USAGE after one line. */
int xp_check_overrides(const struct xport *x, const struct xmap *xm);

/* Serve /metrics on listen (ADDR:PORT) until SIGINT/SIGTERM. */
int xp_serve(struct xport *x, const char *listen);

#endif
