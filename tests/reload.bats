#!/usr/bin/env bats
# Long-running commands follow the map a pin names, not the fd they opened
# (map/repin.h): follow (ring buffer and perf event array), watch (keyed
# maps and the ring), apply --watch and the shell's `use`, across
# `mapsh unload` + `mapsh load` (new maps with new ids) and after an unload
# alone. Records come from real traffic through the veth (the events ring)
# and from tests/tools/perf_run (perf event arrays).

load helpers
load sys_lib
load tty_lib
bats_require_minimum_version 1.5.0

setup() {
	sys_setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	OUT="$BATS_TEST_TMPDIR/out"
	ERR="$BATS_TEST_TMPDIR/err"
}
# every background command ends here, also when the test failed
teardown() {
	tty_kill_server
	sys_teardown
}

map_id() { bpftool -j map show pinned "$1" | jq .id; }

# reload MAP: unload and load again; every map is a new one, with a new
# id (OLD_ID, NEW_ID: MAP's).
reload() {
	OLD_ID=$(map_id "$MAPSH_PIN_DIR/$1")
	mapsh unload >/dev/null
	mapsh load --iface "$HOST1" >/dev/null
	NEW_ID=$(map_id "$MAPSH_PIN_DIR/$1")
	[ -n "$NEW_ID" ] && [ "$NEW_ID" != "$OLD_ID" ] ||
		fail "$1: id $OLD_ID before the reload, '$NEW_ID' after"
}

# The line a followed reload says, for NAME (after reload).
reload_line() {
	echo "mapsh: $1: the pin now names another map (id $NEW_ID, was $OLD_ID): following the new one"
}
said_reload() { grep -qxF "$(reload_line "$1")" "$ERR"; }
gone_line() {
	echo "mapsh: $1: nothing is pinned at $2 any more (unloaded?): stopping"
}

# count_of REGEX FILE: lines of FILE matching REGEX.
count_of() { grep -cE -- "$1" "$2" || true; }
at_least() { [ "$(count_of "$2" "$3")" -ge "$1" ]; }

# The process has exited (bg_wait gives its status).
gone_pid() { ! kill -0 "$1" 2>/dev/null; }

@test "follow on the events ring reads the new ring after a reload, and exits 1 once unloaded" {
	bg "$MAPSH" -j events follow >"$OUT" 2>"$ERR"
	local pid=$BG_PID child rc=0
	child=$(bg_child "$pid")
	wait_stream_ready "$child"
	send_pkts 1 -s 10.0.3.1 -d 10.0.0.2 -p udp -c 1
	wait_for "the record of the first ring" grep -q 10.0.3.1 "$OUT"
	reload events
	wait_for "the reload said" said_reload events
	# the new program writes to the new ring only
	send_pkts 1 -s 10.0.3.2 -d 10.0.0.2 -p udp -c 1
	wait_for "the record of the new ring" grep -q 10.0.3.2 "$OUT"
	[ "$(jq -r .value.src_ip "$OUT" | tr '\n' ' ')" = "10.0.3.1 10.0.3.2 " ]
	# typed as before: the record type was read from the new map
	[ "$(jq -r .value.type "$OUT" | sort -u)" = EVENT_TYPE_NEW_FLOW ]
	# an unload alone: one line, exit 1
	mapsh unload >/dev/null
	wait_for "follow to stop" gone_pid "$pid"
	bg_wait "$pid" || rc=$?
	[ "$rc" = 1 ] || fail "follow exited $rc: $(cat "$ERR")"
	run cat "$ERR"
	[ "${#lines[@]}" = 2 ] || fail "$output"
	[ "${lines[0]}" = "$(reload_line events)" ]
	[ "${lines[1]}" = "$(gone_line events "$MAPSH_PIN_DIR/events")" ]
}

@test "follow --count counts on across a reload; text records of the new ring" {
	bg "$MAPSH" events follow --count 2 >"$OUT" 2>"$ERR"
	local pid=$BG_PID child rc=0
	child=$(bg_child "$pid")
	wait_stream_ready "$child"
	send_pkts 1 -s 10.0.4.1 -d 10.0.0.2 -p udp -c 1
	wait_for "the first record" grep -q "src_ip=10.0.4.1 " "$OUT"
	reload events
	wait_for "the reload said" said_reload events
	send_pkts 1 -s 10.0.4.2 -d 10.0.0.2 -p udp -c 1
	send_pkts 1 -s 10.0.4.3 -d 10.0.0.2 -p udp -c 1
	bg_wait "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "follow exited $rc: $(cat "$ERR")"
	run cat "$OUT"
	[ "${#lines[@]}" = 2 ] || fail "$output"
	[[ "${lines[1]}" == *" src_ip=10.0.4.2 "* ]]
	# the third is still in the new ring
	run mapsh -j events drain
	[ "$(jq -r .value.src_ip <<<"$output")" = 10.0.4.3 ]
}

# perf_emit with its maps pinned under $BPFFS/perf (as in stream.bats).
perf_setup() {
	bpftool prog load "$TOP/build/perf_emit.bpf.o" "$BPFFS/perf_emit" type xdp \
		pinmaps "$BPFFS/perf"
	PERF="$BPFFS/perf/perf_events"
}

@test "follow of a perf event array by pinned PATH follows the pin to a new array" {
	perf_setup
	bg "$MAPSH" -j pinned "$PERF" follow >"$OUT" 2>"$ERR"
	local pid=$BG_PID child rc=0
	child=$(bg_child "$pid")
	wait_perf_ready "$child"
	"$TOP/build/perf_run" "$BPFFS/perf_emit" 2
	wait_for "two records" at_least 2 '"seq"' "$OUT"
	# the program and its maps again: a new array, a new count from 0
	OLD_ID=$(map_id "$PERF")
	rm "$BPFFS/perf_emit"
	rm -r "$BPFFS/perf"
	perf_setup
	NEW_ID=$(map_id "$PERF")
	[ "$NEW_ID" != "$OLD_ID" ]
	wait_for "the reload said" said_reload perf_events
	# perf_run writes once a reader's buffers are in the new array
	"$TOP/build/perf_run" "$BPFFS/perf_emit" 2
	wait_for "four records" at_least 4 '"seq"' "$OUT"
	kill -TERM "$child"
	bg_wait "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "follow exited $rc: $(cat "$ERR")"
	[ "$(jq -s -c 'map(.value.seq)' "$OUT")" = "[0,1,0,1]" ]
	[ "$(jq -r .value.addr "$OUT" | sort -u | tr '\n' ' ')" = "10.0.0.0 10.0.0.1 " ]
	[ "$(cat "$ERR")" = "$(reload_line perf_events)" ]
}

@test "watch follows a reload: its where applies to the new map from a new baseline; unloaded, exit 1" {
	bg "$MAPSH" -j blocklist watch -i 0.3 where action == drop >"$OUT" 2>"$ERR"
	local pid=$BG_PID rc=0
	wait_for "the baseline" grep -q '"baseline":true' "$OUT"
	mapsh blocklist update src_ip=10.0.0.1 dst_port=0 protocol=0 action=drop
	wait_for "10.0.0.1 new" grep -q '"src_ip":"10.0.0.1"' "$OUT"
	reload blocklist
	wait_for "the reload said" said_reload blocklist
	wait_for "a baseline on the new map" at_least 2 '"baseline":true' "$OUT"
	mapsh blocklist update src_ip=10.0.0.3 dst_port=0 protocol=0 action=allow
	mapsh blocklist update src_ip=10.0.0.2 dst_port=0 protocol=0 action=drop
	wait_for "10.0.0.2 new" grep -q '"src_ip":"10.0.0.2"' "$OUT"
	# one more refresh after it
	local n
	n=$(count_of '"refresh"' "$OUT")
	wait_for "a refresh" at_least $((n + 1)) '"refresh"' "$OUT"
	mapsh unload >/dev/null
	wait_for "watch to stop" gone_pid "$pid"
	bg_wait "$pid" || rc=$?
	[ "$rc" = 1 ] || fail "watch exited $rc: $(cat "$ERR")"
	# 10.0.0.2 came as new entry of the new map; the where kept 10.0.0.3 out
	[ "$(jq -s -c '[.[] | select(.key) | [.key.src_ip, .new]]' "$OUT")" = '[["10.0.0.1",true],["10.0.0.2",true]]' ]
	[ "$(jq -s '[.[] | select(.baseline)] | length' "$OUT")" = 2 ]
	# the refreshes are numbered on: 1, 2, ... without a restart
	[ "$(jq -s '[.[] | select(.refresh) | .refresh] | . == [range(1; length + 1)]' "$OUT")" = true ]
	run cat "$ERR"
	[ "${#lines[@]}" = 2 ] || fail "$output"
	[ "${lines[0]}" = "$(reload_line blocklist)" ]
	[ "${lines[1]}" = "$(gone_line blocklist "$MAPSH_PIN_DIR/blocklist")" ]
}

@test "watch of pinned PATH re-reads the types when the pin names a map of other types; a where that no longer fits is said" {
	local P="$BPFFS/watched" pid1 pid2 rc=0
	bpftool map pin pinned "$MAPSH_PIN_DIR/blocklist" "$P"
	mapsh blocklist update src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	mapsh policy_routes update src_ip=10.0.0.9 ifindex=1 next_hop=10.0.0.254
	# src_ip is a key field of both maps; action only of blocklist
	bg "$MAPSH" -j pinned "$P" watch -i 0.3 where src_ip == 10.0.0.9 >"$OUT" 2>"$ERR"
	pid1=$BG_PID
	bg "$MAPSH" -j pinned "$P" watch -i 0.3 where action == drop >"$OUT.2" 2>"$ERR.2"
	pid2=$BG_PID
	wait_for "the baseline" grep -q '"baseline":true' "$OUT"
	wait_for "the baseline" grep -q '"baseline":true' "$OUT.2"
	OLD_ID=$(map_id "$P")
	rm "$P"
	bpftool map pin pinned "$MAPSH_PIN_DIR/policy_routes" "$P"
	NEW_ID=$(map_id "$P")
	wait_for "the reload said" said_reload blocklist
	wait_for "a baseline on the new map" at_least 2 '"baseline":true' "$OUT"
	mapsh policy_routes update src_ip=10.0.0.9 ifindex=1 next_hop=10.0.0.253
	wait_for "the changed route" grep -q '"next_hop":"10.0.0.253"' "$OUT"
	# typed by the new map's BTF: struct route, no blocklist fields
	[ "$(grep '10.0.0.253' "$OUT" | head -n 1 | jq -c '[.key, .value]')" = '[{"src_ip":"10.0.0.9"},{"ifindex":1,"next_hop":"10.0.0.253"}]' ]
	kill -TERM "$(bg_child "$pid1")"
	bg_wait "$pid1" || rc=$?
	[ "$rc" = 0 ]
	# the other one cannot go on: why, and exit 1
	wait_for "the second watch to stop" gone_pid "$pid2"
	rc=0
	bg_wait "$pid2" || rc=$?
	[ "$rc" = 1 ] || fail "watch exited $rc: $(cat "$ERR.2")"
	run cat "$ERR.2"
	[ "${#lines[@]}" = 3 ] || fail "$output"
	[ "${lines[0]}" = "$(reload_line blocklist)" ]
	[[ "${lines[1]}" == "mapsh: policy_routes watch: "*"action"* ]] || fail "$output"
	[ "${lines[2]}" = "mapsh: policy_routes watch: stopped: the words of the watch do not fit the new map" ]
}

@test "watch of the events ring reads the new ring after a reload" {
	bg "$MAPSH" -j events watch -i 0.3 >"$OUT" 2>"$ERR"
	local pid=$BG_PID child rc=0
	child=$(bg_child "$pid")
	wait_for "a rate line" grep -q 'records/s' "$OUT"
	reload events
	wait_for "the reload said" said_reload events
	send_pkts 1 -s 10.0.5.1 -d 10.0.0.2 -p udp -c 1
	wait_for "the record of the new ring" grep -q '"src_ip":"10.0.5.1"' "$OUT"
	local n
	n=$(count_of 'records/s' "$OUT")
	wait_for "a rate line after it" at_least $((n + 1)) 'records/s' "$OUT"
	kill -TERM "$child"
	bg_wait "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "watch exited $rc: $(cat "$ERR")"
	[ "$(grep 'records/s' "$OUT" | tail -n 1 | jq .records)" = 1 ]
	[ "$(cat "$ERR")" = "$(reload_line events)" ]
}

# A 120x20 terminal (tmux) running a shell in the test's namespace.
start_term() {
	tty_new_server
	ttmux new-session -d -s w -x 120 -y 20 \
		"env TERM=xterm NO_COLOR=1 MAPSH_PIN_DIR='$MAPSH_PIN_DIR' PS1='PROMPT\$ ' nsenter --net=/run/netns/$NS bash --norc --noprofile"
	wait_screen 'PROMPT$'
}
# the screen, wrapped lines joined
screen() { ttmux capture-pane -J -t w -p; }
keys() { ttmux send-keys -t w "$@"; }
pane() { ttmux display -p -t w "$1"; }

@test "the full-screen watch shows a followed reload under its header; unloaded, it leaves the view and says why" {
	start_term
	keys "timeout 60 '$MAPSH' blocklist watch -i 0.3; echo EXIT=\$?" Enter
	WAIT_TRIES=100 wait_screen 'blocklist (hash)  0/4096 entries'
	[ "$(pane '#{alternate_on}')" = 1 ]
	reload blocklist
	# the line is on the view, not on stderr under it
	WAIT_TRIES=100 wait_screen "blocklist: the pin now names another map (id $NEW_ID, was $OLD_ID): following the new one"
	mapsh blocklist update src_ip=10.0.0.5 dst_port=0 protocol=0 action=drop
	WAIT_TRIES=100 wait_screen '10.0.0.5'
	wait_screen 'blocklist (hash)  1/4096 entries'
	mapsh unload >/dev/null
	WAIT_TRIES=100 wait_screen 'EXIT=1'
	[ "$(pane '#{alternate_on}')" = 0 ]
	run screen
	assert_line "$(gone_line blocklist "$MAPSH_PIN_DIR/blocklist")"
	refute_output --partial 'the pin now names'
}

RULE_A='{"key":{"src_ip":"10.0.0.9","dst_port":0,"protocol":0},"value":{"action":"drop"}}'
RULE_B='{"key":{"src_ip":"10.0.0.8","dst_port":0,"protocol":0},"value":{"action":"drop"}}'

@test "apply --watch puts the file into the new map after a reload and goes on watching; unloaded, exit 1" {
	local F="$BATS_TEST_TMPDIR/rules.json" pid rc=0
	printf '[%s]\n' "$RULE_A" >"$F"
	bg "$MAPSH" blocklist apply "$F" --watch >"$OUT" 2>"$ERR"
	pid=$BG_PID
	wait_for "the first run" at_least 1 . "$OUT"
	reload blocklist
	wait_for "the reload said" said_reload blocklist
	# the file, applied to the new map at once
	wait_for "a second run" at_least 2 . "$OUT"
	[[ "$(sed -n 2p "$OUT")" == *"blocklist: 1 added, 0 changed, 0 unchanged, 0 removed" ]] || fail "$(cat "$OUT")"
	[ "$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/blocklist" | jq length)" = 1 ]
	[ "$(mapsh -j blocklist dump | jq -r '.[].key.src_ip')" = 10.0.0.9 ]
	# a change of the file goes to the new map
	printf '[%s,%s]\n' "$RULE_A" "$RULE_B" >"$F"
	wait_for "a third run" at_least 3 . "$OUT"
	[[ "$(sed -n 3p "$OUT")" == *"blocklist: 1 added, 0 changed, 1 unchanged, 0 removed" ]] || fail "$(cat "$OUT")"
	[ "$(mapsh -j blocklist dump | jq -r '[.[].key.src_ip] | sort | join(",")')" = "10.0.0.8,10.0.0.9" ]
	mapsh unload >/dev/null
	wait_for "apply --watch to stop" gone_pid "$pid"
	bg_wait "$pid" || rc=$?
	[ "$rc" = 1 ] || fail "apply --watch exited $rc: $(cat "$ERR")"
	run cat "$ERR"
	[ "${#lines[@]}" = 2 ] || fail "$output"
	[ "${lines[0]}" = "$(reload_line blocklist)" ]
	[ "${lines[1]}" = "$(gone_line blocklist "$MAPSH_PIN_DIR/blocklist")" ]
}

@test "use in a script: a reload is said once and the name goes on to the new map; gone, said once" {
	local S="$BATS_TEST_TMPDIR/s.mapsh" id1 id2 id3
	id1=$(map_id "$MAPSH_PIN_DIR/blocklist")
	cat >"$S" <<-'EOF'
	use blocklist
	update src_ip=10.0.0.1 dst_port=0 protocol=0 action=drop
	count
	unload
	load
	count
	update src_ip=10.0.0.2 dst_port=0 protocol=0 action=drop
	update src_ip=10.0.0.3 dst_port=0 protocol=0 action=drop
	count
	unload
	count
	count
	load
	count
	EOF
	run --separate-stderr mapsh --keep-going -f "$S"
	assert_failure 1
	id3=$(map_id "$MAPSH_PIN_DIR/blocklist")
	[ "$(grep -xE '[0-9]+' <<<"$output" | tr '\n' ' ')" = "1 0 2 0 " ] || fail "$output"
	[ "${#stderr_lines[@]}" = 5 ] || fail "$stderr"
	[[ "${stderr_lines[0]}" =~ ^"$S:6: mapsh: blocklist: the pin now names another map (id "([0-9]+)", was $id1): using the new one"$ ]] || fail "$stderr"
	id2=${BASH_REMATCH[1]}
	[ "$id2" != "$id1" ]
	[ "${stderr_lines[1]}" = "$S:11: mapsh: blocklist: nothing is pinned at $MAPSH_PIN_DIR/blocklist any more (unloaded?)" ]
	[[ "${stderr_lines[2]}" == "$S:11: mapsh: no map 'blocklist'"* ]]
	[[ "${stderr_lines[3]}" == "$S:12: mapsh: no map 'blocklist'"* ]]
	[ "${stderr_lines[4]}" = "$S:14: mapsh: blocklist: pinned again (id $id3): using it" ]
}
