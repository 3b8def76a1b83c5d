// SPDX-License-Identifier: GPL-2.0
/* The map verb table (dispatch: map_dispatch.c): see map_verbs.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "base/err.h"
#include "cmd/argscan.h"
#include "map/journal.h"
#include "map/write.h"
#include "cmd/registry.h"
#include "verbs/map_verbs.h"
#include "verbs/diff.h"
#include "verbs/migrate_help.h"
#include "map/mapinfo.h"
#include "query/query.h"
#include "base/suggest.h"

#define T(x) (1ULL << BPF_MAP_TYPE_##x)
/* The maps whose entries mapsh reads and writes. */
#define DATA_MAPS (T(HASH) | T(LRU_HASH) | T(ARRAY) | T(PERCPU_HASH) | \
		   T(PERCPU_ARRAY) | T(LRU_PERCPU_HASH) | T(LPM_TRIE))
/* ... of which entries can be deleted (array elements always exist). */
#define DELETE_MAPS (DATA_MAPS & ~(T(ARRAY) | T(PERCPU_ARRAY)))
#define MIM_MAPS (T(HASH_OF_MAPS) | T(ARRAY_OF_MAPS))
#define COUNT_MAPS (DATA_MAPS | MIM_MAPS)
/* Queues and stacks (push/pop/peek/drain); streams (drain/follow). */
#define QUEUE_MAPS (T(QUEUE) | T(STACK))
#define STREAM_MAPS (T(RINGBUF) | T(PERF_EVENT_ARRAY))
/* Types whose entries are no plain data (mtypes.c): stack traces; maps of
 * programs, devices, CPUs and sockets (a reuseport array reads back its
 * sockets' cookies as a sockmap does); cgroup storages (plain values, no
 * delete); bloom filters (values only: a membership test). */
#define STACK_MAPS T(STACK_TRACE)
#define FD_MAPS (T(PROG_ARRAY) | T(DEVMAP) | T(DEVMAP_HASH) | T(CPUMAP) | \
		 T(SOCKMAP) | T(SOCKHASH) | T(XSKMAP) | T(REUSEPORT_SOCKARRAY))
#define READ_FD_MAPS (FD_MAPS & ~T(XSKMAP))	/* the kernel hides XDP sockets */
/* ... and the arrays of cgroups and perf events, which user space cannot
 * read but can empty, slot by slot. */
#define DEL_FD_MAPS (FD_MAPS | T(CGROUP_ARRAY) | T(PERF_EVENT_ARRAY))
#define DEV_MAPS (T(DEVMAP) | T(DEVMAP_HASH) | T(CPUMAP))
#define CGS_MAPS (T(CGROUP_STORAGE) | T(PERCPU_CGROUP_STORAGE))
#define BLOOM_MAPS T(BLOOM_FILTER)
/* Local storages reached by an fd a command line can name: a PID, a
 * cgroup directory, a file (socket storages need a socket). */
#define LS_MAPS (T(TASK_STORAGE) | (1ULL << MAPSH_MAP_TYPE_CGRP_STORAGE) | T(INODE_STORAGE))

#define TYPES_DUMP_HELP \
"Stack trace maps: one row per frame (id, frame, address, symbol: kernel\n" \
"addresses as SYMBOL+0xOFF from /proc/kallsyms, user addresses '-'; -j:\n" \
"{\"key\": ID, \"stack\": [{\"addr\": \"0x..\", \"symbol\": S|null}, ...]}).\n" \
"Build-id stacks (BPF_F_STACK_BUILD_ID): a file offset and 'build-id HEX'\n" \
"(-j: {\"build_id\": HEX, \"offset\": \"0x..\"}).\n" \
"Program arrays: the program's id, name and type; device maps: ifindex and\n" \
"interface name (and program); CPU maps: qsize (and program); socket maps\n" \
"and reuseport arrays: the socket's cookie (ss -e shows it as sk:HEX),\n" \
"which the kernel gives only into 8-byte values: of a sockhash of 4-byte\n" \
"values dump lists the keys alone, a sockmap or reuseport array of them\n" \
"is not read. XDP socket maps are not read: the kernel does not show\n" \
"their sockets to user space. struct_ops maps: the one value (key 0) as\n" \
"the kernel's struct bpf_struct_ops_NAME, typed from its BTF (state,\n" \
"each callback as the id of its program in hex, the other fields), then\n" \
"\"callbacks\": each set one by its program, ssthresh=42:mt_ssthresh,...\n" \
"(-j: [{\"field\": F, \"prog_id\": N, \"prog_name\": P}, ...])."

#define KEY_HELP \
"KEY is typed like the map's key: field=value words (src_ip=10.0.0.1\n" \
"dst_port=80 protocol=udp; every field of the key must be given), the\n" \
"values in field order, one JSON or {a=1 b=2} object, bpftool's bytes\n" \
"(hex 0a 00 00 01), a plain number for a scalar key, or for an LPM trie a\n" \
"prefix (10.0.0.0/8; a bare address is a full-length prefix). Maps without\n" \
"BTF take bytes."

#define SPLIT_HELP \
"Where KEY ends and VALUE starts:\n" \
"  key KEY... value VALUE...   explicit, as in bpftool (always works)\n" \
"  KEY... value VALUE...       the word 'value' separates them\n" \
"  otherwise                   VALUE starts at the first field=value word\n" \
"                              naming a field of the value type that the\n" \
"                              key type does not have, or that the key\n" \
"                              words named already, or that follows\n" \
"                              positional key words, or at value.F=\n" \
"                              (F a value field: key and value may share\n" \
"                              names); a scalar, LPM, byte-only or whole\n" \
"                              ({...} or [...]) key is the first word\n" \
"                              (hex: the bytes after it)\n" \
"VALUE takes the same forms as KEY. Fields it does not name keep what the\n" \
"entry has (a new entry: zero), as with set; --zero-rest zeroes them, and\n" \
"bytes (hex ...) always write the whole value."

#define PERCPU_WRITE_HELP \
"Per-CPU maps: the value is written on every CPU unless --cpu N (or a\n" \
"word cpu=N) names one; the other CPUs then keep what they had."

static const struct opt_spec percpu_opts[] = {
	[VOPT_PER_CPU] = { "per-cpu", 0, NULL,
			   "per-CPU maps: one row per CPU instead of the sum" },
	{ NULL },
};

#define ZERO_REST_OPT { "zero-rest", 0, NULL, \
	"zero the value fields VALUE does not name (default: they keep what the entry has)" }
static const struct opt_spec update_opts[] = {
	[VOPT_CPU] = { "cpu", 0, "N", "per-CPU maps: write CPU N only" },
	[VOPT_ZERO_REST] = ZERO_REST_OPT,
	[VOPT_NOEXIST] = { "noexist", 0, NULL, "fail when the key exists (= add)" },
	[VOPT_EXIST] = { "exist", 0, NULL, "fail when the key does not exist (= replace)" },
	{ NULL },
};

static const struct opt_spec replace_opts[] = {
	[VOPT_CPU] = { "cpu", 0, "N", "per-CPU maps: write CPU N only" },
	[VOPT_ZERO_REST] = ZERO_REST_OPT,
	{ NULL },
};

static const struct opt_spec cpu_opts[] = {
	[VOPT_CPU] = { "cpu", 0, "N", "per-CPU maps: write CPU N only" },
	{ NULL },
};

static const struct opt_spec no_opts[] = { { NULL } };

static const struct opt_spec dump_opts[] = {
	[VOPT_PER_CPU] = { "per-cpu", 0, NULL,
			   "per-CPU maps: one row per CPU instead of the sum" },
	[VOPT_RECURSIVE] = { "recursive", 'r', NULL,
			     "maps of maps: dump every inner map too" },
	[VOPT_STATS] = { "stats", 'v', NULL,
			 "on stderr after the entries: entries read, batches, readers, retries, elapsed time" },
	[VOPT_BARS] = { "bars", 0, NULL,
			"histograms: draw the bars in a pipe too (default: the bucket table)" },
	{ NULL },
};

#define TYPE_OPT(what) { "type", 0, "TYPE", \
	"decode " what " as TYPE (struct NAME, a typedef, __u64, ...) from the map's BTF, else the kernel's" }
static const struct opt_spec push_opts[] = {
	[VOPT_Q_TYPE] = TYPE_OPT("the value"),
	[VOPT_Q_EXIST] = { "exist", 0, NULL, "when full, overwrite the oldest element (BPF_EXIST)" },
	{ NULL },
};

static const struct opt_spec qread_opts[] = {
	[VOPT_Q_TYPE] = TYPE_OPT("the value"),
	{ NULL },
};

static const struct opt_spec drain_opts[] = {
	[VOPT_S_COUNT] = { "count", 'n', "N", "stop after N records (elements)" },
	[VOPT_S_TYPE] = TYPE_OPT("records"),
	[VOPT_S_TIMESTAMP] = { "timestamp", 't', NULL, "add the time each record was received" },
	[VOPT_S_PAGES] = { "pages", 0, "N", "perf event arrays: buffer pages per CPU (a power of 2; default 64)" },
	{ NULL },
};

static const struct opt_spec follow_opts[] = {
	[VOPT_S_COUNT] = { "count", 'n', "N", "stop after N records" },
	[VOPT_S_TYPE] = TYPE_OPT("records"),
	[VOPT_S_TIMESTAMP] = { "timestamp", 't', NULL, "add the time each record was received" },
	[VOPT_S_PAGES] = { "pages", 0, "N", "perf event arrays: buffer pages per CPU (a power of 2; default 64)" },
	[VOPT_S_TIMEOUT] = { "timeout", 0, "SECONDS", "stop after SECONDS (fractions allowed)" },
	{ NULL },
};

#define STREAM_HELP \
"Records are decoded with the type the program names for the map (a\n" \
"'mapsh:record=STRUCT' decl tag on the map variable, see bpf/mapsh.h) or\n" \
"--type TYPE, looked up in the map's BTF, else in the kernel's; records of\n" \
"another size, or when no type is known, are shown as bytes. Text: one line\n" \
"per record, FIELD=VALUE words (ktime fields as wall-clock times); -j or\n" \
"--jsonl: one JSON object per line, {\"value\": RECORD} as queue and stack\n" \
"elements ({\"value\": {\"timestamp\": ..., \"src_ip\": \"10.0.0.1\", ...}};\n" \
"untyped: {\"value\": [\"0x0a\", ...]}), ktime fields also as wall-clock\n" \
"times beside it (\"wall\": {\"timestamp\": \"2024-05-01T12:00:00.5Z\"});\n" \
"--format bpftool: {\"key\": [], \"value\": [\"0x0a\", ...]}; --format csv: a\n" \
"header of the fields and a row each; --timestamp adds the receive time (text: a\n" \
"first word; JSON: \"received\"). Output is written per batch of records\n" \
"and on Ctrl-C or SIGTERM, which stop cleanly (exit 0); on a terminal a\n" \
"summary (records, bytes) goes to stderr at the end.\n" \
"Perf event arrays: a buffer is attached on every CPU (taking the place of\n" \
"any other reader's), each record says the CPU whose buffer held it (text:\n" \
"a word on_cpu=C after the receive time; JSON: \"on_cpu\": C), lost samples\n" \
"are reported as 'lost N samples on CPU C' (JSON: {\"lost\": N, \"cpu\": C})\n" \
"among the records."

/* follow, watch and apply --watch across a reload (map/repin.h). */
#define RELOAD_HELP \
"A reload ('mapsh unload' then 'mapsh load', or another map pinned at the\n" \
"same path) is followed: when the pin of MAP (NAME or pinned PATH) names\n" \
"another map, that one is opened with its own types, and one line on\n" \
"stderr says so ('flows: the pin now names another map (id 41, was 17):\n" \
"following the new one'); when nothing has been pinned there for 3\n" \
"seconds, one line says so and the command exits 1. The pin is looked at\n" \
"every half second or so. A map selected by id N, name NAME or OUTER[KEY]\n" \
"has no pin to follow: it stays on the map it opened."

static const struct opt_spec apply_opts[] = {
	[VOPT_PRUNE] = { "prune", 0, NULL, "also remove the entries the file does not have (arrays: zero them)" },
	[VOPT_DRY_RUN] = { "dry-run", 'n', NULL, "list what would change, write nothing" },
	[VOPT_WATCH] = { "watch", 0, NULL, "keep running: apply again each time FILE changes" },
	{ NULL },
};

static const struct opt_spec migrate_opts[] = {
	[VOPT_M_TO] = { "to", 0, "NEW", "the map to copy into", COMPLETE_MAP },
	[VOPT_M_SET] = { "set", 0, "F=V", "a field only the new type has gets V", .repeat = true },
	[VOPT_M_RENAME] = { "rename", 0, "O=N", "old field O is new field N", .repeat = true },
	[VOPT_M_DRY_RUN] = { "dry-run", 'n', NULL, "print the plan and the refusals, write nothing" },
	[VOPT_M_THEN] = { "then", 0, "CMD", "run CMD after the copy, then carry over what changed meanwhile" },
	{ NULL },
};

static const struct opt_spec recover_opts[] = {
	[VOPT_FORWARD] = { "forward", 0, NULL, "finish the interrupted write instead (every key to its new value)" },
	[VOPT_DISCARD] = { "discard", 0, NULL, "forget the journal, leave the map as it is" },
	{ NULL },
};

/* The handlers a map type class has of its own. */
static const struct cmd_impl mim_dump[] = {
	{ MIM_MAPS, verb_mim_dump }, { STACK_MAPS, mt_stack_dump },
	{ READ_FD_MAPS, mt_fd_dump }, { T(STRUCT_OPS), mt_structops_dump }, { 0 } };
static const struct cmd_impl mim_lookup[] = {
	{ MIM_MAPS, verb_mim_lookup }, { STACK_MAPS, mt_stack_lookup },
	{ READ_FD_MAPS, mt_fd_lookup }, { BLOOM_MAPS, mt_bloom_lookup },
	{ LS_MAPS, mt_storage_lookup }, { T(STRUCT_OPS), mt_structops_dump }, { 0 } };
static const struct cmd_impl mim_update[] = {
	{ MIM_MAPS, verb_mim_update }, { DEV_MAPS, mt_fd_update },
	{ T(PROG_ARRAY), mt_prog_update },
	{ LS_MAPS, mt_storage_update }, { 0 } };
static const struct cmd_impl mt_delete_impl[] = {
	{ STACK_MAPS | DEL_FD_MAPS, mt_delete }, { LS_MAPS, mt_storage_delete }, { 0 } };
static const struct cmd_impl mt_clear_impl[] = { { STACK_MAPS | DEL_FD_MAPS, mt_clear }, { 0 } };
static const struct cmd_impl count_impl[] = { { READ_FD_MAPS, mt_fd_count }, { 0 } };
static const struct cmd_impl bloom_push_impl[] = { { BLOOM_MAPS, mt_bloom_push }, { 0 } };
static const struct cmd_impl queue_drain_impl[] = { { QUEUE_MAPS, queue_drain }, { 0 } };
static const struct cmd_impl ring_watch_impl[] = { { T(RINGBUF), verb_watch_ring }, { 0 } };

const struct cmd map_verbs[] = {
	{
		.name = "dump", .fn = verb_dump, .impl = mim_dump, .opts = dump_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_QUERY, .flags = ARG_OPTIONAL, .clauses = QC_WHERE | QC_SORT | QC_LIMIT | QC_FIELDS },
			{ .kind = ARG_END } },
		.summary = "print every entry, typed (the default verb)",
		.description =
"Prints every entry: a table with one column per key and value field on a\n"
"terminal, tab-separated lines without a header in a pipe, with -j one JSON\n"
"array of {\"key\": ..., \"value\": ...} (bpftool's shape), with --jsonl one\n"
"object per line. Per-CPU maps: counters and plain integers are summed\n"
"over the CPUs (ktime fields show the latest, tcpflags are OR-ed); any\n"
"other field (flags, masks, states, ids, hex, enums, addresses, strings,\n"
"floats, bitfields; the bytes of a map without BTF) shows its one value\n"
"when every CPU holds the same, else each CPU's: cpu0=10|cpu1,3=1290 (CPUs\n"
"with the same value grouped). --per-cpu shows one row per CPU. JSON\n"
"always carries \"per_cpu\": [{\"cpu\": 0, \"value\": ...}, ...], and \"value\"\n"
"(the sums) only when it is the entry's one value (no field of the second\n"
"kind differs between CPUs). where and sort on a per-CPU map see the\n"
"sums and, for a field of the second kind, every CPU's value: where EXPR\n"
"holds when it holds for some CPU (its value of each such field; where\n"
"flags == 1290 finds an entry where only CPU 1 holds 1290), and sort uses\n"
"the largest CPU value.\n"
"A value field that is a histogram (tagged mapsh:log2hist or\n"
"mapsh:linhist=MIN,STEP, --as FIELD=log2hist, or an untagged array of\n"
"unsigned integers named slots, buckets or *hist*) is drawn after its\n"
"entry as bcc draws it: count, sum, p50/p90/p99, a bar per bucket (see\n"
"'mapsh help hist'); in a pipe the bucket table (FIELD LO HI COUNT) unless\n"
"--bars; -j adds \"histograms\": {FIELD: HIST} (see 'mapsh help hist') to the\n"
"entry. A map keyed by a log2 bucket index (--as key=log2) is drawn as\n"
"one histogram after it.\n"
"Bytes no field names (holes, unnamed bitfields) show when not zero: in\n"
"a last column @uncovered (0x..; in CSV always, empty where zero), in a\n"
"pipe, or in a table after the first 1024 rows when those had none, as a\n"
"trailing @uncovered=0x.. (key.@uncovered and value.@uncovered when both\n"
"can have them; lookup, update and delete read those words back); a string\n"
"shows up to its NUL, as bpftool shows it (JSON's @uncovered also carries\n"
"the bytes after it).\n"
"Big hash maps are read by several threads at once on a machine of more\n"
"than one CPU, one a CPU, each held to its own when they cover them all\n"
"(entries then come a chunk of whichever thread has one ready), mmapable\n"
"arrays through mmap; --stats (-v) says on stderr how: entries read,\n"
"batches, readers (the CPUs they were held to, the entries read twice\n"
"where their ranges meet, dropped, and the ranges read: a thread done\n"
"with its own takes over half of what another has left), retries,\n"
"elapsed time, and why one reader read the map.\n"
"\n"
"  where EXPR         only entries for which EXPR holds: field comparisons\n"
"                     (== != < <= > >=), ~ for address prefixes and\n"
"                     substrings, and, or, not, parentheses\n"
"                     (where dst_ip ~ 10.0.0.0/8 and protocol == tcp)\n"
"  sort FIELD [asc|desc]  order by a field (repeatable)\n"
"  limit N            at most N entries\n"
"  fields F,G.H       only these columns (JSON: flat objects)\n"
"\n"
"Without sort the dump streams: entries are read in batches\n"
"(BPF_MAP_LOOKUP_BATCH) and printed as they come, in memory that does not\n"
"grow with the map. With sort the matching entries are held in memory to\n"
"be sorted. An empty map prints nothing (JSON: []).\n"
"\n"
"Maps of maps: one row per key with the inner map's id, type, name and\n"
"entries (JSON: {\"key\": K, \"inner\": {\"id\": .., \"type\": .., \"name\": ..,\n"
"\"max_entries\": .., \"entries\": ..}}); --recursive also dumps each inner map,\n"
"typed (JSON: its entries in \"inner\".\"dump\"). 'mapsh OUTER[KEY] dump'\n"
"dumps one inner map.\n"
"\n" TYPES_DUMP_HELP,
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB,
		.map_types = DATA_MAPS | MIM_MAPS | STACK_MAPS | READ_FD_MAPS | CGS_MAPS |
			     T(STRUCT_OPS),
	},
	{
		.name = "lookup", .fn = verb_lookup, .impl = mim_lookup, .opts = percpu_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_KEY },
			{ .kind = ARG_END } },
		.summary = "print the entry of one key",
		.description =
"Prints the entry stored under KEY, in the columns of dump (-j: one JSON\n"
"object). An LPM trie does a longest-prefix match: 'lookup 10.1.2.3' shows\n"
"the most specific prefix that contains the address. A key with no entry\n"
"is an error (exit 1). A map of maps shows the inner map stored under KEY.\n"
"A stack trace map shows the stack with id KEY, a program, device, CPU or\n"
"socket map the entry at KEY as dump does. A bloom filter takes a VALUE\n"
"and answers 'maybe present' (exit 0) or 'not present' (exit 1; -j:\n"
"{\"maybe_present\": BOOL}). Task, cgroup and inode storages take a PID, a\n"
"cgroup directory or a file as KEY (the kernel takes their fd; it lists no\n"
"keys of a local storage, so there is no dump).\n\n" KEY_HELP,
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB,
		.map_types = DATA_MAPS | MIM_MAPS | STACK_MAPS | READ_FD_MAPS | CGS_MAPS | BLOOM_MAPS | LS_MAPS |
			     T(STRUCT_OPS),
	},
	{
		.name = "update", .fn = verb_update, .impl = mim_update, .opts = update_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_KEY },
			{ .kind = ARG_VALUE },
			{ .kind = ARG_END } },
		.summary = "insert or overwrite one entry",
		.description =
"Writes VALUE under KEY, creating the entry or replacing it (--noexist:\n"
"only create, as 'add'; --exist: only replace, as 'replace'). The fields\n"
"VALUE names are written; the others keep what the entry has (zero in a\n"
"new entry) unless --zero-rest: 'mapsh config update 0 sample_rate=20'\n"
"leaves enabled as it is. Everything is parsed before anything is\n"
"written: bad input changes nothing. A full map is an error (exit 1).\n\n" KEY_HELP "\n\n" SPLIT_HELP "\n\n" PERCPU_WRITE_HELP "\n\n"
"Examples:\n"
"  mapsh blocklist update src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop\n"
"  mapsh blocked_prefixes update 10.0.0.0/8 action=drop\n"
"  mapsh policy_routes update key 10.0.0.1 value ifindex=eth1 next_hop=10.9.0.1\n"
"  mapsh id 42 update key hex 01 00 00 00 value hex 2a 00 00 00 00 00 00 00\n"
"\n"
"Maps of maps: VALUE is the inner map, inner=id:N or inner=pinned:PATH;\n"
"it must match the map's inner map template (type, key and value sizes,\n"
"flags), which is checked before anything is written:\n"
"  mapsh iface_blocklist update eth0 inner=pinned:/sys/fs/bpf/rules_eth0\n"
"\n"
"Device maps: 'update KEY IFACE' (an interface name or index, or\n"
"ifindex=IFACE); CPU maps: 'update CPU qsize=N'. Neither attaches a program.\n"
"Program arrays: 'update KEY id N' or 'update KEY pinned PATH' (or\n"
"prog=id:N, prog=pinned:PATH; a bare N is an id); the audit log records\n"
"program ids.\n"
"Cgroup storages: the entry of an attached cgroup (there is no add).\n"
"Task, cgroup and inode storages: KEY is a PID, a cgroup directory or a\n"
"file ('update 1234 value count=3'); the kernel lists no keys of them.",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES,
		.map_types = DATA_MAPS | MIM_MAPS | DEV_MAPS | CGS_MAPS | LS_MAPS | T(PROG_ARRAY),
	},
	{
		.name = "add", .fn = verb_update, .impl = mim_update, .opts = cpu_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_KEY },
			{ .kind = ARG_VALUE },
			{ .kind = ARG_END } },
		.summary = "insert one entry; fail when the key exists",
		.description = "update --noexist. See 'mapsh MAP update --help' for KEY and VALUE.",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES, .map_types = DATA_MAPS | MIM_MAPS,
	},
	{
		.name = "replace", .fn = verb_update, .impl = mim_update, .opts = replace_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_KEY },
			{ .kind = ARG_VALUE },
			{ .kind = ARG_END } },
		.summary = "overwrite one entry; fail when the key does not exist",
		.description = "update --exist. See 'mapsh MAP update --help' for KEY and VALUE.",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES, .map_types = DATA_MAPS | MIM_MAPS,
	},
	{
		.name = "delete", .fn = verb_delete, .impl = mt_delete_impl, .opts = no_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_KEY },
			{ .kind = ARG_END } },
		.summary = "delete the entry of one key",
		.description =
"Deletes the entry stored under KEY; a key with no entry is an error (exit\n"
"1). Array elements cannot be deleted: use set, update or clear to zero\n"
"them. A map of maps drops the inner map stored under KEY; a stack trace\n"
"map the stack with id KEY; a program, device, CPU, cgroup, perf event or\n"
"socket map the entry at KEY (a number for 4-byte keys).\n\n" KEY_HELP,
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES,
		.map_types = DELETE_MAPS | MIM_MAPS | STACK_MAPS | DEL_FD_MAPS | LS_MAPS,
	},
	{
		.name = "set", .fn = verb_set, .opts = cpu_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_KEY, .flags = ARG_OPTIONAL },
			{ .kind = ARG_FIELDS, .flags = ARG_REPEAT },
			{ .kind = ARG_END } },
		.summary = "change some fields of one entry, keep the others",
		.description =
"Reads the entry under KEY, changes the named fields and writes it back\n"
"(read-modify-write; an entry that does not exist is an error). Every\n"
"value word is FIELD=VALUE: a bare value ('mapsh config set 0') is refused\n"
"(exit 2); to write a whole value use update (a map without BTF, which has\n"
"no fields, takes bytes). For a\n"
"one-element array the key may be left out:\n"
"  mapsh config set sample_rate=100\n"
"A program's global data (the map libbpf makes of its .data or .bss,\n"
"kernel name OBJ.data, OBJ.bss) is such an array, its variables the\n"
"fields: 'mapsh myprog.bss set counter=0'. A frozen one (.rodata,\n"
".kconfig) is refused in one line.\n"
"KEY ends where the first FIELD=VALUE naming a value field starts (or\n"
"write 'key KEY... value FIELD=VALUE...').\n\n" KEY_HELP "\n\n" PERCPU_WRITE_HELP,
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES, .map_types = DATA_MAPS | CGS_MAPS,
	},
	{
		.name = "clear", .fn = verb_clear, .impl = mt_clear_impl, .opts = no_opts,
		.summary = "delete every entry (arrays: zero every element)",
		.description =
"Deletes every entry of a hash or LPM map, or zeroes every element of an\n"
"array. It asks first on a terminal; otherwise --yes is required. Like\n"
"apply it keeps an undo journal: Ctrl-C or SIGTERM roll it back, and\n"
"'recover' undoes one that was killed. Stack trace, program, device, CPU,\n"
"cgroup, perf event and socket maps are cleared entry by entry, with no\n"
"journal (user space cannot write their entries back).",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES,
		.map_types = DATA_MAPS | STACK_MAPS | DEL_FD_MAPS,
	},
	{
		.name = "save", .fn = verb_save, .opts = no_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_FILE, .flags = ARG_OPTIONAL },
			{ .kind = ARG_END } },
		.summary = "write every entry to FILE as JSON (apply reads it back)",
		.description =
"Writes every entry to FILE ('-' or none: standard output) in the shape of\n"
"'mapsh -j MAP dump': one JSON array of {\"key\": ..., \"value\": ...}, each\n"
"entry on a line of its own so that diff and grep read the file (--jsonl:\n"
"one object per line, no array; -p: indented). Per-CPU maps also save each\n"
"CPU's value (\"per_cpu\"), so apply restores them exactly; arrays save every\n"
"element. The file is exact: save, clear, apply leaves every byte as it\n"
"was, and a map's own file applies with 0 changed. A NaN other than the\n"
"default one is \"nan:0x7fc00001\" (its bits); a union is its first member\n"
"(edit that one); bytes no field names (holes, unnamed bitfields)\n"
"are \"@uncovered\": \"0x..\" in the value or key when not zero; so are the\n"
"bytes after the NUL of a char array shown as a string (stale bytes of a\n"
"longer string).\n"
"FILE is replaced in one rename, once all of it is on disk: a\n"
"reader never sees half of it, and when a write fails (a full disk: 'mapsh:\n"
"write error: FILE: ...', exit 1) the old FILE stays as it was.\n"
"\n"
"Example:\n"
"  mapsh blocklist save rules.json",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB, .map_types = DATA_MAPS,
	},
	{
		.name = "apply", .fn = verb_apply, .opts = apply_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_FILE },
			{ .kind = ARG_END } },
		.summary = "make the map hold the entries of FILE (validated first)",
		.description =
"Reads FILE ('-': standard input) in the shape save writes (a JSON array,\n"
"or JSON lines), checks every entry against the map's key and value types,\n"
"and writes only when all of them are valid: one bad entry and nothing is\n"
"written, exit 1 (the error names it: 'rules.json:9: entry 3: value: ...':\n"
"line 9, the third entry, counting from 1). Then reports how many entries\n"
"were added, changed, unchanged and removed (-j: one object).\n"
"\n"
"Each entry is {\"key\": K, \"value\": V}: typed JSON as dump prints it, or\n"
"a string of command-line words (\"10.0.0.9 0 tcp\", \"action=drop\"; an LPM\n"
"key as \"10.0.0.0/8\"). Value fields the entry leaves out keep what the map\n"
"has (zero in a new entry), as with set, so a rule file need not carry the\n"
"counters the program maintains. Per-CPU maps: \"per_cpu\": [{\"cpu\": N,\n"
"\"value\": V}, ...] writes each CPU (the ones not listed keep their value),\n"
"else V is written on every CPU, as update does; when a saved entry has\n"
"both, \"value\" must be their sum. A key given twice is an error.\n"
"\n"
"  --prune     also delete the entries FILE does not have; an array's\n"
"              elements cannot be deleted: those not in FILE are zeroed\n"
"  --dry-run   list the changes (add, change, remove) and write nothing\n"
"  --watch     apply, then again each time FILE is written or replaced\n"
"              (editors that save by rename included), one report line per\n"
"              run (-j: one object per line); a bad file is reported and\n"
"              the map left as it is. Ctrl-C or SIGTERM stops it (exit 0).\n"
"              A reload is followed (below): FILE is applied to the new\n"
"              map at once\n"
"\n"
"FILE is read one entry at a time and compared with one batch read of the\n"
"map, so memory holds the entries' bytes, not the file. A change set that\n"
"would not fit (more entries than max_entries; for an LRU map, more than\n"
"it holds before its per-CPU free lists make it evict) is refused before\n"
"anything is written, exit 1 (--dry-run lists it and says so, exit 1).\n"
"\n"
"Changes are written in the order removed, changed, added (the removals\n"
"make room for the additions), in batches, after an undo journal of them\n"
"is on disk (see 'mapsh help recover'). A write the\n"
"kernel refuses, an audit log that cannot be written, Ctrl-C or SIGTERM\n"
"stop the apply and roll back what it wrote: the map is as it was (exit 1,\n"
"130, 143). The programs see the map change batch by batch: this is no\n"
"transaction of the kernel's.\n"
"\n"
"--watch: " RELOAD_HELP "\n"
"\n"
"Examples:\n"
"  mapsh blocklist apply rules.json --dry-run\n"
"  mapsh blocklist apply rules.json --prune --watch",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES, .map_types = DATA_MAPS,
	},
	{
		.name = "recover", .fn = verb_recover, .opts = recover_opts,
		.summary = "undo (or --forward: finish) a write that was killed half-way",
		.description =
"apply and clear keep an undo journal while they write: the old and the\n"
"new value of every key they change, on disk before the first write\n"
"($MAPSH_STATE_DIR, default /run/mapsh: journal/MAP_ID). A Ctrl-C or\n"
"SIGTERM rolls the write back itself; after a SIGKILL or a crash the next\n"
"command on the map says that it is partly changed, and writers refuse it\n"
"until it is recovered. recover puts every journaled key back to the\n"
"bytes it had before (per-CPU maps: every CPU's), each through the audit\n"
"log, then removes the journal. It may itself be interrupted and run\n"
"again. Keys changed since by a program are put back too; entries an LRU\n"
"map evicted meanwhile are not the journal's.\n"
"\n"
"  --forward   finish the write instead: every key to its new value\n"
"  --discard   remove the journal and leave the map as it is\n"
"\n"
"Example:\n"
"  mapsh flows recover",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES, .map_types = DATA_MAPS,
	},
	{
		.name = "diff", .fn = verb_diff, .opts = diff_verb_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_FILE, .flags = ARG_OPTIONAL },
			{ .kind = ARG_QUERY, .flags = ARG_OPTIONAL, .clauses = QC_WHERE | QC_FIELDS },
			{ .kind = ARG_END } },
		.summary = "show what differs from a save file (or --map OTHER), typed",
		.description =
"Compares the map with FILE, a file written by 'mapsh MAP save' (or in any\n"
"shape apply reads; '-': standard input), or with --map OTHER, another live\n"
"map of the same key and value types. FILE or OTHER is the first (old)\n"
"side, the map the second (new): what changed since FILE was saved, or\n"
"from OTHER (a backup) to MAP. (apply --dry-run lists the other way round:\n"
"what apply FILE would change.) The map is read in batches and FILE one\n"
"entry at a time, each into flat arrays of key and value bytes, so memory\n"
"is the entries' bytes, never the file's text.\n"
"\n" DIFF_OUTPUT_HELP "\n"
"\n"
"Examples:\n"
"  mapsh blocklist diff rules.json\n"
"  mapsh flows diff --map flows_backup where protocol == tcp fields packets\n"
"  mapsh -j config diff saved.json | jq -r .fields[].field",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB, .map_types = DATA_MAPS,
	},
	{
		.name = "migrate", .fn = verb_migrate, .opts = migrate_opts,
		.summary = "copy every entry into NEW, a map of a changed type, by BTF field names",
		.description = MIGRATE_HELP,
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES, .map_types = DATA_MAPS,
	},
	{
		.name = "count", .fn = verb_count, .impl = count_impl, .opts = no_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_QUERY, .flags = ARG_OPTIONAL, .clauses = QC_WHERE },
			{ .kind = ARG_END } },
		.summary = "count the entries (those matching EXPR)",
		.description =
"Prints the number of entries (arrays: elements), or with where EXPR the\n"
"number of entries matching it (see 'mapsh help dump'). -j adds max_entries.\n"
"Program arrays, device, CPU and socket maps: the entries dump shows (the\n"
"filled slots), with no where.",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB, .map_types = COUNT_MAPS | READ_FD_MAPS,
	},
	{
		.name = "hist", .fn = verb_hist, .opts = hist_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_WORD, .flags = ARG_OPTIONAL, .name = "FIELD" },
			{ .kind = ARG_QUERY, .flags = ARG_OPTIONAL, .clauses = QC_WHERE },
			{ .kind = ARG_END } },
		.summary = "the distribution of a field over the entries, drawn as a histogram",
		.description =
"Counts the entries (those matching where EXPR) by the value of FIELD, a\n"
"number of the value or the key, in log2 buckets ([0], [1], [2, 4), [4, 8),\n"
"...; --log2, the default) or in buckets STEP wide (--linear STEP, at most\n"
"256 buckets), and draws them as bcc and bpftrace do: count, sum, p50, p90\n"
"and p99 estimated from the buckets, then a line per bucket with its\n"
"count and a bar scaled to the terminal (UTF-8 blocks; '#' with LANG=C or\n"
"NO_COLOR). In a pipe it prints the bucket table instead (FIELD LO HI\n"
"COUNT, bounds inclusive) unless --bars. --by FIELD draws one histogram\n"
"per value of FIELD (a key field: per protocol, per interface). FIELD a\n"
"histogram field (tagged mapsh:log2hist or mapsh:linhist=MIN,STEP, set by\n"
"--as FIELD=log2hist, or an untagged array of unsigned integers named\n"
"slots, buckets or *hist*): the entries' histograms summed. Without FIELD:\n"
"the value's first histogram field, or for a map whose key is a log2\n"
"bucket index (--as key=log2, or a key typedef tagged mapsh:log2) the\n"
"map itself, each key's count (its value's counter) in its bucket. -j:\n"
"{\"field\", \"histogram\": {\"count\", \"sum\", \"p50\", \"p90\", \"p99\",\n"
"\"buckets\": [{\"min\", \"max\", \"count\"}, ...]}}; with --by \"groups\":\n"
"[{BY: value, \"histogram\": ...}]. Read in batches; per-CPU values are\n"
"summed over the CPUs first; log2: values below 0 count in [0].",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB, .map_types = DATA_MAPS,
	},
	{
		.name = "watch", .fn = verb_watch, .impl = ring_watch_impl, .opts = watch_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_QUERY, .flags = ARG_OPTIONAL, .clauses = QC_WHERE | QC_SORT_RATE | QC_LIMIT | QC_FIELDS_FLAT },
			{ .kind = ARG_END } },
		.summary = "a live view: per-key rates and deltas of the counters, top N",
		.description =
"Reads the map every -i SECONDS (default 1) and shows what changed. Counter\n"
"fields (tagged mapsh:counter; in foreign maps u64 fields named packets,\n"
"bytes, count, hits, drops, *_packets, ... or *_total, unless --raw-values)\n"
"get a rate column FIELD/s (--rate) or the change since the last refresh\n"
"FIELD+ (--delta). A counter that went down was reset: its change is its\n"
"value. Per-CPU maps follow dump's rule (counters and plain integers\n"
"summed, other fields each CPU's where the CPUs differ; JSON lines then\n"
"carry \"per_cpu\" instead of \"value\"; where holds when it holds for some\n"
"CPU); arrays skip all-zero elements (--all keeps\n"
"them). where, sort, limit and fields are dump's (see 'mapsh help dump');\n"
"'sort FIELD/s' orders by a rate (sort packets/s desc).\n"
"\n"
"On a terminal: a full-screen view (default sort: the first counter's rate,\n"
"highest first), showing entries used of max_entries and % full, the new\n"
"entries (marked +) and the removed ones (and their rate: LRU evictions).\n"
"Keys: q quit, p pause, s/S next/previous sort column, r reverse. Under\n"
"the table: each counter's rate over the matched entries as a sparkline of\n"
"the last 20 refreshes, and each histogram field (see 'mapsh help hist'),\n"
"summed over the matched entries, beside what arrived in the last\n"
"interval (its change). Line mode prints the histograms after the entries:\n"
"the bucket table FIELD LO HI TOTAL CHANGE, with -j {\"histogram\": FIELD,\n"
"\"total\": HIST, \"interval\": HIST} lines.\n"
"\n"
"Otherwise line mode: the first refresh is a baseline (nothing but its\n"
"summary); each later one prints the entries that changed since the one\n"
"before (a counter that stops shows once more with rate 0), then the\n"
"removed ones, then a summary line. limit N: at most N changed entries per\n"
"refresh. Text: tab-separated time, event (new, changed, removed), the\n"
"columns and the FIELD+ (or --rate: FIELD/s) columns, after one header\n"
"line naming them ('# time<TAB>event<TAB>...'), never cut to a width;\n"
"the summary starts with '#'. -j / --jsonl: one object per line:\n"
"  {\"time\": ISO, \"key\": K, \"value\": V, \"delta\": {\"packets\": 3},\n"
"   \"rate\": {\"packets/s\": 3}, \"new\": true}      (changed or new)\n"
"  {\"time\": ISO, \"key\": K, \"removed\": true}\n"
"  {\"time\": ISO, \"refresh\": N, \"interval\": S, \"entries\": E,\n"
"   \"max_entries\": M, \"new_entries\": A, \"changed_entries\": C,\n"
"   \"removed_entries\": R}                        (summary; the first:\n"
"                                                 \"baseline\": true)\n"
"With fields, entries are flat objects as in dump. Ctrl-C and SIGTERM stop\n"
"cleanly (exit 0).\n"
"\n"
RELOAD_HELP " After a reload the\n"
"new map starts from a new baseline (the refreshes are numbered on; the\n"
"full-screen view shows the line under its header); where, sort and fields\n"
"are read again against its types, and when they no longer fit, watch says\n"
"why and exits 1.\n"
"\n"
"Ring buffers: follow's records with a rate line per interval (text:\n"
"'# TIME R records/s, B bytes/s (N records, M bytes)'; JSON: {\"time\",\n"
"\"records/s\", \"bytes/s\", \"records\", \"bytes\"}).\n"
"\n"
"Examples:\n"
"  mapsh flows watch sort bytes/s desc limit 20\n"
"  mapsh flows watch -j -i 0.5 --count 10 | jq -c 'select(.delta.packets > 100)'",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB, .map_types = DATA_MAPS | T(RINGBUF),
	},
	{
		.name = "info", .fn = verb_info, .opts = no_opts,
		.summary = "type, flags, sizes, key and value types as C, memory, programs",
		.description =
"Shows what the kernel knows about the map: id, name, type, flags,\n"
"max_entries, key and value sizes and types (with their C declarations\n"
"from BTF), entries, locked memory, BTF id, whether it is frozen, where it\n"
"is pinned, and the programs that use it.",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB,
	},
	{
		.name = "getnext", .fn = verb_getnext, .opts = no_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_KEY, .flags = ARG_OPTIONAL },
			{ .kind = ARG_END } },
		.summary = "print the key that follows KEY (the first key without one)",
		.description = "bpftool's map getnext: the kernel's iteration order.\n\n" KEY_HELP,
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB, .map_types = DATA_MAPS | CGS_MAPS,
	},
	{
		.name = "freeze", .fn = verb_freeze, .opts = no_opts,
		.summary = "make the map read-only for user space, for good",
		.description =
"BPF_MAP_FREEZE: from now on no process can write the map (programs still\n"
"can). It cannot be undone.",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB,
	},
	{
		.name = "pin", .fn = verb_pin, .opts = no_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_PATH },
			{ .kind = ARG_END } },
		.summary = "pin the map at PATH on a bpffs",
		.description = "Pins the map at PATH (a new name on a mounted bpffs).",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB,
	},
	{
		.name = "push", .fn = verb_push, .impl = bloom_push_impl, .opts = push_opts,
		.pos = (const struct arg_spec[]){
			{ .kind = ARG_VALUE },
			{ .kind = ARG_END } },
		.summary = "add an element to a queue or stack",
		.description =
"Pushes VALUE, typed like the map's values (field=value words, values in\n"
"field order, JSON, bpftool's hex ..; fields not given are zero). A full\n"
"queue or stack is an error (exit 1) unless --exist, which drops the\n"
"oldest element to make room (BPF_EXIST).\n"
"\n"
"Example:\n"
"  mapsh pinned /sys/fs/bpf/q push --type __u64 42\n"
"\n"
"Bloom filters: adds VALUE to the filter (a number for 4- and 8-byte values).",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES, .map_types = QUEUE_MAPS | BLOOM_MAPS,
	},
	{
		.name = "pop", .fn = verb_pop, .opts = qread_opts,
		.summary = "remove and print the next element (queue: oldest; stack: newest)",
		.description =
"Prints the next element of a queue (the oldest) or stack (the newest) in\n"
"the columns of dump (-j: {\"value\": V}), then removes it: it is written\n"
"before it leaves the map, as in drain. An empty map is an error ('mapsh:\n"
"samples is empty', exit 1).",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES, .map_types = QUEUE_MAPS,
	},
	{
		.name = "peek", .fn = verb_peek, .opts = qread_opts,
		.summary = "print the next element without removing it",
		.description =
"Prints the element pop would remove, and leaves it there. An empty map is\n"
"an error (exit 1).",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB, .map_types = QUEUE_MAPS,
	},
	{
		.name = "drain", .fn = verb_drain, .impl = queue_drain_impl, .opts = drain_opts,
		.summary = "remove and print every element or record there is now",
		.description =
"Queues and stacks: pops until the map is empty (or --count N), one line\n"
"per element (-j: {\"value\": V} per line), in pop order. Lossless: each\n"
"element is read without removing it, written and flushed, and removed only\n"
"then; on a pipe, only once the reader has read it. A closed pipe or a\n"
"failed write stops the drain with the element that was not delivered still\n"
"in the map ('mapsh samples drain | head -n 2' takes exactly two; a reader\n"
"that read an element whole and then hung up got it). A closed pipe exits\n"
"0; any other failed write (a full disk) exits 1. An empty map prints\n"
"nothing (exit 0).\n"
"\n"
"Ring buffers: consumes the records present when it starts (or --count N),\n"
"then exits. Perf event arrays hold nothing for a reader that is not\n"
"attached: drain attaches a buffer on every CPU and reads until no sample\n"
"has arrived for 0.2 s.\n"
"\n" STREAM_HELP,
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB | CMD_WRITES,
		.map_types = QUEUE_MAPS | STREAM_MAPS,
	},
	{
		.name = "follow", .fn = verb_follow, .opts = follow_opts,
		.summary = "print records as they arrive, until Ctrl-C (like tail -f)",
		.description =
"Streams the records of a ring buffer or perf event array as the programs\n"
"write them, until Ctrl-C or SIGTERM, --count N records or --timeout\n"
"SECONDS; it sleeps in epoll between batches (waking every half second\n"
"to look at the pin, below).\n"
"\n" STREAM_HELP "\n"
"\n" RELOAD_HELP " After a reload, what\n"
"was left in the old map is printed first, then the new map's records,\n"
"decoded with its record type; --count and --timeout count on.\n"
"\n"
"Examples:\n"
"  mapsh events follow --jsonl | jq -c 'select(.value.dst_port == 22)'\n"
"  mapsh events follow --count 3 --timestamp",
		.flags = CMD_NEEDS_BPF | CMD_MAP_VERB, .map_types = STREAM_MAPS,
	},
	{ NULL },
};

bool map_verb_applies(const struct cmd *verb, __u32 map_type)
{
	return !verb->map_types ||
	       (map_type < 64 && (verb->map_types & (1ULL << map_type)));
}
