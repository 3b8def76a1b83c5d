#!/usr/bin/env bats
# drain and follow on ring buffers (the bundled events ring, fed by real
# traffic through the veth) and perf event arrays (tests/tools/perf_emit,
# run with BPF_PROG_TEST_RUN by tests/tools/perf_run).

load helpers
load sys_lib
bats_require_minimum_version 1.5.0

setup() {
	sys_setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
}
# every background reader ends here, also when the test failed
teardown() { sys_teardown; }

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
	[ "$(jq -c '[.value.src_ip, .value.dst_ip, .value.src_port, .value.dst_port, .value.protocol]' <<<"${lines[0]}")" = '["10.0.0.1","10.0.0.2",5555,80,"udp"]' ]
	[ "$(jq -c '[.value.src_ip, .value.dst_ip, .value.src_port, .value.dst_port, .value.protocol]' <<<"${lines[1]}")" = '["10.0.0.3","10.0.0.2",4000,443,"tcp"]' ]
	[ "$(jq -c '[.value.src_ip, .value.dst_ip, .value.src_port, .value.dst_port, .value.protocol]' <<<"${lines[2]}")" = '["10.0.0.4","10.0.0.9",53,5353,"udp"]' ]
	for l in "${lines[@]}"; do
		[ "$(jq -c '[.value.type, .value.reason, .value.ifindex, .value.ip_version, .value.timestamp > 0]' <<<"$l")" = \
		  "[\"EVENT_TYPE_NEW_FLOW\",\"DROP_REASON_NONE\",$HOST_IFINDEX1,4,true]" ] || fail "$l"
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
	[ "$(jq -r .value.src_ip <<<"$output")" = 10.0.0.5 ]
	send_pkts 1 -s 10.0.0.6 -d 10.0.0.2 -p udp -c 1
	send_pkts 1 -s 10.0.0.7 -d 10.0.0.2 -p udp -c 1
	run mapsh --jsonl events drain
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r .value.src_ip <<<"${lines[0]}")" = 10.0.0.6 ]
	[ "$(jq -r .value.src_ip <<<"${lines[1]}")" = 10.0.0.7 ]
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
	[ "$(jq -r .value.src_ip <<<"$output")" = 10.0.0.4 ]
}

@test "follow --count 3 returns after 3 records and leaves the others in the ring" {
	three_flows
	send_pkts 1 -s 10.0.0.6 -d 10.0.0.2 -p udp -c 1
	send_pkts 1 -s 10.0.0.7 -d 10.0.0.2 -p udp -c 1
	run timeout 10 "$MAPSH" -j events follow --count 3
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq -r .value.src_ip <<<"${lines[2]}")" = 10.0.0.4 ]
	run mapsh -j events drain
	assert_success
	[ "$(jq -r .value.src_ip <<<"$output" | tr '\n' ' ')" = "10.0.0.6 10.0.0.7 " ]
	# live: follow waits for records that arrive later
	bg "$MAPSH" -j events follow --count 2 >"$BATS_TEST_TMPDIR/live" 2>&1
	local pid=$BG_PID
	wait_stream_ready "$(bg_child "$pid")"
	[ ! -s "$BATS_TEST_TMPDIR/live" ]
	send_pkts 1 -s 10.0.1.1 -d 10.0.0.2 -p udp -c 1
	send_pkts 1 -s 10.0.1.2 -d 10.0.0.2 -p udp -c 1
	bg_wait "$pid"
	[ "$(jq -r .value.src_ip "$BATS_TEST_TMPDIR/live" | tr '\n' ' ')" = "10.0.1.1 10.0.1.2 " ]
}

@test "follow stops on SIGTERM and --timeout with exit 0 and everything flushed" {
	bg "$MAPSH" -j events follow >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	local pid=$BG_PID child rc=0
	child=$(bg_child "$pid")
	wait_stream_ready "$child"
	send_pkts 1 -s 10.0.2.1 -d 10.0.0.2 -p udp -c 1
	# the record is out (follow writes each batch as it comes), then TERM
	wait_for "the record on follow's output" grep -q 10.0.2.1 "$BATS_TEST_TMPDIR/out"
	kill -TERM "$child"
	bg_wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "follow exited $rc on SIGTERM"
	[ "$(jq -r .value.src_ip "$BATS_TEST_TMPDIR/out")" = 10.0.2.1 ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ] || fail "$(cat "$BATS_TEST_TMPDIR/err")"
	# --timeout: what is in the ring, then it waits out the time and ends
	send_pkts 1 -s 10.0.2.2 -d 10.0.0.2 -p udp -c 1
	start=$(date +%s%N)
	run --separate-stderr timeout 10 "$MAPSH" events follow --timeout 0.8
	end=$(date +%s%N)
	assert_success
	[ -z "$stderr" ]
	[ $(( (end - start) / 1000000 )) -ge 800 ] || fail "returned after $(( (end - start) / 1000000 )) ms"
	[ $(( (end - start) / 1000000 )) -lt 3000 ] || fail "returned after $(( (end - start) / 1000000 )) ms"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *" src_ip=10.0.2.2 "* ]]
}

@test "--type: records decoded as a named type; unknown types refused; other sizes shown as bytes" {
	three_flows
	run --separate-stderr mapsh events drain --type nosuch
	assert_failure 2
	[ "$stderr" = "mapsh: events drain: no type 'nosuch' in the BTF of events or of the kernel" ]
	[ -z "$output" ]
	run mapsh -j events drain --type 'struct flow_event' --count 1
	assert_success
	[ "$(jq -r .value.src_ip <<<"$output")" = 10.0.0.1 ]
	# a type of another size: the record as bytes, one warning
	run --separate-stderr mapsh -j events drain --type pkt_sample --count 1
	assert_success
	[ "$stderr" = "mapsh: events: a record of 72 bytes is not a struct pkt_sample (40 bytes): shown as bytes" ]
	[ "$(jq '.value | length' <<<"$output")" = 72 ]
	[ "$(jq -r '.value[20:24] | join(" ")' <<<"$output")" = "0x0a 0x00 0x00 0x03" ]	# src_ip 10.0.0.3
	run mapsh events drain
	assert_success
	[ "${#lines[@]}" -eq 1 ]
}

@test "follow --type: records that arrive are decoded as that type, or shown as bytes" {
	bg "$MAPSH" -j events follow --type 'struct flow_event' --count 1 >"$BATS_TEST_TMPDIR/typed" 2>&1
	local pid=$BG_PID
	wait_stream_ready "$(bg_child "$pid")"
	send_pkts 1 -s 10.0.3.1 -d 10.0.0.2 -p tcp --sport 1000 --dport 22 -c 1 --tcp-flags SYN
	bg_wait "$pid"
	[ "$(jq -c '[.value.type, .value.src_ip, .value.dst_ip, .value.src_port, .value.dst_port, .value.protocol]' "$BATS_TEST_TMPDIR/typed")" = \
	  '["EVENT_TYPE_NEW_FLOW","10.0.3.1","10.0.0.2",1000,22,"tcp"]' ]
	# a type of another size: bytes, one warning, in text too
	bg "$MAPSH" events follow --type pkt_sample --count 1 >"$BATS_TEST_TMPDIR/bytes" 2>"$BATS_TEST_TMPDIR/err"
	pid=$BG_PID
	wait_stream_ready "$(bg_child "$pid")"
	send_pkts 1 -s 10.0.3.2 -d 10.0.0.2 -p udp -c 1
	bg_wait "$pid"
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "mapsh: events: a record of 72 bytes is not a struct pkt_sample (40 bytes): shown as bytes" ]
	run cat "$BATS_TEST_TMPDIR/bytes"
	[ "${#lines[@]}" -eq 1 ]
	# bytes 20..23: src_ip 10.0.3.2
	[[ "$output" == *"0a 00 03 02"* ]] || fail "$output"
	# an unknown type is refused before anything is read
	send_pkts 1 -s 10.0.3.3 -d 10.0.0.2 -p udp -c 1
	run --separate-stderr timeout 10 "$MAPSH" events follow --type nosuch --count 1
	assert_failure 2
	[ "$stderr" = "mapsh: events follow: no type 'nosuch' in the BTF of events or of the kernel" ]
	run mapsh -j events drain
	assert_success
	[ "$(jq -r .value.src_ip <<<"$output")" = 10.0.3.3 ]
}

@test "a full events ring loses the drop events that do not fit; counters still count; drained, it takes records again" {
	mapsh blocklist add src_ip=10.0.9.9 dst_port=0 protocol=0 action=drop
	# a record takes its 72 bytes and an 8-byte header: the ring holds
	# max_entries / 80 of them
	size=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/events" | jq .max_entries)
	fits=$(( size / 80 ))
	[ "$fits" -eq 3276 ]
	send_pkts 1 -s 10.0.9.9 -d 10.0.0.2 -p udp -c $(( fits + 500 ))
	[ "$(lookup iface_stats $(hex_u32le "$HOST_IFINDEX1") | jq .formatted.value.drops)" = $(( fits + 500 )) ]
	run mapsh -j events drain
	assert_success
	[ "${#lines[@]}" -eq "$fits" ]
	[ "$(jq -r '"\(.value.type) \(.value.reason) \(.value.src_ip)"' <<<"$output" | sort | uniq -c | awk '{ print $1, $2, $3, $4 }')" = \
	  "$fits EVENT_TYPE_DROP DROP_REASON_BLOCKLIST 10.0.9.9" ]
	# recent_drops keeps the newest 256 (a full stack drops its oldest)
	[ "$(mapsh recent_drops drain | wc -l)" -eq 256 ]
	# room again: the next event is there
	send_pkts 1 -s 10.0.9.8 -d 10.0.0.2 -p udp -c 1
	run mapsh -j events drain
	assert_success
	[ "$(jq -c '[.value.type, .value.src_ip]' <<<"$output")" = '["EVENT_TYPE_NEW_FLOW","10.0.9.8"]' ]
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
	# the writer first: it retries until a reader has attached its buffers,
	# then writes at once, well within drain's 200 ms of quiet
	bg "$TOP/build/perf_run" "$BPFFS/perf_emit" 10
	local writer=$BG_PID
	timeout 20 "$MAPSH" -j pinned "$PERF" drain >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	bg_wait "$writer"
	[ ! -s "$BATS_TEST_TMPDIR/err" ] || fail "$(cat "$BATS_TEST_TMPDIR/err")"
	[ "$(perf_stat 0)" = 10 ]
	run cat "$BATS_TEST_TMPDIR/out"
	[ "${#lines[@]}" -eq 10 ]
	refute_output --partial lost
	[ "$(jq -s -c 'map(.value.seq)' <<<"$output")" = "[0,1,2,3,4,5,6,7,8,9]" ]
	[ "$(jq -r .value.addr <<<"${lines[7]}")" = 10.0.0.7 ]
	[ "$(jq .value.port <<<"${lines[7]}")" = 1007 ]
	# each record says the CPU whose buffer held it: the one it ran on
	[ "$(jq -s -c 'map(.on_cpu == .value.cpu and (.on_cpu | type) == "number") | unique' <<<"$output")" = "[true]" ]
	# follow --count stops after that many
	bg "$TOP/build/perf_run" "$BPFFS/perf_emit" 3
	writer=$BG_PID
	timeout 20 "$MAPSH" pinned "$PERF" follow --count 3 >"$BATS_TEST_TMPDIR/out"
	bg_wait "$writer"
	run cat "$BATS_TEST_TMPDIR/out"
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" =~ ^on_cpu=([0-9]+)\ seq=10\ cpu=([0-9]+)\ addr=10.0.0.10\ port=1010$ ]] || fail "${lines[0]}"
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}

@test "perf event array: lost samples are reported per CPU, and add up" {
	perf_setup
	bg "$MAPSH" -j pinned "$PERF" follow --pages 1 >"$BATS_TEST_TMPDIR/out"
	local pid=$BG_PID child cpu written full printed lost
	child=$(bg_child "$pid")
	wait_perf_ready "$child"
	# all on one CPU: a buffer reports what it lost with its next record
	cpu=$(allowed_cpus | head -n 1)
	taskset -c "$cpu" "$TOP/build/perf_run" "$BPFFS/perf_emit" 2	# the reader is there
	kill -STOP "$child"
	taskset -c "$cpu" "$TOP/build/perf_run" --burst "$BPFFS/perf_emit" 2000
	kill -CONT "$child"
	taskset -c "$cpu" "$TOP/build/perf_run" "$BPFFS/perf_emit" 2
	written=$(perf_stat 0)
	all_out() { [ "$(grep -c seq "$BATS_TEST_TMPDIR/out")" -ge "$written" ]; }
	wait_for "the $written records written on follow's output" all_out
	kill -TERM "$child"
	bg_wait "$pid"
	full=$(perf_stat 2)
	printed=$(jq -s 'map(select(.value.seq != null)) | length' "$BATS_TEST_TMPDIR/out")
	lost=$(jq -s 'map(.lost // 0) | add' "$BATS_TEST_TMPDIR/out")
	# a one-page buffer cannot take 2000 records while its reader sleeps
	[ "$full" -gt 0 ]
	[ "$printed" -eq "$written" ] || fail "printed $printed, written $written"
	[ "$lost" -eq "$full" ] || fail "reported lost $lost, refused $full"
	[ "$(jq -s -c 'map(select(.lost)) | .[0]' "$BATS_TEST_TMPDIR/out")" = "{\"lost\":$full,\"cpu\":$cpu}" ]
	[ "$(jq -s -c 'map(.value.seq // empty) == [range(0; '"$written"')]' "$BATS_TEST_TMPDIR/out")" = true ]
	# text: "lost N samples on CPU C"
	bg "$MAPSH" pinned "$PERF" follow --pages 1 >"$BATS_TEST_TMPDIR/out"
	pid=$BG_PID
	child=$(bg_child "$pid")
	wait_perf_ready "$child"
	taskset -c "$cpu" "$TOP/build/perf_run" "$BPFFS/perf_emit" 2
	kill -STOP "$child"
	taskset -c "$cpu" "$TOP/build/perf_run" --burst "$BPFFS/perf_emit" 2000
	kill -CONT "$child"
	taskset -c "$cpu" "$TOP/build/perf_run" "$BPFFS/perf_emit" 2
	wait_for "a lost line" grep -q '^lost' "$BATS_TEST_TMPDIR/out"
	kill -TERM "$child"
	bg_wait "$pid"
	grep -Eq "^lost [0-9]+ samples on CPU $cpu\$" "$BATS_TEST_TMPDIR/out"
}
