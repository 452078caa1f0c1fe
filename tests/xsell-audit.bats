#!/usr/bin/env bats
# xsell-audit: the relations audit, offer performance, experiments, Qini.
# Statistics are checked against references named at each test: R's
# prop.test and t.test output, published examples, or the formula worked
# by hand in the comment.

load helper
bats_require_minimum_version 1.5.0

setup() {
	xs_setup
	cp "$FIX"/audit/* .
}

# value of column NAME in the row whose first columns match KEY (a regex
# on the whole line), rounded to 6 decimals
val() {
	awk -F'\t' -v key="$2" -v name="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$0 ~ key { v = $c[name]; printf("%s\n", v == "" ? "" : sprintf("%.6f", v)); exit }
	' "$1"
}

audit_all() {
	xsell-audit --catalog catalog.tsv --orders orders.tsv --max-age 365 \
	    --now 2024-06-01 --max-links 5 "$@" relations.tsv
}

# ---- usage ----

@test "--help prints the usage and exits 0" {
	run xsell-audit --help
	assert_success
	assert_line --index 0 --partial "usage: xsell-audit [--catalog FILE]"
	assert_output --partial "xsell-audit --experiment --events FILE [--holdout F]"
	assert_output --partial "xsell-audit --qini --events FILE [--score COLUMN]"
}

@test "--version prints the version" {
	run xsell-audit --version
	assert_success
	assert_output --regexp '^xsell-audit [0-9]+\.[0-9]+'
}

@test "usage errors exit 2 naming the option" {
	while IFS='|' read -r want args message; do
		run xsell-audit $args
		[ "$status" -eq "$want" ] || { echo "args: $args => $status"; false; }
		[[ "$output" == *"$message"* ]] || { echo "args: $args => $output"; false; }
	done <<'EOF'
2|--fail-on fatal relations.tsv|option --fail-on: "fatal" is not one of info, warning, error
2|--experiment|--experiment needs --events FILE
2|--qini|--qini needs --events FILE
2|--experiment --qini --events e.tsv|--experiment and --qini are separate read-outs
2|--experiment --events e.tsv --holdout 1|option --holdout: 1 is not between 0 and 1
2|--by channel relations.tsv|need --events FILE
2|--events events.tsv --by colour|option --by: "colour" is not one of category, channel, type, source
2|--events events.tsv --what-if acceptance=x|option --what-if: not a number
2|--events events.tsv --what-if P2,accept=0.2|expected [ID,]acceptance=[A:]B
2|--events events.tsv --min-acceptance 2|option --min-acceptance: 2 is not in [0, 1]
2|--now yesterday relations.tsv|option --now: not a date
2|--holdout 0.1 relations.tsv|--holdout belongs to --experiment
2|--report --json relations.tsv|--report and --json are different outputs
EOF
}

@test "usage errors exit with status 2" {
	for args in "--fail-on fatal" "--experiment" "--bogus" "--max-links -1" \
	    "--events events.tsv --orders orders.tsv"; do
		run xsell-audit $args relations.tsv
		[ "$status" -eq 2 ] || { echo "$args: $status $output"; false; }
	done
}

@test "a relations file without linked_id is exit 3 naming the column" {
	printf 'subject_id\tlinked\nA\tB\n' > bad.tsv
	run xsell-audit bad.tsv
	assert_failure 3
	assert_output --partial "linked_id"
}

@test "a missing input file is exit 4" {
	run xsell-audit --catalog nope.tsv relations.tsv
	assert_failure 4
	assert_output --partial "nope.tsv"
}

# ---- the relations audit: one test per check ----

@test "findings are TSV with check, severity, subject_id, linked_id, detail" {
	run -0 audit_all -q
	assert_line --index 0 "$(printf 'check\tseverity\tsubject_id\tlinked_id\tdetail')"
	[ "${#lines[@]}" -eq 22 ]
}

@test "missing_id: a link without a subject is an error" {
	run -0 audit_all -q
	assert_line "$(printf 'missing_id\terror\t\tP2\trelations.tsv:19: no subject_id')"
}

@test "bad_date: an updated value that is not a date" {
	run -0 audit_all -q
	assert_line "$(printf 'bad_date\terror\tP5\tP2\tupdated "yesterday" is not a date (relations.tsv:18)')"
}

@test "self_link: a product linked to itself" {
	run -0 audit_all -q
	assert_line "$(printf 'self_link\terror\tP1\tP1\tlinks to itself (relations.tsv:7)')"
}

@test "stale links: unknown, discontinued, inactive, out of stock" {
	run -0 audit_all -q
	assert_line "$(printf 'stale_unknown\terror\tP1\tP99\tlinked product not in the catalog (relations.tsv:6)')"
	assert_line "$(printf 'stale_discontinued\terror\tP1\tP4\tlinked product is discontinued (relations.tsv:4)')"
	assert_line "$(printf 'stale_inactive\twarning\tP1\tP5\tlinked product is not active (relations.tsv:5)')"
	assert_line "$(printf 'stale_out_of_stock\twarning\tP1\tP3\tlinked product is out of stock (relations.tsv:3)')"
}

@test "unknown_subject: links from a product not in the catalog" {
	run -0 audit_all -q
	assert_line "$(printf 'unknown_subject\twarning\tX1\t\tsubject not in the catalog; 1 link from it, first at relations.tsv:15')"
}

@test "duplicate_link names the first occurrence" {
	run -0 audit_all -q
	assert_line "$(printf 'duplicate_link\twarning\tP1\tP2\tsame link as relations.tsv:2 (relations.tsv:8)')"
}

@test "conflicting_types: the same pair with two types" {
	run -0 audit_all -q
	assert_line "$(printf 'conflicting_types\twarning\tP2\tP7\ttypes cross_sell (relations.tsv:13), substitute (relations.tsv:14)')"
}

@test "unknown_type: a type that is none of the four" {
	run -0 audit_all -q
	assert_line --partial "$(printf 'unknown_type\twarning\tP6\tP3\ttype "crosssell"')"
}

@test "upsell_not_pricier: an upsell priced at or below its subject" {
	run -0 audit_all -q
	assert_line "$(printf 'upsell_not_pricier\twarning\tP1\tP6\tupsell price 450 is not above the subject'"'"'s 500 (relations.tsv:9)')"
}

@test "one_way_bundle: a bundle without its reverse; a two-way one is fine" {
	run -0 audit_all -q
	assert_line "$(printf 'one_way_bundle\twarning\tP2\tP8\tbundle without its reverse from P8 (relations.tsv:12)')"
	refute_line --partial "$(printf 'one_way_bundle\twarning\tP2\tP3')"
}

@test "over_linked: more distinct linked products than --max-links" {
	run -0 audit_all -q
	assert_line "$(printf 'over_linked\twarning\tP1\t\t6 linked products, more than --max-links 5')"
	run -0 xsell-audit -q --catalog catalog.tsv relations.tsv
	refute_output --partial over_linked
}

@test "old_link: updated more than --max-age days before --now" {
	run -0 audit_all -q
	# 2019-01-01 to 2024-06-01: 1978 days
	assert_line "$(printf 'old_link\twarning\tP6\tP2\tupdated 2019-01-01T00:00:00Z, 1978 days before --now (relations.tsv:16)')"
	run -0 xsell-audit -q --max-age 2000 --now 2024-06-01 relations.tsv
	refute_output --partial old_link
}

@test "catalog problems: a product listed twice, an unknown status" {
	run -0 audit_all -q
	assert_line "$(printf 'duplicate_product\twarning\tP2\t\tlisted again at catalog.tsv:11 (line 3 kept)')"
	assert_line --partial "$(printf 'unknown_status\twarning\tP9\t\tstatus "retired"')"
}

@test "empty_subject: active products without links, most revenue first" {
	run -0 audit_all -q
	# P8: 2 x 25 = 50, P7: 1 x 10 = 10; discontinued P4 and inactive P5 are not listed
	assert_line --index 20 "$(printf 'empty_subject\tinfo\tP8\t\tactive product with no links; order revenue 50')"
	assert_line --index 21 "$(printf 'empty_subject\tinfo\tP7\t\tactive product with no links; order revenue 10')"
}

@test "empty_subject without orders: by product id" {
	run -0 xsell-audit -q --catalog catalog.tsv relations.tsv
	assert_line --index 18 "$(printf 'empty_subject\tinfo\tP7\t\tactive product with no links')"
	assert_line --index 19 "$(printf 'empty_subject\tinfo\tP8\t\tactive product with no links')"
}

@test "without a catalog only the link checks run" {
	run -0 xsell-audit -q relations.tsv
	refute_output --partial stale_
	refute_output --partial empty_subject
	assert_output --partial self_link
}

@test "relations are read from stdin without operands" {
	run -0 bash -c 'xsell-audit -q < relations.tsv'
	assert_output --partial "$(printf 'self_link\terror\tP1\tP1\tlinks to itself (<stdin>:7)')"
}

@test "summary: coverage and revenue share, links per subject, counts per check" {
	run -0 audit_all
	# active: P1 P2 P3 P6 P7 P8 (6); with links P1 P2 P3 P6 (4) = 66.7%;
	# revenue 500 + 40 + 10 + 50 + 30 = 630, covered 500 + 40 + 30 = 570 = 90.5%
	assert_output --partial "xsell-audit: coverage: 4 of 6 active products have links (66.7%); they carry 90.5% of order revenue (570.00 of 630.00)"
	# distinct linked per subject: P1 6, P2 3, P3 1, P5 1, P6 2, X1 1
	assert_output --partial "links per subject: 6 subjects, min 1, median 1, 90th percentile 6, max 6, mean 2.33"
	assert_output --partial "findings: missing_id 1, bad_date 1, self_link 1,"
	assert_output --partial "stale_out_of_stock 3,"
}

@test "--quiet keeps stderr empty and stdout the same" {
	audit_all > a.tsv 2> a.err
	audit_all -q > b.tsv 2> b.err
	cmp a.tsv b.tsv
	[ -s a.err ] && [ ! -s b.err ]
}

@test "--fail-on: exit 1 at or above the level, 0 below" {
	while read -r level fixture want; do
		if [ "$fixture" = planted ]; then
			run audit_all -q --fail-on "$level"
		else
			run xsell-audit -q --fail-on "$level" --catalog clean-catalog.tsv clean-relations.tsv
		fi
		[ "$status" -eq "$want" ] || { echo "$level $fixture: $status"; false; }
	done <<'EOF'
error planted 1
warning planted 1
info planted 1
error clean 0
warning clean 0
info clean 0
EOF
	# only info findings (empty subjects): fails on info, passes on warning
	printf 'product_id\tstatus\nA\tactive\nB\tactive\nC\tactive\n' > c.tsv
	run xsell-audit -q --catalog c.tsv --fail-on warning clean-relations.tsv
	assert_success
	run xsell-audit -q --catalog c.tsv --fail-on info clean-relations.tsv
	assert_failure 1
	# without --fail-on findings never fail the run
	run audit_all -q
	assert_success
}

@test "-j writes findings as JSON lines" {
	audit_all -q -j > f.json
	jq -e -s 'length == 21' f.json
	jq -e -s '.[0] == {"check":"missing_id","severity":"error","subject_id":null,"linked_id":"P2","detail":"relations.tsv:19: no subject_id"}' f.json
}

@test "-o writes the findings atomically to a file" {
	run -0 audit_all -q -o out.tsv
	assert_output ""
	[ "$(wc -l < out.tsv)" -eq 22 ]
}

@test "same input, same output" {
	audit_all -q > a.tsv
	audit_all -q > b.tsv
	cmp a.tsv b.tsv
}

@test "--report prints aligned tables with bar charts" {
	run -0 audit_all --report
	assert_line "== Relations audit =="
	assert_line "coverage: 4 of 6 active products have links (66.7%); they carry 90.5% of order revenue (570.00 of 630.00)"
	assert_line "products with links       66.67  ######################"
	assert_line "revenue they carry        90.48  ##############################"
	assert_line "stale_out_of_stock  warning          3  ##############################"
	assert_line --regexp '^self_link +error +P1 +P1 +links to itself \(relations.tsv:7\)$'
}

@test "--html writes one self-contained page with inline SVG" {
	run -0 audit_all -q --html page.html
	assert_output --partial "$(printf 'self_link\terror')"
	grep -q '<svg' page.html
	grep -q 'Catalog coverage' page.html
	grep -q 'Subjects by number of linked products' page.html
	! grep -Eqi '<script|<link|src=|@import|url\(' page.html
	# the only URL is the SVG namespace, which is never fetched
	[ "$(grep -o 'https\?://[^"]*' page.html | sort -u)" = "http://www.w3.org/2000/svg" ]
}

# ---- offer performance ----

@test "offers: per candidate impressions, conversions, Wilson interval, money" {
	run -0 xsell-audit -q --events events.tsv relations.tsv
	assert_line --index 0 "$(printf 'level\tcandidate_id\timpressions\tconversions\tacceptance\tacceptance_low\tacceptance_high\trevenue\tmargin\trevenue_per_impression\tflags')"
	echo "$output" > o.tsv
	# R: prop.test(4, 10, correct = FALSE)$conf.int = 0.1681803 0.6873262
	[ "$(val o.tsv '^candidate.P2' acceptance_low)" = 0.168180 ]
	[ "$(val o.tsv '^candidate.P2' acceptance_high)" = 0.687326 ]
	[ "$(val o.tsv '^candidate.P2' revenue)" = 80.000000 ]
	[ "$(val o.tsv '^candidate.P2' revenue_per_impression)" = 8.000000 ]
	# 0 of 2: low 0, high z^2/(2 + z^2) = 3.841459/5.841459 = 0.657620
	[ "$(val o.tsv '^candidate.Z9' acceptance_high)" = 0.657620 ]
	# total: 32 treatment impressions (3 control events are left out);
	# the interval to 15 digits: the last bit of z is the C library's
	# (glibc ends 0.06864420282505708, musl 0.0686442028250571)
	assert_line --regexp "$(printf '^total\t\t32\t5\t0.15625\t[0-9.]+\t[0-9.]+\t110\t55\t3.4375\t$')"
	[ "$(awk -F'\t' '$1 == "total" { printf "%.15g %.15g", $6, $7 }' o.tsv)" = "0.0686442028250571 0.317541495975304" ]
}

@test "offers: candidates by revenue, then id" {
	run -0 xsell-audit -q --events events.tsv
	[ "$(echo "$output" | cut -f1,2 | tr '\t\n' ' ')" = "level candidate_id total  candidate P2 candidate P3 candidate Z9 " ]
}

@test "offers: flags retire, unprofitable, untracked" {
	run -0 xsell-audit -q --events events.tsv --min-acceptance 0.3 relations.tsv
	# P3: 1/20, Wilson high 0.236 < 0.3: retire; margin -5: unprofitable
	assert_line --regexp "^candidate	P3	.*	retire,unprofitable$"
	# Z9 is in no relation: untracked
	assert_line --regexp "^candidate	Z9	.*	untracked$"
	assert_line --regexp "^candidate	P2	.*	$"
}

@test "offers: untracked needs relations or offers to compare with" {
	run -0 xsell-audit -q --events events.tsv
	refute_output --partial untracked
	printf 'offer_id\tstatus\nZ9\tactive\n' > offers.tsv
	run -0 xsell-audit -q --events events.tsv --offers offers.tsv relations.tsv
	refute_output --partial untracked
}

@test "offers: --fail-on counts the flags (untracked is an error)" {
	run xsell-audit -q --events events.tsv --fail-on error relations.tsv
	assert_failure 1
	run xsell-audit -q --events events.tsv --fail-on error
	assert_success
}

@test "offers: --by channel gives group rows and candidates within them" {
	run -0 xsell-audit -q --events events.tsv --by channel
	echo "$output" > o.tsv
	assert_line --index 0 --partial "$(printf 'level\tchannel\tcandidate_id\t')"
	# email: P2 1/4 and Z9 0/2 = 1/6; web: P2 3/6 and P3 1/20 = 4/26
	[ "$(val o.tsv '^group.email' acceptance)" = 0.166667 ]
	[ "$(val o.tsv '^group.web' acceptance)" = 0.153846 ]
	[ "$(val o.tsv '^candidate.web.P2' conversions)" = 3.000000 ]
	[ "$(echo "$output" | cut -f1-3 | tr '\t\n' ' ')" = "level channel candidate_id total   group email  candidate email P2 candidate email Z9 group web  candidate web P2 candidate web P3 " ]
}

@test "offers: --by type and source look up the relation of context and candidate" {
	run -0 xsell-audit -q --events events.tsv --by type relations.tsv
	assert_line --regexp "^group	cross_sell		30	5	"
	assert_line --regexp "^group			2	0	"
	run -0 xsell-audit -q --events events.tsv --by source relations.tsv
	assert_line --regexp "^group	managed		30	5	"
}

@test "offers: --by category from the catalog" {
	run -0 xsell-audit -q --events events.tsv --by category --catalog catalog.tsv
	assert_line --regexp "^group	accessories		30	5	"
}

@test "offers: --what-if acceptance moves conversions, revenue and margin" {
	run -0 xsell-audit -q --events events.tsv --what-if acceptance=0.5 \
	    --what-if P3,acceptance=0.05:0.1
	echo "$output" > o.tsv
	# P2: 10 x 0.5 - 4 = 1 more conversion at 80/4 = 20 revenue, 60/4 = 15 margin
	[ "$(val o.tsv '^candidate.P2' whatif_conversions)" = 1.000000 ]
	[ "$(val o.tsv '^candidate.P2' whatif_revenue)" = 20.000000 ]
	[ "$(val o.tsv '^candidate.P2' whatif_margin)" = 15.000000 ]
	# P3: 20 x (0.1 - 0.05) = 1 more at 30 revenue, -5 margin
	[ "$(val o.tsv '^candidate.P3' whatif_revenue)" = 30.000000 ]
	# Z9 has no conversions: the overall 110/5 = 22 per conversion
	[ "$(val o.tsv '^candidate.Z9' whatif_revenue)" = 22.000000 ]
	# total: 3 more conversions, (5 + 3)/32 = 0.25 acceptance, 72 revenue
	[ "$(val o.tsv '^total' whatif_acceptance)" = 0.250000 ]
	[ "$(val o.tsv '^total' whatif_revenue)" = 72.000000 ]
}

@test "offers: converted must be 0 or 1" {
	printf 'context_id\tcandidate_id\tconverted\nA\tB\tyes\n' > e.tsv
	run xsell-audit --events e.tsv
	assert_failure 3
	assert_output "xsell-audit: e.tsv:2: column 'converted': not 0 or 1: \"yes\""
}

@test "offers: --report and --html show acceptance with intervals" {
	run -0 xsell-audit --events events.tsv --by channel --report --html p.html
	assert_output --partial "Acceptance by group, with 95% Wilson intervals"
	assert_line --regexp '^candidate +web +P3 +20 +1 +5.0% +0.9-23.6% +30.00 +-5.00 +1.5 +unprofitable'
	grep -q '<circle' p.html
}

# ---- experiments ----

@test "experiment: conversion difference, pooled z-test, lift (R prop.test)" {
	run -0 xsell-audit -q --experiment --events exp-rate.tsv
	echo "$output" > x.tsv
	assert_line --index 0 "$(printf 'metric\ttreatment\tcontrol\testimate\tlow\thigh\tp_value')"
	# contexts, not events: treatment contexts have two events each
	assert_line "$(printf 'contexts\t50\t50\t\t\t\t')"
	assert_line "$(printf 'conversions\t25\t15\t\t\t\t')"
	# R: prop.test(c(25, 15), c(50, 50), correct = FALSE):
	# X-squared = 4.1667, p-value = 0.04123, 95% CI 0.01200686 0.38799314
	[ "$(val x.tsv '^conversion_rate' estimate)" = 0.200000 ]
	[ "$(val x.tsv '^conversion_rate' low)" = 0.012007 ]
	[ "$(val x.tsv '^conversion_rate' high)" = 0.387993 ]
	[ "$(val x.tsv '^conversion_rate' p_value)" = 0.041227 ]
	# lift by hand: 0.5/0.3 - 1 = 0.666667; se^2 = (.005/.09) + .25 x .0042/.0081
	# = 0.1851852, se 0.4303315; +- 1.959964 se = -0.176768, 1.510101
	[ "$(val x.tsv '^relative_lift' estimate)" = 0.666667 ]
	[ "$(val x.tsv '^relative_lift' low)" = -0.176768 ]
	[ "$(val x.tsv '^relative_lift' high)" = 1.510101 ]
}

@test "experiment: revenue per context, incremental revenue, AOV" {
	run -0 xsell-audit -q --experiment --events exp-rate.tsv
	echo "$output" > x.tsv
	# by hand: 25 x 10 / 50 = 5 and 15 x 10 / 50 = 3; incremental (5 - 3) x 50 = 100
	[ "$(val x.tsv '^revenue_per_context' treatment)" = 5.000000 ]
	[ "$(val x.tsv '^revenue_per_context' control)" = 3.000000 ]
	[ "$(val x.tsv '^incremental_revenue' estimate)" = 100.000000 ]
	# the interval scales with N_T: 50 x the Welch interval of the difference
	lo=$(val x.tsv '^revenue_per_context' low)
	[ "$(val x.tsv '^incremental_revenue' low)" = "$(awk -v l="$lo" 'BEGIN { printf("%.6f", 50 * l) }')" ] ||
	    [ "$(awk -v a="$(val x.tsv '^incremental_revenue' low)" -v l="$lo" 'BEGIN { print (a - 50 * l < 1e-4 && 50 * l - a < 1e-4) }')" = 1 ]
	[ "$(val x.tsv '^margin_per_context' estimate)" = 0.800000 ]
	[ "$(val x.tsv '^aov' treatment)" = 10.000000 ]
}

@test "experiment: Welch interval (Wikipedia's Welch's t-test example 1)" {
	run -0 xsell-audit -q --experiment --events exp-welch.tsv
	echo "$output" > x.tsv
	# published: t = 2.46, df = 24.99, p = 0.021 (treatment A2 against control A1)
	est=$(val x.tsv '^revenue_per_context' estimate)
	lo=$(val x.tsv '^revenue_per_context' low)
	p=$(val x.tsv '^revenue_per_context' p_value)
	[ "$est" = 2.166667 ]
	[ "$(awk -v p="$p" 'BEGIN { printf("%.3f", p) }')" = 0.021 ]
	# half-width / se = t(.975, 24.99) = 2.0596; se = 2.166667 / 2.4554 = 0.88241
	[ "$(awk -v e="$est" -v l="$lo" 'BEGIN { printf("%.2f", (e - l) / (e / 2.455356)) }')" = 2.06 ]
}

@test "experiment: sample ratio mismatch against --holdout warns" {
	run -0 xsell-audit -q --experiment --events exp-rate.tsv --holdout 0.5
	assert_line "$(printf 'contexts\t50\t50\t0.5\t\t\t1')"
	# 50/50 against 90/10: (50-90)^2/90 + (50-10)^2/10 = 177.78, p < 0.001
	run xsell-audit -q --experiment --events exp-rate.tsv --holdout 0.1
	assert_success
	assert_output --partial "xsell-audit: sample ratio mismatch: control share 50.0%, expected 10.0% (p = 1.48e-40)"
	run xsell-audit -q --experiment --events exp-rate.tsv --holdout 0.1 --fail-on warning
	assert_failure 1
}

@test "experiment: an empty arm is refused with exit 3" {
	run xsell-audit --experiment --events exp-empty.tsv
	assert_failure 3
	assert_output "xsell-audit: exp-empty.tsv: no control contexts: an experiment needs both arms"
}

@test "experiment: a group other than treatment or control is exit 3" {
	printf 'context_id\tcandidate_id\tgroup\nA\tB\tholdout\n' > e.tsv
	run xsell-audit --experiment --events e.tsv
	assert_failure 3
	assert_output "xsell-audit: e.tsv:2: column 'group': not treatment or control: \"holdout\""
}

@test "experiment: a context in both arms is left out and reported" {
	{ cat exp-rate.tsv; printf 'T1\tA\tcontrol\t0\t0\t0\n'; } > both.tsv
	run -0 xsell-audit --experiment --events both.tsv
	assert_line "$(printf 'contexts\t49\t50\t\t\t\t')"
	assert_output --partial "1 contexts have events in both arms and are left out"
}

@test "experiment: --report and --html show the intervals" {
	run -0 xsell-audit --experiment --events exp-rate.tsv --report --html x.html
	assert_output --partial "rate difference (pp)"
	assert_line --regexp '^conversion_rate +0.5 +0.3 +0.2 +0.01201 +0.388 +0.0412$'
	grep -q '<svg' x.html
}

# ---- Qini ----

@test "qini: curve points worked by hand" {
	run -0 xsell-audit -q --qini --events qini.tsv
	# A .9 T 1, B .8 C 0, C .7 T 1, D .6 C 1, E .5 T 0, F .4 C 0:
	# qini after n = 1..6: 1, 1, 2, 2 - 1 x 2/2, 2 - 1 x 3/2, 2 - 1 x 3/3
	[ "$(echo "$output" | cut -f1,7 | tr '\t\n' ' ')" = "n qini 0 0 1 1 2 1 3 2 4 1 5 0.5 6 1 " ]
}

@test "qini: areas normalised against random and perfect, labelled" {
	run -0 xsell-audit --qini --events qini.tsv
	# by hand: auuc 1, random 1/2, perfect 19/12; vs random 2, vs perfect 6/13
	assert_output --partial "qini: auuc 1, random 0.5, perfect 1.58333; normalised vs random (auuc/random) 2; vs perfect ((auuc-random)/(perfect-random)) 0.4615"
	run -0 xsell-audit --qini --events qini.tsv --report
	assert_line --regexp '^auuc_vs_perfect +0.4615 +\(auuc - random\) / \(perfect - random\) \(1 = perfect\)$'
}

@test "qini: --score names the score column; both arms are needed" {
	sed '1s/score/uplift/' qini.tsv > q2.tsv
	run -0 xsell-audit -q --qini --events q2.tsv --score uplift
	run xsell-audit -q --qini --events q2.tsv
	assert_failure 3
	grep -v control qini.tsv > q3.tsv
	run xsell-audit -q --qini --events q3.tsv
	assert_failure 3
	assert_output --partial "no control rows"
}

# ---- the demo's events generator ----

@test "gen-audit-events is deterministic for a seed and feeds every mode" {
	"$ROOT/scripts/gen-audit-events" -n 300 -s 3 relations.tsv catalog.tsv > e1.tsv
	"$ROOT/scripts/gen-audit-events" -n 300 -s 3 relations.tsv catalog.tsv > e2.tsv
	cmp e1.tsv e2.tsv
	assert_equal "$(head -1 e1.tsv)" "$(printf 'context_id\tcandidate_id\tgroup\tconverted\trevenue\tmargin\tchannel\tts\tscore')"
	run -0 xsell-audit -q --events e1.tsv relations.tsv
	assert_line --regexp '^candidate	GIFTCARD	.*untracked'
	run -0 xsell-audit -q --experiment --events e1.tsv --holdout 0.1
	run -0 xsell-audit -q --qini --events e1.tsv
}
