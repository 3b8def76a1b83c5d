#!/usr/bin/env bats
# save and apply: a map's entries to a JSON file and back, on the bundled
# maps loaded and attached in the test's own namespace. What the maps hold
# is checked with bpftool.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	F="$BATS_TEST_TMPDIR/rules.json"
}
teardown() {
	if [ -n "${WATCH_PID:-}" ] && kill -0 "$WATCH_PID" 2>/dev/null; then
		# timeout passes SIGTERM on to mapsh, which stops on it
		kill -TERM "$WATCH_PID" 2>/dev/null || true
		wait "$WATCH_PID" 2>/dev/null || true
	fi
	teardown_common
}

# bpftool's dump of a pinned map in a stable order (a hash map refilled
# may list its entries in another order).
canon() {
	dump_pinned "$1" | jq -S 'sort_by(.key)'
}

RULE_A='{"key":{"src_ip":"10.0.0.9","dst_port":0,"protocol":0},"value":{"action":"drop"}}'
RULE_B='{"key":{"src_ip":"10.0.0.8","dst_port":80,"protocol":"tcp"},"value":{"action":"allow","hits":5}}'
RULE_C='{"key":{"src_ip":"10.0.0.7","dst_port":53,"protocol":"udp"},"value":{"action":"drop"}}'

# apply_fails MAP FILE WANT: apply exits 1 with one stderr line containing
# WANT, prints nothing, and MAP is byte-identical before and after.
apply_fails() {
	local map=$1 file=$2 want=$3 before after
	before=$(dump_pinned "$map")
	run --separate-stderr mapsh "$map" apply "$file" --prune
	after=$(dump_pinned "$map")
	[ "$status" -eq 1 ] || fail "apply: exit $status ($stderr)"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "apply: ${#stderr_lines[@]} stderr lines: $stderr"
	[[ "$stderr" == *"$want"* ]] || fail "apply: '$stderr' does not say '$want'"
	[ -z "$output" ] || fail "apply printed '$output'"
	[ "$before" = "$after" ] || fail "apply changed $map"
}

@test "save -> clear -> apply restores blocklist, blocked_prefixes, config, proto_stats, policy_routes" {
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	mapsh blocklist add src_ip=10.0.0.8 dst_port=80 protocol=tcp action=allow
	mapsh blocklist add src_ip=10.0.0.7 dst_port=53 protocol=udp action=drop
	mapsh blocked_prefixes update 10.2.0.0/16 action=drop
	mapsh blocked_prefixes update 172.16.0.0/12 action=allow
	mapsh blocked_prefixes update 192.168.1.0/24 action=drop
	mapsh config set sample_rate=7 rate_limit_pps=100000
	mapsh policy_routes update key 10.0.0.1 value ifindex="$HOST1" next_hop=10.9.0.1
	mapsh policy_routes update key 10.0.0.3 value ifindex=lo next_hop=0.0.0.0
	# real traffic: per-protocol counters, and hits on the rules
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 3
	send_pkts 1 -s 10.2.0.5 -d 10.0.0.2 -p udp -c 2
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 4000 --dport 443 -c 4 --tcp-flags SYN
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 5
	[ "$(mapsh -j blocklist lookup 10.0.0.9 0 0 | jq .value.hits)" = 3 ]
	[ "$(mapsh -j proto_stats lookup udp | jq .value.packets)" = 5 ]	# dropped packets are not counted
	[ "$(mapsh -j proto_stats lookup tcp | jq .value.packets)" = 4 ]
	for map in blocklist blocked_prefixes config proto_stats policy_routes; do
		before=$(canon "$map")
		[ "$(jq length <<<"$before")" -gt 0 ]
		run mapsh "$map" save "$BATS_TEST_TMPDIR/$map.json"
		assert_success
		assert_output --regexp "^$map: saved [0-9]+ entr(y|ies) to "
		mapsh "$map" clear --yes >/dev/null
		[ "$(canon "$map")" != "$before" ] || fail "$map: clear changed nothing"
		run mapsh "$map" apply "$BATS_TEST_TMPDIR/$map.json"
		assert_success
		[ "$(canon "$map")" = "$before" ] || fail "$map: not restored: $(canon "$map")"
		# a second apply finds nothing to do
		run mapsh -j "$map" apply "$BATS_TEST_TMPDIR/$map.json"
		assert_success
		[ "$(jq '.added + .changed + .removed' <<<"$output")" = 0 ]
	done
	# the per-CPU values themselves came back, not only their sum
	[ "$(jq '.[0].per_cpu | length' "$BATS_TEST_TMPDIR/proto_stats.json")" = \
	  "$(dump_pinned proto_stats | jq '.[0].values | length')" ]
}

@test "save writes what -j dump prints, one entry a line; to stdout, with --jsonl one line per entry" {
	# an empty map: []
	run mapsh blocklist save
	assert_success
	assert_output "[]"
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	mapsh blocklist add src_ip=10.0.0.8 dst_port=80 protocol=tcp action=allow
	run mapsh blocklist save
	assert_success
	# the entries of -j dump, each compact on a line of its own
	[ "$(jq -c . <<<"$output")" = "$(mapsh -j blocklist dump)" ]
	[ "${#lines[@]}" = 4 ]
	[ "${lines[0]}" = "[" ] && [ "${lines[3]}" = "]" ]
	[ "${lines[1]}" = "$(mapsh -j blocklist dump | jq -c '.[0]')," ]
	[ "${lines[2]}" = "$(mapsh -j blocklist dump | jq -c '.[1]')" ]
	run mapsh blocklist save -
	[ "$(jq -c . <<<"$output")" = "$(mapsh -j blocklist dump)" ]
	mapsh blocklist save "$F" >/dev/null
	[ "$(cat "$F")" = "$output" ]
	# -j dump itself stays one line
	[ "$(mapsh -j blocklist dump | wc -l)" = 1 ]
	mapsh --jsonl blocklist save "$F" >/dev/null
	[ "$(wc -l <"$F")" = 2 ]
	# JSON lines apply too
	mapsh blocklist clear --yes
	run mapsh blocklist apply "$F"
	assert_success
	assert_output "blocklist: 2 added, 0 changed, 0 unchanged, 0 removed"
	# -j: an object
	run mapsh -j blocklist save "$F"
	[ "$(jq .entries <<<"$output")" = 2 ]
	[ "$(jq -r .file <<<"$output")" = "$F" ]
	# an existing file is replaced whole and keeps its mode
	chmod 0640 "$F"
	mapsh blocklist delete 10.0.0.8 80 tcp
	mapsh blocklist save "$F" >/dev/null
	[ "$(stat -c %a "$F")" = 640 ]
	[ "$(jq length "$F")" = 1 ]
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep 'rules.json.')" ]
}

@test "apply reports added, changed, unchanged exactly; --prune removes the others" {
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	mapsh blocklist add src_ip=10.0.0.8 dst_port=80 protocol=tcp action=drop hits=5
	mapsh blocklist add src_ip=10.0.0.6 dst_port=0 protocol=0 action=drop
	mapsh blocklist add src_ip=10.0.0.5 dst_port=0 protocol=0 action=drop
	# A unchanged, B changed (action), C added; 10.0.0.6 and .5 not in the file
	printf '[%s,\n%s,\n%s]\n' "$RULE_A" "$RULE_B" "$RULE_C" >"$F"
	run mapsh blocklist apply "$F"
	assert_success
	assert_output "blocklist: 1 added, 1 changed, 1 unchanged, 0 removed"
	[ "$(dump_pinned blocklist | jq length)" = 5 ]
	[ "$(lookup blocklist $(hex_ip4 10.0.0.8) 00 50 06 00 | jq -r .formatted.value.action)" = FW_ALLOW ]
	[ "$(lookup blocklist $(hex_ip4 10.0.0.7) 00 35 11 00 | jq -r .formatted.value.action)" = FW_DROP ]
	run mapsh -j blocklist apply "$F"
	assert_success
	[ "$(jq -c '[.added, .changed, .unchanged, .removed, .dry_run]' <<<"$output")" = '[0,0,3,0,false]' ]
	run mapsh blocklist apply "$F" --prune
	assert_success
	assert_output "blocklist: 0 added, 0 changed, 3 unchanged, 2 removed"
	[ "$(mapsh -j blocklist dump | jq -c '[.[].key.src_ip] | sort')" = '["10.0.0.7","10.0.0.8","10.0.0.9"]' ]
	# keys and values as command-line words
	echo '{"key":"10.0.0.7 53 udp","value":"action=allow"}' >"$F"
	run mapsh blocklist apply "$F"
	assert_output "blocklist: 0 added, 1 changed, 0 unchanged, 0 removed"
	[ "$(lookup blocklist $(hex_ip4 10.0.0.7) 00 35 11 00 | jq -r .formatted.value.action)" = FW_ALLOW ]
	# an empty list prunes everything
	echo '[]' >"$F"
	run mapsh blocklist apply --prune "$F"
	assert_output "blocklist: 0 added, 0 changed, 0 unchanged, 3 removed"
	[ "$(dump_pinned blocklist | jq length)" = 0 ]
}

@test "value fields an entry leaves out keep the map's value: counters survive a rule file" {
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 3
	[ "$(mapsh -j blocklist lookup 10.0.0.9 0 0 | jq .value.hits)" = 3 ]
	echo "$RULE_A" >"$F"
	run mapsh blocklist apply "$F"
	assert_output "blocklist: 0 added, 0 changed, 1 unchanged, 0 removed"
	echo '{"key":{"src_ip":"10.0.0.9","dst_port":0,"protocol":0},"value":{"action":"allow"}}' >"$F"
	run mapsh blocklist apply "$F"
	assert_output "blocklist: 0 added, 1 changed, 0 unchanged, 0 removed"
	run lookup blocklist $(hex_ip4 10.0.0.9) 00 00 00 00
	[ "$(jq -r .formatted.value.action <<<"$output")" = FW_ALLOW ]
	[ "$(jq .formatted.value.hits <<<"$output")" = 3 ]
	# a field that is given is written, zero included
	echo '{"key":{"src_ip":"10.0.0.9","dst_port":0,"protocol":0},"value":{"action":"allow","hits":0}}' >"$F"
	mapsh blocklist apply "$F"
	[ "$(lookup blocklist $(hex_ip4 10.0.0.9) 00 00 00 00 | jq .formatted.value.hits)" = 0 ]
}

@test "one bad entry writes nothing and names the entry: field, number, address, JSON, duplicate" {
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=allow
	mapsh blocklist add src_ip=10.0.0.4 dst_port=0 protocol=0 action=allow
	# entries 1 and 2 alone would change and add
	good=$(printf '%s,\n%s,\n' "$RULE_A" "$RULE_B")
	printf '[%s\n{"key":{"src_ip":"10.0.0.3","dst_port":1,"protocol":0},"value":{"acton":"drop"}}]\n' "$good" >"$F"
	apply_fails blocklist "$F" "rules.json:3: entry 3: value: acton: struct fw_verdict has no field 'acton'"
	printf '[%s\n{"key":{"src_ip":"10.0.0.3","dst_port":70000,"protocol":0},"value":{"action":"drop"}}]\n' "$good" >"$F"
	apply_fails blocklist "$F" "rules.json:3: entry 3: key: dst_port=70000: out of range for __u16 (0..65535)"
	printf '[%s\n{"key":{"src_ip":"10.0.0.300","dst_port":1,"protocol":0},"value":{"action":"drop"}}]\n' "$good" >"$F"
	apply_fails blocklist "$F" "rules.json:3: entry 3: key: src_ip=10.0.0.300: not an IPv4 address"
	printf '[%s\n{"key":{"src_ip":"10.0.0.3",, "dst_port":1}}]\n' "$good" >"$F"
	apply_fails blocklist "$F" "rules.json:3: entry 3: invalid JSON"
	printf '[%s\n{"key":{"src_ip":"10.0.0.3","dst_port":1,"protocol":0},"value":{"action":"drop"}}\n' "$good" >"$F"
	apply_fails blocklist "$F" "rules.json:4: the array is not closed"
	printf '[%s\n%s]\n' "$good" "$RULE_A" >"$F"
	apply_fails blocklist "$F" "rules.json:3: entry 3: key: the same key as entry 1"
	printf '[%s\n{"key":{"src_ip":"10.0.0.3","dst_port":1},"value":{"action":"drop"}}]\n' "$good" >"$F"
	apply_fails blocklist "$F" "entry 3: key: missing field 'protocol'"
	printf '[%s\n{"key":{"src_ip":"10.0.0.3","dst_port":1,"protocol":0},"value":{"action":"drop"},"extra":1}]\n' "$good" >"$F"
	apply_fails blocklist "$F" "entry 3: unknown member 'extra'"
	printf '[%s\n[1,2]]\n' "$good" >"$F"
	apply_fails blocklist "$F" "entry 3: expected an object"
	# JSON lines: the line is the entry's
	printf '%s\n\n%s\n{"key":{"src_ip":"10.0.0.3","dst_port":1,"protocol":0},"value":{"action":"dorp"}}\n' "$RULE_A" "$RULE_B" >"$F"
	apply_fails blocklist "$F" "rules.json:4: entry 3: value: action=dorp: enum fw_action has no value 'dorp'"
	: >"$F"
	apply_fails blocklist "$F" "rules.json: empty file"
	# other maps: an LPM prefix, an array index, a CPU
	mapsh blocked_prefixes update 10.0.0.0/8 action=drop
	echo '[{"key":"10.1.0.0/16","value":{"action":"drop"}},{"key":"10.2.0.0/33","value":{"action":"drop"}}]' >"$F"
	apply_fails blocked_prefixes "$F" "entry 2: key: 10.2.0.0/33"
	echo '[{"key":0,"value":{"sample_rate":3}},{"key":1,"value":{"sample_rate":3}}]' >"$F"
	apply_fails config "$F" "entry 2: key: no element 1 (config has 1 elements: 0..0)"
	mapsh proto_stats update udp packets=2
	echo '[{"key":"udp","value":{"packets":1}},{"key":"tcp","per_cpu":[{"cpu":4096,"value":{"packets":1}}]}]' >"$F"
	apply_fails proto_stats "$F" "entry 2: per_cpu[0]: cpu 4096 is not a CPU"
	run mapsh -j proto_stats save
	jq '.[0].value.packets += 1' <<<"$output" >"$F"
	apply_fails proto_stats "$F" "entry 1: value: is not the sum of per_cpu"
}

@test "--dry-run lists the changes and writes nothing" {
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=allow
	mapsh blocklist add src_ip=10.0.0.6 dst_port=0 protocol=0 action=drop
	printf '[%s,%s]\n' "$RULE_A" "$RULE_C" >"$F"
	before=$(dump_pinned blocklist)
	run mapsh blocklist apply "$F" --prune --dry-run
	assert_success
	assert_line --index 0 "change {src_ip=10.0.0.9 dst_port=0 protocol=0}: {action=FW_ALLOW hits=0} -> {action=FW_DROP hits=0}"
	assert_line --index 1 "remove {src_ip=10.0.0.6 dst_port=0 protocol=0}: was {action=FW_DROP hits=0}"
	assert_line --index 2 "add    {src_ip=10.0.0.7 dst_port=53 protocol=udp}: {action=FW_DROP hits=0}"
	assert_line --index 3 "blocklist: 1 added, 1 changed, 0 unchanged, 1 removed (dry run: nothing written)"
	[ "$(dump_pinned blocklist)" = "$before" ]
	run mapsh -j blocklist apply "$F" --prune -n
	assert_success
	[ "$(jq -c '[.added, .changed, .unchanged, .removed, .dry_run]' <<<"$output")" = '[1,1,0,1,true]' ]
	[ "$(jq -c '[.changes[].op]' <<<"$output")" = '["change","remove","add"]' ]
	[ "$(jq -r '.changes[0].old.action + " " + .changes[0].new.action' <<<"$output")" = "FW_ALLOW FW_DROP" ]
	[ "$(jq -c '.changes[1].new' <<<"$output")" = null ]
	[ "$(jq -c '.changes[2].old' <<<"$output")" = null ]
	[ "$(dump_pinned blocklist)" = "$before" ]
}

@test "LPM keys: CIDR strings, exact prefixes (not longest match)" {
	mapsh blocked_prefixes update 10.0.0.0/8 action=drop
	echo '[{"key":"10.1.0.0/16","value":{"action":"allow"}},{"key":{"prefixlen":8,"addr":"10.0.0.0"},"value":{"action":"drop"}}]' >"$F"
	run mapsh blocked_prefixes apply "$F"
	assert_success
	# 10.1.0.0/16 is inside 10.0.0.0/8 but is a new entry
	assert_output "blocked_prefixes: 1 added, 0 changed, 1 unchanged, 0 removed"
	[ "$(mapsh -j blocked_prefixes lookup 10.1.2.3 | jq -r .value.action)" = FW_ALLOW ]
	echo '[{"key":"10.1.0.0/16","value":{"action":"allow"}}]' >"$F"
	run mapsh blocked_prefixes apply "$F" --prune
	assert_output "blocked_prefixes: 0 added, 0 changed, 1 unchanged, 1 removed"
	[ "$(dump_pinned blocked_prefixes | jq -c '[.[].formatted.key.prefixlen]')" = '[16]' ]
}

@test "per-CPU maps: per_cpu restores each CPU, a value alone goes to every CPU" {
	ncpus=$(dump_pinned cpu_stats | jq '.[0].values | length')
	echo '[{"key":"tcp","per_cpu":[{"cpu":0,"value":{"packets":7,"bytes":70}}]}]' >"$F"
	run mapsh proto_stats apply "$F"
	assert_output "proto_stats: 1 added, 0 changed, 0 unchanged, 0 removed"
	run mapsh -j proto_stats lookup tcp
	[ "$(jq '.per_cpu[0].value.packets' <<<"$output")" = 7 ]
	[ "$(jq '.value.packets' <<<"$output")" = 7 ]
	echo '[{"key":"tcp","value":{"drops":1}}]' >"$F"
	run mapsh proto_stats apply "$F"
	assert_output "proto_stats: 0 added, 1 changed, 0 unchanged, 0 removed"
	run mapsh -j proto_stats lookup tcp
	[ "$(jq '.value.drops' <<<"$output")" = "$ncpus" ]
	[ "$(jq '.value.packets' <<<"$output")" = 7 ]
	# arrays: --prune zeroes the elements the file does not have
	mapsh iface_stats update 5 packets=3
	mapsh iface_stats update 7 packets=4
	echo '[{"key":7,"value":{"packets":4}}]' >"$F"
	run mapsh iface_stats apply "$F" --prune
	assert_output "iface_stats: 0 added, 0 changed, 1 unchanged, 1 removed"
	[ "$(lookup iface_stats $(hex_u32le 5) | jq .formatted.value.packets)" = 0 ]
	[ "$(lookup iface_stats $(hex_u32le 7) | jq .formatted.value.packets)" = 4 ]
}

# wait_lines FILE N: until FILE has N lines (5 s at most).
wait_lines() {
	for _ in $(seq 50); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 has $(wc -l <"$1") lines, expected $2: $(cat "$1")"
}

@test "--watch applies the file again when it is rewritten or replaced; SIGTERM exits 0" {
	echo '[]' >"$F"
	out="$BATS_TEST_TMPDIR/watch.out"
	err="$BATS_TEST_TMPDIR/watch.err"
	timeout 60 "$MAPSH" blocklist apply "$F" --watch --prune >"$out" 2>"$err" &
	WATCH_PID=$!
	wait_lines "$out" 1
	[[ "$(sed -n 1p "$out")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\ blocklist:\ 0\ added ]]
	# an editor that writes a new file and renames it over the old one
	printf '[%s,%s]\n' "$RULE_A" "$RULE_B" >"$F.tmp"
	mv "$F.tmp" "$F"
	wait_lines "$out" 2
	[[ "$(sed -n 2p "$out")" == *"blocklist: 2 added, 0 changed, 0 unchanged, 0 removed" ]]
	[ "$(dump_pinned blocklist | jq length)" = 2 ]
	# written in place
	printf '[%s]\n' "$RULE_C" >"$F"
	wait_lines "$out" 3
	[[ "$(sed -n 3p "$out")" == *"blocklist: 1 added, 0 changed, 0 unchanged, 2 removed" ]]
	[ "$(mapsh -j blocklist dump | jq -r '.[].key.src_ip')" = 10.0.0.7 ]
	# a bad file is reported, the map stays, the watch goes on
	before=$(dump_pinned blocklist)
	echo '[{"key":{"src_ip":"10.0.0.1","dst_port":1,"protocol":0},"value":{"action":"dorp"}}]' >"$F"
	wait_lines "$err" 1
	grep -q "rules.json:1: entry 1: value: action=dorp" "$err"
	[ "$(dump_pinned blocklist)" = "$before" ]
	kill -0 "$WATCH_PID"
	# other files of the directory do not count
	echo x >"$BATS_TEST_TMPDIR/other"
	sleep 0.3
	[ "$(wc -l <"$out")" = 3 ]
	kill -TERM "$WATCH_PID"
	rc=0
	wait "$WATCH_PID" || rc=$?
	WATCH_PID=
	[ "$rc" = 0 ] || fail "--watch exited $rc on SIGTERM"
}

@test "--watch -j: one JSON object per run" {
	printf '[%s]\n' "$RULE_A" >"$F"
	out="$BATS_TEST_TMPDIR/watch.out"
	timeout 60 "$MAPSH" -j blocklist apply "$F" --watch >"$out" 2>/dev/null &
	WATCH_PID=$!
	wait_lines "$out" 1
	printf '[%s,%s]\n' "$RULE_A" "$RULE_B" >"$F"
	wait_lines "$out" 2
	kill -INT "$WATCH_PID"
	rc=0
	wait "$WATCH_PID" || rc=$?
	WATCH_PID=
	[ "$rc" = 0 ]
	[ "$(jq -s -c 'map([.added, .unchanged])' "$out")" = '[[1,0],[1,1]]' ]
	jq -e -s 'all(.time | test("Z$"))' "$out"
}

@test "usage errors: no file, two files, --watch on stdin, an unreadable file" {
	run --separate-stderr mapsh blocklist apply
	assert_failure 2
	[[ "$stderr" == "mapsh: blocklist apply: no file given"* ]]
	run --separate-stderr mapsh blocklist apply a b
	assert_failure 2
	run --separate-stderr mapsh blocklist apply - --watch
	assert_failure 2
	run --separate-stderr mapsh blocklist apply "$BATS_TEST_TMPDIR/none.json"
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist apply: cannot read $BATS_TEST_TMPDIR/none.json: No such file or directory" ]
	run --separate-stderr mapsh blocklist save a b
	assert_failure 2
	# standard input
	run bash -c "echo '$RULE_A' | '$MAPSH' blocklist apply -"
	assert_success
	assert_output "blocklist: 1 added, 0 changed, 0 unchanged, 0 removed"
}

@test "valgrind: save and apply are clean" {
	command -v valgrind >/dev/null || skip "valgrind is not installed (make deps)"
	[ -z "${MAPSH_SANITIZED:-}" ] || skip "valgrind cannot run the sanitizer build"
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	mapsh blocklist add src_ip=10.0.0.6 dst_port=0 protocol=0 action=drop
	printf '[%s,\n%s,\n%s]\n' "$RULE_A" "$RULE_B" "$RULE_C" >"$F"
	run valgrind -q --leak-check=full --error-exitcode=9 "$MAPSH" blocklist apply "$F" --prune
	assert_success
	run valgrind -q --leak-check=full --error-exitcode=9 "$MAPSH" blocklist save "$BATS_TEST_TMPDIR/s.json"
	assert_success
	run valgrind -q --leak-check=full --error-exitcode=9 "$MAPSH" -j proto_stats apply "$F" --dry-run
	assert_failure 1	# fw_rule keys are not proto_stats keys
	[[ "$output" != *"definitely lost"* ]]
	printf '[%s,\n{"key": 1,, }]\n' "$RULE_A" >"$F"
	run valgrind -q --leak-check=full --error-exitcode=9 "$MAPSH" blocklist apply "$F"
	assert_failure 1
}
