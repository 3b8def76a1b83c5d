// SPDX-License-Identifier: GPL-2.0
/* Maps whose keys and values cover each BTF construct, for the round-trip
 * property test (tests/roundtrip.bats): random bytes are written, saved,
 * cleared, applied and compared byte for byte. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define HEX __attribute__((btf_decl_tag("mapsh:hex")))

enum lvl { LVL_1 = 10, LVL_2 = 20 };
enum sgn { NEG = -5, POS = 3 };
enum wide { W_SMALL = 1, W_BIG = 0x100000000ULL };

struct rt_ints {
	__u8 u8; __s8 s8; __u16 u16; __s16 s16;
	__u32 u32; __s32 s32; __u64 u64; __s64 s64;
	unsigned __int128 u128;
	__s8 hs8 HEX; __s32 hs32 HEX; __s64 hs64 HEX;
	_Bool flag;
	__s16 sport __attribute__((btf_decl_tag("mapsh:port")));
	__s64 stime __attribute__((btf_decl_tag("mapsh:ktime")));
	__u8 tail[7];
};

struct rt_bits {
	__u32 a:3;
	__s32 b:5;
	__u32 :4;		/* unnamed: bits no field covers */
	__u32 c:20;
	__s32 hb:6 HEX;
	__u32 d:26;
};

struct rt_enums {
	enum lvl l;
	enum sgn n;
	enum wide w;
	__u8 pad_to[4];
};

struct rt_floats {
	float f[4];
	double d[3];
};

struct rt_chars {
	char comm[16];
	char names[2][8];
};

struct rt_union {
	union {
		__u64 packets;
		__u32 rx_packets;
	};
	union {
		__u8 b[8];
		__u16 w;
	} u;
};

struct rt_holes {
	__u8 a;			/* 3 bytes of hole */
	__u32 b;
	__u16 c;		/* 2 bytes of tail */
};

struct rt_nested {
	struct {
		__u32 x;
		struct { __u16 y; __u16 z; } in;
	} outer;
	struct { __u32 anon_a; __u32 anon_b; };
	__u32 m[2][3][2];
	struct { __u16 p; __u16 q; } arr[3];
};

struct rt_elem { __u32 a; __u16 b; __u16 c; };
struct rt_big { struct rt_elem e[50000]; };	/* 400 KB */

#define HMAP(nm, K, V) \
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); \
	 __type(key, K); __type(value, V); } nm SEC(".maps")

HMAP(rt_ints, __u32, struct rt_ints);
HMAP(rt_bits, struct rt_bits, struct rt_bits);
HMAP(rt_enums, __u32, struct rt_enums);
HMAP(rt_floats, __u32, struct rt_floats);
HMAP(rt_chars, __u32, struct rt_chars);
HMAP(rt_union, __u32, struct rt_union);
HMAP(rt_holes, struct rt_holes, struct rt_holes);
HMAP(rt_nested, struct rt_nested, struct rt_nested);
HMAP(rt_kscalar, struct rt_holes, __u64);

/* More entries than a table sizes its columns over (OUT_TABLE_BUFFER_ROWS,
 * 1024): holes in rows after that window (tests/uncovered.bats). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2048);
	__type(key, struct rt_holes);
	__type(value, struct rt_holes);
} rt_holes_many SEC(".maps");

/* The key's column and 63 of the value fill a table's 64 columns
 * (OUT_MAX_COLS) with no room for an @uncovered one; each element has a
 * hole after p. */
struct rt_wide {
	struct { __u8 p; __u16 q; } e[31];
	__u32 last;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rt_wide);
} rt_wide SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct rt_big);
} rt_big SEC(".maps");

/* Types mapsh cannot show field by field: said, shown as bytes. */
struct rt_huge { struct { __u16 a; __u16 b; } e[110000]; };
struct rt_nine { __u8 nine[2][2][2][2][2][2][2][2][2]; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rt_huge);
} rt_huge SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rt_nine);
} rt_nine SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
