# Loaded by every suite: the built tools first on PATH, bats-assert, and
# a scratch directory per test.
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load
ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PATH="$ROOT/bin:$PATH"
FIX="$ROOT/tests/fixtures"
export LC_ALL=C

# pick COLUMN...: the named columns of a TSV on stdin, space-separated,
# header left out; exported so "bash -c" pipelines in tests can use it.
pick() {
	awk -F'\t' -v want="$*" '
	NR == 1 { n = split(want, w, " ")
		for (i = 1; i <= NF; i++) at[$i] = i; next }
	{ line = ""
		for (k = 1; k <= n; k++) line = line (k > 1 ? " " : "") $(at[w[k]])
		print line }'
}
export -f pick

xs_setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# A suite that needs more set-up defines its own setup() calling xs_setup.
setup() {
	xs_setup
}
