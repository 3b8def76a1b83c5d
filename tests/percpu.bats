#!/usr/bin/env bats
# Per-CPU values honestly: on maps without BTF nothing is summed and every
# CPU's bytes show where the CPUs differ; on typed maps counters and plain
# integers are summed and the other fields (flags, hex, enums, bitfields)
# show each CPU's value where the CPUs differ; JSON keeps every CPU and
# has "value" only when it is the entry's one value; save, clear and apply
# restore every CPU's bytes. Checked against bpftool on the same maps,
# whose per-CPU values tests/percpu_tool.c writes (bpftool writes one value
# to every CPU).

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export PCT="$BATS_FILE_TMPDIR/percpu_tool"
	cc -O2 -Wall -o "$PCT" "$BATS_TEST_DIRNAME/percpu_tool.c"
}

setup() {
	setup_bpffs
	NCPUS=$("$PCT" --cpus)
	[ "$NCPUS" -ge 2 ] || skip "needs 2 or more possible CPUs"
	mkdir -p "$MAPSH_PIN_DIR"
}
teardown() {
	if [ -n "${BG_PID:-}" ]; then
		kill -TERM "$BG_PID" 2>/dev/null || true	# timeout passes it on
		wait "$BG_PID" 2>/dev/null || true
	fi
	teardown_common
}

# le N BYTES: N as BYTES little-endian bytes of hex.
le() {
	local n=$1 b=$2 i out=
	for ((i = 0; i < b; i++)); do
		out+=$(printf '%02x' $(( (n >> (8 * i)) & 255 )))
	done
	printf '%s' "$out"
}

# pcv HITS FLAGS PKTS TOTAL SEEN STATE LVL PRIO: a struct pc_value
# (tests/tools/pc_types.bpf.c) as hex.
pcv() {
	printf '%s' "$(le "$1" 8)$(le "$2" 8)$(le "$3" 8)$(le "$4" 4)$(le "$5" 4)$(le "$6" 4)$(le $(( $7 | ($8 << 4) )) 4)"
}

# spaced HEX: "0a0b" as "0a 0b", how mapsh and bpftool print bytes.
spaced() { sed 's/../& /g; s/ $//' <<<"$1"; }

raw_map() {	# raw_map TYPE: a per-CPU map without BTF, key 4, value 8
	bpftool map create "$MAPSH_PIN_DIR/pc" type "$1" key 4 value 8 entries 4 name pc
}

load_types() {
	bpftool prog loadall "$TOP/build/pc_types.bpf.o" "$BPFFS/p" pinmaps "$MAPSH_PIN_DIR"
}

@test "no BTF, per-CPU hash: every CPU's bytes where they differ, as bpftool; never CPU 0's as the value" {
	raw_map percpu_hash
	"$PCT" "$MAPSH_PIN_DIR/pc" 01000000 0a00000000000000 0a05000000000000
	run -0 mapsh pc dump
	# bpftool's bytes of CPU 0 and 1, as mapsh must show them
	b0=$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/pc" | jq -r '.[0].values[0].value | map(.[2:]) | join(" ")')
	b1=$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/pc" | jq -r '.[0].values[1].value | map(.[2:]) | join(" ")')
	[ "$b1" = "0a 05 00 00 00 00 00 00" ]
	assert_output --regexp "^01 00 00 00	cpu0=$b0\|cpu1=$b1(\||\$)"
	# JSON: every CPU, as bpftool's "values"; no "value" (there is none)
	run -0 mapsh pc dump -j
	echo "$output" | jq -e '.[0] | has("value") | not'
	diff <(echo "$output" | jq -c '[.[0].per_cpu[] | {cpu, value}]') \
	     <(bpftool -j map dump pinned "$MAPSH_PIN_DIR/pc" | jq -c '[.[0].values[] | {cpu, value}]')
	# --per-cpu: one row a CPU
	run -0 mapsh pc dump --per-cpu
	assert_line "01 00 00 00	1	$b1"
}

@test "no BTF, per-CPU array: CPUs that agree show one value, JSON \"value\" is it" {
	raw_map percpu_array
	bpftool map update pinned "$MAPSH_PIN_DIR/pc" key hex 02 00 00 00 value hex 11 22 33 44 55 66 77 88
	"$PCT" "$MAPSH_PIN_DIR/pc" 03000000 0100000000000000 0200000000000000
	run -0 mapsh pc lookup 02 00 00 00
	assert_line --regexp '^02 00 00 00	11 22 33 44 55 66 77 88$'
	run -0 mapsh pc lookup -j 02 00 00 00
	diff <(echo "$output" | jq -c .value) \
	     <(bpftool -j map lookup pinned "$MAPSH_PIN_DIR/pc" key hex 02 00 00 00 | jq -c '.values[0].value')
	run -0 mapsh pc lookup 03 00 00 00
	assert_output --regexp '^03 00 00 00	cpu0=01 00 00 00 00 00 00 00\|cpu1=02 00 00 00 00 00 00 00'
	refute_output --partial '03 00 00 00 00 00 00 00'	# never a sum of bytes
	# CPUs 2.. (zero) grouped into one range: each distinct value once
	if [ "$NCPUS" -gt 2 ]; then
		assert_output --partial "|cpu2"
	fi
}

@test "BTF: counters and plain integers summed, flags/hex/enum/bitfields per CPU where they differ, as bpftool's values" {
	load_types
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 01000000 "$(pcv 3 10 1 5 171 1 3 1)" "$(pcv 4 1290 2 6 171 2 3 2)"
	bt=$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/pc_hash")
	sum() { jq -r "[.[0].formatted.values[].value.$1] | add" <<<"$bt"; }
	run -0 mapsh pc_hash dump fields hits,pkts,total,flags,seen,phase,lvl,prio
	# hits 3+4, pkts 1+2, total 5+6; flags not 1300; seen agrees; lvl agrees
	assert_output --regexp "^$(sum hits)	$(sum pkts)	$(sum total)	cpu0=10\|cpu1=1290(\|cpu[^	]*)?	0xab	cpu0=PC_BUSY\|cpu1=PC_DONE(\|cpu[^	]*)?	3	cpu0=1\|cpu1=2"
	[ "$(sum hits)" = 7 ]
	refute_output --partial 1300
	# JSON: every CPU's fields as bpftool reads them; no "value"
	run -0 mapsh pc_hash dump -j
	echo "$output" | jq -e '.[0] | has("value") | not'
	diff <(echo "$output" | jq -c '[.[0].per_cpu[].value | {hits, flags, pkts, total, phase, prio: (.prio | tostring)}]') \
	     <(jq -c '[.[0].formatted.values[].value | {hits, flags, pkts, total, phase, prio: (.prio | ltrimstr("0x"))}]' <<<"$bt")
	# a field selection leaves out the fields with no one value
	run -0 mapsh pc_hash dump -j fields hits,flags
	echo "$output" | jq -e '.[0] | .hits == 7 and (has("flags") | not) and .per_cpu[1].flags == 1290'
	# a terminal's table says the rule
	run -0 script -qc "$MAPSH pc_hash dump" /dev/null
	assert_output --partial "counters and plain integers summed; flags, seen, phase, lvl, prio, rest: each CPU's where they differ"
}

@test "BTF: when the unsummed fields agree, one row and JSON \"value\" holds the sums" {
	load_types
	"$PCT" "$MAPSH_PIN_DIR/pc_arr" 01000000 "$(pcv 3 16 1 5 171 1 3 1)" "$(pcv 4 16 2 6 171 1 3 1)"
	run -0 mapsh pc_arr lookup 1
	assert_line --regexp '^1	7	16	3	11	0xab	PC_BUSY	3	1	0$'
	run -0 mapsh pc_arr lookup -j 1
	echo "$output" | jq -e '.value.hits == 7 and .value.flags == 16 and .value.total == 11 and (.per_cpu | length) > 1'
}

@test "save, clear, apply restore every CPU's bytes (no BTF and BTF), and the save file applies cleanly" {
	raw_map percpu_hash
	load_types
	"$PCT" "$MAPSH_PIN_DIR/pc" 01000000 0a00000000000000 0a05000000000000
	bpftool map update pinned "$MAPSH_PIN_DIR/pc" key hex 02 00 00 00 value hex 01 02 03 04 05 06 07 08
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 01000000 "$(pcv 3 10 1 5 171 1 3 1)" "$(pcv 4 1290 2 6 171 2 3 2)"
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 02000000 "$(pcv 3 16 1 5 171 1 3 1)" "$(pcv 4 16 2 6 171 1 3 1)"
	for m in pc pc_hash; do
		before=$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/$m" | jq -c 'sort_by(.key) | map({key, values})')
		run -0 mapsh "$m" save "$BATS_TEST_TMPDIR/$m.json"
		run -0 mapsh "$m" clear --yes
		[ "$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/$m" | jq length)" = 0 ]
		run -0 mapsh "$m" apply "$BATS_TEST_TMPDIR/$m.json" --yes
		assert_output --partial "2 added"
		after=$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/$m" | jq -c 'sort_by(.key) | map({key, values})')
		[ "$before" = "$after" ]
		run -0 mapsh "$m" apply "$BATS_TEST_TMPDIR/$m.json" --yes
		assert_output --partial "0 changed, 2 unchanged"
	done
}

@test "watch: a CPU's change shows that CPU's new value (no BTF and BTF)" {
	raw_map percpu_hash
	"$PCT" "$MAPSH_PIN_DIR/pc" 01000000 0a00000000000000 0a05000000000000
	timeout 60 "$MAPSH" pc watch -i 0.3 --count 100 >"$BATS_TEST_TMPDIR/w" 2>&1 &
	BG_PID=$!
	for _ in $(seq 100); do grep -q 'refresh 2' "$BATS_TEST_TMPDIR/w" && break; sleep 0.2; done
	"$PCT" "$MAPSH_PIN_DIR/pc" 01000000 0a00000000000000 0b06000000000000
	for _ in $(seq 100); do grep -q '	changed	' "$BATS_TEST_TMPDIR/w" && break; sleep 0.2; done
	run grep '	changed	' "$BATS_TEST_TMPDIR/w"
	assert_output --regexp 'changed	01 00 00 00	cpu0=0a 00 00 00 00 00 00 00\|cpu1=0b 06 00 00 00 00 00 00'
	kill -TERM "$BG_PID"; wait "$BG_PID" || true; BG_PID=

	load_types
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 01000000 "$(pcv 3 10 1 5 171 1 3 1)" "$(pcv 4 10 2 6 171 1 3 1)"
	timeout 60 "$MAPSH" pc_hash watch -j -i 0.3 --count 100 >"$BATS_TEST_TMPDIR/wj" 2>&1 &
	BG_PID=$!
	for _ in $(seq 100); do grep -q '"refresh":2' "$BATS_TEST_TMPDIR/wj" && break; sleep 0.2; done
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 01000000 "$(pcv 3 10 1 5 171 1 3 1)" "$(pcv 4 1300 2 6 171 1 3 1)"
	for _ in $(seq 100); do grep -q '"key"' "$BATS_TEST_TMPDIR/wj" && break; sleep 0.2; done
	line=$(grep -m1 '"key"' "$BATS_TEST_TMPDIR/wj")
	jq -e 'has("value") | not' <<<"$line"
	jq -e '[.per_cpu[].value.flags][0:2] == [10, 1300]' <<<"$line"
}

@test "where on a field not summed holds when it holds for some CPU; sort by it uses the largest CPU value" {
	load_types
	# key 1: flags 10 on CPU 0, 1290 on CPU 1; key 2: 700 on both; key 3: 1000/5
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 01000000 "$(pcv 3 10 1 5 171 1 3 1)" "$(pcv 4 1290 2 6 171 2 3 2)"
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 02000000 "$(pcv 1 700 1 1 171 1 3 1)" "$(pcv 1 700 1 1 171 1 3 1)"
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 03000000 "$(pcv 1 1000 1 1 171 1 3 1)" "$(pcv 1 5 1 1 171 1 3 1)"
	run -0 mapsh pc_hash dump -j where flags == 1290
	echo "$output" | jq -e 'map(.key) == [1]'
	run -0 mapsh pc_hash dump -j where flags == 10
	echo "$output" | jq -e 'map(.key) == [1]'
	run -0 mapsh pc_hash dump -j where flags '>' 900
	echo "$output" | jq -e 'map(.key) | sort == [1, 3]'
	# some CPU's view: the summed field with that CPU's flags
	run -0 mapsh pc_hash dump -j where 'hits == 7 and flags == 1290'
	echo "$output" | jq -e 'map(.key) == [1]'
	# CPU 0 holds PC_BUSY with flags 10, CPU 1 another phase with 1290
	run -0 mapsh pc_hash dump -j where 'phase != PC_BUSY and flags == 10'
	echo "$output" | jq -e 'length == 0'
	run -0 mapsh pc_hash dump -j where 'phase != PC_BUSY and flags == 1290'
	echo "$output" | jq -e 'map(.key) == [1]'
	run -0 mapsh pc_hash count where flags == 1290
	assert_output --regexp '(^|[^0-9])1([^0-9]|$)'
	# sort by the largest CPU value: 1290 (key 1), 1000 (key 3), 700 (key 2)
	run -0 mapsh pc_hash dump -j sort flags desc
	echo "$output" | jq -e 'map(.key) == [1, 3, 2]'
	run -0 mapsh pc_hash dump -j sort flags limit 2
	echo "$output" | jq -e 'map(.key) == [2, 3]'
	# watch sorts the same way: the rows of a refresh where all three
	# changed (rounds of changes until one refresh holds all three)
	timeout 120 "$MAPSH" pc_hash watch -j -i 3 --count 100 sort flags desc >"$BATS_TEST_TMPDIR/wj" 2>&1 &
	BG_PID=$!
	for _ in $(seq 100); do grep -q '"refresh":2' "$BATS_TEST_TMPDIR/wj" && break; sleep 0.2; done
	groups() {
		jq -sc 'reduce .[] as $l ({g: [], cur: []};
			if ($l | has("refresh")) then {g: (.g + [.cur]), cur: []} else .cur += [$l.key] end)
			| .g | map(select(length == 3)) | .[0] // empty' "$BATS_TEST_TMPDIR/wj"
	}
	for h in 5 6 7 8 9 10; do
		n=$(grep -c '"refresh"' "$BATS_TEST_TMPDIR/wj")
		"$PCT" "$MAPSH_PIN_DIR/pc_hash" 01000000 "$(pcv "$h" 10 1 5 171 1 3 1)" "$(pcv 4 1290 2 6 171 2 3 2)" & p1=$!
		"$PCT" "$MAPSH_PIN_DIR/pc_hash" 02000000 "$(pcv "$h" 700 1 1 171 1 3 1)" "$(pcv 1 700 1 1 171 1 3 1)" & p2=$!
		"$PCT" "$MAPSH_PIN_DIR/pc_hash" 03000000 "$(pcv "$h" 1000 1 1 171 1 3 1)" "$(pcv 1 5 1 1 171 1 3 1)" & p3=$!
		wait "$p1" "$p2" "$p3"
		for _ in $(seq 100); do [ "$(grep -c '"refresh"' "$BATS_TEST_TMPDIR/wj")" -gt "$n" ] && break; sleep 0.1; done
		[ -n "$(groups)" ] && break
	done
	kill -TERM "$BG_PID"; wait "$BG_PID" || true; BG_PID=
	run groups
	[ -n "$output" ] || cat "$BATS_TEST_TMPDIR/wj"
	assert_output '[1,3,2]'
}

@test "audit: old/new of a per-CPU map are one value when the CPUs agree, else \"per_cpu\"" {
	load_types
	export MAPSH_AUDIT_LOG="$BATS_TEST_TMPDIR/audit.log"
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 01000000 "$(pcv 3 10 1 5 171 1 3 1)" "$(pcv 4 1290 2 6 171 2 3 2)"
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 02000000 "$(pcv 3 16 1 5 171 1 3 1)" "$(pcv 4 16 2 6 171 1 3 1)"
	run -0 mapsh pc_hash update 1 flags=77
	run -0 mapsh pc_hash update 2 hits=9
	rec1=$(jq -c 'select(.state == "intent")' "$MAPSH_AUDIT_LOG" | sed -n 1p)
	rec2=$(jq -c 'select(.state == "intent")' "$MAPSH_AUDIT_LOG" | sed -n 2p)
	[ -n "$rec1" ] && [ -n "$rec2" ]
	# update sets flags only: the phase still differs, so new has no one value either
	[ "$(jq -c '[.old, .new, .old_per_cpu[1].flags, .new_per_cpu[1].flags, .new_per_cpu[1].phase]' <<<"$rec1")" = '["per_cpu","per_cpu",1290,77,"PC_DONE"]' ]
	[ "$(jq -c '[.old.hits, .old.flags, .new.hits, .new.flags]' <<<"$rec2")" = "[7,16,$((9 * NCPUS)),16]" ]
}
