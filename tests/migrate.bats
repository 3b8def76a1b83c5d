#!/usr/bin/env bats
# migrate: `mapsh OLD migrate --to NEW` copies every entry into a map of a
# changed type by BTF field names (map/migrate.h). On maps of real objects
# loaded with bpftool: mig_v1/mig_v2 (a flow counter whose struct changes:
# a key field added, a counter widened, two fields swapped, a value field
# added) and mig_x (targets for the refusals and map type changes).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	mkdir -p "$MAPSH_PIN_DIR"
	local v
	for v in v1 v2 x; do
		bpftool prog loadall "$TOP/build/mig_$v.bpf.o" "$BPFFS/p$v" type xdp \
			pinmaps "$BPFFS/m$v"
	done
	mv "$BPFFS/mv1/mig_flows" "$MAPSH_PIN_DIR/flows1"
	mv "$BPFFS/mv2/mig_flows" "$MAPSH_PIN_DIR/flows2"
	for v in narrow noport renamed lru small big1 big2; do
		mv "$BPFFS/mx/mig_$v" "$MAPSH_PIN_DIR/$v"
	done
	F="$BATS_TEST_TMPDIR/fill.jsonl"
	CHILD=
}
teardown() {
	[ -n "$CHILD" ] && { kill -KILL "$CHILD" 2>/dev/null || true; wait "$CHILD" 2>/dev/null || true; }
	teardown_common
}

# fill MAP N [PACKETS]: N v1-typed flows (packets = PACKETS or i * 3,
# bytes = i * 100, flags = i % 5, last_seen = i + 1000).
fill() {
	local map=$1 n=$2 pk=${3:-}
	awk -v n="$n" -v pk="$pk" 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"key\":{\"src_ip\":\"10.%d.%d.%d\",\"dst_ip\":\"10.9.0.1\",\"dst_port\":%d,\"proto\":\"udp\"},\"value\":{\"packets\":%s,\"flags\":%d,\"bytes\":%d,\"last_seen\":%d}}\n",
			int(i / 65536), int(i / 256) % 256, i % 256, 1000 + i % 7, pk != "" ? pk : i * 3, i % 5, i * 100, i + 1000 }' >"$F"
	mapsh "$map" apply "$F" >/dev/null
}

# The entries of MAP as sorted JSON lines, one per entry.
entries() { mapsh -j "$1" dump | jq -c '.[]' | sort; }

@test "v1 to v2: every entry copied, the counter widened, fields matched by name, the new key field --set" {
	fill flows1 300
	run --separate-stderr mapsh flows1 migrate --to flows2 --set zone=7
	assert_success
	assert_output --partial "value packets: widened (__u32 to __u64)"
	assert_output --partial "key zone: new, set to 7"
	assert_output --partial "value first_seen: new, zero"
	assert_output --partial "copied 300 entries"
	[ "$(mapsh flows2 count)" = 300 ]
	# every v1 entry, field by field, is in v2 under its key with zone 7
	diff <(mapsh -j flows1 dump | jq -c '.[] | {k: ((.key | del(.pad)) + {zone: 7}),
		v: {bytes: .value.bytes, packets: .value.packets, flags: .value.flags,
		    last_seen: .value.last_seen, first_seen: 0}}' | sort) \
	     <(mapsh -j flows2 dump | jq -c '.[] | {k: (.key | del(.pad)),
		v: (.value | del(.pad))}' | sort)
	# a value over 2^31 keeps its bits through the widening
	mapsh flows1 update src_ip=1.1.1.1 dst_ip=2.2.2.2 dst_port=9 proto=tcp value packets=4294967295 flags=0 bytes=1 last_seen=0
	mapsh flows2 clear --yes >/dev/null
	mapsh flows1 migrate --to flows2 --set zone=1 >/dev/null
	[ "$(mapsh -j flows2 lookup src_ip=1.1.1.1 dst_ip=2.2.2.2 dst_port=9 proto=tcp zone=1 | jq '.value.packets')" = 4294967295 ]
}

@test "--dry-run prints the plan and the entry count and writes nothing" {
	fill flows1 20
	run --separate-stderr mapsh flows1 migrate --to flows2 --dry-run --set zone=7
	assert_success
	assert_output --partial "key src_ip: copied (__be32)"
	assert_output --partial "value bytes: copied (__u64)"
	assert_output --partial "value packets: widened (__u32 to __u64)"
	assert_output --partial "would copy 20 entries"
	[ "$(mapsh flows2 count)" = 0 ]
	run --separate-stderr mapsh flows1 migrate --to narrow --dry-run
	assert_output --partial "value packets: narrowed, every value checked (__u32 to __u16)"
	assert_output --partial "value last_seen: dropped (only in the old type)"
	[ "$(mapsh narrow count)" = 0 ]
}

@test "a narrowing that does not fit is refused naming the entries; both maps unchanged" {
	fill flows1 50
	mapsh flows1 update src_ip=10.7.7.7 dst_ip=10.9.0.1 dst_port=1000 proto=udp value packets=70000 flags=0 bytes=0 last_seen=0
	mapsh flows1 update src_ip=10.7.7.8 dst_ip=10.9.0.1 dst_port=1000 proto=udp value packets=65536 flags=0 bytes=0 last_seen=0
	mapsh narrow update src_ip=1.2.3.4 dst_ip=1.2.3.4 dst_port=1 proto=tcp value packets=1 flags=1 bytes=1
	before=$(entries flows1) nbefore=$(entries narrow)
	run --separate-stderr mapsh flows1 migrate --to narrow
	assert_failure 1
	[[ $stderr == *"refused: 2 entries with values that do not fit"* ]] || fail "$stderr"
	[[ $stderr == *"src_ip=10.7.7.7"*"packets=70000 does not fit __u16"* ]] || fail "$stderr"
	[[ $stderr == *"src_ip=10.7.7.8"*"packets=65536"* ]] || fail "$stderr"
	[[ $stderr != *"10.0.0.1 "* ]] || fail "an entry that fits is named: $stderr"
	[ "$(entries flows1)" = "$before" ]
	[ "$(entries narrow)" = "$nbefore" ]
	# once they fit, the narrowing copies
	mapsh flows1 update src_ip=10.7.7.7 dst_ip=10.9.0.1 dst_port=1000 proto=udp value packets=65535 flags=0 bytes=0 last_seen=0
	mapsh flows1 delete src_ip=10.7.7.8 dst_ip=10.9.0.1 dst_port=1000 proto=udp
	run mapsh flows1 migrate --to narrow
	assert_success
	[ "$(mapsh -j narrow lookup src_ip=10.7.7.7 dst_ip=10.9.0.1 dst_port=1000 proto=udp | jq .value.packets)" = 65535 ]
	[ "$(mapsh -j narrow lookup src_ip=10.0.0.9 dst_ip=10.9.0.1 dst_port=1002 proto=udp | jq -c .value)" = '{"packets":27,"flags":4,"bytes":900}' ]
}

@test "two old keys that become one new key are refused, both named; nothing written" {
	fill flows1 10
	mapsh flows1 update src_ip=10.0.0.3 dst_ip=10.9.0.1 dst_port=4444 proto=udp value packets=1 flags=0 bytes=0 last_seen=0
	run --separate-stderr mapsh flows1 migrate --to noport
	assert_failure 1
	[[ $stderr == *"refused: 1 entry with old keys that become one new key"* ]] || fail "$stderr"
	[[ $stderr == *"dst_port=4444"*"both become {src_ip=10.0.0.3 dst_ip=10.9.0.1 proto=udp}"* ||
	   $stderr == *"dst_port=1003"*"both become {src_ip=10.0.0.3 dst_ip=10.9.0.1 proto=udp}"* ]] || fail "$stderr"
	[[ $stderr == *"dst_port=4444"* && $stderr == *"dst_port=1003"* ]] || fail "$stderr"
	[ "$(mapsh noport count)" = 0 ]
}

@test "--rename carries a field to its new name; --set of a copied or unknown field is refused" {
	fill flows1 30
	run --separate-stderr mapsh flows1 migrate --to renamed --rename packets=pkts
	assert_success
	assert_output --partial "value pkts: from packets, widened (__u32 to __u64)"
	diff <(mapsh -j flows1 dump | jq -c '.[] | [.key.src_ip, .value.packets, .value.bytes]' | sort) \
	     <(mapsh -j renamed dump | jq -c '.[] | [.key.src_ip, .value.pkts, .value.bytes]' | sort)
	run --separate-stderr mapsh flows1 migrate --to flows2 --set packets=3
	assert_failure 1
	[[ $stderr == *"--set packets=3: the old type has value field 'packets', which is copied"* ]] || fail "$stderr"
	run --separate-stderr mapsh flows1 migrate --to flows2 --set zon=3
	assert_failure 1
	[[ $stderr == *"no such field (did you mean 'zone'?)"* ]] || fail "$stderr"
	[ "$(mapsh flows2 count)" = 0 ]
}

@test "hash to LRU hash; more entries than the new map holds are refused" {
	fill flows1 500
	run mapsh flows1 migrate --to lru
	assert_success
	[ "$(mapsh lru count)" = 500 ]
	diff <(mapsh -j flows1 dump | jq -c '.[] | [.key, .value.packets, .value.last_seen]' | sort) \
	     <(mapsh -j lru dump | jq -c '.[] | [.key, .value.packets, .value.last_seen]' | sort)
	run --separate-stderr mapsh flows1 migrate --to small
	assert_failure 1
	[[ $stderr == *"does not fit: small would hold 500 entries (0 now, 500 to add) and its max_entries is 2; nothing written"* ]] || fail "$stderr"
	[ "$(mapsh small count)" = 0 ]
}

@test "--then: a second sweep carries over what changed meanwhile, counters by their delta" {
	fill flows1 40
	# between the sweeps: the "old program" counts on in flows1, and the
	# "new program" counts in flows2 already
	then="$MAPSH flows1 set src_ip=10.0.0.5 dst_ip=10.9.0.1 dst_port=1005 proto=udp packets=1015 flags=9 &&
	      $MAPSH flows2 set src_ip=10.0.0.5 dst_ip=10.9.0.1 dst_port=1005 proto=udp zone=7 packets=20 &&
	      $MAPSH flows1 update src_ip=10.5.5.5 dst_ip=10.9.0.1 dst_port=1 proto=udp value packets=3 flags=0 bytes=0 last_seen=0 &&
	      $MAPSH flows1 delete src_ip=10.0.0.6 dst_ip=10.9.0.1 dst_port=1006 proto=udp"
	run --separate-stderr mapsh flows1 migrate --to flows2 --set zone=7 --then "$then"
	assert_success
	assert_output --partial "second sweep: 3 entries changed since the first carried over"
	k="src_ip=10.0.0.5 dst_ip=10.9.0.1 dst_port=1005 proto=udp zone=7"
	# copied 15, the new program made it 20, the old one counted 1000 more
	[ "$(mapsh -j flows2 lookup $k | jq -c '[.value.packets, .value.flags]')" = '[1020,9]' ]
	[ "$(mapsh -j flows2 lookup src_ip=10.5.5.5 dst_ip=10.9.0.1 dst_port=1 proto=udp zone=7 | jq .value.packets)" = 3 ]
	run mapsh flows2 lookup src_ip=10.0.0.6 dst_ip=10.9.0.1 dst_port=1006 proto=udp zone=7
	assert_failure
	[ "$(mapsh flows2 count)" = 40 ]
	# a failing --then stops after the first sweep
	mapsh flows2 clear --yes >/dev/null
	run --separate-stderr mapsh flows1 migrate --to flows2 --set zone=7 --then false
	assert_failure 1
	[[ $stderr == *"--then 'false' failed"* ]] || fail "$stderr"
	[ "$(mapsh flows2 count)" = 40 ]
}

@test "a migrate killed while it writes is undone by recover, or finished by recover --forward" {
	fill big1 200000
	id=$(mapsh -j big2 info | jq .id)
	J="$MAPSH_STATE_DIR/journal/$id"
	killed=0
	for try in 1 2 3 4 5 6; do
		mapsh big2 clear --yes >/dev/null 2>&1 || mapsh big2 recover >/dev/null
		mapsh big2 clear --yes >/dev/null
		"$MAPSH" big1 migrate --to big2 >/dev/null 2>&1 &
		CHILD=$!
		while kill -0 "$CHILD" 2>/dev/null && [ ! -e "$J" ]; do :; done
		kill -KILL "$CHILD" 2>/dev/null || true
		wait "$CHILD" 2>/dev/null || true
		CHILD=
		[ -e "$J" ] || continue
		killed=$((killed + 1))
		run --separate-stderr mapsh big2 count
		[[ $stderr == *"partly changed"* || $stderr == *"interrupted"* ]] || fail "no warning: $stderr"
		if ((killed == 1)); then
			run mapsh big2 recover
			assert_success
			[ "$(mapsh big2 count)" = 0 ]
		else
			run mapsh big2 recover --forward
			assert_success
			[ "$(mapsh big2 count)" = 200000 ]
			break
		fi
	done
	echo "# $killed of $try runs killed while writing" >&3
	[ "$killed" -ge 1 ] || skip "no kill landed while migrate was writing"
}
