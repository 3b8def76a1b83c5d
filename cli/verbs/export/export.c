// SPDX-License-Identifier: GPL-2.0
/* `mapsh export [MAP...]`: the command. Picks the maps (the named ones, or
 * every bundled map with counters that is pinned), then prints one
 * exposition (--once), writes it atomically (--textfile) or serves it
 * (http.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "verbs/export/export.h"
#include "map/bundle.h"
#include "base/err.h"

const struct opt_spec export_opts[] = {
	[XOPT_ONCE] = { "once", 0, NULL, "print one exposition on standard output and exit" },
	[XOPT_TEXTFILE] = { "textfile", 0, "FILE", "write one exposition to FILE atomically (a temporary file renamed), for node_exporter's textfile collector",
			    COMPLETE_FILE },
	[XOPT_LISTEN] = { "listen", 'l', "ADDR:PORT", "serve /metrics on ADDR:PORT (default " EXPORT_DEFAULT_LISTEN "; PORT alone: 127.0.0.1:PORT; :PORT: every address)" },
	[XOPT_PREFIX] = { "prefix", 0, "PREFIX", "metric names begin PREFIX_ (default mapsh)" },
	[XOPT_PER_CPU] = { "per-cpu", 0, NULL, "per-CPU maps: one series per CPU with a cpu label instead of their sum" },
	[XOPT_MAX_SERIES] = { "max-series", 0, "N", "at most N series of map entries per scrape; the rest are left out and counted" },
	[XOPT_OVERRIDES] = { "overrides", 0, "FILE", "a JSON file: which maps and fields, renames, extra labels (see the description)",
			     COMPLETE_FILE },
	[XOPT_WEB_CONFIG] = { "web-config", 0, "FILE", "TLS and basic auth for --listen, in the YAML web configuration file of Prometheus exporters (tls_server_config: cert_file, key_file; basic_auth_users: USER: BCRYPT-HASH)",
			      COMPLETE_FILE },
	{ NULL },
};

static bool good_prefix(const char *p)
{
	if (!*p || (*p >= '0' && *p <= '9'))
		return false;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == ':'))
			return false;
	return true;
}

static void add_map(struct xport *x, const struct mapsel *sel, struct mapref *m,
		    const char *name)
{
	struct xmap *n = realloc(x->maps, (x->nmaps + 1) * sizeof(*n));

	if (!n)
		abort();
	x->maps = n;
	n = &x->maps[x->nmaps++];
	memset(n, 0, sizeof(*n));
	n->sel = *sel;
	n->m = m;
	snprintf(n->name, sizeof(n->name), "%s", name);
}

/* The map's name in metric names: NAME as given, else the kernel's. */
static const char *metric_map_name(const struct mapsel *sel,
				   const struct mapref *m)
{
	if (sel->kind == MAPSEL_PINNAME)
		return sel->arg;
	return m->info.name[0] ? m->info.name : "map";
}

/* --textfile: the exposition written to a temporary file as it is made. */
struct tfile {
	FILE *fp;
	int err;	/* errno of the first failed write */
};

static void tfile_flush(void *arg, struct strbuf *sb)
{
	struct tfile *t = arg;

	errno = 0;
	if (!t->err && fwrite(sb->buf, 1, sb->len, t->fp) != sb->len)
		t->err = errno ? errno : EIO;
	sb_reset(sb);
}

static int write_textfile(struct xport *x, const char *path)
{
	struct strbuf tmp = STRBUF_INIT, sb = STRBUF_INIT;
	struct tfile t = { 0 };
	int rc = EXIT_OK;

	sb_addf(&tmp, "%s.tmp.%d", path, (int)getpid());
	t.fp = fopen(sb_str(&tmp), "w");
	if (!t.fp) {
		rc = err_fail("export: --textfile %s: cannot write %s: %s", path,
			      sb_str(&tmp), strerror(errno));
		goto out;
	}
	xp_collect_to(x, &sb, tfile_flush, &t);
	tfile_flush(&t, &sb);
	if (!t.err && (fflush(t.fp) || fsync(fileno(t.fp))))
		t.err = errno;
	if (t.err) {
		rc = err_fail("export: --textfile %s: %s", path, strerror(t.err));
		fclose(t.fp);
		unlink(sb_str(&tmp));
		goto out;
	}
	if (fclose(t.fp) || rename(sb_str(&tmp), path)) {
		rc = err_fail("export: --textfile %s: %s", path, strerror(errno));
		unlink(sb_str(&tmp));
	}
out:
	sb_free(&tmp);
	sb_free(&sb);
	return rc;
}

/* --once: standard output, written as the exposition is made. */
static void out_flush_cb(void *arg, struct strbuf *sb)
{
	(void)sb;	/* o->buf, which out_flush empties */
	out_flush(arg);
}

int do_export(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	struct xport x = { .mo = ctx->set.map, .prefix = "mapsh" };
	struct xover ov = { 0 };
	struct xweb web;
	bool have_web = false;
	char **names = NULL;
	const char *textfile = opt_get(opts, XOPT_TEXTFILE);
	const char *listen = opt_get(opts, XOPT_LISTEN);
	bool once = opts->count[XOPT_ONCE];
	int rc = EXIT_OK;

	if (opt_get(opts, XOPT_PREFIX)) {
		x.prefix = opt_get(opts, XOPT_PREFIX);
		if (!good_prefix(x.prefix))
			return err_usage("export: --prefix '%s' is not a metric name (expected [a-zA-Z_:][a-zA-Z0-9_:]*)",
					 x.prefix);
	}
	if (opt_get(opts, XOPT_MAX_SERIES)) {
		const char *s = opt_get(opts, XOPT_MAX_SERIES);
		char *end;

		errno = 0;
		x.max_series = strtoull(s, &end, 10);
		if (errno || end == s || *end || *s == '-' || !x.max_series)
			return err_usage("export: --max-series '%s' is not a positive number", s);
	}
	x.per_cpu = opts->count[XOPT_PER_CPU];
	if (once + !!textfile > 1)
		return err_usage("export: --once and --textfile both say where to write: give one");
	if ((once || textfile) && listen)
		return err_usage("export: --listen serves scrapes; --once and --textfile write one exposition: give one");

	if (opt_get(opts, XOPT_WEB_CONFIG)) {
		if (once || textfile)
			return err_usage("export: --web-config is for --listen; --once and --textfile serve nobody");
		rc = xw_load(opt_get(opts, XOPT_WEB_CONFIG), &web);
		have_web = true;
		if (rc)
			goto out;
		x.web = &web;
	}
	if (opt_get(opts, XOPT_OVERRIDES)) {
		rc = xo_load(opt_get(opts, XOPT_OVERRIDES), &ov);
		if (rc)
			goto out;
		x.ov = &ov;
		/* No MAP: the maps the file names, by NAME. */
		if (!argc && ov.nmaps) {
			names = calloc(ov.nmaps, sizeof(*names));
			if (!names)
				abort();
			for (int i = 0; i < ov.nmaps; i++)
				names[i] = ov.maps[i].name;
			argc = ov.nmaps;
			argv = names;
		}
	}
	for (int i = 0; i < argc;) {
		struct mapsel sel;
		struct mapref *m = NULL;
		int used = mapsel_parse(argc - i, argv + i, &sel);

		if (used < 0) {
			rc = EXIT_USAGE;
			goto out;
		}
		rc = mapref_open(&x.mo, &sel, &m);
		if (rc)
			goto out;
		if (!xp_has_values(&x, m) && m->info.type != BPF_MAP_TYPE_RINGBUF &&
		    m->info.type != BPF_MAP_TYPE_QUEUE && m->info.type != BPF_MAP_TYPE_STACK) {
			rc = err_fail("export: %s has nothing numeric to export (value %s: no integer field that is not an address, time, flag or enum)",
				      m->name, m->value ? tv_plan_type_name(m->value) : "none");
			mapref_free(m);
			goto out;
		}
		add_map(&x, &sel, m, metric_map_name(&sel, m));
		x.maps[x.nmaps - 1].om = xo_find(x.ov, x.maps[x.nmaps - 1].name);
		rc = xp_check_overrides(&x, &x.maps[x.nmaps - 1]);
		if (rc)
			goto out;
		i += used;
	}
	if (!argc) {
		for (int i = 0; i < bundle_map_count(); i++) {
			const struct bundle_map *bm = bundle_map_at(i);
			struct mapsel sel = { .kind = MAPSEL_PINNAME, .arg = bm->name };
			struct tv_plan *p;
			bool yes;

			if (!bm->btf_value_type_id || bm->has_inner ||
			    !mapref_pin_exists(&x.mo, bm->name))
				continue;
			p = tv_plan_for_map(bm->btf, bm->btf_value_type_id,
					    bm->value_size,
					    x.mo.raw_values ? TV_RAW : 0);
			yes = xp_plan_has_counter(p, !x.mo.raw_values);
			tv_plan_free(p);
			if (yes) {
				add_map(&x, &sel, NULL, bm->name);
				x.maps[x.nmaps - 1].om = xo_find(x.ov, bm->name);
			}
		}
		if (!x.nmaps) {
			rc = err_fail("export: no bundled map with counters is pinned in %s (run 'mapsh load', or name the maps: export MAP...)",
				      x.mo.pin_dir && *x.mo.pin_dir ? x.mo.pin_dir : MAPSH_DEFAULT_PIN_DIR);
			goto out;
		}
	}

	if (textfile) {
		rc = write_textfile(&x, textfile);
	} else if (once) {
		xp_collect_to(&x, &ctx->out.buf, out_flush_cb, &ctx->out);
		rc = out_status(&ctx->out, EXIT_OK);
	} else {
		x.follow = true;
		rc = xp_serve(&x, listen ? listen : EXPORT_DEFAULT_LISTEN);
	}
out:
	for (int i = 0; i < x.nmaps; i++)
		mapref_free(x.maps[i].m);
	free(x.maps);
	free(names);
	xo_free(&ov);
	if (have_web)
		xw_free(&web);
	return rc;
}
