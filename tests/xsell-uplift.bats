#!/usr/bin/env bats
# Uplift: xsell-learn --uplift and xsell-score --uplift-model
# (man/xsell-uplift.7). Segments and bands, the three learners on events
# with planted effects (scripts/gen-events), labels, shrinkage, fallbacks,
# the join when scoring, and a bank's loop end to end.

load helper
bats_require_minimum_version 1.5.0

U=$FIX/uplift
GEN=$ROOT/scripts/gen-events
SEG=tier,tenure_months:12,36

# A model against gen-events' truth (-t): prints "covered cells labels"
# over the segment rows that did not fall back: how many cells' intervals
# hold the planted CATE (column $col of the truth, cate or revenue_cate),
# how many cells, how many carry the planted label.
judge() {
	awk -F'\t' -v col="${col:-cate}" '
	FNR == 1 { for (i = 1; i <= NF; i++) c[FILENAME, $i] = i; next }
	FILENAME == ARGV[1] { k = $1 SUBSEP $2 SUBSEP $3
		t[k] = $(c[FILENAME, col]); lab[k] = $(c[FILENAME, "label"]); next }
	$2 != "*" && $(c[FILENAME, "fallback"]) == 0 {
		k = $1 SUBSEP $2 SUBSEP $3
		if (!(k in t)) next
		n++
		if (t[k] >= $(c[FILENAME, "cate_low"]) &&
		    t[k] <= $(c[FILENAME, "cate_high"])) cov++
		if (lab[k] == $(c[FILENAME, "label"])) lok++ }
	END { print cov + 0, n + 0, lok + 0 }' "$1" "$2"
}

# Coverage over four seeds: "covered cells" summed. Arguments: learner,
# control share, gen-events model, then more xsell-learn options.
coverage() {
	local learner=$1 share=$2 mode=$3 cov=0 cells=0 s c n l
	shift 3
	for s in 1 2 3 4; do
		"$GEN" -n 20000 -c "$share" -m "$mode" -s "$s" -t truth.tsv > ev.tsv
		xsell-learn --uplift --segment-by $SEG --learner "$learner" "$@" \
		    ev.tsv > model.tsv || return 1
		read -r c n l <<<"$(judge truth.tsv model.tsv)"
		cov=$((cov + c)) cells=$((cells + n))
	done
	echo "$cov $cells"
}

@test "--uplift --help prints the uplift usage and exits 0" {
	run xsell-learn --uplift --help
	assert_success
	assert_output --partial 'usage: xsell-learn --uplift [--segment-by COL[:EDGES],...] [--learner t|x|logistic-t]'
}

# --uplift is an ordinary option: anywhere among the options, its own
# options before or after it; each order gives the same model bytes.
@test "--uplift in any position, with its options on either side" {
	xsell-learn --uplift --segment-by tier,tenure:12 -j "$U/small.tsv" > want.json
	[ -s want.json ]
	for args in "-q --uplift --segment-by tier,tenure:12 -j" \
	    "--segment-by tier,tenure:12 -j --uplift -q" \
	    "-j -q --segment-by=tier,tenure:12 --uplift"; do
		# shellcheck disable=SC2086
		run -0 --separate-stderr xsell-learn $args "$U/small.tsv"
		[ "$output" = "$(cat want.json)" ] || { echo "differs: $args"; return 1; }
		[ -z "$stderr" ] || { echo "$args: $stderr"; return 1; }
	done
	run -0 --separate-stderr bash -c "xsell-learn \"$U/small.tsv\" --segment-by tier,tenure:12 --uplift -j"
	[ "$output" = "$(cat want.json)" ]
	# an option of the uplift learner without --uplift, or the other way
	run -2 --separate-stderr xsell-learn -q --segment-by tier "$U/small.tsv"
	[ "$stderr" = "xsell-learn: option --segment-by goes with --uplift" ]
	run -2 --separate-stderr xsell-learn -q --min-count 3 --uplift "$U/small.tsv"
	# getopt's wording: glibc quotes the option, musl gives it after a colon
	[[ "$stderr" == *"unrecognized option"*"min-count"* ]]
	[[ "$stderr" == *"usage: xsell-learn --uplift [--segment-by"* ]]
	# after "--" it is a file name, and an option's argument is no option
	run -4 --separate-stderr xsell-learn -q -- --uplift
	[ "$stderr" = "xsell-learn: --uplift: No such file or directory" ]
}

# The small fixture, by hand (K = 4, min-per-arm 2). card: treated 8/20,
# control 2/20, so P_t = 0.4, P_c = 0.1, cate 0.3,
# se = sqrt(.4*.6/20 + .1*.9/20) = sqrt(.0165), interval 0.3 -+ 0.251762.
# gold <12 (6/8 vs 1/8): r_t = (6 + 4*.4)/12 = .633333,
#   r_c = (1 + 4*.1)/12 = .116667, cate .516667,
#   se^2 = (r_t(1-r_t) + r_c(1-r_c))/12 = .0279398, z se = .327612.
# basic >=12 (0/8 vs 1/8): r_t = 1.6/12, r_c = 1.4/12, cate .016667.
# gold >=12 (2/4 vs 0/4), thin: r_t = 3.6/8 = .45, r_c = .4/8 = .05,
#   cate .4: the raw 0.5 pulled toward the candidate's 0.3.
# loan has no treated events: no estimate. The default sure_thing /
# lost_cause split is the mean of all control events, 3/22.
@test "t-learner: the small fixture, worked by hand" {
	run xsell-learn --uplift --segment-by tier,tenure:12 --prior-strength 4 \
	    --min-per-arm 2 "$U/small.tsv"
	assert_success
	assert_output "$(printf '%s\n' \
	    'candidate_id	tier	tenure	n_t	n_c	rate_t	rate_c	cate	cate_low	cate_high	base_rate	label	fallback	segment_spec' \
	    'card	*	*	20	20	0.4	0.1	0.3	0.048238	0.551762	0.1	persuadable	0	tier,tenure:12' \
	    'card	basic	>=12	8	8	0	0.125	0.016667	-0.247875	0.281208	0.116667	lost_cause	0	tier,tenure:12' \
	    'card	gold	<12	8	8	0.75	0.125	0.516667	0.189055	0.844279	0.116667	persuadable	0	tier,tenure:12' \
	    'card	gold	>=12	4	4	0.5	0	0.4	0.023631	0.776369	0.05	persuadable	0	tier,tenure:12' \
	    'loan	*	*	0	2		0.5				0.5		0	tier,tenure:12' \
	    'loan	gold	<12	0	2		0.5				0.5		1	tier,tenure:12')"
}

@test "thin cells shrink toward the candidate; K = 0 is the raw difference" {
	thin() {
		xsell-learn --uplift --segment-by tier,tenure:12 --min-per-arm 1 \
		    "$@" "$U/small.tsv" | awk -F'\t' '$1 == "card" && $2 == "gold" && $3 == ">=12" { print $8 }'
	}
	run thin --prior-strength 0
	assert_output "0.5"
	run thin --prior-strength 4
	assert_output "0.4"
	run thin --prior-strength 1000000
	assert_output "0.300001"
}

@test "--min-per-arm: a cell thinner than N in an arm takes the candidate's estimate, flagged" {
	run bash -o pipefail -c "xsell-learn --uplift --segment-by tier,tenure:12 --prior-strength 4 --min-per-arm 5 $U/small.tsv | pick candidate_id tier tenure n_t n_c rate_t cate cate_low fallback"
	assert_success
	assert_output "card * * 20 20 0.4 0.3 0.048238 0
card basic >=12 8 8 0 0.016667 -0.247875 0
card gold <12 8 8 0.75 0.516667 0.189055 0
card gold >=12 4 4 0.5 0.3 0.048238 1
loan * * 0 2    0
loan gold <12 0 2    1"
}

@test "x-learner: the small fixture's thin cell, worked by hand" {
	# e = 20/40 = .5; gold >=12 with K = 4: g_t = g_c = 4/8 = .5,
	# mu_t = .45, mu_c = .05, tau = .3;
	# tau1 = .5 (.5 - .05) + .5 (.3) = .375,
	# tau0 = .5 (.45 - 0) + .5 (.3) = .375, cate .375.
	run bash -o pipefail -c "xsell-learn --uplift --segment-by tier,tenure:12 --prior-strength 4 --min-per-arm 2 --learner x $U/small.tsv | pick candidate_id tier tenure cate base_rate | grep 'gold >=12'"
	assert_success
	assert_output "card gold >=12 0.375 0.05"
}

@test "t-learner recovers the planted CATEs within its interval (95%: at least 90% of 144 cells)" {
	run coverage t 0.5 cells
	assert_success
	read -r cov cells <<<"$output"
	[ "$cells" -eq 144 ]
	[ $((cov * 100)) -ge $((cells * 90)) ]
}

@test "x-learner with a 10% holdout recovers the planted CATEs within its interval" {
	run coverage x 0.1 cells
	assert_success
	read -r cov cells <<<"$output"
	[ "$cells" -eq 144 ]
	[ $((cov * 100)) -ge $((cells * 90)) ]
}

@test "logistic T-learner recovers the planted CATEs of a logistic truth within its interval" {
	run coverage logistic-t 0.5 smooth
	assert_success
	read -r cov cells <<<"$output"
	[ "$cells" -eq 144 ]
	[ $((cov * 100)) -ge $((cells * 90)) ]
}

@test "revenue: the CATE of revenue per exposure is recovered within its interval" {
	col=revenue_cate run coverage t 0.5 cells --outcome revenue
	assert_success
	read -r cov cells <<<"$output"
	[ "$cells" -eq 144 ]
	[ $((cov * 100)) -ge $((cells * 90)) ]
}

@test "labels: persuadable, sure_thing, lost_cause and sleeping_dog where planted" {
	"$GEN" -n 20000 -c 0.5 -s 1 -t truth.tsv > ev.tsv
	xsell-learn --uplift --segment-by $SEG --high-base 0.15 --min-effect 0.02 \
	    ev.tsv > model.tsv
	run judge truth.tsv model.tsv
	assert_output "36 36 36"
	run bash -c "pick candidate_id tier tenure_months label < model.tsv | grep -E '^(savings plus >=36|credit_card basic <12|credit_card basic >=36|mortgage premier 12-36|checking premier <12) '"
	assert_output "checking premier <12 sleeping_dog
credit_card basic <12 persuadable
credit_card basic >=36 lost_cause
mortgage premier 12-36 sleeping_dog
savings plus >=36 sure_thing"
}

@test "the same events in any order give the same model, byte for byte" {
	"$GEN" -n 3000 -c 0.3 -s 9 > ev.tsv
	{ head -1 ev.tsv; tail -n +2 ev.tsv | sort -t'	' -k7,7n -k1,1r; } > shuffled.tsv
	for l in t x logistic-t; do
		xsell-learn --uplift --segment-by $SEG --learner $l ev.tsv > a.tsv
		xsell-learn --uplift --segment-by $SEG --learner $l shuffled.tsv > b.tsv
		cmp a.tsv b.tsv
	done
}

@test "--counts of pieces of the events, --merge: the model one process writes, byte for byte" {
	"$GEN" -n 4000 -c 0.3 -s 9 > ev.tsv
	{ printf 'y1\tcard\tpilot\t1\t0\tbasic\t5\n'; printf 'y2\t\tcontrol\t\t\tbasic\t5\n'; } >> ev.tsv
	for opts in "--segment-by $SEG" "--learner x --segment-by $SEG" \
	    "--outcome revenue --segment-by tier" ""; do
		run --separate-stderr xsell-learn --uplift $opts ev.tsv
		assert_failure 1
		one=$output one_err=$stderr
		rm -f sums.*
		for k in 0 1 2; do
			awk -v k=$k 'NR == 1 || NR % 3 == k' ev.tsv |
			    xsell-learn -q --uplift --counts $opts > sums.$k || [ $? -eq 1 ]
		done
		run --separate-stderr xsell-learn --uplift --merge $opts sums.0 sums.1 sums.2
		assert_failure 1
		[ "$output" = "$one" ]
		[ "$stderr" = "$one_err" ]
	done
	run -0 bash -c "head -5 sums.0 | cut -f1,3,5"
	assert_output "kind	segment	n
options	outcome=converted segment-by=	0
events		$(awk 'NR > 1 && NR % 3 == 0' ev.tsv | wc -l)
skipped		1
nocand		0"
	run xsell-learn --uplift --merge --segment-by tier sums.0
	assert_failure 3
	assert_output --partial 'sums.0:2: summed with "outcome=converted segment-by=", merging with "outcome=converted segment-by=tier"'
	run xsell-learn --uplift --merge ev.tsv
	assert_failure 3
	assert_output --partial "missing required column 'kind'"
	run xsell-learn --uplift --learner logistic-t --counts ev.tsv
	assert_failure 2
	assert_output "xsell-learn: --learner logistic-t does not merge: its fit depends on the order profiles are first seen in; use t or x"
	run xsell-learn --uplift --counts --merge ev.tsv
	assert_failure 2
	assert_output "xsell-learn: --counts and --merge exclude each other"
}

@test "without --segment-by: candidate-level rows only, an empty segment_spec" {
	run bash -o pipefail -c "xsell-learn --uplift $U/small.tsv | cut -f1-3,6-"
	assert_success
	assert_output "candidate_id	n_t	n_c	cate	cate_low	cate_high	base_rate	label	fallback	segment_spec
card	20	20	0.3	0.048238	0.551762	0.1	persuadable	0	
loan	0	2				0.5		0	"
}

@test "--json: numbers stay numbers, segment labels strings" {
	run bash -o pipefail -c "xsell-learn --uplift -j --segment-by tier,tenure:12 --prior-strength 4 --min-per-arm 2 $U/small.tsv | jq -e -s '
	    length == 6 and
	    (.[2] | .candidate_id == \"card\" and .tier == \"gold\" and .tenure == \"<12\"
	      and .n_t == 8 and .cate == 0.516667 and .label == \"persuadable\"
	      and .segment_spec == \"tier,tenure:12\")'"
	assert_success
}

@test "-o writes the model atomically; -v says the base-rate split and the counts" {
	run xsell-learn --uplift -v --segment-by tier,tenure:12 -o m.tsv "$U/small.tsv"
	assert_success
	assert_output "xsell-learn: base rate splitting sure_thing from lost_cause: 0.136364
xsell-learn: 42 events, 2 candidates, 3 segments, 4 cells, 4 fell back to the candidate level"
	[ "$(wc -l < m.tsv)" -eq 7 ]
}

@test "events of another group are skipped and counted: exit 1" {
	{ cat "$U/small.tsv"; printf 'y1\tcard\tpilot\t1\t0\tgold\t5\n'; } > ev.tsv
	run xsell-learn --uplift ev.tsv
	assert_failure 1
	assert_line "xsell-learn: 1 of 43 events skipped: group not treatment or control"
}

@test "rows without a candidate (a context offered nothing) are skipped with a note, exit 0" {
	{ cat "$U/small.tsv"; printf 'y1\t\tcontrol\t\t\tgold\t5\n'; } > ev.tsv
	run xsell-learn --uplift ev.tsv
	assert_success
	assert_line "xsell-learn: 1 rows without a candidate_id skipped"
	run xsell-learn --uplift -q ev.tsv
	refute_line --partial "skipped"
}

# Table: exit status, then the command's arguments (events from the
# fixture unless given), then the message expected on stderr.
@test "errors: exit statuses and messages" {
	printf 'candidate_id\tgroup\tconverted\ttenure\ttier\nc\ttreatment\t2\t1\tgold\n' > conv.tsv
	printf 'candidate_id\tgroup\tconverted\ttenure\ttier\nc\ttreatment\t1\tlong\tgold\n' > band.tsv
	printf 'candidate_id\tgroup\tconverted\ttenure\ttier\nc\ttreatment\t1\t5\t*\n' > star.tsv
	printf 'candidate_id\tconverted\nc\t1\n' > nogroup.tsv
	# revenue 1e308 used to crash the number formatter; its square, which
	# the variance needs, is already too large
	printf 'candidate_id\tgroup\trevenue\nc\ttreatment\t1e308\nc\ttreatment\t1e308\n' > big.tsv
	printf 'candidate_id\tgroup\trevenue\nc\ttreatment\t1e154\nc\tcontrol\t-1e154\n' > big2.tsv
	while IFS='|' read -r want args msg; do
		run xsell-learn --uplift $args
		[ "$status" -eq "$want" ] || { echo "$args: status $status, want $want"; return 1; }
		[[ "$output" == *"$msg"* ]] || { echo "$args: got: $output"; echo "want: $msg"; return 1; }
	done <<'EOF'
2|--segment-by tenure:36,12 x|xsell-learn: option --segment-by: column 'tenure': edges must increase
2|--segment-by tenure: x|xsell-learn: option --segment-by: column 'tenure': no band edges after ':'
2|--segment-by label x|xsell-learn: option --segment-by: column 'label' is one of the model's own columns
2|--learner y x|xsell-learn: option --learner: "y" is not one of t, x, logistic-t
2|--outcome margin x|xsell-learn: option --outcome: "margin" is not one of converted, revenue
2|--min-per-arm 0 x|xsell-learn: option --min-per-arm: 0 is not in [1,
2|--prior-strength -1 x|xsell-learn: option --prior-strength: -1 is not in [0,
2|--bogus|usage: xsell-learn --uplift
3|nogroup.tsv|xsell-learn: nogroup.tsv: missing required column 'group'
4|--segment-by region none.tsv|xsell-learn: none.tsv: No such file or directory
3|--segment-by region conv.tsv|xsell-learn: conv.tsv: missing required column 'region'
3|conv.tsv|xsell-learn: conv.tsv:2: column 'converted': not 0 or 1: "2"
3|--segment-by tenure:12 band.tsv|xsell-learn: band.tsv:2: column 'tenure': not a number: "long"
3|--outcome revenue big.tsv|xsell-learn: big.tsv:2: column 'revenue': out of range: "1e308"
3|--outcome revenue big2.tsv|xsell-learn: big2.tsv:2: column 'revenue': out of range: "1e154"
3|--segment-by tier star.tsv|xsell-learn: star.tsv:2: column 'tier': the value '*' is kept for the candidate-level rows
EOF
}

# ---- scoring with the model ----

# model.tsv: card gold <12 0.2, gold >=12 0.1, (missing tier) <12 -0.1,
# candidate level 0.05; savings candidate level 0. Largest |cate| 0.2.
@test "score: each row joins its candidate and segment, banded as learned" {
	run bash -o pipefail -c "xsell-score --explain --uplift-weight 1 --uplift-model $U/model.tsv $U/cands.tsv | pick context_id candidate_id tier tenure u_input u_raw u_value"
	assert_success
	# B: 12 is in >=12 (an edge belongs to the band above); C: silver is
	# unseen, E: (missing) >=12 is unseen: the candidate level; D: a missing
	# tier is a segment of its own; G: loan is not in the model.
	assert_output "A card gold 5 model 0.2 1
B card gold 12 model 0.1 0.5
C card silver 5 model 0.05 0.25
D card  3.5 model -0.1 -0.5
E card  40 model 0.05 0.25
F savings gold 5 model 0 0
G loan gold 5   0"
}

@test "score: input without the segment columns uses the candidate level (said with -v)" {
	cut -f1-3 "$U/cands.tsv" > bare.tsv
	run bash -o pipefail -c "xsell-score --explain --uplift-weight 1 --uplift-model $U/model.tsv bare.tsv 2>/dev/null | pick context_id u_raw | head -3"
	assert_output "A 0.05
B 0.05
C 0.05"
	run bash -c "xsell-score -v --uplift-model $U/model.tsv bare.tsv 2>&1 >/dev/null"
	assert_line --index 0 "xsell-score: bare.tsv: no column 'tier': the uplift model's candidate-level effects only"
}

@test "score: a banded value that is not a number is exit 3 naming the row" {
	printf 'context_id\tcandidate_id\ttier\ttenure\nA\tcard\tgold\tten\n' > in.tsv
	run xsell-score --uplift-model "$U/model.tsv" in.tsv
	assert_failure 3
	assert_line "xsell-score: in.tsv:2: column 'tenure': not a number: \"ten\""
}

@test "score: model files that are not models are exit 3" {
	while IFS='|' read -r row msg; do
		{ cat "$U/model.tsv"; printf '%b\n' "$row"; } > m.tsv
		run xsell-score --uplift-model m.tsv /dev/null
		[ "$status" -eq 3 ] && [ "$output" = "$msg" ] ||
		    { echo "row $row: status $status: $output"; return 1; }
	done <<'EOF'
card\tgold\t*\t1\t1\t0\t0\t0\t0\t0\t0\tx\t0\ttier,tenure:12|xsell-score: m.tsv:7: a row mixes '*' with segment values
card\tgold\t12-36\t1\t1\t0\t0\t0\t0\t0\t0\tx\t0\ttier,tenure:12|xsell-score: m.tsv:7: column 'tenure': "12-36" is not one of its bands
card\tgold\t<12\t1\t1\t0\t0\t0\t0\t0\t0\tx\t0\ttier,tenure:12|xsell-score: m.tsv:7: candidate 'card' has two of one segment's rows
savings\tgold\t<12\t1\t1\t0\t0\t0\t0\t0\t0\tx\t0\ttier|xsell-score: m.tsv:7: segment_spec "tier" differs from the first row's "tier,tenure:12"
EOF
}

# ---- the generator ----

@test "gen-events: deterministic for a seed, control share as asked, -r responds to rows" {
	"$GEN" -n 2000 -s 4 -c 0.1 > a.tsv
	"$GEN" -n 2000 -s 4 -c 0.1 > b.tsv
	cmp a.tsv b.tsv
	"$GEN" -n 2000 -s 5 -c 0.1 > c.tsv
	! cmp -s a.tsv c.tsv
	run awk -F'\t' 'NR > 1 && $2 == "savings" { n++; c += $3 == "control" } END { print n, (c / n > 0.08 && c / n < 0.12) }' a.tsv
	assert_output "2000 1"
	printf 'context_id\tgroup\tcandidate_id\nc000001\tcontrol\tsavings\nc000002\tcontrol\t\nc000003\tpilot\tcard\n' > as.tsv
	"$GEN" -p -n 3 > people.tsv
	run "$GEN" -r -a people.tsv as.tsv
	assert_success
	assert_line --index 0 "$(printf 'context_id\tgroup\tcandidate_id\tconverted\trevenue\ttier\ttenure_months')"
	assert_line --index 2 "$(printf 'c000002\tcontrol\t\t\t\tbasic\t61')"
	assert_line --index 3 "$(printf 'c000003\tpilot\tcard\t\t\tplus\t3')"
}

# ---- end to end ----

# A bank: every customer is a context with two offers, savings (propensity
# 0.5) and credit_card (0.4); savings ranks first. The simulated responses
# plant savings as a sure thing (30% convert with or without the offer)
# and the card as persuadable for customers with tenure under 36 months
# (4% -> 16% and 12%) and a lost cause above. After a holdout and learning,
# scoring with --uplift-weight 1 puts the card first exactly where it
# persuades.
@test "end to end: holdout, responses, learn --uplift, score: the card ranks above savings where it persuades" {
	"$GEN" -p -n 20000 -s 3 > customers.tsv
	awk -F'\t' 'BEGIN { OFS = "\t" }
	    NR == 1 { print "context_id", "candidate_id", "source", "propensity", "tier", "tenure_months"; next }
	    { print $1, "savings", "offer", 0.5, $2, $3; print $1, "credit_card", "offer", 0.4, $2, $3 }' \
	    customers.tsv > cands.tsv
	xsell-score cands.tsv | xsell-rank --top 2 --holdout 0.2 --seed 7 \
	    --assignments assigned.tsv > shown.tsv
	run bash -c "pick candidate_id rank < shown.tsv | sort | uniq -c | awk '{ print \$2, \$3 }'"
	assert_output "credit_card 2
savings 1"
	"$GEN" -r -a customers.tsv -s 5 assigned.tsv > events.tsv
	xsell-learn --uplift --segment-by tenure_months:12,36 events.tsv > uplift.tsv
	run bash -c "pick candidate_id tenure_months label < uplift.tsv"
	assert_output "credit_card * persuadable
credit_card <12 persuadable
credit_card 12-36 persuadable
credit_card >=36 lost_cause
savings * sure_thing
savings <12 sure_thing
savings 12-36 sure_thing
savings >=36 sure_thing"
	xsell-score --uplift-model uplift.tsv --uplift-weight 1 cands.tsv |
	    xsell-rank --top 1 > top.tsv
	run awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    { n[($(c["tenure_months"]) < 36 ? "<36 " : ">=36 ") $(c["candidate_id"])]++ }
	    END { for (k in n) print k, n[k] }' top.tsv
	assert_output --partial "<36 credit_card 9899"
	assert_output --partial ">=36 savings 10101"
	assert_equal "${#lines[@]}" 2
}
