#!/usr/bin/env bats
# The man pages' EXAMPLES, run as written (jq's way): each .Bd -literal
# block of a page's EXAMPLES section is taken from the page itself, run
# in a scratch directory holding the files it names (made by the demo on
# the bundled sample store), and must exit as listed below. So a changed
# option, output or file name in a documented example fails the suite.
#
# A block's commands run one after the other, and its status is the list
# of theirs (a pipeline's under pipefail). In a block with "$ " prompts,
# the lines that are neither a prompt nor an indented continuation are
# output it shows, and each must appear in what it prints (stdout and
# stderr).
load helper
bats_require_minimum_version 1.5.0

# page|block|exit status|files
# The block is its number in the page's EXAMPLES (1, 2, ...); the status
# one per command. An import that rejects rows (the sample's planted
# self-link and duplicate) exits 1, as xsell-import(1) says, and so does
# its --preview and a pipe from it. Files are
# put in the scratch directory: NAME from the demo's NAME, NAME=PATH
# from the demo's PATH, NAME=~/PATH from the source tree; needs:CMD
# skips the block, saying so, where CMD is not installed. "skip: reason"
# in place of the status leaves a block out. Every block of every page is
# listed: one added to a page and not here fails too.
EXAMPLES='
xsell-audit.1|1|1|catalog.tsv orders.tsv relations.tsv=relations-uploaded.tsv
xsell-audit.1|2|0/141|catalog.tsv orders.tsv relations.tsv=relations-uploaded.tsv
xsell-audit.1|3|0|events.tsv=audit-events.tsv relations.tsv
xsell-audit.1|4|0|events.tsv=audit-events.tsv
xsell-audit.1|5|0|events.tsv=audit-events.tsv
xsell-audit.1|6|0|
xsell-import.1|1|0 0 0 1 1|scripts=~/scripts
xsell-import.1|2|0/141|store=sample
xsell-import.1|3|0|relations.tsv
xsell-import.1|4|skip: needs the network (curl) and crontab(5)|
xsell-import.1|5|skip: needs the network (curl) and crontab(5)|
xsell-import.1|6|0 0 0 1|orders_export.csv=~/tests/fixtures/import/shopify-orders.csv catalog_product.csv=~/tests/fixtures/import/magento.csv upsells.csv=~/tests/fixtures/import/upsells.csv online_retail.csv=~/tests/fixtures/import/online-retail.csv
xsell-import.1|7|0|
xsell-learn.1|1|0|orders.tsv
xsell-learn.1|2|0|orders.tsv
xsell-learn.1|3|0|orders.csv=sample/orders.csv
xsell-learn.1|4|0 0|orders.tsv catalog.tsv
xsell-qualify.1|1|0 0|managed.tsv=shop/relations.tsv learned.tsv=shop/learned.tsv catalog.tsv=shop/catalog.tsv rules.tsv=shop/rules.tsv
xsell-qualify.1|2|0|offers.tsv=bank/offers.tsv bank-rules.tsv=bank/rules.tsv customers.tsv=bank/customers.tsv
xsell-qualify.1|3|0|managed.tsv=shop/relations.tsv learned.tsv=shop/learned.tsv popular.tsv=shop/popular.tsv catalog.tsv=shop/catalog.tsv pages.tsv=shop/pages.tsv
xsell-qualify.1|4|0|managed.tsv=shop/relations.tsv catalog.tsv=shop/catalog.tsv pages.tsv=shop/pages.tsv
xsell-qualify.1|5|0|rel.tsv=shop/relations.tsv catalog.tsv=shop/catalog.tsv rules.tsv=shop/rules.tsv carts.tsv=shop/carts.tsv
xsell-rank.1|1|0|managed.tsv=shop/relations.tsv learned.tsv=shop/learned.tsv popular.tsv=shop/popular.tsv catalog.tsv=shop/catalog.tsv rules.tsv=shop/rules.tsv pages.tsv=shop/pages.tsv
xsell-rank.1|2|0|orders.tsv
xsell-rank.1|3|0|scored.tsv=bank/scored.tsv contacts.tsv=bank/contacts.tsv
xsell-rank.1|4|0 0|scored.tsv=shop/scored-pages.tsv events.tsv=audit-events.tsv
xsell-rank.1|5|0|catalog.tsv=shop/catalog.tsv scored.tsv=shop/scored-pages.tsv
xsell-rank.1|6|0|assignments.tsv=bank/assignments.tsv
xsell-score.1|1|0 0|relations.tsv=shop/relations.tsv catalog.tsv=shop/catalog.tsv
xsell-score.1|2|0|candidates.tsv=shop/candidates-pages.tsv catalog.tsv=shop/catalog.tsv
xsell-score.1|3|0|candidates.tsv=shop/candidates-pages.tsv
xsell-score.1|4|0 0|events.tsv=bank/events.tsv offers.tsv=bank/offers.tsv candidates.tsv=bank/candidates.tsv
xsell-score.1|5|0|uplift.tsv=bank/uplift.tsv offers.tsv=bank/offers.tsv candidates.tsv=bank/candidates.tsv
xsell-uplift.7|1|0 0 0|scripts=~/scripts
xsell-uplift.7|2|0|events.tsv=bank/events.tsv
xsell.7|1|0 0 0 1 1|store=sample
xsell.7|2|0 0|orders.tsv relations.tsv catalog.tsv
xsell.7|3|0 0|orders.tsv needs:parallel
xsell.7|4|skip: needs the network (curl) and crontab(5)|
xsell.7|5|0 0|relations.tsv catalog.tsv
xsell.7|6|0|catalog.tsv=shop/catalog.tsv candidates.tsv=shop/candidates-pages.tsv
xsell.7|7|1|relations.csv=sample/relations.csv
xsell-uplift.7|3|0 0 0 0|candidates.tsv=bank/candidates.tsv customers.tsv=bank/customers.tsv scripts=~/scripts
'

setup_file() {
	export MANDEMO="$BATS_FILE_TMPDIR/demo"
	DEMO="$MANDEMO" "$ROOT/scripts/demo" > "$BATS_FILE_TMPDIR/demo.log" 2>&1 ||
	    { cat "$BATS_FILE_TMPDIR/demo.log"; return 1; }
}

# blocks PAGE DIR: writes the page's EXAMPLES blocks to DIR/1, DIR/2, ...
# with the mdoc escape \e read as a backslash.
blocks() {
	mkdir -p "$2"
	awk -v dir="$2" '
	/^\.Sh EXAMPLES/ { ex = 1; next }
	/^\.Sh / { ex = 0 }
	ex && /^\.Bd -literal/ { n++; f = dir "/" n; printf "" > f; inb = 1; next }
	ex && inb && /^\.Ed/ { close(f); inb = 0; next }
	ex && inb { gsub(/\\e/, "\\"); print >> f }' "$ROOT/man/$1"
}

# script BLOCK: the commands of a block, each followed by the saving of
# its status in $__st (the list written to $XS_STATUS at the end); the
# output a block with prompts shows goes to BLOCK.out. A command is a
# line that is not indented and does not follow a "\" or "|" line.
script() {
	awk -v out="$1.out" '
	NR == 1 { prompts = /^\$ / }
	prompts && /^\$ / { $0 = substr($0, 3); top = 1 }
	prompts && !top && /^[^ \t]/ { print > out; next }
	!/./ { next }
	/^[^ \t]/ && !cont { if (cmds++) print "__st=\"$__st $?\"" }
	{ print; cont = /[\\|]$/; top = 0 }
	END { if (cmds) print "__st=\"$__st $?\""
		print "echo $__st > \"$XS_STATUS\"" }' "$1"
	[ -e "$1.out" ] || : > "$1.out"
}

# same LISTED GOT: the statuses match; a listed "0/141" is either (a
# pipe into head(1): the writer may or may not still be writing when
# head exits).
same() {
	local -a want=($1) got=($2)
	local i
	[ ${#want[@]} -eq ${#got[@]} ] || return 1
	for ((i = 0; i < ${#want[@]}; i++)); do
		case "/${want[i]}/" in *"/${got[i]}/"*) ;; *) return 1 ;; esac
	done
}

# link FILES: copies of the block's files in the current directory.
link() {
	local f name src
	for f in $1; do
		case $f in needs:*) continue ;; esac
		name=${f%%=*}
		src=${f#*=}
		case $src in
		"~/"*) src="$ROOT/${src#"~/"}" ;;
		*) src="$MANDEMO/$src" ;;
		esac
		[ -e "$src" ] || { echo "missing $src for $name"; return 1; }
		# copies: an example that writes in place (-o relations.tsv)
		# must not change what the next one reads
		case $f in
		*"=~/"*) ln -s "$src" "$name" ;;
		*) cp -R "$src" "$name" ;;
		esac
	done
}

# run_page PAGE: runs every listed block of the page; fails naming each
# block that does not exit as listed or does not show what the page shows.
run_page() {
	local page=$1 dir="$BATS_TEST_TMPDIR/blocks" fail=0
	local p n st files
	blocks "$page" "$dir"
	while IFS='|' read -r p n st files; do
		[ "$p" = "$page" ] || continue
		case $st in skip:*) echo "# $page example $n: $st" >&3; continue ;; esac
		local need=
		for need in $files; do
			case $need in needs:*) command -v "${need#needs:}" > /dev/null ||
			    { echo "# $page example $n: skip: ${need#needs:} not installed" >&3
			      st=skip; break; } ;; esac
		done
		[ "$st" != skip ] || continue
		mkdir "$BATS_TEST_TMPDIR/run$n"
		(cd "$BATS_TEST_TMPDIR/run$n" && link "$files") || { fail=1; continue; }
		script "$dir/$n" > "$dir/$n.sh"
		local got=0
		rm -f "$dir/$n.status"
		(cd "$BATS_TEST_TMPDIR/run$n" && XS_STATUS="$dir/$n.status" \
		    bash -o pipefail "$dir/$n.sh") > "$dir/$n.got" 2>&1 < /dev/null || got=$?
		[ ! -e "$dir/$n.status" ] || got=$(cat "$dir/$n.status")
		if ! same "$st" "$got"; then
			echo "$page example $n: exit $got, listed $st:"
			sed 's/^/    /' "$dir/$n.sh"
			head -20 "$dir/$n.got" | sed 's/^/  > /'
			fail=1
		fi
		while IFS= read -r line; do
			grep -Fxq -- "$line" "$dir/$n.got" && continue
			echo "$page example $n: shows \"$line\", not printed"
			fail=1
		done < "$dir/$n.out"
	done <<< "$EXAMPLES"
	return $fail
}

@test "man: every EXAMPLES block of every page is listed, none twice" {
	local page n want got
	for page in $(cd "$ROOT/man" && ls); do
		blocks "$page" "$BATS_TEST_TMPDIR/$page"
		n=$(ls "$BATS_TEST_TMPDIR/$page" | wc -l)
		want=$(seq 1 "$n" | tr '\n' ' ')
		got=$(awk -F'|' -v p="$page" '$1 == p { print $2 }' <<< "$EXAMPLES" | tr '\n' ' ')
		[ "$got" = "$want" ] || { echo "$page: blocks $want, listed $got"; return 1; }
	done
}

@test "man: xsell-import(1) EXAMPLES run" { run_page xsell-import.1; }
@test "man: xsell-learn(1) EXAMPLES run" { run_page xsell-learn.1; }
@test "man: xsell-qualify(1) EXAMPLES run" { run_page xsell-qualify.1; }
@test "man: xsell-score(1) EXAMPLES run" { run_page xsell-score.1; }
@test "man: xsell-rank(1) EXAMPLES run" { run_page xsell-rank.1; }
@test "man: xsell-audit(1) EXAMPLES run" { run_page xsell-audit.1; }
@test "man: xsell-uplift(7) EXAMPLES run" { run_page xsell-uplift.7; }
@test "man: xsell(7) EXAMPLES run" { run_page xsell.7; }

# The demo built above runs its experiment through the pipeline (issue 18):
# xsell-rank --arms draws the arms of the sample store's page views, the
# read-out sees the same arms, and the guardrail fires on the planted one.
@test "demo: arms drawn by xsell-rank --arms, read out, guardrail on pushy" {
	cd "$MANDEMO"
	# every context's arm in the events is the one rank logged for it
	run awk -F'\t' 'FNR == 1 { next } NR == FNR { a[$1] = $2; next }
	    { n++ } a[$1] != $3 { bad++ } END { print (n && !bad) ? "same" : "differ " bad }' \
	    arms-assignments.tsv audit-arms.tsv
	assert_output same
	# four arms, each with its own sources: pushy shows best sellers only
	run awk -F'\t' 'NR > 1 && $3 != "" { print $2, $4 }' arms-assignments.tsv
	assert_line --partial "learned learned"
	assert_line --partial "managed managed"
	refute_line "pushy managed"
	refute_line "pushy learned"
	grep -q '^guardrail: arm pushy lowers conversion_rate against control' audit-arms.txt
	! grep -q '^guardrail: arm \(managed\|learned\)' audit-arms.txt
}
