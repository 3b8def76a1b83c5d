#!/usr/bin/env bats
# apply, reading and planning: save's own form (the compiled reader) and any
# other JSON layout (the general path) give the same map; the change set is
# checked against the map's capacity before anything is written. On the
# bundled maps, loaded (not attached) into the test's own bpffs.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	mapsh load >/dev/null
	F="$BATS_TEST_TMPDIR/f.json"
}
teardown() { teardown_common; }

# canon MAP: bpftool's dump in a stable order.
canon() { dump_pinned "$1" | jq -S -c 'sort_by(.key)'; }

# flows_file N [FIRST]: N flow entries as JSON lines, every field typed
# (addresses, ports, protocol names, tcp flags, ktime numbers).
flows_file() {
	awk -v n="$1" -v f="${2:-0}" 'BEGIN {
		split("tcp udp icmp", pr, " "); split("SYN SYN|ACK PSH|ACK FIN|ACK 0", fl, " ")
		for (i = f; i < f + n; i++)
			printf "{\"key\":{\"src_ip\":\"10.%d.%d.%d\",\"dst_ip\":\"192.168.%d.1\",\"src_port\":%d,\"dst_port\":%d,\"protocol\":\"%s\"},\"value\":{\"packets\":%d,\"bytes\":%d,\"first_seen\":%d,\"last_seen\":%d,\"tcp_flags\":\"%s\"}}\n",
				int(i / 65536) % 256, int(i / 256) % 256, i % 256, i % 7, 1024 + i % 60000,
				(i % 3) ? 443 : 53, pr[i % 3 + 1], i + 1, 60 * (i + 1), 1000 + i, 2000 + i, fl[i % 5 + 1]
	}'
}

@test "save's own form and other layouts read the same: flows (LRU hash) and proto_stats (per-CPU)" {
	flows_file 3000 >"$F"
	run mapsh flows apply "$F"
	assert_success
	assert_output "flows: 3000 added, 0 changed, 0 unchanged, 0 removed"
	want=$(canon flows)
	[ "$(jq -s length <<<"$want" )" = 1 ]
	[ "$(jq length <<<"$want")" = 3000 ]
	mapsh flows save "$BATS_TEST_TMPDIR/saved.json"
	# the same entries pretty-printed (the general path), and as saved
	jq . "$BATS_TEST_TMPDIR/saved.json" >"$BATS_TEST_TMPDIR/pretty.json"
	for file in saved.json pretty.json; do
		mapsh flows clear --yes >/dev/null
		[ "$(mapsh flows count)" = 0 ]
		run mapsh flows apply "$BATS_TEST_TMPDIR/$file"
		assert_success
		assert_output "flows: 3000 added, 0 changed, 0 unchanged, 0 removed"
		[ "$(canon flows)" = "$want" ] || fail "$file: the map differs"
		run mapsh flows apply "$BATS_TEST_TMPDIR/$file"
		assert_output "flows: 0 added, 0 changed, 3000 unchanged, 0 removed"
	done
	# one changed number in a saved entry: exactly that entry changes
	jq -c '.[]' "$BATS_TEST_TMPDIR/saved.json" | sed '2s/"packets":[0-9]*/"packets":777777/' >"$F"
	run mapsh flows apply "$F"
	assert_output "flows: 0 added, 1 changed, 2999 unchanged, 0 removed"
	[ "$(mapsh -j flows dump | jq '[.[] | select(.value.packets == 777777)] | length')" = 1 ]

	# per-CPU: "value" is the sum of "per_cpu", both read from save's form
	mapsh proto_stats update udp packets=3 bytes=7
	mapsh proto_stats update tcp packets=1
	want=$(canon proto_stats)
	mapsh proto_stats save "$F"
	mapsh proto_stats clear --yes >/dev/null
	run mapsh proto_stats apply "$F"
	assert_output "proto_stats: 2 added, 0 changed, 0 unchanged, 0 removed"
	[ "$(canon proto_stats)" = "$want" ]
	# a saved sum that is not the sum is refused on the fast path too
	sed 's/"value":{"packets":[0-9]*/"value":{"packets":99/' "$F" >"$BATS_TEST_TMPDIR/badsum.json"
	run --separate-stderr mapsh proto_stats apply "$BATS_TEST_TMPDIR/badsum.json"
	assert_failure 1
	[[ "$stderr" == *"value: is not the sum of per_cpu"* ]] || fail "$stderr"
	[ "$(canon proto_stats)" = "$want" ]
}

@test "save's form with a value out of range, a bad address or a stray byte is refused like any other" {
	flows_file 3 >"$F"
	mapsh flows apply "$F" >/dev/null
	# save's entries, one a line
	mapsh flows save - | jq -c '.[]' >"$F"
	before=$(canon flows)
	# the edits go to the tcp entry: its line is read whole by the compiled
	# reader (icmp, an alias, is printed back and compared), and the map's
	# hash order puts it on any line
	ln=$(grep -n '"protocol":"tcp"' "$F" | cut -d: -f1)
	[ -n "$ln" ]
	for edit in 's/"src_port":[0-9]*/"src_port":70000/' 's/"src_ip":"[0-9.]*"/"src_ip":"10.0.0.256"/' \
		    's/"tcp_flags":"[^"]*"/"tcp_flags":"SYN|NOPE"/' 's/"packets":\([0-9]*\)/"packets":0\1/'; do
		sed "$ln$edit" "$F" >"$BATS_TEST_TMPDIR/bad.json"
		cmp -s "$F" "$BATS_TEST_TMPDIR/bad.json" && fail "sed '$edit' changed nothing"
		run --separate-stderr mapsh flows apply "$BATS_TEST_TMPDIR/bad.json"
		assert_failure 1
		[[ "$stderr" == *"bad.json:$ln: entry $ln:"* ]] || fail "$edit: $stderr"
		[ "$(canon flows)" = "$before" ]
	done
	# an array's key past its last element, in save's form
	mapsh config save - | jq -c '.[]' | sed 's/"key":0/"key":1/' >"$F"
	run --separate-stderr mapsh config apply "$F"
	assert_failure 1
	[[ "$stderr" == *"entry 1: key: no element 1 (config has 1 elements: 0..0)" ]] || fail "$stderr"
}

@test "a change set that cannot fit is refused before anything is written; --dry-run says so" {
	# blocklist: a hash map of max_entries 4096 holding 100 entries
	awk 'BEGIN { for (i = 0; i < 100; i++) printf "{\"key\":{\"src_ip\":\"10.1.%d.%d\",\"dst_port\":0,\"protocol\":0},\"value\":{\"action\":\"drop\"}}\n", i / 256, i % 256 }' >"$F"
	mapsh blocklist apply "$F" >/dev/null
	before=$(canon blocklist)
	awk 'BEGIN { for (i = 0; i < 4000; i++) printf "{\"key\":{\"src_ip\":\"10.2.%d.%d\",\"dst_port\":0,\"protocol\":0},\"value\":{\"action\":\"drop\"}}\n", i / 256, i % 256 }' >"$BATS_TEST_TMPDIR/big.json"
	run --separate-stderr mapsh blocklist apply "$BATS_TEST_TMPDIR/big.json"
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist apply: does not fit: the map would hold 4100 entries, max_entries is 4096 (100 now, 4000 to add, 0 to remove); nothing written" ]
	[ "$(canon blocklist)" = "$before" ]
	run --separate-stderr mapsh blocklist apply "$BATS_TEST_TMPDIR/big.json" --dry-run
	assert_failure 1
	[[ "$stderr" == *"does not fit"* ]] || fail "$stderr"
	[[ "$output" == *"4000 added"*"dry run"* ]] || fail "$output"
	# with --prune the 100 go first: it fits
	run mapsh blocklist apply "$BATS_TEST_TMPDIR/big.json" --prune
	assert_success
	assert_output "blocklist: 4000 added, 0 changed, 0 unchanged, 100 removed"
	[ "$(mapsh blocklist count)" = 4000 ]

	# flows: an LRU hash of 16384; on this machine's CPUs it starts
	# evicting before it is full, so filling it in one apply is refused
	flows_file 16384 >"$F"
	run --separate-stderr mapsh flows apply "$F"
	assert_failure 1
	[[ "$stderr" == *"flows apply: does not fit"*"LRU"*"nothing written" ]] || fail "$stderr"
	[ "$(mapsh flows count)" = 0 ]
	# what fits goes in whole: every entry is there afterwards
	flows_file 12000 >"$F"
	run mapsh flows apply "$F"
	assert_success
	assert_output "flows: 12000 added, 0 changed, 0 unchanged, 0 removed"
	[ "$(mapsh flows count)" = 12000 ]
}

@test "entries that name some fields merge over the map's value; the file's other layouts too" {
	flows_file 2 >"$F"
	mapsh flows apply "$F" >/dev/null
	# JSON lines naming only packets: the other fields keep the map's value
	jq -c '{key: .key, value: {packets: 5}}' "$F" >"$BATS_TEST_TMPDIR/part.json"
	run mapsh flows apply "$BATS_TEST_TMPDIR/part.json"
	assert_output "flows: 0 added, 2 changed, 0 unchanged, 0 removed"
	run mapsh -j flows dump
	[ "$(jq -c '[.[].value | [.packets, .bytes > 0, .tcp_flags != "0"]] | sort' <<<"$output")" = '[[5,true,true],[5,true,true]]' ]
	# a new key given that way: its unnamed fields are zero
	echo '{"key":{"src_ip":"10.9.9.9","dst_ip":"10.8.8.8","src_port":1,"dst_port":2,"protocol":"udp"},"value":{"packets":5}}' >"$BATS_TEST_TMPDIR/new.json"
	run mapsh flows apply "$BATS_TEST_TMPDIR/new.json"
	assert_output "flows: 1 added, 0 changed, 0 unchanged, 0 removed"
	[ "$(mapsh -j flows lookup src_ip=10.9.9.9 dst_ip=10.8.8.8 src_port=1 dst_port=2 protocol=udp | jq -c '[.value.packets, .value.bytes]')" = '[5,0]' ]
}
