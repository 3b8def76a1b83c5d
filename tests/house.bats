#!/usr/bin/env bats
# The layout of cli/ (floors, file sizes) and the defects the move to it
# fixed: the completer changing the session, an option word read two ways,
# writes missing from the audit log, error lines naming the wrong thing.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	mapsh load >/dev/null
	LOG="$BATS_TEST_TMPDIR/audit.log"
	unset MAPSH_AUDIT_LOG
	SOCK=""
}

teardown() {
	if [ -n "$SOCK" ]; then
		tmux -L "$SOCK" kill-server 2>/dev/null || true
	fi
	teardown_common
}

@test "cli/: each file includes its own folder and lower floors only" {
	run "$TOP/tests/tools/floors.sh" "$TOP/cli"
	assert_success
	assert_output ""
	# and the checker does catch a file that reaches up a floor
	mkdir -p "$BATS_TEST_TMPDIR/cli/base" "$BATS_TEST_TMPDIR/cli/cmd"
	printf '#include "cmd/ctx.h"\n' >"$BATS_TEST_TMPDIR/cli/base/x.c"
	: >"$BATS_TEST_TMPDIR/cli/cmd/ctx.h"
	run "$TOP/tests/tools/floors.sh" "$BATS_TEST_TMPDIR/cli"
	assert_failure 1
	assert_output "base/x.c (floor 1, base/) includes cmd/ctx.h (floor 5, cmd/)"
}

@test "cli/: only main.c and the top table beside the folders; no file over 1,000 lines" {
	run bash -c "cd '$TOP/cli' && find . -maxdepth 1 -type f | sort"
	assert_output "$(printf './README.md\n./commands.c\n./commands.h\n./main.c')"
	run bash -c "find '$TOP/cli' -name '*.[ch]' -exec wc -l {} + | awk '\$2 != \"total\" && \$1 > 1000'"
	assert_output ""
}

# A REPL on a tmux server of this test's own.
start_repl() {
	SOCK="house$(_unique_id)$BATS_TEST_NUMBER"
	tmux -L "$SOCK" new-session -d -s main -x 200 -y 50 \
		"env TERM=xterm NO_COLOR=1 MAPSH_HISTFILE='$BATS_TEST_TMPDIR/hist' MAPSH_PIN_DIR='$MAPSH_PIN_DIR' '$MAPSH'; echo EXITED=\$?; sleep 600"
	wait_screen 'mapsh>'
}
screen() { tmux -L "$SOCK" capture-pane -t main -p; }
keys() { tmux -L "$SOCK" send-keys -t main -- "$@"; }

@test "Tab on a line with --pin-dir leaves the session's pin dir as it was" {
	start_repl
	keys '--pin-dir /nonexistent/pins fl' Tab
	sleep 0.3
	keys C-u
	keys '.show' Enter
	wait_screen 'pin-dir:'
	[ "$(screen | grep '^pin-dir:')" = "pin-dir:    $MAPSH_PIN_DIR" ] || fail "$(screen)"
	# and the session still reads its maps
	keys 'config lookup 0' Enter
	wait_screen 'enabled'
}

@test "after 'use MAP', a verb's options may come first, as after MAP on the command line" {
	mapsh cpu_stats update 0 --cpu 0 packets=7 bytes=70 drops=0
	want=$(mapsh -j cpu_stats --per-cpu lookup 0)
	[ "$(jq -c '.per_cpu[0].value' <<<"$want")" = '{"packets":7,"bytes":70,"drops":0}' ]
	run mapsh -j <<<"use cpu_stats
--per-cpu lookup 0"
	assert_success
	[ "$(jq -c '.[1].output' <<<"$output")" = "$want" ]
	# an option no verb has is refused the same way in both
	run --separate-stderr mapsh cpu_stats --bogus lookup 0
	assert_failure 2
	one=$stderr
	run --separate-stderr mapsh <<<"use cpu_stats
--bogus lookup 0"
	assert_failure 2
	[ "$stderr" = "<stdin>:2: $one" ]
}

@test "-h CMD is CMD --help on the command line and in a script" {
	want=$(mapsh flows --help)
	[[ "$want" == "Usage: mapsh flows VERB"* ]]
	[ "$(mapsh -h flows)" = "$want" ]
	[ "$(mapsh <<<'-h flows')" = "$want" ]
	[ "$(mapsh -h load)" = "$(mapsh load --help)" ]
}

@test "a verb's short option with an argument may come before the verb" {
	for i in 1 2 3 4 5; do mapsh samples push len=$i; done
	run mapsh -j samples -n 2 drain
	assert_success
	[ "$(jq -s -c 'map(.value.len)' <<<"$output")" = '[1,2]' ]
	run mapsh -j samples drain -n 2
	[ "$(jq -s -c 'map(.value.len)' <<<"$output")" = '[3,4]' ]
}

@test "push, pop and drain are in the audit log, each element with its value" {
	mapsh --audit-log "$LOG" samples push len=11 src_ip=10.1.1.1
	mapsh --audit-log "$LOG" samples push len=12
	mapsh --audit-log "$LOG" samples push len=13
	mapsh --audit-log "$LOG" samples pop >/dev/null
	mapsh --audit-log "$LOG" samples drain >/dev/null
	run jq -c 'select(.state == "intent") | [.op, .key, (.old // {} | .len), (.new // {} | .len)]' "$LOG"
	assert_output "$(printf '%s\n' '["push",null,null,11]' '["push",null,null,12]' \
		'["push",null,null,13]' '["pop",null,11,null]' '["drain",null,12,null]' \
		'["drain",null,13,null]')"
	[ "$(sed -n 1p "$LOG" | jq -r .new.src_ip)" = 10.1.1.1 ]
	# each intent has its result
	[ "$(jq -s -c 'map(select(.state == "done") | .changes)' "$LOG")" = '[1,1,1,1,1,1]' ]
	# an audit log that cannot be opened: nothing popped
	run --separate-stderr mapsh --audit-log /nonexistent/dir/log samples push len=14
	assert_failure 1
	[ "$stderr" = "mapsh: samples push: audit log /nonexistent/dir/log: No such file or directory (nothing changed)" ]
	mapsh samples push len=15
	run --separate-stderr mapsh --audit-log /nonexistent/dir/log samples pop
	assert_failure 1
	assert_output ""
	[ "$(mapsh -j samples peek | jq .value.len)" = 15 ]
}

@test "option errors name what was run and a help that exists" {
	run --separate-stderr mapsh --nosuch
	assert_failure 2
	[ "$stderr" = "mapsh: unknown option '--nosuch' (see 'mapsh --help')" ]
	mapsh --help >/dev/null
	run --separate-stderr mapsh flows dump --bogus
	assert_failure 2
	[ "$stderr" = "mapsh: flows dump: unknown option '--bogus' (see 'mapsh flows dump --help')" ]
	mapsh flows dump --help >/dev/null
	run --separate-stderr mapsh load -Z
	assert_failure 2
	[ "$stderr" = "mapsh: load: unknown option '-Z' (see 'mapsh load --help')" ]
}

@test "a bundled map not pinned in --pin-dir is said to be so, with no did-you-mean of itself" {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	run --separate-stderr mapsh --pin-dir "$BATS_TEST_TMPDIR/empty" flows
	assert_failure 1
	[ "$stderr" = "mapsh: no map 'flows' in $BATS_TEST_TMPDIR/empty: it is one of mapsh's own maps, not loaded there (run 'mapsh load' with the same --pin-dir)" ]
	# a name that is pinned there is still suggested
	run --separate-stderr mapsh flowz
	assert_failure
	[[ "$stderr" == *"did you mean 'flows'?"* ]]
}

@test "a display tag that cannot apply is said once a line; the field shows as its type says" {
	bpftool prog loadall "$TOP/build/bad_tags.bpf.o" "$BPFFS/progs" pinmaps "$BPFFS/m" 2>/dev/null || true
	[ -e "$BPFFS/m/bad_tags" ] || fail "bad_tags was not pinned"
	run --separate-stderr mapsh pinned "$BPFFS/m/bad_tags" update 1 port=80 addr=10.1.2.3 when=5 okport=443
	assert_success
	[ "${#stderr_lines[@]}" -eq 2 ] || fail "$stderr"
	[ "${stderr_lines[0]}" = "mapsh: bad_tags: value struct tagged_value: field 'port': mapsh:port needs a 2-byte integer, not a 4-byte __u32: shown as its type says" ]
	[[ "${stderr_lines[1]}" == "mapsh: bad_tags: value struct tagged_value: field 'when': mapsh:sparkle is no display format (the formats: ipv4, "*" or log2)" ]]
	run --separate-stderr mapsh -j pinned "$BPFFS/m/bad_tags" dump
	[ "$(jq -c '.[0].value' <<<"$output")" = '{"port":80,"addr":"10.1.2.3","when":5,"okport":443}' ]
	# the port was written as a plain number: 80 in host order, not 0x5000
	[ "$(bpftool -j map lookup pinned "$BPFFS/m/bad_tags" key 1 0 0 0 | jq -r '.value[0:4] | join(" ")')" = "0x50 0x00 0x00 0x00" ]
}
