#!/usr/bin/env bats
# Map verbs on maps mapsh did not create: made with bpftool, without BTF
# (keys and values are bytes, JSON is bpftool's hex arrays), selected by
# pinned path, id and kernel name. Every verb runs on every map type mapsh
# edits, in text and JSON, and is checked against bpftool.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	ID=$(_unique_id)
}
teardown() { teardown_common; }

# mk TYPE KEY VALUE ENTRIES [flags F]: a foreign map pinned at $BPFFS/TYPE,
# named fTYPE-ish_$ID (unique on the system); sets MAP, PIN, KNAME, MAPID.
mk() {
	local type=$1 k=$2 v=$3 n=$4
	shift 4
	PIN="$BPFFS/$type"
	KNAME="f$(printf '%.5s' "${type//_/}")_$ID"
	bpftool map create "$PIN" type "$type" key "$k" value "$v" entries "$n" name "$KNAME" "$@"
	MAPID=$(bpftool -j map show pinned "$PIN" | jq .id)
}

V42='2a 00 00 00 00 00 00 00'
V42J='["0x2a","0x00","0x00","0x00","0x00","0x00","0x00","0x00"]'
V07J='["0x07","0x00","0x00","0x00","0x00","0x00","0x00","0x00"]'

# every_verb TYPE KEYWORDS...: the verbs on the map at $PIN. KEY is the key
# in mapsh's words, KEYJ its JSON form.
every_verb() {
	local type=$1 percpu=$2 array=$3
	local ncpus
	ncpus=$(cut -d- -f2 /sys/devices/system/cpu/possible); ncpus=$((ncpus + 1))

	# update / add / replace
	run mapsh pinned "$PIN" update $KEY value hex $V42
	assert_success
	assert_output ""
	if [ "$array" = no ]; then
		run --separate-stderr mapsh pinned "$PIN" add $KEY value hex $V42
		assert_failure 1
		[[ "$stderr" == *"exists already"* ]]
	fi
	run mapsh pinned "$PIN" replace $KEY value hex $V42
	assert_success
	# lookup, text and JSON (bpftool's hex arrays)
	run mapsh pinned "$PIN" lookup $KEY
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"	$V42" ]]
	run mapsh -j pinned "$PIN" lookup $KEY
	assert_success
	[ "$(jq -c .key <<<"$output")" = "$KEYJ" ]
	[ "$(jq -c .value <<<"$output")" = "$V42J" ]
	if [ "$percpu" = yes ]; then
		[ "$(jq '.per_cpu | length' <<<"$output")" = "$ncpus" ]
		[ "$(jq -c '[.per_cpu[].value] | unique' <<<"$output")" = "[$V42J]" ]
		# one CPU only (the last); the others keep their value
		local last=$((ncpus - 1))
		run mapsh pinned "$PIN" update --cpu $last $KEY value hex 07 00 00 00 00 00 00 00
		assert_success
		run mapsh -j pinned "$PIN" lookup $KEY
		assert_success
		[ "$(jq -c ".per_cpu[$last].value" <<<"$output")" = "$V07J" ]
		[ "$(jq -c "[.per_cpu[] | select(.cpu != $last) | .value] | unique" <<<"$output")" = \
		  "$([ "$ncpus" -gt 1 ] && echo "[$V42J]" || echo '[]')" ]
		[ "$(bpftool -j map lookup pinned "$PIN" key $BKEY | jq -r ".values[$last].value[0]")" = 0x07 ]
		# --per-cpu: one line per CPU of each entry (arrays: all 4)
		run mapsh pinned "$PIN" dump --per-cpu
		assert_success
		local nent=1
		[ "$array" = yes ] && nent=4
		[ "${#lines[@]}" -eq $((nent * ncpus)) ] || fail "dump --per-cpu: ${#lines[@]} lines"
		[ "$(printf '%s\n' "${lines[@]}" | grep -c "07 00 00 00 00 00 00 00$")" = 1 ]
		[ "$(printf '%s\n' "${lines[@]}" | grep -c "$V42$")" = $((ncpus - 1)) ]
		run mapsh pinned "$PIN" update $KEY value hex $V42
		assert_success
	fi
	# dump: the same keys and values as bpftool
	run mapsh -j pinned "$PIN" dump
	assert_success
	[ "$(jq -c '[.[].key] | sort' <<<"$output")" = "$(bpftool -j map dump pinned "$PIN" | jq -c '[.[].key] | sort')" ]
	if [ "$percpu" = no ]; then
		[ "$(jq -c '[.[].value] | sort' <<<"$output")" = "$(bpftool -j map dump pinned "$PIN" | jq -c '[.[].value] | sort')" ]
	fi
	run mapsh pinned "$PIN" dump
	assert_success
	assert_output --partial "$V42"
	# set (whole value: no fields without BTF)
	run mapsh pinned "$PIN" set $KEY value hex 07 00 00 00 00 00 00 00
	assert_success
	run mapsh -j pinned "$PIN" lookup $KEY
	[ "$(jq -c .value <<<"$output")" = "$V07J" ]
	# count, getnext, info
	run mapsh -j pinned "$PIN" count
	assert_success
	if [ "$array" = yes ]; then
		[ "$(jq .entries <<<"$output")" = 4 ]
	else
		[ "$(jq .entries <<<"$output")" = 1 ]
	fi
	run mapsh -j pinned "$PIN" getnext
	assert_success
	[ "$(jq -c .next_key <<<"$output")" = "$(bpftool -j map getnext pinned "$PIN" | jq -c .next_key)" ]
	run mapsh pinned "$PIN" getnext
	assert_success
	run mapsh -j pinned "$PIN" info
	assert_success
	[ "$(jq -r .type <<<"$output")" = "$type" ]
	[ "$(jq -r .name <<<"$output")" = "$KNAME" ]
	[ "$(jq .key <<<"$output")" = "\"$(bpftool -j map show pinned "$PIN" | jq .bytes_key) bytes\"" ]
	run mapsh pinned "$PIN" info
	assert_line "$(printf 'type\t%s' "$type")"
	# delete (not for arrays), clear
	if [ "$array" = no ]; then
		run mapsh pinned "$PIN" delete $KEY
		assert_success
		run --separate-stderr mapsh pinned "$PIN" lookup $KEY
		assert_failure 1
		[ "${#stderr_lines[@]}" -eq 1 ]
		mapsh pinned "$PIN" update $KEY value hex $V42
		run mapsh pinned "$PIN" clear --yes
		assert_success
		assert_output --partial "deleted 1 entry"
		[ "$(bpftool -j map dump pinned "$PIN" | jq length)" = 0 ]
	else
		run --separate-stderr mapsh pinned "$PIN" delete $KEY
		assert_failure 2
		run mapsh -j pinned "$PIN" clear --yes
		assert_success
		[ "$(jq .zeroed <<<"$output")" = 4 ]
		run mapsh -j pinned "$PIN" lookup $KEY
		[ "$(jq -c .value <<<"$output")" = '["0x00","0x00","0x00","0x00","0x00","0x00","0x00","0x00"]' ]
	fi
	# pin, freeze
	run --separate-stderr mapsh pinned "$PIN" pin "$PIN.2"
	assert_failure 1
	[[ "$stderr" == *"cannot contain '.'" ]]
	run mapsh pinned "$PIN" pin "${PIN}_2"
	assert_success
	[ "$(bpftool -j map show pinned "${PIN}_2" | jq .id)" = "$MAPID" ]
	run mapsh pinned "$PIN" freeze
	assert_success
	run --separate-stderr mapsh pinned "$PIN" update $KEY value hex $V42
	assert_failure 1
	[ "$stderr" = "mapsh: $KNAME is frozen: user space can no longer change it" ]
}

@test "every verb on a foreign hash map" {
	mk hash 4 8 16
	KEY="1 0 0 0" KEYJ='["0x01","0x00","0x00","0x00"]' BKEY="1 0 0 0"
	every_verb hash no no
}

@test "every verb on a foreign lru_hash map" {
	mk lru_hash 4 8 16
	KEY="hex 01 00 00 00" KEYJ='["0x01","0x00","0x00","0x00"]' BKEY="1 0 0 0"
	every_verb lru_hash no no
}

@test "every verb on a foreign array map" {
	mk array 4 8 4
	KEY="2 0 0 0" KEYJ='["0x02","0x00","0x00","0x00"]' BKEY="2 0 0 0"
	every_verb array no yes
}

@test "every verb on a foreign percpu_hash map" {
	mk percpu_hash 4 8 16
	KEY="1 0 0 0" KEYJ='["0x01","0x00","0x00","0x00"]' BKEY="1 0 0 0"
	every_verb percpu_hash yes no
}

@test "every verb on a foreign percpu_array map" {
	mk percpu_array 4 8 4
	KEY="3 0 0 0" KEYJ='["0x03","0x00","0x00","0x00"]' BKEY="3 0 0 0"
	every_verb percpu_array yes yes
}

@test "every verb on a foreign lru_percpu_hash map" {
	mk lru_percpu_hash 4 8 16
	KEY="1 0 0 0" KEYJ='["0x01","0x00","0x00","0x00"]' BKEY="1 0 0 0"
	every_verb lru_percpu_hash yes no
}

@test "every verb on a foreign lpm_trie map, keys as CIDR" {
	mk lpm_trie 8 8 16 flags 1
	KEY="10.0.0.0/8" KEYJ='["0x08","0x00","0x00","0x00","0x0a","0x00","0x00","0x00"]' BKEY="8 0 0 0 10 0 0 0"
	every_verb lpm_trie no no
}

@test "a foreign LPM trie: longest-prefix lookup shows the matching prefix" {
	mk lpm_trie 8 8 16 flags 1
	mapsh pinned "$PIN" update 10.0.0.0/8 value hex 01 00 00 00 00 00 00 00
	mapsh pinned "$PIN" update 10.1.0.0/16 value hex 02 00 00 00 00 00 00 00
	run mapsh pinned "$PIN" lookup 10.1.2.3
	assert_output "$(printf '10.1.0.0/16\t02 00 00 00 00 00 00 00')"
	run mapsh pinned "$PIN" lookup 10.200.0.1
	assert_output "$(printf '10.0.0.0/8\t01 00 00 00 00 00 00 00')"
	run mapsh pinned "$PIN" dump --format table
	[[ "${lines[0]}" == "prefix "*"value" ]]
}

@test "a foreign map selected by pinned path, id and kernel name is the same map" {
	mk hash 4 8 16
	mapsh pinned "$PIN" update 5 0 0 0 value 9 0 0 0 0 0 0 0
	want='[{"key":["0x05","0x00","0x00","0x00"],"value":["0x09","0x00","0x00","0x00","0x00","0x00","0x00","0x00"]}]'
	run mapsh -j pinned "$PIN" dump
	assert_success
	assert_output "$want"
	run mapsh -j id "$MAPID" dump
	assert_success
	assert_output "$want"
	run mapsh -j name "$KNAME" dump
	assert_success
	assert_output "$want"
	# a write through one name is seen through the others
	run mapsh name "$KNAME" update 6 0 0 0 value 1 0 0 0 0 0 0 0
	assert_success
	run mapsh -j id "$MAPID" count
	assert_success
	[ "$(jq .entries <<<"$output")" = 2 ]
	mapsh id "$MAPID" delete 6 0 0 0
	run mapsh -j id "$MAPID" info
	assert_success
	[ "$(jq .id <<<"$output")" = "$MAPID" ]
	run mapsh name "$KNAME" count
	assert_success
	assert_output 1
	# bpftool sees what mapsh wrote
	[ "$(bpftool -j map lookup id "$MAPID" key 5 0 0 0 | jq -r '.value[0]')" = 0x09 ]
}

@test "kernel names: 15 characters match a longer name; ambiguity lists the ids" {
	bpftool map create "$BPFFS/a" type hash key 4 value 4 entries 4 name "dupnamexx_$ID"
	bpftool map create "$BPFFS/b" type hash key 4 value 4 entries 4 name "dupnamexx_$ID"
	ida=$(bpftool -j map show pinned "$BPFFS/a" | jq .id)
	idb=$(bpftool -j map show pinned "$BPFFS/b" | jq .id)
	run --separate-stderr mapsh name "dupnamexx_$ID" info
	assert_failure 1
	[ "$stderr" = "mapsh: name 'dupnamexx_$ID' matches 2 maps (ids $ida, $idb): select one with id N" ]
	bpftool map create "$BPFFS/c" type array key 4 value 4 entries 1 name "longname_$ID"
	# the kernel keeps 15 characters: "longname_abcdef"
	run mapsh -j name "longname_${ID}_and_more" info
	assert_success
	[ "$(jq -r .type <<<"$output")" = array ]
	run --separate-stderr mapsh name "nosuchmap_$ID" info
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	run --separate-stderr mapsh id 4000000000 info
	assert_failure 1
	[ "$stderr" = "mapsh: no map with id 4000000000 (see 'mapsh maps --all')" ]
	run --separate-stderr mapsh pinned "$BPFFS/nothing" info
	assert_failure 1
	[ "$stderr" = "mapsh: no pinned map at $BPFFS/nothing" ]
}

@test "a full map refuses an insert with its size, and is left as it was" {
	mk hash 4 8 2
	mapsh pinned "$PIN" add 1 0 0 0 value hex $V42
	mapsh pinned "$PIN" add 2 0 0 0 value hex $V42
	before=$(bpftool -j map dump pinned "$PIN")
	run --separate-stderr mapsh pinned "$PIN" add 3 0 0 0 value hex $V42
	assert_failure 1
	[ "$stderr" = "mapsh: $KNAME is full (2 of 2 entries)" ]
	[ "$(bpftool -j map dump pinned "$PIN")" = "$before" ]
	# replacing an existing entry still works
	run mapsh pinned "$PIN" update 2 0 0 0 value hex 07 00 00 00 00 00 00 00
	assert_success
}

@test "a map without BTF: bad input for every verb changes nothing" {
	mk percpu_hash 4 8 16
	mapsh pinned "$PIN" update 1 0 0 0 value hex $V42
	before=$(bpftool -j map dump pinned "$PIN")
	# the first CPU index the map does not have: its number of CPUs
	local nocpu
	nocpu=$(bpftool -j map lookup pinned "$PIN" key 1 0 0 0 | jq '.values | length')
	[ "$nocpu" -ge 1 ]
	for args in "lookup 1 0 0" "lookup 1 0 0 0 0" "update 1 0 0 0 value hex 2a" \
		    "update 1 0 0 0 value 300 0 0 0 0 0 0 0" "update 1 0 0 0" \
		    "add 1 0 0 0 value hex $V42" "replace 9 0 0 0 value hex $V42" \
		    "update --cpu $nocpu 1 0 0 0 value hex $V42" "delete 9 0 0 0" \
		    "set 9 0 0 0 value hex $V42" "clear" "getnext 1 0" "info x" \
		    "freeze x" "pin" "dump where x == 1" "count sort x"; do
		run --separate-stderr mapsh pinned "$PIN" $args </dev/null
		[ "$status" -eq 1 ] || [ "$status" -eq 2 ] || fail "$args: exit $status"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$args: $stderr"
		[ "$(bpftool -j map dump pinned "$PIN")" = "$before" ] || fail "$args changed the map"
	done
}
