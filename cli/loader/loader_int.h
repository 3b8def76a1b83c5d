/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the loader_*.c files; not part of the API (see
 * loader.h for the model).
 *
 *   loader_env.c     libbpf/libxdp logging, privileges, interface names
 *   loader_ours.c    what is ours: identities read from the pins, and
 *                    the interfaces where they run
 *   loader_xdp.c     XDP: what runs on an interface, attach/detach/swap
 *   loader_tc.c      tc: mapsh's ingress filter and the clsact qdisc
 *   loader_undo.c    the undo list of load
 *   loader_pins.c    pinned maps against the objects, program pins, unpin
 *   loader_inner.c   the per-interface inner maps of iface_blocklist
 *   loader_plan.c    load: how to attach on each interface
 *   loader.c         load
 *   loader_unload.c  unload
 *   loader_status.c  status
 *   object.c         load --object (objload.h), objmig.c its migration,
 *                    --rollback, --commit; objstate.c the records of
 *                    loaded objects (objstate.h), their status and unload
 */
#ifndef MAPSH_LOADER_INT_H
#define MAPSH_LOADER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "loader/loader.h"

#define CONFIG_MAP "config"
#define POLICY_MAP "policy_routes"
#define OUTER_MAP "iface_blocklist"
#define MAX_XDP_PROGS 16
#define MAX_UNDO 512

/* ---- logging (loader_env.c) ---- */

/* True when libbpf's and libxdp's own messages are shown (-d). */
bool loader_debug(void);

/* ---- what is ours (loader_ours.c) ---- */

/* Identities read from the pins: programs on interfaces are matched
 * against them, never by name alone. */
struct ours {
	__u32 config_map_id;		/* PIN_DIR/config */
	__u32 policy_map_id;		/* PIN_DIR/policy_routes */
	__u32 prog_id[2];		/* PIN_DIR/progs/{flowtrack,policy} */
};

void ours_read(const char *pin_dir, struct ours *o);
/* Name of a program and whether it uses map_id. */
int prog_facts(__u32 id, char name[16], __u32 map_id, bool *uses_map);
/* mapsh's flowtrack / policy program of this pin dir (pinned, or using
 * its maps). */
bool xdp_is_ours(__u32 id, const struct ours *o, char name[16]);
bool tc_is_ours(__u32 id, const struct ours *o, char name[16]);

/* ---- XDP (loader_xdp.c) ---- */

struct xdp_view {
	bool present;		/* some XDP program is attached */
	bool dispatcher;	/* through libxdp's multiprog dispatcher */
	enum xdp_attach_mode mode;
	int nprogs;
	__u32 id[MAX_XDP_PROGS];
	char name[MAX_XDP_PROGS][16];
	unsigned int prio[MAX_XDP_PROGS];
	bool ours[MAX_XDP_PROGS];
	int nours, nforeign;
};

const char *mode_str(enum xdp_attach_mode m);
/* libxdp's text for err, else strerror's. */
const char *xdp_err(int err, char *buf, size_t size);
int xdp_inspect(int ifindex, const struct ours *o, struct xdp_view *v);
int xdp_detach_id(int ifindex, __u32 id, enum xdp_attach_mode mode);
int xdp_attach_id(int ifindex, __u32 id, enum xdp_attach_mode mode);
int xdp_swap(int ifindex, int new_fd, __u32 old_id, enum xdp_attach_mode mode);
int xdp_swap_ids(int ifindex, __u32 new_id, __u32 old_id,
		 enum xdp_attach_mode mode);

/* ---- tc (loader_tc.c) ---- */

/* Program id in mapsh's tc slot on ingress, 0 when none. */
__u32 tc_slot_id(int ifindex);
int tc_attach_fd(int ifindex, int prog_fd);
int tc_attach_id(int ifindex, __u32 id);
int tc_detach_ours(int ifindex);
/* The clsact qdisc: create it (0, -EEXIST or -errno), destroy it. */
int tc_clsact_create(int ifindex);
void tc_clsact_destroy(int ifindex);
/* After mapsh's filter is gone: drop clsact when nothing else uses it. */
void tc_cleanup_clsact(int ifindex);
/* The filters of loaded objects (handle MAPSH_OBJ_TC_HANDLE, priority
 * MAPSH_OBJ_TC_PRIO + slot) on ingress or egress: the program id in one
 * (0 none), attach or replace one, remove one. */
__u32 tc_obj_slot_id(int ifindex, bool egress, __u32 prio);
int tc_obj_slot_attach(int ifindex, bool egress, __u32 prio, int prog_fd);
int tc_obj_slot_detach(int ifindex, bool egress, __u32 prio);
int tc_attach_obj_id(int ifindex, bool egress, __u32 prio, __u32 id);

/* ---- where mapsh runs (loader_ours.c) ---- */

struct found {
	int ifindex;
	char name[IF_NAMESIZE];
	struct xdp_view xv;
	__u32 tc_id;
};

/* Where mapsh runs: on the given interfaces, or on all of them. */
int find_attached(const struct ours *o, const int *idx,
		  char (*names)[IF_NAMESIZE], int n,
		  struct found *f, int *nf, bool keep_empty);

/* ---- undo list (loader_undo.c) ---- */

enum undo_kind {
	UNDO_UNLINK,		/* path */
	UNDO_RMDIR,		/* path */
	UNDO_XDP_DETACH,	/* ifindex, id, mode */
	UNDO_XDP_REATTACH,	/* ifindex, id, mode */
	UNDO_XDP_SWAP,		/* ifindex: put id2 back in place of id */
	UNDO_TC_RESTORE,	/* ifindex, id (0: detach ours) */
	UNDO_TC_HOOK,		/* ifindex: destroy the clsact we created */
	UNDO_OUTER_DELETE,	/* fd (borrowed), key */
	UNDO_OUTER_RESTORE,	/* fd (borrowed), key, id of the previous inner map */
	UNDO_TC_SLOT,		/* ifindex, key (prio), fd (1: egress): put id back (0: remove) */
	UNDO_RENAME,		/* path back to path2 */
	UNDO_RMTREE,		/* path: a directory of pins, removed with its pins */
};

struct undo {
	enum undo_kind kind;
	char *path;
	int ifindex;
	__u32 id, id2;
	enum xdp_attach_mode mode;
	int fd;
	__u32 key;
	char *path2;
};

struct undo_list {
	struct undo u[MAX_UNDO];
	int n;
};

/* A new entry (NULL when the list is full: that change is not undone). */
struct undo *undo_push(struct undo_list *l, enum undo_kind kind);
void undo_path(struct undo_list *l, enum undo_kind kind, const char *path);
/* An entry about one interface: ifindex, id, id2, mode. */
void undo_iface(struct undo_list *l, enum undo_kind kind, int ifindex,
		__u32 id, __u32 id2, enum xdp_attach_mode mode);
/* Undo everything, newest first; the list is empty afterwards. */
void undo_run(struct undo_list *l);
/* Keep everything; the list is empty afterwards. */
void undo_forget(struct undo_list *l);

/* ---- pinned maps and programs (loader_pins.c) ---- */

struct map_shape {
	__u32 type, key_size, value_size, max_entries, map_flags;
};

/* EXIT_OK when the map pinned at path has the shape want; else one line
 * naming what differs. */
int check_pinned_shape(const char *what, const char *path,
		       const struct map_shape *want);

struct objs {
	struct bpf_object *obj[2];
	void *skel[2];
	/* maps that had no pin before this command */
	char *new_pin[64];
	int nnew;
	int npinned, nreused;
	bool config_new;
};

int objs_open(const char *pin_dir, struct objs *o);
void objs_close(struct objs *o);
void register_new_pins(struct objs *o, struct bpf_object *obj,
		       struct undo_list *ul);
int pin_prog_tmp(struct bpf_program *p, const char *pin_dir,
		 char *tmp, char *final, struct undo_list *ul);
bool any_pins(const char *pin_dir);
void unpin_all(const char *pin_dir, bool keep_maps,
	       struct loader_unload_result *res);

/* A directory of pins removed with everything in it (bpffs: pins and
 * directories only). */
void rm_pin_tree(const char *path);

/* ---- loaded objects (object.c, objmig.c, objstate.c) ---- */

struct loader_state;
/* Objects recorded in PIN_DIR/objects and where their programs run, for
 * status; detached and unpinned for unload. */
int obj_status(const char *pin_dir, struct loader_state *st);
int obj_unload(const char *pin_dir, const int *idx, int n, bool keep_maps,
	       struct loader_unload_result *res);
bool obj_any(const char *pin_dir);

/* ---- inner maps (loader_inner.c) ---- */

int inner_ensure(const char *pin_dir, struct bpf_object *obj, int ifindex,
		 const char *ifname, struct undo_list *ul, bool *created);
int check_inner_pin(const char *pin_dir, const char *ifname);
int inner_remove(const char *pin_dir, const char *ifname, int ifindex);

/* ---- load: one interface (loader_plan.c) ---- */

struct target {
	int ifindex;
	char name[IF_NAMESIZE];
	bool requested;
	struct xdp_view xv;
	__u32 tc_old;			/* mapsh's previous tc program, 0 none */
	enum loader_mode mode;		/* how to attach */
	bool detach_old_first;		/* old ours must go before the new */
	bool swap;			/* old ours runs alone: replace it atomically */
	enum xdp_attach_mode used;	/* mode the new program got */
};

/* Every interface of this netns where mapsh (of this pin dir) runs,
 * added to tg[] unless there already. */
int scan_attached(const struct ours *o, struct target *tg, int *ntg);
/* The XDP mode a requested mode asks for (auto: native first). */
enum xdp_attach_mode want_mode(enum loader_mode m);
/* Decide how to attach on one interface; refuse what cannot work. */
int plan_target(struct target *t, const struct ours *o,
		enum loader_mode req_mode);

#endif
