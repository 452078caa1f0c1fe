#!/bin/sh
# Stage 30, qualify: candidates for a product page, a cart and every
# customer of the sample store, kept when they pass eligibility rules.
# Reads $DEMO/relations.tsv (and $DEMO/learned.tsv when the learn stage
# wrote it), orders.tsv, catalog.tsv, customers.tsv and offers.tsv; writes
# popular.tsv (best sellers, the back-fill source), candidates-page.tsv,
# candidates-cart.tsv and candidates-customers.tsv (with what was dropped
# and why in rejected-*.tsv) for score and rank.
set -eu
cd "$DEMO"
. "$DEMO_LIB"
# show FILE COLUMN... : the named columns of the first rows, aligned.
show() {
	f=$1
	shift
	awk -F'\t' -v want="$*" -v OFS='\t' '
	NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) at[$i] = i }
	NR <= 9 { line = ""; for (k = 1; k <= n; k++) line = line (k > 1 ? OFS : "") $(at[w[k]]); print line }' "$f" |
	    column -t -s "$(printf '\t')" | sed 's/^/  /'
	echo "  ($(($(wc -l < "$f") - 1)) rows in $DEMO/$f)"
}

# Best sellers, units sold per product: one more source of candidates,
# checked like the links, so back-fill never shows what may not be shown.
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { n[$c["product_id"]] += $c["quantity"] }
    END { print "product_id\tscore"; for (p in n) print p "\t" n[p] }' \
    orders.tsv > popular.tsv

set -- --relations relations.tsv
[ -f learned.tsv ] && set -- "$@" --relations learned.tsv
set -- "$@" --popular popular.tsv --max-popular 8

# The shop's rules, as a merchandiser writes them (see xsell-qualify(1)).
tab=$(printf '\t')
cat > shop-rules.tsv <<EOF
# SCOPE${tab}NAME${tab}EXPRESSION
type:upsell${tab}upsell_pricier${tab}candidate.price > subject.price
type:upsell${tab}upsell_price_cap${tab}candidate.price <= subject.price * 1.5
*${tab}not_discontinued${tab}!(candidate.status == "discontinued")
EOF

# Product pages: the subject with the most curated links, and the one
# whose upsell the sample plants cheaper than the subject itself (the
# rules keep it off the page).
top=$(awk -F'\t' 'NR > 1 { n[$1]++ } END { for (s in n) print n[s], s }' \
    relations.tsv | sort -k1,1nr -k2,2 | head -1 | cut -d' ' -f2)
up=$(awk -F'\t' 'NR == FNR { p[$1] = $5; next }
    $3 == "upsell" && ($1 in p) && ($2 in p) && p[$2] + 0 <= p[$1] + 0 { print $1; exit }' \
    catalog.tsv relations.tsv)
[ -n "$up" ] || up=$top
printf 'context_id\tsubject_id\tsegment\npage-1\t%s\tregular\npage-2\t%s\tregular\n' \
    "$top" "$up" > context-page.tsv
run xsell-qualify "$@" --catalog catalog.tsv --rules shop-rules.tsv \
    --in-stock --rejected rejected-page.tsv -v -o candidates-page.tsv \
    context-page.tsv
show candidates-page.tsv context_id candidate_id source type position category price
echo "dropped, and why:"
show rejected-page.tsv context_id candidate_id type price rejected_by

# A cart of the two subjects with the most links: the union of their
# links, minus the cart, with support_items.
cart=$(awk -F'\t' 'NR > 1 { n[$1]++ } END { for (s in n) print n[s], s }' \
    relations.tsv | sort -k1,1nr -k2,2 | head -2 | cut -d' ' -f2 | paste -sd, -)
printf 'cart_id\titems\ncart-1\t%s\n' "$cart" > context-cart.tsv
echo
run xsell-qualify "$@" --catalog catalog.tsv --rules shop-rules.tsv \
    --in-stock --exclude-owned --type cross_sell,bundle,upsell \
    -o candidates-cart.tsv context-cart.tsv
show candidates-cart.tsv context_id candidate_id type position support_items items

# Every customer against the bank's offers.
cat > bank-rules.tsv <<EOF
*${tab}not_held${tab}!owns(candidate.candidate_id)
savings${tab}savings_with_checking${tab}owns("checking")
credit_card${tab}no_card_holders${tab}customer.has_credit_card == false
credit_card${tab}card_after_a_year${tab}customer.tenure_months >= 12
mortgage${tab}mortgage_tier${tab}customer.tier in ["plus", "premier"]
mortgage${tab}mortgage_tenure${tab}customer.tenure_months >= 48
EOF
echo
run xsell-qualify --offers offers.tsv --rules bank-rules.tsv \
    --rejected rejected-customers.tsv -v -o candidates-customers.tsv \
    customers.tsv
show candidates-customers.tsv context_id candidate_id business_value revenue_value channel tier tenure_months holdings
