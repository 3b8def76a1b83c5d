// SPDX-License-Identifier: GPL-2.0
/* save: a map's entries to a JSON file, the entries `mapsh -j MAP dump`
 * prints, one a line: "[\n{...},\n{...}\n]\n" (apply.c reads it back). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <jansson.h>
#include "map/audit.h"
#include "output/entry_out.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "verbs/map_verbs.h"
#include "map/mapiter.h"

/* ---- save ---- */

/* Where save writes: a temporary file next to FILE, renamed over it at
 * the end; or stdout through ctx->out. */
struct save_dest {
	const char *path;
	char *tmp;
	FILE *fp;
	struct out fo;
	bool file;
	unsigned long long flushed;	/* bytes sent on to the disk */
};

/* Writeback of the file starts every this many bytes written, so that the
 * disk writes while the rest is formatted and the fsync at the end waits
 * for the last part only. */
#define SAVE_WRITEBACK_STEP (8ull << 20)

static void save_writeback(struct save_dest *d)
{
	unsigned long long n = d->fo.written - d->flushed;

	if (!d->file || n < SAVE_WRITEBACK_STEP)
		return;
	/* a hint: an error here shows again at the fsync */
	sync_file_range(fileno(d->fp), (off_t)d->flushed, (off_t)n,
			SYNC_FILE_RANGE_WRITE);
	d->flushed += n;
}

static int save_open(struct ctx *ctx, const struct mapref *m, const char *path,
		     struct save_dest *d)
{
	struct stat st;
	mode_t mode, um;
	int fd;

	memset(d, 0, sizeof(*d));
	d->path = path;
	if (!strcmp(path, "-"))
		return EXIT_OK;
	d->file = true;
	if (asprintf(&d->tmp, "%s.XXXXXX", path) < 0)
		return err_fail("out of memory");
	fd = mkstemp(d->tmp);
	if (fd < 0) {
		int e = errno;

		free(d->tmp);
		d->tmp = NULL;
		return err_fail("%s save: cannot write %s: %s", m->name, path,
				strerror(e));
	}
	/* Keep the mode of the file replaced; a new one gets 0666 & ~umask. */
	if (!stat(path, &st)) {
		mode = st.st_mode & 07777;
	} else {
		um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}
	fchmod(fd, mode);
	d->fp = fdopen(fd, "w");
	if (!d->fp) {
		close(fd);
		unlink(d->tmp);
		free(d->tmp);
		d->tmp = NULL;
		return err_fail("out of memory");
	}
	out_init(&d->fo, ctx->out.mode == OUT_JSONL ? OUT_JSONL : OUT_JSON,
		 ctx->set.pretty, d->fp);
	d->fo.name = path;	/* "write error: PATH: ..." */
	return EXIT_OK;
}

/* Rename into place (ok) or throw away: FILE is replaced only by a whole
 * file on disk (written, fsync'ed, closed), else left as it was. A failed
 * write is said once (the output layer, or here for fsync and close). */
static int save_close(const struct mapref *m, struct save_dest *d, bool ok)
{
	int rc = EXIT_OK;

	if (!d->file)
		return EXIT_OK;
	out_flush(&d->fo);
	if (ok && d->fo.broken)
		rc = EXIT_FAIL;	/* said by out_flush */
	else if (ok && fsync(fileno(d->fp)))
		rc = err_fail("write error: %s: %s", d->path, strerror(errno));
	out_fini(&d->fo);
	if (fclose(d->fp) && ok && !rc)
		rc = err_fail("write error: %s: %s", d->path, strerror(errno));
	if (ok && !rc && rename(d->tmp, d->path))
		rc = err_fail("%s save: cannot replace %s: %s", m->name, d->path,
			      strerror(errno));
	if (!ok || rc)
		unlink(d->tmp);
	free(d->tmp);
	return ok ? rc : EXIT_FAIL;
}

int verb_save(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o;
	enum out_mode saved_mode = ctx->out.mode;
	bool saved_bpftool = ctx->out.bpftool;
	struct save_dest d;
	struct entry_out eo;
	struct mapiter it;
	const void *k, *raw;
	unsigned long long n = 0;
	int r = 0, rc;

	if (argc > 1)
		return err_usage("%s save: unexpected argument '%s' (expected [FILE])",
				 m->name, argv[1]);
	rc = save_open(ctx, m, argc ? argv[0] : "-", &d);
	if (rc)
		return rc;
	if (mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
			 m->info.max_entries)) {
		save_close(m, &d, false);
		return err_fail("out of memory");
	}
	if (d.file) {
		o = &d.fo;
	} else {
		o = &ctx->out;	/* JSON whatever the output mode, and the
				 * shape apply reads (never bpftool's) */
		if (!out_is_json(o))
			o->mode = OUT_JSON;
		o->bpftool = false;
	}
	/* Built for o: its mode picks the compiled formatters (tval/fast.c).
	 * Every byte: a string's stale tail, like any byte no field shows,
	 * is in "@uncovered", and apply gives it back. */
	out_set_lines(o, true);
	eo_init(&eo, o, m, NULL, false);
	/* As dump: the split readers (if the map gets them) format their
	 * chunks too; else the next chunks are read on a second thread while
	 * this one formats and writes. */
	if (eo_rows_apart(&eo))
		mapiter_format_in_readers(&it, eo_format_rows_fn, &eo);
	if (m->info.max_entries > it.chunk)
		mapiter_prefetch(&it);
	out_list_begin(o);
	if (mapiter_texts(&it)) {
		const char *t;
		size_t len;
		__u32 c;

		while (!o->broken && (r = mapiter_next_text(&it, &t, &len, &c)) > 0) {
			out_records_text(o, t, len);
			n += c;
			save_writeback(&d);
		}
	} else {
		while ((r = mapiter_next(&it, &k, &raw)) > 0) {
			eo_entry(&eo, k, eo_total(&eo, raw), raw);
			n++;
			if (o->broken)
				break;
			save_writeback(&d);
		}
	}
	out_list_end(o);
	out_set_lines(o, false);
	eo_fini(&eo);
	mapiter_fini(&it);
	ctx->out.mode = saved_mode;
	ctx->out.bpftool = saved_bpftool;
	if (r < 0) {
		save_close(m, &d, false);
		return err_fail("%s save: reading the map failed: %s", m->name,
				strerror(-r));
	}
	rc = save_close(m, &d, true);
	if (rc || !d.file)
		return rc;
	o = &ctx->out;
	if (out_is_json(o)) {
		out_object_begin(o);
		out_str(o, "map", m->name);
		out_str(o, "file", d.path);
		out_u64(o, "entries", n);
		out_object_end(o);
	} else {
		out_line(o, "%s: saved %llu %s to %s", m->name, n,
			 n == 1 ? "entry" : "entries", d.path);
	}
	return EXIT_OK;
}
