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
2|--events events.tsv --by colour|option --by: "colour" is not one of category, channel, type, source, link
2|--events events.tsv --what-if acceptance=x|option --what-if: not a number
2|--events events.tsv --what-if P2,accept=0.2|expected [ID,]acceptance=[A:]B
2|--events events.tsv --min-acceptance 2|option --min-acceptance: 2 is not in [0, 1]
2|--now yesterday relations.tsv|option --now: not a date
2|--holdout 0.1 relations.tsv|--holdout belongs to --experiment
2|--report --json relations.tsv|--report and --json are different outputs
2|--experiment --events e.tsv --split a=0.5,control=0.4|option --split: the shares add up to 0.9, not 1
2|--experiment --events e.tsv --split a=0.5,b=0.5|option --split: no share for the control arm 'control'
2|--experiment --events e.tsv --split a=0.5,a=0.5|option --split: arm 'a' given twice
2|--experiment --events e.tsv --split a0.9|option --split: expected NAME=SHARE: "a0.9"
2|--experiment --events e.tsv --split control=1|option --split: an experiment needs two arms or more
2|--experiment --events e.tsv --split a=0.9,control=0.1 --holdout 0.1|--split and --holdout both give the planned split
2|--experiment --events e.tsv --alpha 1|option --alpha: 1 is not between 0 and 1
2|--experiment --events e.tsv --control=|option --control: empty name
2|--events e.tsv --control A|--split, --control, --alpha, --covariate, --sequential and --horizon belong to --experiment
2|--experiment --events e.tsv --by type|option --by: "type" is not one of channel, category, subject
2|--experiment --events e.tsv --catalog c.tsv|--experiment reads only --events (and --catalog with --by category)
2|--experiment --events e.tsv --horizon 100|--horizon belongs to --sequential
2|--experiment --events e.tsv --mde 0.1|--baseline, --mde, --traffic, --power and --arms belong to --plan
2|--plan --baseline 0.05|--plan needs --baseline F, --mde F and --traffic N
2|--plan --baseline 0.05 --mde 0.1 --traffic 100 --events e.tsv|--plan reads no input
2|--plan --baseline 0.05 --mde 0.1 --traffic 100 --arms 3 --split a=0.5,control=0.5|--arms and --split both say how many arms
2|--plan --baseline 0.05 --mde 0.1 --traffic 100 --split a=0.5,b=0.5|option --split: no share for the control arm 'control'
2|--events e.tsv --counts --merge|--counts and --merge exclude each other
2|--counts relations.tsv|--counts and --merge belong to --events (offer performance)
2|--experiment --events e.tsv --merge|--counts and --merge belong to --events (offer performance)
2|--events e.tsv --counts --report|--counts writes partial sums, not a report
2|--plan --baseline 0.5 --mde 1 --traffic 100|option --mde: a rate of 0.5 x (1 + 1) = 1 is not between 0 and 1
2|--plan --baseline 0.05 --mde 0 --traffic 100|option --mde: 0 is no change to detect
2|--plan --baseline 0.05 --mde 0.1 --traffic 0/day|option --traffic: 0/day is not a number of contexts a day
2|--plan --baseline 0.05 --mde 0.1 --traffic 10 --arms 1|option --arms: 1 is not in [2, 32]
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

@test "missing_id: the rows xsell-qualify stops at (one reader for both)" {
	printf 'subject_id\tlinked_id\ttype\tupdated\nP1\tP2\tcross_sell\t2024-01-01\nP1\t\tbundle\tnope\nP2\tP1\tweird\t\n\tP3\tupsell\t2024-01-01\n' > bad.tsv
	grep -v '^P1		' bad.tsv > bad2.tsv
	printf 'context_id\tsubject_id\nc1\tP1\n' > ctx.tsv
	run -0 xsell-audit -q bad.tsv
	assert_line "$(printf 'missing_id\terror\tP1\t\tbad.tsv:3: no linked_id')"
	assert_line "$(printf 'missing_id\terror\t\tP3\tbad.tsv:5: no subject_id')"
	run -3 xsell-qualify --relations bad.tsv ctx.tsv
	assert_output "xsell-qualify: bad.tsv:3: empty linked_id"
	run -0 xsell-audit -q bad2.tsv
	assert_line "$(printf 'missing_id\terror\t\tP3\tbad2.tsv:4: no subject_id')"
	run -3 xsell-qualify --relations bad2.tsv ctx.tsv
	assert_output "xsell-qualify: bad2.tsv:4: empty subject_id"
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

# Before 1970 was bad_date ("date out of range"); 19600101 and --now
# 19700101 are YYYYMMDD, not epoch seconds.
@test "old_link and bad_date: years 1000 to 9999, YYYYMMDD" {
	printf 'subject_id\tlinked_id\tupdated\nA\tB\t1960-01-01\nA\tC\t19600101\nA\tD\t1969-12-31\nA\tE\t0999-12-31\n' > rel.tsv
	run -0 xsell-audit -q --max-age 365 --now 19700101 rel.tsv
	assert_output "$(printf 'check\tseverity\tsubject_id\tlinked_id\tdetail
bad_date\terror\tA\tE\tupdated "0999-12-31" is not a date (rel.tsv:5)
old_link\twarning\tA\tB\tupdated 1960-01-01T00:00:00Z, 3653 days before --now (rel.tsv:2)
old_link\twarning\tA\tC\tupdated 1960-01-01T00:00:00Z, 3653 days before --now (rel.tsv:3)')"
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

@test "curated and learned relations together: columns are the union, missing ones empty" {
	printf 'subject_id\tlinked_id\ttype\tsource\tupdated\nP1\tP2\tcross_sell\tmanaged\t2024-05-01T00:00:00Z\nP1\tP1\tcross_sell\tmanaged\tyesterday\n' > managed.tsv
	printf 'linked_id\tsubject_id\tsource\tcount\tsupport\nP3\tP1\tlearned\t4\t0.1\nP2\tP1\tlearned\t3\t0.05\n' > learned.tsv
	run -0 xsell-audit -q managed.tsv learned.tsv
	assert_output "$(printf 'check\tseverity\tsubject_id\tlinked_id\tdetail
bad_date\terror\tP1\tP1\tupdated "yesterday" is not a date (managed.tsv:3)
self_link\terror\tP1\tP1\tlinks to itself (managed.tsv:3)
duplicate_link\twarning\tP1\tP2\tsame link as managed.tsv:2 (learned.tsv:3)')"
	# the offer read-out: --by source sees both files' sources
	run -0 xsell-audit -q --events events.tsv --by source managed.tsv learned.tsv
	assert_line --regexp "^group	managed		10	4	"
	assert_line --regexp "^group	learned		20	1	"
	# a file without a required column is still exit 3, naming it
	printf 'subject_id\tcount\nP1\t3\n' > bad.tsv
	run -3 xsell-audit -q managed.tsv bad.tsv
	assert_output "xsell-audit: bad.tsv: missing required column 'linked_id' (found: subject_id, count)"
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
	assert_line --regexp '^self_link +error +P1 Phone +P1 Phone +links to itself \(relations.tsv:7\)$'
}

# Merchant data may hold control characters; a report is read on a
# terminal, which would act on them (ESC ] retitles the window, ESC [ 2 J
# clears it). Shown escaped there; the TSV keeps the bytes.
@test "--report shows control characters in the data escaped; TSV keeps the bytes" {
	printf 'subject_id\tlinked_id\nA\033]0;pwned\007\tA\033]0;pwned\007\nB\302\233c\177\tB\302\233c\177\nR\233\tR\233\nD\\tx\\n\tD\\tx\\n\n' > ctl.tsv
	run -0 --separate-stderr bash -c 'xsell-audit --report ctl.tsv | sed -n "/^Findings, errors first\$/,\$p"'
	assert_output "$(printf '%s\n' 'Findings, errors first' \
	    'check      severity  subject        linked         detail' \
	    'self_link  error     A\e]0;pwned\a  A\e]0;pwned\a  links to itself (ctl.tsv:2)' \
	    'self_link  error     B\u009bc\x7f   B\u009bc\x7f   links to itself (ctl.tsv:3)' \
	    'self_link  error     R\x9b          R\x9b          links to itself (ctl.tsv:4)' \
	    'self_link  error     D\tx\n         D\tx\n         links to itself (ctl.tsv:5)')"
	run -0 --separate-stderr xsell-audit ctl.tsv
	assert_output "$(printf 'check\tseverity\tsubject_id\tlinked_id\tdetail\nself_link\terror\tA\033]0;pwned\007\tA\033]0;pwned\007\tlinks to itself (ctl.tsv:2)\nself_link\terror\tB\302\233c\177\tB\302\233c\177\tlinks to itself (ctl.tsv:3)\nself_link\terror\tR\233\tR\233\tlinks to itself (ctl.tsv:4)\nself_link\terror\tD\\tx\\n\tD\\tx\\n\tlinks to itself (ctl.tsv:5)')"
	# chart labels and table cells of the offers report too
	printf 'context_id\tcandidate_id\tgroup\tconverted\trevenue\nc1\tP\033[1m\ttreatment\t1\t5\nc2\tP\033[1m\ttreatment\t0\t\n' > ev.tsv
	run -0 xsell-audit --events ev.tsv --report
	assert_line 'P\e[1m  |   [-----------------o----------------]  50% [9.453, 90.55%]'
	assert_line --regexp '^P\\e\[1m +2 +1 +50.0%'
	refute_output --partial $'\033'
	# the experiment's arm names, in its headings and lines too
	printf 'context_id\tcandidate_id\tgroup\tconverted\nc1\tA\tcontrol\t1\nc2\tA\tm\033[31mX\t0\n' > exp.tsv
	run -0 xsell-audit --experiment --events exp.tsv --report
	assert_line '== Experiment: m\e[31mX against control =='
	refute_output --partial $'\033'
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

@test "offers: --by evaluates retire inside each group, not only overall" {
	# Q: 10 of 20 on web, 0 of 40 by email; overall 10/60 is kept
	# (Wilson high 0.280 >= 0.1), email alone is not (0.0876 < 0.1)
	{ printf 'context_id\tcandidate_id\tconverted\tchannel\n'
	  for i in $(seq 20); do printf 'P1\tQ\t%d\tweb\n' $((i <= 10)); done
	  for i in $(seq 40); do printf 'P1\tQ\t0\temail\n'; done; } > e.tsv
	run -0 --separate-stderr xsell-audit --events e.tsv --min-acceptance 0.1
	assert_line --regexp "^candidate	Q	.*	0	$"
	run -1 --separate-stderr xsell-audit --events e.tsv --by channel \
	    --min-acceptance 0.1 --fail-on warning
	assert_line --regexp "^candidate	email	Q	40	0	.*	retire$"
	assert_line --regexp "^candidate	web	Q	20	10	.*	0	$"
	[ "$stderr" = "xsell-audit: retire: 0 candidates whose 95% upper bound of acceptance is below 10.0% over all groups, 1 candidate rows within a channel" ]
}

@test "offers: --by link: per (subject, linked) pair and per linked product" {
	printf 'context_id\tcandidate_id\tsubject_id\tconverted\trevenue\nC1\tL1\tS1\t1\t10\nC1\tL1\tS1\t0\t0\nC2\tL1\tS2\t0\t0\nC2\tL2\tS2\t1\t5\nC3\tL2\tS1\t0\t0\n' > e.tsv
	# the subject is the events' subject_id; per linked product first
	run -0 bash -c 'xsell-audit -q --events e.tsv --by link | cut -f1-5,9'
	assert_output "$(printf 'level\tsubject_id\tcandidate_id\timpressions\tconversions\trevenue
total\t\t\t5\t2\t15
linked\t\tL1\t3\t1\t10
linked\t\tL2\t2\t1\t5
group\tS1\t\t3\t1\t10
candidate\tS1\tL1\t2\t1\t10
candidate\tS1\tL2\t1\t0\t0
group\tS2\t\t2\t1\t5
candidate\tS2\tL2\t1\t1\t5
candidate\tS2\tL1\t1\t0\t0')"
	# without subject_id: the context, when it links to the candidate
	run -0 bash -c 'xsell-audit -q --events events.tsv --by link relations.tsv | cut -f1-5,12'
	assert_output "$(printf 'level\tsubject_id\tcandidate_id\timpressions\tconversions\tflags
total\t\t\t32\t5\t
linked\t\tP2\t10\t4\t
linked\t\tP3\t20\t1\tunprofitable
linked\t\tZ9\t2\t0\tuntracked
group\t\t\t2\t0\t
candidate\t\tZ9\t2\t0\tuntracked
group\tP1\t\t30\t5\t
candidate\tP1\tP2\t10\t4\t
candidate\tP1\tP3\t20\t1\tunprofitable')"
	# neither: exit 3 saying what is missing
	run -3 xsell-audit -q --events events.tsv --by link
	assert_output "xsell-audit: events.tsv: --by link needs a 'subject_id' column in the events, or RELATIONS to find the context's link to the candidate"
	# the report titles the groups by subject and lists the linked products
	run -0 xsell-audit --events e.tsv --by link --report
	assert_line --regexp '^subject +impressions'
	assert_line "Linked products over all subjects by revenue, highest first"
	assert_line "Candidates in subject S1 by revenue, highest first"
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

@test "offers: revenue and margin are exact sums, the same bits in any line order" {
	printf 'context_id\tcandidate_id\trevenue\tmargin\n1\tA\t0.1\t0.1\n2\tA\t0.2\t0.2\n3\tA\t0.3\t0.3\n' > e.tsv
	{ head -1 e.tsv; tail -n +2 e.tsv | sort -r; } > r.tsv
	run -0 --separate-stderr xsell-audit --events e.tsv
	# Added in line order as doubles, 0.1 + 0.2 + 0.3 was 0.6000000000000001.
	# (the interval's upper bound, column 7, is left out: its last bit is
	# the libm's, and musl's differs from glibc's)
	[ "$(cut -f1-6,8- <<<"${lines[2]}")" = "candidate	A	3	0	0	0	0.6	0.6	0.19999999999999998	" ]
	[[ "$(cut -f7 <<<"${lines[2]}")" == 0.56149703175504* ]]
	xsell-audit --events r.tsv | cmp - <(xsell-audit --events e.tsv)
}

@test "offers: --counts writes exact partial sums; --merge of the pieces equals one process" {
	printf 'context_id\tcandidate_id\tgroup\tconverted\trevenue\tmargin\tchannel\n1\tA\ttreatment\t1\t0.1\t0.05\tweb\n2\tA\ttreatment\t1\t0.2\t-0.5\tapp\n3\tB\ttreatment\t0\t\t\tweb\n4\tA\tcontrol\t1\t5\t1\tweb\n' > e.tsv
	run -0 xsell-audit --events e.tsv --counts
	assert_output - <<'EOF'
kind	group	candidate_id	impressions	conversions	revenue	margin
options	by=none					
events	margin		4	1		
cell		A	2	2	5534023222112865792	-8301034833169298176
cell		B	1	0	0	0
EOF
	for opts in "" "--by channel --what-if acceptance=0.5"; do
		{ head -2 e.tsv | xsell-audit --events - --counts $opts
		  sed 2d e.tsv | xsell-audit --events - --counts $opts; } > sums.tsv
		xsell-audit --events sums.tsv --merge $opts > merged.tsv
		xsell-audit --events e.tsv $opts | cmp - merged.tsv
	done
	run xsell-audit --events sums.tsv --merge
	assert_failure 3
	assert_output --partial 'sums.tsv:2: summed with "by=channel", merging with "by=none"'
	run xsell-audit --events e.tsv --merge
	assert_failure 3
	assert_output --partial "missing required column 'kind'"
	printf 'kind\tgroup\tcandidate_id\timpressions\tconversions\trevenue\tmargin\n' > empty.tsv
	run xsell-audit --events empty.tsv --merge
	assert_failure 3
	assert_output "xsell-audit: empty.tsv: not partial sums of xsell-audit --counts (0 options rows, 0 events rows)"
	printf 'options\tby=none\t\t\t\t\t\ncell\t\tA\t1\t0\t0.5\t0\n' >> empty.tsv
	run xsell-audit --events empty.tsv --merge
	assert_failure 3
	assert_output "xsell-audit: empty.tsv:3: column 'revenue': not a sum in units of 2^-64: \"0.5\""
}

@test "offers: --report and --html show acceptance with intervals" {
	run -0 xsell-audit --events events.tsv --by channel --report --html p.html
	assert_output --partial "Acceptance by group (%), 95% Wilson intervals"
	assert_line --regexp '^P3 +20 +1 +5.0% +0.9-23.6% +30.00 +-5.00 +1.5 +unprofitable'
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

@test "experiment: any group is an arm; without the control arm it is exit 3" {
	printf 'context_id\tcandidate_id\tgroup\nA\tB\tholdout\n' > e.tsv
	run xsell-audit --experiment --events e.tsv
	assert_failure 3
	assert_output "xsell-audit: e.tsv: no control contexts: an experiment needs both arms"
	printf 'context_id\tcandidate_id\tgroup\nA\tB\t\n' > e.tsv
	run xsell-audit --experiment --events e.tsv
	assert_failure 3
	assert_output "xsell-audit: e.tsv:2: column 'group': missing"
	awk 'BEGIN { print "context_id\tcandidate_id\tgroup"; for (i = 0; i < 33; i++) print "c" i "\tP\ta" i }' > e.tsv
	run xsell-audit --experiment --events e.tsv
	assert_failure 3
	assert_output "xsell-audit: e.tsv:34: column 'group': more than 32 arms: \"a32\""
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

# exp-arms.tsv: 400 contexts in three arms (managed 180, learned 170,
# control 50), some with two events. The references were computed with
# Python's mpmath from the contexts summed independently of xsell: the
# pooled z-test and unpooled interval as R's prop.test(correct = FALSE)
# computes them, Welch with Student's t by the incomplete beta, Pearson's
# chi-square by the incomplete gamma. Holm is worked by hand.
arms3() {
	xsell-audit -q --experiment --events exp-arms.tsv "$@"
}

@test "experiment: three arms, each against control and against each other" {
	arms3 > x.tsv
	assert_equal "$(head -1 x.tsv)" "$(printf 'arm\tbaseline\tmetric\tarm_value\tbaseline_value\testimate\tlow\thigh\tp_value\tp_holm\tlift\tlift_low\tlift_high')"
	# the arms, control last, then each arm against control, then the pair
	assert_equal "$(awk -F'\t' 'NR > 1 && $3 == "conversion_rate" { print $1 "/" $2 }' x.tsv | tr '\n' ' ')" \
	    "managed/ learned/ control/ managed/control learned/control learned/managed "
	assert_equal "$(awk -F'\t' '$3 == "conversions" { print $1, $4 }' x.tsv | tr '\n' ' ')" \
	    "managed 25 learned 53 control 3 "
	# prop.test(c(53, 3), c(170, 50), correct = FALSE): X-squared =
	# 12.906230785, difference 0.251764705882, 95% 0.155943479594 to
	# 0.347585932171, p 0.000327490114931
	[ "$(val x.tsv '^learned\tcontrol\tconversion_rate\t' estimate)" = 0.251765 ]
	[ "$(val x.tsv '^learned\tcontrol\tconversion_rate\t' low)" = 0.155943 ]
	[ "$(val x.tsv '^learned\tcontrol\tconversion_rate\t' high)" = 0.347586 ]
	[ "$(val x.tsv '^learned\tcontrol\tconversion_rate\t' p_value)" = 0.000327 ]
	# prop.test(c(25, 3), c(180, 50)): p 0.131248110725;
	# prop.test(c(53, 25), c(170, 180)): p 0.000102683834987
	[ "$(val x.tsv '^managed\tcontrol\tconversion_rate\t' p_value)" = 0.131248 ]
	[ "$(val x.tsv '^learned\tmanaged\tconversion_rate\t' p_value)" = 0.000103 ]
	# Holm by hand: sorted .000102684 x 3 = .000308052, .000327490 x 2 =
	# .000654980, .131248 x 1 = .131248 (each at least the one before)
	[ "$(val x.tsv '^learned\tmanaged\tconversion_rate\t' p_holm)" = 0.000308 ]
	[ "$(val x.tsv '^learned\tcontrol\tconversion_rate\t' p_holm)" = 0.000655 ]
	[ "$(val x.tsv '^managed\tcontrol\tconversion_rate\t' p_holm)" = 0.131248 ]
	# delta-method lift: 53/170 / (3/50) - 1 = 4.196078, 95% -1.621536 to 10.013692
	[ "$(val x.tsv '^learned\tcontrol\tconversion_rate\t' lift)" = 4.196078 ]
	[ "$(val x.tsv '^learned\tcontrol\tconversion_rate\t' lift_low)" = -1.621536 ]
	[ "$(val x.tsv '^learned\tcontrol\tconversion_rate\t' lift_high)" = 10.013692 ]
}

@test "experiment: three arms: Welch on revenue and margin, arms' own intervals" {
	arms3 > x.tsv
	# Welch (t.test) learned against control, revenue per context: 7.4498,
	# 95% 4.32731540803 to 10.572284592, p 5.43043666133e-6, df 153.19
	[ "$(val x.tsv '^learned\tcontrol\trevenue_per_context\t' estimate)" = 7.449800 ]
	[ "$(val x.tsv '^learned\tcontrol\trevenue_per_context\t' low)" = 4.327315 ]
	[ "$(val x.tsv '^learned\tcontrol\trevenue_per_context\t' high)" = 10.572285 ]
	[ "$(val x.tsv '^learned\tcontrol\trevenue_per_context\t' p_value)" = 0.000005 ]
	# margin: 2.70378823529, 95% 1.68663187999 to 3.7209445906
	[ "$(val x.tsv '^learned\tcontrol\tmargin_per_context\t' low)" = 1.686632 ]
	[ "$(val x.tsv '^learned\tcontrol\tmargin_per_context\t' high)" = 3.720945 ]
	# incremental revenue: 7.4498 x 170 contexts
	[ "$(val x.tsv '^learned\tcontrol\tincremental_revenue\t' estimate)" = 1266.466000 ]
	# the control arm's own Wilson interval: 3 of 50, 0.020614970349 to
	# 0.162170916888
	[ "$(val x.tsv '^control\t\tconversion_rate\t' low)" = 0.020615 ]
	[ "$(val x.tsv '^control\t\tconversion_rate\t' high)" = 0.162171 ]
}

@test "experiment: --split tests the sample ratio of every arm" {
	run -0 --separate-stderr arms3 --split managed=0.45,learned=0.45,control=0.1
	echo "$output" > x.tsv
	# chi-square of (180, 170, 50) against 400 x (.45, .45, .1):
	# 0 + 100/180 + 100/40 = 3.0556, 2 df, p = 0.21701739274
	[ "$(val x.tsv '^learned\t\tcontexts\t' p_value)" = 0.217017 ]
	[ "$(val x.tsv '^learned\t\tcontexts\t' baseline_value)" = 0.450000 ]
	[ "$(val x.tsv '^control\t\tcontexts\t' estimate)" = 0.125000 ]
	[ "$stderr" = "" ]
	run -0 --separate-stderr xsell-audit --experiment --events exp-arms.tsv --split managed=0.45,learned=0.45,control=0.1
	[[ "$stderr" == *"sample ratio: shares managed 45.0%, learned 42.5%, control 12.5% against --split managed 45.0%, learned 45.0%, control 10.0%: chi-square 3.056, p = 0.217"* ]]
	# 180, 170, 50 against (.2, .2, .6): a mismatch, a warning, --fail-on
	run --separate-stderr arms3 --split managed=0.2,learned=0.2,control=0.6 --fail-on warning
	assert_failure 1
	[[ "$stderr" == "xsell-audit: sample ratio mismatch: shares managed 45.0%, learned 42.5%, control 12.5%, expected managed 20.0%, learned 20.0%, control 60.0% (p = "* ]]
	# --holdout with three arms: control against the other two together,
	# (350, 50) against (.875, .125): chi-square 0, p 1
	arms3 --holdout 0.125 > x.tsv
	[ "$(val x.tsv '^control\t\tcontexts\t' p_value)" = 1.000000 ]
	# a planned arm that never showed is warned of, its comparisons empty
	run -0 --separate-stderr arms3 --split managed=0.4,learned=0.4,control=0.1,email=0.1
	[[ "$stderr" == *"xsell-audit: exp-arms.tsv: arm email of the split has no contexts"* ]]
	echo "$output" > x.tsv
	[ "$(val x.tsv '^email\tcontrol\tconversion_rate\t' estimate)" = "" ]
}

@test "experiment: --control names the control arm; two arms keep one column each" {
	awk -F'\t' 'NR == 1 || $3 != "learned"' exp-arms.tsv > two.tsv
	run -0 xsell-audit -q --experiment --events two.tsv
	assert_line --index 0 "$(printf 'metric\tmanaged\tcontrol\testimate\tlow\thigh\tp_value')"
	assert_line "$(printf 'conversions\t25\t3\t\t\t\t')"
	run -0 xsell-audit -q --experiment --events two.tsv --control managed
	assert_line --index 0 "$(printf 'metric\tcontrol\tmanaged\testimate\tlow\thigh\tp_value')"
	run -0 arms3 --control learned
	assert_line --partial "$(printf 'managed\tlearned\tconversion_rate\t')"
	assert_line --partial "$(printf 'control\tlearned\tconversion_rate\t')"
	assert_line --partial "$(printf 'control\tmanaged\tconversion_rate\t')"
}

# harm.tsv: control and good convert 30 of 100 contexts, harm 10 of 100;
# each conversion has revenue 10 and margin 5.
harm_events() {
	awk 'BEGIN {
		print "context_id\tcandidate_id\tgroup\tconverted\trevenue\tmargin"
		n = split("control good harm", arm, " ")
		for (a = 1; a <= n; a++)
			for (i = 0; i < 100; i++) {
				c = i < (arm[a] == "harm" ? 10 : 30)
				print arm[a] i "\tP\t" arm[a] "\t" c "\t" 10 * c "\t" 5 * c
			}
	}'
}

@test "experiment: a guardrail fires when an arm lowers conversion or margin" {
	harm_events > harm.tsv
	# prop.test(c(10, 30), c(100, 100), correct = FALSE): X-squared = 12.5,
	# p 0.000406952017445; Holm over the three comparisons (good-control
	# p 1, harm-control and harm-good .000407 each): 3 x .000407 = .001221
	run -0 --separate-stderr xsell-audit -q --experiment --events harm.tsv
	echo "$output" > x.tsv
	[ "$(val x.tsv '^harm\tcontrol\tconversion_rate\t' p_value)" = 0.000407 ]
	[ "$(val x.tsv '^harm\tcontrol\tconversion_rate\t' p_holm)" = 0.001221 ]
	[ "$(val x.tsv '^harm\tgood\tconversion_rate\t' p_holm)" = 0.001221 ]
	[ "$(val x.tsv '^good\tcontrol\tconversion_rate\t' p_holm)" = 1.000000 ]
	# Welch on margin, 0.5 against 1.5 a context: se 0.27524094128, df
	# 170.69, p 0.000370078512944; x 3 = .00111024
	[ "$(val x.tsv '^harm\tcontrol\tmargin_per_context\t' p_holm)" = 0.001110 ]
	# the interval by hand: -0.2 +- 1.959964 sqrt(.1 x .9 / 100 + .3 x .7 / 100)
	# = -0.2 +- 0.107353; Welch's on margin: -1 +- t(.975, 170.69) x 0.275241
	# warned always, an error finding for --fail-on; not for the pair
	# harm-good, which is no guardrail, nor good-control
	assert_equal "$stderr" "xsell-audit: guardrail: arm harm lowers conversion_rate against control: -0.2 (-0.3074 to -0.09265), p_holm 0.00122 < 0.05
xsell-audit: guardrail: arm harm lowers margin_per_context against control: -1 (-1.543 to -0.4567), p_holm 0.00111 < 0.05"
	run -0 xsell-audit -q --experiment --events harm.tsv --fail-on warning --alpha 0.001
	run xsell-audit -q --experiment --events harm.tsv --fail-on error
	assert_failure 1
	# two arms: p_holm is p; margin's .000370 is below --alpha, conversion's
	# .000407 is not
	grep -v '^good' harm.tsv > harm2.tsv
	run --separate-stderr xsell-audit -q --experiment --events harm2.tsv --fail-on error --alpha 0.0004
	assert_failure 1
	assert_equal "$stderr" "xsell-audit: guardrail: arm harm lowers margin_per_context against control: -1 (-1.543 to -0.4567), p_holm 0.00037 < 0.0004"
	# once on stderr without -q as well; the report says it too
	run --separate-stderr xsell-audit --experiment --events harm2.tsv
	[ "$(grep -c guardrail <<<"$stderr")" = 2 ]
	run -0 xsell-audit --experiment --events harm2.tsv --report 2>/dev/null
	assert_line "guardrail: arm harm lowers conversion_rate against control (p_holm 0.000407)"
}

@test "experiment: --report and --html say first whether to stop an arm" {
	harm_events > harm.tsv
	run -0 --separate-stderr xsell-audit --experiment --events harm.tsv --report
	assert_equal "$(sed -n 3p <<<"$output")" "stop: arm harm lowers conversion_rate and margin_per_context against control"
	assert_equal "$(sed -n 5p <<<"$output")" "guardrail: arm harm lowers conversion_rate against control (p_holm 0.00122)"
	# no harm: go on; a split far from the plan: check the assignment
	grep -v '^harm' harm.tsv > good.tsv
	run -0 --separate-stderr xsell-audit --experiment --events good.tsv --report
	assert_equal "$(sed -n 3p <<<"$output")" "no guardrail fired: no arm lowers conversion or margin against control (alpha 0.05)"
	run -0 --separate-stderr xsell-audit --experiment --events good.tsv --holdout 0.1 --report
	assert_equal "$(sed -n 3p <<<"$output")" "check the assignment first: the arms' shares are not the planned ones (p = 2.61e-79)"
	run -0 xsell-audit -q --experiment --events harm.tsv --html page.html -o /dev/null
	grep -q '<p class="verdict l2">stop: arm harm lowers conversion_rate and margin_per_context against control</p>' page.html
}

@test "experiment: --by channel: each cell's read-out, small cells flagged" {
	# contexts 0-79 of each arm on web, 80-99 on email
	harm_events | awk -F'\t' 'BEGIN { OFS = "\t" }
	    NR == 1 { print $0, "channel"; next }
	    { sub(/^[a-z]+/, "", $1); i = $1 + 0; $1 = $3 i; print $0, i < 80 ? "web" : "email" }' > by.tsv
	run -0 --separate-stderr xsell-audit --experiment --events by.tsv --by channel
	echo "$output" > x.tsv
	assert_equal "$(head -1 x.tsv | cut -f1-4)" "$(printf 'level\tchannel\tarm\tbaseline')"
	assert_equal "$(head -1 x.tsv | awk -F'\t' '{ print $NF }')" small
	# the whole experiment first (as without --by), then the cells in byte order
	assert_equal "$(awk -F'\t' '$3 == "harm" && $4 == "control" && $5 == "conversion_rate" { print $1 ":" $2 }' x.tsv | tr '\n' ' ')" \
	    "total: cell:email cell:web "
	# web: prop.test(c(10, 30), c(80, 80), correct = FALSE): X-squared =
	# 13.333, p 0.000260729632855; -0.25, 95% -0.378476723068 to -0.121523276932
	[ "$(val x.tsv '^cell\tweb\tharm\tcontrol\tconversion_rate\t' p_value)" = 0.000261 ]
	[ "$(val x.tsv '^cell\tweb\tharm\tcontrol\tconversion_rate\t' low)" = -0.378477 ]
	[ "$(val x.tsv '^cell\tweb\tharm\tcontrol\tconversion_rate\t' high)" = -0.121523 ]
	[ "$(val x.tsv '^total\t\tharm\tcontrol\tconversion_rate\t' p_value)" = 0.000407 ]
	# email has 20 contexts an arm and no conversion: too small to read
	[ "$(awk -F'\t' '$2 == "email" { print $NF }' x.tsv | sort -u)" = 1 ]
	[ "$(awk -F'\t' '$2 == "web" || $1 == "total" { print $NF }' x.tsv | sort -u)" = "" ]
	[[ "$stderr" == *"1 cell of channel too small to read (an arm with fewer than 30 contexts, or 5 conversions or non-conversions): email"* ]]
	run -0 xsell-audit --experiment --events by.tsv --by channel --report
	assert_output --partial "email: harm (small)"
}

@test "experiment: --by subject and category; a context in two cells counts in both" {
	run -0 xsell-audit -q --experiment --events exp-arms.tsv --by subject
	echo "$output" > x.tsv
	# the cells' contexts add up to the total's (each context has one subject)
	for a in managed learned control; do
		total=$(awk -F'\t' -v a=$a '$1 == "total" && $3 == a && $5 == "contexts" { print $6 }' x.tsv)
		cells=$(awk -F'\t' -v a=$a '$1 == "cell" && $3 == a && $5 == "contexts" { n += $6 } END { print n }' x.tsv)
		[ "$total" = "$cells" ] || { echo "$a: $total $cells"; false; }
	done
	assert_equal "$(awk -F'\t' '$1 == "cell" { print $2 }' x.tsv | uniq | tr '\n' ' ')" "S1 S2 S3 "
	# category from --catalog: P0-P4; a context whose two events are of
	# two categories is in both cells; P4 is not in the catalog: (none)
	printf 'product_id\tcategory\nP0\tbags\nP1\tbags\nP2\tshoes\nP3\tshoes\n' > cat.tsv
	run -0 xsell-audit -q --experiment --events exp-arms.tsv --by category --catalog cat.tsv
	echo "$output" > x.tsv
	assert_equal "$(awk -F'\t' '$1 == "cell" { print $2 }' x.tsv | uniq | tr '\n' ' ')" " bags shoes "
	# by awk: control contexts with an event of a bags candidate
	want=$(awk -F'\t' '$3 == "control" && ($2 == "P0" || $2 == "P1") && !s[$1]++' exp-arms.tsv | wc -l)
	[ "$(awk -F'\t' '$2 == "bags" && $3 == "control" && $5 == "contexts" { print $6 }' x.tsv)" = "$want" ]
	run xsell-audit -q --experiment --events exp-arms.tsv --by category
	assert_failure 3
	assert_output "xsell-audit: exp-arms.tsv: --by category needs a category column or --catalog"
	run xsell-audit -q --experiment --events exp-rate.tsv --by channel
	assert_failure 3
	assert_output --partial "missing required column 'channel'"
}

@test "experiment: --sequential adds the always-valid interval (mixture SPRT)" {
	run -0 xsell-audit -q --experiment --events exp-rate.tsv --sequential --horizon 100
	echo "$output" > x.tsv
	assert_line --index 0 "$(printf 'metric\ttreatment\tcontrol\testimate\tlow\thigh\tp_value\tseq_low\tseq_high\tseq_p')"
	# mpmath: Lambda(t) of Johari, Pekelis and Walsh (2017) for d = 0.2,
	# s2 = .5 x .5 / 50 + .3 x .7 / 50, tau2 = x s2 100 / 100, x the root
	# of x = log(1 + x) + 2 log 20; findroot of Lambda(t) = 20:
	# -0.0911187149103 and 0.491118714910; 1 / Lambda(0) = 0.437064987974
	[ "$(val x.tsv '^conversion_rate' seq_low)" = -0.091119 ]
	[ "$(val x.tsv '^conversion_rate' seq_high)" = 0.491119 ]
	[ "$(val x.tsv '^conversion_rate' seq_p)" = 0.437065 ]
	# the fixed-horizon columns do not move
	[ "$(val x.tsv '^conversion_rate' p_value)" = 0.041227 ]
	# harm.tsv: fixed-horizon p .000407 fires the guardrail; the
	# always-valid p at horizon 10000 (mpmath as above: 0.421290213262)
	# does not, so a daily job is not stopped by a chance low
	harm_events > harm.tsv
	run -0 xsell-audit -q --experiment --events harm.tsv --sequential --fail-on error
	echo "$output" > x.tsv
	[ "$(val x.tsv '^harm\tcontrol\tconversion_rate\t' seq_p)" = 0.421290 ]
}

@test "experiment: --covariate adjusts by CUPED and shows the variance reduction" {
	# six contexts an arm, pre-period x and revenue y (tests/unit/test-experiment.c)
	{
		printf 'context_id\tcandidate_id\tgroup\tconverted\trevenue\tpre\n'
		for p in T:treatment:1:3 T:treatment:2:5 T:treatment:3:4 T:treatment:4:7 T:treatment:5:8 T:treatment:6:9 \
		    C:control:1:2 C:control:2:2 C:control:3:5 C:control:4:4 C:control:5:6 C:control:7:8; do
			IFS=: read -r c g x y <<<"$p"
			printf '%s%s%s\tP\t%s\t1\t%s\t%s\n' "$c" "$x" "$y" "$g" "$y" "$x"
		done
	} > cuped.tsv
	run -0 --separate-stderr xsell-audit --experiment --events cuped.tsv --covariate pre
	echo "$output" > x.tsv
	# mpmath, by the definitions: theta = cov(x, y) / var(x) over the 12
	# contexts = 1.08146639511; Welch on y - theta (x - xbar): 1.68024439919,
	# 95% 0.689894627208 to 2.67059417116, p 0.00360283854015; variance of
	# the estimate 0.893235165886 smaller than the plain difference's (1.5)
	[ "$(val x.tsv '^revenue_per_context' estimate)" = 1.500000 ]
	[ "$(val x.tsv '^revenue_per_context' cuped_estimate)" = 1.680244 ]
	[ "$(val x.tsv '^revenue_per_context' cuped_low)" = 0.689895 ]
	[ "$(val x.tsv '^revenue_per_context' cuped_high)" = 2.670594 ]
	[ "$(val x.tsv '^revenue_per_context' cuped_p)" = 0.003603 ]
	[ "$(val x.tsv '^revenue_per_context' variance_reduction)" = 0.893235 ]
	[ "$(val x.tsv '^incremental_revenue' cuped_estimate)" = 10.081466 ]
	[[ "$stderr" == *"cuped: treatment - control: variance of the estimate reduced by -"*", 89.3% (revenue)"* ]]
	run xsell-audit -q --experiment --events cuped.tsv --covariate pre30
	assert_failure 3
	assert_output --partial "missing required column 'pre30'"
}

@test "plan: contexts per arm and days (xsell-uplift(7)'s example)" {
	# 4% against 7% (mde 0.75), 10% control, 80% power:
	# (1.959964 + 0.841621)^2 (0.07 x 0.93 / 0.9 + 0.04 x 0.96 / 0.1) / 0.03^2
	# = 3979.7: 3980 contexts, 398 in control, 32 days at 125 a day
	run -0 xsell-audit -q --plan --baseline 0.04 --mde 0.75 --traffic 125/day --split treatment=0.9,control=0.1
	assert_output "$(printf 'arm\tshare\trate\tcontexts\tdays\ntreatment\t0.9\t0.07\t3582\t32\ncontrol\t0.1\t0.04\t398\t32\ntotal\t1\t\t3980\t32')"
	# three arms: 3 comparisons at 0.05 / 3; Python's statistics.NormalDist:
	# (inv_cdf(1 - 0.05/6) + inv_cdf(0.8))^2 x 3 (.055 x .945 + .05 x .95)
	# / .005^2 = 124969.81: 124970, 41657 an arm, 25 days at 5000
	run -0 xsell-audit -q --plan --baseline 0.05 --mde 0.1 --traffic 5000 --arms 3 -j
	assert_line --index 0 '{"arm":"arm1","share":0.3333333333333333,"rate":0.055,"contexts":41657,"days":25}'
	assert_line --index 2 '{"arm":"control","share":0.3333333333333333,"rate":0.05,"contexts":41657,"days":25}'
	assert_line --index 3 '{"arm":"total","share":1,"rate":null,"contexts":124970,"days":25}'
	run -0 xsell-audit --plan --baseline 0.05 --mde 0.1 --traffic 5000 --arms 3 --report
	assert_line "plan: 3 arms, 3 comparisons at alpha 0.01667 each (0.05 / 3, Holm's first step), power 80.0%: 5.5% against 5.0% needs 124970 contexts in all, 25 days at 5000 a day"
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

@test "qini: the auuc column is the area so far; the last row's is the AUUC, full precision" {
	run -0 xsell-audit -q --qini --events qini.tsv
	# by hand (x in sixths): 0, .5, 1.5, 3, 4.5, 5.25, 6, over 6
	[ "$(echo "$output" | cut -f9 | tr '\n' ' ')" = "auuc 0 0.08333333333333333 0.25 0.5 0.75 0.875 1 " ]
	# T 1, C 0, C 0: qini 1 from the first unit on; area 1/6 + 1/3 + 1/3
	printf 'context_id\tcandidate_id\tgroup\tconverted\tscore\nA\tx\ttreatment\t1\t0.9\nB\tx\tcontrol\t0\t0.8\nC\tx\tcontrol\t0\t0.7\n' > q3.tsv
	run -0 xsell-audit --qini --events q3.tsv
	assert_output --partial "qini: auuc 0.833333, random 0.5"
	assert_line "$(printf '3\t1\t1\t2\t1\t0\t1\t1\t0.8333333333333333')"
	run -0 xsell-audit -q -j --qini --events q3.tsv
	[ "$(echo "$output" | jq -s '.[-1].auuc')" = 0.8333333333333333 ]
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

# ---- totals too large for a double ----

# Table: the options, the error. A total that overflows used to crash the
# formatter (orders) or print nothing (events); now exit 3 at the row that
# overflowed, and nothing on stdout (offer performance sums exactly, so a
# value of 2^62 or more is out of range at its own row). Sums of magnitudes are what is
# checked, so 1e308 and -1e308 are too large although they cancel.
@test "totals past the largest double are exit 3 naming the column and row" {
	printf 'order_id\tproduct_id\tquantity\tprice\nO1\tP7\t1\t1e308\nO2\tP7\t1\t1e308\n' > o1.tsv
	printf 'order_id\tproduct_id\tquantity\tprice\nO1\tP7\t1e200\t1e200\n' > o2.tsv
	printf 'order_id\tproduct_id\tquantity\tprice\nO1\tP7\t1\t1e308\nO2\tP8\t-1\t1e308\n' > o3.tsv
	printf 'context_id\tcandidate_id\tgroup\tconverted\trevenue\tmargin\n' > ev.tsv
	{ cat ev.tsv; printf 'x1\tc\ttreatment\t1\t1e308\t1\nx2\td\ttreatment\t1\t1e308\t1\n'; } > e1.tsv
	{ cat ev.tsv; printf 'x1\tc\ttreatment\t1\t1\t-1e308\nx2\tc\ttreatment\t1\t1\t-1e308\n'; } > e2.tsv
	{ cat ev.tsv; printf 'x1\tc\ttreatment\t1\t1e200\t1\nx2\tc\tcontrol\t1\t1\t1\n'; } > e3.tsv
	while IFS='|' read -r args msg; do
		run --separate-stderr xsell-audit -q $args
		[ "$status" -eq 3 ] && [ -z "$output" ] && [ "$stderr" = "$msg" ] ||
		    { echo "$args: status $status, stdout '$output', stderr '$stderr'"; return 1; }
	done <<'EOF'
--catalog catalog.tsv --orders o1.tsv relations.tsv|xsell-audit: o1.tsv:3: column 'price': sum out of range
--catalog catalog.tsv --orders o2.tsv relations.tsv|xsell-audit: o2.tsv:2: column 'price': sum out of range
--catalog catalog.tsv --orders o3.tsv relations.tsv|xsell-audit: o3.tsv:3: column 'price': sum out of range
--events e1.tsv|xsell-audit: e1.tsv:2: column 'revenue': out of range: 1e+308
--events e2.tsv|xsell-audit: e2.tsv:2: column 'margin': out of range: -1e+308
--experiment --events e3.tsv|xsell-audit: e3.tsv:2: column 'revenue': sum out of range
EOF
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

@test "gen-audit-events -a: arms with planted effects; the harmful one trips the guardrail" {
	"$ROOT/scripts/gen-audit-events" -n 3000 -s 3 relations.tsv catalog.tsv > e1.tsv
	# the arm draw takes the place of the holdout draw: same stream
	"$ROOT/scripts/gen-audit-events" -n 3000 -s 3 -a control=0.1:0,treatment=0.9:1 relations.tsv catalog.tsv > e2.tsv
	cmp e1.tsv e2.tsv
	"$ROOT/scripts/gen-audit-events" -n 6000 -s 7 -a managed=0.3:1,learned=0.3:1.4,pushy=0.3:-0.5,control=0.1:0 \
	    relations.tsv catalog.tsv > arms.tsv
	assert_equal "$(cut -f3 arms.tsv | tail -n +2 | sort -u | tr '\n' ' ')" "control learned managed pushy "
	run xsell-audit -q --experiment --events arms.tsv --split managed=0.3,learned=0.3,pushy=0.3,control=0.1 --fail-on error
	assert_failure 1
	assert_output --partial "guardrail: arm pushy lowers conversion_rate against control"
	refute_output --partial "guardrail: arm managed"
	refute_output --partial "guardrail: arm learned"
}

# ---- reports a merchandiser reads ----

@test "--report: a one-line verdict first, by --fail-on and what was found" {
	# (bats leaves blank lines out of $lines: the heading, then the verdict)
	run -0 audit_all --report
	assert_line --index 1 "not ready to upload: 5 errors, 14 warnings (and 2 info)"
	run -1 audit_all --report --fail-on error
	assert_line --index 1 "upload blocked: 5 errors, 14 warnings (and 2 info)"
	run -0 xsell-audit --catalog clean-catalog.tsv --report clean-relations.tsv
	assert_line --index 1 "ready to upload: no errors or warnings"
	printf 'subject_id\tlinked_id\ttype\nA\tB\tnope\n' > warn.tsv
	run -0 xsell-audit --report warn.tsv
	assert_line --index 1 "ready to upload: 1 warning to review"
	# the page says it first too, coloured by level
	run -1 audit_all -q --fail-on error --html page.html
	grep -q '<p class="verdict l2">upload blocked: 5 errors, 14 warnings (and 2 info)</p>' page.html
}

@test "--report: findings errors first, titles beside ids, severity on each row" {
	run -0 bash -c 'audit_all() { xsell-audit --catalog catalog.tsv --orders orders.tsv --max-age 365 --now 2024-06-01 --max-links 5 "$@" relations.tsv; }; audit_all --report | sed -n "/^Findings, errors first\$/,/^\$/p" | cut -c1-40'
	assert_line --index 1 "check               severity  subject   "
	assert_line --index 2 "missing_id          error               "
	assert_line --index 4 "self_link           error     P1 Phone  "
	# every error before the first warning, every warning before info
	sev=$(sed -n '3,$p' <<<"$output" | awk '/^[a-z]/ { print $2 }' | uniq | tr '\n' ' ')
	[ "$sev" = "error warning info " ] || { echo "$sev"; return 1; }
	# the page: rows classed by severity, titles too
	run -0 audit_all -q --html page.html
	grep -q '<tr class=error><td>self_link</td><td class=sev>error</td><td>P1 Phone</td><td>P1 Phone</td>' page.html
	grep -q '<tr class=info><td>empty_subject</td>' page.html
}

@test "--report: a long list shows its first and last 10, the rest is in the TSV" {
	{ printf 'subject_id\tlinked_id\n'; for i in $(seq 11 35); do printf 'S%s\tS%s\n' $i $i; done; } > self.tsv
	run -0 bash -c 'xsell-audit --report self.tsv | sed -n "/^Findings, errors first\$/,\$p"'
	assert_line --index 2 --regexp '^self_link +error +S11 +S11 +links to itself \(self.tsv:2\)$'
	assert_line --index 11 --regexp '^self_link +error +S20 +S20 '
	assert_line --index 12 "  ... 5 more self_link findings (the TSV output has them all)"
	assert_line --index 13 --regexp '^self_link +error +S26 +S26 '
	assert_line --index 22 --regexp '^self_link +error +S35 +S35 '
	run -0 --separate-stderr xsell-audit self.tsv
	[ "$(grep -c '^self_link' <<<"$output")" -eq 25 ]
}

@test "--report: tables fit 132 columns on a page; long details wrap, titles are cut" {
	awk -F'\t' -v OFS='\t' 'NR > 1 { $2 = $2 " with a rather long product title to show" } 1' catalog.tsv > long.tsv
	# (an ellipsis is three bytes and one column)
	run -0 bash -c 'xsell-audit --catalog long.tsv --orders orders.tsv --max-age 365 --now 2024-06-01 --report relations.tsv | sed "s/\xe2\x80\xa6/./g" | awk "length > 132" | wc -l'
	assert_output 0
	run -0 bash -c 'xsell-audit --catalog long.tsv --orders orders.tsv --max-age 365 --now 2024-06-01 --report relations.tsv'
	assert_output --partial "P1 Phone with a…        P6 Phone Pro with a…"
}

# An 80-column terminal: a finding's detail and a candidate's flags go
# below their row, offer tables take short headings, bars and chart spans
# shrink, and paragraphs and titles break at spaces.
@test "--report on an 80-column terminal: no line wider; details and flags below their rows" {
	command -v script > /dev/null || skip "script(1) is not installed"
	awk -F'\t' -v OFS='\t' 'NR > 1 { $2 = $2 " with a rather long product title to show" } 1' catalog.tsv > long.tsv
	script -qec "stty rows 200 cols 80; NO_COLOR=1 xsell-audit --catalog long.tsv --orders orders.tsv --max-age 365 --now 2024-06-01 --report relations.tsv" /dev/null | tr -d '\r' > rel.txt
	script -qec "stty rows 200 cols 80; NO_COLOR=1 xsell-audit --events events.tsv --catalog catalog.tsv --min-acceptance 0.3 --report relations.tsv" /dev/null | tr -d '\r' > off.txt
	# long titles: the interval chart's span gets shorter
	script -qec "stty rows 200 cols 80; NO_COLOR=1 xsell-audit --events events.tsv --catalog long.tsv --report relations.tsv" /dev/null | tr -d '\r' > long.txt
	grep -q '^P2 Case with a rather long product …  |  *\[-*o-*\]  40% \[16.82, 68.73%\]$' long.txt
	run -0 bash -c 'sed "s/\xe2\x80\xa6/./g" rel.txt off.txt long.txt | awk "length > 80"'
	assert_output ""
	run -0 grep -A1 '^self_link .* P1 Phone' rel.txt
	assert_output "$(printf '%s\n' 'self_link           error     P1 Phone with a…        P1 Phone with a…' \
	    '  links to itself (relations.tsv:7)')"
	run -0 grep -A1 '^P3 Charger  *20 ' off.txt
	assert_output "$(printf '%s\n' 'P3 Charger    20     1    5.0%   0.9-23.6%    30.00   -5.00       1.5' \
	    '  retire,unprofitable')"
	grep -qx 'candidate   impr  conv  accept      95% CI  revenue  margin  rev/impr' off.txt
	grep -qx '  flags' off.txt
	# a file is laid out for 132 columns, as before, and the page keeps
	# the flags in a plain cell
	run -0 xsell-audit --events events.tsv --catalog catalog.tsv --min-acceptance 0.3 --report --html p.html relations.tsv
	assert_line --regexp '^P3 Charger +20 +1 +5.0% +0.9-23.6% +30.00 +-5.00 +1.5 +retire,unprofitable$'
	grep -q '<td>retire,unprofitable</td></tr>' p.html
}

@test "experiment --report on an 80-column terminal: the comparisons in tables that fit" {
	command -v script > /dev/null || skip "script(1) is not installed"
	harm_events > harm.tsv
	script -qec "stty rows 200 cols 80; NO_COLOR=1 xsell-audit --experiment --events harm.tsv --sequential --covariate revenue --report" /dev/null 2>/dev/null | tr -d '\r' > e.txt
	run -0 bash -c 'sed "s/\xe2\x80\xa6/./g" e.txt | awk "length > 80"'
	assert_output ""
	grep -qx 'arm   vs       metric               diff      low      high   p_value   p_holm' e.txt
	grep -q '^Relative lift: arm over baseline' e.txt
	grep -q '^Sequential: always-valid' e.txt
	grep -q '^CUPED: adjusted by the covariate' e.txt
	# a file has the full headings, each group a table of its own
	run -0 --separate-stderr xsell-audit --experiment --events harm.tsv --report
	assert_line --regexp '^arm +baseline +metric +estimate +low +high +p_value +p_holm$'
	assert_line --regexp '^arm +baseline +metric +lift +lift_low +lift_high$'
}

@test "--report on a short terminal folds info rows to counts; colours unless NO_COLOR" {
	command -v script > /dev/null || skip "script(1) is not installed"
	{ printf 'product_id\tstatus\n'; for i in $(seq 1 40); do printf 'E%s\tactive\n' $i; done; printf 'A\tactive\n'; } > cat.tsv
	printf 'subject_id\tlinked_id\nA\tA\n' > rel.tsv
	run -0 script -qec "stty rows 20 cols 150; xsell-audit --catalog cat.tsv --report rel.tsv" /dev/null
	assert_output --partial "empty_subject  info                       41 findings, folded to their count on this terminal (the TSV output has them all)"
	assert_output --partial $'\033[1;31m'
	refute_output --partial "E40"
	run -0 script -qec "stty rows 20 cols 150; NO_COLOR=1 xsell-audit --catalog cat.tsv --report rel.tsv" /dev/null
	refute_output --partial $'\033['
	# a tall terminal has room for every row (the first and last 10)
	run -0 script -qec "stty rows 100 cols 150; xsell-audit --catalog cat.tsv --report rel.tsv" /dev/null
	assert_output --partial "... 21 more empty_subject findings"
	# not a terminal: no colour, nothing folded to a count
	run -0 xsell-audit --catalog cat.tsv --report rel.tsv
	refute_output --partial $'\033['
	refute_output --partial "folded"
}

@test "offers --report: titles, first and last 10 per group, the --min-acceptance line drawn, units in %" {
	run -0 xsell-audit --events events.tsv --catalog catalog.tsv --min-acceptance 0.3 --report --html p.html relations.tsv
	assert_line "flagged: 3 errors (missing_id 1, bad_date 1, untracked 1), 5 warnings (unknown_type 1, duplicate_product 1, unknown_status 1, retire 1, unprofitable 1)"
	assert_line "P3 Charger  |[-o---------]   !                        5% [0.8881, 23.61%]"
	assert_line "            ! marks --min-acceptance (30%)"
	assert_line --regexp '^P3 Charger +20 +1 +5.0% +0.9-23.6% +30.00 +-5.00 +1.5 +retire,unprofitable$'
	# the page: one unit on the axis, the threshold drawn and named
	grep -q 'stroke-dasharray="6 3"' p.html
	grep -q '>--min-acceptance 30%</text>' p.html
	grep -q '>68.7%</text>' p.html
	grep -q '<tr class=warning><td>P3 Charger</td>' p.html
	grep -q '<tr class=error><td>Z9</td>' p.html
}

@test "offers --report: a trend by day when events carry ts, by week past 62 days" {
	run -0 bash -c 'xsell-audit --events events.tsv --report | sed -n "/^Acceptance by day\$/,/^\$/p"'
	assert_output "Acceptance by day
period      impressions  conversions  acceptance  revenue
2024-05-02            5            2       40.0%    40.00  ##############################
2024-05-03           21            2        9.5%    50.00  #######
2024-05-04            3            1       33.3%    20.00  #########################
2024-05-05            1            0        0.0%     0.00  
2024-05-06            1            0        0.0%     0.00  
2024-05-07            1            0        0.0%     0.00  "
	# 2024-05-06 is a Monday; a bad ts is left out and counted
	printf 'context_id\tcandidate_id\tconverted\tts\nc\tA\t1\t2024-05-06\nc\tA\t0\t2024-05-12T23:59:59Z\nc\tA\t0\t2024-05-13\nc\tA\t1\t2024-08-01\nc\tA\t1\tsoon\n' > wk.tsv
	run -0 bash -c 'xsell-audit --events wk.tsv --report | sed -n "/^Acceptance by week/,/^\$/p" | grep -v "^\$" | sed -n "1,5p;\$p"'
	assert_output "Acceptance by week (weeks start on Monday); 1 events without a date left out
period      impressions  conversions  acceptance  revenue
2024-05-06            2            1       50.0%     0.00  ###############
2024-05-13            1            0        0.0%     0.00  
2024-05-20            0            0           -     0.00  
2024-07-29            1            1      100.0%     0.00  ##############################"
	run -0 xsell-audit --events wk.tsv --html wk.html -q
	grep -q 'Acceptance by week (%)' wk.html
	grep -q '>2024-05-06</text>' wk.html
	# without ts: no trend
	cut -f1-7 events.tsv > nots.tsv
	run -0 xsell-audit --events nots.tsv --report
	refute_output --partial "Acceptance by"
}

@test "--html at 1280 px: every table and chart fits the window (headless Chromium)" {
	command -v chromium > /dev/null || skip "chromium is not installed"
	command -v python3 > /dev/null || skip "python3 is not installed"
	run -1 audit_all -q --fail-on error --html page.html
	run -0 xsell-audit -q --events events.tsv --by channel --catalog catalog.tsv --min-acceptance 0.1 --what-if acceptance=0.2 --html offers.html relations.tsv
	for p in page offers; do
		timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		    --screenshot="$PWD/$p.png" --window-size=1280,3000 "file://$PWD/$p.html" 2>/dev/null
		# nothing drawn in the right-hand 20 px (the page's margin is
		# 28): no table or chart runs off the page
		run -0 python3 "$ROOT/tests/png-margin.py" "$p.png" 20
		assert_output "1280 white"
	done
}

@test "--csv-out: the findings and offer tables as RFC 4180 CSV; not with --report" {
	run -1 --separate-stderr audit_all --fail-on error --csv-out
	assert_line --index 0 $'check,severity,subject_id,linked_id,detail\r'
	assert_line $'self_link,error,P1,P1,links to itself (relations.tsv:7)\r'
	assert_line $'bad_date,error,P5,P2,"updated ""yesterday"" is not a date (relations.tsv:18)"\r'
	assert_line $'empty_subject,info,P7,,active product with no links; order revenue 10\r'
	run -0 --separate-stderr xsell-audit -q --events events.tsv --csv-safe
	assert_line --index 0 $'level,candidate_id,impressions,conversions,acceptance,acceptance_low,acceptance_high,revenue,margin,revenue_per_impression,flags\r'
	run -2 xsell-audit --report --csv-out relations.tsv
	assert_output "xsell-audit: --report and --csv-out are different outputs; pick one"
}
