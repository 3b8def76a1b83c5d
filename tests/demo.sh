#!/usr/bin/env bash
# `make demo`: a network namespace with a veth pair, mapsh's programs loaded
# on the host end, real traffic from the other end, and the maps shown live.
# Everything it creates is removed at the end (or, after a run that was
# killed, by `make demo-clean`); names of its own, nothing else is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

# Names of this run's own (the PID in them): an existing namespace, veth or
# pin directory of someone else's is never touched. Interface names are
# limited to 15 characters: "mapshd" + up to 7 digits + "h"/"p".
STATE_DIR=/run/mapsh-demo
NS=mapsh-demo-$$
HOST=mapshd$$h
PEER=mapshd$$p
export MAPSH_PIN_DIR=/sys/fs/bpf/mapsh-demo-$$
MAPSH=./mapsh
PKTGEN=./build/pktgen

# clean PID: remove what the run PID made (its names), and its state file.
clean() {
	local pid=$1 ns=mapsh-demo-$1 host=mapshd$1h
	MAPSH_PIN_DIR=/sys/fs/bpf/mapsh-demo-$pid "$MAPSH" unload --iface "$host" --purge >/dev/null 2>&1 || true
	MAPSH_PIN_DIR=/sys/fs/bpf/mapsh-demo-$pid "$MAPSH" unload --purge >/dev/null 2>&1 || true
	ip link del "$host" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -f "$STATE_DIR/$pid"
}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run it as root (as root: make demo; else: sudo make demo)" >&2
	exit 1
fi

if [ "${1:-}" = "--clean" ]; then
	# What demo runs that were killed left behind: each run records its
	# PID in $STATE_DIR; runs still going are left alone.
	n=0
	for f in "$STATE_DIR"/*; do
		[ -e "$f" ] || continue
		pid=${f##*/}
		kill -0 "$pid" 2>/dev/null && continue
		clean "$pid"
		n=$((n + 1))
	done
	echo "demo cleaned up ($n left-over run(s))"
	exit 0
fi

for name in "$NS"; do
	if ip netns list | grep -qw -- "$name"; then
		echo "demo: network namespace $name exists already: not touching it" >&2
		exit 1
	fi
done
for name in "$HOST" "$PEER"; do
	if ip link show "$name" >/dev/null 2>&1; then
		echo "demo: interface $name exists already: not touching it" >&2
		exit 1
	fi
done
if [ -e "$MAPSH_PIN_DIR" ]; then
	echo "demo: $MAPSH_PIN_DIR exists already: not touching it" >&2
	exit 1
fi
mkdir -p "$STATE_DIR"
echo "$NS $HOST $MAPSH_PIN_DIR" >"$STATE_DIR/$$"
trap 'clean $$' EXIT
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	step() { printf "\n\033[1m$ %s\033[0m\n" "$*"; }
else
	step() { printf "\n$ %s\n" "$*"; }
fi

ip netns add "$NS"
ip link add "$HOST" type veth peer name "$PEER" netns "$NS"
ip link set "$HOST" up
ip -n "$NS" link set "$PEER" up
host_mac=$(cat /sys/class/net/$HOST/address)

run() { step "mapsh $*"; "$MAPSH" "$@"; }
send() { ip netns exec "$NS" "$PKTGEN" -i "$PEER" --dmac "$host_mac" "$@"; }

run load --iface "$HOST"
run status
run config set sample_rate=4

echo
echo "sending traffic from namespace $NS ..."
send -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 5555 --dport 80 -c 25 --tcp-flags SYN,ACK --len 120
send -s 10.0.0.1 -d 10.0.0.3 -p udp --sport 4444 --dport 53 -c 12 --len 80
send -s 10.0.0.7 -d 10.0.0.2 -p icmp -c 5
send -s fd00::1 -d fd00::2 -p udp --sport 7000 --dport 443 -c 9

run maps
run flows dump sort packets desc
run flows lookup src_ip=10.0.0.1 dst_ip=10.0.0.2 src_port=5555 dst_port=80 protocol=tcp
run flows6
run proto_stats
run pkt_sizes
run events drain

echo
echo "blocking 10.0.0.66 and sending from it ..."
run blocklist add src_ip=10.0.0.66 dst_port=0 protocol=0 action=drop
send -s 10.0.0.66 -d 10.0.0.2 -p udp --sport 1000 --dport 80 -c 3
run blocklist
run recent_drops drain
run samples drain --count 5
run -j iface_stats dump where packets '>' 0

echo
echo "demo done; cleaning up (mapsh unload, netns and veth removed)"
