#!/usr/bin/env bats
# Shell completion (scripts/completion): what bash offers, and that it
# keeps up with the man pages; the zsh file is parsed by zsh when there
# is one, and its table is the bash one.

load helper

COMPLETION=$ROOT/scripts/completion

setup() {
	xs_setup
	# shellcheck source=/dev/null
	source "$COMPLETION/xsell.bash"
}

# offer WORD...: what _xsell puts in COMPREPLY for the command line
# WORD... (the last word is the one being completed), sorted, one a line.
offer() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_xsell "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

@test "bash: the tools are bound to _xsell" {
	for t in import learn qualify score rank audit; do
		run complete -p "xsell-$t"
		assert_output "complete -F _xsell xsell-$t"
	done
}

@test "bash: options, option values and files, table-driven" {
	printf 'a\tscore\tcontext_id\n' > scored.tsv
	printf 'context_id\tconverted\tuplift_score\n' > ev.tsv
	printf '{"context_id":"c"}\n' > lines.json
	printf 'product_id\ttitle\tbrand\tprice\n' > cat.tsv
	touch orders.csv
	local want got
	while IFS='|' read -r words want; do
		[ -n "$words" ] || continue
		eval "set -- $words"	# '' is an empty word
		got=$(offer "$@" | tr '\n' ' ')
		got=${got% }
		[ "$got" = "$want" ] || { echo "$words: got '$got', want '$want'"; return 1; }
	done <<-'EOF'
	xsell-import --ki|--kind
	xsell-import --kind ''|catalog customers events offers orders relations
	xsell-import --kind o|offers orders
	xsell-import -k rel|relations
	xsell-import --kind = or|orders
	xsell-import --returns ''|drop keep
	xsell-import --str|--strict
	xsell-import --kind orders ord|orders.csv
	xsell-import --merge ord|orders.csv
	xsell-import --map ''|
	xsell-learn --basket c|customer
	xsell-learn --measures chi2,co|chi2,conviction chi2,cosine
	xsell-learn --learner ''|logistic-t t x
	xsell-learn --max-|--max-basket --max-items --max-price-ratio
	xsell-qualify --type cross_sell,u|cross_sell,upsell
	xsell-qualify --in|--in-stock
	xsell-score --uplift-|--uplift-model --uplift-weight
	xsell-rank --period ''|day month week
	xsell-rank --fallback managed,|managed,learned managed,managed managed,offer managed,popular
	xsell-rank scored.tsv --by ''|a context_id score
	xsell-rank --top 4 scored.tsv --per s|score
	xsell-rank lines.json --by ''|
	xsell-rank --by ''|
	xsell-rank --catalog cat.tsv --with ''|brand price product_id title
	xsell-rank --catalog cat.tsv scored.tsv --with title,|title,a title,brand title,context_id title,price title,product_id title,score title,title
	xsell-rank --catalog = cat.tsv --with p|price product_id
	xsell-audit --by s|source subject
	xsell-audit --fail-on ''|error info warning
	xsell-audit --by c|category channel
	xsell-audit --events ev.tsv --score u|uplift_score
	xsell-audit --js|--json
	xsell-audit -o sc|scored.tsv
	EOF
}

# Every option a man page lists is offered after -- (the options come from
# each tool's --help, plus the six every tool has).
@test "bash: every option of each man page is offered" {
	local t opt offered
	for t in import learn qualify score rank audit; do
		offered=" $(offer "xsell-$t" -- | tr '\n' ' ')"
		# mdoc: "Fl -kind" is --kind; an .It line may name -k and --kind
		for opt in $(sed -n 's/\\//g; s/^\.It .*Fl -\([a-z][a-z0-9-]*\).*/--\1/p' \
		    "$ROOT/man/xsell-$t.1"); do
			[[ $offered == *" $opt "* ]] ||
			    { echo "xsell-$t: $opt not offered"; return 1; }
		done
	done
}

# The options are read from the usage and the names of --help's option
# lines; a description that names another option offers nothing.
@test "bash: options come from --help's usage and option names, not descriptions" {
	printf '%s\n' '#!/bin/sh' \
	    "printf 'usage: xsell-fake [--alpha N]\\n\\noptions:\\n'" \
	    "printf '  -b, --beta F  like --gamma, not --delta\\n'" > xsell-fake
	chmod +x xsell-fake
	run offer ./xsell-fake --
	assert_output "$(printf '%s\n' --alpha --beta --help --json --output \
	    --quiet --verbose --version)"
}

# Every word offered for an option is named in its man page entry (as
# .Cm, or in a plain list such as "info, warning or error"), and every
# word its .It line lists (--period Cm day Ns | ...) is offered.
@test "bash: option values are the man pages' words" {
	local row t opt kind words para w
	while read -r t opt; do
		set -- $(_xsell_arg "$t" "$opt")
		kind=$1
		shift
		[[ $kind == words || $kind == list ]] || { echo "$t $opt: $kind"; return 1; }
		words=" $* "
		para=$(awk -v opt="$opt" '
			/^\.It/ { gsub(/\\/, ""); f = "Fl " substr(opt, 2)
			    on = index($0 " ", f " ") > 0 }
			/^\.El/ { on = 0 }
			on' "$ROOT/man/$t.1")
		[ -n "$para" ] || { echo "$t $opt: no entry in $t.1"; return 1; }
		for w in "$@"; do
			grep -qw -- "$w" <<<"$para" || { echo "$t $opt: $w not in $t.1"; return 1; }
		done
		for w in $(head -1 <<<"$para" | grep -o '\bCm [a-z][a-z0-9_-]*' | cut -c4-); do
			[[ $words == *" $w "* ]] || { echo "$t $opt: $t.1 names $w, not offered"; return 1; }
		done
	done <<-'EOF'
	xsell-import --kind
	xsell-import --returns
	xsell-learn --basket
	xsell-learn --sort-by
	xsell-learn --measures
	xsell-learn --type
	xsell-qualify --type
	xsell-rank --period
	xsell-audit --by
	xsell-audit --fail-on
	EOF
}

@test "zsh: the table is the bash one, and zsh parses the file" {
	local table='/^# ---- table/,/^# ---- end of table/p'
	diff <(sed -n "$table" "$COMPLETION/xsell.bash") \
	    <(sed -n "$table" "$COMPLETION/_xsell")
	head -1 "$COMPLETION/_xsell" | grep -q '^#compdef xsell-import xsell-learn xsell-qualify xsell-score xsell-rank xsell-audit$'
	command -v zsh > /dev/null || skip "no zsh"
	zsh -n "$COMPLETION/_xsell"
}

@test "make install puts the completions where bash-completion and zsh look; uninstall takes them away" {
	cd "$ROOT"
	local d=$BATS_TEST_TMPDIR/root
	# -o all: install the tools as built; a rebuild (other flags) here
	# would change the binaries under the suites running beside this one
	run make -s -o all install DESTDIR="$d" PREFIX=/usr
	assert_success
	for t in import learn qualify score rank audit; do
		[ -x "$d/usr/bin/xsell-$t" ]
		[ -f "$d/usr/share/bash-completion/completions/xsell-$t" ]
		[ -f "$d/usr/share/man/man1/xsell-$t.1" ]
	done
	cmp scripts/completion/_xsell "$d/usr/share/zsh/site-functions/_xsell"
	cmp scripts/completion/xsell.bash "$d/usr/share/bash-completion/completions/xsell-rank"
	run make -s uninstall DESTDIR="$d" PREFIX=/usr
	assert_success
	run find "$d" -type f -o -type l
	assert_output ""
}
