#!/usr/bin/env bats
# mapsh MAP watch: line mode with real traffic through the veth (known
# packet counts sent between two refreshes), the full-screen view driven in
# a terminal (tmux), the ring buffer rate line, and bad input.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	OUT="$BATS_TEST_TMPDIR/watch.out"
	TSOCK=""
	WPID=""
}

teardown() {
	if [ -n "$WPID" ]; then
		kill "$WPID" 2>/dev/null || true
		wait "$WPID" 2>/dev/null || true
	fi
	if [ -n "$TSOCK" ]; then
		tmux -L "$TSOCK" kill-server 2>/dev/null || true
	fi
	teardown_common
}

FLOW_A="src_ip=10.0.0.1 dst_ip=10.0.0.2 src_port=5555 dst_port=80 protocol=udp"
FLOW_B="src_ip=10.0.0.3 dst_ip=10.0.0.2 src_port=4000 dst_port=443 protocol=tcp"

# start_watch ARGS...: mapsh ARGS in the background (20 s at most), stdout
# to $OUT; returns once the first refresh (the baseline) is written.
start_watch() {
	timeout 20 nsenter --net="/run/netns/$NS" "$MAPSH" "$@" >"$OUT" 2>"$OUT.err" &
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

# wait_out REGEX: until a line of $OUT matches (grep -E), 10 s at most.
wait_out() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -qE -- "$1" "$OUT" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timed out waiting for /$1/ in:"
	cat "$OUT" "$OUT.err"
	return 1
}

# jqs FILTER: jq over all of $OUT as one array.
jqs() { jq -s -r "$1" "$OUT"; }

@test "line mode: packets sent between two refreshes show as exactly that delta, then rate 0" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 3 --len 100
	start_watch flows watch -i 1 --count 4 --delta -j
	# the baseline prints its summary and no entries
	[ "$(jqs '[.[] | select(.key)] | length')" = 0 ]
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 7 --len 100
	finish_watch
	# --count 4: four refreshes, each ending with its summary line
	[ "$(jqs '[.[] | select(.refresh)] | length')" = 4 ]
	[ "$(jqs '[.[] | select(.refresh)] | map(.refresh) | join(",")')" = "1,2,3,4" ]
	A='select(.key.src_ip == "10.0.0.1")'
	# the 7 packets (700 bytes) arrived in one refresh interval
	[ "$(jqs "[.[] | $A | .delta.packets] | add")" = 7 ]
	[ "$(jqs "[.[] | $A | .delta.bytes] | add")" = 700 ]
	[ "$(jqs "[.[] | $A | select(.delta.packets > 0)] | length")" = 1 ]
	[ "$(jqs "[.[] | $A | select(.delta.packets > 0)][0].value.packets")" = 10 ]
	[ "$(jqs "[.[] | $A | select(.delta.packets > 0)][0].rate[\"packets/s\"] > 0")" = true ]
	# then it stopped: shown once more, with rate 0, and no more after that
	[ "$(jqs "[.[] | $A] | last | .rate[\"packets/s\"]")" = 0 ]
	[ "$(jqs "[.[] | $A] | last | .delta.packets")" = 0 ]
	[ "$(jqs "[.[] | $A] | length")" = 2 ]
	# every line has an ISO time; the summary has the map's size
	[ "$(jqs '[.[] | .time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")] | all')" = true ]
	[ "$(jqs '[.[] | select(.refresh == 4)][0].max_entries')" = 16384 ]
	[ "$(jqs '[.[] | select(.refresh == 4)][0].entries')" = 1 ]
}

@test "line mode: a deleted entry is reported removed, a new one is marked new" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 2
	send_pkts 1 -s 10.0.0.3 -d 10.0.0.2 -p tcp --sport 4000 --dport 443 -c 2 --tcp-flags SYN
	start_watch flows watch -i 1 --count 3 -j
	mapsh flows delete $FLOW_B
	send_pkts 1 -s 10.0.0.5 -d 10.0.0.2 -p udp --sport 1000 --dport 53 -c 4
	finish_watch
	[ "$(jqs '[.[] | select(.removed)] | length')" = 1 ]
	[ "$(jqs '[.[] | select(.removed)][0].key.src_ip')" = 10.0.0.3 ]
	[ "$(jqs '[.[] | select(.removed)][0].key.protocol')" = tcp ]
	[ "$(jqs '[.[] | select(.new)] | length')" = 1 ]
	[ "$(jqs '[.[] | select(.new)][0].key.src_ip')" = 10.0.0.5 ]
	[ "$(jqs '[.[] | select(.new)][0].delta.packets')" = 4 ]
	[ "$(jqs '[.[] | select(.refresh) | .removed_entries] | add')" = 1 ]
	[ "$(jqs '[.[] | select(.refresh) | .new_entries] | add')" = 1 ]
	# flow A did not change: never printed
	[ "$(jqs '[.[] | select(.key.src_ip == "10.0.0.1")] | length')" = 0 ]
}

@test "line mode: where, sort by a rate and limit apply to each refresh; fields gives flat objects" {
	start_watch flows watch -i 1 --count 2 -j where protocol == udp sort packets/s desc limit 2
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 3
	send_pkts 1 -s 10.0.0.2 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 5
	send_pkts 1 -s 10.0.0.3 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 1
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p tcp --sport 1 --dport 2 -c 9
	finish_watch
	# the two udp flows with the highest rate, highest first; no tcp
	[ "$(jqs '[.[] | select(.key) | .key.src_ip] | join(",")')" = "10.0.0.2,10.0.0.1" ]
	[ "$(jqs '[.[] | select(.key) | .delta.packets] | join(",")')" = "5,3" ]
	# the summary counts what passed where
	[ "$(jqs '[.[] | select(.refresh == 2)][0].matched')" = 3 ]
	[ "$(jqs '[.[] | select(.refresh == 2)][0].entries')" = 4 ]

	start_watch flows watch -i 1 --count 2 -j where dst_port == 2 fields src_ip,packets
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p tcp --sport 1 --dport 2 -c 2
	finish_watch
	[ "$(jqs '[.[] | select(.src_ip)] | length')" = 1 ]
	[ "$(jqs '[.[] | select(.src_ip)][0] | keys | join(",")')" = "delta,packets,rate,src_ip,time" ]
	[ "$(jqs '[.[] | select(.src_ip)][0].packets')" = 11 ]
	[ "$(jqs '[.[] | select(.src_ip)][0].delta | keys | join(",")')" = packets ]
}

@test "line mode as text: tab-separated time, event, columns, deltas; '#' summaries; --count ends it" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 2 --len 100
	start_watch flows watch -i 0.5 --count 3
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 6 --len 100
	finish_watch
	run grep -c '^# ' "$OUT"
	[ "$output" = 3 ]
	grep -q '^# .* refresh 1 (baseline): 1/16384 entries, 0.0% full$' "$OUT"
	grep -qE '^# .* refresh 3 after 0\.[0-9]+s: 1/16384 entries, 0\.0% full, 0 new, 1 changed, 0 removed$' "$OUT"
	run grep -v '^#' "$OUT"
	[ "${#lines[@]}" -eq 2 ]
	# time, event, 5 key columns, 5 value columns, packets+ bytes+
	[ "$(cut -f2-7 <<<"${lines[0]}")" = "$(printf 'changed\t10.0.0.1\t10.0.0.2\t5555\t80\tudp')" ]
	[ "$(cut -f8,13,14 <<<"${lines[0]}")" = "$(printf '8\t6\t600')" ]
	[ "$(cut -f13,14 <<<"${lines[1]}")" = "$(printf '0\t0')" ]
	# --rate instead: rates per second
	start_watch flows watch -i 0.5 --count 2 --rate
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 6 --len 100
	finish_watch
	run grep -v '^#' "$OUT"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$(cut -f13 <<<"${lines[0]}")" =~ ^[0-9]+(\.[0-9]+)?$ ]]
}

@test "per-CPU and array maps: counters summed over the CPUs, all-zero elements skipped" {
	start_watch cpu_stats watch -i 1 --count 2 -j
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 5 --len 100
	finish_watch
	# cpu_stats[0] was all zero: it appears, new, with the sum of the CPUs
	[ "$(jqs '[.[] | select(.refresh == 1)][0].entries')" = 0 ]
	[ "$(jqs '[.[] | select(.key == 0)] | length')" = 1 ]
	[ "$(jqs '[.[] | select(.key == 0)][0].new')" = true ]
	[ "$(jqs '[.[] | select(.key == 0)][0].delta.packets')" = 5 ]
	[ "$(jqs '[.[] | select(.key == 0)][0].value.packets')" = "$(percpu_sum cpu_stats packets)" ]

	start_watch iface_stats watch -i 1 --count 2 -j
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 4 --len 100
	finish_watch
	[ "$(jqs '[.[] | select(.refresh == 2)][0].entries')" = 1 ]
	[ "$(jqs '[.[] | select(.key)] | length')" = 1 ]
	[ "$(jqs '[.[] | select(.key)][0].key')" = "$HOST_IFINDEX1" ]
	[ "$(jqs '[.[] | select(.key)][0].delta.packets')" = 4 ]
	# --all keeps the zero elements
	run mapsh -j iface_stats watch --all --count 1
	assert_success
	[ "$(jq .entries <<<"$output")" = 256 ]
}

@test "LPM trie: a prefix added while watching is new" {
	start_watch blocked_prefixes watch -i 1 --count 2 -j
	mapsh blocked_prefixes update 10.9.0.0/16 action=drop
	finish_watch
	[ "$(jqs '[.[] | select(.new)] | length')" = 1 ]
	[ "$(jqs '[.[] | select(.new)][0].key.prefixlen')" = 16 ]
	[ "$(jqs '[.[] | select(.new)][0].key.addr')" = 10.9.0.0 ]
	[ "$(jqs '[.[] | select(.new)][0].delta.hits')" = 0 ]
}

@test "ring buffer: follow's records plus a rate line per interval" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 1
	send_pkts 1 -s 10.0.0.2 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 1
	timeout 20 nsenter --net="/run/netns/$NS" "$MAPSH" events watch -j -i 0.5 --count 2 >"$OUT"
	[ "$(jqs '[.[] | select(.type == "EVENT_TYPE_NEW_FLOW")] | length')" = 2 ]
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
	TSOCK="mapsh-watch-$(_unique_id)-$BATS_TEST_NUMBER-$RANDOM"
	tmux -L "$TSOCK" new-session -d -s w -x 120 -y 20 \
		"env TERM=xterm NO_COLOR=1 MAPSH_PIN_DIR='$MAPSH_PIN_DIR' PS1='PROMPT\$ ' nsenter --net=/run/netns/$NS bash --norc --noprofile"
	wait_screen 'PROMPT$'
	keys "echo BEFORE-WATCH-MARKER" Enter
	wait_screen 'BEFORE-WATCH-MARKER'
}
screen() { tmux -L "$TSOCK" capture-pane -t w -p; }
keys() { tmux -L "$TSOCK" send-keys -t w "$@"; }
pane() { tmux -L "$TSOCK" display -p -t w "$1"; }
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

@test "the view draws the header and the flows, s changes the sort, q restores the terminal" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 3
	send_pkts 1 -s 10.0.0.3 -d 10.0.0.2 -p tcp --sport 4000 --dport 443 -c 2 --tcp-flags SYN
	start_term
	keys "'$MAPSH' flows watch -i 0.5; echo EXIT=\$?" Enter
	wait_screen 'flows (lru_hash)  2/16384 entries, 0.0% full  every 0.5s'
	[ "$(pane '#{alternate_on}')" = 1 ]
	wait_screen 'sort packets/s desc'
	run screen
	assert_line --regexp '^  src_ip +dst_ip +src_port +dst_port +protocol +packets/s +bytes/s +packets +bytes'
	assert_line --regexp '^  10\.0\.0\.1 +10\.0\.0\.2 +5555 +80 +udp '
	assert_line --regexp '^  10\.0\.0\.3 +10\.0\.0\.2 +4000 +443 +tcp '
	# a new flow is marked, with its rate
	send_pkts 1 -s 10.0.0.7 -d 10.0.0.2 -p udp --sport 7 --dport 7 -c 20
	wait_screen '+ 10.0.0.7'
	keys s
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
	tmux -L "$TSOCK" resize-window -t w -x 50 -y 6
	wait_screen '10.0.0.1'
	run screen
	for l in "${lines[@]}"; do
		[ "${#l}" -lt 50 ] || fail "a line wider than the terminal: '$l'"
	done
	# header, blank, column names and one row
	assert_line --regexp '^flows \(lru_hash\)'
	tmux -L "$TSOCK" resize-window -t w -x 120 -y 20
	wait_screen 'first_seen'
	kill -TERM "$(pgrep -P "$(pane '#{pane_pid}')" mapsh)"
	wait_screen 'EXIT=0'
	assert_restored
}

@test "in the shell, Ctrl-C leaves the view and returns to the prompt" {
	TSOCK="mapsh-watch-$(_unique_id)-$BATS_TEST_NUMBER-$RANDOM"
	tmux -L "$TSOCK" new-session -d -s w -x 120 -y 20 \
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
	keys 'flows count' Enter
	wait_screen 'entries'
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
