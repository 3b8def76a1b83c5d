#!/usr/bin/env bats
# The C unit tests (cmocka), one TAP line per test binary.

load helpers

@test "unit tests of the typed-value engine pass" {
	for t in "${MAPSH_UNIT_DIR:-$TOP/build/unit}"/test_*; do
		run "$t"
		[ "$status" -eq 0 ] || fail "$(basename "$t") failed: $output"
	done
}
