#!/usr/bin/env bats
# Real traffic through a veth: frames made by pktgen in the test's namespace
# hit flowtrack (XDP) and policy (tc) on the other end; the kernel maps are
# read back with bpftool, independently of mapsh's own readers.

load helpers

setup() {
	setup_bpffs
	setup_net 2
	mapsh load --iface "$HOST1"
}
teardown() { teardown_common; }

@test "a UDP flow is counted exactly, with bytes and timestamps" {
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5555 --dport 80 -c 7 --len 100
	run lookup flows $(flow_key_hex 10.1.1.1 10.1.1.2 5555 80 udp)
	assert_success
	[ "$(jq .formatted.value.packets <<<"$output")" = 7 ]
	[ "$(jq .formatted.value.bytes <<<"$output")" = 700 ]
	first=$(jq .formatted.value.first_seen <<<"$output")
	last=$(jq .formatted.value.last_seen <<<"$output")
	[ "$first" -gt 0 ] && [ "$last" -ge "$first" ]
}

@test "a TCP flow records the flags it has seen" {
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p tcp --sport 4000 --dport 443 -c 2 --tcp-flags SYN
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p tcp --sport 4000 --dport 443 -c 3 --tcp-flags ACK,PSH
	run lookup flows $(flow_key_hex 10.1.1.1 10.1.1.2 4000 443 tcp)
	assert_success
	[ "$(jq .formatted.value.packets <<<"$output")" = 5 ]
	# SYN 0x02 | PSH 0x08 | ACK 0x10
	[ "$(jq .formatted.value.tcp_flags <<<"$output")" = 26 ]
}

@test "an IPv6 flow lands in flows6" {
	send_pkts 1 -s fd00::1 -d fd00::2 -p udp --sport 7000 --dport 443 -c 4
	run bpftool -j map dump pinned "$MAPSH_PIN_DIR/flows6"
	assert_success
	[ "$(jq 'length' <<<"$output")" = 1 ]
	[ "$(jq '.[0].formatted.value.packets' <<<"$output")" = 4 ]
}

@test "iface_stats counts the packets of the attached interface" {
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 5 --len 64
	send_pkts 1 -s 10.1.1.3 -d 10.1.1.2 -p tcp -c 6 --len 80
	run lookup iface_stats $(hex_u32le "$HOST_IFINDEX1")
	assert_success
	[ "$(jq .formatted.value.packets <<<"$output")" = 11 ]
	[ "$(jq .formatted.value.bytes <<<"$output")" = $(( 5 * 64 + 6 * 80 )) ]
	[ "$(jq .formatted.value.drops <<<"$output")" = 0 ]
}

@test "per-CPU counters summed over CPUs equal what was sent" {
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 9
	run lookup cpu_stats 00 00 00 00
	assert_success
	[ "$(jq '[.formatted.values[].value.packets] | add' <<<"$output")" = 9 ]
	run lookup proto_stats 11
	assert_success
	[ "$(jq '[.formatted.values[].value.packets] | add' <<<"$output")" = 9 ]
}

@test "a new flow produces a ring buffer record with its addresses" {
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5555 --dport 80 -c 3
	run "$TOP/build/ringbuf_read" "$MAPSH_PIN_DIR/events"
	assert_success
	# One record for the one new flow (not one per packet).
	[ "${#lines[@]}" -eq 1 ]
	# struct flow_event: timestamp(8) ifindex(4) type(4)=1 reason(4)=0
	# src_ip dst_ip ... : the addresses appear in network order.
	rec=${lines[0]}
	[ "${rec:24:8}" = "01000000" ]
	[[ "$rec" == *0a0101010a010102* ]]
}

@test "a blocklist rule drops matching packets and counts its hits" {
	bpftool map update pinned "$MAPSH_PIN_DIR/blocklist" \
		key hex $(hex_ip4 10.1.1.9) 00 00 00 00 value hex 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	send_pkts 1 -s 10.1.1.9 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 3
	send_pkts 1 -s 10.1.1.8 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 2
	run lookup blocklist $(hex_ip4 10.1.1.9) 00 00 00 00
	[ "$(jq .formatted.value.hits <<<"$output")" = 3 ]
	run lookup iface_stats $(hex_u32le "$HOST_IFINDEX1")
	[ "$(jq .formatted.value.drops <<<"$output")" = 3 ]
	[ "$(flow_packets 10.1.1.8 10.1.1.2 1 2 udp)" = 2 ]
	run lookup flows $(flow_key_hex 10.1.1.9 10.1.1.2 1 2 udp)
	assert_failure
	# the drop is on the recent_drops stack, newest on top
	run bpftool -j map peek pinned "$MAPSH_PIN_DIR/recent_drops"
	assert_success
}

@test "config.enabled = 0 stops counting" {
	bpftool map update pinned "$MAPSH_PIN_DIR/config" \
		key hex 00 00 00 00 value hex 00 00 00 00 00 00 00 00 00 00 00 00 03 00 00 00
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 4
	run bpftool -j map dump pinned "$MAPSH_PIN_DIR/flows"
	[ "$(jq length <<<"$output")" = 0 ]
	run lookup iface_stats $(hex_u32le "$HOST_IFINDEX1")
	[ "$(jq .formatted.value.packets <<<"$output")" = 0 ]
}

@test "a policy route redirects a source's packets to the second interface" {
	# Route 10.1.1.5 out of h2 towards next hop 10.9.9.2 (p2's address).
	in_ns ip neigh replace 10.9.9.2 lladdr "$PEER_MAC2" dev "$HOST2" nud permanent
	bpftool map update pinned "$MAPSH_PIN_DIR/policy_routes" \
		key hex $(hex_ip4 10.1.1.5) value hex $(hex_u32le "$HOST_IFINDEX2") $(hex_ip4 10.9.9.2)
	rx_before=$(ip -n "$NS" -j -s link show "$PEER2" | jq '.[0].stats64.rx.packets')
	send_pkts 1 -s 10.1.1.5 -d 10.1.1.2 -p udp --sport 9 --dport 9 -c 4
	send_pkts 1 -s 10.1.1.6 -d 10.1.1.2 -p udp --sport 9 --dport 9 -c 2
	rx_after=$(ip -n "$NS" -j -s link show "$PEER2" | jq '.[0].stats64.rx.packets')
	[ $(( rx_after - rx_before )) -eq 4 ] || fail "p2 received $(( rx_after - rx_before )) packets, expected 4"
	run lookup redirect_stats $(hex_u32le "$HOST_IFINDEX2")
	assert_success
	[ "$(jq .formatted.value.packets <<<"$output")" = 4 ]
}

@test "samples get 1-in-N packets when sample_rate is set" {
	bpftool map update pinned "$MAPSH_PIN_DIR/config" \
		key hex 00 00 00 00 value hex 01 00 00 00 01 00 00 00 00 00 00 00 03 00 00 00
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5 --dport 6 -c 3
	# sample_rate 1 samples every packet: three elements in the queue
	for i in 1 2 3; do
		run bpftool -j map pop pinned "$MAPSH_PIN_DIR/samples"
		assert_success
	done
	run bpftool -j map pop pinned "$MAPSH_PIN_DIR/samples"
	assert_failure
}

@test "rate_limit_pps drops what exceeds the bucket and counts it" {
	bpftool map update pinned "$MAPSH_PIN_DIR/config" \
		key hex 00 00 00 00 value hex 01 00 00 00 00 00 00 00 02 00 00 00 03 00 00 00
	send_pkts 1 -s 10.1.1.4 -d 10.1.1.2 -p udp -c 20
	run lookup iface_stats $(hex_u32le "$HOST_IFINDEX1")
	drops=$(jq .formatted.value.drops <<<"$output")
	[ "$drops" -gt 0 ] && [ "$drops" -lt 20 ] || fail "drops=$drops"
	run lookup rate_limits $(hex_ip4 10.1.1.4)
	assert_success
	[ "$(jq '[.formatted.values[].value.dropped] | add' <<<"$output")" = "$drops" ]
}
