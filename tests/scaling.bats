#!/usr/bin/env bats
# Scaling out: the recipes of xsell(7) SCALING, run as they are written
# (taken from man/xsell.7), give the bytes one process gives.

load helper

# The sample store, imported, and what the stages after learn read.
setup_file() {
	local d="$BATS_FILE_TMPDIR/data"
	mkdir -p "$d"
	cd "$d" || return 1
	PATH="$ROOT/bin:$PATH"
	"$ROOT/scripts/gen-sample" store > /dev/null
	xsell-import -q store/catalog.csv -o catalog.tsv
	xsell-import -q --exclude '^(POST|M|BANK CHARGES)$' store/orders.csv \
	    -o orders.tsv
	xsell-learn --min-count 3 --top 8 orders.tsv -o relations.tsv
	# Three product pages a product, a context each.
	awk -F'\t' 'BEGIN { OFS = "\t"; print "context_id", "subject_id" }
	    FNR > 1 { for (k = 1; k <= 3; k++) print "page-" k "-" $1, $1 }' \
	    catalog.tsv > contexts.tsv
	xsell-qualify --relations relations.tsv --catalog catalog.tsv \
	    --in-stock contexts.tsv -o candidates.tsv
	xsell-score --catalog catalog.tsv candidates.tsv -o scored.tsv
	xsell-rank --top 5 --holdout 0.1 --seed 7 scored.tsv -o ranked.tsv
	"$ROOT/scripts/gen-events" -n 3000 -s 11 > events.tsv
}

setup() {
	xs_setup
	cp "$BATS_FILE_TMPDIR"/data/*.tsv .
	# Four job slots, so that --block -1 cuts four pieces.
	export PARALLEL="--will-cite -j 4"
}

# The recipe NAME of man/xsell.7: the display after its ".\" recipe NAME".
recipe() {
	awk -v name="$1" '
	$0 == ".\\\" recipe " name { on = 1; next }
	on && /^\.Bd/ { body = 1; next }
	on && body && /^\.Ed/ { found = 1; exit }
	on && body { gsub(/\\e/, "\\"); print }
	END { exit !found }' "$ROOT/man/xsell.7"
}

# Runs recipe NAME with bash -e; the rest of the arguments are sed
# expressions applied to it first.
run_recipe() {
	local name=$1 script
	shift
	script=$(recipe "$name") || { echo "no recipe $name in xsell.7"; return 1; }
	for e in "$@"; do
		script=$(sed "$e" <<<"$script")
	done
	bash -e -o pipefail -c "$script"
}

@test "learn on four cores: shards merged equal one process, for every kind of rule" {
	cmp <(recipe learn-cores | tail -2 | head -1 | tr -s ' ') \
	    <(echo 'xsell-learn --merge --min-count 5 counts.1 counts.2 counts.3 counts.4 \')
	for opts in "" "--max-items 3 --measures all" "--basket customer --top 3" \
	    "--half-life 30 --now 2024-07-01" "--type upsell --catalog catalog.tsv" \
	    "--type substitute --catalog catalog.tsv"; do
		rm -f counts.* learned.tsv
		run_recipe learn-cores "s/xsell-learn /xsell-learn $opts /g"
		xsell-learn $opts --min-count 5 orders.tsv > one.tsv
		[ "$(wc -l < one.tsv)" -gt 10 ]
		cmp one.tsv learned.tsv
	done
}

@test "qualify on four cores: the pieces' candidates equal one process" {
	run_recipe qualify-cores "s/ -k / -k --joblog jobs /"
	[ "$(wc -l < jobs)" -eq 5 ]
	[ "$(wc -l < candidates.tsv)" -gt 1000 ]
	cmp candidates.tsv "$BATS_FILE_TMPDIR/data/candidates.tsv"
}

@test "score on four cores, cut between contexts: equal to one process" {
	run_recipe score-cores "s/ -k / -k --joblog jobs /"
	[ "$(wc -l < jobs)" -eq 5 ]
	cmp scored.tsv "$BATS_FILE_TMPDIR/data/scored.tsv"
}

@test "rank on four cores, cut between contexts: equal to one process" {
	run_recipe rank-cores "s/ -k / -k --joblog jobs /"
	[ "$(wc -l < jobs)" -eq 5 ]
	# The holdout's contexts (10%) get no list.
	[ "$(cut -f1 ranked.tsv | uniq | wc -l)" -lt "$(cut -f1 scored.tsv | uniq | wc -l)" ]
	cmp ranked.tsv "$BATS_FILE_TMPDIR/data/ranked.tsv"
}
