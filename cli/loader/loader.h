/* SPDX-License-Identifier: GPL-2.0 */
/* Loading, attaching, detaching and inspecting the bundled programs.
 *
 * load: both objects are opened from the embedded ELF; every non-internal map
 * gets PIN_DIR/<name> as its pin path, so libbpf reuses a pinned map (its
 * contents survive a reload) or pins the new one. Pinned maps are checked
 * against the object's definitions first; a mismatch changes nothing.
 * flowtrack is handed to libxdp (xdp_program__create with the opened object)
 * and loaded by it as an extension of the multiprog dispatcher of the first
 * interface; the same loaded program is then linked into the dispatchers of
 * the other interfaces, so one program id runs everywhere. Without any
 * interface it is loaded as a plain XDP program. policy is loaded by libbpf
 * and attached with tc (clsact ingress, handle/priority MAPSH_TC_*). Both
 * programs are pinned at PIN_DIR/progs/<name>, replacing earlier pins.
 *
 * A reload loads fresh programs (on the same maps) and moves every interface
 * where mapsh is attached, plus the ones asked for, to them: the new program
 * is attached first, then the previous one is detached, so the interface is
 * never without mapsh. Any failure undoes what the command did.
 *
 * "mapsh's program" on an interface is recognised by its name and by using
 * the pinned `config` map (XDP), or by mapsh's tc handle/priority (tc), so
 * several pin directories do not mix and foreign programs are never touched.
 */
#ifndef MAPSH_LOADER_H
#define MAPSH_LOADER_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>

/* mapsh's tc filter: ingress of clsact, this handle and priority ("ms"). */
#define MAPSH_TC_HANDLE	0x6d73
#define MAPSH_TC_PRIO	0x6d73
/* The tc filters of loaded objects (load --object): this handle, priorities
 * MAPSH_OBJ_TC_PRIO .. + MAPSH_OBJ_TC_SLOTS - 1, on ingress or egress. */
#define MAPSH_OBJ_TC_HANDLE	0x6d74
#define MAPSH_OBJ_TC_PRIO	0x6d80
#define MAPSH_OBJ_TC_SLOTS	16

enum loader_mode {
	LOADER_MODE_AUTO,	/* the existing dispatcher's mode, else native then skb */
	LOADER_MODE_SKB,
	LOADER_MODE_NATIVE,
};

#define LOADER_MAX_IFACES 64

/* libbpf's and libxdp's own messages: shown only when debug (base/bpflog.h
 * for libbpf's alone). Call once after the global options are parsed (the
 * handlers here call it too). */
void loader_set_logging(bool debug);

/* CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN in the effective set;
 * EXIT_FAIL with "this needs CAP_BPF ... and CAP_NET_ADMIN" otherwise. */
int loader_check_caps(void);

/* Interface names to indexes; duplicates dropped. EXIT_FAIL with "no such
 * interface 'X'" on the first unknown one. */
int loader_resolve_ifaces(const char *const *names, int n, int *ifindex,
			  char (*ifname)[IF_NAMESIZE], int *nout);

/* One place where a mapsh program runs. */
struct loader_attachment {
	char ifname[IF_NAMESIZE];
	int ifindex;
	bool tc;			/* false: XDP */
	__u32 prog_id;
	char prog_name[16];
	bool current;			/* the pinned instance (not an old one) */
	/* XDP */
	const char *mode;		/* "native", "skb", "hw" */
	bool dispatcher;		/* false: attached without libxdp's dispatcher */
	unsigned int run_prio;		/* libxdp run priority */
	unsigned int position;		/* 1-based run order in the dispatcher */
	unsigned int nprogs;		/* programs in that dispatcher */
	/* tc */
	__u32 tc_handle, tc_prio;
};

struct loader_prog {
	char name[16];
	char pin[4096];
	bool pinned;
	__u32 id;
	__u32 type;			/* enum bpf_prog_type */
};

/* A program of a loaded object and where it goes. */
#define LOADER_OBJ_PROGS 16
#define LOADER_MAX_OBJS 16
struct loader_obj_prog {
	char name[16];
	__u32 id;
	__u32 type;			/* enum bpf_prog_type */
	const char *hook;		/* "xdp", "tc ingress", "tc egress", "link", "none" */
};

struct loader_obj_info {
	char name[64];			/* libbpf's object name (the file's, to its first dot) */
	int nmaps, maps_reused, maps_migrated;
	int nprogs;
	struct loader_obj_prog prog[LOADER_OBJ_PROGS];
	bool backup;			/* kept in PIN_DIR/backup (a migration not committed) */
};

struct loader_state {
	const char *pin_dir;
	struct loader_obj_info *objs;	/* malloc'd: PIN_DIR/objects and PIN_DIR/backup/objects */
	int nobjs;
	bool pin_dir_exists;
	int maps_pinned;		/* bundled maps pinned in PIN_DIR */
	int inner_pinned;		/* pins in PIN_DIR/inner */
	struct loader_prog progs[2];	/* flowtrack, policy */
	int nprogs;
	struct loader_attachment *att;	/* malloc'd */
	int natt;
};

/* What load did, for its confirmation. */
struct loader_load_result {
	int maps_pinned, maps_created, maps_reused;
	bool config_defaults;		/* config was new: defaults written */
	__u32 prog_id[2];		/* flowtrack, policy */
	int nifaces;
	char ifname[LOADER_MAX_IFACES][IF_NAMESIZE];
	const char *xdp_mode[LOADER_MAX_IFACES];
	bool moved[LOADER_MAX_IFACES];	/* carried over from an earlier load */
	int ninner_created;
};

struct loader_load_req {
	const char *pin_dir;
	const char *const *ifaces;
	int nifaces;
	enum loader_mode mode;
};

int loader_load(const struct loader_load_req *req, struct loader_load_result *res);

struct loader_unload_req {
	const char *pin_dir;
	const char *const *ifaces;	/* NULL/0: every interface */
	int nifaces;
	bool keep_maps;
};

struct loader_unload_result {
	int ndetached;			/* interfaces detached from */
	char ifname[LOADER_MAX_IFACES][IF_NAMESIZE];
	bool full;			/* program pins removed */
	int maps_unpinned, inner_unpinned;
	int still_attached;		/* interfaces left with mapsh (partial) */
	bool dir_removed;
	int maps_kept, inner_kept;	/* pins left because the maps are kept */
	int objs_unloaded;		/* object records removed */
	bool bundled;			/* the bundled programs were loaded */
};

int loader_unload(const struct loader_unload_req *req,
		  struct loader_unload_result *res);

/* load --object: the user's own objects (see loader/object.c for the model). */
struct loader_obj_req {
	const char *pin_dir;
	const char *const *files;
	int nfiles;
	const char *const *ifaces;
	int nifaces;
	enum loader_mode mode;
	bool migrate, dry_run;
	const char *const *sets;	/* FIELD=VALUE for migrated maps */
	int nsets;
	const char *const *renames;	/* OLD=NEW */
	int nrenames;
	const char *audit_log;
};

struct loader_obj_result {
	int nobjs;
	struct loader_obj_info obj[LOADER_MAX_OBJS];
	int nifaces;
	char ifname[LOADER_MAX_IFACES][IF_NAMESIZE];
	int superseded;			/* earlier object records replaced */
	int migrated;			/* maps migrated to a new type */
	bool backup;			/* the replaced maps are in PIN_DIR/backup */
	bool backup_committed;		/* an earlier backup was removed */
};

int loader_load_objects(const struct loader_obj_req *req,
			struct loader_obj_result *res);
/* --commit: remove PIN_DIR/backup (and the maps only the old objects used).
 * --rollback: the backed-up objects' programs and maps back in place of the
 * ones that replaced them. *n gets the objects committed / restored. */
int loader_obj_commit(const char *pin_dir, int *n);
int loader_obj_rollback(const char *pin_dir, struct loader_obj_result *res);

/* Read-only: pins and attachments (every interface of this netns). */
int loader_status(const char *pin_dir, struct loader_state *st);
void loader_state_free(struct loader_state *st);

#endif
