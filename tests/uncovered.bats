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

# ---- tables longer than the window their columns are sized over (1024) ----

# stdin: lines "OP KA KH KB KC KT VA VH VB VC VT", written to the map in
# one bpftool batch: OP update or delete, then for the key and the value
# of struct rt_holes a, the hole byte after a (byte 1), b, c and the tail
# byte (byte 10). Keys differ by b.
holes_awk='
function le(x, n,   s, i) { s = ""; for (i = 0; i < n; i++) { s = s sprintf(" %02x", x % 256); x = int(x / 256) } return s }
function rec(a, h, b, c, t) { return sprintf("%02x %02x 00 00%s%s %02x 00", a, h, le(b, 4), le(c, 2), t) }
{
	printf "map %s pinned %s key hex %s", $1, pin, rec($2, $3, $4, $5, $6)
	if ($1 == "update")
		printf " value hex %s", rec($7, $8, $9, $10, $11)
	print ""
}'
holes_batch() {
	awk -v pin="$1" "$holes_awk" >"$BATS_TEST_TMPDIR/batch"
	bpftool batch file "$BATS_TEST_TMPDIR/batch" >/dev/null || fail "bpftool batch: $(head -3 "$BATS_TEST_TMPDIR/batch")"
}
# N entries without a hole byte set: b = 0..N-1, value b = b * 1000
plain_rows() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) print "update", i % 256, 0, i, 7, 0, 1, 0, i * 1000, 3, 0 }'
}
# the keys' b in the kernel's dump order, as bpftool reads them
dump_order() { bpftool -j map dump pinned "$1" | jq -r '.[].formatted.key.b'; }
# keep_holed MAP FROM LO HI [TAIL]: of the keys with b >= FROM (the holed
# ones: a=1, 0xaa at byte 1, TAIL (0xbb) at byte 10), keep those that come
# after at least LO and fewer than HI keys with b below FROM, delete the
# others; their order among the rest stays, so a kept key's row is at
# least LO + 1. Prints the kept b's.
keep_holed() {
	local m=$1 from=$2 lo=$3 hi=$4 tail=${5:-187}
	dump_order "$m" | awk -v f="$from" -v lo="$lo" -v hi="$hi" -v t="$tail" -v del="$BATS_TEST_TMPDIR/del" '
		$1 < f { n++; next }
		n >= lo && n < hi { print; next }
		{ print "delete", 1, 170, $1, 7, t >del }'
	[ ! -e "$BATS_TEST_TMPDIR/del" ] || holes_batch "$m" <"$BATS_TEST_TMPDIR/del"
	rm -f "$BATS_TEST_TMPDIR/del"
}
# row_of B FILE: the line numbers of FILE's rows whose second cell is B
row_of() { awk -v b="$1" '$2 == b { print NR }' "$2"; }

@test "over 1,100 rows whose only holes come after row 1024: each of those rows shows them, in a table, a pipe, -j and CSV" {
	local m="$BPFFS/m/rt_holes_many" t="$BATS_TEST_TMPDIR/table" kept b wide hdr line at r n
	plain_rows 1100 | holes_batch "$m"
	# 300 keys with holes (0xaa at byte 1, 0xbb at byte 10), b from 5000;
	# those after the 1025th plain key in the dump stay (some 20 of them)
	awk 'BEGIN { for (i = 0; i < 300; i++) print "update", 1, 170, 5000 + i, 7, 187, 1, 0, (5000 + i) * 1000, 3, 0 }' |
		holes_batch "$m"
	kept=$(keep_holed "$m" 5000 1025 1000000)
	n=$(wc -w <<<"$kept")
	[ "$n" -ge 3 ] || fail "only $n holed keys after row 1025: $kept"
	# one of them also with a value hole and a value.b wider than any
	# in the first 1024 rows (7 digits there)
	wide=$(head -1 <<<"$kept")
	echo "update 1 170 $wide 7 187 1 0 4000000000 3 221" | holes_batch "$m"
	[ "$(dump_order "$m" | wc -l)" = $((1100 + n)) ]

	run --separate-stderr mapsh --format table pinned "$m" dump
	assert_success
	printf '%s\n' "$output" >"$t"
	[ "${#lines[@]}" = $((1100 + n + 1)) ] || fail "${#lines[@]} lines for $((1100 + n)) entries"
	hdr=${lines[0]}
	[ "$hdr" = "key.a  key.b  key.c  value.a  value.b  value.c" ] || fail "header: $hdr"
	# the first window had none: no column; each later row says its own
	[ "$(head -1025 "$t" | grep -c '@uncovered')" = 0 ] || fail "holes in the first window"
	[ "$(grep -c '@uncovered' "$t")" = "$n" ] || fail "$(grep '@uncovered' "$t")"
	for b in $kept; do
		r=$(row_of "$b" "$t")
		[ "$r" -gt 1025 ] || fail "key b=$b is row $r, in the first window"
		line=$(sed -n "${r}p" "$t")
		# the words start where a next column would, on every such row
		at=${line%%key.@uncovered=*}
		[ "${#at}" = $((${#hdr} + 2)) ] || fail "row $r: words at ${#at}, not $((${#hdr} + 2)): '$line'"
		if [ "$b" = "$wide" ]; then
			[[ "$line" == *"  4000000000  3 "* ]] || fail "wide value.b cut: '$line'"
			[[ "$line" == *"  key.@uncovered=0x00aa0000000000000000bb  value.@uncovered=0x00000000000000000000dd" ]] ||
				fail "row $r: '$line'"
		else
			[[ "$line" == *"  $((b * 1000))  3 "*"  key.@uncovered=0x00aa0000000000000000bb" ]] || fail "row $r: '$line'"
		fi
	done
	# the other rows keep their columns where the header has them
	[ "$(awk -v w=${#hdr} 'NR > 1 && !/@uncovered/ && length($0) > w' "$t" | wc -l)" = 0 ]

	# a pipe: the same words on the same rows
	run --separate-stderr mapsh pinned "$m" dump
	assert_success
	[ "$(grep -c $'\tkey.@uncovered=0x00aa0000000000000000bb' <<<"$output")" = "$n" ] || fail "plain"
	[ "$(grep -c $'\tvalue.@uncovered=0x00000000000000000000dd$' <<<"$output")" = 1 ] || fail "plain"

	# JSON and JSON lines: each of those keys has "@uncovered", no other
	for f in -j --jsonl; do
		run --separate-stderr mapsh $f pinned "$m" dump
		assert_success
		[ "$(jq -s 'if .[0] | type == "array" then .[0] else . end | length' <<<"$output")" = $((1100 + n)) ] || fail "$f: count"
		[ "$(jq -r 'if type == "array" then .[] else . end | select(.key["@uncovered"] == "0x00aa0000000000000000bb") | .key.b' <<<"$output" | sort -n | tr '\n' ' ')" = \
		  "$(sort -n <<<"$kept" | tr '\n' ' ')" ] || fail "$f: holed keys"
		[ "$(jq -r 'if type == "array" then .[] else . end | select(.key["@uncovered"]) | .key.b' <<<"$output" | wc -l)" = "$n" ] || fail "$f"
		[ "$(jq -c 'if type == "array" then .[] else . end | select(.value["@uncovered"]) | [.key.b, .value.b, .value["@uncovered"]]' <<<"$output")" = \
		  "[$wide,4000000000,\"0x00000000000000000000dd\"]" ] || fail "$f: value hole"
	done

	# CSV: one rectangle, the @uncovered columns there from the header on
	run --separate-stderr mapsh --format csv pinned "$m" dump
	assert_success
	python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
hdr, body = rows[0], rows[1:]
assert hdr[-2:] == ["key.@uncovered", "value.@uncovered"], hdr
assert all(len(r) == len(hdr) for r in rows), [r for r in rows if len(r) != len(hdr)][:3]
holed = sorted(int(r[1]) for r in body if r[-2] == "0x00aa0000000000000000bb")
assert holed == sorted(int(b) for b in sys.argv[2].split()), holed
assert [r for r in body if r[-1]] == [["1", sys.argv[3], "7", "1", "4000000000", "3",
	"0x00aa0000000000000000bb", "0x00000000000000000000dd"]], [r for r in body if r[-1]]
assert sum(1 for r in body if r[-2]) == len(holed)
' <(printf '%s\n' "$output") "$kept" "$wide" || fail "csv"
}

@test "holes in the first 1024 rows and after: one column for all, aligned; bytes wider than it later shown whole" {
	local m="$BPFFS/m/rt_holes_many" t="$BATS_TEST_TMPDIR/table" short long one wide hdr line k v r n
	plain_rows 1100 | holes_batch "$m"
	# 20 keys with a short hole (0xaa at byte 1: "0x00aa") that stay in
	# the first 1000 rows, then 300 with a long one (0xbb at byte 10 too)
	# that stay after row 1025
	awk 'BEGIN { for (i = 0; i < 20; i++) print "update", 1, 170, 5000 + i, 7, 0, 1, 0, 1, 3, 0 }' | holes_batch "$m"
	short=$(keep_holed "$m" 5000 0 1000 0)
	awk 'BEGIN { for (i = 0; i < 300; i++) print "update", 1, 170, 6000 + i, 7, 187, 1, 0, 2, 3, 0 }' | holes_batch "$m"
	long=$(keep_holed "$m" 6000 1025 1000000)
	n=$(wc -w <<<"$long")
	[ "$(wc -w <<<"$short")" -ge 5 ] && [ "$n" -ge 3 ] || fail "short: $short; long: $long"
	# a value hole on the second row, and a long one on a row after the
	# window, beside its key's long hole
	one=$(dump_order "$m" | sed -n 2p)
	echo "update $((one % 256)) 0 $one 7 0 1 204 $((one * 1000)) 3 0" | holes_batch "$m"
	wide=$(head -1 <<<"$long")
	echo "update 1 170 $wide 7 187 1 0 2 3 221" | holes_batch "$m"

	run --separate-stderr mapsh --format table pinned "$m" dump
	assert_success
	printf '%s\n' "$output" >"$t"
	[ "$(wc -l <"$t")" = $((1100 + $(wc -w <<<"$short") + n + 1)) ] || fail "$(wc -l <"$t") lines"
	hdr=${lines[0]}
	[ "$hdr" = "key.a  key.b  key.c  value.a  value.b  value.c  key.@uncovered  value.@uncovered" ] || fail "header: $hdr"
	k=${hdr%%key.@uncovered*} v=${hdr%%value.@uncovered*}
	k=${#k} v=${#v}
	# in a column, not as words
	[ "$(grep -c '@uncovered=' "$t")" = 0 ] || fail "$(grep '@uncovered=' "$t" | head -3)"
	r=$(row_of "$one" "$t")
	[ "$r" -le 1025 ] && [ "$(sed -n "${r}p" "$t" | cut -c $((v + 1))-)" = 0x00cc ] || fail "row $r: $(sed -n "${r}p" "$t")"
	for b in $short; do
		r=$(row_of "$b" "$t")
		line=$(sed -n "${r}p" "$t")
		[ "$r" -le 1025 ] && [ "${line:$k}" = 0x00aa ] || fail "row $r: '$line'"
	done
	# after the window, where the column is: the long bytes (wider than
	# the column) whole, and the value's after them
	for b in $long; do
		r=$(row_of "$b" "$t")
		line=$(sed -n "${r}p" "$t")
		[ "$r" -gt 1025 ] || fail "key b=$b is row $r, in the first window"
		if [ "$b" = "$wide" ]; then
			[ "${line:$k}" = "0x00aa0000000000000000bb  0x00000000000000000000dd" ] || fail "row $r: '$line'"
		else
			[ "${line:$k}" = 0x00aa0000000000000000bb ] || fail "row $r: '$line'"
		fi
	done
	[ "$(grep -c ' 0x00aa0000000000000000bb' "$t")" = "$n" ]
	[ "$(grep -c ' 0x00aa$' "$t")" = "$(wc -w <<<"$short")" ]

	# JSON lines: each key its own bytes
	run --separate-stderr mapsh --jsonl pinned "$m" dump
	assert_success
	[ "$(jq -r 'select(.key["@uncovered"] == "0x00aa") | .key.b' <<<"$output" | sort -n | tr '\n' ' ')" = "$(sort -n <<<"$short" | tr '\n' ' ')" ]
	[ "$(jq -r 'select(.key["@uncovered"] == "0x00aa0000000000000000bb") | .key.b' <<<"$output" | sort -n | tr '\n' ' ')" = "$(sort -n <<<"$long" | tr '\n' ' ')" ]
	[ "$(jq -c 'select(.value["@uncovered"]) | [.key.b, .value["@uncovered"]]' <<<"$output" | sort)" = \
	  "$(printf '[%s,"0x00cc"]\n[%s,"0x00000000000000000000dd"]\n' "$one" "$wide" | sort)" ]
}

@test "64 columns of fields and a value with holes: no room for an @uncovered column, so one cell a side, whose text has them" {
	local m="$BPFFS/m/rt_wide"
	# byte 1: the hole after e[0].p
	bpftool map update pinned "$m" key hex 00 00 00 00 value hex 05 ee $(printf '00 %.0s' $(seq 126))
	run --separate-stderr mapsh --format table pinned "$m" dump
	assert_success
	[ "${lines[0]}" = "key  value" ] || fail "header: ${lines[0]}"
	[[ "${lines[1]}" == "0    {e=[{p=5 q=0},"*" @uncovered=0x00ee}" ]] || fail "${lines[1]}"
	run --separate-stderr mapsh pinned "$m" dump
	assert_success
	[[ "$output" == *" @uncovered=0x00ee}" ]] || fail "$output"
	# lookup too
	run --separate-stderr mapsh pinned "$m" lookup 0
	[[ "$output" == *" @uncovered=0x00ee}" ]] || fail "$output"
}
