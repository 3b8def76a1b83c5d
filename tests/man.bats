#!/usr/bin/env bats
# man/mapsh.8: lint-clean, renders, and documents every command, verb,
# session command and option that the command tables have.

load helpers

PAGE="$TOP/man/mapsh.8"

# The rendered page as plain text.
rendered() { mandoc -T ascii "$PAGE" | sed 's/.\x08//g'; }

@test "mandoc -T lint: no warnings or errors" {
	command -v mandoc >/dev/null || skip "mandoc is not installed (make deps)"
	run mandoc -T lint -W warning "$PAGE"
	assert_success
	assert_output ""
	# style notes other than the local man database's cross-reference
	# index (an environment matter, not the page's) are not allowed either
	run bash -c "mandoc -T lint '$PAGE' 2>&1 | grep -v 'mandoc.db' || true"
	assert_output ""
}

@test "man ./man/mapsh.8 renders" {
	command -v man >/dev/null || skip "man is not installed"
	run env MANPAGER=cat MANWIDTH=80 man "$PAGE"
	assert_success
	assert_line --regexp '^NAME'
	assert_output --partial 'mapsh'
	assert_output --partial 'EXIT STATUS'
}

@test "every synopsis of the command tables is in the page" {
	command -v mandoc >/dev/null || skip "mandoc is not installed (make deps)"
	# Compare without whitespace: the page wraps long synopses and puts
	# blanks around '|'.
	page=$(rendered | tr -d ' \t\n')
	run "$MAPSH" __synopsis
	assert_success
	[ "${#lines[@]}" -gt 10 ]
	missing=0
	for l in "${lines[@]}"; do
		want=$(tr -d ' \t' <<<"$l")
		if [[ $page != *"$want"* ]]; then
			echo "missing from man/mapsh.8: $l"
			missing=1
		fi
	done
	[ "$missing" = 0 ] || { echo "run 'make man' to regenerate the command reference"; false; }
}

@test "every command and verb has its own entry" {
	command -v mandoc >/dev/null || skip "mandoc is not installed (make deps)"
	text=$(rendered)
	local n=0
	while read -r first second third _; do
		n=$((n + 1))
		case $first in
		mapsh)
			if [ "$second" = MAP ]; then
				grep -qE "^ +mapsh MAP $third( |$)" <<<"$text" || { echo "no entry for verb $third"; false; }
			else
				grep -qE "^ +mapsh $second( |$)" <<<"$text" || { echo "no entry for $second"; false; }
			fi
			;;
		.*)
			grep -qE "^ +\\$first( |$)" <<<"$text" || { echo "no entry for $first"; false; }
			;;
		esac
	done < <("$MAPSH" __synopsis)
	# the table was read (commands, verbs, session commands)
	[ "$n" -gt 30 ] || fail "only $n synopses"
}

@test "every global option is in the page" {
	command -v mandoc >/dev/null || skip "mandoc is not installed (make deps)"
	text=$(rendered)
	local -a opts
	opts=($("$MAPSH" __complete -- --))
	[ "${#opts[@]}" -gt 8 ] || fail "only ${#opts[@]} options: ${opts[*]}"
	for o in "${opts[@]}"; do
		[[ $text == *"$o"* ]] || { echo "option $o missing"; false; }
	done
}

@test "the generated command reference is up to date (make man)" {
	gen=$("$MAPSH" __synopsis --mdoc)
	inpage=$(sed -n '/^\.\\" BEGIN GENERATED/,/^\.\\" END GENERATED/p' "$PAGE")
	if [ "$gen" != "$inpage" ]; then
		diff <(echo "$inpage") <(echo "$gen") | head -40
		echo "man/mapsh.8 is out of date: run 'make man'"
		false
	fi
}

@test "the hand-written sections are there" {
	command -v mandoc >/dev/null || skip "mandoc is not installed (make deps)"
	text=$(rendered)
	for s in SYNOPSIS DESCRIPTION OPTIONS COMMANDS "MAP SELECTION" \
		 "KEYS AND VALUES" FORMATS "DUMP FILTERS" OUTPUT "THE SHELL" \
		 SCRIPTS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES; do
		grep -qx "$s" <<<"$text" || { echo "no section $s"; false; }
	done
	for w in MAPSH_PIN_DIR MAPSH_HISTFILE NO_COLOR ipv4 ipv6 mac port \
		 ifindex ktime ipproto tcpflags hex counter where sort limit fields \
		 --keep-going; do
		[[ $text == *"$w"* ]] || { echo "'$w' is not documented"; false; }
	done
}
