#!/usr/bin/env bats
# diff: a live map against a save file, two live maps, two save files; on
# the bundled maps loaded (and attached, so that the program itself
# changes counters) in the test's own namespace, and on per-CPU maps of
# tests/tools/pc_types.bpf.c. Exit codes as diff(1): 0 equal, 1
# different, 2 trouble.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export PCT="$BATS_FILE_TMPDIR/percpu_tool"
	cc -O2 -Wall -o "$PCT" "$BATS_TEST_DIRNAME/percpu_tool.c"
}

setup() {
	setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	F="$BATS_TEST_TMPDIR/rules.json"
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	mapsh blocklist add src_ip=10.0.0.8 dst_port=80 protocol=tcp action=allow
	mapsh blocklist add src_ip=10.0.0.5 dst_port=53 protocol=udp action=drop
	mapsh blocklist save "$F" >/dev/null
}
teardown() {
	teardown_common
}

# le N BYTES / pcv ...: a struct pc_value as hex (as tests/percpu.bats).
le() {
	local n=$1 b=$2 i out=
	for ((i = 0; i < b; i++)); do
		out+=$(printf '%02x' $(( (n >> (8 * i)) & 255 )))
	done
	printf '%s' "$out"
}
pcv() {	# HITS FLAGS PKTS TOTAL SEEN STATE LVL PRIO
	printf '%s' "$(le "$1" 8)$(le "$2" 8)$(le "$3" 8)$(le "$4" 4)$(le "$5" 4)$(le "$6" 4)$(le $(( $7 | ($8 << 4) )) 4)"
}

@test "MAP diff FILE: equal exits 0 silently; traffic and edits since the save: +, - and ~ lines in key order, exit 1" {
	run --separate-stderr mapsh blocklist diff "$F"
	[ "$status" -eq 0 ] || fail "equal: exit $status ($stderr)"
	[ -z "$output" ]
	[ -z "$stderr" ]
	# the program counts hits on the drop rule: the kernel changed the map
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 3
	[ "$(mapsh -j blocklist lookup 10.0.0.9 0 0 | jq .value.hits)" = 3 ]
	# a key below every saved one added, one in the middle removed
	mapsh blocklist add src_ip=10.0.0.1 dst_port=22 protocol=tcp action=drop
	mapsh blocklist delete src_ip=10.0.0.8 dst_port=80 protocol=tcp
	run --separate-stderr mapsh blocklist diff "$F"
	[ "$status" -eq 1 ] || fail "exit $status ($stderr)"
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 3 ] || fail "$output"
	[ "${lines[0]}" = "+ {src_ip=10.0.0.1 dst_port=22 protocol=tcp}  {action=FW_DROP hits=0}" ]
	[ "${lines[1]}" = "- {src_ip=10.0.0.8 dst_port=80 protocol=tcp}  {action=FW_ALLOW hits=0}" ]
	[ "${lines[2]}" = "~ {src_ip=10.0.0.9 dst_port=0 protocol=0}  hits: 0 -> 3" ]
	# the 10.0.0.5 rule did not change: not listed
	[[ "$output" != *10.0.0.5* ]]
}

@test "MAP diff FILE -j / --jsonl: one JSON object per change, checked with jq" {
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 2
	mapsh blocklist set src_ip=10.0.0.8 dst_port=80 protocol=tcp action=drop
	mapsh blocklist delete src_ip=10.0.0.5 dst_port=53 protocol=udp
	mapsh blocklist add src_ip=10.0.0.7 dst_port=53 protocol=udp action=allow
	for j in -j --jsonl; do
		run -1 mapsh $j blocklist diff "$F"
		[ "${#lines[@]}" -eq 4 ] || fail "$output"
		for l in "${lines[@]}"; do jq -e . <<<"$l" >/dev/null || fail "not JSON: $l"; done
		[ "$(jq -r .op <<<"$output" | tr '\n' ' ')" = "remove add change change " ]
		jq -e 'select(.op == "remove") | .key.src_ip == "10.0.0.5" and .old.value.action == "FW_DROP" and (has("new") | not)' <<<"${lines[0]}"
		jq -e 'select(.op == "add") | .key == {"src_ip":"10.0.0.7","dst_port":53,"protocol":"udp","pad":0} and .new.value.action == "FW_ALLOW" and (has("old") | not)' <<<"${lines[1]}"
		jq -e '.key.src_ip == "10.0.0.8" and .old.value.action == "FW_ALLOW" and .new.value.action == "FW_DROP" and .fields == [{"field":"action","old":"FW_ALLOW","new":"FW_DROP"}]' <<<"${lines[2]}"
		jq -e '.key.src_ip == "10.0.0.9" and .fields == [{"field":"hits","old":0,"new":2}] and .new.value.hits == 2' <<<"${lines[3]}"
	done
	# old and new are the entries as -j dump prints them
	[ "$(mapsh -j blocklist diff "$F" | jq -c 'select(.op == "add") | .new')" = \
	  "$(mapsh -j blocklist dump | jq -c '.[] | select(.key.src_ip == "10.0.0.7")')" ]
}

@test "where and fields apply as for dump: either side matching, only the named value fields compared" {
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 3
	mapsh blocklist set src_ip=10.0.0.8 dst_port=80 protocol=tcp action=drop
	# only hits changed on 10.0.0.9: fields action sees nothing there
	run -1 mapsh blocklist diff "$F" fields action
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "~ {src_ip=10.0.0.8 dst_port=80 protocol=tcp}  action: FW_ALLOW -> FW_DROP" ]
	# where on the old side (it was allow) still finds the change
	run -1 mapsh blocklist diff "$F" where action == allow
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "~ {src_ip=10.0.0.8 "* ]]
	run -1 mapsh blocklist diff "$F" where hits '>' 0 fields hits
	[ "${lines[*]}" = "~ {src_ip=10.0.0.9 dst_port=0 protocol=0}  hits: 0 -> 3" ]
	run -1 mapsh -j blocklist diff "$F" where src_ip == 10.0.0.9 fields src_ip,hits
	jq -e '.old == {"src_ip":"10.0.0.9","hits":0} and .new == {"src_ip":"10.0.0.9","hits":3}' <<<"$output"
	# nothing matches: equal
	run -0 mapsh blocklist diff "$F" where src_ip == 10.0.0.5
	[ -z "$output" ]
	mapsh blocklist set src_ip=10.0.0.8 dst_port=80 protocol=tcp action=allow
	run -0 mapsh blocklist diff "$F" fields action
	[ -z "$output" ]
	# sort and limit do not apply; an unknown field is a usage error
	run -2 mapsh blocklist diff "$F" sort hits
	run -2 mapsh blocklist diff "$F" limit 1
	run -2 mapsh blocklist diff "$F" where nosuch == 1
}

@test "a save file edited by hand: a changed value, a dropped entry, an entry naming only some fields" {
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 4
	mapsh blocklist save "$F" >/dev/null
	run -0 mapsh blocklist diff "$F"
	E="$BATS_TEST_TMPDIR/edited.json"
	# 10.0.0.8 to drop in the file, 10.0.0.5 dropped from it
	jq -c '[.[] | select(.key.src_ip != "10.0.0.5") |
		if .key.src_ip == "10.0.0.8" then .value.action = "FW_DROP" else . end]' "$F" >"$E"
	run -1 mapsh blocklist diff "$E"
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	# the file is the old side: the map has 10.0.0.5, and 10.0.0.8 is allow in it
	[ "${lines[0]}" = "+ {src_ip=10.0.0.5 dst_port=53 protocol=udp}  {action=FW_DROP hits=0}" ]
	[ "${lines[1]}" = "~ {src_ip=10.0.0.8 dst_port=80 protocol=tcp}  action: FW_DROP -> FW_ALLOW" ]
	# an entry that leaves hits out (as a rules file does) compares on action only
	cat >"$E" <<-'EOF'
	{"key":"10.0.0.9 0 0","value":{"action":"drop"}}
	{"key":{"src_ip":"10.0.0.8","dst_port":80,"protocol":"tcp"},"value":{"action":"allow"}}
	{"key":{"src_ip":"10.0.0.5","dst_port":53,"protocol":"udp"},"value":{"action":"drop"}}
	EOF
	run -0 mapsh blocklist diff "$E"
	[ -z "$output" ]
	sed -i '1s/drop/allow/' "$E"
	run -1 mapsh blocklist diff "$E"
	[ "${lines[*]}" = "~ {src_ip=10.0.0.9 dst_port=0 protocol=0}  action: FW_ALLOW -> FW_DROP" ]
	# the same from standard input
	run -1 mapsh blocklist diff - <"$E"
	[ "${lines[*]}" = "~ {src_ip=10.0.0.9 dst_port=0 protocol=0}  action: FW_ALLOW -> FW_DROP" ]
}

@test "MAP diff --map OTHER: two live maps by name, pinned path and id; types must match" {
	B="$BPFFS/b"
	mapsh --pin-dir "$B" load >/dev/null
	run -1 mapsh blocklist diff --map "pinned $B/blocklist"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(printf '%s\n' "${lines[@]}" | cut -c1 | sort -u)" = "+" ]
	mapsh blocklist save - | mapsh --pin-dir "$B" blocklist apply - >/dev/null
	run -0 mapsh blocklist diff --map "pinned $B/blocklist"
	[ -z "$output" ]
	id=$(bpftool -j map show pinned "$B/blocklist" | jq .id)
	run -0 mapsh blocklist diff --map "id $id"
	run -0 mapsh blocklist diff --map id "$id"
	run -0 mapsh blocklist diff --map "$B/blocklist"
	# the live map is the new side, OTHER the old
	mapsh --pin-dir "$B" blocklist delete src_ip=10.0.0.9 dst_port=0 protocol=0
	mapsh --pin-dir "$B" blocklist set src_ip=10.0.0.5 dst_port=53 protocol=udp hits=7
	run -1 mapsh blocklist diff --map "$B/blocklist"
	[ "${lines[0]}" = "~ {src_ip=10.0.0.5 dst_port=53 protocol=udp}  hits: 7 -> 0" ]
	[ "${lines[1]}" = "+ {src_ip=10.0.0.9 dst_port=0 protocol=0}  {action=FW_DROP hits=0}" ]
	run -1 mapsh -j blocklist diff --map "$B/blocklist" where hits == 7
	jq -e '.op == "change" and .fields == [{"field":"hits","old":7,"new":0}]' <<<"$output"
	# another type: trouble, not "different"
	run --separate-stderr mapsh blocklist diff --map policy_routes
	[ "$status" -eq 2 ] || fail "exit $status"
	[[ "$stderr" == *"policy_routes is not typed as blocklist"* ]]
	run --separate-stderr mapsh flows diff --map flows6
	[ "$status" -eq 2 ]
	run -2 mapsh blocklist diff --map nosuch
	run -2 mapsh blocklist diff --map 'id 99999999'
	run -2 mapsh blocklist diff --map "$B/blocklist" "$F"
}

@test "mapsh diff FILE1 FILE2 --type-of MAP: two save files; exit 0, 1, 2" {
	G="$BATS_TEST_TMPDIR/later.json"
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 2
	mapsh blocklist delete src_ip=10.0.0.5 dst_port=53 protocol=udp
	mapsh blocklist save "$G" >/dev/null
	run -0 mapsh diff "$F" "$F" --type-of blocklist
	[ -z "$output" ]
	run -1 mapsh diff "$F" "$G" --type-of blocklist
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "- {src_ip=10.0.0.5 dst_port=53 protocol=udp}  {action=FW_DROP hits=0}" ]
	[ "${lines[1]}" = "~ {src_ip=10.0.0.9 dst_port=0 protocol=0}  hits: 0 -> 2" ]
	# the other way round
	run -1 mapsh diff "$G" "$F" --type-of "pinned $MAPSH_PIN_DIR/blocklist"
	[ "${lines[0]}" = "+ {src_ip=10.0.0.5 dst_port=53 protocol=udp}  {action=FW_DROP hits=0}" ]
	run -1 mapsh --jsonl diff "$F" - --type-of blocklist fields hits <"$G"
	[ "$(jq -c '[.op, .fields]' <<<"$output" | tr '\n' ' ')" = '["remove",null] ["change",[{"field":"hits","old":0,"new":2}]] ' ]
	run -0 mapsh diff "$F" "$G" --type-of blocklist where action == allow
	# trouble
	run --separate-stderr mapsh diff "$F" "$G"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--type-of MAP is required"* ]]
	run -2 mapsh diff "$F" --type-of blocklist
	run -2 mapsh diff "$F" "$BATS_TEST_TMPDIR/none.json" --type-of blocklist
	run -2 mapsh diff "$F" "$G" --type-of nosuch
	run -2 mapsh diff "$F" "$G" --type-of samples
	# a file of another map does not fit blocklist's types
	mapsh policy_routes update key 10.0.0.1 value ifindex=lo next_hop=10.9.0.1
	mapsh policy_routes save "$G" >/dev/null
	run --separate-stderr mapsh diff "$F" "$G" --type-of blocklist
	[ "$status" -eq 2 ]
	[[ "$stderr" == "mapsh: $G:2: entry 1: "* ]]
}

@test "trouble exits 2, never 1: no such map, unreadable or bad file, usage, a failed write" {
	run --separate-stderr mapsh nosuch diff "$F"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no map 'nosuch'"* ]]
	run -2 mapsh id 99999999 diff "$F"
	run -2 mapsh pinned "$BPFFS/nothere" diff "$F"
	run --separate-stderr mapsh blocklist diff "$BATS_TEST_TMPDIR/none.json"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"blocklist diff: cannot read"* ]]
	printf '[{"key":"10.0.0.9 0 0","value":{"action":"bogus"}}]\n' >"$BATS_TEST_TMPDIR/bad.json"
	run --separate-stderr mapsh blocklist diff "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"bad.json:1: entry 1: value: "* ]]
	: >"$BATS_TEST_TMPDIR/empty.json"
	run -2 mapsh blocklist diff "$BATS_TEST_TMPDIR/empty.json"
	printf '[{"key":"10.0.0.9 0 0","value":{}},\n' >"$BATS_TEST_TMPDIR/cut.json"
	run -2 mapsh blocklist diff "$BATS_TEST_TMPDIR/cut.json"
	run -2 mapsh blocklist diff
	run -2 mapsh blocklist diff "$F" extra
	run -2 mapsh samples diff "$F"
	# a difference that cannot be written out is trouble too
	mapsh blocklist delete src_ip=10.0.0.5 dst_port=53 protocol=udp
	run --separate-stderr bash -c "'$MAPSH' blocklist diff '$F' >/dev/full"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"write error"* ]]
}

@test "per-CPU maps: a change on any CPU is a change; sums where they show it, else CPU by CPU" {
	mapsh unload >/dev/null
	rm -rf "$MAPSH_PIN_DIR"
	mkdir -p "$MAPSH_PIN_DIR"
	NCPUS=$("$PCT" --cpus)
	[ "$NCPUS" -ge 2 ] || skip "needs 2 or more possible CPUs"
	bpftool prog loadall "$TOP/build/pc_types.bpf.o" "$BPFFS/p" pinmaps "$MAPSH_PIN_DIR"
	P="$BATS_TEST_TMPDIR/pc.json"
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 01000000 "$(pcv 3 10 1 5 171 1 3 1)" "$(pcv 4 10 2 6 171 1 3 1)"
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 02000000 "$(pcv 3 16 1 5 171 1 3 1)" "$(pcv 4 16 2 6 171 1 3 1)"
	mapsh pc_hash save "$P" >/dev/null
	run -0 mapsh pc_hash diff "$P"
	# key 1: hits moves between CPUs (same sum), flags and phase change on
	# CPU 1 only; key 2: hits grows on CPU 1
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 01000000 "$(pcv 4 10 1 5 171 1 3 1)" "$(pcv 3 12 2 6 171 2 3 1)"
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 02000000 "$(pcv 3 16 1 5 171 1 3 1)" "$(pcv 5 16 2 6 171 1 3 1)"
	run -1 mapsh pc_hash diff "$P"
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "~ 1  hits@cpu0: 3 -> 4, hits@cpu1: 4 -> 3, flags@cpu1: 10 -> 12, phase@cpu1: PC_BUSY -> PC_DONE" ]
	[ "${lines[1]}" = "~ 2  hits: 7 -> 8" ]
	run -1 mapsh -j pc_hash diff "$P"
	jq -e 'select(.key == 1) | .fields[1] == {"field":"hits","cpu":1,"old":4,"new":3}' <<<"${lines[0]}"
	jq -e 'select(.key == 2) | .fields == [{"field":"hits","old":7,"new":8}] and (.new.per_cpu | map(.value.hits)) == [3,5]' <<<"${lines[1]}"
	# only the CPU-1 bytes of total changed: still a change
	"$PCT" "$MAPSH_PIN_DIR/pc_hash" 02000000 "$(pcv 3 16 1 5 171 1 3 1)" "$(pcv 4 16 2 7 171 1 3 1)"
	run -1 mapsh pc_hash diff "$P" where key == 2
	[ "${lines[*]}" = "~ 2  total: 11 -> 12" ]
	# where sees each CPU's value of a field not summed (phase is DONE on CPU 1 only)
	run -1 mapsh pc_hash diff "$P" where phase == PC_DONE fields phase
	[ "${lines[*]}" = "~ 1  phase@cpu1: PC_BUSY -> PC_DONE" ]
	# two live per-CPU maps of the same types
	"$PCT" "$MAPSH_PIN_DIR/pc_arr" 01000000 "$(pcv 4 10 1 5 171 1 3 1)" "$(pcv 3 12 2 6 171 2 3 1)"
	run -1 mapsh pc_hash diff --map pc_arr
	[ "${lines[0]}" = "- 0  {hits=0 flags=0 pkts=0 total=0 seen=0x0 phase=PC_IDLE lvl=0 prio=0 rest=0}" ]
	[ "${lines[1]:0:4}" = "+ 2 " ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "a map of 10000 entries (three batches): equal, then exactly the one entry changed" {
	G="$BATS_TEST_TMPDIR/flows.json"
	awk 'BEGIN { for (i = 0; i < 10000; i++)
		printf "{\"key\":{\"src_ip\":\"10.1.%d.%d\",\"dst_ip\":\"10.0.0.2\",\"src_port\":%d,\"dst_port\":80,\"protocol\":\"tcp\"},\"value\":{\"packets\":%d,\"bytes\":%d}}\n", i / 256, i % 256, 1000 + i, i, 64 * i }' >"$G"
	mapsh flows apply "$G" >/dev/null
	[ "$(mapsh flows count)" = 10000 ]
	mapsh flows save "$F" >/dev/null
	run -0 mapsh flows diff "$F"
	[ -z "$output" ]
	run -0 mapsh flows diff "$G"
	mapsh flows set src_ip=10.1.20.7 dst_ip=10.0.0.2 src_port=6127 dst_port=80 protocol=tcp packets=1
	run -1 mapsh flows diff "$F"
	[ "${lines[*]}" = "~ {src_ip=10.1.20.7 dst_ip=10.0.0.2 src_port=6127 dst_port=80 protocol=tcp}  packets: 5127 -> 1" ]
	# G names packets and bytes only: compared on those, F and G agree
	run -0 mapsh diff "$F" "$G" --type-of flows
	run -1 mapsh --jsonl flows diff "$G"
	[ "$(jq -c '[.key.src_ip, .fields]' <<<"$output")" = '["10.1.20.7",[{"field":"packets","old":5127,"new":1}]]' ]
}

@test "diff is in the command tables: help, completion, the man page" {
	run -0 mapsh diff --help
	assert_output --partial "Usage: mapsh diff [--type-of MAP] FILE FILE"
	run -0 mapsh blocklist diff --help
	assert_output --partial "--map OTHER"
	assert_output --partial "0 when nothing differs, 1 when something does, 2"
	run -0 mapsh help
	assert_output --partial "diff"
	[ "$(mapsh __complete -- blocklist dif)" = diff ]
	[ "$(mapsh __complete -- dif)" = diff ]
	[[ "$(mapsh __complete -- blocklist diff --m)" == --map ]]
	[[ " $(mapsh __complete -- blocklist diff --map bl | tr '\n' ' ') " == *" blocklist "* ]]
	grep -q 'diff' "$TOP/man/mapsh.8"
	grep -q -- '--type-of' "$TOP/man/mapsh.8"
}
