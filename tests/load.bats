#!/usr/bin/env bats
# Loading, pinning, reusing pins, attaching and unloading, against the real
# kernel with a bpffs of the test's own (for libxdp's state too).

load helpers
load sys_lib
bats_require_minimum_version 1.5.0

setup() { sys_setup_bpffs; }
teardown() { sys_teardown; }

# name:type of every map mapsh must pin.
EXPECTED_MAPS="flows:lru_hash flows6:lru_hash iface_stats:array cpu_stats:percpu_array
proto_stats:percpu_hash config:array blocklist:hash blocked_prefixes:lpm_trie
iface_blocklist:hash_of_maps rate_limits:lru_percpu_hash events:ringbuf
samples:queue recent_drops:stack policy_routes:hash redirect_stats:hash"
EXPECTED_MAPS+=" pkt_sizes:percpu_array"

# iface_stats of interface K (its ifindex), as "packets bytes drops".
iface_counts() {
	local idx
	eval "idx=\$HOST_IFINDEX$1"
	lookup iface_stats $(hex_u32le "$idx") | jq -r '.formatted.value | "\(.packets) \(.bytes) \(.drops)"'
}

# name=id of every pinned map.
pinned_map_ids() {
	local pair
	for pair in $EXPECTED_MAPS; do
		echo "${pair%%:*}=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/${pair%%:*}" | jq .id)"
	done
}

# The one right status of a clean interface K: no XDP program, nothing in
# the tc ingress hook, no clsact qdisc.
assert_iface_clean() {
	local dev=$1
	[ -z "$(xdp_prog_id "$dev")" ] || fail "$dev: XDP program $(xdp_prog_id "$dev") still attached"
	[ -z "$(tc_prog_ids "$dev")" ] || fail "$dev: tc ingress still runs $(tc_prog_ids "$dev")"
	run tc -n "$NS" qdisc show dev "$dev"
	refute_output --partial clsact
}

@test "load pins every bundled map with its map type, and both programs" {
	run --separate-stderr mapsh load
	assert_success
	[ -z "$stderr" ]
	assert_output "loaded flowtrack, policy; 16 maps pinned in $MAPSH_PIN_DIR; not attached to any interface"
	for pair in $EXPECTED_MAPS; do
		name=${pair%%:*} type=${pair#*:}
		run bpftool -j map show pinned "$MAPSH_PIN_DIR/$name"
		assert_success
		[ "$(jq -r .type <<<"$output")" = "$type" ] || fail "$name is $(jq -r .type <<<"$output"), expected $type"
	done
	[ "$(bpftool -j prog show pinned "$MAPSH_PIN_DIR/progs/flowtrack" | jq -r .type)" = xdp ]
	[ "$(bpftool -j prog show pinned "$MAPSH_PIN_DIR/progs/policy" | jq -r .type)" = sched_cls ]
	# nothing else: 16 maps, progs/ with the two programs, inner/ empty
	[ "$(ls "$MAPSH_PIN_DIR" | wc -l)" -eq 18 ]
	[ "$(ls "$MAPSH_PIN_DIR/progs" | tr '\n' ' ')" = "flowtrack policy " ]
	[ -z "$(ls "$MAPSH_PIN_DIR/inner")" ]
}

@test "load writes config defaults: enabled=1, event_mask=3, nothing else" {
	mapsh load
	run lookup config 00 00 00 00
	assert_success
	[ "$(jq -c .formatted.value <<<"$output")" = '{"enabled":1,"sample_rate":0,"rate_limit_pps":0,"event_mask":3}' ]
}

@test "a second load reuses the pinned maps and keeps their contents" {
	mapsh load
	id_before=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/blocklist" | jq .id)
	prog_before=$(pinned_prog_id "$MAPSH_PIN_DIR/progs/flowtrack")
	bpftool map update pinned "$MAPSH_PIN_DIR/blocklist" \
		key hex 0a 00 00 09 00 50 06 00 value hex 01 00 00 00 00 00 00 00 2a 00 00 00 00 00 00 00
	bpftool map update pinned "$MAPSH_PIN_DIR/config" \
		key hex 00 00 00 00 value hex 01 00 00 00 64 00 00 00 00 00 00 00 03 00 00 00
	run mapsh load
	assert_success
	assert_output "loaded flowtrack, policy; 16 maps pinned in $MAPSH_PIN_DIR (all reused); not attached to any interface"
	[ "$(bpftool -j map show pinned "$MAPSH_PIN_DIR/blocklist" | jq .id)" = "$id_before" ]
	run lookup blocklist 0a 00 00 09 00 50 06 00
	assert_success
	[ "$(jq .formatted.value.hits <<<"$output")" = 42 ]
	# config was reused, so its defaults were not written again
	[ "$(lookup config 00 00 00 00 | jq .formatted.value.sample_rate)" = 100 ]
	# fresh programs on the same maps
	[ "$(pinned_prog_id "$MAPSH_PIN_DIR/progs/flowtrack")" != "$prog_before" ]
	run mapsh -j load
	assert_success
	[ "$(jq -c '[.maps_pinned, .maps_created, .maps_reused, .config_defaults]' <<<"$output")" = '[16,0,16,false]' ]
}

@test "a pinned map whose definition differs is reported, not replaced" {
	mkdir -p "$MAPSH_PIN_DIR"
	bpftool map create "$MAPSH_PIN_DIR/flows" type lru_hash key 16 value 40 entries 128 name flows
	id_before=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/flows" | jq .id)
	run mapsh load
	assert_failure 1
	assert_output --partial "flows"
	assert_output --partial "max_entries"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(bpftool -j map show pinned "$MAPSH_PIN_DIR/flows" | jq .id)" = "$id_before" ]
	# nothing else was pinned
	[ "$(ls "$MAPSH_PIN_DIR")" = flows ]
}

@test "load --iface attaches XDP and tc; status shows exactly that; unload removes everything" {
	setup_net 1
	run mapsh load --iface "$HOST1"
	assert_success
	assert_output "loaded flowtrack, policy; 16 maps pinned in $MAPSH_PIN_DIR; attached to $HOST1 (xdp native, tc ingress)"
	fid=$(pinned_prog_id "$MAPSH_PIN_DIR/progs/flowtrack")
	pid=$(pinned_prog_id "$MAPSH_PIN_DIR/progs/policy")
	[ "$(xdp_prog_id "$HOST1")" = "$fid" ]
	[ "$(tc_prog_ids "$HOST1")" = "$pid" ]
	[ -e "$MAPSH_PIN_DIR/inner/iface_blocklist_$HOST1" ]
	# alone: this kernel runs no dispatcher (freplace is refused)
	[ "$(xdp_prog_name "$HOST1")" = flowtrack ]

	run --separate-stderr mapsh status
	assert_success
	[ -z "$stderr" ]
	expected=$(printf '%s\n' \
		"pin_dir	$MAPSH_PIN_DIR" "loaded	yes" "maps_pinned	16" "inner_maps_pinned	1" \
		"" "flowtrack	$fid	xdp	$MAPSH_PIN_DIR/progs/flowtrack" \
		"policy	$pid	sched_cls	$MAPSH_PIN_DIR/progs/policy" \
		"" "$HOST1	xdp	flowtrack	$fid	native	20	alone" \
		"$HOST1	tc	policy	$pid	ingress	28019	handle 0x6d73")
	assert_output "$expected"
	run mapsh --format table status
	assert_success
	assert_line --regexp "^iface +hook +program +id +mode +priority +position$"
	assert_line --regexp "^$HOST1 +xdp +flowtrack +$fid +native +20 +alone$"
	run mapsh -j status
	assert_success
	[ "$(jq -c '[.loaded, .maps_pinned, .inner_maps_pinned, [.programs[] | [.program, .id, .type]]]' <<<"$output")" = \
	  "[true,16,1,[[\"flowtrack\",$fid,\"xdp\"],[\"policy\",$pid,\"sched_cls\"]]]" ]
	[ "$(jq -c '.attachments' <<<"$output")" = \
	  "[{\"iface\":\"$HOST1\",\"hook\":\"xdp\",\"program\":\"flowtrack\",\"current\":true,\"id\":$fid,\"mode\":\"native\",\"priority\":20,\"position\":1,\"dispatcher_programs\":1,\"dispatcher\":false},{\"iface\":\"$HOST1\",\"hook\":\"tc\",\"program\":\"policy\",\"current\":true,\"id\":$pid,\"mode\":\"ingress\",\"priority\":28019,\"position\":null,\"handle\":\"0x6d73\"}]" ]

	run mapsh unload
	assert_success
	assert_output "detached from $HOST1; unloaded flowtrack, policy; removed 16 map pins and the inner maps from $MAPSH_PIN_DIR"
	assert_iface_clean "$HOST1"
	[ ! -e "$MAPSH_PIN_DIR" ]
	run mapsh status
	assert_success
	assert_output "$(printf '%s\n' "pin_dir	$MAPSH_PIN_DIR" "loaded	no" "maps_pinned	0" "inner_maps_pinned	0")"
}

@test "load --mode skb and --mode native attach in that mode (as the kernel reports it), and count" {
	setup_net 1
	run mapsh load --mode skb --iface "$HOST1"
	assert_success
	assert_output --partial "attached to $HOST1 (xdp skb, tc ingress)"
	[ "$(xdp_mode "$HOST1")" = generic ]
	[ "$(mapsh -j status | jq -r '.attachments[] | select(.hook == "xdp") | .mode')" = skb ]
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 3 --len 60
	[ "$(iface_counts 1)" = "3 180 0" ]
	mapsh unload --keep-maps
	[ -z "$(xdp_prog_id "$HOST1")" ]

	run mapsh load --mode native --iface "$HOST1"
	assert_success
	assert_output --partial "attached to $HOST1 (xdp native, tc ingress)"
	[ "$(xdp_mode "$HOST1")" = driver ]
	[ "$(mapsh -j status | jq -r '.attachments[] | select(.hook == "xdp") | .mode')" = native ]
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 2 --len 60
	[ "$(iface_counts 1)" = "5 300 0" ]

	# a reload asking for the other mode moves the interface to it
	run mapsh load --mode skb --iface "$HOST1"
	assert_success
	[ "$(xdp_mode "$HOST1")" = generic ]
	[ "$(xdp_prog_id "$HOST1")" = "$(pinned_prog_id "$MAPSH_PIN_DIR/progs/flowtrack")" ]
}

@test "load with several --iface attaches to each; each interface is counted on its own" {
	setup_net 2
	run mapsh load --iface "$HOST1" --iface "$HOST2"
	assert_success
	assert_output "loaded flowtrack, policy; 16 maps pinned in $MAPSH_PIN_DIR; attached to $HOST1 (xdp native, tc ingress), $HOST2 (xdp native, tc ingress)"
	fid=$(pinned_prog_id "$MAPSH_PIN_DIR/progs/flowtrack")
	pid=$(pinned_prog_id "$MAPSH_PIN_DIR/progs/policy")
	for dev in "$HOST1" "$HOST2"; do
		[ "$(xdp_prog_id "$dev")" = "$fid" ] || fail "$dev runs XDP '$(xdp_prog_id "$dev")', not $fid"
		[ "$(tc_prog_ids "$dev")" = "$pid" ] || fail "$dev tc runs '$(tc_prog_ids "$dev")', not $pid"
		[ -e "$MAPSH_PIN_DIR/inner/iface_blocklist_$dev" ] || fail "no inner map for $dev"
	done
	[ "$(mapsh -j status | jq -c '[.attachments[] | [.iface, .hook]]')" = \
	  "[[\"$HOST1\",\"xdp\"],[\"$HOST1\",\"tc\"],[\"$HOST2\",\"xdp\"],[\"$HOST2\",\"tc\"]]" ]
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 4 --len 100
	send_pkts 2 -s 10.2.2.1 -d 10.2.2.2 -p udp -c 7 --len 64
	[ "$(iface_counts 1)" = "4 400 0" ]
	[ "$(iface_counts 2)" = "7 448 0" ]
	# a repeated interface is attached once
	run mapsh -j load --iface "$HOST1" --iface "$HOST1"
	assert_success
	[ "$(jq -c '[.attached[] | [.iface, .moved]]' <<<"$output")" = "[[\"$HOST1\",false],[\"$HOST2\",true]]" ]
}

@test "unload --iface detaches only that interface; the other keeps counting; the last one keeps the maps" {
	setup_net 2
	mapsh load --iface "$HOST1" --iface "$HOST2"
	fid=$(pinned_prog_id "$MAPSH_PIN_DIR/progs/flowtrack")
	pid=$(pinned_prog_id "$MAPSH_PIN_DIR/progs/policy")
	run mapsh unload --iface "$HOST1"
	assert_success
	assert_output "detached from $HOST1; still attached to 1 other interface; kept 1 inner map pin (--purge removes them)"
	assert_iface_clean "$HOST1"
	[ "$(xdp_prog_id "$HOST2")" = "$fid" ]
	[ "$(tc_prog_ids "$HOST2")" = "$pid" ]
	# the pins stay while mapsh runs somewhere; so does the inner map of h1
	[ -e "$MAPSH_PIN_DIR/flows" ]
	[ "$(pinned_prog_id "$MAPSH_PIN_DIR/progs/flowtrack")" = "$fid" ]
	[ -e "$MAPSH_PIN_DIR/inner/iface_blocklist_$HOST1" ]
	[ -e "$MAPSH_PIN_DIR/inner/iface_blocklist_$HOST2" ]
	[ "$(mapsh -j status | jq -c '[.attachments[] | [.iface, .hook]]')" = "[[\"$HOST2\",\"xdp\"],[\"$HOST2\",\"tc\"]]" ]
	# traffic: h1 is no longer counted, h2 is
	before1=$(ip_in_receives)
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 3 --len 100
	send_pkts 2 -s 10.2.2.1 -d 10.2.2.2 -p udp -c 5 --len 100
	[ "$(iface_counts 1)" = "0 0 0" ]
	[ "$(iface_counts 2)" = "5 500 0" ]
	[ $(( $(ip_in_receives) - before1 )) -eq 8 ]
	# unloading an interface where mapsh does not run is refused
	run mapsh unload --iface "$HOST1"
	assert_failure 1
	assert_output "mapsh: mapsh ($MAPSH_PIN_DIR) is not attached to '$HOST1'"
	[ "$(xdp_prog_id "$HOST2")" = "$fid" ]
	# the last interface: the programs go, the maps and their contents stay
	mapsh blocklist add src_ip=10.9.9.9 dst_port=0 protocol=0 action=drop
	run mapsh unload --iface "$HOST2"
	assert_success
	assert_output "detached from $HOST2; unloaded flowtrack, policy; kept 16 map pins and the inner maps in $MAPSH_PIN_DIR (remove them with 'mapsh unload --purge')"
	assert_iface_clean "$HOST2"
	[ ! -e "$MAPSH_PIN_DIR/progs/flowtrack" ]
	[ "$(ls "$MAPSH_PIN_DIR" | grep -vxE 'progs|inner' | wc -l)" -eq 16 ]
	[ "$(mapsh -j blocklist | jq length)" -eq 1 ]
	# a plain unload (or --purge) then removes them
	run mapsh unload --purge
	assert_success
	assert_output "not attached anywhere; unloaded flowtrack, policy; removed 16 map pins and the inner maps from $MAPSH_PIN_DIR"
	[ ! -e "$MAPSH_PIN_DIR" ]
}

@test "unload --iface --purge on the last interface removes every pin; --purge with --keep-maps is refused" {
	setup_net 1
	mapsh load --iface "$HOST1"
	run mapsh unload --iface "$HOST1" --keep-maps --purge
	assert_failure 2
	assert_output "mapsh: unload: --keep-maps and --purge contradict each other (choose one)"
	[ -e "$MAPSH_PIN_DIR/flows" ]
	run mapsh -j unload --iface "$HOST1" --purge
	assert_success
	[ "$(jq -c '[.unloaded, .maps_unpinned, .maps_kept, .inner_kept]' <<<"$output")" = "[true,16,0,0]" ]
	assert_iface_clean "$HOST1"
	[ ! -e "$MAPSH_PIN_DIR" ]
}

@test "unload --iface -j says how many map pins it kept" {
	setup_net 1
	mapsh load --iface "$HOST1"
	run mapsh -j unload --iface "$HOST1"
	assert_success
	[ "$(jq -c '[.unloaded, .maps_unpinned, .maps_kept, .inner_kept]' <<<"$output")" = "[true,0,16,1]" ]
	[ -e "$MAPSH_PIN_DIR/inner/iface_blocklist_$HOST1" ]
	# load takes the kept maps up again
	run mapsh load --iface "$HOST1"
	assert_success
	assert_output --partial "(all reused)"
}

@test "unload --keep-maps detaches but keeps the pinned maps and their contents" {
	setup_net 1
	mapsh load --iface "$HOST1"
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 3
	run mapsh unload --keep-maps
	assert_success
	assert_output "detached from $HOST1; unloaded flowtrack, policy; maps kept in $MAPSH_PIN_DIR"
	assert_iface_clean "$HOST1"
	[ "$(ls "$MAPSH_PIN_DIR" | grep -vxE 'progs|inner' | wc -l)" -eq 16 ]
	[ -z "$(ls "$MAPSH_PIN_DIR/progs")" ]
	[ "$(flow_packets 10.1.1.1 10.1.1.2 1 2 udp)" = 3 ]
	# nothing runs: new packets are not counted
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 2
	[ "$(flow_packets 10.1.1.1 10.1.1.2 1 2 udp)" = 3 ]
	# a load takes the kept maps up again
	run mapsh load --iface "$HOST1"
	assert_success
	assert_output --partial "(all reused)"
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 2
	[ "$(flow_packets 10.1.1.1 10.1.1.2 1 2 udp)" = 5 ]
}

@test "unload leaves a foreign XDP program on another interface running" {
	setup_net 2
	# A program of someone else's on the second interface.
	in_ns xdp-loader load -m skb "$HOST2" "$TOP/build/xdp_pass.bpf.o"
	foreign=$(xdp_prog_id "$HOST2")
	[ -n "$foreign" ]
	mapsh load --iface "$HOST1"
	run mapsh unload
	assert_success
	assert_output --partial "detached from $HOST1;"
	assert_iface_clean "$HOST1"
	[ "$(xdp_prog_id "$HOST2")" = "$foreign" ]
	run in_ns xdp-loader status "$HOST2"
	assert_output --partial "foreign_pass"
	# and it still passes traffic up to the stack
	before=$(ip_in_receives)
	send_pkts 2 -s 10.2.2.1 -d 10.2.2.2 -p udp -c 4
	[ $(( $(ip_in_receives) - before )) -eq 4 ]
}

@test "a foreign XDP program on the same interface: run beside it through libxdp's dispatcher, or a clean refusal" {
	setup_net 1
	in_ns xdp-loader load -m skb "$HOST1" "$TOP/build/xdp_pass.bpf.o"
	# The probe: xdp-loader puts the program in a dispatcher only where the
	# kernel runs freplace programs; this machine's kernel refuses them.
	if [ "$(xdp_prog_name "$HOST1")" = xdp_dispatcher ]; then
		# both run, in the one dispatcher, and unload leaves the foreign one
		run mapsh load --iface "$HOST1"
		assert_success
		[ "$(mapsh -j status | jq -c '[.attachments[] | select(.hook == "xdp") | [.dispatcher, .dispatcher_programs]]')" = '[[true,2]]' ]
		send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 3
		[ "$(flow_packets 10.1.1.1 10.1.1.2 1 2 udp)" = 3 ]
		run mapsh unload
		assert_success
		run in_ns xdp-loader status "$HOST1"
		assert_output --partial "foreign_pass"
		refute_output --partial "flowtrack"
		return
	fi
	foreign=$(xdp_prog_id "$HOST1")
	[ "$(xdp_prog_name "$HOST1")" = foreign_pass ]
	run --separate-stderr mapsh load --iface "$HOST1"
	assert_failure 1
	[ "$stderr" = "mapsh: $HOST1: XDP program $foreign (foreign_pass) is attached without libxdp's dispatcher, so nothing can run beside it; detach it first" ]
	[ -z "$output" ]
	# nothing of mapsh's anywhere: no pins, no tc filter, no clsact
	[ ! -e "$MAPSH_PIN_DIR" ]
	[ -z "$(tc_prog_ids "$HOST1")" ]
	run tc -n "$NS" qdisc show dev "$HOST1"
	refute_output --partial clsact
	# the foreign program is the one attached, and still passes traffic
	[ "$(xdp_prog_id "$HOST1")" = "$foreign" ]
	before=$(ip_in_receives)
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp -c 5
	[ $(( $(ip_in_receives) - before )) -eq 5 ]
	# --mode skb (the foreign program's own) is refused the same way
	run mapsh load --mode skb --iface "$HOST1"
	assert_failure 1
	assert_output --partial "$HOST1: XDP program $foreign (foreign_pass) is attached without libxdp's dispatcher"
	[ "$(xdp_prog_id "$HOST1")" = "$foreign" ]
	[ ! -e "$MAPSH_PIN_DIR" ]
}

@test "a step that fails half-way (native XDP on lo) rolls back: nothing attached, nothing pinned" {
	setup_net 1
	# h1 is attached first, then the kernel refuses native XDP on lo
	run --separate-stderr mapsh load --mode native --iface "$HOST1" --iface lo
	assert_failure 1
	[ -z "$output" ]
	[[ "$stderr" == "mapsh: lo: cannot attach flowtrack (xdp native): "*" (see -d for libxdp's log)" ]] || fail "$stderr"
	[ "${#stderr_lines[@]}" -eq 1 ]
	assert_iface_clean "$HOST1"
	[ -z "$(xdp_prog_id lo)" ]
	[ ! -e "$MAPSH_PIN_DIR" ]
	run mapsh status
	assert_success
	assert_output "$(printf '%s\n' "pin_dir	$MAPSH_PIN_DIR" "loaded	no" "maps_pinned	0" "inner_maps_pinned	0")"
}

@test "a reload that fails half-way puts the previous programs back, on the same maps" {
	setup_net 1
	mapsh load --iface "$HOST1"
	fid=$(pinned_prog_id "$MAPSH_PIN_DIR/progs/flowtrack")
	pid=$(pinned_prog_id "$MAPSH_PIN_DIR/progs/policy")
	maps_before=$(pinned_map_ids)
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 2
	run --separate-stderr mapsh load --mode native --iface "$HOST1" --iface lo
	assert_failure 1
	[[ "$stderr" == "mapsh: lo: cannot attach flowtrack (xdp native): "* ]] || fail "$stderr"
	# the previous instance runs on h1, in both hooks, still pinned
	[ "$(xdp_prog_id "$HOST1")" = "$fid" ]
	[ "$(tc_prog_ids "$HOST1")" = "$pid" ]
	[ "$(pinned_prog_id "$MAPSH_PIN_DIR/progs/flowtrack")" = "$fid" ]
	[ "$(pinned_prog_id "$MAPSH_PIN_DIR/progs/policy")" = "$pid" ]
	[ "$(ls "$MAPSH_PIN_DIR/progs" | tr '\n' ' ')" = "flowtrack policy " ]
	[ "$(ls "$MAPSH_PIN_DIR/inner" | tr '\n' ' ')" = "iface_blocklist_$HOST1 " ]
	[ -z "$(xdp_prog_id lo)" ]
	# the same maps are pinned
	[ "$(pinned_map_ids)" = "$maps_before" ]
	# and it still counts into the same maps
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 3
	[ "$(flow_packets 10.1.1.1 10.1.1.2 1 2 udp)" = 5 ]
}

@test "-d shows libbpf's and libxdp's messages on stderr; without it load is quiet" {
	setup_net 1
	run --separate-stderr mapsh load
	assert_success
	[ -z "$stderr" ]
	plain=$output
	mapsh unload >/dev/null
	run --separate-stderr mapsh -d load
	assert_success
	[ "$output" = "$plain" ]
	[[ "$stderr" == *"libbpf: loading object 'flowtrack' from buffer"* ]] || fail "no libbpf log: $stderr"
	[[ "$stderr" == *"libbpf: loading object 'policy' from buffer"* ]] || fail "no libbpf log: $stderr"
	[ "$(grep -cv '^libbpf: ' <<<"$stderr")" -eq 0 ] || fail "other lines: $(grep -v '^libbpf: ' <<<"$stderr")"
	mapsh unload >/dev/null
	# a failure: the hint without -d, libxdp's account of it with -d
	run --separate-stderr mapsh load --mode native --iface lo
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *" (see -d for libxdp's log)" ]] || fail "$stderr"
	run --separate-stderr mapsh -d load --mode native --iface lo
	assert_failure 1
	[[ "$stderr" == *$'\nlibxdp: '* ]] || fail "no libxdp log: $stderr"
	[[ "${stderr_lines[-1]}" == "mapsh: lo: cannot attach flowtrack (xdp native): "* ]] || fail "${stderr_lines[-1]}"
	[[ "${stderr_lines[-1]}" != *"see -d"* ]] || fail "${stderr_lines[-1]}"
	# -d after the command works too
	run --separate-stderr mapsh load -d
	assert_success
	[[ "$stderr" == *"libbpf: loading object 'flowtrack' from buffer"* ]]
}

@test "load refuses an unknown interface and changes nothing" {
	run mapsh load --iface nosuchif0
	assert_failure 1
	assert_output "mapsh: no such interface 'nosuchif0'"
	[ ! -e "$MAPSH_PIN_DIR" ]
}

@test "load refuses a bad --mode with a usage error" {
	run mapsh load --mode fast
	assert_failure 2
	assert_output "mapsh: --mode: 'fast' is not valid (expected skb or native)"
	[ ! -e "$MAPSH_PIN_DIR" ]
}

@test "load refuses a pin directory outside bpffs" {
	run mapsh --pin-dir "$BATS_TEST_TMPDIR/notbpf" load
	assert_failure 1
	assert_output "mapsh: $BATS_TEST_TMPDIR/notbpf is not on a BPF filesystem (bpffs); use a directory under /sys/fs/bpf or mount one with: mount -t bpf bpf DIR"
	[ ! -e "$BATS_TEST_TMPDIR/notbpf" ]
}

@test "unload with nothing loaded says so" {
	run mapsh unload
	assert_failure 1
	assert_output "mapsh: nothing is loaded (no pins in $MAPSH_PIN_DIR)"
}

@test "unload refuses an unknown interface and changes nothing" {
	mapsh load
	run mapsh unload --iface nosuchif0
	assert_failure 1
	assert_output "mapsh: no such interface 'nosuchif0'"
	[ -e "$MAPSH_PIN_DIR/flows" ]
	[ -e "$MAPSH_PIN_DIR/progs/flowtrack" ]
}

# ---- the automatic bpffs mount, in a mount namespace of the test's own ----

@test "load mounts bpffs at /sys/fs/bpf when the pin dir is under it and nothing is mounted there" {
	host_before=$(host_bpf_mounts)
	dir=/sys/fs/bpf/mapsh-test-$(_unique_id)
	run in_private_mnt '
		[ -z "$(fstype)" ]
		m --pin-dir '"$dir"' load
		echo "fstype=$(fstype)"
		ls '"$dir"' | wc -l
		stat -f -c %T '"$dir"'/flows
		m --pin-dir '"$dir"' -j status | jq -c "[.loaded, .maps_pinned]"
		m --pin-dir '"$dir"' unload
		[ ! -e '"$dir"' ]
		echo done'
	assert_success
	assert_output "$(printf '%s\n' \
		"loaded flowtrack, policy; 16 maps pinned in $dir; not attached to any interface" \
		"fstype=bpf" 18 bpf_fs "[true,16]" \
		"not attached anywhere; unloaded flowtrack, policy; removed 16 map pins from $dir" done)"
	# the host saw none of it
	[ "$(host_bpf_mounts)" = "$host_before" ]
	[ ! -e "$dir" ]
}

@test "load mounts nothing at /sys/fs/bpf for a pin dir elsewhere, unless libxdp needs it there to attach" {
	setup_net 1
	export HOST1
	host_before=$(host_bpf_mounts)
	run in_private_mnt '
		m load >/dev/null
		echo "no iface: [$(fstype)]"
		m load --iface "$HOST1" >/dev/null
		echo "iface, LIBXDP_BPFFS set: [$(fstype)]"
		m unload >/dev/null
		(unset LIBXDP_BPFFS; m load --iface "$HOST1" >/dev/null)
		echo "iface, LIBXDP_BPFFS unset: [$(fstype)]"
		m unload >/dev/null
		umount /sys/fs/bpf
		m --pin-dir /tmp/mapsh-notbpf-$$ load 2>&1 || echo "exit $?"
		echo "not bpffs: [$(fstype)]"'
	assert_success
	assert_line --index 0 "no iface: []"
	assert_line --index 1 "iface, LIBXDP_BPFFS set: []"
	assert_line --index 2 "iface, LIBXDP_BPFFS unset: [bpf]"
	assert_line --index 3 --regexp "^mapsh: /tmp/mapsh-notbpf-[0-9]+ is not on a BPF filesystem \(bpffs\);"
	assert_line --index 4 "exit 1"
	assert_line --index 5 "not bpffs: []"
	[ "${#lines[@]}" -eq 6 ]
	[ "$(host_bpf_mounts)" = "$host_before" ]
}
