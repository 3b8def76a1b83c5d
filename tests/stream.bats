#!/usr/bin/env bats
# drain and follow on ring buffers (the bundled events ring, fed by real
# traffic through the veth) and perf event arrays (tests/tools/perf_emit,
# run with BPF_PROG_TEST_RUN by tests/tools/perf_run).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
}
teardown() { teardown_common; }

# Three new flows: three new-flow events in the ring.
three_flows() {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 2
	send_pkts 1 -s 10.0.0.3 -d 10.0.0.2 -p tcp --sport 4000 --dport 443 -c 1 --tcp-flags SYN
	send_pkts 1 -s 10.0.0.4 -d 10.0.0.9 -p udp --sport 53 --dport 5353 -c 3
}

@test "events drain -j decodes the new-flow events: addresses, ports, protocol, interface" {
	three_flows
	run --separate-stderr mapsh -j events drain
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	[ -z "$stderr" ]
	# one JSON object per line, the record's own fields
	[ "$(jq -c '[.src_ip, .dst_ip, .src_port, .dst_port, .protocol]' <<<"${lines[0]}")" = '["10.0.0.1","10.0.0.2",5555,80,"udp"]' ]
	[ "$(jq -c '[.src_ip, .dst_ip, .src_port, .dst_port, .protocol]' <<<"${lines[1]}")" = '["10.0.0.3","10.0.0.2",4000,443,"tcp"]' ]
	[ "$(jq -c '[.src_ip, .dst_ip, .src_port, .dst_port, .protocol]' <<<"${lines[2]}")" = '["10.0.0.4","10.0.0.9",53,5353,"udp"]' ]
	for l in "${lines[@]}"; do
		[ "$(jq -r .type <<<"$l")" = EVENT_TYPE_NEW_FLOW ]
		[ "$(jq .ifindex <<<"$l")" = "$HOST_IFINDEX1" ]
		[ "$(jq .ip_version <<<"$l")" = 4 ]
		[ "$(jq '.timestamp > 0' <<<"$l")" = true ]
	done
	# consumed: a second drain prints nothing
	run mapsh -j events drain
	assert_success
	assert_output ""
	# --jsonl and -p give objects per record too, never one array
	send_pkts 1 -s 10.0.0.5 -d 10.0.0.2 -p udp -c 1
	run mapsh -p events drain
	assert_success
	[ "$(jq -s 'length' <<<"$output")" = 1 ]
	[ "$(jq -r .src_ip <<<"$output")" = 10.0.0.5 ]
}

@test "text drain: one typed line per record; --timestamp adds the receive time" {
	three_flows
	run mapsh events drain --count 1
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "timestamp="*" ifindex=$HOST1 type=EVENT_TYPE_NEW_FLOW reason=DROP_REASON_NONE src_ip=10.0.0.1 dst_ip=10.0.0.2 "*"src_port=5555 dst_port=80 protocol=udp ip_version=4" ]]
	# the ktime field is a wall-clock time in text
	[[ "$output" =~ ^timestamp=20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T ]]
	run mapsh events drain --timestamp --count 1
	assert_success
	[[ "$output" =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]+Z\ timestamp= ]]
	[[ "$output" == *"src_ip=10.0.0.3 "* ]]
	run mapsh -j events drain --timestamp
	assert_success
	[[ "$(jq -r .received <<<"$output")" =~ ^20[0-9][0-9]-.*Z$ ]]
	[ "$(jq -r 'keys_unsorted[0]' <<<"$output")" = received ]
	[ "$(jq -r .src_ip <<<"$output")" = 10.0.0.4 ]
}

@test "follow --count 3 returns after 3 records and leaves the others in the ring" {
	three_flows
	send_pkts 1 -s 10.0.0.6 -d 10.0.0.2 -p udp -c 1
	send_pkts 1 -s 10.0.0.7 -d 10.0.0.2 -p udp -c 1
	run timeout 10 "$MAPSH" -j events follow --count 3
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq -r .src_ip <<<"${lines[2]}")" = 10.0.0.4 ]
	run mapsh -j events drain
	[ "$(jq -r .src_ip <<<"$output" | tr '\n' ' ')" = "10.0.0.6 10.0.0.7 " ]
	# live: follow waits for records that arrive later
	timeout 10 "$MAPSH" -j events follow --count 2 >"$BATS_TEST_TMPDIR/live" 2>&1 &
	local pid=$!
	sleep 0.3
	send_pkts 1 -s 10.0.1.1 -d 10.0.0.2 -p udp -c 1
	send_pkts 1 -s 10.0.1.2 -d 10.0.0.2 -p udp -c 1
	wait "$pid"
	[ "$(jq -r .src_ip "$BATS_TEST_TMPDIR/live" | tr '\n' ' ')" = "10.0.1.1 10.0.1.2 " ]
}

@test "follow stops on SIGTERM and --timeout with exit 0 and everything flushed" {
	(sleep 0.3; send_pkts 1 -s 10.0.2.1 -d 10.0.0.2 -p udp -c 1) &
	run --separate-stderr timeout --preserve-status -s TERM 1 "$MAPSH" -j events follow
	wait
	assert_success
	[ "$(jq -r .src_ip <<<"$output")" = 10.0.2.1 ]
	[ -z "$stderr" ]
	(sleep 0.2; send_pkts 1 -s 10.0.2.2 -d 10.0.0.2 -p udp -c 1) &
	SECONDS=0
	run mapsh events follow --timeout 0.8
	wait
	assert_success
	[ "$SECONDS" -lt 3 ]
	[[ "$output" == *"src_ip=10.0.2.2 "* ]]
}

@test "--type: records decoded as a named type; unknown types refused; other sizes shown as bytes" {
	three_flows
	run --separate-stderr mapsh events drain --type nosuch
	assert_failure 2
	[ "$stderr" = "mapsh: events drain: no type 'nosuch' in the BTF of events or of the kernel" ]
	[ -z "$output" ]
	run mapsh -j events drain --type 'struct flow_event' --count 1
	assert_success
	[ "$(jq -r .src_ip <<<"$output")" = 10.0.0.1 ]
	# a type of another size: the record as bytes, one warning
	run --separate-stderr mapsh -j events drain --type pkt_sample --count 1
	assert_success
	[ "$stderr" = "mapsh: events: a record of 72 bytes is not a struct pkt_sample (40 bytes): shown as bytes" ]
	[ "$(jq '.data | length' <<<"$output")" = 72 ]
	[ "$(jq -r '.data[20:24] | join(" ")' <<<"$output")" = "0x0a 0x00 0x00 0x03" ]	# src_ip 10.0.0.3
	run mapsh events drain
	[ "${#lines[@]}" -eq 1 ]
}

@test "bad input on streams is refused with one line and consumes nothing" {
	three_flows
	for args in "events pop" "events push 1" "events drain extra" "events drain --pages 2" \
		    "events follow --timeout x" "events follow --count 0" "flows drain" "flows follow"; do
		run --separate-stderr mapsh $args
		[ "$status" -eq 2 ] || fail "mapsh $args: exit $status"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "mapsh $args: $stderr"
		[[ "$stderr" == "mapsh: "* ]] || fail "mapsh $args: $stderr"
		[ -z "$output" ] || fail "mapsh $args printed $output"
	done
	run --separate-stderr mapsh events pop
	[[ "$stderr" == "mapsh: events (ringbuf): 'pop' does not apply (verbs for ringbuf maps: "*"drain, follow)" ]]
	run mapsh events drain
	[ "${#lines[@]}" -eq 3 ]
}

# ---- perf event arrays ----

# Load perf_emit with its maps pinned under $BPFFS/perf.
perf_setup() {
	bpftool prog load "$TOP/build/perf_emit.bpf.o" "$BPFFS/perf_emit" type xdp \
		pinmaps "$BPFFS/perf"
	PERF="$BPFFS/perf/perf_events"
}
# perf_stat[i]: 0 written, 1 no reader, 2 buffer full
perf_stat() {
	bpftool -j map lookup pinned "$BPFFS/perf/perf_stat" key $1 0 0 0 | jq .formatted.value
}

@test "perf event array: drain reads every record typed (mapsh:record= tag), none lost" {
	perf_setup
	"$MAPSH" -j pinned "$PERF" drain >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	"$TOP/build/perf_run" "$BPFFS/perf_emit" 10
	wait "$pid"
	[ ! -s "$BATS_TEST_TMPDIR/err" ] || fail "$(cat "$BATS_TEST_TMPDIR/err")"
	[ "$(perf_stat 0)" = 10 ]
	run cat "$BATS_TEST_TMPDIR/out"
	[ "${#lines[@]}" -eq 10 ]
	refute_output --partial lost
	[ "$(jq -s -c 'map(.seq)' <<<"$output")" = "[0,1,2,3,4,5,6,7,8,9]" ]
	[ "$(jq -r .addr <<<"${lines[7]}")" = 10.0.0.7 ]
	[ "$(jq .port <<<"${lines[7]}")" = 1007 ]
	# follow --count stops after that many
	"$MAPSH" pinned "$PERF" follow --count 3 >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	"$TOP/build/perf_run" "$BPFFS/perf_emit" 3
	wait "$pid"
	run cat "$BATS_TEST_TMPDIR/out"
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == "seq=10 cpu="*" addr=10.0.0.10 port=1010" ]]
}

@test "perf event array: lost samples are reported per CPU, and add up" {
	perf_setup
	"$MAPSH" -j pinned "$PERF" follow --pages 1 >"$BATS_TEST_TMPDIR/out" &
	local pid=$! written full printed lost
	# all on CPU 0: a buffer reports what it lost with its next record
	taskset -c 0 "$TOP/build/perf_run" "$BPFFS/perf_emit" 2	# the reader is there
	kill -STOP "$pid"
	taskset -c 0 "$TOP/build/perf_run" --burst "$BPFFS/perf_emit" 2000
	kill -CONT "$pid"
	taskset -c 0 "$TOP/build/perf_run" "$BPFFS/perf_emit" 2
	written=$(perf_stat 0)
	for _ in $(seq 100); do
		[ "$(grep -c seq "$BATS_TEST_TMPDIR/out")" -ge "$written" ] && break
		sleep 0.1
	done
	kill -TERM "$pid"
	wait "$pid"
	full=$(perf_stat 2)
	printed=$(jq -s 'map(select(.seq != null)) | length' "$BATS_TEST_TMPDIR/out")
	lost=$(jq -s 'map(.lost // 0) | add' "$BATS_TEST_TMPDIR/out")
	# a one-page buffer cannot take 2000 records while its reader sleeps
	[ "$full" -gt 0 ]
	[ "$printed" -eq "$written" ] || fail "printed $printed, written $written"
	[ "$lost" -eq "$full" ] || fail "reported lost $lost, refused $full"
	[ "$(jq -s -c 'map(select(.lost)) | .[0]' "$BATS_TEST_TMPDIR/out")" = "{\"lost\":$full,\"cpu\":0}" ]
	[ "$(jq -s -c 'map(.seq // empty) == [range(0; '"$written"')]' "$BATS_TEST_TMPDIR/out")" = true ]
	# text: "lost N samples on CPU C"
	"$MAPSH" pinned "$PERF" follow --pages 1 >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	taskset -c 0 "$TOP/build/perf_run" "$BPFFS/perf_emit" 2
	kill -STOP "$pid"
	taskset -c 0 "$TOP/build/perf_run" --burst "$BPFFS/perf_emit" 2000
	kill -CONT "$pid"
	taskset -c 0 "$TOP/build/perf_run" "$BPFFS/perf_emit" 2
	for _ in $(seq 100); do
		grep -q '^lost' "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	kill -TERM "$pid"
	wait "$pid"
	grep -Eq '^lost [0-9]+ samples on CPU 0$' "$BATS_TEST_TMPDIR/out"
}
