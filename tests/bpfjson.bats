#!/usr/bin/env bats
# --format bpftool: jq filters written for `bpftool -j map dump` (keys,
# values, formatted fields, per-CPU values) give the same results on
# bpftool's output and on mapsh's, for maps of every readable type loaded
# into the kernel: the bundled ones (mapsh load, real traffic), the round
# trip maps of every BTF construct (tests/tools/rt_types.bpf.c), global
# data sections, per-CPU maps with bitfields and a map without BTF. Then
# mapsh's own -j: one record shape for queues, stacks and ring buffers,
# wall-clock times beside the raw ktime; -n, -H and --format csv.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
}
teardown() {
	teardown_common
}

# The filters: each one a consumer of bpftool's JSON might run.
FILTERS=(
	'sort_by(.key) | map(.key)'
	'sort_by(.key) | map(.value)'
	'sort_by(.key) | map(.values)'
	'sort_by(.key) | map(.formatted)'
	'sort_by(.key) | map(.formatted.key)'
	'sort_by(.key) | map(.formatted.value)'
	'sort_by(.key) | map(.formatted.values[]? | {cpu, value})'
	'sort_by(.key) | [.[] | .values[]? | select(.cpu == 1) | .value]'
	'[.[] | keys] | unique'
	'length'
)

# same_as_bpftool PINPATH [MAPSH ARGS...]: every filter gives the same on
# `bpftool -j map dump` and `mapsh --format bpftool ... dump`.
same_as_bpftool() {
	local pin=$1 f bt ms
	shift
	bt=$(bpftool -j map dump pinned "$pin") || fail "bpftool dump $pin"
	ms=$("$MAPSH" --format bpftool "$@" pinned "$pin" dump) || fail "mapsh dump $pin"
	for f in "${FILTERS[@]}"; do
		diff <(jq -cS "$f" <<<"$bt") <(jq -cS "$f" <<<"$ms") ||
			fail "$pin: filter '$f' differs (bpftool <, mapsh >)"
	done
	# and the whole documents, entry by entry
	diff <(jq -cS 'sort_by(.key)[]' <<<"$bt") <(jq -cS 'sort_by(.key)[]' <<<"$ms") ||
		fail "$pin: dumps differ"
}

@test "bpftool shape: the bundled maps after traffic (hash, lru, percpu hash and array, array, lpm, map of maps)" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	send_pkts 1 -s 10.1.1.3 -d 10.1.1.2 -p tcp --sport 4000 --dport 443 -c 3 --tcp-flags SYN
	send_pkts 1 -s 10.1.1.4 -d 10.1.1.2 -p udp --sport 53 --dport 5353 -c 2
	mapsh blocklist update src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	mapsh blocklist update src_ip=10.0.0.8 dst_port=80 protocol=tcp action=allow hits=4
	mapsh blocked_prefixes update 10.0.0.0/8 action=drop
	mapsh blocked_prefixes update 10.1.0.0/16 action=allow
	mapsh config set sample_rate=5 rate_limit_pps=7
	# every map of the two programs, each compared
	local n=0 m
	for m in flows flows6 proto_stats cpu_stats iface_stats config blocklist \
		 blocked_prefixes rate_limits policy_routes redirect_stats iface_blocklist; do
		same_as_bpftool "$MAPSH_PIN_DIR/$m"
		n=$((n + 1))
	done
	[ "$n" = 12 ]
	# not vacuous: traffic made entries, per-CPU values on both CPUs
	[ "$(mapsh --format bpftool flows dump | jq length)" = 2 ]
	[ "$(mapsh --format bpftool proto_stats dump | jq '.[0].values | length')" -ge 2 ]
	mapsh --format bpftool flows dump | jq -e '.[] | select(.formatted.value.packets == 3) | .formatted.key.protocol == 6'
	# lookup: one object, as bpftool's lookup
	diff <(bpftool -j map lookup pinned "$MAPSH_PIN_DIR/config" key 0 0 0 0 | jq -cS .) \
	     <(mapsh --format bpftool config lookup 0 | jq -cS .)
	# -p: the same document, pretty
	diff <(mapsh -p --format bpftool flows dump | jq -cS .) <(mapsh --format bpftool flows dump | jq -cS .)
	[ "$(mapsh -p --format bpftool config dump | wc -l)" -gt 5 ]
}

@test "bpftool shape: queues and stacks (peek, pop, drain) as bpftool's peek and pop" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	# each element pushed twice: bpftool pops one, mapsh the other
	mapsh samples push src_ip=10.0.0.1 protocol=tcp timestamp=5
	mapsh samples push src_ip=10.0.0.1 protocol=tcp timestamp=5
	mapsh recent_drops push src_ip=10.0.0.4
	mapsh recent_drops push src_ip=10.0.0.4
	local m
	for m in samples recent_drops; do
		diff <(bpftool -j map peek pinned "$MAPSH_PIN_DIR/$m" | jq -cS .) \
		     <(mapsh --format bpftool "$m" peek | jq -cS .)
		diff <(bpftool -j map pop pinned "$MAPSH_PIN_DIR/$m" | jq -cS .) \
		     <(mapsh --format bpftool "$m" pop | jq -cS .)
		mapsh --format bpftool "$m" peek >/dev/null 2>&1 && fail "$m not empty"
	done
	# drain: one line per element, each in the shape of bpftool's pop
	mapsh samples push src_ip=10.0.0.7
	before=$(bpftool -j map peek pinned "$MAPSH_PIN_DIR/samples" | jq -cS .)
	run -0 mapsh --format bpftool samples drain
	[ "$(jq -cS . <<<"${lines[0]}")" = "$before" ]
	jq -e 'keys == ["key", "value"] and .key == []' <<<"${lines[0]}"
}

@test "bpftool shape: every BTF construct (ints, 128-bit, bitfields, enums, chars, unions, holes, nesting)" {
	bpftool prog loadall "$TOP/build/rt_types.bpf.o" "$BPFFS/p" pinmaps "$BPFFS/m" 2>/dev/null || true
	[ -e "$BPFFS/m/rt_ints" ] || fail "rt_types maps were not pinned"
	local m
	# rt_floats left out: bpftool prints no valid JSON for floats
	for m in rt_ints rt_bits rt_enums rt_chars rt_union rt_holes rt_nested rt_kscalar; do
		"$TOP/build/rt_fill" fill "$BPFFS/m/$m" 20 7 >/dev/null || fail "fill $m"
		same_as_bpftool "$BPFFS/m/$m"
	done
	# bitfields are "0x.." strings, enums names, as bpftool has them
	mapsh --format bpftool pinned "$BPFFS/m/rt_bits" dump | jq -e '.[0].formatted.value.a | startswith("0x")'
}

@test "bpftool shape: global data (.data, .bss, .rodata), per-CPU maps with bitfields, a map without BTF" {
	mkdir -p "$BPFFS/g"
	bpftool prog loadall "$TOP/build/gl_data.bpf.o" "$BPFFS/g/p" type xdp pinmaps "$BPFFS/g/m" >/dev/null 2>&1 ||
		fail "gl_data not loaded"
	local m
	for m in gl_data_data gl_data_bss gl_data_rodata; do
		same_as_bpftool "$BPFFS/g/m/$m"
	done
	mapsh --format bpftool pinned "$BPFFS/g/m/gl_data_data" dump | jq -e '.[0].formatted.value[".data"] | length > 3'
	# per-CPU maps whose value has bitfields and flags
	bpftool prog loadall "$TOP/build/pc_types.bpf.o" "$BPFFS/pc" pinmaps "$BPFFS/pcm" >/dev/null 2>&1 || true
	for m in "$BPFFS"/pcm/*; do
		bpftool map show pinned "$m" | grep -q percpu || continue
		bpftool map update pinned "$m" key hex 01 00 00 00 value hex $(printf '07 %.0s' $(seq "$(bpftool -j map show pinned "$m" | jq .bytes_value)")) 2>/dev/null || :
		same_as_bpftool "$m"
	done
	# no BTF at all: raw bytes only, no "formatted"
	bpftool map create "$BPFFS/raw" type hash key 4 value 8 entries 8 name bj_raw
	bpftool map update pinned "$BPFFS/raw" key hex 01 02 03 04 value hex 0a 0b 0c 0d 0e 0f 10 11
	bpftool map create "$BPFFS/rawpc" type percpu_hash key 2 value 4 entries 8 name bj_rawpc
	bpftool map update pinned "$BPFFS/rawpc" key hex 01 02 value hex 0a 0b 0c 0d
	same_as_bpftool "$BPFFS/raw"
	same_as_bpftool "$BPFFS/rawpc"
	mapsh --format bpftool pinned "$BPFFS/raw" dump | jq -e '.[0] | has("formatted") | not'
	# types mapsh found elsewhere (--btf) are not bpftool's: still raw
	mapsh --format bpftool --btf "$TOP/build/gl_data.bpf.o" --key-type __u32 --value-type __u64 \
		pinned "$BPFFS/raw" dump | jq -e '.[0] | has("formatted") | not'
}

@test "own -j: queue, stack and ring buffer records are {\"value\": V}; ktime fields also as wall-clock times" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	mapsh config set event_mask=3
	send_pkts 1 -s 10.1.1.3 -d 10.1.1.2 -p tcp --sport 4000 --dport 443 -c 2 --tcp-flags SYN
	# ring buffer records
	run -0 timeout 20 "$MAPSH" -j events drain
	[ "${#lines[@]}" -ge 1 ]
	jq -e '(keys - ["wall"]) == ["value"] and (.value | type) == "object"' <<<"${lines[0]}"
	# numbers are numbers: a hex field, flags none set
	[ "$(mapsh -j config lookup 0 | jq '.value.event_mask')" = 3 ]
	mapsh -j flows dump | jq -e 'all(.[]; (.value.packets | type) == "number" and (.value.tcp_flags | type) == "string")'
	# queue and stack elements: the same shape
	mapsh samples push src_ip=10.0.0.1 timestamp=0
	mapsh recent_drops push src_ip=10.0.0.3
	run -0 mapsh -j samples drain
	jq -e '(keys - ["wall"]) == ["value"] and .value.src_ip == "10.0.0.1"' <<<"${lines[0]}"
	run -0 mapsh -j recent_drops pop
	jq -e '(keys - ["wall"]) == ["value"]' <<<"$output"
	# dump: the raw ns kept, the wall time beside it agrees with the
	# clocks (boot time = now_real - now_mono)
	run -0 mapsh -j flows dump
	raw=$(jq '.[0].value.first_seen' <<<"$output")
	wall=$(jq -r '.[0].wall.first_seen' <<<"$output")
	[ "$raw" -gt 0 ]
	[[ "$wall" == 20*Z ]]
	boot=$(awk '{print int(systime() - $1)}' /proc/uptime 2>/dev/null || :)
	w=$(date -u -d "$wall" +%s)
	now=$(date +%s)
	[ "$w" -le "$now" ] && [ "$w" -ge $((now - 600)) ]
	# save files keep no wall times (they must diff well); apply takes a dump
	mapsh flows save "$BATS_TEST_TMPDIR/f.json"
	! grep -q '"wall"' "$BATS_TEST_TMPDIR/f.json"
	mapsh -j flows dump >"$BATS_TEST_TMPDIR/d.json"
	run -0 mapsh flows apply "$BATS_TEST_TMPDIR/d.json"
}

@test "-n: protocols, interfaces and enums as numbers; -H: sizes and counts shortened in text" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	send_pkts 1 -s 10.1.1.3 -d 10.1.1.2 -p tcp --sport 4000 --dport 443 -c 3 --tcp-flags SYN
	mapsh blocklist update src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	run -0 mapsh -j flows dump
	[ "$(jq -r '.[0].key.protocol' <<<"$output")" = tcp ]
	run -0 mapsh -n -j flows dump
	[ "$(jq -r '.[0].key.protocol' <<<"$output")" = 6 ]
	run -0 mapsh -n flows dump
	[[ "$output" != *tcp* ]]
	run -0 mapsh blocklist dump
	[[ "$output" == *FW_DROP* ]]
	run -0 mapsh --numeric blocklist dump
	[[ "$output" != *FW_DROP* ]]
	run -0 mapsh -n -j blocklist dump
	jq -e '.[0].value.action | type == "number"' <<<"$output"
	# interfaces: the name, with -n the index
	mapsh samples push ifindex="$HOST_IFINDEX1"
	run -0 mapsh samples peek
	[[ "$output" == *$'\t'"$HOST1"$'\t'*DROP_REASON_NONE* ]]
	run -0 mapsh -n samples peek
	[[ "$output" == *$'\t'"$HOST_IFINDEX1"$'\t'* && "$output" != *"$HOST1"* && "$output" != *DROP_REASON* ]]
	# -H: counters shortened in rows, bytes in IEC units; JSON exact
	mapsh blocklist update src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop hits=1234567
	mapsh cpu_stats set 0 bytes=5000000000
	run -0 mapsh -H blocklist dump
	[[ "$output" == *$'\t1.2M' ]] || fail "$output"
	run -0 mapsh blocklist dump
	[[ "$output" == *$'\t1234567' ]]
	[ "$(mapsh -H -j blocklist dump | jq '.[0].value.hits')" = 1234567 ]
	run -0 mapsh -H cpu_stats dump
	[[ "$output" == *" GiB"* ]] || fail "$output"
	# -H: memory in IEC units in maps; JSON stays exact
	run -0 mapsh -H maps
	[[ "$output" == *KiB* || "$output" == *MiB* ]]
	run -0 mapsh maps
	[[ "$output" != *KiB* && "$output" != *MiB* ]]
	run -0 mapsh -H -j maps
	[[ "$output" != *KiB* && "$output" != *MiB* ]]
}

@test "--format csv: a header row, RFC 4180 quoting, one row per entry" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	mapsh blocklist update src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	mapsh blocklist update src_ip=10.0.0.8 dst_port=80 protocol=tcp action=allow hits=4
	run -0 mapsh --format csv blocklist dump
	[ "${#lines[@]}" = 3 ]
	[[ "${lines[0]}" == src_ip,*action* ]]
	python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 2, rows
assert sorted(r["src_ip"] for r in rows) == ["10.0.0.8", "10.0.0.9"], rows
' <(mapsh --format csv blocklist dump)
	# a cell with a comma or a quote is quoted, quotes doubled
	run -0 mapsh --format csv maps
	python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert all(len(r) == len(rows[0]) for r in rows), rows
assert len(rows) > 3
' <(mapsh --format csv maps)
	run -0 mapsh --format csv flows info
	python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert len(rows) == 2 and len(rows[0]) == len(rows[1]), rows
' <(mapsh --format csv flows info)
	# records (drain): a header of the fields, a row each
	mapsh samples push src_ip=10.0.0.1 protocol=tcp
	mapsh samples push src_ip=10.0.0.2 protocol=udp
	python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [r["src_ip"] for r in rows] == ["10.0.0.1", "10.0.0.2"], rows
assert [r["protocol"] for r in rows] == ["tcp", "udp"], rows
' <(mapsh --format csv samples drain)
}

@test "save and -p keep their field order: two saves of the same map are identical" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	send_pkts 1 -s 10.1.1.3 -d 10.1.1.2 -p tcp --sport 4000 --dport 443 -c 3 --tcp-flags SYN
	mapsh blocklist update src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	local m
	for m in flows proto_stats blocklist config; do
		mapsh "$m" save "$BATS_TEST_TMPDIR/a.json"
		mapsh "$m" save "$BATS_TEST_TMPDIR/b.json"
		cmp "$BATS_TEST_TMPDIR/a.json" "$BATS_TEST_TMPDIR/b.json"
		# members in one order: key, value, per_cpu; fields in BTF order
		jq -e 'all(.[]; keys_unsorted[0] == "key" and keys_unsorted[1] == "value")' "$BATS_TEST_TMPDIR/a.json"
		diff <(mapsh -p "$m" dump) <(mapsh -p "$m" dump)
	done
	jq -e '.[0].value | keys_unsorted == ["packets","bytes","first_seen","last_seen","tcp_flags","pad"]' <(mapsh -p flows dump)
	# save is mapsh's shape whatever --format says: apply reads it back
	mapsh --format bpftool flows save >"$BATS_TEST_TMPDIR/s.json"
	jq -e '.[0] | has("formatted") | not' "$BATS_TEST_TMPDIR/s.json"
	run -0 mapsh flows apply "$BATS_TEST_TMPDIR/s.json"
	[[ "$output" == *" 0 added, 0 changed, "* ]] || fail "$output"
}

@test "completion offers --format csv and bpftool, --numeric and --human; .format takes them" {
	run -0 "$MAPSH" __complete -- --format ''
	[[ "$(tr '\n' ' ' <<<"$output")" == *"bpftool csv json"* ]] || fail "$output"
	run -0 "$MAPSH" __complete -- --nu
	[ "$output" = --numeric ]
	run -0 "$MAPSH" __complete -- --hu
	[ "$output" = --human ]
	run -2 "$MAPSH" --format bpftol maps
	[[ "$output" == *"expected table, plain, json, jsonl, csv or bpftool"* ]]
	run -0 bash -c "printf '.format csv\n.format\n' | '$MAPSH'"
	[[ "$output" == *csv* ]]
}
