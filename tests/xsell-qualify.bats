#!/usr/bin/env bats
# xsell-qualify: candidates from relations and offers, built-in checks,
# the rule language, rules files and their errors.

load helper
bats_require_minimum_version 1.5.0

Q=$FIX/qualify

# The rules between two markers of the man page, as a rules file.
man_rules() {
	awk -v b=".\\\\\" $1-begin" -v e=".\\\\\" $1-end" '
	$0 == b { on = 1; next } $0 == e { on = 0 }
	on && !/^\.(Bd|Ed)/' "$ROOT/man/xsell-qualify.1"
}

# Candidates of product pages for one -r rule: "context candidate" pairs.
qr() {
	xsell-qualify --relations $Q/managed.tsv --catalog $Q/catalog.tsv \
	    -r "$1" $Q/pages.tsv | pick customer_id candidate_id | tr '\n' ' '
}

@test "--help prints the usage and exits 0; -V the version" {
	run xsell-qualify --help
	assert_success
	assert_line --index 0 'usage: xsell-qualify [--relations FILE ...] [--popular FILE [--max-popular N]]'
	assert_line --index 4 '       xsell-qualify --offers FILE [--catalog FILE] [--rules FILE] [-r EXPR ...]'
	assert_line --index 7 '       xsell-qualify -h | -V'
	run xsell-qualify -V
	assert_success
	assert_output --regexp '^xsell-qualify [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a product page gets its subject's links, context columns after" {
	run xsell-qualify --relations $Q/managed.tsv $Q/pages.tsv
	assert_success
	# P1's substitute P8 is dropped: P1 is in stock (see the substitute test).
	assert_output "$(printf 'context_id\tcandidate_id\tsource\ttype\tposition\tupdated\tsubject_id\tcustomer_id\tsegment
P1\tP2\tmanaged\tcross_sell\t1\t2025-01-10\tP1\tu1\tbudget
P1\tP3\tmanaged\tcross_sell\t2\t2025-01-10\tP1\tu1\tbudget
P1\tP6\tmanaged\tcross_sell\t3\t2025-01-10\tP1\tu1\tbudget
P1\tP7\tmanaged\tupsell\t1\t2025-01-10\tP1\tu1\tbudget
P1\tP2\tmanaged\tcross_sell\t1\t2025-01-10\tP1\tu2\tregular
P1\tP3\tmanaged\tcross_sell\t2\t2025-01-10\tP1\tu2\tregular
P1\tP6\tmanaged\tcross_sell\t3\t2025-01-10\tP1\tu2\tregular
P1\tP7\tmanaged\tupsell\t1\t2025-01-10\tP1\tu2\tregular
P3\tP4\tmanaged\tcross_sell\t1\t2025-02-01\tP3\tu3\tregular
P4\tP9\tmanaged\tupsell\t1\t2025-02-01\tP4\tu4\tbudget')"
}

@test "a context_id column names the context" {
	printf 'context_id\tsubject_id\nview-7\tP4\n' > ctx.tsv
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv ctx.tsv | pick context_id candidate_id subject_id"
	assert_success
	assert_output 'view-7 P9 P4'
}

@test "a candidate both curated and learned is one row per source; rank shows it once" {
	printf 'subject_id\nP1\n' > ctx.tsv
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --relations $Q/learned.tsv ctx.tsv"
	assert_success
	# P2: curated (position 1) and learned (count, confidence, lift): one
	# row each, in the order first reached.
	assert_output "$(printf 'context_id\tcandidate_id\tsource\ttype\tposition\tupdated\tcount\tconfidence\tlift\tsubject_id
P1\tP2\tmanaged\tcross_sell\t1\t2025-01-10\t\t\t\tP1
P1\tP3\tmanaged\tcross_sell\t2\t2025-01-10\t\t\t\tP1
P1\tP6\tmanaged\tcross_sell\t3\t2025-01-10\t\t\t\tP1
P1\tP7\tmanaged\tupsell\t1\t2025-01-10\t\t\t\tP1
P1\tP5\tlearned\tcross_sell\t\t\t40\t0.4\t3.2\tP1
P1\tP2\tlearned\tcross_sell\t\t\t55\t0.55\t4.1\tP1')"
	# The learned arm of an A/B test sees P2; a list shows it once.
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --relations $Q/learned.tsv ctx.tsv |
	    xsell-score | xsell-rank --fallback learned | pick candidate_id source rank"
	assert_success
	assert_output 'P2 learned 1
P5 learned 2'
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --relations $Q/learned.tsv ctx.tsv |
	    xsell-score | xsell-rank --fallback managed,learned | pick candidate_id source rank"
	assert_output 'P2 managed 1
P7 managed 2
P3 managed 3
P6 managed 4
P5 learned 5'
}

@test "a cart gets the union of its items' links, minus the cart, with support_items" {
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --relations $Q/learned.tsv $Q/carts.tsv |
	    pick context_id candidate_id source type confidence lift support_items"
	assert_success
	# K1 = P2,P4: P2 links P4 (in the cart: left out), P5 and P1; P4
	# links P9 and P5 (again: support 2, best confidence and lift); the
	# learned body P2,P4 gives P3 (both items support it). K3's item is
	# unknown: no candidates.
	assert_output 'K1 P5 learned cross_sell 0.6 2.5 2
K1 P1 learned cross_sell 0.3 4.1 1
K1 P3 learned cross_sell 0.7 5 2
K1 P9 managed upsell   1
K2 P2 managed cross_sell   1
K2 P3 managed cross_sell   1
K2 P6 managed cross_sell   1
K2 P7 managed upsell   1
K2 P2 learned cross_sell 0.55 4.1 1'
}

@test "a learned body of several items needs all of them in the cart" {
	printf 'cart_id\titems\nA\tP2\nB\tP4,P2,P7\n' > carts.tsv
	run bash -o pipefail -c "xsell-qualify --relations $Q/learned.tsv carts.tsv | pick context_id candidate_id support_items"
	assert_success
	assert_output 'A P5 1
A P1 1
B P5 2
B P1 1
B P3 2'
}

@test "a customer with holdings gets the links of what it holds" {
	printf 'customer_id\tholdings\tsegment\nu1\tP3\tbudget\nu2\t\tregular\n' > cust.tsv
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --catalog $Q/catalog.tsv cust.tsv |
	    pick context_id candidate_id type support_items segment"
	assert_success
	assert_output 'u1 P5 substitute 1 budget
u1 P4 cross_sell 1 budget'
}

@test "--type restricts the relation types" {
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --type upsell,bundle $Q/pages.tsv | pick context_id candidate_id type"
	assert_success
	assert_output 'P1 P7 upsell
P1 P7 upsell
P4 P9 upsell'
	run xsell-qualify --relations $Q/managed.tsv --type upsel $Q/pages.tsv
	assert_failure 2
	assert_output 'xsell-qualify: option --type: "upsel" is not one of cross_sell, upsell, substitute, bundle'
}

@test "a substitute qualifies only when its subject is out of stock" {
	# P1 is in stock: its substitute P8 goes; P3 has stock 0: P5 stays.
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --catalog $Q/catalog.tsv --type substitute \
	    --rejected rej.tsv $Q/pages.tsv | pick context_id candidate_id"
	assert_success
	assert_output 'P3 P5'
	run pick context_id candidate_id rejected_by < rej.tsv
	assert_output 'P1 P8 substitute
P1 P8 substitute'
	# A discontinued subject counts as out of stock.
	printf 'subject_id\tlinked_id\ttype\nP6\tP2\tsubstitute\n' > rel.tsv
	printf 'subject_id\nP6\n' > ctx.tsv
	run bash -o pipefail -c "xsell-qualify --relations rel.tsv --catalog $Q/catalog.tsv ctx.tsv | pick candidate_id type"
	assert_output 'P2 substitute'
	# Without a catalog nothing says the subject is out of stock.
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --type substitute $Q/pages.tsv | pick candidate_id"
	assert_success
	assert_output ''
}

@test "--exclude-owned drops holdings, cart items and the subject" {
	printf 'subject_id\tholdings\nP1\tP3,P9\nP4\tP9\n' > ctx.tsv
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --exclude-owned --rejected rej.tsv ctx.tsv | pick context_id candidate_id"
	assert_success
	assert_output 'P1 P2
P1 P6
P1 P7'
	run pick context_id candidate_id rejected_by < rej.tsv
	assert_output 'P1 P3 exclude-owned
P1 P8 substitute
P4 P9 exclude-owned'
	# Without the option, owned candidates stay.
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv ctx.tsv | pick candidate_id | tr '\n' ' '"
	assert_output 'P2 P3 P6 P7 P9 '
}

@test "--in-stock drops out of stock, inactive and unknown candidates" {
	printf 'subject_id\tlinked_id\nP2\tP3\nP2\tP6\nP2\tP5\nP2\tP42\n' > rel.tsv
	printf 'subject_id\nP2\n' > ctx.tsv
	run bash -o pipefail -c "xsell-qualify --relations rel.tsv --catalog $Q/catalog.tsv --in-stock --rejected rej.tsv ctx.tsv | pick candidate_id"
	assert_success
	assert_output 'P5'
	run pick candidate_id rejected_by < rej.tsv
	assert_output 'P3 in-stock
P6 in-stock
P42 in-stock'
}

@test "--catalog appends category, price and cost" {
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --catalog $Q/catalog.tsv $Q/pages.tsv | head -2"
	assert_success
	assert_output "$(printf 'context_id\tcandidate_id\tsource\ttype\tposition\tupdated\tcategory\tprice\tcost\tsubject_id\tcustomer_id\tsegment
P1\tP2\tmanaged\tcross_sell\t1\t2025-01-10\tphoto\t250\t150\tP1\tu1\tbudget')"
}

@test "--popular: best sellers are a source, after the links, under every check" {
	printf 'product_id\tscore\nP5\t90\nP1\t80\nP6\t70\nP3\t60\nP9\t50\nP99\t40\nP4\t30\nP2\t30\nP8\t\n' > pop.tsv
	printf 'context_id\tsubject_id\tholdings\nv1\tP1\tP9\n' > page.tsv
	run xsell-qualify --relations $Q/managed.tsv --popular pop.tsv --catalog $Q/catalog.tsv \
	    --exclude-owned --in-stock --type cross_sell --max-popular 3 --rejected rej.tsv \
	    -r 'candidate.price < 400' -v -o out.tsv page.tsv
	assert_success
	# Highest score first, a tie by id, a missing score last; P1 is the
	# page, P6 discontinued, P3 and P99 out of stock or unknown, P9 held.
	run pick candidate_id source type position < out.tsv
	assert_output "P2 managed cross_sell 1
P5 popular cross_sell 1
P2 popular cross_sell 7
P4 popular cross_sell 8"
	run pick candidate_id source position rejected_by < rej.tsv
	assert_output "P3 managed 2 in-stock
P6 managed 3 in-stock
P6 popular 3 in-stock
P3 popular 4 in-stock
P9 popular 5 exclude-owned
P99 popular 6 in-stock"
	run xsell-qualify --relations $Q/managed.tsv --popular pop.tsv -v -o /dev/null page.tsv
	assert_output --partial "xsell-qualify: source popular: 8 candidates, 8 qualified (at most 20 a context)"
}

@test "--popular: carts and customers; --max-popular counts the qualified; --type without cross_sell has none" {
	printf 'product_id\tscore\nP5\t9\nP4\t8\nP1\t7\nP2\t6\n' > pop.tsv
	run bash -o pipefail -c "xsell-qualify --popular pop.tsv --max-popular 2 $Q/carts.tsv | pick context_id candidate_id position support_items items"
	assert_success
	# K1 holds P2 and P4, K2 P1 and P5: never what the cart holds.
	assert_output "K1 P5 1 0 P2,P4
K1 P1 3 0 P2,P4
K2 P4 2 0 P1, P5
K2 P2 4 0 P1, P5
K3 P5 1 0 P99
K3 P4 2 0 P99"
	# Customers need no holdings with --popular alone.
	printf 'customer_id\ttier\nu1\tgold\n' > cust.tsv
	run bash -o pipefail -c "xsell-qualify --popular pop.tsv --max-popular 1 -r 'customer.tier == \"gold\"' cust.tsv | pick context_id candidate_id source"
	assert_output "u1 P5 popular"
	run xsell-qualify --popular pop.tsv --type upsell cust.tsv
	assert_success
	assert_output "$(printf 'context_id\tcandidate_id\tsource\ttype\tposition\tsupport_items\tcustomer_id\ttier')"
}

@test "--popular: a file without a score column keeps its order; errors" {
	printf 'product_id\nP4\nP2\nP9\n' > pop.tsv
	run bash -o pipefail -c "printf 'subject_id\nP1\n' | xsell-qualify --popular pop.tsv | pick candidate_id position"
	assert_success
	assert_output "P4 1
P2 2
P9 3"
	printf 'product_id\tscore\nP4\t1\nP4\t2\n' > dup.tsv
	printf 'product_id\tscore\nP4\t1\n\t2\n' > noid.tsv
	printf 'product_id\tscore\nP4\tmany\n' > badscore.tsv
	printf 'sku\tscore\nP4\t1\n' > nocol.tsv
	while IFS='|' read -r want args msg; do
		run sh -c "printf 'subject_id\nP1\n' | xsell-qualify $args"
		[ "$status" -eq "$want" ] || { echo "$args: status $status: $output"; return 1; }
		[ "$output" = "$msg" ] || { echo "$args: $output"; return 1; }
	done <<EOF
3|--popular dup.tsv|xsell-qualify: dup.tsv:3: product_id 'P4' given twice (first at line 2)
3|--popular noid.tsv|xsell-qualify: noid.tsv:3: empty product_id
3|--popular badscore.tsv|xsell-qualify: badscore.tsv:2: column 'score': not a number: "many"
3|--popular nocol.tsv|xsell-qualify: nocol.tsv: missing required column 'product_id' (found: sku, score)
4|--popular missing.tsv|xsell-qualify: missing.tsv: No such file or directory
2|--max-popular 3 --relations $Q/managed.tsv|xsell-qualify: option --max-popular needs --popular
2|--max-popular 0 --popular pop.tsv|xsell-qualify: option --max-popular: 0 is not in [1, 4294967296]
EOF
	run xsell-qualify --offers $Q/offers.tsv --popular pop.tsv $Q/customers.tsv
	assert_failure 2
	assert_line --index 0 "xsell-qualify: --popular and --offers do not go together"
}

@test "--offers: every customer against every active offer" {
	run xsell-qualify --offers $Q/offers.tsv $Q/customers.tsv
	assert_success
	refute_output --partial car_loan
	assert_line --index 0 "$(printf 'context_id\tcandidate_id\tsource\ttype\tbusiness_value\trevenue_value\tcategory\tchannel\tcustomer_id\ttier\ttenure_months\thas_credit_card\tholdings')"
	assert_line --index 1 "$(printf 'C1\tchecking\toffer\tcross_sell\t40\t120\tdeposit\tweb\tC1\tpremium\t36\tfalse\tchecking')"
	run bash -o pipefail -c "xsell-qualify --offers $Q/offers.tsv $Q/customers.tsv | pick context_id candidate_id | tr '\n' ' '"
	assert_output 'C1 checking C1 savings C1 credit_card C1 mortgage C2 checking C2 savings C2 credit_card C2 mortgage C3 checking C3 savings C3 credit_card C3 mortgage C4 checking C4 savings C4 credit_card C4 mortgage '
}

@test "an offer's type column, and --type, apply to offers" {
	printf 'offer_id\tstatus\ttype\nbasic\tactive\t\nplatinum\tactive\tupsell\n' > offers.tsv
	printf 'customer_id\nC1\n' > ctx.tsv
	run bash -o pipefail -c "xsell-qualify --offers offers.tsv ctx.tsv | pick candidate_id source type"
	assert_output 'basic offer cross_sell
platinum offer upsell'
	run bash -o pipefail -c "xsell-qualify --offers offers.tsv --type upsell ctx.tsv | pick candidate_id"
	assert_output 'platinum'
}

@test "an offer's channel list is one placement per channel, each checked on its own" {
	printf 'offer_id\tstatus\tbusiness_value\tchannel\nsavings\tactive\t60\temail,in_app\ncard\tactive\t80\t email , branch ,email\nloan\tactive\t50\t\ngift\tactive\t10\t,\n' > off.tsv
	printf 'customer_id\ttier\nC1\tgold\n' > c.tsv
	run xsell-qualify --offers off.tsv -r '!(candidate.channel == "branch")' --rejected rej.tsv -v -o out.tsv c.tsv
	assert_success
	assert_output "xsell-qualify: contexts: 1 read, 0 without any candidate, 0 with none qualified
xsell-qualify: offer savings: 2 candidates, 2 qualified
xsell-qualify: offer card: 2 candidates, 1 qualified
xsell-qualify: offer loan: 1 candidates, 1 qualified
xsell-qualify: offer gift: 1 candidates, 1 qualified
xsell-qualify: candidates: 6, 5 qualified, 1 rejected
xsell-qualify: rule -r:1: 1 rejected"
	run pick context_id candidate_id channel < out.tsv
	assert_output "C1 savings email
C1 savings in_app
C1 card email
C1 loan 
C1 gift "
	run pick candidate_id channel rejected_by < rej.tsv
	assert_output "card branch -r:1"
	# Each placement is weighed by its channel and ranked in its own list.
	printf 'channel\tP\tR\tI\tE\nemail\t0\t0\t1\t0\nin_app\t0\t0\t0.5\t0.5\n*\t0.25\t0.25\t0.25\t0.25\n' > w.tsv
	run bash -o pipefail -c "xsell-score --weights-file w.tsv out.tsv | xsell-rank --per channel --top 1 | pick channel candidate_id score rank"
	assert_success
	assert_output "email card 0.8 1
in_app savings 0.3 1
 loan 0.125 1"
}

@test "bank: a premium customer of 36 months with checking and no card keeps exactly two offers" {
	man_rules bank-rules > rules.tsv
	grep -q 'mortgage_tenure' rules.tsv
	printf 'customer_id\ttier\ttenure_months\thas_credit_card\tholdings\nC1\tpremium\t36\tfalse\tchecking\n' > c1.tsv
	run bash -o pipefail -c "xsell-qualify --offers $Q/offers.tsv --rules rules.tsv --rejected rej.tsv c1.tsv | pick context_id candidate_id"
	assert_success
	assert_output 'C1 savings
C1 credit_card'
	run pick candidate_id rejected_by < rej.tsv
	assert_output 'checking not_held
mortgage mortgage_tenure'
}

@test "bank: the other customers get what the rules allow them" {
	man_rules bank-rules > rules.tsv
	run bash -o pipefail -c "xsell-qualify --offers $Q/offers.tsv --rules rules.tsv --rejected rej.tsv $Q/customers.tsv | pick context_id candidate_id"
	assert_success
	# C2 holds everything but a mortgage; C3 is new and holds nothing;
	# C4's card status is unknown: no card offer (missing compares false).
	assert_output 'C1 savings
C1 credit_card
C2 mortgage
C3 checking
C4 savings
C4 mortgage'
	run pick context_id candidate_id rejected_by < rej.tsv
	assert_output 'C1 checking not_held
C1 mortgage mortgage_tenure
C2 checking not_held
C2 savings not_held
C2 credit_card not_held
C3 savings savings_with_checking
C3 credit_card card_after_a_year
C3 mortgage mortgage_tier
C4 checking not_held
C4 credit_card no_card_holders'
}

@test "merchant rules from the man page" {
	man_rules merchant-rules > rules.tsv
	[ "$(grep -c '	' rules.tsv)" -eq 4 ]
	printf 'subject_id\tlinked_id\ttype\nP1\tP7\tupsell\nP4\tP9\tupsell\nP8\tP2\tupsell\nP2\tP3\tcross_sell\nP2\tP5\tcross_sell\nP2\tP6\tcross_sell\nP2\tP42\tcross_sell\n' > rel.tsv
	printf 'context_id\tsubject_id\tsegment\nv1\tP1\tbudget\nv2\tP1\tregular\nv3\tP4\tbudget\nv4\tP8\tregular\nv5\tP2\tregular\n' > ctx.tsv
	run bash -o pipefail -c "xsell-qualify --relations rel.tsv --catalog $Q/catalog.tsv --rules rules.tsv --rejected rej.tsv ctx.tsv | pick context_id candidate_id"
	assert_success
	# P42 is not in the catalog: its category and status are missing, so
	# the !(x == y) rules let it through.
	assert_output 'v3 P9
v4 P2
v5 P5
v5 P42'
	run pick context_id candidate_id rejected_by < rej.tsv
	assert_output 'v1 P7 no_premium_to_budget
v2 P7 upsell_price_cap
v5 P3 accessories_in_stock
v5 P6 not_discontinued'
}

@test "rules file: scopes *, type: and ids, comma lists, comments and blank lines" {
	cat > rules.tsv <<-'EOF'
	# comment

	  # indented comment
	P2,P3	not_p	customer.segment == "nobody"
	type:upsell	no_upsell	false
	*	cheap	candidate.price < 400
	EOF
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --catalog $Q/catalog.tsv --rules rules.tsv --rejected rej.tsv $Q/pages.tsv | pick context_id candidate_id"
	assert_success
	assert_output 'P1 P6
P1 P6
P3 P5
P3 P4'
	run pick context_id candidate_id rejected_by < rej.tsv
	assert_output 'P1 P2 not_p
P1 P3 not_p
P1 P7 no_upsell
P1 P8 substitute
P1 P2 not_p
P1 P3 not_p
P1 P7 no_upsell
P1 P8 substitute
P4 P9 no_upsell'
}

@test "all rules in scope must pass; --rejected names the first that failed, in file order" {
	printf '*\tfirst\tcandidate.price > 100\nP6\tsecond\tfalse\n*\tthird\tcandidate.price > 1000\n' > rules.tsv
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --catalog $Q/catalog.tsv --rules rules.tsv -r true -r 'candidate.tier != \"x\"' \
	    --rejected rej.tsv $Q/pages.tsv | pick candidate_id"
	assert_success
	assert_output ''
	run bash -c "pick context_id candidate_id rejected_by < rej.tsv | head -5"
	assert_output 'P1 P2 third
P1 P3 first
P1 P6 first
P1 P7 third
P1 P8 substitute'
}

@test "-r applies to every candidate and is named -r:N" {
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --catalog $Q/catalog.tsv -r 'candidate.price < 300' -r 'candidate.category == \"photo\"' \
	    --rejected rej.tsv $Q/pages.tsv | pick context_id candidate_id"
	assert_success
	assert_output 'P1 P2
P1 P6
P1 P2
P1 P6'
	run bash -c "pick context_id candidate_id rejected_by < rej.tsv | sort -u"
	assert_output 'P1 P3 -r:2
P1 P7 -r:1
P1 P8 substitute
P3 P4 -r:2
P3 P5 -r:2
P4 P9 -r:2'
}

@test "operators, one rule each" {
	# customers: u1 budget, u2 regular (P1); u3 regular (P3); u4 budget (P4)
	[ "$(qr 'candidate.price == 250')" = 'u1 P2 u2 P2 ' ]
	[ "$(qr 'candidate.price != 250 && candidate.category == "photo"')" = 'u1 P6 u1 P7 u2 P6 u2 P7 ' ]
	[ "$(qr 'candidate.price < 40')" = 'u3 P5 u3 P4 ' ]
	[ "$(qr 'candidate.price <= 40')" = 'u1 P3 u2 P3 u3 P5 u3 P4 u4 P9 ' ]
	[ "$(qr 'candidate.price > 250')" = 'u1 P7 u2 P7 ' ]
	[ "$(qr 'candidate.price >= 250')" = 'u1 P2 u1 P7 u2 P2 u2 P7 ' ]
	[ "$(qr 'candidate.brand in ["Zap", "Bolt"]')" = 'u1 P3 u2 P3 u3 P5 u3 P4 u4 P9 ' ]
	[ "$(qr 'candidate.brand not in ["Zap", "Bolt"]')" = 'u1 P2 u1 P6 u1 P7 u2 P2 u2 P6 u2 P7 ' ]
	[ "$(qr '"regular,vip" contains customer.segment')" = 'u2 P2 u2 P3 u2 P6 u2 P7 u3 P5 u3 P4 ' ]
	[ "$(qr 'customer.segment == "budget" || candidate.price > 800')" = 'u1 P2 u1 P3 u1 P6 u1 P7 u2 P7 u4 P9 ' ]
	[ "$(qr '!(candidate.category == "photo")')" = 'u1 P3 u2 P3 u3 P5 u3 P4 u4 P9 ' ]
	[ "$(qr 'candidate.price - candidate.cost >= 100')" = 'u1 P2 u1 P7 u2 P2 u2 P7 ' ]
	[ "$(qr 'candidate.price / subject.price * 100 + 0 > 40')" = 'u1 P2 u1 P7 u2 P2 u2 P7 u3 P4 u4 P9 ' ]
	[ "$(qr 'candidate.type == "upsell"')" = 'u1 P7 u2 P7 u4 P9 ' ]
}

@test "precedence: && before ||, ! below comparisons, * before +" {
	[ "$(qr 'candidate.price > 800 || candidate.price < 20 && customer.segment == "regular"')" = 'u1 P7 u2 P7 u3 P5 ' ]
	[ "$(qr '(candidate.price > 800 || candidate.price < 20) && customer.segment == "regular"')" = 'u2 P7 u3 P5 ' ]
	[ "$(qr '!candidate.category == "photo"')" = 'u1 P3 u2 P3 u3 P5 u3 P4 u4 P9 ' ]
	[ "$(qr 'candidate.price == 10 + 1 * 5')" = 'u3 P5 ' ]
}

@test "a comparison with a missing field is false; has() says otherwise" {
	printf 'subject_id\tsegment\nP4\t\nP4\tbudget\nP4\tregular\n' > ctx.tsv
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv -r 'customer.segment != \"budget\"' ctx.tsv | pick segment"
	assert_output 'regular'
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv -r '!(customer.segment == \"budget\")' ctx.tsv | pick segment"
	assert_output '
regular'
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv -r '!has(customer.segment) || customer.segment == \"budget\"' ctx.tsv | pick segment"
	assert_output '
budget'
}

# A field no row can have would make its rule false (or true) for every
# candidate: a cron job would publish empty widgets. Exit 3 naming the
# rule, a caret under the field, and the likely name. Table: status,
# options, rule, the message (after "xsell-qualify: ") and the caret's
# column; contexts are pages.tsv.
unknown_fields=(
	"3|--catalog $Q/catalog.tsv|subject.prise < 100|-r:1:1: subject.prise is not a column of the catalog (did you mean 'price'?)|1"
	"3|--catalog $Q/catalog.tsv|candidate.price > 0 && candidate.prise < 100|-r:1:24: candidate.prise is not a column of the candidates or the catalog (did you mean 'price'?)|24"
	"3||customer.segmnet == \"budget\"|-r:1:1: customer.segmnet is not a column of the contexts (did you mean 'segment'?)|1"
	"3||context.segmnet == \"budget\"|-r:1:1: context.segmnet is not a column of the contexts (did you mean 'segment'?)|1"
	"3|--catalog $Q/catalog.tsv|customer.price < 100|-r:1:1: customer.price is not a column of the contexts (did you mean 'candidate.price'?)|1"
	"3|--catalog $Q/catalog.tsv|!has(customer.tier) \|\| customer.tier == 1|-r:1:6: customer.tier is not a column of the contexts (did you mean 'candidate.tier'?)|6"
	"3||candidate.position < 3 && subject.price < 100|-r:1:27: subject.price needs --catalog (a subject's fields are its catalog row)|27"
	"3||candidate.support_items > 1|-r:1:1: candidate.support_items is not a column of the candidates or the catalog|1"
	"0|--catalog $Q/catalog.tsv|customer.segment == \"budget\" && subject.price > 0 && candidate.position > 0|-|0"
)

@test "a rule naming a field no row has: exit 3, the rule, a caret, a suggestion; nothing written" {
	for row in "${unknown_fields[@]}"; do
		IFS='|' read -r want opts expr msg col <<< "${row//\\|/$'\1'}"
		expr=${expr//$'\1'/|}
		echo old > out.tsv
		# shellcheck disable=SC2086
		run --separate-stderr xsell-qualify --relations $Q/managed.tsv $opts -r "$expr" -o out.tsv $Q/pages.tsv
		[ "$status" -eq "$want" ] || { echo "status $status for $expr: $stderr"; return 1; }
		if [ "$want" -eq 0 ]; then
			[ -z "$stderr" ] && [ "$(cut -f1,2 out.tsv | tr '\n' ' ')" = $'context_id\tcandidate_id P1\tP2 P1\tP3 P1\tP6 P1\tP7 P4\tP9 ' ] ||
			    { echo "for $expr: $stderr"; cat out.tsv; return 1; }
			continue
		fi
		[ "$stderr" = "xsell-qualify: $msg
  $expr
  $(printf '%*s' $((col - 1)) '')^" ] || { echo "got: $stderr"; echo "for: $expr"; return 1; }
		[ "$(cat out.tsv)" = old ] || { echo "out.tsv replaced for $expr"; return 1; }
	done
}

@test "an unknown field in a rules file: file:line:column, offers have no subject" {
	printf '# bank\n*\tok\ttrue\ntype:cross_sell\ttenure\tcustomer.tenure_months >= 12 && subject.tier == "gold"\n' > rules.tsv
	run --separate-stderr xsell-qualify --offers $Q/offers.tsv --rules rules.tsv $Q/customers.tsv
	assert_failure 3
	assert_output ''
	[ "$stderr" = "xsell-qualify: rules.tsv:3:56: subject.tier: offers have no subject (did you mean 'customer.tier'?)
  type:cross_sell	tenure	customer.tenure_months >= 12 && subject.tier == \"gold\"
  $(printf '%15s\t%6s\t%32s' '' '' '')^" ] || { echo "$stderr"; false; }
}

# JSON lines have no header line: the first object's keys are the
# columns (a later object with another key is an error anyway), so a
# field is unknown when the first object lacks it, and merely missing on
# a later row that lacks it.
@test "JSON-lines contexts: the first object's keys are the known fields" {
	printf '{"subject_id":"P4","segment":"budget"}\n{"subject_id":"P4"}\n' > ctx.json
	run --separate-stderr xsell-qualify --relations $Q/managed.tsv -r 'customer.segment == "budget"' ctx.json
	assert_success
	assert_output $'context_id\tcandidate_id\tsource\ttype\tposition\tupdated\tsubject_id\tsegment\nP4\tP9\tmanaged\tupsell\t1\t2025-02-01\tP4\tbudget'
	[ -z "$stderr" ]
	printf '{"subject_id":"P4"}\n{"subject_id":"P4","segment":"budget"}\n' > ctx.json
	run --separate-stderr xsell-qualify --relations $Q/managed.tsv -r 'customer.segment == "budget"' ctx.json
	assert_failure 3
	assert_output ''
	[ "$stderr" = "xsell-qualify: -r:1:1: customer.segment is not a column of the contexts
  customer.segment == \"budget\"
  ^" ]
}

@test "no contexts at all: the contexts' fields cannot be checked and nothing is output" {
	run --separate-stderr xsell-qualify --relations $Q/managed.tsv -r 'customer.segmnet == 1' < /dev/null
	assert_success
	assert_output $'context_id\tcandidate_id\tsource\ttype\tposition\tupdated\tsupport_items'
	[ -z "$stderr" ]
}

@test "owns() sees holdings, cart items and the subject" {
	printf 'cart_id\titems\tholdings\nK1\tP2\tP9\nK2\tP4\t\n' > carts.tsv
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --relations $Q/learned.tsv -r 'owns(\"P2\") && !owns(\"P9\") || owns(\"P4\") && owns(candidate.candidate_id)' carts.tsv | pick context_id candidate_id"
	assert_success
	assert_output ''
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --relations $Q/learned.tsv -r 'owns(\"P2\") && owns(\"P9\")' carts.tsv | pick context_id candidate_id"
	assert_output 'K1 P4
K1 P5
K1 P1'
}

@test "a rule that does not parse: exit 3, file:line:column, the line and a caret" {
	printf '# rules\n*\tok\ttrue\ncredit_card\tno_card\t!own("credit_card")\n' > rules.tsv
	run xsell-qualify --offers $Q/offers.tsv --rules rules.tsv $Q/customers.tsv
	assert_failure 3
	assert_output "$(printf 'xsell-qualify: rules.tsv:3:22: unknown function %s (functions: owns, has)\n  credit_card\tno_card\t!own("credit_card")\n             \t       \t ^' "'own'")"
}

# expected status, rule, column, message
parse_errors=(
	'3|customer.tier = "gold"|15|'"'"'='"'"' alone: use == to compare'
	'3|customer.tier == '"'"'gold'"'"'|18|strings are written in double quotes'
	'3|candidate.price < 1 < 2|21|comparisons do not chain: join them with &&'
	'3|cust.tier == 1|1|unknown field scope '"'"'cust'"'"' (use customer, context, candidate, linked, offer or subject)'
	'3|tier == 1|1|unknown name '"'"'tier'"'"' (fields are written customer.x, candidate.x or subject.x)'
	'3|has("x")|5|has() takes one field, as in has(customer.tier)'
	'3|(true|6|expected '"'"')'"'"', found the end of the rule'
	'3|customer.t in [1, customer.x]|19|array members must be numbers, strings, true or false'
	'3|customer.t not ["a"]|12|'"'"'not'"'"' must be followed by '"'"'in'"'"' (use ! to negate)'
	'3||1|empty rule'
)

@test "parse errors in -r, table-driven" {
	for row in "${parse_errors[@]}"; do
		IFS='|' read -r want expr col msg <<< "$row"
		run xsell-qualify --relations $Q/managed.tsv -r true -r "$expr" $Q/pages.tsv
		[ "$status" -eq "$want" ] || { echo "status $status for $expr"; false; }
		[ "${lines[0]}" = "xsell-qualify: -r:2:$col: $msg" ] || { echo "got: ${lines[0]}"; echo "for: $expr"; false; }
		[ "${lines[1]}" = "  $expr" ] || { echo "line: ${lines[1]}"; false; }
		[ "${lines[2]}" = "  $(printf '%*s' $((col - 1)) '')^" ] || { echo "caret: ${lines[2]}"; false; }
	done
}

@test "rules file lines without three fields or with an empty scope or name: exit 3" {
	printf '*\tjust_a_name\n' > rules.tsv
	run xsell-qualify --relations $Q/managed.tsv --rules rules.tsv $Q/pages.tsv
	assert_failure 3
	assert_output 'xsell-qualify: rules.tsv:1: expected SCOPE<TAB>NAME<TAB>EXPRESSION'
	printf '\n*\t\ttrue\n' > rules.tsv
	run xsell-qualify --relations $Q/managed.tsv --rules rules.tsv $Q/pages.tsv
	assert_failure 3
	assert_output 'xsell-qualify: rules.tsv:2: empty rule name'
	printf ' , \tname\ttrue\n' > rules.tsv
	run xsell-qualify --relations $Q/managed.tsv --rules rules.tsv $Q/pages.tsv
	assert_failure 3
	assert_output 'xsell-qualify: rules.tsv:1: empty scope: give *, type:TYPE or an id'
	run xsell-qualify --relations $Q/managed.tsv --rules nope.tsv $Q/pages.tsv
	assert_failure 4
	assert_output 'xsell-qualify: nope.tsv: No such file or directory'
}

@test "-v: candidates before and after, per type and per offer, and per rule" {
	man_rules bank-rules > rules.tsv
	run --separate-stderr xsell-qualify -v --offers $Q/offers.tsv --rules rules.tsv $Q/customers.tsv
	assert_success
	[ "$stderr" = "xsell-qualify: contexts: 4 read, 0 without any candidate, 0 with none qualified
xsell-qualify: offer checking: 4 candidates, 1 qualified
xsell-qualify: offer savings: 4 candidates, 2 qualified
xsell-qualify: offer credit_card: 4 candidates, 1 qualified
xsell-qualify: offer mortgage: 4 candidates, 2 qualified
xsell-qualify: offers: 1 inactive, never candidates
xsell-qualify: candidates: 16, 6 qualified, 10 rejected
xsell-qualify: rule not_held (rules.tsv:2): 5 rejected
xsell-qualify: rule savings_with_checking (rules.tsv:4): 1 rejected
xsell-qualify: rule no_card_holders (rules.tsv:6): 1 rejected
xsell-qualify: rule card_after_a_year (rules.tsv:7): 1 rejected
xsell-qualify: rule mortgage_tier (rules.tsv:9): 1 rejected
xsell-qualify: rule mortgage_tenure (rules.tsv:10): 1 rejected" ]
	run --separate-stderr xsell-qualify -v --relations $Q/managed.tsv --in-stock --catalog $Q/catalog.tsv -r 'candidate.price < 500' $Q/carts.tsv
	assert_success
	[ "$stderr" = "xsell-qualify: contexts: 3 read, 1 without any candidate, 0 with none qualified
xsell-qualify: type cross_sell: 3 candidates, 1 qualified
xsell-qualify: type upsell: 2 candidates, 1 qualified
xsell-qualify: type substitute: 1 candidates, 0 qualified
xsell-qualify: candidates: 6, 2 qualified, 4 rejected
xsell-qualify: rule substitute: 1 rejected
xsell-qualify: rule in-stock: 2 rejected
xsell-qualify: rule -r:1: 1 rejected" ]
}

@test "JSON lines out with -j, and in" {
	run bash -o pipefail -c "xsell-qualify -j --relations $Q/managed.tsv --relations $Q/learned.tsv $Q/carts.tsv | head -1"
	assert_success
	echo "$output" | jq -e '.context_id == "K1" and .candidate_id == "P5" and .confidence == 0.6
	    and .support_items == 2 and .items == ["P2", "P4"] and .position == null'
	printf '{"customer_id":"C9","tier":"premium","tenure_months":60,"has_credit_card":false,"holdings":["checking"]}\n' > c.json
	man_rules bank-rules > rules.tsv
	run bash -o pipefail -c "xsell-qualify -j --offers $Q/offers.tsv --rules rules.tsv c.json | jq -c '[.candidate_id, .business_value]'"
	assert_success
	assert_output '["savings",60]
["credit_card",80]
["mortgage",95]'
}

@test "-o writes the file at the end; an empty input gives the header" {
	run xsell-qualify --relations $Q/managed.tsv -o out.tsv $Q/pages.tsv
	assert_success
	assert_output ''
	[ "$(wc -l < out.tsv)" -eq 11 ]
	: > empty.tsv
	run xsell-qualify --relations $Q/managed.tsv empty.tsv
	assert_success
	assert_output "$(printf 'context_id\tcandidate_id\tsource\ttype\tposition\tupdated\tsupport_items')"
}

# expected status, arguments, message (first line, a pattern: an unknown
# option is getopt's own wording, "'--nope'" in glibc, ": nope" in musl)
arg_errors=(
	"2|--type bundle|xsell-qualify: give --relations FILE, --popular FILE or --offers FILE"
	"2|--relations $FIX/qualify/managed.tsv --offers $FIX/qualify/offers.tsv|xsell-qualify: --relations and --offers do not go together"
	"2|--relations $FIX/qualify/managed.tsv --nope|xsell-qualify: unrecognized option*nope*"
	"4|--relations missing.tsv|xsell-qualify: missing.tsv: No such file or directory"
	"4|--offers $FIX/qualify/offers.tsv --catalog missing.tsv|xsell-qualify: missing.tsv: No such file or directory"
	"3|--relations $FIX/qualify/catalog.tsv|xsell-qualify: $FIX/qualify/catalog.tsv: missing required column 'subject_id' (found: product_id, title, category, brand, price, cost, stock, status, tier)"
	"3|--offers $FIX/qualify/managed.tsv|xsell-qualify: $FIX/qualify/managed.tsv: missing required column 'offer_id' (found: subject_id, linked_id, type, source, position, updated)"
	"3|--relations $FIX/qualify/managed.tsv --catalog $FIX/qualify/offers.tsv|xsell-qualify: $FIX/qualify/offers.tsv: missing required column 'product_id' (found: offer_id, status, business_value, revenue_value, category, channel)"
)

@test "usage and input errors, table-driven" {
	for row in "${arg_errors[@]}"; do
		IFS='|' read -r want args msg <<< "$row"
		run xsell-qualify $args $Q/pages.tsv
		[ "$status" -eq "$want" ] || { echo "status $status for $args"; echo "$output"; false; }
		[[ ${lines[0]} == $msg ]] || { echo "got: ${lines[0]}"; echo "want: $msg"; false; }
	done
}

@test "contexts without the columns they need: exit 3" {
	printf 'a\tb\n1\t2\n' > ctx.tsv
	run xsell-qualify --relations $Q/managed.tsv ctx.tsv
	assert_failure 3
	assert_output 'xsell-qualify: ctx.tsv: contexts need subject_id (a product page), items (a cart) or holdings (a customer) with --relations (found: a, b)'
	printf 'items\n1\n' > ctx.tsv
	run xsell-qualify --relations $Q/managed.tsv ctx.tsv
	assert_failure 3
	assert_output 'xsell-qualify: ctx.tsv: contexts need context_id, cart_id, order_id or customer_id (found: items)'
	run xsell-qualify --offers $Q/offers.tsv ctx.tsv
	assert_failure 3
	assert_output 'xsell-qualify: ctx.tsv: contexts need context_id or customer_id (found: items)'
}

@test "a context with an empty id is skipped and counted: exit 1" {
	printf 'customer_id\ttier\nC1\tgold\n\tgold\nC2\tgold\n\tbasic\n' > ctx.tsv
	run --separate-stderr xsell-qualify --offers $Q/offers.tsv ctx.tsv
	assert_failure 1
	[ "$stderr" = "xsell-qualify: ctx.tsv:3: 2 contexts without an id skipped (the first here)" ]
	[ "$(printf '%s\n' "$output" | pick context_id | sort -u | tr '\n' ' ')" = 'C1 C2 ' ]
}

@test "contexts without an id in several inputs: the first one's file and line" {
	printf 'customer_id\ttier\nC1\tgold\n\tgold\n' > ctx1.tsv
	printf 'customer_id\ttier\nC2\tgold\nC3\tgold\n\tbasic\n' > ctx2.tsv
	run --separate-stderr xsell-qualify --offers $Q/offers.tsv ctx1.tsv ctx2.tsv
	assert_failure 1
	[ "$stderr" = "xsell-qualify: ctx1.tsv:3: 2 contexts without an id skipped (the first here)" ]
}

@test "bad numbers in relations and catalog: exit 3 naming the place" {
	printf 'subject_id\tlinked_id\tconfidence\nP1\tP2\thigh\n' > rel.tsv
	run xsell-qualify --relations rel.tsv $Q/pages.tsv
	assert_failure 3
	assert_output "xsell-qualify: rel.tsv:2: column 'confidence': not a number: \"high\""
	printf 'product_id\tstock\nP2\tmany\n' > cat.tsv
	run xsell-qualify --relations $Q/managed.tsv --catalog cat.tsv $Q/pages.tsv
	assert_failure 3
	assert_output "xsell-qualify: cat.tsv: product 'P2': stock: not a number: \"many\""
}

@test "the man page's examples run" {
	cp $Q/managed.tsv $Q/learned.tsv $Q/catalog.tsv $Q/offers.tsv $Q/customers.tsv $Q/pages.tsv .
	man_rules merchant-rules > rules.tsv
	man_rules bank-rules > bank-rules.tsv
	run bash -o pipefail -c "printf 'subject_id\tsegment\nP1\tbudget\n' |
	    xsell-qualify --relations managed.tsv --relations learned.tsv --catalog catalog.tsv --rules rules.tsv --in-stock | pick candidate_id"
	assert_success
	assert_output 'P2
P5
P2'
	run bash -o pipefail -c "printf 'cart_id\titems\nK1\tP2,P4\n' |
	    xsell-qualify --relations managed.tsv --relations learned.tsv --catalog catalog.tsv --exclude-owned --type cross_sell | pick candidate_id"
	assert_success
	assert_output 'P5
P1
P3'
	run xsell-qualify --offers offers.tsv --rules bank-rules.tsv --rejected dropped.tsv -v customers.tsv
	assert_success
	[ "$(wc -l < dropped.tsv)" -eq 11 ]
	printf 'product_id\tscore\nP3\t9\nP5\t8\nP9\t7\n' > popular.tsv
	run bash -o pipefail -c "xsell-qualify --relations managed.tsv --relations learned.tsv \
	    --popular popular.tsv --catalog catalog.tsv --in-stock --exclude-owned pages.tsv | pick context_id candidate_id source | uniq | sed -n 1,5p"
	assert_success
	assert_output 'P1 P2 managed
P1 P7 managed
P1 P5 learned
P1 P2 learned
P1 P5 popular'
	run bash -o pipefail -c "xsell-qualify --relations managed.tsv --catalog catalog.tsv --type upsell -r 'candidate.price <= subject.price * 2' pages.tsv | pick context_id candidate_id"
	assert_success
	assert_output 'P1 P7
P1 P7
P4 P9'
}

@test "a closed pipe ends it quietly" {
	for i in $(seq 2000); do echo "P1"; done | sed '1i subject_id' > many.tsv
	run bash -c "xsell-qualify --relations $Q/managed.tsv many.tsv | head -1"
	assert_success
	assert_output "$(printf 'context_id\tcandidate_id\tsource\ttype\tposition\tupdated\tsubject_id')"
}

# The repeated-id policy of every side file (lib/catalog.h, xsell(7)): a
# repeated id is exit 3 naming the repeat's line and the first row's.
@test "a repeated product_id or offer_id is exit 3, naming both lines" {
	printf 'product_id\tprice\tstatus\nP2\t10\tactive\nP3\t20\tactive\nP2\t99\tinactive\nP2\t98\tactive\n' > cat.tsv
	printf 'subject_id\tlinked_id\nP1\tP2\n' > rel.tsv
	printf 'subject_id\nP1\n' > ctx.tsv
	run --separate-stderr xsell-qualify --relations rel.tsv --catalog cat.tsv --in-stock ctx.tsv
	[ "$status" -eq 3 ]
	assert_output ""
	[ "$stderr" = "xsell-qualify: cat.tsv:4: product_id 'P2' given twice (first at line 2)" ]
	printf 'offer_id\ttype\nO1\tcross_sell\nO1\tupsell\n' > off.tsv
	printf 'customer_id\nc1\n' > cust.tsv
	run --separate-stderr xsell-qualify --offers off.tsv cust.tsv
	[ "$status" -eq 3 ]
	assert_output ""
	[ "$stderr" = "xsell-qualify: off.tsv:3: offer_id 'O1' given twice (first at line 2)" ]
}
