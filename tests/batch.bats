#!/usr/bin/env bats
# Scripts: mapsh -f FILE, a batch on stdin, source FILE; comments,
# continuation lines, quotes, FILE:LINE errors, --keep-going and -j.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	mapsh load >/dev/null
	S="$BATS_TEST_TMPDIR/script.mapsh"
}

teardown() { teardown_common; }

sample_rate() { mapsh -j config | jq '.[0].value.sample_rate'; }

# A script whose line 3 fails; line 4 would set sample_rate to 44.
bad_script() {
	cat >"$S" <<-'EOF'
	config set sample_rate=11
	blocklist update src_ip=10.0.0.1 dst_port=0 protocol=0 action=drop
	blocklist update src_ip=10.0.0.300 dst_port=0 protocol=0 action=drop
	config set sample_rate=44
	EOF
}

@test "a failing line stops the script: FILE:LINE: and its exit status" {
	bad_script
	run mapsh -f "$S"
	assert_failure 2
	assert_output "$S:3: mapsh: blocklist update: src_ip=10.0.0.300: not an IPv4 address"
	[ "$(sample_rate)" = 11 ]
	[ "$(mapsh blocklist count)" = 1 ]
	# a runtime failure keeps its status (1)
	printf 'version\nflows delete src_ip=1.1.1.1 dst_ip=1.1.1.1 src_port=1 dst_port=1 protocol=tcp\nversion\n' >"$S"
	run mapsh -f "$S"
	assert_failure 1
	assert_line --partial "$S:2: mapsh: flows: no entry with key"
}

@test "--keep-going runs every line and exits 1 when one failed" {
	bad_script
	run mapsh --keep-going -f "$S"
	assert_failure 1
	assert_output --partial "$S:3: mapsh:"
	[ "$(sample_rate)" = 44 ]
	# -k after -f, and a script with no failure exits 0
	printf 'version\n' >"$S"
	run mapsh -f "$S" -k
	assert_success
}

@test "stdin: mapsh < FILE and -f - are batches named <stdin>" {
	bad_script
	run mapsh <"$S"
	assert_failure 2
	assert_output --partial "<stdin>:3: mapsh: blocklist update"
	run mapsh -f - <"$S"
	assert_failure 2
	assert_output --partial "<stdin>:3: mapsh:"
	# a command on the command line stays one-shot: stdin is not read
	# (a script there that would set sample_rate=55 and print JSON)
	printf 'config set sample_rate=55\nversion -j\n' >"$S"
	run --separate-stderr mapsh version <"$S"
	assert_success
	assert_line --regexp '^version	[0-9]+\.'
	refute_output --partial '{'
	[ "$(sample_rate)" = 11 ]
	# the same script as a batch does run
	run mapsh <"$S"
	assert_success
	[ "$(sample_rate)" = 55 ]
}

@test "-j: the whole batch is one JSON array of {command, output} or errors" {
	bad_script
	printf 'config\nversion\n' >>"$S"
	run --separate-stderr mapsh -j -k -f "$S"
	assert_failure 1
	jq -e . <<<"$output" >/dev/null
	[ "$(jq length <<<"$output")" = 6 ]
	[ "$(jq -r '.[0].command' <<<"$output")" = "config set sample_rate=11" ]
	[ "$(jq '.[0].output' <<<"$output")" = null ]
	[ "$(jq -r '.[2].error' <<<"$output")" = "blocklist update: src_ip=10.0.0.300: not an IPv4 address" ]
	[ "$(jq '.[2].status' <<<"$output")" = 2 ]
	[ "$(jq '.[4].output[0].value.sample_rate' <<<"$output")" = 44 ]
	[ "$(jq -r '.[5].output.version' <<<"$output")" != null ]
	# stderr still names the line
	[[ $stderr == *"$S:3: mapsh:"* ]]
	# -p: the same document, indented
	run --separate-stderr mapsh -p -k -f "$S"
	[ "$status" -eq 1 ]
	jq -e '.[4].output[0].value.sample_rate == 44' <<<"$output"
	[ "$(jq length <<<"$output")" = 6 ]
	[ "${#lines[@]}" -gt 20 ]
	# without --keep-going the array ends at the failing line
	run --separate-stderr mapsh -j -f "$S"
	assert_failure 2
	[ "$(jq length <<<"$output")" = 3 ]
}

@test "--jsonl: one {command, output} object per line" {
	printf 'version\nconfig\nbogus\n' >"$S"
	run --separate-stderr mapsh --jsonl -k -f "$S"
	assert_failure 1
	[ "${#lines[@]}" = 3 ]
	for l in "${lines[@]}"; do jq -e . <<<"$l" >/dev/null; done
	[ "$(jq -r .output.version <<<"${lines[0]}")" != null ]
	[ "$(jq .output.value.enabled <<<"${lines[1]}")" = 1 ]
	[ "$(jq -r .error <<<"${lines[2]}")" = "unknown command 'bogus' (see 'mapsh help')" ]
}

@test "comments, blank lines, continuation lines and quotes" {
	cat >"$S" <<-'EOF'
	# comment

	   # indented comment
	blocklist update src_ip=10.0.0.2 \
	    dst_port=22 protocol=tcp \
	    action=drop   # trailing comment
	config set 'sample_rate=5' "rate_limit_pps"=7
	blocklist update src_ip=10.0.0.3 \
	    dst_port=0 protocol=0 action=bogus
	EOF
	run mapsh -f "$S"
	assert_failure 2
	# the error of a continued command names its first line
	assert_output --partial "$S:8: mapsh: blocklist update:"
	run mapsh -j blocklist lookup src_ip=10.0.0.2 dst_port=22 protocol=tcp
	assert_success
	[ "$(jq -r .value.action <<<"$output")" = FW_DROP ]
	[ "$(mapsh -j config | jq '.[0].value.rate_limit_pps')" = 7 ]
	[ "$(sample_rate)" = 5 ]
	# '#' inside a word is not a comment: it reaches the value parser
	printf 'config set sample_rate=6#x\n' >"$S"
	run mapsh -f "$S"
	assert_failure 2
	assert_output --partial "$S:1: mapsh: config set: sample_rate=6#x"
}

@test "an unterminated quote is an error on its line" {
	printf "version\nconfig set sample_rate='5\nversion\n" >"$S"
	run mapsh -f "$S"
	assert_failure 2
	assert_line "$S:2: mapsh: unterminated single quote"
}

@test "source runs another script; its errors name that file" {
	printf 'config set sample_rate=21\nbogus\n' >"$BATS_TEST_TMPDIR/inner.mapsh"
	printf 'version\nsource %s\nconfig set sample_rate=22\n' "$BATS_TEST_TMPDIR/inner.mapsh" >"$S"
	run mapsh -f "$S"
	assert_failure 2
	assert_line "$BATS_TEST_TMPDIR/inner.mapsh:2: mapsh: unknown command 'bogus' (see 'mapsh help')"
	[ "$(sample_rate)" = 21 ]
	# one-shot `mapsh source FILE` is the same as -f FILE
	printf 'config set sample_rate=23\nbogus\nconfig set sample_rate=24\n' >"$BATS_TEST_TMPDIR/inner.mapsh"
	run mapsh source "$BATS_TEST_TMPDIR/inner.mapsh"
	assert_failure 2
	assert_output "$BATS_TEST_TMPDIR/inner.mapsh:2: mapsh: unknown command 'bogus' (see 'mapsh help')"
	[ "$(sample_rate)" = 23 ]
	# a script that sources itself stops at the nesting limit
	printf 'source %s\n' "$S" >"$S"
	run mapsh -f "$S"
	assert_failure
	assert_output --partial "nested too deeply"
}

@test "use, session commands and quit work in scripts" {
	cat >"$S" <<-'EOF'
	use config
	set sample_rate=33
	.format json
	dump
	use
	quit
	bogus
	EOF
	run mapsh -f "$S"
	assert_success
	[ "$(jq '.[0].value.sample_rate' <<<"$output")" = 33 ]
	# options on a line apply to that line only
	printf 'version -j\nversion\n' >"$S"
	run mapsh -f "$S"
	assert_line --regexp '^\{"version":'
	assert_line --regexp '^version	'
}

@test "-f: a missing file, and a command after -f" {
	run mapsh -f "$BATS_TEST_TMPDIR/nope"
	assert_failure 1
	assert_output "mapsh: $BATS_TEST_TMPDIR/nope: No such file or directory"
	printf 'version\n' >"$S"
	run mapsh -f "$S" version
	assert_failure 2
	assert_output --partial "no command after it"
}
