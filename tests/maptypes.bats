#!/usr/bin/env bats
# Map types whose entries are no plain data, on real maps made here with
# bpftool (and tests/tools/mt_stack.bpf.c for stacks with content,
# tests/tools/sock_put.c for socket maps holding real sockets), each
# compared with what bpftool shows of the same map; the refusals of the
# verbs that do not apply; the README's table of verbs by map type.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	ID=$(_unique_id)
}
teardown() {
	[ -z "${SO_REGISTERED:-}" ] || bpftool struct_ops unregister name mt_cc >/dev/null 2>&1 || :
	[ -z "${SLEEPER:-}" ] || kill "$SLEEPER" 2>/dev/null || :
	[ -z "${SOCKER:-}" ] || kill "$SOCKER" 2>/dev/null || :
	[ -z "${HOLDER:-}" ] || kill "$HOLDER" 2>/dev/null || :
	# a cgroup made by the test (its programs go with it)
	if [ -n "${CG:-}" ] && [ -d "$CG" ]; then
		bpftool cgroup detach "$CG" egress pinned "$BPFFS/cgp/mt_egress" 2>/dev/null || :
		rmdir "$CG" || :
	fi
	teardown_common
}

# The value of bpftool's JSON lookup (hex bytes, little-endian) as a number.
le_num() { echo $((16#$(jq -r '.value | map(ltrimstr("0x")) | reverse | join("")' <<<"$1"))); }

# Stacks recorded by mt_record, run once: KSTACK and USTACK are the ids.
record_stacks() {
	local i
	bpftool prog loadall "$TOP/build/mt_stack.bpf.o" "$BPFFS/p" pinmaps "$BPFFS/m"
	ST="$BPFFS/m/mt_stacks"
	# bpf_get_stackid of a user stack fails now and then (-EFAULT: a
	# page of the stack it cannot read from there): run it again
	for ((i = 0; i < 5; i++)); do
		"$TOP/build/mt_run" "$BPFFS/p/mt_record" >/dev/null
		KSTACK=$(le_num "$(bpftool -j map lookup pinned "$BPFFS/m/mt_ids" key 0 0 0 0)")
		USTACK=$(le_num "$(bpftool -j map lookup pinned "$BPFFS/m/mt_ids" key 1 0 0 0)")
		BSTACK=$(le_num "$(bpftool -j map lookup pinned "$BPFFS/m/mt_ids" key 2 0 0 0)")
		[ "$KSTACK" -ge 0 ] && [ "$USTACK" -ge 0 ] && [ "$BSTACK" -ge 0 ] && return 0
	done
	fail "no stacks recorded in 5 runs: ids $KSTACK $USTACK $BSTACK"
}

# bpftool's stacks as {"ID": ["0xADDR", ...]} (little-endian u64s up to
# the first zero).
bpftool_stacks() {
	bpftool -j map dump pinned "$1" | python3 -c '
import json, sys
out = {}
for e in json.load(sys.stdin):
    k = int.from_bytes(bytes(int(b, 16) for b in e["key"]), "little")
    v = bytes(int(b, 16) for b in e["value"])
    a = [int.from_bytes(v[i:i+8], "little") for i in range(0, len(v), 8)]
    a = a[:a.index(0)] if 0 in a else a
    out[str(k)] = [hex(x) for x in a]
print(json.dumps(out, sort_keys=True, separators=(",", ":")))'
}

@test "stack_trace dump: bpftool's addresses, kernel ones named as /proc/kallsyms names them" {
	record_stacks
	run -0 mapsh -j pinned "$ST" dump
	mine=$(jq -cS 'map({(.key|tostring): [.stack[].addr]}) | add' <<<"$output")
	[ "$mine" = "$(bpftool_stacks "$ST")" ] || fail "mapsh $mine, bpftool $(bpftool_stacks "$ST")"
	# the kernel stack: the bpf(2) call that ran the program, every
	# frame's symbol the text symbol at or below it in kallsyms
	jq -e ".[] | select(.key == $KSTACK) | [.stack[].symbol] | any(startswith(\"bpf_prog_test_run_raw_tp+\"))" <<<"$output"
	jq -r ".[] | select(.key == $KSTACK) | .stack[] | \"\(.addr) \(.symbol)\"" <<<"$output" >"$BATS_TEST_TMPDIR/frames"
	python3 - "$BATS_TEST_TMPDIR/frames" <<'PY'
import bisect, sys
syms = []
for l in open("/proc/kallsyms"):
    p = l.split()
    if p[1] in "tTwW" and int(p[0], 16):
        syms.append((int(p[0], 16), p[2]))
syms.sort()
addrs = [s[0] for s in syms]
for l in open(sys.argv[1]):
    a, sym = l.split(" ", 1)
    a = int(a, 16)
    i = bisect.bisect_right(addrs, a) - 1
    want = "%s+0x%x" % (syms[i][1], a - syms[i][0])
    assert sym.strip().startswith(want), (sym, want)
PY
	# the user stack: addresses, no symbols
	jq -e ".[] | select(.key == $USTACK) | .stack | length > 0 and all(.symbol == null)" <<<"$output"
	# text: one row per frame, the symbol column
	run -0 mapsh pinned "$ST" dump
	[[ "$output" == *"	bpf_prog_test_run_raw_tp+0x"* ]] || fail "$output"
	[ "$(grep -c "^$KSTACK	" <<<"$output")" = "$(jq ".\"$KSTACK\" | length" <<<"$(bpftool_stacks "$ST")")" ]
}

@test "stack_trace lookup ID, delete ID, clear: bpftool sees the same" {
	record_stacks
	run -0 mapsh -j pinned "$ST" lookup "$KSTACK"
	[ "$(jq .key <<<"$output")" = "$KSTACK" ]
	[ "$(jq -c '[.stack[].addr]' <<<"$output")" = "$(bpftool_stacks "$ST" | jq -c ".\"$KSTACK\"")" ]
	run -0 mapsh pinned "$ST" lookup "$USTACK"
	[[ "$output" == "$USTACK	0	0x"*"	-"* ]] || fail "$output"
	run --separate-stderr mapsh pinned "$ST" lookup 63
	if [ "$KSTACK" != 63 ] && [ "$USTACK" != 63 ]; then
		[ "$status" -eq 1 ]
		[ "$stderr" = "mapsh: mt_stacks: no stack with id 63" ]
	fi
	run -0 mapsh pinned "$ST" delete "$USTACK"
	[ "$(bpftool_stacks "$ST" | jq -c keys)" = "[\"$KSTACK\"]" ]
	run -1 mapsh pinned "$ST" delete "$USTACK"
	run --separate-stderr mapsh pinned "$ST" clear
	[ "$status" -eq 2 ]	# no terminal to ask, no --yes
	run -0 mapsh --yes pinned "$ST" clear
	[ "$output" = "mt_stacks: deleted 1 entry" ]
	[ "$(bpftool_stacks "$ST")" = "{}" ]
}

@test "stack_trace: writing verbs refused in one line, exit 2, saying why" {
	bpftool map create "$BPFFS/st" type stack_trace key 4 value 64 entries 8 name "st_$ID"
	run -0 mapsh pinned "$BPFFS/st" dump
	[ "$output" = "" ]
	for verb in update add replace set save apply count watch getnext push pop drain follow; do
		run --separate-stderr mapsh pinned "$BPFFS/st" $verb
		[ "$status" -eq 2 ] || fail "$verb: $status"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$verb: $stderr"
		[[ "$stderr" == "mapsh: st_$ID (stack_trace): '$verb' does not apply"*"(verbs for stack_trace maps: dump, lookup, delete, clear, info, freeze, pin)" ]] || fail "$stderr"
	done
	run --separate-stderr mapsh pinned "$BPFFS/st" update 1 hex 00
	[ "$stderr" = "mapsh: st_$ID (stack_trace): 'update' does not apply: only programs record stacks (bpf_get_stackid) (verbs for stack_trace maps: dump, lookup, delete, clear, info, freeze, pin)" ]
}

@test "prog_array: the program's id, name and type, as bpftool has them; update by pin or id" {
	bpftool prog loadall "$TOP/build/mt_stack.bpf.o" "$BPFFS/p"
	bpftool map create "$BPFFS/pa" type prog_array key 4 value 4 entries 4 name "pa_$ID"
	bpftool map update pinned "$BPFFS/pa" key 2 0 0 0 value pinned "$BPFFS/p/mt_record"
	pid=$(bpftool -j prog show pinned "$BPFFS/p/mt_record" | jq .id)
	bid=$(bpftool -j map lookup pinned "$BPFFS/pa" key 2 0 0 0 | jq '.value | map(ltrimstr("0x")) | reverse | join("")' -r)
	[ "$((16#$bid))" = "$pid" ]
	run -0 mapsh -j pinned "$BPFFS/pa"
	[ "$(jq -c . <<<"$output")" = "[{\"key\":2,\"prog_id\":$pid,\"prog_name\":\"mt_record\",\"prog_type\":\"raw_tracepoint\"}]" ]
	run -0 mapsh pinned "$BPFFS/pa" lookup 2
	[[ "$output" == *"$pid"*mt_record* ]]
	run -1 mapsh pinned "$BPFFS/pa" lookup 1
	run -2 mapsh pinned "$BPFFS/pa" lookup 9
	# update sets a program, by pin or id; bpftool reads its id there
	run -0 mapsh pinned "$BPFFS/pa" update 1 pinned "$BPFFS/p/mt_record"
	run -0 mapsh pinned "$BPFFS/pa" update 3 id "$pid"
	for k in 1 3; do
		[ "$(le_num "$(bpftool -j map lookup pinned "$BPFFS/pa" key $k 0 0 0)")" = "$pid" ]
	done
	run --separate-stderr mapsh pinned "$BPFFS/pa" update 0 pinned "$BPFFS/pa"
	[ "$status" -eq 2 ]
	[ "$stderr" = "mapsh: pa_$ID update: $BPFFS/pa is not a program" ]
	run -1 mapsh pinned "$BPFFS/pa" update 0 id 4294967295
	run -0 mapsh pinned "$BPFFS/pa" delete 2
	run -0 mapsh --yes pinned "$BPFFS/pa" clear
	[ "$output" = "pa_$ID: deleted 2 entries" ]
	[ "$(bpftool -j map dump pinned "$BPFFS/pa" | jq length)" = 0 ]
}

@test "devmap and devmap_hash: interfaces by name; update takes a name" {
	for t in devmap devmap_hash; do
		bpftool map create "$BPFFS/$t" type $t key 4 value 4 entries 4 name "d${t:6:1}_$ID"
		run -0 mapsh pinned "$BPFFS/$t" update 3 lo
		[ "$(bpftool -j map lookup pinned "$BPFFS/$t" key 3 0 0 0 | jq -c .value)" = '["0x01","0x00","0x00","0x00"]' ]
		run -0 mapsh pinned "$BPFFS/$t" dump
		[ "$output" = "3	1	lo" ]
		run -0 mapsh pinned "$BPFFS/$t" count
		[ "$output" = 1 ]
		run -0 mapsh -j pinned "$BPFFS/$t" lookup 3
		[ "$(jq -c . <<<"$output")" = '{"key":3,"ifindex":1,"ifname":"lo"}' ]
		run --separate-stderr mapsh pinned "$BPFFS/$t" update 2 nosuch0
		[ "$status" -eq 2 ]
		[ "$stderr" = "mapsh: d${t:6:1}_$ID update: no interface 'nosuch0' (expected an interface name or index)" ]
		run -0 mapsh pinned "$BPFFS/$t" update 0 1
		run -0 mapsh --yes pinned "$BPFFS/$t" clear
		[ "$output" = "d${t:6:1}_$ID: deleted 2 entries" ]
		[ "$(bpftool -j map dump pinned "$BPFFS/$t" | jq '[.[] | select(.value | type == "array")] | length')" = 0 ]
	done
}

@test "cpumap: qsize, as bpftool reads it" {
	bpftool map create "$BPFFS/cm" type cpumap key 4 value 4 entries 1 name "cm_$ID"
	run -0 mapsh pinned "$BPFFS/cm" update 0 qsize=192
	[ "$(bpftool -j map lookup pinned "$BPFFS/cm" key 0 0 0 0 | jq -c .value)" = '["0xc0","0x00","0x00","0x00"]' ]
	run -0 mapsh -j pinned "$BPFFS/cm"
	[ "$(jq -c . <<<"$output")" = '[{"key":0,"qsize":192}]' ]
	run -2 mapsh pinned "$BPFFS/cm" update 0 size=3
	run -0 mapsh pinned "$BPFFS/cm" delete 0
	run -0 mapsh -j pinned "$BPFFS/cm"
	[ "$output" = "[]" ]
}

@test "bloom_filter: lookup is a membership test, push adds" {
	bpftool map create "$BPFFS/bl" type bloom_filter key 0 value 4 entries 64 name "bl_$ID"
	run -1 mapsh pinned "$BPFFS/bl" lookup 7
	[ "$output" = "not present" ]
	run -0 mapsh pinned "$BPFFS/bl" push 7
	run -0 mapsh pinned "$BPFFS/bl" lookup 7
	[ "$output" = "maybe present" ]
	run -0 mapsh pinned "$BPFFS/bl" lookup hex 07 00 00 00
	run -0 mapsh -j pinned "$BPFFS/bl" lookup 7
	[ "$(jq .maybe_present <<<"$output")" = true ]
	run --separate-stderr mapsh pinned "$BPFFS/bl" dump
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'dump' does not apply: a bloom filter has no keys: lookup VALUE tests membership, push VALUE adds"* ]]
}

@test "socket, XDP socket and user ring buffer maps: what the kernel lets be read, refusals say why" {
	bpftool map create "$BPFFS/sm" type sockmap key 4 value 8 entries 4 name "sm_$ID"
	run -0 mapsh -j pinned "$BPFFS/sm"
	[ "$output" = "[]" ]
	run --separate-stderr mapsh pinned "$BPFFS/sm" update 0 1
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'update' does not apply: an entry is a socket of the writing process"* ]]
	bpftool map create "$BPFFS/xs" type xskmap key 4 value 4 entries 4 name "xs_$ID"
	run --separate-stderr mapsh pinned "$BPFFS/xs" lookup 0
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'lookup' does not apply: the kernel does not show the sockets of an XDP socket map to user space"* ]]
	# without a verb: info, not a refusal
	run -0 mapsh pinned "$BPFFS/xs"
	[[ "$output" == *"type	xskmap"* ]]
	bpftool map create "$BPFFS/ur" type user_ringbuf key 0 value 0 entries 4096 name "ur_$ID"
	run --separate-stderr mapsh pinned "$BPFFS/ur" dump
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"(user_ringbuf): 'dump' does not apply: user space writes a user ring buffer"*"(verbs for user_ringbuf maps: info, freeze, pin)" ]]
}

# Real sockets in a sockmap sm (4 slots) and a sockhash sh (8-byte keys),
# both of value_size $1 (default 8), held by tests/tools/sock_put in a
# network namespace of the test's own (so that ss sees its sockets only):
# SOCKS is what it printed, one line per entry (MAP KEY COOKIE LPORT
# RPORT), SOCKER its pid.
start_socks() {
	local v=${1:-8} i
	setup_net 0
	bpftool map create "$BPFFS/sm" type sockmap key 4 value "$v" entries 4 name "sm_$ID"
	bpftool map create "$BPFFS/sh" type sockhash key 8 value "$v" entries 8 name "sh_$ID"
	SOCKS_OUT="$BATS_TEST_TMPDIR/socks"
	# nsenter itself, not in_ns (a function: its subshell would take the
	# signals): nsenter execs sock_put, so SOCKER is sock_put's pid
	nsenter --net="/run/netns/$NS" "$TOP/build/sock_put" "$BPFFS/sm" "$BPFFS/sh" \
		>"$SOCKS_OUT" </dev/null 3>&- &
	SOCKER=$!
	for ((i = 0; i < 50; i++)); do
		grep -qsx ready "$SOCKS_OUT" && break
		sleep 0.1
	done
	grep -qx ready "$SOCKS_OUT" || fail "sock_put: $(cat "$SOCKS_OUT")"
	[ "$(cat "/proc/$SOCKER/comm")" = sock_put ]
	SOCKS=$(grep '^sock' "$SOCKS_OUT")
	[ "$(grep -c . <<<"$SOCKS")" = 6 ]
}

# The sockhash key of sock_put's "LPORT,RPORT" as mapsh shows bytes.
sh_key() { echo "$(hex_u32le "${1%,*}") $(hex_u32le "${1#*,}")"; }

# What a dump of MAP (sockmap, sockhash) shows of SOCKS: KEY<tab>COOKIE
# lines, sorted; with cookies=no the keys alone.
socks_want() {
	local map k c lp rp
	while read -r map k c lp rp; do
		[ "$map" = "$1" ] || continue
		[ "$map" = sockhash ] && k=$(sh_key "$k")
		if [ "${2:-}" = no ]; then
			echo "$k"
		else
			printf '%s\t%s\n' "$k" "$c"
		fi
	done <<<"$SOCKS" | sort
}

# The cookie sock_put printed for MAP at KEY (its own form: 2, or 47783,0).
cookie_of() { awk -v m="$1" -v k="$2" '$1 == m && $2 == k { print $3 }' <<<"$SOCKS"; }

# mapsh's -j dump rows as KEY<tab>COOKIE lines, sorted.
json_rows() { jq -r '.[] | "\(.key)\t\(.cookie)"' | sort; }

# bpftool's dump of a socket map as KEY<tab>COOKIE lines (KEY a number
# for 4-byte keys, else bytes as mapsh shows them), sorted; the empty slots
# of a sockmap are {"error": ...} values there, left out.
bpftool_rows() {
	bpftool -j map dump pinned "$1" | jq -r '.[] | select(.value | type == "array") |
		(.key | map(ltrimstr("0x"))) as $k |
		"\(if ($k | length) == 4 then ($k | reverse | join("") | explode | map(if . >= 97 then . - 87 else . - 48 end) | reduce .[] as $d (0; . * 16 + $d)) else ($k | join(" ")) end)\t\(.value | map(ltrimstr("0x")) | reverse | join("") | explode | map(if . >= 97 then . - 87 else . - 48 end) | reduce .[] as $d (0; . * 16 + $d))"' | sort
}

@test "sockmap and sockhash of real sockets: each entry's cookie, as bpftool and ss show it; count, lookup" {
	start_socks
	sm=$(socks_want sockmap)
	sh=$(socks_want sockhash)
	# the listener, the client and the accepted socket: three cookies
	[ "$(cut -f2 <<<"$sm" | sort -u | wc -l)" = 3 ]
	[ "$(cut -f2 <<<"$sh" | sort)" = "$(cut -f2 <<<"$sm" | sort)" ]
	# plain: index order for the sockmap (slot 1 is empty)
	run -0 mapsh pinned "$BPFFS/sm" dump
	[ "$output" = "$sm" ] || fail "mapsh: $output, sock_put: $sm"
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "0 2 3 " ]
	run -0 mapsh pinned "$BPFFS/sh" dump
	[ "$(sort <<<"$output")" = "$sh" ] || fail "mapsh: $output, sock_put: $sh"
	# -j: {"key", "cookie"}, the key a number or the bytes
	run -0 mapsh -j pinned "$BPFFS/sm"
	[ "$(jq -c '.[0] | keys' <<<"$output")" = '["cookie","key"]' ]
	[ "$(jq '[.[].key | type] | unique == ["number"]' <<<"$output")" = true ]
	[ "$(json_rows <<<"$output")" = "$sm" ]
	run -0 mapsh -j pinned "$BPFFS/sh"
	[ "$(jq '[.[].key | type] | unique == ["string"]' <<<"$output")" = true ]
	[ "$(json_rows <<<"$output")" = "$sh" ]
	# table: a header, then the rows
	run -0 mapsh --format table pinned "$BPFFS/sm"
	[[ "${lines[0]}" =~ ^key\ +cookie$ ]] || fail "$output"
	[ "${#lines[@]}" = 4 ]
	[ "$(tail -n +2 <<<"$output" | tr -s ' ' '\t')" = "$sm" ]
	# bpftool: the cookie as the value's little-endian bytes
	[ "$(bpftool_rows "$BPFFS/sm")" = "$sm" ] || fail "bpftool: $(bpftool_rows "$BPFFS/sm")"
	[ "$(bpftool_rows "$BPFFS/sh")" = "$sh" ] || fail "bpftool: $(bpftool_rows "$BPFFS/sh")"
	# and --format bpftool is bpftool's JSON of the entries there are
	run -0 mapsh --format bpftool pinned "$BPFFS/sm"
	[ "$(jq -c . <<<"$output")" = "$(bpftool -j map dump pinned "$BPFFS/sm" | jq -c '[.[] | select(.value | type == "array")]')" ]
	run -0 mapsh --format bpftool pinned "$BPFFS/sh"
	[ "$(jq -c 'sort' <<<"$output")" = "$(bpftool -j map dump pinned "$BPFFS/sh" | jq -c 'sort')" ]
	# ss -e names each socket by the same cookie, in hex (sk:HEX)
	while read -r map k c lp rp; do
		peer="127.0.0.1:$rp"
		[ "$rp" = 0 ] && peer="0.0.0.0:*"
		got=$(in_ns ss -Htane | awk -v l="127.0.0.1:$lp" -v p="$peer" '$4 == l && $5 == p' | grep -o 'sk:[0-9a-f]*')
		[ "$got" = "sk:$(printf %x "$c")" ] || fail "$map $k: ss says '$got', the cookie is $c"
	done <<<"$SOCKS"
	# count: the filled slots
	run -0 mapsh pinned "$BPFFS/sm" count
	[ "$output" = 3 ]
	run -0 mapsh -j pinned "$BPFFS/sm" count
	[ "$(jq -c . <<<"$output")" = '{"entries":3,"max_entries":4}' ]
	run -0 mapsh -j pinned "$BPFFS/sh" count
	[ "$(jq -c . <<<"$output")" = '{"entries":3,"max_entries":8}' ]
	run -2 mapsh pinned "$BPFFS/sm" count where key == 2
	# lookup: the cookie at an index, at a key given as bytes
	c2=$(cookie_of sockmap 2)
	run -0 mapsh -j pinned "$BPFFS/sm" lookup 2
	[ "$(jq -c . <<<"$output")" = "{\"key\":2,\"cookie\":$c2}" ]
	run -0 mapsh pinned "$BPFFS/sm" lookup 3
	[ "$output" = "$(printf 'key\t3\ncookie\t%s' "$(cookie_of sockmap 3)")" ]
	run --separate-stderr mapsh pinned "$BPFFS/sm" lookup 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "mapsh: sm_$ID: no socket at key 1" ]
	k=$(awk '$1 == "sockhash" { print $2; exit }' <<<"$SOCKS")
	run -0 mapsh -j pinned "$BPFFS/sh" lookup hex $(sh_key "$k")
	[ "$(jq -c . <<<"$output")" = "{\"key\":\"$(sh_key "$k")\",\"cookie\":$(cookie_of sockhash "$k")}" ]
	# update stays refused: a socket is an fd of the writer
	run --separate-stderr mapsh pinned "$BPFFS/sh" update hex $(sh_key "$k") value 1
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'update' does not apply: an entry is a socket of the writing process"* ]]
}

@test "socket maps: delete takes an entry out (the socket stays open), a closed socket leaves both maps" {
	start_socks
	unset MAPSH_AUDIT_LOG
	log="$BATS_TEST_TMPDIR/audit.log"
	c0=$(cookie_of sockmap 0) c2=$(cookie_of sockmap 2) c3=$(cookie_of sockmap 3)
	# the listener out of the sockmap: silent, and in the audit log with
	# the cookie it had
	run -0 mapsh --audit-log "$log" pinned "$BPFFS/sm" delete 0
	[ -z "$output" ]
	[ "$(jq -c 'select(.state == "intent") | [.op, .key, .new]' "$log")" = '["delete",["0x00","0x00","0x00","0x00"],null]' ]
	[ "$(le_num "$(jq -c 'select(.state == "intent") | {value: .old}' "$log")")" = "$c0" ]
	[ "$(jq -r 'select(.state == "done") | .changes' "$log")" = 1 ]
	run -0 mapsh -j pinned "$BPFFS/sm"
	[ "$(jq -c . <<<"$output")" = "[{\"key\":2,\"cookie\":$c2},{\"key\":3,\"cookie\":$c3}]" ]
	[ "$(bpftool_rows "$BPFFS/sm" | cut -f1 | tr '\n' ' ')" = "2 3 " ]
	# the sockhash still holds it, and the socket is still open
	run -0 mapsh pinned "$BPFFS/sh" count
	[ "$output" = 3 ]
	in_ns ss -Htlne | grep -q "sk:$(printf %x "$c0")\b"
	# gone, or an empty slot: no entry (the kernel says EINVAL for the
	# empty slot of a sockmap)
	run --separate-stderr mapsh pinned "$BPFFS/sm" delete 0
	[ "$status" -eq 1 ]
	[ "$stderr" = "mapsh: sm_$ID: no entry with key 0" ]
	run --separate-stderr mapsh pinned "$BPFFS/sm" delete 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "mapsh: sm_$ID: no entry with key 1" ]
	# the accepted socket out of the sockhash, by its key's bytes
	acc=$(awk '$1 == "sockhash" && $5 != 0 { n++ } $1 == "sockhash" && n == 2 { print $2; exit }' <<<"$SOCKS")
	[ "$(cookie_of sockhash "$acc")" = "$c3" ]
	run -0 mapsh pinned "$BPFFS/sh" delete hex $(sh_key "$acc")
	run -0 mapsh -j pinned "$BPFFS/sh"
	[ "$(jq -r '.[].cookie' <<<"$output" | sort -n | tr '\n' ' ')" = "$(printf '%s\n' "$c0" "$c2" | sort -n | tr '\n' ' ')" ]
	# the client closed: out of both maps
	kill -USR1 "$SOCKER"
	for ((i = 0; i < 50; i++)); do
		grep -q '^closed' "$SOCKS_OUT" && break
		sleep 0.1
	done
	[ "$(grep '^closed' "$SOCKS_OUT")" = "closed $c2" ]
	run -0 mapsh -j pinned "$BPFFS/sm"
	[ "$(jq -c . <<<"$output")" = "[{\"key\":3,\"cookie\":$c3}]" ]
	run -0 mapsh -j pinned "$BPFFS/sh"
	[ "$(jq -c '[.[].cookie]' <<<"$output")" = "[$c0]" ]
	# every socket closed: both maps empty
	kill "$SOCKER"
	wait "$SOCKER" || :
	SOCKER=
	run -0 mapsh -j pinned "$BPFFS/sm"
	[ "$output" = "[]" ]
	run -0 mapsh pinned "$BPFFS/sh" count
	[ "$output" = 0 ]
	[ "$(bpftool_rows "$BPFFS/sm")" = "" ]
	[ "$(bpftool -j map dump pinned "$BPFFS/sh")" = "[]" ]
}

@test "socket maps of 4-byte values: the kernel gives no cookie, and mapsh says so" {
	start_socks 4
	# the kernel answers every lookup with ENOSPC, filled slot or not
	[ "$(bpftool -j map dump pinned "$BPFFS/sm" | jq -c '[.[].value.error] | unique')" = '["No space left on device"]' ]
	run --separate-stderr mapsh pinned "$BPFFS/sm" dump
	[ "$status" -eq 1 ]
	[ "$stderr" = "mapsh: sm_$ID dump: the kernel gives a socket's cookie only into 8-byte values, and sm_$ID's are 4 bytes: it shows no cookie, nor which indexes hold a socket" ]
	run -1 mapsh pinned "$BPFFS/sm" count
	run -1 mapsh pinned "$BPFFS/sm" lookup 0
	# a sockhash lists its keys still
	run --separate-stderr mapsh pinned "$BPFFS/sh" dump
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output")" = "$(socks_want sockhash no)" ]
	[ "$stderr" = "mapsh: sh_$ID: the keys alone: the kernel gives a socket's cookie only into 8-byte values (sh_$ID's are 4 bytes)" ]
	run -0 --separate-stderr mapsh -j pinned "$BPFFS/sh" dump
	[ "$(jq -c '[.[] | keys] | unique' <<<"$output")" = '[["key"]]' ]
	run -0 mapsh pinned "$BPFFS/sh" count
	[ "$output" = 3 ]
	k=$(awk '$1 == "sockhash" { print $2; exit }' <<<"$SOCKS")
	run --separate-stderr mapsh pinned "$BPFFS/sh" lookup hex $(sh_key "$k")
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"sh_$ID's are 4 bytes: it shows no cookie (dump lists the keys)" ]]
	# delete needs no cookie; clear skips the empty slot 1
	run -0 mapsh pinned "$BPFFS/sh" delete hex $(sh_key "$k")
	run -0 mapsh pinned "$BPFFS/sh" count
	[ "$output" = 2 ]
	run -0 mapsh --yes pinned "$BPFFS/sm" clear
	[ "$output" = "sm_$ID: deleted 3 entries" ]
	run -0 mapsh --yes pinned "$BPFFS/sm" clear
	[ "$output" = "sm_$ID: deleted 0 entries" ]
}

# hold_sockets PIN KEY...: UDP sockets with SO_REUSEPORT, one put at each
# KEY of the socket map PIN by a process of ours ($HOLDER, ended in
# teardown; the kernel drops a socket from the map when it closes). Their
# cookies, one a line, in $BATS_TEST_TMPDIR/cookies.
hold_sockets() {
	python3 - "$@" >"$BATS_TEST_TMPDIR/cookies" 2>&1 3>&- <<'PY' &
import ctypes, os, socket, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
def bpf(cmd, attr):
    buf = (ctypes.c_char * len(attr)).from_buffer(attr)
    if libc.syscall(321, cmd, buf, len(attr)) < 0:	# __NR_bpf, x86-64
        sys.exit("bpf %d: %s" % (cmd, os.strerror(ctypes.get_errno())))
path = ctypes.create_string_buffer(sys.argv[1].encode())
a = bytearray(128); struct.pack_into("Q", a, 0, ctypes.addressof(path))
mfd = libc.syscall(321, 7, (ctypes.c_char * 128).from_buffer(a), 128)	# BPF_OBJ_GET
keep = []
for k in sys.argv[2:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", 0))
    kb = ctypes.create_string_buffer(struct.pack("I", int(k)))
    vb = ctypes.create_string_buffer(struct.pack("Q", s.fileno()))
    a = bytearray(128)
    struct.pack_into("IIQQQ", a, 0, mfd, 0, ctypes.addressof(kb), ctypes.addressof(vb), 0)
    bpf(2, a)	# BPF_MAP_UPDATE_ELEM
    keep.append(s)
    print(struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 57, 8))[0])	# SO_COOKIE
sys.stdout.flush()
time.sleep(300)
PY
	HOLDER=$!
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(wc -l <"$BATS_TEST_TMPDIR/cookies")" -ge $(($# - 1)) ] && return 0
		sleep 0.1
	done
	fail "no sockets: $(cat "$BATS_TEST_TMPDIR/cookies")"
}

@test "reuseport_sockarray: each socket's cookie, as bpftool reads it; delete and clear" {
	bpftool map create "$BPFFS/ra" type reuseport_sockarray key 4 value 8 entries 4 name "ra_$ID"
	hold_sockets "$BPFFS/ra" 1 3
	c1=$(sed -n 1p "$BATS_TEST_TMPDIR/cookies")
	c3=$(sed -n 2p "$BATS_TEST_TMPDIR/cookies")
	# bpftool's bytes of key 1: the cookie
	[ "$(le_num "$(bpftool -j map lookup pinned "$BPFFS/ra" key 1 0 0 0)")" = "$c1" ]
	run -0 mapsh -j pinned "$BPFFS/ra" dump
	[ "$(jq -c . <<<"$output")" = "[{\"key\":1,\"cookie\":$c1},{\"key\":3,\"cookie\":$c3}]" ] || fail "$output"
	run -0 mapsh pinned "$BPFFS/ra" lookup 3
	[ "$output" = "key	3"$'\n'"cookie	$c3" ] || fail "$output"
	run --separate-stderr mapsh pinned "$BPFFS/ra" lookup 0
	[ "$status" -eq 1 ]
	[ "$stderr" = "mapsh: ra_$ID: no socket at key 0" ]
	run --separate-stderr mapsh pinned "$BPFFS/ra" update 0 1
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'update' does not apply: an entry is a socket of the writing process"* ]] || fail "$stderr"
	# bpftool's dump then has no socket at 1, then none at all
	run -0 mapsh pinned "$BPFFS/ra" delete 1
	[ "$(bpftool -j map dump pinned "$BPFFS/ra" | jq -c '[.[] | select(.value | type == "array") | .key[0]]')" = '["0x03"]' ]
	run -0 mapsh --yes pinned "$BPFFS/ra" clear
	[ "$output" = "ra_$ID: deleted 1 entry" ]
	[ "$(bpftool -j map dump pinned "$BPFFS/ra" | jq -c '[.[] | select(.value | type == "array")]')" = '[]' ]
}

# put_cgroup PIN KEY DIR: the cgroup DIR at KEY of the cgroup array PIN,
# written as a program's loader does (its fd; the map keeps the cgroup).
put_cgroup() {
	python3 - "$@" <<'PY'
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
def bpf(cmd, a):
    r = libc.syscall(321, cmd, (ctypes.c_char * 128).from_buffer(a), 128)	# __NR_bpf, x86-64
    if r < 0:
        sys.exit("bpf %d: %s" % (cmd, os.strerror(ctypes.get_errno())))
    return r
path = ctypes.create_string_buffer(sys.argv[1].encode())
a = bytearray(128); struct.pack_into("Q", a, 0, ctypes.addressof(path))
mfd = bpf(7, a)	# BPF_OBJ_GET
kb = ctypes.create_string_buffer(struct.pack("I", int(sys.argv[2])))
vb = ctypes.create_string_buffer(struct.pack("I", os.open(sys.argv[3], os.O_RDONLY)))
a = bytearray(128)
struct.pack_into("IIQQQ", a, 0, mfd, 0, ctypes.addressof(kb), ctypes.addressof(vb), 0)
bpf(2, a)	# BPF_MAP_UPDATE_ELEM
PY
}

# bt_gone PIN KEY: bpftool's delete of KEY finds no entry there.
bt_gone() {
	run bpftool map delete pinned "$1" key "$2" 0 0 0
	[ "$status" -ne 0 ] && [[ "$output" == *"No such file or directory"* ]] || fail "key $2: $output"
}

@test "cgroup_array and perf_event_array: delete and clear their slots, as bpftool's delete does; no dump" {
	[ -d /sys/fs/cgroup/unified ] || skip "no cgroup2 hierarchy at /sys/fs/cgroup/unified"
	CG=/sys/fs/cgroup/unified/mt_$ID
	mkdir "$CG"
	bpftool map create "$BPFFS/ca" type cgroup_array key 4 value 4 entries 4 name "ca_$ID"
	put_cgroup "$BPFFS/ca" 1 "$CG"
	put_cgroup "$BPFFS/ca" 2 "$CG"
	run -0 mapsh pinned "$BPFFS/ca" delete 1
	# bpftool finds no entry at 1 any more
	bt_gone "$BPFFS/ca" 1
	run --separate-stderr mapsh pinned "$BPFFS/ca" delete 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "mapsh: ca_$ID: no entry with key 1" ]
	run -2 mapsh pinned "$BPFFS/ca" delete 4
	run -0 mapsh --yes pinned "$BPFFS/ca" clear
	[ "$output" = "ca_$ID: deleted 1 entry" ]
	bt_gone "$BPFFS/ca" 2
	run --separate-stderr mapsh pinned "$BPFFS/ca" dump
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"(verbs for cgroup_array maps: delete, clear, info, freeze, pin)" ]] || fail "$stderr"
	bpftool map create "$BPFFS/pe" type perf_event_array key 4 value 4 entries 2 name "pe_$ID"
	run -1 mapsh pinned "$BPFFS/pe" delete 0
	run -0 mapsh --yes pinned "$BPFFS/pe" clear
	[ "$output" = "pe_$ID: deleted 0 entries" ]
}

@test "the README's table of verbs by map type is the one the verb table writes" {
	run -0 mapsh __types
	want=$output
	got=$(sed -n '/^<!-- BEGIN MAP TYPES/,/^<!-- END MAP TYPES/p' "$TOP/README.md" | sed '1d;$d')
	[ "$got" = "$want" ] || fail "README differs from 'mapsh __types' (run make man)"
	# it says what the verbs accept: stack_trace dumps, a local storage does not
	grep -q '^| stack_trace | dump, lookup, delete, clear, info, freeze, pin |$' <<<"$want"
	grep -q '^| task_storage | lookup, update, delete, info, freeze, pin |$' <<<"$want"
	grep -q '^| sk_storage | info, freeze, pin |$' <<<"$want"
	[ "$(grep -c '^| ' <<<"$want")" -ge 33 ]
}

@test "maps --all shows each map's pin on any mounted bpffs" {
	mkdir -p "$BPFFS/deep/er"
	bpftool map create "$BPFFS/deep/er/st" type stack_trace key 4 value 64 entries 8 name "st_$ID"
	id=$(bpftool -j map show pinned "$BPFFS/deep/er/st" | jq .id)
	bpftool map create "$BPFFS/h" type hash key 4 value 4 entries 4 name "h_$ID"
	hid=$(bpftool -j map show pinned "$BPFFS/h" | jq .id)
	run -0 mapsh -j maps --all
	[ "$(jq -r ".[] | select(.id == $id) | .pinned" <<<"$output")" = "$BPFFS/deep/er/st" ]
	[ "$(jq -r ".[] | select(.id == $hid) | .pinned" <<<"$output")" = "$BPFFS/h" ]
	run -0 mapsh maps --all
	grep -q "^$id	st_$ID	stack_trace	.*	$BPFFS/deep/er/st\$" <<<"$output" || fail "$(grep "st_$ID" <<<"$output")"
}

@test "cgroup_storage and percpu_cgroup_storage: typed entries of an attached cgroup, written as bpftool reads them; getnext finds the first" {
	[ -d /sys/fs/cgroup/unified ] || skip "no cgroup2 hierarchy at /sys/fs/cgroup/unified"
	bpftool prog loadall "$TOP/build/mt_cgs.bpf.o" "$BPFFS/cgp" pinmaps "$BPFFS/cgm"
	CG=/sys/fs/cgroup/unified/mt_$ID
	mkdir "$CG"
	bpftool cgroup attach "$CG" egress pinned "$BPFFS/cgp/mt_egress"
	ino=$(stat -c %i "$CG")
	run -0 mapsh -j pinned "$BPFFS/cgm/mt_cg"
	[ "$(jq -c . <<<"$output")" = "[{\"key\":{\"cgroup_inode_id\":$ino,\"attach_type\":1},\"value\":{\"packets\":0,\"mark\":0,\"flags\":0}}]" ]
	[ "$(jq -c '.[0].key' <<<"$output")" = "$(bpftool -j map dump pinned "$BPFFS/cgm/mt_cg" | jq -c '.[0].formatted.key')" ]
	# getnext without a key: the first entry (a key it does not hold is
	# no start for a cgroup storage: the kernel says ENOENT)
	for cm in mt_cg mt_pcg; do
		run -0 mapsh -j pinned "$BPFFS/cgm/$cm" getnext
		[ "$(jq -c .next_key <<<"$output")" = "{\"cgroup_inode_id\":$ino,\"attach_type\":1}" ] || fail "$cm: $output"
	done
	run -0 mapsh pinned "$BPFFS/cgm/mt_cg" set cgroup_inode_id=$ino attach_type=1 packets=5 mark=7
	[ "$(bpftool -j map dump pinned "$BPFFS/cgm/mt_cg" | jq -c '.[0].formatted.value')" = '{"packets":5,"mark":7,"flags":0}' ]
	run -0 mapsh pinned "$BPFFS/cgm/mt_pcg" update cgroup_inode_id=$ino attach_type=1 value 3
	ncpus=$(cut -d- -f2 /sys/devices/system/cpu/possible); ncpus=$((ncpus + 1))
	run -0 mapsh -j pinned "$BPFFS/cgm/mt_pcg" lookup cgroup_inode_id=$ino attach_type=1
	[ "$(jq .value <<<"$output")" = $((3 * ncpus)) ]
	[ "$(jq -c '[.per_cpu[].value] | unique' <<<"$output")" = "[3]" ]
	run --separate-stderr mapsh pinned "$BPFFS/cgm/mt_cg" delete cgroup_inode_id=$ino attach_type=1
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'delete' does not apply: an entry lives as long as its program is attached to the cgroup"* ]]
}

@test "task and cgroup storages: lookup, update, delete by PID and cgroup directory; no dump" {
	bpftool prog loadall "$TOP/build/mt_lstore.bpf.o" "$BPFFS/lsp" pinmaps "$BPFFS/lsm"
	TS="$BPFFS/lsm/mt_task"
	# a process of our own to key by: a sleep, ended in teardown
	sleep 120 &
	SLEEPER=$!
	local pid=$SLEEPER
	run --separate-stderr mapsh pinned "$TS" lookup "$pid"
	[ "$status" -eq 1 ]
	[ "$stderr" = "mapsh: mt_task: no entry for $pid" ]
	run -0 mapsh pinned "$TS" update "$pid" value count=3 tag=9
	run -0 mapsh -j pinned "$TS" lookup "$pid"
	[ "$(jq -c . <<<"$output")" = "{\"key\":\"$pid\",\"value\":{\"count\":3,\"tag\":9,\"pad\":0}}" ]
	# the fields not named keep what the entry has
	run -0 mapsh pinned "$TS" update "$pid" tag=10
	run -0 mapsh -j pinned "$TS" lookup "pid=$pid"
	[ "$(jq -c .value <<<"$output")" = '{"count":3,"tag":10,"pad":0}' ]
	run -0 mapsh pinned "$TS" delete "$pid"
	run -1 mapsh pinned "$TS" lookup "$pid"
	run -2 mapsh pinned "$TS" lookup notapid
	run --separate-stderr mapsh pinned "$TS" dump
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'dump' does not apply: the kernel lists no keys of a local storage: lookup, update and delete take a PID (task), a cgroup directory (cgrp) or a file (inode)"* ]]
	if [ -d /sys/fs/cgroup/unified ]; then
		CG=/sys/fs/cgroup/unified/mt_$ID
		mkdir "$CG"
		run -0 mapsh pinned "$BPFFS/lsm/mt_cgrp" update "$CG" count=7
		run -0 mapsh -j pinned "$BPFFS/lsm/mt_cgrp" lookup "$CG"
		[ "$(jq -c .value <<<"$output")" = '{"count":7,"tag":0,"pad":0}' ]
		run --separate-stderr mapsh pinned "$BPFFS/lsm/mt_cgrp" lookup "$BATS_TEST_TMPDIR"
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"the kernel refused $BATS_TEST_TMPDIR as a key of a cgrp_storage map"* ]]
	fi
}

@test "struct_ops: the registered struct, typed from the kernel's BTF, as bpftool dumps it" {
	bpftool struct_ops unregister name mt_cc >/dev/null 2>&1 || :
	bpftool struct_ops register "$TOP/build/mt_so.bpf.o" >/dev/null
	SO_REGISTERED=1
	id=$(bpftool -j struct_ops show name mt_cc | jq '.[0].id')
	bpftool map pin id "$id" "$BPFFS/so"
	run -0 mapsh -j pinned "$BPFFS/so" lookup 0
	[ "$(jq -r .type <<<"$output")" = "struct bpf_struct_ops_tcp_congestion_ops" ]
	theirs=$(bpftool -j struct_ops dump name mt_cc | jq -c '.[1].bpf_struct_ops_tcp_congestion_ops')
	[ "$(jq -r .value.common.state <<<"$output")" = "$(jq -r .common.state <<<"$theirs")" ]
	[ "$(jq -r .value.common.state <<<"$output")" = BPF_STRUCT_OPS_STATE_INUSE ]
	[ "$(jq -r .value.data.name <<<"$output")" = mt_cc ]
	# the callbacks: what bpftool shows (the programs' ids), as addresses
	mine=$(jq -r .value.data.ssthresh <<<"$output")
	[ "$((mine))" = "$(jq -r .data.ssthresh <<<"$theirs" | sed 's/.*prog_id://')" ] || fail "$mine vs $(jq .data.ssthresh <<<"$theirs")"
	[ "$(jq -r .value.data.set_state <<<"$output")" = 0 ]
	# each callback by its program, as bpftool names it (NAME/prog_id:ID)
	mine=$(jq -r '.callbacks[] | "\(.field) \(.prog_name)/prog_id:\(.prog_id)"' <<<"$output" | sort)
	bt=$(jq -r '.data | to_entries[] | select((.value | type) == "string" and (.value | test("/prog_id:"))) | "\(.key) \(.value | sub(".* "; ""))"' <<<"$theirs" | sort)
	[ "$(wc -l <<<"$mine")" = 3 ] && [ "$mine" = "$bt" ] || fail "mine: $mine; bpftool: $bt"
	run -0 mapsh pinned "$BPFFS/so"
	[[ "$output" == "0	struct bpf_struct_ops_tcp_congestion_ops	{common={refcnt="*"state=BPF_STRUCT_OPS_STATE_INUSE} data={ssthresh=0x"* ]] || fail "$output"
	so_id=$(jq -r .data.ssthresh <<<"$theirs" | sed 's/.*prog_id://')
	[[ "$output" == *$'\t'"ssthresh=$so_id:mt_ssthresh,cong_avoid="*":mt_cong_avoid,undo_cwnd="*":mt_undo_cwnd" ]] || fail "callbacks: $output"
	run -2 mapsh pinned "$BPFFS/so" lookup 1
	run --separate-stderr mapsh pinned "$BPFFS/so" update 0 hex 00
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'update' does not apply: a struct_ops map holds kernel callbacks that its loader registers"* ]]
}

@test "every verb a map type lacks is refused in one line, exit 2, naming the verbs it has (table of __types)" {
	bpftool map create "$BPFFS/stack_trace" type stack_trace key 4 value 64 entries 8 name "a_$ID"
	bpftool map create "$BPFFS/devmap" type devmap key 4 value 4 entries 4 name "b_$ID"
	bpftool map create "$BPFFS/sockhash" type sockhash key 4 value 8 entries 4 name "c_$ID"
	bpftool map create "$BPFFS/bloom_filter" type bloom_filter key 0 value 4 entries 8 name "d_$ID"
	bpftool map create "$BPFFS/user_ringbuf" type user_ringbuf key 0 value 0 entries 4096 name "e_$ID"
	bpftool map create "$BPFFS/xskmap" type xskmap key 4 value 4 entries 4 name "f_$ID"
	local all t verbs v n=0
	all=$(mapsh __types | sed -n 's/^| hash | \(.*\) |$/\1/p' | tr -d ,)
	[ -n "$all" ]
	for t in stack_trace devmap sockhash bloom_filter user_ringbuf xskmap; do
		verbs=$(mapsh __types | sed -n "s/^| $t | \(.*\) |\$/\1/p")
		[ -n "$verbs" ] || fail "no row for $t"
		for v in $all drain follow push pop peek; do
			case ", $verbs," in *", $v,"*) continue ;; esac
			run --separate-stderr mapsh pinned "$BPFFS/$t" "$v"
			[ "$status" -eq 2 ] || fail "$t $v: exit $status: $stderr"
			[ "${#stderr_lines[@]}" -eq 1 ] || fail "$t $v: $stderr"
			[[ "$stderr" == "mapsh: "*" ($t): '$v' does not apply"*" (verbs for $t maps: $verbs)" ]] || fail "$t $v: $stderr"
			[ "$output" = "" ]
			n=$((n + 1))
		done
	done
	[ "$n" -gt 40 ]
}

@test "stack_trace with build ids: each frame the build id of the file it is in and the offset, as bpftool's bytes say" {
	record_stacks
	BST="$BPFFS/m/mt_bstacks"
	bid=$(le_num "$(bpftool -j map lookup pinned "$BPFFS/m/mt_ids" key 2 0 0 0)")
	run -0 mapsh -j pinned "$BST" lookup "$bid"
	[ "$(jq .key <<<"$output")" = "$bid" ]
	# bpftool's bytes: struct bpf_stack_build_id {s32 status; u8 id[20]; u64 offset}
	theirs=$(bpftool -j map lookup pinned "$BST" key $(printf '0x%02x 0 0 0' "$bid") | python3 -c '
import json, sys
v = bytes(int(b, 16) for b in json.load(sys.stdin)["value"])
out = []
for i in range(0, len(v), 32):
    st = int.from_bytes(v[i:i+4], "little", signed=True)
    if st == 0:
        break
    off = int.from_bytes(v[i+24:i+32], "little")
    out.append({"build_id": v[i+4:i+24].hex(), "offset": hex(off)} if st == 1 else {"addr": hex(off)})
print(json.dumps(out, separators=(",", ":")))')
	[ "$(jq -c '[.stack[] | del(.symbol)]' <<<"$output")" = "$theirs" ] || fail "mapsh $output, bpftool $theirs"
	# a frame with a build id names a file the caller has mapped (libc's
	# syscall wrapper, libbpf, mt_run)
	if jq -e '.stack[0].build_id' <<<"$output" >/dev/null; then
		first=$(jq -r '.stack[0].build_id' <<<"$output")
		found=
		for f in "$TOP/build/mt_run" $(ldd "$TOP/build/mt_run" | awk '/=>/ { print $3 }'); do
			readelf -n "$f" 2>/dev/null | grep -q "Build ID: $first" && found=$f
		done
		[ -n "$found" ] || fail "build id $first is in none of mt_run's files"
	fi
	run -0 mapsh pinned "$BST" dump
	[[ "$output" == "$bid	0	0x"* ]]
}
