#!/usr/bin/env bats
# mapsh export: maps as Prometheus metrics, typed from BTF. The exposition
# is checked with promtool, the series against what was sent through the
# loaded programs, and a real Prometheus server scrapes the exporter.

load helpers
load sys_lib
bats_require_minimum_version 1.5.0

setup() {
	sys_setup_bpffs
	export BG_TIMEOUT=180
}
teardown() { sys_teardown; }

# A port for this test of this run (each test has its own namespace when it
# listens, so they only have to differ within a test).
port() { echo $(( 20000 + ( $$ * 31 + ${BATS_TEST_NUMBER:-0} * 97 + $1 ) % 20000 )); }

# The foreign map of tests/tools/export_foreign.bpf.c, pinned at $FMAP,
# with two services.
foreign_map() {
	bpftool prog loadall "$TOP/build/export_foreign.bpf.o" "$BPFFS/progs" pinmaps "$BPFFS/m" 2>/dev/null || true
	FMAP="$BPFFS/m/svc_stats"
	[ -e "$FMAP" ] || fail "svc_stats was not pinned"
	mapsh pinned "$FMAP" update daddr=10.0.0.1 dport=80 proto=6 tenant=acme \
		value requests=5 bytes=1000 queue_depth=-3 state=SVC_BUSY peer_addr=10.9.9.9
	mapsh pinned "$FMAP" update daddr=10.0.0.2 dport=443 proto=17 tenant='a"b' \
		value requests=7 bytes=70 queue_depth=2 state=SVC_IDLE peer_addr=0.0.0.0
}

# wait_for SECONDS CMD...: until CMD succeeds, polling every 0.2 s.
wait_for() {
	local t=$1 i; shift
	for ((i = 0; i < t * 5; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

scrape() { in_ns curl -sf --max-time 20 "$@"; }

# none REGEX TEXT: fail when a line of TEXT matches REGEX (a bare `! grep`
# would not fail a bats test).
none() {
	if grep -q -- "$1" <<<"$2"; then
		fail "unexpected: $(grep -m1 -- "$1" <<<"$2")"
	fi
}

# send_on CPU ARGS...: send_pkts 1 from that CPU (XDP on the veth runs on
# the sender's CPU, so per-CPU maps get values on more than one CPU).
send_on() {
	local cpu=$1; shift
	taskset -c "$cpu" nsenter --net="/run/netns/$NS" "$PKTGEN" -i "$PEER1" --dmac "$HOST_MAC1" "$@"
}

@test "export --once: the bundled maps, typed, with the exact packet counts, pass promtool" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	send_on 0 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5555 --dport 80 -c 4 --len 100
	send_on 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5555 --dport 80 -c 3 --len 100
	send_pkts 1 -s 10.1.1.3 -d 10.1.1.2 -p tcp --sport 4000 --dport 443 -c 2 --tcp-flags SYN
	run --separate-stderr mapsh export --once
	assert_success
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/x.prom"
	run promtool check metrics <"$BATS_TEST_TMPDIR/x.prom"
	assert_success
	assert_output ""
	x=$(cat "$BATS_TEST_TMPDIR/x.prom")
	# labels from the key's fields as mapsh shows them
	grep -Fx 'mapsh_flows_packets_total{src_ip="10.1.1.1",dst_ip="10.1.1.2",src_port="5555",dst_port="80",protocol="udp"} 7' <<<"$x"
	grep -Fx 'mapsh_flows_bytes_total{src_ip="10.1.1.1",dst_ip="10.1.1.2",src_port="5555",dst_port="80",protocol="udp"} 700' <<<"$x"
	grep -Fx 'mapsh_flows_packets_total{src_ip="10.1.1.3",dst_ip="10.1.1.2",src_port="4000",dst_port="443",protocol="tcp"} 2' <<<"$x"
	grep -Fx '# TYPE mapsh_flows_packets_total counter' <<<"$x"
	# times and flags are no values
	none '^mapsh_flows_first_seen\|^mapsh_flows_tcp_flags\|^mapsh_flows_last_seen' "$x"
	# per-CPU maps summed, against bpftool's per-CPU values
	[ "$(grep '^mapsh_proto_stats_packets_total{protocol="udp"} ' <<<"$x" | cut -d' ' -f2)" = \
	  "$(lookup proto_stats 11 | jq '[.formatted.values[].value.packets] | add')" ]
	grep -Fx 'mapsh_proto_stats_packets_total{protocol="udp"} 7' <<<"$x"
	# (the sum of two CPUs' values, not one CPU's)
	[ "$(lookup proto_stats 11 | jq '[.formatted.values[] | select(.value.packets > 0)] | length')" = 2 ]
	grep -Fx 'mapsh_cpu_stats_packets_total{key="0"} 9' <<<"$x"
	# a scalar key: the key label; array slots never written are left out
	grep -Fx "mapsh_iface_stats_packets_total{key=\"$HOST_IFINDEX1\"} 9" <<<"$x"
	[ "$(grep -c '^mapsh_iface_stats_packets_total' <<<"$x")" = 1 ]
	# the map gauges
	grep -Fx 'mapsh_map_entries{map="flows"} 2' <<<"$x"
	grep -Fx 'mapsh_map_max_entries{map="flows"} 16384' <<<"$x"
	grep -Fx 'mapsh_map_up{map="flows"} 1' <<<"$x"
	grep -q '^mapsh_map_memory_bytes{map="flows"} [1-9]' <<<"$x"
	# only maps with counters: config has none
	none 'map="config"' "$x"
	# gauges: rate_limits.tokens is no counter
	grep -Fx '# TYPE mapsh_rate_limits_tokens gauge' <<<"$x"
	# a ring buffer: how full it is (two new-flow events not yet consumed)
	run mapsh export --once events
	assert_success
	grep -q '^mapsh_map_fill_ratio{map="events"} 0\.0*[1-9]' <<<"$output"
	mapsh events drain >/dev/null
	run mapsh export --once events
	grep -Fx 'mapsh_map_fill_ratio{map="events"} 0' <<<"$output"
	# a queue: its map gauges only (its values cannot be read without
	# taking them)
	run mapsh export --once samples
	assert_success
	grep -Fx 'mapsh_map_max_entries{map="samples"} 1024' <<<"$output"
	none '^# TYPE mapsh_samples_' "$output"
}

@test "export --per-cpu: a cpu label per CPU, adding up to the sum; --prefix names them" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	send_on 0 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 2
	send_on 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 3
	run --separate-stderr mapsh export --once --per-cpu --prefix node_ebpf proto_stats cpu_stats
	assert_success
	ncpus=$(cut -d- -f2 /sys/devices/system/cpu/possible); ncpus=$((ncpus + 1))
	[ "$(grep -c '^node_ebpf_proto_stats_packets_total{protocol="udp",cpu="[0-9]*"} ' <<<"$output")" = "$ncpus" ]
	[ "$(grep '^node_ebpf_proto_stats_packets_total{protocol="udp",cpu=' <<<"$output" | awk '{ s += $2 } END { print s }')" = 5 ]
	# each CPU's own value, as bpftool reads it
	for c in 0 1; do
		[ "$(grep "^node_ebpf_proto_stats_packets_total{protocol=\"udp\",cpu=\"$c\"} " <<<"$output" | cut -d' ' -f2)" = \
		  "$(lookup proto_stats 11 | jq ".formatted.values[] | select(.cpu == $c) | .value.packets")" ]
	done
	grep -q '^node_ebpf_cpu_stats_packets_total{key="0",cpu="0"} ' <<<"$output"
	none '^mapsh_' "$output"
	printf '%s\n' "$output" | promtool check metrics
}

@test "export of a foreign map: struct key and struct value typed from its BTF, promtool clean" {
	foreign_map
	run --separate-stderr mapsh export --once pinned "$FMAP"
	assert_success
	[ -z "$stderr" ]
	printf '%s\n' "$output" | promtool check metrics
	grep -Fx 'mapsh_svc_stats_bytes_total{daddr="10.0.0.1",dport="80",proto="6",tenant="acme"} 1000' <<<"$output"
	grep -Fx 'mapsh_svc_stats_requests{daddr="10.0.0.1",dport="80",proto="6",tenant="acme"} 5' <<<"$output"
	grep -Fx 'mapsh_svc_stats_queue_depth{daddr="10.0.0.1",dport="80",proto="6",tenant="acme"} -3' <<<"$output"
	# a string as mapsh shows it ("a\"b", quoted), escaped for the label
	grep -Fx 'mapsh_svc_stats_requests{daddr="10.0.0.2",dport="443",proto="17",tenant="\"a\\\"b\""} 7' <<<"$output"
	# the enum and the address are no values
	none '^mapsh_svc_stats_state\|^mapsh_svc_stats_peer_addr' "$output"
	grep -Fx '# TYPE mapsh_svc_stats_requests gauge' <<<"$output"
	grep -Fx 'mapsh_map_entries{map="svc_stats"} 2' <<<"$output"
	# by id and by kernel name too, the same series
	id=$(bpftool -j map show pinned "$FMAP" | jq .id)
	run mapsh export --once id "$id"
	assert_success
	grep -q '^mapsh_svc_stats_bytes_total{daddr="10.0.0.1"' <<<"$output"
	# --textfile: written whole, by a rename, nothing left beside it
	run mapsh export --textfile "$BATS_TEST_TMPDIR/out/svc.prom" pinned "$FMAP"
	assert_failure 1
	mkdir "$BATS_TEST_TMPDIR/out"
	run mapsh export --textfile "$BATS_TEST_TMPDIR/out/svc.prom" pinned "$FMAP"
	assert_success
	assert_output ""
	promtool check metrics <"$BATS_TEST_TMPDIR/out/svc.prom"
	grep -q '^mapsh_svc_stats_bytes_total{daddr="10.0.0.2".* 70$' "$BATS_TEST_TMPDIR/out/svc.prom"
	[ "$(ls "$BATS_TEST_TMPDIR/out")" = svc.prom ]
}

@test "export --max-series: the cap holds, the rest is counted, one warning" {
	foreign_map
	for i in 3 4 5 6 7 8; do
		mapsh pinned "$FMAP" update daddr=10.0.0.$i dport=80 proto=6 tenant=t$i \
			value requests=$i bytes=1 queue_depth=0 state=0 peer_addr=0.0.0.0
	done
	# 8 entries x 3 series
	run --separate-stderr mapsh export --once --max-series 10 pinned "$FMAP"
	assert_success
	[ "$(grep -c '^mapsh_svc_stats_' <<<"$output")" = 10 ]
	# counted entry by entry: 3 entries whole, then the 4th's first field
	[ "$(grep -c '^mapsh_svc_stats_requests{' <<<"$output")" = 4 ]
	[ "$(grep -c '^mapsh_svc_stats_bytes_total' <<<"$output")" = 3 ]
	grep -Fx 'mapsh_export_series_dropped_total 14' <<<"$output"
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" == *"more series than --max-series 10: 14 left out"* ]]
	printf '%s\n' "$output" | promtool check metrics
	run mapsh export --once --max-series 0 pinned "$FMAP"
	assert_failure 2
}

@test "export: bad input is one clear line, no map written" {
	foreign_map
	before=$(bpftool -j map dump pinned "$FMAP")
	run --separate-stderr mapsh export --once nosuchmap
	assert_failure 1
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" == *nosuchmap* ]]
	# nothing numeric: a map without BTF (bytes)
	bpftool map create "$BPFFS/raw" type hash key 4 value 8 entries 4 name "xraw$(_unique_id)"
	run --separate-stderr mapsh export --once pinned "$BPFFS/raw"
	assert_failure 1
	[ "$stderr" = "mapsh: export: $BPFFS/raw has nothing numeric to export (value raw: no integer field that is not an address, time, flag or enum)" ] ||
		[[ "$stderr" == *"has nothing numeric to export"* && "${#stderr_lines[@]}" = 1 ]]
	run --separate-stderr mapsh export --once --prefix 9bad pinned "$FMAP"
	assert_failure 2
	[[ "$stderr" == *"--prefix '9bad' is not a metric name"* ]]
	run --separate-stderr mapsh export --once --listen 127.0.0.1:1 pinned "$FMAP"
	assert_failure 2
	run --separate-stderr mapsh export --listen 127.0.0.1:99999 pinned "$FMAP"
	assert_failure 2
	[[ "$stderr" == *"expected ADDR:PORT"* ]]
	# no bundled map pinned
	run --separate-stderr env MAPSH_PIN_DIR="$BPFFS/none" "$MAPSH" export --once
	assert_failure 1
	[[ "$stderr" == *"no bundled map with counters is pinned"* ]]
	[ "$(bpftool -j map dump pinned "$FMAP")" = "$before" ]
}

@test "export --listen: /metrics over HTTP, OpenMetrics on request, a port in use, SIGTERM" {
	setup_net 1
	foreign_map
	xp=$(port 1)
	bg nsenter --net="/run/netns/$NS" "$MAPSH" export --listen "127.0.0.1:$xp" pinned "$FMAP" 2>"$BATS_TEST_TMPDIR/err"
	pid=$BG_PID
	wait_for 30 scrape -o /dev/null "http://127.0.0.1:$xp/metrics"
	run scrape -D - "http://127.0.0.1:$xp/metrics"
	assert_success
	[[ "$output" == *"Content-Type: text/plain; version=0.0.4"* ]]
	[[ "$output" == *'mapsh_svc_stats_bytes_total{daddr="10.0.0.1",dport="80",proto="6",tenant="acme"} 1000'* ]]
	run scrape -H 'Accept: application/openmetrics-text; version=1.0.0' -D "$BATS_TEST_TMPDIR/h" "http://127.0.0.1:$xp/metrics"
	assert_success
	grep -qi '^Content-Type: application/openmetrics-text; version=1.0.0' "$BATS_TEST_TMPDIR/h"
	[ "${lines[-1]}" = "# EOF" ]
	grep -Fx '# TYPE mapsh_svc_stats_bytes counter' <<<"$output"
	grep -q '^mapsh_svc_stats_bytes_total{' <<<"$output"
	run in_ns curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$xp/nothing"
	[ "$output" = 404 ]
	# the port in use: one line, exit 1
	run --separate-stderr in_ns timeout 20 "$MAPSH" export --listen "127.0.0.1:$xp" pinned "$FMAP"
	assert_failure 1
	[ "$stderr" = "mapsh: export: cannot listen on 127.0.0.1:$xp: Address already in use" ]
	# SIGTERM: a clean stop, exit 0
	kill -TERM "$(bg_child "$pid")"
	rc=0
	bg_wait "$pid" || rc=$?
	[ "$rc" = 0 ]
	grep -q "serving 1 map at http://127.0.0.1:$xp/metrics" "$BATS_TEST_TMPDIR/err"
}

@test "export --listen opens libmicrohttpd when it serves: no command links it; without it one line, exit 1" {
	# every other command starts without gnutls and the libraries it brings
	! ldd "$MAPSH" | grep -E 'libmicrohttpd|libgnutls' || fail "$(ldd "$MAPSH")"
	foreign_map
	lib=$(ldconfig -p | awk '$1 == "libmicrohttpd.so.12" { print $NF; exit }')
	[ -n "$lib" ] || skip "no libmicrohttpd.so.12"
	# the library hidden in a mount namespace of this test's own
	run --separate-stderr unshare -m sh -c "mount --bind /dev/null '$lib' && exec '$MAPSH' export --listen 127.0.0.1:0 pinned '$FMAP'"
	assert_failure 1
	[ "${#stderr_lines[@]}" = 1 ] || fail "$stderr"
	[[ "$stderr" == "mapsh: export --listen needs libmicrohttpd (Debian: libmicrohttpd12): "* ]] || fail "$stderr"
}

@test "export --listen: a map that goes away is map_up 0 and said, and picked up again" {
	setup_net 1
	foreign_map
	xp=$(port 2)
	bg nsenter --net="/run/netns/$NS" "$MAPSH" export --listen "127.0.0.1:$xp" pinned "$FMAP" 2>"$BATS_TEST_TMPDIR/err"
	wait_for 30 scrape -o /dev/null "http://127.0.0.1:$xp/metrics"
	scrape "http://127.0.0.1:$xp/metrics" | grep -Fx 'mapsh_map_up{map="svc_stats"} 1'
	old=$(bpftool -j map show pinned "$FMAP" | jq .id)
	rm "$FMAP"
	run scrape "http://127.0.0.1:$xp/metrics"
	assert_success
	grep -Fx 'mapsh_map_up{map="svc_stats"} 0' <<<"$output"
	none '^mapsh_svc_stats_' "$output"
	grep -q "svc_stats: nothing is pinned at $FMAP" "$BATS_TEST_TMPDIR/err"
	# another map pinned there: exported again
	rm -rf "$BPFFS/m" "$BPFFS/progs"
	foreign_map
	[ "$(bpftool -j map show pinned "$FMAP" | jq .id)" != "$old" ]
	run scrape "http://127.0.0.1:$xp/metrics"
	assert_success
	grep -Fx 'mapsh_map_up{map="svc_stats"} 1' <<<"$output"
	grep -q '^mapsh_svc_stats_bytes_total{daddr="10.0.0.1".* 1000$' <<<"$output"
	grep -q "svc_stats: back (id " "$BATS_TEST_TMPDIR/err"
}

# prom_query QUERY: the value of the first result of an instant query, or
# "none" when there is no result.
prom_query() {
	in_ns curl -sf --max-time 10 "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // "none"'
}
prom_is() { [ "$(prom_query "$1")" = "$2" ]; }

@test "a real Prometheus scrapes the exact packet count of a flow, and the series goes stale when it is deleted" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	xp=$(port 3) PP=$(port 4)
	bg nsenter --net="/run/netns/$NS" "$MAPSH" export --listen "127.0.0.1:$xp" 2>"$BATS_TEST_TMPDIR/err"
	cat >"$BATS_TEST_TMPDIR/prom.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: mapsh
	    static_configs:
	      - targets: ['127.0.0.1:$xp']
	EOF
	promtool check config "$BATS_TEST_TMPDIR/prom.yml" >/dev/null
	bg nsenter --net="/run/netns/$NS" prometheus --config.file="$BATS_TEST_TMPDIR/prom.yml" \
		--storage.tsdb.path="$BATS_TEST_TMPDIR/tsdb" \
		--web.listen-address="127.0.0.1:$PP" >"$BATS_TEST_TMPDIR/prom.log" 2>&1
	wait_for 90 in_ns curl -sf -o /dev/null "http://127.0.0.1:$PP/-/ready" || { cat "$BATS_TEST_TMPDIR/prom.log"; fail "prometheus not ready"; }
	wait_for 60 prom_is 'up{job="mapsh"}' 1 || fail "prometheus does not scrape mapsh export"
	send_pkts 1 -s 10.7.7.1 -d 10.7.7.2 -p udp --sport 4242 --dport 53 -c 13 --len 80
	[ "$(flow_packets 10.7.7.1 10.7.7.2 4242 53 udp)" = 13 ]
	q='mapsh_flows_packets_total{src_ip="10.7.7.1",dst_ip="10.7.7.2",src_port="4242",dst_port="53",protocol="udp"}'
	wait_for 60 prom_is "$q" 13 || fail "prometheus has $(prom_query "$q") for the flow, not 13"
	prom_is "${q/packets/bytes}" 1040
	prom_is 'mapsh_map_up{map="flows"}' 1
	# the flow deleted: the next scrapes lack it and Prometheus marks it stale
	mapsh flows delete src_ip=10.7.7.1 dst_ip=10.7.7.2 src_port=4242 dst_port=53 protocol=udp
	wait_for 60 prom_is "$q" none || fail "the deleted flow's series is still $(prom_query "$q")"
	prom_is 'mapsh_map_entries{map="flows"}' 0
}

@test "export: a log2 histogram field as a Prometheus histogram, checked against hand-computed buckets" {
	bpftool prog loadall "$TOP/build/export_foreign.bpf.o" "$BPFFS/progs" pinmaps "$BPFFS/m" 2>/dev/null || true
	LAT="$BPFFS/m/svc_lat"
	[ -e "$LAT" ] || fail "svc_lat was not pinned"
	# slots: 0 -> 1, 1 -> 0, 2-3 -> 2, 4-7 -> 3, 8-15 -> 0, 16-31 -> 4
	mapsh pinned "$LAT" update 7 value calls=10 lat_hist=1,0,2,3,0,4
	run --separate-stderr mapsh export --once pinned "$LAT"
	assert_success
	printf '%s\n' "$output" | promtool check metrics
	grep -Fx '# TYPE mapsh_svc_lat_lat_hist histogram' <<<"$output"
	[ "$(grep '^mapsh_svc_lat_lat_hist' <<<"$output")" = "$(cat <<-'EOF'
	mapsh_svc_lat_lat_hist_bucket{key="7",le="0"} 1
	mapsh_svc_lat_lat_hist_bucket{key="7",le="1"} 1
	mapsh_svc_lat_lat_hist_bucket{key="7",le="3"} 3
	mapsh_svc_lat_lat_hist_bucket{key="7",le="7"} 6
	mapsh_svc_lat_lat_hist_bucket{key="7",le="15"} 6
	mapsh_svc_lat_lat_hist_bucket{key="7",le="31"} 10
	mapsh_svc_lat_lat_hist_bucket{key="7",le="+Inf"} 10
	mapsh_svc_lat_lat_hist_count{key="7"} 10
	EOF
	)" ]
	grep -Fx 'mapsh_svc_lat_calls{key="7"} 10' <<<"$output"
}

@test "the Grafana dashboard in contrib/ is JSON whose queries Prometheus parses" {
	d="$TOP/contrib/mapsh-grafana.json"
	jq -e '.panels | length > 0' "$d" >/dev/null
	{
		echo 'groups:'
		echo '  - name: dashboard'
		echo '    rules:'
		jq -r '.panels[].targets[].expr' "$d" | sed 's/\$__rate_interval/1m/g; s/\$instance/.*/g' |
			awk '{ gsub(/\x27/, "\x27\x27"); printf "      - record: mapsh:dashboard:%d\n        expr: \x27%s\x27\n", NR, $0 }'
	} >"$BATS_TEST_TMPDIR/rules.yml"
	run promtool check rules "$BATS_TEST_TMPDIR/rules.yml"
	assert_success
	[[ "$output" == *"SUCCESS: "*" rules found"* ]]
	# every metric it reads is one that export prints for the bundled maps
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	x=$(mapsh export --once)
	for m in $(jq -r '.panels[].targets[].expr' "$d" | grep -o 'mapsh_[a-z_]*' | sort -u); do
		grep -q "^# TYPE $m " <<<"$x" || fail "the dashboard reads $m, which export does not print"
	done
}

@test "export --overrides: fields, renames and extra labels from a JSON file; a bad file is one line" {
	foreign_map
	cat >"$BATS_TEST_TMPDIR/o.json" <<-'EOF'
	{ "labels": { "cluster": "eu1" },
	  "maps": { "svc_stats": { "fields": ["bytes", "requests"],
	                           "rename": { "requests": "reqs" },
	                           "labels": { "team": "n\"et" } } } }
	EOF
	run --separate-stderr mapsh export --once --overrides "$BATS_TEST_TMPDIR/o.json" pinned "$FMAP"
	assert_success
	printf '%s\n' "$output" | promtool check metrics
	grep -Fx 'mapsh_svc_stats_reqs{cluster="eu1",team="n\"et",daddr="10.0.0.1",dport="80",proto="6",tenant="acme"} 5' <<<"$output"
	grep -Fx 'mapsh_svc_stats_bytes_total{cluster="eu1",team="n\"et",daddr="10.0.0.1",dport="80",proto="6",tenant="acme"} 1000' <<<"$output"
	none '^mapsh_svc_stats_queue_depth\|^mapsh_svc_stats_requests' "$output"
	# a field it does not have, with a did-you-mean
	echo '{"maps": {"svc_stats": {"fields": ["byte"]}}}' >"$BATS_TEST_TMPDIR/bad1.json"
	run --separate-stderr mapsh export --once --overrides "$BATS_TEST_TMPDIR/bad1.json" pinned "$FMAP"
	assert_failure 2
	[ "$stderr" = "mapsh: export: $BATS_TEST_TMPDIR/bad1.json: maps.svc_stats.fields: 'byte' is no numeric field of svc_stats (did you mean 'bytes'?)" ]
	# not JSON: the line and column
	printf '{"maps": {\n  "svc_stats": [}\n' >"$BATS_TEST_TMPDIR/bad2.json"
	run --separate-stderr mapsh export --once --overrides "$BATS_TEST_TMPDIR/bad2.json" pinned "$FMAP"
	assert_failure 2
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" == "mapsh: export: --overrides $BATS_TEST_TMPDIR/bad2.json:2:"* ]]
	# an unknown key
	echo '{"mapz": {}}' >"$BATS_TEST_TMPDIR/bad3.json"
	run --separate-stderr mapsh export --once --overrides "$BATS_TEST_TMPDIR/bad3.json" pinned "$FMAP"
	assert_failure 2
	[ "$stderr" = "mapsh: export: $BATS_TEST_TMPDIR/bad3.json: unknown key 'mapz' (expected maps or labels)" ]
	# a file that is not there
	run --separate-stderr mapsh export --once --overrides "$BATS_TEST_TMPDIR/none.json" pinned "$FMAP"
	assert_failure 1
	[ "${#stderr_lines[@]}" = 1 ]
	# the field names are the key of the value, not the key's
	echo '{"maps": {"svc_stats": {"rename": {"state": "x"}}}}' >"$BATS_TEST_TMPDIR/bad4.json"
	run --separate-stderr mapsh export --once --overrides "$BATS_TEST_TMPDIR/bad4.json" pinned "$FMAP"
	assert_failure 2
	[ "$stderr" = "mapsh: export: $BATS_TEST_TMPDIR/bad4.json: maps.svc_stats.rename: 'state' is no numeric field of svc_stats" ]
}

@test "export --overrides without MAP: the maps the file names" {
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 1 --dport 2 -c 3
	echo '{"maps": {"proto_stats": {"fields": ["packets"]}, "config": {}}}' >"$BATS_TEST_TMPDIR/o.json"
	run --separate-stderr mapsh export --once --overrides "$BATS_TEST_TMPDIR/o.json"
	assert_success
	grep -Fx 'mapsh_proto_stats_packets_total{protocol="udp"} 3' <<<"$output"
	grep -Fx 'mapsh_config_enabled{key="0"} 1' <<<"$output"
	none '^mapsh_flows_\|^mapsh_proto_stats_bytes' "$output"
	printf '%s\n' "$output" | promtool check metrics
}

vg() {
	nsenter --net="/run/netns/$NS" valgrind -q --suppressions="$TOP/tests/valgrind.supp" --leak-check=full \
		--errors-for-leak-kinds=definite --error-exitcode=99 "$@"
}

@test "export under valgrind: no memory errors or leaks, once and serving; RSS flat over 100 scrapes" {
	command -v valgrind >/dev/null || skip "valgrind not installed"
	[ -z "${MAPSH_SANITIZED:-}" ] || skip "the sanitizer build is checked by ASan itself"
	setup_net 1
	mapsh load --iface "$HOST1" >/dev/null
	send_pkts 1 -s 10.1.1.1 -d 10.1.1.2 -p udp --sport 5555 --dport 80 -c 3
	foreign_map
	echo '{"labels": {"a": "b"}, "maps": {"svc_stats": {"fields": ["bytes"], "rename": {"bytes": "b"}}}}' >"$BATS_TEST_TMPDIR/o.json"
	for args in "--once" "--once --per-cpu --max-series 3" "--once pinned $BPFFS/m/svc_lat pinned $FMAP" \
		"--once --overrides $BATS_TEST_TMPDIR/o.json pinned $FMAP" "--once nosuchmap"; do
		run --separate-stderr vg "$MAPSH" export $args
		[ "$status" -ne 99 ] || fail "valgrind errors in 'mapsh export $args': $stderr"
		if [[ "$args" == *nosuchmap* ]]; then
			[ "$status" = 1 ]
		else
			[ "$status" = 0 ] || fail "'mapsh export $args' under valgrind: exit $status: $stderr"
			[[ "$output" == *"mapsh_map_up{"* ]]
		fi
	done
	xp=$(port 5)
	bg nsenter --net="/run/netns/$NS" valgrind -q --suppressions="$TOP/tests/valgrind.supp" --leak-check=full \
		--errors-for-leak-kinds=definite --error-exitcode=99 "$MAPSH" export --listen "127.0.0.1:$xp" 2>"$BATS_TEST_TMPDIR/vg"
	pid=$BG_PID
	wait_for 60 scrape -o /dev/null "http://127.0.0.1:$xp/metrics"
	for i in 1 2 3 4 5; do
		scrape -o /dev/null "http://127.0.0.1:$xp/metrics"
		scrape -o /dev/null -H 'Accept: application/openmetrics-text' "http://127.0.0.1:$xp/metrics"
	done
	kill -TERM "$(bg_child "$pid")"
	rc=0
	bg_wait "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "export --listen under valgrind: exit $rc: $(cat "$BATS_TEST_TMPDIR/vg")"
	# RSS: what 10 scrapes leave is what 100 leave (within 1 MiB)
	xp=$(port 6)
	bg nsenter --net="/run/netns/$NS" "$MAPSH" export --listen "127.0.0.1:$xp"
	pid=$(bg_child "$BG_PID")
	wait_for 60 scrape -o /dev/null "http://127.0.0.1:$xp/metrics"
	for ((i = 0; i < 10; i++)); do scrape -o /dev/null "http://127.0.0.1:$xp/metrics"; done
	rss10=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	for ((i = 0; i < 90; i++)); do scrape -o /dev/null "http://127.0.0.1:$xp/metrics"; done
	rss100=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	[ $((rss100 - rss10)) -lt 1024 ] || fail "RSS grew from $rss10 KiB to $rss100 KiB over 90 scrapes"
	[ "$(scrape "http://127.0.0.1:$xp/metrics" | grep '^mapsh_export_reads_total ')" = "mapsh_export_reads_total 102" ]
}

# A self-signed certificate for 127.0.0.1 and a web configuration with a
# bcrypt hash of "s3cret" for user prom (perl's crypt is libcrypt's, as
# htpasswd -B would make it).
web_config() {
	local d=$BATS_TEST_TMPDIR
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 \
		-keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null
	HASH=$(perl -e 'print crypt("s3cret", q($2b$05$) . "abcdefghijklmnopqrstuu")')
	[[ "$HASH" == '$2b$05$'* ]] || fail "no bcrypt in crypt(3): $HASH"
	cat >"$d/web.yml" <<-EOF2
	tls_server_config:
	  cert_file: $d/cert.pem
	  key_file: $d/key.pem
	basic_auth_users:
	  prom: '$HASH'
	EOF2
}

@test "export --web-config: TLS and basic auth as Prometheus exporters configure them; a real Prometheus scrapes through both" {
	setup_net 1
	foreign_map
	web_config
	xp=$(port 5) PP=$(port 6)
	bg nsenter --net="/run/netns/$NS" "$MAPSH" export --web-config "$BATS_TEST_TMPDIR/web.yml" \
		--listen "127.0.0.1:$xp" pinned "$FMAP" 2>"$BATS_TEST_TMPDIR/err"
	wait_for 30 in_ns curl -s -o /dev/null --cacert "$BATS_TEST_TMPDIR/cert.pem" "https://127.0.0.1:$xp/" ||
		fail "no HTTPS: $(cat "$BATS_TEST_TMPDIR/err")"
	grep -q "serving 1 map at https://127.0.0.1:$xp/metrics (basic auth)" "$BATS_TEST_TMPDIR/err"
	https="https://127.0.0.1:$xp/metrics"
	# no password, a wrong one, an unknown user: 401 and no metrics
	run in_ns curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' --cacert "$BATS_TEST_TMPDIR/cert.pem" "$https"
	[ "$output" = 401 ]
	none 'svc_stats' "$(cat "$BATS_TEST_TMPDIR/body")"
	run in_ns curl -s -o /dev/null -w '%{http_code}' --cacert "$BATS_TEST_TMPDIR/cert.pem" -u prom:wrong "$https"
	[ "$output" = 401 ]
	run in_ns curl -s -o /dev/null -w '%{http_code}' --cacert "$BATS_TEST_TMPDIR/cert.pem" -u other:s3cret "$https"
	[ "$output" = 401 ]
	# plain HTTP on the TLS port gets no metrics
	run in_ns curl -s --max-time 5 "http://127.0.0.1:$xp/metrics"
	none 'svc_stats' "$output"
	# the right password, twice (the second from the cache), with the certificate verified
	for _ in 1 2; do
		run in_ns curl -sf --cacert "$BATS_TEST_TMPDIR/cert.pem" -u prom:s3cret "$https"
		assert_success
		[[ "$output" == *'mapsh_svc_stats_bytes_total{daddr="10.0.0.1",dport="80",proto="6",tenant="acme"} 1000'* ]]
	done
	# once one has matched, its prefix or a longer one still does not
	for pw in s3cre s3cretX; do
		run in_ns curl -s -o /dev/null -w '%{http_code}' --cacert "$BATS_TEST_TMPDIR/cert.pem" -u "prom:$pw" "$https"
		[ "$output" = 401 ] || fail "prom:$pw got $output"
	done
	# a real Prometheus with scheme https, the CA and basic auth
	cat >"$BATS_TEST_TMPDIR/prom.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: mapsh
	    scheme: https
	    tls_config:
	      ca_file: $BATS_TEST_TMPDIR/cert.pem
	    basic_auth:
	      username: prom
	      password: s3cret
	    static_configs:
	      - targets: ['127.0.0.1:$xp']
	EOF
	promtool check config "$BATS_TEST_TMPDIR/prom.yml" >/dev/null
	bg nsenter --net="/run/netns/$NS" prometheus --config.file="$BATS_TEST_TMPDIR/prom.yml" \
		--storage.tsdb.path="$BATS_TEST_TMPDIR/tsdb" \
		--web.listen-address="127.0.0.1:$PP" >"$BATS_TEST_TMPDIR/prom.log" 2>&1
	wait_for 90 in_ns curl -sf -o /dev/null "http://127.0.0.1:$PP/-/ready" || { cat "$BATS_TEST_TMPDIR/prom.log"; fail "prometheus not ready"; }
	wait_for 60 prom_is 'mapsh_svc_stats_bytes_total{tenant="acme"}' 1000 || fail "prometheus does not scrape mapsh export over TLS with basic auth"
	prom_is 'up{job="mapsh"}' 1
}

@test "export --web-config: a bad file is one line naming what is wrong, exit 2 (1 for a file that cannot be read)" {
	foreign_map
	web_config
	w=$BATS_TEST_TMPDIR/bad.yml
	try() {
		run --separate-stderr timeout 20 "$MAPSH" export --web-config "$w" --listen 127.0.0.1:0 pinned "$FMAP"
		assert_failure "$1"
		[ "${#stderr_lines[@]}" = 1 ] || fail "not one line: $stderr"
		[[ "$stderr" == *"$2"* ]] || fail "got: $stderr"
	}
	printf 'tls_server_config:\n  cert_file: %s\n' "$BATS_TEST_TMPDIR/cert.pem" >"$w"
	try 2 "tls_server_config needs both cert_file and key_file"
	printf 'basic_auth_users:\n  prom: s3cret\n' >"$w"
	try 2 "basic_auth_users.prom: expected a bcrypt hash"
	printf 'basic_auth_user:\n  prom: x\n' >"$w"
	try 2 "unknown key 'basic_auth_user' (expected tls_server_config or basic_auth_users)"
	printf 'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n' >"$w"
	try 2 "client certificates are not supported"
	printf 'tls_server_config: [\n' >"$w"
	try 2 "bad.yml:"
	printf 'tls_server_config:\n  cert_file: %s\n  key_file: /nonexistent/key.pem\n' "$BATS_TEST_TMPDIR/cert.pem" >"$w"
	try 1 "key_file /nonexistent/key.pem: No such file or directory"
	# a key that is not the certificate's
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=x \
		-keyout "$BATS_TEST_TMPDIR/other.pem" -out /dev/null 2>/dev/null
	printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' "$BATS_TEST_TMPDIR/cert.pem" "$BATS_TEST_TMPDIR/other.pem" >"$w"
	try 1 "is key_file the key of cert_file?"
	run --separate-stderr "$MAPSH" export --once --web-config "$BATS_TEST_TMPDIR/web.yml" pinned "$FMAP"
	assert_failure 2
	[[ "$stderr" == *"--web-config is for --listen"* ]]
	# and nothing was written
	run mapsh -j pinned "$FMAP" dump
	[ "$(jq length <<<"$output")" = 2 ]
}

@test "export --listen: concurrent scrapes share one read of the maps" {
	setup_net 1
	mapsh load >/dev/null
	cc -O2 -Wall -o "$BATS_TEST_TMPDIR/jt" "$BATS_TEST_DIRNAME/journal_tool.c"
	"$BATS_TEST_TMPDIR/jt" clone "$MAPSH_PIN_DIR/flows" "$BPFFS/big" 262144
	"$BATS_TEST_TMPDIR/jt" fill "$BPFFS/big" 0 200000
	xp=$(port 7)
	bg nsenter --net="/run/netns/$NS" "$MAPSH" export --listen "127.0.0.1:$xp" pinned "$BPFFS/big" 2>"$BATS_TEST_TMPDIR/err"
	wait_for 60 scrape -o /dev/null "http://127.0.0.1:$xp/" || fail "not serving: $(cat "$BATS_TEST_TMPDIR/err")"
	reads() {
		in_ns curl -sS --max-time 60 -o "$BATS_TEST_TMPDIR/r" "http://127.0.0.1:$xp/metrics" &&
			awk '$1 == "mapsh_export_reads_total" { print $2 }' "$BATS_TEST_TMPDIR/r"
	}
	r0=$(reads)
	[ "$r0" = 1 ]
	pids=()
	for i in $(seq 8); do
		scrape -o "$BATS_TEST_TMPDIR/s$i" "http://127.0.0.1:$xp/metrics" &
		pids+=($!)
	done
	wait "${pids[@]}"	# (a bare wait would wait for the exporter too)
	r1=$(reads)
	# the 8 scrapes plus this one: far fewer reads than scrapes, and each
	# scrape got the whole exposition
	[[ "$r1" =~ ^[0-9]+$ ]] || fail "no mapsh_export_reads_total after the scrapes: $(cat "$BATS_TEST_TMPDIR/err")"
	(( r1 - r0 < 6 )) || fail "$((r1 - r0)) reads for 9 scrapes"
	for i in $(seq 8); do
		[ "$(grep -c "^mapsh_jt_[0-9]*_packets_total{" "$BATS_TEST_TMPDIR/s$i")" = 200000 ] || fail "scrape $i is not whole: $(grep -v "^#" "$BATS_TEST_TMPDIR/s$i" | cut -d"{" -f1 | sort | uniq -c)"
	done
}

@test "export --overrides drop_labels: the key fields left out, entries that then share their labels added up into one series" {
	foreign_map
	mapsh pinned "$FMAP" update daddr=10.0.0.1 dport=443 proto=6 tenant=beta \
		value requests=2 bytes=24 queue_depth=4 state=SVC_IDLE peer_addr=0.0.0.0
	cat >"$BATS_TEST_TMPDIR/o.json" <<-'EOF'
	{ "maps": { "svc_stats": { "drop_labels": ["dport", "tenant", "proto"] } } }
	EOF
	run --separate-stderr mapsh export --once --overrides "$BATS_TEST_TMPDIR/o.json" pinned "$FMAP"
	assert_success
	printf '%s\n' "$output" | promtool check metrics
	grep -Fx 'mapsh_svc_stats_bytes_total{daddr="10.0.0.1"} 1024' <<<"$output"
	grep -Fx 'mapsh_svc_stats_bytes_total{daddr="10.0.0.2"} 70' <<<"$output"
	grep -Fx 'mapsh_svc_stats_requests{daddr="10.0.0.1"} 7' <<<"$output"
	grep -Fx 'mapsh_svc_stats_queue_depth{daddr="10.0.0.1"} 1' <<<"$output"
	[ "$(grep -c '^mapsh_svc_stats_bytes_total{' <<<"$output")" = 2 ]
	none 'dport=\|tenant=' "$output"
	# a key field it does not have, with a did-you-mean; a value field is no label
	echo '{"maps": {"svc_stats": {"drop_labels": ["dprt"]}}}' >"$BATS_TEST_TMPDIR/bad.json"
	run --separate-stderr mapsh export --once --overrides "$BATS_TEST_TMPDIR/bad.json" pinned "$FMAP"
	assert_failure 2
	[ "$stderr" = "mapsh: export: $BATS_TEST_TMPDIR/bad.json: maps.svc_stats.drop_labels: 'dprt' is no key field of svc_stats (labels come from the key's fields) (did you mean 'dport'?)" ]
	echo '{"maps": {"svc_stats": {"drop_labels": ["bytes"]}}}' >"$BATS_TEST_TMPDIR/bad.json"
	run --separate-stderr mapsh export --once --overrides "$BATS_TEST_TMPDIR/bad.json" pinned "$FMAP"
	assert_failure 2
	[[ "$stderr" == *"'bytes' is no key field of svc_stats"* ]]
}

@test "export: linear buckets (mapsh:linhist) as a Prometheus histogram, _sum from the struct's sum field, promtool clean" {
	bpftool prog loadall "$TOP/build/hist_maps.bpf.o" "$BPFFS/hp" pinmaps "$BPFFS/hm" 2>/dev/null || true
	LIN="$BPFFS/hm/hist_lin"
	[ -e "$LIN" ] || fail "hist_lin was not pinned"
	# buckets [100,150) [150,200) [200,250) [250,300) [300,350)
	mapsh pinned "$LIN" set 0 sum=1234 dist=1,2,0,4,1
	run --separate-stderr mapsh export --once pinned "$LIN"
	assert_success
	printf '%s\n' "$output" | promtool check metrics
	[ "$(grep '^mapsh_hist_lin_dist_' <<<"$output")" = "$(cat <<-'EOF2'
	mapsh_hist_lin_dist_bucket{key="0",le="149"} 1
	mapsh_hist_lin_dist_bucket{key="0",le="199"} 3
	mapsh_hist_lin_dist_bucket{key="0",le="249"} 3
	mapsh_hist_lin_dist_bucket{key="0",le="299"} 7
	mapsh_hist_lin_dist_bucket{key="0",le="349"} 8
	mapsh_hist_lin_dist_bucket{key="0",le="+Inf"} 8
	mapsh_hist_lin_dist_sum{key="0"} 1234
	mapsh_hist_lin_dist_count{key="0"} 8
	EOF2
	)" ]
	grep -Fx '# HELP mapsh_hist_lin_dist hist_lin.dist (__u64, linear buckets) of array map hist_lin' <<<"$output"
	# the sum is the histogram's _sum, not a series of its own
	none '^mapsh_hist_lin_sum' "$output"
}

@test "export of a queue and a stack: map_nonempty from a peek (the kernel keeps no count), nothing taken" {
	bpftool map create "$BPFFS/q" type queue key 0 value 4 entries 8 name xq
	bpftool map create "$BPFFS/s" type stack key 0 value 4 entries 8 name xs
	run --separate-stderr mapsh export --once pinned "$BPFFS/q" pinned "$BPFFS/s"
	assert_success
	printf '%s\n' "$output" | promtool check metrics
	grep -Fx 'mapsh_map_nonempty{map="xq"} 0' <<<"$output"
	grep -Fx 'mapsh_map_nonempty{map="xs"} 0' <<<"$output"
	bpftool map push pinned "$BPFFS/q" value 7 0 0 0
	bpftool map push pinned "$BPFFS/q" value 8 0 0 0
	bpftool map push pinned "$BPFFS/s" value 9 0 0 0
	run --separate-stderr mapsh export --once pinned "$BPFFS/q" pinned "$BPFFS/s"
	assert_success
	grep -Fx 'mapsh_map_nonempty{map="xq"} 1' <<<"$output"
	grep -Fx 'mapsh_map_nonempty{map="xs"} 1' <<<"$output"
	grep -Fx 'mapsh_map_max_entries{map="xq"} 8' <<<"$output"
	# the scrape took nothing: both elements still wait, in order
	[ "$(bpftool -j map pop pinned "$BPFFS/q" | jq -c .value)" = '["0x07","0x00","0x00","0x00"]' ]
	[ "$(bpftool -j map pop pinned "$BPFFS/q" | jq -c .value)" = '["0x08","0x00","0x00","0x00"]' ]
}
