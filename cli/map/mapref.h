/* SPDX-License-Identifier: GPL-2.0 */
/* Map selection: the MAP of `mapsh MAP VERB ...`, opened with its info,
 * its BTF and the typed plans of its key and value.
 *
 *   NAME            PIN_DIR/NAME, else PIN_DIR/inner/NAME
 *   id N            any map of the system by id
 *   pinned PATH     a map pinned anywhere
 *   name NAME       by kernel name (15 characters kept: a 15-character
 *                   kernel name matches any longer NAME it begins)
 *   OUTER[KEY]      the inner map stored at KEY of a map of maps (any of
 *                   the forms above as OUTER: iface_blocklist[h1],
 *                   'id 12[3]'); KEY is typed like the outer map's key
 */
#ifndef MAPSH_MAPREF_H
#define MAPSH_MAPREF_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include "base/err.h"
#include "map/mapinfo.h"
#include "base/strbuf.h"
#include "tval/tval.h"

/* Where `mapsh load` pins and NAME is looked up, unless --pin-dir or
 * $MAPSH_PIN_DIR say otherwise. */
#define MAPSH_DEFAULT_PIN_DIR "/sys/fs/bpf/mapsh"

/* How maps are found and typed: part of the session's settings
 * (cmd/ctx.h), handed down so that this floor knows no session. */
#define MAP_MAX_AS 32
struct map_opts {
	const char *pin_dir;	/* where NAME is looked up */
	bool raw_values;	/* --raw-values: no display formats (TV_RAW) */
	bool numeric;		/* -n: numbers, no names (TV_NUMERIC) */
	const char *as[MAP_MAX_AS];	/* --as PATH=FORMAT (map/typing.c) */
	int nas;
	const char *btf_file;	/* --btf FILE with --key-type / --value-type */
	const char *key_type, *value_type;
};

/* The system's types file; also ~/.config/mapsh/types, $MAPSH_TYPES. */
#define MAP_TYPES_FILE "/etc/mapsh/types"
/* "PATH=FORMAT" well formed with a known format? 0, else -1 after
 * printing one usage line (naming what, "--as" or "FILE:LINE"). */
int map_as_check(const char *what, const char *spec);
/* Does NAME name a type of btf ("struct flow_key", "__u32")? Its id or 0. */
__u32 map_find_type(const struct btf *btf, const char *name);

enum mapsel_kind {
	MAPSEL_PINNAME,		/* NAME in the pin directory */
	MAPSEL_ID,
	MAPSEL_PINNED,
	MAPSEL_KNAME,		/* name NAME */
};

/* A selector as written, before anything is opened. */
struct mapsel {
	enum mapsel_kind kind;
	const char *arg;
};

struct mapref {
	int fd;
	struct bpf_map_info info;
	char name[320];		/* how messages call it: "flows", "iface_blocklist[h1]" */
	char sel[352];		/* the selector that opens it again, for hints:
				 * "flows", "id 42", "pinned /x/y", "name z" */
	char *pin_path;		/* where it was found pinned, or NULL */
	struct map_btf mb;
	struct tv_plan *key;	/* NULL when the map has no key (queues) */
	struct tv_plan *value;	/* one CPU's value; NULL when no value */
	bool percpu;
	int ncpus;		/* possible CPUs (1 unless percpu) */
	__u32 stride;		/* bytes of one CPU's value in a lookup */
	__u32 lookup_size;	/* bytes one lookup returns: stride * ncpus */
	bool is_array;		/* ARRAY / PERCPU_ARRAY: keys 0..max-1 exist */
	bool lpm;		/* LPM_TRIE */
	uint64_t pin_checked;	/* when the pin was last checked (repin.h) */
};

/* Recognise the selector at argv[0]: returns the words it takes (1 or 2),
 * or -1 after printing a usage error (`id` without a number, ...). */
int mapsel_parse(int argc, char **argv, struct mapsel *sel);
/* Does `word` look like a map rather than an unknown command: a pinned
 * name, a selector keyword, or OUTER[KEY]? */
bool mapsel_is_map_word(const struct map_opts *mo, const char *word);
/* Is NAME pinned in the pin directory (or its inner/)? */
bool mapref_pin_exists(const struct map_opts *mo, const char *name);

/* Open what sel names. Returns EXIT_OK, or EXIT_FAIL / EXIT_USAGE after
 * printing one line (with a did-you-mean for unknown names). */
int mapref_open(const struct map_opts *mo, const struct mapsel *sel,
		struct mapref **out);
/* mapsel_parse + mapref_open; *consumed receives the words used. */
int mapref_parse(const struct map_opts *mo, int argc, char **argv, int *consumed,
		 struct mapref **out);
void mapref_free(struct mapref *m);
/* The words that select m again ("flows", "id 42", "pinned PATH"), for
 * "see 'mapsh SEL VERB --help'" hints. */
const char *mapref_sel(const struct mapref *m);
/* The inner map inner_id of the map of maps outer, typed as OUTER[KEY]
 * types it (its own BTF, else the outer map's inner map definition), named
 * name in messages. */
int mapref_open_inner(const struct map_opts *mo, const struct mapref *outer,
		      __u32 inner_id, const char *name, struct mapref **out);

/* Did-you-mean among the pinned names, the bundled map names and the
 * NULL-terminated extra names (the caller's commands; may be NULL), never
 * word itself: a copy the caller frees, or NULL. */
char *mapref_suggest(const struct map_opts *mo, const char *word,
		     const char *const *extra);


/* Parse KEY tokens into buf (key_size bytes, zeroed first): field=value
 * lists (every key field must be given), positional values, bpftool's
 * `hex ..`, one JSON/text object; LPM keys also as CIDR ("10.0.0.0/8"; a
 * bare address is a full-length prefix). Array indexes are checked against
 * max_entries. Returns EXIT_OK, or EXIT_USAGE / EXIT_FAIL after printing. */
int mapref_parse_key(const struct mapref *m, const char *verb, int argc,
		     char **argv, void *buf);
/* A key as text for messages: "{src_ip=10.0.0.1 ...}", "5", "10.0.0.0/8". */
void mapref_key_text(const struct mapref *m, const void *key,
		     struct strbuf *sb);
/* LPM keys as "ADDR/LEN" (typed or raw 8/20-byte keys); false otherwise. */
bool mapref_lpm_text(const struct mapref *m, const void *key,
		     struct strbuf *sb);
/* One "now" for the ktime fields of m's key and value, so that every row
 * of a command's output shows the same: set_clock takes it (ns of
 * CLOCK_MONOTONIC and CLOCK_REALTIME, as tv_plan_set_clock), fix_clock
 * reads the clocks. */
void mapref_set_clock(const struct mapref *m, uint64_t now_mono,
		      uint64_t now_real);
void mapref_fix_clock(const struct mapref *m);
/* The value dump shows for a per-CPU lookup (lookup_size bytes at raw):
 * the CPUs' values folded with tv_plan_accumulate, into sum (value_size
 * bytes). m must have a value plan. */
void mapref_sum_cpus(const struct mapref *m, const void *raw, void *sum);
/* Whether the CPUs of a per-CPU lookup (raw) hold different values of
 * leaf l of the value plan (l NULL: any byte of the value). */
bool mapref_cpus_differ(const struct mapref *m, const struct tv_leaf *l,
			const void *raw);
/* Whether a per-CPU lookup has one honest value: every leaf that is not
 * folded (tv_leaf_fold NONE) holds the same on every CPU, so the sum of
 * mapref_sum_cpus is what each such field is. True for other maps. */
bool mapref_one_value(const struct mapref *m, const void *raw);
/* CPU cpu's view of a per-CPU lookup, as `where` tests it: sum (from
 * mapref_sum_cpus) with every leaf that is not folded taken from that
 * CPU's value, into out (value_size bytes). m must have a value plan. */
void mapref_cpu_view(const struct mapref *m, const void *raw,
		     const void *sum, int cpu, void *out);
/* The value `sort` orders a per-CPU lookup by: in sum (from
 * mapref_sum_cpus), every leaf that is not folded becomes the largest of
 * the CPUs' values (tv_leaf_cmp order). m must have a value plan. */
void mapref_max_cpus(const struct mapref *m, const void *raw, void *sum);
/* Entries now (arrays: max_entries; maps of maps: filled slots), read in
 * batches; -1 for types whose entries cannot be walked. */
long long mapref_count(const struct mapref *m);
/* BPF_MAP_FREEZE was done on it (fdinfo "frozen: 1"). */
bool mapref_is_frozen(const struct mapref *m);
/* "flows is full (16384 of 16384 entries)", "... is frozen", ... for an
 * errno of a write; returns EXIT_FAIL after printing. */
int mapref_write_error(const struct mapref *m, const char *verb, int err,
		       const void *key);

#endif
