/* SPDX-License-Identifier: GPL-2.0 */
/* The bundled eBPF objects. Both are compiled into the binary through their
 * generated skeletons (build/bpf/NAME.skel.h), so mapsh needs no file beside
 * it. This registry says what each object is, how it is attached, and gives
 * the typed engine their BTF and the shapes of their maps without loading
 * anything into the kernel. */
#ifndef MAPSH_BUNDLE_H
#define MAPSH_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>

enum bundle_attach {
	BUNDLE_ATTACH_XDP,		/* through libxdp's multiprog dispatcher */
	BUNDLE_ATTACH_TC_INGRESS,	/* tc clsact ingress, mapsh's handle/prio */
};

struct bundle_obj {
	const char *name;		/* object name: "flowtrack" */
	const char *prog_name;		/* its one program: "flowtrack" */
	enum bpf_prog_type prog_type;	/* as in the ELF (XDP, SCHED_CLS) */
	enum bundle_attach attach;
	/* Open a fresh copy from the embedded ELF (nothing is loaded). *skel
	 * receives the skeleton, to be released with close(). NULL + errno on
	 * failure. */
	struct bpf_object *(*open)(const struct bpf_object_open_opts *opts,
				   void **skel);
	void (*close)(void *skel);
	const void *(*elf_bytes)(size_t *size);
};

/* The bundled objects, terminated by { NULL }. */
extern const struct bundle_obj bundle_objs[];
#define BUNDLE_FLOWTRACK 0
#define BUNDLE_POLICY 1

const struct bundle_obj *bundle_find(const char *name);

/* A map of a bundled object, as the object defines it. */
struct bundle_map {
	const char *name;		/* "flows" */
	const struct bundle_obj *obj;	/* the object that defines it */
	const struct btf *btf;		/* that object's BTF (cached, not owned) */
	__u32 type;			/* enum bpf_map_type */
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
	__u32 btf_key_type_id;		/* 0 when the map has no key type */
	__u32 btf_value_type_id;	/* 0 when none (ring buffers) */
	/* map-in-map: the template of the inner maps */
	bool has_inner;
	__u32 inner_type, inner_key_size, inner_value_size;
	__u32 inner_max_entries, inner_map_flags;
	__u32 inner_btf_key_type_id, inner_btf_value_type_id;
};

/* BTF of a bundled object (parsed once from the embedded ELF; not owned by
 * the caller). NULL when the object cannot be opened. */
const struct btf *bundle_btf(const struct bundle_obj *obj);

/* Every non-internal map of every bundled object, in object order. The
 * arrays are built once and live for the whole process. */
int bundle_map_count(void);
const struct bundle_map *bundle_map_at(int i);
const struct bundle_map *bundle_map_find(const char *name);
/* NULL-terminated list of the bundled map names (completion, `maps`). */
const char *const *bundle_map_names(void);

#endif
