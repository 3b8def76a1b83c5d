#!/usr/bin/env bats
# The packet-size histogram of flowtrack (pkt_sizes, per-CPU, log2 slots)
# counts the frames a test sends on a veth, by size; mapsh draws it.

load helpers
load sys_lib
bats_require_minimum_version 1.5.0

setup() {
	sys_setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
}
teardown() { sys_teardown; }

@test "pkt_sizes counts the packets sent, by size, and is drawn as a histogram" {
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5555 --dport 80 -c 3 --len 60
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5555 --dport 80 -c 7 --len 100
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p tcp --sport 4000 --dport 443 -c 4 --len 1000
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p tcp --sport 4000 --dport 443 -c 2 --len 1400
	run --separate-stderr mapsh -j pkt_sizes
	assert_success
	# slot i: frames of bit length i (60: 6, 100: 7, 1000: 10, 1400: 11)
	[ "$(jq -c '[.[0].histograms.slots.buckets[] | select(.count > 0) | [.min, .max, .count]]' <<<"$output")" = \
	  '[[32,63,3],[64,127,7],[512,1023,4],[1024,2047,2]]' ]
	[ "$(jq -c '.[0].histograms.slots | [.count, .p50]' <<<"$output")" = '[16,109]' ]
	# the kernel's own bytes agree: per-CPU u64 slots summed, read by bpftool
	[ "$(lookup pkt_sizes 00 00 00 00 |
		jq -c '[.formatted.values[].value.slots] | transpose | map(add) | .[6:12]')" = '[3,7,0,0,4,2]' ]
	# drawn on a terminal, no option
	run --separate-stderr env LANG=C COLUMNS=50 "$MAPSH" --format table pkt_sizes
	assert_success
	grep -Fx 'slots: count 16, p50 109, p90 1228.6, p99 1965.2' <<<"$output"
	grep -Fx '[32, 64)   3 |###############                    |' <<<"$output"
	grep -Fx '[64, 128)  7 |###################################|' <<<"$output"
	grep -Fx '[1K, 2K)   2 |##########                         |' <<<"$output"
	# the hist verb sums it the same way
	run --separate-stderr mapsh -j pkt_sizes hist
	assert_success
	[ "$(jq -c '[.field, .histogram.count]' <<<"$output")" = '["slots",16]' ]
}
