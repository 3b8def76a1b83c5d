#!/usr/bin/env bats
# Habits people bring from other tools (issue 17, items 5-8): filters that
# survive the shell (gt ge lt le eq ne), hints that name commands that
# work, bpftool's verb-first order, help for one map, an empty dump on a
# terminal, status in a pipe, -V, watch line mode's header, and the
# batch side of .output and `| SHELLCMD`. On the bundled maps loaded into
# the real kernel.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	mapsh load >/dev/null
}
teardown() {
	[ -n "${WATCH_PID:-}" ] && kill "$WATCH_PID" 2>/dev/null
	teardown_common
}

# flow N PACKETS BYTES: the flow 10.0.0.N -> 10.0.9.9 tcp 1 -> 80.
flow() {
	mapsh flows update src_ip=10.0.0.$1 dst_ip=10.0.9.9 src_port=1 dst_port=80 \
		protocol=tcp packets=$2 bytes=$3
}
three_flows() { flow 1 1 5000; flow 2 2 10000; flow 3 3 15000; }
# srcs ARGS...: the src_ip of the flows `dump ARGS` shows, sorted, on one line
srcs() { mapsh flows dump "$@" fields src_ip | sort | tr '\n' ' '; }

# fails WANT_RC ARGS...: mapsh fails with WANT_RC, nothing on stdout, one
# "mapsh: " line on stderr ($stderr).
fails() {
	local want=$1
	shift
	run --separate-stderr mapsh "$@" </dev/null
	[ "$status" -eq "$want" ] || fail "mapsh $*: exit $status, expected $want ($stderr)"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "mapsh $*: ${#stderr_lines[@]} stderr lines: $stderr"
	[[ "$stderr" == "mapsh: "* ]] || fail "mapsh $*: $stderr"
	[ -z "$output" ] || fail "mapsh $*: printed '$output'"
}

# on_tty CMD: run the shell command CMD with stdout on a terminal (script).
on_tty() { script -qec "$1" /dev/null | tr -d '\r'; }

# ---- item 6: where without quoting ----

@test "where: gt ge lt le eq ne filter as > >= < <= == != do" {
	three_flows
	[ "$(srcs where bytes gt 5000)" = "10.0.0.2 10.0.0.3 " ]
	[ "$(srcs where bytes gt 5000)" = "$(srcs where 'bytes > 5000')" ]
	[ "$(srcs where bytes ge 10000)" = "10.0.0.2 10.0.0.3 " ]
	[ "$(srcs where bytes lt 10000)" = "10.0.0.1 " ]
	[ "$(srcs where bytes le 10000)" = "10.0.0.1 10.0.0.2 " ]
	[ "$(srcs where packets eq 2)" = "10.0.0.2 " ]
	[ "$(srcs where packets ne 2)" = "10.0.0.1 10.0.0.3 " ]
	# any case, with and/or, inside one quoted word, and in count
	[ "$(srcs where packets GT 1 and protocol Eq tcp)" = "10.0.0.2 10.0.0.3 " ]
	[ "$(srcs where 'packets lt 2 or bytes ge 15000')" = "10.0.0.1 10.0.0.3 " ]
	[ "$(mapsh flows count where bytes gt 5000)" = 2 ]
	# a word operator is a word of its own
	fails 2 flows dump where bytes gtx 5
	[[ "$stderr" == *"after 'bytes', got 'gtx'"* ]] || fail "$stderr"
	fails 2 flows dump where bytes gt
	[[ "$stderr" == *"where: expected a value after 'bytes gt'" ]] || fail "$stderr"
}

@test "where: an expression cut where an operator should come names the shell and the quoted form" {
	three_flows
	# `where bytes > 10000` typed at a shell: mapsh gets `where bytes`
	# (and a file 10000 appears)
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr "$MAPSH" flows dump where bytes > 10000
	[ "$status" -eq 2 ]
	[ -f 10000 ]
	[[ "$stderr" == *"expected an operator (== != < <= > >= ~, or eq ne lt le gt ge) after 'bytes'; a shell takes an unquoted > or < as a redirection: quote the expression (mapsh flows dump where 'bytes > N') or write bytes gt N" ]] || fail "$stderr"
	# the hint's forms work
	[ "$(srcs where 'bytes > 10000')" = "10.0.0.3 " ]
	[ "$(srcs where bytes gt 10000)" = "10.0.0.3 " ]
	# more words after it: `where bytes > 10 and packets > 1` -> `where bytes and packets`
	fails 2 flows dump where bytes and packets
	[[ "$stderr" == *"got 'and'; a shell takes an unquoted > or <"* ]] || fail "$stderr"
	fails 2 flows count where bytes sort bytes
	[[ "$stderr" == *"got 'sort'; a shell takes"* ]] || fail "$stderr"
	fails 2 flows watch where bytes
	[[ "$stderr" == *"(mapsh flows watch where 'bytes > N')"* ]] || fail "$stderr"
	# any other word is no redirection: no hint
	fails 2 flows dump where bytes foo
	[[ "$stderr" != *"shell"* ]] || fail "$stderr"
}

# ---- item 8: hints that exist ----

# Every distinct "see '...'" hint in cli/, as written in the source. A new
# hint fails the first test until a case below runs it.
HINTS="see '%s'
see 'bpftool prog show name %s'
see 'mapsh %s %s --help'
see 'mapsh %s --help'
see 'mapsh %s apply --help'
see 'mapsh %s push --help'
see 'mapsh %s set --help'
see 'mapsh create --help'
see 'mapsh help %s'
see 'mapsh help dump'
see 'mapsh help hist'
see 'mapsh help recover'
see 'mapsh help'
see 'mapsh maps --all'
see 'mapsh maps --help'
see 'source --help'"

@test "hints: the see '...' hints of cli/ are the ones this file runs" {
	got=$(grep -rhoE "see '[^']*'" "$TOP/cli" --include='*.c' | LC_ALL=C sort -u)
	[ "$got" = "$(LC_ALL=C sort -u <<<"$HINTS")" ] || fail "hints in cli/ changed: $got"
}

# hint_works ARGS...: mapsh ARGS fails with a hint "see 'CMD'"; CMD runs
# (exit 0) and prints something.
hint_works() {
	local hint
	run --separate-stderr mapsh "$@" </dev/null
	[ "$status" -ne 0 ] || fail "mapsh $* did not fail"
	HINT_ERR=$stderr
	hint=$(grep -oE "see '[^']*'" <<<"$stderr" | head -n 1 | sed -E "s/^see '(.*)'$/\\1/")
	[ -n "$hint" ] || fail "mapsh $*: no hint in: $stderr"
	echo "# $* -> $hint" >&3
	[[ "$hint" == mapsh\ * ]] || fail "hint '$hint' is no mapsh command"
	# shellcheck disable=SC2086
	run --separate-stderr mapsh ${hint#mapsh }
	[ "$status" -eq 0 ] || fail "hint '$hint' of 'mapsh $*' fails: $status $stderr"
	[ -n "$output" ] || fail "hint '$hint' printed nothing"
}

@test "hints: every see '...' in an error message runs" {
	id=$(mapsh -j maps | jq '.[] | select(.name == "flows") | .id')
	hint_works flows update                              # no key
	hint_works id "$id" update                           # ... by id: 'mapsh id N update --help'
	[[ "$HINT_ERR" == *"see 'mapsh id $id update --help'"* ]] || fail "$HINT_ERR"
	hint_works flows update key src_ip=10.0.0.1 dst_ip=10.0.0.2 src_port=1 dst_port=2 protocol=tcp value
	hint_works id "$id" set packets=1                    # set without a key
	hint_works pinned "$MAPSH_PIN_DIR/samples" push      # no value
	[[ "$HINT_ERR" == *"see 'mapsh pinned $MAPSH_PIN_DIR/samples push --help'"* ]] || fail "$HINT_ERR"
	hint_works id "$id" info x                           # a verb without arguments
	hint_works flows apply                               # no file
	hint_works maps x
	hint_works load x
	hint_works create x
	hint_works bogus
	hint_works hlep                                      # did you mean a command
	hint_works flwos                                     # did you mean a map
	hint_works help bogus
	hint_works dump                                      # a verb alone: 'mapsh help dump'
	hint_works id 4294967295 dump                        # no such id: 'mapsh maps --all'
	hint_works name no_such_map_here dump
	hint_works flows dump --bogus                        # options: 'mapsh flows dump --help'
	hint_works flows dump -Z
	hint_works --bogus
	hint_works name flows dump --bogus
	[[ "$HINT_ERR" == *"see 'mapsh name flows dump --help'"* ]] || fail "$HINT_ERR"
}

@test "hints: the see '...' of help texts and of the shell run" {
	for v in count watch apply; do
		mapsh help "$v" | grep -oE "see 'mapsh help [a-z]+'" >>"$BATS_TEST_TMPDIR/h"
	done
	[ "$(sort -u "$BATS_TEST_TMPDIR/h" | wc -l)" -eq 3 ] || fail "$(cat "$BATS_TEST_TMPDIR/h")"
	while read -r _ hint; do
		hint=${hint#\'mapsh }
		run mapsh ${hint%\'}
		assert_success
		assert_line --partial 'Usage: mapsh MAP'
	done < <(sort -u "$BATS_TEST_TMPDIR/h")
	# in a script (the shell's lines): source's and .help's hints
	run --separate-stderr mapsh -f - <<<'source'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"(see 'source --help')" ]] || fail "$stderr"
	run mapsh -f - <<<'source --help'
	assert_success
	assert_line 'Usage: mapsh source FILE'
	run --separate-stderr mapsh -f - <<<'.bogus'
	[[ "$stderr" == *"(see .help)" ]] || fail "$stderr"
	run mapsh -f - <<<'.help'
	assert_success
	assert_line --partial '.output [FILE]'
	# the hints' one-shot form works as a line too: a leading 'mapsh'
	run mapsh -f - <<<'mapsh help flows'
	assert_success
	assert_line 'Usage: mapsh flows VERB [ARGS...]'
}

@test "help MAP lists the verbs of that map's type" {
	run mapsh help flows
	assert_success
	assert_line 'Usage: mapsh flows VERB [ARGS...]'
	assert_line 'Verbs for lru_hash maps:'
	assert_line --regexp '^  dump +print every entry'
	[ "$output" = "$(mapsh flows --help)" ]
	# a queue: its own verbs, not a hash's
	run mapsh help samples
	assert_success
	assert_line 'Verbs for queue maps:'
	assert_line --regexp '^  push '
	refute_line --regexp '^  lookup '
	# any selector
	id=$(mapsh -j maps | jq '.[] | select(.name == "samples") | .id')
	run mapsh help id "$id"
	assert_success
	assert_line "Usage: mapsh id $id VERB [ARGS...]"
	assert_line 'Verbs for queue maps:'
	# commands and verbs keep their help; other words are refused
	[ "$(mapsh help dump)" = "$(mapsh help dump)" ]
	run mapsh help dump
	assert_line --partial 'Usage: mapsh MAP dump'
	fails 2 help no_such_map
	[ "$stderr" = "mapsh: help: unknown command 'no_such_map' (see 'mapsh help')" ]
}

@test "dump id N (bpftool's order) suggests 'mapsh id N dump', exit 2" {
	flow 1 1 5000
	id=$(mapsh -j maps | jq '.[] | select(.name == "flows") | .id')
	fails 2 dump id "$id"
	[ "$stderr" = "mapsh: unknown command 'dump': the map comes before the verb (did you mean 'mapsh id $id dump'?)" ]
	fails 2 lookup flows src_ip=10.0.0.1
	[ "$stderr" = "mapsh: unknown command 'lookup': the map comes before the verb (did you mean 'mapsh flows lookup src_ip=10.0.0.1'?)" ]
	fails 2 dump pinned "$MAPSH_PIN_DIR/flows" where bytes gt 1
	[[ "$stderr" == *"(did you mean 'mapsh pinned $MAPSH_PIN_DIR/flows dump where bytes gt 1'?)" ]] || fail "$stderr"
	# and the suggestion runs
	run mapsh id "$id" dump fields src_ip
	assert_success
	assert_output 10.0.0.1
	fails 2 dump
	[ "$stderr" = "mapsh: unknown command 'dump': a verb comes after its map (mapsh MAP dump, or after 'use MAP' in the shell; see 'mapsh help dump')" ]
}

# ---- item 5: output habits ----

@test "an empty dump on a terminal prints the header and (0 entries); a pipe prints nothing" {
	run on_tty "'$MAPSH' flows dump"
	assert_success
	assert_output "$(printf '%s\n' 'src_ip  dst_ip  src_port  dst_port  protocol  packets  bytes  first_seen  last_seen  tcp_flags' '(0 entries)')"
	# the columns asked for; per-CPU rows; a filter that keeps nothing
	run on_tty "'$MAPSH' flows dump fields src_ip,bytes"
	assert_output "$(printf '%s\n' 'src_ip  bytes' '(0 entries)')"
	flow 1 1 5000
	run on_tty "'$MAPSH' flows dump where bytes gt 5000"
	assert_output --partial '(0 entries)'
	assert_line --regexp '^src_ip +dst_ip'
	run on_tty "'$MAPSH' proto_stats dump --per-cpu"
	assert_line --regexp '^protocol +cpu +packets +bytes +drops$'
	assert_line '(0 entries)'
	# not empty: no note
	run on_tty "'$MAPSH' flows dump"
	refute_line '(0 entries)'
	assert_line --regexp '^10\.0\.0\.1 +10\.0\.9\.9 '
	# a pipe and JSON: nothing added
	run --separate-stderr mapsh flows6 dump
	assert_success
	[ -z "$output" ]
	run on_tty "'$MAPSH' -j flows6 dump"
	assert_output '[]'
}

@test "status in a pipe keeps its sections apart; -V prints one line" {
	run mapsh status
	assert_success
	# the settings, a blank line, the programs
	[ "${lines[0]}" = "pin_dir	$MAPSH_PIN_DIR" ]
	blank=$(grep -n '^$' <<<"$output" | cut -d: -f1)
	[ "$blank" = 5 ] || fail "blank line at '$blank': $output"
	[ "$(sed -n '6,$p' <<<"$output" | cut -f1 | tr '\n' ' ')" = "flowtrack policy " ]
	awk -v RS= 'END { exit NR != 2 }' <<<"$output" || fail "not two paragraphs: $output"
	run mapsh -j status
	[ "$(jq -c '[.loaded, (.programs | length)]' <<<"$output")" = '[true,2]' ]
	# nothing loaded: no programs, no trailing blank line
	mapsh unload >/dev/null
	run mapsh status
	assert_output "$(printf '%s\n' "pin_dir	$MAPSH_PIN_DIR" "loaded	no" "maps_pinned	0" "inner_maps_pinned	0")"

	run mapsh -V
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ ^mapsh\ [0-9]+\.[0-9]+\.[0-9]+\ \(libbpf\ [0-9]+\.[0-9]+\)$ ]] || fail "$output"
	[ "$(mapsh --version)" = "$output" ]
	[ "$(mapsh -j version | jq -r '"mapsh \(.version) (libbpf \(.libbpf))"')" = "$output" ]
	run mapsh -j -V
	[ "$(jq -r .version <<<"$output")" = "$(mapsh -j version | jq -r .version)" ]
}

@test "watch line mode: a header line names the columns; lines are whole in a pipe" {
	flow 1 1 5000
	OUT="$BATS_TEST_TMPDIR/out"
	# a long line: more than 80 characters, in a pipe and with COLUMNS
	# saying 40
	COLUMNS=40 timeout 60 "$MAPSH" flows watch -i 0.1 >"$OUT" &
	WATCH_PID=$!
	for ((i = 0; i < 400; i++)); do
		grep -q 'refresh 1 ' "$OUT" 2>/dev/null && break
		sleep 0.05
	done
	flow 1 7 123456789
	for ((i = 0; i < 400; i++)); do
		grep -qP '\tchanged\t' "$OUT" 2>/dev/null && break
		sleep 0.05
	done
	kill "$WATCH_PID"
	wait "$WATCH_PID" || true
	WATCH_PID=
	head -n 1 "$OUT" | grep -qxF "$(printf '# time\tevent\tsrc_ip\tdst_ip\tsrc_port\tdst_port\tprotocol\tpackets\tbytes\tfirst_seen\tlast_seen\ttcp_flags\tpackets+\tbytes+')" ||
		fail "header: $(head -n 1 "$OUT")"
	[ "$(grep -c '^# time' "$OUT")" = 1 ]
	row=$(grep -P '\tchanged\t' "$OUT" | head -n 1)
	[ -n "$row" ] || fail "no changed row: $(cat "$OUT")"
	# as many cells as the header names, the last one whole
	[ "$(awk -F'\t' '{ print NF }' <<<"$row")" = 14 ]
	[ "$(cut -f9,14 <<<"$row")" = "$(printf '123456789\t123451789')" ]
	[ "${#row}" -gt 80 ]
	# a selection of fields: its columns; JSON lines have no header
	run timeout 30 "$MAPSH" flows watch --count 1 -i 0.1 --rate fields src_ip,packets
	[ "${lines[0]}" = "$(printf '# time\tevent\tsrc_ip\tpackets\tpackets/s')" ]
	run timeout 30 "$MAPSH" -j flows watch --count 1 -i 0.1
	refute_line --partial '# time'
	jq -e .refresh <<<"${lines[0]}" >/dev/null
}

# ---- item 7, the lines of a script: .output and | ----

@test "a script's .output FILE and CMD | SHELLCMD" {
	three_flows
	out="$BATS_TEST_TMPDIR/o.txt"
	run --separate-stderr mapsh -f - <<EOF
version
.output $out
flows dump fields src_ip sort src_ip
flows count
.output
flows count | sed 's/^/n=/'
flows dump where packets == 1 || packets == 3 fields src_ip sort src_ip | tr '\n' ,
flows count '|' x
EOF
	# the last line: a quoted | is a word of the command, not a pipe
	[ "$status" -eq 2 ]
	[[ "$stderr" == *":8: mapsh: flows count: unexpected '|'"* ]] || fail "$stderr"
	[ "$(sed -n 1p <<<"$output" | cut -f1)" = version ]
	assert_line 'n=3'
	assert_line --partial '10.0.0.1,10.0.0.3,'
	refute_line 10.0.0.2
	[ "$(cat "$out")" = "$(printf '%s\n' 10.0.0.1 10.0.0.2 10.0.0.3 3)" ]
	# a reader that quits early ends that command's output only
	run mapsh -f - <<EOF
flows dump fields src_ip | head -n 1
flows count
EOF
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = 3 ]
	# errors: nothing after |, nothing before it, a file that cannot be made
	run --separate-stderr mapsh --keep-going -f - <<EOF
flows count |
| wc -l
.output $BATS_TEST_TMPDIR/no/such/dir/f
flows count
EOF
	[ "$status" -eq 1 ]
	[[ "$stderr" == *":1: mapsh: '|' needs a command after it (CMD | SHELLCMD)"* ]] || fail "$stderr"
	[[ "$stderr" == *":2: mapsh: '|' needs a mapsh command before it (CMD | SHELLCMD)"* ]] || fail "$stderr"
	[[ "$stderr" == *":3: mapsh: .output: $BATS_TEST_TMPDIR/no/such/dir/f: No such file or directory"* ]] || fail "$stderr"
	[ "$output" = 3 ]
}
