#!/usr/bin/env bats
# Queues and stacks: push, pop, peek, drain on the bundled samples queue and
# recent_drops stack (filled by real traffic through the veth) and on
# foreign ones made with bpftool. Draining is lossless: what was not
# printed stays in the map.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
}
teardown() { teardown_common; }

# How many elements a queue or stack holds (emptying it with bpftool).
bpftool_pop_all() {
	local n=0
	while bpftool map pop pinned "$1" >/dev/null 2>&1; do
		n=$((n + 1))
	done
	echo "$n"
}

@test "samples drain: the sampled packets in FIFO order, typed" {
	mapsh config set sample_rate=1
	for i in 1 2 3 4; do
		send_pkts 1 -s 10.0.0.$i -d 10.0.0.2 -p udp --sport 100$i --dport 80 -c 1 --len $((100 + i))
	done
	run --separate-stderr mapsh -j samples drain
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	[ -z "$stderr" ]
	[ "$(jq -s -c 'map(.value.src_port)' <<<"$output")" = "[1001,1002,1003,1004]" ]
	[ "$(jq -s -c 'map(.value.len)' <<<"$output")" = "[101,102,103,104]" ]
	[ "$(jq -r .value.src_ip <<<"${lines[2]}")" = 10.0.0.3 ]
	[ "$(jq -r .value.dst_ip <<<"${lines[2]}")" = 10.0.0.2 ]
	[ "$(jq -r .value.protocol <<<"${lines[2]}")" = udp ]
	[ "$(jq .value.dst_port <<<"${lines[2]}")" = 80 ]
	[ "$(jq .value.ifindex <<<"${lines[2]}")" = "$HOST_IFINDEX1" ]
	[ "$(jq -r .value.reason <<<"${lines[2]}")" = DROP_REASON_NONE ]
	# drained: empty now, and draining an empty queue prints nothing
	[ "$(bpftool_pop_all "$MAPSH_PIN_DIR/samples")" = 0 ]
	run --separate-stderr mapsh samples drain
	assert_success
	assert_output ""
	[ -z "$stderr" ]
	# text: one line per element
	send_pkts 1 -s 10.0.0.8 -d 10.0.0.2 -p tcp --sport 4444 --dport 22 -c 1
	run mapsh samples drain
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "timestamp="*" ifindex=$HOST1 len="*" src_ip=10.0.0.8 dst_ip=10.0.0.2 reason=DROP_REASON_NONE src_port=4444 dst_port=22 protocol=tcp" ]]
}

@test "recent_drops drain: the dropped packets newest first (LIFO)" {
	mapsh blocklist add src_ip=10.0.0.66 dst_port=0 protocol=0 action=drop
	for p in 1 2 3; do
		send_pkts 1 -s 10.0.0.66 -d 10.0.0.2 -p udp --sport 7 --dport $p -c 1
	done
	run mapsh -j recent_drops drain
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq -s -c 'map(.value.dst_port)' <<<"$output")" = "[3,2,1]" ]
	[ "$(jq -s -c 'map(.value.reason) | unique' <<<"$output")" = '["DROP_REASON_BLOCKLIST"]' ]
	[ "$(jq -s -c 'map(.value.src_ip) | unique' <<<"$output")" = '["10.0.0.66"]' ]
	[ "$(bpftool_pop_all "$MAPSH_PIN_DIR/recent_drops")" = 0 ]
}

@test "pop and peek: typed; peek leaves the element, pop removes it; empty is an error" {
	mapsh config set sample_rate=1
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1001 --dport 80 -c 1
	send_pkts 1 -s 10.0.0.2 -d 10.0.0.2 -p udp --sport 1002 --dport 80 -c 1
	mapsh config set sample_rate=0
	run mapsh -j samples peek
	assert_success
	[ "$(jq .value.src_port <<<"$output")" = 1001 ]
	run mapsh samples peek
	assert_success
	[ "$(cut -f4 <<<"$output")" = 10.0.0.1 ]	# the columns of dump
	run mapsh -j samples pop
	[ "$(jq .value.src_port <<<"$output")" = 1001 ]
	run mapsh -j samples pop
	[ "$(jq .value.src_port <<<"$output")" = 1002 ]
	run --separate-stderr mapsh samples pop
	assert_failure 1
	[ "$stderr" = "mapsh: samples is empty" ]
	[ -z "$output" ]
	run --separate-stderr mapsh samples peek
	assert_failure 1
	[ "$stderr" = "mapsh: samples is empty" ]
}

@test "push/pop/peek round-trip typed values on a foreign queue and stack made by bpftool" {
	bpftool map create "$BPFFS/q" type queue key 0 value 8 entries 4 name q
	bpftool map create "$BPFFS/s" type stack key 0 value 8 entries 4 name s
	# no BTF: bytes as bpftool takes them, or --type from the kernel's BTF
	run mapsh pinned "$BPFFS/q" push hex 2a 00 00 00 00 00 00 00
	assert_success
	[ "$(bpftool -j map peek pinned "$BPFFS/q" | jq -c .value)" = '["0x2a","0x00","0x00","0x00","0x00","0x00","0x00","0x00"]' ]
	for v in 43 44 45; do
		mapsh pinned "$BPFFS/q" push --type __u64 $v
	done
	run --separate-stderr mapsh pinned "$BPFFS/q" push --type __u64 46
	assert_failure 1
	[ "$stderr" = "mapsh: q is full (4 elements; --exist drops the oldest to make room)" ]
	run mapsh pinned "$BPFFS/q" push --type __u64 --exist 46	# drops 42
	assert_success
	run mapsh -j pinned "$BPFFS/q" peek --type __u64
	assert_output '{"value":43}'
	run mapsh -j pinned "$BPFFS/q" pop
	assert_output '{"value":["0x2b","0x00","0x00","0x00","0x00","0x00","0x00","0x00"]}'
	run mapsh -j pinned "$BPFFS/q" drain --type __u64
	assert_success
	[ "$(jq -s -c 'map(.value)' <<<"$output")" = "[44,45,46]" ]
	# a stack gives them back in reverse
	for v in 1 2 3; do
		mapsh pinned "$BPFFS/s" push --type __s64 -$v
	done
	run mapsh pinned "$BPFFS/s" pop --type __s64
	[ "$output" = -3 ]
	run mapsh -j pinned "$BPFFS/s" drain --type __s64
	[ "$(jq -s -c 'map(.value)' <<<"$output")" = "[-2,-1]" ]
	# the bundled samples queue takes typed field=value words
	run mapsh samples push src_ip=10.9.8.7 dst_port=443 protocol=tcp len=60
	assert_success
	run mapsh -j samples pop
	[ "$(jq -c '.value | [.src_ip, .dst_port, .protocol, .len]' <<<"$output")" = '["10.9.8.7",443,"tcp",60]' ]
}

@test "a queue drained into head -n 2 keeps every element that was not printed" {
	mapsh config set sample_rate=1
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 2000 --dport 80 -c 20
	mapsh config set sample_rate=0
	run bash -c "nsenter --net=/run/netns/$NS '$MAPSH' -j samples drain | head -n 2"
	[ "${#lines[@]}" -eq 2 ]
	printed=${#lines[@]}
	run bash -c "nsenter --net=/run/netns/$NS '$MAPSH' samples drain --count 3 | head -n 1"
	[ "${#lines[@]}" -eq 1 ]
	printed=$((printed + 1))
	left=$(bpftool_pop_all "$MAPSH_PIN_DIR/samples")
	[ $((printed + left)) -eq 20 ] || fail "printed $printed, left $left of 20"
	# --count N takes exactly N
	mapsh config set sample_rate=1
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 2000 --dport 80 -c 5
	mapsh config set sample_rate=0
	run mapsh samples drain --count 2
	[ "${#lines[@]}" -eq 2 ]
	[ "$(bpftool_pop_all "$MAPSH_PIN_DIR/samples")" = 3 ]
}

@test "bad input on queues and stacks is refused with one line and changes nothing" {
	mapsh samples push src_ip=10.1.1.1 len=1
	before=$(bpftool -j map peek pinned "$MAPSH_PIN_DIR/samples")
	for args in "flows push 1" "flows pop" "samples push srcip=1" "samples push" \
		    "samples drain --type nosuch" "samples drain --type flow_event" \
		    "samples pop extra" "samples drain --count x" "samples drain --pages 4" \
		    "samples follow" "events peek"; do
		run --separate-stderr mapsh $args
		[ "$status" -eq 2 ] || fail "mapsh $args: exit $status ($stderr)"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "mapsh $args: $stderr"
		[[ "$stderr" == "mapsh: "* ]] || fail "mapsh $args: $stderr"
		[ -z "$output" ] || fail "mapsh $args printed $output"
	done
	run --separate-stderr mapsh flows push 1
	[[ "$stderr" == "mapsh: flows (lru_hash): 'push' does not apply (verbs for lru_hash maps: dump, lookup, "* ]]
	run --separate-stderr mapsh samples push srcip=1
	[ "$stderr" = "mapsh: samples push: srcip=1: struct pkt_sample has no field 'srcip' (did you mean 'src_ip'?)" ]
	run --separate-stderr mapsh samples drain --type flow_event
	[ "$stderr" = "mapsh: samples drain: struct flow_event is 72 bytes; samples holds 40-byte values" ]
	[ "$(bpftool -j map peek pinned "$MAPSH_PIN_DIR/samples")" = "$before" ]
	[ "$(bpftool_pop_all "$MAPSH_PIN_DIR/samples")" = 1 ]
}
