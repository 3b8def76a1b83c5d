#!/usr/bin/env bats
# `mapsh maps`: the listing in text and JSON.

load helpers

setup() { setup_bpffs; }
teardown() { teardown_common; }

@test "maps -j lists every pinned map with types from BTF" {
	mapsh load
	run mapsh maps -j
	assert_success
	[ "$(jq length <<<"$output")" = 16 ]
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
	[ "${#lines[@]}" -eq 16 ]
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
	jq -e 'length == 16' <<<"$output"
}

@test "maps --all lists maps of the whole system, like bpftool" {
	mapsh load
	run mapsh maps --all -j
	assert_success
	all=$output
	# other tests create and remove maps meanwhile, so the system's list
	# cannot be compared whole: every map of ours is there, with its id,
	# type and name as bpftool shows it (and by the same id, once)
	for m in $(mapsh maps -j | jq -r '.[].name'); do
		[ -e "$MAPSH_PIN_DIR/$m" ] || continue
		show=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/$m")
		id=$(jq .id <<<"$show")
		[ "$(jq -c --argjson id "$id" '[.[] | select(.id == $id) | [.type, .name]]' <<<"$all")" = \
		  "$(jq -c '[[.type, .name]]' <<<"$show")" ] || fail "map $m (id $id) not listed as bpftool shows it"
	done
	# ... and maps that are not ours: one made now, by id
	bpftool map create "$BPFFS/other" type array key 4 value 4 entries 3 name "other_$$"
	oid=$(bpftool -j map show pinned "$BPFFS/other" | jq .id)
	run mapsh maps --all -j
	assert_success
	[ "$(jq -c --argjson id "$oid" '[.[] | select(.id == $id) | [.type, .name, .max_entries]]' <<<"$output")" = \
	  "[[\"array\",\"other_$$\",3]]" ]
	# and not with --all: only the pin directory's
	run mapsh maps -j
	[ "$(jq --argjson id "$oid" '[.[] | select(.id == $id)] | length' <<<"$output")" = 0 ]
	# the ids are the system's: none twice, and as many as bpftool lists at
	# least for ours (15)
	[ "$(jq '[.[].id] | length == (unique | length)' <<<"$all")" = true ]
	[ "$(jq length <<<"$all")" -ge 15 ]
}

@test "maps with nothing loaded is a clear error" {
	run mapsh maps
	assert_failure 1
	assert_output --partial "mapsh load"
}
