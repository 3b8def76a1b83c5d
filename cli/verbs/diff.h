/* SPDX-License-Identifier: GPL-2.0 */
/* diff: what differs between a map and a save file, two maps, or two
 * save files (diff.c). Exit codes as diff(1): 0 equal, 1 different, 2
 * trouble (DIFF_TROUBLE: a usage error, a file that cannot be read or
 * does not fit the type, a map that cannot be opened or read). */
#ifndef MAPSH_DIFF_H
#define MAPSH_DIFF_H

#include "cmd/cmd.h"

#define DIFF_TROUBLE EXIT_USAGE

enum { VOPT_DIFF_MAP = 0, VOPT_DIFF_STATS };	/* mapsh MAP diff --map OTHER --stats */
enum { DIFF_OPT_TYPE_OF = 0 };		/* mapsh diff F1 F2 --type-of MAP */
extern const struct opt_spec diff_verb_opts[];
extern const struct opt_spec diff_files_opts[];

int verb_diff(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int do_diff_files(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);

#define DIFF_OUTPUT_HELP \
"Text: one line per entry that differs, in key order:\n" \
"  + KEY  VALUE                 only in the second (added)\n" \
"  - KEY  VALUE                 only in the first (removed)\n" \
"  ~ KEY  F: OLD -> NEW, ...    in both, value fields F changed\n" \
"typed as dump shows them. Per-CPU maps: a change on any CPU is a change;\n" \
"a summed field (counters, plain integers) shows its sums, unless they are\n" \
"equal, and a field that is not summed its one value when every CPU holds\n" \
"the same; else each CPU that changed, as F@cpuN: OLD -> NEW. Bytes no\n" \
"field names (holes) show as @uncovered: 0x.. -> 0x...\n" \
"-j or --jsonl: one JSON object per line:\n" \
"  {\"op\": \"add\", \"key\": K, \"new\": E}\n" \
"  {\"op\": \"remove\", \"key\": K, \"old\": E}\n" \
"  {\"op\": \"change\", \"key\": K, \"old\": E, \"new\": E,\n" \
"   \"fields\": [{\"field\": F, \"old\": X, \"new\": Y}, ...]}\n" \
"K is the key as dump -j prints it, E the entry as dump -j prints it\n" \
"({\"key\": ..., \"value\": ...} with \"per_cpu\" for per-CPU maps; with\n" \
"fields: the flat object of those fields), X and Y one field's value; a\n" \
"per-CPU field shown CPU by CPU adds \"cpu\": N.\n" \
"where EXPR keeps the entries for which it holds on either side; fields\n" \
"F,... compares and shows only those value fields (key fields in the list\n" \
"are shown in JSON). Entries a save file gives with value fields left out\n" \
"(as apply takes them) are compared on the fields they name.\n" \
"Exit status as diff(1): 0 when nothing differs, 1 when something does, 2\n" \
"on trouble: a wrong command line, a file that cannot be read or does not\n" \
"fit the map's types (FILE:LINE: entry N: ...), a map that cannot be opened\n" \
"or read, maps of different types. (Other mapsh commands exit 1 on such\n" \
"failures; diff does not, so that 1 always means 'different'.)"

#define DIFF_FILES_DESCRIPTION \
"Compares two files written by 'mapsh MAP save' (or in any shape apply\n" \
"reads), both typed by MAP's key and value types (BTF; MAP is only read\n" \
"for its types: NAME, 'id N', 'pinned PATH' or 'name NAME' as one word, or\n" \
"a path on a bpffs). FILE1 is the first (old) side, FILE2 the second (new).\n" \
"'-' reads one of them from standard input. The files are read one entry\n" \
"at a time into flat arrays of key and value bytes, as apply reads them.\n" \
"\n" DIFF_OUTPUT_HELP "\n" \
"\n" \
"Example:\n" \
"  mapsh diff monday.json tuesday.json --type-of blocklist where action == drop"

#endif
