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

struct loader_state {
	const char *pin_dir;
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
};

int loader_unload(const struct loader_unload_req *req,
		  struct loader_unload_result *res);

/* Read-only: pins and attachments (every interface of this netns). */
int loader_status(const char *pin_dir, struct loader_state *st);
void loader_state_free(struct loader_state *st);

#endif
