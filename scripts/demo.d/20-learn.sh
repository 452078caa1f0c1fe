#!/bin/sh
# Stage 20, learn: frequently-bought-together rules from the imported
# orders ($DEMO/orders.tsv) to $DEMO/learned.tsv, which later stages read
# as learned relations; upsells and substitutes from the catalog beside
# it; and the same rules counted in four shards and merged, byte for byte.
set -eu
cd "$DEMO"
. "$DEMO_LIB"

run xsell-learn -v --min-count 5 --min-confidence 0.05 --top 5 \
    --measures pvalue orders.tsv -o learned.tsv
echo
run head -6 learned.tsv
echo
run xsell-learn --max-items 3 --min-count 10 --min-confidence 0.2 --top 3 \
    orders.tsv -o learned-carts.tsv
grep -m 3 '^[^	]*,' learned-carts.tsv || true
echo
run xsell-learn --type upsell --catalog catalog.tsv --top 3 orders.tsv \
    -o learned-upsell.tsv
run head -4 learned-upsell.tsv
echo
run xsell-learn --type substitute --catalog catalog.tsv --top 3 orders.tsv \
    -o learned-substitute.tsv
run head -4 learned-substitute.tsv
echo
for i in 1 2 3 4; do
	run xsell-learn --counts --shard $i/4 orders.tsv -o learn-counts.$i
done
run xsell-learn --min-count 5 --min-confidence 0.05 --top 5 --measures pvalue \
    --merge learn-counts.1 learn-counts.2 learn-counts.3 learn-counts.4 \
    -o learned-merged.tsv
run cmp learned.tsv learned-merged.tsv
echo "(four shards merged: the same bytes as one process)"
rm -f learn-counts.1 learn-counts.2 learn-counts.3 learn-counts.4 learned-merged.tsv
