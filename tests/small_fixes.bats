#!/usr/bin/env bats
# Partial writes that keep what they do not name, access decided by the
# kernel and the capabilities rather than the user id, and the smaller
# checks: watch's shortest interval, map ids, LPM prefix lengths, long
# arguments in messages, paths that are not map pins, the build's flags.
# All against the bundled maps loaded into the real kernel.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	mapsh load >/dev/null
}
teardown() {
	if [ -n "${CAPS_FS:-}" ]; then
		umount "$CAPS_FS" 2>/dev/null || umount -l "$CAPS_FS" 2>/dev/null || true
		rm -rf "$CAPS_DIR"
	fi
	teardown_common
}

# one_error WANT_RC ARGS...: mapsh fails with WANT_RC, prints nothing on
# stdout and exactly one "mapsh: " line on stderr ($stderr).
one_error() {
	local want=$1
	shift
	run --separate-stderr mapsh "$@" </dev/null
	[ "$status" -eq "$want" ] || fail "mapsh $*: exit $status, expected $want ($stderr)"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "mapsh $*: ${#stderr_lines[@]} stderr lines: $stderr"
	[[ "$stderr" == "mapsh: "* ]] || fail "mapsh $*: $stderr"
	[ -z "$output" ] || fail "mapsh $*: printed '$output'"
}

cfg() { dump_pinned config | jq -r ".[0].formatted.value.$1"; }
RULE="src_ip=10.0.0.9 dst_port=0 protocol=0"
rule_field() { lookup blocklist "$(hex_ip4 10.0.0.9) 00 00 00 00" | jq -r ".formatted.value.$1"; }

# ---- set: FIELD=VALUE only ----

@test "set refuses a bare word (exit 2) and the datapath stays on" {
	[ "$(cfg enabled)" = 1 ]
	before=$(dump_pinned config)
	one_error 2 config set 0
	[[ "$stderr" == *"config set: '0' is not FIELD=VALUE (fields: enabled, sample_rate, rate_limit_pps, event_mask; to write a whole value use update)"* ]] || fail "$stderr"
	[ "$(dump_pinned config)" = "$before" ]
	# with a key too: the value word after it is not a field
	one_error 2 iface_stats set 3 7
	[[ "$stderr" == *"'7' is not FIELD=VALUE (fields: packets, bytes, drops;"* ]] || fail "$stderr"
	one_error 2 config set sample_rate=5 9
	[ "$(dump_pinned config)" = "$before" ]
	# FIELD=VALUE still works, and changes only that field
	run mapsh config set sample_rate=5
	assert_success
	[ "$(cfg sample_rate)" = 5 ]
	[ "$(cfg enabled)" = 1 ]
}

# ---- update: the fields not named keep their value ----

@test "update of an existing entry keeps the fields it does not name; --zero-rest zeroes them" {
	[ "$(cfg enabled)" = 1 ]
	[ "$(cfg event_mask)" = 3 ]
	run mapsh config update 0 sample_rate=20
	assert_success
	[ "$(cfg sample_rate)" = 20 ]
	[ "$(cfg enabled)" = 1 ]
	[ "$(cfg event_mask)" = 3 ]
	run mapsh config update --zero-rest 0 sample_rate=21
	assert_success
	[ "$(cfg sample_rate)" = 21 ]
	[ "$(cfg enabled)" = 0 ]
	[ "$(cfg event_mask)" = 0 ]
	# a hash entry: hits survive a new action
	run mapsh blocklist update $RULE action=drop hits=5
	assert_success
	run mapsh blocklist update $RULE action=allow
	assert_success
	[ "$(rule_field action)" = FW_ALLOW ]
	[ "$(rule_field hits)" = 5 ]
	run mapsh blocklist replace $RULE action=drop
	assert_success
	[ "$(rule_field hits)" = 5 ]
	run mapsh blocklist replace --zero-rest $RULE action=drop
	assert_success
	[ "$(rule_field action)" = FW_DROP ]
	[ "$(rule_field hits)" = 0 ]
	# bytes are a whole value
	run mapsh blocklist update $RULE value hex 00 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00
	assert_success
	[ "$(rule_field action)" = FW_ALLOW ]
	[ "$(rule_field hits)" = 7 ]
}

@test "update of a new entry zeroes the fields it does not name" {
	run mapsh blocklist update $RULE action=drop hits=9
	assert_success
	run mapsh blocklist delete $RULE
	assert_success
	run mapsh blocklist update $RULE action=drop
	assert_success
	[ "$(rule_field hits)" = 0 ]
	run mapsh blocklist update src_ip=10.0.0.8 dst_port=0 protocol=0 hits=4
	assert_success
	v=$(lookup blocklist "$(hex_ip4 10.0.0.8) 00 00 00 00")
	[ "$(jq -r .formatted.value.action <<<"$v")" = FW_ALLOW ]
	[ "$(jq -r .formatted.value.hits <<<"$v")" = 4 ]
}

@test "update of a per-CPU entry keeps each CPU's other fields" {
	ncpu=$(dump_pinned cpu_stats | jq '.[0].formatted.values | length')
	[ "$ncpu" -ge 1 ]
	run mapsh cpu_stats update 0 packets=5 bytes=50 drops=1
	assert_success
	run mapsh cpu_stats update 0 drops=2
	assert_success
	[ "$(percpu_sum cpu_stats packets)" = $((5 * ncpu)) ]
	[ "$(percpu_sum cpu_stats bytes)" = $((50 * ncpu)) ]
	[ "$(percpu_sum cpu_stats drops)" = $((2 * ncpu)) ]
	run mapsh cpu_stats update --zero-rest 0 drops=3
	assert_success
	[ "$(percpu_sum cpu_stats packets)" = 0 ]
	[ "$(percpu_sum cpu_stats drops)" = $((3 * ncpu)) ]
}

@test "update's help and the man page say what happens to the fields not named" {
	run mapsh config update --help
	assert_success
	assert_output --partial "--zero-rest"
	assert_output --partial "keep what the entry has"
	run mapsh config set --help
	assert_output --partial "is refused"
	grep -q 'zero-rest' "$TOP/man/mapsh.8"
	grep -q 'zero-rest' "$TOP/README.md"
}

# ---- watch ----

@test "watch refuses an interval under 0.1 s (exit 2) and sorts an empty map" {
	one_error 2 flows watch -i 1e-9 --count 1
	[[ "$stderr" == *"-i '1e-9': the shortest interval is 0.1 s"* ]] || fail "$stderr"
	one_error 2 flows watch -i 0.09 --count 1
	run --separate-stderr timeout 20 "$MAPSH" flows watch --count 2 -i 0.1 sort packets/s desc limit 5 </dev/null
	assert_success
	[ -z "$stderr" ] || fail "$stderr"
	[ "${#lines[@]}" -eq 3 ]	# the header line, two summaries
	[[ "${lines[0]}" == "# time	event	"* ]] || fail "$output"
	[[ "${lines[2]}" == *"refresh 2 after"*"0/16384 entries"* ]] || fail "$output"
}

# ---- selectors and keys ----

@test "id with a word that is no number is a usage error (exit 2)" {
	one_error 2 id abc
	[ "$stderr" = "mapsh: id 'abc': not a map id (expected a number, e.g. 'mapsh id 42 dump')" ]
	one_error 2 id -3 dump
	# a number with no map is a runtime failure, as before
	one_error 1 id 3999999999
}

@test "an LPM prefix length over the key's bits is refused before the kernel (exit 2)" {
	before=$(dump_pinned blocked_prefixes)
	one_error 2 blocked_prefixes update 10.0.0.0/40 action=drop
	[ "$stderr" = "mapsh: blocked_prefixes update: 10.0.0.0/40: prefix length 40 is over 32" ]
	one_error 2 blocked_prefixes lookup 10.0.0.0/33
	one_error 2 blocked_prefixes update prefixlen=33 addr=10.0.0.0 action=drop
	[[ "$stderr" == *"prefix length 33 is over 32"* ]] || fail "$stderr"
	one_error 2 blocked_prefixes update '{"prefixlen":64,"addr":"10.0.0.0"}' action=drop
	[ "$(dump_pinned blocked_prefixes)" = "$before" ]
	run mapsh blocked_prefixes update 10.0.0.0/32 action=drop
	assert_success
	run mapsh -j blocked_prefixes lookup 10.0.0.0
	assert_success
	[ "$(jq -r .key.prefixlen <<<"$output")" = 32 ]
}

@test "a huge argument is shortened in the message" {
	big=$(head -c 100000 /dev/zero | tr '\0' x)
	for args in "$big" "flows where $big" "id $big" "flows watch -i $big" "config set enabled=$big"; do
		run --separate-stderr mapsh $args </dev/null
		[ "$status" -ne 0 ]
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "${#stderr_lines[@]} lines"
		[ "${#stderr}" -lt 400 ] || fail "mapsh ${args:0:20}...: ${#stderr} characters"
		[[ "$stderr" == *"xxxxxxxx..."* ]] || fail "${stderr:0:300}"
	done
	one_error 2 id "$big"
	[[ "$stderr" == "mapsh: id '$(printf 'x%.0s' {1..64})...': not a map id"* ]] || fail "$stderr"
}

@test "pinned PATH that is no map pin says what it is" {
	one_error 1 pinned /etc/passwd
	[ "$stderr" = "mapsh: /etc/passwd: not a BPF map pin (not on a bpf filesystem)" ]
	one_error 1 pinned "$MAPSH_PIN_DIR/progs/flowtrack"
	[ "$stderr" = "mapsh: $MAPSH_PIN_DIR/progs/flowtrack is a pinned program, not a map" ]
	one_error 1 pinned "$MAPSH_PIN_DIR/progs" dump
	[ "$stderr" = "mapsh: $MAPSH_PIN_DIR/progs: a directory, not a BPF map pin" ]
	one_error 1 pinned "$MAPSH_PIN_DIR/nothing"
	[ "$stderr" = "mapsh: no pinned map at $MAPSH_PIN_DIR/nothing" ]
}

# ---- capabilities, not the user id ----

# A bpffs nobody can reach: the test's tmpdir is not searchable by others.
caps_setup() {
	command -v setpriv >/dev/null || skip "setpriv not installed"
	CAPS_DIR=$(mktemp -d /tmp/mapsh-caps.XXXXXX)
	chmod 755 "$CAPS_DIR"
	mkdir -m 700 "$CAPS_DIR/state"
	chown 65534:65534 "$CAPS_DIR/state"
	CAPS_FS="$CAPS_DIR/fs"
	mkdir "$CAPS_FS"
	mount -t bpf bpf "$CAPS_FS"
	export MAPSH_PIN_DIR="$CAPS_FS/mapsh" LIBXDP_BPFFS="$CAPS_FS"
	mapsh load >/dev/null
	chmod 755 "$CAPS_FS" "$MAPSH_PIN_DIR"
	mapsh config set sample_rate=7
	mapsh blocklist add $RULE action=drop hits=3
}
# nobody keeps its write locks in a state directory of its own
as_nobody() {
	MAPSH_STATE_DIR="$CAPS_DIR/state" setpriv --reuid=65534 --regid=65534 --clear-groups "$MAPSH" "$@"
}
as_nobody_bpf() {
	MAPSH_STATE_DIR="$CAPS_DIR/state" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=+bpf --ambient-caps=+bpf "$MAPSH" "$@"
}

@test "a user with CAP_BPF reads a pin it may read, typed; the pin's mode decides" {
	caps_setup
	chmod o+rw "$MAPSH_PIN_DIR/config" "$MAPSH_PIN_DIR/blocklist"
	run --separate-stderr as_nobody_bpf -j config
	assert_success
	[ -z "$stderr" ] || fail "$stderr"
	[ "$(jq '.[0].value.sample_rate' <<<"$output")" = 7 ]
	[ "$(jq '.[0].value.enabled' <<<"$output")" = 1 ]
	run --separate-stderr as_nobody_bpf -j blocklist lookup $RULE
	assert_success
	[ "$(jq -r .value.action <<<"$output")" = FW_DROP ]
	[ "$(jq .value.hits <<<"$output")" = 3 ]
	# it may write too
	run --separate-stderr as_nobody_bpf config set sample_rate=8
	assert_success
	[ "$(cfg sample_rate)" = 8 ]
	# a pin it may only read: reads work, a write is refused in one line
	chmod o-w "$MAPSH_PIN_DIR/config"
	run --separate-stderr as_nobody_bpf -j config
	assert_success
	[ "$(jq '.[0].value.sample_rate' <<<"$output")" = 8 ]
	run --separate-stderr as_nobody_bpf config set sample_rate=9 </dev/null
	assert_failure 1
	[ "$stderr" = "mapsh: config set: permission denied: the pin $MAPSH_PIN_DIR/config is read-only for this user (needs write access to it, or root)" ]
	[ "$(cfg sample_rate)" = 8 ]
	# the top commands look at the capabilities: maps lists the pins
	run --separate-stderr as_nobody_bpf maps
	assert_success
	assert_output --partial "$MAPSH_PIN_DIR/blocklist"
	# a map by id needs CAP_SYS_ADMIN, and says so
	id=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/config" | jq .id)
	run --separate-stderr as_nobody_bpf id "$id" </dev/null
	assert_failure 1
	[ "$stderr" = "mapsh: permission denied opening map id $id: a map by id needs CAP_SYS_ADMIN (or open its pin: pinned PATH)" ]
}

@test "without access to the pin: one clear line, exit 1, with or without CAP_BPF" {
	caps_setup
	for who in as_nobody as_nobody_bpf; do
		run --separate-stderr $who config </dev/null
		assert_failure 1
		[ "$stderr" = "mapsh: permission denied opening $MAPSH_PIN_DIR/config: needs read access to the pin (mode 0600, owner 0:0), or root" ] || fail "$who: $stderr"
		[ -z "$output" ]
		run --separate-stderr $who blocklist lookup $RULE </dev/null
		assert_failure 1
		[ "${#stderr_lines[@]}" -eq 1 ]
	done
	# a directory it cannot search
	chmod 700 "$MAPSH_PIN_DIR"
	run --separate-stderr as_nobody_bpf pinned "$MAPSH_PIN_DIR/config" </dev/null
	assert_failure 1
	[ "$stderr" = "mapsh: permission denied opening $MAPSH_PIN_DIR/config: needs search access to its directories" ]
	# without CAP_BPF the top commands refuse by capability
	run --separate-stderr as_nobody maps </dev/null
	assert_failure 1
	[ "$stderr" = "mapsh: maps: this needs CAP_BPF or CAP_SYS_ADMIN (root has both)" ]
}

# ---- the build ----

@test "make CFLAGS=... keeps the flags the build needs; SANITIZE=1 builds elsewhere" {
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE make -s -C "$TOP" -n -B CFLAGS=-O0 build/cli/base/err.o
	assert_success
	[[ "$output" == *"-O0 "*"-std=gnu11"*"-Icli"* ]] || fail "$output"
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE make -s -C "$TOP" -n -B SANITIZE=1 build/san/cli/base/err.o build/san/mapsh
	assert_success
	[[ "$output" == *"-fsanitize=address,undefined"*"-o build/san/cli/base/err.o"* ]] || fail "$output"
	[[ "$output" == *"-o build/san/mapsh"* ]] || fail "$output"
	# linked against the shared libraries, not -Bstatic
	[[ "$output" != *"-Bstatic"* ]] || fail "$output"
}
