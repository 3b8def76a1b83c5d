#!/usr/bin/env bats
# Loading, pinning, reusing pins, attaching and unloading, against the real
# kernel with a bpffs of the test's own.

load helpers

setup() { setup_bpffs; }
teardown() { teardown_common; }

# name:type of every map mapsh must pin.
EXPECTED_MAPS="flows:lru_hash flows6:lru_hash iface_stats:array cpu_stats:percpu_array
proto_stats:percpu_hash config:array blocklist:hash blocked_prefixes:lpm_trie
iface_blocklist:hash_of_maps rate_limits:lru_percpu_hash events:ringbuf
samples:queue recent_drops:stack policy_routes:hash redirect_stats:hash"

@test "load pins every bundled map with its map type" {
	run mapsh load
	assert_success
	for pair in $EXPECTED_MAPS; do
		name=${pair%%:*} type=${pair#*:}
		run bpftool -j map show pinned "$MAPSH_PIN_DIR/$name"
		assert_success
		[ "$(jq -r .type <<<"$output")" = "$type" ] || fail "$name is $(jq -r .type <<<"$output"), expected $type"
	done
}

@test "load writes config defaults: enabled=1, event_mask=3" {
	mapsh load
	run lookup config 00 00 00 00
	assert_success
	[ "$(jq .formatted.value.enabled <<<"$output")" = 1 ]
	[ "$(jq .formatted.value.event_mask <<<"$output")" = 3 ]
}

@test "a second load reuses the pinned maps and keeps their contents" {
	mapsh load
	id_before=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/blocklist" | jq .id)
	bpftool map update pinned "$MAPSH_PIN_DIR/blocklist" \
		key hex 0a 00 00 09 00 50 06 00 value hex 01 00 00 00 00 00 00 00 2a 00 00 00 00 00 00 00
	bpftool map update pinned "$MAPSH_PIN_DIR/config" \
		key hex 00 00 00 00 value hex 01 00 00 00 64 00 00 00 00 00 00 00 03 00 00 00
	run mapsh load
	assert_success
	[ "$(bpftool -j map show pinned "$MAPSH_PIN_DIR/blocklist" | jq .id)" = "$id_before" ]
	run lookup blocklist 0a 00 00 09 00 50 06 00
	assert_success
	[ "$(jq .formatted.value.hits <<<"$output")" = 42 ]
	# config was reused, so its defaults were not written again
	[ "$(lookup config 00 00 00 00 | jq .formatted.value.sample_rate)" = 100 ]
}

@test "a pinned map whose definition differs is reported, not replaced" {
	mkdir -p "$MAPSH_PIN_DIR"
	bpftool map create "$MAPSH_PIN_DIR/flows" type lru_hash key 16 value 40 entries 128 name flows
	id_before=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/flows" | jq .id)
	run mapsh load
	assert_failure 1
	assert_output --partial "flows"
	assert_output --partial "max_entries"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(bpftool -j map show pinned "$MAPSH_PIN_DIR/flows" | jq .id)" = "$id_before" ]
	# nothing else was pinned
	[ ! -e "$MAPSH_PIN_DIR/config" ]
}

@test "load --iface attaches XDP and tc; status shows it; unload removes everything" {
	setup_net 1
	run mapsh load --iface "$HOST1"
	assert_success
	run in_ns ip -j link show "$HOST1"
	[ "$(jq -r '.[0].xdp.mode // empty' <<<"$output")" != "" ] || fail "no XDP program on $HOST1: $output"
	run in_ns tc -j filter show dev "$HOST1" ingress
	assert_output --partial "policy"
	run mapsh -j status
	assert_success
	jq -e . <<<"$output" >/dev/null
	assert_output --partial "$HOST1"
	run mapsh unload
	assert_success
	run in_ns ip -j link show "$HOST1"
	[ "$(jq -r '.[0].xdp.mode // empty' <<<"$output")" = "" ] || fail "XDP still attached: $output"
	run in_ns tc -j filter show dev "$HOST1" ingress
	refute_output --partial "policy"
	[ ! -e "$MAPSH_PIN_DIR/flows" ]
}

@test "unload --keep-maps detaches but keeps the pinned maps" {
	setup_net 1
	mapsh load --iface "$HOST1"
	run mapsh unload --keep-maps
	assert_success
	[ -e "$MAPSH_PIN_DIR/flows" ]
	run in_ns ip -j link show "$HOST1"
	[ "$(jq -r '.[0].xdp.mode // empty' <<<"$output")" = "" ]
}

@test "unload leaves a foreign XDP program running" {
	setup_net 2
	# A program of someone else's on the second interface.
	in_ns xdp-loader load -m skb "$HOST2" "$TOP/build/xdp_pass.bpf.o"
	mapsh load --iface "$HOST1"
	run mapsh unload
	assert_success
	run in_ns ip -j link show "$HOST2"
	[ "$(jq -r '.[0].xdp.prog.name // .[0].xdp.attached[0].prog.name // empty' <<<"$output")" != "" ] \
		|| fail "foreign program gone: $output"
	run in_ns xdp-loader status "$HOST2"
	assert_output --partial "foreign_pass"
}

@test "a foreign XDP program on the same interface survives load and unload" {
	setup_net 1
	in_ns xdp-loader load -m skb "$HOST1" "$TOP/build/xdp_pass.bpf.o"
	# Where the kernel runs several XDP programs (libxdp's dispatcher) both
	# run; where it cannot, load must refuse clearly. Either way the
	# foreign program stays.
	run mapsh load --iface "$HOST1"
	if [ "$status" -ne 0 ]; then
		assert_failure 1
		assert_output --partial "$HOST1"
	fi
	mapsh unload || true
	run in_ns xdp-loader status "$HOST1"
	assert_output --partial "foreign_pass"
}

@test "load refuses an unknown interface and changes nothing" {
	run mapsh load --iface nosuchif0
	assert_failure 1
	assert_output --partial "nosuchif0"
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "$MAPSH_PIN_DIR/flows" ]
}

@test "load refuses a bad --mode with a usage error" {
	run mapsh load --mode fast
	assert_failure 2
	assert_output --partial "fast"
	assert_output --partial "skb"
	[ ! -e "$MAPSH_PIN_DIR/flows" ]
}

@test "load refuses a pin directory outside bpffs" {
	run mapsh --pin-dir "$BATS_TEST_TMPDIR/notbpf" load
	assert_failure
	assert_output --partial "bpffs"
	[ ! -e "$BATS_TEST_TMPDIR/notbpf" ]
}

@test "unload with nothing loaded says so" {
	run mapsh unload
	assert_failure 1
	[ "${#lines[@]}" -eq 1 ]
}

@test "unload refuses an unknown interface and changes nothing" {
	mapsh load
	run mapsh unload --iface nosuchif0
	assert_failure 1
	assert_output --partial "nosuchif0"
	[ -e "$MAPSH_PIN_DIR/flows" ]
}
