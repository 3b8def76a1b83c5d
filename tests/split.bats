#!/usr/bin/env bats
# The read engine (cli/map/mapiter.c, mapsplit.c, readers.c): the split
# reader of the hash kinds (threads over bucket ranges, taken over by the
# threads done with their own), its fall-backs, batches that
# grow on ENOSPC, and mmap reads of BPF_F_MMAPABLE arrays, on maps of
# tests/tools/sp_maps.bpf.c loaded with bpftool and written by
# tests/tools/sp_churn. MAPSH_READERS=N forces N readers (1: as one CPU),
# MAPSH_READ_CHUNK=N batches of at most N entries, MAPSH_READ_FAULT a fault
# (token: a first token that is no bucket index; nobatch: no batch ops;
# nommap; nocut: no range taken over by a reader done with its own; slow:
# reader 0 waits after each batch until its range was cut or the others
# are done, so the others take its range over;
# stale: reader 0 sees that only under the lock, before a chunk goes out;
# head1: a range's head is its first batch alone, the rest read again).

load helpers
bats_require_minimum_version 1.5.0

CHURN="$TOP/build/sp_churn"

setup() {
	setup_bpffs
	mkdir -p "$BPFFS/s"
	bpftool prog loadall "$TOP/build/sp_maps.bpf.o" "$BPFFS/s/p" type xdp \
		pinmaps "$BPFFS/s/m" >/dev/null 2>&1 || fail "bpftool could not load sp_maps"
	M="$BPFFS/s/m"
	WPID=
}

teardown() {
	if [ -n "$WPID" ]; then
		kill "$WPID" 2>/dev/null || true
		wait "$WPID" 2>/dev/null || true
	fi
	teardown_common
}

NCPU=$(( $(sed 's/.*-//' /sys/devices/system/cpu/possible) + 1 ))

# keys_ok FILE FIRST N [TIMES]: FILE (plain dump lines: key, value) holds
# the keys FIRST..FIRST+N-1 exactly once each, and nothing else, value =
# key (x TIMES: per-CPU maps sum every CPU's).
keys_ok() {
	local f=$1 first=$2 n=$3 x=${4:-1}
	cut -f 1 "$f" | sort -n >"$f.keys"
	seq "$first" $((first + n - 1)) >"$f.want"
	diff -q "$f.want" "$f.keys" >/dev/null ||
		fail "$(basename "$f"): $(wc -l <"$f.keys") keys, $(sort "$f.keys" | uniq -d | wc -l) repeated, want $n: $(diff "$f.want" "$f.keys" | head -n 4 | tr '\n' ' ')"
	awk -F '\t' -v x="$x" '$1 * x != $2 { bad++ } END { exit bad > 0 }' "$f" ||
		fail "$(basename "$f"): a value is not its key's: $(awk -F '\t' -v x="$x" '$1 * x != $2' "$f" | head -n 2 | tr '\n' ' ')"
}

# dump_to FILE STATSFILE ARGS...: a plain dump with --stats.
dump_to() {
	local f=$1 s=$2
	shift 2
	timeout 60 "$MAPSH" pinned "$@" dump --stats >"$f" 2>"$s" || fail "dump failed: $(cat "$s")"
}

@test "split reader on a static map: every entry exactly once, for 2, 3 and 4 readers, for each hash kind, ranges taken over too" {
	for m in sp_hash sp_lru sp_pchash sp_lrupc; do
		x=1
		[[ $m = *pc* ]] && x=$NCPU
		"$CHURN" fill "$M/$m" 0 30000
		for r in 2 3 4; do
			MAPSH_READERS=$r dump_to "$BATS_TEST_TMPDIR/$m.$r" "$BATS_TEST_TMPDIR/st" "$M/$m"
			grep -q "30000 entries read, [0-9]* batches, $r readers[^,]*, " "$BATS_TEST_TMPDIR/st" ||
				fail "$m, $r readers: $(cat "$BATS_TEST_TMPDIR/st")"
			keys_ok "$BATS_TEST_TMPDIR/$m.$r" 0 30000 $x
			# reader 0 slowed: the others take its range over, in
			# parts; and so when it sees that only under the lock
			for f in slow slow,stale; do
				MAPSH_READERS=$r MAPSH_READ_FAULT=$f dump_to "$BATS_TEST_TMPDIR/$m.$r" "$BATS_TEST_TMPDIR/st" "$M/$m"
				[ "$(grep -o '[0-9]* ranges' "$BATS_TEST_TMPDIR/st" | cut -d ' ' -f 1)" -gt $r ] ||
					fail "$m, $r readers, $f: $(cat "$BATS_TEST_TMPDIR/st")"
				keys_ok "$BATS_TEST_TMPDIR/$m.$r" 0 30000 $x
			done
		done
	done
}

@test "split reader with small batches (many range crossings, ENOSPC retries): exact, counted" {
	"$CHURN" fill "$M/sp_hash" 0 30000
	for c in 1 2 3 7; do
		for r in 1 2 4; do
			MAPSH_READ_CHUNK=$c MAPSH_READERS=$r \
				dump_to "$BATS_TEST_TMPDIR/d.$c.$r" "$BATS_TEST_TMPDIR/st" "$M/sp_hash"
			keys_ok "$BATS_TEST_TMPDIR/d.$c.$r" 0 30000
			grep -q "^sp_hash: 30000 entries read, " "$BATS_TEST_TMPDIR/st" ||
				fail "chunk $c, $r readers: $(cat "$BATS_TEST_TMPDIR/st")"
		done
	done
	# A batch of one entry meets buckets of two or more: asked again.
	MAPSH_READ_CHUNK=1 MAPSH_READERS=1 dump_to "$BATS_TEST_TMPDIR/d" "$BATS_TEST_TMPDIR/st" "$M/sp_hash"
	run grep -o '[0-9]* retries' "$BATS_TEST_TMPDIR/st"
	[ "${output%% *}" -gt 0 ] || fail "no retries: $(cat "$BATS_TEST_TMPDIR/st")"
}

@test "split reader: a crossing batch that runs past the next reader's first batch drops the buckets in between too" {
	# seed zero: keys placed so that reader 0 of 3 sizes its last batch by
	# a dense start and runs far into reader 1's range
	timeout 60 "$CHURN" skew "$M/sp_zhash" 0 0 | sort -n >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" = 2303 ]
	for c in 64 32 16 64,head1 16,head1; do
		f=
		[[ $c = *,* ]] && f=${c#*,}
		MAPSH_READERS=3 MAPSH_READ_CHUNK=${c%,*} MAPSH_READ_FAULT=$f \
			dump_to "$BATS_TEST_TMPDIR/d.$c" "$BATS_TEST_TMPDIR/st" "$M/sp_zhash"
		grep -q "^sp_zhash: 2303 entries read, [0-9]* batches, 3 readers[^,]*, " "$BATS_TEST_TMPDIR/st" ||
			fail "chunk $c: $(cat "$BATS_TEST_TMPDIR/st")"
		cut -f 1 "$BATS_TEST_TMPDIR/d.$c" | sort -n | diff -q "$BATS_TEST_TMPDIR/want" - >/dev/null ||
			fail "chunk $c: $(cut -f 1 "$BATS_TEST_TMPDIR/d.$c" | sort | uniq -d | wc -l) keys repeated"
		awk -F '\t' '$1 != $2 { exit 1 }' "$BATS_TEST_TMPDIR/d.$c" || fail "chunk $c: a value is not its key"
	done
}

@test "sparse hash (1M buckets, a few keys): batches sized to the entries left stop at the range end, nothing read twice" {
	local st=$BATS_TEST_TMPDIR/st
	# keys 0..N-1, seed zero: where they fall is the same on every run
	for n in 100 300 1000 3000; do
		"$CHURN" fill "$M/sp_sparse" 0 "$n"
		for r in 2 3 4; do
			# (a range taken over mid-batch may be read past its new end)
			MAPSH_READERS=$r MAPSH_READ_FAULT=nocut dump_to "$BATS_TEST_TMPDIR/d" "$st" "$M/sp_sparse"
			grep -q "^sp_sparse: $n entries read, [0-9]* batches, $r readers[^,]*, 0 read twice, $r ranges, " "$st" ||
				fail "$n keys, $r readers: $(cat "$st")"
			keys_ok "$BATS_TEST_TMPDIR/d" 0 "$n"
			MAPSH_READERS=$r dump_to "$BATS_TEST_TMPDIR/d" "$st" "$M/sp_sparse"
			keys_ok "$BATS_TEST_TMPDIR/d" 0 "$n"
		done
		"$MAPSH" pinned "$M/sp_sparse" clear --yes >/dev/null
		[ "$("$MAPSH" pinned "$M/sp_sparse" count)" = 0 ] || fail "not emptied"
	done
	# the first two keys in neighbouring buckets: the first batch ends at
	# the second's bucket, so a density taken from it alone says the range
	# is dense, and a batch sized by it reads to the end of the map
	timeout 60 "$CHURN" sparse "$M/sp_sparse" 0 0 | sort -n >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" = 257 ] || fail "$(wc -l <"$BATS_TEST_TMPDIR/want") keys written"
	for r in 2 3 4; do
		MAPSH_READERS=$r MAPSH_READ_FAULT=nocut dump_to "$BATS_TEST_TMPDIR/d" "$st" "$M/sp_sparse"
		grep -q "^sp_sparse: 257 entries read, [0-9]* batches, $r readers[^,]*, 0 read twice, " "$st" ||
			fail "adjacent first keys, $r readers: $(cat "$st")"
		cut -f 1 "$BATS_TEST_TMPDIR/d" | sort -n | diff -q "$BATS_TEST_TMPDIR/want" - >/dev/null ||
			fail "$r readers: not the keys written"
	done
}

@test "split reader while a writer inserts and deletes: 20 passes, every key present throughout read exactly once, ranges taken over too" {
	for m in sp_hash sp_pchash; do
		x=1
		[ $m = sp_pchash ] && x=$NCPU
		"$CHURN" fill "$M/$m" 0 20000
		timeout 300 "$CHURN" churn "$M/$m" 40000 3000 &
		WPID=$!
		for pass in $(seq 20); do
			f=$BATS_TEST_TMPDIR/$m.$pass
			# every other pass: reader 0 slowed, its range taken over
			# (cut again and again) while the writer runs
			fault=
			((pass % 2)) || fault=slow
			MAPSH_READERS=2 MAPSH_READ_FAULT=$fault dump_to "$f" "$BATS_TEST_TMPDIR/st" "$M/$m"
			grep -q ", 2 readers[^,]*, " "$BATS_TEST_TMPDIR/st" || fail "pass $pass: $(cat "$BATS_TEST_TMPDIR/st")"
			[ -z "$fault" ] || grep -q " read twice, \([3-9]\|1[0-9]\) ranges, " "$BATS_TEST_TMPDIR/st" ||
				fail "pass $pass: no range taken over: $(cat "$BATS_TEST_TMPDIR/st")"
			# keys 1..19999 never change; key 0 is rewritten (value = round)
			awk -F '\t' '$1 >= 1 && $1 < 20000' "$f" >"$f.stable"
			keys_ok "$f.stable" 1 19999 $x
			[ "$(awk -F '\t' '$1 == 0' "$f" | wc -l)" = 1 ] || fail "pass $pass: key 0 not once"
			# no key at all twice, transient ones included
			[ -z "$(cut -f 1 "$f" | sort | uniq -d | head -n 1)" ] ||
				fail "pass $pass: repeated $(cut -f 1 "$f" | sort | uniq -d | head -n 3 | tr '\n' ' ')"
			# and nothing that was never in the map
			[ -z "$(awk -F '\t' '$1 >= 20000 && ($1 < 40000 || $1 >= 43000)' "$f" | head -n 1)" ] ||
				fail "pass $pass: a key never written"
		done
		kill "$WPID"
		wait "$WPID" 2>/dev/null || true
		WPID=
	done
}

@test "readers follow the CPUs: one under taskset to one CPU, else one a CPU held to it (also beside a busy loop), free when forced to more" {
	"$CHURN" fill "$M/sp_sparse" 0 3000
	taskset -c 0 timeout 60 "$MAPSH" pinned "$M/sp_sparse" dump --stats >"$BATS_TEST_TMPDIR/one" 2>"$BATS_TEST_TMPDIR/st" ||
		fail "$(cat "$BATS_TEST_TMPDIR/st")"
	grep -q "^sp_sparse: 3000 entries read, [0-9]* batches, 1 reader, " "$BATS_TEST_TMPDIR/st" ||
		fail "one CPU: $(cat "$BATS_TEST_TMPDIR/st")"
	keys_ok "$BATS_TEST_TMPDIR/one" 0 3000
	[ "$(nproc)" -ge 2 ] || skip "one CPU here"
	# the CPUs this test may use, the first two: reader i is held to the
	# i-th of those mapsh may use, which the kernel then reports
	cpus=$(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' |
		awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }' | head -n 2 | tr '\n' ' ')
	cpus=${cpus% }
	[ "${cpus#* }" != "$cpus" ] || skip "one usable CPU here"
	hi=${cpus#* }
	for busy in "" "$hi"; do
		# (a task always runnable on the second CPU: a reader held to
		# it stays there and takes its share)
		if [ -n "$busy" ]; then
			taskset -c "$busy" sh -c 'while :; do :; done' &
			WPID=$!
			sleep 0.2
		fi
		taskset -c "${cpus/ /,}" timeout 60 "$MAPSH" pinned "$M/sp_sparse" dump --stats >"$BATS_TEST_TMPDIR/two" 2>"$BATS_TEST_TMPDIR/st" ||
			fail "$(cat "$BATS_TEST_TMPDIR/st")"
		grep -q "^sp_sparse: 3000 entries read, [0-9]* batches, 2 readers (CPUs $cpus), " "$BATS_TEST_TMPDIR/st" ||
			fail "CPUs $cpus${busy:+, $busy busy}: want 2 readers held to them: $(cat "$BATS_TEST_TMPDIR/st")"
		keys_ok "$BATS_TEST_TMPDIR/two" 0 3000
		if [ -n "$busy" ]; then
			kill "$WPID"
			wait "$WPID" 2>/dev/null || true
			WPID=
		fi
	done
	# forced to more readers than CPUs: the scheduler places them
	MAPSH_READERS=3 taskset -c "${cpus/ /,}" timeout 60 "$MAPSH" pinned "$M/sp_sparse" dump --stats >"$BATS_TEST_TMPDIR/three" 2>"$BATS_TEST_TMPDIR/st" ||
		fail "$(cat "$BATS_TEST_TMPDIR/st")"
	grep -q "^sp_sparse: 3000 entries read, [0-9]* batches, 3 readers, " "$BATS_TEST_TMPDIR/st" ||
		fail "3 readers on 2 CPUs, want none held: $(cat "$BATS_TEST_TMPDIR/st")"
	keys_ok "$BATS_TEST_TMPDIR/three" 0 3000
}

@test "forced fall-backs (a token that is no bucket index, no batch ops, one CPU) give the split reader's entries" {
	"$CHURN" fill "$M/sp_hash" 0 30000
	MAPSH_READERS=2 dump_to "$BATS_TEST_TMPDIR/split" "$BATS_TEST_TMPDIR/st" "$M/sp_hash"
	grep -q ", 2 readers[^,]*, " "$BATS_TEST_TMPDIR/st" || fail "$(cat "$BATS_TEST_TMPDIR/st")"
	sort "$BATS_TEST_TMPDIR/split" >"$BATS_TEST_TMPDIR/split.s"
	keys_ok "$BATS_TEST_TMPDIR/split" 0 30000

	MAPSH_READERS=2 MAPSH_READ_FAULT=token dump_to "$BATS_TEST_TMPDIR/tok" "$BATS_TEST_TMPDIR/st" "$M/sp_hash"
	grep -q "1 reader (split reader fell back: a token that is not a bucket index)" "$BATS_TEST_TMPDIR/st" ||
		fail "token: $(cat "$BATS_TEST_TMPDIR/st")"
	sort "$BATS_TEST_TMPDIR/tok" | diff -q - "$BATS_TEST_TMPDIR/split.s" || fail "token fall-back differs"

	MAPSH_READERS=2 MAPSH_READ_FAULT=nobatch dump_to "$BATS_TEST_TMPDIR/nb" "$BATS_TEST_TMPDIR/st" "$M/sp_hash"
	grep -q "30000 entries read, 0 batches, 1 reader," "$BATS_TEST_TMPDIR/st" || fail "nobatch: $(cat "$BATS_TEST_TMPDIR/st")"
	sort "$BATS_TEST_TMPDIR/nb" | diff -q - "$BATS_TEST_TMPDIR/split.s" || fail "no-batch fall-back differs"

	MAPSH_READERS=1 dump_to "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/st" "$M/sp_hash"
	grep -q ", 1 reader, " "$BATS_TEST_TMPDIR/st" || fail "one: $(cat "$BATS_TEST_TMPDIR/st")"
	sort "$BATS_TEST_TMPDIR/one" | diff -q - "$BATS_TEST_TMPDIR/split.s" || fail "one reader differs"

	# count, save and -j dump read through the same engine
	for r in 1 2; do
		run -0 env MAPSH_READERS=$r "$MAPSH" pinned "$M/sp_hash" count where value '<' 100
		assert_output 100
		run -0 env MAPSH_READERS=$r "$MAPSH" pinned "$M/sp_hash" count
		assert_output 30000
		MAPSH_READERS=$r timeout 60 "$MAPSH" pinned "$M/sp_hash" save "$BATS_TEST_TMPDIR/save.$r"
		jq -c 'sort_by(.key)' "$BATS_TEST_TMPDIR/save.$r" >"$BATS_TEST_TMPDIR/save.$r.s"
		MAPSH_READERS=$r timeout 60 "$MAPSH" -j pinned "$M/sp_hash" dump | jq -c 'sort_by(.key)' >"$BATS_TEST_TMPDIR/j.$r"
	done
	cmp -s "$BATS_TEST_TMPDIR/save.1.s" "$BATS_TEST_TMPDIR/save.2.s" || fail "save differs with 2 readers"
	# an entry a line, as one reader writes it
	[ "$(wc -l <"$BATS_TEST_TMPDIR/save.2")" = 30002 ] && [ "$(wc -l <"$BATS_TEST_TMPDIR/save.1")" = 30002 ] ||
		fail "save lines: $(wc -l <"$BATS_TEST_TMPDIR/save.1") and $(wc -l <"$BATS_TEST_TMPDIR/save.2")"
	cmp -s "$BATS_TEST_TMPDIR/j.1" "$BATS_TEST_TMPDIR/j.2" || fail "-j dump differs with 2 readers"
	[ "$(jq length "$BATS_TEST_TMPDIR/j.2")" = 30000 ]
}

@test "rows formatted by the split readers: the same as one reader's, bytes no field covers too; a closed pipe stops them" {
	local b=$BATS_TEST_TMPDIR/batch k
	# 6000 keys (more than a chunk, so the readers start), every 7th with
	# bytes in the hole after a
	for ((k = 0; k < 6000; k++)); do
		h=00
		((k % 7)) || h=$(printf '%02x' $((k % 251 + 1)))
		printf 'map update pinned %s key hex %02x %s 00 00 %02x %02x 00 00 value hex %02x 00 00 00 00 00 00 00\n' \
			"$M/sp_holes" $((k % 256)) "$h" $((k / 256 % 256)) $((k / 65536)) $((k % 256))
	done >"$b"
	bpftool batch file "$b" >/dev/null
	MAPSH_READERS=1 dump_to "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/st" "$M/sp_holes"
	grep -q "6000 entries read, [0-9]* batches, 1 reader, " "$BATS_TEST_TMPDIR/st" || fail "$(cat "$BATS_TEST_TMPDIR/st")"
	[ "$(grep -c '@uncovered=' "$BATS_TEST_TMPDIR/one")" = 858 ] || fail "$(grep -c '@uncovered=' "$BATS_TEST_TMPDIR/one") rows with uncovered bytes"
	for r in 2 3; do
		MAPSH_READERS=$r dump_to "$BATS_TEST_TMPDIR/split" "$BATS_TEST_TMPDIR/st" "$M/sp_holes"
		grep -q "6000 entries read, [0-9]* batches, $r readers[^,]*, " "$BATS_TEST_TMPDIR/st" || fail "$(cat "$BATS_TEST_TMPDIR/st")"
		diff <(sort "$BATS_TEST_TMPDIR/one") <(sort "$BATS_TEST_TMPDIR/split") >/dev/null ||
			fail "$r readers: $(diff <(sort "$BATS_TEST_TMPDIR/one") <(sort "$BATS_TEST_TMPDIR/split") | head -n 4)"
	done
	# a reader that hangs up after one line: exit 0, nothing on stderr
	"$CHURN" fill "$M/sp_hash" 0 30000
	run --separate-stderr bash -c "MAPSH_READERS=2 '$MAPSH' pinned '$M/sp_hash' dump | head -n 1"
	assert_success
	[ "${#lines[@]}" = 1 ] && [ -z "$stderr" ] || fail "$output / $stderr"
	# and a full disk is said, exit 1
	run --separate-stderr bash -c "MAPSH_READERS=2 '$MAPSH' pinned '$M/sp_hash' dump >/dev/full"
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"write error: No space left on device"* ]] || fail "$stderr"
}

@test "JSON and JSON lines formatted by the split readers: the records one reader writes, bytes no field covers and wall times too" {
	local b=$BATS_TEST_TMPDIR/batch k d=$BATS_TEST_TMPDIR
	for ((k = 0; k < 6000; k++)); do
		h=00
		((k % 7)) || h=$(printf '%02x' $((k % 251 + 1)))
		printf 'map update pinned %s key hex %02x %s 00 00 %02x %02x 00 00 value hex %02x 00 00 00 00 00 00 00\n' \
			"$M/sp_holes" $((k % 256)) "$h" $((k / 256 % 256)) $((k / 65536)) $((k % 256))
		# seen: k ms after boot, little-endian
		printf 'map update pinned %s key hex %02x %02x 00 00 value hex %s 00 00 00 00 00 00 00 00\n' \
			"$M/sp_times" $((k % 256)) $((k / 256)) \
			"$(printf '%016x' $((k * 1000000)) | sed 's/../& /g' | awk '{ for (i = NF; i > 0; i--) printf "%s ", $i }')"
	done >"$b"
	bpftool batch file "$b" >/dev/null
	for m in sp_holes sp_times; do
		MAPSH_READERS=1 timeout 60 "$MAPSH" -j pinned "$M/$m" dump >"$d/one.json"
		MAPSH_READERS=1 timeout 60 "$MAPSH" --jsonl pinned "$M/$m" dump >"$d/one.jsonl"
		jq -c '.[]' "$d/one.json" | sort >"$d/one.s" || fail "$m: one reader's JSON does not parse"
		[ "$(wc -l <"$d/one.s")" = 6000 ] || fail "$m: $(wc -l <"$d/one.s") records"
		[ $m = sp_times ] || [ "$(grep -c '"@uncovered"' "$d/one.s")" = 858 ] ||
			fail "$(grep -c '"@uncovered"' "$d/one.s") records with uncovered bytes"
		sort "$d/one.jsonl" | cmp -s - "$d/one.s" || fail "$m: JSON lines are not the array's records"
		for r in 2 3; do
			MAPSH_READERS=$r timeout 60 "$MAPSH" -j pinned "$M/$m" dump --stats >"$d/split.json" 2>"$d/st"
			grep -q "6000 entries read, [0-9]* batches, $r readers[^,]*, " "$d/st" || fail "$m: $(cat "$d/st")"
			jq -c '.[]' "$d/split.json" | sort >"$d/split.s" || fail "$m, $r readers: the JSON does not parse: $(head -c 300 "$d/split.json")"
			cmp -s "$d/one.s" "$d/split.s" || fail "$m, $r readers: $(diff "$d/one.s" "$d/split.s" | head -n 4)"
			MAPSH_READERS=$r timeout 60 "$MAPSH" --jsonl pinned "$M/$m" dump | sort | cmp -s - "$d/one.s" ||
				fail "$m, $r readers: JSON lines differ"
		done
	done
	# key 0 has seen 0: never set, null
	[ "$(jq '[.[] | select(.wall.seen | type == "string")] | length' "$d/split.json")" = 5999 ] ||
		fail "wall times: $(jq -c '[.[] | select(.wall.seen | type != "string")][1]' "$d/split.json")"
	# an empty map: [] and no line
	run -0 env MAPSH_READERS=2 "$MAPSH" -j pinned "$M/sp_hash" dump
	assert_output "[]"
	run -0 env MAPSH_READERS=2 "$MAPSH" --jsonl pinned "$M/sp_hash" dump
	assert_output ""
}

@test "rows with interface names formatted by the split readers: those one reader writes" {
	local b=$BATS_TEST_TMPDIR/batch k d=$BATS_TEST_TMPDIR i
	# ifindex 1 (lo) mostly, every fifth one no interface has (999999:
	# a miss, which reloads the names)
	for ((k = 0; k < 20000; k++)); do
		i="01 00 00 00"
		((k % 5)) || i="3f 42 0f 00"
		printf 'map update pinned %s key hex %02x %02x 00 00 value hex %s %02x %02x 00 00\n' \
			"$M/sp_ifs" $((k % 256)) $((k / 256)) "$i" $((k % 256)) $((k / 256))
	done >"$b"
	bpftool batch file "$b" >/dev/null
	MAPSH_READERS=1 timeout 60 "$MAPSH" pinned "$M/sp_ifs" dump >"$d/one"
	[ "$(grep -c "$(printf '\tlo\t')" "$d/one")" = 16000 ] || fail "$(head -n 3 "$d/one")"
	[ "$(grep -c "$(printf '\t999999\t')" "$d/one")" = 4000 ] || fail "$(head -n 3 "$d/one")"
	sort "$d/one" >"$d/one.s"
	for r in 2 3 4; do
		MAPSH_READERS=$r timeout 60 "$MAPSH" pinned "$M/sp_ifs" dump --stats >"$d/split" 2>"$d/st" ||
			fail "$r readers: $(cat "$d/st")"
		grep -q "20000 entries read, [0-9]* batches, $r readers[^,]*, " "$d/st" || fail "$(cat "$d/st")"
		sort "$d/split" | cmp -s - "$d/one.s" || fail "$r readers: $(sort "$d/split" | diff "$d/one.s" - | head -n 4)"
	done
}

@test "export of maps the split readers read, their labels made by the readers: the series one reader exports" {
	local d=$BATS_TEST_TMPDIR k
	"$CHURN" fill "$M/sp_hash" 0 30000
	"$CHURN" fill "$M/sp_pchash" 0 30000
	for ((k = 0; k < 3000; k++)); do
		printf 'map update pinned %s key hex %02x 00 00 00 %02x %02x 00 00 value hex %02x 00 00 00 00 00 00 00\n' \
			"$M/sp_holes" $((k % 256)) $((k / 256 % 256)) $((k / 65536)) $((k % 256))
	done >"$d/batch"
	bpftool batch file "$d/batch" >/dev/null
	for m in sp_hash sp_pchash sp_holes; do
		for pc in "" --per-cpu; do
			MAPSH_READERS=1 timeout 60 "$MAPSH" export pinned "$M/$m" --once $pc | sort >"$d/one"
			x=1
			[ $m = sp_pchash ] && x=$NCPU	# summed over the CPUs
			grep -q '^mapsh_'$m'_value{key="29999"} '$((29999 * x))'$' "$d/one" || [ $m = sp_holes ] || [ -n "$pc" ] ||
				fail "$m: $(grep -m 3 -v '^#' "$d/one")"
			[ "$m$pc" != sp_pchash--per-cpu ] ||
				[ "$(grep -c '^mapsh_sp_pchash_value{key="[0-9]*",cpu="[0-9]*"} ' "$d/one")" = $((30000 * NCPU)) ] ||
				fail "sp_pchash --per-cpu: $(grep -m 3 -v '^#' "$d/one")"
			for r in 2 3; do
				MAPSH_READERS=$r timeout 60 "$MAPSH" export pinned "$M/$m" --once $pc | sort >"$d/split" ||
					fail "$m, $r readers: export failed"
				cmp -s "$d/one" "$d/split" || fail "$m $pc, $r readers: $(diff "$d/one" "$d/split" | head -n 4)"
			done
		done
	done
	[ "$(grep -c '^mapsh_sp_holes_value{a="[0-9]*",b="[0-9]*"} ' "$d/one")" = 3000 ] ||
		fail "sp_holes: $(grep -m 3 -v '^#' "$d/one")"
}

@test "an mmapable array reads through mmap with the batch read's output; so does global data" {
	"$CHURN" fill "$M/sp_marr" 0 100000
	"$CHURN" fill "$M/sp_arr" 0 100000
	dump_to "$BATS_TEST_TMPDIR/mm" "$BATS_TEST_TMPDIR/st" "$M/sp_marr"
	grep -q "^sp_marr: 100000 entries read, [0-9]* mmap chunks, 1 reader, " "$BATS_TEST_TMPDIR/st" ||
		fail "$(cat "$BATS_TEST_TMPDIR/st")"
	MAPSH_READ_FAULT=nommap dump_to "$BATS_TEST_TMPDIR/bt" "$BATS_TEST_TMPDIR/st" "$M/sp_marr"
	grep -q " batches, " "$BATS_TEST_TMPDIR/st" || fail "$(cat "$BATS_TEST_TMPDIR/st")"
	cmp -s "$BATS_TEST_TMPDIR/mm" "$BATS_TEST_TMPDIR/bt" || fail "mmap and batch dumps differ"
	dump_to "$BATS_TEST_TMPDIR/plain" "$BATS_TEST_TMPDIR/st" "$M/sp_arr"
	cmp -s "$BATS_TEST_TMPDIR/mm" "$BATS_TEST_TMPDIR/plain" || fail "mmapable and plain arrays differ"
	# the values, 6 bytes apart 8 in the mapping: a = key, b = key & 0xffff
	[ "$(sed -n '70001p' "$BATS_TEST_TMPDIR/mm")" = "$(printf '70000\t70000\t4464')" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/mm")" = 100000 ]
	run -0 "$MAPSH" -j pinned "$M/sp_marr" dump
	[ "$output" = "$(MAPSH_READ_FAULT=nommap "$MAPSH" -j pinned "$M/sp_marr" dump)" ]
	run -0 "$MAPSH" pinned "$M/sp_marr" count where a '>=' 99990
	assert_output 10
	# .data (libbpf makes it mmapable): the same through both ways
	dump_to "$BATS_TEST_TMPDIR/gd" "$BATS_TEST_TMPDIR/st" "$M/sp_maps_data"
	grep -q " mmap chunks, " "$BATS_TEST_TMPDIR/st" || fail "$(cat "$BATS_TEST_TMPDIR/st")"
	run -0 env MAPSH_READ_FAULT=nommap "$MAPSH" -j pinned "$M/sp_maps_data" dump
	[ "$output" = "$("$MAPSH" -j pinned "$M/sp_maps_data" dump)" ]
	[ "$(jq -c '.[0].value' <<<"$output")" = '{"sp_hits":3,"sp_seen":[1,2,3,4]}' ]
}

@test "dump --stats (-v): one line on stderr, the entries on stdout unchanged" {
	"$CHURN" fill "$M/sp_hash" 0 5000
	run --separate-stderr "$MAPSH" pinned "$M/sp_hash" dump -v
	assert_success
	[ "${#lines[@]}" = 5000 ]
	[[ "$stderr" =~ ^sp_hash:\ 5000\ entries\ read,\ [0-9]+\ batches,\ [0-9]\ readers?(\ \(CPUs(\ [0-9]+)+\))?,(\ [0-9]+\ read\ twice,\ [0-9]+\ ranges,)?\ [0-9]+\ retries,\ [0-9.]+\ s$ ]] ||
		fail "stderr: $stderr"
	run --separate-stderr "$MAPSH" pinned "$M/sp_hash" dump
	[ -z "$stderr" ]
	[ "${#lines[@]}" = 5000 ]
}

@test "hist and diff read through the same engine: with 2 readers, one reader's histogram and differences; --stats says how" {
	local t=$BATS_TEST_TMPDIR
	"$CHURN" fill "$M/sp_hash" 0 30000
	MAPSH_READERS=1 timeout 60 "$MAPSH" pinned "$M/sp_hash" save "$t/save.json" 2>/dev/null
	"$CHURN" fill "$M/sp_hash" 30000 5
	for r in 1 2; do
		MAPSH_READERS=$r timeout 60 "$MAPSH" pinned "$M/sp_hash" hist value --stats >"$t/h.$r" 2>"$t/hs.$r" ||
			fail "hist, $r readers: $(cat "$t/hs.$r")"
		run -1 --separate-stderr env MAPSH_READERS=$r timeout 60 "$MAPSH" pinned "$M/sp_hash" diff "$t/save.json" --stats
		printf '%s\n' "${lines[@]}" >"$t/d.$r"
		echo "$stderr" >"$t/ds.$r"
	done
	grep -q "^sp_hash: 30005 entries read, [0-9]* batches, 1 reader, " "$t/hs.1" || fail "hist, 1: $(cat "$t/hs.1")"
	grep -q "^sp_hash: 30005 entries read, [0-9]* batches, 2 readers[^,]*, " "$t/hs.2" || fail "hist, 2: $(cat "$t/hs.2")"
	grep -q "^sp_hash: 30005 entries read, [0-9]* batches, 2 readers[^,]*, " "$t/ds.2" || fail "diff, 2: $(cat "$t/ds.2")"
	[ "$(wc -l <"$t/ds.2")" = 1 ] || fail "diff --stats: $(cat "$t/ds.2")"
	cmp -s "$t/h.1" "$t/h.2" || fail "hist differs with 2 readers: $(diff "$t/h.1" "$t/h.2" | head -n 4)"
	grep -q '^value: count 30005, ' "$t/h.2" || fail "$(head -n 2 "$t/h.2")"
	cmp -s "$t/d.1" "$t/d.2" || fail "diff differs with 2 readers: $(diff "$t/d.1" "$t/d.2" | head -n 4)"
	[ "$(cat "$t/d.2")" = "$(for k in 30000 30001 30002 30003 30004; do printf '+ %s  %s\n' $k $k; done)" ] ||
		fail "diff: $(head -n 6 "$t/d.2")"
}
