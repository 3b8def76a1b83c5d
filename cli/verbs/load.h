/* SPDX-License-Identifier: GPL-2.0 */
/* `load`, `unload`, `status`: handlers, options and their help text for the
 * command table (cli/commands.c). */
#ifndef MAPSH_CMD_LOAD_H
#define MAPSH_CMD_LOAD_H

#include "cmd/cmd.h"

enum { LOAD_OPT_IFACE, LOAD_OPT_MODE, LOAD_OPT_PIN_DIR, LOAD_OPT_OBJECT,
       LOAD_OPT_MIGRATE, LOAD_OPT_DRY_RUN, LOAD_OPT_SET, LOAD_OPT_RENAME,
       LOAD_OPT_ROLLBACK, LOAD_OPT_COMMIT };
enum { UNLOAD_OPT_IFACE, UNLOAD_OPT_KEEP_MAPS, UNLOAD_OPT_PIN_DIR, UNLOAD_OPT_PURGE };
enum { STATUS_OPT_PIN_DIR };

extern const struct opt_spec load_opts[];
extern const struct opt_spec unload_opts[];
extern const struct opt_spec status_opts[];

int do_load(struct ctx *ctx, const struct cmd *cmd, const struct opt_vals *opts,
	    int argc, char **argv);
int do_unload(struct ctx *ctx, const struct cmd *cmd, const struct opt_vals *opts,
	      int argc, char **argv);
int do_status(struct ctx *ctx, const struct cmd *cmd, const struct opt_vals *opts,
	      int argc, char **argv);

#define LOAD_ARGS ""
#define LOAD_SUMMARY "load the bundled programs or your own objects, pin their maps, attach"
#define LOAD_DESCRIPTION \
	"Loads the bundled programs flowtrack (XDP) and policy (tc) and pins every\n" \
	"map at PIN_DIR/<map> and both programs at PIN_DIR/progs/<program>.\n" \
	"Maps that are already pinned are reused, so their contents survive a\n" \
	"reload; a pinned map whose type, sizes or flags differ from the bundled\n" \
	"definition stops the load before anything changes ('mapsh unload' first).\n" \
	"A new config map gets its defaults (enabled=1, event_mask=3).\n" \
	"\n" \
	"With --iface (repeatable), flowtrack is attached through libxdp's\n" \
	"dispatcher, so other XDP programs on the interface keep running, and\n" \
	"policy as a tc clsact ingress filter; each interface gets its own inner\n" \
	"map in iface_blocklist, pinned at PIN_DIR/inner/iface_blocklist_<iface>.\n" \
	"--mode picks the XDP mode; by default the mode of an XDP dispatcher\n" \
	"already on the interface, else native with a fallback to skb.\n" \
	"\n" \
	"Loading again loads fresh programs on the same maps and moves every\n" \
	"interface where mapsh runs to them (no duplicates). If a step fails,\n" \
	"what the command did so far is undone.\n" \
	"\n" \
	"--object FILE (repeatable) loads your own object instead: every map is\n" \
	"pinned at PIN_DIR/<map> (dots become '_': PIN_DIR/<object>_bss), reused\n" \
	"when already pinned with the same shape; XDP programs are attached on\n" \
	"each --iface through libxdp, tc programs (SEC tc, tc/ingress, tc/egress)\n" \
	"as clsact filters (handle 0x6d74, priority 0x6d80 and up), others where\n" \
	"libbpf's auto-attach puts them. The object is recorded in\n" \
	"PIN_DIR/objects/<object> for status and unload. Loading an object with a\n" \
	"program of the same name as a loaded one replaces it in place on every\n" \
	"interface where it runs (atomically: XDP_FLAGS_REPLACE, tc replace).\n" \
	"\n" \
	"--migrate: a pinned map whose key or value type differs from the\n" \
	"object's gets a new map; its entries are copied by BTF field names\n" \
	"(--set FIELD=VALUE for new fields, --rename OLD=NEW), the new program\n" \
	"replaces the old one between two sweeps (the second carries what changed\n" \
	"meanwhile, counters by their delta), the new map takes the pin and the\n" \
	"old one stays at PIN_DIR/backup/<map>. --dry-run shows what would be\n" \
	"copied and changes nothing. --rollback puts the old programs and maps\n" \
	"back; --commit (or any later load --object) removes the backup."

#define UNLOAD_ARGS ""
#define UNLOAD_SUMMARY "detach mapsh's programs and remove its pins"
#define UNLOAD_DESCRIPTION \
	"Detaches mapsh's own programs, from the given interfaces or from every\n" \
	"interface where they run; other programs in the same XDP dispatcher and\n" \
	"other tc filters keep running. When mapsh is then attached nowhere, the\n" \
	"program pins go. Without --iface, every map pin, the inner maps and the\n" \
	"pin directory when it is empty go too (unless --keep-maps). With --iface\n" \
	"the maps are kept, also when it was the last interface, and the inner\n" \
	"maps of those interfaces: the output says what was kept, and --purge\n" \
	"removes them as a plain unload does."

#define STATUS_ARGS ""
#define STATUS_SUMMARY "show what is loaded, where it is attached, and the pin directory"
#define STATUS_DESCRIPTION \
	"Shows the pinned programs with their ids, the number of pinned maps, and\n" \
	"every interface where mapsh's programs are attached: the XDP mode, the\n" \
	"libxdp run priority and position in the dispatcher, and the tc ingress\n" \
	"filter. A program marked 'old' is an earlier instance still attached."

#endif
