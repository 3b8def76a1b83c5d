#!/usr/bin/env bats
# Map verbs (mapsh MAP VERB ...) on the bundled maps, loaded and attached
# in the test's own namespace, after real traffic. What mapsh shows and
# writes is checked against bpftool's view of the same kernel maps.

load helpers
load data_lib
bats_require_minimum_version 1.5.0

setup() {
	setup_bpffs
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
}
teardown() {
	data_term_kill
	teardown_common
}

FLOW="src_ip=10.0.0.1 dst_ip=10.0.0.2 src_port=5555 dst_port=80 protocol=udp"

# bad_input MAP EXPECTED_RC ARGS...: mapsh ARGS fails with EXPECTED_RC and
# one line on stderr, and MAP is byte-identical before and after.
bad_input() {
	local map=$1 want=$2 before after
	shift 2
	before=$(dump_pinned "$map")
	run --separate-stderr mapsh "$@" </dev/null
	after=$(dump_pinned "$map")
	[ "$status" -eq "$want" ] || fail "mapsh $*: exit $status, expected $want ($stderr)"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "mapsh $*: ${#stderr_lines[@]} stderr lines: $stderr"
	[[ "$stderr" == "mapsh: "* ]] || fail "mapsh $*: $stderr"
	[ -z "$output" ] || fail "mapsh $*: printed '$output'"
	[ "$before" = "$after" ] || fail "mapsh $* changed $map"
}

@test "typed lookup of a flow gives its exact packet count, text and JSON" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 7 --len 100
	run mapsh -j flows lookup $FLOW
	assert_success
	[ "$(jq .value.packets <<<"$output")" = 7 ]
	[ "$(jq .value.bytes <<<"$output")" = 700 ]
	[ "$(jq -r .key.src_ip <<<"$output")" = 10.0.0.1 ]
	[ "$(jq -r .key.protocol <<<"$output")" = udp ]
	[ "$(jq .key.dst_port <<<"$output")" = 80 ]
	# in a pipe: one tab-separated line, key columns then value columns
	run mapsh flows lookup $FLOW
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	[ "$(cut -f1-5 <<<"$output")" = "$(printf '10.0.0.1\t10.0.0.2\t5555\t80\tudp')" ]
	[ "$(cut -f6,7 <<<"$output")" = "$(printf '7\t700')" ]
	# the key may also be one JSON object
	run mapsh -j flows lookup '{"src_ip":"10.0.0.1","dst_ip":"10.0.0.2","src_port":5555,"dst_port":80,"protocol":"udp"}'
	assert_success
	[ "$(jq .value.packets <<<"$output")" = 7 ]
}

@test "dump shows every flow: a table with a header, plain lines, JSON like bpftool" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 2
	send_pkts 1 -s 10.0.0.3 -d 10.0.0.2 -p tcp --sport 4000 --dport 443 -c 3 --tcp-flags SYN
	run mapsh flows dump --format table
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == "src_ip "*"dst_ip"*"protocol"*"packets"*"tcp_flags" ]]
	refute_output --partial "pad"
	run mapsh flows
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	refute_output --partial "src_ip"
	assert_output --partial "$(printf '10.0.0.3\t10.0.0.2\t4000\t443\ttcp\t3\t')"
	run mapsh -j flows dump
	assert_success
	[ "$(jq length <<<"$output")" = 2 ]
	[ "$(jq -r '.[] | select(.key.src_ip == "10.0.0.3") | .value.tcp_flags' <<<"$output")" = SYN ]
	# the same entries bpftool sees, with the same packet counts
	[ "$(jq '[.[].value.packets] | sort' <<<"$output")" = \
	  "$(dump_pinned flows | jq '[.[].formatted.value.packets] | sort')" ]
	run mapsh --jsonl flows dump
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	jq -e .key.src_ip <<<"${lines[0]}"
	# -p: one pretty document
	run mapsh -p flows dump
	[ "$(jq length <<<"$output")" = 2 ]
	[ "${#lines[@]}" -gt 10 ]
}

@test "an empty map dumps nothing; JSON is []" {
	run mapsh flows6
	assert_success
	assert_output ""
	run mapsh -j flows6 dump
	assert_success
	assert_output "[]"
	run mapsh flows6 count
	assert_success
	assert_output 0
}

@test "dump where, sort, limit and fields" {
	for i in 1 2 3 4; do
		send_pkts 1 -s 10.0.1.$i -d 192.168.0.1 -p tcp --sport 100$i --dport 22 -c $i
	done
	send_pkts 1 -s 10.0.2.1 -d 10.0.0.9 -p udp --sport 53 --dport 53 -c 5
	run mapsh -j flows dump where 'dst_ip ~ 192.168.0.0/16' sort packets desc limit 2 fields src_ip,packets
	assert_success
	assert_output '[{"src_ip":"10.0.1.4","packets":4},{"src_ip":"10.0.1.3","packets":3}]'
	run mapsh flows dump where protocol == tcp and packets '>=' 2 sort src_ip fields src_ip
	assert_success
	assert_output "$(printf '10.0.1.2\n10.0.1.3\n10.0.1.4')"
	run mapsh flows count where protocol == udp
	assert_output 1
	run mapsh -j flows count
	[ "$(jq .entries <<<"$output")" = 5 ]
	[ "$(jq .max_entries <<<"$output")" = 16384 ]
	run mapsh flows dump limit 0
	assert_output ""
	# without a verb the words are dump's
	run mapsh flows where src_ip == 10.0.2.1 fields packets
	assert_success
	assert_output 5
}

@test "per-CPU maps: the sum equals the per-CPU values and what was sent" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 9 --len 80
	ncpus=$(dump_pinned cpu_stats | jq '.[0].values | length')
	# percpu_array
	run mapsh -j cpu_stats dump
	assert_success
	[ "$(jq '.[0].value.packets' <<<"$output")" = 9 ]
	[ "$(jq '[.[0].per_cpu[].value.packets] | add' <<<"$output")" = 9 ]
	[ "$(jq '[.[0].per_cpu[].value.bytes] | add' <<<"$output")" = 720 ]
	[ "$(jq '.[0].per_cpu | length' <<<"$output")" = "$ncpus" ]
	[ "$(percpu_sum cpu_stats packets)" = 9 ]
	run mapsh cpu_stats lookup 0
	[ "$(cut -f2 <<<"$output")" = 9 ]
	run mapsh cpu_stats dump --per-cpu
	assert_success
	[ "${#lines[@]}" -eq "$ncpus" ]
	[ "$(awk -F'\t' '{ s += $3 } END { print s }' <<<"$output")" = 9 ]
	[ "$(cut -f2 <<<"$output" | tr '\n' ' ')" = "$(seq 0 $((ncpus - 1)) | tr '\n' ' ')" ]
	# percpu_hash, typed key
	run mapsh -j proto_stats lookup udp
	assert_success
	[ "$(jq .value.packets <<<"$output")" = 9 ]
	[ "$(jq '[.per_cpu[].value.packets] | add' <<<"$output")" = 9 ]
	run mapsh -j proto_stats lookup protocol=17
	[ "$(jq .value.packets <<<"$output")" = 9 ]
	# writes: every CPU by default, one CPU with cpu=N / --cpu N
	mapsh proto_stats set udp drops=2
	[ "$(percpu_sum proto_stats drops)" = $((2 * ncpus)) ]
	[ "$(percpu_sum proto_stats packets)" = 9 ]
	mapsh proto_stats set udp cpu=0 drops=5
	run mapsh -j proto_stats lookup udp
	[ "$(jq '.per_cpu[0].value.drops' <<<"$output")" = 5 ]
	[ "$(jq .value.drops <<<"$output")" = $((5 + 2 * (ncpus - 1))) ]
	mapsh proto_stats update --cpu 0 tcp packets=4
	run mapsh -j proto_stats lookup tcp
	[ "$(jq .value.packets <<<"$output")" = 4 ]
	[ "$(jq '.per_cpu[0].value.packets' <<<"$output")" = 4 ]
}

@test "lru_percpu_hash rate_limits: typed lookup and per-CPU sums" {
	mapsh config set rate_limit_pps=1000
	send_pkts 1 -s 10.0.0.7 -d 10.0.0.2 -p udp -c 6
	run mapsh -j rate_limits lookup 10.0.0.7
	assert_success
	[ "$(jq .value.passed <<<"$output")" = 6 ]
	[ "$(jq '[.per_cpu[].value.passed] | add' <<<"$output")" = 6 ]
	[ "$(jq -r .key.src_ip <<<"$output")" = 10.0.0.7 ]
	run mapsh -j rate_limits dump
	[ "$(jq length <<<"$output")" = 1 ]
	[ "$(percpu_sum rate_limits passed)" = 6 ]
	run mapsh rate_limits count
	assert_output 1
	run mapsh rate_limits delete src_ip=10.0.0.7
	assert_success
	run mapsh rate_limits count
	assert_output 0
}

@test "config set sample_rate=100 writes that field only; bpftool sees it" {
	mapsh config set sample_rate=100
	run lookup config 00 00 00 00
	[ "$(jq .formatted.value.sample_rate <<<"$output")" = 100 ]
	[ "$(jq .formatted.value.enabled <<<"$output")" = 1 ]
	[ "$(jq .formatted.value.event_mask <<<"$output")" = 3 ]
	run mapsh -j config lookup 0
	[ "$(jq .value.sample_rate <<<"$output")" = 100 ]
	[ "$(jq -r .value.event_mask <<<"$output")" = 3 ]
	# with the key, several fields, and setting what is already there
	mapsh config set 0 rate_limit_pps=50 event_mask=0x1
	run lookup config 00 00 00 00
	[ "$(jq .formatted.value.rate_limit_pps <<<"$output")" = 50 ]
	[ "$(jq .formatted.value.event_mask <<<"$output")" = 1 ]
	[ "$(jq .formatted.value.sample_rate <<<"$output")" = 100 ]
	run mapsh config set sample_rate=100
	assert_success
}

@test "array iface_stats: lookup after traffic, update, set, clear" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp -c 4 --len 64
	run mapsh -j iface_stats lookup "$HOST_IFINDEX1"
	assert_success
	[ "$(jq .value.packets <<<"$output")" = 4 ]
	[ "$(jq .value.bytes <<<"$output")" = 256 ]
	mapsh iface_stats update 200 packets=3 bytes=30
	run lookup iface_stats $(hex_u32le 200)
	[ "$(jq .formatted.value.packets <<<"$output")" = 3 ]
	[ "$(jq .formatted.value.bytes <<<"$output")" = 30 ]
	mapsh iface_stats set 200 drops=2
	run lookup iface_stats $(hex_u32le 200)
	[ "$(jq .formatted.value.packets <<<"$output")" = 3 ]
	[ "$(jq .formatted.value.drops <<<"$output")" = 2 ]
	# replace writes the fields it names; --zero-rest zeroes the others
	mapsh iface_stats replace 200 packets=1
	[ "$(lookup iface_stats $(hex_u32le 200) | jq .formatted.value.packets)" = 1 ]
	[ "$(lookup iface_stats $(hex_u32le 200) | jq .formatted.value.drops)" = 2 ]
	mapsh iface_stats replace --zero-rest 200 packets=1
	[ "$(lookup iface_stats $(hex_u32le 200) | jq .formatted.value.drops)" = 0 ]
	[ "$(lookup iface_stats $(hex_u32le 200) | jq .formatted.value.bytes)" = 0 ]
	run mapsh iface_stats count
	assert_output 256
	run mapsh iface_stats clear --yes
	assert_success
	assert_output "iface_stats: zeroed 256 elements"
	[ "$(dump_pinned iface_stats | jq -c '[.[].formatted.value | .packets, .bytes, .drops] | unique')" = '[0]' ]
	run --separate-stderr mapsh iface_stats delete 200
	assert_failure 2
	[[ "$stderr" == *"'delete' does not apply"*"dump, lookup, update"* ]]
}

@test "hash blocklist: add, replace, update, set, delete, getnext; a rule drops traffic" {
	run mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	assert_success
	assert_output ""
	run lookup blocklist $(hex_ip4 10.0.0.9) 00 00 00 00
	[ "$(jq -r .formatted.value.action <<<"$output")" = FW_DROP ]
	run --separate-stderr mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=allow
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist: an entry with key {src_ip=10.0.0.9 dst_port=0 protocol=0} exists already (use update or replace)" ]
	send_pkts 1 -s 10.0.0.9 -d 10.0.0.2 -p udp --sport 1 --dport 2 -c 3
	run mapsh -j blocklist lookup src_ip=10.0.0.9 dst_port=0 protocol=0
	[ "$(jq .value.hits <<<"$output")" = 3 ]
	[ "$(jq -r .value.action <<<"$output")" = FW_DROP ]
	# set changes only the named field
	mapsh blocklist set src_ip=10.0.0.9 dst_port=0 protocol=0 hits=0
	run mapsh -j blocklist lookup src_ip=10.0.0.9 dst_port=0 protocol=0
	[ "$(jq .value.hits <<<"$output")" = 0 ]
	[ "$(jq -r .value.action <<<"$output")" = FW_DROP ]
	# bpftool's own syntax, and positional values after 'value'
	mapsh blocklist update key hex $(hex_ip4 10.0.0.8) 00 50 06 00 value hex 01 00 00 00 00 00 00 00 05 00 00 00 00 00 00 00
	run mapsh -j blocklist lookup 10.0.0.8 80 tcp
	[ "$(jq .value.hits <<<"$output")" = 5 ]
	mapsh blocklist replace 10.0.0.8 80 tcp value allow 7
	run lookup blocklist $(hex_ip4 10.0.0.8) 00 50 06 00
	[ "$(jq -r .formatted.value.action <<<"$output")" = FW_ALLOW ]
	[ "$(jq .formatted.value.hits <<<"$output")" = 7 ]
	run --separate-stderr mapsh blocklist replace src_ip=10.0.0.1 dst_port=0 protocol=0 action=drop
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist: no entry with key {src_ip=10.0.0.1 dst_port=0 protocol=0}" ]
	run mapsh blocklist update --noexist src_ip=10.0.0.8 dst_port=80 protocol=tcp action=drop
	assert_failure 1
	[ "$(lookup blocklist $(hex_ip4 10.0.0.8) 00 50 06 00 | jq -c '.formatted.value | [.action, .hits]')" = '["FW_ALLOW",7]' ]
	run mapsh blocklist count
	assert_success
	assert_output 2
	# getnext walks the two keys: each once, then the end
	run mapsh -j blocklist getnext
	assert_success
	first=$(jq -c .next_key <<<"$output")
	[ "$(jq .key <<<"$output")" = null ]
	run mapsh -j blocklist getnext "$first"
	assert_success
	second=$(jq -c .next_key <<<"$output")
	[ "$(jq -s -c 'map(.src_ip + " " + (.dst_port | tostring) + " " + (.protocol | tostring)) | sort' <<<"$first $second")" = \
	  '["10.0.0.8 80 tcp","10.0.0.9 0 0"]' ]
	run --separate-stderr mapsh blocklist getnext "$second"
	assert_failure 1
	[[ "$stderr" == *"no key after"* ]]
	run mapsh blocklist delete src_ip=10.0.0.9 dst_port=0 protocol=0
	assert_success
	run lookup blocklist $(hex_ip4 10.0.0.9) 00 00 00 00
	assert_failure
	run --separate-stderr mapsh blocklist delete src_ip=10.0.0.9 dst_port=0 protocol=0
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist: no entry with key {src_ip=10.0.0.9 dst_port=0 protocol=0}" ]
	run mapsh blocklist clear --yes
	assert_output "blocklist: deleted 1 entry"
	[ "$(dump_pinned blocklist | jq length)" = 0 ]
}

@test "LPM trie: CIDR keys and longest-prefix lookup; drops count hits" {
	mapsh blocked_prefixes update 10.0.0.0/8 action=drop
	mapsh blocked_prefixes add 10.1.0.0/16 action=allow
	run lookup blocked_prefixes 10 00 00 00 $(hex_ip4 10.0.0.0)
	[ "$(jq -r .formatted.value.action <<<"$output")" = FW_DROP ]
	run mapsh -j blocked_prefixes lookup 10.1.2.3
	assert_success
	[ "$(jq .key.prefixlen <<<"$output")" = 16 ]
	[ "$(jq -r .key.addr <<<"$output")" = 10.1.0.0 ]
	[ "$(jq -r .value.action <<<"$output")" = FW_ALLOW ]
	run mapsh blocked_prefixes lookup 10.2.0.1
	[ "$(cut -f1,2 <<<"$output")" = "$(printf '10.0.0.0/8\tFW_DROP')" ]
	run --separate-stderr mapsh blocked_prefixes lookup 11.0.0.1
	assert_failure 1
	[ "$stderr" = "mapsh: blocked_prefixes: no prefix contains 11.0.0.1" ]
	run mapsh blocked_prefixes dump --format table
	[[ "${lines[0]}" == "prefix "*"action"*"hits" ]]
	assert_output --partial "10.1.0.0/16"
	send_pkts 1 -s 10.2.0.5 -d 10.0.0.2 -p udp -c 2
	run mapsh -j blocked_prefixes lookup 10.0.0.0/8
	[ "$(jq .value.hits <<<"$output")" = 2 ]
	mapsh blocked_prefixes delete 10.1.0.0/16
	run mapsh -j blocked_prefixes lookup 10.1.2.3
	[ "$(jq .key.prefixlen <<<"$output")" = 8 ]
	run mapsh blocked_prefixes getnext
	[ "$(cut -f2 <<<"$output")" = 10.0.0.0/8 ]
	run mapsh blocked_prefixes count
	assert_output 1
}

@test "info: type, sizes, C declarations from BTF, memory, programs" {
	run mapsh flows info
	assert_success
	assert_output --partial "struct flow_key {"
	assert_output --partial "	__be32 src_ip;"
	assert_output --partial "struct flow_metrics {"
	assert_output --partial "flowtrack (id "
	run mapsh -j flows info
	assert_success
	[ "$(jq -r .type <<<"$output")" = lru_hash ]
	[ "$(jq .max_entries <<<"$output")" = 16384 ]
	[ "$(jq .key_size <<<"$output")" = 16 ]
	[ "$(jq -r .key <<<"$output")" = "struct flow_key" ]
	[ "$(jq -r '.programs[0].name' <<<"$output")" = flowtrack ]
	[ "$(jq '.memory > 0' <<<"$output")" = true ]
	[ "$(jq .frozen <<<"$output")" = false ]
	[ "$(jq -r .pinned <<<"$output")" = "$MAPSH_PIN_DIR/flows" ]
	[ "$(jq .id <<<"$output")" = "$(bpftool -j map show pinned "$MAPSH_PIN_DIR/flows" | jq .id)" ]
	jq -r .value_decl <<<"$output" | grep -q '__u64 packets;'
	# enums are declared before the struct that uses them
	run mapsh -j blocklist info
	[[ "$(jq -r .value_decl <<<"$output")" == "enum fw_action {"*"FW_DROP = 1,"*"struct fw_verdict {"* ]]
	# queues, stacks, ring buffers and maps of maps get info too
	run mapsh -j samples info
	assert_success
	[ "$(jq -r .value <<<"$output")" = "struct pkt_sample" ]
	run mapsh events info
	assert_success
	run mapsh -j iface_blocklist count
	assert_success
	[ "$(jq .entries <<<"$output")" = 1 ]
}

@test "OUTER[KEY] selects an inner map of a map of maps" {
	run mapsh 'iface_blocklist[h1]' add src_ip=10.0.0.6 dst_port=0 protocol=0 action=drop
	assert_success
	run bpftool -j map lookup pinned "$MAPSH_PIN_DIR/inner/iface_blocklist_h1" key hex $(hex_ip4 10.0.0.6) 00 00 00 00
	assert_success
	[ "$(jq -r .formatted.value.action <<<"$output")" = FW_DROP ]
	send_pkts 1 -s 10.0.0.6 -d 10.0.0.2 -p udp -c 2
	run mapsh -j "iface_blocklist[$HOST1]" dump
	[ "$(jq '.[0].value.hits' <<<"$output")" = 2 ]
	run mapsh -j "iface_blocklist[ifindex=$HOST_IFINDEX1]" count
	[ "$(jq .entries <<<"$output")" = 1 ]
	run --separate-stderr mapsh 'iface_blocklist[lo]' dump
	assert_failure 1
	[ "$stderr" = "mapsh: iface_blocklist has no inner map at key {ifindex=lo}" ]
	run --separate-stderr mapsh 'flows[1]' dump
	assert_failure 2
}

@test "freeze makes a map read-only; pin adds a path" {
	run mapsh redirect_stats pin "$BPFFS/again"
	assert_success
	[ "$(bpftool -j map show pinned "$BPFFS/again" | jq .id)" = \
	  "$(bpftool -j map show pinned "$MAPSH_PIN_DIR/redirect_stats" | jq .id)" ]
	run --separate-stderr mapsh redirect_stats pin "$BPFFS/again"
	assert_failure 1
	[[ "$stderr" == *"exists already"* ]]
	run mapsh redirect_stats freeze
	assert_success
	run --separate-stderr mapsh redirect_stats update ifindex=1 packets=1
	assert_failure 1
	[ "$stderr" = "mapsh: redirect_stats is frozen: user space can no longer change it" ]
	run mapsh -j redirect_stats info
	[ "$(jq .frozen <<<"$output")" = true ]
	[ "$(dump_pinned redirect_stats | jq length)" = 0 ]
}

@test "unknown maps, unknown verbs and verbs a map type lacks: one line with what is valid" {
	run --separate-stderr mapsh flws dump
	assert_failure 1
	[[ "$stderr" == "mapsh: no map 'flws' in $MAPSH_PIN_DIR (did you mean 'flows'? a map is NAME"*"id N, pinned PATH or name NAME)" ]]
	run --separate-stderr mapsh flows dmup
	assert_failure 2
	[[ "$stderr" == "mapsh: flows: unknown verb 'dmup' (did you mean 'dump'? verbs for lru_hash maps: dump, lookup, update,"* ]]
	run --separate-stderr mapsh events lookup 1
	assert_failure 2
	[[ "$stderr" == "mapsh: events (ringbuf): 'lookup' does not apply: it holds records, not entries: follow or drain read them (verbs for ringbuf maps: "*"info, freeze, pin, drain, follow)" ]]
	run --separate-stderr mapsh iface_blocklist set x
	assert_failure 2
	[[ "$stderr" == *"verbs for hash_of_maps maps: dump, lookup, update, add, replace, delete, "*"count, info, "*"freeze, pin)" ]]
	# an unknown word that is no map stays an unknown command
	run --separate-stderr mapsh lod
	assert_failure 2
	[ "$stderr" = "mapsh: unknown command 'lod' (did you mean 'load'? see 'mapsh help')" ]
}

@test "help: the verbs valid for a map, and each verb's options" {
	run mapsh flows --help
	assert_success
	assert_output --partial "Usage: mapsh flows VERB"
	assert_output --partial "  lookup"
	assert_output --partial "  delete"
	run mapsh iface_stats --help
	assert_line --regexp '^  lookup '
	refute_line --regexp '^  delete '
	run mapsh samples --help
	assert_success
	refute_line --regexp '^  dump '
	assert_line --regexp '^  info '
	assert_output --partial "Without a verb: info"
	run mapsh flows dump --help
	assert_success
	assert_output --partial "Usage: mapsh MAP dump [--per-cpu] [--recursive] [--stats] [--bars] [where EXPR]"
	run mapsh flows update --help
	assert_output --partial "key KEY... value VALUE..."
	assert_output --partial "--noexist"
	a=$(mapsh help set)
	b=$(mapsh flows set --help)
	[ "$a" = "$b" ]
}

@test "bad input for every verb leaves the map byte-identical, exit 1 or 2, one line" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 2
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	mapsh blocked_prefixes add 10.0.0.0/8 action=drop
	local other="src_ip=10.9.9.9 dst_ip=10.0.0.2 src_port=5555 dst_port=80 protocol=udp"
	bad_input flows 2 flows dump where nosuch == 1
	bad_input flows 2 flows dump sort packets sideways
	bad_input flows 2 flows dump bogus
	bad_input flows 2 flows lookup src_ip=10.0.0.1
	bad_input flows 2 flows lookup srcip=10.0.0.1 dst_ip=10.0.0.2 src_port=5555 dst_port=80 protocol=udp
	bad_input flows 1 flows lookup $other
	bad_input flows 2 flows update $FLOW packets=many
	bad_input flows 2 flows update src_ip=10.0.0.1 dst_ip=10.0.0.2 src_port=70000 dst_port=80 protocol=udp packets=1
	bad_input flows 2 flows update $FLOW
	bad_input flows 2 flows update $FLOW packets=1 --noexist --exist
	bad_input flows 2 flows update $FLOW packets=1 --cpu 0
	bad_input flows 1 flows add $FLOW packets=1
	bad_input flows 1 flows replace $other packets=1
	bad_input flows 1 flows delete $other
	bad_input flows 2 flows delete src_ip=10.0.0.1
	bad_input flows 2 flows set $FLOW packets=-1
	bad_input flows 2 flows set $FLOW bytes=1 packets=x
	bad_input flows 1 flows set $other packets=1
	bad_input flows 2 flows set packets=1
	bad_input flows 2 flows clear
	bad_input flows 2 flows count where packets ~~ 3
	bad_input flows 2 flows getnext src_ip=10.0.0.1
	bad_input flows 2 flows info extra
	bad_input flows 2 flows freeze now
	bad_input flows 2 flows pin
	bad_input flows 1 flows pin /nonexistent/dir/flows
	bad_input flows 2 flows frobnicate
	bad_input flows 2 flows dump --bogus
	bad_input config 2 config set sample_rate=-1
	bad_input config 2 config set enabled=1 nosuch=2
	bad_input config 1 config lookup 1
	bad_input iface_stats 1 iface_stats update 256 packets=1
	bad_input iface_stats 2 iface_stats update 1 packets=1 bytes=1 drops=1 extra=1
	bad_input cpu_stats 2 cpu_stats update 0 packets=1 --cpu 999
	bad_input cpu_stats 2 cpu_stats set 0 packets=1 cpu=-1
	bad_input proto_stats 2 proto_stats update protocol=nosuchproto packets=1
	bad_input blocklist 1 blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=allow
	bad_input blocklist 2 blocklist update src_ip=10.0.0.7 dst_port=0 protocol=0 action=maybe
	bad_input blocklist 1 blocklist delete src_ip=10.0.0.1 dst_port=0 protocol=0
	bad_input blocked_prefixes 2 blocked_prefixes update 10.0.0.0/33 action=drop
	bad_input blocked_prefixes 2 blocked_prefixes update 10.0.0.0/8 action=maybe
	bad_input blocked_prefixes 1 blocked_prefixes add 10.0.0.0/8 action=allow
	bad_input blocked_prefixes 1 blocked_prefixes delete 10.0.0.0/9
	bad_input rate_limits 2 rate_limits lookup 10.0.0.300
}

@test "update --exist writes only a key that exists, --noexist only a new one; the map is unchanged otherwise" {
	local k5="src_ip=10.0.0.5 dst_port=0 protocol=0"
	run --separate-stderr mapsh blocklist update --exist $k5 action=drop
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist: no entry with key {src_ip=10.0.0.5 dst_port=0 protocol=0}" ]
	[ "$(dump_pinned blocklist | jq length)" = 0 ]
	run mapsh blocklist update --noexist $k5 action=drop hits=2
	assert_success
	[ "$(lookup blocklist $(hex_ip4 10.0.0.5) 00 00 00 00 | jq -c '.formatted.value | [.action, .hits]')" = '["FW_DROP",2]' ]
	run --separate-stderr mapsh blocklist update --noexist $k5 action=allow
	assert_failure 1
	[ "$stderr" = "mapsh: blocklist: an entry with key {src_ip=10.0.0.5 dst_port=0 protocol=0} exists already (use update or replace)" ]
	[ "$(lookup blocklist $(hex_ip4 10.0.0.5) 00 00 00 00 | jq -c '.formatted.value | [.action, .hits]')" = '["FW_DROP",2]' ]
	run mapsh blocklist update --exist $k5 action=allow hits=9
	assert_success
	[ "$(lookup blocklist $(hex_ip4 10.0.0.5) 00 00 00 00 | jq -c '.formatted.value | [.action, .hits]')" = '["FW_ALLOW",9]' ]
	[ "$(dump_pinned blocklist | jq length)" = 1 ]
	# per-CPU: --exist on a missing key creates nothing on any CPU
	run mapsh proto_stats update --exist --cpu 0 protocol=47 packets=1
	assert_failure 1
	run mapsh -j proto_stats dump where protocol == 47
	assert_success
	assert_output "[]"
	# arrays: every element exists
	run mapsh iface_stats update --exist 9 packets=4
	assert_success
	[ "$(lookup iface_stats $(hex_u32le 9) | jq .formatted.value.packets)" = 4 ]
	run mapsh iface_stats update --noexist 9 packets=5
	assert_failure 1
	[ "$(lookup iface_stats $(hex_u32le 9) | jq .formatted.value.packets)" = 4 ]
}

@test "clear on a terminal asks [y/N]: n, Enter and other answers keep every entry, y and Y delete" {
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	mapsh blocklist add src_ip=10.0.0.8 dst_port=80 protocol=tcp action=allow
	before=$(dump_pinned blocklist)
	for answer in n N "" no x; do
		data_term "'$MAPSH' blocklist clear"
		wait_screen "Delete every entry of blocklist? [y/N]"
		if [ -n "$answer" ]; then data_keys "$answer" Enter; else data_keys Enter; fi
		wait_screen "EXITED="
		run screen
		assert_output --partial "mapsh: blocklist clear: not confirmed, nothing changed"
		assert_output --partial "EXITED=1"
		[ "$(dump_pinned blocklist)" = "$before" ] || fail "answer '$answer' changed blocklist"
		data_term_kill
	done
	data_term "'$MAPSH' blocklist clear"
	wait_screen "Delete every entry of blocklist? [y/N]"
	data_keys y Enter
	wait_screen "EXITED="
	run screen
	assert_output --partial "blocklist: deleted 2 entries"
	assert_output --partial "EXITED=0"
	[ "$(dump_pinned blocklist | jq length)" = 0 ]
	data_term_kill
	# arrays are zeroed, and Y confirms too
	mapsh iface_stats update 4 packets=6
	data_term "'$MAPSH' iface_stats clear"
	wait_screen "Zero every element of iface_stats? [y/N]"
	data_keys Y Enter
	wait_screen "EXITED="
	run screen
	assert_output --partial "iface_stats: zeroed 256 elements"
	assert_output --partial "EXITED=0"
	[ "$(lookup iface_stats $(hex_u32le 4) | jq .formatted.value.packets)" = 0 ]
}

@test "-y and --yes, global or the verb's, clear without asking; on a terminal too" {
	for yes in "-y blocklist clear" "--yes blocklist clear" "blocklist clear -y" "blocklist clear --yes"; do
		mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
		run mapsh $yes </dev/null
		assert_success
		assert_output "blocklist: deleted 1 entry"
		[ "$(dump_pinned blocklist | jq length)" = 0 ] || fail "mapsh $yes left entries"
	done
	mapsh blocklist add src_ip=10.0.0.9 dst_port=0 protocol=0 action=drop
	data_term "'$MAPSH' -y blocklist clear"
	wait_screen "EXITED="
	run screen
	refute_output --partial "[y/N]"
	assert_output --partial "blocklist: deleted 1 entry"
	assert_output --partial "EXITED=0"
	[ "$(dump_pinned blocklist | jq length)" = 0 ]
}

@test "lookup --per-cpu: one row per CPU with that CPU's exact value; JSON per_cpu the same" {
	ncpus=$(dump_pinned cpu_stats | jq '.[0].values | length')
	last=$((ncpus - 1))
	for ((c = 0; c < ncpus; c++)); do
		mapsh proto_stats update --cpu "$c" protocol=47 packets=$((10 * (c + 1))) bytes=$((c + 100)) drops=$c
	done
	run mapsh proto_stats lookup protocol=47 --per-cpu
	assert_success
	[ "${#lines[@]}" = "$ncpus" ]
	for ((c = 0; c < ncpus; c++)); do
		[ "${lines[$c]}" = "$(printf 'gre\t%d\t%d\t%d\t%d' $c $((10 * (c + 1))) $((c + 100)) $c)" ] ||
			fail "CPU $c: '${lines[$c]}'"
	done
	# without --per-cpu: one summed row
	run mapsh proto_stats lookup protocol=47
	assert_success
	assert_output "$(printf 'gre\t%d\t%d\t%d' $((5 * ncpus * (ncpus + 1))) $((ncpus * 100 + ncpus * last / 2)) $((ncpus * last / 2)))"
	run mapsh -j proto_stats lookup protocol=47 --per-cpu
	assert_success
	[ "$(jq -c '[.per_cpu[] | [.cpu, .value.packets, .value.bytes, .value.drops]]' <<<"$output")" = \
	  "$(for ((c = 0; c < ncpus; c++)); do printf '[%d,%d,%d,%d]\n' $c $((10 * (c + 1))) $((c + 100)) $c; done | jq -s -c .)" ]
	# bpftool agrees, CPU by CPU
	[ "$(bpftool -j map lookup pinned "$MAPSH_PIN_DIR/proto_stats" key 47 | jq -c '[.formatted.values[] | .value.packets]')" = \
	  "$(jq -c '[.per_cpu[].value.packets]' <<<"$output")" ]
}

@test "where with or, not, !=, <, <=, parentheses: exactly the matching keys" {
	for i in 1 2 3 4; do
		send_pkts 1 -s 10.0.1.$i -d 192.168.0.1 -p tcp --sport 100$i --dport 22 -c $i
	done
	send_pkts 1 -s 10.0.2.1 -d 10.0.0.9 -p udp --sport 53 --dport 53 -c 5
	# q EXPR...: the src_ip of the flows EXPR selects, sorted, on one line
	q() { mapsh flows dump where "$@" fields src_ip | sort | tr '\n' ' '; }
	[ "$(q 'dst_port == 53 or packets < 2')" = "10.0.1.1 10.0.2.1 " ]
	[ "$(q not protocol == tcp)" = "10.0.2.1 " ]
	[ "$(q protocol != tcp)" = "10.0.2.1 " ]
	[ "$(q packets != 3)" = "10.0.1.1 10.0.1.2 10.0.1.4 10.0.2.1 " ]
	[ "$(q packets '<' 3)" = "10.0.1.1 10.0.1.2 " ]
	[ "$(q packets '<=' 3)" = "10.0.1.1 10.0.1.2 10.0.1.3 " ]
	[ "$(q 'packets != 3 and not (src_ip == 10.0.1.1 or src_ip == 10.0.1.2)')" = "10.0.1.4 10.0.2.1 " ]
	[ "$(q 'not (protocol == tcp and packets > 1)')" = "10.0.1.1 10.0.2.1 " ]
	[ "$(q 'src_ip ~ 10.0.1.0/24 and (packets < 2 or packets > 3)')" = "10.0.1.1 10.0.1.4 " ]
	[ "$(q 'dst_ip < 192.168.0.1')" = "10.0.2.1 " ]
	[ "$(q 'packets > 5')" = "" ]
	# count takes the same expressions
	run mapsh flows count where 'protocol != udp and not packets == 4'
	assert_success
	assert_output 3
	run mapsh flows count where 'packets < 3 or dst_port == 53'
	assert_success
	assert_output 3
}

@test "--raw-values: tags still format (flows), untagged fields lose the guessed ones (kernel's struct iphdr)" {
	send_pkts 1 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5555 --dport 80 -c 1
	run mapsh --raw-values -j flows lookup $FLOW
	assert_success
	[ "$(jq -c '.key | [.src_ip, .dst_ip, .src_port, .protocol]' <<<"$output")" = '["10.0.0.1","10.0.0.2",5555,"udp"]' ]
	bpftool map create "$BPFFS/q" type queue key 0 value 20 entries 2 name "rq_$ID"
	bpftool map push pinned "$BPFFS/q" value hex 45 00 00 54 12 34 40 00 40 01 00 00 0a 00 00 01 c0 a8 01 09
	run mapsh -j pinned "$BPFFS/q" peek --type iphdr
	assert_success
	[ "$(jq -c '.value | [.tot_len, .id, .saddr, .daddr]' <<<"$output")" = '[84,4660,"10.0.0.1","192.168.1.9"]' ]
	run mapsh -j --raw-values pinned "$BPFFS/q" peek --type iphdr
	assert_success
	# the bytes read as the host's integers: 00 54 -> 0x5400, 0a 00 00 01 -> 0x0100000a
	[ "$(jq -c '.value | [.tot_len, .id, .saddr, .daddr]' <<<"$output")" = "[21504,13330,16777226,151103680]" ]
	run mapsh pinned "$BPFFS/q" peek --type iphdr --raw-values
	assert_success
	[ "$(cut -f4,5,10,11 <<<"$output")" = "$(printf '21504\t13330\t16777226\t151103680')" ]
}
