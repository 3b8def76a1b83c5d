#!/usr/bin/env bats
# Every failed write is reported: output that cannot be written (/dev/full,
# a full filesystem) gives one line "mapsh: write error: ..." and exit 1,
# for every command that prints, in one-shot, batch and shell use; a save
# file is replaced whole or not at all. A reader that hangs up (a closed
# pipe) ends the output quietly, and a queue drained into it loses
# exactly the elements that reader read. On the bundled maps, loaded
# (not attached) with mapsh load.

load helpers
load data_lib
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	FULL="$BATS_TEST_TMPDIR/full"
}
teardown() {
	data_term_kill
	if mountpoint -q "$FULL" 2>/dev/null; then
		umount "$FULL" || umount -l "$FULL"
	fi
	teardown_common
}

ENOSPC_MSG="mapsh: write error: No space left on device"

# fill_flows N: N flows written by bpftool, flow i from 10.x.y.z (i in
# the low bytes), i + 1 packets.
fill_flows() {
	awk -v n="$1" -v pin="$MAPSH_PIN_DIR/flows" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "map update pinned %s key hex 0a %02x %02x %02x c0 a8 00 01 04 00 00 50 06 00 00 00 value hex %02x %02x 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n",
				pin, int(i / 65536) % 256, int(i / 256) % 256, i % 256, (i + 1) % 256, int((i + 1) / 256) % 256
	}' >"$BATS_TEST_TMPDIR/batch"
	run bpftool batch file "$BATS_TEST_TMPDIR/batch"
	assert_success
}

# push_samples N: N elements in the samples queue, element i with
# src_port=i and len=i (one batch of push lines).
push_samples() {
	local i
	for ((i = 1; i <= $1; i++)); do
		echo "samples push src_port=$i len=$i"
	done | timeout 20 "$MAPSH" -f -
}

# The src_port of every element in the samples queue, in order,
# comma-separated (draining it).
samples_left() {
	timeout 20 "$MAPSH" samples drain | grep -o 'src_port=[0-9]*' | cut -d= -f2 | paste -sd,
}

# full_fails ARGS...: mapsh ARGS with stdout on /dev/full exits 1 and
# prints the one message on stderr.
full_fails() {
	run --separate-stderr timeout 20 bash -c 'exec "$@" >/dev/full' _ "$MAPSH" "$@"
	[ "$status" -eq 1 ] || fail "mapsh $* >/dev/full: exit $status ($stderr)"
	[ "$stderr" = "$ENOSPC_MSG" ] || fail "mapsh $* >/dev/full: stderr '$stderr'"
}

@test "/dev/full: dump (plain, table, -j, --jsonl), lookup, save -, help exit 1 with one message" {
	mapsh load >/dev/null
	fill_flows 300
	mapsh config set sample_rate=3
	for args in "flows" "flows dump" "--format table flows" "-j flows dump" \
		    "--jsonl flows" "-p flows" "flows dump where packets > 5 sort packets" \
		    "flows save" "flows save -" "--jsonl flows save -" "config" \
		    "config lookup 0" "-j config lookup 0" "flows info" "maps" "help" \
		    "flows count"; do
		full_fails $args
		# the same command into a file: it succeeds and prints something
		run --separate-stderr timeout 20 "$MAPSH" $args
		[ "$status" -eq 0 ] || fail "mapsh $args: exit $status ($stderr)"
		[ -n "$output" ] || fail "mapsh $args printed nothing"
	done
}

@test "save FILE on a full filesystem: exit 1, one message naming the file, the old file untouched" {
	mapsh load >/dev/null
	fill_flows 2000
	mkdir -p "$FULL"
	mount -t tmpfs -o size=32k tmpfs "$FULL"
	printf '[{"old": true}]\n' >"$FULL/flows.json"
	chmod 0640 "$FULL/flows.json"
	before=$(stat -c '%i %s %Y %a' "$FULL/flows.json")
	run --separate-stderr timeout 20 "$MAPSH" flows save "$FULL/flows.json"
	[ "$status" -eq 1 ] || fail "exit $status ($stderr)"
	[ "$stderr" = "mapsh: write error: $FULL/flows.json: No space left on device" ]
	[ -z "$output" ]
	[ "$(cat "$FULL/flows.json")" = '[{"old": true}]' ]
	[ "$(stat -c '%i %s %Y %a' "$FULL/flows.json")" = "$before" ]
	# no temporary file left behind
	[ "$(ls -A "$FULL")" = flows.json ]
	# a new file that does not fit is not created at all
	run --separate-stderr timeout 20 "$MAPSH" -j flows save "$FULL/new.json"
	[ "$status" -eq 1 ]
	[ "$stderr" = "mapsh: write error: $FULL/new.json: No space left on device" ]
	[ -z "$output" ]
	[ "$(ls -A "$FULL")" = flows.json ]
	# save - redirected to that filesystem: the one message, exit 1
	run --separate-stderr bash -c "timeout 20 '$MAPSH' flows save - >'$FULL/out.json'"
	[ "$status" -eq 1 ]
	[ "$stderr" = "$ENOSPC_MSG" ]
	# a save that fits goes through
	rm -f "$FULL/out.json"
	mapsh flows clear --yes >/dev/null
	fill_flows 20
	run timeout 20 "$MAPSH" flows save "$FULL/flows.json"
	assert_success
	[ "$(jq length "$FULL/flows.json")" = 20 ]
	[ "$(stat -c %a "$FULL/flows.json")" = 640 ]
}

@test "drain and pop into /dev/full: exit 1, one message, the queue unchanged" {
	mapsh load >/dev/null
	push_samples 5
	full_fails samples drain
	full_fails -j samples drain
	full_fails samples drain --count 2
	full_fails samples pop
	full_fails -j samples pop
	full_fails samples peek
	[ "$(samples_left)" = 1,2,3,4,5 ]
	# the stack too
	for i in 1 2 3; do mapsh recent_drops push src_port=$i; done
	full_fails recent_drops drain
	full_fails recent_drops pop
	[ "$(timeout 20 "$MAPSH" recent_drops drain | grep -o 'src_port=[0-9]*' | cut -d= -f2 | paste -sd,)" = 3,2,1 ]
}

@test "batch (-f FILE, stdin, -j, -k) and the shell: a write error exits 1 with one message" {
	mapsh load >/dev/null
	fill_flows 100
	printf 'flows count\nflows dump\nconfig\n' >"$BATS_TEST_TMPDIR/script"
	for opts in "-f $BATS_TEST_TMPDIR/script" "-j -f $BATS_TEST_TMPDIR/script" \
		    "-k -f $BATS_TEST_TMPDIR/script" "--jsonl -k -f $BATS_TEST_TMPDIR/script"; do
		run --separate-stderr timeout 20 bash -c 'exec "$@" >/dev/full' _ "$MAPSH" $opts
		[ "$status" -eq 1 ] || fail "mapsh $opts: exit $status ($stderr)"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "mapsh $opts: $stderr"
		[[ "$stderr" == *"$ENOSPC_MSG" ]] || fail "mapsh $opts: $stderr"
		# to a file the same script succeeds
		run timeout 20 "$MAPSH" $opts
		assert_success
	done
	run --separate-stderr bash -c "timeout 20 '$MAPSH' <'$BATS_TEST_TMPDIR/script' >/dev/full"
	[ "$status" -eq 1 ]
	[ "$stderr" = "<stdin>:1: $ENOSPC_MSG" ]
	# the line whose output failed stops the script (no -k)
	printf 'config\nsamples push src_port=9 len=9\n' >"$BATS_TEST_TMPDIR/script2"
	run --separate-stderr timeout 20 bash -c 'exec "$@" >/dev/full' _ "$MAPSH" -f "$BATS_TEST_TMPDIR/script2"
	[ "$status" -eq 1 ]
	[ "$stderr" = "$BATS_TEST_TMPDIR/script2:1: $ENOSPC_MSG" ]
	[ -z "$(samples_left)" ] || fail "the script went on past line 1"
	# the shell on a terminal, its standard output on /dev/full
	data_term "'$MAPSH' >/dev/full"
	# nothing shows when the shell is ready (its prompt goes to
	# /dev/full too): type until it has read a quit
	for ((i = 0; i < 50; i++)); do
		data_keys "config" Enter "quit" Enter
		sleep 0.2
		screen | grep -q "EXITED=" && break
	done
	screen | grep -qxF "EXITED=1" || fail "$(screen)"
	[ "$(screen | grep -c 'write error')" = 1 ] || fail "$(screen)"
	screen | grep -qxF "$ENOSPC_MSG" || fail "$(screen)"
}

@test "a closed pipe stays quiet: dump, -j dump, save - into head exit 0, nothing on stderr" {
	mapsh load >/dev/null
	fill_flows 3000	# far more than a pipe holds
	for args in "flows" "-j flows dump" "--jsonl flows" "flows save -" "--format table flows"; do
		run --separate-stderr bash -c "timeout 20 '$MAPSH' $args | head -n 1 >/dev/null; echo \${PIPESTATUS[0]}"
		[ "$output" = 0 ] || fail "mapsh $args | head: exit $output"
		[ -z "$stderr" ] || fail "mapsh $args | head: $stderr"
	done
}

# A drain into a reader that reads some bytes and hangs up, 30 times:
# what it read whole plus what is left is every element once, in order.
@test "drain into a reader that hangs up: each element read is gone, each other one kept, 30 of 30" {
	mapsh load >/dev/null
	local n=12 r k got want bad=0 log=
	want=$(seq -s, 1 $n)
	for ((r = 1; r <= 30; r++)); do
		push_samples $n
		# the reader: one line (head -n 1), some bytes (head -c K: its
		# last line may be cut short), one read (dd)
		k=$(( (r * 53) % 700 + 1 ))
		case $((r % 3)) in
		0) reader="head -n 1" ;;
		1) reader="head -c $k" ;;
		2) reader="dd bs=$k count=1 status=none" ;;
		esac
		timeout 20 "$MAPSH" samples drain | (sleep 0.05; $reader >"$BATS_TEST_TMPDIR/got")
		# the whole lines it read (a last one cut short is not one)
		lines=$(tr -cd '\n' <"$BATS_TEST_TMPDIR/got" | wc -c)
		got=$(head -n "$lines" "$BATS_TEST_TMPDIR/got" | grep -o 'src_port=[0-9]*' | cut -d= -f2 | paste -sd,)
		left=$(samples_left)
		all="$got${got:+${left:+,}}$left"
		if [ "$all" != "$want" ]; then
			bad=$((bad + 1))
			log+="run $r ($reader): read [$got] left [$left]"$'\n'
		fi
	done
	[ "$bad" -eq 0 ] || fail "$bad of 30 runs wrong:"$'\n'"$log"
}

@test "pop into a reader that hangs up: an element read is gone, one not read is kept, 15 of 15" {
	mapsh load >/dev/null
	local r bad=0
	for ((r = 1; r <= 15; r++)); do
		push_samples 2
		# head reads all of it: popped
		timeout 20 "$MAPSH" samples pop | (sleep 0.05; head -n 1 >"$BATS_TEST_TMPDIR/got")
		[ "$(cut -f7 "$BATS_TEST_TMPDIR/got")" = 1 ] || fail "run $r: read $(cat "$BATS_TEST_TMPDIR/got")"
		# a reader that takes 3 bytes of it: not delivered, kept
		timeout 20 "$MAPSH" samples pop | (sleep 0.05; head -c 3 >/dev/null)
		left=$(samples_left)
		[ "$left" = 2 ] || { bad=$((bad + 1)); echo "run $r: left [$left]"; }
	done
	[ "$bad" -eq 0 ]
}

@test "follow and drain of a ring buffer into /dev/full: exit 1, one message" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1000 --dport 80 -c 1
	send_pkts 1 -s 10.0.0.3 -d 10.0.0.2 -p udp --sport 1001 --dport 80 -c 1
	run --separate-stderr bash -c "timeout 20 nsenter --net=/run/netns/$NS '$MAPSH' events follow --count 1 >/dev/full"
	[ "$status" -eq 1 ] || fail "follow: exit $status ($stderr)"
	[ "$stderr" = "$ENOSPC_MSG" ]
	run --separate-stderr bash -c "timeout 20 nsenter --net=/run/netns/$NS '$MAPSH' -j events drain >/dev/full"
	[ "$status" -eq 1 ] || fail "drain: exit $status ($stderr)"
	[ "$stderr" = "$ENOSPC_MSG" ]
}
