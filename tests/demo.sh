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

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

ip netns add "$NS"
ip link add "$HOST" type veth peer name "$PEER" netns "$NS"
ip link set "$HOST" up
ip -n "$NS" link set "$PEER" up
host_mac=$(cat /sys/class/net/$HOST/address)

step mapsh load --iface "$HOST"
"$MAPSH" load --iface "$HOST"

step mapsh status
"$MAPSH" status

send() { ip netns exec "$NS" "$PKTGEN" -i "$PEER" --dmac "$host_mac" "$@"; }
echo
echo "sending traffic from namespace $NS ..."
send -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 5555 --dport 80 -c 25 --tcp-flags SYN,ACK --len 120
send -s 10.0.0.1 -d 10.0.0.3 -p udp --sport 4444 --dport 53 -c 12 --len 80
send -s 10.0.0.7 -d 10.0.0.2 -p icmp -c 5
send -s fd00::1 -d fd00::2 -p udp --sport 7000 --dport 443 -c 9

step mapsh maps
"$MAPSH" maps

step "bpftool map dump pinned $MAPSH_PIN_DIR/flows"
bpftool map dump pinned "$MAPSH_PIN_DIR/flows"

step "bpftool map dump pinned $MAPSH_PIN_DIR/cpu_stats"
bpftool map dump pinned "$MAPSH_PIN_DIR/cpu_stats"

echo
echo "demo done; cleaning up"
