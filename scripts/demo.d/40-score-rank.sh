#!/bin/sh
# Stage 40, score and rank: what a product page, a cart and a customer
# are shown. Reads the candidates stage 30 wrote ($DEMO/candidates-page.tsv,
# candidates-cart.tsv, candidates-customers.tsv), catalog.tsv and
# offers.tsv; writes scored-*.tsv, ranked-*.tsv, contacts.tsv and
# assignments.tsv.
set -eu
cd "$DEMO"
. "$DEMO_LIB"
# show FILE FILTER COLUMN... : the named columns of the rows whose first
# field matches FILTER, aligned; "title" comes from the catalog and long
# decimals are cut to four places for reading (the files keep them whole).
show() {
	f=$1 re=$2
	shift 2
	awk -F'\t' -v want="$*" -v re="$re" -v OFS='\t' '
	NR == FNR { if (FNR > 1) title[$1] = $2; next }
	FNR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) at[$i] = i }
	FNR == 1 || $1 ~ re { line = ""
		for (k = 1; k <= n; k++) {
			if (w[k] == "title" && !("title" in at))
				v = FNR == 1 ? "title" : title[$(at["candidate_id"])]
			else
				v = $(at[w[k]])
			if (v ~ /^-?[0-9]+\.[0-9][0-9][0-9][0-9][0-9]/)
				v = sprintf("%.4f", v)
			line = line (k > 1 ? OFS : "") v
		}
		print line }' catalog.tsv "$f" | column -t -s "$(printf '\t')" |
	    sed 's/^/  /'
}

for f in candidates-page.tsv candidates-cart.tsv candidates-customers.tsv; do
	[ -f "$f" ] || { echo "40-score-rank: no $f (stage 30 writes it)" >&2; exit 1; }
done

echo "Product pages: curated links first, in the merchandiser's order, then"
echo "learned ones, then best sellers that passed the same rules and stock"
echo "checks, at most two per category (page-2 has one curated link):"
run xsell-score --catalog catalog.tsv --explain -o scored-page.tsv \
    candidates-page.tsv
run xsell-rank --top 4 --fallback managed,learned,popular \
    --keep-order managed,popular --catalog catalog.tsv --max-per-category 2 \
    -o ranked-page.tsv scored-page.tsv
show ranked-page.tsv '^page-[12]$' context_id rank candidate_id title source \
    position category score
echo "Why page-1's first (weights P=0.4, R=0.2, I=0.3, E=0.1; a curated link"
echo "has no confidence or lift, so P and R are 0):"
show ranked-page.tsv '^page-1$' rank i_input i_raw i_value e_input e_raw \
    e_value score | sed -n '1,2p'

echo
echo "A cart: what goes with everything in it, never what is in it:"
run sh -c 'xsell-score --catalog catalog.tsv candidates-cart.tsv |
    xsell-rank --top 5 > ranked-cart.tsv'
show ranked-cart.tsv '^cart-1$' rank candidate_id title source score items

# A contact history: two customers already contacted this month.
first=$(awk -F'\t' 'NR == 2 { print $1 }' candidates-customers.tsv)
second=$(awk -F'\t' 'NR > 1 && $1 != f { print $1; exit }' f="$first" \
    candidates-customers.tsv)
printf 'context_id\tts\n%s\t2024-12-02T09:00:00Z\n%s\t2024-12-09T09:00:00Z\n%s\t2024-12-20T09:00:00Z\n%s\t2024-12-20T09:00:00Z\n' \
    "$first" "$first" "$first" "$second" > contacts.tsv

echo
echo "Customers: two offers each, 10% held out, at most three contacts a month:"
run xsell-score --offers offers.tsv -o scored-customers.tsv \
    candidates-customers.tsv
run xsell-rank --top 2 --holdout 0.1 --seed 2025 \
    --assignments assignments.tsv --history contacts.tsv --cap 3 \
    --period month -o ranked-customers.tsv scored-customers.tsv
who=$(awk -F'\t' 'NR > 1 && $2 == "treatment" { n[$1]++ }
    n[$1] == 2 { print $1; exit }' assignments.tsv)
show ranked-customers.tsv "^$who\$" rank context_id candidate_id score tier \
    tenure_months holdings
echo "Contacted three times in December: $first gets nothing; $second, once: one offer."
show assignments.tsv "^($first|$second)\$" context_id group candidate_id rank
awk -F'\t' 'NR > 1 && !seen[$1]++ { n[$2]++; t++ }
    END { printf "  groups: %d contexts, %d in control (%.1f%%)\n", t,
	n["control"], 100 * n["control"] / t }' assignments.tsv
