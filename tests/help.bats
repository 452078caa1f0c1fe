#!/usr/bin/env bats
# --help: the usage (the man page's SYNOPSIS, checked by
# scripts/check-synopsis), an empty line, then one line per option, each
# long option of the page's OPTIONS list on exactly one line, so that the
# help and the page cannot drift apart.

load helper
bats_require_minimum_version 1.5.0

TOOLS="import learn qualify score rank audit"

# page_longs TOOL: the long options the OPTIONS list of TOOL's page names
# on its .It lines, one a line, sorted (a duplicate stays).
page_longs() {
	awk '/^\.Sh/ { on = $2 == "OPTIONS" } on && /^\.It/' \
	    "$ROOT/man/xsell-$1.1" | sed 's/\\//g' |
	    grep -oE 'Fl -[a-z][a-z0-9-]*' | sed 's/^Fl /-/' | sort
}

# help_longs TOOL: the long options the option lines of TOOL's --help
# name in their first column, one a line, sorted (a duplicate stays).
help_longs() {
	"xsell-$1" --help | awk 'NF == 0 { o = 1; next }
	    o && /^ +-/ { sub(/^ +/, ""); sub(/  .*/, ""); print }' |
	    grep -oE -- '--[a-z][a-z0-9-]*' | sort
}

@test "--help: each long option of the page's OPTIONS on exactly one line, and no other" {
	local t page help
	for t in $TOOLS; do
		page=$(page_longs "$t")
		help=$(help_longs "$t")
		[ -n "$page" ] || { echo "xsell-$t: no options in the page"; return 1; }
		[ "$page" = "$help" ] || {
			echo "xsell-$t: page OPTIONS (<) and --help lines (>) differ:"
			diff <(echo "$page") <(echo "$help")
			return 1
		}
	done
}

@test "--help: usage, an empty line, a header, then option lines of 80 columns at most" {
	local t
	for t in $TOOLS; do
		run "xsell-$t" --help
		assert_success
		assert_line --index 0 --regexp "^usage: xsell-$t "
		# the usage is the page's SYNOPSIS (check-synopsis); after it
		# one empty line, the header, and only option lines, each with
		# its names, two spaces and a description
		run awk -v t="xsell-$t" '
			blank && length($0) > 80 { print "long: " $0 }
			NF == 0 { blank++; at = NR; next }
			blank && NR == at + 1 {
				if ($0 != "options (details in " t "(1)):")
					print "header: " $0
				next }
			blank && !/^  -[^ ].*[^ ]  +[^ ]/ { print "not an option: " $0 }
			END { if (blank != 1) print blank " empty lines" }' \
		    <<<"$output"
		assert_output ""
	done
}

@test "a usage error prints only the usage, on stderr, and exits 2" {
	local t want
	for t in $TOOLS; do
		want=$("xsell-$t" --help | sed '/^$/,$d')
		run --separate-stderr "xsell-$t" --no-such-option
		assert_failure 2
		assert_output ""
		# getopt's complaint, then the usage and nothing more
		[ "$(tail -n +2 <<<"$stderr")" = "$want" ] ||
		    { echo "xsell-$t:"; echo "$stderr"; return 1; }
	done
}
