#!/bin/sh
# Stage 70, the seed scenarios end to end, as tests/scenarios.bats checks
# them: the bank's offers on three channels (scripts/scenario-bank, in
# $DEMO/bank) and the shop's pages, cart widget and order email
# (scripts/scenario-shop, in $DEMO/shop). Each script writes its inputs
# and runs the whole pipeline; this stage shows what came out.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$DEMO"
. "$DEMO_LIB"
# show FILE FILTER COLUMN... : the named columns of the rows whose first
# field matches FILTER, aligned; long decimals cut to four places.
show() {
	f=$1 re=$2
	shift 2
	awk -F'\t' -v want="$*" -v re="$re" -v OFS='\t' '
	NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) at[$i] = i }
	NR == 1 || $1 ~ re { line = ""
		for (k = 1; k <= n; k++) {
			v = $(at[w[k]])
			if (v ~ /^-?[0-9]+\.[0-9][0-9][0-9][0-9][0-9]/)
				v = sprintf("%.4f", v)
			line = line (k > 1 ? OFS : "") v
		}
		print line }' "$f" | column -t -s "$(printf '\t')" | sed 's/^/  /'
}

echo "The bank: four offers, per-offer rules, email / in_app / branch lists,"
echo "propensity and uplift from a holdout, 10% held out, 4 contacts a month."
run "$root/scripts/scenario-bank" bank
echo "T1, premier, 36 months, checking, no card: savings and the card, the"
echo "card first; the four offers are the month's cap (branch stays empty):"
show bank/ranked.tsv '^T1$' channel candidate_id rank score p_input p_raw \
    i_raw u_raw expected_value
echo "Why T1's email offers rank so (weights P=0.2, I=0.7, E=0.1, U=0.5):"
show bank/ranked.tsv '^T1$' channel candidate_id p_contribution \
    i_contribution u_contribution score | sed -n '1,3p'
echo "T4 (contacted 4 times in March) gets nothing; T5 (3 times) one offer:"
show bank/ranked.tsv '^T[45]$' context_id channel candidate_id rank
awk -F'\t' 'NR > 1 && !seen[$1]++ { n[$3]++; t++ }
    END { printf "  groups: %d customers with offers, %d held out (%.1f%%)\n",
	t, n["control"], 100 * n["control"] / t }' bank/assignments.tsv

echo
echo "The shop: a curated upload, learned rules as fallback, best sellers as"
echo "back-fill, four offers a list, at most two of a category:"
run "$root/scripts/scenario-shop" shop
show shop/ranked-pages.tsv '^page-P0002$' context_id rank candidate_id source \
    position category
email=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["source"] == "popular" && $c["holdings"] != "" { print $1; exit }' \
    shop/ranked-emails.tsv)
echo "An order-confirmation email: nothing the order or the customer's"
echo "earlier orders hold:"
show shop/ranked-emails.tsv "^$email\$" context_id rank candidate_id source \
    category items holdings
for kind in pages carts emails; do
	awk -F'\t' -v k="$kind" 'NR > 1 { n[$3]++; t++ }
	    END { printf "  %-7s %6d offers: %d curated, %d learned, %d best sellers\n",
		k, t, n["managed"], n["learned"], n["popular"] }' \
	    "shop/ranked-$kind.tsv"
done
awk -F'\t' 'NR > 1 && $3 == "popular" { n[$NF]++ }
    END { printf "  best sellers kept off the emails: %d out of stock or inactive, %d owned\n",
	n["in-stock"], n["exclude-owned"] }' shop/rejected-emails.tsv
