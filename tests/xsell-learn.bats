#!/usr/bin/env bats
# xsell-learn: rules from order lines, as man/xsell-learn.1 describes them.

load helper

D="$BATS_TEST_DIRNAME/fixtures/learn"
BRUTE="$BATS_TEST_DIRNAME/learn-brute.awk"

# Random orders: NO orders of 1 to 7 lines over NP products, some bought
# twice, some returned.
random_orders() {
	awk -v SEED="$1" -v NO="$2" -v NP="$3" 'BEGIN {
		srand(SEED); OFS = "\t"
		print "order_id", "product_id", "customer_id", "quantity", "ts"
		for (o = 1; o <= NO; o++) {
			m = 1 + int(rand() * 7); c = "c" int(rand() * NO / 3)
			t = sprintf("2024-%02d-%02dT10:00:00Z", 1 + int(rand() * 12), 1 + int(rand() * 28))
			for (i = 0; i < m; i++) {
				q = rand() < 0.1 ? -1 : 1 + int(rand() * 2)
				print "o" o, "p" int(rand() * NP), c, q, t
			}
		}
	}'
}

# xsell-learn's rules in the brute-force reference's columns, sorted.
as_brute() {
	awk -F'\t' 'NR > 1 { printf "%s\t%s\t%s\t%s\t%s\t%s\t%.17g\t%.17g\t%.17g\n",
	    $1, $2, $6, $7, $8, $9, $10, $11, $12 }' | sort
}

@test "--help prints the usage and exits 0; --version the version" {
	run xsell-learn --help
	assert_success
	assert_line --index 0 --partial "usage: xsell-learn [--basket order|customer]"
	assert_line --partial "xsell-learn --type upsell|substitute --catalog FILE"
	run xsell-learn --version
	assert_success
	assert_output --regexp '^xsell-learn [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "pairs: the rules of five hand-counted baskets" {
	# Baskets {A,B} {A,B,C} {A,C} {C} {D}; order 4's B was returned,
	# order 6 returned all it bought (no basket), order 1 has A twice.
	run xsell-learn --all-rules "$D/five.tsv"
	assert_success
	assert_output - <<'EOF'
subject_id	linked_id	type	source	position	count	subject_count	linked_count	baskets	support	confidence	lift
A	B	cross_sell	learned	1	2	3	2	5	0.4	0.6666666666666666	1.6666666666666665
A	C	cross_sell	learned	2	2	3	3	5	0.4	0.6666666666666666	1.111111111111111
B	A	cross_sell	learned	1	2	2	3	5	0.4	1	1.6666666666666667
B	C	cross_sell	learned	2	1	2	3	5	0.2	0.5	0.8333333333333334
C	A	cross_sell	learned	1	2	3	3	5	0.4	0.6666666666666666	1.111111111111111
C	B	cross_sell	learned	2	1	3	2	5	0.2	0.3333333333333333	0.8333333333333333
EOF
}

@test "a product twice in a basket counts once" {
	printf 'order_id\tproduct_id\n1\tA\n1\tB\n1\tA\n2\tA\n2\tA\n' > o.tsv
	run xsell-learn --all-rules o.tsv
	assert_success
	assert_line --index 1 "A	B	cross_sell	learned	1	1	2	1	2	0.5	0.5	1"
}

@test "returns are netted per basket and product, even lines apart" {
	printf 'order_id\tproduct_id\tquantity\n1\tA\t1\n1\tB\t2\n2\tA\t1\n2\tB\t1\n1\tB\t-2\n3\tA\t-1\n' > o.tsv
	run xsell-learn --all-rules -v o.tsv
	assert_success
	# Order 1 keeps only A, order 3 nets to nothing: 2 baskets, 1 pair.
	assert_line "xsell-learn: 6 lines read, 2 baskets (1 empty after netting returns), 2 items"
	assert_line "A	B	cross_sell	learned	1	1	2	1	2	0.5	0.5	1"
}

@test "the order of the input lines does not change a byte" {
	random_orders 5 300 12 > o.tsv
	{ head -1 o.tsv; tail -n +2 o.tsv | sort -r; } > r.tsv
	xsell-learn --all-rules --max-items 3 --measures all o.tsv > a.tsv
	xsell-learn --all-rules --max-items 3 --measures all r.tsv > b.tsv
	cmp a.tsv b.tsv
}

@test "JSON lines in, --json out" {
	printf '{"order_id":1,"product_id":"A"}\n{"order_id":1,"product_id":"B"}\n' > o.jsonl
	run xsell-learn --all-rules --json o.jsonl
	assert_success
	echo "$output" | jq -e -s 'length == 2 and .[0].subject_id == "A" and
	    .[0].count == 1 and .[0].confidence == 1 and .[0].position == 1'
}

@test "empty input: the header, no rules" {
	run xsell-learn < /dev/null
	assert_success
	assert_output "subject_id	linked_id	type	source	position	count	subject_count	linked_count	baskets	support	confidence	lift"
}

@test "--min-count keeps the rules with count >= N" {
	run xsell-learn --min-count 2 "$D/five.tsv"
	assert_success
	assert_equal "$(echo "$output" | cut -f1,2 | tail -n +2 | tr '\t\n' '> ')" "A>B A>C B>A C>A "
}

@test "--min-support F keeps a support equal to F, as arules; -v says the integer" {
	# 0.07 x 100 is 7.000000000000001 in binary; arules (since 1.7-6)
	# steps F one double down first and asks for 7, and so does this.
	awk 'BEGIN { print "order_id\tproduct_id"; for (o = 1; o <= 100; o++) {
		print o "\tA"; if (o <= 6) print o "\tB"; if (o <= 7) print o "\tC" } }' > o.tsv
	run xsell-learn --all-rules -v --min-support 0.07 o.tsv
	assert_success
	assert_line "xsell-learn: threshold: count >= 7 (ceil(0.07 x 100 baskets))"
	refute_line --partial "	B	cross_sell"
	assert_line --partial "A	C	cross_sell	learned	1	7	100	7"
	run xsell-learn --all-rules --min-support 0.06 o.tsv
	assert_line --partial "A	B	cross_sell	learned	2	6	100	6"
}

@test "--min-support at exact boundaries: the count F x N is enough" {
	# F = k/N for every k: each needs k baskets, never k + 1, however
	# k/N rounds in binary (0.07, 0.14, 0.28, 0.55, 0.56 x 100 round up).
	awk 'BEGIN { print "order_id\tproduct_id"
		for (o = 1; o <= 100; o++) print o "\tA" }' > o.tsv
	for f in 0.01 0.07 0.14 0.28 0.29 0.55 0.56 0.57 0.99 1; do
		k=$(awk -v f=$f 'BEGIN { printf "%d", f * 100 + 0.5 }')
		run xsell-learn --all-rules -v --min-support "$f" o.tsv
		assert_line "xsell-learn: threshold: count >= $k (ceil($f x 100 baskets))"
	done
}

@test "--min-confidence and --min-lift filter" {
	run xsell-learn --min-confidence 0.6 --min-lift 1.2 "$D/five.tsv"
	assert_success
	assert_equal "$(echo "$output" | cut -f1,2 | tail -n +2 | tr '\t\n' '> ')" "A>B B>A "
	# Exactly 2/3: kept (arules' 1e-12 slack).
	run xsell-learn --min-confidence 0.6666666666666667 "$D/five.tsv"
	assert_line --partial "C	A	cross_sell"
	# arules steps C one double down before the slack: 2/3 is kept at
	# the largest C it keeps it at, the double 2/3 + 1e-12.
	run xsell-learn --min-confidence 0.6666666666676667 "$D/five.tsv"
	assert_line --partial "C	A	cross_sell"
	run xsell-learn --min-confidence 0.6666666666676668 "$D/five.tsv"
	refute_line --partial "C	A	cross_sell"
}

@test "--min-lift keeps a lift equal to F that rounds an ulp below it" {
	# 12 baskets, A in 10, B in 7, both in 7, C alone in 2: lift
	# 7 x 12 / (10 x 7) = 1.2 both ways, written 1.1999999999999997 for
	# A -> B.
	awk 'BEGIN { print "order_id\tproduct_id"; for (o = 1; o <= 12; o++) {
		print o "\t" (o <= 10 ? "A" : "C"); if (o <= 7) print o "\tB" } }' > o.tsv
	run xsell-learn --min-lift 1.2 o.tsv
	assert_success
	assert_line "A	B	cross_sell	learned	1	7	10	7	12	0.5833333333333334	0.7	1.1999999999999997"
	assert_line --partial "B	A	cross_sell	learned	1	7	7	10	12"
	run xsell-learn --min-lift 1.2000000000000002 o.tsv
	assert_output "subject_id	linked_id	type	source	position	count	subject_count	linked_count	baskets	support	confidence	lift"
}

@test "--top K keeps each subject's best by --sort-by, ties by lift then id" {
	run xsell-learn --top 1 "$D/five.tsv"
	assert_success
	assert_equal "$(echo "$output" | cut -f1,2,5 | tail -n +2 | tr '\t\n' '> ')" "A>B>1 B>A>1 C>A>1 "
	run xsell-learn --top 1 --sort-by count "$D/five.tsv"
	# A: B and C both 2, B has the higher lift.
	assert_line --index 1 --partial "A	B	cross_sell	learned	1	2"
	run xsell-learn --sort-by pvalue --measures pvalue "$D/five.tsv"
	assert_line --index 1 --partial "A	B	cross_sell	learned	1"
}

@test "--measures: values worked by hand" {
	run xsell-learn --measures jaccard,cosine,leverage,conviction,chi2,pvalue "$D/five.tsv"
	assert_success
	assert_line --index 0 --partial "	lift	jaccard	cosine	leverage	conviction	chi2	pvalue"
	# A -> B: 2 of 5 baskets, A in 3, B in 2. B -> A always holds:
	# conviction is missing.
	echo "$output" | awk -F'\t' '
	function near(a, b) { return a - b < 1e-12 && b - a < 1e-12 }
	$1 == "A" && $2 == "B" {
		ok += near($13, 2/3)
		ok += near($14, 2/sqrt(6))
		ok += near($15, 0.4 - 0.6 * 0.4)
		ok += near($16, 0.6 / (1/3))
		ok += near($17, 5 * (10 - 6)^2 / (3 * 2 * 2 * 3))
		ok += near($18, 0.3)
	}
	$1 == "B" && $2 == "A" { ok += $16 == "" }
	END { exit ok != 7 }'
	run xsell-learn --measures cosine,bogus "$D/five.tsv"
	assert_failure 2
	assert_output --partial "option --measures: \"bogus\" is not one of"
}

@test "defaults: cross-sell rules need count >= 2 and lift > 1; --all-rules or --min-count 1 --min-lift 0 for all" {
	# X and Y independent (lift exactly 1, count 2); D and E together
	# twice (lift 4); F once, with both.
	printf 'order_id\tproduct_id\n1\tX\n1\tY\n2\tX\n2\tY\n3\tX\n4\tX\n5\tY\n6\tY\n7\tD\n7\tE\n8\tD\n8\tE\n8\tF\n' > o.tsv
	while IFS='|' read -r args want; do
		run bash -o pipefail -c "xsell-learn $args o.tsv | cut -f1,2,6,12 | tail -n +2 | tr '\t\n' ': '"
		[ "$status" -eq 0 ] && [ "$output" = "$want" ] || { echo "$args: $output"; return 1; }
	done <<-EOF
	|D:E:2:4 E:D:2:4 
	--all-rules|D:E:2:4 D:F:1:4 E:D:2:4 E:F:1:4 F:D:1:4 F:E:1:4 X:Y:2:1 Y:X:2:1 
	--min-lift 0 --min-count 1|D:E:2:4 D:F:1:4 E:D:2:4 E:F:1:4 F:D:1:4 F:E:1:4 X:Y:2:1 Y:X:2:1 
	--min-count 1|D:E:2:4 D:F:1:4 E:D:2:4 E:F:1:4 F:D:1:4 F:E:1:4 
	--min-lift 0|D:E:2:4 E:D:2:4 X:Y:2:1 Y:X:2:1 
	--min-support 0.1|D:E:2:4 D:F:1:4 E:D:2:4 E:F:1:4 F:D:1:4 F:E:1:4 
	--min-lift 1|D:E:2:4 E:D:2:4 X:Y:2:1 Y:X:2:1 
	EOF
	run xsell-learn -v -o /dev/null o.tsv
	assert_line --index 0 "xsell-learn: threshold: count >= 2 (the default for cross-sell rules; --min-count 1 or --all-rules for every pair)"
	assert_line --index 1 "xsell-learn: threshold: lift > 1 (the default for cross-sell rules; --min-lift 0 or --all-rules for every pair)"
	run xsell-learn -v --all-rules --min-lift 1.5 -o /dev/null o.tsv
	assert_line --index 0 "xsell-learn: threshold: count >= 1"
	assert_line --index 1 "xsell-learn: threshold: lift >= 1.5"
}

@test "defaults: the rules --all-rules writes with count >= 2 and lift > 1, on random baskets and merged shards" {
	random_orders 11 600 12 > o.tsv
	xsell-learn --all-rules --measures all o.tsv |
	    awk -F'\t' 'NR == 1 || ($6 >= 2 && $12 > 1)' | cut -f1-4,6- > want
	xsell-learn --measures all o.tsv | cut -f1-4,6- > got
	[ "$(wc -l < got)" -gt 20 ] && [ "$(wc -l < got)" -lt "$(xsell-learn --all-rules o.tsv | wc -l)" ]
	cmp want got
	for i in 1 2 3; do xsell-learn --counts --shard $i/3 o.tsv > counts.$i; done
	xsell-learn --measures all --merge counts.1 counts.2 counts.3 | cut -f1-4,6- > merged
	cmp want merged
}

@test "brute force agrees on random baskets: pairs" {
	for seed in 1 2 3; do
		random_orders $seed 400 15 > o.tsv
		awk -v K=2 -v MINCOUNT=3 -v MINCONF=0.1 -f "$BRUTE" o.tsv | sort > want
		xsell-learn --all-rules --min-count 3 --min-confidence 0.1 o.tsv | as_brute > got
		[ -s want ]
		cmp want got
		awk -v K=2 -v MINSUPP=0.013 -f "$BRUTE" o.tsv | sort > want
		xsell-learn --all-rules --min-support 0.013 o.tsv | as_brute > got
		cmp want got
	done
}

@test "brute force agrees on random baskets: triples and quadruples" {
	for seed in 4 5; do
		random_orders $seed 400 12 > o.tsv
		for k in 3 4; do
			awk -v K=$k -v MINCOUNT=4 -v MINCONF=0.05 -f "$BRUTE" o.tsv | sort > want
			xsell-learn --all-rules --max-items $k --min-count 4 --min-confidence 0.05 o.tsv |
			    as_brute > got
			[ "$(grep -c '^[^	]*,' want)" -gt 0 ]
			cmp want got
		done
	done
}

@test "--max-items 3: cart rules, the body a sorted comma list" {
	printf 'order_id\tproduct_id\n1\tB\n1\tA\n1\tC\n2\tA\n2\tB\n2\tC\n3\tA\n3\tB\n' > o.tsv
	run xsell-learn --all-rules --max-items 3 --min-count 2 o.tsv
	assert_success
	assert_line "A,B	C	cross_sell	learned	1	2	3	2	3	0.6666666666666666	0.6666666666666666	1"
	assert_line "B,C	A	cross_sell	learned	1	2	2	3	3	0.6666666666666666	1	1"
}

@test "--max-basket skips giant baskets and says how many" {
	printf 'order_id\tproduct_id\n1\tA\n1\tB\n2\tA\n2\tB\n2\tC\n' > o.tsv
	run xsell-learn --all-rules --max-basket 2 o.tsv
	assert_success
	assert_line "xsell-learn: 1 baskets of more than --max-basket 2 items skipped"
	assert_line "A	B	cross_sell	learned	1	1	1	1	1	1	1	1"
	refute_line --partial "C	cross_sell"
}

@test "--basket customer: a customer's orders are one basket; guests are counted" {
	run xsell-learn --basket customer "$D/upsell-orders.tsv"
	assert_success
	assert_line "xsell-learn: 1 rows without customer_id skipped"
	# c2 bought A and B in two orders.
	assert_line --partial "A	B	cross_sell	learned	1	2	3	3	6"
	run xsell-learn --basket customer "$D/five.tsv"
	assert_failure 3
	assert_output --partial "missing required column 'customer_id'"
}

@test "--half-life: a basket 30 days older weighs half at --half-life 30" {
	printf 'order_id\tproduct_id\tts\n1\tA\t2024-01-31T00:00:00Z\n1\tB\t2024-01-31T00:00:00Z\n2\tA\t2024-01-01T00:00:00Z\n2\tB\t2024-01-01T00:00:00Z\n3\tA\t2024-01-01T00:00:00Z\n' > o.tsv
	run xsell-learn --all-rules --half-life 30 o.tsv
	assert_success
	assert_line "A	B	cross_sell	learned	1	1.5	2	1.5	2	0.75	0.75	1"
	# From a month later every weight halves; thresholds see weights.
	run xsell-learn --all-rules --half-life 30 --now 2024-03-01T00:00:00Z --min-count 0.7 o.tsv
	assert_line "A	B	cross_sell	learned	1	0.75	1	0.75	1	0.75	0.75	1"
	run xsell-learn --all-rules --half-life 30 --now 2024-03-01T00:00:00Z --min-count 0.76 o.tsv
	refute_line --partial "cross_sell"
}

# The same thirty days before 1970 (out of range until dates reached
# back to year 1000), and --now as YYYYMMDD (was epoch seconds).
@test "--half-life: dates before 1970 and --now YYYYMMDD" {
	printf 'order_id\tproduct_id\tts\n1\tA\t1969-12-31T00:00:00Z\n1\tB\t1969-12-31T00:00:00Z\n2\tA\t1969-12-01\n2\tB\t1969-12-01\n3\tA\t1969-12-01\n' > o.tsv
	run xsell-learn --all-rules --half-life 30 o.tsv
	assert_success
	assert_line "A	B	cross_sell	learned	1	1.5	2	1.5	2	0.75	0.75	1"
	run xsell-learn --all-rules --half-life 30 --now 19700130 --min-count 0.7 o.tsv
	assert_success
	assert_line "A	B	cross_sell	learned	1	0.75	1	0.75	1	0.75	0.75	1"
}

@test "--half-life needs a ts on every line" {
	printf 'order_id\tproduct_id\tts\n1\tA\t2024-01-01\n1\tB\t\n' > o.tsv
	run xsell-learn --half-life 30 o.tsv
	assert_failure 3
	assert_output "xsell-learn: o.tsv:3: column 'ts': missing; --half-life needs the time of every line"
	printf 'order_id\tproduct_id\tts\n1\tA\tyesterday\n' > o.tsv
	run xsell-learn --half-life 30 o.tsv
	assert_failure 3
	assert_output --partial "o.tsv:2: column 'ts':"
}

@test "shards merged equal one process, byte for byte" {
	random_orders 7 500 14 > o.tsv
	for opts in "--max-items 2" "--max-items 3" "--max-items 2 --basket customer" \
	    "--max-items 3 --half-life 45 --now 2024-12-31"; do
		xsell-learn $opts --min-count 3 --measures all o.tsv > one.tsv
		for i in 1 2 3 4 5; do
			xsell-learn $opts --counts --shard $i/5 o.tsv > counts.$i
		done
		xsell-learn $opts --min-count 3 --measures all --merge counts.* > merged.tsv
		[ "$(wc -l < one.tsv)" -gt 20 ]
		cmp one.tsv merged.tsv
		# Concatenated streams repeat their header: merge skips it.
		cat counts.* | xsell-learn $opts --min-count 3 --measures all --merge |
		    cmp - one.tsv
	done
}

@test "upsell and substitute: shards merged equal one process, byte for byte" {
	random_orders 12 3000 60 > o.tsv
	awk 'BEGIN { OFS = "\t"; srand(5)
		print "product_id", "category", "price", "cost", "status"
		for (p = 0; p < 64; p++)
			print "p" p, "cat" p % 5, (p % 7 ? int(10 + rand() * 100) : ""),
			    int(5 + rand() * 10), (p % 11 ? "active" : "inactive") }' > cat.tsv
	for opts in "--type upsell" "--type upsell --basket order --min-count 2 --top 3" \
	    "--type substitute" "--type substitute --half-life 20 --now 2024-12-31"; do
		xsell-learn $opts --catalog cat.tsv o.tsv > one.tsv
		[ "$(wc -l < one.tsv)" -gt 50 ]
		# The count streams are pair counts: no catalog needed for them.
		for i in 1 2 3 4; do
			xsell-learn $opts --counts --shard $i/4 o.tsv > counts.$i
		done
		xsell-learn $opts --catalog cat.tsv --merge counts.* | cmp - one.tsv
	done
	# --type upsell counts customer baskets, as its rules do.
	xsell-learn --type upsell --counts o.tsv | cmp - <(xsell-learn --counts --basket customer o.tsv)
}

@test "shards merged with GNU parallel equal one process" {
	if ! command -v parallel > /dev/null; then
		skip "GNU parallel is not installed (apt-get install parallel); the shell loop test covers merging"
	fi
	random_orders 8 500 14 > o.tsv
	xsell-learn --min-count 2 o.tsv > one.tsv
	parallel --will-cite -j 2 xsell-learn --counts --shard {}/4 -o counts.{} o.tsv ::: 1 2 3 4
	xsell-learn --min-count 2 --merge counts.1 counts.2 counts.3 counts.4 > merged.tsv
	cmp one.tsv merged.tsv
}

@test "grouped lines: pairs counted from disk in blocks, the same bytes for any --memory and line order" {
	random_orders 11 3000 30 > o.tsv
	# Sorted by order id as bytes, ascending and descending: grouped.
	{ head -1 o.tsv; tail -n +2 o.tsv | sort -s -t "$(printf '\t')" -k1,1; } > up.tsv
	{ head -1 o.tsv; tail -n +2 o.tsv | sort -s -t "$(printf '\t')" -k1,1r; } > down.tsv
	# o10 after o9: not in order, so held in memory, as are shuffled lines.
	{ head -1 o.tsv; tail -n +2 o.tsv | sort -t "$(printf '\t')" -k2,2 -k1,1; } > mixed.tsv
	for opts in "--min-count 2 --measures all" "--half-life 30 --max-basket 5" \
	    "--all-rules --max-basket 3" "--counts --max-basket 4" \
	    "--counts" "--counts --half-life 30 --now 2024-12-31" "--basket customer --min-count 2"; do
		xsell-learn $opts mixed.tsv > want
		[ "$(wc -l < want)" -gt 100 ]
		# The baskets' counts in -v: empty after netting, too big.
		xsell-learn -v $opts mixed.tsv 2>&1 > /dev/null |
		    grep -E 'lines read|skipped' > want.v
		[ "$(wc -l < want.v)" -ge 1 ]
		for f in o up down; do
			for mem in 1 100 4K 64M; do
				xsell-learn --memory $mem $opts $f.tsv | cmp - want
			done
			xsell-learn -v $opts $f.tsv 2>&1 > /dev/null |
			    grep -E 'lines read|skipped' | diff - want.v
		done
	done
	run xsell-learn -v up.tsv
	refute_output --partial "held in memory"
	run xsell-learn -v o.tsv
	assert_line 'xsell-learn: order_id "o10" after "o9": the lines are not sorted by order_id, so the baskets are held in memory (sort them by order_id to keep memory flat)'
}

@test "grouped lines: keys of digits in numeric order are grouped too; a key that comes back is not" {
	printf 'order_id\tproduct_id\n9\tA\n9\tB\n10\tA\n10\tB\n11\tB\n11\tA\n' > up.tsv
	run xsell-learn --all-rules -v up.tsv
	assert_success
	refute_output --partial "held in memory"
	assert_line "A	B	cross_sell	learned	1	3	3	3	3	1	1	1"
	printf 'order_id\tproduct_id\n9\tA\n10\tA\n9\tB\n10\tB\n' > back.tsv
	run xsell-learn --all-rules -v back.tsv
	assert_success
	assert_line 'xsell-learn: order_id "9" after "10": the lines are not sorted by order_id, so the baskets are held in memory (sort them by order_id to keep memory flat)'
	assert_line "A	B	cross_sell	learned	1	2	2	2	2	1	1	1"
}

@test "grouped lines: the temporary file is in TMPDIR and gone at the end" {
	awk 'BEGIN { print "order_id\tproduct_id"
		for (o = 100000; o < 160000; o++) for (i = 0; i < 3; i++) print o "\tp" (o * 7 + i * 13) % 500 }' > o.tsv
	mkdir tmp
	TMPDIR=$PWD/tmp xsell-learn --min-count 5 o.tsv > a.tsv
	[ "$(wc -l < a.tsv)" -gt 10 ]
	[ -z "$(ls -A tmp)" ]
	TMPDIR=$PWD/none run xsell-learn o.tsv
	assert_failure 4
	assert_output "xsell-learn: temporary file in $PWD/none: No such file or directory"
}

@test "grouped lines: peak memory stays flat as the lines grow tenfold" {
	# 20 k and 200 k orders of 4 lines over 2000 products, in order.
	for n in 20000 200000; do
		awk -v n=$n 'BEGIN { print "order_id\tproduct_id\tquantity"; srand(3)
			for (o = 1; o <= n; o++) for (i = 0; i < 4; i++)
				print o "\tp" int(2000 * rand() * rand()) "\t" 1 + (i == 2) }' > o$n.tsv
		# The threshold a share of the baskets, as a shop would set it.
		# Blocks of 262 144 items, as --memory 1M held while rows were
		# 32 bits (they are 16 now): filled at 200 k orders, not at 20 k.
		xsell-learn -v --memory 512K --min-count $((n / 4000)) o$n.tsv 2>&1 >/dev/null |
		    sed -n 's/^xsell-learn: peak memory \([0-9.]*\) MB$/\1/p' > peak$n
	done
	# Holding the baskets took 4.6 and 19.5 MB.
	awk -v a="$(cat peak20000)" -v b="$(cat peak200000)" 'BEGIN {
		print a, b; exit !(a > 0 && b < a * 1.5 && b < a + 8) }'
}

@test "--counts: the count stream" {
	run xsell-learn --counts "$D/five.tsv"
	assert_success
	assert_output - <<'EOF'
kind	itemset	count
options	basket=order max-items=2 max-basket=0 half-life=0 now=-	0
baskets		5
set	A	3
set	A,B	2
set	A,C	2
set	B	2
set	B,C	1
set	C	3
set	D	1
EOF
}

@test "--merge refuses count streams that do not fit" {
	cp "$D/five.tsv" five.tsv
	xsell-learn --counts --shard 1/2 "$D/five.tsv" > c1
	xsell-learn --counts --shard 2/2 "$D/five.tsv" > c2
	xsell-learn --counts --max-items 3 "$D/five.tsv" > c3
	while IFS='|' read -r want args message; do
		run xsell-learn $args
		assert_failure "$want"
		assert_output --partial "$message"
	done <<'EOF'
3|--merge c1|shard 2/2 is missing
3|--merge c1 c1 c2|c1:3: shard 1/2 merged twice
3|--merge c3|c3:2: counted with "basket=order max-items=3
3|--merge c1 c2 c3|counted with
3|--merge /dev/null|not a count stream of xsell-learn --counts
3|--merge five.tsv|missing required column 'kind'
2|--merge --shard 1/2 c1|--shard is for --counts, not --merge
2|--counts --half-life 30 five.tsv|need --now
EOF
}

@test "errors: exit status and message" {
	cp "$D/five.tsv" five.tsv
	printf 'order_id\tsku\n1\tA\n' > nosku.tsv
	printf 'order_id\tproduct_id\tquantity\n1\tA\tmany\n' > badqty.tsv
	printf 'order_id\tproduct_id\n1\tA,1\n1\tB\n' > comma.tsv
	printf 'product_id\tcategory\tprice\nP1\tc\t1\nP2\tc\t2\nP1\tc\t3\n' > dup.tsv
	while IFS='|' read -r want args message; do
		run xsell-learn $args
		assert_failure "$want"
		assert_output --partial "$message"
	done <<'EOF'
3|nosku.tsv|xsell-learn: nosku.tsv: missing required column 'product_id' (found: order_id, sku)
3|badqty.tsv|xsell-learn: badqty.tsv:2: column 'quantity': not a number: "many"
3|--max-items 3 comma.tsv|xsell-learn: product_id "A,1" has a comma, which itemsets (--max-items 3 or more, --counts) cannot hold
3|--counts comma.tsv|product_id "A,1" has a comma
3|--type upsell --catalog dup.tsv five.tsv|xsell-learn: dup.tsv:4: product_id 'P1' given twice (first at line 2)
4|missing.tsv|missing.tsv
2|--min-count 1 --min-support 0.1 five.tsv|--min-count and --min-support exclude each other
2|--min-support 2 five.tsv|option --min-support: 2 is not in [0, 1]
2|--min-confidence x five.tsv|option --min-confidence: not a number: "x"
2|--top 0 five.tsv|option --top: 0 is not in
2|--sort-by size five.tsv|option --sort-by: "size" is not one of count, support
2|--max-items 1 five.tsv|option --max-items: 1 is not in [2, 64]
2|--shard 3/2 five.tsv|option --shard: 3 is not in [1, 2]
2|--shard 1 five.tsv|option --shard: "1" is not I/N
2|--memory 0 five.tsv|option --memory: "0" is not a size from 1 byte to 1024G (a number, optionally followed by K, M or G)
2|--memory 2X five.tsv|option --memory: "2X" is not a size
2|--memory 1025G five.tsv|option --memory: "1025G" is not a size
2|--basket cart five.tsv|option --basket: "cart" is not one of order, customer
2|--now 2024-01-01 five.tsv|--now needs --half-life
2|--counts --merge five.tsv|--counts and --merge exclude each other
2|--type upsell five.tsv|--type upsell needs --catalog FILE
2|--type substitute --merge five.tsv|--type substitute needs --catalog FILE
2|--type upsell --catalog five.tsv --max-items 3 five.tsv|--type upsell takes no --max-items or --sort-by
2|--catalog five.tsv five.tsv|--catalog is for --type upsell or substitute
2|--bogus five.tsv|usage: xsell-learn
EOF
}

@test "lines without an order or product id: skipped, named, exit 1" {
	printf 'order_id\tproduct_id\n1\tA\n1\t\n\tB\n2\tA\n2\tB\n' > o.tsv
	run xsell-learn --all-rules o.tsv
	assert_failure 1
	assert_line "xsell-learn: o.tsv:3: no order_id or product_id: row skipped"
	assert_line "xsell-learn: 2 rows without order_id or product_id skipped"
	assert_line "A	B	cross_sell	learned	1	1	2	1	2	0.5	0.5	1"
}

@test "-o writes the file atomically; a failed run leaves it alone" {
	xsell-learn --all-rules -o out.tsv "$D/five.tsv"
	[ "$(wc -l < out.tsv)" -eq 7 ]
	run xsell-learn -o out.tsv missing.tsv
	assert_failure 4
	[ "$(wc -l < out.tsv)" -eq 7 ]
	[ "$(ls)" = "out.tsv" ]
}

@test "upsell: same category, dearer within the ratio, active, by lift then margin" {
	run xsell-learn --type upsell --catalog "$D/upsell-catalog.tsv" "$D/upsell-orders.tsv"
	assert_success
	assert_output - <<'EOF'
subject_id	linked_id	type	source	position	count	subject_count	linked_count	baskets	support	confidence	lift	price_ratio	margin
A	B	upsell	learned	1	2	3	3	6	0.3333333333333333	0.6666666666666666	1.3333333333333333	1.5	70
A	C	upsell	learned	2	1	3	2	6	0.16666666666666666	0.3333333333333333	1	1.9	90
B	D	upsell	learned	1	0	3	1	6	0	0	0	1.6666666666666667	150
B	C	upsell	learned	2	0	3	2	6	0	0	0	1.2666666666666666	90
C	D	upsell	learned	1	0	2	1	6	0	0	0	1.3157894736842106	150
E	C	upsell	learned	1	0	0	2	6	0			1.5833333333333333	90
E	B	upsell	learned	2	0	0	3	6	0			1.25	70
xsell-learn: 1 rows without customer_id skipped
EOF
	run xsell-learn --type upsell --catalog "$D/upsell-catalog.tsv" --max-price-ratio 1.6 --min-count 1 "$D/upsell-orders.tsv"
	assert_equal "$(echo "$output" | cut -f1,2 | sed -n '2,$p' | tr '\t\n' '> ')" "A>B xsell-learn: 1 rows without customer_id skipped "
}

@test "substitute: rarely together, common neighbours" {
	run xsell-learn --type substitute --catalog "$D/subst-catalog.tsv" "$D/subst-orders.tsv"
	assert_success
	assert_output - <<'EOF'
subject_id	linked_id	type	source	position	count	subject_count	linked_count	baskets	support	confidence	lift	row_cosine
W	X	substitute	learned	1	0	1	2	6	0	0	0	1
W	Y	substitute	learned	2	0	1	2	6	0	0	0	1
X	Y	substitute	learned	1	0	2	2	6	0	0	0	1
Y	X	substitute	learned	1	0	2	2	6	0	0	0	1
EOF
}

@test "-v: lines, baskets, items, threshold, pairs, rules, memory" {
	run xsell-learn -v --min-count 2 "$D/five.tsv"
	assert_success
	assert_line "xsell-learn: threshold: count >= 2"
	assert_line "xsell-learn: 14 lines read, 5 baskets (1 empty after netting returns), 5 items"
	assert_line "xsell-learn: 3 distinct pairs counted, 2 at the threshold; 4 rules written for 3 subjects"
	assert_line --regexp '^xsell-learn: peak memory [0-9.]+ MB$'
	run xsell-learn -q --basket customer "$D/upsell-orders.tsv"
	refute_output --partial "skipped"
}

@test "grouped lines: more subjects than 16 bits hold, the same rules as in memory" {
	# 70 000 products, each in two orders with its two neighbours: 70 000
	# frequent items at --min-count 2, past the 65 536 that the narrow
	# rows on disk can name.
	awk 'BEGIN { OFS = "\t"; print "order_id", "product_id"
		for (o = 0; o < 70000; o++) {
			print o, "p" o; print o, "p" (o + 1) % 70000
			print o, "p" (o + 2) % 70000
		} }' > up.tsv
	{ head -1 up.tsv; tail -n +2 up.tsv | sort -t "$(printf '\t')" -k2,2; } > mixed.tsv
	xsell-learn --min-count 2 --min-lift 0 mixed.tsv > want
	[ "$(wc -l < want)" -eq 140001 ]
	run xsell-learn -v --min-count 2 --min-lift 0 -o got up.tsv
	assert_success
	refute_output --partial "held in memory"
	assert_line "xsell-learn: 70000 frequent items, 70000 baskets with two or more of them"
	cmp got want
	xsell-learn --memory 100K --min-count 2 --min-lift 0 up.tsv | cmp - want
}
