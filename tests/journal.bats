#!/usr/bin/env bats
# Writers of one map take turns, and a write of several entries can be
# undone (map/lock.h, map/journal.h, map/write.h): a per-map write lock
# (the second writer waits, saying for whom, or fails under --no-wait), an
# undo journal on disk before the first write of apply and clear (a Ctrl-C
# or SIGTERM rolls back; after a kill -9 the next command says so and
# `recover` puts the map back byte for byte, or --forward finishes it).
# Against a 65,536-entry hash map typed like the bundled flows map (its
# BTF), made and read with raw bpf(2) calls (tests/journal_tool.c).

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export JT="$BATS_FILE_TMPDIR/journal_tool"
	cc -O2 -Wall -o "$JT" "$BATS_TEST_DIRNAME/journal_tool.c"
}

setup() {
	setup_bpffs
	mapsh load >/dev/null
	BIG="$BPFFS/big"
	F="$BATS_TEST_TMPDIR/big.json"
	BGS=()
}
teardown() {
	local p
	for p in "${BGS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	teardown_common
}

# big_map: the map holding flows 0..29,999 (journal_tool fill); BIG_ID is
# its id, JOURNAL its journal's path.
big_map() {
	rm -f "$BIG"
	"$JT" clone "$MAPSH_PIN_DIR/flows" "$BIG" 65536
	"$JT" fill "$BIG" 0 30000
	BIG_ID=$(bpftool -j map show pinned "$BIG" | jq .id)
	JOURNAL="$MAPSH_STATE_DIR/journal/$BIG_ID"
}

# digest: every entry's bytes, in one sum
digest() { "$JT" digest "$BIG" | LC_ALL=C sort | md5sum | cut -d' ' -f1; }

# flows_json FIRST END FIELD BASE: a save file of flows FIRST..END-1 (the
# keys of journal_tool fill) naming only FIELD, BASE + i for flow i: the
# other fields keep what the map has.
flows_json() {
	awk -v first="$1" -v end="$2" -v f="$3" -v base="$4" 'BEGIN {
		printf "["
		for (i = first; i < end; i++)
			printf "%s{\"key\":{\"src_ip\":\"10.%d.%d.%d\",\"dst_ip\":\"192.168.0.1\",\"src_port\":%d,\"dst_port\":%d,\"protocol\":\"%s\"},\"value\":{\"%s\":%d}}\n", \
				(i > first ? "," : ""), int(i / 65536) % 256, int(i / 256) % 256, i % 256, \
				1024 + i % 60000, 80 + i % 7, i % 2 ? "udp" : "tcp", f, base + i
		print "]"
	}'
}

# start CMD...: CMD in the background under timeout; CHILD is its pid
# (timeout's child, polled for up to 10 s), BG the timeout's.
start() {
	local i
	timeout 120 "$@" &
	BG=$!
	BGS+=("$BG")
	CHILD=
	for ((i = 0; i < 1000; i++)); do
		CHILD=$(pgrep -P "$BG" | head -n 1) && [ -n "$CHILD" ] && return 0
		sleep 0.01
	done
	fail "no child of timeout $BG"
}

# wait_file PATH PID: until PATH exists or PID is gone (up to 120 s)
wait_file() {
	local i
	for ((i = 0; i < 60000; i++)); do
		[ -e "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.002	# (a write of 60000 changes takes a few tens of ms)
	done
	return 1
}

# wait_holder PID: until PID holds the map's write lock (its lock file
# names it: "PID CMDLINE")
wait_holder() {
	local i lock="$MAPSH_STATE_DIR/lock/$BIG_ID"
	for ((i = 0; i < 6000; i++)); do
		[ "$(cut -d' ' -f1 "$lock" 2>/dev/null)" = "$1" ] && return 0
		kill -0 "$1" 2>/dev/null || fail "pid $1 ended before holding the lock"
		sleep 0.01
	done
	fail "pid $1 never held the lock"
}

# A random pause of 0 to PAUSE_MS (default 150) milliseconds.
pause() {
	local ms=$((RANDOM % ${PAUSE_MS:-150}))
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
}

@test "kill -9 at random points of a 50,000-entry apply (20 runs): the next command warns, recover undoes it byte for byte, --forward finishes it" {
	# 20,000 entries changed, 30,000 added, 10,000 removed (--prune)
	flows_json 10000 60000 packets 1000000 >"$F"
	big_map
	before=$(digest)
	t0=$(date +%s%N)
	run mapsh pinned "$BIG" apply "$F" --prune
	t1=$(date +%s%N)
	assert_success
	assert_output --regexp ': 30000 added, 20000 changed, 0 unchanged, 10000 removed$'
	after=$(digest)
	# The writes follow the journal's appearance and take a few tens of
	# milliseconds: kill within a tenth of a whole apply's time after it
	# (wait_file itself looks every 2 ms).
	PAUSE_MS=$(( (t1 - t0) / 10000000 ))
	((PAUSE_MS >= 5)) || PAUSE_MS=5
	[ "$before" != "$after" ]
	[ ! -e "$JOURNAL" ]
	interrupted=0 partly=0 recover_killed=0
	# 20 runs; should none of them have landed mid-write (a loaded
	# machine, a fast apply), more with shorter pauses, up to 60
	for run in $(seq 1 60); do
		if ((run > 20)); then
			((interrupted >= 1)) && break
			((PAUSE_MS > 2)) && PAUSE_MS=$((PAUSE_MS / 2))
		fi
		runs=$run
		big_map
		[ "$(digest)" = "$before" ]
		start "$MAPSH" pinned "$BIG" apply "$F" --prune
		# the writes start once the journal is on disk: kill at a random
		# moment after it appears
		wait_file "$JOURNAL" "$CHILD" || true
		pause
		kill -KILL "$CHILD" 2>/dev/null || true
		wait "$BG" || true
		if [ ! -e "$JOURNAL" ]; then
			# finished before the kill: the file's state, no warning
			[ "$(digest)" = "$after" ] || fail "run $run: no journal, and the map is neither as before nor as the file"
			run --separate-stderr mapsh pinned "$BIG" count
			[ -z "$stderr" ] || fail "run $run: a warning without a journal: $stderr"
			continue
		fi
		interrupted=$((interrupted + 1))
		now=$(digest)
		[ "$now" != "$before" ] && [ "$now" != "$after" ] && partly=$((partly + 1))
		# the next command on the map says so, in one line
		run --separate-stderr mapsh pinned "$BIG" count
		assert_success
		[ "${#stderr_lines[@]}" = 1 ] || fail "run $run: $stderr"
		[[ "$stderr" == "mapsh: jt_"*": an interrupted apply (pid $CHILD, "*" UTC) left this map partly changed: 'mapsh pinned $BIG recover' puts it back as it was ('mapsh pinned $BIG recover --forward' finishes the write)" ]] ||
			fail "run $run: $stderr"
		# writers refuse the map until it is recovered
		run --separate-stderr mapsh pinned "$BIG" clear --yes
		assert_failure 1
		[[ "$stderr" == *"clear: an interrupted apply (pid $CHILD, "*"run 'mapsh pinned $BIG recover' first"* ]] || fail "run $run: $stderr"
		[ "$(digest)" = "$now" ]
		opt=
		want=$before
		if ((run % 2 == 0)); then
			opt=--forward
			want=$after
		fi
		if ((run % 4 == 1)); then
			# recover killed half-way too: running it again finishes
			start "$MAPSH" pinned "$BIG" recover $opt
			sleep "0.0$((RANDOM % 10))"
			kill -KILL "$CHILD" 2>/dev/null || true
			wait "$BG" || true
			[ -e "$JOURNAL" ] && recover_killed=$((recover_killed + 1))
		fi
		if [ -e "$JOURNAL" ]; then
			run --separate-stderr mapsh pinned "$BIG" recover $opt
			assert_success
			[ -z "$stderr" ] || fail "run $run: recover said $stderr"
			if [ -n "$opt" ]; then
				assert_output --regexp "^jt_[0-9]+: finished the interrupted apply \(pid $CHILD|^jt_[0-9]+: finished the interrupted apply \(pid [0-9]+"
			else
				assert_output --regexp "^jt_[0-9]+: undid the interrupted apply \(pid [0-9]+, .* UTC\): [0-9,]+ entries put back as they were$"
			fi
		fi
		[ "$(digest)" = "$want" ] || fail "run $run: recover $opt did not give the map $([ -n "$opt" ] && echo "the file says" || echo "had before")"
		[ ! -e "$JOURNAL" ]
		run --separate-stderr mapsh pinned "$BIG" recover
		assert_success
		assert_output --regexp ": nothing to recover \(no interrupted write\)$"
		[ -z "$stderr" ]
	done
	echo "# $interrupted of $runs runs killed mid-write ($partly partly changed), $recover_killed recovers killed" >&3
	[ "$interrupted" -ge 1 ] || fail "no kill landed while the apply was writing"
}

@test "SIGINT and SIGTERM during an apply: rolled back, one line, exit 130 and 143, the map as it was" {
	flows_json 10000 60000 packets 1000000 >"$F"
	for sig in INT TERM; do
		[ "$sig" = INT ] && want=130 || want=143
		got=
		for try in $(seq 10); do
			big_map
			before=$(digest)
			start "$MAPSH" pinned "$BIG" apply "$F" --prune 2>"$BATS_TEST_TMPDIR/err"
			wait_file "$JOURNAL" "$CHILD" || true
			sleep "0.00$((RANDOM % 10))"
			kill -"$sig" "$CHILD" 2>/dev/null || true
			rc=0
			wait "$BG" || rc=$?
			[ "$rc" = 0 ] && continue	# done before the signal: again
			got=$rc
			break
		done
		[ -n "$got" ] || fail "SIG$sig never arrived during the write"
		[ "$got" = "$want" ] || fail "SIG$sig: exit $got ($(cat "$BATS_TEST_TMPDIR/err"))"
		run cat "$BATS_TEST_TMPDIR/err"
		assert_output --regexp '^mapsh: jt_[0-9]+ apply: interrupted: rolled back [0-9,]+ changes; the map is as it was$'
		[ "$(digest)" = "$before" ] || fail "SIG$sig: the map changed"
		[ ! -e "$JOURNAL" ]
	done
}

@test "a journal whose writer is alive is no interrupted write: readers say nothing" {
	flows_json 10000 60000 packets 1000000 >"$F"
	for try in 1 2 3; do
		big_map
		start "$MAPSH" pinned "$BIG" apply "$F" --prune
		wait_file "$JOURNAL" "$CHILD" || true
		# while it writes (or just after)
		run --separate-stderr mapsh pinned "$BIG" count
		assert_success
		[ -z "$stderr" ] || fail "a reader warned while the writer was at work: $stderr"
		wait "$BG"
		[ ! -e "$JOURNAL" ]
	done
}

@test "clear is journaled too: a Ctrl-C rolls it back, a kill -9 is recovered" {
	big_map
	before=$(digest)
	start "$MAPSH" pinned "$BIG" clear --yes
	wait_file "$JOURNAL" "$CHILD" || true
	kill -KILL "$CHILD" 2>/dev/null || true
	wait "$BG" || true
	if [ -e "$JOURNAL" ]; then
		run --separate-stderr mapsh pinned "$BIG" count
		[[ "$stderr" == *"an interrupted clear (pid $CHILD, "* ]] || fail "$stderr"
		run mapsh pinned "$BIG" recover
		assert_success
	else
		[ "$(mapsh pinned "$BIG" count)" = 0 ] || fail "no journal, yet not cleared"
		"$JT" fill "$BIG" 0 30000
	fi
	[ "$(digest)" = "$before" ]
	# SIGTERM: rolled back by clear itself
	start "$MAPSH" pinned "$BIG" clear --yes
	wait_file "$JOURNAL" "$CHILD" || true
	kill -TERM "$CHILD" 2>/dev/null || true
	rc=0
	wait "$BG" || rc=$?
	[ "$rc" = 143 ] || [ "$rc" = 0 ] || fail "clear exited $rc"
	[ "$rc" = 0 ] || [ "$(digest)" = "$before" ]
	[ ! -e "$JOURNAL" ]
}

@test "two applies at once on one map: the second waits, saying for whom; no update is lost; the audit's old values are the first one's" {
	big_map
	flows_json 0 30000 packets 7000000 >"$BATS_TEST_TMPDIR/a.json"
	flows_json 0 30000 bytes 9000000 >"$BATS_TEST_TMPDIR/b.json"
	log="$BATS_TEST_TMPDIR/audit.log"
	start "$MAPSH" --audit-log "$log" pinned "$BIG" apply "$BATS_TEST_TMPDIR/a.json"
	a_bg=$BG a=$CHILD
	wait_holder "$a"
	timeout 120 "$MAPSH" --audit-log "$log" pinned "$BIG" apply "$BATS_TEST_TMPDIR/b.json" \
		>"$BATS_TEST_TMPDIR/b.out" 2>"$BATS_TEST_TMPDIR/b.err" &
	b_bg=$!
	BGS+=("$b_bg")
	wait "$a_bg" || fail "the first apply failed"
	wait "$b_bg" || fail "the second apply failed: $(cat "$BATS_TEST_TMPDIR/b.err")"
	run cat "$BATS_TEST_TMPDIR/b.err"
	assert_output --regexp "^mapsh: jt_[0-9]+: waiting for pid $a \(mapsh --audit-log $log pinned $BIG apply $BATS_TEST_TMPDIR/a.json\), which is writing to this map$"
	run cat "$BATS_TEST_TMPDIR/b.out"
	assert_output --regexp ': 0 added, 30000 changed, 0 unchanged, 0 removed$'
	# every flow has both files' fields (and its first writer's others)
	mapsh -j pinned "$BIG" dump | jq -r '.[] | (.key.src_ip | split(".") | map(tonumber)) as $b |
		($b[1] * 65536 + $b[2] * 256 + $b[3]) as $i |
		select(.value.packets != 7000000 + $i or .value.bytes != 9000000 + $i) | .key.src_ip' >"$BATS_TEST_TMPDIR/lost"
	[ ! -s "$BATS_TEST_TMPDIR/lost" ] || fail "$(wc -l <"$BATS_TEST_TMPDIR/lost") flows lost an update"
	[ "$(mapsh pinned "$BIG" count)" = 30000 ]
	# the second writer read the map after the first one wrote: its old
	# values are the first one's new ones
	jq -c 'select(.state == "intent") | [(.key | tostring), .old, .new]' "$log" |
		jq -s -e 'group_by(.[0]) | length == 30000 and all(length == 2 and .[1][1] == .[0][2])' >/dev/null ||
		fail "the audit log's old values are stale"
}

@test "--no-wait: a map another mapsh is writing fails at once, one line, nothing changed" {
	big_map
	flows_json 0 30000 packets 7000000 >"$BATS_TEST_TMPDIR/a.json"
	flows_json 0 30000 bytes 9000000 >"$BATS_TEST_TMPDIR/b.json"
	start "$MAPSH" pinned "$BIG" apply "$BATS_TEST_TMPDIR/a.json"
	a=$CHILD
	wait_holder "$a"
	SECONDS=0
	run --separate-stderr timeout 20 "$MAPSH" --no-wait pinned "$BIG" apply "$BATS_TEST_TMPDIR/b.json"
	assert_failure 1
	[ "$SECONDS" -lt 15 ]
	[ -z "$output" ]
	[[ "$stderr" =~ ^"mapsh: jt_"[0-9]+" apply: pid $a (mapsh pinned $BIG apply $BATS_TEST_TMPDIR/a.json) is writing to this map (--no-wait: nothing changed)"$ ]] || fail "$stderr"
	wait "$BG"
	# a.json's packets, and no bytes of b.json
	[ "$(mapsh -j pinned "$BIG" dump | jq '[.[] | select(.value.bytes >= 9000000)] | length')" = 0 ]
	# a single set waits too, and then writes
	start "$MAPSH" pinned "$BIG" apply "$BATS_TEST_TMPDIR/b.json"
	wait_holder "$CHILD"
	run --separate-stderr mapsh pinned "$BIG" set 10.0.0.1 192.168.0.1 1025 81 udp packets=5
	assert_success
	[[ "$stderr" == *": waiting for pid $CHILD ("*"), which is writing to this map" ]] || fail "$stderr"
	wait "$BG"
	[ "$(mapsh -j pinned "$BIG" lookup 10.0.0.1 192.168.0.1 1025 81 udp | jq -c '[.value.packets, .value.bytes]')" = '[5,9000001]' ]
}

@test "the state directory: MAPSH_STATE_DIR made 0700; one not ours is refused; the lock file names its holder" {
	[ ! -e "$MAPSH_STATE_DIR" ]
	mapsh blocklist update 10.0.0.9 0 0 action=drop
	[ "$(stat -c %a "$MAPSH_STATE_DIR")" = 700 ]
	id=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/blocklist" | jq .id)
	run cat "$MAPSH_STATE_DIR/lock/$id"
	assert_output --regexp "^[0-9]+ mapsh blocklist update 10.0.0.9 0 0 action=drop$"
	# a directory others can write is no place for locks
	d="$BATS_TEST_TMPDIR/open"
	mkdir -m 0777 "$d"
	run --separate-stderr env MAPSH_STATE_DIR="$d" "$MAPSH" blocklist update 10.0.0.9 0 0 action=allow
	assert_failure 1
	[[ "$stderr" == "mapsh: blocklist update: state directory $d is not a directory of uid 0 that only it can write (refused) (nothing changed)" ]] || fail "$stderr"
	[ "$(mapsh -j blocklist lookup 10.0.0.9 0 0 | jq -r .value.action)" = FW_DROP ]
	# readers need no state directory
	run env MAPSH_STATE_DIR="$d" "$MAPSH" blocklist count
	assert_success
}
