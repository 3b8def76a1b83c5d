#!/usr/bin/env bats
# watch on histogram maps: the interval's change beside the total (line
# mode and the full-screen view), and the counters' sparklines in the view,
# with real traffic on a veth into flowtrack's pkt_sizes and cpu_stats.

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

# wait_jq FILTER: until a line of $OUT passes the jq filter (20 s at most).
wait_jq() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -n "$(jq -c "select($1)" "$OUT" 2>/dev/null | head -n 1)" ] && return 0
		sleep 0.1
	done
	fail "timed out waiting for $1 in: $(cat "$OUT" "$OUT.err")"
}

# wait_out REGEX: until a line of $OUT matches (20 s at most).
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

@test "watch -j of a histogram map: what arrived in an interval beside the total" {
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 3 --len 60
	timeout 60 nsenter --net="/run/netns/$NS" "$MAPSH" -j pkt_sizes watch -i 0.3 >"$OUT" 2>"$OUT.err" &
	WPID=$!
	wait_jq '.baseline == true'
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 7 --len 100
	wait_jq '.histogram == "slots" and .interval.count == 7'
	h=$(jq -c 'select(.histogram == "slots" and .interval.count == 7)' "$OUT" | head -n 1)
	# the 7 frames of 100 bytes, in [64, 127]; the total has the 3 before too
	[ "$(jq -c '[.interval.buckets[] | select(.count > 0) | [.min, .max, .count]]' <<<"$h")" = '[[64,127,7]]' ]
	[ "$(jq -c '[.total.count, [.total.buckets[] | select(.count > 0) | [.min, .count]]]' <<<"$h")" = '[10,[[32,3],[64,7]]]' ]
	# every other interval saw nothing arrive
	[ "$(jq -c 'select(.histogram) | .interval.count' "$OUT" | grep -cvx '0\|7')" = 0 ]
}

@test "watch in a pipe: the bucket table, total and the interval's change" {
	timeout 60 nsenter --net="/run/netns/$NS" "$MAPSH" pkt_sizes watch -i 0.3 >"$OUT" 2>"$OUT.err" &
	WPID=$!
	wait_out 'refresh 1 \(baseline\)'
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 4 --len 1000
	wait_out '^slots	512	1023	4	4$'
	grep -E '^slots: total count 4, p50 767.5, p90 971.9, p99 1017.9$' "$OUT"
	grep -E '^slots: last [0-9.]+s count 4, p50 767.5, p90 971.9, p99 1017.9$' "$OUT"
}

start_term() {
	tty_new_server
	ttmux new-session -d -s w -x 100 -y 30 \
		"env TERM=xterm NO_COLOR=1 MAPSH_PIN_DIR='$MAPSH_PIN_DIR' PS1='PROMPT\$ ' nsenter --net=/run/netns/$NS bash --norc --noprofile"
	wait_screen 'PROMPT$'
}
screen() { ttmux capture-pane -t w -p; }
keys() { ttmux send-keys -t w "$@"; }
WAIT_TRIES=150

@test "the full-screen view: the histogram beside the interval's change, sparklines of the counters' rates" {
	start_term
	keys "'$MAPSH' pkt_sizes watch -i 0.5" Enter
	wait_screen 'pkt_sizes (percpu_array)'
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 6 --len 100
	wait_screen 'slots: total count 6, p50 95.5, p90 120.7, p99 126.4'
	wait_screen '+6 |####'
	run screen
	# 99 columns: two bars of 39, each ending in its '|'
	assert_line "[64, 128) 6 |$(printf '#%.0s' $(seq 39))| +6 |$(printf '#%.0s' $(seq 39))|"
	assert_line --regexp '^slots: last 0\.[0-9]s count 6, p50 95.5, p90 120.7, p99 126.4$'
	keys q
	# cpu_stats: packets/s of the last refreshes as a sparkline
	keys "'$MAPSH' cpu_stats watch -i 0.5" Enter
	wait_screen 'cpu_stats (percpu_array)'
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 20 --len 100
	wait_screen '#'
	for ((i = 0; i < 100; i++)); do
		screen | grep -qE '^packets/s [ .:=+*#-]*#[ .:=+*#-]* [0-9.]+k?' && break
		sleep 0.1
	done
	run screen
	assert_line --regexp '^packets/s [ .:=+*#-]*#[ .:=+*#-]* [0-9.]+k?   bytes/s '
	keys q
}
