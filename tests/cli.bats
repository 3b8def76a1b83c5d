#!/usr/bin/env bats
# Conventions every command follows: help, exit codes, errors, version,
# the global options and output formats, colour, and make install. Every
# test has a pin directory of its own (MAPSH_PIN_DIR on its own bpffs).

load helpers
load sys_lib
bats_require_minimum_version 1.5.0

setup() { sys_setup_bpffs; }
teardown() { sys_teardown; }

# on_tty CMD...: CMD's output on a terminal (script(1) gives it a pty),
# without the carriage returns the terminal adds.
on_tty() {
	local cmd rc=0
	printf -v cmd '%q ' "$@"
	script -qec "$cmd" /dev/null </dev/null >"$BATS_TEST_TMPDIR/tty" || rc=$?
	tr -d '\r' <"$BATS_TEST_TMPDIR/tty"
	return "$rc"
}

# Two blocklist rules, and the JSON of each one as mapsh prints it.
two_rules() {
	mapsh load >/dev/null
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	mapsh blocklist add src_ip=10.0.0.7 dst_port=53 protocol=udp action=allow
	R1='{"key":{"src_ip":"10.0.0.9","dst_port":0,"protocol":0,"pad":0},"value":{"action":"FW_DROP","pad":0,"hits":0}}'
	R2='{"key":{"src_ip":"10.0.0.7","dst_port":53,"protocol":"udp","pad":0},"value":{"action":"FW_ALLOW","pad":0,"hits":0}}'
}

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
	assert_output "mapsh: maps: unknown option '--bogus' (see 'mapsh maps --help')"
}

@test "a missing option argument is a usage error" {
	run "$MAPSH" load --iface
	assert_failure 2
	assert_output "mapsh: load: --iface needs an argument (IFACE)"
	[ ! -e "$MAPSH_PIN_DIR" ]
}

@test "-V prints the version and the libbpf it uses; -j as JSON" {
	version=$(sed -n 's/^#define MAPSH_VERSION "\(.*\)"$/\1/p' "$TOP/cli/cmd/ctx.h")
	libbpf=$(pkg-config --modversion libbpf | cut -d. -f1,2)
	[ -n "$version" ]
	run "$MAPSH" -V
	assert_success
	assert_output "mapsh $version (libbpf $libbpf)"
	run "$MAPSH" version
	assert_success
	assert_output "$(printf 'version\t%s\nlibbpf\t%s' "$version" "$libbpf")"
	run "$MAPSH" -j version
	assert_success
	assert_output "{\"version\":\"$version\",\"libbpf\":\"$libbpf\"}"
}

@test "no command: --help prints the overview; stdin that is not a terminal is a batch" {
	run "$MAPSH" --help
	assert_success
	[ "$output" = "$("$MAPSH" help)" ]
	# (the interactive shell and batches: tests/repl.bats, tests/batch.bats)
	run "$MAPSH" </dev/null
	assert_success
	assert_output ""
	run "$MAPSH" <<<"version"
	assert_success
	assert_output --partial "version	"
}

@test "commands that need BPF refuse without CAP_BPF, exit 1" {
	command -v setpriv >/dev/null || skip "setpriv not installed"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$MAPSH" maps
	assert_failure 1
	[ "$stderr" = "mapsh: maps: this needs CAP_BPF or CAP_SYS_ADMIN (root has both)" ]
	[ -z "$output" ]
	# load also needs CAP_NET_ADMIN: CAP_BPF alone is not enough
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=+bpf --ambient-caps=+bpf "$MAPSH" load
	assert_failure 1
	[ "$stderr" = "mapsh: this needs CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN (root has them)" ]
}

@test "global options work before and after the command" {
	run "$MAPSH" --format plain help
	assert_success
	run "$MAPSH" help --format nope
	assert_failure 2
	assert_output "mapsh: --format: 'nope' is not valid (expected table, plain, json, jsonl, csv or bpftool)"
	two_rules
	before=$("$MAPSH" -j blocklist)
	[ "$("$MAPSH" blocklist -j)" = "$before" ]
	[ "$("$MAPSH" blocklist dump -j)" = "$before" ]
	[ "$("$MAPSH" --format json blocklist dump)" = "$before" ]
	# --pin-dir before or after, and over $MAPSH_PIN_DIR
	dir=$MAPSH_PIN_DIR
	run env MAPSH_PIN_DIR="$BPFFS/elsewhere" "$MAPSH" --pin-dir "$dir" -j blocklist
	assert_success
	assert_output "$before"
	run env MAPSH_PIN_DIR="$BPFFS/elsewhere" "$MAPSH" blocklist --pin-dir "$dir" -j
	assert_success
	assert_output "$before"
	run env MAPSH_PIN_DIR="$BPFFS/elsewhere" "$MAPSH" -j blocklist
	assert_failure 1
	assert_output --partial "mapsh: no map 'blocklist': $BPFFS/elsewhere does not exist"
}

@test "--format: table and plain text, json and jsonl exactly; -j, -p and --jsonl are the same" {
	two_rules
	# a hash map: either order, but every format in the same one
	run "$MAPSH" --format json blocklist
	assert_success
	if [ "$output" = "[$R1,$R2]" ]; then
		A=$R1 B=$R2 a=(10.0.0.9 0 0 FW_DROP 0) b=(10.0.0.7 53 udp FW_ALLOW 0)
	else
		assert_output "[$R2,$R1]"
		A=$R2 B=$R1 a=(10.0.0.7 53 udp FW_ALLOW 0) b=(10.0.0.9 0 0 FW_DROP 0)
	fi
	run "$MAPSH" -j blocklist
	assert_output "[$A,$B]"
	run "$MAPSH" --format jsonl blocklist
	assert_success
	assert_output "$(printf '%s\n%s' "$A" "$B")"
	run "$MAPSH" --jsonl blocklist
	assert_output "$(printf '%s\n%s' "$A" "$B")"
	run "$MAPSH" -p blocklist
	assert_success
	assert_output "$(jq . <<<"[$A,$B]")"
	# plain: tab-separated, no header (the default in a pipe)
	run "$MAPSH" --format plain blocklist
	assert_success
	plain=$(IFS=$'\t'; printf '%s\n%s' "${a[*]}" "${b[*]}")
	assert_output "$plain"
	run "$MAPSH" blocklist
	assert_output "$plain"
	# table: a header and aligned columns (the default on a terminal)
	table=$(printf '%-8s  %-8s  %-8s  %-8s  %s\n' src_ip dst_port protocol action hits "${a[@]}" "${b[@]}")
	run "$MAPSH" --format table blocklist
	assert_success
	assert_output "$table"
	run on_tty "$MAPSH" blocklist
	assert_success
	assert_output "$table"
	run on_tty "$MAPSH" --format plain blocklist
	assert_output "$plain"
}

@test "colour only on a terminal, in watch's title and header; NO_COLOR turns it off" {
	mapsh load >/dev/null
	bold=$'\e[1m' rev=$'\e[7m'
	run on_tty env -u NO_COLOR "$MAPSH" config watch --count 1
	assert_success
	[[ "$output" == *"${bold}config (array)"* ]] || fail "no bold title: $(cat -v <<<"$output")"
	[[ "$output" == *"${rev}  key"* ]] || fail "no reverse-video header: $(cat -v <<<"$output")"
	# NO_COLOR set and not empty: the same screen without highlighting
	run on_tty env NO_COLOR=1 "$MAPSH" config watch --count 1
	assert_success
	[[ "$output" == *"config (array)"* ]] || fail "$(cat -v <<<"$output")"
	[[ "$output" != *"$bold"* ]] || fail "bold with NO_COLOR: $(cat -v <<<"$output")"
	[[ "$output" != *"$rev"* ]] || fail "reverse video with NO_COLOR: $(cat -v <<<"$output")"
	# empty NO_COLOR counts as unset
	run on_tty env NO_COLOR= "$MAPSH" config watch --count 1
	assert_success
	[[ "$output" == *"${bold}config (array)"* ]] || fail "$(cat -v <<<"$output")"
	# a pipe: line mode, no escape sequence at all
	run env -u NO_COLOR "$MAPSH" config watch --count 1
	assert_success
	[[ "$output" != *$'\e'* ]] || fail "$(cat -v <<<"$output")"
	[[ "$output" == *"refresh 1 (baseline): 1/1 elements non-zero"* ]]
	# a dump on a terminal is a table, never coloured
	run on_tty env -u NO_COLOR "$MAPSH" config
	assert_success
	[[ "$output" != *$'\e'* ]] || fail "$(cat -v <<<"$output")"
}

@test "make install puts every file under DESTDIR and PREFIX; make uninstall removes them" {
	dest=$BATS_TEST_TMPDIR/dest
	# -o mapsh: install the binary under test, never rebuild it here
	run make -s -C "$TOP" -o mapsh install DESTDIR="$dest" PREFIX=/usr
	assert_success
	run bash -c "cd '$dest' && find . -type f -printf '%m %p\n' | sort -k2"
	assert_output "$(printf '%s\n' \
		"755 ./usr/bin/mapsh" \
		"644 ./usr/share/bash-completion/completions/mapsh" \
		"644 ./usr/share/fish/vendor_completions.d/mapsh.fish" \
		"644 ./usr/share/man/man8/mapsh.8" \
		"644 ./usr/share/zsh/vendor-completions/_mapsh")"
	cmp "$dest/usr/bin/mapsh" "$MAPSH"
	cmp "$dest/usr/share/man/man8/mapsh.8" "$TOP/man/mapsh.8"
	cmp "$dest/usr/share/bash-completion/completions/mapsh" "$TOP/completions/mapsh.bash"
	cmp "$dest/usr/share/zsh/vendor-completions/_mapsh" "$TOP/completions/_mapsh"
	cmp "$dest/usr/share/fish/vendor_completions.d/mapsh.fish" "$TOP/completions/mapsh.fish"
	run "$dest/usr/bin/mapsh" -V
	assert_success
	assert_output "$("$MAPSH" -V)"
	# the default PREFIX is /usr/local (the completions go where the shells look)
	run make -s -C "$TOP" -o mapsh install DESTDIR="$dest/l"
	assert_success
	[ -x "$dest/l/usr/local/bin/mapsh" ]
	[ -f "$dest/l/usr/local/share/man/man8/mapsh.8" ]
	run make -s -C "$TOP" -o mapsh uninstall DESTDIR="$dest" PREFIX=/usr
	assert_success
	run find "$dest/usr" -type f
	assert_output ""
}
