#!/usr/bin/env bats
# Walks of maps larger than one batch (mapsh reads 4096 entries a batch,
# the next ones on a second thread): dump, count, save and clear checked
# entry by entry against what an independent writer (bpftool batch, or
# tests/data_tool.c with raw bpf(2) calls) put there; a hash bucket larger
# than the batch (ENOSPC: the batch grows); entries deleted while a dump
# waits on its reader; clear when the batch delete fails (a key deleted
# meanwhile, a frozen map).

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export DATA_TOOL="$BATS_FILE_TMPDIR/data_tool"
	export DATA_HOOK="$BATS_FILE_TMPDIR/data_hook.so"
	cc -O2 -Wall -o "$DATA_TOOL" "$BATS_TEST_DIRNAME/data_tool.c"
	cc -O2 -Wall -shared -fPIC -o "$DATA_HOOK" "$BATS_TEST_DIRNAME/data_hook.c" -ldl
}

setup() {
	setup_bpffs
	ID=$(_unique_id)
}
teardown() {
	if [ -n "${BG_PID:-}" ]; then
		kill -TERM "$BG_PID" 2>/dev/null || true	# timeout passes it on
		wait "$BG_PID" 2>/dev/null || true
	fi
	teardown_common
}

# hex4 N: a u32 key as bpftool's bytes (little-endian), as mapsh prints it.
hex4() { printf '%02x %02x %02x %02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }

# The N flows of fill_flows, as bpftool writes them and as
# 'dump fields src_ip,dst_ip,src_port,dst_port,protocol,packets,bytes'
# must print them: flow i is 10.x.y.z (i in the low 3 bytes) ->
# 192.168.0.1, ports 1024 + i % 60000 -> 80 + i % 7, tcp for even i and
# udp for odd, i + 1 packets and 64 bytes a packet.
flows_awk='
function le64(x,   s, i) { s = ""; for (i = 0; i < 8; i++) { s = s sprintf(" %02x", x % 256); x = int(x / 256) } return s }
BEGIN {
	for (i = 0; i < n; i++) {
		sp = 1024 + i % 60000; dp = 80 + i % 7; pr = i % 2 ? 17 : 6
		if (mode == "batch")
			printf "map update pinned %s key hex 0a %02x %02x %02x c0 a8 00 01 %02x %02x %02x %02x %02x 00 00 00 value hex%s%s%s%s 00 00 00 00 00 00 00 00\n", \
				pin, int(i / 65536) % 256, int(i / 256) % 256, i % 256, int(sp / 256), sp % 256, \
				int(dp / 256), dp % 256, pr, le64(i + 1), le64((i + 1) * 64), le64(0), le64(0)
		else
			printf "10.%d.%d.%d\t192.168.0.1\t%d\t%d\t%s\t%d\t%d\n", int(i / 65536) % 256, \
				int(i / 256) % 256, i % 256, sp, dp, pr == 6 ? "tcp" : "udp", i + 1, (i + 1) * 64
	}
}'

fill_flows() {
	awk -v n="$1" -v mode=batch -v pin="$MAPSH_PIN_DIR/flows" "$flows_awk" >"$BATS_TEST_TMPDIR/batch"
	run bpftool batch file "$BATS_TEST_TMPDIR/batch"
	assert_success
	awk -v n="$1" -v mode=tsv "$flows_awk" | LC_ALL=C sort >"$BATS_TEST_TMPDIR/want"
}

FIELDS=src_ip,dst_ip,src_port,dst_port,protocol,packets,bytes
JQ_TSV='[.key.src_ip, .key.dst_ip, .key.src_port, .key.dst_port, .key.protocol, .value.packets, .value.bytes] | @tsv'

@test "12,500 flows (4 batches): dump, -j dump, save and count give every entry once, as written" {
	mapsh load >/dev/null	# not attached: nothing else writes flows
	fill_flows 12500
	[ "$(dump_pinned flows | jq length)" = 12500 ]
	want="$BATS_TEST_TMPDIR/want"
	# text, sorted by us: the same lines, so each entry once
	run --separate-stderr mapsh flows dump fields $FIELDS
	assert_success
	[ "${#lines[@]}" = 12500 ] || fail "dump printed ${#lines[@]} lines"
	diff <(LC_ALL=C sort <<<"$output") "$want" || fail "dump differs from what was written"
	# JSON, through the compiled formatters
	mapsh -j flows dump >"$BATS_TEST_TMPDIR/dump.json"
	diff <(jq -r ".[] | $JQ_TSV" "$BATS_TEST_TMPDIR/dump.json" | LC_ALL=C sort) "$want"
	# save (its own walk, without the reading thread)
	run mapsh flows save "$BATS_TEST_TMPDIR/save.json"
	assert_success
	assert_output "flows: saved 12500 entries to $BATS_TEST_TMPDIR/save.json"
	diff <(jq -r ".[] | $JQ_TSV" "$BATS_TEST_TMPDIR/save.json" | LC_ALL=C sort) "$want"
	# count: all, and with where (a walk of its own)
	run mapsh flows count
	assert_success
	assert_output 12500
	run mapsh flows count where packets '<=' 100
	assert_success
	assert_output 100
	run mapsh flows count where protocol == udp and packets '>' 12000
	assert_success
	assert_output 250
	# sort and limit over every batch: the top three are in the last ones
	run mapsh flows dump sort packets desc limit 3 fields src_ip,packets
	assert_success
	assert_output "$(printf '10.0.48.211\t12500\n10.0.48.210\t12499\n10.0.48.209\t12498')"
	run mapsh flows dump where packets '>' 12497 sort packets fields packets
	assert_success
	assert_output "$(printf '12498\n12499\n12500')"
}

@test "clear of 12,500 flows deletes every batch; the audit log has one line per entry" {
	mapsh load >/dev/null
	fill_flows 12500
	run mapsh --audit-log "$BATS_TEST_TMPDIR/audit" flows clear --yes
	assert_success
	assert_output "flows: deleted 12500 entries"
	[ "$(dump_pinned flows | jq length)" = 0 ]
	# an intent record per entry, a result per batch (map/audit.h)
	jq -c 'select(.state == "intent")' "$BATS_TEST_TMPDIR/audit" >"$BATS_TEST_TMPDIR/intents"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/intents")" = 12500 ]
	[ "$(jq -s -c 'map(select(.state == "done") | .changes) | add' "$BATS_TEST_TMPDIR/audit")" = 12500 ]
	diff <(jq -r "$JQ_TSV" "$BATS_TEST_TMPDIR/intents" | sed 's/\t[0-9]*\t[0-9]*$//' | LC_ALL=C sort) \
	     <(cut -f1-5 "$BATS_TEST_TMPDIR/want")
	[ "$(jq -s -c 'map(.old.packets) | add' "$BATS_TEST_TMPDIR/intents")" = $((12500 * 12501 / 2)) ]
	[ "$(jq -s -c 'map([.op, .new]) | unique' "$BATS_TEST_TMPDIR/intents")" = '[["clear",null]]' ]
}

@test "a hash bucket larger than the batch: the batch grows (ENOSPC), dump, count and save see it all" {
	# 1.5 MiB values: batches of 2 entries. BPF_F_ZERO_SEED (0x40) makes the
	# bucket of a key jhash(key, 0) & 7: keys 26, 35 and 44 share bucket 0.
	bpftool map create "$BPFFS/g" type hash key 4 value 1572864 entries 8 name "dg_$ID" flags 0x40
	"$DATA_TOOL" put "$BPFFS/g" 26 35 44 4 2
	# the kernel refuses a 2-entry batch: the walk must grow it
	run "$DATA_TOOL" probe "$BPFFS/g" 2
	assert_output ENOSPC
	run "$DATA_TOOL" probe "$BPFFS/g" 3
	assert_output "ok 3"
	# every value byte is the key's low byte
	for k in 2 4 26 35 44; do
		printf '%s\t%s\n' "$(hex4 $k)" "$(yes "$(printf %02x $k)" | head -n 1572864 | paste -sd' ')"
	done | LC_ALL=C sort >"$BATS_TEST_TMPDIR/want"
	mapsh pinned "$BPFFS/g" dump >"$BATS_TEST_TMPDIR/dump"
	cmp <(LC_ALL=C sort "$BATS_TEST_TMPDIR/dump") "$BATS_TEST_TMPDIR/want" || fail "dump differs: $(cut -f1 "$BATS_TEST_TMPDIR/dump")"
	run mapsh pinned "$BPFFS/g" count
	assert_success
	assert_output 5
	run mapsh --jsonl pinned "$BPFFS/g" save "$BATS_TEST_TMPDIR/save.jsonl"
	assert_success
	for k in 2 4 26 35 44; do
		x=$(printf %02x $k)
		printf '{"key":["0x%s","0x00","0x00","0x00"],"value":[%s]}\n' "$x" "$(yes "\"0x$x\"" | head -n 1572864 | paste -sd,)"
	done | LC_ALL=C sort >"$BATS_TEST_TMPDIR/want.jsonl"
	cmp <(LC_ALL=C sort "$BATS_TEST_TMPDIR/save.jsonl") "$BATS_TEST_TMPDIR/want.jsonl" || fail "save differs"
	run mapsh pinned "$BPFFS/g" clear --yes
	assert_success
	assert_output "dg_$ID: deleted 5 entries"
	[ "$(bpftool -j map dump pinned "$BPFFS/g" | jq length)" = 0 ]
}

@test "entries deleted while a dump waits on its reader: every other entry once, none twice" {
	# 50,000 entries, 13 batches. The reader takes one line, then stops:
	# mapsh blocks on the full pipe within its first batch, having read
	# at most 3 batches per reader (the one it prints and 2 read ahead;
	# --stats says how many readers split the map).
	bpftool map create "$BPFFS/big" type hash key 4 value 8 entries 65536 name "db_$ID"
	"$DATA_TOOL" fill "$BPFFS/big" 0 50000
	awk -v pin="$BPFFS/big" 'BEGIN { for (i = 1; i < 50000; i += 2)
		printf "map delete pinned %s key hex %02x %02x %02x 00\n", pin, i % 256, int(i / 256) % 256, int(i / 65536) }' \
		>"$BATS_TEST_TMPDIR/del"
	fifo="$BATS_TEST_TMPDIR/fifo"
	mkfifo "$fifo"
	timeout 60 "$MAPSH" pinned "$BPFFS/big" dump --stats >"$fifo" 2>"$BATS_TEST_TMPDIR/stats" &
	BG_PID=$!
	exec 5<"$fifo"
	read -r first <&5
	run bpftool batch file "$BATS_TEST_TMPDIR/del"
	assert_success
	assert_output "processed 25000 commands"
	cat <&5 >"$BATS_TEST_TMPDIR/rest"
	exec 5<&-
	rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	[ "$rc" = 0 ] || fail "dump exited $rc"
	# key (u32, little-endian bytes) and value (k*3+1) of every line
	printf '%s\n' "$first" | cat - "$BATS_TEST_TMPDIR/rest" | awk -F'\t' '
		function le(s,   b, n, i, x) { n = split(s, b, " "); x = 0
			for (i = n; i >= 1; i--) x = x * 256 + (index("0123456789abcdef", substr(b[i], 1, 1)) - 1) * 16 + \
				index("0123456789abcdef", substr(b[i], 2, 1)) - 1
			return x }
		{ printf "%d %d\n", le($1), le($2) }' >"$BATS_TEST_TMPDIR/got"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -gt 25000 ]
	# nothing twice, every value right, nothing that was never written
	[ -z "$(cut -d' ' -f1 "$BATS_TEST_TMPDIR/got" | sort | uniq -d)" ] || fail "keys listed twice"
	awk '$2 != $1 * 3 + 1 || $1 >= 50000 { print; bad = 1 } END { exit bad }' "$BATS_TEST_TMPDIR/got"
	# every entry that was never deleted, and at most 3 batches of the others
	[ "$(awk '$1 % 2 == 0' "$BATS_TEST_TMPDIR/got" | wc -l)" = 25000 ]
	odd=$(awk '$1 % 2 == 1' "$BATS_TEST_TMPDIR/got" | wc -l)
	readers=$(sed -n 's/.* \([0-9]*\) readers*.*/\1/p' "$BATS_TEST_TMPDIR/stats")
	[ -n "$readers" ] || fail "no readers in --stats: $(cat "$BATS_TEST_TMPDIR/stats")"
	[ "$odd" -le $((3 * 4096 * readers)) ] || fail "$odd deleted entries listed with $readers readers: read before the deletion?"
	[ "$(bpftool -j map dump pinned "$BPFFS/big" | jq length)" = 25000 ]
}

@test "clear when a key of the batch was deleted meanwhile: the rest one by one, exact count and audit" {
	bpftool map create "$BPFFS/c" type hash key 4 value 8 entries 64 name "dc_$ID"
	"$DATA_TOOL" fill "$BPFFS/c" 0 10
	# just before mapsh's batch delete, the key at index 3 of the batch goes
	run env DATA_HOOK_INDEX=3 DATA_HOOK_LOG="$BATS_TEST_TMPDIR/gone" LD_PRELOAD="$DATA_HOOK" \
		"$MAPSH" --audit-log "$BATS_TEST_TMPDIR/audit" pinned "$BPFFS/c" clear --yes
	assert_success
	assert_output "dc_$ID: deleted 9 entries"
	[ "$(bpftool -j map dump pinned "$BPFFS/c" | jq length)" = 0 ]
	[ -s "$BATS_TEST_TMPDIR/gone" ] || fail "the LD_PRELOAD hook did not run (does mapsh call libc's syscall()?)"
	gone=$(cat "$BATS_TEST_TMPDIR/gone")
	# the audit log: the intent of each of the 10 keys, and a result
	# saying 9 were deleted and which one was gone already
	[ "$(jq -c 'select(.state == "intent")' "$BATS_TEST_TMPDIR/audit" | wc -l)" = 10 ]
	[ "$(jq -s -c 'map(select(.state == "done") | [.changes, (.gone | map(map(.[2:]) | join(" ")))])' "$BATS_TEST_TMPDIR/audit")" = \
	  "[[9,[\"$gone\"]]]" ]
	# each with the value it had (k*3+1)
	jq -r 'select(.state == "intent") | (.key[0] | .[2:]) + " " + (.old[0] | .[2:]) + " " + (.old[1:] | unique | join(","))' \
		"$BATS_TEST_TMPDIR/audit" >"$BATS_TEST_TMPDIR/kv"
	while read -r k v rest; do
		[ $((16#$v)) = $((16#$k * 3 + 1)) ] || fail "key $k: old value $v"
		[ "$rest" = 0x00 ] || fail "key $k: old value $v $rest"
	done <"$BATS_TEST_TMPDIR/kv"
}

@test "clear of a frozen map: the kernel's refusal, nothing deleted, nothing logged" {
	bpftool map create "$BPFFS/f" type hash key 4 value 8 entries 64 name "df_$ID"
	"$DATA_TOOL" fill "$BPFFS/f" 0 5
	before=$(bpftool -j map dump pinned "$BPFFS/f")
	mapsh pinned "$BPFFS/f" freeze
	run --separate-stderr mapsh --audit-log "$BATS_TEST_TMPDIR/audit" pinned "$BPFFS/f" clear --yes
	assert_failure 1
	[ "$stderr" = "mapsh: df_$ID is frozen: user space can no longer change it" ]
	[ -z "$output" ]
	[ "$(bpftool -j map dump pinned "$BPFFS/f")" = "$before" ]
	[ ! -s "$BATS_TEST_TMPDIR/audit" ]
	run --separate-stderr mapsh -j pinned "$BPFFS/f" clear --yes
	assert_failure 1
	[ "$(jq .deleted <<<"$output")" = 0 ]
	# without a log too: the refusal of the first batch, nothing rolled back
	[ "$stderr" = "mapsh: df_$ID is frozen: user space can no longer change it" ]
	[ "$(bpftool -j map dump pinned "$BPFFS/f")" = "$before" ]
}

@test "a map of maps of 5,000 keys (walked key by key, 2 chunks): dump and count list every key once" {
	bpftool map create "$BPFFS/in" type hash key 4 value 8 entries 4 name "di_$ID"
	bpftool map create "$BPFFS/hom" type hash_of_maps key 4 value 4 entries 8192 name "dh_$ID" \
		inner_map pinned "$BPFFS/in"
	DATA_TOOL_INNER="$BPFFS/in" "$DATA_TOOL" fill "$BPFFS/hom" 0 5000
	inner=$(bpftool -j map show pinned "$BPFFS/in" | jq .id)
	run mapsh pinned "$BPFFS/hom" count
	assert_success
	assert_output 5000
	mapsh pinned "$BPFFS/hom" dump >"$BATS_TEST_TMPDIR/dump"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/dump")" = 5000 ]
	diff <(LC_ALL=C sort "$BATS_TEST_TMPDIR/dump") \
	     <(awk -v id="$inner" -v name="di_$ID" 'BEGIN { for (k = 0; k < 5000; k++)
		printf "%02x %02x 00 00\t%s\thash\t%s\t0\n", k % 256, int(k / 256), id, name }' | LC_ALL=C sort)
}
