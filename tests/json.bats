#!/usr/bin/env bats
# -j across the toolkit: each tool's JSON lines read back into the next
# tool, give what the TSV chain gives, and carry pass-through values as
# strings, byte for byte. (--explain's nested object is left out.)

load helper
bats_require_minimum_version 1.5.0

setup() {
	xs_setup
	cat > orders.csv <<-'EOF'
	order_id,product_id,customer_id,quantity,price,ts,note
	1,P1,u1,1,500,2024-01-02,1E5
	1,P2,u1,2,25.50,2024-01-02,1.10
	2,P1,u2,1,500,2024-01-03,
	2,P2,u2,1,25.5,2024-01-03,
	2,P3,u2,1,30,2024-01-03,
	3,P2,u3,1,25.5,2024-01-04,
	3,P3,u3,1,30,2024-01-04,
	4,P1,u1,1,500,2024-01-05,
	4,P3,u1,3,30,2024-01-05,
	EOF
	cat > catalog.csv <<-'EOF'
	product_id,title,category,price,cost,stock,status,barcode
	P1,Camera,photo,500,350,4,active,12345678901234567891
	P2,Strap,photo,25.50,10,100,active,0012
	P3,Bag,photo,30,12,0,active,1E5
	P4,1984,books,9.99,4,3,active,1.10
	EOF
	# contexts with values a JSON number would change
	printf 'context_id\tsubject_id\tcustomer_id\tbarcode\tref\tw\n' > pages.tsv
	printf 'page1\tP1\tu1\t12345678901234567891\t1E5\t1.10\n' >> pages.tsv
	printf 'page2\tP2\tu2\t007\t-0\t2\n' >> pages.tsv
	printf '{"context_id":"page1","subject_id":"P1","customer_id":"u1","barcode":"12345678901234567891","ref":"1E5","w":"1.10"}\n' > pages.json
	printf '{"context_id":"page2","subject_id":"P2","customer_id":"u2","barcode":"007","ref":"-0","w":2}\n' >> pages.json
	mkdir t j
}

@test "import -j | learn -j | qualify -j | score -j | rank -j reads back and matches the TSV chain" {
	xsell-import -q orders.csv > t/orders
	xsell-import -q catalog.csv > t/catalog
	xsell-learn -q --all-rules t/orders > t/rel
	xsell-qualify -q --relations t/rel --catalog t/catalog pages.tsv > t/q
	xsell-score -q --catalog t/catalog t/q > t/s
	xsell-rank -q t/s > t/r

	xsell-import -q -j orders.csv > j/orders
	xsell-import -q -j catalog.csv > j/catalog
	xsell-learn -q --all-rules -j j/orders > j/rel
	xsell-qualify -q -j --relations j/rel --catalog j/catalog pages.json > j/q
	xsell-score -q -j --catalog j/catalog j/q > j/s
	xsell-rank -q -j j/s > j/r
	for f in orders catalog rel q s r; do
		jq -e . "j/$f" > /dev/null || { echo "j/$f is not JSON lines"; false; }
	done
	# Each JSON stage, read back, gives the TSV stage's output.
	run -0 xsell-learn -q --all-rules j/orders
	assert_output "$(cat t/rel)"
	run -0 xsell-qualify -q --relations j/rel --catalog j/catalog pages.tsv
	assert_output "$(cat t/q)"
	run -0 xsell-score -q --catalog j/catalog j/q
	assert_output "$(cat t/s)"
	run -0 xsell-rank -q j/s
	assert_output "$(cat t/r)"
	run -0 xsell-rank -q j/r
	assert_output "$(cat t/r)"
	# Numbers in the numeric columns; pass-through values as they came:
	# strings stay strings, and a JSON number (w: 2) is read as its text,
	# so it passes through as the string "2".
	run -0 jq -c '{score, rank, price, support, barcode, ref, w}' j/r
	assert_output '{"score":0.6607843137254902,"rank":1,"price":30,"support":0.5,"barcode":"12345678901234567891","ref":"1E5","w":"1.10"}
{"score":0.6191176470588236,"rank":2,"price":25.5,"support":0.5,"barcode":"12345678901234567891","ref":"1E5","w":"1.10"}
{"score":0.6607843137254902,"rank":1,"price":500,"support":0.5,"barcode":"007","ref":"-0","w":"2"}
{"score":0.39678431372549017,"rank":2,"price":30,"support":0.5,"barcode":"007","ref":"-0","w":"2"}'
	run -0 jq -c -s '[.[0].note, .[1].note, .[2].note]' j/orders
	assert_output '["1E5","1.10",null]'
	run -0 jq -c -s '[.[].barcode]' j/catalog
	assert_output '["12345678901234567891","0012","1E5","1.10"]'
}

@test "learn --counts -j reads back into --merge" {
	xsell-import -q orders.csv > t/orders
	xsell-learn -q --all-rules t/orders > t/rel
	xsell-learn -q --counts -j t/orders > j/counts
	jq -e . j/counts > /dev/null
	run -0 xsell-learn -q --all-rules --merge j/counts
	assert_output "$(cat t/rel)"
}

@test "audit reads -j relations, catalog and events, and its -j read-outs are JSON numbers" {
	xsell-import -q catalog.csv > t/catalog
	xsell-import -q orders.csv | xsell-learn -q > t/rel
	xsell-import -q -j catalog.csv > j/catalog
	xsell-import -q orders.csv | xsell-learn -q -j > j/rel
	xsell-import -q --kind events "$FIX/audit/exp-rate.tsv" > t/ev
	xsell-import -q --kind events -j "$FIX/audit/exp-rate.tsv" > j/ev
	# (a finding names its line: JSON lines have no header line)
	for mode in "--catalog catalog rel" "--events ev" "--experiment --events ev"; do
		a=$(cd t && xsell-audit -q $mode | sed 's/(rel:[0-9]*)//')
		b=$(cd j && xsell-audit -q $mode | sed 's/(rel:[0-9]*)//')
		[ "$a" = "$b" ] || { echo "$mode: $a"; echo "json: $b"; false; }
	done
	(cd j && xsell-audit -q -j --experiment --events ev) > x.json
	run -0 jq -c 'select(.metric == "conversion_rate") | [.treatment, .control, .estimate]' x.json
	assert_output '[0.5,0.3,0.2]'
	(cd j && xsell-audit -q -j --events ev) > o.json
	run -0 jq -c 'select(.level == "candidate") | [.candidate_id, .impressions, .conversions]' o.json
	assert_output '["A",50,25]
["B",50,0]'
}

@test "an uplift model written with -j scores as the TSV one does" {
	xsell-learn --uplift -q --segment-by tier,tenure:12 "$FIX/uplift/small.tsv" > t/model
	xsell-learn --uplift -q -j --segment-by tier,tenure:12 "$FIX/uplift/small.tsv" > j/model
	jq -e . j/model > /dev/null
	run -0 jq -r -s '.[0] | [(.n_t | type), (.tier | type), (.label | type)] | join(" ")' j/model
	assert_output "number string string"
	a=$(xsell-score -q --uplift-weight 1 --uplift-model t/model "$FIX/uplift/cands.tsv")
	run -0 xsell-score -q --uplift-weight 1 --uplift-model j/model "$FIX/uplift/cands.tsv"
	assert_output "$a"
}
