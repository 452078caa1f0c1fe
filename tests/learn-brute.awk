# learn-brute.awk: the reference xsell-learn is tested against. Counts
# every itemset of every basket by brute force (fine for small baskets)
# and writes every rule arules' apriori would, one line each, unsorted:
#   subject_id linked_id count subject_count linked_count baskets
#   support confidence lift          (TAB-separated, numbers %.17g)
# usage: awk -v K=3 -v MINCOUNT=2 [-v MINSUPP=F] [-v MINCONF=F] \
#            -f learn-brute.awk orders.tsv
# Input: canonical orders TSV (order_id, product_id, optional quantity).
# Quantities are netted per order and product; items with a net <= 0
# are not in the basket; empty baskets do not count.
BEGIN {
	FS = OFS = "\t"
	if (K == "")
		K = 2
	if (MINCONF == "")
		MINCONF = 0
}
NR == 1 {
	for (i = 1; i <= NF; i++)
		col[$i] = i
	next
}
{
	o = $col["order_id"]
	p = $col["product_id"]
	q = ("quantity" in col) && $col["quantity"] != "" ? $col["quantity"] + 0 : 1
	if (o == "" || p == "")
		next
	if (!((o, p) in net))
		items[o] = items[o] "\t" p
	net[o, p] += q
}
# The double just below f > 0 (arules steps support and confidence
# thresholds down so that a value equal to one is kept): f less one unit
# in the last place of f's binade, half a unit at a power of two.
function below(f,    u) {
	if (f <= 0)
		return f
	for (u = 1; u > f; u /= 2)
		;
	for (; u * 2 <= f; u *= 2)
		;
	return f == u ? f - u / 2^53 : f - u / 2^52
}
# Every subset of b[from..n] added to the prefix, up to K items.
function subsets(from, depth, prefix,    i, key) {
	for (i = from; i <= n; i++) {
		key = depth ? prefix "," b[i] : b[i]
		cnt[key]++
		if (depth + 1 < K)
			subsets(i + 1, depth + 1, key)
	}
}
END {
	for (o in items) {
		m = split(substr(items[o], 2), all, "\t")
		n = 0
		for (i = 1; i <= m; i++)
			if (net[o, all[i]] > 0)
				b[++n] = all[i]
		if (n == 0)
			continue
		N++
		for (i = 2; i <= n; i++)	# insertion sort, byte order
			for (j = i; j > 1 && ("" b[j - 1]) > ("" b[j]); j--) {
				t = b[j]; b[j] = b[j - 1]; b[j - 1] = t
			}
		subsets(1, 0, "")
	}
	if (MINSUPP != "") {
		f = below(MINSUPP)
		thr = int(f * N)
		if (thr < f * N)
			thr++
	} else {
		thr = MINCOUNT
	}
	if (thr < 1)
		thr = 1
	for (s in cnt) {
		if (cnt[s] < thr || index(s, ",") == 0)
			continue
		k = split(s, it, ",")
		for (h = 1; h <= k; h++) {
			body = ""
			for (i = 1; i <= k; i++)
				if (i != h)
					body = body == "" ? it[i] : body "," it[i]
			conf = cnt[s] / cnt[body]
			if (conf < below(MINCONF) - 1e-12)
				continue
			lift = conf * N / cnt[it[h]]
			printf "%s\t%s\t%d\t%d\t%d\t%d\t%.17g\t%.17g\t%.17g\n", body,
			    it[h], cnt[s], cnt[body], cnt[it[h]], N, cnt[s] / N,
			    conf, lift
		}
	}
}
