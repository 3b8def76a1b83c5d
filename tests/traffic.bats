#!/usr/bin/env bats
# Real traffic through a veth: frames made by pktgen in the test's namespace
# hit flowtrack (XDP) and policy (tc) on the other end; the kernel maps are
# read back with bpftool, independently of mapsh's own readers, and through
# mapsh where the test is about what mapsh shows. Every count is exact
# against what was sent.

load helpers
load sys_lib
bats_require_minimum_version 1.5.0

setup() {
	sys_setup_bpffs
	setup_net 2
	mapsh load --iface "$HOST1" >/dev/null
}
teardown() { sys_teardown; }

# config fields as bpftool bytes: enabled sample_rate rate_limit_pps event_mask
set_config() {
	bpftool map update pinned "$MAPSH_PIN_DIR/config" key hex 00 00 00 00 \
		value hex $(hex_u32le "$1") $(hex_u32le "$2") $(hex_u32le "$3") $(hex_u32le "$4")
}

# iface_stats of h1 as "packets bytes drops".
h1_counts() {
	lookup iface_stats $(hex_u32le "$HOST_IFINDEX1") | jq -r '.formatted.value | "\(.packets) \(.bytes) \(.drops)"'
}

# The records in the events ring, through mapsh, as "type reason src_ip" lines.
event_lines() {
	mapsh -j events drain | jq -r '"\(.value.type) \(.value.reason) \(.value.src_ip)"'
}

@test "a UDP flow is counted exactly, with bytes and timestamps" {
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5555 --dport 80 -c 7 --len 100
	run lookup flows $(flow_key_hex 10.1.1.1 10.1.1.2 5555 80 udp)
	assert_success
	[ "$(jq .formatted.value.packets <<<"$output")" = 7 ]
	[ "$(jq .formatted.value.bytes <<<"$output")" = 700 ]
	[ "$(jq .formatted.value.tcp_flags <<<"$output")" = 0 ]
	first=$(jq .formatted.value.first_seen <<<"$output")
	last=$(jq .formatted.value.last_seen <<<"$output")
	# bpf_ktime_get_ns: CLOCK_MONOTONIC, never ahead of the boot time clock
	uptime_ns=$(awk '{ printf "%.0f", ($1 + 1) * 1e9 }' /proc/uptime)
	[ "$first" -gt 0 ]
	[ "$last" -ge "$first" ]
	[ "$last" -le "$uptime_ns" ]
	# that flow and no other
	[ "$(dump_pinned flows | jq length)" = 1 ]
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

@test "IPv6 flows land in flows6, typed by mapsh, with exact counts and a new-flow event" {
	event_lines >/dev/null	# empty the ring
	send_pkts 1 -s fd00::1 -d fd00::2 -p udp --sport 7000 --dport 443 -c 4 --len 120
	send_pkts 1 -s fd00::3 -d fd00::2 -p tcp --sport 7001 --dport 22 -c 2 --len 90 --tcp-flags SYN
	run mapsh -j flows6 lookup src_ip=fd00::1 dst_ip=fd00::2 src_port=7000 dst_port=443 protocol=udp
	assert_success
	[ "$(jq -c .key <<<"$output")" = '{"src_ip":"fd00::1","dst_ip":"fd00::2","src_port":7000,"dst_port":443,"protocol":"udp","pad":[0,0,0]}' ]
	[ "$(jq -c '[.value.packets, .value.bytes]' <<<"$output")" = '[4,480]' ]
	run mapsh flows6 dump fields src_ip,dst_ip,src_port,dst_port,protocol,packets,bytes,tcp_flags sort packets desc
	assert_success
	assert_output "$(printf '%s\n' "fd00::1	fd00::2	7000	443	udp	4	480	0" "fd00::3	fd00::2	7001	22	tcp	2	180	SYN")"
	# no IPv4 flow; the interface and protocol counters have them all
	[ "$(dump_pinned flows | jq length)" = 0 ]
	[ "$(h1_counts)" = "6 660 0" ]
	[ "$(lookup proto_stats 11 | jq '[.formatted.values[].value.packets] | add')" = 4 ]
	[ "$(lookup proto_stats 06 | jq '[.formatted.values[].value.packets] | add')" = 2 ]
	# one new-flow event each, with the IPv6 addresses
	run mapsh -j events drain
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -c '[.value.type, .value.ip_version, .value.src_ip6, .value.dst_ip6, .value.src_port, .value.dst_port, .value.protocol, .value.src_ip]' <<<"${lines[0]}")" = \
	  '["EVENT_TYPE_NEW_FLOW",6,"fd00::1","fd00::2",7000,443,"udp","0.0.0.0"]' ]
	[ "$(jq -c '[.value.type, .value.ip_version, .value.src_ip6, .value.dst_port, .value.protocol]' <<<"${lines[1]}")" = \
	  '["EVENT_TYPE_NEW_FLOW",6,"fd00::3",22,"tcp"]' ]
}

@test "iface_stats counts the packets of the attached interface" {
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 5 --len 64
	send_pkts 1 -s 10.1.1.3 -d 10.1.1.2 -p tcp -c 6 --len 80
	[ "$(h1_counts)" = "11 $(( 5 * 64 + 6 * 80 )) 0" ]
	# h2 has no program: nothing counted there
	run lookup iface_stats $(hex_u32le "$HOST_IFINDEX2")
	assert_success
	[ "$(jq -c .formatted.value <<<"$output")" = '{"packets":0,"bytes":0,"drops":0}' ]
	send_pkts 2 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 3
	[ "$(lookup iface_stats $(hex_u32le "$HOST_IFINDEX2") | jq .formatted.value.packets)" = 0 ]
}

@test "per-CPU counters summed over CPUs equal what was sent" {
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 9 --len 70
	run lookup cpu_stats 00 00 00 00
	assert_success
	[ "$(jq -c '[([.formatted.values[].value.packets] | add), ([.formatted.values[].value.bytes] | add), ([.formatted.values[].value.drops] | add)]' <<<"$output")" = '[9,630,0]' ]
	[ "$(jq '.formatted.values | length' <<<"$output")" = "$(getconf _NPROCESSORS_CONF)" ]
	run lookup proto_stats 11
	assert_success
	[ "$(jq '[.formatted.values[].value.packets] | add' <<<"$output")" = 9 ]
	[ "$(jq '[.formatted.values[].value.bytes] | add' <<<"$output")" = 630 ]
	# udp is the only protocol seen
	[ "$(dump_pinned proto_stats | jq -c '[.[].key]')" = '[["0x11"]]' ]
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
	[ "${rec:32:8}" = "00000000" ]
	[[ "$rec" == *0a0101010a010102* ]]
}

@test "a blocklist rule drops matching packets, counts its hits and keeps them on recent_drops" {
	bpftool map update pinned "$MAPSH_PIN_DIR/blocklist" \
		key hex $(hex_ip4 10.1.1.9) 00 00 00 00 value hex 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	before=$(ip_in_receives)
	send_pkts 1 -s 10.1.1.9 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 3 --len 60
	send_pkts 1 -s 10.1.1.8 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 2 --len 60
	run lookup blocklist $(hex_ip4 10.1.1.9) 00 00 00 00
	assert_success
	[ "$(jq .formatted.value.hits <<<"$output")" = 3 ]
	[ "$(h1_counts)" = "2 120 3" ]
	[ "$(flow_packets 10.1.1.8 10.1.1.2 1 2 udp)" = 2 ]
	run lookup flows $(flow_key_hex 10.1.1.9 10.1.1.2 1 2 udp)
	assert_failure
	# only the two that passed reached the stack
	[ $(( $(ip_in_receives) - before )) -eq 2 ]
	# each drop is on the recent_drops stack
	run mapsh -j recent_drops drain
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	for l in "${lines[@]}"; do
		[ "$(jq -c '.value | [.src_ip, .dst_ip, .src_port, .dst_port, .protocol, .len, .reason, .ifindex]' <<<"$l")" = \
		  "[\"10.1.1.9\",\"10.1.1.2\",1,2,\"udp\",60,\"DROP_REASON_BLOCKLIST\",$HOST_IFINDEX1]" ] || fail "$l"
	done
}

@test "every firewall drop has its reason: in the event, on recent_drops, in the counters" {
	event_lines >/dev/null	# empty the ring
	mapsh 'iface_blocklist['"$HOST1"']' add src_ip=10.4.0.1 dst_port=0 protocol=0 action=drop
	mapsh blocked_prefixes update 10.3.0.0/16 action=drop
	mapsh blocklist add src_ip=10.2.0.1 dst_port=0 protocol=0 action=drop
	# an allow rule before a drop prefix lets the packet through
	mapsh blocklist add src_ip=10.3.9.9 dst_port=0 protocol=0 action=allow
	send_pkts 1 -s 10.4.0.1 -d 10.0.0.2 -p udp -c 1
	send_pkts 1 -s 10.3.5.1 -d 10.0.0.2 -p udp -c 2
	send_pkts 1 -s 10.2.0.1 -d 10.0.0.2 -p udp -c 1
	send_pkts 1 -s 10.3.9.9 -d 10.0.0.2 -p udp -c 1
	run event_lines
	assert_success
	assert_output "$(printf '%s\n' \
		"EVENT_TYPE_DROP DROP_REASON_IFACE_BLOCKLIST 10.4.0.1" \
		"EVENT_TYPE_DROP DROP_REASON_PREFIX 10.3.5.1" \
		"EVENT_TYPE_DROP DROP_REASON_PREFIX 10.3.5.1" \
		"EVENT_TYPE_DROP DROP_REASON_BLOCKLIST 10.2.0.1" \
		"EVENT_TYPE_NEW_FLOW DROP_REASON_NONE 10.3.9.9")"
	# the stack: newest first
	run mapsh -j recent_drops drain
	assert_success
	[ "$(jq -r '"\(.value.reason) \(.value.src_ip)"' <<<"$output" | tr '\n' ',')" = \
	  "DROP_REASON_BLOCKLIST 10.2.0.1,DROP_REASON_PREFIX 10.3.5.1,DROP_REASON_PREFIX 10.3.5.1,DROP_REASON_IFACE_BLOCKLIST 10.4.0.1," ]
	[ "$(h1_counts | cut -d' ' -f1,3)" = "1 4" ]
	[ "$(mapsh -j blocked_prefixes lookup 10.3.5.1 | jq .value.hits)" = 2 ]
	[ "$(mapsh -j 'iface_blocklist['"$HOST1"']' lookup src_ip=10.4.0.1 dst_port=0 protocol=0 | jq .value.hits)" = 1 ]
}

@test "event_mask: bit 1 emits new-flow events, bit 2 drop events, exactly" {
	mapsh blocklist add src_ip=10.9.9.9 dst_port=0 protocol=0 action=drop
	event_lines >/dev/null	# empty the ring
	# per mask: one new flow of two packets, and two dropped packets
	for mask in 0 1 2 3; do
		set_config 1 0 0 "$mask"
		send_pkts 1 -s "10.5.0.$mask" -d 10.0.0.2 -p udp -c 2
		send_pkts 1 -s 10.9.9.9 -d "10.6.0.$mask" -p udp -c 2
		run event_lines
		assert_success
		case $mask in
		0) expected="" ;;
		1) expected="EVENT_TYPE_NEW_FLOW DROP_REASON_NONE 10.5.0.1" ;;
		2) expected=$(printf '%s\n' "EVENT_TYPE_DROP DROP_REASON_BLOCKLIST 10.9.9.9" "EVENT_TYPE_DROP DROP_REASON_BLOCKLIST 10.9.9.9") ;;
		3) expected=$(printf '%s\n' "EVENT_TYPE_NEW_FLOW DROP_REASON_NONE 10.5.0.3" "EVENT_TYPE_DROP DROP_REASON_BLOCKLIST 10.9.9.9" "EVENT_TYPE_DROP DROP_REASON_BLOCKLIST 10.9.9.9") ;;
		esac
		[ "$output" = "$expected" ] || fail "event_mask $mask: got '$output', expected '$expected'"
	done
	# the mask changes events only: every packet was counted or dropped
	[ "$(h1_counts | cut -d' ' -f1,3)" = "8 8" ]
	[ "$(mapsh -j recent_drops drain | wc -l)" -eq 8 ]
}

@test "config.enabled = 0 stops counting; enabled = 1 starts again" {
	set_config 0 0 0 3
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 4
	run dump_pinned flows
	assert_success
	[ "$(jq length <<<"$output")" = 0 ]
	[ "$(h1_counts)" = "0 0 0" ]
	set_config 1 0 0 3
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 3 --len 50
	[ "$(h1_counts)" = "3 150 0" ]
	[ "$(flow_packets 10.1.1.1 10.1.1.2 1 2 udp)" = 3 ]
}

@test "a policy route redirects a source's packets to the second interface" {
	# Route 10.1.1.5 out of h2 towards next hop 10.9.9.2 (p2's address).
	in_ns ip neigh replace 10.9.9.2 lladdr "$PEER_MAC2" dev "$HOST2" nud permanent
	bpftool map update pinned "$MAPSH_PIN_DIR/policy_routes" \
		key hex $(hex_ip4 10.1.1.5) value hex $(hex_u32le "$HOST_IFINDEX2") $(hex_ip4 10.9.9.2)
	rx_before=$(ip -n "$NS" -j -s link show "$PEER2" | jq '.[0].stats64.rx.packets')
	in_before=$(ip_in_receives)
	send_pkts 1 -s 10.1.1.5 -d 10.1.1.2 -p udp --sport 9 --dport 9 -c 4 --len 80
	send_pkts 1 -s 10.1.1.6 -d 10.1.1.2 -p udp --sport 9 --dport 9 -c 2 --len 80
	rx_after=$(ip -n "$NS" -j -s link show "$PEER2" | jq '.[0].stats64.rx.packets')
	[ $(( rx_after - rx_before )) -eq 4 ] || fail "p2 received $(( rx_after - rx_before )) packets, expected 4"
	run lookup redirect_stats $(hex_u32le "$HOST_IFINDEX2")
	assert_success
	[ "$(jq -c .formatted.value <<<"$output")" = '{"packets":4,"bytes":320,"drops":0}' ]
	[ "$(dump_pinned redirect_stats | jq length)" = 1 ]
	# up the stack: the other source's 2 on h1, the redirected 4 on p2
	[ $(( $(ip_in_receives) - in_before )) -eq 6 ]
	# flowtrack (XDP, before tc) counted all six
	[ "$(h1_counts)" = "6 480 0" ]
}

@test "samples: every packet with sample_rate 1, about 1 in N with N > 1, none with 0" {
	set_config 1 1 0 3
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5 --dport 6 -c 3 --len 64
	run mapsh -j samples drain
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	for l in "${lines[@]}"; do
		[ "$(jq -c '.value | [.src_ip, .dst_ip, .src_port, .dst_port, .protocol, .len, .reason, .ifindex]' <<<"$l")" = \
		  "[\"10.1.1.1\",\"10.1.1.2\",5,6,\"udp\",64,\"DROP_REASON_NONE\",$HOST_IFINDEX1]" ] || fail "$l"
	done
	# 1 in 4 of 800 packets, chosen by bpf_get_prandom_u32(): the count is
	# binomial (mean 200, sd 12.2); 130..270 is more than 5 sd either way
	set_config 1 4 0 3
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5 --dport 7 -c 800 --len 64
	n=$(mapsh -j samples drain | jq -r '"\(.value.src_ip) \(.value.dst_port) \(.value.len)"' | grep -cx "10.1.1.1 7 64")
	[ "$n" -ge 130 ] || fail "$n samples of 800 packets at 1 in 4"
	[ "$n" -le 270 ] || fail "$n samples of 800 packets at 1 in 4"
	[ "$(mapsh -j samples drain | wc -l)" -eq 0 ]
	set_config 1 0 0 3
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 50
	run mapsh samples drain
	assert_success
	assert_output ""
	# sampling takes nothing away from the counters
	[ "$(h1_counts | cut -d' ' -f1,3)" = "853 0" ]
}

@test "rate_limit_pps drops what exceeds the bucket and counts it, exactly" {
	# 2 pps (burst 2): of 20 packets sent at once from one CPU, 2 pass
	set_config 1 0 2 3
	cpu=$(allowed_cpus | tail -n 1)
	send_pkts_on_cpu "$cpu" 1 -s 10.1.1.4 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 20 --len 60
	[ "$(h1_counts)" = "2 120 18" ]
	run lookup rate_limits $(hex_ip4 10.1.1.4)
	assert_success
	[ "$(jq '[.formatted.values[].value.passed] | add' <<<"$output")" = 2 ]
	[ "$(jq '[.formatted.values[].value.dropped] | add' <<<"$output")" = 18 ]
	# the bucket is per CPU: all of it on the CPU that sent
	[ "$(jq ".formatted.values[] | select(.cpu == $cpu) | .value.dropped" <<<"$output")" = 18 ]
	[ "$(flow_packets 10.1.1.4 10.1.1.2 1 2 udp)" = 2 ]
	[ "$(mapsh -j recent_drops drain | jq -r .value.reason | sort | uniq -c | awk '{ print $1, $2 }')" = "18 DROP_REASON_RATE_LIMIT" ]
	# another source has a bucket of its own
	send_pkts_on_cpu "$cpu" 1 -s 10.1.1.5 -d 10.1.1.2 -p udp -c 1
	[ "$(h1_counts | cut -d' ' -f1,3)" = "3 18" ]
}
