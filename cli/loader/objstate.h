/* SPDX-License-Identifier: GPL-2.0 */
/* The records of loaded objects (objstate.c) and where their programs run;
 * internal to the loader. */
#ifndef MAPSH_LOADER_OBJSTATE_H
#define MAPSH_LOADER_OBJSTATE_H

#include <limits.h>
#include "loader/loader_int.h"

#define OBJ_DIR		"objects"
#define OBJ_BACKUP_DIR	"backup"
#define OBJ_BACKUP_NEW	"new"		/* PIN_DIR/backup/new/<object>: loaded by the migration */
#define OREC_MAX	16
#define OREC_MAX_PROGS	16
#define OREC_MAX_MAPS	64
#define OATT_MAX	256

/* One record: PIN_DIR/objects/<name>. */
struct orec {
	char name[64];
	char dir[PATH_MAX];
	int nprogs;
	char prog[OREC_MAX_PROGS][64];
	__u32 prog_id[OREC_MAX_PROGS], prog_type[OREC_MAX_PROGS];
	int nmaps;
	char map[OREC_MAX_MAPS][64];
	__u32 map_id[OREC_MAX_MAPS];
	bool superseded;		/* replaced by this load */
};

enum ohook { OHOOK_XDP, OHOOK_TC_IN, OHOOK_TC_EG };

/* One place where a recorded program runs. */
struct oatt {
	int ifindex;
	char ifname[IF_NAMESIZE];
	__u32 id;
	enum ohook hook;
	__u32 prio;			/* tc priority; XDP run priority */
	enum xdp_attach_mode mode;
	bool dispatcher;
	unsigned int position, nprogs;
};

/* The id (and map or program type) of what is pinned at path; 0 none. */
__u32 pin_obj_id(const char *path, __u32 *type);
void objects_dir(char *buf, size_t size, const char *pin_dir, bool backup);
int rec_read(const char *dir, const char *name, struct orec *r);
int recs_read(const char *dir, struct orec *r, int max);
/* A program of these records with this id (and name, unless NULL)? */
bool recs_have_prog(const struct orec *r, int n, __u32 id, const char *name);
bool recs_have_map(const struct orec *r, int n, __u32 id);
/* Where the programs of r run: on the interfaces idx (all when nidx 0). */
int obj_scan(const struct orec *r, int nr, const int *idx, int nidx,
	     struct oatt *a, int max);
int oatt_detach(const struct oatt *a);
const char *oatt_hook(const struct oatt *a);

#endif
