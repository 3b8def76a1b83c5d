#!/usr/bin/env bats
# Histograms: values that are histograms drawn as bcc and bpftrace draw
# them (dump), the hist verb, and the packet-size histogram of flowtrack.
# The maps are real: tests/tools/hist_maps.bpf.c pinned with bpftool (maps
# of a program mapsh did not write: a libbpf-tools struct hist), filled
# with known counts.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	bpftool prog loadall "$TOP/build/hist_maps.bpf.o" "$BPFFS/progs" pinmaps "$BPFFS/m" 2>/dev/null || true
	[ -e "$BPFFS/m/hist_lat" ] || fail "hist_lat was not pinned"
	LAT="$BPFFS/m/hist_lat"
	LIN="$BPFFS/m/hist_lin"
	IDX="$BPFFS/m/hist_idx"
	VALS="$BPFFS/m/hist_vals"
}
teardown() { teardown_common; }

# The libbpf-tools histogram of key 7: slot 0: 1, slot 2: 2, slot 3: 3,
# slot 5: 4 (written by bpftool, not mapsh: 26 little-endian u32).
fill_lat() {
	local hex="01 00 00 00  00 00 00 00  02 00 00 00  03 00 00 00  00 00 00 00  04 00 00 00"
	local i
	for ((i = 6; i < 26; i++)); do hex+="  00 00 00 00"; done
	bpftool map update pinned "$LAT" key 7 0 0 0 value $hex
}

@test "a libbpf-tools struct hist is drawn without any option, in libbpf-tools' slots (floor log2: 0-1, 2-3, 4-7): ASCII bars with LANG=C, exact" {
	fill_lat
	run --separate-stderr env LANG=C LC_ALL= COLUMNS=40 "$MAPSH" --format table pinned "$LAT"
	assert_success
	[ "$output" = "$(cat <<-'EOF2'
	key  slots
	7    [1,0,2,3,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]
	slots: count 10, p50 12.7, p90 55.2, p99 62.2
	[0, 2)   1 |#######                    |
	[2, 4)   0 |                           |
	[4, 8)   2 |##############             |
	[8, 16)  3 |####################       |
	[16, 32) 0 |                           |
	[32, 64) 4 |###########################|
	EOF2
	)" ]
	# NO_COLOR: ASCII too, whatever the locale
	run --separate-stderr env LANG=C.UTF-8 NO_COLOR=1 COLUMNS=40 "$MAPSH" --format table pinned "$LAT"
	assert_success
	grep -Fx '[8, 16)  3 |####################       |' <<<"$output"
}

@test "UTF-8 bars in eighths of a block, as wide as the terminal leaves" {
	fill_lat
	run --separate-stderr env LANG=C.UTF-8 LC_ALL= NO_COLOR= COLUMNS=40 "$MAPSH" --format table pinned "$LAT"
	assert_success
	[ "$(grep '^\[' <<<"$output")" = "$(cat <<-'EOF2'
	[0, 2)   1 |██████▊                    |
	[2, 4)   0 |                           |
	[4, 8)   2 |█████████████▌             |
	[8, 16)  3 |████████████████████▎      |
	[16, 32) 0 |                           |
	[32, 64) 4 |███████████████████████████|
	EOF2
	)" ]
	# a wider terminal, a longer bar: every line is 60 columns
	run --separate-stderr env LANG=C.UTF-8 NO_COLOR= COLUMNS=60 "$MAPSH" --format table pinned "$LAT"
	assert_success
	while IFS= read -r l; do
		[ "${#l}" -eq 60 ] || fail "line of ${#l} columns: $l"
	done < <(grep '^\[' <<<"$output")
}

@test "in a pipe: the bucket table, no bars unless --bars" {
	fill_lat
	run --separate-stderr env COLUMNS=40 "$MAPSH" pinned "$LAT"
	assert_success
	[ "$output" = "$(printf '%s\n' '7	[1,0,2,3,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]' \
		'slots: count 10, p50 12.7, p90 55.2, p99 62.2' \
		'slots	0	1	1' 'slots	2	3	0' 'slots	4	7	2' 'slots	8	15	3' \
		'slots	16	31	0' 'slots	32	63	4')" ]
	run --separate-stderr env LANG=C COLUMNS=40 "$MAPSH" pinned "$LAT" dump --bars
	assert_success
	grep -Fx '[32, 64) 4 |###########################|' <<<"$output"
}

@test "-j: each entry's histograms with bucket bounds and percentiles" {
	fill_lat
	run --separate-stderr mapsh -j pinned "$LAT"
	assert_success
	[ "$(jq -c '.[0].value.slots[0:6]' <<<"$output")" = '[1,0,2,3,0,4]' ]
	[ "$(jq -c '.[0].histograms.slots | [.count, .p50, .p90, .p99, (.buckets | length)]' <<<"$output")" = '[10,12.7,55.2,62.2,26]' ]
	[ "$(jq -c '.[0].histograms.slots.buckets[0:6]' <<<"$output")" = \
	  '[{"min":0,"max":1,"count":1},{"min":2,"max":3,"count":0},{"min":4,"max":7,"count":2},{"min":8,"max":15,"count":3},{"min":16,"max":31,"count":0},{"min":32,"max":63,"count":4}]' ]
	[ "$(jq -c '.[0].histograms.slots.buckets[25]' <<<"$output")" = '{"min":33554432,"max":67108863,"count":0}' ]
	# --raw-values: no guesses, no histogram
	run --separate-stderr mapsh --raw-values -j pinned "$LAT"
	assert_success
	[ "$(jq -c '.[0] | has("histograms")' <<<"$output")" = false ]
}

@test "mapsh:linhist=MIN,STEP: linear buckets, with the sum the struct keeps" {
	mapsh pinned "$LIN" set 0 sum=1234 dist=1,2,0,4,1
	run --separate-stderr mapsh -j pinned "$LIN"
	assert_success
	[ "$(jq -c '.[0].histograms.dist | [.count, .sum, .p50, .p90, .p99]' <<<"$output")" = '[8,1234,262.2,309.8,345.1]' ]
	[ "$(jq -c '[.[0].histograms.dist.buckets[] | [.min, .max, .count]]' <<<"$output")" = \
	  '[[100,149,1],[150,199,2],[200,249,0],[250,299,4],[300,349,1]]' ]
	run --separate-stderr env LANG=C COLUMNS=40 "$MAPSH" --format table pinned "$LIN"
	assert_success
	grep -Fx 'dist: count 8, sum 1234, p50 262.2, p90 309.8, p99 345.1' <<<"$output"
	grep -Fx '[250, 300) 4 |#########################|' <<<"$output"
	# --as FIELD=log2hist retypes it
	run --separate-stderr mapsh --as dist=log2hist -j pinned "$LIN"
	assert_success
	[ "$(jq -c '[.[0].histograms.dist.buckets[] | [.min, .max]]' <<<"$output")" = '[[0,0],[1,1],[2,3],[4,7],[8,15]]' ]
	run --separate-stderr mapsh --as sum=log2hist pinned "$LIN"
	assert_failure 1
	grep -F 'log2hist needs an array of 2 to 256 unsigned integers' <<<"$stderr"
	# --as FIELD=linhist=MIN,STEP: other linear buckets than the tag's
	run --separate-stderr mapsh --as dist=linhist=-10,5 -j pinned "$LIN"
	assert_success
	[ "$(jq -c '[.[0].histograms.dist.buckets[] | [.min, .max, .count]]' <<<"$output")" = \
	  '[[-10,-6,1],[-5,-1,2],[0,4,0],[5,9,4],[10,14,1]]' ] || fail "$output"
	run --separate-stderr mapsh --as dist=linhist=0,0 pinned "$LIN"
	assert_failure 2
	[[ "$stderr" == *"no format 'linhist=0,0'"* ]] || fail "$stderr"
}

@test "--as key=log2: a map whose key is a bucket index is one histogram" {
	for k in 0 1 3 5; do mapsh pinned "$IDX" update $k $((k * 2 + 1)); done
	run --separate-stderr mapsh --as key=log2 pinned "$IDX" hist -j
	assert_success
	[ "$(jq -c '.histogram | [.count, .p50, .p90]' <<<"$output")" = '[22,7,28]' ]
	[ "$(jq -c '[.histogram.buckets[] | [.min, .max, .count]]' <<<"$output")" = \
	  '[[0,0,1],[1,1,3],[2,3,0],[4,7,7],[8,15,0],[16,31,11]]' ]
	# dump: the entries, then the histogram
	run --separate-stderr mapsh --as key=log2 pinned "$IDX"
	assert_success
	grep -Fx 'key: count 22, p50 7, p90 28, p99 30.7' <<<"$output"
	grep -Fx 'key	16	31	11' <<<"$output"
	# untyped: a plain dump, no histogram
	run --separate-stderr mapsh pinned "$IDX"
	assert_success
	none '^key:' "$output"
}

# none REGEX TEXT: fail when a line of TEXT matches REGEX.
none() {
	if grep -q -- "$1" <<<"$2"; then
		fail "unexpected: $(grep -m1 -- "$1" <<<"$2")"
	fi
}

# Sizes 0 1 2 3 5 100 1000 1500, protocols alternating 17 and 6.
fill_vals() {
	local i=0 s p
	for s in 0 1 2 3 5 100 1000 1500; do
		i=$((i + 1))
		p=$(( i % 2 ? 17 : 6 ))
		mapsh pinned "$VALS" update id=$i proto=$p value size=$s delta=$((s - 50))
	done
}

@test "hist FIELD: the distribution of a field over the entries, log2 buckets" {
	fill_vals
	run --separate-stderr mapsh pinned "$VALS" hist size
	assert_success
	[ "$output" = "$(printf '%s\n' 'size: count 8, sum 2611, p50 3, p90 1228.6, p99 1965.2' \
		'size	0	0	1' 'size	1	1	1' 'size	2	3	2' 'size	4	7	1' \
		'size	8	15	0' 'size	16	31	0' 'size	32	63	0' 'size	64	127	1' \
		'size	128	255	0' 'size	256	511	0' 'size	512	1023	1' 'size	1024	2047	1')" ]
	run --separate-stderr mapsh -j pinned "$VALS" hist size where size '>=' 100
	assert_success
	[ "$(jq -c '[.field, .histogram.count, .histogram.sum]' <<<"$output")" = '["size",3,2600]' ]
	[ "$(jq -c '[.histogram.buckets[] | select(.count > 0) | [.min, .count]]' <<<"$output")" = '[[64,1],[512,1],[1024,1]]' ]
}

@test "hist --linear STEP and --by a key field" {
	fill_vals
	run --separate-stderr mapsh pinned "$VALS" hist delta --linear 500
	assert_success
	[ "$(grep -v '^delta:' <<<"$output")" = "$(printf '%s\n' 'delta	-500	-1	5' 'delta	0	499	1' 'delta	500	999	1' 'delta	1000	1499	1')" ]
	run --separate-stderr mapsh -j pinned "$VALS" hist size --by proto
	assert_success
	[ "$(jq -c '[.by, [.groups[] | [.proto, .histogram.count, .histogram.sum]]]' <<<"$output")" = '["proto",[[6,4,1604],[17,4,1007]]]' ]
	[ "$(jq -c '[.groups[0].histogram.buckets[] | select(.count > 0) | .min]' <<<"$output")" = '[1,2,64,1024]' ]
	run --separate-stderr env LANG=C COLUMNS=40 "$MAPSH" --format table pinned "$VALS" hist size --by proto
	assert_success
	grep -Fx 'proto=6' <<<"$output"
	grep -Fx 'proto=17' <<<"$output"
	# the histogram field of a map: the entries' histograms summed
	fill_lat
	bpftool map update pinned "$LAT" key 8 0 0 0 value $(printf '05 00 00 00 %.0s' $(seq 26))
	run --separate-stderr mapsh -j pinned "$LAT" hist
	assert_success
	[ "$(jq -c '[.field, .histogram.count, [.histogram.buckets[0:6][] | .count]]' <<<"$output")" = '["slots",140,[6,5,7,8,5,9]]' ]
}

@test "hist: what it refuses" {
	fill_vals
	run --separate-stderr mapsh pinned "$VALS" hist nope
	assert_failure 2
	grep -F "hist_vals hist: no field 'nope' in the key or the value" <<<"$stderr"
	run --separate-stderr mapsh pinned "$VALS" hist size --linear 0
	assert_failure 2
	run --separate-stderr mapsh pinned "$VALS" hist size --linear 1
	assert_failure 2
	grep -F 'the values span more than 256 buckets' <<<"$stderr"
	run --separate-stderr mapsh pinned "$VALS" hist size --log2 --linear 4
	assert_failure 2
	run --separate-stderr mapsh pinned "$VALS" hist
	assert_failure 2
	grep -F 'which field?' <<<"$stderr"
	run --separate-stderr mapsh pinned "$LAT" hist slots --linear 4
	assert_failure 2
}

@test "completion: hist offers the fields first, then where; its options" {
	run --separate-stderr mapsh __complete -- pinned "$VALS" hist ""
	assert_success
	grep -qE '^size(	|$)' <<<"$output" || fail "no size in: $output"
	grep -qE '^delta(	|$)' <<<"$output" || fail "no delta in: $output"
	grep -qE '^where(	|$)' <<<"$output" || fail "no where in: $output"
	run --separate-stderr mapsh __complete -- pinned "$VALS" hist size --
	assert_success
	for o in --log2 --linear --by --bars; do
		grep -qE "^$o(	|\$)" <<<"$output" || fail "no $o in: $output"
	done
}

@test "dump -j of a histogram map applies back: its histograms are read past" {
	fill_lat
	mapsh -j pinned "$LAT" >"$BATS_TEST_TMPDIR/lat.json"
	jq -e '.[0] | has("histograms")' "$BATS_TEST_TMPDIR/lat.json"
	mapsh pinned "$LAT" clear --yes
	run --separate-stderr mapsh pinned "$LAT" apply "$BATS_TEST_TMPDIR/lat.json"
	assert_success
	[ "$(bpftool -j map lookup pinned "$LAT" key 7 0 0 0 | jq -c '.formatted.value.slots[0:6]')" = '[1,0,2,3,0,4]' ]
}
