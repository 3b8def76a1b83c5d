#!/usr/bin/env bats
# The audit log (--audit-log FILE, $MAPSH_AUDIT_LOG): one JSON line per
# change the writing verbs made, with old and new values; nothing for a
# write that failed.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	mapsh load >/dev/null
	LOG="$BATS_TEST_TMPDIR/audit.log"
	unset MAPSH_AUDIT_LOG
}
teardown() { teardown_common; }

K9="src_ip=10.0.0.9 dst_port=0 protocol=0"

# nlines: lines in the log (0 when there is none)
nlines() { [ -f "$LOG" ] && wc -l <"$LOG" || echo 0; }
# rec N FILTER: jq FILTER on line N of the log (1-based)
rec() { sed -n "${1}p" "$LOG" | jq -c "$2"; }

@test "update, set, delete: one line each with old -> new, time, user, map" {
	mapsh --audit-log "$LOG" blocklist update $K9 action=drop
	[ "$(nlines)" = 1 ]
	[ "$(rec 1 '[.op, .old, .new.action, .key.src_ip]')" = '["update",null,"FW_DROP","10.0.0.9"]' ]
	[[ "$(rec 1 .time)" =~ ^\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\"$ ]]
	[ "$(rec 1 .user.uid)" = "$(id -u)" ]
	[ "$(rec 1 .user.name)" = "\"$(id -un)\"" ]
	[ "$(rec 1 .map.name)" = '"blocklist"' ]
	[ "$(rec 1 .map.id)" = "$(bpftool -j map show pinned "$MAPSH_PIN_DIR/blocklist" | jq .id)" ]
	[ "$(rec 1 .pid | jq 'type')" = '"number"' ]
	mapsh blocklist update $K9 action=allow hits=4 --audit-log "$LOG"
	[ "$(rec 2 '[.op, .old.action, .new.action, .old.hits, .new.hits]')" = '["update","FW_DROP","FW_ALLOW",0,4]' ]
	mapsh --audit-log "$LOG" blocklist set $K9 action=drop
	[ "$(rec 3 '[.op, .old.action, .new.action, .new.hits]')" = '["set","FW_ALLOW","FW_DROP",4]' ]
	# a set that changes nothing writes nothing and logs nothing
	mapsh --audit-log "$LOG" blocklist set $K9 action=drop
	[ "$(nlines)" = 3 ]
	mapsh --audit-log "$LOG" blocklist add src_ip=10.0.0.8 dst_port=80 protocol=tcp action=drop
	mapsh --audit-log "$LOG" blocklist replace src_ip=10.0.0.8 dst_port=80 protocol=tcp action=allow
	[ "$(rec 4 '[.op, .old]')" = '["add",null]' ]
	[ "$(rec 5 '[.op, .old.action, .new.action]')" = '["replace","FW_DROP","FW_ALLOW"]' ]
	mapsh --audit-log "$LOG" blocklist delete $K9
	[ "$(rec 6 '[.op, .key.src_ip, .old.action, .old.hits, .new]')" = '["delete","10.0.0.9","FW_DROP",4,null]' ]
	[ "$(nlines)" = 6 ]
	# every line is one JSON object
	jq -e -s 'length == 6 and all(type == "object")' "$LOG"
}

@test "a write that fails is not logged; an unwritable log stops the write" {
	mapsh blocklist add $K9 action=drop
	run mapsh --audit-log "$LOG" blocklist add $K9 action=allow
	assert_failure 1
	run mapsh --audit-log "$LOG" blocklist replace src_ip=10.0.0.1 dst_port=0 protocol=0 action=allow
	assert_failure 1
	run mapsh --audit-log "$LOG" blocklist delete src_ip=10.0.0.1 dst_port=0 protocol=0
	assert_failure 1
	run mapsh --audit-log "$LOG" blocklist set src_ip=10.0.0.1 dst_port=0 protocol=0 action=allow
	assert_failure 1
	run mapsh --audit-log "$LOG" blocklist update $K9 action=dorp
	assert_failure 2
	mapsh redirect_stats freeze
	run mapsh --audit-log "$LOG" redirect_stats update ifindex=1 packets=1
	assert_failure 1
	[ "$(nlines)" = 0 ]
	# the log cannot be opened: the map is not touched
	before=$(dump_pinned blocklist)
	run --separate-stderr mapsh --audit-log "$BATS_TEST_TMPDIR/no/such/dir/log" blocklist update $K9 action=allow
	assert_failure 1
	[[ "$stderr" == "mapsh: blocklist update: audit log $BATS_TEST_TMPDIR/no/such/dir/log: No such file or directory (nothing changed)" ]]
	[ "$(dump_pinned blocklist)" = "$before" ]
}

@test "clear: one line per deleted entry; arrays: one per element that was not zero" {
	mapsh blocklist add $K9 action=drop
	mapsh blocklist add src_ip=10.0.0.8 dst_port=80 protocol=tcp action=allow
	mapsh blocklist add src_ip=10.0.0.7 dst_port=0 protocol=0 action=drop
	mapsh --audit-log "$LOG" blocklist clear --yes
	[ "$(nlines)" = 3 ]
	[ "$(jq -s -c 'map(.op) | unique' "$LOG")" = '["clear"]' ]
	[ "$(jq -s -c 'map(.key.src_ip) | sort' "$LOG")" = '["10.0.0.7","10.0.0.8","10.0.0.9"]' ]
	[ "$(jq -s -c 'map(.new) | unique' "$LOG")" = '[null]' ]
	[ "$(jq -s -r 'map(select(.key.src_ip == "10.0.0.8"))[0].old.action' "$LOG")" = FW_ALLOW ]
	: >"$LOG"
	mapsh iface_stats update 3 packets=5
	mapsh iface_stats update 9 bytes=7
	mapsh --audit-log "$LOG" iface_stats clear --yes
	[ "$(nlines)" = 2 ]
	[ "$(jq -s -c 'map([.key, .old.packets, .old.bytes, .new.packets, .new.bytes])' "$LOG")" = '[[3,5,0,0,0],[9,0,7,0,0]]' ]
	# nothing left to clear: nothing logged
	: >"$LOG"
	mapsh --audit-log "$LOG" blocklist clear --yes
	[ "$(nlines)" = 0 ]
}

@test "apply logs each change it made; --dry-run logs nothing" {
	mapsh blocklist add $K9 action=allow
	mapsh blocklist add src_ip=10.0.0.6 dst_port=0 protocol=0 action=drop
	f="$BATS_TEST_TMPDIR/rules.json"
	cat >"$f" <<-'EOF'
	[{"key":{"src_ip":"10.0.0.9","dst_port":0,"protocol":0},"value":{"action":"drop"}},
	 {"key":{"src_ip":"10.0.0.7","dst_port":53,"protocol":"udp"},"value":{"action":"drop"}}]
	EOF
	mapsh --audit-log "$LOG" blocklist apply "$f" --prune --dry-run
	[ "$(nlines)" = 0 ]
	mapsh --audit-log "$LOG" blocklist apply "$f" --prune
	[ "$(nlines)" = 3 ]
	[ "$(jq -s -c 'map([.op, .key.src_ip, .old.action, .new.action])' "$LOG")" = \
	  '[["apply","10.0.0.9","FW_ALLOW","FW_DROP"],["apply","10.0.0.6","FW_DROP",null],["apply","10.0.0.7",null,"FW_DROP"]]' ]
	# unchanged entries are no change
	mapsh --audit-log "$LOG" blocklist apply "$f" --prune
	[ "$(nlines)" = 3 ]
	# a file with a bad entry writes nothing, so logs nothing
	echo '[{"key":{"src_ip":"10.0.0.5","dst_port":0,"protocol":0},"value":{"action":"dorp"}}]' >"$f"
	run mapsh --audit-log "$LOG" blocklist apply "$f" --prune
	assert_failure 1
	[ "$(nlines)" = 3 ]
}

@test "MAPSH_AUDIT_LOG works too; --audit-log wins over it" {
	export MAPSH_AUDIT_LOG="$LOG"
	mapsh blocklist update $K9 action=drop
	[ "$(nlines)" = 1 ]
	other="$BATS_TEST_TMPDIR/other.log"
	mapsh --audit-log "$other" blocklist update $K9 action=allow
	[ "$(nlines)" = 1 ]
	[ "$(wc -l <"$other")" = 1 ]
	# empty: off
	MAPSH_AUDIT_LOG= mapsh blocklist update $K9 action=drop
	[ "$(nlines)" = 1 ]
	# appended to, never truncated; several processes share it
	pids=()
	for i in 1 2 3 4; do
		timeout 30 "$MAPSH" blocklist update src_ip=10.0.1.$i dst_port=0 protocol=0 action=drop &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || fail "a concurrent update failed"; done
	[ "$(nlines)" = 5 ]
	jq -e -s 'length == 5' "$LOG"
	[ "$(jq -s -r 'map(.key.src_ip) | sort | join(" ")' "$LOG")" = "10.0.0.9 10.0.1.1 10.0.1.2 10.0.1.3 10.0.1.4" ]
	# the log is private to its owner when created
	[ "$(stat -c %a "$LOG")" = 600 ]
}

@test "per-CPU maps: old and new are the sums, with each CPU's value" {
	ncpus=$(dump_pinned cpu_stats | jq '.[0].values | length')
	mapsh --audit-log "$LOG" proto_stats update udp packets=2
	[ "$(rec 1 '[.old, .new.packets, (.new_per_cpu | length), .new_per_cpu[0].packets]')" = "[null,$((2 * ncpus)),$ncpus,2]" ]
	mapsh --audit-log "$LOG" proto_stats set udp cpu=0 packets=5
	[ "$(rec 2 '[.old.packets, .new.packets, .old_per_cpu[0].packets, .new_per_cpu[0].packets]')" = "[$((2 * ncpus)),$((2 * ncpus + 3)),2,5]" ]
	[ "$(rec 2 .old_per_cpu)" = "$(rec 1 .new_per_cpu)" ]
}

@test "LPM: the old value is the exact prefix's, not the longest match" {
	mapsh --audit-log "$LOG" blocked_prefixes update 10.0.0.0/8 action=drop
	mapsh --audit-log "$LOG" blocked_prefixes update 10.1.0.0/16 action=allow
	[ "$(rec 2 '[.key.prefixlen, .key.addr, .old, .new.action]')" = '[16,"10.1.0.0",null,"FW_ALLOW"]' ]
	mapsh --audit-log "$LOG" blocked_prefixes delete 10.1.0.0/16
	[ "$(rec 3 '[.op, .key.prefixlen, .old.action, .new]')" = '["delete",16,"FW_ALLOW",null]' ]
}

@test "batch files (-f) log through the same verbs" {
	printf 'blocklist update %s action=drop\nblocklist delete %s\n' "$K9" "$K9" |
		mapsh --audit-log "$LOG" -f - >/dev/null
	[ "$(jq -s -c 'map(.op)' "$LOG")" = '["update","delete"]' ]
}

# id_bytes ID: a map of maps' value as the audit log shows it: the inner
# map's id, as a lookup gives it.
id_bytes() {
	printf '{"inner_id":%d}' "$1"
}

@test "maps of maps: installing, replacing and deleting an inner map is logged with the inner map ids" {
	bpftool map create "$BPFFS/r1" type hash key 8 value 16 entries 64 name "r1_$$"
	bpftool map create "$BPFFS/r2" type hash key 8 value 16 entries 64 name "r2_$$"
	bpftool map create "$BPFFS/wrong" type hash key 4 value 4 entries 8 name "wr_$$"
	r1=$(bpftool -j map show pinned "$BPFFS/r1" | jq .id)
	r2=$(bpftool -j map show pinned "$BPFFS/r2" | jq .id)
	outer=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/iface_blocklist" | jq .id)
	mapsh --audit-log "$LOG" iface_blocklist update lo inner=pinned:"$BPFFS/r1"
	[ "$(nlines)" = 1 ]
	[ "$(rec 1 '[.map, .op, .key, .old, .new]')" = \
	  "[{\"name\":\"iface_blocklist\",\"id\":$outer},\"update\",{\"ifindex\":1},null,$(id_bytes "$r1")]" ]
	[ "$(rec 1 '.user.uid')" = "$(id -u)" ]
	[[ "$(rec 1 .time)" =~ ^\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z\"$ ]]
	mapsh --audit-log "$LOG" iface_blocklist replace lo inner=id:"$r2"
	[ "$(rec 2 '[.op, .old, .new]')" = "[\"replace\",$(id_bytes "$r1"),$(id_bytes "$r2")]" ]
	# refused: exists already, does not fit, no such map: nothing logged
	run mapsh --audit-log "$LOG" iface_blocklist add lo inner=pinned:"$BPFFS/r1"
	assert_failure 1
	run mapsh --audit-log "$LOG" iface_blocklist update lo inner=pinned:"$BPFFS/wrong"
	assert_failure 1
	run mapsh --audit-log "$LOG" iface_blocklist update lo inner=id:4000000000
	assert_failure 1
	[ "$(nlines)" = 2 ]
	# a write to the inner map names it OUTER[KEY], with its own id
	mapsh --audit-log "$LOG" 'iface_blocklist[lo]' add $K9 action=drop
	[ "$(rec 3 '[.map, .op, .key.src_ip, .old, .new.action]')" = \
	  "[{\"name\":\"iface_blocklist[lo]\",\"id\":$r2},\"add\",\"10.0.0.9\",null,\"FW_DROP\"]" ]
	mapsh --audit-log "$LOG" iface_blocklist delete lo
	[ "$(rec 4 '[.op, .key, .old, .new]')" = "[\"delete\",{\"ifindex\":1},$(id_bytes "$r2"),null]" ]
	[ "$(nlines)" = 4 ]
	# the map holds what the log says
	[ "$(bpftool -j map dump pinned "$MAPSH_PIN_DIR/iface_blocklist" | jq length)" = 0 ]
}
