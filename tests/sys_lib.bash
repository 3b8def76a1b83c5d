# Helpers of load.bats, traffic.bats, stream.bats and cli.bats (on top of
# helpers.bash): the test's own bpffs for libxdp too, background processes
# that always end, waiting on events with a bound, and exact counters.

# The test's bpffs, for mapsh's pins and for libxdp's lock and dispatcher
# state (which it keeps on $LIBXDP_BPFFS, by default the host's
# /sys/fs/bpf).
sys_setup_bpffs() {
	setup_bpffs
	export LIBXDP_BPFFS="$BPFFS"
}

# ---- background processes ----
#
# bg CMD...: run `timeout BG_TIMEOUT CMD...` in the background (redirect
# the call: `bg "$MAPSH" ... >out 2>err`); BG_PID is the timeout process,
# bg_child gives the command's own pid. sys_teardown ends every one of
# them, also when the test failed half-way.
BG_PIDS=()
bg() {
	timeout "${BG_TIMEOUT:-60}" "$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# bg_child PID: the pid of the command that timeout PID runs (polls until
# it has started, up to 5 s).
bg_child() {
	local c="" i
	for ((i = 0; i < 100; i++)); do
		read -r c _ 2>/dev/null <"/proc/$1/task/$1/children" || true
		[ -n "$c" ] && break
		sleep 0.05
	done
	[ -n "$c" ] || { echo "no child of $1" >&2; return 1; }
	echo "$c"
}

# bg_wait PID: wait for one background process; its exit status.
bg_wait() {
	local rc=0
	wait "$1" || rc=$?
	return "$rc"
}

bg_reap() {
	local p c
	for p in "${BG_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || continue
		read -r c _ 2>/dev/null <"/proc/$p/task/$p/children" || c=""
		[ -n "$c" ] && kill -CONT "$c" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${BG_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	BG_PIDS=()
}

sys_teardown() {
	bg_reap
	teardown_common
}

# ---- waiting on events ----

# wait_for DESCRIPTION CMD...: until CMD succeeds, every 0.05 s, up to
# WAIT_SECONDS (default 10); on time-out say what was awaited and fail.
wait_for() {
	local what=$1 i n; shift
	n=$(( ${WAIT_SECONDS:-10} * 20 ))
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	echo "timed out waiting for: $what" >&2
	return 1
}

# fds_of PID: what each open file descriptor of PID points to.
fds_of() {
	local f
	for f in /proc/"$1"/fd/*; do
		readlink "$f" 2>/dev/null
	done
}

# The process waits in poll with an epoll fd open: a ring buffer or perf
# buffer reader that is ready for records.
_stream_waiting() {
	fds_of "$1" | grep -qxF 'anon_inode:[eventpoll]' || return 1
	case "$(cat "/proc/$1/wchan" 2>/dev/null)" in
	*poll*) return 0 ;;
	esac
	return 1
}
wait_stream_ready() { wait_for "process $1 waiting for records" _stream_waiting "$1"; }

# The process holds one perf event per online CPU (perf_buffer__new opens
# one a CPU and puts it in the map), and waits.
_perf_ready() {
	[ "$(fds_of "$1" | grep -cxF 'anon_inode:[perf_event]')" -ge "$(getconf _NPROCESSORS_ONLN)" ] &&
		_stream_waiting "$1"
}
wait_perf_ready() { wait_for "process $1 reading a perf buffer on every CPU" _perf_ready "$1"; }

# ---- counters ----

# The netns's IPv4 InReceives: packets that XDP passed up to the stack
# (IPv6 is off there, and nothing else sends IPv4 in the namespace).
ip_in_receives() {
	in_ns awk '/^Ip:/ { if (seen) print $4; seen = 1 }' /proc/net/snmp
}

# The CPUs this process may run on, one a line (from its affinity).
allowed_cpus() {
	local list r
	list=$(taskset -cp $$ | sed 's/.*: //')
	for r in ${list//,/ }; do
		if [[ $r == *-* ]]; then
			seq "${r%-*}" "${r#*-}"
		else
			echo "$r"
		fi
	done
}

# send_pkts_on_cpu CPU K ARGS...: send_pkts pinned to one CPU, so that
# per-CPU state (rate_limits buckets) sees every packet on one CPU.
send_pkts_on_cpu() {
	local cpu=$1 k=$2; shift 2
	local dev mac
	eval "dev=\$PEER$k mac=\$HOST_MAC$k"
	in_ns taskset -c "$cpu" "$PKTGEN" -i "$dev" --dmac "$mac" "$@"
}

# The XDP program attached to interface K of the test's namespace: its
# name and id as the kernel reports them ("" when none).
xdp_prog_name() { ip -n "$NS" -j link show "$1" | jq -r '.[0].xdp.prog.name // empty'; }
xdp_prog_id() { ip -n "$NS" -j link show "$1" | jq -r '.[0].xdp.prog.id // empty'; }
# bpftool's attach mode of the XDP program on IFACE: driver, generic, "".
xdp_mode() { in_ns bpftool -j net show dev "$1" | jq -r '.[0].xdp[0].mode // empty'; }
# The id of the program in the tc ingress hook of IFACE ("" when none).
tc_prog_ids() { in_ns bpftool -j net show dev "$1" | jq -r '[.[0].tc[] | select(.kind == "clsact/ingress") | .id] | join(" ")'; }
# The id of a program pinned at PATH.
pinned_prog_id() { bpftool -j prog show pinned "$1" | jq -r .id; }

# ---- a private mount namespace ----

# in_private_mnt SCRIPT: run SCRIPT (bash, -eu) in a mount namespace of its
# own where /sys/fs/bpf has nothing mounted, so that what mapsh mounts
# there never reaches the host. MAPSH, NS and the exported variables are
# there as they are here.
in_private_mnt() {
	MAPSH="$MAPSH" NS="${NS:-}" unshare -m --propagation private bash -euc '
		if mountpoint -q /sys/fs/bpf; then umount -R /sys/fs/bpf; fi
		[ "$(stat -f -c %T /sys/fs/bpf)" != bpf_fs ] || { echo "/sys/fs/bpf is still a bpffs"; exit 99; }
		fstype() { findmnt -n -o FSTYPE --mountpoint /sys/fs/bpf || true; }
		m() { if [ -n "$NS" ]; then nsenter --net="/run/netns/$NS" "$MAPSH" "$@"; else "$MAPSH" "$@"; fi; }
		'"$1"
}

# What the host has mounted at or under /sys/fs/bpf (mountinfo lines), to
# compare before and after.
host_bpf_mounts() {
	awk '$5 == "/sys/fs/bpf" || index($5, "/sys/fs/bpf/") == 1' /proc/self/mountinfo
}
