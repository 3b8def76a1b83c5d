/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the tval_*.c files; not part of the API. */
#ifndef MAPSH_TVAL_INT_H
#define MAPSH_TVAL_INT_H

#include "tval/tval.h"

typedef unsigned __int128 tv_u128;
typedef __int128 tv_s128;

/* Enum name table, resolved at plan time and shared by its leaves. */
struct tv_enum_val {
	uint64_t value;		/* sign-extended to 64 bits for signed enums */
	const char *name;
	uint32_t idx;		/* declaration index: first alias wins */
};

struct tv_enum_tab {
	const char *type_name;	/* "enum fw_action" */
	uint32_t n;
	struct tv_enum_val *sorted;	/* by value, for the formatter */
	struct tv_enum_val *decl;	/* declaration order, for messages */
	uint32_t prefix_len;	/* common "FW_" prefix, stripped on input */
	bool is_signed;
};

enum tv_node_type { TV_N_STRUCT, TV_N_UNION, TV_N_ARRAY, TV_N_LEAF };

/* The value tree in pre-order: a node's children follow it, each one's
 * subtree ending at its `end`, so walking needs no pointers. */
struct tv_node {
	uint8_t type;
	bool is_padding;
	const char *name;	/* member name; NULL for array elements/root */
	const char *jname;	/* name as a quoted JSON string */
	uint32_t jname_len;
	uint32_t name_len;
	const char *path;	/* "a.x[1]"; "" for the root */
	const char *type_name;	/* "struct flow_key", for messages */
	uint32_t end;		/* index one past the subtree */
	uint32_t nchild;
	uint32_t leaf;		/* TV_N_LEAF: index in leaves */
	uint32_t offset, size;
};

struct tv_arena;

struct tv_plan {
	uint32_t size;
	unsigned flags;
	bool raw;
	const char *type_name;
	struct tv_node *nodes;
	uint32_t nnodes;
	struct tv_leaf *leaves;
	uint32_t nleaves;
	uint32_t nelems;	/* sum of leaf nelems (parse bitmaps) */
	uint32_t npositional;	/* leaves a positional list fills */
	uint64_t now_mono, now_real;	/* 0: read the clocks per call */
	struct tv_arena *arena;
	char *notes;		/* tags that could not apply, one a line */
	uint8_t *dmask;		/* tv_plan_data_mask, made when first needed */
	bool dmask_full;	/* every bit is some field's */
	bool has_chars, chars_done;	/* char array leaves (string tails) */
};

/* ---- arena (tval_plan.c): plan-lifetime strings and tables ---- */
void *tv_arena_alloc(struct tv_arena **a, size_t n);
char *tv_arena_strdup(struct tv_arena **a, const char *s);
void tv_arena_free(struct tv_arena *a);

/* ---- BTF reading (tval_btf.c) ---- */
/* Index of the mapsh:FMT decl tags of one BTF. */
struct tv_tags;
struct tv_tags *tv_tags_new(const struct btf *btf);
void tv_tags_free(struct tv_tags *tags);
/* Format tagged on (type id, member index or -1), or -1; a mapsh: tag that
 * names no format gives TV_TAG_UNKNOWN + i, its name from tv_tags_name. */
int tv_tags_fmt(const struct tv_tags *tags, __u32 id, int comp);
#define TV_TAG_UNKNOWN 0x10000
/* mapsh:linhist=MIN,STEP gives TV_TAG_LIN + i: the format linhist with
 * the bounds tv_tags_lin reads. */
#define TV_TAG_LIN 0x20000
void tv_tags_lin(const struct tv_tags *tags, int code, int64_t *min,
		 uint64_t *step);
const char *tv_tags_name(const struct tv_tags *tags, int code);

/* A type with typedefs and modifiers peeled off, remembering what the
 * chain said on the way. */
struct tv_rtype {
	__u32 id;
	const struct btf_type *t;
	const char *typedef_name;	/* first typedef in the chain, or NULL */
	int tag_fmt;			/* mapsh tag on a typedef, or -1 */
	int be_bytes;			/* 2/4/8 after a __be16/32/64 typedef */
};
int tv_resolve(const struct btf *btf, const struct tv_tags *tags, __u32 id,
	       struct tv_rtype *r);
/* s, or an arena copy with control/non-ASCII bytes replaced by '?': BTF
 * names end up in one-line text output and messages. */
const char *tv_clean_name(struct tv_arena **a, const char *s);
/* "struct flow_key", "enum fw_action", "unsigned int", "__u16". */
const char *tv_type_name(struct tv_arena **a, const struct btf *btf,
			 const struct tv_rtype *r);

/* What the fallback rules know about a field. */
struct tv_shape {
	const char *name;	/* member name (NULL: root or array element) */
	uint32_t size;		/* total bytes */
	bool is_int;		/* a scalar integer */
	bool is_array;
	uint32_t elem_size;	/* arrays: innermost element size */
	bool elem_is_int;	/* arrays: of integers */
	bool is_in6;		/* struct in6_addr */
	const char *type_name;	/* struct/typedef name of the (element) type */
	int be_bytes;		/* __be typedef on the (element) type */
};
/* The format of a known type (*known set) or a safe name guess. */
enum tv_fmt tv_fallback_fmt(const struct tv_shape *s, bool *known);
bool tv_is_pad_name(const char *name);
bool tv_enum_signed(const struct btf_type *t);
struct tv_enum_tab *tv_enum_tab_new(struct tv_arena **a,
				    const struct btf *btf,
				    const struct btf_type *t,
				    const char *type_name);

/* ---- element access (tval_leaf.c) ---- */
/* Read/write element i of a scalar leaf as a 128-bit integer (raw bits,
 * zero-extended; network order swapped for port/be; bitfields masked). */
tv_u128 tv_elem_get(const struct tv_leaf *l, const void *rec, uint32_t i);
void tv_elem_put(const struct tv_leaf *l, void *rec, uint32_t i, tv_u128 v);
/* Sign-extend the raw bits of an element to 128 bits. */
tv_s128 tv_elem_sext(const struct tv_leaf *l, tv_u128 v);
/* Value bits of one element (bit_size or elem_size * 8). */
unsigned tv_elem_bits(const struct tv_leaf *l);
/* Is the char array element at p (len bytes) a printable string (up to
 * its first NUL)? */
bool tv_is_string(const uint8_t *p, uint32_t len);
const char *tv_enum_name(const struct tv_enum_tab *t, uint64_t v);
void tv_clock(const struct tv_plan *p, uint64_t *mono, uint64_t *real);

/* ---- formatting (tval_format.c) ---- */
/* One element (not a whole array) as text / JSON. */
void tv_elem_text(const struct tv_leaf *l, const void *rec, uint32_t i,
		  struct strbuf *sb);
void tv_elem_json(const struct tv_leaf *l, const void *rec, uint32_t i,
		  struct jw *jw);
void tv_add_u128(struct strbuf *sb, tv_u128 v);
void tv_add_s128(struct strbuf *sb, tv_s128 v);
/* Is node idx a union member other than the first (all its fields
 * in_union_alt)? JSON writes the first member only, so that editing it
 * in a save file is what apply sees; bits only other members cover are
 * @uncovered. */
bool tv_node_alt(const struct tv_plan *p, uint32_t idx);
/* Bytes no field names (holes, unnamed bitfields) are shown and
 * read as one extra member of the root, "@uncovered=0x..": the record's
 * bytes up to its last non-zero uncovered one, named bits zeroed. */
#define TV_UNCOVERED "@uncovered"
#define TV_UNCOVERED_LEN 10
/* Bits of the fields of p (padding fields too) outside union members
 * other than the first (NULL when that is every bit). */
const uint8_t *tv_plan_dmask(const struct tv_plan *p);
/* Write the uncovered bytes unc (p->size) into buf. */
void tv_apply_uncovered(const struct tv_plan *p, uint8_t *buf,
			const uint8_t *unc);
/* Append s with C escapes, quoted ("...") when quote is set. */
void tv_add_cstr(struct strbuf *sb, const char *s, size_t n, bool quote);

/* ---- scalar parsing (tval_scalar.c) ---- */
/* Parse an integer (sign, 0x, 0b, 0 octal, decimal) of up to 128 bits.
 * 0 ok; -EINVAL not a number (*bad: index of the first bad character);
 * -ERANGE more than 128 bits. */
int tv_parse_int(const char *s, size_t n, tv_u128 *mag, bool *neg,
		 size_t *bad);
/* Where a scalar came from: JSON numbers are marked so that e.g. a string
 * field rejects them. */
enum tv_src { TV_SRC_TEXT, TV_SRC_JSON_STR, TV_SRC_JSON_NUM };
/* Parse s[0..n) into element i of leaf l in rec. On error rec is unchanged
 * and err gets "path=value: reason". */
int tv_parse_elem(const struct tv_leaf *l, void *rec, uint32_t i,
		  const char *s, size_t n, enum tv_src src, struct strbuf *err);
/* Parse a string (or 0x<hex> of exactly len bytes) into the char array
 * row of len elements starting at element i. */
int tv_parse_chars(const struct tv_leaf *l, void *rec, uint32_t i,
		   uint32_t len, const char *s, size_t n, enum tv_src src,
		   struct strbuf *err);
/* "path=value: " for messages (value escaped, long values shortened);
 * path is leaf l's name plus indexes of element i (row of a char array
 * when chars is set). l may be NULL to use path as given. */
void tv_err_prefix(struct strbuf *err, const struct tv_leaf *l, uint32_t i,
		   bool chars, const char *path, const char *s, size_t n);
/* Echo user input in a message: control/non-ASCII bytes escaped, long
 * input shortened. */
void tv_add_shown(struct strbuf *err, const char *s, size_t n);
/* Name of the type a value is range-checked against: "__u16", "int". */
void tv_range_name(const struct tv_leaf *l, struct strbuf *sb);

/* ---- parse context (tval_parse.c, tval_json.c) ---- */
struct tv_pctx {
	const struct tv_plan *p;
	uint8_t *buf;		/* scratch copy, committed on success */
	uint8_t *given;		/* one flag per leaf element */
	unsigned flags;
	struct strbuf *err;
	struct strbuf tmp;	/* unescaped strings */
	struct strbuf path;	/* error paths */
	bool json;		/* a whole value (JSON or the text form):
				 * union members given together must agree
				 * (else: refused) */
	uint8_t *wbits;		/* plans with unions: bits written so far */
	uint8_t *unc;		/* @uncovered given: its bytes (p->size) */
};
/* @uncovered=0x.. (s[0..n) is the value) into c->unc. */
int tv_write_uncovered(struct tv_pctx *c, const char *s, size_t n);
void tv_mark(struct tv_pctx *c, const struct tv_leaf *l, uint32_t first,
	     uint32_t count);
/* Parse JSON text into the whole value. *syntax is set (and nothing is
 * reported when quiet) if the text is not JSON at all. */
int tv_json_into(struct tv_pctx *c, const char *text, size_t n, bool quiet,
		 bool *syntax);
int tv_fail(struct tv_pctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Write one scalar element / one char array row, refusing duplicates. */
int tv_write_scalar(struct tv_pctx *c, const struct tv_leaf *l, uint32_t i,
		    const char *s, size_t n, enum tv_src src);
int tv_write_chars(struct tv_pctx *c, const struct tv_leaf *l, uint32_t i,
		   const char *s, size_t n, enum tv_src src);
/* Child node of struct/union node idx named name[0..len), or UINT32_MAX. */
uint32_t tv_find_child(const struct tv_plan *p, uint32_t idx,
		       const char *name, size_t len);
/* "tok: struct X has no field 'name' (did you mean 'y'?)" */
int tv_no_field(struct tv_pctx *c, uint32_t idx, const char *name,
		size_t len, const char *tok, size_t tn);

/* ---- the text walker (tval_parse.c) and paths (tval_path.c) ---- */
enum tv_mode {
	TV_M_TOP,		/* the value runs to the end of the token */
	TV_M_STRUCT,	/* inside {...}: ends at whitespace or '}' */
	TV_M_ARRAY,	/* inside [...]: ends at ',', ']' or whitespace */
};

/* What a value is parsed into: a node, or part of an array leaf. */
struct tv_target {
	uint32_t node;
	const struct tv_leaf *leaf;	/* NULL: the whole node */
	int level;			/* leaf dims already indexed */
	uint32_t base;			/* first element covered */
};

int tv_parse_value(struct tv_pctx *c, const struct tv_target *t,
		   const char *s, size_t n, size_t *pos, enum tv_mode m);
/* "what: " prefix of a structural error; user text escaped/shortened. */
void tv_what(struct tv_pctx *c, const char *s, size_t n);
/* "tok: trailing characters 'rest'"; returns -1 */
int tv_trailing(struct tv_pctx *c, const char *tok, size_t n, size_t pos);
void tv_skip_ws(const char *s, size_t n, size_t *pos);
/* Elements under one index at `level` of an array leaf (all for 0). */
uint32_t tv_level_count(const struct tv_leaf *l, int level);
/* Resolve "a.b[2].c" below node idx; tok is the token for messages. */
int tv_resolve_path(struct tv_pctx *c, uint32_t idx, const char *path,
		    size_t plen, struct tv_target *t, const char *tok,
		    size_t tn);
/* Length of a leading "field.path" followed by '=', or 0. */
size_t tv_named_prefix(const char *s, size_t n);
/* Next leaf below node idx that positional values fill, after *cur. */
const struct tv_leaf *tv_next_positional(const struct tv_plan *p,
					 uint32_t idx, uint32_t *cur);

#endif
