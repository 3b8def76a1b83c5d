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

# intents [FILE]: the intent records of the log, one a line (each change
# has one, written before it; its result record follows it)
intents() { [ -f "${1:-$LOG}" ] && jq -c 'select(.state == "intent")' "${1:-$LOG}" || true; }
# nlines: the changes in the log (0 when there is none)
nlines() { intents | wc -l; }
# rec N FILTER: jq FILTER on change N of the log (1-based)
rec() { intents | sed -n "${1}p" | jq -c "$2"; }
# all_done: every intent of the log has a result "done" of its txn after it
all_done() {
	jq -s -e 'to_entries as $e | all($e[] | select(.value.state == "intent");
		. as $i | any($e[]; .key > $i.key and .value.txn == $i.value.txn and .value.state == "done"))' "$LOG" >/dev/null ||
		fail "an intent without its result: $(cat "$LOG")"
}

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
	# every line is one JSON object: 6 intents, each with its result
	jq -e -s 'length == 12 and all(type == "object")' "$LOG"
	[ "$(jq -s -c 'map(select(.state == "done") | .changes) | unique' "$LOG")" = '[1]' ]
	all_done
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
	[ "$(intents | jq -s -c 'map(.op) | unique')" = '["clear"]' ]
	[ "$(intents | jq -s -c 'map(.key.src_ip) | sort')" = '["10.0.0.7","10.0.0.8","10.0.0.9"]' ]
	[ "$(intents | jq -s -c 'map(.new) | unique')" = '[null]' ]
	[ "$(intents | jq -s -r 'map(select(.key.src_ip == "10.0.0.8"))[0].old.action')" = FW_ALLOW ]
	: >"$LOG"
	mapsh iface_stats update 3 packets=5
	mapsh iface_stats update 9 bytes=7
	mapsh --audit-log "$LOG" iface_stats clear --yes
	[ "$(nlines)" = 2 ]
	[ "$(intents | jq -s -c 'map([.key, .old.packets, .old.bytes, .new.packets, .new.bytes])')" = '[[3,5,0,0,0],[9,0,7,0,0]]' ]
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
	[ "$(intents | jq -s -c 'map([.op, .key.src_ip, .old.action, .new.action])')" = \
	  '[["apply","10.0.0.6","FW_DROP",null],["apply","10.0.0.9","FW_ALLOW","FW_DROP"],["apply","10.0.0.7",null,"FW_DROP"]]' ]
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
	[ "$(intents "$other" | wc -l)" = 1 ]
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
	jq -e -s 'length == 10' "$LOG"
	all_done
	[ "$(intents | jq -s -r 'map(.key.src_ip) | sort | join(" ")')" = "10.0.0.9 10.0.1.1 10.0.1.2 10.0.1.3 10.0.1.4" ]
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
	[ "$(intents | jq -s -c 'map(.op)')" = '["update","delete"]' ]
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

# rules FIRST END ACTION: a save file of blocklist rules 10.1.x.y -> ACTION
rules() {
	awk -v first="$1" -v end="$2" -v a="$3" 'BEGIN { printf "["
		for (i = first; i < end; i++)
			printf "%s{\"key\":{\"src_ip\":\"10.1.%d.%d\",\"dst_port\":0,\"protocol\":0},\"value\":{\"action\":\"%s\"}}\n", \
				(i > first ? "," : ""), int(i / 256), i % 256, a
		print "]" }'
}

# tmpfs_at DIR BYTES: a tmpfs of BYTES mounted at DIR (unmounted in teardown)
tmpfs_at() {
	mkdir -p "$1"
	mount -t tmpfs -o size="$2" tmpfs "$1"
	MOUNTS+=("$1")
}
MOUNTS=()
teardown() {
	local d
	for d in "${MOUNTS[@]}"; do umount "$d" 2>/dev/null || umount -l "$d" || true; done
	teardown_common
}

@test "an audit log on a full disk: the change is not made, or is rolled back half-way through an apply; exit 1, one line" {
	small="$BATS_TEST_TMPDIR/small"
	tmpfs_at "$small" 64k
	dd if=/dev/zero of="$small/fill" bs=4k count=64 2>/dev/null || true
	mapsh blocklist add $K9 action=drop
	before=$(dump_pinned blocklist)
	run --separate-stderr mapsh --audit-log "$small/log" blocklist set $K9 action=allow
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist set: audit log $small/log: No space left on device (nothing changed)" ]
	[ -z "$output" ]
	[ "$(dump_pinned blocklist)" = "$before" ]
	[ ! -s "$small/log" ]	# no record cut short
	run mapsh --audit-log "$small/log" blocklist delete $K9
	assert_failure 1
	[ "$(dump_pinned blocklist)" = "$before" ]
	# apply: 500 removed (first: room for the additions), then 500
	# changed and 2,000 added: two batches. Room in the log for the first
	# batch's records only.
	rules 0 1000 drop >"$BATS_TEST_TMPDIR/a.json"
	rules 500 3000 allow >"$BATS_TEST_TMPDIR/b.json"
	mapsh blocklist apply "$BATS_TEST_TMPDIR/a.json" --prune >/dev/null
	mapsh --audit-log "$LOG" blocklist apply "$BATS_TEST_TMPDIR/b.json" --prune >/dev/null
	[ "$(jq -s -c 'map(select(.state == "done") | .changes)' "$LOG")" = '[500,2500]' ]
	first=$(awk '/"state":"done"/ { print NR; exit }' "$LOG")
	s1=$(head -n "$first" "$LOG" | wc -c)
	mapsh blocklist apply "$BATS_TEST_TMPDIR/a.json" --prune >/dev/null
	before=$(dump_pinned blocklist | jq -S 'sort_by(.key)')
	part="$BATS_TEST_TMPDIR/part"
	tmpfs_at "$part" $(( (s1 + 8192 + 4095) / 4096 * 4096 ))
	run --separate-stderr mapsh --audit-log "$part/log" blocklist apply "$BATS_TEST_TMPDIR/b.json" --prune
	assert_failure 1
	[ -z "$output" ]
	[[ "$stderr" =~ ^"mapsh: blocklist apply: audit log $part/log: No space left on device: rolled back 500 changes; the map is as it was"( \(the audit log could not record the rollback\))?$ ]] ||
		fail "$stderr"
	[ "$(dump_pinned blocklist | jq -S 'sort_by(.key)')" = "$before" ] || fail "the map changed"
	# the log: the first batch, whole lines only
	jq -c . "$part/log" >/dev/null
	[ "$(jq -s -c 'map(select(.state == "done") | .changes)' "$part/log")" = '[500]' ]
	[ ! -e "$MAPSH_STATE_DIR/journal/$(bpftool -j map show pinned "$MAPSH_PIN_DIR/blocklist" | jq .id)" ]
}

@test "the audit log is a regular file: a symbolic link, a FIFO, a device, a directory are refused at once" {
	echo keep >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$LOG"
	run --separate-stderr mapsh --audit-log "$LOG" blocklist update $K9 action=drop
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist update: audit log $LOG is a symbolic link, not a regular file (refused; nothing changed)" ]
	[ "$(cat "$BATS_TEST_TMPDIR/target")" = keep ]
	run mapsh blocklist lookup $K9
	assert_failure 1
	# also a dangling one (it would create the file it points to)
	rm "$LOG"
	ln -s "$BATS_TEST_TMPDIR/nothing" "$LOG"
	run mapsh --audit-log "$LOG" blocklist update $K9 action=drop
	assert_failure 1
	[ ! -e "$BATS_TEST_TMPDIR/nothing" ]
	# a FIFO without a reader would block an open for writing forever
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run --separate-stderr timeout 20 "$MAPSH" --audit-log "$BATS_TEST_TMPDIR/fifo" blocklist update $K9 action=drop
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist update: audit log $BATS_TEST_TMPDIR/fifo is a FIFO, not a regular file (refused; nothing changed)" ]
	run --separate-stderr mapsh --audit-log /dev/null blocklist update $K9 action=drop
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist update: audit log /dev/null is a device, not a regular file (refused; nothing changed)" ]
	run --separate-stderr mapsh --audit-log "$BATS_TEST_TMPDIR" blocklist update $K9 action=drop
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist update: audit log $BATS_TEST_TMPDIR is a directory, not a regular file (refused; nothing changed)" ]
	run mapsh blocklist lookup $K9
	assert_failure 1
}

@test "a kill -9 during an apply leaves the intent record of every change it made" {
	# 12,000 flows changed: two batches
	flows() {
		awk -v p="$1" 'BEGIN { printf "["
			for (i = 0; i < 12000; i++)
				printf "%s{\"key\":{\"src_ip\":\"10.2.%d.%d\",\"dst_ip\":\"10.0.0.1\",\"src_port\":1,\"dst_port\":2,\"protocol\":\"udp\"},\"value\":{\"packets\":%d}}\n", \
					(i ? "," : ""), int(i / 256), i % 256, p
			print "]" }'
	}
	flows 1 >"$BATS_TEST_TMPDIR/a.json"
	flows 2 >"$BATS_TEST_TMPDIR/b.json"
	id=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/flows" | jq .id)
	for run in 1 2 3 4 5; do
		mapsh flows apply "$BATS_TEST_TMPDIR/a.json" >/dev/null
		: >"$LOG"
		timeout 60 "$MAPSH" --audit-log "$LOG" flows apply "$BATS_TEST_TMPDIR/b.json" >/dev/null 2>&1 &
		bg=$!
		child=
		for ((i = 0; i < 1000; i++)); do
			child=$(pgrep -P "$bg" | head -n 1) && [ -n "$child" ] && break
			sleep 0.01
		done
		# kill once the first intents are on disk, at a random moment
		for ((i = 0; i < 6000; i++)); do
			[ -s "$LOG" ] && break
			kill -0 "$child" 2>/dev/null || break
			sleep 0.01
		done
		sleep "0.0$((RANDOM % 10))"
		kill -KILL "$child" 2>/dev/null || true
		wait "$bg" || true
		# every flow with the new value has its intent (a record cut
		# short by the kill is at the end, on its own line)
		mapsh -j flows dump | jq -r '.[] | select(.value.packets == 2) | .key.src_ip' | sort >"$BATS_TEST_TMPDIR/changed"
		jq -R -r 'fromjson? | select(.state == "intent" and .new.packets == 2) | .key.src_ip' "$LOG" | sort -u >"$BATS_TEST_TMPDIR/logged"
		[ -z "$(comm -23 "$BATS_TEST_TMPDIR/changed" "$BATS_TEST_TMPDIR/logged")" ] ||
			fail "run $run: $(comm -23 "$BATS_TEST_TMPDIR/changed" "$BATS_TEST_TMPDIR/logged" | wc -l) changes without a record"
		[ "$(jq -R 'fromjson? // "bad"' "$LOG" | grep -c '^"bad"$')" -le 1 ]
		if [ -e "$MAPSH_STATE_DIR/journal/$id" ]; then
			mapsh --audit-log "$LOG" flows recover >/dev/null
			[ "$(mapsh -j flows dump | jq '[.[] | select(.value.packets == 2)] | length')" = 0 ]
			# the recover is in the log too, each entry put back
			[ "$(jq -R -r 'fromjson? | select(.op == "recover" and .state == "intent") | .new.packets' "$LOG" | sort -u)" = 1 ] ||
				[ "$(wc -l <"$BATS_TEST_TMPDIR/changed")" = 0 ]
		fi
	done
}
