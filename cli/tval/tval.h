/* SPDX-License-Identifier: GPL-2.0 */
/* tval: typed values. A BTF type (a map's key or value) is compiled once
 * into a plan: a flat list of leaves (scalar fields with their offset,
 * width, kind and display format) plus the struct/array tree the formatter
 * walks. The plan then turns record bytes into text or JSON and back with no
 * BTF lookups per record.
 *
 * Display formats come from `mapsh:FMT` BTF decl tags on struct members or
 * typedefs (see bpf/mapsh.h), else from name/typedef fallbacks for foreign
 * maps (disabled by TV_RAW), or from the user (tv_plan_new_as):
 *   known types: struct in6_addr -> ipv6; a 6-byte Ethernet address
 *     struct (ethaddr, eth_addr, ether_addr, mac_addr, ...) -> mac
 *   guesses: 4-byte int/array named saddr, daddr, *addr, SRC_ip (not
 *     num_ip, nr_ip, ...) -> ipv4; 16-byte array so named -> ipv6;
 *     6-byte byte array named mac, *_mac, mac_*, h_source, h_dest (the
 *     word mac, not stomach) -> mac; a guessed address takes plain numbers too
 *   __be16 field named *port -> port; other __be16/32/64 -> be
 *
 * Text form (one line, never a raw control character):
 *   struct/union {a=1 b={c=2} arr=[1,2,3] name=abc s="a b"}   padding hidden when zero
 *   scalars bare (42, 10.0.0.1, tcp, FW_DROP, SYN|ACK, true, 0x1f)
 *   char arrays: a string when printable up to a NUL, shown up to it as
 *     bpftool does (quoted with C escapes only when it holds characters
 *     other than [A-Za-z0-9_.:/@+-] or is empty), else 0x followed by
 *     every byte in hex; bytes other than 0 after its NUL are in
 *     "@uncovered" with the other bytes no field shows
 *   ktime: an age ("3.2s ago", "-" for 0); TV_TEXT_EXACT prints the ns
 *   ifindex: interface name when it exists, else the number
 * JSON form: the shape of bpftool's btf_dumper (objects, exact integers,
 *   enum names, strings, arrays, true/false, pointers as numbers) with
 *   ipv4/ipv6/mac as strings, tcpflags as a string ("SYN|ACK", "" for
 *   none), ipproto as a name string (or the number when it has none),
 *   hex integers, port/be (host order), ktime, ifindex and counter as
 *   numbers (hex byte arrays: "0x.." strings); every number a JSON number
 *   unless its format makes it text; -n (TV_NUMERIC): protocols,
 *   interfaces and enums as numbers; padding fields included. Non-string char arrays are
 *   "0x<hex>" strings (unambiguous: longer than any string that fits).
 * Exact in both: a NaN other than the default quiet one prints as
 *   nan:0x<its bits> (-nan: the default with the sign bit); a union is
 *   its first member in JSON (every member in text); bits no field names
 *   (holes, unnamed bitfields, bits only a later union member covers,
 *   the bytes after the NUL of a char array shown as a string) are one
 *   more member of the root, @uncovered=0x.. (the record's bytes up to
 *   the last non-zero such byte, named bits zero), shown only when not
 *   zero and read back by every parser; padding fields show in text
 *   when not zero.
 * Raw plans (no BTF) print "0a 00 00 01" in text and bpftool's
 *   ["0x0a","0x00",...] in JSON.
 *
 * Parsing accepts everything the formatters print (text and JSON) plus the
 * command-line forms documented at tv_parse_args(). Errors are one line,
 * without trailing newline or "mapsh: " prefix, e.g.
 *   src_port=70000: out of range for __u16 (0..65535)
 *   srcip=10.0.0.1: struct flow_key has no field 'srcip' (did you mean 'src_ip'?)
 *
 * Bitfields assume a little-endian host (the only kind mapsh targets). */
#ifndef MAPSH_TVAL_H
#define MAPSH_TVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "base/json_writer.h"
#include "base/strbuf.h"

struct btf;
struct tv_plan;

/* ---- plan flags (tv_plan_new, tv_plan_set_flags) ---- */
#define TV_RAW		(1u << 0) /* no name/typedef fallbacks (tags apply) */
#define TV_NO_TAGS	(1u << 1) /* ignore mapsh: tags too: plain C values */
#define TV_TEXT_EXACT	(1u << 2) /* text that parses back to the same bytes:
				   * ktime as ns, ifindex as a number */
#define TV_KTIME_WALL	(1u << 3) /* ktime as ISO-8601 UTC wall clock (text
				   * and JSON); parse accepts it back */
#define TV_NUMERIC	(1u << 4) /* -n: protocols, interfaces and enums as
				   * numbers, no names (text and JSON) */

/* ---- parse flags (tv_parse_*) ---- */
#define TV_PARSE_ALL	(1u << 0) /* every non-padding field must be given
				   * (keys); unnamed padding is zeroed */

/* What the bytes of one element of a leaf are. */
enum tv_kind {
	TV_KIND_UINT,	/* unsigned integer, 1/2/4/8/16 bytes or bitfield */
	TV_KIND_SINT,	/* signed integer */
	TV_KIND_BOOL,
	TV_KIND_CHAR,	/* element of a char array: the array is a string */
	TV_KIND_ENUM,	/* ENUM/ENUM64; signedness in is_signed */
	TV_KIND_FLOAT,	/* 4 or 8 bytes (other widths become BYTES) */
	TV_KIND_PTR,
	TV_KIND_BYTES,	/* opaque: addresses, hex blobs, fwd/void, raw plans */
};

/* How a value is displayed and parsed (mapsh:FMT tags). */
enum tv_fmt {
	TV_FMT_NONE,
	TV_FMT_IPV4,	/* 4 bytes, network order */
	TV_FMT_IPV6,	/* 16 bytes */
	TV_FMT_MAC,	/* 6 bytes */
	TV_FMT_PORT,	/* network-order u16, shown in host order */
	TV_FMT_BE,	/* other network-order integers, shown in host order */
	TV_FMT_IFINDEX,
	TV_FMT_KTIME,	/* ns from bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	TV_FMT_IPPROTO,
	TV_FMT_TCPFLAGS,
	TV_FMT_HEX,
	TV_FMT_COUNTER,
	TV_FMT_LOG2HIST,	/* array of counters: log2 buckets (tval/hist.c) */
	TV_FMT_LINHIST,		/* array of counters: linear buckets (hist_min,
				 * hist_step: the tag mapsh:linhist=MIN,STEP) */
	TV_FMT_LOG2,		/* a key that is a log2 bucket index */
};

#define TV_MAX_DIMS 8

/* Why a leaf shows as it does (info prints it). */
enum tv_fmt_src {
	TV_SRC_TYPE,	/* as its C type says: no format */
	TV_SRC_TAG,	/* a mapsh:FMT tag */
	TV_SRC_KNOWN,	/* a well-known type: struct in6_addr, an Ethernet address */
	TV_SRC_GUESS,	/* guessed from the field's name (still takes plain numbers) */
	TV_SRC_OPTION,	/* --as PATH=FORMAT or the types file */
	TV_SRC_IGNORED,	/* a tag that could not apply (see tv_plan_notes) */
};
const char *tv_fmt_src_name(enum tv_fmt_src src);	/* "tag", "guess", ... */

/* A format the user gave for the leaf at path ("" the root, "addr",
 * "x[1].mac"); hit is set when the plan has that field. */
struct tv_as {
	const char *path;
	int fmt;
	int64_t lin_min;	/* TV_FMT_LINHIST: the first bucket's low end */
	uint64_t lin_step;	/* and the buckets' width (0: 1) */
	bool hit;
};

/* One scalar field, or one array of scalars (int x[4], __u8 mac[6],
 * int m[2][3]: a single leaf with dims). Arrays of structs are expanded:
 * x[0].a, x[1].a, ... are separate leaves. */
struct tv_leaf {
	const char *name;	/* dotted path: "a.b", "x[2].y"; "" for a
				 * scalar plan's root */
	const char *type_name;	/* C type as declared ("__be16", "enum
				 * fw_action"), for headers and messages */
	uint32_t offset;	/* byte offset in the record */
	uint32_t size;		/* bytes spanned (whole array; bitfields:
				 * bytes touched) */
	uint8_t bit_offset;	/* bitfields: bit_size != 0; the value is */
	uint8_t bit_size;	/* bits [bit_offset, +bit_size) from offset */
	enum tv_kind kind;	/* kind of one element */
	enum tv_fmt fmt;
	__u32 type_id;		/* resolved element type (0 for raw plans) */
	bool is_padding;	/* pad, padN, _pad*, __pad*, padding */
	bool is_signed;
	bool in_union_alt;	/* inside a union member other than the first:
				 * skipped by positional parsing */
	uint32_t elem_size;	/* bytes of one element */
	uint32_t nelems;	/* 1 for scalars, product of dims for arrays */
	uint8_t ndims;		/* 0 for scalars */
	uint32_t dims[TV_MAX_DIMS];
	uint8_t fmt_src;	/* enum tv_fmt_src: why fmt applies */
	int64_t hist_min;	/* TV_FMT_LINHIST: bucket 0 starts here */
	uint64_t hist_step;	/* and each bucket is this wide (>= 1) */
	bool hist_floor;	/* TV_FMT_LOG2HIST as libbpf-tools fills its
				 * struct hist slots: slot i holds floor(log2 v),
				 * [2^i, 2^(i+1) - 1], slot 0 also 0 */
	/* private */
	uint32_t elem_base;	/* index of element 0 in per-parse bitmaps */
	const struct tv_enum_tab *etab;
	const struct tv_plan *plan;
};

/* ---- plans ---- */

/* Compile type_id of btf (typedefs/modifiers are resolved). Returns NULL
 * with a message in err (if non-NULL) for types that have no size (void,
 * fwd, func) or are malformed/too large. */
struct tv_plan *tv_plan_new(const struct btf *btf, __u32 type_id,
			    unsigned flags, struct strbuf *err);
/* tv_plan_new with user formats: a format that does not fit its field
 * fails the plan (message in err). */
struct tv_plan *tv_plan_new_as(const struct btf *btf, __u32 type_id,
			       unsigned flags, struct tv_as *as, unsigned nas,
			       struct strbuf *err);
/* size bytes without BTF that a user format at path "" makes an address
 * of that size (ipv4 for 4 bytes ...): its plan; else NULL. */
struct tv_plan *tv_plan_raw_as(uint32_t size, struct tv_as *as, unsigned nas);
/* A plan for size bytes without BTF: hex bytes like bpftool. */
struct tv_plan *tv_plan_raw(uint32_t size);
/* For a map: tv_plan_new() when btf/type_id describe exactly size bytes,
 * else tv_plan_raw(size). Never NULL (aborts on out-of-memory). */
struct tv_plan *tv_plan_for_map(const struct btf *btf, __u32 type_id,
				uint32_t size, unsigned flags);
/* The key of an array map that has no key BTF (global data maps): a __u32
 * index, so `0` names element 0. */
struct tv_plan *tv_plan_index(unsigned flags);
void tv_plan_free(struct tv_plan *plan);
uint32_t tv_plan_size(const struct tv_plan *plan);
bool tv_plan_is_raw(const struct tv_plan *plan);
/* The root is a single leaf (a scalar, an array of scalars or raw). */
bool tv_plan_is_scalar(const struct tv_plan *plan);
/* "struct flow_key", "__u32", "raw" */
const char *tv_plan_type_name(const struct tv_plan *plan);
unsigned tv_plan_flags(const struct tv_plan *plan);
/* Change display flags (TV_TEXT_EXACT, TV_KTIME_WALL) after creation;
 * TV_RAW/TV_NO_TAGS only take effect at tv_plan_new(). */
void tv_plan_set_flags(struct tv_plan *plan, unsigned flags);
/* Fix the reference clocks for ktime ages/wall times (ns of
 * CLOCK_MONOTONIC and CLOCK_REALTIME), e.g. once per dump so every row
 * shares one "now". 0, 0 (the default) reads the clocks on each call. */
void tv_plan_set_clock(struct tv_plan *plan, uint64_t now_mono,
		       uint64_t now_real);
/* Set mask bits (size bytes) for every bit that a non-padding leaf covers;
 * anything else (padding, holes, unnamed bitfields) stays 0. AND a record
 * with it to normalize a key. */
void tv_plan_data_mask(const struct tv_plan *plan, void *mask);

/* ---- leaves ---- */
uint32_t tv_plan_nleaves(const struct tv_plan *plan);
const struct tv_leaf *tv_plan_leaf(const struct tv_plan *plan, uint32_t i);
/* Exact (then case-insensitive) leaf name lookup; NULL when none. When
 * suggest is non-NULL it receives the closest leaf name (or NULL). */
const struct tv_leaf *tv_find_leaf(const struct tv_plan *plan,
				   const char *name, const char **suggest);
/* The display formats, one row each (fmt.c). */
enum tv_fold {			/* per-CPU maps: the CPUs' values as one */
	TV_FOLD_NONE,		/* not folded: the first CPU's shows */
	TV_FOLD_SUM,
	TV_FOLD_MAX,		/* the latest time */
	TV_FOLD_OR,		/* every flag seen */
};
#define TV_FITS_INT	 (1u << 0)	/* an integer of at most 8 bytes */
#define TV_FITS_2	 (1u << 1)	/* of exactly 2 bytes */
#define TV_FITS_2UP	 (1u << 2)	/* of 2 bytes or more */
#define TV_FITS_WHOLE	 (1u << 3)	/* not a bitfield */
#define TV_FITS_NOT_FLOAT (1u << 4)
#define TV_FITS_ADDR	 (1u << 5)	/* addr_width bytes, any C type */
#define TV_FITS_HIST	 (1u << 6)	/* a 1-dimension array of 2..256
					 * unsigned integers */
struct tv_fmt_info {
	const char *name;	/* the tag mapsh:NAME; "" for none */
	const char *what;	/* "an address", for messages */
	uint32_t addr_width;	/* an address of so many bytes, else 0 */
	unsigned fits;		/* TV_FITS_*: the leaves it applies to */
	bool ordered;		/* where's < > and sort order it as such */
	bool values;		/* its values can be listed (completion) */
	enum tv_fold fold;
};
const struct tv_fmt_info *tv_fmt_info(enum tv_fmt fmt);
const char *tv_fmt_name(enum tv_fmt fmt);	/* "ipv4"; "" for NONE */
/* The tags of the plan's type that could not apply, one a line ("field
 * 'port': mapsh:port needs a 2-byte integer, ..."), or NULL. */
const char *tv_plan_notes(const struct tv_plan *p);
int tv_fmt_from_name(const char *name);		/* -1 when unknown */
/* "linhist=MIN,STEP" (STEP >= 1, as the mapsh:linhist tag and --as take
 * it) into min and step: false when it is not that. */
bool tv_lin_spec(const char *s, int64_t *min, uint64_t *step);
/* "ipv4, ipv6, ... or counter" */
void tv_fmt_list(struct strbuf *sb);
/* Does fmt apply to a leaf of this kind, element size and bit size? */
bool tv_fmt_fits(enum tv_fmt fmt, enum tv_kind kind, uint32_t elem_size,
		 uint32_t bit_size, uint32_t ndims, uint32_t nelems);
/* What fmt fits, for messages: "a 2-byte integer". */
const char *tv_fmt_fits_text(enum tv_fmt fmt);

/* Host-order value of a scalar leaf (first element of an array): ints,
 * bitfields, enums, bools, ptrs; port/be byte-swapped; ipv4 as a host u32,
 * mac as a 48-bit number; floats truncated; 0 for other kinds. */
uint64_t tv_leaf_get_u64(const struct tv_leaf *leaf, const void *rec);
int64_t tv_leaf_get_i64(const struct tv_leaf *leaf, const void *rec);
/* Element i of a float leaf (4 or 8 bytes) as a double. */
double tv_leaf_get_double(const struct tv_leaf *leaf, const void *rec,
			  uint32_t i);
/* Store v (truncated to the width, swapped for port/be) into a numeric
 * leaf; no-op for other kinds. */
void tv_leaf_set_u64(const struct tv_leaf *leaf, void *rec, uint64_t v);
/* Integers, enums, bools, pointers, floats (not arrays/addresses/bytes):
 * what can be summed, compared with < and used by set_u64. */
bool tv_leaf_is_numeric(const struct tv_leaf *leaf);
/* Typed order (-1/0/1): numbers by value (signed, floats), addresses and
 * macs by numeric value, strings by strcmp, arrays element by element. */
int tv_leaf_cmp(const struct tv_leaf *leaf, const void *rec_a,
		const void *rec_b);
/* Parse one value (the text after "field=") into the leaf's place in rec.
 * On error rec is unchanged and err holds "name=text: reason". */
int tv_leaf_parse(const struct tv_leaf *leaf, const char *text, void *rec,
		  struct strbuf *err);
/* The `~` operator: for ipv4/ipv6 leaves a pattern that parses as an
 * address with optional /len is a prefix match; anything else is a
 * case-insensitive substring of the leaf's text form. */
bool tv_leaf_match_prefix(const struct tv_leaf *leaf, const void *rec,
			  const char *pattern);
/* The same, compiled once for a filter that runs on every record. */
struct tv_match;
struct tv_match *tv_match_new(const struct tv_leaf *leaf, const char *pattern);
bool tv_match_test(const struct tv_match *m, const void *rec);
void tv_match_free(struct tv_match *m);

/* One leaf as text (a table cell; never contains whitespace other than
 * in ktime ages and quoted strings) or as a JSON value. */
void tv_leaf_format_text(const struct tv_leaf *leaf, const void *rec,
			 struct strbuf *sb);
void tv_leaf_format_json(const struct tv_leaf *leaf, const void *rec,
			 struct jw *jw);

/* ---- whole values ---- */
/* Append the value at data (tv_plan_size bytes) to sb / jw. */
void tv_format_text(const struct tv_plan *plan, const void *data,
		    struct strbuf *sb);
void tv_format_json(const struct tv_plan *plan, const void *data,
		    struct jw *jw);
/* Can a record of p have uncovered bits (the @uncovered member above):
 * holes, or char arrays (the bytes after the NUL of a row that prints as
 * a string: its text does not carry them)? */
bool tv_plan_may_uncover(const struct tv_plan *p);
/* Append "0x.." of rec's uncovered bits; false (nothing added) when
 * they are all zero. */
bool tv_add_uncovered(const struct tv_plan *p, const void *rec,
		      struct strbuf *sb);
/* The same without the bytes after a string's NUL: what a table or plain
 * row shows, where a string is shown up to its NUL as bpftool shows it
 * (JSON, and so save, carries every byte). */
bool tv_add_uncovered_holes(const struct tv_plan *p, const void *rec,
			    struct strbuf *sb);

/* Parse command-line tokens into buf (tv_plan_size bytes). buf holds the
 * existing bytes: fields not named keep them (read-modify-write `set`;
 * zero buf first for an insert). On error buf is left exactly as it was.
 * Accepted token lists:
 *   field=value ...      a.b=1, x[2]=5, x=1,2,3, inner={c=1 d=2},
 *                        arr=[{a=1},{a=2}], name="a b"
 *   value ...            positional, in leaf order (padding and union
 *                        members after the first skipped)
 *   one JSON object/array, or the text form ({a=1 b=2}), possibly split
 *                        over several tokens
 *   hex 0a 00 00 01      bpftool: exactly tv_plan_size hex bytes
 *   0x0a 0 0 1           bpftool: exactly tv_plan_size byte values
 *   42                   scalar plans: one bare value (arrays: 1,2,3 or
 *                        one token per element)
 * Values: integers in decimal, 0x hex, 0 octal, 0b binary, negative for
 * signed types, range-checked (bitfields too; signed hex fields also take
 * their bits, 0xff for -1; JSON numbers are decimal only); two members of
 * one union are refused (in a whole JSON/text value they must agree);
 * IPv4/IPv6; MAC; interface names or numbers; protocol names or numbers;
 * tcp flags SYN|ACK, syn,ack or a number; enum names (exact, any case, or
 * without the enum's common prefix: drop -> FW_DROP) or numbers (a number
 * is the number); true/false; strings for char arrays (quoted with C
 * escapes or bare; must leave room for the NUL); floats (nan:0x<bits>
 * exactly); 0x.. for hex fields and pointers; ktime as ns (or "-"/0,
 * "now", and an ISO time). */
int tv_parse_args(const struct tv_plan *plan, int argc, char **argv,
		  void *buf, unsigned flags, struct strbuf *err);
/* Parse one string: what tv_format_text printed (the inverse), a JSON
 * value, or the same forms as tv_parse_args split on whitespace. */
int tv_parse_text(const struct tv_plan *plan, const char *text, void *buf,
		  unsigned flags, struct strbuf *err);
/* Parse a JSON document of the shape tv_format_json prints. */
int tv_parse_json(const struct tv_plan *plan, const char *json, void *buf,
		  unsigned flags, struct strbuf *err);
/* LPM trie keys: "10.0.0.0/8" or "fe80::/10" into a struct whose first
 * member is a u32 named prefixlen followed by a 4- or 16-byte address
 * field (tagged, fallback-named or plain). Host bits beyond the prefix are
 * cleared; other bytes of buf are kept. */
int tv_parse_cidr_key(const struct tv_plan *plan, const char *text,
		      void *buf, struct strbuf *err);
/* Whether the plan has the {prefixlen, addr} LPM key shape. */
bool tv_plan_is_lpm_key(const struct tv_plan *plan);

/* ---- per-CPU values ---- */
/* Fold rec into acc (both tv_plan_size bytes) leaf by leaf as
 * tv_leaf_fold says: counters and plain integers are added (wrapping at
 * their width), ktime keeps the latest, tcpflags are OR-ed; everything
 * else keeps acc's value. Start from a copy of CPU 0's value. */
void tv_plan_accumulate(const struct tv_plan *plan, void *acc,
			const void *rec);
/* How a leaf of a per-CPU value folds over the CPUs (counter.c): SUM for
 * counters and plain integers (untagged, not bitfields, not named like
 * flags, a mask, a state, a type or an id: flags, *_mask, state, pid...),
 * the format's fold for tagged integers (ktime MAX, tcpflags OR), NONE
 * for everything else (enums, bools, strings, floats, addresses, hex,
 * bitfields, raw bytes): a value shown per CPU where the CPUs differ. */
enum tv_fold tv_leaf_fold(const struct tv_plan *plan, const struct tv_leaf *l);

/* A counter: a leaf tagged mapsh:counter, or with guess (no --raw-values)
 * an untagged unsigned 64-bit field named packets, bytes, count, hits or
 * drops (alone or as a _suffix) or *_total. Never padding or arrays. */
bool tv_leaf_is_counter(const struct tv_plan *plan, const struct tv_leaf *l,
			bool guess);

/* ---- histograms (hist.c) ---- */
/* Buckets of counts: log2 (bucket 0 holds 0, bucket i >= 1 the values of
 * bit length i: 2^(i-1) .. 2^i - 1, as bcc, bpftrace and mapsh export
 * count them) or linear (bucket i: min + i*step .. min + (i+1)*step - 1).
 * A leaf is a histogram when its format is log2hist or linhist: the tag,
 * --as FIELD=log2hist, or the guess for untagged arrays of unsigned
 * integers named slots, buckets or *hist* (libbpf-tools' struct hist). */
#define TV_HIST_MAX 256
struct tv_hist {
	bool linear;
	bool floor;		/* log2: libbpf-tools' slots (tv_leaf.hist_floor) */
	int64_t min;		/* linear */
	uint64_t step;		/* linear (>= 1) */
	uint32_t n;		/* buckets */
	uint64_t counts[TV_HIST_MAX];
	bool has_sum;
	double sum;		/* of the values counted, where known */
};
/* Is l a histogram leaf (log2hist or linhist)? */
bool tv_leaf_is_hist(const struct tv_leaf *l);
/* The sum a histogram's struct keeps beside it: a numeric scalar named
 * sum, total or *_sum with the same parent path; NULL when none. */
const struct tv_leaf *tv_hist_sum_leaf(const struct tv_plan *p,
				       const struct tv_leaf *h);
/* Does the untagged array leaf name look like a histogram's? */
bool tv_hist_name(const char *name);
/* h = the buckets of histogram leaf l in rec (empty first). */
void tv_hist_from_leaf(struct tv_hist *h, const struct tv_leaf *l,
		       const void *rec);
/* Bounds of bucket i, inclusive (log2: unsigned values cast). */
void tv_hist_bounds(const struct tv_hist *h, uint32_t i, int64_t *lo,
		    int64_t *hi);
/* The log2 bucket of v: its bit length (0 for 0). */
static inline uint32_t tv_log2_slot(uint64_t v)
{
	return v ? 64 - (uint32_t)__builtin_clzll(v) : 0;
}
uint64_t tv_hist_total(const struct tv_hist *h);
/* The p-th percentile (0 < p <= 100) estimated from the buckets: the
 * bucket where the count reaches p% of the total, interpolated linearly
 * inside it; false when the histogram is empty. log2 results are
 * unsigned (cast). */
bool tv_hist_percentile(const struct tv_hist *h, double p, double *out);

/* ---- BTF helpers ---- */
/* Find a decl tag on the BTF VAR named var_name (in any DATASEC) whose
 * text starts with prefix; copy the rest to out. 0 when found, -ENOENT
 * when not, -ENOSPC when out is too small. E.g. prefix "mapsh:record="
 * on `events` yields "flow_event". */
int tv_find_var_tag(const struct btf *btf, const char *var_name,
		    const char *prefix, char *out, size_t outlen);

/* ---- bpftool's shape (--format bpftool; bpftool.c) ---- */
/* The value at data of BTF type type_id as bpftool's `formatted` JSON
 * shows it: no display formats, bitfields as "0x.." strings, enum names,
 * char arrays as strings when printable up to a NUL, DATASECs as
 * {"SECTION": [{"var": V}, ...]}. */
void tv_bpftool_json(const struct btf *btf, __u32 type_id, const void *data,
		     struct jw *jw);
/* size bytes as bpftool's raw ["0x0a","0x00",...]. */
void tv_bpftool_hex(const void *data, uint32_t size, struct jw *jw);

#endif
