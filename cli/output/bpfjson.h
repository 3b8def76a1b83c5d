/* SPDX-License-Identifier: GPL-2.0 */
/* --format bpftool: map entries in the JSON shape of `bpftool -j map dump`
 * (and lookup, peek, pop), so that jq scripts written for bpftool read
 * mapsh's output unchanged:
 *   {"key": ["0x0a",...], "value": ["0x01",...],
 *    "formatted": {"key": K, "value": V}}
 *   per-CPU maps: {"key": [...], "values": [{"cpu": 0, "value": [...]}, ...],
 *    "formatted": {"key": K, "values": [{"cpu": 0, "value": V}, ...]}}
 *   maps of maps: "value" the inner map's id (4 bytes), as bpftool 7
 *   queues and stacks (peek, pop, drain): {"key": [], "value": [...]}
 * "formatted" only when the map itself has BTF (its info's value type),
 * written by tv_bpftool_json (tval/bpftool.c): no display formats, no
 * types found through a program or --btf; "key" in it only when the key
 * has a type. Raw bytes are the kernel's, every byte. */
#ifndef MAPSH_BPFJSON_H
#define MAPSH_BPFJSON_H

#include <stdbool.h>
#include <string.h>
#include "map/mapref.h"
#include "tval/tval.h"

/* The members of one entry in the current JSON object: key (NULL: a
 * queue or stack element, "key": []) and raw, the kernel's lookup (every
 * CPU's value of a per-CPU map, m->stride apart). */
void bj_members(struct jw *jw, const struct mapref *m, const void *key,
		const void *raw);
/* Free the BTF kept for the last map (at exit). */
void bj_release(void);

/* Times a consumer can use without knowing the boot time: after "value"
 * of an entry or record under -j, a member "wall" with every ktime field
 * of the value (ns of CLOCK_MONOTONIC, kept as the number in "value") as
 * an ISO 8601 UTC time, by its dotted path ("value" for a scalar), null
 * for 0 (never set): "wall": {"first_seen": "2024-05-01T12:00:00.123456789Z"}.
 * The boot time it adds is taken to the millisecond, so that two dumps of
 * the same entry show the same (the ns digits keep differences exact).
 * Nothing when plan has no ktime field. now_mono 0: read the clocks. */
bool out_plan_has_ktime(const struct tv_plan *plan);
void out_json_wall(struct jw *jw, const struct tv_plan *plan, const void *rec,
		   uint64_t now_mono, uint64_t now_real);

#endif
