#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - `make bench`: mapsh against bpftool and minimal C readers, side
# by side in one run, on a private bpffs that is removed at the end.
#
#   1. dump of a flows-like HASH map (BENCH_ENTRIES entries, default 1M)
#   2. typed one-shot lookup latency (process start to exit)
#   3. ring buffer drain rate, and a live follow under a saturating producer
#   4. watch: CPU time per refresh and peak RSS
#   5. the writing verbs on the map of 1. (FILE: a `mapsh pinned P save` of
#      it, JSON in the bench's temporary directory under /tmp):
#      a. on the filled map, nothing written:
#         count            beside the raw batch read (bench/rawdump, which
#                          counts); bpftool has no count: its text dump
#                          ("Found N elements" at the end) from 1. is shown
#         save FILE        (fsync and rename) beside `-j dump` to /dev/null,
#                          target <= 1.5x; `-j dump > FILE` (no fsync) shown
#                          to tell the writing of the file from the rest
#         apply FILE       unchanged (every entry already as in FILE)
#                          beside `-j dump`, target <= 2x
#      b. apply FILE into the emptied map (bench/batchw clear before each
#         run), beside its floor bench/batchw fill: the same N entries
#         (bench/flows.h) written by one loop of BPF_MAP_UPDATE_BATCH, no
#         file and no parsing; target <= 3x. Its peak RSS against
#         3 x N x (key + value size) + 32 MiB. bpftool's way: `bpftool
#         batch file` of N `map update pinned P key hex .. value hex ..`
#         lines (run on 100000 entries first; when N would take over 60 s
#         the 100000-entry time is scaled to N and marked so)
#      c. clear --yes of the filled map (bench/batchw fill before each run),
#         beside its floor bench/batchw clear: one loop of
#         BPF_MAP_LOOKUP_AND_DELETE_BATCH; bpftool has no clear (n/a)
#      A command slower than 90 s (the older apply) runs once, and so, with
#      BENCH_QUICK=1, does every mapsh command slower than 2 s. No audit
#      log: MAPSH_AUDIT_LOG is unset, as by default.
#   6. export, on a separate 100000-entry map (bench/mkmap in a directory of
#      the bpffs): one scrape, `export pinned P --once` to /dev/null, beside
#      `-j dump` of it (measure() of 5.), target <= 1.5x; then an exporter
#      on a free loopback port (`export pinned P --listen 127.0.0.1:PORT`)
#      scraped 100 times with curl, VmRSS and VmHWM from /proc/PID/status
#      after scrape 10 and scrape 100; target: VmRSS grows by at most 10%
#      or 4 MiB, whichever is more.
#   7. migrate of the map of 1. (BENCH_ENTRIES entries) into bench_flows2
#      (bench/migrate.bpf.c: a key field added, value fields reordered, one
#      widened, one added; loaded afresh before each run), beside the floor
#      of copying it by hand: the raw batch read (bench/rawdump) plus the
#      update_batch fill (bench/batchw fill) of 5.; target <= 3x.
#   8. the read engine (README "How a map is read"), the floors in the same
#      run: the dump of 1. with the readers mapsh picks beside bench/rawdump
#      (one batch reader), target <= 0.75x with the second core idle, and
#      again with a busy loop on CPU 1 in the session of the commands
#      measured (<= 1.05x; also shown with the loop in another session,
#      where autogroups leave mapsh's session one CPU: no target); forced 1 and 2 readers
#      (MAPSH_READERS) shown; `count where` on a 1M-slot BPF_F_MMAPABLE array
#      (bench/split.bpf.c, filled by bench/mkextra) beside rawdump of it
#      (<= 0.3x); a 16M-slot hash holding 100 entries, dump beside one
#      batch pass (rawdump, <= 0.6x; 30 runs), with two such passes at
#      once, one a CPU, for what the memory lets two readers gain at best.
#      The load average before each part.
#   9. hist over the map of 1.: `pinned P hist bytes` (log2 buckets of a
#      field, read in batches) beside `pinned P dump` (plain), both to
#      /dev/null, target <= 1.5x.
#
# Environment: BENCH_ENTRIES (default 1000000), BENCH_QUICK=1 (fewer runs),
# BENCH_RB_RECORDS (records per drain, default 1000000), MAPSH (./mapsh).
# The helpers (bench/*.c) are built by `make bench` into build/bench/.
# These are benchmark figures, not tests: missed targets do not fail.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C.UTF-8	# ${#s} counts characters (± and × in the tables)

MAPSH=${MAPSH:-./mapsh}
B=build/bench
N=${BENCH_ENTRIES:-1000000}
RB_N=${BENCH_RB_RECORDS:-1000000}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	DUMP_RUNS=1 LOOKUP_RUNS=30 RB_RUNS=2 LIVE_SECS=1 WATCH_COUNT=3
	WRITE_RUNS=1 FLOOR_RUNS=3 EXPORT_RUNS=5
else
	DUMP_RUNS=3 LOOKUP_RUNS=200 RB_RUNS=5 LIVE_SECS=3 WATCH_COUNT=10
	WRITE_RUNS=3 FLOOR_RUNS=5 EXPORT_RUNS=10
fi
SLOW_SECS=90	# a command slower than this runs once
unset MAPSH_AUDIT_LOG	# the writes are measured without an audit log

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }
[ "$(id -u)" = 0 ] || die "needs root (BPF maps, a bpffs mount)"
for t in hyperfine /usr/bin/time bpftool jq curl; do
	command -v "$t" >/dev/null || die "$t is missing (make deps)"
done
for t in mkmap rawdump minlookup rbconsumer produce batchw bench.bpf.o mkextra split.bpf.o; do
	[ -e "$B/$t" ] || die "$B/$t is missing (run make bench)"
done

# hyperfine -N (no intermediate shell) when this version has it.
HF=(hyperfine --style none)
HFPRE=()	# a command hf runs hyperfine under (section 8: busy.sh)
hyperfine --help 2>&1 | grep -q -- '--shell=none' && HF+=(-N)
# Pin producer and consumer to different CPUs when there are two.
CPU0=() CPU1=()
[ "$(nproc)" -ge 2 ] && CPU0=(taskset -c 0) CPU1=(taskset -c 1)

TMP=$(mktemp -d /tmp/mapsh-bench.XXXXXX)
FS=$TMP/bpffs
BGPID= XPID=
cleanup() {
	set +e
	[ -n "$BGPID" ] && kill -TERM -- -"$BGPID" 2>/dev/null && wait "$BGPID" 2>/dev/null
	[ -n "$XPID" ] && kill -TERM "$XPID" 2>/dev/null && wait "$XPID" 2>/dev/null
	if mountpoint -q "$FS"; then
		rm -f "$FS"/bench_* "$FS"/produce_*
		rm -rf "$FS/x100k"
		umount "$FS"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$FS"
mount -t bpf bpf "$FS"
# Measure a snapshot: the tree may be rebuilt while the bench runs.
if [ -x "$MAPSH" ]; then
	cp "$MAPSH" "$TMP/mapsh"
	MAPSH=$TMP/mapsh
fi
note "creating a $N-entry map (bench/mkmap)"
"$B/mkmap" "$B/bench.bpf.o" "$FS" "$N" >"$TMP/key.env"
. "$TMP/key.env"
F=$FS/bench_flows

# ---- helpers ----

# run CMD...: in a process group of its own, waited for in the background.
# hyperfine and /usr/bin/time swallow Ctrl-C, so a foreground run would
# keep bash from acting on it; this way the INT trap runs and cleanup stops
# the whole group.
run() {
	local rc=0
	setsid "$@" &
	BGPID=$!
	wait "$BGPID" || rc=$?
	BGPID=
	return $rc
}

# hf JSON ARGS...: run hyperfine, then load name -> mean/sd/median/cpu.
declare -A MEAN SD MED CPU
hf() {
	local json=$1
	shift
	run "${HFPRE[@]}" "${HF[@]}" --export-json "$json" "$@" >/dev/null 2>"$TMP/hf.err" ||
		{ cat "$TMP/hf.err" >&2; return 1; }
	while IFS=$'\t' read -r n mean sd med cpu; do
		MEAN[$n]=$mean SD[$n]=$sd MED[$n]=$med CPU[$n]=$cpu
	done < <(jq -r '.results[] | [.command, .mean, (.stddev // 0), .median,
				     (.user + .system)] | @tsv' "$json")
}

# have ARGS...: does `mapsh ARGS --help` succeed (the verb exists)?
have() { [ -x "$MAPSH" ] && "$MAPSH" "$@" --help >/dev/null 2>&1; }

# probe ID CMD...: run once, count the output lines into PROBED; on failure
# remember why (the first line on stderr).
declare -A WHY
probe() {
	local id=$1
	shift
	if ! PROBED=$("$@" 2>"$TMP/probe.err" | wc -l); then
		WHY[$id]="failed: $(head -n 1 "$TMP/probe.err")"
		return 1
	fi
}

# pad WIDTH TEXT: TEXT left-aligned in WIDTH characters (printf counts bytes).
pad() { printf '%s%*s' "$2" $(($1 > ${#2} ? $1 - ${#2} : 0)) ''; }
secs() { awk -v s="$1" 'BEGIN { if (s >= 1) printf "%.2f s", s; else printf "%.1f ms", s * 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
peak() { sort -n "$1" | tail -n 1; }	# max of /usr/bin/time %M lines (KiB)

# verdict WHAT VALUE OP LIMIT [UNIT]: MET, or MISSED with the factor.
verdict() {
	local what=$1 v=$2 op=$3 lim=$4 u=${5:-×}
	awk -v w="$what" -v v="$v" -v op="$op" -v l="$lim" -v u="$u" 'BEGIN {
		ok = op == ">=" ? v >= l : v <= l
		f = op == ">=" ? l / v : v / l
		printf "   %-58s %s %.2f%s (target %s %g%s)", w, ok ? "MET   " : "MISSED", v, u, op, l, u
		if (!ok && v != 0 && l != 0)
			printf ", by %.2f×", f
		printf "\n"
	}'
}
na() { printf "   %-58s n/a: %s\n" "$1" "$2"; }

row() { printf "   %-40s %s\n" "$1" "$2"; }
# mean ± σ (σ left out after a single run)
mean_sd() {
	if [ "$(awk -v s="$2" 'BEGIN { print (s > 0) }')" = 1 ]; then
		echo "$(secs "$1") ± $(secs "$2")"
	else
		secs "$1"
	fi
}
loadavg() { cut -d ' ' -f 1-3 /proc/loadavg; }

# ---- machine ----

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo ?)
git diff --quiet HEAD 2>/dev/null || rev="$rev+uncommitted"
mver=$("$MAPSH" -V 2>/dev/null | head -n 1 | tr '\t' ' ' || true)
echo "mapsh benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine:  $cpu, $(nproc) cores, $mem RAM, kernel $(uname -r), Debian $(cat /etc/debian_version)"
echo "load average at start: $(loadavg) (other work on the machine skews the figures)"
echo "versions: mapsh ${mver:-not built} (git $rev), $(bpftool version | head -n 1)," \
	"libbpf $(pkg-config --modversion libbpf), gcc $(gcc -dumpfullversion)," \
	"$(clang --version | head -n 1 | sed 's/ version//'), $(hyperfine --version)"
echo

# ---- 1. dump ----

note "1/6 dump: $DUMP_RUNS runs each (bpftool text takes ~17 s per 1M entries)"
declare -A LABEL=(
	[raw]="raw batch read (bench/rawdump)"
	[mplain]="mapsh pinned P dump (plain)"
	[mjson]="mapsh -j pinned P dump"
	[btext]="bpftool map dump pinned P"
	[bjson]="bpftool -j map dump pinned P"
)
declare -A SHORT=(
	[mplain]="mapsh dump (plain)" [mjson]="mapsh -j dump"
	[btext]="bpftool text" [bjson]="bpftool -j"
)
declare -A DUMP=(
	[raw]="$B/rawdump $F"
	[mplain]="$MAPSH pinned $F dump"
	[mjson]="$MAPSH -j pinned $F dump"
	[btext]="bpftool map dump pinned $F"
	[bjson]="bpftool -j map dump pinned $F"
)
args=()
for id in raw mplain mjson btext bjson; do
	case $id in
	m*)	if ! have pinned "$F" dump; then
			WHY[$id]="not available (command missing)"
			continue
		fi
		probe "$id" ${DUMP[$id]} || continue
		[ "$id" = mplain ] && [ "$PROBED" != "$N" ] &&
			note "mapsh dump printed $PROBED lines for $N entries"
		;;
	esac
	args+=(-n "$id" "/usr/bin/time -f %M -a -o $TMP/rss.$id ${DUMP[$id]}")
done
hf "$TMP/dump.json" --runs "$DUMP_RUNS" "${args[@]}"

echo "1. dump, $N entries (HASH, key 16 B, value 40 B; P = pinned path), to /dev/null"
echo "   hyperfine $DUMP_RUNS runs, mean ± σ; peak RSS from /usr/bin/time %M"
printf "   %-40s %-20s %8s %12s\n" command time "vs raw" "peak RSS"
for id in raw mplain mjson btext bjson; do
	if [ -n "${WHY[$id]:-}" ]; then
		row "${LABEL[$id]}" "${WHY[$id]}"
		continue
	fi
	printf "   %-40s %s %7s× %12s\n" "${LABEL[$id]}" \
		"$(pad 20 "$(mean_sd "${MEAN[$id]}" "${SD[$id]}")")" \
		"$(ratio "${MEAN[$id]}" "${MEAN[raw]}")" "$(mib "$(peak "$TMP/rss.$id")")"
done
echo "   targets:"
for m in mplain mjson; do
	b=btext; fold=20; [ $m = mjson ] && b=bjson fold=10
	what="${SHORT[$m]}: speed-up over ${SHORT[$b]}"
	if [ -n "${WHY[$m]:-}" ]; then
		na "$what" "${WHY[$m]}"
		na "${SHORT[$m]}: time / raw batch read" "${WHY[$m]}"
		na "${SHORT[$m]}: peak RSS" "${WHY[$m]}"
		continue
	fi
	verdict "$what" "$(ratio "${MEAN[$b]}" "${MEAN[$m]}")" ">=" $fold
	verdict "${SHORT[$m]}: time / raw batch read" "$(ratio "${MEAN[$m]}" "${MEAN[raw]}")" "<=" 3
	verdict "${SHORT[$m]}: peak RSS" "$(awk -v k="$(peak "$TMP/rss.$m")" 'BEGIN { printf "%.1f", k / 1024 }')" "<=" 32 " MiB"
done
echo

# ---- 2. lookup ----

note "2/6 lookup: $LOOKUP_RUNS runs each"
LABEL=(
	[min]="minimal C (bench/minlookup)"
	[mapsh]="mapsh pinned P lookup (typed key)"
	[bpftool]="bpftool map lookup pinned P key hex"
)
declare -A LOOK=(
	[min]="$B/minlookup $F $LK_SRC $LK_DST $LK_SPORT $LK_DPORT $LK_PROTO"
	[mapsh]="$MAPSH pinned $F lookup src_ip=$LK_SRC dst_ip=$LK_DST src_port=$LK_SPORT dst_port=$LK_DPORT protocol=$LK_PROTO"
	[bpftool]="bpftool map lookup pinned $F key hex $LK_HEX"
)
args=()
for id in min mapsh bpftool; do
	if [ $id = mapsh ] && ! have pinned "$F" lookup; then
		WHY[$id]="not available (command missing)"
		continue
	fi
	probe "$id" ${LOOK[$id]} || continue
	/usr/bin/time -f %M -o "$TMP/rss.l$id" ${LOOK[$id]} >/dev/null || true
	args+=(-n "$id" "${LOOK[$id]}")
done
hf "$TMP/lookup.json" --warmup 10 --runs "$LOOKUP_RUNS" "${args[@]}"

echo "2. one-shot lookup of one key, process start to exit"
echo "   hyperfine $LOOKUP_RUNS runs, median; key {$LK_SRC, $LK_DST, $LK_SPORT, $LK_DPORT, $LK_PROTO}"
printf "   %-40s %-20s %8s %12s\n" command median "vs C" "peak RSS"
for id in min mapsh bpftool; do
	if [ -n "${WHY[$id]:-}" ]; then
		row "${LABEL[$id]}" "${WHY[$id]}"
		continue
	fi
	printf "   %-40s %-20s %7s× %12s\n" "${LABEL[$id]}" "$(secs "${MED[$id]}")" \
		"$(ratio "${MED[$id]}" "${MED[min]}")" "$(mib "$(cat "$TMP/rss.l$id")")"
done
echo "   target:"
if [ -n "${WHY[mapsh]:-}" ]; then
	na "typed lookup / minimal C" "${WHY[mapsh]}"
else
	verdict "typed lookup / minimal C" "$(ratio "${MED[mapsh]}" "${MED[min]}")" "<=" 1.5
fi
echo

# ---- 3. ring buffer ----

note "3/6 ring buffer: $RB_RUNS drains each, then ${LIVE_SECS} s live per consumer"
E=$FS/bench_events L=$FS/bench_live
LABEL=(
	[rbc]="printf consumer (bench/rbconsumer)"
	[mdrain]="mapsh pinned P drain -j"
	[rbcf]="printf consumer --follow"
	[mfollow]="mapsh pinned P follow -j"
)
declare -A RB=(
	[rbc]="$B/rbconsumer $E"
	[mdrain]="$MAPSH pinned $E drain -j"
)
declare -A PRINTED
args=()
for id in rbc mdrain; do
	if [ $id = mdrain ] && ! have pinned "$E" drain; then
		WHY[$id]="not available (command missing)"
		continue
	fi
	"$B/produce" "$FS" drain "$RB_N" >/dev/null
	probe "$id" ${RB[$id]} || continue
	PRINTED[$id]=$PROBED
	args+=(-n "$id" "${RB[$id]}")
done
hf "$TMP/rb.json" --runs "$RB_RUNS" --prepare "$B/produce $FS drain $RB_N" "${args[@]}"

# live ID CMD...: follow bench_live on CPU 1 while produce_live saturates
# CPU 0 for LIVE_SECS; then stop the consumer (SIGTERM) and count its lines.
declare -A LIVE
live() {
	local id=$1
	shift
	rm -f "$TMP/printed"
	setsid "${CPU1[@]}" "$@" > >(wc -l >"$TMP/printed.tmp" && mv "$TMP/printed.tmp" "$TMP/printed") 2>/dev/null &
	BGPID=$!
	sleep 0.5
	LIVE[$id]=$("${CPU0[@]}" "$B/produce" "$FS" live "$LIVE_SECS")
	kill -TERM "$BGPID" 2>/dev/null || true
	wait "$BGPID" 2>/dev/null || true
	BGPID=
	for _ in $(seq 50); do [ -e "$TMP/printed" ] && break; sleep 0.1; done
	PRINTED[$id]=$(cat "$TMP/printed" 2>/dev/null || echo 0)
}
live rbcf "$B/rbconsumer" "$L" --follow
if have pinned "$L" follow; then
	live mfollow "$MAPSH" pinned "$L" follow -j
else
	WHY[mfollow]="not available (command missing)"
fi

echo "3. ring buffer, struct flow_event records (64 B), JSON lines to /dev/null"
echo "   drain: $RB_N records written first (XDP test run), hyperfine $RB_RUNS runs, mean"
printf "   %-40s %-20s %12s %16s\n" consumer time records/s printed
for id in rbc mdrain; do
	if [ -n "${WHY[$id]:-}" ]; then
		row "${LABEL[$id]}" "${WHY[$id]}"
		continue
	fi
	printf "   %-40s %s %12s %16s\n" "${LABEL[$id]}" "$(pad 20 "$(mean_sd "${MEAN[$id]}" "${SD[$id]}")")" \
		"$(awk -v n="$RB_N" -v t="${MEAN[$id]}" 'BEGIN { printf "%.0f", n / t }')" \
		"${PRINTED[$id]}/$RB_N"
done
echo "   live: a 256 KiB ring (as flowtrack's events), producer on CPU 0 as fast as it can"
echo "   for $LIVE_SECS s, consumer on CPU 1; dropped = refused by the full ring (kernel side),"
echo "   lost = committed but not printed"
printf "   %-40s %10s %10s %10s %6s %12s\n" consumer committed dropped printed lost printed/s
for id in rbcf mfollow; do
	if [ -n "${WHY[$id]:-}" ]; then
		row "${LABEL[$id]}" "${WHY[$id]}"
		continue
	fi
	read -r _ c _ d _ s <<<"${LIVE[$id]}"
	printf "   %-40s %10s %10s %10s %6s %12.0f\n" "${LABEL[$id]}" "$c" "$d" \
		"${PRINTED[$id]}" $((c - PRINTED[$id])) "$(awk -v p="${PRINTED[$id]}" -v s="$s" 'BEGIN { print p / s }')"
done
echo "   targets:"
if [ -n "${WHY[mdrain]:-}" ]; then
	na "mapsh drain -j rate / printf consumer" "${WHY[mdrain]}"
else
	verdict "mapsh drain -j rate / printf consumer" "$(ratio "${MEAN[rbc]}" "${MEAN[mdrain]}")" ">=" 1
fi
if [ -n "${WHY[mfollow]:-}" ]; then
	na "mapsh follow -j: records lost" "${WHY[mfollow]}"
else
	read -r _ c _ <<<"${LIVE[mfollow]}"
	lost=$((c - PRINTED[mfollow]))
	printf "   %-58s %s %d of %d committed (target 0)\n" "mapsh follow -j: records lost" \
		"$([ $lost -le 0 ] && echo "MET   " || echo MISSED)" $lost "$c"
fi
echo

# ---- 4. watch ----

note "4/6 watch: $WATCH_COUNT refreshes at 1 s"
kc=$((N * 32))	# key 16 B + counters (packets, bytes) 16 B per entry
echo "4. watch of the $N-entry map, -i 1 --count $WATCH_COUNT -j to /dev/null"
echo "   CPU = user + sys (/usr/bin/time) / refreshes; raw = one bench/rawdump (from 1.)"
if ! have pinned "$F" watch; then
	row "mapsh pinned P watch" "not available (command missing)"
	echo "   targets:"
	na "watch CPU per refresh / raw batch read" "not available (command missing)"
	na "watch peak RSS / key+counter bytes ($(mib $((kc / 1024))))" "not available (command missing)"
else
	if run /usr/bin/time -f '%U %S %M' -o "$TMP/watch.time" \
		"$MAPSH" pinned "$F" watch -i 1 --count "$WATCH_COUNT" -j >/dev/null 2>"$TMP/watch.err"; then
		read -r u s m <"$TMP/watch.time"
		per=$(awk -v u="$u" -v s="$s" -v n="$WATCH_COUNT" 'BEGIN { print (u + s) / n }')
		printf "   %-40s CPU %s per refresh, peak RSS %s\n" "mapsh pinned P watch" "$(secs "$per")" "$(mib "$m")"
		printf "   %-40s CPU %s\n" "raw batch read" "$(secs "${CPU[raw]}")"
		echo "   targets:"
		verdict "watch CPU per refresh / raw batch read" "$(ratio "$per" "${CPU[raw]}")" "<=" 1.5
		verdict "watch peak RSS / key+counter bytes ($(mib $((kc / 1024))))" "$(ratio $((m * 1024)) $kc)" "<=" 2
	else
		why="failed: $(grep -v '^Command' "$TMP/watch.err" | head -n 1)"
		row "mapsh pinned P watch" "$why"
		echo "   targets:"
		na "watch CPU per refresh / raw batch read" "$why"
		na "watch peak RSS / key+counter bytes" "$why"
	fi
fi

# ---- 5. writes ----

# measure ID RUNS PREP OUT CMD...: one run of CMD (after PREP, a command
# line or ""; stdout to OUT) under /usr/bin/time, for its wall time, peak
# RSS and exit status; then, unless RUNS is 1 or that run took over SLOW_SECS,
# RUNS runs of hyperfine (PREP before each; at least FLOOR_RUNS when the
# first run took under 2 s). Leaves MEAN SD RSS RUNS_OF.
declare -A RSS RUNS_OF
measure() {
	local id=$1 runs=$2 prep=$3 out=$4 p=() t0
	shift 4
	[ -n "$prep" ] && { $prep >/dev/null || die "$prep failed"; }
	t0=$EPOCHREALTIME
	if ! run /usr/bin/time -f %M -o "$TMP/time.$id" "$@" >"$out" 2>"$TMP/once.err"; then
		WHY[$id]="failed: $(grep -v '^Command' "$TMP/once.err" | head -n 1)"
		return 1
	fi
	MEAN[$id]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
	RSS[$id]=$(cat "$TMP/time.$id") SD[$id]=0 RUNS_OF[$id]=1
	# A run under 2 s costs little: at least FLOOR_RUNS of them.
	awk -v t="${MEAN[$id]}" 'BEGIN { exit !(t < 2) }' && [ "$runs" -lt "$FLOOR_RUNS" ] && runs=$FLOOR_RUNS
	if [ "$runs" -gt 1 ] && awk -v t="${MEAN[$id]}" -v l="$SLOW_SECS" 'BEGIN { exit !(t <= l) }'; then
		[ -n "$prep" ] && p=(--prepare "$prep")
		[ "$out" != /dev/null ] && p+=(--output "$out")
		# one string for hyperfine's shell: each word quoted as given
		# (migrate's --to 'pinned T' is one word)
		hf "$TMP/w.$id.json" --runs "$runs" "${p[@]}" -n "$id" "$(printf '%q ' "$@")" || {
			WHY[$id]="failed under hyperfine"
			return 1
		}
		RUNS_OF[$id]=$runs
	fi
}
# entries P: the number of entries in P now.
entries() { "$B/rawdump" "$F"; }

note "5/6 writes: apply, save, clear, count ($WRITE_RUNS run(s) of a mapsh write, $FLOOR_RUNS under 2 s, 1 over $SLOW_SECS s)"
S=$TMP/flows.json	# what save writes and apply reads
LABEL=(
	[wraw]="raw batch read (bench/rawdump)"
	[wcount]="mapsh pinned P count"
	[wbcount]="bpftool map dump pinned P (from 1.)"
	[wjdump]="mapsh -j pinned P dump"
	[wjfile]="mapsh -j pinned P dump > FILE"
	[wsave]="mapsh pinned P save FILE"
	[wsame]="mapsh pinned P apply FILE (unchanged)"
	[wfill]="update_batch floor (bench/batchw fill)"
	[wapply]="mapsh pinned P apply FILE"
	[wbpf]="bpftool batch file (map update lines)"
	[wdel]="delete floor (bench/batchw clear)"
	[wclear]="mapsh pinned P clear --yes"
)
# Each row's reference: the ratio column reads "X× REF".
declare -A REF=(
	[wcount]=wraw [wbcount]=wraw [wjfile]=wjdump [wsave]=wjdump [wsame]=wjdump
	[wapply]=wfill [wbpf]=wfill [wclear]=wdel
)
declare -A REFNAME=([wraw]=raw [wjdump]="-j dump" [wfill]=floor [wdel]=floor)
declare -A BNOTE
FLOOR_FILL="$B/batchw fill $F $N"
FLOOR_CLEAR="$B/batchw clear $F"
for v in count dump save apply clear; do
	have pinned "$F" $v || WHY[m$v]="not available (command missing)"
done

# a. on the filled map
measure wraw "$FLOOR_RUNS" "" /dev/null "$B/rawdump" "$F" || true
if [ -z "${WHY[mcount]:-}" ]; then
	measure wcount "$WRITE_RUNS" "" /dev/null "$MAPSH" pinned "$F" count || true
else
	WHY[wcount]=${WHY[mcount]}
fi
if [ -n "${WHY[btext]:-}" ]; then
	WHY[wbcount]="bpftool has no count; its text dump ${WHY[btext]}"
else
	MEAN[wbcount]=${MEAN[btext]} SD[wbcount]=${SD[btext]} RUNS_OF[wbcount]=$DUMP_RUNS
	RSS[wbcount]=$(peak "$TMP/rss.btext")
	BNOTE[wbcount]="bpftool has no count: its text dump ends 'Found N elements'"
fi
if [ -z "${WHY[mdump]:-}" ]; then
	measure wjdump "$WRITE_RUNS" "" /dev/null "$MAPSH" -j pinned "$F" dump || true
	measure wjfile "$WRITE_RUNS" "" "$TMP/dump.out" "$MAPSH" -j pinned "$F" dump || true
	rm -f "$TMP/dump.out"
else
	WHY[wjdump]=${WHY[mdump]} WHY[wjfile]=${WHY[mdump]}
fi
if [ -z "${WHY[msave]:-}" ]; then
	measure wsave "$WRITE_RUNS" "" /dev/null "$MAPSH" pinned "$F" save "$S" || true
	[ -z "${WHY[wsave]:-}" ] && [ ! -s "$S" ] && WHY[wsave]="failed: no file written"
else
	WHY[wsave]=${WHY[msave]}
fi
# Without a save file there is nothing to apply.
if [ -n "${WHY[mapply]:-}" ]; then
	WHY[wsame]=${WHY[mapply]} WHY[wapply]=${WHY[mapply]}
elif [ -n "${WHY[wsave]:-}" ]; then
	WHY[wsame]="no save file (save ${WHY[wsave]})" WHY[wapply]=${WHY[wsame]}
else
	measure wsame "$WRITE_RUNS" "" /dev/null "$MAPSH" pinned "$F" apply "$S" || true
fi

# b. into the emptied map
measure wfill "$FLOOR_RUNS" "$FLOOR_CLEAR" /dev/null "$B/batchw" fill "$F" "$N" || true
if [ -z "${WHY[wapply]:-}" ] &&
	measure wapply "$WRITE_RUNS" "$FLOOR_CLEAR" /dev/null "$MAPSH" pinned "$F" apply "$S"; then
	got=$(entries)
	[ "$got" = "$N" ] || WHY[wapply]="wrote $got of $N entries"
fi
# bpftool batch: first 100000 entries (or N if fewer); all N when that
# would take at most 60 s, else the time scaled to N.
bn=$((N < 100000 ? N : 100000))
"$B/batchw" bpftool "$F" "$bn" >"$TMP/batch.txt"
if measure wbpf 1 "$FLOOR_CLEAR" /dev/null bpftool batch file "$TMP/batch.txt"; then
	got=$(entries)
	if [ "$got" != "$bn" ]; then
		WHY[wbpf]="wrote $got of $bn entries"
	elif [ "$bn" -lt "$N" ] && awk -v t="${MEAN[wbpf]}" -v n="$N" -v b="$bn" 'BEGIN { exit !(t * n / b > 60) }'; then
		BNOTE[wbpf]="$bn entries took $(secs "${MEAN[wbpf]}"): time × $N/$bn (scaled), RSS of $bn"
		MEAN[wbpf]=$(awk -v t="${MEAN[wbpf]}" -v n="$N" -v b="$bn" 'BEGIN { print t * n / b }')
		LABEL[wbpf]="bpftool batch file (SCALED, see below)"
	elif [ "$bn" -lt "$N" ]; then
		"$B/batchw" bpftool "$F" "$N" >"$TMP/batch.txt"
		measure wbpf "$WRITE_RUNS" "$FLOOR_CLEAR" /dev/null bpftool batch file "$TMP/batch.txt" &&
			{ got=$(entries); [ "$got" = "$N" ] || WHY[wbpf]="wrote $got of $N entries"; }
	fi
fi
rm -f "$TMP/batch.txt"

# c. clear of the filled map
measure wdel "$FLOOR_RUNS" "$FLOOR_FILL" /dev/null "$B/batchw" clear "$F" || true
if [ -n "${WHY[mclear]:-}" ]; then
	WHY[wclear]=${WHY[mclear]}
elif measure wclear "$WRITE_RUNS" "$FLOOR_FILL" /dev/null "$MAPSH" pinned "$F" clear --yes; then
	got=$(entries)
	[ "$got" = 0 ] || WHY[wclear]="left $got of $N entries"
fi
$FLOOR_FILL >/dev/null

# wrow ID: one row of the table.
wrow() {
	local id=$1 r=${REF[$1]:-} x=""
	if [ -n "${WHY[$id]:-}" ]; then
		printf "   %-42s %s\n" "${LABEL[$id]}" "${WHY[$id]}"
		return
	fi
	[ -n "$r" ] && [ -n "${MEAN[$r]:-}" ] && x="$(ratio "${MEAN[$id]}" "${MEAN[$r]}")× ${REFNAME[$r]}"
	printf "   %-42s %s %4s %-15s %10s\n" "${LABEL[$id]}" "$(pad 20 "$(mean_sd "${MEAN[$id]}" "${SD[$id]}")")" \
		"${RUNS_OF[$id]}" "$x" "$(mib "${RSS[$id]}")"
	[ -n "${BNOTE[$id]:-}" ] && printf "   %-42s (%s)\n" "" "${BNOTE[$id]}"
	return 0
}
# wverdict WHAT ID REF LIMIT: the time ratio ID / REF against LIMIT.
wverdict() {
	local w
	w=${WHY[$2]:-${WHY[$3]:-}}
	if [ -n "$w" ]; then
		na "$1" "$w"
	else
		verdict "$1" "$(ratio "${MEAN[$2]}" "${MEAN[$3]}")" "<=" "$4"
	fi
}

echo "5. writing verbs, $N entries (the map of 1.); FILE = its save, $(mib $(($(stat -c %s "$S" 2>/dev/null || echo 0) / 1024))) of JSON under /tmp"
echo "   hyperfine, mean ± σ over the runs shown (1: one run, wall time); peak RSS from"
echo "   /usr/bin/time %M of the first run; no audit log"
printf "   %-42s %-20s %4s %-15s %10s\n" command time runs ratio "peak RSS"
echo "   a. the filled map, nothing written"
for id in wraw wcount wbcount wjdump wjfile wsave wsame; do wrow $id; done
echo "   b. into the emptied map (bench/batchw clear before each run)"
for id in wfill wapply wbpf; do wrow $id; done
echo "   c. clear of the filled map (bench/batchw fill before each run)"
for id in wdel wclear; do wrow $id; done
printf "   %-42s %s\n" "bpftool" "n/a: no clear (only one 'map delete' per key)"
echo "   targets:"
wverdict "apply into an empty map / update_batch floor" wapply wfill 3
lim=$(awk -v n="$N" 'BEGIN { printf "%.1f", (3 * n * (16 + 40) + 32 * 1048576) / 1048576 }')
if [ -n "${WHY[wapply]:-}" ]; then
	na "apply peak RSS (limit 3*N*(16+40) B + 32 MiB)" "${WHY[wapply]}"
else
	verdict "apply peak RSS (limit 3*N*(16+40) B + 32 MiB)" \
		"$(awk -v k="${RSS[wapply]}" 'BEGIN { printf "%.1f", k / 1024 }')" "<=" "$lim" " MiB"
fi
wverdict "unchanged apply / -j dump" wsame wjdump 2
wverdict "save / -j dump" wsave wjdump 1.5
echo

# ---- 6. export ----

XN=100000
XD=$FS/x100k
XF=$XD/bench_flows
note "6/6 export: a $XN-entry map, one scrape beside -j dump ($EXPORT_RUNS runs each), then 100 scrapes over HTTP"
mkdir "$XD"
"$B/mkmap" "$B/bench.bpf.o" "$XD" "$XN" >/dev/null
LABEL+=([xjdump]="mapsh -j pinned P dump" [xonce]="mapsh export pinned P --once")
REF[xonce]=xjdump REFNAME[xjdump]="-j dump"
# series FILE: the packet counters in an exposition (one per entry).
series() { grep -c '^mapsh_bench_flows_packets_total{' "$1" || true; }
if have pinned "$XF" dump; then
	measure xjdump "$EXPORT_RUNS" "" /dev/null "$MAPSH" -j pinned "$XF" dump || true
else
	WHY[xjdump]="not available (command missing)"
fi
if ! have export; then
	WHY[xonce]="not available (command missing)" WHY[xrss]=${WHY[xonce]}
elif measure xonce "$EXPORT_RUNS" "" "$TMP/export.out" "$MAPSH" export pinned "$XF" --once; then
	got=$(series "$TMP/export.out")
	[ "$got" = "$XN" ] || WHY[xonce]="exported $got of $XN entries"
fi
rm -f "$TMP/export.out"

# The exporter on the first free port from a random start, under timeout
# (its pid XPID; the mapsh process MPID), until it listens.
XPORT= MPID=
if [ -z "${WHY[xrss]:-}" ]; then
	p0=$((20000 + RANDOM % 20000))
	for ((port = p0; port < p0 + 20; port++)); do
		[ -z "$(ss -Hltn "sport = :$port")" ] || continue
		timeout 900 "$MAPSH" export pinned "$XF" --listen "127.0.0.1:$port" \
			>/dev/null 2>"$TMP/export.err" &
		XPID=$!
		for ((i = 0; i < 300; i++)); do
			kill -0 "$XPID" 2>/dev/null || break
			[ -n "$(ss -Hltn "sport = :$port")" ] && { XPORT=$port; break; }
			sleep 0.1
		done
		[ -n "$XPORT" ] && break
		kill -TERM "$XPID" 2>/dev/null || true
		wait "$XPID" 2>/dev/null || true
		XPID=
	done
	if [ -z "$XPORT" ]; then
		WHY[xrss]="failed to listen: $(head -n 1 "$TMP/export.err")"
	else
		MPID=$(pgrep -P "$XPID" | head -n 1)
		[ -n "$MPID" ] || WHY[xrss]="no exporter process under pid $XPID"
	fi
fi
# vm PID: VmRSS and VmHWM (KiB) of PID.
vm() { awk '$1 == "VmRSS:" { r = $2 } $1 == "VmHWM:" { h = $2 } END { print r, h }' "/proc/$1/status"; }
XT=0
if [ -z "${WHY[xrss]:-}" ]; then
	url="http://127.0.0.1:$XPORT/metrics"
	for ((i = 1; i <= 100; i++)); do
		out=/dev/null
		[ "$i" = 1 ] && out=$TMP/scrape.out
		if ! t=$(curl -sf -o "$out" -w '%{time_total}' "$url"); then
			WHY[xrss]="scrape $i failed: $(head -n 1 "$TMP/export.err")"
			break
		fi
		XT=$(awk -v a="$XT" -v b="$t" 'BEGIN { print a + b }')
		if [ "$i" = 1 ]; then
			got=$(series "$TMP/scrape.out")
			[ "$got" = "$XN" ] || { WHY[xrss]="scrape 1 exported $got of $XN entries"; break; }
		fi
		[ "$i" = 10 ] && read -r rss10 hwm10 < <(vm "$MPID")
		[ "$i" = 100 ] && read -r rss100 hwm100 < <(vm "$MPID")
	done
	rm -f "$TMP/scrape.out"
fi
if [ -n "$XPID" ]; then
	kill -TERM "$XPID" 2>/dev/null || true
	wait "$XPID" 2>/dev/null || true
	XPID=
fi
rm -rf "$XD"

echo "6. export, $XN entries (a second map like that of 1.), to /dev/null"
echo "   hyperfine, mean ± σ over the runs shown; peak RSS from /usr/bin/time %M of the first run"
printf "   %-42s %-20s %4s %-15s %10s\n" command time runs ratio "peak RSS"
for id in xjdump xonce; do wrow $id; done
if [ -n "${WHY[xrss]:-}" ]; then
	row "mapsh export pinned P --listen" "${WHY[xrss]}"
else
	echo "   mapsh export pinned P --listen 127.0.0.1:$XPORT, 100 scrapes with curl, $(secs "$(awk -v t="$XT" 'BEGIN { print t / 100 }')") each on average:"
	printf "   %-42s VmRSS %s, VmHWM %s\n" "after scrape 10" "$(mib "$rss10")" "$(mib "$hwm10")"
	printf "   %-42s VmRSS %s, VmHWM %s\n" "after scrape 100" "$(mib "$rss100")" "$(mib "$hwm100")"
fi
echo "   targets:"
wverdict "export --once / -j dump" xonce xjdump 1.5
what="exporter VmRSS growth, scrape 10 to 100"
if [ -n "${WHY[xrss]:-}" ]; then
	na "$what" "${WHY[xrss]}"
else
	lim=$(awk -v r="$rss10" 'BEGIN { l = r * 0.1 / 1024; printf "%.1f", (l > 4 ? l : 4) }')
	verdict "$what (10% or 4 MiB)" "$(awk -v a="$rss10" -v b="$rss100" 'BEGIN { printf "%.1f", (b - a) / 1024 }')" "<=" "$lim" " MiB"
fi
echo

# ---- 7. migrate ----

note "7 migrate: $N entries into a map of a changed type"
MT=$FS/mig_m/bench_flows2
# (relative pin paths: libbpf turns the dots of $TMP into slashes)
cat >"$TMP/migprep.sh" <<PREP
#!/bin/sh
cd "$FS" || exit 1
rm -rf mig_p mig_m
exec bpftool prog loadall "$PWD/$B/migrate.bpf.o" mig_p type xdp pinmaps mig_m
PREP
chmod +x "$TMP/migprep.sh"
LABEL[wmig]="mapsh pinned P migrate --to 'pinned T'"
LABEL[wfloor]="floor: raw batch read + update_batch fill"
if ! have pinned "$F" migrate; then
	WHY[wmig]="not available (command missing)"
elif measure wmig "$WRITE_RUNS" "$TMP/migprep.sh" /dev/null "$MAPSH" pinned "$F" migrate --to "pinned $MT"; then
	got=$("$MAPSH" pinned "$MT" count 2>/dev/null || echo 0)
	[ "$got" = "$N" ] || WHY[wmig]="wrote $got of $N entries"
fi
rm -rf "$FS/mig_p" "$FS/mig_m"
if [ -n "${WHY[wraw]:-}${WHY[wfill]:-}" ]; then
	WHY[wfloor]="${WHY[wraw]:-${WHY[wfill]}}"
else
	MEAN[wfloor]=$(awk -v a="${MEAN[wraw]}" -v b="${MEAN[wfill]}" 'BEGIN { print a + b }')
	SD[wfloor]=0 RUNS_OF[wfloor]="${RUNS_OF[wfill]}"
	RSS[wfloor]=$(( ${RSS[wraw]} > ${RSS[wfill]} ? ${RSS[wraw]} : ${RSS[wfill]} ))
	REF[wmig]=wfloor REFNAME[wfloor]=floor
fi
echo "7. migrate, $N entries (the map of 1.) into a map of a changed type (T)"
echo "   hyperfine, mean ± σ over the runs shown (1: one run, wall time); the floor's time"
echo "   is the sum of the two means of 5.; peak RSS from /usr/bin/time %M of the first run"
printf "   %-42s %-20s %4s %-15s %10s\n" command time runs ratio "peak RSS"
for id in wraw wfill wfloor wmig; do wrow $id; done
echo "   targets:"
wverdict "migrate / (dump + apply floor)" wmig wfloor 3
# ---- 8. the read engine ----

note "8 read engine: split reader, mmap array, sparse hash"
"$B/mkextra" "$B/split.bpf.o" "$FS" || die "mkextra failed"
AR=$FS/bench_marr SP=$FS/bench_sparse
RUNS7=$((DUMP_RUNS + 2))
LABEL=(
	[eraw]="raw batch read of 1. (bench/rawdump)"
	[eauto]="mapsh pinned P dump (readers mapsh picks)"
	[eone]="  MAPSH_READERS=1 (one reader)"
	[etwo]="  MAPSH_READERS=2"
	[braw]="raw batch read, CPU 1 busy"
	[bauto]="mapsh pinned P dump, CPU 1 busy"
	[b2raw]="raw batch read, CPU 1 busy elsewhere"
	[b2auto]="mapsh pinned P dump, CPU 1 busy elsewhere"
	[araw]="raw batch read of the array"
	[acnt]="mapsh count where packets > 100"
	[adump]="mapsh dump (formatting bound)"
	[sraw]="one batch pass (bench/rawdump)"
	[sauto]="mapsh pinned P dump"
	[stwo]="  MAPSH_READERS=2"
)
# readers ARGS...: what dump --stats says about the readers it used
readers() { "$MAPSH" pinned "$@" dump --stats 2>&1 >/dev/null | sed -n 's/.* \([0-9]* readers*\( ([^)]*)\)*\),.*/\1/p'; }
row7() {
	local id=$1 ref=$2
	printf "   %-44s %s %7s×\n" "${LABEL[$id]}" "$(pad 20 "$(mean_sd "${MEAN[$id]}" "${SD[$id]}")")" \
		"$(ratio "${MEAN[$id]}" "${MEAN[$ref]}")"
}
echo "8. the read engine; hyperfine $RUNS7 runs each, mean ± σ, ratios to the floor of each part"
la=$(loadavg); r=$(readers "$F")
hf "$TMP/e7.json" --runs "$RUNS7" -n eraw "$B/rawdump $F" -n eauto "$MAPSH pinned $F dump" \
	-n eone "env MAPSH_READERS=1 $MAPSH pinned $F dump" -n etwo "env MAPSH_READERS=2 $MAPSH pinned $F dump"
echo "   a. dump of the $N-entry HASH of 1., to /dev/null; load average $la, then $(loadavg); mapsh chose $r"
for id in eraw eauto eone etwo; do row7 $id eraw; done
# b. A busy loop on CPU 1 in the session of the commands measured
# (busy.sh starts it beside them), and b2. in another session (this
# script's). With autogroups on (kernel.sched_autogroup_enabled) the
# kernel shares the CPUs out by session first: a loop in another session
# keeps half of CPU 1 or more however many threads mapsh has there, and
# formatting is work the raw read does not do; in one session every
# thread has its share, and the readers held to the two CPUs keep up.
cat >"$TMP/busy.sh" <<'BUSY'
#!/bin/sh
timeout 600 taskset -c 1 sh -c 'while :; do :; done' &
b=$!
sleep 1
"$@"
rc=$?
kill "$b" 2>/dev/null
exit $rc
BUSY
chmod +x "$TMP/busy.sh"
la=$(loadavg); r=$("$TMP/busy.sh" "$MAPSH" pinned "$F" dump --stats 2>&1 >/dev/null |
	sed -n 's/.* \([0-9]* readers*\( ([^)]*)\)*\),.*/\1/p')
HFPRE=("$TMP/busy.sh")
hf "$TMP/b7.json" --runs "$RUNS7" -n braw "$B/rawdump $F" -n bauto "$MAPSH pinned $F dump"
HFPRE=()
echo "   b. the same with a busy loop on CPU 1 in the session of the commands; load average $la, then $(loadavg); mapsh chose $r"
for id in braw bauto; do row7 $id braw; done
timeout 600 taskset -c 1 sh -c 'while :; do :; done' &
BUSY=$!
sleep 1
la=$(loadavg); r=$(readers "$F")
hf "$TMP/b27.json" --runs "$RUNS7" -n b2raw "$B/rawdump $F" -n b2auto "$MAPSH pinned $F dump"
kill "$BUSY" 2>/dev/null; wait "$BUSY" 2>/dev/null || true
case $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null) in
1) ag=on ;; 0) ag=off ;; *) ag=unknown ;;
esac
echo "   b2. the busy loop in another session (autogroups $ag), no target; load average $la; mapsh chose $r"
for id in b2raw b2auto; do row7 $id b2raw; done
la=$(loadavg)
hf "$TMP/a7.json" --runs "$RUNS7" -n araw "$B/rawdump $AR" \
	-n acnt "$MAPSH pinned $AR count where packets > 100" -n adump "$MAPSH pinned $AR dump"
echo "   c. 1M-slot BPF_F_MMAPABLE ARRAY (value 16 B); load average $la"
for id in araw acnt adump; do row7 $id araw; done
# d. Each run takes 10-20 ms, so more of them (a mean of 5 moved by
# 0.1x from one round to the next). The walk of 16M empty buckets is
# bound by the memory: two passes at once, one a CPU, show what the
# machine lets two readers gain at best (half of that pair's time).
SRUNS=$((RUNS7 * 6))
cat >"$TMP/twice.sh" <<TWICE
#!/bin/sh
${CPU0[*]} "$B/rawdump" "\$1" & p=\$!
${CPU1[*]} "$B/rawdump" "\$1"; rc=\$?
wait \$p || rc=1
exit \$rc
TWICE
chmod +x "$TMP/twice.sh"
LABEL[stwice]="two batch passes at once, one a CPU"
la=$(loadavg); r=$(readers "$SP")
hf "$TMP/s7.json" --runs "$SRUNS" -n sraw "$B/rawdump $SP" -n sauto "$MAPSH pinned $SP dump" \
	-n stwo "env MAPSH_READERS=2 $MAPSH pinned $SP dump"
if [ "${#CPU1[@]}" -gt 0 ]; then	# two CPUs (CPU0/CPU1 above)
	hf "$TMP/s7b.json" --runs "$SRUNS" -n stwice "$TMP/twice.sh $SP"
fi
echo "   d. HASH of 16M slots (no prealloc) holding 100 entries, $SRUNS runs; load average $la; mapsh chose $r"
for id in sraw sauto stwo; do row7 $id sraw; done
if [ -n "${MEAN[stwice]:-}" ]; then
	row7 stwice sraw
	echo "     (two readers cannot take less than about $(awk -v a="${MEAN[stwice]}" -v b="${MEAN[sraw]}" \
		'BEGIN { printf "%.2f", a / b / 2 }')× of one pass here: half of two passes at once)"
fi
echo "   targets (figures from a shared machine: see the load averages):"
wverdict "dump / one batch reader, second core idle" eauto eraw 0.75
wverdict "dump / one batch reader, CPU 1 busy" bauto braw 1.05
wverdict "count where on the mmapable array / its lookup_batch floor" acnt araw 0.3
wverdict "sparse hash dump / one batch pass" sauto sraw 0.6
# ---- 9. hist ----

note "9 hist: $DUMP_RUNS runs each beside the plain dump"
LABEL[hdump]="mapsh pinned P dump (plain)"
LABEL[hhist]="mapsh pinned P hist bytes"
if ! have pinned "$F" hist; then
	WHY[hhist]="no hist verb"
elif ! probe hhist "$MAPSH" pinned "$F" hist bytes; then
	:
else
	hf "$TMP/hist.json" --runs "$DUMP_RUNS" -n hdump "$MAPSH pinned $F dump" \
		-n hhist "$MAPSH pinned $F hist bytes" || WHY[hhist]="hyperfine failed"
fi
HN=$("$MAPSH" pinned "$F" count 2>/dev/null || echo "?")
echo "9. hist, the map of 1. ($HN entries), to /dev/null"
echo "   hyperfine $DUMP_RUNS runs, mean ± σ"
for id in hdump hhist; do
	if [ -n "${WHY[$id]:-}" ]; then
		row "${LABEL[$id]}" "${WHY[$id]}"
	elif [ -n "${MEAN[$id]:-}" ]; then
		row "${LABEL[$id]}" "$(mean_sd "${MEAN[$id]}" "${SD[$id]}")"
	fi
done
echo "   targets:"
wverdict "hist / dump" hhist hdump 1.5
echo
echo "load average at end: $(loadavg)"
