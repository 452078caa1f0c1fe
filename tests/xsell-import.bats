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
	3|unknown.csv|unknown.csv: cannot guess --kind from the header (found: a, b)
	3|empty.csv|no header in the input: give --kind
	3|open-quote.csv|open-quote.csv:2: unterminated quoted field
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
@test "dates: years 1000 to 9999, YYYYMMDD, epoch seconds" {
	printf 'order_id,product_id,ts\n' > d.csv
	want=$'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts'
	rej=
	n=1
	while IFS='|' read -r in out; do
		n=$((n + 1))
		printf '%s,P,%s\n' "$n" "$in" >> d.csv
		case $out in
		"date out of range") rej+=$'\n'"$n"$'\t'"column 'ts': $out: \"$in\"" ;;
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
	[ "$(cut -f2,3 rej.tsv | tail -n +2)" = "${rej#?}" ] ||
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
xsell-import: 12 rows in, 6 out, 6 rejected
xsell-import: 2 rejected: cancelled order (--returns drop) (first at orders.csv:6)
xsell-import: 1 rejected: negative quantity (--returns drop) (first at orders.csv:9)
xsell-import: 1 rejected: column 'product_id': empty (first at orders.csv:11)
xsell-import: 1 rejected: column 'quantity': not a number (first at orders.csv:12)
xsell-import: 1 rejected: column 'ts': not a date (first at orders.csv:13)" ]
}

@test "--rejects FILE lists file, line, reason and each rejected row as read" {
	run xsell-import --rejects rej.tsv orders.csv
	assert_failure 1
	assert_equal "$(cat rej.tsv)" "$(cat orders.rejects)"
}

@test "rows out + rows rejected = rows in, for every kind and format" {
	while read -r f n; do
		run --separate-stderr xsell-import --rejects rej.tsv -o out.tsv "$f"
		[ "$status" -le 1 ] || { echo "$f: status $status"; false; }
		in=$(rows_in "$stderr")
		out=$(rows out.tsv)
		rej=$(rows rej.tsv)
		echo "$f: in $in (want $n), out $out, rejected $rej"
		[ "$in" -eq "$n" ]
		[ $((out + rej)) -eq "$in" ]
	done <<-'EOF'
	orders.csv 12
	catalog.csv 7
	relations.csv 9
	customers.csv 4
	offers.csv 4
	events.jsonl 4
	orders.tsv 5
	bad-bytes.csv 5
	EOF
}

@test "cancellations: --returns keep keeps them with a negative quantity" {
	run --separate-stderr xsell-import --returns keep orders.csv
	assert_failure 1
	assert_line $'C536379\tD\t14527\t-1\t27.5\t2010-12-01T09:41:00Z\tDiscount\tUnited Kingdom'
	assert_line $'536381\t22727\t12583\t-2\t3.75\t2010-12-01T09:45:00Z\tALARM CLOCK BAKELIKE RED\tFrance'
	assert_line $'C536386\t22749\t13047\t-2\t3.75\t2010-12-01T10:00:00Z\tFELTCRAFT PRINCESS CHARLOTTE DOLL\tUnited Kingdom'
	[[ "$stderr" == *"12 rows in, 9 out, 3 rejected"* ]]
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
	printf 'bad-bytes.csv\t4\tcolumn '\''title'\'': NUL byte\tP3\tNUL\000here\t1\n' > want
	grep -a $'\t4\t' rej.tsv | cmp - want
	grep -a $'\t3\t' rej.tsv | grep -aq $'Bad \xff byte'
}

@test "--strict: any rejection is exit 1 and nothing is written" {
	echo keep > out.tsv
	run --separate-stderr xsell-import --strict orders.csv
	assert_failure 1
	assert_output ''
	[[ "$stderr" == *"--strict: 3 rows rejected, nothing written"* ]]
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
	[[ "$stderr" == *"1 rejected: column 'price': not a number (first at catalog.csv:7)"* ]]
	[[ "$stderr" == *"1 rejected: column 'status': not active, inactive or discontinued (first at catalog.csv:8)"* ]]
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
	assert_output $'context_id\tcandidate_id\tgroup\tconverted\trevenue\tmargin\tchannel\tts\nc001\tsavings\ttreatment\t1\t40\t\t\t2024-03-01T10:00:00Z\nc002\tsavings\tcontrol\t0\t\t\t\t2024-03-01T10:00:00Z'
	[[ "$stderr" == *"1 rejected: malformed row (first at events.jsonl:4)"* ]]
}

@test "xsell TSV is read by content: escapes undone, a short row malformed" {
	run --separate-stderr xsell-import orders.tsv
	assert_failure 1
	assert_output $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\n1\tP1\tc1\t1\t2.5\t2024-01-01T00:00:00Z\n1\tP2\tc1\t2\t10\t2024-01-01T00:00:00Z\n2\tP1\t\t1\t2.5\t2024-01-02T07:00:00Z'
	printf 'customer_id\tnote\nc1\ta\\tb\n' | xsell-import > c.tsv
	assert_equal "$(cat c.tsv)" $'customer_id\tholdings\tnote\nc1\t\ta\\tb'
}

@test "stdin is read by content too: CSV, TSV and JSON lines through a pipe" {
	for f in orders.csv orders.tsv events.jsonl; do
		xsell-import -q "$f" > file.tsv || true
		cat "$f" | xsell-import -q > pipe.tsv || true
		cmp file.tsv pipe.tsv
		xsell-import -q - < "$f" > redirect.tsv || true
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
	jq -e -s 'length == 3 and .[0].order_id == "1" and .[0].quantity == 1 and
	    .[1].price == 10 and .[2].customer_id == null and
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
	run xsell-import -q -o out.tsv orders.tsv
	assert_equal "$(rows out.tsv)" 3
}

@test "--preview: a merchant's upload summary instead of records" {
	run --separate-stderr xsell-import --preview relations.csv
	assert_failure 1
	assert_output "$(cat relations.preview)"
}

@test "--preview counts distinct ids and lists every problem for other kinds too" {
	run --separate-stderr xsell-import --preview orders.csv
	assert_line 'rows: 12 in, 6 out, 6 rejected'
	assert_line '  order_id         4'
	assert_line '  orders.csv:13: column '\''ts'\'': not a date: "12/01/2010 09:53"'
}

@test "--merge applies a delta feed (op add or remove) to a base snapshot" {
	xsell-import -q -o base.tsv relations.csv || true
	printf 'op,subject,linked,type,position\nadd,P1,P8,,5\nremove,P1,P3,,\nadd,P1,P2,,7\n,P9,P1,bundle,1\n' > feed.csv
	run --separate-stderr xsell-import --merge base.tsv feed.csv
	assert_success
	assert_output "$(printf 'subject_id\tlinked_id\ttype\tsource\tposition\tupdated\tnote
P1\tP2\tcross_sell\tmanaged\t7\t2024-01-05T00:00:00Z\tfits, mostly
P2\tP1\tbundle\tmanaged\t\t2021-03-01T00:00:00Z\t
P4\tP5\tcross_sell\tmanaged\t1\t\t
P4\tP6\tcross_sell\tmanaged\t2\t\t
P1\tP8\tcross_sell\tmanaged\t5\t\t
P9\tP1\tbundle\tmanaged\t1\t\t')"
	[[ "$stderr" == *"merge: 5 links in base.tsv; feed: 2 added, 1 updated, 1 removed, 0 removes matched nothing; 6 links out"* ]]
}

@test "--merge with -o equal to the base swaps the file atomically (cron refresh)" {
	xsell-import -q -o rel.tsv relations.csv || true
	printf 'op\tsubject_id\tlinked_id\nremove\tP4\tP5\nadd\tP4\tP9\n' | xsell-import -q --merge rel.tsv -o rel.tsv
	assert_equal "$(rows rel.tsv)" 5
	grep -q $'^P4\tP9\t' rel.tsv
	! grep -q $'^P4\tP5\t' rel.tsv
	[ "$(ls | grep -c rel.tsv)" -eq 1 ]
	printf 'op,subject_id,linked_id\nadd,P4,P4\n' | { run xsell-import -q --strict --merge rel.tsv -o rel.tsv; assert_failure 1; }
	assert_equal "$(rows rel.tsv)" 5
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
	xsell-import -q --json --returns keep orders.csv > 1.json || true
	xsell-import -q --json --returns keep orders.csv > 2.json || true
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
	[[ "$stderr" == *"1 rejected: column 'ts': not a date"* ]]
	run --separate-stderr xsell-import -v orders.csv
	[[ "$stderr" == *"xsell-import: orders.csv:13: column 'ts': not a date: \"12/01/2010 09:53\""* ]]
	[[ "$stderr" == *"xsell-import: orders.csv:6: cancelled order (--returns drop)"* ]]
}
