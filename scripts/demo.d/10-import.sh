#!/bin/sh
# Stage 10, import: the sample store's CSV exports become canonical TSV in
# $DEMO (catalog, orders, relations, customers, offers), which the later
# stages read. The curated relations have two planted problems (a
# self-link and a duplicate): import rejects them with exit status 1 and
# writes the rest.
set -eu
cd "$SAMPLE"
. "$DEMO_LIB"

run xsell-import catalog.csv -o "$DEMO/catalog.tsv"
run xsell-import --exclude '^(POST|M|BANK CHARGES)$' \
    --rejects "$DEMO/orders-rejected.tsv" orders.csv -o "$DEMO/orders.tsv"
run xsell-import customers.csv -o "$DEMO/customers.tsv"
run xsell-import offers.csv -o "$DEMO/offers.tsv"
status=0
run xsell-import --rejects "$DEMO/relations-rejected.tsv" relations.csv \
    -o "$DEMO/relations.tsv" || status=$?
[ "$status" -eq 1 ] || { echo "10-import: expected exit 1, got $status" >&2; exit 1; }
echo "(exit 1: the planted self-link and duplicate were rejected, the rest written)"

echo
run head -4 "$DEMO/orders.tsv"
echo
echo '$ xsell-import --preview relations.csv'
xsell-import -q --preview relations.csv 2>/dev/null |
    sed -n '/^links per subject/,/^sample/p' | sed '$d' || true
