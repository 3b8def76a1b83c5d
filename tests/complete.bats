#!/usr/bin/env bats
# Completion: `mapsh __complete` (what the REPL's Tab and the bash, zsh and
# fish scripts all use), as a table of command line -> candidates, then
# each shell's script.

load helpers
load tty_lib

setup() {
	setup_bpffs
	mapsh load >/dev/null
	export PATH="$(dirname "$MAPSH"):$PATH"
	TTY_SOCK=""
}

teardown() {
	tty_kill_server
	teardown_common
}

# A terminal of a tmux server of this test's own running CMD.
start_term() {
	tty_new_server
	ttmux new-session -d -s c -x 150 -y 20 "$1"
}
screen() { ttmux capture-pane -t c -p; }
keys() { ttmux send-keys -t c "$@"; }

# cands LINE: the candidates for the last word of LINE (after `mapsh`), on
# one line, space-separated.
cands() {
	local -a words
	read -ra words <<<"$1"
	# a trailing blank means the word being completed is empty
	[[ $1 == *" " || -z $1 ]] && words+=("")
	mapsh __complete -- "${words[@]}" | tr '\n' ' ' | sed 's/ $//'
}

# Lines whose candidates are exactly these. Interface names come from a
# namespace of the test's own (lo, h1, p1), not from the host's.
@test "__complete: exact candidates" {
	setup_net 1
	local -a table=(
		"lo|load"
		"fl|flows flows6"
		"ver|version"
		"--format |bpftool csv json jsonl plain table"
		"--format=js|--format=json --format=jsonl"
		"flows lookup |dst_ip= dst_port= protocol= src_ip= src_port="
		"flows lookup src_ip=10.0.0.1 |dst_ip= dst_port= protocol= src_port="
		"flows lookup protocol=tc|protocol=tcp"
		"flows lookup protocol=ud|protocol=udp protocol=udplite"
		"flows update src_ip=1.1.1.1 dst_ip=2.2.2.2 src_port=1 dst_port=2 protocol=tcp |bytes= first_seen= last_seen= packets= tcp_flags="
		"flows update src_ip=1.1.1.1 dst_ip=2.2.2.2 src_port=1 dst_port=2 protocol=tcp tcp_flags=SY|tcp_flags=SYN"
		"flows update src_ip=1.1.1.1 dst_ip=2.2.2.2 src_port=1 dst_port=2 protocol=tcp last_seen=|last_seen=now"
		"blocklist update action=|action=FW_ALLOW action=FW_DROP"
		"blocklist update action=d|action=FW_DROP"
		"blocklist add src_ip=10.0.0.1 dst_port=0 protocol=tcp |action= hits="
		"config set |enabled= event_mask= rate_limit_pps= sample_rate="
		"flows dump where protocol == u|udp udplite"
		"flows dump where protocol==u|protocol==udp protocol==udplite"
		"flows dump where packets |!= !~ < <= == > >= eq ge gt le lt ne ~"
		"flows dump sort packets |asc desc fields limit sort where"
		"flows dump fields src_ip,dst_p|src_ip,dst_port"
		"flows watch sort pa|packets packets/s"
		"cpu_stats watch sort |bytes bytes/s drops drops/s key packets packets/s"
		"flows dump sort pa|packets"
		"flows hist bytes --by src_|src_ip src_port"
		"flows hist bytes --by=dst_p|--by=dst_port"
		"flows dump limit |"
		"policy_routes update key 10.0.0.1 value ifindex=l|ifindex=lo"
		"load --iface l|lo"
		"load --iface |h1 lo p1"
		"load --iface h|h1"
		"load --mode |native skb"
		"help ver|version"
		"help dum|dump"
		"help samp|samples"
		"iface_blocklist[l|iface_blocklist[lo]"
		"flows count |where"
		"blocked_prefixes update 10.0.0.0/8 |action= hits="
		"flows bogus |"
	)
	local row line want got
	for row in "${table[@]}"; do
		line=${row%%|*}
		want=${row#*|}
		got=$(cands "$line")
		if [ "$got" != "$want" ]; then
			echo "line:     '$line'"
			echo "expected: '$want'"
			echo "got:      '$got'"
			return 1
		fi
	done
}

# Lines whose candidates include these (tables that grow as commands and
# verbs are added).
@test "__complete: candidates include" {
	local -a table=(
		"|load unload status maps help version source use flows blocklist config events id name pinned"
		"flows |dump lookup update add replace delete set clear count info getnext freeze pin"
		"iface_stats |dump lookup set"
		"use |flows config id name pinned"
		"help |load maps source use"
		"maps --|--all --json --pretty --jsonl --format --pin-dir --help"
		"--|--json --pretty --file --keep-going --pin-dir"
		"flows dump where |src_ip dst_ip protocol packets bytes tcp_flags not"
		"flows dump where protocol == tcp |and or sort limit fields"
		"flows dump sort |src_ip packets bytes"
		"flows dump |where sort limit fields"
	)
	local row line want got w
	for row in "${table[@]}"; do
		line=${row%%|*}
		want=${row#*|}
		got=" $(cands "$line") "
		for w in $want; do
			if [[ $got != *" $w "* ]]; then
				echo "line: '$line': '$w' missing from:$got"
				return 1
			fi
		done
	done
}

@test "__complete: verbs follow the map's type" {
	# a ring buffer has no lookup/update; a hash has no drain of its own
	got=" $(cands "events ") "
	[[ $got != *" lookup "* ]]
	[[ $got != *" update "* ]]
	[[ $got == *" info "* ]]
	got=" $(cands "config ") "
	# arrays have no delete
	[[ $got != *" delete "* ]]
	[[ $got == *" set "* ]]
}

@test "__complete: hidden commands are not offered" {
	got=" $(cands "") "
	[[ $got != *"__complete"* ]]
	[[ $got != *"__synopsis"* ]]
}

@test "__complete: name lists exactly the system's maps whose name starts so" {
	# names no other map of the system has (kernel names: 15 characters)
	local p="tty$(_unique_id)" w
	bpftool map create "$BPFFS/${p}a" type hash key 4 value 4 entries 4 name "${p}a"
	bpftool map create "$BPFFS/${p}b" type array key 4 value 4 entries 4 name "${p}b"
	[ "$(cands "name $p")" = "${p}a ${p}b" ]
	[ "$(cands "name ${p}b")" = "${p}b" ]
	[ "$(cands "name ${p}c")" = "" ]
	# ours are there, whatever other flows* maps the system has
	got=" $(cands "name flows") "
	[[ $got == *" flows "* ]]
	[[ $got == *" flows6 "* ]]
	for w in $got; do
		[[ $w == flows* ]] || fail "'name flows' offers '$w'"
	done
	# and the map's verbs after one
	got=" $(cands "name ${p}a ") "
	[[ $got == *" lookup "* ]]
	[[ $got == *" delete "* ]]
}

@test "__complete: id and name list the system's maps" {
	id=$(bpftool -j map show pinned "$MAPSH_PIN_DIR/flows" | jq .id)
	got=" $(cands "id ") "
	[[ $got == *" $id "* ]]
	got=" $(cands "name blockl") "
	[[ $got == *" blocklist "* ]]
	# and the map's verbs after them
	got=" $(cands "id $id ") "
	[[ $got == *" lookup "* ]]
	got=$(cands "id $id lookup src_")
	[ "$got" = "src_ip= src_port=" ]
}

@test "__complete: file names for source, pinned, --file" {
	mkdir -p "$BATS_TEST_TMPDIR/scripts/sub"
	touch "$BATS_TEST_TMPDIR/scripts/setup.mapsh" "$BATS_TEST_TMPDIR/scripts/other"
	got=$(cands "source $BATS_TEST_TMPDIR/scripts/s")
	[ "$got" = "$BATS_TEST_TMPDIR/scripts/setup.mapsh $BATS_TEST_TMPDIR/scripts/sub/" ]
	got=$(cands "-f $BATS_TEST_TMPDIR/scripts/o")
	[ "$got" = "$BATS_TEST_TMPDIR/scripts/other" ]
	got=$(cands "pinned $MAPSH_PIN_DIR/blockl")
	[ "$got" = "$MAPSH_PIN_DIR/blocklist" ]
}

@test "__complete: maps that are not loaded complete from the bundled definitions" {
	export MAPSH_PIN_DIR="$BATS_TEST_TMPDIR/nothing"
	[ "$(cands "flows lookup ")" = "dst_ip= dst_port= protocol= src_ip= src_port=" ]
	got=" $(cands "samples ") "
	[[ $got == *" info "* ]]
	[[ $got != *" lookup "* ]]
}

@test "__complete --line: a raw line with the cursor (COMP_LINE/COMP_POINT)" {
	run "$MAPSH" __complete --line "mapsh flows lookup protocol=tc"
	assert_success
	assert_output "protocol=tcp"
	# the cursor in the middle: only what is before it counts
	run "$MAPSH" __complete --line "mapsh fl dump" --point 8
	assert_output $'flows\nflows6'
	# quotes are read as the shell reads them
	run "$MAPSH" __complete --line "mapsh 'flows' lookup 'protocol=ud"
	assert_output $'protocol=udp\nprotocol=udplite'
}

@test "__complete --describe: a tab and a description" {
	run "$MAPSH" __complete --describe -- flows lookup src_i
	assert_success
	assert_output $'src_ip=\t__be32 (ipv4)'
	run "$MAPSH" __complete --describe -- ver
	assert_output $'version\tprint mapsh\'s version and the libbpf it uses'
}

@test "bash: _mapsh completes from COMP_WORDS/COMP_CWORD" {
	run bash -c '
		source "$1/completions/mapsh.bash"
		COMP_WORDS=(mapsh fl); COMP_CWORD=1; _mapsh
		echo "1:${COMPREPLY[*]}"
		COMP_WORDS=(mapsh flows lookup protocol=tc); COMP_CWORD=3; _mapsh
		echo "2:${COMPREPLY[*]}"
		COMP_WORDS=(mapsh blocklist update action=d); COMP_CWORD=3; _mapsh
		echo "3:${COMPREPLY[*]}"
		COMP_WORDS=(mapsh config set ""); COMP_CWORD=3; _mapsh
		echo "4:${COMPREPLY[*]}"
		complete -p mapsh
	' _ "$TOP"
	assert_success
	assert_line "1:flows flows6"
	assert_line "2:protocol=tcp"
	assert_line "3:action=FW_DROP"
	assert_line "4:enabled= event_mask= rate_limit_pps= sample_rate="
	assert_line "complete -F _mapsh mapsh"
}

@test "bash: _mapsh with COMP_LINE strips what bash splits at '=' and ':'" {
	run bash -c '
		source "$1/completions/mapsh.bash"
		# what bash really passes for "mapsh flows lookup protocol=ud<Tab>"
		COMP_LINE="mapsh flows lookup protocol=ud"; COMP_POINT=${#COMP_LINE}
		COMP_WORDS=(mapsh flows lookup protocol = ud); COMP_CWORD=5; _mapsh
		echo "1:${COMPREPLY[*]}"
		COMP_LINE="mapsh flows lookup protocol="; COMP_POINT=${#COMP_LINE}
		COMP_WORDS=(mapsh flows lookup protocol =); COMP_CWORD=4; _mapsh
		echo "2:${#COMPREPLY[@]} ${COMPREPLY[0]}"
	' _ "$TOP"
	assert_success
	assert_line "1:udp udplite"
	assert_line --regexp "^2:[0-9]+ ah$"
}

@test "bash: a real Tab in an interactive bash" {
	local WAIT_TRIES=100
	start_term "env PATH=$PATH MAPSH_PIN_DIR=$MAPSH_PIN_DIR PS1='$ ' bash --norc --noprofile"
	wait_screen '$'
	keys "source $TOP/completions/mapsh.bash; echo SOURCED-'OK'" Enter
	wait_match '^SOURCED-OK$'
	# each Tab's completion is on the line before the next keys
	keys "mapsh blockl" Tab
	wait_screen '$ mapsh blocklist'
	keys "upd" Tab
	wait_screen '$ mapsh blocklist update'
	keys "src" Tab
	wait_screen 'update src_ip='
	keys "10.0.0.1 dst_port=0 protocol=t" Tab
	wait_screen 'protocol=tcp'
	keys "act" Tab
	wait_screen 'tcp action='
	keys "dr" Tab
	wait_screen 'action=FW_DROP'
	run screen
	assert_line '$ mapsh blocklist update src_ip=10.0.0.1 dst_port=0 protocol=tcp action=FW_DROP'
	# and the line runs
	keys Enter
	wait_match '^\$ ?$'
	run mapsh -j blocklist lookup src_ip=10.0.0.1 dst_port=0 protocol=tcp
	assert_success
	[ "$(jq -r .value.action <<<"$output")" = FW_DROP ]
}

@test "zsh: _mapsh loads and completes (compadd recorded)" {
	command -v zsh >/dev/null || skip "zsh is not installed (make deps)"
	run zsh -f -c '
		fpath=("$1/completions" $fpath)
		autoload -Uz _mapsh
		compadd() { local a; while (( $# )); do [[ $1 == -- ]] && { shift; print -l -- "$@"; return 0; }; shift; done }
		words=(mapsh flows lookup prot); CURRENT=4; PREFIX=prot
		_mapsh
		words=(mapsh fl); CURRENT=2; PREFIX=fl
		_mapsh
	' _ "$TOP"
	assert_success
	assert_output $'protocol=\nflows\nflows6'
}

@test "zsh: a real Tab in an interactive zsh" {
	command -v zsh >/dev/null || skip "zsh is not installed (make deps)"
	local WAIT_TRIES=100
	start_term "env PATH=$PATH MAPSH_PIN_DIR=$MAPSH_PIN_DIR PS1='%% ' zsh -f"
	wait_screen '%'
	keys "fpath=($TOP/completions \$fpath); autoload -Uz compinit; compinit -u -D; echo COMPINIT-'OK'" Enter
	wait_match '^COMPINIT-OK$'
	keys "mapsh flows look" Tab
	wait_screen '% mapsh flows lookup'
	keys "proto" Tab
	wait_screen 'lookup protocol='
	keys "tc" Tab
	wait_screen 'lookup protocol=tcp'
	run screen
	assert_output --partial '% mapsh flows lookup protocol=tcp'
}

@test "fish: the script loads and completes" {
	command -v fish >/dev/null || skip "fish is not installed (make deps)"
	run fish --no-config -c "source $TOP/completions/mapsh.fish; complete -C 'mapsh fl'; complete -C 'mapsh blocklist update action='"
	assert_success
	assert_line $'flows\tlru_hash'
	assert_line $'flows6\tlru_hash'
	assert_line $'action=FW_DROP\t1'
	assert_line $'action=FW_ALLOW\t0'
}

@test "__complete and a batch run are clean under valgrind" {
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	[ -z "${MAPSH_SANITIZED:-}" ] || skip "valgrind cannot run the sanitizer build"
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$MAPSH" __complete -- flows dump where protocol == u
	assert_success
	assert_output $'udp\nudplite'
	printf 'config set sample_rate=3\nflows count\nbogus\nversion\n' >"$BATS_TEST_TMPDIR/s"
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$MAPSH" -j -k -f "$BATS_TEST_TMPDIR/s"
	assert_failure 1
}
