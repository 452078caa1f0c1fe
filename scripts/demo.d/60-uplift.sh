#!/bin/sh
# Stage 60, uplift: learn from a holdout who each bank offer actually
# persuades, then let the customers' scores lean on it. The history is
# simulated by scripts/gen-events (20000 customers, 10% held out, planted
# effects: savings converts anyway, the card persuades customers of under
# three years, the mortgage offer puts premier customers off); the
# customers scored are the sample store's, from stage 30
# ($DEMO/candidates-customers.tsv). Writes uplift-events.tsv (and the
# planted truth, uplift-truth.tsv), uplift.tsv, ranked-base.tsv and
# ranked-uplift.tsv.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$DEMO"
. "$DEMO_LIB"
# show FILE FILTER COLUMN... : the named columns of the rows whose first
# field matches FILTER (a regular expression), aligned.
show() {
	f=$1 re=$2
	shift 2
	awk -F'\t' -v want="$*" -v re="$re" -v OFS='\t' '
	NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) at[$i] = i }
	NR == 1 || $1 ~ re { line = ""
		for (k = 1; k <= n; k++) line = line (k > 1 ? OFS : "") $(at[w[k]])
		print line }' "$f" | column -t -s "$(printf '\t')" | sed 's/^/  /'
}

echo "A year of offers with a 10% holdout, simulated with planted effects:"
echo '$ scripts/gen-events -n 20000 -c 0.1 -s 42 -t uplift-truth.tsv > uplift-events.tsv'
"$root/scripts/gen-events" -n 20000 -c 0.1 -s 42 -t uplift-truth.tsv \
    > uplift-events.tsv
echo "  ($(($(wc -l < uplift-events.tsv) - 1)) events in $DEMO/uplift-events.tsv)"
echo
run xsell-learn --uplift --segment-by tier,tenure_months:12,36 --learner x \
    --high-base 0.15 -o uplift.tsv uplift-events.tsv
show uplift.tsv '^(credit_card|mortgage)$' candidate_id tier tenure_months \
    n_t n_c cate cate_low cate_high label fallback
# Against what gen-events planted: intervals holding the planted CATE and
# labels as planted.
awk -F'\t' 'FNR == 1 { next } { k = $1 SUBSEP $2 SUBSEP $3 }
    NR == FNR { t[k] = $7; l[k] = $9; next }
    k in t { n++; cov += t[k] >= $9 && t[k] <= $10; lab += l[k] == $12 }
    END { printf "  planted CATE within the interval in %d of %d cells; " \
	"label as planted in %d\n", cov, n, lab }' uplift-truth.tsv uplift.tsv

# The sample store's customers and their eligible offers (stage 30), or
# every customer with every active offer when stage 30 did not run.
if [ ! -s candidates-customers.tsv ]; then
	awk -F'\t' 'NR == FNR { if (FNR > 1 && $2 == "active") o[++n] = $1; next }
	    FNR == 1 { print "context_id\tcandidate_id\tsource\t" $0; next }
	    { for (i = 1; i <= n; i++) print $1 "\t" o[i] "\toffer\t" $0 }' \
	    offers.tsv customers.tsv > candidates-customers.tsv
fi
echo
echo "The sample's customers, best offer each, without and with uplift:"
run sh -c 'xsell-score --offers offers.tsv candidates-customers.tsv |
    xsell-rank --top 1 > ranked-base.tsv'
run sh -c 'xsell-score --offers offers.tsv --uplift-model uplift.tsv \
    --uplift-weight 1 candidates-customers.tsv | xsell-rank --top 1 \
    > ranked-uplift.tsv'
awk -F'\t' 'FNR == 1 { for (i = 1; i <= NF; i++) c[FILENAME, $i] = i; next }
    { k = $(c[FILENAME, "candidate_id"]); n[FILENAME, k]++; seen[k] = 1 }
    END { for (k in seen) printf "  %-12s %8d %8d\n", k, n["ranked-base.tsv", k],
	    n["ranked-uplift.tsv", k] }' ranked-base.tsv ranked-uplift.tsv |
    sort | sed "1i\\
  top offer        base   uplift"
