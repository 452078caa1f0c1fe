#!/usr/bin/env bats
# The bad-input corpus, against every tool: each case is the expected exit
# status, the tool and its options, the input (generated below, per tool,
# under $IN/TOOL/), an extended regular expression the whole stderr
# must match ("-" for an empty stderr) and, required where the status is
# 0, the exact standard output ("-" for none; printf %b escapes, $IN for
# the input directory, $A1M for the million a's of field-1m). Every case
# also must not crash (status >= 128), must not print a sanitizer report,
# and an error (status 2-4) is one line. All tools run with -q, so stderr
# holds only errors and the reject summary.
load helper
bats_require_minimum_version 1.5.0

# mk TOOL HEADER ROW: the inputs for one tool. ROW has @N where a number
# goes and may have @D where a date goes; the defaults make a good row.
mk() {
	local d="$IN/$1" h=$2 row=$3 i key keys vals
	local good=${row//@N/1}
	good=${good//@D/2024-01-01}
	mkdir -p "$d"
	cd "$d" || return 1
	: > empty
	printf '%b\n' "$h" > header-only
	printf '%b\n%b\n' "$h" "$good" > good
	printf '%b\tzzz_unknown\n%b\tz\n' "$h" "$good" > unknown-col
	printf 'foo\tbar\n1\t2\n' > no-required
	printf '%b\t%s\n%b\tdup\n' "$h" "${h%%\\t*}" "$good" > dup-header
	printf '%b\r\n%b\r\n' "$h" "$good" > crlf
	printf '%b\n%b\r\n%b\n' "$h" "$good" "$good" > mixed-eol
	printf '\357\273\277%b\n%b\n' "$h" "$good" > bom
	{ printf '%b\n' "$h"; printf '%b\n' "$good" | sed 's/^\(.\)/\1\x00/'; } > nul
	{ printf '%b\n' "$h"; printf '%b\n' "$good" | sed 's/^\(.\)/\1\xff\xfe/'; } > bad-utf8
	{ printf '%b\n' "$h"; cat "$IN/10mb"; } > line-10mb
	{ printf '%b\n' "$h"; head -c 1000000 "$IN/10mb";
	  printf '%b\n' "$good"; } > field-1m
	for v in 1e999 nan -0 0x10; do
		printf '%b\n%b\n' "$h" "$(printf '%s' "$row" |
		    sed "s/@N/$v/; s/@D/2024-01-01/")" > "num$v"
	done
	for v in 0000-01-01 2024-13-45 10000-01-01; do
		printf '%b\n%b\n' "$h" "$(printf '%b' "$row" |
		    sed "s/@N/1/; s/@D/$v/")" > "date$v"
	done
	# JSON lines: the good row as an object, then bad second lines
	keys=$(printf '%b' "$h" | tr '\t' '\n')
	vals=$(printf '%b' "$good" | tr '\t' '\n')
	key=$(paste <(echo "$keys") <(echo "$vals") |
	    awk -F'\t' '{ printf "%s\"%s\":\"%s\"", (NR > 1 ? "," : "{"), $1, $2 }
	    END { print "}" }')
	printf '%s\n[1,2]\n' "$key" > json-array-line
	printf '%s\n"text"\n' "$key" > json-string-line
	{ printf '%s\n{"%s":' "$key" "${h%%\\t*}"
	  head -c 100000 /dev/zero | tr '\0' '['; echo; } > json-deep
	{ printf '{"%s":' "${h%%\\t*}"
	  head -c 100000 /dev/zero | tr '\0' '['; echo; } > json-deep-first
	printf '%s\n{"%s":{"a":[1]}}\n' "$key" "${h%%\\t*}" > json-nested
	printf '[1,2]\n' > json-array-first
	cd - > /dev/null
}

setup_file() {
	IN=$BATS_FILE_TMPDIR/in
	export IN
	mkdir -p "$IN"
	head -c 10000000 /dev/zero | tr '\0' 'a' > "$IN/10mb"
	echo >> "$IN/10mb"
	mk import 'order_id\tproduct_id\tquantity\tprice\tts' 'O1\tP1\t1\t@N\t@D'
	mk learn 'order_id\tproduct_id\tquantity\tts' 'O1\tP1\t@N\t@D'
	mk qualify 'subject_id\tsegment' 'P1\tx'
	mk score 'context_id\tcandidate_id\tpropensity' 'C1\tP1\t@N'
	mk rank 'context_id\tcandidate_id\tscore' 'C1\tP1\t@N'
	mk audit 'subject_id\tlinked_id\tupdated' 'P1\tP2\t@D'
	mk events 'context_id\tcandidate_id\tgroup\tconverted\trevenue' \
	    'C1\tP1\ttreatment\t1\t@N'
	# partial sums, as --counts writes them, read by --merge
	mk asums 'kind\tgroup\tcandidate_id\timpressions\tconversions\trevenue\tmargin' \
	    'cell\t\tP1\t@N\t0\t0\t0'
	mk usums 'kind\tcandidate_id\tsegment\tarm\tn\tsum\tsumsq' \
	    'candidate\tP1\t\ttreatment\t@N\t0\t0'
	printf 'subject_id\tlinked_id\nP1\tP2\n' > "$IN/rel.tsv"
	printf 'context_id\tts\n' > "$IN/hist-header"
	printf 'subject_id\tlinked_id\nP\0001\tP2\n' > "$IN/rel-nul"
	{ printf '{"subject_id":"P1","linked_id":"P2"}\n{"linked_id":'
	  head -c 100000 /dev/zero | tr '\0' '['; echo; } > "$IN/rel-deep"
}

# Reads the table on stdin; reports every failing case, not only the first.
table() {
	local want cmd input pat out bad=0 err A1M
	while IFS='|' read -r want cmd input pat out; do
		want=${want// /}
		[ -n "$want" ] && [ "${want#\#}" = "$want" ] || continue
		input=${input// /}
		pat=${pat# }
		pat=${pat% }
		out=${out# }
		out=${out% }
		if [ "$out" = - ]; then
			out=
		elif [ -n "$out" ]; then
			[[ "$out" != *'$A1M'* ]] || A1M=$(head -c 1000000 "$IN/10mb")
			out=${out//'$IN'/$IN}
			out=$(printf '%b' "${out//'$A1M'/$A1M}")
		elif [ "$want" -eq 0 ]; then
			echo "FAIL $want |$cmd| $input: an exit-0 case needs its stdout"
			bad=1
			continue
		fi
		# shellcheck disable=SC2086
		run --separate-stderr $cmd "$IN/$input"
		err="$want |$cmd| $input: status $status"
		if [ "$status" -ne "$want" ] || [ "$status" -ge 128 ]; then
			echo "FAIL $err (stderr: ${stderr:0:300})"; bad=1
		elif grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' <<<"$stderr"; then
			echo "FAIL $err: sanitizer: ${stderr:0:600}"; bad=1
		elif [ "$pat" = - ] && [ -n "$stderr" ]; then
			echo "FAIL $err: stderr not empty: ${stderr:0:300}"; bad=1
		elif [ "$pat" != - ] && ! grep -qE -- "$pat" <<<"$stderr"; then
			echo "FAIL $err: stderr ${stderr:0:300} does not match /$pat/"; bad=1
		elif [ "$want" -ge 2 ] && [ "$(wc -l <<<"$stderr")" -ne 1 ]; then
			echo "FAIL $err: not one line: ${stderr:0:300}"; bad=1
		elif [ "$want" -eq 0 ] && [ "$output" != "$out" ]; then
			echo "FAIL $err: stdout ${output:0:300} is not ${out:0:300}"; bad=1
		fi
	done
	return $bad
}

@test "xsell-import: bad input" {
	table <<-'EOF'
	0 | xsell-import -q --kind orders | import/empty           | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts
	0 | xsell-import -q --kind orders | import/header-only     | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts
	0 | xsell-import -q --kind orders | import/good            | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO1\tP1\t\t1\t1\t2024-01-01T00:00:00Z
	0 | xsell-import -q --kind orders | import/unknown-col     | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\tzzz_unknown\nO1\tP1\t\t1\t1\t2024-01-01T00:00:00Z\tz
	3 | xsell-import -q --kind orders | import/no-required     | no-required: missing required column 'order_id'
	3 | xsell-import -q               | import/no-required     | no-required: cannot guess --kind
	3 | xsell-import -q --kind orders | import/dup-header      | dup-header:1: duplicate column 'order_id'
	0 | xsell-import -q --kind orders | import/crlf            | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO1\tP1\t\t1\t1\t2024-01-01T00:00:00Z
	0 | xsell-import -q --kind orders | import/mixed-eol       | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO1\tP1\t\t1\t1\t2024-01-01T00:00:00Z\nO1\tP1\t\t1\t1\t2024-01-01T00:00:00Z
	0 | xsell-import -q --kind orders | import/bom             | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO1\tP1\t\t1\t1\t2024-01-01T00:00:00Z
	1 | xsell-import -q --kind orders | import/nul             | 1 rejected: .*\(first at .*nul:2\)
	1 | xsell-import -q --kind orders | import/bad-utf8        | 1 rejected: column 'order_id': invalid UTF-8 \(first at .*bad-utf8:2\)
	1 | xsell-import -q --kind orders | import/line-10mb       | 1 rejected: .*\(first at .*line-10mb:2\)
	0 | xsell-import -q --kind orders | import/field-1m        | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\n$A1MO1\tP1\t\t1\t1\t2024-01-01T00:00:00Z
	1 | xsell-import -q --kind orders | import/num1e999        | 1 value blanked, row kept: column 'price': out of range \(first at .*num1e999:2\)
	0 | xsell-import -q --kind orders | import/numnan          | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO1\tP1\t\t1\t\t2024-01-01T00:00:00Z
	0 | xsell-import -q --kind orders | import/num-0           | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO1\tP1\t\t1\t0\t2024-01-01T00:00:00Z
	1 | xsell-import -q --kind orders | import/num0x10         | 1 value blanked, row kept: column 'price': not a number \(first at .*num0x10:2\)
	1 | xsell-import -q --kind orders | import/date0000-01-01  | 1 value blanked, row kept: column 'ts': date out of range \(first at .*date0000-01-01:2\)
	1 | xsell-import -q --kind orders | import/date2024-13-45  | 1 value blanked, row kept: column 'ts': date out of range \(first at .*:2\)
	1 | xsell-import -q --kind orders | import/date10000-01-01 | 1 value blanked, row kept: column 'ts': not a date \(first at .*:2\)
	1 | xsell-import -q --kind orders --set ts=2024-01-02 | import/date2024-13-45 | 1 value blanked, row kept: column 'ts': date out of range \(first at .*:2\)
	0 | xsell-import -q --kind orders --set customer_id=c9 | import/good | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO1\tP1\tc9\t1\t1\t2024-01-01T00:00:00Z
	0 | xsell-import -q --kind orders --set channel=web | import/empty | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\tchannel
	0 | xsell-import -q --kind orders --split product_id | import/good | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO1\tP1\t\t1\t1\t2024-01-01T00:00:00Z
	0 | xsell-import -q --kind orders --date-format %d.%m.%Y | import/good | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO1\tP1\t\t1\t1\t2024-01-01T00:00:00Z
	2 | xsell-import -q --kind orders --date-format %d.%m | import/good | ^xsell-import: --date-format '%d.%m': needs a year
	2 | xsell-import -q --kind orders --set quantity=x | import/good | ^xsell-import: --set quantity=x: column 'quantity': not a number: "x"$
	2 | xsell-import -q --kind orders --set =x | import/good | ^xsell-import: --set: not column=value: '=x'$
	2 | xsell-import -q --kind orders --split = | import/good | ^xsell-import: --split: not column or column=separator: '='$
	3 | xsell-import -q --kind orders --split nope | import/good | good: --split nope: no such column \(found: order_id, product_id, quantity, price, ts\)$
	3 | xsell-import -q --kind orders | import/json-array-first | json-array-first
	1 | xsell-import -q --kind orders | import/json-array-line | 1 rejected: .*\(first at .*json-array-line:2\)
	1 | xsell-import -q --kind orders | import/json-string-line | 1 rejected: .*\(first at .*json-string-line:2\)
	1 | xsell-import -q --kind orders | import/json-deep       | 1 rejected: .*\(first at .*json-deep:2\)
	3 | xsell-import -q --kind orders | import/json-deep-first | json-deep-first:1: .*invalid JSON: maximum parsing depth
	1 | xsell-import -q --kind orders | import/json-nested     | 1 rejected: .*\(first at .*json-nested:2\)
	4 | xsell-import -q --kind orders | import/no-such-file    | no-such-file: No such file or directory
	EOF
}

# The tools after import read canonical TSV or JSON lines through rec.c:
# a malformed row is exit 3 naming file:line; bytes (invalid UTF-8) pass
# through as they are, as do unknown columns.
@test "xsell-learn: bad input" {
	table <<-'EOF'
	0 | xsell-learn -q | learn/empty           | - | subject_id\tlinked_id\ttype\tsource\tposition\tcount\tsubject_count\tlinked_count\tbaskets\tsupport\tconfidence\tlift
	0 | xsell-learn -q | learn/header-only     | - | subject_id\tlinked_id\ttype\tsource\tposition\tcount\tsubject_count\tlinked_count\tbaskets\tsupport\tconfidence\tlift
	0 | xsell-learn -q | learn/good            | - | subject_id\tlinked_id\ttype\tsource\tposition\tcount\tsubject_count\tlinked_count\tbaskets\tsupport\tconfidence\tlift
	0 | xsell-learn -q | learn/unknown-col     | - | subject_id\tlinked_id\ttype\tsource\tposition\tcount\tsubject_count\tlinked_count\tbaskets\tsupport\tconfidence\tlift
	3 | xsell-learn -q | learn/no-required     | no-required: missing required column 'order_id' \(found: foo, bar\)$
	3 | xsell-learn -q | learn/dup-header      | dup-header:1: duplicate column 'order_id'$
	0 | xsell-learn -q | learn/crlf            | - | subject_id\tlinked_id\ttype\tsource\tposition\tcount\tsubject_count\tlinked_count\tbaskets\tsupport\tconfidence\tlift
	0 | xsell-learn -q | learn/mixed-eol       | - | subject_id\tlinked_id\ttype\tsource\tposition\tcount\tsubject_count\tlinked_count\tbaskets\tsupport\tconfidence\tlift
	0 | xsell-learn -q | learn/bom             | - | subject_id\tlinked_id\ttype\tsource\tposition\tcount\tsubject_count\tlinked_count\tbaskets\tsupport\tconfidence\tlift
	3 | xsell-learn -q | learn/nul             | nul:2: NUL byte$
	0 | xsell-learn -q | learn/bad-utf8        | - | subject_id\tlinked_id\ttype\tsource\tposition\tcount\tsubject_count\tlinked_count\tbaskets\tsupport\tconfidence\tlift
	3 | xsell-learn -q | learn/line-10mb       | line-10mb:2: expected 4 fields, found 1$
	0 | xsell-learn -q | learn/field-1m        | - | subject_id\tlinked_id\ttype\tsource\tposition\tcount\tsubject_count\tlinked_count\tbaskets\tsupport\tconfidence\tlift
	3 | xsell-learn -q | learn/num1e999        | num1e999:2: column 'quantity': out of range: "1e999"$
	3 | xsell-learn -q | learn/numnan          | numnan:2: column 'quantity': not a number: "nan"$
	0 | xsell-learn -q | learn/num-0           | - | subject_id\tlinked_id\ttype\tsource\tposition\tcount\tsubject_count\tlinked_count\tbaskets\tsupport\tconfidence\tlift
	3 | xsell-learn -q | learn/num0x10         | num0x10:2: column 'quantity': not a number: "0x10"$
	3 | xsell-learn -q --half-life 30 --now 2025-01-01 | learn/date0000-01-01  | date0000-01-01:2: column 'ts': date out of range: "0000-01-01"$
	3 | xsell-learn -q --half-life 30 --now 2025-01-01 | learn/date2024-13-45  | :2: column 'ts': date out of range: "2024-13-45"$
	3 | xsell-learn -q --half-life 30 --now 2025-01-01 | learn/date10000-01-01 | :2: column 'ts': not a date: "10000-01-01"$
	3 | xsell-learn -q | learn/json-array-first | json-array-first: missing required column 'order_id'
	3 | xsell-learn -q | learn/json-array-line | json-array-line:2: not a JSON object$
	3 | xsell-learn -q | learn/json-string-line | json-string-line:2: .*invalid JSON
	3 | xsell-learn -q | learn/json-deep       | json-deep:2: .*invalid JSON: maximum parsing depth
	3 | xsell-learn -q | learn/json-deep-first | json-deep-first:1: .*invalid JSON: maximum parsing depth
	3 | xsell-learn -q | learn/json-nested     | json-nested:2: key 'order_id': nested object$
	4 | xsell-learn -q | learn/no-such-file    | no-such-file: No such file or directory$
	EOF
}

@test "xsell-qualify: bad input" {
	table <<-EOF
	0 | xsell-qualify -q --relations $IN/rel.tsv | qualify/empty           | - | context_id\tcandidate_id\tsource\ttype\tsupport_items
	0 | xsell-qualify -q --relations $IN/rel.tsv | qualify/header-only     | - | context_id\tcandidate_id\tsource\ttype\tsubject_id\tsegment
	0 | xsell-qualify -q --relations $IN/rel.tsv | qualify/good            | - | context_id\tcandidate_id\tsource\ttype\tsubject_id\tsegment\nP1\tP2\tmanaged\tcross_sell\tP1\tx
	0 | xsell-qualify -q --relations $IN/rel.tsv | qualify/unknown-col     | - | context_id\tcandidate_id\tsource\ttype\tsubject_id\tsegment\tzzz_unknown\nP1\tP2\tmanaged\tcross_sell\tP1\tx\tz
	3 | xsell-qualify -q --relations $IN/rel.tsv | qualify/no-required     | no-required: contexts need subject_id .* \(found: foo, bar\)$
	3 | xsell-qualify -q --relations $IN/rel.tsv | qualify/dup-header      | dup-header:1: duplicate column 'subject_id'$
	0 | xsell-qualify -q --relations $IN/rel.tsv | qualify/crlf            | - | context_id\tcandidate_id\tsource\ttype\tsubject_id\tsegment\nP1\tP2\tmanaged\tcross_sell\tP1\tx
	0 | xsell-qualify -q --relations $IN/rel.tsv | qualify/mixed-eol       | - | context_id\tcandidate_id\tsource\ttype\tsubject_id\tsegment\nP1\tP2\tmanaged\tcross_sell\tP1\tx\nP1\tP2\tmanaged\tcross_sell\tP1\tx
	0 | xsell-qualify -q --relations $IN/rel.tsv | qualify/bom             | - | context_id\tcandidate_id\tsource\ttype\tsubject_id\tsegment\nP1\tP2\tmanaged\tcross_sell\tP1\tx
	3 | xsell-qualify -q --relations $IN/rel.tsv | qualify/nul             | nul:2: NUL byte$
	0 | xsell-qualify -q --relations $IN/rel.tsv | qualify/bad-utf8        | - | context_id\tcandidate_id\tsource\ttype\tsubject_id\tsegment
	3 | xsell-qualify -q --relations $IN/rel.tsv | qualify/line-10mb       | line-10mb:2: expected 2 fields, found 1$
	0 | xsell-qualify -q --relations $IN/rel.tsv | qualify/field-1m        | - | context_id\tcandidate_id\tsource\ttype\tsubject_id\tsegment
	3 | xsell-qualify -q --relations $IN/rel.tsv | qualify/json-array-line | json-array-line:2: not a JSON object$
	3 | xsell-qualify -q --relations $IN/rel.tsv | qualify/json-string-line | json-string-line:2: .*invalid JSON
	3 | xsell-qualify -q --relations $IN/rel.tsv | qualify/json-deep       | json-deep:2: .*invalid JSON: maximum parsing depth
	3 | xsell-qualify -q --relations $IN/rel.tsv | qualify/json-deep-first | json-deep-first:1: .*invalid JSON: maximum parsing depth
	3 | xsell-qualify -q --relations $IN/rel.tsv | qualify/json-nested     | json-nested:2: key 'subject_id': nested object$
	3 | xsell-qualify -q --relations $IN/rel-nul | qualify/good        | rel-nul:2: NUL byte$
	3 | xsell-qualify -q --relations $IN/rel-deep | qualify/good   | rel-deep:2: .*invalid JSON: maximum parsing depth
	4 | xsell-qualify -q --relations $IN/rel.tsv | qualify/no-such-file    | no-such-file: No such file or directory$
	EOF
}

@test "xsell-score: bad input" {
	table <<-'EOF'
	0 | xsell-score -q | score/empty           | - | -
	0 | xsell-score -q | score/header-only     | - | context_id\tcandidate_id\tpropensity\tscore\texpected_value
	0 | xsell-score -q | score/good            | - | context_id\tcandidate_id\tpropensity\tscore\texpected_value\nC1\tP1\t1\t0.4\t
	0 | xsell-score -q | score/unknown-col     | - | context_id\tcandidate_id\tpropensity\tzzz_unknown\tscore\texpected_value\nC1\tP1\t1\tz\t0.4\t
	3 | xsell-score -q | score/no-required     | no-required: missing required column '[a-z_]+' \(found: foo, bar\)$
	3 | xsell-score -q | score/dup-header      | dup-header:1: duplicate column 'context_id'$
	0 | xsell-score -q | score/crlf            | - | context_id\tcandidate_id\tpropensity\tscore\texpected_value\nC1\tP1\t1\t0.4\t
	0 | xsell-score -q | score/mixed-eol       | - | context_id\tcandidate_id\tpropensity\tscore\texpected_value\nC1\tP1\t1\t0.4\t\nC1\tP1\t1\t0.4\t
	0 | xsell-score -q | score/bom             | - | context_id\tcandidate_id\tpropensity\tscore\texpected_value\nC1\tP1\t1\t0.4\t
	3 | xsell-score -q | score/nul             | nul:2: NUL byte$
	0 | xsell-score -q | score/bad-utf8        | - | context_id\tcandidate_id\tpropensity\tscore\texpected_value\nC\xff\xfe1\tP1\t1\t0.4\t
	3 | xsell-score -q | score/line-10mb       | line-10mb:2: expected 3 fields, found 1$
	0 | xsell-score -q | score/field-1m        | - | context_id\tcandidate_id\tpropensity\tscore\texpected_value\n$A1MC1\tP1\t1\t0.4\t
	3 | xsell-score -q | score/num1e999        | num1e999:2: column 'propensity': out of range: "1e999"$
	3 | xsell-score -q | score/numnan          | numnan:2: column 'propensity': not a number: "nan"$
	0 | xsell-score -q | score/num-0           | - | context_id\tcandidate_id\tpropensity\tscore\texpected_value\nC1\tP1\t-0\t0\t
	3 | xsell-score -q | score/num0x10         | num0x10:2: column 'propensity': not a number: "0x10"$
	3 | xsell-score -q | score/json-array-line | json-array-line:2: not a JSON object$
	3 | xsell-score -q | score/json-string-line | json-string-line:2: .*invalid JSON
	3 | xsell-score -q | score/json-deep       | json-deep:2: .*invalid JSON: maximum parsing depth
	3 | xsell-score -q | score/json-deep-first | json-deep-first:1: .*invalid JSON: maximum parsing depth
	3 | xsell-score -q | score/json-nested     | json-nested:2: key 'context_id': nested object$
	2 | xsell-score -q --weights P=nan     | score/good | --weights
	2 | xsell-score -q --weights P=1e999   | score/good | --weights
	2 | xsell-score -q --weights P=0x10    | score/good | --weights
	2 | xsell-score -q --weights Q=1       | score/good | --weights
	2 | xsell-score -q --weights P=        | score/good | --weights
	2 | xsell-score -q --weights P=1,P=1   | score/good | --weights
	3 | xsell-score -q --weights-file      | score/nul  | nul
	4 | xsell-score -q | score/no-such-file    | no-such-file: No such file or directory$
	EOF
}

@test "xsell-rank: bad input" {
	table <<-'EOF'
	0 | xsell-rank -q | rank/empty           | - | -
	0 | xsell-rank -q | rank/header-only     | - | context_id\tcandidate_id\tscore\trank
	0 | xsell-rank -q | rank/good            | - | context_id\tcandidate_id\tscore\trank\nC1\tP1\t1\t1
	0 | xsell-rank -q | rank/unknown-col     | - | context_id\tcandidate_id\tscore\tzzz_unknown\trank\nC1\tP1\t1\tz\t1
	3 | xsell-rank -q | rank/no-required     | no-required: missing required column '[a-z_]+' \(found: foo, bar\)$
	3 | xsell-rank -q | rank/dup-header      | dup-header:1: duplicate column 'context_id'$
	0 | xsell-rank -q | rank/crlf            | - | context_id\tcandidate_id\tscore\trank\nC1\tP1\t1\t1
	0 | xsell-rank -q | rank/mixed-eol       | - | context_id\tcandidate_id\tscore\trank\nC1\tP1\t1\t1
	0 | xsell-rank -q | rank/bom             | - | context_id\tcandidate_id\tscore\trank\nC1\tP1\t1\t1
	3 | xsell-rank -q | rank/nul             | nul:2: NUL byte$
	0 | xsell-rank -q | rank/bad-utf8        | - | context_id\tcandidate_id\tscore\trank\nC\xff\xfe1\tP1\t1\t1
	3 | xsell-rank -q | rank/line-10mb       | line-10mb:2: expected 3 fields, found 1$
	0 | xsell-rank -q | rank/field-1m        | - | context_id\tcandidate_id\tscore\trank\n$A1MC1\tP1\t1\t1
	3 | xsell-rank -q | rank/num1e999        | num1e999:2: column 'score': out of range: "1e999"$
	3 | xsell-rank -q | rank/numnan          | numnan:2: column 'score': not a number: "nan"$
	0 | xsell-rank -q | rank/num-0           | - | context_id\tcandidate_id\tscore\trank\nC1\tP1\t-0\t1
	3 | xsell-rank -q | rank/num0x10         | num0x10:2: column 'score': not a number: "0x10"$
	3 | xsell-rank -q | rank/json-array-line | json-array-line:2: not a JSON object$
	3 | xsell-rank -q | rank/json-string-line | json-string-line:2: .*invalid JSON
	3 | xsell-rank -q | rank/json-deep       | json-deep:2: .*invalid JSON: maximum parsing depth
	3 | xsell-rank -q | rank/json-deep-first | json-deep-first:1: .*invalid JSON: maximum parsing depth
	3 | xsell-rank -q | rank/json-nested     | json-nested:2: key 'context_id': nested object$
	2 | xsell-rank -q --top 1e999 | rank/good  | --top
	2 | xsell-rank -q --top 0x10  | rank/good  | --top
	2 | xsell-rank -q --top -1    | rank/good  | --top
	2 | xsell-rank -q --holdout nan --seed 1 | rank/good | --holdout
	2 | xsell-rank -q --period year | rank/good | --period
	4 | xsell-rank -q | rank/no-such-file    | no-such-file: No such file or directory$
	EOF
}

# audit reports bad dates as findings (bad_date), not as errors.
@test "xsell-audit: bad input" {
	table <<-'EOF'
	0 | xsell-audit -q | audit/empty           | - | check\tseverity\tsubject_id\tlinked_id\tdetail
	0 | xsell-audit -q | audit/header-only     | - | check\tseverity\tsubject_id\tlinked_id\tdetail
	0 | xsell-audit -q | audit/good            | - | check\tseverity\tsubject_id\tlinked_id\tdetail
	0 | xsell-audit -q | audit/unknown-col     | - | check\tseverity\tsubject_id\tlinked_id\tdetail
	3 | xsell-audit -q | audit/no-required     | no-required: missing required column 'subject_id' \(found: foo, bar\)$
	3 | xsell-audit -q | audit/dup-header      | dup-header:1: duplicate column 'subject_id'$
	0 | xsell-audit -q | audit/crlf            | - | check\tseverity\tsubject_id\tlinked_id\tdetail
	0 | xsell-audit -q | audit/mixed-eol       | - | check\tseverity\tsubject_id\tlinked_id\tdetail\nduplicate_link\twarning\tP1\tP2\tsame link as $IN/audit/mixed-eol:2 ($IN/audit/mixed-eol:3)
	0 | xsell-audit -q | audit/bom             | - | check\tseverity\tsubject_id\tlinked_id\tdetail
	3 | xsell-audit -q | audit/nul             | nul:2: NUL byte$
	0 | xsell-audit -q | audit/bad-utf8        | - | check\tseverity\tsubject_id\tlinked_id\tdetail
	3 | xsell-audit -q | audit/line-10mb       | line-10mb:2: expected 3 fields, found 1$
	0 | xsell-audit -q | audit/field-1m        | - | check\tseverity\tsubject_id\tlinked_id\tdetail
	0 | xsell-audit -q --max-age 30 --now 2025-01-01 | audit/date0000-01-01  | - | check\tseverity\tsubject_id\tlinked_id\tdetail\nbad_date\terror\tP1\tP2\tupdated "0000-01-01" is not a date ($IN/audit/date0000-01-01:2)
	0 | xsell-audit -q --max-age 30 --now 2025-01-01 | audit/date2024-13-45  | - | check\tseverity\tsubject_id\tlinked_id\tdetail\nbad_date\terror\tP1\tP2\tupdated "2024-13-45" is not a date ($IN/audit/date2024-13-45:2)
	1 | xsell-audit -q --max-age 30 --now 2025-01-01 --fail-on error | audit/date10000-01-01 | -
	3 | xsell-audit -q | audit/json-array-line | json-array-line:2: not a JSON object$
	3 | xsell-audit -q | audit/json-string-line | json-string-line:2: .*invalid JSON
	3 | xsell-audit -q | audit/json-deep       | json-deep:2: .*invalid JSON: maximum parsing depth
	3 | xsell-audit -q | audit/json-deep-first | json-deep-first:1: .*invalid JSON: maximum parsing depth
	3 | xsell-audit -q | audit/json-nested     | json-nested:2: key 'subject_id': nested object$
	3 | xsell-audit -q --events | events/num1e999   | num1e999:2: column 'revenue': out of range: "1e999"$
	3 | xsell-audit -q --events | events/numnan     | numnan:2: column 'revenue': not a number: "nan"$
	0 | xsell-audit -q --events | events/num-0      | - | level\tcandidate_id\timpressions\tconversions\tacceptance\tacceptance_low\tacceptance_high\trevenue\tmargin\trevenue_per_impression\tflags\ntotal\t\t1\t1\t1\t0.20654931437723745\t1\t0\t\t0\t\ncandidate\tP1\t1\t1\t1\t0.20654931437723745\t1\t0\t\t0\t
	3 | xsell-audit -q --events | events/num0x10    | num0x10:2: column 'revenue': not a number: "0x10"$
	3 | xsell-audit -q --events | events/nul        | nul:2: NUL byte$
	3 | xsell-audit -q --events | events/json-deep  | json-deep:2: .*invalid JSON: maximum parsing depth
	4 | xsell-audit -q | audit/no-such-file    | no-such-file: No such file or directory$
	EOF
}

# JSON lines out of bytes that are not UTF-8 are still JSON (writer.c writes
# U+FFFD for each bad byte).
@test "every tool: -j output of invalid UTF-8 is valid JSON" {
	local t
	for t in learn score rank; do
		run bash -c "xsell-$t -q -j $IN/$t/bad-utf8 | jq -e . > /dev/null"
		[ "$status" -eq 0 ] || { echo "$t: $output"; return 1; }
	done
	run bash -c "xsell-qualify -q -j --relations $IN/rel.tsv $IN/qualify/bad-utf8 | jq -e . > /dev/null"
	assert_success
	run bash -c "xsell-import -q -j --kind orders $IN/import/good | jq -e . > /dev/null"
	assert_success
	printf 'subject_id\tlinked_id\nP\377\tP\377\n' > self
	run bash -c "xsell-audit -q -j self | jq -e '.check == \"self_link\"'"
	assert_success
}

# No leak and no invalid access under valgrind, on a good input and on
# the error paths (die from a bad row, from bad JSON). Skipped for a
# sanitizer build: valgrind cannot run those.
@test "every tool: no leak under valgrind on good and bad input" {
	command -v valgrind > /dev/null || skip "no valgrind"
	grep -q __asan_init "$ROOT/bin/xsell-score" && skip "sanitizer build"
	local t f args
	for t in import learn qualify score rank audit; do
		case $t in
		import) args="--kind orders" ;;
		qualify) args="--relations $IN/rel.tsv" ;;
		*) args= ;;
		esac
		for f in good nul json-deep; do
			# shellcheck disable=SC2086
			run valgrind -q --leak-check=full --error-exitcode=99 \
			    --errors-for-leak-kinds=definite,indirect \
			    "$ROOT/bin/xsell-$t" -q $args "$IN/$t/$f"
			[ "$status" -ne 99 ] || { echo "$t $f: $output"; return 1; }
		done
	done
}

# The inputs beside the main one (--catalog, --history, ...), empty or
# header only: an empty history once made period_start overflow, an
# empty relations file once leaked its reader.
@test "every tool: empty side inputs" {
	local F=$ROOT/tests/fixtures
	table <<-EOF
	0 | xsell-audit -q                                          | audit/empty | - | check\tseverity\tsubject_id\tlinked_id\tdetail
	0 | xsell-audit -q --catalog $IN/audit/empty                | audit/good  | - | check\tseverity\tsubject_id\tlinked_id\tdetail\nstale_unknown\terror\tP1\tP2\tlinked product not in the catalog ($IN/audit/good:2)\nunknown_subject\twarning\tP1\t\tsubject not in the catalog; 1 link from it, first at $IN/audit/good:2
	0 | xsell-audit -q --orders $IN/learn/empty                 | audit/good  | - | check\tseverity\tsubject_id\tlinked_id\tdetail
	0 | xsell-audit -q --events                                 | events/empty | - | level\tcandidate_id\timpressions\tconversions\tacceptance\tacceptance_low\tacceptance_high\trevenue\tmargin\trevenue_per_impression\tflags\ntotal\t\t0\t0\t\t\t\t0\t\t\t
	3 | xsell-audit -q --experiment --events                    | events/empty | empty: no treatment contexts
	0 | xsell-score -q --catalog $IN/score/empty                | score/good  | - | context_id\tcandidate_id\tpropensity\tscore\texpected_value\nC1\tP1\t1\t0.4\t
	0 | xsell-score -q --weights-file $IN/score/empty           | score/good  | - | context_id\tcandidate_id\tpropensity\tscore\texpected_value\nC1\tP1\t1\t0.4\t
	3 | xsell-score -q --uplift-model $IN/score/empty           | score/good  | empty: empty uplift model$
	0 | xsell-qualify -q --relations $IN/rel.tsv --popular $IN/qualify/empty | qualify/good | - | context_id\tcandidate_id\tsource\ttype\tposition\tsubject_id\tsegment\nP1\tP2\tmanaged\tcross_sell\t\tP1\tx
	0 | xsell-qualify -q --popular $IN/qualify/empty            | qualify/good | - | context_id\tcandidate_id\tsource\ttype\tposition\tsubject_id\tsegment
	0 | xsell-rank -q --history $IN/rank/empty --cap 1 --period day   | rank/good | - | context_id\tcandidate_id\tscore\trank\nC1\tP1\t1\t1
	0 | xsell-rank -q --history $IN/hist-header --cap 1 --period month | rank/good | - | context_id\tcandidate_id\tscore\trank\nC1\tP1\t1\t1
	0 | xsell-qualify -q --relations $IN/qualify/empty          | qualify/good | - | context_id\tcandidate_id\tsource\ttype\tsubject_id\tsegment
	0 | xsell-qualify -q --relations $IN/rel.tsv --catalog $IN/qualify/empty | qualify/good | - | context_id\tcandidate_id\tsource\ttype\tsubject_id\tsegment\nP1\tP2\tmanaged\tcross_sell\tP1\tx
	0 | xsell-qualify -q --relations $IN/rel.tsv --rules $IN/qualify/empty | qualify/good | - | context_id\tcandidate_id\tsource\ttype\tsubject_id\tsegment\nP1\tP2\tmanaged\tcross_sell\tP1\tx
	0 | xsell-learn -q --type upsell --basket order --catalog $IN/learn/empty | learn/good  | - | subject_id\tlinked_id\ttype\tsource\tposition\tcount\tsubject_count\tlinked_count\tbaskets\tsupport\tconfidence\tlift\tprice_ratio\tmargin
	3 | xsell-learn -q --merge                                  | learn/empty | empty: not a count stream
	EOF
}

# The partial sums that xsell-audit --merge and xsell-learn --uplift
# --merge read: a stream without its options row is no stream.
@test "partial sums (--merge): bad input" {
	table <<-'EOF'
	3 | xsell-audit -q --merge --events       | asums/empty          | empty: not partial sums of xsell-audit --counts \(0 options rows, 0 events rows\)$
	3 | xsell-audit -q --merge --events       | asums/header-only    | header-only: not partial sums of xsell-audit --counts
	3 | xsell-audit -q --merge --events       | asums/good           | good: not partial sums of xsell-audit --counts \(0 options rows, 0 events rows\)$
	3 | xsell-audit -q --merge --events       | asums/no-required    | no-required: missing required column 'kind' \(found: foo, bar\)$
	3 | xsell-audit -q --merge --events       | asums/dup-header     | dup-header:1: duplicate column 'kind'$
	3 | xsell-audit -q --merge --events       | asums/nul            | nul:2: NUL byte$
	3 | xsell-audit -q --merge --events       | asums/line-10mb      | line-10mb:2: expected 7 fields, found 1$
	3 | xsell-audit -q --merge --events       | asums/num1e999       | num1e999:2: column 'impressions': not a count: "1e999"$
	3 | xsell-audit -q --merge --events       | asums/numnan         | numnan:2: column 'impressions': not a count: "nan"$
	3 | xsell-audit -q --merge --events       | asums/num0x10        | num0x10:2: column 'impressions': not a count: "0x10"$
	3 | xsell-audit -q --merge --events       | asums/json-nested    | json-nested:2: column 'kind': "\{"a":\[1\]\}" is not options, events or cell$
	3 | xsell-audit -q --merge --events       | events/good          | good: missing required column 'kind'
	3 | xsell-learn -q --uplift --merge       | usums/empty          | empty: not partial sums of xsell-learn --uplift --counts \(no options row\)$
	3 | xsell-learn -q --uplift --merge       | usums/good           | good: not partial sums of xsell-learn --uplift --counts \(no options row\)$
	3 | xsell-learn -q --uplift --merge       | usums/no-required    | no-required: missing required column 'kind' \(found: foo, bar\)$
	3 | xsell-learn -q --uplift --merge       | usums/nul            | nul:2: NUL byte$
	3 | xsell-learn -q --uplift --merge       | usums/num1e999       | num1e999:2: column 'n': not a count: "1e999"$
	3 | xsell-learn -q --uplift --merge       | usums/num-0          | num-0: not partial sums of xsell-learn --uplift --counts
	3 | xsell-learn -q --uplift --merge       | usums/json-array-line | json-array-line:2: not a JSON object$
	3 | xsell-learn -q --uplift --merge       | events/good          | good: missing required column 'kind'
	EOF
}

# CSV quoting and headers that lenient parsing and the old header mapping
# got wrong: a quoted field with text after its closing quote swallowed
# the rows after it; names that collide after normalising gave a
# misleading error.
@test "xsell-import: bad CSV quoting and colliding headers" {
	local d=$IN/import-csv
	mkdir -p "$d"
	printf 'order_id,product_id\nO1,"P1"x\nO2,P2\nO3,"P3\n' > "$d/quote-then-open"
	printf 'order_id,product_id\nO1,"P1" x\nO2,P2\nO3,"P3"\n' > "$d/quote-text"
	printf 'order_id,product_id\nO1,"P1\nO2,P2\nO3,"P3" x\nO4,P4\n' > "$d/quote-swallow"
	printf 'order_id,product_id\nO1,P"1"\nO2,"P\n2"\n' > "$d/quote-mid"
	printf 'order_id,"product"_id\nO1,P1\n' > "$d/header-quote"
	printf 'order_id,product_id,Color,color\nO1,P1,r,b\n' > "$d/collide"
	printf 'order_id,Product ID,product_id\nO1,P1,P2\n' > "$d/collide-canon"
	table <<-'EOF'
	3 | xsell-import -q --kind orders | import-csv/quote-then-open | quote-then-open:4: column 2 'product_id': unterminated quoted field
	1 | xsell-import -q --kind orders | import-csv/quote-text      | ^xsell-import: 1 rejected: column 2 'product_id': text after a closing quote \(first at .*quote-text:2\)$
	1 | xsell-import -q --kind orders | import-csv/quote-swallow   | ^xsell-import: 1 rejected: column 2 'product_id': text after a closing quote \(first at .*quote-swallow:2\)$
	0 | xsell-import -q --kind orders | import-csv/quote-mid       | - | order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO1\tP"1"\t\t\t\t\nO2\tP\\n2\t\t\t\t
	3 | xsell-import -q --kind orders | import-csv/header-quote    | header-quote:1: header: column 2: text after a closing quote$
	3 | xsell-import -q --kind orders | import-csv/collide         | collide: columns 3 'Color' and 4 'color' collide
	3 | xsell-import -q --kind orders | import-csv/collide-canon   | collide-canon: columns 2 'Product ID' and 3 'product_id' collide
	EOF
	run -1 --separate-stderr xsell-import -q --kind orders "$d/quote-text"
	assert_output $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO2\tP2\t\t\t\t\nO3\tP3\t\t\t\t'
	run -1 --separate-stderr xsell-import -q --kind orders "$d/quote-swallow"
	assert_output $'order_id\tproduct_id\tcustomer_id\tquantity\tprice\tts\nO4\tP4\t\t\t\t'
}

@test "every tool: merchant data's control characters in a message are shown escaped" {
	# ESC, BEL and a byte that is not UTF-8 in a value a message quotes: a
	# terminal would act on the first two
	printf 'context_id\tcandidate_id\tscore\nc1\tA\tx\033[31m\a\377\n' > s.tsv
	run -3 --separate-stderr xsell-rank s.tsv
	assert_equal "$stderr" 'xsell-rank: s.tsv:2: column '\''score'\'': not a number: "x\e[31m\a\xff"'
	printf 'order_id\tproduct_id\tquantity\n1\tA\t1\033]0;pwn\a\n' > o.tsv
	run -3 --separate-stderr xsell-learn o.tsv
	assert_equal "$stderr" 'xsell-learn: o.tsv:2: column '\''quantity'\'': not a number: "1\e]0;pwn\a"'
	# a rule's caret line keeps its own line end
	printf 'context_id\tsubject_id\nc1\tA\n' > c.tsv
	printf 'subject_id\tlinked_id\nA\tB\n' > rel.tsv
	run -3 --separate-stderr xsell-qualify --relations rel.tsv -r 'candidate.x > 1' c.tsv
	[ "${#lines[@]}" -eq 0 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -ge 2 ]
}
