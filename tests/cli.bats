#!/usr/bin/env bats
# Conventions every command follows: help, exit codes, errors, version.

load helpers

@test "help lists the commands; every command has --help" {
	run "$MAPSH" help
	assert_success
	overview=$output
	for c in load unload status maps help version; do
		[[ "$overview" == *"  $c"* ]] || fail "help does not list $c"
		run "$MAPSH" "$c" --help
		assert_success
		assert_output --partial "Usage: mapsh $c"
	done
}

@test "help COMMAND equals COMMAND --help" {
	a=$("$MAPSH" help load)
	b=$("$MAPSH" load --help)
	[ "$a" = "$b" ]
}

@test "an unknown command is a usage error with a suggestion" {
	run "$MAPSH" lod
	assert_failure 2
	assert_output "mapsh: unknown command 'lod' (did you mean 'load'? see 'mapsh help')"
}

@test "an unknown option is a usage error naming it" {
	run "$MAPSH" maps --bogus
	assert_failure 2
	assert_output --partial "--bogus"
	[ "${#lines[@]}" -eq 1 ]
}

@test "a missing option argument is a usage error" {
	run "$MAPSH" load --iface
	assert_failure 2
	assert_output --partial "IFACE"
}

@test "-V prints the version, -j as JSON" {
	run "$MAPSH" -V
	assert_success
	assert_output --partial "0."
	run "$MAPSH" -j version
	assert_success
	jq -e '.version and .libbpf' <<<"$output"
}

@test "no command: --help prints the overview; stdin that is not a terminal is a batch" {
	run "$MAPSH" --help
	assert_success
	assert_output --partial "Usage: mapsh"
	# (the interactive shell and batches: tests/repl.bats, tests/batch.bats)
	run "$MAPSH" </dev/null
	assert_success
	assert_output ""
}

@test "commands that need BPF refuse without root, exit 1" {
	command -v setpriv >/dev/null || skip "setpriv not installed"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$MAPSH" maps
	assert_failure 1
	assert_output --partial "root"
}

@test "global options work before and after the command" {
	run "$MAPSH" --format plain help
	assert_success
	run "$MAPSH" help --format nope
	assert_failure 2
	assert_output --partial "table, plain, json or jsonl"
}
