#!/usr/bin/env bash
# `make demo`: a network namespace with a veth pair, mapsh's programs loaded
# on the host end, real traffic from the other end, and the maps shown live.
# Everything it creates is removed at the end (or by `make demo-clean`).
set -euo pipefail
cd "$(dirname "$0")/.."

NS=mapsh-demo
HOST=mapsh-demo0
PEER=mapsh-demo1
export MAPSH_PIN_DIR=/sys/fs/bpf/mapsh-demo
MAPSH=./mapsh
PKTGEN=./build/pktgen

clean() {
	"$MAPSH" unload --iface "$HOST" >/dev/null 2>&1 || true
	"$MAPSH" unload >/dev/null 2>&1 || true
	ip link del "$HOST" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
}

if [ "${1:-}" = "--clean" ]; then
	clean
	echo "demo cleaned up"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run it as root (sudo make demo)" >&2
	exit 1
fi

clean
trap clean EXIT
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
