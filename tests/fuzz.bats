#!/usr/bin/env bats
# The fuzz targets (tests/fuzz, built with ASan/UBSan) replay their corpora:
# every saved input once, so a parser change that crashes, leaks or reads
# out of bounds on a known input fails here. `make fuzz` is the long run.

load helpers

replay() {
	local name=$1 bin="$TOP/build/fuzz/$1" dir="$TOP/tests/fuzz/corpus/$1"
	[ -x "$bin" ] || fail "$bin is not built (make test-prereqs)"
	local inputs=("$dir"/*)
	[ "${#inputs[@]}" -ge 5 ] || fail "$dir holds ${#inputs[@]} inputs"
	run "$bin" -runs=0 "${inputs[@]}"
	[ "$status" -eq 0 ] || fail "$name: $output"
	# libFuzzer says "Executed FILE" once for every input it ran.
	ran=$(grep -c '^Executed ' <<<"$output")
	[ "$ran" -eq "${#inputs[@]}" ] || fail "$name ran $ran of ${#inputs[@]} inputs: $output"
}

@test "fuzz corpus: the value parser (fuzz_parse)" { replay fuzz_parse; }
@test "fuzz corpus: the value formatter (fuzz_format)" { replay fuzz_format; }
@test "fuzz corpus: the query parser (fuzz_query)" { replay fuzz_query; }
