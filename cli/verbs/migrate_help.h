/* SPDX-License-Identifier: GPL-2.0 */
/* The help of the migrate verb (migrate.c), for its row of the verb table. */
#ifndef MAPSH_VERBS_MIGRATE_HELP_H
#define MAPSH_VERBS_MIGRATE_HELP_H

#define MIGRATE_HELP \
"Copies every entry of MAP into NEW (--to, any map selector: a pinned\n" \
"name, 'id N', 'pinned PATH'), both typed by BTF, matching the fields of\n" \
"key and value by name (nested structs by path: a.b, x[1].y):\n" \
"  - the same field, the same or a wider type: copied (widened);\n" \
"  - a narrower type: copied when every entry's value fits, else refused,\n" \
"    naming the entries that do not fit;\n" \
"  - fields only in NEW's type: zero, or --set FIELD=VALUE;\n" \
"  - fields only in MAP's type: dropped (the plan says so);\n" \
"  - --rename OLD=NEW: the old field (or struct) OLD goes to NEW;\n" \
"  - keys are migrated the same way; two old keys that become one new key\n" \
"    are refused, both named;\n" \
"  - NEW may be another map type (hash to LRU hash, array) and smaller,\n" \
"    as long as the entries fit (an LRU map: before it evicts).\n" \
"A field is key.F or value.F where both have F. Every refusal is found\n" \
"before anything is written: nothing is written then (exit 1). The\n" \
"writes are one journaled batch (see 'recover --help'): Ctrl-C rolls it\n" \
"back, a killed migrate is undone with 'mapsh NEW recover'. Entries NEW\n" \
"already has under a copied key are overwritten; others are kept.\n" \
"\n" \
"  --to NEW          the map to copy into\n" \
"  --set F=V         the value of a field only NEW has (repeatable)\n" \
"  --rename O=N      old field path O is new field path N (repeatable)\n" \
"  --dry-run         print the plan (each field copied, widened, narrowed,\n" \
"                    new or dropped), the entry count and the refusals;\n" \
"                    write nothing (exit 1 when one would be refused)\n" \
"  --then CMD        a live upgrade: after the copy run CMD (sh -c; it\n" \
"                    attaches the program that uses NEW), then a second\n" \
"                    sweep carries over what changed in MAP meanwhile:\n" \
"                    counter fields (mapsh:counter, or packets, bytes ...)\n" \
"                    by their delta added to NEW's value, ktime fields the\n" \
"                    latest, other fields MAP's new value where NEW still\n" \
"                    holds the copied one; new entries are added, entries\n" \
"                    gone from MAP are removed unless NEW changed them.\n" \
"                    CMD failing stops after the copy (exit 1). Not atomic:\n" \
"                    a count the new program adds to an entry while the\n" \
"                    second sweep rewrites that entry can be lost\n" \
"\n" \
"Examples:\n" \
"  mapsh flows_v1 migrate --to flows_v2 --set zone=7 --dry-run\n" \
"  mapsh flows_v1 migrate --to 'pinned /sys/fs/bpf/new' --rename pkts=packets"

#endif
