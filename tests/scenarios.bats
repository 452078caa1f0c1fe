#!/usr/bin/env bats
# The seed scenarios end to end (scripts/scenario-bank, scripts/scenario-shop,
# also run by `make demo`): what a bank and a shop would put live.

load helper

# --- the bank ---

@test "bank: the premier customer of 36 months without a card gets exactly savings and the card, the card first" {
	"$ROOT/scripts/scenario-bank" bank
	cd bank
	run bash -o pipefail -c "awk -F'\t' 'NR == 1 || \$1 == \"T1\"' ranked.tsv | pick context_id channel candidate_id rank group"
	assert_success
	# Four offers: the month's cap of 4, so the branch list stays empty.
	assert_output "T1 email credit_card 1 treatment
T1 email savings 2 treatment
T1 in_app credit_card 1 treatment
T1 in_app savings 2 treatment"
	run bash -o pipefail -c "awk -F'\t' '\$1 == \"T1\"' assignments.tsv | cut -f2,3,4,6"
	assert_output "email	treatment	credit_card	1
email	treatment	savings	2
in_app	treatment	credit_card	1
in_app	treatment	savings	2
branch	treatment		"
	# Checking is held; the mortgage wants 48 months.
	run bash -o pipefail -c "awk -F'\t' 'NR == 1 || \$1 == \"T1\"' rejected.tsv | pick candidate_id channel rejected_by"
	assert_output "checking email not_held
checking in_app not_held
mortgage branch mortgage_established"
}

@test "bank: every offer shown passed its rules, on its channel, within the cap, outside the holdout" {
	"$ROOT/scripts/scenario-bank" bank
	cd bank
	# Rules, channels and the cap, row by row; prints what is wrong.
	run awk -F'\t' '
	FILENAME == "offers.tsv" { if (FNR > 1) ch[$1] = "," $6 ","; next }
	FILENAME == "customers.tsv" { if (FNR > 1) { tier[$1] = $2; ten[$1] = $3; card[$1] = $4; hold[$1] = "," $5 "," }; next }
	FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{	u = $c["context_id"]; o = $c["candidate_id"]; n[u]++
		if (index(hold[u], "," o ",")) print "held:", u, o
		if (o == "savings" && !index(hold[u], ",checking,")) print "savings without checking:", u
		if (o == "credit_card" && !(card[u] == "false" && ten[u] >= 12)) print "card:", u
		if (o == "mortgage" && !((tier[u] == "plus" || tier[u] == "premier") && ten[u] >= 48)) print "mortgage:", u
		if (index($c["channel"], ",") || !index(ch[o], "," $c["channel"] ",")) print "channel:", u, o, $c["channel"]
		if ($c["group"] != "treatment") print "group:", u
		if (!($c["expected_value"] > 0)) print "no expected value:", u, o
	}
	END { for (u in n) if (n[u] > 4) print "over the cap:", u, n[u] }' offers.tsv customers.tsv ranked.tsv
	assert_success
	assert_output ""
	# T4 was contacted 4 times this month: nothing. T5 3 times (and once
	# in February): one offer.
	run bash -o pipefail -c "awk -F'\t' 'NR == 1 || \$1 ~ /^T[45]\$/' ranked.tsv | pick context_id channel candidate_id"
	assert_output "T5 email credit_card"
	# The holdout: control customers get nothing and are logged.
	run awk -F'\t' 'NR == FNR { if (FNR > 1) shown[$1] = 1; next }
	    FNR > 1 && !seen[$1]++ { n[$3]++; if ($3 == "control" && ($1 in shown)) bad++ }
	    END { s = n["control"] / (n["control"] + n["treatment"])
		print n["control"] + n["treatment"], (s > 0.05 && s < 0.15) ? "about 10%" : s, bad + 0 }' ranked.tsv assignments.tsv
	assert_output "270 about 10% 0"
}

@test "bank: each channel's weights, propensity from the uplift model, and an explanation that adds up" {
	"$ROOT/scripts/scenario-bank" bank
	cd bank
	run awk -F'\t' '
	FILENAME == "weights.tsv" { if (FNR > 1) { w[$1] = $2 " " $3 " " $4 " " $5 " " $6 }; next }
	FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{	got = $c["p_weight"] " " $c["r_weight"] " " $c["i_weight"] " " $c["e_weight"] " " $c["u_weight"]
		if (got != w[$c["channel"]]) print "weights:", $1, $c["channel"], got
		if ($c["p_input"] != "treated_rate") print "propensity:", $1, $c["candidate_id"], $c["p_input"]
		if ($c["u_input"] != "model") print "uplift:", $1, $c["candidate_id"], $c["u_input"]
		sum = $c["p_contribution"] + $c["r_contribution"]
		sum += $c["i_contribution"]; sum += $c["e_contribution"]; sum += $c["u_contribution"]
		if (sum != $c["score"]) print "sum:", $1, $c["candidate_id"], sum, $c["score"]
	}' weights.tsv ranked.tsv
	assert_success
	assert_output ""
	run bash -o pipefail -c "awk -F'\t' 'NR == 1 || \$1 == \"T1\"' ranked.tsv | pick channel candidate_id p_raw i_raw u_weight | sed -n 1,2p"
	assert_output "email credit_card 0.04034 80 0.5
email savings 0.40444 60 0.5"
}

# --- the shop ---

# check_shop KIND: what is wrong with ranked-KIND.tsv against the catalog
# and the contexts (KIND.tsv), one line each; nothing when all is well.
check_shop() {
	awk -F'\t' -v K=2 -v TOP=4 '
	FILENAME == "catalog.tsv" { if (FNR > 1) { st[$1] = $8; stock[$1] = $7; cat[$1] = $3 }; next }
	FILENAME ~ /^(pages|carts|emails)\.tsv$/ {
		if (FNR == 1) { for (i = 1; i <= NF; i++) x[$i] = i; next }
		own[$1] = "," (x["subject_id"] ? $x["subject_id"] : "") "," \
		    (x["items"] ? $x["items"] : "") "," (x["holdings"] ? $x["holdings"] : "") ","
		next
	}
	FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{	u = $c["context_id"]; p = $c["candidate_id"]; s = $c["source"]
		t = s == "managed" ? 0 : s == "learned" ? 1 : s == "popular" ? 2 : 9
		if (!(p in st)) print "not in the catalog:", u, p
		else if (st[p] != "active" || !(stock[p] > 0)) print "not available:", u, p, st[p], stock[p]
		if (index(own[u], "," p ",")) print "owned:", u, p
		if (++n[u, cat[p]] > K) print "over", K, cat[p] ":", u, p
		if (u != last) { last = u; tier = -1; pos = -1; r = 0 }
		if ($c["rank"] != ++r || r > TOP) print "rank:", u, p, $c["rank"]
		if (t < tier || t == 9) print "source order:", u, p, s
		if (t == 0 && $c["position"] + 0 < pos) print "curated order:", u, p
		if (t == 0) pos = $c["position"] + 0
		tier = t; shown[s]++
	}
	END { for (s in shown) print "shown", s > "sources"; }' catalog.tsv "$1.tsv" "ranked-$1.tsv"
}

@test "shop: pages, the cart widget and the order email never show what is unavailable or owned; curated, learned, then best sellers, at most 2 a category" {
	"$ROOT/scripts/scenario-shop" shop 2> err
	cd shop
	run cat ../err
	assert_output "xsell-import: 1 rejected: self-link (first at sample/relations.csv:155)
xsell-import: 1 rejected: duplicate link (first at sample/relations.csv:156)"
	for kind in pages carts emails; do
		run check_shop $kind
		assert_success
		assert_output ""
		# Every source took part, back-fill included.
		run sort sources
		assert_output "shown learned
shown managed
shown popular"
		[ "$(wc -l < ranked-$kind.tsv)" -gt 300 ]
	done
	# Best sellers that were dropped: out of stock, discontinued, owned.
	run bash -o pipefail -c "awk -F'\t' 'NR > 1 && \$3 == \"popular\" { print \$NF }' rejected-emails.tsv | sort | uniq -c | sort -k2"
	assert_output --regexp '^ +[0-9]+ exclude-owned
 +[0-9]+ in-stock$'
}

@test "shop: a page keeps the merchandiser's order, then learned rules, then best sellers" {
	"$ROOT/scripts/scenario-shop" shop 2> /dev/null
	cd shop
	run bash -o pipefail -c "awk -F'\t' 'NR == 1 || \$1 == \"page-P0002\"' ranked-pages.tsv | pick candidate_id source position category rank"
	assert_success
	assert_output "P0001 managed 1 Brewing 1
P0003 learned 2 Brewing 2
P0014 learned 3 Kitchen 3
P0008 popular 5 Kitchen 4"
}
