# Helpers of the terminal and watch tests (repl, complete, watch): a tmux
# server of the test's own, and synchronisation on a watch's refreshes.

# ---- tmux: one server per test ----
#
# tty_new_server: pick this test's own tmux socket name (tmux -L), so that
# no other test, run or user shares the server. Every tmux call goes
# through ttmux; teardown calls tty_kill_server.
tty_new_server() {
	tty_kill_server
	TTY_SOCK="mapsh-tty-$$-${BATS_TEST_NUMBER:-0}-$(_unique_id)-$RANDOM"
}
ttmux() { tmux -L "$TTY_SOCK" "$@"; }
tty_kill_server() {
	if [ -n "${TTY_SOCK:-}" ]; then
		tmux -L "$TTY_SOCK" kill-server 2>/dev/null || true
		# a killed server leaves its socket file behind
		rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TTY_SOCK"
		TTY_SOCK=""
	fi
}

# ---- watch in line mode: refreshes in $OUT ----
#
# Every refresh ends with a summary line: -j {"time":ISO,"refresh":N,...},
# text "# ISO refresh N ...". The entries printed before summary N belong
# to refresh N.

# tty_summaries: "N MS" per summary seen so far (MS: its time, in ms since
# the epoch, the moment the refresh started reading the map).
tty_summaries() {
	sed -nE 's/^\{"time":"([^"]+)","refresh":([0-9]+),.*/\2 \1/p; s/^# ([^ ]+) refresh ([0-9]+) .*/\2 \1/p' "$OUT" 2>/dev/null |
		while read -r n iso; do
			echo "$n $(date -d "$iso" +%s%3N)"
		done
}

# tty_last_refresh: the number of the last refresh whose summary is out (0).
tty_last_refresh() {
	local n
	n=$(sed -nE 's/^\{"time":"[^"]+","refresh":([0-9]+),.*/\1/p; s/^# [^ ]+ refresh ([0-9]+) .*/\1/p' "$OUT" 2>/dev/null | tail -n 1)
	echo "${n:-0}"
}

# tty_wait_refresh N: until the summary of refresh N is out (20 s at most).
tty_wait_refresh() {
	local i
	for ((i = 0; i < 400; i++)); do
		[ "$(tty_last_refresh)" -ge "$1" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for refresh $1 in:"
	cat "$OUT" "$OUT.err" 2>/dev/null
	return 1
}

# tty_refresh_ms N: the time of refresh N (ms).
tty_refresh_ms() { tty_summaries | awk -v n="$1" '$1 == n { print $2 }'; }

# tty_between_refreshes FUNC: run FUNC ATTEMPT (ATTEMPT = 1, 2, ...) just
# after a refresh was printed, and check from the refresh times that all of
# it happened between that refresh and the next one (it started after the
# refresh's read ended, since the summary was out, and ended before the
# next read started). On a slow machine where it straddled a refresh, FUNC
# is run again (with the next ATTEMPT) up to 5 times. Sets IN_REFRESH to
# the refresh that saw all of it and ATTEMPT to the attempt that did.
tty_between_refreshes() {
	local fn=$1 r end next
	for ((ATTEMPT = 1; ATTEMPT <= 5; ATTEMPT++)); do
		r=$(tty_last_refresh)
		[ "$r" -ge 1 ] || fail "no refresh yet"
		"$fn" "$ATTEMPT"
		end=$(date +%s%3N)
		# one more ms: the refresh time is cut to the ms
		tty_wait_refresh $((r + 1)) || return 1
		next=$(tty_refresh_ms $((r + 1)))
		if [ "$next" -gt $((end + 1)) ]; then
			IN_REFRESH=$((r + 1))
			return 0
		fi
		echo "# attempt $ATTEMPT straddled refresh $((r + 1)); again" >&3
	done
	fail "every attempt straddled a refresh"
}

# tty_jq_refresh N FILTER: jq FILTER over the array of the lines of refresh
# N (its entries and, last, its summary).
tty_jq_refresh() {
	jq -s -r --argjson n "$1" '
		reduce .[] as $x ({r: 1, out: []};
			.out += [$x + {_r: .r}] | if $x.refresh then .r = $x.refresh + 1 else . end)
		| [.out[] | select(._r == $n) | del(._r)] | '"$2" "$OUT"
}

# tty_wait_refresh_after MS: until a refresh that started after MS (ms
# since the epoch) is out; prints its number.
tty_wait_refresh_after() {
	local i n
	for ((i = 0; i < 400; i++)); do
		n=$(tty_summaries | awk -v t="$1" '$2 > t + 1 { print $1; exit }')
		if [ -n "$n" ]; then
			echo "$n"
			return 0
		fi
		sleep 0.05
	done
	echo "timed out waiting for a refresh after $1 in:" >&2
	cat "$OUT" "$OUT.err" >&2
	return 1
}

# tty_wait_eq WANT CMD...: until CMD prints WANT (the counters a test's
# packets reach once XDP counted them), 10 s at most.
tty_wait_eq() {
	local want=$1 i got
	shift
	for ((i = 0; i < 200; i++)); do
		got=$("$@" 2>/dev/null)
		[ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	fail "timed out waiting for '$*' to be $want (last: '$got')"
}

# tty_text_refresh N: the entry lines (not '#') of refresh N of a text
# watch in $OUT (the '# time<TAB>event...' header line names the columns).
tty_text_refresh() {
	awk -v n="$1" 'BEGIN { r = 1 } /^# time\t/ { next } /^# / { r++; next } r == n' "$OUT"
}
