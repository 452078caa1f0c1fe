#!/usr/bin/env bats
# xsell-score: factors, weights, the formula, uplift, explanations.

load helper

S=$FIX/score

DYADIC=P=0.5,R=0.25,I=0.125,E=0.125

@test "--help prints the usage and exits 0" {
	run xsell-score --help
	assert_success
	assert_line --index 0 --partial 'usage: xsell-score [--weights P=0.4,R=0.2,I=0.3,E=0.1]'
}

@test "--version prints the version" {
	run xsell-score --version
	assert_success
	assert_output --regexp '^xsell-score [0-9]+\.[0-9]+\.[0-9]+$'
}

# P1/P2: P = conf 0.5; R = 3/(1+3) = 0.75; I = margin 20 / largest 40 =
# 0.5; E = managed, position 1 -> 1.
# 0.5*0.5 + 0.25*0.75 + 0.125*0.5 + 0.125*1 = 0.25+0.1875+0.0625+0.125
@test "formula: weighted factors, worked by hand" {
	run bash -o pipefail -c "xsell-score --weights $DYADIC --catalog $S/catalog.tsv $S/cands.tsv | pick context_id candidate_id score"
	assert_success
	# P1/P3: .5*.25 + .25*(1/2) + .125*(40/40) + .125*0 (learned: no E)
	# P1/P4: .5*.75 + .25*(15/16) + .125*(5/40) + .125*(1/4)
	# P5/P2: .5*.125 + .25*(7/8) + .125*(20/20) + 0: P5's largest is 20
	assert_output "P1 P2 0.625
P1 P3 0.375
P1 P4 0.65625
P5 P2 0.40625"
}

@test "default weights are P=0.4,R=0.2,I=0.3,E=0.1" {
	run bash -o pipefail -c "xsell-score --catalog $S/catalog.tsv $S/cands.tsv | pick candidate_id score expected_value"
	assert_success
	# .4*.5+.2*.75+.3*.5+.1*1; .4*.25+.2*.5+.3*1; .4*.75+.2*.9375+.3*.125
	# +.1*.25; .4*.125+.2*.875+.3*1. expected_value = P x margin.
	assert_output "P2 0.6 10
P3 0.5 10
P4 0.55 3.75
P2 0.525 2.5"
}

@test "every input column passes through; a score column is replaced where it stands" {
	printf 'score\tcontext_id\tcandidate_id\tconfidence\tnote\n9\tA\tx\t0.5\tkeep me\n' > in.tsv
	run xsell-score --weights P=1,R=0,I=0,E=0 in.tsv
	assert_success
	assert_output "$(printf 'score\tcontext_id\tcandidate_id\tconfidence\tnote\texpected_value\n0.5\tA\tx\t0.5\tkeep me\t\n')"
}

@test "propensity, relevance and emphasis columns win over confidence, lift and position" {
	printf 'context_id\tcandidate_id\tsource\tpropensity\tconfidence\trelevance\tlift\temphasis\tposition\n' > in.tsv
	printf 'A\tx\tmanaged\t0.25\t0.9\t0.5\t99\t0.75\t1\n' >> in.tsv
	printf 'A\ty\tmanaged\t\t0.9\t\t1\t\t2\n' >> in.tsv
	run bash -o pipefail -c "xsell-score --explain --weights P=0.25,R=0.25,I=0.25,E=0.25 in.tsv | pick candidate_id p_input p_value r_input r_value e_input e_value score"
	assert_success
	assert_output "x propensity 0.25 relevance 0.5 emphasis 0.75 0.375
y confidence 0.9 lift 0.5 position 0.5 0.475"
}

@test "normalisation clamps to [0, 1]; lift <= 0 and position <= 1 have fixed values" {
	printf 'context_id\tcandidate_id\tsource\tpropensity\tlift\tposition\timpact\n' > in.tsv
	printf 'A\tx\tmanaged\t1.5\t-2\t0.5\t-1\n' >> in.tsv
	printf 'A\ty\tlearned\t-0.5\t0\t3\t7\n' >> in.tsv
	run bash -o pipefail -c "xsell-score --explain in.tsv | pick candidate_id p_value r_value i_value e_input e_value"
	assert_success
	# y is learned: its position is not emphasis.
	assert_output "x 1 0 0 position 1
y 0 0 1  0"
}

@test "impact: margin scaled by the largest margin of the same context" {
	run bash -o pipefail -c "xsell-score --explain --catalog $S/catalog.tsv $S/cands.tsv | pick context_id candidate_id i_input i_raw i_value"
	assert_success
	assert_output "P1 P2 margin 20 0.5
P1 P3 margin 40 1
P1 P4 margin 5 0.125
P5 P2 margin 20 1"
}

@test "impact of an offer is business_value / 100, from the row or --offers" {
	run bash -o pipefail -c "xsell-score --explain --offers $S/offers.tsv $S/offer-cands.tsv | pick candidate_id i_input i_raw i_value expected_value"
	assert_success
	# savings has its own 25 and 50 (the file's 10 and 40 do not apply);
	# card takes 50 and 200 from the file. expected_value = P x revenue_value.
	assert_output "savings business_value 25 0.25 25
card business_value 50 0.5 75
mortgage business_value 75 0.75 125"
}

@test "a candidate with no factor input scores 0" {
	printf 'context_id\tcandidate_id\nA\tx\n' > in.tsv
	run bash -o pipefail -c "xsell-score --explain in.tsv | pick candidate_id score p_input p_raw expected_value"
	assert_success
	assert_output "x 0   "
}

@test "weights: table of bad values, exit 2 with the reason" {
	while IFS='|' read -r want weights msg; do
		run xsell-score --weights "$weights" /dev/null
		[ "$status" -eq "$want" ] || { echo "$weights: status $status"; return 1; }
		[ "$output" = "xsell-score: option --weights: $msg" ] ||
		    { echo "$weights: $output"; return 1; }
	done <<'EOF'
2|P=0.4,R=0.2,I=0.3,E=0.2|weights sum to 1.1, not 1
2|P=0.4,R=0.2,I=0.2,E=0.1|weights sum to 0.9, not 1
2|P=0.5,R=0.2,I=0.3|E is missing (name P, R, I and E)
2|P=0.4,R=0.2,I=0.3,E=0.1,P=0|P given twice
2|P=0.4,R=0.2,I=0.3,X=0.1|"X=0.1" is not P=, R=, I= or E= with a number
2|P=1.5,R=-0.5,I=0,E=0|P: 1.5 is not in [0, 1]
2|P=abc,R=0.2,I=0.3,E=0.1|P: not a number: "abc"
2|P=0.5,R=0.25,I=0.125,E=0.125000002|weights sum to 1.000000002, not 1
EOF
}

@test "weights summing to 1 within 1e-9 are accepted" {
	printf 'context_id\tcandidate_id\tconfidence\nA\tx\t1\n' > in.tsv
	run bash -o pipefail -c "xsell-score --weights P=0.7000000005,R=0.1,I=0.1,E=0.1 in.tsv | pick score"
	assert_success
	assert_output "0.7000000005"
	run xsell-score --weights p=0.25,r=0.25,i=0.25,e=0.25 in.tsv
	assert_success
}

# Every factor 1: the weighted mean is 1, but 0.33 + 0.56 + 0.11 adds to
# 1.0000000000000002 in doubles and weights within 1e-9 of 1 went past it.
@test "the score stays in [0, 1]: rounding of the weights cannot take it past 1" {
	printf 'context_id\tcandidate_id\tpropensity\trelevance\timpact\temphasis\nA\tx\t1\t1\t1\t1\n' > in.tsv
	while IFS='|' read -r weights want; do
		run bash -o pipefail -c "xsell-score --weights $weights --explain in.tsv | pick score p_contribution r_contribution i_contribution e_contribution"
		[ "$status" -eq 0 ] && [ "$output" = "$want" ] ||
		    { echo "$weights: status $status: $output, want $want"; return 1; }
	done <<'EOF'
P=0,R=0.33,I=0.56,E=0.11|1 0 0.33 0.56 0.10999999999999988
P=0.01,R=0.33,I=0.56,E=0.1|1 0.01 0.33 0.56 0.09999999999999987
P=0.7000000005,R=0.1,I=0.1,E=0.1|1 0.7000000005 0.1 0.1 0.09999999950000005
P=0.6,R=0.4000000005,I=0.0000000004,E=0|1 0.6 0.4 0 0
EOF
}

@test "--uplift-weight must be in [0, 2]" {
	run xsell-score --uplift-weight 2.5 /dev/null
	assert_failure 2
	assert_output "xsell-score: option --uplift-weight: 2.5 is not in [0, 2]"
	run xsell-score --uplift-weight -1 /dev/null
	assert_failure 2
}

@test "per-channel weights: the channel's row, else '*', with a warning naming the channel" {
	run bash -o pipefail -c "xsell-score --catalog $S/catalog.tsv --weights-file $S/weights.tsv --explain $S/cands.tsv | pick candidate_id channel p_weight score"
	assert_success
	# web: 0.5/0.25/0.125/0.125 as worked above; email has no row: '*'
	# = 0.25 each: .25 * (.75 + .9375 + .125 + .25)
	assert_output "xsell-score: $S/weights.tsv: no row for channel 'email': its candidates take the '*' row
P2 web 0.5 0.625
P3 web 0.5 0.375
P4 email 0.25 0.515625
P2 web 0.5 0.40625"
}

@test "per-channel weights: without a '*' row, --weights applies" {
	head -2 $S/weights.tsv > w.tsv
	run bash -o pipefail -c "xsell-score --catalog $S/catalog.tsv --weights-file w.tsv --weights P=1,R=0,I=0,E=0 $S/cands.tsv | pick channel score"
	assert_success
	assert_output "xsell-score: w.tsv: no row for channel 'email': its candidates take --weights
web 0.625
web 0.375
email 0.75
web 0.40625"
}

@test "per-channel weights: U column, empty means --uplift-weight" {
	printf 'context_id\tcandidate_id\tconfidence\tuplift\tchannel\nA\tx\t0.5\t0.5\tweb\nA\ty\t0.5\t0.5\temail\n' > in.tsv
	run bash -o pipefail -c "xsell-score --weights-file $S/weights.tsv --uplift-weight 2 in.tsv | pick channel score"
	assert_success
	# web: 0.5*0.5 = 0.25, U = 2 from the option: x (1 + 2*0.5) = 0.5.
	# email, '*' row: 0.25*0.5 = 0.125, U = 1: x 1.5 = 0.1875.
	assert_output "xsell-score: $S/weights.tsv: no row for channel 'email': its candidates take the '*' row
web 0.5
email 0.1875"
}

@test "per-channel weights: a channel without a row is said once by name; a list is said to be one" {
	printf 'context_id\tcandidate_id\tconfidence\tchannel\nA\tx\t0.5\tin_app\nA\ty\t0.5\temail,in_app\nB\tx\t0.5\tin_app\nB\ty\t0.5\t\nB\tz\t0.5\tweb\n' > in.tsv
	xsell-score --weights-file $S/weights.tsv in.tsv > out.tsv 2> err
	run cat err
	assert_output "xsell-score: $S/weights.tsv: no row for channel 'in_app': its candidates take the '*' row
xsell-score: $S/weights.tsv: no row for channel 'email,in_app' (a list: xsell-qualify makes one placement per channel): its candidates take the '*' row"
	run pick candidate_id channel score < out.tsv
	assert_output "x in_app 0.125
y email,in_app 0.125
x in_app 0.125
y  0.125
z web 0.25"
}

# The repeated-id policy of every side file (lib/catalog.h, xsell(7)).
@test "a repeated product_id or offer_id is exit 3, naming both lines" {
	printf 'product_id\tprice\tcost\nP1\t10\t4\nP2\t5\t1\nP1\t10\t4\n' > cat.tsv
	run xsell-score --catalog cat.tsv $S/cands.tsv
	assert_failure 3
	assert_output "xsell-score: cat.tsv:4: product_id 'P1' given twice (first at line 2)"
	printf 'offer_id\tbusiness_value\nO1\t10\nO2\t20\nO3\t30\nO2\t5\n' > off.tsv
	run xsell-score --offers off.tsv $S/cands.tsv
	assert_failure 3
	assert_output "xsell-score: off.tsv:5: offer_id 'O2' given twice (first at line 3)"
}

@test "a weights file row that does not sum to 1 is exit 3 naming the line" {
	printf 'channel\tP\tR\tI\tE\nweb\t0.5\t0.5\t0.5\t0\n' > w.tsv
	run xsell-score --weights-file w.tsv /dev/null
	assert_failure 3
	assert_output "xsell-score: w.tsv:2: weights sum to 1.5, not 1"
	printf 'channel\tP\tR\tI\tE\nweb\t1\t0\t0\t0\nweb\t1\t0\t0\t0\n' > w.tsv
	run xsell-score --weights-file w.tsv /dev/null
	assert_failure 3
	assert_output "xsell-score: w.tsv:3: channel 'web' given twice"
	printf 'channel\tP\tR\tI\n' > w.tsv
	run xsell-score --weights-file w.tsv /dev/null
	assert_failure 3
	assert_output --partial "missing required column 'E'"
}

# savings: u = 0/0.1 (the largest |CATE| is card's premium segment, 0.1)
# base .5*.5 + .125*.25 = .28125, kept.  card: u = .05/.1 = .5,
# base .5*.375 + .125*.5 = .25, x 1.5 = .375.  mortgage: u = -.25,
# base .5*.125 + .125*.75 = .15625, x .75 = .1171875.
@test "uplift: persuadables rise, sure things stay, sleeping dogs sink" {
	run bash -o pipefail -c "xsell-score --weights $DYADIC --offers $S/offers.tsv --uplift-model $S/model.tsv --uplift-weight 1 $S/offer-cands.tsv | pick candidate_id score incremental_value"
	assert_success
	# incremental_value = CATE x revenue_value: 0 x 50, .05 x 200, -.025 x 1000
	assert_output "savings 0.28125 0
card 0.375 10
mortgage 0.1171875 -25"
	run bash -o pipefail -c "xsell-score --weights $DYADIC --offers $S/offers.tsv --uplift-model $S/model.tsv $S/offer-cands.tsv | pick candidate_id score"
	assert_output "savings 0.28125
card 0.25
mortgage 0.15625"
}

@test "uplift: the multiplier stops at 0" {
	printf 'context_id\tcandidate_id\tconfidence\tuplift\nA\tx\t0.5\t-1\nA\ty\t0.5\t-0.25\n' > in.tsv
	run bash -o pipefail -c "xsell-score --uplift-weight 2 --explain in.tsv | pick candidate_id score u_value u_contribution"
	assert_success
	# x: max(0, 1 - 2) = 0; y: 0.2 x (1 - 0.5) = 0.1, cU = 0.1 - 0.2
	assert_output "x 0 -1 -0.2
y 0.1 -0.25 -0.1"
}

@test "uplift model: segment rows are not joined; a missing candidate falls back to the uplift column" {
	printf 'context_id\tcandidate_id\tconfidence\tuplift\nA\tcard\t1\t\nA\tother\t1\t0.5\n' > in.tsv
	run bash -o pipefail -c "xsell-score --explain --uplift-weight 1 --uplift-model $S/model.tsv in.tsv | pick candidate_id u_input u_raw u_value"
	assert_success
	assert_output "card model 0.05 0.5
other uplift 0.5 0.5"
}

@test "uplift model: two candidate-level rows for one candidate is exit 3" {
	{ cat $S/model.tsv; printf 'savings\t*\t1\t1\t0\t0\t0.01\t0\t0\t0\tx\n'; } > m.tsv
	run xsell-score --uplift-model m.tsv /dev/null
	assert_failure 3
	assert_output "xsell-score: m.tsv:6: candidate 'savings' has two candidate-level rows"
}

@test "--propensity-model: P is the candidate's treated rate in the context's segment, so expected value is not 0" {
	printf 'context_id\tcandidate_id\tsource\tconfidence\tpropensity\ttier\nC1\tsavings\toffer\t\t\tpremium\nC1\tcard\toffer\t\t\tpremium\nC1\tmortgage\toffer\t\t\tbasic\nC1\tloan\toffer\t0.4\t\tbasic\nC1\tgift\toffer\t\t0.9\tbasic\n' > in.tsv
	run bash -o pipefail -c "xsell-score --offers $S/offers.tsv --explain in.tsv | pick candidate_id p_input expected_value"
	assert_success
	assert_output "savings  0
card  0
mortgage  0
loan confidence 
gift propensity "
	# savings: base .3 + cate 0; card premium .3 - .1 (its segment's
	# row); mortgage basic: no such segment, the candidate's row .075 -
	# .025; loan is not in the model: its confidence; gift's own column.
	run bash -o pipefail -c "xsell-score --offers $S/offers.tsv --propensity-model $S/model.tsv --explain in.tsv | pick candidate_id p_input p_raw expected_value"
	assert_success
	assert_output "savings treated_rate 0.3 12
card treated_rate 0.2 40
mortgage treated_rate 0.05 45
loan confidence 0.4 
gift propensity 0.9 "
	# With the uplift model too (the same file): P from the rate, U
	# from the effect.
	run bash -o pipefail -c "xsell-score --offers $S/offers.tsv --propensity-model $S/model.tsv --uplift-model $S/model.tsv --uplift-weight 1 --explain in.tsv | pick candidate_id p_raw u_raw incremental_value"
	assert_output "savings 0.3 0 0
card 0.2 -0.1 -20
mortgage 0.05 -0.025 -22.5
loan 0.4  
gift 0.9  "
}

@test "--propensity-model: a model whose rates are not in [0, 1] (revenue) is exit 3" {
	printf 'candidate_id\tn_t\tn_c\trate_t\trate_c\tcate\tbase_rate\nsavings\t10\t10\t30.5\t20\t10.5\t20\n' > rev.tsv
	run xsell-score --propensity-model rev.tsv $S/offer-cands.tsv
	assert_failure 3
	assert_output "xsell-score: rev.tsv:2: base_rate is 20, not a rate in [0, 1] (--propensity-model needs a model of conversions: xsell-learn --uplift --outcome converted)"
	run xsell-score --uplift-model rev.tsv $S/offer-cands.tsv
	assert_success
}

@test "explain: columns for each part" {
	run bash -o pipefail -c "xsell-score --weights $DYADIC --catalog $S/catalog.tsv --explain $S/cands.tsv | head -2"
	assert_success
	assert_line --index 0 "$(printf 'context_id\tcandidate_id\tsource\ttype\tposition\tconfidence\tlift\tchannel\tscore\texpected_value\tp_input\tp_raw\tp_value\tp_weight\tp_contribution\tr_input\tr_raw\tr_value\tr_weight\tr_contribution\ti_input\ti_raw\ti_value\ti_weight\ti_contribution\te_input\te_raw\te_value\te_weight\te_contribution\tu_input\tu_raw\tu_value\tu_weight\tu_contribution')"
	assert_line --index 1 "$(printf 'P1\tP2\tmanaged\tcross_sell\t1\t0.5\t3\tweb\t0.625\t10\tconfidence\t0.5\t0.5\t0.5\t0.25\tlift\t3\t0.75\t0.25\t0.1875\tmargin\t20\t0.5\t0.125\t0.0625\tposition\t1\t1\t0.125\t0.125\t\t\t0\t0\t0')"
}

@test "explain: a JSON object with --json" {
	run bash -o pipefail -c "xsell-score --weights $DYADIC --catalog $S/catalog.tsv --explain -j $S/cands.tsv | head -1"
	assert_success
	echo "$output" | jq -e '.score == 0.625 and .explain.P == {"input":"confidence","raw":0.5,"value":0.5,"weight":0.5,"contribution":0.25} and .explain.I.input == "margin" and .explain.U.input == null and (.explain | keys) == ["E","I","P","R","U"]'
}

@test "explain: the printed contributions add up to the printed score exactly" {
	awk 'BEGIN { srand(42); print "context_id\tcandidate_id\tsource\tconfidence\tlift\tposition\timpact\tuplift"
		for (i = 0; i < 3000; i++)
			printf "c%d\tx%d\t%s\t%.6f\t%.4f\t%d\t%.5f\t%.3f\n", i % 97, i,
			    (i % 3 ? "managed" : "learned"), rand(), rand() * 5,
			    1 + int(rand() * 6), rand() * 1.2, rand() * 2 - 1 }' > in.tsv
	xsell-score --weights P=0.37,R=0.21,I=0.29,E=0.13 --uplift-weight 1.3 --explain -j in.tsv > out.json
	[ "$(wc -l < out.json)" -eq 3000 ]
	# jq adds doubles left to right, in the documented order P, R, I, E, U.
	run jq -s '[.[] | select(.explain as $x | ($x.P.contribution + $x.R.contribution + $x.I.contribution + $x.E.contribution + $x.U.contribution) != .score)] | length' out.json
	assert_output 0
	# The same in awk from the TSV columns, as text -> double.
	xsell-score --weights P=0.37,R=0.21,I=0.29,E=0.13 --uplift-weight 1.3 --explain in.tsv |
	    pick score p_contribution r_contribution i_contribution e_contribution u_contribution > sums.txt
	run awk '{ s = $2; s += $3; s += $4; s += $5; s += $6; if (s != $1 + 0) bad++ } END { print bad + 0, NR }' sums.txt
	assert_output "0 3000"
}

@test "JSON lines in, JSON lines out" {
	printf '{"context_id":"A","candidate_id":"x","confidence":0.5,"items":["a","b"]}\n' > in.json
	run xsell-score -j --weights P=1,R=0,I=0,E=0 in.json
	assert_success
	assert_output '{"context_id":"A","candidate_id":"x","confidence":0.5,"items":["a","b"],"score":0.5,"expected_value":null}'
}

@test "an ungrouped file with --catalog is scored as if grouped; on a pipe it is exit 3" {
	{ head -1 $S/cands.tsv; sed -n 2p $S/cands.tsv; sed -n 5p $S/cands.tsv; sed -n '3,4p' $S/cands.tsv; } > in.tsv
	run bash -o pipefail -c "xsell-score --catalog $S/catalog.tsv in.tsv | pick context_id candidate_id score"
	assert_success
	assert_output "P1 P2 0.6
P5 P2 0.525
P1 P3 0.5
P1 P4 0.55"
	run bash -c "cat in.tsv | xsell-score --catalog $S/catalog.tsv"
	assert_failure 3
	assert_output --partial "xsell-score: <stdin>:4: input not grouped by context_id: 'P1' seen again after its rows ended (sort by it, or use --buffer)"
	run bash -o pipefail -c "cat in.tsv | xsell-score --buffer --catalog $S/catalog.tsv | pick context_id candidate_id score"
	assert_success
	assert_output "P1 P2 0.6
P5 P2 0.525
P1 P3 0.5
P1 P4 0.55"
}

@test "without --catalog rows stream in any order" {
	{ head -1 $S/cands.tsv; sed -n 2p $S/cands.tsv; sed -n 5p $S/cands.tsv; sed -n 3p $S/cands.tsv; } > in.tsv
	run xsell-score in.tsv
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 4
}

@test "errors: table of exit statuses and messages" {
	printf 'context_id\tcandidate_id\tconfidence\nA\tx\thigh\n' > bad.tsv
	printf 'context_id\tconfidence\nA\t1\n' > nocand.tsv
	printf 'candidate_id\tconfidence\nx\t1\n' > noctx.tsv
	while IFS='|' read -r want args msg; do
		run bash -o pipefail -c "xsell-score $args"
		[ "$status" -eq "$want" ] || { echo "$args: status $status: $output"; return 1; }
		case "$output" in
		*"$msg"*) ;;
		*) echo "$args: $output"; return 1 ;;
		esac
	done <<EOF
3|bad.tsv|xsell-score: bad.tsv:2: column 'confidence': not a number: "high"
3|nocand.tsv|xsell-score: nocand.tsv: missing required column 'candidate_id' (found: context_id, confidence)
3|--catalog $S/catalog.tsv noctx.tsv|missing required column 'context_id'
4|missing.tsv|xsell-score: missing.tsv: No such file or directory
4|--catalog missing.tsv nocand.tsv|xsell-score: missing.tsv: No such file or directory
2|--frobnicate|usage: xsell-score
EOF
}

@test "empty input writes nothing; a header alone writes the header" {
	run xsell-score /dev/null
	assert_success
	assert_output ""
	printf 'context_id\tcandidate_id\n' > h.tsv
	run xsell-score h.tsv
	assert_success
	assert_output "$(printf 'context_id\tcandidate_id\tscore\texpected_value')"
}

@test "-o writes the file atomically and nothing on stdout" {
	run xsell-score -o out.tsv --catalog $S/catalog.tsv $S/cands.tsv
	assert_success
	assert_output ""
	[ "$(wc -l < out.tsv)" -eq 5 ]
	[ -z "$(ls | grep tmp)" ]
}

@test "-v counts rows and contexts, and where each part came from" {
	run xsell-score -v --catalog $S/catalog.tsv $S/cands.tsv -o out.tsv
	assert_success
	assert_output "xsell-score: scored 4 rows in 2 contexts
xsell-score: P: 4 from confidence
xsell-score: R: 4 from lift
xsell-score: I: 4 from margin (4 with --catalog's price and cost)
xsell-score: E: 2 from position, 2 without
xsell-score: U: 4 without"
}

@test "margin from the row's own price and cost, without or before --catalog" {
	printf 'context_id\tcandidate_id\tsource\tconfidence\tprice\tcost\nA\tP2\tlearned\t0.5\t50\t30\nA\tP3\tlearned\t0.5\t100\t\nA\tP4\tlearned\t0.5\t\t\nA\tP9\tlearned\t0.5\t10\t2\n' > in.tsv
	# Without a catalog: P2 and P9 have both; P2's 20 is the best.
	run bash -o pipefail -c "xsell-score --explain in.tsv | pick candidate_id i_input i_raw i_value score expected_value"
	assert_success
	assert_output "P2 margin 20 1 0.5 10
P3   0 0.2 
P4   0 0.2 
P9 margin 8 0.4 0.32 4"
	# With it: the row first, the catalog for what the row lacks (P3's
	# cost 60, P4's price 20 and cost 15); P9 is not in the catalog.
	run bash -o pipefail -c "xsell-score -v --catalog $S/catalog.tsv --explain in.tsv 2> err | pick candidate_id i_raw i_value expected_value"
	assert_output "P2 20 0.5 10
P3 40 1 20
P4 5 0.125 2.5
P9 8 0.2 4"
	run grep "I:" err
	assert_output "xsell-score: I: 4 from margin (2 with the row's price and cost, 1 with --catalog's price and cost, 1 with the row's price or cost and --catalog's)"
	# The row's price wins over the catalog's.
	printf 'context_id\tcandidate_id\tprice\tcost\nA\tP2\t80\t30\nA\tP3\t\t\n' > in.tsv
	run bash -o pipefail -c "xsell-score --catalog $S/catalog.tsv --explain in.tsv | pick candidate_id i_raw i_value"
	assert_output "P2 50 1
P3 40 0.8"
	# A margin compares the candidates of one context: context_id needed.
	printf 'candidate_id\tprice\tcost\nP2\t80\t30\n' > noctx.tsv
	run xsell-score noctx.tsv
	assert_failure 3
	assert_output "xsell-score: noctx.tsv: missing required column 'context_id' (found: candidate_id, price, cost)"
}
