#!/usr/bin/env bats
# load --object: an object of the user's own (tests/tools/obj_xt.bpf.c: an
# XDP and a tc program, a hash, a per-CPU array, an array, an LRU hash and
# global data) loaded on a test veth, traffic counted in its maps and read
# with mapsh's typed verbs and with bpftool; status and unload. Then the
# upgrade with --migrate (tests/tools/mig_v1.bpf.c to mig_v2.bpf.c) while
# traffic flows: no packet lost, the backup, --rollback, --commit.

load helpers
load sys_lib
bats_require_minimum_version 1.5.0

OBJ="$TOP/build/obj_xt.bpf.o"
V1="$TOP/build/mig_v1.bpf.o"
V2="$TOP/build/mig_v2.bpf.o"

setup() {
	sys_setup_bpffs
	setup_net 1
}
teardown() { sys_teardown; }

# The XDP program id on h1 (ip's view), empty when none.
h1_xdp_id() {
	in_ns ip -j link show "$HOST1" | jq -r '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // empty'
}
# tc filters on h1 ingress with the objects' handle, as "prio:id" lines.
h1_tc_filters() {
	in_ns tc -j filter show dev "$HOST1" ingress 2>/dev/null |
		jq -r '.[] | select(.options.handle == "0x6d74" or .options.handle == 27956) | select(.options.bpf_name != null or .options.prog.id != null) | "\(.pref):\(.options.prog.id)"'
}
pinned_id() { bpftool -j prog show pinned "$1" | jq .id; }
map_id() { bpftool -j map show pinned "$1" | jq .id; }

@test "load --object pins every map, attaches the XDP and the tc program, and counts real traffic" {
	run --separate-stderr mapsh load --object "$OBJ" --iface "$HOST1"
	assert_success
	assert_output --partial "loaded obj_xt (ox_xdp xdp, ox_tc_in tc ingress); 7 maps pinned"
	for m in ox_src ox_proto ox_tc ox_lru obj_xt_bss obj_xt_data obj_xt_rodata; do
		[ -e "$MAPSH_PIN_DIR/$m" ] || fail "no pin $m"
	done
	# the programs recorded are the ones running on h1
	xdp=$(pinned_id "$MAPSH_PIN_DIR/objects/obj_xt/progs/ox_xdp")
	tcid=$(pinned_id "$MAPSH_PIN_DIR/objects/obj_xt/progs/ox_tc_in")
	[ "$(h1_xdp_id)" = "$xdp" ]
	[ "$(h1_tc_filters)" = "$((0x6d80)):$tcid" ]

	send_pkts 1 -s 10.2.0.1 -d 10.2.0.9 -p udp -c 6 --len 100
	send_pkts 1 -s 10.2.0.3 -d 10.2.0.9 -p tcp -c 2 --len 80
	# typed verbs on the hash: the key by its field name
	run --separate-stderr mapsh -j ox_src lookup addr=10.2.0.1
	assert_success
	[ "$(jq -c '[.value.packets, .value.bytes, .value.last_len, .value.proto]' <<<"$output")" = '[6,600,100,17]' ]
	[ "$(mapsh -j ox_src dump | jq -c '[.[] | .value.packets] | sort')" = '[2,6]' ]
	# bpftool agrees
	[ "$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/ox_src" | jq '[.[].formatted.value.packets] | add')" = 8 ]
	# per-CPU array summed over CPUs; tc array; LRU hash
	[ "$(mapsh -j ox_proto lookup 17 | jq .value)" = 6 ]
	[ "$(mapsh -j ox_proto lookup 6 | jq .value)" = 2 ]
	[ "$(mapsh -j ox_tc lookup 0 | jq .value)" = 8 ]
	[ "$(mapsh -j ox_lru dump | jq length)" = 2 ]
	# global data: .bss counts, .data and .rodata hold their initial values
	[ "$(mapsh -j obj_xt_bss dump | jq -c '.[0].value')" = '{"xdp_seen":8}' ]
	[ "$(mapsh -j obj_xt_data dump | jq -c '.[0].value')" = '{"tc_mark":7}' ]
	[ "$(mapsh -j obj_xt_rodata dump | jq -c '.[0].value')" = '{"min_len":14}' ]
	# and a write through mapsh reaches the program's variable
	run --separate-stderr mapsh obj_xt_data set 0 tc_mark=9
	assert_success
	[ "$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/obj_xt_data" | jq -c '.[0].formatted.value[".data"][0].tc_mark')" = 9 ]
}

@test "status shows the object, its programs and where they run; unload detaches and unpins it all" {
	mapsh load --object "$OBJ" --iface "$HOST1" >/dev/null
	xdp=$(pinned_id "$MAPSH_PIN_DIR/objects/obj_xt/progs/ox_xdp")
	tcid=$(pinned_id "$MAPSH_PIN_DIR/objects/obj_xt/progs/ox_tc_in")
	run --separate-stderr mapsh -j status
	assert_success
	[ "$(jq .loaded <<<"$output")" = true ]
	[ "$(jq -c '.objects' <<<"$output")" = "[{\"object\":\"obj_xt\",\"programs\":\"ox_tc_in:$tcid,ox_xdp:$xdp\",\"maps\":7,\"state\":\"loaded\"}]" ]
	[ "$(jq -c '[.attachments[] | [.iface, .hook, .program, .id, .mode]]' <<<"$output")" = \
	  "[[\"$HOST1\",\"xdp\",\"ox_xdp\",$xdp,\"native\"],[\"$HOST1\",\"tc\",\"ox_tc_in\",$tcid,\"ingress\"]]" ]
	run --separate-stderr mapsh unload
	assert_success
	assert_output --partial "unloaded 1 object; removed 7 map pins"
	refute_output --partial flowtrack
	[ -z "$(h1_xdp_id)" ]
	[ -z "$(h1_tc_filters)" ]
	[ ! -e "$MAPSH_PIN_DIR" ]
	run --separate-stderr mapsh unload
	assert_failure 1
	[[ "$stderr" == *"nothing is loaded"* ]]
}

@test "loading the same object again keeps the maps' contents and replaces its programs in place" {
	mapsh load --object "$OBJ" --iface "$HOST1" >/dev/null
	send_pkts 1 -s 10.2.0.1 -d 10.2.0.9 -p udp -c 3
	old=$(h1_xdp_id)
	srcid=$(map_id "$MAPSH_PIN_DIR/ox_src")
	run --separate-stderr mapsh load --object "$OBJ"
	assert_success
	assert_output --partial "(7 reused)"
	assert_output --partial "attached to $HOST1"
	new=$(pinned_id "$MAPSH_PIN_DIR/objects/obj_xt/progs/ox_xdp")
	[ "$new" != "$old" ]
	[ "$(h1_xdp_id)" = "$new" ]
	# one tc filter, the new program, in the same slot
	[ "$(h1_tc_filters)" = "$((0x6d80)):$(pinned_id "$MAPSH_PIN_DIR/objects/obj_xt/progs/ox_tc_in")" ]
	[ "$(map_id "$MAPSH_PIN_DIR/ox_src")" = "$srcid" ]
	send_pkts 1 -s 10.2.0.1 -d 10.2.0.9 -p udp -c 2
	[ "$(mapsh -j ox_src lookup addr=10.2.0.1 | jq .value.packets)" = 5 ]
	[ "$(mapsh -j obj_xt_bss dump | jq '.[0].value.xdp_seen')" = 5 ]
}

@test "a pinned map of another shape stops load --object before anything changes" {
	mkdir -p "$MAPSH_PIN_DIR"
	bpftool map create "$MAPSH_PIN_DIR/ox_src" type hash key 4 value 8 entries 16 name ox_src
	run --separate-stderr mapsh load --object "$OBJ" --iface "$HOST1"
	assert_failure 1
	[[ "$stderr" == *"ox_src"* ]]
	[[ "$stderr" == *"value_size 8 pinned, 24 expected"* ]]
	[ -z "$(h1_xdp_id)" ]
	[ ! -e "$MAPSH_PIN_DIR/objects" ]
	[ ! -e "$MAPSH_PIN_DIR/ox_tc" ]
	run --separate-stderr mapsh load --object "$TOP/build/nonexistent.bpf.o"
	assert_failure 1
	[[ "$stderr" == *"cannot open"* ]]
	run --separate-stderr mapsh load --object "$OBJ" --rollback
	assert_failure 2
}

@test "two objects in one load: without --iface both are pinned, not attached; two XDP programs cannot share an interface" {
	run --separate-stderr mapsh load --object "$OBJ" --object "$V1" --iface "$HOST1"
	assert_failure 1
	[[ "$stderr" == *"2 XDP programs"* ]]
	[ -z "$(h1_xdp_id)" ]
	[ ! -e "$MAPSH_PIN_DIR/ox_src" ]
	run --separate-stderr mapsh -j load --object "$OBJ" --object "$V1"
	assert_success
	[ "$(jq -c '[.objects[] | [.object, .maps, ([.programs[].hook] | join(","))]]' <<<"$output")" = \
	  '[["obj_xt",7,"none,none"],["mig_v1",1,"none"]]' ]
	[ -z "$(h1_xdp_id)" ]
	run --separate-stderr mapsh -j status
	[ "$(jq -c '[.objects[].object] | sort' <<<"$output")" = '["mig_v1","obj_xt"]' ]
	[ "$(jq '.attachments | length' <<<"$output")" = 0 ]
	[ "$(mapsh -j mig_flows info | jq -r .type)" = hash ]
	run --separate-stderr mapsh unload
	assert_success
	assert_output --partial "unloaded 2 objects; removed 8 map pins"
	[ ! -e "$MAPSH_PIN_DIR" ]
}

# ---- upgrades: --migrate ----

# flow FIELD: one field of the test flow's v2 entry (zone 7).
v2_flow() {
	mapsh -j mig_flows lookup src_ip=10.3.0.1 dst_ip=10.3.0.2 dst_port=53 proto=udp zone=7 | jq ".value.$1"
}

@test "load --migrate while traffic flows: no packet lost across the swap, new fields set, backup kept; --rollback restores v1 with its state" {
	mapsh load --object "$V1" --iface "$HOST1" >/dev/null
	send_pkts 1 -s 10.3.0.1 -d 10.3.0.2 -p udp --dport 53 -c 10 --len 100
	send_pkts 1 -s 10.3.0.5 -d 10.3.0.2 -p tcp --dport 80 -c 4 --len 60
	v1prog=$(h1_xdp_id)
	# a sender in the background: batches of 20 packets of the first flow,
	# the total written after each batch, until told to stop
	cnt="$BATS_TEST_TMPDIR/sent" stop="$BATS_TEST_TMPDIR/stop"
	echo 0 >"$cnt"
	bg nsenter --net="/run/netns/$NS" bash -c '
		n=0
		while [ ! -e "$1" ]; do
			"$2" -i "$3" --dmac "$4" -s 10.3.0.1 -d 10.3.0.2 -p udp --dport 53 -c 20 --len 100 || exit 1
			n=$((n + 20)); echo $n >"$5"
		done' _ "$stop" "$PKTGEN" "$PEER1" "$HOST_MAC1" "$cnt"
	wait_for "the sender's first batches" bash -c "n=\$(cat '$cnt'); [ \"\${n:-0}\" -ge 40 ]"
	run --separate-stderr mapsh load --object "$V2" --migrate --set zone=7
	assert_success
	assert_output --partial "1 migrated"
	assert_output --partial "backup"
	at_swap=$(cat "$cnt")
	wait_for "batches after the swap" bash -c "n=\$(cat '$cnt'); [ \"\${n:-0}\" -ge $((at_swap + 40)) ]"
	touch "$stop"
	bg_wait "$BG_PID"
	sent=$(cat "$cnt")
	# every packet counted: the 10 before, and all the sender's (fails while
	# the engine's second sweep writes its carried counters long after it
	# read them: what the new program counted in between is overwritten)
	echo "counted $(v2_flow packets) of $((10 + sent)) (sent $sent)"
	[ "$(v2_flow packets)" = $((10 + sent)) ]
	[ "$(v2_flow bytes)" = $(( (10 + sent) * 100 )) ]
	[ "$(v2_flow flags)" = '1' ]
	run --separate-stderr mapsh -j mig_flows lookup src_ip=10.3.0.5 dst_ip=10.3.0.2 dst_port=80 proto=tcp zone=7
	assert_success
	[ "$(jq -c '[.value.packets, .value.bytes, .value.first_seen]' <<<"$output")" = '[4,240,0]' ]
	[ "$(mapsh -j mig_flows dump | jq -c '[.[].key.zone] | unique')" = '[7]' ]
	# the new program runs; the old map is kept with the old program's record
	v2prog=$(pinned_id "$MAPSH_PIN_DIR/objects/mig_v2/progs/mig_count")
	[ "$(h1_xdp_id)" = "$v2prog" ]
	[ -e "$MAPSH_PIN_DIR/backup/mig_flows" ]
	[ "$(pinned_id "$MAPSH_PIN_DIR/backup/objects/mig_v1/progs/mig_count")" = "$v1prog" ]
	run --separate-stderr mapsh -j status
	[ "$(jq -c '[.objects[] | [.object, .state]]' <<<"$output")" = '[["mig_v2","loaded"],["mig_v1","backup"]]' ]
	# the old map stopped counting at the swap: what v1 saw then
	old=$(mapsh -j pinned "$MAPSH_PIN_DIR/backup/mig_flows" dump | jq -c 'sort_by(.key.src_ip) | [.[].value.packets]')
	oldid=$(map_id "$MAPSH_PIN_DIR/backup/mig_flows")

	run --separate-stderr mapsh load --rollback
	assert_success
	assert_output --partial "rolled back to mig_v1; 1 map put back"
	[ "$(h1_xdp_id)" = "$v1prog" ]
	[ "$(map_id "$MAPSH_PIN_DIR/mig_flows")" = "$oldid" ]
	[ "$(mapsh -j mig_flows dump | jq -c 'sort_by(.key.src_ip) | [.[].value.packets]')" = "$old" ]
	[ ! -e "$MAPSH_PIN_DIR/backup" ]
	[ ! -e "$MAPSH_PIN_DIR/objects/mig_v2" ]
	# v1 counts on from its state
	before=$(mapsh -j mig_flows lookup src_ip=10.3.0.5 dst_ip=10.3.0.2 dst_port=80 proto=tcp | jq .value.packets)
	send_pkts 1 -s 10.3.0.5 -d 10.3.0.2 -p tcp --dport 80 -c 3 --len 60
	[ "$(mapsh -j mig_flows lookup src_ip=10.3.0.5 dst_ip=10.3.0.2 dst_port=80 proto=tcp | jq .value.packets)" = $((before + 3)) ]
}

@test "load --migrate --dry-run reports the copy and changes nothing; --commit removes the backup" {
	mapsh load --object "$V1" --iface "$HOST1" >/dev/null
	send_pkts 1 -s 10.3.0.1 -d 10.3.0.2 -p udp --dport 53 -c 5 --len 100
	id=$(map_id "$MAPSH_PIN_DIR/mig_flows")
	prog=$(h1_xdp_id)
	run --separate-stderr mapsh load --object "$V2" --migrate --dry-run --set zone=7
	assert_success
	[[ "$stderr" == *"would copy 1 entry "* ]]
	[ "$(map_id "$MAPSH_PIN_DIR/mig_flows")" = "$id" ]
	[ "$(h1_xdp_id)" = "$prog" ]
	[ ! -e "$MAPSH_PIN_DIR/backup" ]
	[ ! -e "$MAPSH_PIN_DIR/objects/mig_v2" ]
	# without --migrate a changed type is refused
	run --separate-stderr mapsh load --object "$V2"
	assert_failure 1
	[[ "$stderr" == *"mig_flows"* ]]
	[ "$(h1_xdp_id)" = "$prog" ]

	mapsh load --object "$V2" --migrate --set zone=7 >/dev/null
	[ -e "$MAPSH_PIN_DIR/backup/mig_flows" ]
	run --separate-stderr mapsh load --commit
	assert_success
	assert_output --partial "removed the backup of 1 object"
	[ ! -e "$MAPSH_PIN_DIR/backup" ]
	[ "$(ls "$MAPSH_PIN_DIR/objects")" = mig_v2 ]
	[ "$(v2_flow packets)" = 5 ]
	[ "$(h1_xdp_id)" = "$(pinned_id "$MAPSH_PIN_DIR/objects/mig_v2/progs/mig_count")" ]
	run --separate-stderr mapsh load --commit
	assert_failure 1
	[[ "$stderr" == *"nothing to commit"* ]]
	run --separate-stderr mapsh load --rollback
	assert_failure 1
	[[ "$stderr" == *"nothing to roll back"* ]]
}
