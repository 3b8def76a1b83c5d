/* SPDX-License-Identifier: GPL-2.0 */
/* One load --object command (object.c) and its migration steps
 * (objmig.c); internal to the loader. */
#ifndef MAPSH_LOADER_OBJLOAD_H
#define MAPSH_LOADER_OBJLOAD_H

#include <limits.h>
#include "map/mapref.h"
#include "loader/objstate.h"

enum ophook { OP_NONE, OP_XDP, OP_TC_IN, OP_TC_EG, OP_LINK };

struct oprog {
	struct bpf_program *p;
	enum ophook hook;
	struct xdp_program *xp;
	struct bpf_link *link;
};

struct oobj {
	struct bpf_object *obj;
	const char *file;
	char name[64];
	char rec[PATH_MAX], tmp[PATH_MAX];
	struct oprog prog[LOADER_OBJ_PROGS];
	int nprogs;
	int nmaps, nreused, nmigrated;
};

struct otgt {
	int ifindex;
	char name[IF_NAMESIZE];
};

struct oload {
	const struct loader_obj_req *req;
	struct loader_obj_result *res;
	const char *pin_dir;
	struct undo_list *ul;
	struct oobj o[LOADER_MAX_OBJS];
	int no;
	struct orec *recs;		/* PIN_DIR/objects before this load */
	int nrecs;
	struct otgt tg[LOADER_MAX_IFACES];
	int ntg;
	char *new_pin[256];
	int nnew;
	struct omig *mig;
	int nmig, mig_at;
};

/* One pinned map to migrate into the object's new map. */
struct omig {
	struct oobj *ob;
	struct bpf_map *m;
	char pin[64];
	char path[PATH_MAX];		/* PIN_DIR/<pin>: the old map */
	char tmp[PATH_MAX];		/* PIN_DIR/<pin>__mapsh_new: the new one */
	struct mapref *from, *to;
};

/* A pinned map against the object's (objmig.c): *reuse when the same
 * type, else queued for migration; EXIT_FAIL when it cannot migrate. */
int mig_consider(struct oload *l, struct oobj *ob, struct bpf_map *m,
		 const char *pin, const char *path,
		 const struct map_shape *want, bool *reuse);
/* --dry-run: the engine's report for each queued map. */
int mig_dry_run(struct oload *l);
/* Both sweeps of every queued map, the programs attached between them. */
int mig_run_all(struct oload *l);
/* Each new map pinned beside the old pin; at the commit, the exchange and
 * the old map to PIN_DIR/backup. */
int mig_pin_tmp(struct oload *l);
void mig_swap_pins(struct oload *l);
void mig_free(struct oload *l);
/* Remove PIN_DIR/backup and the maps only its records used (none of the
 * current records' nor l's, l may be NULL): the records removed, -1 none. */
int backup_commit(const char *pin_dir, const struct oload *l);

/* Shared by object.c and objmig.c. */
__u32 map_id_of(int fd);
/* Every program of every object on every target. */
int ol_attach(struct oload *l);
/* A map of one of l's objects has this id. */
bool new_has_map(const struct oload *l, __u32 id);

#endif
