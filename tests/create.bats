#!/usr/bin/env bats
# mapsh create: new maps, typed from --btf FILE (an object, a raw BTF file,
# the kernel's) or plain sizes, flags, maps of maps, the pin, the audit log,
# the refusals, and completion. Every map is made in the real kernel and
# checked with bpftool as well as with mapsh.

bats_require_minimum_version 1.5.0
load helpers

OBJ="$TOP/build/bpf/flowtrack.bpf.o"

setup() { setup_bpffs; }
teardown() { teardown_common; }

# bpftool's view of a pin: show_json PIN
show_json() { bpftool -j map show pinned "$1"; }

@test "create: types from an object: the map has BTF with the mapsh: tags, every verb shows it typed" {
	run --separate-stderr mapsh create ft hash key 'struct flow_key' value 'struct flow_metrics' max 64 --btf "$OBJ"
	assert_success
	[ -z "$stderr" ] || fail "$stderr"
	assert_output --regexp "^[0-9]+	ft	hash	struct flow_key	struct flow_metrics	0	64	0.0%	-	[0-9]+	$MAPSH_PIN_DIR/ft\$"
	# the kernel has the map with BTF of its own
	show=$(show_json "$MAPSH_PIN_DIR/ft")
	[ "$(jq -c '[.type, .name, .bytes_key, .bytes_value, .max_entries]' <<<"$show")" = '["hash","ft",16,40,64]' ]
	[ "$(jq 'has("btf_id")' <<<"$show")" = true ]
	# written with typed words (ipv4, port, protocol names: the tags came along)
	mapsh ft update src_ip=10.0.0.1 dst_ip=10.0.0.2 src_port=5555 dst_port=80 protocol=tcp packets=3 bytes=180
	run mapsh -j ft dump
	assert_success
	[ "$(jq -c '.[0] | [.key.src_ip, .key.dst_port, .key.protocol, .value.packets, .value.bytes]' <<<"$output")" = '["10.0.0.1",80,"tcp",3,180]' ]
	# bpftool reads the same bytes through the map's BTF: network order
	run bpftool -j map dump pinned "$MAPSH_PIN_DIR/ft"
	[ "$(jq -c '.[0].formatted | [.key.src_ip, .key.src_port, .value.packets]' <<<"$output")" = '[16777226,45845,3]' ]
	run mapsh ft info
	assert_line "types_from	the map"
	assert_line --partial "key.src_ip ipv4 (tag)"
}

@test "create: types from the kernel's BTF and from a raw BTF file; integers need no --btf" {
	run mapsh -j create vm hash key __u32 value 'struct iphdr' max 4 --btf /sys/kernel/btf/vmlinux
	assert_success
	[ "$(jq -c '.[0] | [.key, .value]' <<<"$output")" = '["__u32","struct iphdr"]' ]
	[ "$(show_json "$MAPSH_PIN_DIR/vm" | jq .bytes_value)" = 20 ]
	mapsh vm update 7 ttl=64 protocol=17 saddr=16777226
	run mapsh -j vm lookup 7
	assert_success
	[ "$(jq -c '[.value.ttl, .value.protocol]' <<<"$output")" = '[64,17]' ]
	# a raw BTF file (the kernel's, copied)
	cp /sys/kernel/btf/vmlinux "$BATS_TEST_TMPDIR/raw.btf"
	run mapsh create raw lru_hash key 'struct in6_addr' value __u64 max 8 --btf "$BATS_TEST_TMPDIR/raw.btf"
	assert_success
	assert_output --partial "	raw	lru_hash	struct in6_addr	__u64	"
	mapsh raw update fe80::1 5
	run mapsh raw
	assert_output "fe80::1	5"
	# __u32 and __u64 without --btf: an array of counters, typed
	run mapsh create cnt array key __u32 value __u64 max 4
	assert_success
	[ "$(show_json "$MAPSH_PIN_DIR/cnt" | jq 'has("btf_id")')" = true ]
	mapsh cnt update 2 42
	[ "$(mapsh -j cnt lookup 2 | jq .value)" = 42 ]
	[ "$(bpftool -j map lookup pinned "$MAPSH_PIN_DIR/cnt" key 2 0 0 0 | jq .formatted.value)" = 42 ]
}

@test "create: types from a module's BTF (split on vmlinux's, tests/tools/split_btf.c): the module's own first" {
	[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
	split="$BATS_TEST_TMPDIR/modtest.btf"
	"$TOP/build/split_btf" "$split" || fail "split_btf"
	run --separate-stderr mapsh create mv hash key __u32 value 'struct modtest_val' max 8 --btf "$split"
	assert_success
	assert_output --partial "	mv	hash	__u32	struct modtest_val	"
	[ "$(show_json "$MAPSH_PIN_DIR/mv" | jq -c '[.bytes_value, has("btf_id")]')" = '[32,true]' ]
	mapsh mv update 3 addr=2001:db8::3 packets=2 port=53
	run mapsh -j mv dump
	[ "$(jq -c '.[0] | [.key, .value.addr, .value.packets, .value.port]' <<<"$output")" = '[3,"2001:db8::3",2,53]' ] ||
		fail "$output"
	# the map's BTF has the types copied out of both: bpftool reads it
	run bpftool -j map dump pinned "$MAPSH_PIN_DIR/mv"
	[ "$(jq -c '.[0].formatted.value | [.addr.in6_u.u6_addr8[0], .packets, .port]' <<<"$output")" = '[32,2,53]' ] ||
		fail "$output"
	# the module's struct ethhdr (8 bytes) wins over vmlinux's (14)
	run --separate-stderr mapsh create me hash key 4 value 'struct ethhdr' max 2 --btf "$split"
	assert_success
	[ "$(show_json "$MAPSH_PIN_DIR/me" | jq .bytes_value)" = 8 ]
	run --separate-stderr mapsh create mx hash key 4 value 'struct nope' max 2 --btf "$split"
	assert_failure 1
	[ "$stderr" = "mapsh: create: value struct nope: no such type in $split or the kernel's BTF under it" ] || fail "$stderr"
}

@test "create: plain sizes make a map without BTF; a typed part beside a size gets an integer" {
	run mapsh -j create plain hash key 4 value 8 max 10
	assert_success
	[ "$(jq -c '.[0] | [.key, .value, .entries, .max_entries]' <<<"$output")" = '["4 bytes","8 bytes",0,10]' ]
	show=$(show_json "$MAPSH_PIN_DIR/plain")
	[ "$(jq -c '[.bytes_key, .bytes_value, has("btf_id")]' <<<"$show")" = '[4,8,false]' ]
	bpftool map update pinned "$MAPSH_PIN_DIR/plain" key 1 0 0 0 value 2 0 0 0 0 0 0 0
	[ "$(mapsh -j plain | jq length)" = 1 ]
	run mapsh -j create half hash key 4 value 'struct flow_metrics' max 2 --btf "$OBJ"
	assert_success
	[ "$(jq -r '.[0].key' <<<"$output")" = __u32 ]
	mapsh half update 9 packets=1
	[ "$(mapsh -j half lookup 9 | jq -c '[.key, .value.packets]')" = '[9,1]' ]
}

@test "create: flags, a pin path of one's own, a missing pin directory is made" {
	rmdir "$MAPSH_PIN_DIR" 2>/dev/null || true
	[ ! -e "$MAPSH_PIN_DIR" ]
	run mapsh create np hash key 4 value 4 max 8 no_prealloc zero_seed
	assert_success
	[ -e "$MAPSH_PIN_DIR/np" ]
	[ "$(show_json "$MAPSH_PIN_DIR/np" | jq .flags)" = $(( 1 | 64 )) ]
	run mapsh create mm array key __u32 value 8 max 4 mmapable rdonly_prog pin "$BPFFS/elsewhere"
	assert_success
	[ "$(show_json "$BPFFS/elsewhere" | jq .flags)" = $(( 1024 | 128 )) ]
	[ ! -e "$MAPSH_PIN_DIR/mm" ]
	run mapsh -j pinned "$BPFFS/elsewhere" lookup 3
	assert_success
}

@test "create: a map of maps with an inner map; queues take no BTF and say so" {
	mapsh create in1 hash key 4 value 4 max 4
	run mapsh create om hash_of_maps key __u32 max 4 inner in1
	assert_success
	show=$(show_json "$MAPSH_PIN_DIR/om")
	[ "$(jq -c '[.type, .bytes_value]' <<<"$show")" = '["hash_of_maps",4]' ]
	bpftool map update pinned "$MAPSH_PIN_DIR/om" key 1 0 0 0 value pinned "$MAPSH_PIN_DIR/in1"
	[ "$(mapsh -j om | jq length)" = 1 ]
	run mapsh create om2 hash_of_maps key 4 max 4
	assert_failure 2
	assert_output "mapsh: create: a hash_of_maps needs 'inner MAP': a map its inner maps are like"
	run --separate-stderr mapsh create q queue value 'struct flow_key' max 4 --btf "$OBJ"
	assert_success
	[ "$stderr" = "mapsh: create: the kernel keeps no BTF for queue maps: q is untyped (read it with --btf $OBJ --value-type 'struct flow_key')" ] || fail "$stderr"
	[ "$(show_json "$MAPSH_PIN_DIR/q" | jq -c '[.type, .bytes_key, .bytes_value]')" = '["queue",0,16]' ]
	mapsh --btf "$OBJ" --value-type 'struct flow_key' q push src_ip=10.1.1.1 dst_ip=10.1.1.2 src_port=1 dst_port=2 protocol=udp
	run mapsh -j --btf "$OBJ" --value-type 'struct flow_key' q peek
	assert_success
	assert_output --partial '"10.1.1.1"'
	run mapsh create rb ringbuf max 4096
	assert_success
	[ "$(show_json "$MAPSH_PIN_DIR/rb" | jq -c '[.type, .max_entries]')" = '["ringbuf",4096]' ]
}

@test "create: refusals change nothing: an existing pin, unknown types, words and missing parts" {
	mapsh create dup hash key 4 value 4 max 2
	id=$(show_json "$MAPSH_PIN_DIR/dup" | jq .id)
	run mapsh create dup hash key 4 value 8 max 2
	assert_failure 1
	assert_output "mapsh: create: $MAPSH_PIN_DIR/dup exists already (nothing changed)"
	[ "$(show_json "$MAPSH_PIN_DIR/dup" | jq -c '[.id, .bytes_value]')" = "[$id,4]" ]
	run mapsh create x hashx key 4 value 4 max 1
	assert_failure 2
	assert_output --partial "'hashx' is no map type"
	run mapsh create x hash key 'struct flow_key' value 4 max 1
	assert_failure 2
	assert_output --partial "key struct flow_key: a type needs --btf FILE"
	run mapsh create x hash key 'struct nosuch' value 4 max 1 --btf "$OBJ"
	assert_failure 1
	assert_output "mapsh: create: key struct nosuch: no such type in $OBJ"
	run mapsh create x hash key 4 value 4
	assert_failure 2
	assert_output --partial "'max N' is needed"
	run mapsh create x hash key 4 value 4 max 1 nosuchflag
	assert_failure 2
	assert_output --partial "unexpected 'nosuchflag'"
	run mapsh create this_name_is_too_long hash key 4 value 4 max 1
	assert_failure 2
	# the kernel's refusal: an array's key is 4 bytes
	run mapsh create x array key 8 value 4 max 1
	assert_failure 1
	assert_output "mapsh: create: the kernel refused array x (key 8 bytes, value 4 bytes, max 1): Invalid argument"
	[ ! -e "$MAPSH_PIN_DIR/x" ]
}

@test "create: cgroup and local storages take no max (the kernel's 0), as bpftool makes them; other types refuse max 0" {
	run -0 mapsh create cs cgroup_storage key 8 value 8
	[ "$(show_json "$MAPSH_PIN_DIR/cs" | jq -c '[.type, .bytes_key, .max_entries]')" = '["cgroup_storage",8,0]' ]
	run -0 mapsh create ts task_storage key __s32 value __u64 no_prealloc max 0
	[ "$(show_json "$MAPSH_PIN_DIR/ts" | jq -c '[.type, .max_entries]')" = '["task_storage",0]' ]
	# a storage that works: a value for this shell
	run -0 mapsh ts update $$ 5
	run -0 mapsh -j ts lookup $$
	[ "$(jq -c .value <<<"$output")" = 5 ] || fail "$output"
	run mapsh create h0 hash key 4 value 4 max 0
	assert_failure 2
	assert_output "mapsh: create: max 0: a hash holds 1 entry or more (a ring buffer: its size in bytes)"
	[ ! -e "$MAPSH_PIN_DIR/h0" ]
}

@test "create: the audit log gets the intent and the result; a log that cannot be written leaves no map" {
	LOG="$BATS_TEST_TMPDIR/audit.log"
	run mapsh --audit-log "$LOG" create au lru_hash key __u32 value 'struct flow_metrics' max 8 --btf "$OBJ"
	assert_success
	id=$(show_json "$MAPSH_PIN_DIR/au" | jq .id)
	[ "$(wc -l <"$LOG")" -eq 2 ]
	[ "$(jq -sc '[.[] | [.op, .state, .map.name, .map.id, .pin]]' "$LOG")" = "[[\"create\",\"intent\",\"au\",$id,\"$MAPSH_PIN_DIR/au\"],[\"create\",\"done\",\"au\",$id,\"$MAPSH_PIN_DIR/au\"]]" ]
	[ "$(jq -sc '.[0].created | [.type, .key_size, .value_size, .max_entries, .key_type, .value_type]' "$LOG")" = '["lru_hash",4,40,8,"__u32","struct flow_metrics"]' ]
	# a log that is a directory: refused before anything is pinned
	mkdir "$BATS_TEST_TMPDIR/logdir"
	before=$(bpftool -j map show | jq length)
	run mapsh --audit-log "$BATS_TEST_TMPDIR/logdir" create au2 hash key 4 value 4 max 2
	assert_failure 1
	assert_output --partial "is a directory, not a regular file (refused; nothing changed)"
	[ ! -e "$MAPSH_PIN_DIR/au2" ]
	# $MAPSH_AUDIT_LOG works as well
	MAPSH_AUDIT_LOG="$LOG" mapsh create au3 hash key 4 value 4 max 2
	[ "$(jq -sc '[.[] | select(.map.name == "au3") | .state]' "$LOG")" = '["intent","done"]' ]
}

@test "create: completion offers map types, the words, the flags and the --btf file's types" {
	run mapsh __complete -- create x lru_
	assert_output "lru_hash
lru_percpu_hash"
	run mapsh __complete -- create x hash key 4 value 4 no_p
	assert_output "no_prealloc"
	run mapsh __complete -- create x hash key 4 m
	assert_output "max
mmapable"
	run mapsh __complete -- --btf "$OBJ" create x hash key "struct flow_"
	assert_output "struct flow_event
struct flow_key
struct flow_metrics"
	run mapsh __complete -- create x hash value __u
	assert_output "__u8
__u16
__u32
__u64"
	run mapsh help create
	assert_success
	assert_output --partial "Usage: mapsh create NAME TYPE"
}
