#!/usr/bin/env bash
# make mutate: one-line mutants of cli/, each applied to a scratch copy of
# the tree, built, and run against the tests that should catch it.
#
# Mutants live in tests/mutate/*.mut, blocks separated by blank lines:
#
#   name:    clear-any-answer
#   why:     any answer confirms clear
#   find:    !(line[0] == 'y' || line[0] == 'Y')
#   replace: 0
#   tests:   verbs.bats
#   filter:  clear            (optional: bats --filter, a regex on test names)
#
# `find` is code, not a line number, so a mutant follows its code when files
# move: its words must occur exactly once in all of cli/ (runs of white
# space match any white space, a line break included). `replace` is put in
# its place as written; \n and \t in it are a newline and a tab.
#
# A mutant is killed when the build or a test fails (or the tests time
# out; they stop at the first failure), survived when every test passes,
# and invalid when its code is not found once or the mutant is applied to
# nothing.
#
# usage: tests/mutate/run.sh [NAME...]      (MUTATE_TIMEOUT: seconds a mutant)
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
TIMEOUT=${MUTATE_TIMEOUT:-900}

scratch=$(mktemp -d /tmp/mapsh-mutate.XXXXXX)
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# One scratch copy of the work tree (build output included, so a mutant
# rebuilds one object and the link). Its name has no dot: libbpf rewrites
# dots in pin paths.
tree="$scratch/tree"
mkdir -p "$tree"
tar -C "$TOP" --exclude=./.git -cf - . | tar -C "$tree" -xf -
echo "building the unmutated tree once"
if ! make -C "$tree" -s --no-print-directory test-prereqs >"$scratch/build.log" 2>&1; then
	cat "$scratch/build.log"
	echo "the unmutated tree does not build"
	exit 1
fi

# Parse the mutant files into one record a mutant, fields joined by \x1f.
mapfile -t MUTANTS < <(perl -e '
	my @want = @ARGV[1..$#ARGV]; my %want = map { $_ => 1 } @want;
	for my $f (glob "$ARGV[0]/*.mut") {
		open my $fh, "<", $f or die; local $/ = ""; 
		while (my $blk = <$fh>) {
			my %m;
			for (split /\n/, $blk) {
				next if /^\s*#/;
				if (/^(\w+):\s*(.*)$/) { $m{$1} = $2; $m{$1} =~ s/\s+$//; }
			}
			next unless %m;
			die "$f: a mutant without name\n" unless $m{name};
			for (qw(find replace tests)) { die "$f: $m{name}: no $_\n" unless defined $m{$_} }
			next if @want && !$want{$m{name}};
			print join("\x1f", $m{name}, $m{why} // "", $m{find}, $m{replace},
				   $m{tests}, $m{filter} // ""), "\n";
		}
	}' "$TOP/tests/mutate" "$@") || exit 1
[ "${#MUTANTS[@]}" -gt 0 ] || { echo "no mutants"; exit 1; }

# apply FIND REPLACE: in the scratch tree; prints the file changed, or an
# error on stderr (exit 1) when the code is not found exactly once.
apply() {
	FIND=$1 REPLACE=$2 perl -e '
		use File::Find;
		my @w = split " ", $ENV{FIND};
		my $re = join "\\s+", map { quotemeta } @w;
		(my $rep = $ENV{REPLACE}) =~ s/\\n/\n/g; $rep =~ s/\\t/\t/g;
		my @hits;
		find({ no_chdir => 1, wanted => sub {
			return unless -f && /\.[ch]$/;
			open my $fh, "<", $_ or die; local $/; my $s = <$fh>;
			my $n = () = $s =~ /$re/g;
			push @hits, [$_, $n] if $n;
		}}, "cli");
		my $total = 0; $total += $_->[1] for @hits;
		if ($total != 1) {
			print STDERR "found $total times" .
				(@hits ? " (" . join(", ", map { "$_->[0]: $_->[1]" } @hits) . ")" : "") . "\n";
			exit 1;
		}
		my $f = $hits[0][0];
		open my $fh, "<", $f or die; local $/; my $s = <$fh>; close $fh;
		open my $bk, ">", "$ENV{BACKUP}" or die; print $bk $s; close $bk;
		$s =~ s/$re/$rep/;
		open $fh, ">", $f or die; print $fh $s; close $fh;
		print "$f\n";'
}

# run_until_failure LOG BATSARGS...: the tests in the scratch tree, their
# TAP output appended to LOG, until the first failure: a mutant is killed
# by its first failing test, and the rest of a 46-test file after it only
# cost time (most mutants fail early: a whole run took hours). They are
# stopped with SIGINT, as by Ctrl-C, so that bats runs the teardowns
# (namespaces, bpffs mounts, background writers) before it exits. timeout
# runs the tests in a process group of their own and passes the signal
# on to all of it; SIGKILL when they have not ended a minute later.
run_until_failure() {
	local log=$1 pid waited=0
	shift
	(cd "$tree" && exec timeout -k 10 "$TIMEOUT" bats --tap "$@" </dev/null) >>"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if grep -q '^not ok' "$log"; then
			kill -INT "$pid" 2>/dev/null
			while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 600 ]; do
				sleep 0.1
				waited=$((waited + 1))
			done
			kill -KILL -- "-$pid" 2>/dev/null
			break
		fi
		sleep 0.2
	done
	wait "$pid"
}

n=0 killed=0 survived=0 invalid=0
for rec in "${MUTANTS[@]}"; do
	IFS=$'\x1f' read -r name why find replace tests filter <<<"$rec"
	n=$((n + 1))
	printf '%-34s ' "$name"
	if ! file=$(cd "$tree" && BACKUP="$scratch/original" apply "$find" "$replace" 2>"$scratch/apply.err"); then
		echo "INVALID: code $(cat "$scratch/apply.err")"
		invalid=$((invalid + 1))
		continue
	fi
	log="$scratch/$name.log"
	args=()
	[ -n "$filter" ] && args+=(--filter "$filter")
	for t in $tests; do args+=("tests/$t"); done
	start=$SECONDS
	if ! make -C "$tree" -s --no-print-directory test-prereqs >"$log" 2>&1; then
		verdict="killed (does not build)"
		killed=$((killed + 1))
	else
		run_until_failure "$log" "${args[@]}"
		rc=$?
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			verdict="killed (timed out)"
			killed=$((killed + 1))
		elif [ "$rc" -ne 0 ] && grep -q '^not ok' "$log"; then
			first=$(grep -m1 '^not ok' "$log" | sed 's/^not ok [0-9]* //')
			verdict="killed by: $first"
			killed=$((killed + 1))
		elif [ "$rc" -ne 0 ] && ! grep -q '^ok ' "$log"; then
			# bats itself failed (a bad filter, a missing file): no
			# test ran, so nothing was shown
			verdict="INVALID: the tests did not run (exit $rc; $tests${filter:+ --filter '$filter'})"
			invalid=$((invalid + 1))
			mkdir -p "$TOP/build/mutate"
			cp "$log" "$TOP/build/mutate/$name.log"
		elif [ "$rc" -ne 0 ]; then
			verdict="killed by: exit $rc"
			killed=$((killed + 1))
		elif grep -q '^ok ' "$log"; then
			verdict="SURVIVED ($tests${filter:+ --filter '$filter'})"
			survived=$((survived + 1))
			mkdir -p "$TOP/build/mutate"
			cp "$log" "$TOP/build/mutate/$name.log"
		else
			verdict="INVALID: no test ran ($tests${filter:+ --filter '$filter'})"
			invalid=$((invalid + 1))
		fi
	fi
	# Undo the mutant: the file as it was, newer than its object.
	cat "$scratch/original" >"$tree/$file"
	touch "$tree/$file"
	printf '%s  [%s, %ds]\n' "$verdict" "$file" $((SECONDS - start))
	[ -n "$why" ] && [ "${MUTATE_VERBOSE:-0}" = 1 ] && echo "    $why"
done
line="$n mutants, $killed killed, $survived survived"
[ "$invalid" -gt 0 ] && line+=", $invalid invalid"
echo "$line"
[ "$survived" -eq 0 ] && [ "$invalid" -eq 0 ]
