#!/usr/bin/env bats
# Maps of maps: dump (the inner map of each key), dump --recursive,
# OUTER[KEY] verbs, and installing inner maps with update KEY inner=...
# on the bundled iface_blocklist and on foreign maps made with bpftool.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	INNER1="$MAPSH_PIN_DIR/inner/iface_blocklist_$HOST1"
}
teardown() { teardown_common; }

map_id() { bpftool -j map show pinned "$1" | jq .id; }

@test "dump: each key with its inner map's id, type, name and entries" {
	mapsh "iface_blocklist[$HOST1]" add src_ip=10.0.0.6 dst_port=0 protocol=0 action=drop
	run --separate-stderr mapsh -j iface_blocklist dump
	assert_success
	[ -z "$stderr" ]
	[ "$(jq length <<<"$output")" = 1 ]
	[ "$(jq '.[0].key.ifindex' <<<"$output")" = "$HOST_IFINDEX1" ]
	[ "$(jq '.[0].inner.id' <<<"$output")" = "$(map_id "$INNER1")" ]
	[ "$(jq -r '.[0].inner.type' <<<"$output")" = hash ]
	[ "$(jq -r '.[0].inner.name' <<<"$output")" = "$(bpftool -j map show pinned "$INNER1" | jq -r .name)" ]
	[ "$(jq '.[0].inner.entries' <<<"$output")" = 1 ]
	[ "$(jq '.[0].inner.max_entries' <<<"$output")" = 4096 ]
	# text: a table with the key's fields, then the inner map's columns
	run mapsh iface_blocklist dump --format table
	assert_success
	[[ "${lines[0]}" =~ ^ifindex\ +inner_id\ +inner_type\ +inner_name\ +inner_entries$ ]]
	[[ "${lines[1]}" =~ ^$HOST1\ +$(map_id "$INNER1")\ +hash\ +[a-z_0-9]+\ +1$ ]]
	# dump is the default verb now; lookup shows one key
	run mapsh iface_blocklist
	assert_success
	[ "$(cut -f1,2,3,5 <<<"$output")" = "$(printf '%s\t%s\thash\t1' "$HOST1" "$(map_id "$INNER1")")" ]
	run mapsh -j iface_blocklist lookup "$HOST1"
	assert_success
	[ "$(jq .inner.id <<<"$output")" = "$(map_id "$INNER1")" ]
	run --separate-stderr mapsh iface_blocklist lookup lo
	assert_failure 1
	[ "$stderr" = "mapsh: iface_blocklist has no inner map at key {ifindex=lo}" ]
}

@test "dump --recursive dumps each inner map, typed" {
	mapsh "iface_blocklist[$HOST1]" add src_ip=10.0.0.6 dst_port=0 protocol=0 action=drop
	mapsh "iface_blocklist[$HOST1]" add src_ip=10.0.0.7 dst_port=53 protocol=udp action=allow
	send_pkts 1 -s 10.0.0.6 -d 10.0.0.2 -p udp -c 2
	run mapsh -j iface_blocklist dump --recursive
	assert_success
	[ "$(jq '.[0].inner.dump | length' <<<"$output")" = 2 ]
	[ "$(jq -r '.[0].inner.dump[] | select(.key.src_ip == "10.0.0.6") | .value.action' <<<"$output")" = FW_DROP ]
	[ "$(jq '.[0].inner.dump[] | select(.key.src_ip == "10.0.0.6") | .value.hits' <<<"$output")" = 2 ]
	[ "$(jq -r '.[0].inner.dump[] | select(.key.src_ip == "10.0.0.7") | .key.protocol' <<<"$output")" = udp ]
	# --jsonl: one line per key, the inner dump inside
	run mapsh --jsonl iface_blocklist dump -r
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq '.inner.dump | length' <<<"$output")" = 2 ]
	# text: the outer table, then each inner map under a heading
	run mapsh iface_blocklist dump -r --format table
	assert_success
	assert_line "iface_blocklist[ifindex=$HOST1]: hash map id $(map_id "$INNER1"), 2 entries"
	assert_line --regexp '^src_ip +dst_port +protocol +action +hits$'
	assert_line --regexp '^10\.0\.0\.6 +0 +0 +FW_DROP +2$'
	# the same entries as OUTER[KEY] dump
	[ "$(mapsh -j iface_blocklist dump -r | jq -c '.[0].inner.dump | sort_by(.key.src_ip)')" = \
	  "$(mapsh -j "iface_blocklist[$HOST1]" dump | jq -c 'sort_by(.key.src_ip)')" ]
	run --separate-stderr mapsh flows dump --recursive
	assert_failure 2
	[ "$stderr" = "mapsh: flows dump: --recursive applies to maps of maps (flows is lru_hash)" ]
}

@test "update KEY inner=...: installs an inner map the program then uses; OUTER[KEY] verbs on it" {
	bpftool map create "$BPFFS/rules2" type hash key 8 value 16 entries 64 name rules2
	run mapsh iface_blocklist update "$HOST1" inner=pinned:"$BPFFS/rules2"
	assert_success
	[ -z "$output" ]
	[ "$(mapsh -j iface_blocklist dump | jq '.[0].inner.id')" = "$(map_id "$BPFFS/rules2")" ]
	# the inner map has no BTF: OUTER[KEY] types it from the outer definition
	run mapsh "iface_blocklist[$HOST1]" add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	assert_success
	run bpftool -j map lookup pinned "$BPFFS/rules2" key hex $(hex_ip4 10.0.0.9) 00 00 00 00
	assert_success
	[ "$(jq -r '.value[0]' <<<"$output")" = 0x01 ]	# FW_DROP
	# the program now drops by it
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p udp -c 3
	[ "$(mapsh -j "iface_blocklist[$HOST1]" lookup src_ip=10.0.0.9 dst_port=0 protocol=0 | jq .value.hits)" = 3 ]
	[ "$(mapsh -j iface_blocklist dump -r | jq '.[0].inner.dump[0].value.hits')" = 3 ]
	# add refuses a key that has one; replace and update by id do not
	run --separate-stderr mapsh iface_blocklist add "$HOST1" inner=id:"$(map_id "$INNER1")"
	assert_failure 1
	[ "$stderr" = "mapsh: iface_blocklist: key {ifindex=$HOST1} holds an inner map already (id $(map_id "$BPFFS/rules2"); use update or replace)" ]
	run mapsh iface_blocklist replace "$HOST1" inner=id:"$(map_id "$INNER1")"
	assert_success
	[ "$(mapsh -j iface_blocklist lookup "$HOST1" | jq .inner.id)" = "$(map_id "$INNER1")" ]
	# a second key; delete takes it out again
	run mapsh iface_blocklist add lo inner=pinned:"$BPFFS/rules2"
	assert_success
	[ "$(mapsh -j iface_blocklist count | jq .entries)" = 2 ]
	run mapsh iface_blocklist delete lo
	assert_success
	[ "$(mapsh -j iface_blocklist count | jq .entries)" = 1 ]
}

@test "bad inner maps are refused with one line and change nothing" {
	bpftool map create "$BPFFS/wrong" type hash key 4 value 4 entries 8 name wrong
	bpftool map create "$BPFFS/arr" type array key 4 value 16 entries 8 name arr
	before=$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/iface_blocklist")
	for args in "update $HOST1 inner=pinned:$BPFFS/wrong" "update $HOST1 inner=pinned:$BPFFS/arr" \
		    "update $HOST1 inner=id:4000000000" "update lo inner=pinned:$BPFFS/nothing"; do
		run --separate-stderr mapsh iface_blocklist $args
		[ "$status" -eq 1 ] || fail "$args: exit $status ($stderr)"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$args: $stderr"
		[ -z "$output" ]
	done
	for args in "update $HOST1 inner=foo" "update $HOST1" "update nosuchif inner=id:1" \
		    "update $HOST1 inner=id:1 extra" "update $HOST1 inner=id:1 --cpu 0" "pop"; do
		run --separate-stderr mapsh iface_blocklist $args
		[ "$status" -eq 2 ] || fail "$args: exit $status ($stderr)"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$args: $stderr"
	done
	run --separate-stderr mapsh iface_blocklist update "$HOST1" inner=pinned:"$BPFFS/wrong"
	[ "$stderr" = "mapsh: iface_blocklist update: inner map id $(map_id "$BPFFS/wrong") (hash, key 4, value 4, flags 0x0) does not fit iface_blocklist, whose inner maps are hash, key 8, value 16, flags 0x0" ]
	run --separate-stderr mapsh iface_blocklist update "$HOST1" inner=id:4000000000
	[ "$stderr" = "mapsh: no map with id 4000000000 (see 'mapsh maps --all')" ]
	run --separate-stderr mapsh iface_blocklist update "$HOST1" inner=foo
	[ "$stderr" = "mapsh: iface_blocklist update: 'inner=foo': expected inner=id:N or inner=pinned:PATH" ]
	[ "$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/iface_blocklist")" = "$before" ]
}

@test "foreign maps of maps: array and hash of maps made by bpftool, the kernel's own check" {
	bpftool map create "$BPFFS/in" type hash key 4 value 8 entries 16 name in
	bpftool map create "$BPFFS/bad" type hash key 8 value 8 entries 16 name bad
	bpftool map create "$BPFFS/aom" type array_of_maps key 4 value 4 entries 4 name aom \
		inner_map pinned "$BPFFS/in"
	bpftool map create "$BPFFS/hom" type hash_of_maps key 4 value 4 entries 4 name hom \
		inner_map pinned "$BPFFS/in"
	bpftool map update pinned "$BPFFS/in" key hex 07 00 00 00 value hex 2a 00 00 00 00 00 00 00
	run mapsh pinned "$BPFFS/aom" update hex 02 00 00 00 inner=pinned:"$BPFFS/in"
	assert_success
	run mapsh -j pinned "$BPFFS/aom" dump -r
	assert_success
	[ "$(jq -c '.[0].key' <<<"$output")" = '["0x02","0x00","0x00","0x00"]' ]
	[ "$(jq '.[0].inner.id' <<<"$output")" = "$(map_id "$BPFFS/in")" ]
	[ "$(jq -c '.[0].inner.dump[0].key' <<<"$output")" = '["0x07","0x00","0x00","0x00"]' ]
	run mapsh -j pinned "$BPFFS/aom[hex 02 00 00 00]" dump
	[ "$(jq -c '.[0].value[0]' <<<"$output")" = '"0x2a"' ]
	# an empty hash of maps: no inner map to compare with, the kernel says no
	run --separate-stderr mapsh pinned "$BPFFS/hom" update hex 01 00 00 00 inner=pinned:"$BPFFS/bad"
	assert_failure 1
	[ "$stderr" = "mapsh: hom update: the kernel refused inner map id $(map_id "$BPFFS/bad") (hash, key 8, value 8, flags 0x0): it does not match hom's inner map template" ]
	[ "$(bpftool -j map dump pinned "$BPFFS/hom" | jq length)" = 0 ]
}

@test "update KEY inner=... with --audit-log: one line with the old and new inner map ids" {
	bpftool map create "$BPFFS/rules2" type hash key 8 value 16 entries 64 name rules2
	log="$BATS_TEST_TMPDIR/audit.log"
	old=$(map_id "$INNER1")
	new=$(map_id "$BPFFS/rules2")
	run mapsh --audit-log "$log" iface_blocklist update "$HOST1" inner=pinned:"$BPFFS/rules2"
	assert_success
	[ "$(mapsh -j iface_blocklist lookup "$HOST1" | jq .inner.id)" = "$new" ]
	[ "$(jq -c 'select(.state == "intent")' "$log" | wc -l)" = 1 ]
	le() { printf '{"inner_id":%d}' "$1"; }
	[ "$(jq -c 'select(.state == "intent") | [.map.name, .op, .key.ifindex, .old, .new]' "$log")" = \
	  "[\"iface_blocklist\",\"update\",$HOST_IFINDEX1,$(le "$old"),$(le "$new")]" ]
	# add of a new key: old is null
	run mapsh --audit-log "$log" iface_blocklist add lo inner=id:"$old"
	assert_success
	[ "$(jq -c 'select(.state == "intent")' "$log" | sed -n 2p | jq -c '[.op, .key.ifindex, .old, .new]')" = "[\"add\",1,null,$(le "$old")]" ]
}
