# Shared set-up for the bats tests. Every test gets its own bpffs instance
# (so its pins vanish with one umount) and, when it asks for one, its own
# network namespace and veth pair with names no other run uses. Teardown
# removes all of it even when the test failed.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
# The binary under test: ./mapsh, or the sanitizer build (make test SANITIZE=1).
MAPSH="${MAPSH:-$TOP/mapsh}"
PKTGEN="$TOP/build/pktgen"
export NO_COLOR=1

# A short id unique to this test in this run: interface names are limited
# to 15 characters, so "ms" + 6 hex + one letter.
_unique_id() {
	printf '%06x' $(( ( $$ * 7919 + ${BATS_TEST_NUMBER:-0} * 104729 + RANDOM * 32768 + RANDOM ) % 16777216 ))
}

setup_bpffs() {
	BPFFS="$BATS_TEST_TMPDIR/bpffs"
	mkdir -p "$BPFFS"
	mount -t bpf bpf "$BPFFS"
	export MAPSH_PIN_DIR="$BPFFS/mapsh"
	# Write locks and undo journals (map/lock.h) of this test's own, never
	# the host's /run/mapsh.
	export MAPSH_STATE_DIR="$BATS_TEST_TMPDIR/state"
	# libxdp keeps its dispatcher's state and lock on this bpffs too,
	# not on the host's /sys/fs/bpf.
	export LIBXDP_BPFFS="$BPFFS"
}

# setup_net [N]: a network namespace of this test's own holding N veth
# pairs: hK, where mapsh attaches, and pK, where test traffic is sent from.
# Both ends live in the namespace, so names are private and interface
# indexes are small (iface_stats is an array indexed by ifindex). mapsh and
# pktgen run in it through nsenter, which keeps this mount namespace (and so
# the bpffs mounts) as they are. IPv6 is off on the peers so that no router
# solicitations or MLD reports add packets the tests did not send.
setup_net() {
	local n=${1:-1} k
	ID=$(_unique_id)
	NS="ms$ID"
	ip netns add "$NS"
	NETS_MADE=1
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$NS" link set lo up
	for ((k = 1; k <= n; k++)); do
		ip -n "$NS" link add "h$k" type veth peer name "p$k"
		ip -n "$NS" link set "h$k" up
		ip -n "$NS" link set "p$k" up
		eval "HOST$k=h$k PEER$k=p$k"
		eval "HOST_MAC$k=$(ip -n "$NS" -j link show "h$k" | jq -r '.[0].address')"
		eval "PEER_MAC$k=$(ip -n "$NS" -j link show "p$k" | jq -r '.[0].address')"
		eval "HOST_IFINDEX$k=$(ip -n "$NS" -j link show "h$k" | jq -r '.[0].ifindex')"
	done
}

# Run a command in the test's namespace (network only).
in_ns() { nsenter --net="/run/netns/$NS" "$@"; }

# mapsh in the test's namespace when there is one.
mapsh() {
	if [ -n "${NS:-}" ]; then
		in_ns "$MAPSH" "$@"
	else
		"$MAPSH" "$@"
	fi
}

# send_pkts K ARGS...: pktgen out of peer K towards host end K.
send_pkts() {
	local k=$1; shift
	local dev mac
	eval "dev=\$PEER$k mac=\$HOST_MAC$k"
	in_ns "$PKTGEN" -i "$dev" --dmac "$mac" "$@"
}

teardown_common() {
	# Detach whatever mapsh left on our interfaces, then remove them.
	# Deleting the namespace deletes its veths and with them every XDP
	# and tc program attached there.
	if [ -n "${NETS_MADE:-}" ]; then
		in_ns "$MAPSH" unload >/dev/null 2>&1 || true
		ip netns del "$NS" 2>/dev/null || true
	fi
	if [ -n "${BPFFS:-}" ] && mountpoint -q "$BPFFS"; then
		umount "$BPFFS" || umount -l "$BPFFS"
	fi
}

# bpftool's JSON dump of one of our pinned maps.
dump_pinned() {
	bpftool -j map dump pinned "$MAPSH_PIN_DIR/$1"
}

# Sum a numeric field across every CPU of a per-CPU map entry dump.
# usage: percpu_sum MAP FIELD  (key 0 for arrays)
percpu_sum() {
	dump_pinned "$1" | jq "[.[0].formatted.values[].value.$2] | add"
}

# Byte helpers for bpftool's "key hex ..." (until a test needs them typed).
hex_ip4() { local IFS=.; set -- $1; printf '%02x %02x %02x %02x' "$1" "$2" "$3" "$4"; }
hex_be16() { printf '%02x %02x' $(( $1 >> 8 )) $(( $1 & 255 )); }
hex_u32le() { printf '%02x %02x %02x %02x' $(( $1 & 255 )) $(( ($1 >> 8) & 255 )) $(( ($1 >> 16) & 255 )) $(( ($1 >> 24) & 255 )); }
proto_num() { case $1 in tcp) echo 6;; udp) echo 17;; icmp) echo 1;; *) echo "$1";; esac; }
# struct flow_key: src_ip dst_ip src_port dst_port protocol pad[3]
flow_key_hex() {
	printf '%s %s %s %s %02x 00 00 00' "$(hex_ip4 "$1")" "$(hex_ip4 "$2")" \
		"$(hex_be16 "$3")" "$(hex_be16 "$4")" "$(proto_num "$5")"
}

# lookup MAP HEXBYTES...: bpftool's JSON for one entry of a pinned map.
lookup() {
	local map=$1; shift
	bpftool -j map lookup pinned "$MAPSH_PIN_DIR/$map" key hex $*
}

# The packets counted for a flow, or "none".
flow_packets() {
	lookup flows $(flow_key_hex "$@") 2>/dev/null | jq -r '.formatted.value.packets' || echo none
}

# Terminal tests (tmux): each file defines screen() to print its pane.
# wait_screen TEXT / wait_match REGEX: until the screen shows TEXT (a fixed
# string) or a line matching REGEX, polling every 0.1 s, WAIT_TRIES times
# (default 50: 5 s); on time-out print what the screen shows and fail.
wait_screen() {
	local i
	for ((i = 0; i < ${WAIT_TRIES:-50}; i++)); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $1"
	screen
	return 1
}

wait_match() {
	local i
	for ((i = 0; i < ${WAIT_TRIES:-50}; i++)); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "timed out waiting for a line matching: $1"
	screen
	return 1
}
