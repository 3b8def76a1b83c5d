#!/usr/bin/env bats
# Exact round trips (issue 13): save, clear, apply leave every byte as it
# was, and a map's own save file applies with "0 changed". The maps of
# tests/tools/rt_types.bpf.c cover each BTF construct; rt_fill writes
# random bytes into them and reads them back.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	setup_bpffs
	bpftool prog loadall "$TOP/build/rt_types.bpf.o" "$BPFFS/p" pinmaps "$BPFFS/m" 2>/dev/null || true
	[ -e "$BPFFS/m/rt_ints" ] || fail "rt_types maps were not pinned"
	FILL="$TOP/build/rt_fill"
}

teardown() {
	teardown_common
}

# bytes MAP: every entry as "key value" in hex, sorted (from the kernel)
bytes() {
	"$FILL" dump "$BPFFS/m/$1" | sort
}

# bpftool's own view of the map (its bytes), entries sorted. Not for
# rt_floats (bpftool's JSON has "(unsupported-kind" there) nor rt_big
# (rt_fill's bytes say the same, faster).
bt_sorted() {
	case $1 in
	rt_floats|rt_big) echo skipped ;;
	*) bpftool -j map dump pinned "$BPFFS/m/$1" | jq -c '[.[] | {key, value}] | sort_by(.key)' ;;
	esac
}

# roundtrip MAP: save, clear, apply; bytes and bpftool's dump the same;
# the own save file then applies with 0 changed
roundtrip() {
	local m=$1 before bt after
	before=$(bytes "$m")
	[ -n "$before" ] || fail "$m: no entries"
	bt=$(bt_sorted "$m")
	run --separate-stderr timeout 60 "$MAPSH" pinned "$BPFFS/m/$m" save "$BATS_TEST_TMPDIR/$m.json"
	assert_success
	run --separate-stderr timeout 60 "$MAPSH" --yes pinned "$BPFFS/m/$m" clear
	assert_success
	[ "$(bytes "$m")" != "$before" ] || fail "$m: clear changed nothing"
	run --separate-stderr timeout 60 "$MAPSH" pinned "$BPFFS/m/$m" apply "$BATS_TEST_TMPDIR/$m.json"
	assert_success
	after=$(bytes "$m")
	[ "$after" = "$before" ] || fail "$m: bytes differ after save, clear, apply: $(diff <(echo "$before") <(echo "$after") | head -5)"
	[ "$(bt_sorted "$m")" = "$bt" ] || fail "$m: bpftool's dump differs"
	run --separate-stderr timeout 60 "$MAPSH" pinned "$BPFFS/m/$m" apply "$BATS_TEST_TMPDIR/$m.json"
	assert_success
	[[ "$output" == *" 0 added, 0 changed, "* ]] || fail "$m: own save file: $output"
}

@test "property: random bytes of every BTF construct survive save, clear, apply" {
	for seed in 1 2 3; do
		for m in rt_ints rt_bits rt_enums rt_floats rt_chars rt_union rt_holes rt_nested; do
			"$FILL" fill "$BPFFS/m/$m" 40 "$seed" || fail "fill $m"
			roundtrip "$m"
			mapsh --yes pinned "$BPFFS/m/$m" clear >/dev/null
		done
	done
	# the 400 KB value, typed (not under the sanitizers: its apply, 1 s
	# here, takes minutes in the ASan build's allocator)
	[ -z "${MAPSH_SANITIZED:-}" ] || return 0
	"$FILL" fill "$BPFFS/m/rt_big" 2 5
	run --separate-stderr mapsh -j pinned "$BPFFS/m/rt_big" lookup 1
	[ "$(jq '.value.e | length' <<<"$output")" = 50000 ]
	roundtrip rt_big
}

@test "NaN keeps its sign and payload: nan:0x.. printed, read back exactly" {
	local m="$BPFFS/m/rt_floats"
	# f[0] quiet NaN with payload 1, f[1] -nan, f[2] a signalling NaN,
	# f[3] the default NaN; d[0] a double NaN with a payload
	bpftool map update pinned "$m" key hex 01 00 00 00 value hex \
		01 00 c0 7f  00 00 c0 ff  01 00 80 7f  00 00 c0 7f \
		05 00 00 00 00 00 f8 7f  00 00 00 00 00 00 00 00  00 00 00 00 00 00 f0 3f
	run --separate-stderr mapsh -j pinned "$m" lookup 1
	assert_success
	[ "$(jq -c '.value.f' <<<"$output")" = '["nan:0x7fc00001","-nan","nan:0x7f800001","nan"]' ] || fail "$output"
	[ "$(jq -r '.value.d[0]' <<<"$output")" = "nan:0x7ff8000000000005" ]
	roundtrip rt_floats
	# and typed by hand
	run --separate-stderr mapsh pinned "$m" update 2 f=nan:0x7fc0beef,-nan,1.5,nan d=1,2,nan:0xfff0000000000001
	assert_success
	[ "$(bytes rt_floats | grep '^02000000 ' | cut -c 10-25)" = "efbec07f0000c0ff" ] || fail "$(bytes rt_floats)"
	run --separate-stderr mapsh pinned "$m" update 3 f=nan:0x3f800000,1,1,1 d=1,2,3
	assert_failure 2
	[[ "$stderr" == *"not the bits of a NaN"* ]]
}

@test "a signed field tagged hex reads back what it prints (0xff for -1)" {
	local m="$BPFFS/m/rt_ints"
	run --separate-stderr mapsh pinned "$m" update 1 hs8=-1 hs32=-2 hs64=-3 s8=-4
	assert_success
	run --separate-stderr mapsh -j pinned "$m" lookup 1
	# JSON: the numbers they are; text: their bits in hex
	[ "$(jq -c '[.value.hs8,.value.hs32,.value.hs64,.value.s8]' <<<"$output")" = '[-1,-2,-3,-4]' ] || fail "$output"
	run --separate-stderr mapsh pinned "$m" lookup 1
	[[ "$output" == *$'\t0xff\t0xfffffffe\t0xfffffffffffffffd\t'* ]] || fail "$output"
	run --separate-stderr mapsh pinned "$m" set 1 hs8=0xfe hs32=0x7fffffff
	assert_success
	run --separate-stderr mapsh -j pinned "$m" lookup 1
	[ "$(jq -c '[.value.hs8,.value.hs32]' <<<"$output")" = '[-2,2147483647]' ]
	# a bitfield tagged hex, and the range still holds
	run --separate-stderr mapsh pinned "$BPFFS/m/rt_bits" update key a=1 b=-1 c=2 hb=0x3f d=1 value a=0 b=0 c=0 hb=-1 d=0
	assert_success
	run --separate-stderr mapsh pinned "$m" set 1 hs8=0x100
	assert_failure 2
	[[ "$stderr" == *"out of range"* ]]
	roundtrip rt_ints
}

@test "enums: a number means the number; negative enumerators print as bpftool does" {
	local m="$BPFFS/m/rt_enums"
	# enum lvl { LVL_1 = 10 }: "1" is 1, not LVL_1 with its prefix dropped
	run --separate-stderr mapsh pinned "$m" update 1 l=1 n=-1 w=1
	assert_success
	run --separate-stderr mapsh pinned "$m" update 2 '{"l":1,"n":-5,"w":"W_BIG"}'
	assert_success
	run --separate-stderr mapsh pinned "$m" update 3 l=LVL_1 n=NEG w=W_SMALL
	assert_success
	[ "$(bpftool -j map lookup pinned "$m" key 1 0 0 0 | jq -r '.value[0:8] | join(" ")')" = "0x01 0x00 0x00 0x00 0xff 0xff 0xff 0xff" ]
	[ "$(bpftool -j map lookup pinned "$m" key 2 0 0 0 | jq -r '.value[0:4] | join(" ")')" = "0x01 0x00 0x00 0x00" ]
	run --separate-stderr mapsh -j pinned "$m" dump where l == 1
	assert_success
	[ "$(jq -c '[.[].key] | sort' <<<"$output")" = '[1,2]' ] || fail "$output"
	# enum sgn { NEG = -5 } (no signed flag from clang 14): -5 is NEG, -1 a number
	run --separate-stderr mapsh -j pinned "$m" lookup 1
	[ "$(jq -c '[.value.l,.value.n]' <<<"$output")" = '[1,-1]' ] || fail "$output"
	run --separate-stderr mapsh -j pinned "$m" lookup 2
	[ "$(jq -r '.value.n' <<<"$output")" = NEG ]
	roundtrip rt_enums
}

@test "keys that differ only in holes: shown, looked up and applied exactly" {
	local m="$BPFFS/m/rt_holes"
	# struct rt_holes { __u8 a; 3 bytes of hole; __u32 b; __u16 c; 2 of tail }
	bpftool map update pinned "$m" key hex 01 00 00 00 02 00 00 00 03 00 00 00 value hex 01 00 00 00 00 00 00 00 00 00 00 00
	bpftool map update pinned "$m" key hex 01 aa 00 00 02 00 00 00 03 00 00 bb value hex 02 00 00 00 00 00 00 00 00 00 00 00
	run --separate-stderr mapsh -j pinned "$m" dump
	assert_success
	[ "$(jq -c '[.[].key."@uncovered"] | sort_by(. // "")' <<<"$output")" = '[null,"0x00aa000000000000000000bb"]' ] || fail "$output"
	run --separate-stderr mapsh -p pinned "$m" dump
	[ "$(jq -c '[.[].key."@uncovered"] | sort_by(. // "")' <<<"$output")" = '[null,"0x00aa000000000000000000bb"]' ] || fail "-p: $output"
	# a dumped key finds its entry
	key=$(jq -c '.[] | select(.key."@uncovered") | .key' <<<"$output")
	run --separate-stderr mapsh -j pinned "$m" lookup "$key"
	assert_success
	[ "$(jq -r '.value.a' <<<"$output")" = 2 ]
	run --separate-stderr mapsh -j pinned "$m" lookup a=1 b=2 c=3 @uncovered=0x00aa000000000000000000bb
	assert_success
	[ "$(jq -r '.value.a' <<<"$output")" = 2 ]
	roundtrip rt_holes
	[ "$(bytes rt_holes | wc -l)" = 2 ]
	# unnamed bitfield bits too
	"$FILL" fill "$BPFFS/m/rt_bits" 20 4
	roundtrip rt_bits
}

@test "unions: two members in one command are refused; a saved entry's member can be edited" {
	local m="$BPFFS/m/rt_union"
	run --separate-stderr mapsh pinned "$m" update 3 packets=7 rx_packets=9
	assert_failure 2
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "$stderr"
	[[ "$stderr" == *"rx_packets=9: 'packets' is given too and shares these bytes (members of one union): give one"* ]]
	[ -z "$(bytes rt_union)" ] || fail "something was written"
	# even when they agree: on the command line one member is meant
	run --separate-stderr mapsh pinned "$m" update 3 packets=7 rx_packets=7
	assert_failure 2
	[[ "$stderr" == *"rx_packets=7: 'packets' is given too"* ]] || fail "$stderr"
	run --separate-stderr mapsh pinned "$m" update 3 packets=7 u.w=5
	assert_success
	# save writes the first member of each union only
	mapsh pinned "$m" save "$BATS_TEST_TMPDIR/u.json"
	[ "$(jq -c '.[0].value' "$BATS_TEST_TMPDIR/u.json")" = '{"packets":7,"u":{"b":[5,0,0,0,0,0,0,0]}}' ] || fail "$(cat "$BATS_TEST_TMPDIR/u.json")"
	# the compiled (-j) and the general (-p) JSON formatters alike
	for o in -j -p; do
		run --separate-stderr mapsh $o pinned "$m" lookup 3
		[ "$(jq -c '.value' <<<"$output")" = '{"packets":7,"u":{"b":[5,0,0,0,0,0,0,0]}}' ] || fail "$o: $output"
	done
	sed -i 's/"packets":7/"packets":70000/' "$BATS_TEST_TMPDIR/u.json"
	run --separate-stderr mapsh pinned "$m" apply "$BATS_TEST_TMPDIR/u.json"
	assert_success
	[[ "$output" == *" 1 changed"* ]] || fail "$output"
	[ "$(mapsh -j pinned "$m" lookup 3 | jq -r '.value.packets')" = 70000 ]
	# an older save file with every member: agreeing members apply cleanly,
	# disagreeing ones are refused
	echo '[{"key":3,"value":{"packets":70000,"rx_packets":70000,"u":{"b":[5,0,0,0,0,0,0,0],"w":5}}}]' >"$BATS_TEST_TMPDIR/old.json"
	run --separate-stderr mapsh pinned "$m" apply "$BATS_TEST_TMPDIR/old.json"
	assert_success
	[[ "$output" == *" 0 changed"* ]] || fail "$output"
	echo '[{"key":3,"value":{"packets":8,"rx_packets":70000,"u":{"b":[5,0,0,0,0,0,0,0],"w":5}}}]' >"$BATS_TEST_TMPDIR/old.json"
	run --separate-stderr mapsh pinned "$m" apply "$BATS_TEST_TMPDIR/old.json"
	assert_failure
	[[ "$stderr" == *"shares these bytes (members of one union)"* ]] || fail "$stderr"
	[ "$(mapsh -j pinned "$m" lookup 3 | jq -r '.value.packets')" = 70000 ]
}

@test "JSON numbers are decimal; signed port and ktime fields take what they show" {
	local m="$BPFFS/m/rt_ints"
	run --separate-stderr mapsh pinned "$m" update 1 '{"u8":16,"u16":"0x10"}'
	assert_success
	[ "$(mapsh -j pinned "$m" lookup 1 | jq -c '[.value.u8,.value.u16]')" = '[16,16]' ]
	for bad in 0x10 +5 05; do
		run --separate-stderr mapsh pinned "$m" update 1 "{\"u8\":$bad}"
		assert_failure 2
		[[ "$stderr" == *"u8=$bad: not a JSON number"* ]] || fail "$bad: $stderr"
	done
	[ "$(mapsh -j pinned "$m" lookup 1 | jq -c '.value.u8')" = 16 ]
	# __s16 tagged port, __s64 tagged ktime: unsigned both ways
	run --separate-stderr mapsh pinned "$m" update 1 sport=65535 stime=18446744073709551615
	assert_success
	run --separate-stderr mapsh -j pinned "$m" lookup 1
	[[ "$output" == *'"sport":65535,"stime":18446744073709551615'* ]] || fail "$output"
	run --separate-stderr mapsh pinned "$m" update 1 sport=-1
	assert_failure 2
	[[ "$stderr" == *"out of range for __u16 (0..65535)"* ]]
	roundtrip rt_ints
}

@test "key and value sharing field names: the value starts where the key is complete; value.F= names it" {
	local m="$BPFFS/m/rt_holes"
	run --separate-stderr mapsh pinned "$m" update key a=1 b=2 c=3 value a=4 b=5 c=6
	assert_success
	# a=9 names a key field too, but the key has its a already
	run --separate-stderr mapsh pinned "$m" set a=1 b=2 c=3 a=9
	assert_success
	run --separate-stderr mapsh pinned "$m" set a=1 b=2 c=3 value.b=8
	assert_success
	run --separate-stderr mapsh pinned "$m" set 1 2 3 c=7
	assert_success
	run --separate-stderr mapsh pinned "$m" set '{"a":1,"b":2,"c":3}' a=10
	assert_success
	[ "$(mapsh -j pinned "$m" dump | jq -c '.[0].value')" = '{"a":10,"b":8,"c":7}' ]
	# a JSON key, then a scalar value
	run --separate-stderr mapsh pinned "$BPFFS/m/rt_kscalar" update '{"a":1,"b":2,"c":3}' 5
	assert_success
	[ "$(mapsh -j pinned "$BPFFS/m/rt_kscalar" dump | jq -c '.[0]')" = '{"key":{"a":1,"b":2,"c":3},"value":5}' ]
}

@test "a type too large or too deep to show field by field is said, shown as bytes" {
	run --separate-stderr mapsh pinned "$BPFFS/m/rt_huge" lookup 0
	assert_success
	[ "$stderr" = "mapsh: rt_huge: value raw: struct rt_huge is too large to display field by field: shown as bytes" ] || fail "$stderr"
	run --separate-stderr mapsh pinned "$BPFFS/m/rt_nine" lookup 0
	assert_success
	[ "$stderr" = "mapsh: rt_nine: value raw: struct rt_nine: array 'nine' has more than 8 dimensions: shown as bytes" ] || fail "$stderr"
	# bytes still round-trip
	"$FILL" fill "$BPFFS/m/rt_nine" 1 3
	roundtrip rt_nine
}

@test "bytes after the NUL of a string come back through @uncovered" {
	local m="$BPFFS/m/rt_chars"
	# comm written as a string, its stale tail as uncovered bytes
	run --separate-stderr mapsh pinned "$m" update 1 comm=harness names=ab,c @uncovered=0x000000000000000041424300000000070000
	assert_success
	[ "$(bytes rt_chars)" = "01000000 6861726e65737300414243000000000761620000000000006300000000000000" ] || fail "$(bytes rt_chars)"
	roundtrip rt_chars
}
