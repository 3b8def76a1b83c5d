#!/usr/bin/env bats
# Fill levels in `mapsh maps`: entries (the kernel's own count for hash
# maps, read in batches for the others, '?' for large ones unless --count),
# max_entries, full, what waits in ring buffers, queues and stacks, memory;
# --all with pins, --prog with the maps of one program. Real maps: the
# bundled programs with real traffic, and maps made with bpftool.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	setup_bpffs
	ID=$(_unique_id)
}
teardown() { teardown_common; }

# field NAME FIELD: the field of map NAME in `mapsh -j maps`.
field() { mapsh -j maps "${@:3}" | jq -c ".[] | select(.name == \"$1\") | .$2"; }

# bpftool's count of a pinned map's entries.
bt_count() { bpftool -j map dump pinned "$1" | jq length; }

@test "entries: the kernel's count of hash maps agrees with a dump, for every kind of hash map, after updates, deletes and LRU evictions" {
	for t in hash lru_hash percpu_hash lru_percpu_hash; do
		bpftool map create "$BPFFS/$t" type $t key 4 value 8 entries 64 name "f_$t"
		for k in 1 2 3 4 5 6; do
			bpftool map update pinned "$BPFFS/$t" key $k 0 0 0 value $k 0 0 0 0 0 0 0
		done
		bpftool map delete pinned "$BPFFS/$t" key 2 0 0 0
	done
	# a no-prealloc hash too
	bpftool map create "$BPFFS/np" type hash key 4 value 4 entries 16 name f_np flags 1
	bpftool map update pinned "$BPFFS/np" key 9 0 0 0 value 1 0 0 0
	run -0 mapsh -j maps --all
	for t in hash lru_hash percpu_hash lru_percpu_hash; do
		id=$(bpftool -j map show pinned "$BPFFS/$t" | jq .id)
		[ "$(jq -c ".[] | select(.id == $id) | [.entries, .max_entries, .full]" <<<"$output")" = "[5,64,7.8]" ] ||
			fail "$t: $(jq -c ".[] | select(.id == $id)" <<<"$output")"
		[ "$(bt_count "$BPFFS/$t")" = 5 ]
	done
	id=$(bpftool -j map show pinned "$BPFFS/np" | jq .id)
	[ "$(jq -c ".[] | select(.id == $id) | [.entries, .full]" <<<"$output")" = "[1,6.2]" ]
	# an LRU map past its size: the count follows the evictions
	bpftool map create "$BPFFS/small" type lru_hash key 4 value 4 entries 16 name f_small
	for k in $(seq 1 40); do
		bpftool map update pinned "$BPFFS/small" key $k 0 0 0 value 1 0 0 0
	done
	id=$(bpftool -j map show pinned "$BPFFS/small" | jq .id)
	n=$(mapsh -j maps --all | jq ".[] | select(.id == $id) | .entries")
	[ "$n" = "$(bt_count "$BPFFS/small")" ] || fail "maps says $n, the dump $(bt_count "$BPFFS/small")"
	[ "$n" -le 16 ]
}

@test "entries of the bundled maps under real traffic: flows as dumped, the table shows % full" {
	setup_net 1
	mapsh load --iface "$HOST1"
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 2
	send_pkts 1 -s 10.1.1.3 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 2
	send_pkts 1 -s 10.1.1.4 -d 10.1.1.2 -p tcp --sport 1 --dport 2 -c 2
	n=$(bt_count "$MAPSH_PIN_DIR/flows")
	[ "$n" -ge 3 ]
	[ "$(field flows entries)" = "$n" ]
	[ "$(field flows max_entries)" = 16384 ]
	# a plain row: entries, max_entries, full, waiting, memory in bytes
	run -0 mapsh maps
	line=$(grep -P '\tflows\t' <<<"$output")
	pct=$(awk -v n="$n" 'BEGIN { printf "%.1f%%", 100 * n / 16384 }')
	[ "$(cut -f6-9 <<<"$line")" = "$n	16384	$pct	-" ] || fail "$line"
	# memory is the kernel's memlock figure, as bpftool shows it
	[ "$(field flows memory)" = "$(bpftool -j map show pinned "$MAPSH_PIN_DIR/flows" | jq .bytes_memlock)" ]
	# arrays: every slot exists
	[ "$(field iface_stats entries)" = null ]
	[ "$(field iface_stats full)" = null ]
	# the lpm trie is read (the kernel keeps no count of it)
	mapsh blocked_prefixes add 10.9.0.0/16 action=drop
	mapsh blocked_prefixes add 10.8.0.0/16 action=drop
	[ "$(field blocked_prefixes entries)" = 2 ]
}

@test "waiting: a ring buffer's unread bytes until drained; a queue's and a stack's empty or not" {
	setup_net 1
	mapsh load --iface "$HOST1"
	[ "$(field events waiting)" = 0 ]
	[ "$(field samples waiting)" = 0 ]
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 7 --dport 8 -c 3
	send_pkts 1 -s 10.1.1.5 -d 10.1.1.2 -p udp --sport 7 --dport 8 -c 3
	w=$(field events waiting)
	[ "$w" -gt 0 ] || fail "events waiting: $w"
	run -0 mapsh events drain
	[ "$(field events waiting)" = 0 ]
	# queues: the kernel has no count; a peek says empty or not
	mapsh create q queue value 8 max 4
	[ "$(field q waiting)" = 0 ]
	mapsh q push 1 0 0 0 0 0 0 0
	mapsh q push 2 0 0 0 0 0 0 0
	[ "$(field q waiting)" = null ]
	run -0 mapsh maps
	[ "$(grep -P '\tq\t' <<<"$output" | cut -f9)" = "1+" ]
	[ "$(bpftool -j map peek pinned "$MAPSH_PIN_DIR/q" | jq -c .value)" = '["0x01","0x00","0x00","0x00","0x00","0x00","0x00","0x00"]' ]
	mapsh q pop >/dev/null
	mapsh q pop >/dev/null
	[ "$(field q waiting)" = 0 ]
	# a stack too
	mapsh create st stack value 4 max 4
	mapsh st push 5 0 0 0
	[ "$(field st waiting)" = null ]
	# other maps have nothing waiting
	[ "$(field flows waiting)" = null ]
}

@test "large maps the kernel keeps no count of show '?' unless --count" {
	mapsh create big lpm_trie key 8 value 4 max 100000 no_prealloc
	bpftool map update pinned "$MAPSH_PIN_DIR/big" key 32 0 0 0 10 0 0 1 value 1 0 0 0
	[ "$(field big entries)" = '"?"' ]
	[ "$(field big full)" = '"?"' ]
	run -0 mapsh maps
	[ "$(grep -P '\tbig\t' <<<"$output" | cut -f6-8)" = "?	100000	?" ]
	[ "$(field big entries --count)" = 1 ]
	[ "$(field big full --count)" = 0 ]
	# a small one is read without --count
	mapsh create small lpm_trie key 8 value 4 max 100 no_prealloc
	bpftool map update pinned "$MAPSH_PIN_DIR/small" key 32 0 0 0 10 0 0 1 value 1 0 0 0
	[ "$(field small entries)" = 1 ]
	[ "$(field small full)" = 1 ]
	# a large hash map is the kernel's to count: no '?'
	mapsh create bighash hash key 4 value 4 max 200000 no_prealloc
	bpftool map update pinned "$MAPSH_PIN_DIR/bighash" key 1 0 0 0 value 1 0 0 0
	[ "$(field bighash entries)" = 1 ]
}

@test "maps --prog lists the maps of one program, by pin name or id; maps --all shows every pin" {
	mapsh load
	ft=$(bpftool -j prog show pinned "$MAPSH_PIN_DIR/progs/flowtrack")
	want=$(jq -c '.map_ids | sort' <<<"$ft")
	run -0 mapsh -j maps --prog flowtrack
	[ "$(jq -c '[.[].id] | sort' <<<"$output")" = "$want" ]
	# with their pins
	[ "$(jq -r '.[] | select(.name == "flows") | .pinned' <<<"$output")" = "$MAPSH_PIN_DIR/flows" ]
	run -0 mapsh -j maps --prog "$(jq .id <<<"$ft")"
	[ "$(jq -c '[.[].id] | sort' <<<"$output")" = "$want" ]
	# policy uses other maps
	run -0 mapsh -j maps --prog policy
	[ "$(jq -c '[.[].name] | sort' <<<"$output")" != "$(mapsh -j maps --prog flowtrack | jq -c '[.[].name] | sort')" ]
	run mapsh maps --prog nosuchprog_$ID
	assert_failure 1
	assert_output "mapsh: maps --prog nosuchprog_$ID: no such program (a program id, a pin in $MAPSH_PIN_DIR/progs or a kernel name)"
	run mapsh maps --prog 4000000000
	assert_failure 1
	run mapsh maps --prog flowtrack --all
	assert_failure 2
	# --all: every map of the system with its pin, the same rows
	run -0 mapsh -j maps --all
	id=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/blocklist" | jq .id)
	[ "$(jq -r ".[] | select(.id == $id) | .pinned" <<<"$output")" = "$MAPSH_PIN_DIR/blocklist" ]
	[ "$(jq -c ".[] | select(.id == $id) | [has(\"full\"), has(\"waiting\"), has(\"entries\")] | all" <<<"$output")" = true ]
}
