# Loaded by every suite: the built tools first on PATH, bats-assert, and
# a scratch directory per test.
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load
ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PATH="$ROOT/bin:$PATH"
FIX="$ROOT/tests/fixtures"
export LC_ALL=C

xs_setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# A suite that needs more set-up defines its own setup() calling xs_setup.
setup() {
	xs_setup
}
