#!/usr/bin/env bats
# The interactive shell, driven for real through a terminal: tmux types the
# keys (a real Tab, Ctrl-C, Ctrl-D) and the screen is read back.

load helpers
load tty_lib

setup() {
	setup_bpffs
	mapsh load >/dev/null
	HIST="$BATS_TEST_TMPDIR/history"
	TTY_SOCK=""
}

teardown() {
	tty_kill_server
	teardown_common
}

# start_repl: mapsh (in the test's namespace when it has one) in a new
# 200x50 terminal of a tmux server of this test's own; after it exits the
# pane shows EXITED=<status>.
start_repl() {
	local pre=""
	[ -n "${NS:-}" ] && pre="nsenter --net=/run/netns/$NS"
	tty_new_server
	ttmux new-session -d -s repl -x 200 -y 50 \
		"env TERM=xterm NO_COLOR=1 MAPSH_HISTFILE='$HIST' MAPSH_PIN_DIR='$MAPSH_PIN_DIR' MAPSH_STATE_DIR='$MAPSH_STATE_DIR' $pre '$MAPSH'; echo EXITED=\$?; sleep 600"
	wait_screen 'mapsh>'
}

screen() { ttmux capture-pane -t repl -p; }
keys() { ttmux send-keys -t repl "$@"; }
sample_rate() { mapsh -j config | jq '.[0].value.sample_rate'; }

# The last non-empty line of the screen (where the cursor's line is).
last_line() { screen | sed '/^$/d' | tail -n 1; }

# wait_last TEXT: until the last line is exactly TEXT.
wait_last() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(last_line)" = "$1" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for the last line to be: '$1'"
	screen
	return 1
}

@test "the prompt, a command, and an error that does not leave the shell" {
	start_repl
	keys 'version' Enter
	wait_screen 'libbpf'
	keys 'bogus' Enter
	wait_screen "mapsh: unknown command 'bogus'"
	keys 'flows lookup src_ip=300.1.1.1' Enter
	wait_screen 'not an IPv4 address'
	keys 'version -j' Enter
	wait_screen '{"version":'
	wait_last 'mapsh>'
}

@test "Tab completes a command" {
	start_repl
	keys 'vers' Tab
	wait_last 'mapsh> version'
	keys Enter
	wait_screen 'libbpf'
}

@test "Tab completes a map name, then a verb" {
	start_repl
	keys 'blockl' Tab
	wait_last 'mapsh> blocklist'
	keys 'loo' Tab
	wait_last 'mapsh> blocklist lookup'
}

@test "Tab completes a field name of the key and of the value" {
	start_repl
	keys 'flows lookup dst_i' Tab
	wait_last 'mapsh> flows lookup dst_ip='
	keys C-u 'config set samp' Tab
	wait_last 'mapsh> config set sample_rate='
}

@test "Tab completes a protocol name and an enum name" {
	start_repl
	keys 'flows lookup protocol=ic' Tab
	wait_last 'mapsh> flows lookup protocol=icmp'
	keys C-u 'blocklist update action=dr' Tab
	wait_last 'mapsh> blocklist update action=FW_DROP'
}

@test "Tab inserts the common prefix; a second Tab lists the candidates" {
	start_repl
	keys 'fl' Tab
	wait_last 'mapsh> flows'
	keys Tab
	wait_screen 'flows6'
	# the list is shown, then the line again
	run screen
	assert_line --regexp '^flows +lru_hash$'
	assert_line --regexp '^flows6 +lru_hash$'
	wait_last 'mapsh> flows'
}

@test "? shows what can come next" {
	start_repl
	keys 'flows lookup ?'
	wait_screen 'Key (struct flow_key):'
	run screen
	assert_line --partial 'Usage: mapsh flows lookup'
	assert_line --regexp '^ +src_ip +__be32 \(ipv4\)$'
	# the line is still there to go on with
	wait_last 'mapsh> flows lookup'
	# in the middle of a word ? is a character
	keys C-u 'version a?b' Enter
	wait_screen 'a?b'
}

@test "use sets the current map: prompt and bare verbs" {
	[ "$(sample_rate)" != 42 ]
	start_repl
	keys 'use config' Enter
	wait_last 'mapsh config>'
	keys 'set sample_rate=42' Enter
	keys 'dump' Enter
	# dump's row of key 0 (the typed line shows 42 too, but not this)
	wait_match '^0 +[0-9]+ +42 +[0-9]+ +0x[0-9a-f]+$'
	[ "$(sample_rate)" = 42 ]
	# Tab offers the map's verbs
	keys 'looku' Tab
	wait_last 'mapsh config> lookup'
	keys C-u 'use' Enter
	wait_last 'mapsh>'
	keys 'dump' Enter
	wait_screen "unknown command 'dump'"
}

@test "session settings: .format, .pretty, .show, and -j for one line" {
	start_repl
	keys '.format json' Enter
	keys 'config' Enter
	wait_screen '[{"key":0,"value":{"enabled":1'
	keys '.pretty on' Enter
	keys 'version' Enter
	wait_screen '  "version": "'
	keys '.format plain' Enter
	keys '.show' Enter
	wait_screen 'history'
	run screen
	assert_line --regexp '^format +plain$'
	assert_line --regexp '^pretty +on$'
	# a line's own options last for that line only (the screen cleared
	# first: the pretty version above showed the same text)
	keys C-l
	wait_last 'mapsh>'
	run screen
	refute_output --partial '"libbpf": '
	keys 'version -j' Enter
	wait_screen '"libbpf": '
	keys 'version' Enter
	wait_match '^version +0\.'
}

@test "history is kept across two sessions, without duplicates" {
	start_repl
	keys 'version' Enter
	keys 'version' Enter
	keys 'maps' Enter
	keys 'quit' Enter
	wait_screen 'EXITED=0'
	run grep -c '^version$' "$HIST"
	assert_output 1
	start_repl
	keys Up
	wait_last 'mapsh> quit'
	keys Up
	wait_last 'mapsh> maps'
	keys Up
	wait_last 'mapsh> version'
	keys Enter
	wait_screen 'libbpf'
}

@test "the history file is never written through a symbolic link" {
	echo 'not history' >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$HIST"
	start_repl
	keys 'version' Enter
	wait_screen "mapsh: history file $HIST is a symbolic link: not written (the history is not kept)"
	keys 'maps' Enter
	keys 'quit' Enter
	wait_screen 'EXITED=0'
	[ "$(cat "$BATS_TEST_TMPDIR/target")" = 'not history' ]
	[ -L "$HIST" ]
	# said once, not at every line
	[ "$(screen | grep -c 'is a symbolic link')" = 1 ]
}

@test "Ctrl-C at the prompt abandons the line" {
	before=$(sample_rate)
	[ "$before" != 77 ]
	start_repl
	keys 'config set sample_rate=77'
	keys C-c
	wait_screen 'sample_rate=77^C'
	wait_last 'mapsh>'
	# Enter on the new line runs nothing; the next command runs after
	# it, so once its output is there the abandoned line would have run
	keys Enter
	keys 'version' Enter
	wait_screen 'libbpf'
	[ "$(sample_rate)" = "$before" ]
	run grep -c 'sample_rate=77' "$HIST"
	assert_output 0
}

@test "Ctrl-C stops a running command and returns to the prompt" {
	start_repl
	# source - waits for lines on the terminal until Ctrl-C
	keys 'source -' Enter
	keys 'version' Enter
	wait_screen 'libbpf'
	keys C-c
	wait_screen 'mapsh: <stdin>: interrupted'
	wait_last 'mapsh>'
	# clear asks first; Ctrl-C at the question changes nothing
	mapsh blocklist update src_ip=10.0.0.1 dst_port=0 protocol=0 action=drop
	keys 'blocklist clear' Enter
	wait_screen 'Delete every entry of blocklist? [y/N]'
	keys C-c
	wait_screen 'nothing changed'
	wait_last 'mapsh>'
	[ "$(mapsh blocklist count)" = 1 ]
	keys 'version' Enter
	wait_screen 'libbpf'
}

# new_flow K: a udp packet of a new flow (source port 1000+K), whose
# new-flow record goes to the events ring buffer.
new_flow() { send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport $((1000 + $1)) --dport 53 -c 1; }

@test "Ctrl-C stops follow and returns to the prompt" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	start_repl
	keys 'events follow' Enter
	# follow shows a record made after the command was typed, then one
	# made after that: it is running and following
	new_flow 1
	wait_screen 'src_port=1001'
	[ "$(last_line)" != 'mapsh>' ] || fail "the prompt is back while following"
	new_flow 2
	wait_screen 'src_port=1002'
	[ "$(last_line)" != 'mapsh>' ] || fail "the prompt is back while following"
	keys C-c
	wait_last 'mapsh>'
	# it stopped: a record made now stays in the ring until drained
	new_flow 3
	tty_wait_eq 1 flow_packets 10.0.0.1 10.0.0.2 1003 53 udp
	run screen
	refute_output --partial 'src_port=1003'
	keys 'events drain' Enter
	wait_screen 'src_port=1003'
	wait_last 'mapsh>'
	run screen
	[ "$(grep -c 'src_port=1001' <<<"$output")" = 1 ]
	keys 'version' Enter
	wait_screen 'libbpf'
}

@test "Ctrl-D, quit, exit and .quit leave with status 0" {
	local k
	for k in C-d quit exit .quit; do
		start_repl
		if [ "$k" = C-d ]; then
			keys C-d
		else
			keys "$k" Enter
		fi
		wait_screen 'EXITED=0'
	done
}

@test "source runs a script from the shell, errors as FILE:LINE" {
	printf 'version\nbogus\nversion\n' >"$BATS_TEST_TMPDIR/s.mapsh"
	start_repl
	keys "source $BATS_TEST_TMPDIR/s.mapsh" Enter
	wait_screen "s.mapsh:2: mapsh: unknown command 'bogus'"
	wait_last 'mapsh>'
	keys 'version' Enter
	wait_screen 'libbpf'
}

# ---- issue 17: the shell like a shell ----

@test "a trailing backslash continues the line, with a continuation prompt" {
	start_repl
	keys 'flows count \' Enter
	wait_last '...>'
	# nothing ran yet
	run screen
	refute_line 0
	keys 'where packets gt 0' Enter
	wait_screen 'entries'
	run screen
	assert_line 'mapsh> flows count \'
	assert_line '...> where packets gt 0'
	assert_line 0
	wait_last 'mapsh>'
	# history holds the command as one line, without the backslash
	keys C-d
	wait_screen 'EXITED=0'
	run grep -c 'flows\\040count\\040where\\040packets\\040gt\\0400$' "$HIST"
	assert_output 1
}

@test "an open quote continues the line; Ctrl-C drops the whole command" {
	mapsh flows update src_ip=10.0.0.1 dst_ip=10.0.9.9 src_port=1 dst_port=80 protocol=tcp packets=4 bytes=400
	start_repl
	keys "flows dump where 'packets" Enter
	wait_last '...>'
	keys "gt 3' fields bytes" Enter
	wait_screen '400'
	run screen
	assert_line '...> gt 3'"'"' fields bytes'
	assert_line 400
	wait_last 'mapsh>'
	# Ctrl-C in a continuation: back to the first prompt, nothing runs
	keys 'version \' Enter
	wait_last '...>'
	keys 'x' C-c
	wait_last 'mapsh>'
	keys 'version -j' Enter
	wait_screen '{"version":'
	run screen
	refute_line --partial 'unexpected'
	refute_line --partial "unknown"
}

@test "after use, a mistyped verb gets a did you mean" {
	start_repl
	keys 'use flows' Enter
	wait_last 'mapsh flows>'
	keys 'dmup' Enter
	wait_screen "mapsh: unknown command 'dmup' (did you mean 'dump'? the verbs of flows: 'help flows')"
	# the hint runs, also with the one-shot form's leading 'mapsh'
	keys 'mapsh help flows' Enter
	wait_screen 'Verbs for lru_hash maps:'
	# a mistyped map name after use
	keys 'use flwos' Enter
	wait_screen "(did you mean 'flows'?"
}

@test ".output FILE sends the following output to FILE; | SHELLCMD one command's" {
	mapsh flows update src_ip=10.0.0.1 dst_ip=10.0.9.9 src_port=1 dst_port=80 protocol=tcp packets=4 bytes=400
	mapsh flows update src_ip=10.0.0.2 dst_ip=10.0.9.9 src_port=1 dst_port=80 protocol=tcp packets=5 bytes=500
	out="$BATS_TEST_TMPDIR/out.txt"
	start_repl
	keys "flows dump fields src_ip | sort -r | tr '\\n' ," Enter
	wait_screen '10.0.0.2,10.0.0.1,'
	keys ".output $out" Enter 'flows dump fields src_ip sort src_ip' Enter 'flows count' Enter
	keys '.output' Enter 'version' Enter
	wait_screen 'libbpf'
	# the file: plain lines as in a pipe, no table header
	[ "$(cat "$out")" = "$(printf '%s\n' 10.0.0.1 10.0.0.2 2)" ]
	run screen
	refute_line 10.0.0.1
	refute_line 2
	# `where a || b` is no pipe
	keys 'flows count where packets == 4 || packets == 5' Enter
	wait_last 'mapsh>'
	run screen
	assert_line 'entries'
}

@test "history keeps each line once, at its latest use" {
	printf '%s\n' _HiStOrY_V2_ version 'flows\040count' version maps >"$HIST"
	start_repl
	keys 'flows count' Enter
	wait_last 'mapsh>'
	keys 'maps' Enter 'flows count' Enter
	wait_last 'mapsh>'
	keys C-d
	wait_screen 'EXITED=0'
	[ "$(cat "$HIST")" = "$(printf '%s\n' _HiStOrY_V2_ version maps 'flows\040count')" ]
	# Up walks the lines once each
	start_repl
	keys Up Up
	wait_last 'mapsh> maps'
	keys Up
	wait_last 'mapsh> version'
}
