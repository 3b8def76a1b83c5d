#!/usr/bin/env bats
# Memory checks: the commands people run most, under valgrind, on real
# maps. tests/valgrind.supp holds the only exceptions (bpf(2) buffers that
# valgrind cannot see the kernel fill, inside libbpf and libxdp).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	command -v valgrind >/dev/null || skip "valgrind not installed"
	# (valgrind cannot run a binary built with ASan)
	[ -z "${MAPSH_SANITIZED:-}" ] || skip "the sanitizer build is checked by ASan itself"
	setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1"
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5555 --dport 80 -c 3
}
teardown() { teardown_common; }

vg() {
	in_ns valgrind -q --suppressions="$TOP/tests/valgrind.supp" \
		--leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 "$MAPSH" "$@"
}

@test "valgrind: listing, dumping and looking up" {
	for args in "maps" "maps --all" "flows dump" "-j flows dump" "--jsonl flows dump" \
		"flows dump where protocol == udp sort packets desc limit 5" \
		"proto_stats dump --per-cpu" "flows info" "flows count" \
		"flows lookup src_ip=10.1.1.1 dst_ip=10.1.1.2 src_port=5555 dst_port=80 protocol=udp"; do
		run vg $args
		[ "$status" -ne 99 ] || fail "valgrind errors in 'mapsh $args': $output"
		[ "$status" -eq 0 ] || fail "'mapsh $args' failed: $output"
	done
	# and under valgrind the answers are the map's
	run --separate-stderr vg -j flows lookup src_ip=10.1.1.1 dst_ip=10.1.1.2 src_port=5555 dst_port=80 protocol=udp
	[ "$status" -eq 0 ] || fail "lookup under valgrind: $status $stderr"
	[ "$(jq .value.packets <<<"$output")" = 3 ]
	run --separate-stderr vg -j flows dump
	[ "$status" -eq 0 ] || fail "dump under valgrind: $status $stderr"
	[ "$(jq -c '[.[] | .key.src_ip]' <<<"$output")" = '["10.1.1.1"]' ]
}

@test "valgrind: writing, and refusing bad input" {
	for args in "config set sample_rate=7" \
		"blocklist add src_ip=10.0.0.9 dst_port=80 protocol=tcp action=drop" \
		"blocklist delete src_ip=10.0.0.9 dst_port=80 protocol=tcp" \
		"blocked_prefixes update 10.0.0.0/8 action=drop"; do
		run vg $args
		[ "$status" -eq 0 ] || fail "'mapsh $args' (status $status): $output"
	done
	[ "$(mapsh -j config | jq '.[0].value.sample_rate')" = 7 ]
	[ "$(mapsh blocklist count)" = 0 ]
	[ "$(mapsh -j blocked_prefixes lookup 10.2.3.4 | jq -r .value.action)" = FW_DROP ]
	for args in "flows lookup srcip=1" "config set sample_rate=99999999999" \
		"flows dump where dst_ip == 10.0.0.256" "blocklist add src_ip=1.2.3.4"; do
		run vg $args
		[ "$status" -ne 99 ] || fail "valgrind errors in 'mapsh $args': $output"
		[ "$status" -ne 0 ] || fail "'mapsh $args' should have failed"
	done
}

@test "valgrind: draining, saving, applying and watching" {
	mapsh config set sample_rate=1
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5555 --dport 80 -c 2
	for args in "events drain" "-j events drain" "samples drain" \
		"blocklist save $BATS_TEST_TMPDIR/b.json" \
		"blocklist apply $BATS_TEST_TMPDIR/b.json" \
		"-j flows watch -i 0.2 --count 2"; do
		run vg $args
		[ "$status" -ne 99 ] || fail "valgrind errors in 'mapsh $args': $output"
		[ "$status" -eq 0 ] || fail "'mapsh $args' failed: $output"
	done
}

@test "valgrind: a batch script" {
	printf '%s\n' 'maps' 'flows dump' '.format json' 'config dump' 'nosuchmap dump' > "$BATS_TEST_TMPDIR/s"
	run vg -k -f "$BATS_TEST_TMPDIR/s"
	[ "$status" -ne 99 ] || fail "valgrind errors: $output"
	[ "$status" -eq 1 ]
}

@test "valgrind: load again on the interface, then unload" {
	run vg load --iface "$HOST1"
	[ "$status" -ne 99 ] || fail "valgrind errors in load: $output"
	[ "$status" -eq 0 ] || fail "load failed: $output"
	run vg unload
	[ "$status" -ne 99 ] || fail "valgrind errors in unload: $output"
	[ "$status" -eq 0 ] || fail "unload failed: $output"
}
