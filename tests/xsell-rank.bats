#!/usr/bin/env bats
# xsell-rank: top N per context, fallbacks, back-fill, diversity,
# placements, holdout, caps.

load helper
bats_require_minimum_version 1.5.0

R=$FIX/rank

@test "--help prints the usage and exits 0" {
	run xsell-rank --help
	assert_success
	assert_line --index 0 --partial 'usage: xsell-rank [--top N] [--by COLUMN]'
}

@test "top 5 by score, a candidate from two sources once, rank appended" {
	run xsell-rank $R/page.tsv
	assert_success
	# A comes from learned (0.8) and managed (0.5): kept at 0.8.
	assert_output "$(printf 'context_id\tsubject_id\tcandidate_id\tsource\tcategory\tscore\trank
P1\tP1\tB\tlearned\tlamp\t0.9\t1
P1\tP1\tA\tlearned\tlamp\t0.8\t2
P1\tP1\tD\tlearned\tdesk\t0.7\t3
P1\tP1\tE\tlearned\trug\t0.6\t4
P1\tP1\tC\tmanaged\tdesk\t0.5\t5
P9\tP9\tB\tlearned\tlamp\t0.4\t1')"
}

@test "--top N" {
	run bash -o pipefail -c "xsell-rank --top 2 $R/page.tsv | pick context_id candidate_id rank"
	assert_success
	assert_output "P1 B 1
P1 A 2
P9 B 1"
}

@test "ties break on candidate id in byte order; a missing score comes last" {
	printf 'context_id\tcandidate_id\tscore\nA\tx9\t0.5\nA\tnone\t\nA\tx10\t0.5\nA\tX2\t0.5\nA\ta\t0.1\n' > in.tsv
	run bash -o pipefail -c "xsell-rank in.tsv | pick candidate_id rank"
	assert_success
	assert_output "X2 1
x10 2
x9 3
a 4
none 5"
	# Any input order gives the same list.
	{ head -1 in.tsv; tail -n +2 in.tsv | sort -r; } > rev.tsv
	run bash -o pipefail -c "xsell-rank rev.tsv | pick candidate_id rank"
	assert_output "X2 1
x10 2
x9 3
a 4
none 5"
}

@test "--by groups by another column" {
	printf 'customer_id\tcontext_id\tcandidate_id\tscore\nU1\tP1\ta\t0.1\nU1\tP2\tb\t0.3\nU1\tP3\ta\t0.2\nU2\tP1\tc\t0.1\n' > in.tsv
	run bash -o pipefail -c "xsell-rank --by customer_id in.tsv | pick customer_id candidate_id score rank"
	assert_success
	assert_output "U1 b 0.3 1
U1 a 0.2 2
U2 c 0.1 1"
}

@test "--fallback managed,learned: curated first, learned fills the rest" {
	run bash -o pipefail -c "xsell-rank --fallback managed,learned $R/page.tsv | pick context_id candidate_id source score rank"
	assert_success
	# A is managed (0.5) and learned (0.8): the managed row ranks better.
	assert_output "P1 A managed 0.5 1
P1 C managed 0.5 2
P1 F managed 0.2 3
P1 B learned 0.9 4
P1 D learned 0.7 5
P9 B learned 0.4 1"
}

@test "--fallback learned,managed: the reverse" {
	run bash -o pipefail -c "xsell-rank --fallback learned,managed $R/page.tsv | pick context_id candidate_id source rank"
	assert_success
	assert_output "P1 B learned 1
P1 A learned 2
P1 D learned 3
P1 E learned 4
P1 C managed 5
P9 B learned 1"
}

@test "--fallback never pads with sources it does not name" {
	run bash -o pipefail -c "xsell-rank --fallback managed $R/page.tsv | pick context_id candidate_id rank"
	assert_success
	# P9 has only a learned candidate: it gets nothing.
	assert_output "P1 A 1
P1 C 2
P1 F 3"
}

@test "--keep-order managed: curated positions in order, in the slots curated links earned" {
	printf 'context_id\tchannel\tcandidate_id\tsource\tposition\tscore
P1\tweb\ta\tmanaged\t2\t0.9
P1\tweb\tb\tmanaged\t1\t0.3
P1\tweb\tc\tlearned\t1\t0.8
P1\tweb\td\tmanaged\t3\t0.95
P1\tweb\te\tmanaged\t\t0.99
P1\tweb\tf\tpopular\t1\t0.1
P1\tweb\tg\tpopular\t2\t0.5
P1\temail\ta\tmanaged\t2\t0.2
P1\temail\tb\tmanaged\t1\t0.1
' > in.tsv
	# By score: e d a c g b f. Curated links hold slots 1, 2, 3 and 6
	# there; position 1 (b) takes the first, a missing position the last.
	run bash -o pipefail -c "xsell-rank --top 7 --per channel --keep-order managed in.tsv | pick channel candidate_id rank | tr '\n' ' '"
	assert_success
	assert_output "web b 1 web a 2 web d 3 web c 4 web g 5 web e 6 web f 7 email b 1 email a 2 "
	# A short list shows position 1, however it scored.
	run bash -o pipefail -c "xsell-rank --top 2 --per channel --keep-order managed in.tsv | pick channel candidate_id rank | tr '\n' ' '"
	assert_output "web b 1 web a 2 email b 1 email a 2 "
	# With a fallback chain, each kept source is in its own order.
	run bash -o pipefail -c "xsell-rank --top 7 --per channel --fallback managed,learned,popular --keep-order managed,popular in.tsv | pick channel candidate_id rank | tr '\n' ' '"
	assert_output "web b 1 web a 2 web d 3 web e 4 web c 5 web f 6 web g 7 email b 1 email a 2 "
	run bash -o pipefail -c "xsell-rank --top 7 --per channel in.tsv | pick channel candidate_id rank | tr '\n' ' '"
	assert_output "web e 1 web d 2 web a 3 web c 4 web g 5 web b 6 web f 7 email a 1 email b 2 "
}

@test "--keep-order: needs source and position columns; a source once" {
	printf 'context_id\tcandidate_id\tsource\tscore\nA\tx\tmanaged\t1\n' > nopos.tsv
	run xsell-rank --keep-order managed nopos.tsv
	assert_failure 3
	assert_output "xsell-rank: nopos.tsv: missing required column 'position' (found: context_id, candidate_id, source, score)"
	run xsell-rank --keep-order managed,managed nopos.tsv
	assert_failure 2
	assert_output "xsell-rank: option --keep-order: 'managed' given twice"
	run xsell-rank --keep-order , nopos.tsv
	assert_failure 2
	assert_output "xsell-rank: option --keep-order: no source named"
}

@test "--popular is gone: exit 2 pointing to xsell-qualify --popular; nothing is written" {
	run xsell-rank --top 4 --popular $R/popular.tsv -o out.tsv $R/cart.tsv
	assert_failure 2
	assert_output "xsell-rank: option --popular is gone: best sellers are a source of xsell-qualify (--popular FILE), ranked with --fallback ...,popular"
	[ ! -e out.tsv ]
}

@test "back-fill: best sellers come from qualify, and only those that qualified are shown" {
	Q=$FIX/qualify
	# The page of P1 (in stock, active): curated P2, P3 (out of stock),
	# P6 (discontinued), learned P5, P2; best sellers P6, P3, P1 (the page
	# itself), P9, P5, P4; a rule keeps budget bags away.
	printf 'product_id\tscore\nP6\t90\nP3\t80\nP1\t70\nP9\t60\nP5\t50\nP4\t40\n' > pop.tsv
	printf 'context_id\tsubject_id\nv1\tP1\n' > ctx.tsv
	run bash -o pipefail -c "xsell-qualify --relations $Q/managed.tsv --relations $Q/learned.tsv \
	    --popular pop.tsv --catalog $Q/catalog.tsv --in-stock --type cross_sell \
	    -r '!(candidate.tier == \"budget\" && candidate.category == \"accessories\" && candidate.price > 20)' ctx.tsv |
	    xsell-score --catalog $Q/catalog.tsv |
	    xsell-rank --top 4 --fallback managed,learned,popular | pick context_id candidate_id source rank"
	assert_success
	# P2 curated; P5 learned; back-fill: P9 (P6 discontinued, P3 out of
	# stock, P1 the page, P5 shown, P4 dropped by the rule).
	assert_output "v1 P2 managed 1
v1 P5 learned 2
v1 P9 popular 3"
}

@test "--max-per-category K: diversity, from the category column" {
	run bash -o pipefail -c "xsell-rank --max-per-category 1 $R/page.tsv | pick context_id candidate_id category rank"
	assert_success
	assert_output "P1 B lamp 1
P1 D desk 2
P1 E rug 3
P9 B lamp 1"
	run bash -o pipefail -c "xsell-rank --max-per-category 2 --fallback managed,learned $R/page.tsv | pick candidate_id category rank"
	assert_output "A lamp 1
C desk 2
F rug 3
B lamp 4
D desk 5
B lamp 1"
}

# The repeated-id policy of every side file (lib/catalog.h, xsell(7)).
@test "a repeated product_id in --catalog is exit 3, naming both lines" {
	printf 'product_id\tcategory\nA\tlamp\nB\tdesk\nA\trug\n' > cat.tsv
	run xsell-rank --max-per-category 1 --catalog cat.tsv $R/page.tsv
	assert_failure 3
	assert_output "xsell-rank: cat.tsv:4: product_id 'A' given twice (first at line 2)"
}

@test "--max-per-category: categories from --catalog" {
	cut -f1,3,4,6 $R/page.tsv > nocat.tsv
	run bash -o pipefail -c "xsell-rank --max-per-category 1 --catalog $R/catalog.tsv nocat.tsv | pick context_id candidate_id source rank"
	assert_success
	# P1: B (lamp), then A, a lamp too, is left out; C, D, E, F have no
	# catalog category: not limited.
	assert_output "P1 B learned 1
P1 D learned 2
P1 E learned 3
P1 C managed 4
P1 F managed 5
P9 B learned 1"
}

@test "--max-per-category without any category is exit 2" {
	printf 'context_id\tcandidate_id\tscore\nA\tx\t1\n' > in.tsv
	run xsell-rank --max-per-category 1 in.tsv
	assert_failure 2
	assert_output "xsell-rank: option --max-per-category needs a category column or --catalog"
}

@test "--per channel ranks each placement on its own" {
	run bash -o pipefail -c "xsell-rank --top 2 --per channel $R/placements.tsv | pick context_id channel candidate_id rank"
	assert_success
	# savings is in both of C1's lists: each list is its own.
	assert_output "C1 web card 1
C1 web savings 2
C1 email loan 1
C1 email savings 2
C2 email card 1
C2 web savings 1"
	run bash -o pipefail -c "xsell-rank --top 2 $R/placements.tsv | pick context_id channel candidate_id rank"
	assert_output "C1 web card 1
C1 email loan 2
C2 email card 1
C2 web savings 2"
}

@test "--per channel: an empty placement never empties another" {
	run bash -o pipefail -c "xsell-rank --top 2 --per channel --fallback offer $R/placements.tsv | pick context_id channel candidate_id rank"
	assert_success
	# C2's email list has only a learned candidate: it is empty, web is not.
	assert_output "C1 web card 1
C1 web savings 2
C1 email savings 1
C2 web savings 1"
}

# --- holdout ---

@test "--holdout: control contexts get nothing on stdout; --assignments logs both" {
	# Seed 10 draws P1 into control and P9 into treatment at F = 0.5.
	run xsell-rank --top 2 --holdout 0.5 --seed 10 --assignments a.tsv $R/page.tsv
	assert_success
	assert_output "$(printf 'context_id\tsubject_id\tcandidate_id\tsource\tcategory\tscore\trank\tgroup
P9\tP9\tB\tlearned\tlamp\t0.4\t1\ttreatment')"
	run cat a.tsv
	assert_output "$(printf 'context_id\tgroup\tcandidate_id\tsource\trank\tscore
P1\tcontrol\tB\tlearned\t1\t0.9
P1\tcontrol\tA\tlearned\t2\t0.8
P9\ttreatment\tB\tlearned\t1\t0.4')"
}

@test "--holdout 0 keeps everyone in treatment, 1 everyone in control" {
	run bash -o pipefail -c "xsell-rank --holdout 0 --seed 1 $R/page.tsv | pick group | sort | uniq -c"
	assert_output "      6 treatment"
	run -0 xsell-rank --holdout 1 --seed 1 --assignments a.tsv $R/page.tsv
	assert_output "$(printf 'context_id\tsubject_id\tcandidate_id\tsource\tcategory\tscore\trank\tgroup')"
	run bash -o pipefail -c "pick group < a.tsv | sort | uniq -c"
	assert_output "      6 control"
}

@test "--assignments: a list with no offers is one row; with --per, per list" {
	run xsell-rank --top 2 --per channel --fallback offer --holdout 1 --seed 3 --assignments a.tsv $R/placements.tsv
	assert_success
	run cat a.tsv
	assert_output "$(printf 'context_id\tchannel\tgroup\tcandidate_id\tsource\trank\tscore
C1\tweb\tcontrol\tcard\toffer\t1\t0.9
C1\tweb\tcontrol\tsavings\toffer\t2\t0.6
C1\temail\tcontrol\tsavings\toffer\t1\t0.5
C2\temail\tcontrol\t\t\t\t
C2\tweb\tcontrol\tsavings\toffer\t1\t0.4')"
}

holdout_input() {
	awk 'BEGIN { print "context_id\tcandidate_id\tscore"
		for (i = 0; i < 100000; i++) printf "U%d\tx\t1\n", i }'
}

@test "--holdout F: the control share is within 1 point of F over 100 000 contexts" {
	holdout_input > in.tsv
	for f in 0.1 0.5; do
		xsell-rank --holdout $f --seed 2025 --assignments a.tsv in.tsv > out.tsv
		run awk -F'\t' -v f=$f 'NR > 1 { n[$2]++ } END {
			share = n["control"] / 100000
			print (share > f - 0.01 && share < f + 0.01) ? "ok" : "off", n["control"] + n["treatment"] }' a.tsv
		assert_output "ok 100000"
		# stdout has exactly the treatment contexts.
		[ $(($(wc -l < out.tsv) - 1)) -eq "$(grep -c treatment a.tsv)" ]
	done
}

@test "--holdout: the same seed gives the same groups in any order, whoever else comes" {
	holdout_input > in.tsv
	xsell-rank --holdout 0.2 --seed 99 --assignments a.tsv in.tsv > /dev/null
	# Reversed, and every third context left out.
	{ head -1 in.tsv; tail -n +2 in.tsv | awk 'NR % 3' | tac; } > other.tsv
	xsell-rank --holdout 0.2 --seed 99 --assignments b.tsv other.tsv > /dev/null
	tail -n +2 a.tsv | cut -f1,2 | sort > a.groups
	tail -n +2 b.tsv | cut -f1,2 | sort > b.groups
	[ "$(wc -l < b.groups)" -eq 66667 ]
	run bash -c "join -t '	' a.groups b.groups | awk -F'\t' '\$2 != \$3' | wc -l"
	assert_output 0
	# Another seed draws other groups.
	xsell-rank --holdout 0.2 --seed 100 --assignments c.tsv in.tsv > /dev/null
	run cmp -s a.tsv c.tsv
	assert_failure
}

# --- experiment arms ---

# The draws, u = (SipHash-2-4(k0 = seed, k1 = 0, id) >> 11) / 2^53, from a
# Python SipHash written from the paper (checked on its test vector
# a129ca6149be45e5): seed 12: P1 0.74466, P9 0.18657; seed 10: P1 0.35674,
# P9 0.95996; seed 4: C1 0.18230, C2 0.40461. With managed=0.4,
# learned=0.4, control=0.2, u < 0.4 is managed, u < 0.8 learned, else
# control.
@test "--arms: a keyed draw puts each context in an arm, each ranks with its own fallback" {
	arms="--top 3 --arms managed=0.4,learned=0.4,control=0.2 --arm-fallback managed=managed,learned --arm-fallback learned=learned,managed"
	run xsell-rank $arms --seed 12 --assignments a.tsv $R/page.tsv
	assert_success
	assert_output "$(printf 'context_id\tsubject_id\tcandidate_id\tsource\tcategory\tscore\trank\tgroup
P1\tP1\tB\tlearned\tlamp\t0.9\t1\tlearned
P1\tP1\tA\tlearned\tlamp\t0.8\t2\tlearned
P1\tP1\tD\tlearned\tdesk\t0.7\t3\tlearned
P9\tP9\tB\tlearned\tlamp\t0.4\t1\tmanaged')"
	# seed 10: P1 in managed takes the curated links first; P9 in control
	# gets nothing, and is logged with what it would have got
	run -0 xsell-rank $arms --seed 10 --assignments a.tsv $R/page.tsv
	assert_output "$(printf 'context_id\tsubject_id\tcandidate_id\tsource\tcategory\tscore\trank\tgroup
P1\tP1\tA\tmanaged\tlamp\t0.5\t1\tmanaged
P1\tP1\tC\tmanaged\tdesk\t0.5\t2\tmanaged
P1\tP1\tF\tmanaged\trug\t0.2\t3\tmanaged')"
	run cat a.tsv
	assert_output "$(printf 'context_id\tgroup\tcandidate_id\tsource\trank\tscore
P1\tmanaged\tA\tmanaged\t1\t0.5
P1\tmanaged\tC\tmanaged\t2\t0.5
P1\tmanaged\tF\tmanaged\t3\t0.2
P9\tcontrol\tB\tlearned\t1\t0.4')"
	# --control names the arm that gets nothing
	run bash -o pipefail -c "xsell-rank $arms --seed 10 --control managed $R/page.tsv | pick context_id group | uniq"
	assert_output "P9 control"
}

@test "--arms: an arm's own list shows best sellers only if it names popular" {
	# best sellers arrive as rows of source popular (xsell-qualify --popular)
	{ cat $R/page.tsv; printf 'P1\tP1\tX\tpopular\tlamp\t0.1\nP9\tP9\tX\tpopular\tlamp\t0.3\nP9\tP9\tP2\tpopular\tdesk\t0.2\n'; } > in.tsv
	arms="--top 5 --arms managed=0.4,learned=0.4,control=0.2 --seed 12"
	# P1 is in learned, its popular row after its four learned links;
	# P9 in managed has no managed link, and its popular rows are not listed
	run bash -o pipefail -c "xsell-rank $arms --arm-fallback managed=managed --arm-fallback learned=learned,popular in.tsv | pick context_id candidate_id source rank"
	assert_output "P1 B learned 1
P1 A learned 2
P1 D learned 3
P1 E learned 4
P1 X popular 5"
	# without lists of their own, arms rank every source by score
	run bash -o pipefail -c "xsell-rank $arms in.tsv | pick context_id candidate_id rank | grep P9"
	assert_output "P9 B 1
P9 X 2
P9 P2 3"
}

@test "--arms with --per: --arm-placements shows an arm's lists only there" {
	# seed 4: C1 in email (u .182 < .25), C2 in web (.25 <= .405 < .5)
	run xsell-rank --top 2 --per channel --arms email=0.25,web=0.25,both=0.25,control=0.25 \
	    --seed 4 --arm-placements email=email --arm-placements web=web --assignments a.tsv $R/placements.tsv
	assert_success
	assert_output "$(printf 'context_id\tholdings\tchannel\tcandidate_id\tsource\tscore\trank\tgroup
C1\tX,checking\temail\tloan\tlearned\t0.8\t1\temail
C1\tX,checking\temail\tsavings\toffer\t0.5\t2\temail
C2\t\tweb\tsavings\toffer\t0.4\t1\tweb')"
	# a list the arm does not show is not logged either
	run cat a.tsv
	assert_output "$(printf 'context_id\tchannel\tgroup\tcandidate_id\tsource\trank\tscore
C1\temail\temail\tloan\tlearned\t1\t0.8
C1\temail\temail\tsavings\toffer\t2\t0.5
C2\tweb\tweb\tsavings\toffer\t1\t0.4')"
}

@test "--holdout F is --arms control=F,treatment=1-F; shares hold over 100 000 contexts" {
	holdout_input > in.tsv
	xsell-rank --holdout 0.3 --seed 7 --assignments a.tsv in.tsv > h.tsv
	xsell-rank --arms control=0.3,treatment=0.7 --seed 7 --assignments b.tsv in.tsv > k.tsv
	cmp h.tsv k.tsv
	cmp a.tsv b.tsv
	xsell-rank --arms managed=0.45,learned=0.45,control=0.1 --seed 2025 --assignments a.tsv in.tsv > out.tsv
	run awk -F'\t' 'NR > 1 { n[$2]++ } END {
		ok = 1
		split("managed .45 learned .45 control .1", w, " ")
		for (i = 1; i < 6; i += 2) { s = n[w[i]] / 100000; if (s < w[i + 1] - 0.01 || s > w[i + 1] + 0.01) ok = 0 }
		print ok ? "ok" : "off", n["managed"] + n["learned"] + n["control"] }' a.tsv
	assert_output "ok 100000"
	# stdout has every context not in control, each once
	[ $(($(wc -l < out.tsv) - 1)) -eq "$(awk -F'\t' 'NR > 1 && $2 != "control"' a.tsv | wc -l)" ]
	run xsell-rank -v --arms managed=0.45,learned=0.45,control=0.1 --seed 2025 -o out.tsv in.tsv
	assert_output --partial "contexts per arm: managed "
}

# --- caps ---

# history.tsv: C1 on Fri 14 Nov (email), Mon 17 Nov (email), Thu 20 Nov
# (web); C2 on Fri 21 Nov 10:00 (email), the latest, so "now".
@test "--cap 2 --period week: 2 contacts this week get nothing, 1 gets one" {
	run bash -o pipefail -c "xsell-rank --top 3 --history $R/history.tsv --cap 2 --period week $R/caps.tsv | pick context_id candidate_id rank"
	assert_success
	assert_output "C2 a 1
C3 a 1
C3 b 2"
}

@test "--period day and month count other contacts" {
	run bash -o pipefail -c "xsell-rank --top 3 --history $R/history.tsv --cap 2 --period day $R/caps.tsv | pick context_id candidate_id"
	assert_success
	# Today (21 Nov): C1 none, C2 once.
	assert_output "C1 a
C1 b
C2 a
C3 a
C3 b"
	run bash -o pipefail -c "xsell-rank --top 3 --history $R/history.tsv --cap 3 --period month $R/caps.tsv | pick context_id candidate_id"
	# November: C1 three times, C2 once.
	assert_output "C2 a
C2 b
C3 a
C3 b
C3 c"
}

@test "--now picks the period; contacts after now do not count" {
	run bash -o pipefail -c "xsell-rank --top 3 --history $R/history.tsv --cap 2 --period week --now 2025-11-24 $R/caps.tsv | pick context_id candidate_id"
	assert_success
	assert_output "C1 a
C1 b
C2 a
C2 b
C3 a
C3 b"
	run bash -o pipefail -c "xsell-rank --top 3 --history $R/history.tsv --cap 2 --period week --now 2025-11-18T00:00:00Z $R/caps.tsv | pick context_id candidate_id"
	# Monday 17th to now: C1 once; C1's 20th and C2's 21st are later.
	assert_output "C1 a
C2 a
C2 b
C3 a
C3 b"
}

# The week of Mon 29 Dec 1969 holds the new year: C1 twice (the Sunday
# before does not count), C2 once, at the latest. Dates before 1970 were
# out of range; --now 19691231 is YYYYMMDD, not epoch seconds.
@test "caps: a history before 1970, a week across the epoch, --now YYYYMMDD" {
	printf 'context_id\tts\nC1\t1969-12-28T23:00:00Z\nC1\t1969-12-29\nC1\t1969-12-31T09:00:00Z\nC2\t1970-01-01T10:00:00Z\n' > h.tsv
	run bash -o pipefail -c "xsell-rank --top 3 --history h.tsv --cap 2 --period week $R/caps.tsv | pick context_id candidate_id rank"
	assert_success
	assert_output "C2 a 1
C3 a 1
C3 b 2"
	run bash -o pipefail -c "xsell-rank --top 3 --history h.tsv --cap 2 --period week --now 19691231 $R/caps.tsv | pick context_id candidate_id"
	assert_success
	assert_output "C1 a
C2 a
C2 b
C3 a
C3 b"
}

@test "caps per placement when the history has the --per column" {
	run bash -o pipefail -c "xsell-rank --top 2 --per channel --history $R/history.tsv --cap 2 --period week $R/placements.tsv | pick context_id channel candidate_id"
	assert_success
	# C1: once by email, once on the web this week; C2 once by email.
	assert_output "C1 web card
C1 email loan
C2 email card
C2 web savings"
}

@test "caps per context when the history has no --per column: lists use it in order" {
	cut -f1,2 $R/history.tsv > h.tsv
	run bash -o pipefail -c "xsell-rank --top 2 --per channel --history h.tsv --cap 2 --period week $R/placements.tsv | pick context_id channel candidate_id"
	assert_success
	# C1: 2 contacts, nothing. C2: 1 left, taken by its first list.
	assert_output "C2 email card"
}

@test "--assignments shows capped contexts with no offers" {
	run xsell-rank --top 3 --history $R/history.tsv --cap 2 --period week --holdout 0 --seed 1 --assignments a.tsv $R/caps.tsv
	assert_success
	run bash -o pipefail -c "pick context_id group candidate_id < a.tsv"
	assert_output "C1 treatment 
C2 treatment a
C3 treatment a
C3 treatment b"
}

# --- streams and errors ---

@test "an ungrouped file is read twice and ranked; on a pipe it is exit 3" {
	for n in 1 2 5 3 8 4; do sed -n ${n}p $R/caps.tsv; done > in.tsv
	run bash -o pipefail -c "xsell-rank in.tsv | pick context_id candidate_id rank"
	assert_success
	assert_output "C1 a 1
C1 b 2
C1 c 3
C2 a 1
C3 a 1"
	run bash -o pipefail -c "xsell-rank --buffer in.tsv | pick context_id candidate_id rank"
	assert_output "C1 a 1
C1 b 2
C1 c 3
C2 a 1
C3 a 1"
	run bash -c "cat in.tsv | xsell-rank"
	assert_failure 3
	assert_output --partial "xsell-rank: <stdin>:4: input not grouped by context_id: 'C1' seen again after its rows ended (sort by it, or use --buffer)"
	run bash -o pipefail -c "cat in.tsv | xsell-rank --buffer | pick context_id candidate_id rank"
	assert_success
	assert_line --index 2 "C1 c 3"
}

@test "JSON lines in and out" {
	printf '{"context_id":"A","candidate_id":"x","score":0.5}\n{"context_id":"A","candidate_id":"y","score":0.7}\n' > in.json
	run xsell-rank -j --holdout 0 --seed 1 in.json
	assert_success
	assert_output '{"context_id":"A","candidate_id":"y","score":0.7,"rank":1,"group":"treatment"}
{"context_id":"A","candidate_id":"x","score":0.5,"rank":2,"group":"treatment"}'
}

# A catalog with display fields: a title that looks like a number stays a
# string (the column is text), prices are numbers.
widget_fixture() {
	printf 'product_id\ttitle\tprice\turl\n' > cat.tsv
	printf 'A\tDesk "Oak"\t129.995\t/p/a\nB\t1984\t9.5\t/p/b\nC\tLamp\t12\t/p/c\nD\tRug\t0.004\t/p/d\n' >> cat.tsv
	printf 'context_id\tchannel\tcandidate_id\tscore\n' > in.tsv
	printf 'P1\tweb\tA\t0.9\nP1\tweb\tB\t0.8\nP1\temail\tC\t0.7\nP1\tweb\tX\t0.6\nP2\tweb\tD\t0.123456\n' >> in.tsv
}

@test "--group-json: one object per context, offers in rank order" {
	widget_fixture
	run xsell-rank --group-json in.tsv
	assert_success
	assert_output '{"context_id":"P1","offers":[{"candidate_id":"A","rank":1},{"candidate_id":"B","rank":2},{"candidate_id":"C","rank":3},{"candidate_id":"X","rank":4}]}
{"context_id":"P2","offers":[{"candidate_id":"D","rank":1}]}'
	# every line is one JSON object jq reads
	run bash -o pipefail -c "xsell-rank --group-json in.tsv | jq -c '[.context_id, (.offers | length)]'"
	assert_output '["P1",4]
["P2",1]'
}

@test "--group-json --catalog --with title,price,url --precision 2: display fields joined, rounded" {
	widget_fixture
	run --separate-stderr xsell-rank --group-json --catalog cat.tsv --with title,price,url,score --precision 2 in.tsv
	assert_success
	# 129.995 rounds up on its digits; X is not in the catalog: nulls, and
	# a note says how many; score comes from the rows, rounded too.
	assert_output '{"context_id":"P1","offers":[{"candidate_id":"A","rank":1,"title":"Desk \"Oak\"","price":130,"url":"/p/a","score":0.9},{"candidate_id":"B","rank":2,"title":"1984","price":9.5,"url":"/p/b","score":0.8},{"candidate_id":"C","rank":3,"title":"Lamp","price":12,"url":"/p/c","score":0.7},{"candidate_id":"X","rank":4,"title":null,"price":null,"url":null,"score":0.6}]}
{"context_id":"P2","offers":[{"candidate_id":"D","rank":1,"title":"Rug","price":0,"url":"/p/d","score":0.12}]}'
	[ "$stderr" = "xsell-rank: 1 of 5 offers not in the catalog: their --with fields are empty" ]
	# exact by default: the values as the catalog has them
	run bash -o pipefail -c "xsell-rank -q --group-json --catalog cat.tsv --with price in.tsv | jq -c '[.offers[].price]'"
	assert_output '[129.995,9.5,12,null]
[0.004]'
}

@test "--group-json --per: one object per list; --holdout: control has none, the group is a key" {
	widget_fixture
	run xsell-rank --group-json --per channel --top 1 in.tsv
	assert_success
	assert_output '{"context_id":"P1","channel":"web","offers":[{"candidate_id":"A","rank":1}]}
{"context_id":"P1","channel":"email","offers":[{"candidate_id":"C","rank":1}]}
{"context_id":"P2","channel":"web","offers":[{"candidate_id":"D","rank":1}]}'
	run xsell-rank --group-json --top 1 --holdout 0.5 --seed 2 $R/page.tsv
	assert_success
	assert_output '{"context_id":"P1","group":"treatment","offers":[{"candidate_id":"B","rank":1}]}
{"context_id":"P9","group":"treatment","offers":[{"candidate_id":"B","rank":1}]}'
	run xsell-rank --group-json --top 1 --holdout 0.5 --seed 1 --assignments a.tsv $R/page.tsv
	assert_success
	assert_output ""
	[ "$(cut -f2 a.tsv | sort | uniq -c | tr -s ' ')" = " 2 control
 1 group" ]
}

@test "--with without --group-json: the fields appended to each row, typed in -j" {
	widget_fixture
	run xsell-rank -q --top 2 --catalog cat.tsv --with title,price --precision 1 in.tsv
	assert_success
	assert_output "$(printf 'context_id\tchannel\tcandidate_id\tscore\trank\ttitle\tprice
P1\tweb\tA\t0.9\t1\tDesk "Oak"\t130
P1\tweb\tB\t0.8\t2\t1984\t9.5
P2\tweb\tD\t0.123456\t1\tRug\t0')"
	run xsell-rank -j --top 1 --catalog cat.tsv --with title,price in.tsv
	assert_success
	assert_output '{"context_id":"P1","channel":"web","candidate_id":"A","score":0.9,"rank":1,"title":"Desk \"Oak\"","price":129.995}
{"context_id":"P2","channel":"web","candidate_id":"D","score":0.123456,"rank":1,"title":"Rug","price":0.004}'
	# a field the input already has is replaced where it stands
	run xsell-rank --top 1 --with score --precision 0 in.tsv
	assert_output "$(printf 'context_id\tchannel\tcandidate_id\tscore\trank
P1\tweb\tA\t1\t1
P2\tweb\tD\t0\t1')"
}

@test "--group-json, --with, --precision: errors" {
	widget_fixture
	while IFS='|' read -r want args msg; do
		run --separate-stderr sh -c "xsell-rank $args"
		[ "$status" -eq "$want" ] && [ "$stderr" = "$msg" ] ||
		    { echo "$args: status $status: $stderr"; return 1; }
	done <<EOF
2|--precision 2 in.tsv|xsell-rank: option --precision rounds the --with fields; give --with
2|--with title --precision 16 in.tsv|xsell-rank: option --precision: 16 is not in [0, 15]
2|--with title,title --catalog cat.tsv in.tsv|xsell-rank: option --with: 'title' given twice
2|--with , in.tsv|xsell-rank: option --with: no field named
3|--with title in.tsv|xsell-rank: option --with: column 'title' is not in the input (the catalog's fields need --catalog)
3|--with image --catalog cat.tsv in.tsv|xsell-rank: option --with: column 'image' is in neither cat.tsv nor the input
EOF
}

@test "--csv-out: RFC 4180 for spreadsheets and SQL engines; --csv-safe neutralises formulas" {
	printf 'context_id\tcandidate_id\tscore\tnote\n' > in.tsv
	printf 'A\ta\t0.9\tplain\nA\tb\t0.8\tcomma, "quoted"\nA\tc\t0.7\tline\\nbreak and\\ttab\nA\td\t0.6\t=1+2\nA\te\t0.5\t-3.5\nA\tf\t0.4\t@SUM(A1)\nA\tg\t0.3\t-1+1\nA\th\t0.2\t+7\nA\ti\t0.1\t\n' >> in.tsv
	run -0 xsell-rank --top 9 --csv-out in.tsv
	assert_output "$(printf 'context_id,candidate_id,score,note,rank\r
A,a,0.9,plain,1\r
A,b,0.8,"comma, ""quoted""",2\r
A,c,0.7,"line\nbreak and\ttab",3\r
A,d,0.6,=1+2,4\r
A,e,0.5,-3.5,5\r
A,f,0.4,@SUM(A1),6\r
A,g,0.3,-1+1,7\r
A,h,0.2,+7,8\r
A,i,0.1,,9\r')"
	run -0 xsell-rank --top 9 --csv-safe in.tsv
	assert_output "$(printf 'context_id,candidate_id,score,note,rank\r
A,a,0.9,plain,1\r
A,b,0.8,"comma, ""quoted""",2\r
A,c,0.7,"line\nbreak and\ttab",3\r
A,d,0.6,"'"'"'=1+2",4\r
A,e,0.5,-3.5,5\r
A,f,0.4,"'"'"'@SUM(A1)",6\r
A,g,0.3,"'"'"'-1+1",7\r
A,h,0.2,+7,8\r
A,i,0.1,,9\r')"
	# read back by an RFC 4180 reader: the values as they were
	command -v python3 > /dev/null || return 0
	run -0 bash -c "xsell-rank --top 9 --csv-out in.tsv | python3 -c 'import csv, sys; print([r[3] for r in csv.reader(sys.stdin)][1:4])'"
	assert_output "['plain', 'comma, \"quoted\"', 'line\\nbreak and\\ttab']"
}

@test "-j reads what every tool writes with -j: score's explain object, nested attributes" {
	S=$FIX/score
	xsell-score -j --explain --catalog $S/catalog.tsv $S/cands.tsv > scored.json
	run bash -o pipefail -c "xsell-rank -j --top 1 scored.json | jq -c '[.candidate_id, .rank, .explain.E.input, (.explain | [.P, .R, .I, .E, .U] | map(.contribution) | add) == .score]'"
	assert_success
	assert_output '["P2",1,"position",true]
["P2",1,null,true]'
	# Through TSV and back: the explain column is its JSON text, and JSON
	# again on the way out.
	run bash -o pipefail -c "xsell-rank --top 1 scored.json | xsell-rank -j --top 1 | jq -c .explain.R"
	assert_output '{"input":"lift","raw":3,"value":0.75,"weight":0.2,"contribution":0.15000000000000002}
{"input":"lift","raw":7,"value":0.875,"weight":0.2,"contribution":0.17500000000000002}'
	run bash -o pipefail -c "jq -c 'select(.context_id == \"P1\" and .candidate_id == \"P2\") | .explain' scored.json > want
	    xsell-rank -j --top 1 scored.json | jq -c 'select(.context_id == \"P1\") | .explain' | cmp - want"
	assert_success
	# A customer's nested attributes ride through qualify, score and rank.
	printf '{"customer_id":"C1","holdings":["checking"],"address":{"city":"Lyon","zip":[69001]},"tier":"gold"}\n' > cust.json
	run bash -o pipefail -c "xsell-qualify -j --offers $FIX/qualify/offers.tsv cust.json | xsell-score -j | xsell-rank -j --top 1 | jq -c '[.candidate_id, .address, .holdings]'"
	assert_success
	assert_output '["mortgage",{"city":"Lyon","zip":[69001]},["checking"]]'
}

@test "errors: table of exit statuses and messages" {
	printf 'context_id\tcandidate_id\tscore\nA\tx\thigh\n' > bad.tsv
	printf 'context_id\tcandidate_id\nA\tx\n' > noscore.tsv
	printf 'context_id\tts\nA\tyesterday\n' > badts.tsv
	while IFS='|' read -r want args msg; do
		run sh -c "xsell-rank $args"
		[ "$status" -eq "$want" ] || { echo "$args: status $status: $output"; return 1; }
		case "$output" in
		*"$msg"*) ;;
		*) echo "$args: $output"; return 1 ;;
		esac
	done <<EOF
2|--holdout 0.1 $R/page.tsv|xsell-rank: option --holdout needs --seed
2|--seed 1 $R/page.tsv|xsell-rank: option --seed needs --holdout
2|--assignments a.tsv $R/page.tsv|xsell-rank: option --assignments needs --holdout
2|--holdout 1.5 --seed 1 $R/page.tsv|xsell-rank: option --holdout: 1.5 is not in [0, 1]
2|--arms a=0.5,control=0.5 $R/page.tsv|xsell-rank: option --arms needs --seed
2|--arms a=0.5,control=0.5 --holdout 0.1 --seed 1 $R/page.tsv|xsell-rank: option --holdout is the two-arm form of --arms; give one
2|--arms a=0.6,control=0.5 --seed 1 $R/page.tsv|xsell-rank: option --arms: the shares add up to 1.1, not 1
2|--arms a=0.5 --seed 1 $R/page.tsv|xsell-rank: option --arms: an experiment needs two arms or more
2|--holdout 0.1 --seed 1 --control x $R/page.tsv|xsell-rank: option --control needs --arms
2|--arms a=0.5,control=0.5 --seed 1 --control b $R/page.tsv|xsell-rank: option --control: 'b' is not an arm of --arms
2|--arms a=0.5,control=0.5 --seed 1 --arm-fallback b=learned $R/page.tsv|xsell-rank: option --arm-fallback: 'b' is not an arm of --arms
2|--arms a=0.5,control=0.5 --seed 1 --arm-fallback a $R/page.tsv|xsell-rank: option --arm-fallback: expected ARM=SRC,...: "a"
2|--arms a=0.5,control=0.5 --seed 1 --arm-fallback a=x --arm-fallback a=y $R/page.tsv|xsell-rank: option --arm-fallback: arm 'a' given twice
2|--arms a=0.5,control=0.5 --seed 1 --arm-fallback a=x,x $R/page.tsv|xsell-rank: option --arm-fallback: 'x' given twice
2|--arms a=0.5,control=0.5 --seed 1 --arm-placements a=web $R/page.tsv|xsell-rank: option --arm-placements needs --per
2|--arm-fallback a=learned $R/page.tsv|xsell-rank: option --arm-fallback needs --arms
3|--arms a=0.5,control=0.5 --seed 1 --arm-fallback a=managed $R/caps.tsv|missing required column 'source'
2|--history $R/history.tsv --period week $R/page.tsv|xsell-rank: option --history needs --cap and --period
2|--cap 2 $R/page.tsv|xsell-rank: option --cap needs --history
2|--history $R/history.tsv --cap 2 --period fortnight $R/page.tsv|xsell-rank: option --period: "fortnight" is not one of day, week, month
2|--history $R/history.tsv --cap 2 --period week --now soon $R/page.tsv|xsell-rank: option --now:
2|--top 0 $R/page.tsv|xsell-rank: option --top: 0 is not in [1, 100000]
2|--fallback managed,managed $R/page.tsv|xsell-rank: option --fallback: 'managed' given twice
2|--per context_id $R/page.tsv|xsell-rank: option --per: 'context_id' is the --by column
2|--bogus|usage: xsell-rank
3|bad.tsv|xsell-rank: bad.tsv:2: column 'score': not a number: "high"
3|noscore.tsv|xsell-rank: noscore.tsv: missing required column 'score' (found: context_id, candidate_id)
3|--by customer_id $R/page.tsv|missing required column 'customer_id'
3|--fallback managed $R/caps.tsv|missing required column 'source'
3|--per channel $R/page.tsv|missing required column 'channel'
3|--history badts.tsv --cap 1 --period day $R/page.tsv|xsell-rank: badts.tsv:2: column 'ts':
4|missing.tsv|xsell-rank: missing.tsv: No such file or directory
4|--catalog missing.tsv $R/page.tsv|xsell-rank: missing.tsv: No such file or directory
2|--popular $R/popular.tsv $R/page.tsv|xsell-rank: option --popular is gone
EOF
}

@test "empty input writes nothing; -o writes atomically" {
	run xsell-rank /dev/null
	assert_success
	assert_output ""
	run xsell-rank -o out.tsv $R/page.tsv
	assert_success
	assert_output ""
	[ "$(wc -l < out.tsv)" -eq 7 ]
}

@test "-v counts what happened" {
	run xsell-rank -v --top 3 --fallback managed,learned --holdout 0.5 --seed 10 -o out.tsv $R/page.tsv
	assert_success
	assert_output "xsell-rank: 8 rows in 2 contexts, 1 rows written
xsell-rank: 1 contexts in control"
}

@test "score | rank: the pipeline from candidates" {
	run bash -o pipefail -c "xsell-score --catalog $FIX/score/catalog.tsv $FIX/score/cands.tsv | xsell-rank --top 2 | pick context_id candidate_id score rank"
	assert_success
	assert_output "P1 P2 0.6 1
P1 P4 0.55 2
P5 P2 0.525 1"
}

# DuckDB (the benchmarks' peer, when scripts/duckdb-setup has installed
# it; never installed by the tests): -j and --csv-out read back exactly,
# where TSV's escapes would be taken literally.
@test "DuckDB reads -j and --csv-out output exactly; TSV escapes it takes literally" {
	duck=${BENCH_DIR:-/tmp/xsell-bench}/duckdb
	[ -d "$duck/node_modules/@duckdb/node-api" ] || skip "DuckDB's npm package is not set up (scripts/duckdb-setup)"
	command -v node > /dev/null || skip "node is not installed"
	duck=$(BENCH_DIR=${BENCH_DIR:-/tmp/xsell-bench} "$ROOT/scripts/duckdb-setup" "$ROOT/scripts/duckdb-query.mjs")
	printf 'context_id\tcandidate_id\tscore\ttitle\nA\ta\t0.5\tMug\\tLarge\nA\tb\t0.25\tsay "hi", then\\nleave\n' > in.tsv
	xsell-rank -j in.tsv > out.json
	run -0 node "$duck/duckdb-query.mjs" "select candidate_id, score, title, rank from read_json('$PWD/out.json', format = 'newline_delimited') order by rank"
	assert_output "$(printf '"a"\t0.5\t"Mug\\tLarge"\t1\n"b"\t0.25\t"say \\"hi\\", then\\nleave"\t2')"
	xsell-rank --csv-out in.tsv > out.csv
	run -0 node "$duck/duckdb-query.mjs" "select candidate_id, score, title, rank from read_csv('$PWD/out.csv', header = true) order by rank"
	assert_output "$(printf '"a"\t0.5\t"Mug\\tLarge"\t1\n"b"\t0.25\t"say \\"hi\\", then\\nleave"\t2')"
	# the TSV: DuckDB keeps the backslash and the letter
	xsell-rank in.tsv > out.tsv
	run -0 node "$duck/duckdb-query.mjs" "select title from read_csv('$PWD/out.tsv', header = true, delim = '\t', quote = '', escape = '') order by rank"
	assert_line --index 0 '"Mug\\tLarge"'
}
