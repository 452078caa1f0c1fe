#!/usr/bin/env bats
# xsell-import: merchant CSV, TSV or JSON lines in, canonical records out.

bats_require_minimum_version 1.5.0
load helper

I=$FIX/import

setup() {
	xs_setup
	cp "$I"/* .
}

# Data rows of a TSV (the header left out).
rows() {
	tail -n +2 "$1" | wc -l | tr -d ' '
}

# The N of "N rows in" on stderr.
rows_in() {
	sed -n 's/^xsell-import: \([0-9]*\) rows in, .*/\1/p' <<<"$1"
}

# The N of "lists split: N rows read became M", or of "N rows in".
rows_read() {
	sed -n 's/^xsell-import: lists split: \([0-9]*\) rows read became .*/\1/p
	    t; s/^xsell-import: \([0-9]*\) rows in, .*/\1/p' <<<"$1" | head -1
}

# The rejected rows of a --rejects file: the records that are not values
# blanked in a row that was kept.
rejected() {
	awk -F'\t' 'NR > 1 && $5 !~ /\(blanked, row kept\)$/' "$1" | wc -l |
	    tr -d ' '
}

@test "--help prints the usage and exits 0" {
	run xsell-import --help
	assert_success
	assert_line --index 0 'usage: xsell-import [-jqv] [--csv] [--strict] [--preview] [--kind kind]'
}

@test "--version prints the version" {
	run xsell-import --version
	assert_success
	assert_output --regexp '^xsell-import [0-9]+\.[0-9]+'
}

@test "usage errors are exit 2, naming the option" {
	while IFS='|' read -r want args msg; do
		run xsell-import $args orders.csv
		[ "$status" -eq "$want" ] || { echo "$args: status $status"; false; }
		[[ "$output" == *"$msg"* ]] || { echo "$args: $output"; false; }
	done <<-'EOF'
	2|--bogus|usage: xsell-import
	2|--kind nope|--kind
	2|--returns never|--returns
	2|--map price|--map: not canonical=source: 'price'
	2|--map =x|--map: not canonical=source
	2|--kind orders --map cost=UnitPrice|--map cost=UnitPrice: 'cost' is not a column of orders
	2|--delimiter ab|--delimiter: not a single character: 'ab'
	2|--exclude (|--exclude
	2|--merge base.tsv --preview|--merge and --preview cannot be used together
	2|--merge base.tsv --kind orders|--merge needs --kind relations
	EOF
}

@test "unusable input is exit 3 naming the problem; a missing file is exit 4" {
	printf 'Sku,Title\n' > cat-no-id.csv
	printf 'a,b\n1,2\n' > unknown.csv
	printf 'order_id,product_id,desc\n1,P1,"never closed\n2,P2,x\n' > open-quote.csv
	while IFS='|' read -r want args msg; do
		run xsell-import $args
		[ "$status" -eq "$want" ] || { echo "$args: status $status"; false; }
		[[ "$output" == *"$msg"* ]] || { echo "$args: $output"; false; }
	done <<-'EOF'
	3|--kind relations orders.csv|orders.csv: missing required column 'subject_id' (found: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country)
	3|--kind orders cat-no-id.csv|missing required column 'order_id'
	3|unknown.csv|unknown.csv: cannot guess --kind from the header; found 'a' (nearest: to, relations linked_id), 'b' (nearest: to, relations linked_id); this would read it: --kind
	3|empty.csv|no header in the input: give --kind
	3|open-quote.csv|open-quote.csv:2: column 3 'desc': unterminated quoted field
	3|--map order_id=Nope orders.csv|orders.csv: --map order_id=Nope: no such column (found: InvoiceNo,
	3|orders.csv relations.csv|relations.csv: missing required column 'order_id'
	4|no-such-file.csv|no-such-file.csv: No such file or directory
	4|-o /no/such/dir/out.tsv orders.csv|/no/such/dir/out.tsv
	EOF
}

@test "orders: canonical columns first, numbers and dates in one form, other columns kept" {
	run --separate-stderr xsell-import orders.csv
	assert_failure 1
	assert_output "$(cat orders.expected)"
}

# Table: a ts as read, then as written or why the row is rejected.
# xsell(7) promises years 1000-9999 (they stopped at 1970), and eight
# digits are YYYYMMDD (20240101 was epoch seconds, 1970-08-23).
@test "dates: each row its own, whatever the rows before it wrote" {
	# a long date between two equal ones, times on one day, a day back
	cat > d.csv <<-EOF
	order_id,product_id,quantity,ts
	1,P1,1,2023-01-01
	2,P2,1,2023-05-05T10:00:00.123456789+05:30
	3,P3,1,2023-01-01
	4,P4,1,2023-01-01 23:59:59
	5,P5,1,2023-01-01T00:00:01Z
	6,P6,1,2022-12-31T23:59:59-00:01
	7,P7,1,2023-01-01
	EOF
	run -0 xsell-import -q --kind orders d.csv
	assert_output "$(printf '%s\t%s\t%s\t%s\t%s\t%s\n' \
	    order_id product_id customer_id quantity price ts \
	    1 P1 '' 1 '' 2023-01-01T00:00:00Z \
	    2 P2 '' 1 '' 2023-05-05T04:30:00Z \
	    3 P3 '' 1 '' 2023-01-01T00:00:00Z \
	    4 P4 '' 1 '' 2023-01-01T23:59:59Z \
	    5 P5 '' 1 '' 2023-01-01T00:00:01Z \
	    6 P6 '' 1 '' 2023-01-01T00:00:59Z \
	    7 P7 '' 1 '' 2023-01-01T00:00:00Z)"
}

@test "dates: years 1000 to 9999, YYYYMMDD, epoch seconds" {
	printf 'order_id,product_id,ts\n' > d.csv
	want=$'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts'
	rej=
	n=1
	while IFS='|' read -r in out; do
		n=$((n + 1))
		printf '%s,P,%s\n' "$n" "$in" >> d.csv
		# a date out of range is blanked, the row kept (a field problem)
		case $out in
		"date out of range")
			rej+=$'\n'"$n"$'\t'"column 'ts': $out: \"$in\" (blanked, row kept)"
			want+=$'\n'"$n"$'\tP\t\t\t\t' ;;
		*) want+=$'\n'"$n"$'\tP\t\t\t\t'"$out" ;;
		esac
	done <<'EOF'
1969-12-31T23:59:59Z|1969-12-31T23:59:59Z
1000-01-01|1000-01-01T00:00:00Z
1066-10-14 09:00+01:00|1066-10-14T08:00:00Z
9999-12-31T23:59:59Z|9999-12-31T23:59:59Z
20240101|2024-01-01T00:00:00Z
19691231|1969-12-31T00:00:00Z
1700000000|2023-11-14T22:13:20Z
0999-12-31|date out of range
1000-01-01T00:00:00+00:01|date out of range
20240230|date out of range
09991231|date out of range
EOF
	run --separate-stderr xsell-import -q --kind orders --rejects rej.tsv d.csv
	assert_failure 1
	assert_output "$want"
	[ "$(cut -f2,5 rej.tsv | tail -n +2)" = "${rej#?}" ] ||
	    { cat rej.tsv; echo "want: $rej"; false; }
}

@test "the guessed kind is said on stderr; --kind says it instead" {
	run --separate-stderr xsell-import orders.csv
	[ "${stderr_lines[0]}" = "xsell-import: orders.csv: guessed --kind orders from the header" ]
	run --separate-stderr xsell-import --kind orders orders.csv
	[[ "$stderr" != *guessed* ]]
}

@test "every rejected row is counted on stderr by reason, with the first place" {
	run --separate-stderr xsell-import orders.csv
	assert_failure 1
	[ "$stderr" = "xsell-import: orders.csv: guessed --kind orders from the header
xsell-import: 12 rows in, 8 out, 4 rejected, 2 values blanked
xsell-import: 2 rejected: cancelled order (--returns drop) (first at orders.csv:6)
xsell-import: 1 rejected: negative quantity (--returns drop) (first at orders.csv:9)
xsell-import: 1 rejected: column 'product_id': empty (first at orders.csv:11)
xsell-import: 1 value blanked, row kept: column 'quantity': not a number (first at orders.csv:12)
xsell-import: 1 value blanked, row kept: column 'ts': day or month first: give --date-format '%d/%m/%Y %H:%M' or '%m/%d/%Y %H:%M' (first at orders.csv:13)" ]
}

@test "--rejects FILE lists file, line, column, value, reason and each rejected row as read, under the output's columns; a blanked value alone" {
	run xsell-import --rejects rej.tsv orders.csv
	assert_failure 1
	assert_equal "$(cat rej.tsv)" "$(cat orders.rejects)"
}

@test "rows out + rows rejected = rows in (after splitting lists), for every kind and format" {
	while read -r f n m; do
		run --separate-stderr xsell-import --rejects rej.tsv -o out.tsv "$f"
		[ "$status" -le 1 ] || { echo "$f: status $status"; false; }
		read=$(rows_read "$stderr")
		in=$(rows_in "$stderr")
		out=$(rows out.tsv)
		rej=$(rejected rej.tsv)
		echo "$f: $read read (want $n), in $in (want $m), out $out, rejected $rej"
		[ "$read" -eq "$n" ]
		[ "$in" -eq "$m" ]
		[ $((out + rej)) -eq "$in" ]
		[[ "$stderr" == *"$in rows in, $out out, $rej rejected"* ]]
	done <<-'EOF'
	orders.csv 12 12
	catalog.csv 7 7
	relations.csv 9 9
	customers.csv 4 4
	offers.csv 4 4
	events.jsonl 4 4
	orders.tsv 5 5
	bad-bytes.csv 5 5
	shopify-orders.csv 5 5
	online-retail.csv 6 6
	magento.csv 4 8
	woocommerce.csv 4 7
	personyze-crosssell.csv 3 4
	personyze-upsell.csv 2 3
	wide.csv 3 4
	list-in-cell.csv 2 3
	EOF
}

@test "cancellations: --returns keep keeps them with a negative quantity" {
	run --separate-stderr xsell-import --returns keep orders.csv
	assert_failure 1
	assert_line $'C536379\tD\t14527\t-1\t27.5\t2010-12-01T09:41:00Z\tDiscount\tUnited Kingdom'
	assert_line $'536381\t22727\t12583\t-2\t3.75\t2010-12-01T09:45:00Z\tALARM CLOCK BAKELIKE RED\tFrance'
	assert_line $'C536386\t22749\t13047\t-2\t3.75\t2010-12-01T10:00:00Z\tFELTCRAFT PRINCESS CHARLOTTE DOLL\tUnited Kingdom'
	[[ "$stderr" == *"12 rows in, 11 out, 1 rejected, 2 values blanked"* ]]
}

@test "--exclude drops postage and fee codes, counted; drops on request are not problems" {
	printf 'order,sku,qty\n1,P1,1\n1,POST,1\n2,BANK CHARGES,1\nC3,P1,1\n4,P2,1\n' > o.csv
	run --separate-stderr xsell-import --exclude '^(POST|DOT|M|BANK CHARGES)$' o.csv
	assert_success
	assert_output $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\n1\tP1\t\t1\t\t\n4\tP2\t\t1\t\t'
	[[ "$stderr" == *"5 rows in, 2 out, 3 rejected"* ]]
	[[ "$stderr" == *"2 rejected: product_id matches --exclude (first at o.csv:3)"* ]]
	[[ "$stderr" == *"1 rejected: cancelled order (--returns drop) (first at o.csv:5)"* ]]
}

@test "a blank customer_id is allowed in orders" {
	run xsell-import orders.csv
	assert_line $'536366\t22633\t\t6\t1.85\t2010-12-01T08:28:00Z\tHAND WARMER UNION JACK\tUnited Kingdom'
}

@test "quoted fields keep commas, doubled quotes and line breaks (escaped in TSV)" {
	run xsell-import orders.csv
	assert_line --partial $'\tWHITE HANGING HEART T-LIGHT HOLDER, "LARGE"\t'
	assert_line --partial $'\tALARM CLOCK BAKELIKE PINK\\r\\n(boxed)\t'
}

@test "a BOM and CRLF line ends read like plain LF" {
	printf '\xef\xbb\xbfSubject,Linked,Position\r\nA,B,1\r\nA,C,2\r\n' > crlf.csv
	printf 'Subject,Linked,Position\nA,B,1\nA,C,2\n' > lf.csv
	xsell-import crlf.csv > crlf.tsv
	xsell-import lf.csv > lf.tsv
	cmp crlf.tsv lf.tsv
	assert_equal "$(head -1 crlf.tsv)" $'subject_id\tlinked_id\ttype\tsource\tposition'
}

@test "an empty file with --kind is the header alone, exit 0" {
	run --separate-stderr xsell-import --kind relations empty.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition'
	[[ "$stderr" == *"0 rows in, 0 out, 0 rejected"* ]]
}

@test "a header-only file is the header and no rows" {
	printf 'InvoiceNo,StockCode,Quantity\r\n' > head.csv
	run --separate-stderr xsell-import head.csv
	assert_success
	assert_output $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts'
}

@test "a line of 1 MB goes through whole" {
	awk 'BEGIN { printf "product_id,title,price\nP1,\""
		for (i = 0; i < 16384; i++) printf "a, \"\"b\"\" c%057d", i
		printf "\",2.50\nP2,short,1\n" }' > big.csv
	[ "$(wc -c < big.csv)" -gt 1048576 ]
	run --separate-stderr xsell-import big.csv
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	[ "${#lines[1]}" -eq $((3 + 16384 * 65 + 11)) ]
	[[ "${lines[1]}" == P1$'\ta, "b" c'* ]]
	assert_line --index 2 $'P2\tshort\t\t\t1\t\t\t\t\t'
}

@test "invalid UTF-8 and NUL bytes reject the row with a reason; --rejects keeps its bytes" {
	run --separate-stderr xsell-import --rejects rej.tsv bad-bytes.csv
	assert_failure 1
	assert_output $'product_id\ttitle\tcategory\tbrand\tprice\tcost\tstock\tstatus\ttier\tcreated\nP1\tCaf\xc3\xa9 cr\xc3\xa8me\t\t\t2.5\t\t\t\t\t\nP4\tquoted \xc3\xa9 ok\t\t\t3\t\t\t\t\t'
	[[ "$stderr" == *"2 rejected: column 'title': invalid UTF-8 (first at bad-bytes.csv:3)"* ]]
	[[ "$stderr" == *"1 rejected: column 'title': NUL byte (first at bad-bytes.csv:4)"* ]]
	printf 'bad-bytes.csv\t4\ttitle\tNUL\000here\tcolumn '\''title'\'': NUL byte\tP3\tNUL\000here\t\t\t1\t\t\t\t\t\n' > want
	grep -a $'\t4\t' rej.tsv | cmp - want
	grep -a $'\t3\t' rej.tsv | grep -aq $'Bad \xff byte'
}

@test "--strict: any rejection is exit 1 and nothing is written" {
	echo keep > out.tsv
	run --separate-stderr xsell-import --strict orders.csv
	assert_failure 1
	assert_output ''
	[[ "$stderr" == *"--strict: 1 rows rejected, 2 values blanked, nothing written"* ]]
	run --separate-stderr xsell-import --strict --rejects rej.tsv -o out.tsv orders.csv
	assert_failure 1
	assert_equal "$(cat out.tsv)" keep
	assert_equal "$(rows rej.tsv)" 6
	[ -z "$(ls | grep tmp)" ]
}

@test "--strict with clean input writes as usual" {
	printf 'order_id,product_id\n1,P1\n' | xsell-import --strict > out.tsv
	assert_equal "$(cat out.tsv)" $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\n1\tP1\t\t\t\t'
}

@test "header aliases: case, spaces, underscores and punctuation do not matter" {
	while IFS='|' read -r header; do
		printf '%s\nA,B\n' "$header" > h.csv
		run --separate-stderr xsell-import h.csv
		assert_success
		assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tB\tcross_sell\tmanaged\t'
	done <<-'EOF'
	subject_id,linked_id
	Subject,Linked
	subject id,linked id
	SUBJECT_ID,LINKED_ID
	"Main product ID","Linked SKU"
	Main-Product-Id,Related Product ID
	sku,related_sku
	EOF
}

@test "--map names the columns no alias knows" {
	printf 'Artikel,Zubehoer,Rang\nA1,A2,1\n' > de.csv
	run --separate-stderr xsell-import --kind relations --map subject_id=Artikel \
	    --map linked_id=zubehoer --map position=RANG de.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA1\tA2\tcross_sell\tmanaged\t1'
}

@test "catalog: statuses, decimal commas with ;, currency signs, out of stock, dates" {
	run --separate-stderr xsell-import catalog.csv
	assert_failure 1
	assert_output "$(cat catalog.expected)"
	[[ "$stderr" == *"1 value blanked, row kept: column 'price': not a number (first at catalog.csv:7)"* ]]
	[[ "$stderr" == *"1 value blanked, row kept: column 'status': not active, inactive or discontinued (first at catalog.csv:8)"* ]]
}

@test "relations: self-links and duplicates reported, the first position kept, type and source defaulted" {
	run --separate-stderr xsell-import relations.csv
	assert_failure 1
	assert_output "$(cat relations.expected)"
	[[ "$stderr" == *"1 rejected: self-link (first at relations.csv:4)"* ]]
	[[ "$stderr" == *"1 rejected: duplicate link (first at relations.csv:5)"* ]]
	run xsell-import -v -q relations.csv
	assert_line 'xsell-import: relations.csv:5: duplicate link (first at relations.csv:2)'
}

@test "customers: holdings as a clean list, other attributes kept with snake_case names" {
	run --separate-stderr xsell-import customers.csv
	assert_failure 1
	assert_output $'customer_id\tholdings\ttier\ttenure_months\thas_credit_card\nc001\tchecking,savings,credit_card\tgold\t48\tyes\nc002\tchecking\tsilver\t3\tno\nc003\t\t\t12\tno'
}

@test "offers: status normalised, business_value between 0 and 100" {
	run --separate-stderr xsell-import offers.csv
	assert_failure 1
	assert_line $'savings\tactive\t55\t40\tdeposits\tbranch'
	[[ "$stderr" == *"column 'business_value': not between 0 and 100 (first at offers.csv:5)"* ]]
}

@test "events from JSON lines: group and converted normalised, a broken line rejected" {
	run --separate-stderr xsell-import events.jsonl
	assert_failure 1
	assert_output $'context_id\tcandidate_id\tgroup\tconverted\trevenue\tmargin\tchannel\tts\nc001\tsavings\ttreatment\t1\t40\t\t\t2024-03-01T10:00:00Z\nc002\tsavings\tcontrol\t0\t\t\t\t2024-03-01T10:00:00Z\nc003\tmortgage\ttreatment\t\t\t\t\t'
	[[ "$stderr" == *"1 rejected: malformed row (first at events.jsonl:4)"* ]]
	[[ "$stderr" == *"1 value blanked, row kept: column 'converted': not 0 or 1 (first at events.jsonl:3)"* ]]
}

@test "events: a group other than treatment or control is an arm of its own" {
	# a 3-arm experiment (xsell-audit --experiment reads any number of
	# arms); the synonyms of treatment and control are still normalised
	printf 'session,offer,variant,converted\nc1,P1,managed,1\nc2,P1,learned,no\nc3,P2,Holdout,0\nc4,P2,exposed,yes\n' > arms.csv
	run --separate-stderr xsell-import --kind events arms.csv
	assert_success
	assert_output $'context_id\tcandidate_id\tgroup\tconverted\trevenue\tmargin\tchannel\tts\nc1\tP1\tmanaged\t1\t\t\t\t\nc2\tP1\tlearned\t0\t\t\t\t\nc3\tP2\tcontrol\t0\t\t\t\t\nc4\tP2\ttreatment\t1\t\t\t\t'
}

@test "xsell TSV is read by content: escapes undone, a short row malformed" {
	run --separate-stderr xsell-import orders.tsv
	assert_failure 1
	assert_output $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\n1\tP1\tc1\t1\t2.5\t2024-01-01T00:00:00Z\n1\tP2\tc1\t2\t10\t2024-01-01T00:00:00Z\n2\tP1\t\t1\t2.5\t2024-01-02T07:00:00Z\n3\tP3\tc2\t\t1\t2024-01-02T00:00:00Z'
	printf 'customer_id\tnote\nc1\ta\\tb\n' | xsell-import > c.tsv
	assert_equal "$(cat c.tsv)" $'customer_id\tholdings\tnote\nc1\t\ta\\tb'
}

@test "plain rows first, then rows to trim, check or escape: each read for what it has" {
	# plain lines are neither trimmed, checked nor escaped: a carried or
	# --set value that needs escaping must not ride on its row's plainness
	printf '%s\n' 'order_id,customer_id,product_id,quantity,unit_price,ts' \
	    '1,C1,P1,1,2.0,1700000000' '2,C\2,P1,1,2.0,1700000007' \
	    '2,,P2,1,2.0,1700000007' "3,C3,P$(printf '\t')1,1,2.0,1700000014" \
	    '3, C3 ,P2 ,1,2.0,1700000014' "4,C$(printf '\303\251'),P1,1,2.0,1700000021" \
	    "4,C4,P$(printf '\377'),1,2.0,1700000021" '5,C5,P5,1,2.0,1700000028' \
	    '6,,P6,1,2.0,1700000035' > p.csv
	run --separate-stderr xsell-import -q --kind orders --set 'customer_id=c\d' p.csv
	assert_failure 1
	assert_output "$(printf '%s\t%s\t%s\t%s\t%s\t%s\n' \
	    order_id product_id customer_id quantity price ts \
	    1 P1 C1 1 2 2023-11-14T22:13:20Z \
	    2 P1 'C\\2' 1 2 2023-11-14T22:13:27Z \
	    2 P2 'C\\2' 1 2 2023-11-14T22:13:27Z \
	    3 'P\t1' C3 1 2 2023-11-14T22:13:34Z \
	    3 P2 C3 1 2 2023-11-14T22:13:34Z \
	    4 P1 "C$(printf '\303\251')" 1 2 2023-11-14T22:13:41Z \
	    5 P5 C5 1 2 2023-11-14T22:13:48Z \
	    6 P6 'c\\d' 1 2 2023-11-14T22:13:55Z)"
	[ "$stderr" = "xsell-import: 1 rejected: column 'product_id': invalid UTF-8 (first at p.csv:8)" ]
}

@test "stdin is read by content too: CSV, TSV and JSON lines through a pipe" {
	# each has rows to reject: exit 1 whichever way it comes in
	for f in orders.csv orders.tsv events.jsonl; do
		run -1 bash -c 'xsell-import -q "$1" > file.tsv' _ "$f"
		[ "$(rows file.tsv)" -gt 0 ]
		run -1 bash -c 'cat "$1" | xsell-import -q > pipe.tsv' _ "$f"
		cmp file.tsv pipe.tsv
		run -1 bash -c 'xsell-import -q - < "$1" > redirect.tsv' _ "$f"
		cmp file.tsv redirect.tsv
	done
}

@test "--csv reads a TAB-separated file as CSV, quotes and all" {
	printf 'subject\tlinked\tnote\nA\tB\t"x\ty"\n' > q.tsv
	run --separate-stderr xsell-import --csv q.tsv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\tnote\nA\tB\tcross_sell\tmanaged\t\tx\\ty'
}

@test "--delimiter, or an Excel sep= line, sets the delimiter the header would suggest otherwise" {
	printf 'subject;linked;note\nA;B;x,y,z\n' > semi.csv
	run --separate-stderr xsell-import --delimiter ';' semi.csv
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\tnote\nA\tB\tcross_sell\tmanaged\t\tx,y,z'
	run --separate-stderr xsell-import --delimiter , semi.csv
	assert_failure 3
	printf 'sep=;\r\nSKU;Price\r\nA-1;4,50\r\nA-2;x\r\n' > excel.csv
	run --separate-stderr xsell-import excel.csv
	assert_line --index 1 $'A-1\t\t\t\t4.5\t\t\t\t\t'
	[[ "$stderr" == *"(first at excel.csv:4)"* ]]
}

@test "--json writes JSON lines: numbers as numbers, ids as strings, lists as arrays" {
	run -1 --separate-stderr xsell-import -q --json orders.tsv
	echo "$output" > o.json
	jq -e -s 'length == 4 and .[0].order_id == "1" and .[0].quantity == 1 and
	    .[1].price == 10 and .[2].customer_id == null and
	    .[3].quantity == null and
	    .[0].ts == "2024-01-01T00:00:00Z"' o.json
	# a customer's attributes pass through: text, as they were
	run -1 --separate-stderr xsell-import -q -j customers.csv
	echo "$output" > c.json
	jq -e -s '.[0].holdings == ["checking", "savings", "credit_card"] and
	    .[0].tenure_months == "48"' c.json
}

# Only the numeric columns of xsell(7) are JSON numbers, in their
# normalised form; any other column is a string, byte for byte. A barcode
# was written as a number no JSON reader with 64-bit integers takes, 1E5
# as 100000, 1.10 as 1.1.
@test "--json: pass-through columns stay strings byte for byte, and read back" {
	printf 'SKU,Price,Stock,Barcode,Code,Weight,Zip,Title\n' > c.csv
	printf 'A,1.10,1E5,12345678901234567891,1E5,1.10,02134,1984\n' >> c.csv
	printf 'B,1e21,7,42,-0,0.5,,x\n' >> c.csv
	run -0 --separate-stderr xsell-import -q -j c.csv
	assert_output '{"product_id":"A","title":"1984","category":null,"brand":null,"price":1.1,"cost":null,"stock":100000,"status":null,"tier":null,"created":null,"barcode":"12345678901234567891","code":"1E5","weight":"1.10","zip":"02134"}
{"product_id":"B","title":"x","category":null,"brand":null,"price":1e+21,"cost":null,"stock":7,"status":null,"tier":null,"created":null,"barcode":"42","code":"-0","weight":"0.5","zip":null}'
	echo "$output" > c.json
	# jq sees the same text; the TSV of the JSON is the TSV of the CSV
	[ "$(jq -r -s '.[0] | [.barcode, .code, .weight, .zip] | join(" ")' c.json)" = "12345678901234567891 1E5 1.10 02134" ]
	run -0 --separate-stderr xsell-import -q c.csv
	echo "$output" > c.tsv
	run -0 --separate-stderr xsell-import -q --kind catalog c.json
	assert_output "$(cat c.tsv)"
}

@test "-o writes atomically: a failed run leaves the old file as it was" {
	echo old > out.tsv
	printf 'order_id,product_id,d\n1,P1,x\n2,P2,"open\n' > broken.csv
	run xsell-import -o out.tsv broken.csv
	assert_failure 3
	assert_equal "$(cat out.tsv)" old
	[ "$(ls | grep -c 'out.tsv')" -eq 1 ]
	run -1 xsell-import -q -o out.tsv orders.tsv
	assert_equal "$(rows out.tsv)" 4
}

@test "--preview: a merchant's upload summary instead of records" {
	run --separate-stderr xsell-import --preview relations.csv
	assert_failure 1
	assert_output "$(cat relations.preview)"
}

# A preview is read on a terminal: control characters in the merchant's
# file (ESC, BEL, DEL, C1) are shown escaped; the records keep the bytes.
@test "--preview shows control characters in the data escaped" {
	printf 'subject,linked,position,no\033]2;x\007te\n"A\033[2J",B\007,1,"x\302\233y\177z"\nA\033[2J,C,2\033[8m,ok\n' > ctl.csv
	run -1 --separate-stderr xsell-import --preview ctl.csv
	assert_output 'kind: relations
rows: 2 in, 2 out, 0 rejected, 1 value blanked
columns:
  subject_id       <- subject
  linked_id        <- linked
  type             (no column)
  source           (no column)
  position         <- position
  no_2_x_te        <- no\e]2;x\ate (kept as it is)
distinct values:
  subject_id       1
  linked_id        2
links per subject:
  1           0
  2           1  ########################################
  3           0
  4-5         0
  6-10        0
  11-20       0
  21+         0
most links:
  A\e[2J           2
sample (first 2 rows):
  subject_id  linked_id  type        source   position  no_2_x_te
  A\e[2J      B\a        cross_sell  managed  1         x\u009by\x7fz
  A\e[2J      C          cross_sell  managed            ok
rejected: none
blanked:
       1  column '"'position'"': not a number
problems:
  ctl.csv:3: column '"'position'"': not a number: "2\e[8m" (blanked, row kept)'
	run -1 --separate-stderr xsell-import ctl.csv
	assert_output "$(printf 'subject_id\tlinked_id\ttype\tsource\tposition\tno_2_x_te\nA\033[2J\tB\007\tcross_sell\tmanaged\t1\tx\302\233y\177z\nA\033[2J\tC\tcross_sell\tmanaged\t\tok')"
}

@test "--preview counts distinct ids and lists every problem for other kinds too" {
	run --separate-stderr xsell-import --preview orders.csv
	assert_line 'rows: 12 in, 8 out, 4 rejected, 2 values blanked'
	assert_line '  order_id         6'
	assert_line '  orders.csv:13: column '\''ts'\'': day or month first: give --date-format '\''%d/%m/%Y %H:%M'\'' or '\''%m/%d/%Y %H:%M'\'': "12/01/2010 09:53" (blanked, row kept)'
}

@test "--merge applies a delta feed (op add or remove) to a base snapshot" {
	run -1 xsell-import -q -o base.tsv relations.csv
	printf 'op,subject,linked,type,position\nadd,P1,P8,,5\nremove,P1,P3,,\nadd,P1,P2,,7\n,P9,P1,bundle,1\n' > feed.csv
	run --separate-stderr xsell-import --merge base.tsv feed.csv
	assert_success
	assert_output "$(printf 'subject_id\tlinked_id\ttype\tsource\tposition\tupdated\tnote
P1\tP2\tcross_sell\tmanaged\t7\t2024-01-05T00:00:00Z\tfits, mostly
P2\tP1\tbundle\tmanaged\t\t2021-03-01T00:00:00Z\t
P4\tP5\tcross_sell\tmanaged\t1\t\t
P4\tP6\tcross_sell\tmanaged\t2\t\t
P4\tP7\tsubstitute\tmanaged\t\t\t
P1\tP8\tcross_sell\tmanaged\t5\t\t
P9\tP1\tbundle\tmanaged\t1\t\t')"
	[[ "$stderr" == *"merge: 6 links in base.tsv; feed: 2 added, 1 updated, 1 removed, 0 removes matched nothing; 7 links out"* ]]
}

@test "--merge with -o equal to the base swaps the file atomically (cron refresh)" {
	run -1 xsell-import -q -o rel.tsv relations.csv
	printf 'op\tsubject_id\tlinked_id\nremove\tP4\tP5\nadd\tP4\tP9\n' | xsell-import -q --merge rel.tsv -o rel.tsv
	assert_equal "$(rows rel.tsv)" 6
	grep -q $'^P4\tP9\t' rel.tsv
	! grep -q $'^P4\tP5\t' rel.tsv
	[ "$(ls | grep -c rel.tsv)" -eq 1 ]
	printf 'op,subject_id,linked_id\nadd,P4,P4\n' | { run xsell-import -q --strict --merge rel.tsv -o rel.tsv; assert_failure 1; }
	assert_equal "$(rows rel.tsv)" 6
}

@test "--merge: remove without a type removes every type; a remove of nothing is counted; a bad op is rejected" {
	printf 'subject_id\tlinked_id\ttype\nA\tB\tcross_sell\nA\tB\tupsell\nA\tC\tbundle\n' > base.tsv
	printf 'op,subject_id,linked_id,type\nremove,A,B,\nremove,A,C,upsell\nremove,X,Y,\nmaybe,A,D,\n' > feed.csv
	run --separate-stderr xsell-import --merge base.tsv feed.csv
	assert_failure 1
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tC\tbundle\t\t'
	[[ "$stderr" == *"2 removed, 2 removes matched nothing; 1 links out"* ]]
	[[ "$stderr" == *"1 rejected: column 'op': not add or remove (first at feed.csv:5)"* ]]
}

@test "several inputs: the same columns in any order; a column the first lacks is exit 3" {
	printf 'subject,linked,note\nA,B,x\n' > a.csv
	printf 'note,linked,subject\ny,D,C\n' > b.csv
	printf 'subject,linked,other\nE,F,z\n' > c.csv
	run --separate-stderr xsell-import a.csv b.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\tnote\nA\tB\tcross_sell\tmanaged\t\tx\nC\tD\tcross_sell\tmanaged\t\ty'
	run xsell-import a.csv c.csv
	assert_failure 3
	assert_output --partial "c.csv: column 'other' is not in the first input"
}

@test "same input and options give byte-identical output" {
	run -1 bash -c 'xsell-import -q --json --returns keep orders.csv > 1.json'
	run -1 bash -c 'xsell-import -q --json --returns keep orders.csv > 2.json'
	[ -s 1.json ]
	cmp 1.json 2.json
}

@test "a closed pipe ends the tool quietly" {
	awk 'BEGIN { print "order_id,product_id"; for (i = 0; i < 300000; i++) print i ",P" i }' > long.csv
	run bash -c 'xsell-import -q long.csv 2>err | head -1; echo "${PIPESTATUS[0]}"'
	assert_line --index 0 $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts'
	assert_line --index 1 141
	[ ! -s err ]
}

@test "-q silences the notes, not the problems; -v names every rejected row" {
	run --separate-stderr xsell-import -q --exclude '^POST$' orders.csv
	[[ "$stderr" != *guessed* && "$stderr" != *"rows in"* && "$stderr" != *exclude* ]]
	[[ "$stderr" == *"1 rejected: column 'product_id': empty"* ]]
	[[ "$stderr" == *"1 value blanked, row kept: column 'ts': day or month first"* ]]
	run --separate-stderr xsell-import -v orders.csv
	[[ "$stderr" == *"xsell-import: orders.csv:13: column 'ts': day or month first: give --date-format '%d/%m/%Y %H:%M' or '%m/%d/%Y %H:%M': \"12/01/2010 09:53\" (blanked, row kept)"* ]]
	[[ "$stderr" == *"xsell-import: orders.csv:11: column 'product_id': empty"* ]]
	[[ "$stderr" == *"xsell-import: orders.csv:6: cancelled order (--returns drop)"* ]]
}

@test "CSV: text after a closing quote rejects that row alone, naming line and column; the rows after it are read" {
	printf 'order_id,product_id,description,quantity\n1,A,"Best" mug,2\n2,B,ok,1\n3,C,"Mug, large",1\n' > q.csv
	run --separate-stderr xsell-import --kind orders --rejects rej.tsv q.csv
	assert_failure 1
	assert_output $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\tdescription\n2\tB\t\t1\t\t\tok\n3\tC\t\t1\t\t\tMug, large'
	[ "$stderr" = "xsell-import: 3 rows in, 2 out, 1 rejected
xsell-import: 1 rejected: column 3 'description': text after a closing quote (first at q.csv:2)" ]
	assert_equal "$(cat rej.tsv)" $'file\tline\tcolumn\tvalue\treason\torder_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\tdescription\nq.csv\t2\tdescription\t\tcolumn 3 \'description\': text after a closing quote\t1,A,"Best" mug,2\t\t\t\t\t\t'
}

@test "CSV quoting variants: rows in = rows out + rejected, every row accounted for" {
	# input (printf format) | status | in out rejected | stderr has
	while IFS='|' read -r input want counts msg; do
		printf "id,product_id,description,qty\n$input" > v.csv
		run --separate-stderr xsell-import --kind orders --map order_id=id v.csv
		[ "$status" -eq "$want" ] || { echo "$input: status $status: $stderr"; false; }
		[[ "$stderr" == *"$msg"* ]] || { echo "$input: $stderr"; false; }
		[ "$want" -eq 3 ] && continue
		read -r in out rej <<<"$counts"
		[[ "$stderr" == *"$in rows in, $out out, $rej rejected"* ]] || { echo "$input: $stderr"; false; }
		[ "$((${#lines[@]} - 1))" -eq "$out" ] || { echo "$input: $output"; false; }
	done <<-'EOF'
	1,A,Best "mug",2\n2,B,ok,1\n|0|2 2 0|2 rows in
	1,A,12" ruler,2\n|0|1 1 0|1 rows in
	1,A,"Best\nmug",2\n2,B,ok,1\n|0|2 2 0|2 rows in
	1,A,"say ""hi""",2\n2,B,ok,1\n|0|2 2 0|2 rows in
	1,A,"Best"  ,2\n2,B,ok,1\n|0|2 2 0|2 rows in
	1,A,"Best" mug,2\n2,B,ok,1\n|1|2 1 1|column 3 'description': text after a closing quote (first at v.csv:2)
	1,A,"Best" "mug",2\n2,B,ok,1\n|1|2 1 1|column 3 'description': text after a closing quote (first at v.csv:2)
	1,"A"B,x,2\n2,B,ok,1\n|1|2 1 1|column 2 'product_id': text after a closing quote (first at v.csv:2)
	1,A,x,"2"x\r\n2,B,ok,1\r\n|1|2 1 1|column 4 'qty': text after a closing quote (first at v.csv:2)
	1,A,x,2,"e"x\n2,B,ok,1\n|1|2 1 1|column 5: text after a closing quote (first at v.csv:2)
	1,A,"Best\nmug" x,2\n2,B,ok,1\n3,C,"ok",1\n|1|3 2 1|column 3 'description': text after a closing quote (first at v.csv:2)
	1,A,"Best mug,2\n2,B,ok,1\n3,C,"Mug, large",1\n4,D,ok,1\n|1|2 1 1|column 3 'description': text after a closing quote (first at v.csv:2)
	1,A,ok,1\n2,B,"Best" mug,2|1|2 1 1|(first at v.csv:3)
	1,A,ok,1\n2,B,"open,1\n3,C,ok,1\n|3|-|v.csv:3: column 3 'description': unterminated quoted field
	EOF
}

@test "CSV: -v names a malformed record's lines when it runs over several" {
	printf 'order_id,product_id,d\n1,A,"Best\nmug" x\n2,B,ok\n' > m.csv
	run --separate-stderr xsell-import -v -q --kind orders m.csv
	assert_failure 1
	assert_output $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\td\n2\tB\t\t\t\t\tok'
	[ "$stderr" = "xsell-import: m.csv:2: column 3 'd': text after a closing quote (the record runs over lines 2-3)
xsell-import: 1 rejected: column 3 'd': text after a closing quote (first at m.csv:2)" ]
}

@test "CSV: a malformed header is exit 3 naming line and column" {
	printf 'order_id,"product"_id\n1,A\n' > h.csv
	run xsell-import h.csv
	assert_failure 3
	assert_output "xsell-import: h.csv:1: header: column 2: text after a closing quote"
}

@test "header names that are one name after normalising are exit 3 naming both columns" {
	while IFS='|' read -r args header msg; do
		printf '%s\nP1,x,y\n' "$header" > h.csv
		run xsell-import $args h.csv
		[ "$status" -eq 3 ] || { echo "$header: status $status: $output"; false; }
		[ "$output" = "xsell-import: h.csv: $msg" ] || { echo "$header: $output"; false; }
	done <<-'EOF'
	--kind catalog|product_id,Color,color|columns 2 'Color' and 3 'color' collide: the same name when case, spaces and punctuation are ignored
	--kind catalog|Product ID,product_id,title|columns 1 'Product ID' and 2 'product_id' collide: the same name when case, spaces and punctuation are ignored
	|sku,SKU,title|columns 1 'sku' and 2 'SKU' collide: the same name when case, spaces and punctuation are ignored
	--kind customers|id,Tenure (months),tenure_months|columns 2 'Tenure (months)' and 3 'tenure_months' collide: the same name when case, spaces and punctuation are ignored
	--kind catalog --map product_id=sku|sku,product_id,title|columns 1 'sku' and 2 'product_id' collide: both would be written as 'product_id'
	--kind catalog|sku,#,column_2|columns 2 '#' and 3 'column_2' collide: both would be written as 'column_2'
	EOF
	printf 'product_id\tColor\tcolor\nP1\tred\tblue\n' > h.tsv
	run xsell-import h.tsv
	assert_failure 3
	assert_output --partial "h.tsv: columns 2 'Color' and 3 'color' collide"
	printf 'product_id,title\nP1,x\n' > a.csv
	printf 'title,COLOR,product_id,Colour,color\nx,1,P2,2,3\n' > b.csv
	run --separate-stderr xsell-import --kind catalog a.csv b.csv
	assert_failure 3
	[ "$stderr" = "xsell-import: b.csv: columns 2 'COLOR' and 5 'color' collide: the same name when case, spaces and punctuation are ignored" ]
}

@test "header mapping: --map, canonical names, then the first column with an alias; id and code only with --kind" {
	printf 'code,Item,Name,SKU,x\nC1,I1,N1,S1,X1\n' > h.csv
	run --separate-stderr xsell-import --kind catalog h.csv
	assert_success
	assert_output $'product_id\ttitle\tcategory\tbrand\tprice\tcost\tstock\tstatus\ttier\tcreated\titem\tsku\tx\nC1\tN1\t\t\t\t\t\t\t\t\tI1\tS1\tX1'
	run --separate-stderr xsell-import --kind catalog --map product_id=s-k-u --map title=X h.csv
	assert_success
	assert_output $'product_id\ttitle\tcategory\tbrand\tprice\tcost\tstock\tstatus\ttier\tcreated\tcode\titem\tname\nS1\tX1\t\t\t\t\t\t\t\t\tC1\tI1\tN1'
	printf 'code,title\nC1,T1\n' > g.csv
	run xsell-import g.csv
	assert_failure 3
	assert_output --partial "cannot guess --kind"
	printf '#,subject,linked\n3,A,B\n' > p.csv
	run --separate-stderr xsell-import --map position='#' p.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tB\tcross_sell\tmanaged\t3'
}

# Mapping a header was quadratic in its columns (each spec and alias
# against each column, kept columns found and de-duplicated by a scan):
# 200 000 columns took over a minute. Linear, two such inputs take about
# a second; the bound leaves room for a loaded machine or a sanitizer build
# (the quadratic mapping took over 300 s here)
# (scripts/bench-header times 50k to 200k columns).
@test "header mapping is linear: two inputs of 200 000 columns, in other orders, within 120 s" {
	awk 'BEGIN { n = 200000
		printf "order_id,product_id,quantity"
		for (i = 1; i <= n; i++) printf ",c%06d", i
		printf "\nO1,P1,1"
		for (i = 1; i <= n; i++) printf ",v"
		print "" }' > a.csv
	awk 'BEGIN { n = 200000
		printf "quantity"
		for (i = n; i >= 1; i--) printf ",c%06d", i
		printf ",Product ID,order_id\n2"
		for (i = n; i >= 1; i--) printf ",%d", i
		print ",P2,O2" }' > b.csv
	run -0 --separate-stderr timeout 120 xsell-import -q --kind orders a.csv b.csv
	[ "${#lines[@]}" -eq 3 ]
	run -0 awk -F'\t' '{ print NF, $1, $2, $4, $7, $100006, $NF }' <<<"$output"
	assert_output '200006 order_id product_id quantity c000001 c100000 c200000
200006 O1 P1 1 v v v
200006 O2 P2 2 1 100000 200000'
}

@test "--rejects: rows of inputs that order their columns differently are each under their own columns; blanked values alone" {
	printf 'subject,linked,position,note\nA,B,x,n1\nA,C,1,n2\n' > a.csv
	printf 'note,position,linked,subject,type\nn3,y,E,D,upsell\nn4,2,G,F,bogus\nn5,3,H,H,\nn9,4,M,N,upsell,zz\n' > b.csv
	printf 'linked\tsubject\tnote\nJ\tI\tn6\nK\tI\tn7\textra\tmore\n' > c.tsv
	printf '{"note":"n8","subject":"L","linked":"L"}\n' > d.jsonl
	run --separate-stderr xsell-import --rejects rej.tsv a.csv b.csv c.tsv d.jsonl
	assert_failure 1
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\tnote\nA\tB\tcross_sell\tmanaged\t\tn1\nA\tC\tcross_sell\tmanaged\t1\tn2\nD\tE\tupsell\tmanaged\t\tn3\nI\tJ\tcross_sell\tmanaged\t\tn6'
	[[ "$stderr" == *"9 rows in, 4 out, 5 rejected, 2 values blanked"* ]]
	assert_equal "$(cat rej.tsv)" "$(printf '%s\n' \
	    $'file\tline\tcolumn\tvalue\treason\tsubject_id\tlinked_id\ttype\tsource\tposition\tnote' \
	    $'a.csv\t2\tposition\tx\tcolumn \'position\': not a number: "x" (blanked, row kept)\t\t\t\t\t\t' \
	    $'b.csv\t2\tposition\ty\tcolumn \'position\': not a number: "y" (blanked, row kept)\t\t\t\t\t\t' \
	    $'b.csv\t3\ttype\tbogus\tcolumn \'type\': not cross_sell, upsell, substitute or bundle: "bogus"\tF\tG\tbogus\t\t2\tn4' \
	    $'b.csv\t4\t\t\tself-link\tH\tH\t\t\t3\tn5' \
	    $'b.csv\t5\t\t\tmore fields than the header: 6, header has 5\tN\tM\tupsell,zz\t\t4\tn9' \
	    $'c.tsv\t3\t\t\tmalformed row: expected 3 fields, found 5\tK\\tI\\tn7\\textra\\tmore\t\t\t\t\t' \
	    $'d.jsonl\t1\t\t\tself-link\tL\tL\t\t\t\tn8')"
}

@test "--merge: an update keeps the base's columns the feed does not have" {
	printf 'subject_id\tlinked_id\ttype\tsource\tposition\tcount\tnote\nA\tC\tupsell\tlearned\t3\t17\tkeep\nA\tD\tcross_sell\tlearned\t1\t5\t\n' > base.tsv
	printf 'op,subject,linked,type\nadd,A,C,upsell\n' > feed.csv
	run --separate-stderr xsell-import --merge base.tsv feed.csv
	assert_success
	assert_output "$(cat base.tsv)"
	[[ "$stderr" == *"merge: 2 links in base.tsv; feed: 0 added, 1 updated, 0 removed, 0 removes matched nothing; 2 links out"* ]]
	# a column the feed has replaces the base's value, even with an empty
	# one; a new link has the defaults; each input of the feed by its own
	# columns
	printf 'subject,linked,type,position,note\nA,C,upsell,9,\nA,E,upsell,,new\n' > f1.csv
	printf 'linked,subject,note\nD,A,hello\n' > f2.csv
	run --separate-stderr xsell-import --merge base.tsv f1.csv f2.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\tcount\tnote\nA\tC\tupsell\tlearned\t9\t17\t\nA\tD\tcross_sell\tlearned\t1\t5\thello\nA\tE\tupsell\tmanaged\t\t\tnew'
	[[ "$stderr" == *"merge: 2 links in base.tsv; feed: 1 added, 2 updated, 0 removed, 0 removes matched nothing; 3 links out"* ]]
}

@test "--merge: a duplicate link in the base is reported and rejected, the first kept" {
	printf 'subject_id\tlinked_id\ttype\tsource\tposition\nA\tC\tupsell\tlearned\t3\nA\tD\t\t\t1\nA\tC\tupsell\tmanaged\t4\nA\tD\tcross_sell\t\t2\n' > base.tsv
	printf 'op,subject,linked\nadd,A,E\n' > feed.csv
	run --separate-stderr xsell-import --rejects rej.tsv --merge base.tsv feed.csv
	assert_failure 1
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tC\tupsell\tlearned\t3\nA\tD\t\t\t1\nA\tE\tcross_sell\tmanaged\t'
	[ "$stderr" = "xsell-import: merge: 2 links in base.tsv (and 2 duplicates, rejected); feed: 1 added, 0 updated, 0 removed, 0 removes matched nothing; 3 links out
xsell-import: feed: 1 rows in, 1 applied, 0 rejected
xsell-import: 2 rejected: duplicate link in the base (first at base.tsv:4)" ]
	assert_equal "$(cat rej.tsv)" "$(printf '%s\n' \
	    $'file\tline\tcolumn\tvalue\treason\tsubject_id\tlinked_id\ttype\tsource\tposition\top' \
	    $'base.tsv\t4\t\t\tduplicate link in the base (first at base.tsv:2)\tA\tC\tupsell\tmanaged\t4\t' \
	    $'base.tsv\t5\t\t\tduplicate link in the base (first at base.tsv:3)\tA\tD\tcross_sell\t\t2\t')"
}

@test "--merge: links in + added - removed (- not in the feed, with --full) = links out, the rows written" {
	printf 'subject_id\tlinked_id\ttype\nA\tB\tcross_sell\nA\tB\tupsell\nA\tC\tbundle\nB\tC\tcross_sell\nA\tB\tupsell\n' > base.tsv
	# options | feed (printf format)
	while IFS='|' read -r opts feed; do
		printf "op,subject,linked,type\n$feed" > feed.csv
		run --separate-stderr xsell-import $opts --merge base.tsv feed.csv
		line=$(grep -o 'merge: .*' <<<"$stderr")
		read -r in added removed unfed out < <(sed -E 's/merge: ([0-9]+) links in .*feed: ([0-9]+) added, [0-9]+ updated, ([0-9]+) removed, [0-9]+ removes matched nothing(, ([0-9]+) not in the feed removed \(--full\))?; ([0-9]+) links out/\1 \2 \3 \5 \6/; s/  / 0 /' <<<"$line")
		echo "$opts $feed: $line"
		[ "$((in + added - removed - unfed))" -eq "$out" ]
		[ "$((${#lines[@]} - 1))" -eq "$out" ]
		[ "$in" -eq 4 ]
	done <<-'EOF'
	|add,A,D,\n
	|remove,A,B,\nremove,A,B,\nadd,A,B,\n
	|add,X,Y,\nremove,X,Y,\nadd,X,Y,upsell\nremove,Q,R,\n
	--full|add,A,C,bundle\n
	--full|remove,A,C,bundle\nadd,A,C,bundle\nadd,Z,Y,\n
	--full|
	EOF
}

@test "-o over a snapshot that would shrink by more than --max-shrink is exit 1 and leaves it; --force replaces it" {
	awk 'BEGIN { print "subject,linked"; for (i = 0; i < 10000; i++) print "P" i ",Q" i }' > big.csv
	xsell-import -q -o rel.tsv big.csv
	cp rel.tsv before.tsv
	run bash -c "printf 'subject,linked\n' | xsell-import -q -o rel.tsv"
	assert_failure 1
	assert_output "xsell-import: rel.tsv: would shrink from 10000 to 0 records, by more than --max-shrink 50%: left as it was (--force replaces it)"
	cmp rel.tsv before.tsv
	[ "$(ls | grep -c rel.tsv)" -eq 1 ]
	# rows kept | options | status
	while IFS='|' read -r keep opts want; do
		cp before.tsv rel.tsv
		head -n $((keep + 1)) big.csv > part.csv
		run xsell-import -q $opts -o rel.tsv part.csv
		[ "$status" -eq "$want" ] || { echo "$keep $opts: status $status: $output"; false; }
		if [ "$want" -eq 1 ]; then
			cmp rel.tsv before.tsv
			[[ "$output" == *"would shrink from 10000 to $keep records"* ]]
		else
			[ "$(rows rel.tsv)" -eq "$keep" ]
		fi
	done <<-'EOF'
	5000||0
	4999||1
	9000|--max-shrink 5%|1
	9000|--max-shrink 0.1|0
	9999|--max-shrink 0|1
	0|--max-shrink 100%|0
	0|--force|0
	10000|--max-shrink 0|0
	EOF
}

@test "the shrink guard: JSON lines and catalogs too, --rejects still written; not orders, not stdout" {
	awk 'BEGIN { print "subject,linked"; for (i = 0; i < 10; i++) print "P" i ",Q" i }' > ten.csv
	xsell-import -q -j -o rel.json ten.csv
	printf 'subject,linked\nP1,Q1\nP1,P1\n' > two.csv
	run xsell-import -q -j --rejects rej.tsv -o rel.json two.csv
	assert_failure 1
	assert_line "xsell-import: rel.json: would shrink from 10 to 1 records, by more than --max-shrink 50%: left as it was (--force replaces it)"
	[ "$(wc -l < rel.json)" -eq 10 ]
	[ "$(rows rej.tsv)" -eq 1 ]
	printf 'sku,title\nA,a\nB,b\nC,c\n' > cat.csv
	xsell-import -q -o cat.tsv cat.csv
	printf 'sku,title\nA,a\n' | { run xsell-import -q -o cat.tsv; assert_failure 1; }
	assert_equal "$(rows cat.tsv)" 3
	printf 'order,sku\n1,A\n2,B\n3,C\n' > o.csv
	xsell-import -q -o orders.tsv o.csv
	printf 'order,sku\n4,D\n' | xsell-import -q -o orders.tsv
	assert_equal "$(rows orders.tsv)" 1
	printf 'subject,linked\n' | xsell-import -q > rel.json
	run xsell-import --max-shrink 50 ten.csv
	assert_failure 2
	assert_output 'xsell-import: option --max-shrink: "50" is not a fraction from 0 to 1 or a percent from 0% to 100%'
}

@test "--merge --full: the feed is the whole snapshot, base links missing from it removed, with the same guard" {
	awk 'BEGIN { print "subject_id\tlinked_id\ttype\tsource\tposition"; for (i = 0; i < 10; i++) print "P" i "\tQ" i "\tcross_sell\tlearned\t" i }' > rel.tsv
	cp rel.tsv before.tsv
	printf 'subject,linked\nP1,Q1\nP2,Q2\nP3,Q3\nP4,Q4\nP5,Q5\nN,M\n' > feed.csv
	run --separate-stderr xsell-import --merge rel.tsv --full -o rel.tsv feed.csv
	assert_success
	[[ "$stderr" == *"merge: 10 links in rel.tsv; feed: 1 added, 5 updated, 0 removed, 0 removes matched nothing, 5 not in the feed removed (--full); 6 links out"* ]]
	assert_equal "$(cat rel.tsv)" "$(printf '%s\n' $'subject_id\tlinked_id\ttype\tsource\tposition' \
	    $'P1\tQ1\tcross_sell\tlearned\t1' $'P2\tQ2\tcross_sell\tlearned\t2' \
	    $'P3\tQ3\tcross_sell\tlearned\t3' $'P4\tQ4\tcross_sell\tlearned\t4' \
	    $'P5\tQ5\tcross_sell\tlearned\t5' $'N\tM\tcross_sell\tmanaged\t')"
	cp before.tsv rel.tsv
	printf 'subject,linked\nP1,Q1\n' > one.csv
	run --separate-stderr xsell-import --merge rel.tsv --full -o rel.tsv one.csv
	assert_failure 1
	[[ "$stderr" == *"rel.tsv: would shrink from 10 to 1 records, by more than --max-shrink 50%: left as it was (--force replaces it)"* ]]
	cmp rel.tsv before.tsv
	run --separate-stderr xsell-import --merge rel.tsv --full --force -o rel.tsv one.csv
	assert_success
	assert_equal "$(rows rel.tsv)" 1
	run xsell-import --full one.csv
	assert_failure 2
	assert_output "xsell-import: --full needs --merge"
}

# ---- what shops export ----

@test "the shops' exports import with no flags: each fixture gives its canonical TSV and says how it was read" {
	local bad=0
	while IFS='|' read -r f want note; do
		run --separate-stderr xsell-import "$f.csv"
		[ "$status" -eq "$want" ] || { echo "FAIL $f: status $status"; bad=1; }
		[ "$output" = "$(cat "$f.expected")" ] ||
		    { echo "FAIL $f: output:"; echo "$output"; bad=1; }
		[[ "$stderr" == *"$note"* ]] || { echo "FAIL $f: stderr: $stderr"; bad=1; }
	done <<-'EOF'
	shopify-orders|0|shopify-orders.csv: read as a Shopify orders export (--kind orders)
	magento|0|magento.csv: read as a Magento product export (--kind relations); links from related_skus, crosssell_skus, upsell_skus; 9 other columns about the product, not its links, left out (--kind catalog --map product_id=sku reads them)
	woocommerce|0|woocommerce.csv: read as a WooCommerce product export (--kind relations); links from Upsells, Cross-sells; 8 other columns about the product, not its links, left out (--kind catalog --map product_id=SKU reads them)
	personyze-crosssell|0|personyze-crosssell.csv: read as a Personyze managed cross-sell/upsell upload (--kind relations); links from Linked (cross-sell product ID)
	personyze-upsell|0|personyze-upsell.csv: read as a Personyze managed cross-sell/upsell upload (--kind relations); links from Linked (upsell product ID)
	wide|0|wide.csv: links from Linked 1, Linked 2, Linked 3, their numbers the positions
	list-in-cell|0|lists split: 2 rows read became 3
	EOF
	[ "$bad" -eq 0 ]
}

@test "Online Retail and Shopify-shaped files lose no row to an optional field; the date flag a file needs is named" {
	run --separate-stderr xsell-import online-retail.csv
	assert_failure 1
	[ "$(rows_in "$stderr")" -eq 6 ]
	[ "${#lines[@]}" -eq 7 ]
	[[ "$stderr" == *"6 rows in, 6 out, 0 rejected, 7 values blanked"* ]]
	[[ "$stderr" == *"1 value blanked, row kept: column 'ts': month first: give --date-format '%m/%d/%Y %H:%M' (first at online-retail.csv:6)"* ]]
	[[ "$stderr" == *"1 value blanked, row kept: column 'price': not a number (first at online-retail.csv:5)"* ]]
	run --separate-stderr xsell-import --date-format '%m/%d/%Y %H:%M' online-retail.csv
	assert_failure 1
	assert_output "$(cat online-retail.expected)"
	[[ "$stderr" == *"6 rows in, 6 out, 0 rejected, 1 value blanked"* ]]
	# the other format of the two: the one that reads the rest is named
	run --separate-stderr xsell-import --date-format '%d/%m/%Y %H:%M' online-retail.csv
	assert_failure 1
	[[ "$stderr" == *"1 value blanked, row kept: column 'ts': month first: give --date-format '%m/%d/%Y %H:%M' (first at online-retail.csv:6)"* ]]
	run --separate-stderr xsell-import shopify-orders.csv
	assert_success
	[[ "$stderr" == *"5 rows in, 5 out, 0 rejected"* ]]
}

@test "an order's later lines inherit its customer and date, only from the line right before of the same order" {
	printf 'order,sku,customer,date\n1,A,c1,2024-01-01\n1,B,,\n2,C,,\n1,D,,\n3,E,c3,\n3,F,,2024-01-03\n3,G,,\n' > o.csv
	run --separate-stderr xsell-import o.csv
	assert_success
	assert_output "$(printf '%s\n' $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts' \
	    $'1\tA\tc1\t\t\t2024-01-01T00:00:00Z' $'1\tB\tc1\t\t\t2024-01-01T00:00:00Z' \
	    $'2\tC\t\t\t\t' $'1\tD\t\t\t\t' $'3\tE\tc3\t\t\t' \
	    $'3\tF\tc3\t\t\t2024-01-03T00:00:00Z' $'3\tG\tc3\t\t\t2024-01-03T00:00:00Z')"
}

@test "a list in one cell: split on ',' by default, --split COLUMN=SEP for another separator or column" {
	printf 'subject,linked,position\nCAM1,"SD1, BAG1,,TRIPOD1",\nCAM2,"X1,X2","5,6"\nCAM3,Y1,3\nCAM4,"Z1|Z2",\n' > l.csv
	run --separate-stderr xsell-import l.csv
	assert_success
	assert_output "$(printf '%s\n' $'subject_id\tlinked_id\ttype\tsource\tposition' \
	    $'CAM1\tSD1\tcross_sell\tmanaged\t1' $'CAM1\tBAG1\tcross_sell\tmanaged\t2' \
	    $'CAM1\tTRIPOD1\tcross_sell\tmanaged\t3' $'CAM2\tX1\tcross_sell\tmanaged\t5' \
	    $'CAM2\tX2\tcross_sell\tmanaged\t6' $'CAM3\tY1\tcross_sell\tmanaged\t3' \
	    $'CAM4\tZ1|Z2\tcross_sell\tmanaged\t')"
	[[ "$stderr" == *"lists split: 4 rows read became 7"$'\n'"xsell-import: 7 rows in, 7 out, 0 rejected"* ]]
	run --separate-stderr xsell-import --split 'linked=|' l.csv
	assert_failure 1
	assert_line $'CAM1\tSD1, BAG1,,TRIPOD1\tcross_sell\tmanaged\t'
	assert_line $'CAM4\tZ2\tcross_sell\tmanaged\t2'
	# the positions are a list of the same separator
	[[ "$stderr" == *"1 value blanked, row kept: column 'position': not a number (first at l.csv:3)"* ]]
	# a list of products in an order's line
	printf 'order,items,qty\n1,A;B;A,2\n2,,1\n' > o.csv
	run --separate-stderr xsell-import --split 'items=;' --map product_id=items --kind orders o.csv
	assert_failure 1
	assert_output $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\n1\tA\t\t2\t\t\n1\tB\t\t2\t\t\n1\tA\t\t2\t\t'
	[[ "$stderr" == *"lists split: 2 rows read became 4"$'\n'"xsell-import: 4 rows in, 3 out, 1 rejected"* ]]
	[[ "$stderr" == *"1 rejected: column 'product_id': empty (first at o.csv:3)"* ]]
}

@test "lists: each item is a record of its own, rejected alone; positions that do not pair are blanked" {
	printf 'subject,linked,position\nA,"B,A,C,B",\nD,"E,F","1,2,3"\nG,"H,I","x,2"\n' > l.csv
	run --separate-stderr xsell-import --rejects rej.tsv l.csv
	assert_failure 1
	assert_output "$(printf '%s\n' $'subject_id\tlinked_id\ttype\tsource\tposition' \
	    $'A\tB\tcross_sell\tmanaged\t1' $'A\tC\tcross_sell\tmanaged\t3' \
	    $'D\tE\tcross_sell\tmanaged\t' $'D\tF\tcross_sell\tmanaged\t' \
	    $'G\tH\tcross_sell\tmanaged\t' $'G\tI\tcross_sell\tmanaged\t2')"
	[[ "$stderr" == *"lists split: 3 rows read became 8"$'\n'"xsell-import: 8 rows in, 6 out, 2 rejected, 2 values blanked"* ]]
	assert_equal "$(cat rej.tsv)" "$(printf '%s\n' \
	    $'file\tline\tcolumn\tvalue\treason\tsubject_id\tlinked_id\ttype\tsource\tposition' \
	    $'l.csv\t2\t\t\tself-link\tA\tA\t\t\t2' \
	    $'l.csv\t2\t\t\tduplicate link (first at l.csv:2)\tA\tB\t\t\t4' \
	    $'l.csv\t3\tposition\t1,2,3\tcolumn \'position\': not as many positions as items: "1,2,3" (3 for 2 items) (blanked, row kept)\t\t\t\t\t' \
	    $'l.csv\t4\tposition\tx\tcolumn \'position\': not a number: "x" (blanked, row kept)\t\t\t\t\t')"
}

@test "--merge: a list item's position updates the base's; a blanked value leaves the base's as it was" {
	printf 'subject_id\tlinked_id\ttype\tsource\tposition\nA\tB\tcross_sell\tlearned\t1\nA\tC\tupsell\tlearned\t4\n' > base.tsv
	printf 'sku,related_skus,related_position,upsell_skus\nA,"D,B","6,5",C\n' > m.csv
	run --separate-stderr xsell-import --merge base.tsv m.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tB\tcross_sell\tlearned\t5\nA\tC\tupsell\tlearned\t4\nA\tD\tcross_sell\tmanaged\t6'
	printf 'Subject,Linked 1,Linked 2\nA,D,B\n' > w.csv
	run --separate-stderr xsell-import --merge base.tsv w.csv
	assert_success
	assert_line $'A\tB\tcross_sell\tlearned\t2'
	printf 'subject,linked,position\nA,B,x\nA,"E,B","7,y"\n' > f.csv
	run --separate-stderr xsell-import --merge base.tsv f.csv
	assert_failure 1
	assert_output "$(cat base.tsv; printf 'A\tE\tcross_sell\tmanaged\t7')"
	[[ "$stderr" == *"2 values blanked"* ]]
}

@test "list items are trimmed as values are: line ends in a cell, no-break spaces" {
	printf 'subject,linked,position\r\nA,"B1,\r\nB2 ,\xc2\xa0B3\xc2\xa0","1,\r\n2,\xc2\xa03"\r\n' > l.csv
	run --separate-stderr xsell-import l.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tB1\tcross_sell\tmanaged\t1\nA\tB2\tcross_sell\tmanaged\t2\nA\tB3\tcross_sell\tmanaged\t3'
}

@test "--split: no such column is exit 3; a column not read as a canonical one, or a second list column, too" {
	printf 'subject,linked,note\nA,B,x\n' > l.csv
	while IFS='|' read -r want args msg; do
		run xsell-import -q $args l.csv
		[ "$status" -eq "$want" ] || { echo "$args: status $status"; false; }
		[ "$output" = "$msg" ] || { echo "$args: $output"; false; }
	done <<-'EOF'
	3|--split nope|xsell-import: l.csv: --split nope: no such column (found: subject, linked, note)
	3|--split note|xsell-import: l.csv: --split note: column 'note' is not read as an id or value of relations
	2|--split =;|xsell-import: --split: not column or column=separator: '=;'
	2|--split linked=|xsell-import: --split: not column or column=separator: 'linked='
	EOF
	printf 'sku,upsell_skus,crosssell_skus\nA,B,C\n' > m.csv
	run xsell-import -q --split sku m.csv
	assert_failure 3
	assert_output "xsell-import: m.csv: --split sku: the rows are split on their lists of linked_id already"
}

@test "--set gives a column the file lacks a value (type, source, or a column of its own), and the empty cells of one it has" {
	printf 'subject,linked,type\nA,B,\nA,C,bundle\n' > l.csv
	run --separate-stderr xsell-import --set type=upsell --set Source=learned --set channel=web l.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\tchannel\nA\tB\tupsell\tlearned\t\tweb\nA\tC\tbundle\tlearned\t\tweb'
	run --separate-stderr xsell-import --preview --set type=upsell --set channel=web l.csv
	assert_line '  type             <- type (where empty: upsell, --set)'
	assert_line '  channel          = web (--set)'
	while IFS='|' read -r args msg; do
		run xsell-import -q $args l.csv
		assert_failure 2
		[ "$output" = "$msg" ] || { echo "$args: $output"; false; }
	done <<-'EOF'
	--set type=bogus|xsell-import: --set type=bogus: column 'type': not cross_sell, upsell, substitute or bundle: "bogus"
	--set position=-1|xsell-import: --set position=-1: column 'position': negative: "-1"
	--set type|xsell-import: --set: not column=value: 'type'
	--set =x|xsell-import: --set: not column=value: '=x'
	--set op=remove|xsell-import: --set op=remove: op is read with --merge only
	EOF
}

@test "dates as shops export them: offsets with and without a colon or a blank, UTC, Z, fractions; day or month first with --date-format" {
	while IFS='|' read -r args value want; do
		printf 'order_id,product_id,ts\n1,P1,%s\n' "$value" > d.csv
		run --separate-stderr xsell-import $args d.csv
		got=$(tail -n 1 <<<"$output" | cut -f 6)
		[ "$got" = "$want" ] || { echo "$args $value: got '$got': $stderr"; false; }
	done <<-'EOF'
	|2024-01-01 16:13:00 +0100|2024-01-01T15:13:00Z
	|2024-01-01T16:13:00+01:00|2024-01-01T15:13:00Z
	|2024-01-01T16:13:00+0100|2024-01-01T15:13:00Z
	|2024-01-01 16:13:00 UTC|2024-01-01T16:13:00Z
	|2024-01-01T16:13:00Z|2024-01-01T16:13:00Z
	|2024-01-01 16:13:00.250 -05:00|2024-01-01T21:13:00Z
	|2024/01/31|2024-01-31T00:00:00Z
	|31/01/2024 08:15|
	--date-format=%d/%m/%Y_%H:%M|31/01/2024_08:15|2024-01-31T08:15:00Z
	--date-format=%d.%m.%Y|1.2.2024|2024-02-01T00:00:00Z
	--date-format=%m/%d/%y_%I:%M_%p|1/31/24_8:15_PM|2024-01-31T20:15:00Z
	EOF
	printf 'order_id,product_id,ts\n1,P1,31/01/2024 08:15\n2,P2,01/02/2024 08:15\n' > d.csv
	run --separate-stderr xsell-import d.csv
	assert_failure 1
	[[ "$stderr" == *"1 value blanked, row kept: column 'ts': day first: give --date-format '%d/%m/%Y %H:%M' (first at d.csv:2)"* ]]
	[[ "$stderr" == *"1 value blanked, row kept: column 'ts': day or month first: give --date-format '%d/%m/%Y %H:%M' or '%m/%d/%Y %H:%M' (first at d.csv:3)"* ]]
	run --separate-stderr xsell-import --date-format '%d/%m/%Y %H:%M' d.csv
	assert_success
	assert_output $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\n1\tP1\t\t\t\t2024-01-31T08:15:00Z\n2\tP2\t\t\t\t2024-02-01T08:15:00Z'
	run xsell-import --date-format '%d/%m %H:%M' d.csv
	assert_failure 2
	assert_output "xsell-import: --date-format '%d/%m %H:%M': needs a year (%Y or %y), a month (%m or %b) and a day (%d)"
}

@test "a bad value in an optional column is blanked, the row kept, counted and listed in --rejects; a bad required one rejects the row" {
	printf 'order_id,product_id,quantity,price,ts\n1,P1,2,abc,2024-01-01\n2,,1,3,2024-01-01\n3,P3,1,4,yesterday\n' > o.csv
	run --separate-stderr xsell-import --rejects rej.tsv o.csv
	assert_failure 1
	assert_output $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\n1\tP1\t\t2\t\t2024-01-01T00:00:00Z\n3\tP3\t\t1\t4\t'
	[ "$stderr" = "xsell-import: o.csv: guessed --kind orders from the header
xsell-import: 3 rows in, 2 out, 1 rejected, 2 values blanked
xsell-import: 1 value blanked, row kept: column 'price': not a number (first at o.csv:2)
xsell-import: 1 rejected: column 'product_id': empty (first at o.csv:3)
xsell-import: 1 value blanked, row kept: column 'ts': not a date (first at o.csv:4)" ]
	assert_equal "$(cat rej.tsv)" "$(printf '%s\n' \
	    $'file\tline\tcolumn\tvalue\treason\torder_id\tproduct_id\tcustomer_id\tquantity\tprice\tts' \
	    $'o.csv\t2\tprice\tabc\tcolumn \'price\': not a number: "abc" (blanked, row kept)\t\t\t\t\t\t' \
	    $'o.csv\t3\tproduct_id\t\tcolumn \'product_id\': empty\t2\t\t\t1\t3\t2024-01-01' \
	    $'o.csv\t4\tts\tyesterday\tcolumn \'ts\': not a date: "yesterday" (blanked, row kept)\t\t\t\t\t\t')"
	run --separate-stderr xsell-import --strict o.csv
	assert_failure 1
	assert_output ''
	[[ "$stderr" == *"--strict: 1 rows rejected, 2 values blanked, nothing written"* ]]
	# a type, a source or an op would become the default: the row is rejected
	printf 'subject,linked,type\nA,B,sideways\n' > r.csv
	run --separate-stderr xsell-import r.csv
	assert_failure 1
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition'
}

@test "no kind fits: the columns, the nearest known name of each, and --kind and --map options that read the file" {
	printf 'Artikel Nr;Zubehoer;Rang\nP1;P2;1\n' > de.csv
	run xsell-import de.csv
	assert_failure 3
	assert_output "xsell-import: de.csv: cannot guess --kind from the header; found 'Artikel Nr' (nearest: article, orders product_id), 'Zubehoer' (nearest: customer, orders customer_id), 'Rang' (nearest: rank, relations position); this would read it: --kind catalog --map 'product_id=Artikel Nr'"
	run --separate-stderr xsell-import --kind catalog --map 'product_id=Artikel Nr' de.csv
	assert_success
	printf 'Main SKU,Rec 1\nA,B\n' > m.csv
	run xsell-import m.csv
	assert_failure 3
	[[ "$output" == *"this would read it: --kind relations --map 'subject_id=Main SKU' --map 'linked_id=Rec 1'" ]]
	run --separate-stderr xsell-import --kind relations --map 'subject_id=Main SKU' --map 'linked_id=Rec 1' m.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tB\tcross_sell\tmanaged\t'
}

@test "--preview shows the titles the file has: beside the subjects with the most links, and in the sample" {
	run --separate-stderr xsell-import --preview magento.csv
	assert_success
	assert_line '  MB01             4  Joust Duffle Bag'
	assert_line '  MB02             2  Strive Shoulder Pack'
	assert_line '  subject_id  linked_id  type        source   position  title'
	assert_line '  MB01        MB02       cross_sell  managed  1         Joust Duffle Bag'
	assert_line '  linked_id        <- related_skus (a list; type cross_sell; positions from related_position)'
	assert_line '                   <- upsell_skus (a list; type upsell; positions from upsell_position)'
	run --separate-stderr xsell-import --preview woocommerce.csv
	assert_line '  HOODIE           3  Hoodie'
}

@test "export formats: the wide form of any linked name, numbered list columns, a product row without links, --kind catalog on a product export" {
	printf 'SKU,Related 1,Related 2\nA,B,C\nD,,E\n' > w.csv
	run --separate-stderr xsell-import w.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tB\tcross_sell\tmanaged\t1\nA\tC\tcross_sell\tmanaged\t2\nD\tE\tcross_sell\tmanaged\t2'
	printf 'Subject (main product ID),Linked (upsell product ID) 1,Linked (upsell product ID) 2\nA,B,C\n' > p.csv
	run --separate-stderr xsell-import p.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tB\tupsell\tmanaged\t1\nA\tC\tupsell\tmanaged\t2'
	run --separate-stderr xsell-import --rejects rej.tsv woocommerce.csv
	assert_success
	[[ "$stderr" == *"2 rejected: no linked products (first at woocommerce.csv:4)"* ]]
	[ "$(grep -c 'no linked products' rej.tsv)" -eq 2 ]
	run --separate-stderr xsell-import --kind catalog --map product_id=SKU woocommerce.csv
	assert_success
	assert_line --index 0 $'product_id\ttitle\tcategory\tbrand\tprice\tcost\tstock\tstatus\ttier\tcreated\tid\ttype\tpublished\tcategories\tparent\tupsells\tcross_sells\tposition'
	assert_line --index 1 $'HOODIE\tHoodie\t\t\t45\t\t\t\t\t\t12\tsimple\t1\tClothing > Hoodies\t\tHOODIE-ZIP, HOODIE-LOGO\tBEANIE\t0'
}

@test "a product row without links is no problem whatever its id: a WooCommerce product without a SKU; one with links and no SKU still is" {
	printf 'ID,SKU,Name,Upsells,Cross-sells\n1,,No SKU,,\n2,A,Alpha,B,\n3,,Variation, ,\n4,,Linked,C,\n' > w.csv
	run --separate-stderr xsell-import --rejects rej.tsv w.csv
	assert_failure 1
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tB\tupsell\tmanaged\t'
	[[ "$stderr" == *"4 rows in, 1 out, 3 rejected"* ]]
	[[ "$stderr" == *"2 rejected: no linked products (first at w.csv:2)"* ]]
	[[ "$stderr" == *"1 rejected: column 'subject_id': empty (first at w.csv:5)"* ]]
	assert_equal "$(cut -f1-5 rej.tsv)" "$(printf '%s\n' $'file\tline\tcolumn\tvalue\treason' \
	    $'w.csv\t2\t\t\tno linked products' $'w.csv\t4\t\t\tno linked products' \
	    $'w.csv\t5\tSKU\t\tcolumn \'subject_id\': empty')"
	printf 'ID,SKU,Name,Upsells,Cross-sells\n1,,No SKU,,\n2,A,Alpha,B,\n' > w.csv
	run --separate-stderr xsell-import --strict w.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tB\tupsell\tmanaged\t'
	# the wide form too; a row whose subject is missing with its links is not
	printf 'Subject,Linked 1,Linked 2\n,,\nA,B,\n' > l.csv
	run --separate-stderr xsell-import --strict l.csv
	assert_success
	assert_output $'subject_id\tlinked_id\ttype\tsource\tposition\nA\tB\tcross_sell\tmanaged\t1'
}
