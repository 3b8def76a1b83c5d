#!/usr/bin/env bats
# mapsh MAP watch: line mode with real traffic through the veth (known
# packet counts sent between two refreshes), the full-screen view driven in
# a terminal (tmux), the ring buffer rate line, and bad input.

load helpers
load tty_lib
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	OUT="$BATS_TEST_TMPDIR/watch.out"
	TTY_SOCK=""
	WPID=""
}

teardown() {
	if [ -n "$WPID" ]; then
		kill "$WPID" 2>/dev/null || true
		wait "$WPID" 2>/dev/null || true
	fi
	tty_kill_server
	teardown_common
}

FLOW_A="src_ip=10.0.0.1 dst_ip=10.0.0.2 src_port=5555 dst_port=80 protocol=udp"
FLOW_B="src_ip=10.0.0.3 dst_ip=10.0.0.2 src_port=4000 dst_port=443 protocol=tcp"

# start_watch ARGS...: mapsh ARGS in the background (60 s at most), stdout
# to $OUT; returns once the first refresh (the baseline) is written.
start_watch() {
	: >"$OUT"
	timeout 60 nsenter --net="/run/netns/$NS" "$MAPSH" "$@" >"$OUT" 2>"$OUT.err" &
	WPID=$!
	wait_out '"baseline":true|refresh 1 \(baseline\)|records/s|^[{]"timestamp"'
}

# finish_watch: wait for it; its exit status must be 0.
finish_watch() {
	local rc=0
	wait "$WPID" || rc=$?
	WPID=""
	[ "$rc" -eq 0 ] || fail "watch exited $rc: $(cat "$OUT.err")"
}

# stop_watch: SIGTERM, which ends a watch cleanly (exit 0).
stop_watch() {
	kill -TERM "$WPID"
	finish_watch
}

# wait_out REGEX: until a line of $OUT matches (grep -E), 20 s at most.
wait_out() {
	local i
	for ((i = 0; i < 400; i++)); do
		grep -qE -- "$1" "$OUT" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timed out waiting for /$1/ in:"
	cat "$OUT" "$OUT.err"
	return 1
}

# jqs FILTER: jq over all of $OUT as one array.
jqs() { jq -s -r "$1" "$OUT"; }
# jqr FILTER: jq over the lines of refresh $IN_REFRESH (+ $2).
jqr() { tty_jq_refresh $((IN_REFRESH + ${2:-0})) "$1"; }

# pkts_a: the packets flow A has in the map (bpftool's view).
pkts_a() { flow_packets 10.0.0.1 10.0.0.2 5555 80 udp; }

send_a7() {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 7 --len 100
	tty_wait_eq $((3 + 7 * $1)) pkts_a
}

@test "line mode: packets sent between two refreshes are exactly that delta, the rate is delta/interval, then rate 0" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 3 --len 100
	tty_wait_eq 3 pkts_a
	start_watch flows watch -i 2 --delta -j
	# the baseline prints its summary and no entries
	[ "$(tty_jq_refresh 1 '[.[] | select(.key)] | length')" = 0 ]
	[ "$(tty_jq_refresh 1 '.[0].baseline')" = true ]
	# 7 packets (700 bytes), all sent and counted between two refreshes
	tty_between_refreshes send_a7
	tty_wait_refresh $((IN_REFRESH + 2))
	stop_watch
	A='select(.key.src_ip == "10.0.0.1")'
	[ "$(jqr "[.[] | $A] | length")" = 1 ]
	[ "$(jqr "[.[] | $A][0].delta.packets")" = 7 ]
	[ "$(jqr "[.[] | $A][0].delta.bytes")" = 700 ]
	[ "$(jqr "[.[] | $A][0].value.packets")" = $((3 + 7 * ATTEMPT)) ]
	[ "$(jqr "[.[] | $A][0].new")" = null ]
	# ktime fields as wall-clock times too, as dump -j has them
	w=$(jqr "[.[] | $A][0].wall.last_seen")
	[[ "$w" =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]] || fail "wall: $w"
	[ "$w" = "$(mapsh -j flows dump | jq -r ".[] | $A | .wall.last_seen")" ] || fail "wall $w, dump: $(mapsh -j flows dump)"
	# the rate is the delta over the refresh's interval (both rounded)
	jqr "([.[] | $A][0].rate[\"packets/s\"]) as \$r | (.[-1].interval) as \$i
		| \$i > 0.4 and (\$r * \$i - 7 | fabs) < 0.05" | grep -qx true ||
		fail "packets/s is not 7/interval: $(jqr '.')"
	jqr "([.[] | $A][0].rate[\"bytes/s\"]) as \$r | (.[-1].interval) as \$i
		| (\$r * \$i - 700 | fabs) < 1" | grep -qx true || fail "bytes/s is not 700/interval"
	[ "$(jqr '.[-1].changed_entries')" = 1 ]
	[ "$(jqr '.[-1].entries')" = 1 ]
	[ "$(jqr '.[-1].max_entries')" = 16384 ]
	# then it stopped: shown once more, with delta and rate 0
	[ "$(jqr "[.[] | $A] | length" 1)" = 1 ]
	[ "$(jqr "[.[] | $A][0].delta.packets" 1)" = 0 ]
	[ "$(jqr "[.[] | $A][0].rate[\"packets/s\"]" 1)" = 0 ]
	# and not after that
	[ "$(jqr "[.[] | $A] | length" 2)" = 0 ]
	# every line has an ISO time
	[ "$(jqs '[.[] | .time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")] | all')" = true ]
	# summaries are numbered from 1, one a refresh
	[ "$(jqs '[.[] | select(.refresh) | .refresh] | . == [range(1; length + 1)]')" = true ]
}

@test "line mode: a counter that went down was reset: its change is its value" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 10 --len 100
	tty_wait_eq 10 pkts_a
	start_watch flows watch -i 0.5 -j
	# the counter goes from 10 down to 2 (a reset, then 2 packets)
	mapsh flows set $FLOW_A packets=2
	wait_out '"key":\{"src_ip":"10.0.0.1"'
	stop_watch
	A='select(.key.src_ip == "10.0.0.1")'
	[ "$(jqs "[.[] | $A] | length")" = 1 ]
	[ "$(jqs "[.[] | $A][0].value.packets")" = 2 ]
	[ "$(jqs "[.[] | $A][0].delta.packets")" = 2 ]
	[ "$(jqs "[.[] | $A][0].delta.bytes")" = 0 ]
	rate=$(jqs "[.[] | $A][0].rate[\"packets/s\"]")
	[[ $rate =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "packets/s: $rate"
	[ "$(jq -n "$rate > 0 and $rate <= 5")" = true ] || fail "packets/s: $rate"
	# the same in text mode: the packets+ column is 2, not a wrapped number
	mapsh flows set $FLOW_A packets=9
	start_watch flows watch -i 0.5
	mapsh flows set $FLOW_A packets=4
	wait_out $'^[^#].*\t10\\.0\\.0\\.1\t'
	stop_watch
	run grep -v '^#' "$OUT"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(cut -f8,13 <<<"${lines[0]}")" = "$(printf '4\t4')" ]
}

# A_k: flow B_k (attempt k) deleted, flow N_k sent 4 packets, both between
# two refreshes.
del_b_new_n() {
	mapsh flows delete src_ip=10.0.0.3 dst_ip=10.0.0.2 src_port=$((4000 + $1)) dst_port=443 protocol=tcp
	send_pkts 1 -s 10.0.0.5 -d 10.0.0.2 -p udp --sport $((1000 + $1)) --dport 53 -c 4
	tty_wait_eq 4 flow_packets 10.0.0.5 10.0.0.2 $((1000 + $1)) 53 udp
}

@test "line mode: a deleted entry is reported removed, a new one is marked new with its packets" {
	local k
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 2
	for k in 1 2 3 4 5; do
		send_pkts 1 -s 10.0.0.3 -d 10.0.0.2 -p tcp --sport $((4000 + k)) --dport 443 -c 2 --tcp-flags SYN
	done
	tty_wait_eq 2 flow_packets 10.0.0.3 10.0.0.2 4005 443 tcp
	start_watch flows watch -i 2 -j
	tty_between_refreshes del_b_new_n
	stop_watch
	[ "$(jqr '[.[] | select(.removed)] | length')" = 1 ]
	[ "$(jqr '[.[] | select(.removed)][0].key.src_ip')" = 10.0.0.3 ]
	[ "$(jqr '[.[] | select(.removed)][0].key.src_port')" = $((4000 + ATTEMPT)) ]
	[ "$(jqr '[.[] | select(.removed)][0].key.protocol')" = tcp ]
	[ "$(jqr '[.[] | select(.removed)][0] | keys | join(",")')" = key,removed,time ]
	[ "$(jqr '[.[] | select(.new)] | length')" = 1 ]
	[ "$(jqr '[.[] | select(.new)][0].key.src_ip')" = 10.0.0.5 ]
	[ "$(jqr '[.[] | select(.new)][0].key.src_port')" = $((1000 + ATTEMPT)) ]
	[ "$(jqr '[.[] | select(.new)][0].delta.packets')" = 4 ]
	[ "$(jqr '[.[] | select(.new)][0].value.packets')" = 4 ]
	[ "$(jqr '.[-1].removed_entries')" = 1 ]
	[ "$(jqr '.[-1].new_entries')" = 1 ]
	[ "$(jqr '.[-1].changed_entries')" = 0 ]
	# flow A did not change: never printed
	[ "$(jqs '[.[] | select(.key.src_ip == "10.0.0.1")] | length')" = 0 ]
}

# The LRU map of tty_lru_test: KEYS... as 4-byte keys (values = the key).
lru_put() {
	local k
	for k in "$@"; do
		echo "map update pinned $LRU key $k 0 0 0 value $k 0 0 0 0 0 0 0"
	done >"$BATS_TEST_TMPDIR/batch"
	bpftool batch file "$BATS_TEST_TMPDIR/batch" >/dev/null
}
# A key's first byte ("0x1f", as bpftool and mapsh show bytes) as a number.
JQ_K='def k: .key[0] | ltrimstr("0x") | explode | map(if . >= 97 then . - 87 else . - 48 end) | .[0] * 16 + .[1];'
# lru_keys: the map's keys as numbers, sorted, one line.
lru_keys() { bpftool -j map dump pinned "$LRU" | jq -c "$JQ_K"' [.[] | k] | sort'; }

@test "LRU map: the entries the kernel evicts during the watch are shown removed, and counted" {
	LRU="$BPFFS/tty_lru"
	bpftool map create "$LRU" type lru_hash key 4 value 8 entries 16 name tty_lru
	lru_put $(seq 1 16)
	before=$(lru_keys)
	[ "$(jq length <<<"$before")" -ge 8 ] || fail "the LRU map took only $before"
	start_watch pinned "$LRU" watch -i 0.5 -j
	# 24 more keys than the map holds: the kernel evicts old ones
	lru_put $(seq 17 40)
	end=$(date +%s%3N)
	last=$(tty_wait_refresh_after "$end")
	stop_watch
	after=$(lru_keys)
	evicted=$(jq -nc --argjson b "$before" --argjson a "$after" '$b - $a')
	[ "$(jq length <<<"$evicted")" -ge 1 ] || fail "nothing was evicted: $before -> $after"
	# replaying the watch's events on the map before gives the map after
	got=$(jq -s -c --argjson b "$before" "$JQ_K"'
		reduce (.[] | select(.key)) as $e ($b;
			if $e.removed then . - [$e | k] else (. + [$e | k] | unique) end) | sort' "$OUT")
	[ "$got" = "$after" ] || fail "watch events give $got, the map has $after"
	# every evicted key was reported removed (in a refresh after the first)
	removed=$(jq -s -c "$JQ_K"' [.[] | select(.removed) | k] | unique' "$OUT")
	[ "$(jq -n --argjson e "$evicted" --argjson r "$removed" '$e - $r')" = "[]" ] ||
		fail "evicted $evicted, reported removed $removed"
	# the summaries count the removed lines
	[ "$(jqs '[.[] | select(.removed)] | length')" = "$(jqs '[.[] | select(.refresh) | .removed_entries] | add')" ]
	[ "$(tty_jq_refresh "$last" '.[-1].entries')" = "$(jq length <<<"$after")" ]
	[ "$(tty_jq_refresh "$last" '.[-1].max_entries')" = 16 ]

	# text: the summary gives the removal rate
	: >"$OUT"
	start_watch pinned "$LRU" watch -i 0.5
	lru_put $(seq 41 60)
	end=$(date +%s%3N)
	tty_wait_refresh_after "$end" >/dev/null
	stop_watch
	grep -qE '^# .* refresh [0-9]+ after [0-9.]+s: [0-9]+/16 entries, [0-9.]+% full, [0-9]+ new, 0 changed, [1-9][0-9]* removed \([0-9.]+/s\)$' "$OUT" ||
		fail "no summary with removals: $(cat "$OUT")"
	[ "$(grep -c $'^[^#][^\t]*\tremoved\t' "$OUT")" -ge 1 ]
}

send_udp4() {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 3
	send_pkts 1 -s 10.0.0.2 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 5
	send_pkts 1 -s 10.0.0.3 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 1
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p tcp --sport 1 --dport 2 -c 9
	# the last one sent first: once it is counted the others are too
	tty_wait_eq $((9 * $1)) flow_packets 10.0.0.9 10.0.0.2 1 2 tcp
	tty_wait_eq $((3 * $1)) flow_packets 10.0.0.1 10.0.0.2 1 2 udp
	tty_wait_eq $((5 * $1)) flow_packets 10.0.0.2 10.0.0.2 1 2 udp
	tty_wait_eq $((1 * $1)) flow_packets 10.0.0.3 10.0.0.2 1 2 udp
}
send_tcp2() {
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p tcp --sport 1 --dport 2 -c 2
	tty_wait_eq $((9 * SENT4 + 2 * $1)) flow_packets 10.0.0.9 10.0.0.2 1 2 tcp
}

@test "line mode: where, sort by a rate and limit apply to each refresh; fields gives flat objects" {
	start_watch flows watch -i 2 -j where protocol == udp sort packets/s desc limit 2
	tty_between_refreshes send_udp4
	SENT4=$ATTEMPT
	stop_watch
	# the two udp flows with the highest rate, highest first; no tcp
	[ "$(jqr '[.[] | select(.key) | .key.src_ip] | join(",")')" = "10.0.0.2,10.0.0.1" ]
	[ "$(jqr '[.[] | select(.key) | .delta.packets] | join(",")')" = "5,3" ]
	# the summary counts what passed where
	[ "$(jqr '.[-1].matched')" = 3 ]
	[ "$(jqr '.[-1].entries')" = 4 ]

	start_watch flows watch -i 2 -j where dst_port == 2 fields src_ip,packets
	tty_between_refreshes send_tcp2
	stop_watch
	[ "$(jqr '[.[] | select(.src_ip)] | length')" = 1 ]
	[ "$(jqr '[.[] | select(.src_ip)][0] | keys | join(",")')" = "delta,packets,rate,src_ip,time" ]
	[ "$(jqr '[.[] | select(.src_ip)][0].src_ip')" = 10.0.0.9 ]
	[ "$(jqr '[.[] | select(.src_ip)][0].packets')" = "$(flow_packets 10.0.0.9 10.0.0.2 1 2 tcp)" ]
	[ "$(jqr '[.[] | select(.src_ip)][0].delta.packets')" = 2 ]
	[ "$(jqr '[.[] | select(.src_ip)][0].delta | keys | join(",")')" = packets ]
}

send_a6() {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 6 --len 100
	tty_wait_eq $((BASE + 6 * $1)) pkts_a
}

@test "line mode as text: tab-separated time, event, columns, deltas; '#' summaries; --rate; --count ends it" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 2 --len 100
	tty_wait_eq 2 pkts_a
	BASE=2
	start_watch flows watch -i 2
	tty_between_refreshes send_a6
	tty_wait_refresh $((IN_REFRESH + 2))
	stop_watch
	grep -qx '# .* refresh 1 (baseline): 1/16384 entries, 0.0% full' "$OUT"
	grep -qE "^# .* refresh $IN_REFRESH after [0-9]+\.[0-9]+s: 1/16384 entries, 0\.0% full, 0 new, 1 changed, 0 removed$" "$OUT"
	run tty_text_refresh "$IN_REFRESH"
	[ "${#lines[@]}" -eq 1 ]
	# time, event, 5 key columns, 5 value columns, packets+ bytes+
	[[ "$(cut -f1 <<<"${lines[0]}")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]]
	[ "$(cut -f2-7 <<<"${lines[0]}")" = "$(printf 'changed\t10.0.0.1\t10.0.0.2\t5555\t80\tudp')" ]
	[ "$(cut -f8,13,14 <<<"${lines[0]}")" = "$(printf '%s\t6\t600' $((2 + 6 * ATTEMPT)))" ]
	[ "$(awk -F'\t' '{ print NF }' <<<"${lines[0]}")" = 14 ]
	# the next refresh shows it once more with 0, then nothing
	run tty_text_refresh $((IN_REFRESH + 1))
	[ "${#lines[@]}" -eq 1 ]
	[ "$(cut -f13,14 <<<"${lines[0]}")" = "$(printf '0\t0')" ]
	run tty_text_refresh $((IN_REFRESH + 2))
	[ "${#lines[@]}" -eq 0 ]

	# --rate instead: packets/s is the packets over the interval
	BASE=$(pkts_a)
	start_watch flows watch -i 2 --rate
	tty_between_refreshes send_a6
	stop_watch
	run tty_text_refresh "$IN_REFRESH"
	[ "${#lines[@]}" -eq 1 ]
	rate=$(cut -f13 <<<"${lines[0]}")
	interval=$(sed -nE "s/^# .* refresh $IN_REFRESH after ([0-9.]+)s: .*/\1/p" "$OUT")
	[[ $rate =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "packets/s: '$rate'"
	[ "$(jq -n "($rate * $interval - 6 | fabs) < 0.05")" = true ] || fail "packets/s $rate over ${interval}s is not 6 packets"

	# --count N: N refreshes, then exit 0 by itself
	run timeout 20 nsenter --net="/run/netns/$NS" "$MAPSH" flows watch -i 0.2 --count 3
	assert_success
	[ "$(grep -c '^# .* refresh ' <<<"$output")" = 3 ]
	[[ "${lines[0]}" == "# time	event	"* ]]
	[[ "${lines[-1]}" == "# "*" refresh 3 after "* ]]
}

send_5() {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 5 --len 100
	tty_wait_eq $((5 * $1)) percpu_sum cpu_stats packets
}
send_4() {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 4 --len 100
	tty_wait_eq $((5 * SENT5 + 4 * $1)) iface_pkts
}
iface_pkts() { lookup iface_stats $(hex_u32le "$HOST_IFINDEX1") | jq .formatted.value.packets; }

@test "per-CPU and array maps: counters summed over the CPUs, all-zero elements skipped" {
	start_watch cpu_stats watch -i 2 -j
	# cpu_stats[0] was all zero: not in the baseline
	[ "$(tty_jq_refresh 1 '.[-1].entries')" = 0 ]
	tty_between_refreshes send_5
	SENT5=$ATTEMPT
	stop_watch
	# it appears (new, the first time) with the sum of the CPUs
	[ "$(jqr '[.[] | select(.key == 0)] | length')" = 1 ]
	if [ "$ATTEMPT" = 1 ]; then
		[ "$(jqr '[.[] | select(.key == 0)][0].new')" = true ]
	fi
	[ "$(jqr '[.[] | select(.key == 0)][0].delta.packets')" = 5 ]
	[ "$(jqr '[.[] | select(.key == 0)][0].value.packets')" = "$(percpu_sum cpu_stats packets)" ]
	[ "$(jqr '[.[] | select(.key == 0)][0].value.packets')" = $((5 * ATTEMPT)) ]

	start_watch iface_stats watch -i 2 -j
	[ "$(tty_jq_refresh 1 '.[-1].entries')" = 1 ]
	tty_between_refreshes send_4
	stop_watch
	[ "$(jqr '.[-1].entries')" = 1 ]
	[ "$(jqr '[.[] | select(.key)] | length')" = 1 ]
	[ "$(jqr '[.[] | select(.key)][0].key')" = "$HOST_IFINDEX1" ]
	[ "$(jqr '[.[] | select(.key)][0].delta.packets')" = 4 ]
	# --all keeps the zero elements
	run timeout 20 nsenter --net="/run/netns/$NS" "$MAPSH" -j iface_stats watch --all --count 1
	assert_success
	[ "$(jq .entries <<<"$output")" = 256 ]
	run timeout 20 nsenter --net="/run/netns/$NS" "$MAPSH" -j iface_stats watch --count 1
	assert_success
	[ "$(jq .entries <<<"$output")" = 1 ]
}

@test "LPM trie: a prefix added while watching is new, a prefix deleted is removed" {
	start_watch blocked_prefixes watch -i 0.5 -j
	mapsh blocked_prefixes update 10.9.0.0/16 action=drop
	wait_out '"new":true'
	mapsh blocked_prefixes delete 10.9.0.0/16
	wait_out '"removed":true'
	stop_watch
	[ "$(jqs '[.[] | select(.new)] | length')" = 1 ]
	[ "$(jqs '[.[] | select(.new)][0].key.prefixlen')" = 16 ]
	[ "$(jqs '[.[] | select(.new)][0].key.addr')" = 10.9.0.0 ]
	[ "$(jqs '[.[] | select(.new)][0].value.action')" = FW_DROP ]
	[ "$(jqs '[.[] | select(.new)][0].delta.hits')" = 0 ]
	[ "$(jqs '[.[] | select(.removed)] | length')" = 1 ]
	[ "$(jqs '[.[] | select(.removed)][0].key.addr')" = 10.9.0.0 ]
}

@test "ring buffer: follow's records plus a rate line per interval" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 1
	send_pkts 1 -s 10.0.0.2 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 1
	tty_wait_eq 1 flow_packets 10.0.0.2 10.0.0.2 1 2 udp
	timeout 20 nsenter --net="/run/netns/$NS" "$MAPSH" events watch -j -i 0.5 --count 2 >"$OUT"
	# the two records were there at the start: both in the first interval
	# (2 records in about 0.5 s), none in the second
	[ "$(jqs '[.[] | select(has("records/s"))][0].records')" = 2 ]
	[ "$(jqs '[.[] | select(has("records/s"))][0]["records/s"] | . > 2 and . <= 4.01')" = true ]
	[ "$(jqs '[.[] | select(has("records/s"))][0]["bytes/s"] > 0')" = true ]
	[ "$(jqs '[.[] | select(.value.type == "EVENT_TYPE_NEW_FLOW")] | length')" = 2 ]
	[ "$(jqs '[.[] | select(.value.type == "EVENT_TYPE_NEW_FLOW") | .value.src_ip] | join(",")')" = 10.0.0.1,10.0.0.2 ]
	[ "$(jqs '[.[] | select(has("records/s"))] | length')" = 2 ]
	[ "$(jqs '[.[] | select(has("records/s"))] | last | .records')" = 2 ]
	[ "$(jqs '[.[] | select(has("records/s"))] | last | .["records/s"]')" = 0 ]
	run mapsh events watch where a == 1
	[ "$status" -eq 2 ]
}

# ---- the full-screen view ----

# A 120x20 terminal running a plain shell in the test's namespace, with a
# marker line on it before anything else.
start_term() {
	tty_new_server
	ttmux new-session -d -s w -x 120 -y 20 \
		"env TERM=xterm NO_COLOR=1 MAPSH_PIN_DIR='$MAPSH_PIN_DIR' PS1='PROMPT\$ ' nsenter --net=/run/netns/$NS bash --norc --noprofile"
	wait_screen 'PROMPT$'
	keys "echo BEFORE-WATCH-MARKER" Enter
	wait_screen 'BEFORE-WATCH-MARKER'
}
screen() { ttmux capture-pane -t w -p; }
keys() { ttmux send-keys -t w "$@"; }
pane() { ttmux display -p -t w "$1"; }
# The view can take a refresh or two to draw: wait up to 10 s.
WAIT_TRIES=100

# The main screen is back as it was: alternate screen off, cursor shown,
# the marker and a prompt, nothing of the view.
assert_restored() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(pane '#{alternate_on}')" = 0 ] && break
		sleep 0.1
	done
	[ "$(pane '#{alternate_on}')" = 0 ] || fail "still on the alternate screen"
	[ "$(pane '#{cursor_flag}')" = 1 ] || fail "the cursor is still hidden"
	run screen
	assert_output --partial 'BEFORE-WATCH-MARKER'
	refute_output --partial '% full'
	refute_output --partial '[q]uit'
}

@test "the view draws the header and the flows, s/S change the sort, r reverses, q restores the terminal" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 3
	send_pkts 1 -s 10.0.0.3 -d 10.0.0.2 -p tcp --sport 4000 --dport 443 -c 2 --tcp-flags SYN
	tty_wait_eq 2 flow_packets 10.0.0.3 10.0.0.2 4000 443 tcp
	start_term
	keys "'$MAPSH' flows watch -i 1; echo EXIT=\$?" Enter
	wait_screen 'flows (lru_hash)  2/16384 entries, 0.0% full  every 1s'
	[ "$(pane '#{alternate_on}')" = 1 ]
	wait_screen 'sort packets/s desc'
	run screen
	assert_line --regexp '^  src_ip +dst_ip +src_port +dst_port +protocol +packets/s +bytes/s +packets +bytes'
	assert_line --regexp '^  10\.0\.0\.1 +10\.0\.0\.2 +5555 +80 +udp '
	assert_line --regexp '^  10\.0\.0\.3 +10\.0\.0\.2 +4000 +443 +tcp '
	# a new flow is marked, with its rate
	send_pkts 1 -s 10.0.0.7 -d 10.0.0.2 -p udp --sport 7 --dport 7 -c 20
	wait_screen '+ 10.0.0.7'
	# its rate is what it counted (all new) over the interval (about 1 s)
	run screen
	row=$(grep -E '^\+ 10\.0\.0\.7 ' <<<"$output") || fail "no + row: $output"
	read -r _ _ _ _ _ _ rate _ packets _ <<<"$row"
	[[ $rate =~ ^[0-9]+\.[0-9]$ ]] || fail "packets/s '$rate' in: $row"
	[ "$(jq -n "$packets >= 1 and $rate >= $packets * 0.8 and $rate <= $packets * 1.01")" = true ] ||
		fail "packets/s $rate for $packets new packets in about 1 s: $row"
	keys s
	wait_screen 'sort bytes/s desc'
	# S goes back: packets/s, then the last key column, protocol (asc)
	keys S
	wait_screen 'sort packets/s desc'
	keys S
	wait_screen 'sort protocol asc'
	run screen
	# tcp (6) before udp (17)
	[[ "${lines[3]}" == *"10.0.0.3"* ]] || fail "first row: ${lines[3]}"
	keys s s
	wait_screen 'sort bytes/s desc'
	keys r
	wait_screen 'sort bytes/s asc'
	keys s s
	wait_screen 'sort bytes desc'
	run screen
	# sorted by bytes, highest first: .7 (20 packets) on the first row
	[[ "${lines[3]}" == *"10.0.0.7"* ]] || fail "first row: ${lines[3]}"
	keys r
	wait_screen 'sort bytes asc'
	run screen
	[[ "${lines[3]}" == *"10.0.0.3"* ]] || fail "first row: ${lines[3]}"
	keys p
	wait_screen '[paused]'
	keys q
	wait_screen 'EXIT=0'
	assert_restored
}

@test "the view fits a small terminal and follows a resize; SIGTERM restores the terminal" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 3
	start_term
	keys "'$MAPSH' flows watch -i 0.3; echo EXIT=\$?" Enter
	wait_screen 'sort packets/s desc'
	ttmux resize-window -t w -x 50 -y 6
	# redrawn for 50 columns: mapsh cuts lines one short of the edge, so
	# the header is 49 columns (tmux's own cut of the old one is 50)
	for ((i = 0; i < 100; i++)); do
		[ "$(screen | head -n 1 | awk '{ print length($0) }')" = 49 ] && break
		sleep 0.1
	done
	run screen
	[ "$(head -n 1 <<<"$output" | awk '{ print length($0) }')" = 49 ] || fail "not redrawn for 50 columns: $output"
	assert_line --regexp '^  10\.0\.0\.1 +10\.0\.0\.2 '
	for l in "${lines[@]}"; do
		[ "${#l}" -lt 50 ] || fail "a line wider than the terminal: '$l'"
	done
	# header, blank, column names and one row
	assert_line --regexp '^flows \(lru_hash\)'
	ttmux resize-window -t w -x 120 -y 20
	wait_screen 'first_seen'
	kill -TERM "$(pgrep -P "$(pane '#{pane_pid}')" mapsh)"
	wait_screen 'EXIT=0'
	assert_restored
}

@test "in the shell, Ctrl-C leaves the view and returns to the prompt" {
	tty_new_server
	ttmux new-session -d -s w -x 120 -y 20 \
		"env TERM=xterm NO_COLOR=1 MAPSH_HISTFILE='$BATS_TEST_TMPDIR/hist' MAPSH_PIN_DIR='$MAPSH_PIN_DIR' nsenter --net=/run/netns/$NS '$MAPSH'; echo EXITED=\$?; sleep 600"
	wait_screen 'mapsh>'
	keys 'flows watch' Enter
	wait_screen 'flows (lru_hash)'
	[ "$(pane '#{alternate_on}')" = 1 ]
	keys C-c
	wait_screen 'mapsh> flows watch'
	[ "$(pane '#{alternate_on}')" = 0 ]
	[ "$(pane '#{cursor_flag}')" = 1 ]
	# the shell goes on: q leaves a second view the same way
	keys 'flows watch' Enter
	wait_screen 'flows (lru_hash)'
	keys q
	for ((i = 0; i < 50; i++)); do
		[ "$(pane '#{alternate_on}')" = 0 ] && break
		sleep 0.1
	done
	[ "$(pane '#{alternate_on}')" = 0 ] || fail "q did not leave the view"
	[ "$(pane '#{cursor_flag}')" = 1 ] || fail "the cursor is still hidden"
	# and runs the next command: two flows sent meanwhile
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 1
	send_pkts 1 -s 10.0.0.3 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 1
	tty_wait_eq 2 mapsh flows count
	keys 'flows count' Enter
	wait_match '^2$'
	run screen
	assert_line 'mapsh> flows count'
	refute_output --partial 'EXITED'
}

# ---- bad input ----

# refused ARGS...: mapsh ARGS exits 2 with one line on stderr and prints
# nothing on stdout.
refused() {
	run --separate-stderr mapsh "$@" </dev/null
	[ "$status" -eq 2 ] || fail "mapsh $*: exit $status, expected 2 ($stderr)"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "mapsh $*: ${#stderr_lines[@]} stderr lines: $stderr"
	[[ "$stderr" == "mapsh: "* ]] || fail "mapsh $*: $stderr"
	[ -z "$output" ] || fail "mapsh $*: printed '$output'"
}

@test "bad input: a queue, intervals 0 and negative, an unknown sort field, and more" {
	refused samples watch
	[[ "$stderr" == *"'watch' does not apply"*"verbs for queue maps:"*"pop"* ]]
	refused recent_drops watch --count 1
	[[ "$stderr" == *"'watch' does not apply"* ]]
	refused flows watch -i 0
	[[ "$stderr" == *"-i '0'"*"seconds > 0"* ]]
	refused flows watch -i -1
	[[ "$stderr" == *"-i '-1'"* ]]
	refused flows watch -i -0.5 --count 1
	refused flows watch --interval abc
	refused flows watch --count 0
	refused flows watch sort pakets/s desc
	[[ "$stderr" == *"sort:"*"'pakets'"*"did you mean 'packets'"* ]]
	refused flows watch sort nosuchfield
	refused flows watch sort src_ip/s
	refused flows watch --rate --delta
	refused flows watch where packets
	refused flows watch limit x
}
