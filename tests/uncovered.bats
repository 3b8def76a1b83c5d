#!/usr/bin/env bats
# Bytes no field covers (holes) in table and plain rows (issue 13): two
# keys that differ only there must not look the same.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	setup_bpffs
	bpftool prog loadall "$TOP/build/rt_types.bpf.o" "$BPFFS/p" pinmaps "$BPFFS/m" 2>/dev/null || true
	[ -e "$BPFFS/m/rt_holes" ] || fail "rt_types maps were not pinned"
}

teardown() {
	teardown_common
}

@test "keys that differ only in a hole show differently in table and plain rows" {
	local m="$BPFFS/m/rt_holes"
	# struct rt_holes { __u8 a; 3 bytes of hole; __u32 b; __u16 c; 2 of tail }
	bpftool map update pinned "$m" key hex 01 00 00 00 02 00 00 00 03 00 00 00 value hex 01 00 00 00 00 00 00 00 00 00 00 00
	bpftool map update pinned "$m" key hex 01 aa 00 00 02 00 00 00 03 00 00 bb value hex 01 00 00 00 00 00 00 00 00 00 00 00
	# plain: a trailing word on the row that has them, none on the other
	run --separate-stderr mapsh pinned "$m" dump
	assert_success
	[ "${#lines[@]}" = 2 ] || fail "$output"
	[ "${lines[0]}" != "${lines[1]}" ] || fail "rows look the same: $output"
	[ "$(grep -c $'\tkey.@uncovered=0x00aa000000000000000000bb$' <<<"$output")" = 1 ] || fail "$output"
	[ "$(grep -c '@uncovered' <<<"$output")" = 1 ] || fail "$output"
	# table: a column of its own, empty where they are zero
	run --separate-stderr mapsh --format table pinned "$m" dump
	assert_success
	[ "${#lines[@]}" = 3 ] || fail "$output"
	[[ "${lines[0]}" == *"value.c  key.@uncovered" ]] || fail "header: $output"
	[ "$(grep -c ' 0x00aa000000000000000000bb$' <<<"$output")" = 1 ] || fail "$output"
	[ "${lines[1]}" != "${lines[2]}" ] || fail "rows look the same: $output"
	# what a row shows finds its entry
	run --separate-stderr mapsh pinned "$m" lookup a=1 b=2 c=3 @uncovered=0x00aa000000000000000000bb
	assert_success
	[[ "$output" == *"0x00aa000000000000000000bb"* ]] || fail "$output"
	# the words of a plain row, as printed, find it too (key.@uncovered= anywhere)
	run --separate-stderr mapsh pinned "$m" lookup key.@uncovered=0x00aa000000000000000000bb a=1 b=2 c=3
	assert_success
	[[ "$output" == *"0x00aa000000000000000000bb"* ]] || fail "$output"
	# and write: value.@uncovered= sets the value's hole, key.@uncovered= the key's
	run --separate-stderr mapsh pinned "$m" update a=1 b=2 c=3 key.@uncovered=0x00aa000000000000000000bb value a=7 value.@uncovered=0x00dd
	[ "$status" = 0 ] || fail "update: $stderr"
	[ "$(bpftool -j map lookup pinned "$m" key hex 01 aa 00 00 02 00 00 00 03 00 00 bb | jq -c '.value[0:2]')" = '["0x07","0xdd"]' ]
	run --separate-stderr mapsh pinned "$m" lookup a=1 b=2 c=3 key.@uncovered=0x00 key.@uncovered=0x00
	assert_failure 2
	[[ "$stderr" == *"@uncovered given twice"* ]] || fail "$stderr"
	run --separate-stderr mapsh pinned "$m" update a=1 b=2 c=3 value.@uncovered=0x00 a=1 value.@uncovered=0x00
	assert_failure 2
	[[ "$stderr" == *"'value.@uncovered' is given twice"* ]] || fail "$stderr"
	# a map with no such bytes keeps its columns
	bpftool map delete pinned "$m" key hex 01 aa 00 00 02 00 00 00 03 00 00 bb
	run --separate-stderr mapsh --format table pinned "$m" dump
	assert_success
	[[ "$output" != *"@uncovered"* ]] || fail "$output"
}

@test "a hole of the value shows in a column of its own, and as a word in plain rows" {
	local m="$BPFFS/m/rt_holes"
	bpftool map update pinned "$m" key hex 01 00 00 00 02 00 00 00 03 00 00 00 value hex 05 00 00 00 00 00 00 00 00 00 00 00
	bpftool map update pinned "$m" key hex 02 00 00 00 02 00 00 00 03 00 00 00 value hex 05 cc 00 00 00 00 00 00 00 00 00 00
	run --separate-stderr mapsh --format table pinned "$m" dump
	assert_success
	[[ "${lines[0]}" == *"value.c  key.@uncovered  value.@uncovered" ]] || fail "header: $output"
	[ "$(grep -c ' 0x00cc$' <<<"$output")" = 1 ] || fail "$output"
	run --separate-stderr mapsh pinned "$m" dump
	[ "$(grep -c $'\tvalue.@uncovered=0x00cc$' <<<"$output")" = 1 ] || fail "$output"
}
