# Helpers of the data-verb tests (verbs.bats, ...): a terminal of the
# test's own. data_term CMD runs CMD in a new 160x40 tmux pane on a tmux
# server of this test only (its own socket), so mapsh sees a terminal on
# stdin, as a user's shell gives it; after CMD exits the pane shows
# EXITED=<status>. screen prints the pane (wait_screen/wait_match in
# helpers.bash poll it); data_term_kill (in teardown) ends the server.

data_term() {
	DATA_TMUX="ms$(_unique_id)d"
	tmux -L "$DATA_TMUX" -f /dev/null new-session -d -s t -x 160 -y 40 \
		"env TERM=xterm NO_COLOR=1 MAPSH_PIN_DIR='$MAPSH_PIN_DIR' timeout --foreground 60 $1; echo EXITED=\$?; sleep 600"
}

screen() { tmux -L "$DATA_TMUX" capture-pane -t t -p; }
data_keys() { tmux -L "$DATA_TMUX" send-keys -t t "$@"; }

data_term_kill() {
	if [ -n "${DATA_TMUX:-}" ]; then
		tmux -L "$DATA_TMUX" kill-server 2>/dev/null || true
		DATA_TMUX=
	fi
}
