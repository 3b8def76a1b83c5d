#!/usr/bin/env bash
# The floors of cli/: a file includes headers of its own folder and of lower
# floors only (cli/README.md). Prints every include that breaks this and
# exits 1 if there is any.
#
# usage: tests/tools/floors.sh [CLI_DIR]
set -euo pipefail
cli=${1:-"$(dirname "$0")/../../cli"}
cd "$cli"

# folder -> floor; cli/ itself (main.c, commands.c) is the top.
floor() {
	case $1 in
	base) echo 1 ;;
	tval) echo 2 ;;
	query | map) echo 3 ;;
	output | loader) echo 4 ;;
	cmd) echo 5 ;;
	verbs) echo 6 ;;
	shell) echo 7 ;;
	.) echo 8 ;;
	*) echo "unknown folder cli/$1" >&2; echo 0 ;;
	esac
}

bad=0
while IFS= read -r f; do
	dir=$(dirname "$f"); dir=${dir#./}
	top=${dir%%/*}
	mine=$(floor "$top")
	while IFS= read -r inc; do
		case $inc in */*) ;; *) continue ;; esac	# generated or bpf/ headers
		idir=${inc%/*} itop=${inc%%/*}
		[ -e "$inc" ] || continue
		if [ "$itop" = "$top" ]; then
			# Within a folder: a subfolder may include its parent's
			# headers, not the other way round.
			case $dir in "$idir" | "$idir"/*) continue ;; esac
			echo "$f includes $inc: a subfolder's header from its parent"
			bad=1
			continue
		fi
		theirs=$(floor "$itop")
		if [ "$theirs" -ge "$mine" ]; then
			echo "$f (floor $mine, $top/) includes $inc (floor $theirs, $itop/)"
			bad=1
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done < <(find . -name '*.[ch]' | sed 's|^\./||' | sort)
exit $bad
