#!/usr/bin/env bats
# The progress line: on a terminal only, with percent and time left when
# the input's size is known, one stage of a pipeline at a time (a lock on
# the terminal). A terminal is script(1)'s pseudo-terminal; the lock is
# taken from outside with flock(1). XSELL_PROGRESS_EVERY=N redraws every
# N items, so that a small input shows the line.

load helper
bats_require_minimum_version 1.5.0

setup() {
	xs_setup
	command -v script > /dev/null || skip "script(1) is not installed"
	# 300 000 ranked rows, about 7 MB: several reads of 1 MB
	awk 'BEGIN { print "context_id\tcandidate_id\tscore"
		for (c = 0; c < 60000; c++) for (k = 0; k < 5; k++)
			printf "c%06d\tp%d\t0.%d\n", c, k, 9 - k }' > big.tsv
}

@test "a regular file: the tool's name, percent, count and rate; cleared at the end" {
	run -0 script -qec "XSELL_PROGRESS_EVERY=50000 xsell-rank big.tsv > /dev/null" /dev/null
	# every redraw names the tool and says how far it read
	lines=$(tr '\r' '\n' <<<"$output" | grep -c '^xsell-rank: [0-9]*% [0-9]* rows, [0-9]*/s')
	[ "$lines" -ge 3 ] || { echo "$output" | od -c | head; return 1; }
	# the percent grows, below 100
	pcts=$(tr '\r' '\n' <<<"$output" | sed -n 's/^xsell-rank: \([0-9]*\)% .*/\1/p' | tr '\n' ' ')
	awk -v p="$pcts" 'BEGIN { n = split(p, a, " "); for (i = 2; i <= n; i++) if (a[i] < a[i - 1] || a[i] >= 100) exit 1 }' ||
	    { echo "$pcts"; return 1; }
	# the last thing written erases the line
	[ "${output: -4}" = $'\r\033[K' ] || [ "${output: -5}" = $'\r\033[K\r' ] ||
	    { echo "$output" | tail -c 20 | od -c; return 1; }
}

@test "standard input from a file counts as a regular file; a pipe shows no percent" {
	run -0 script -qec "XSELL_PROGRESS_EVERY=50000 xsell-rank < big.tsv > /dev/null" /dev/null
	assert_output --regexp 'xsell-rank: [0-9]+% '
	run -0 script -qec "cat big.tsv | XSELL_PROGRESS_EVERY=50000 xsell-rank > /dev/null" /dev/null
	refute_output --partial '%'
}

@test "silent with -q, and when standard error is not a terminal" {
	run -0 script -qec "XSELL_PROGRESS_EVERY=50000 xsell-rank -q big.tsv > /dev/null" /dev/null
	assert_output ""
	XSELL_PROGRESS_EVERY=50000 run -0 --separate-stderr xsell-rank -o out.tsv big.tsv
	assert_output ""
	[ -z "$stderr" ]
}

@test "a stage draws only while it holds the terminal's lock" {
	command -v flock > /dev/null || skip "flock(1) is not installed"
	# another stage holds the line: nothing is drawn
	# (the holder says when it holds the lock: a loaded machine may take
	# longer than any fixed sleep to start it)
	# ($(tty) is read before the "&": an asynchronous list of a shell
	# without job control, dash's, has /dev/null as standard input)
	run -0 script -qec 't=$(tty); flock "$t" sh -c ": > held; exec sleep 60" & holder=$!
	    while [ ! -e held ]; do sleep 0.05; done
	    XSELL_PROGRESS_EVERY=50000 xsell-rank big.tsv > /dev/null; echo done
	    pkill -P $holder; wait' /dev/null
	assert_output --partial "done"
	refute_output --partial "xsell-rank:"
	# once it is given back, the line is this stage's
	run -0 script -qec 'flock "$(tty)" true
	    XSELL_PROGRESS_EVERY=50000 xsell-rank big.tsv > /dev/null' /dev/null
	assert_output --partial "xsell-rank:"
}

@test "two stages of a pipeline never draw over each other" {
	command -v flock > /dev/null || skip "flock(1) is not installed"
	cat big.tsv big.tsv big.tsv big.tsv | sed '1!{/^context_id/d}' |
	    awk -F'\t' -v OFS='\t' 'NR > 1 { $1 = $1 "-" int((NR - 2) / 300000) } 1' > big4.tsv
	run -0 script -qec "XSELL_PROGRESS_EVERY=20000 xsell-rank big4.tsv |
	    XSELL_PROGRESS_EVERY=20000 xsell-audit --events - -o /dev/null" /dev/null
	# the names in the order drawn, runs folded, with the clears: a stage's
	# run of lines ends with its clear before another stage draws
	seq=$(tr '\r' '\n' <<<"$output" | sed -n 's/^\(xsell-[a-z]*\): .*/\1/p; s/^\x1b\[K$/clear/p' | uniq | tr '\n' ' ')
	awk -v s="$seq" 'BEGIN { n = split(s, a, " "); for (i = 2; i <= n; i++)
		if (a[i] != "clear" && a[i - 1] != "clear") exit 1 }' ||
	    { echo "$seq"; return 1; }
}
