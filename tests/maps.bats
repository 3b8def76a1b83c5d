#!/usr/bin/env bats
# `mapsh maps`: the listing in text and JSON.

load helpers

setup() { setup_bpffs; }
teardown() { teardown_common; }

@test "maps -j lists every pinned map with types from BTF" {
	mapsh load
	run mapsh maps -j
	assert_success
	[ "$(jq length <<<"$output")" = 15 ]
	[ "$(jq -r '.[] | select(.name=="flows") | .type' <<<"$output")" = lru_hash ]
	[ "$(jq -r '.[] | select(.name=="flows") | .key' <<<"$output")" = "struct flow_key" ]
	[ "$(jq -r '.[] | select(.name=="flows") | .value' <<<"$output")" = "struct flow_metrics" ]
	[ "$(jq -r '.[] | select(.name=="flows") | .max_entries' <<<"$output")" = 16384 ]
	[ "$(jq -r '.[] | select(.name=="flows") | .pinned' <<<"$output")" = "$MAPSH_PIN_DIR/flows" ]
	# queues have no key and get their value type through the program's BTF
	[ "$(jq -r '.[] | select(.name=="samples") | .value' <<<"$output")" = "struct pkt_sample" ]
	[ "$(jq -r '.[] | select(.name=="samples") | .key' <<<"$output")" = null ]
	[ "$(jq -r '.[] | select(.name=="config") | .entries' <<<"$output")" = null ]
	[ "$(jq -r '.[] | select(.name=="blocked_prefixes") | .type' <<<"$output")" = lpm_trie ]
	[ "$(jq -r '.[] | select(.name=="events") | .value' <<<"$output")" = "struct flow_event" ]
	[ "$(jq -r '.[] | select(.name=="iface_blocklist") | .value' <<<"$output")" = "map id" ]
	# memory is known for every map (an empty no-prealloc trie uses 0)
	[ "$(jq '[.[] | .memory >= 0] | all' <<<"$output")" = true ]
	[ "$(jq '.[] | select(.name=="flows") | .memory > 1000000' <<<"$output")" = true ]
}

@test "maps counts the entries of hash maps" {
	mapsh load
	bpftool map update pinned "$MAPSH_PIN_DIR/blocklist" key hex 0a 00 00 01 00 00 00 00 value hex 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	bpftool map update pinned "$MAPSH_PIN_DIR/blocklist" key hex 0a 00 00 02 00 00 00 00 value hex 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	run mapsh maps -j
	[ "$(jq '.[] | select(.name=="blocklist") | .entries' <<<"$output")" = 2 ]
}

@test "maps in a pipe is tab-separated with no header" {
	mapsh load
	run mapsh maps
	assert_success
	[ "${#lines[@]}" -eq 15 ]
	refute_output --partial "max_entries"
	line=$(printf '%s\n' "${lines[@]}" | grep -P '\tflows\t')
	[ "$(cut -f3 <<<"$line")" = lru_hash ]
}

@test "maps --format table has a header and aligned columns" {
	mapsh load
	run mapsh --format table maps
	assert_success
	[[ "${lines[0]}" == id* ]]
	assert_output --partial "max_entries"
	# every row starts its name column at the same offset as the header
	col=$(awk 'NR==1{print index($0,"name")}' <<<"$output")
	while read -r l; do
		[ "${l:$((col-1)):1}" != " " ] || fail "misaligned: $l"
	done < <(tail -n +2 <<<"$output")
}

@test "maps -p is pretty JSON, ls is an alias" {
	mapsh load
	run mapsh ls -p
	assert_success
	[ "${lines[0]}" = "[" ]
	jq -e 'length == 15' <<<"$output"
}

@test "maps --all lists maps of the whole system, like bpftool" {
	mapsh load
	run mapsh maps --all -j
	assert_success
	want=$(bpftool -j map show | jq length)
	got=$(jq length <<<"$output")
	# other tests may create or remove maps meanwhile: allow a small drift
	[ $(( got - want )) -le 20 ] && [ $(( want - got )) -le 20 ]
	jq -e --arg id "$(bpftool -j map show pinned "$MAPSH_PIN_DIR/flows" | jq .id)" \
		'any(.[]; .id == ($id|tonumber) and .type == "lru_hash")' <<<"$output"
}

@test "maps with nothing loaded is a clear error" {
	run mapsh maps
	assert_failure 1
	assert_output --partial "mapsh load"
}
