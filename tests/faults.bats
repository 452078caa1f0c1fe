#!/usr/bin/env bats
# Fault injection against every tool: a full disk, a failing write into
# -o FILE, a fatal signal in the middle of -o FILE, a reader that goes
# away (| head -1, or on stderr), an input that cannot be read, closed
# standard descriptors; and the output files themselves: symbolic links,
# modes, an output that is an input or another output.
#
# "Cannot be read": the tests may run as root, where chmod 000 does not
# stop a read, so they use a directory and a nonexistent path instead
# (plus chmod 000 when not root).
load helper
bats_require_minimum_version 1.5.0

# One command per tool, reading its input from the operand that follows;
# the inputs are big enough (> 64 KiB of output) that a write fails or a
# pipe fills before the end.
TOOLS=(import learn qualify score rank audit)

# The command line for a tool ("declare -A" at file level would be local
# to the function bats sources the file in).
cmd() {
	case $1 in
	import) echo xsell-import -q --kind orders ;;
	learn) echo xsell-learn -q --min-count 1 ;;
	qualify) echo xsell-qualify -q --relations "$IN/rel.tsv" ;;
	score) echo xsell-score -q ;;
	rank) echo xsell-rank -q --top 1000 ;;
	audit) echo xsell-audit -q ;;
	esac
}

setup_file() {
	IN=$BATS_FILE_TMPDIR/in
	export IN
	mkdir -p "$IN"
	cd "$IN" || return 1
	awk 'BEGIN { print "order_id\tproduct_id\tquantity\tprice\tts"
	    for (i = 0; i < 6000; i++) printf "O%d\tP%d\t1\t2.5\t2024-01-01\n", i / 3, (i * 7) % 300 }' > import
	cp import learn
	awk 'BEGIN { print "subject_id\tlinked_id"
	    for (i = 0; i < 6000; i++) printf "P%d\tP%d\n", i, i + 1 }' > rel.tsv
	awk 'BEGIN { print "subject_id\tsegment"
	    for (i = 0; i < 6000; i++) printf "P%d\tsegment_%d\n", i, i }' > qualify
	awk 'BEGIN { print "context_id\tcandidate_id\tpropensity"
	    for (i = 0; i < 6000; i++) printf "C%d\tP%d\t0.%d\n", i / 120, i, i % 10 }' > score
	awk 'BEGIN { print "context_id\tcandidate_id\tscore"
	    for (i = 0; i < 6000; i++) printf "C%d\tP%d\t0.%d\n", i / 120, i, i % 10 }' > rank
	# self-links: one finding per row
	awk 'BEGIN { print "subject_id\tlinked_id"
	    for (i = 0; i < 6000; i++) printf "P%d\tP%d\n", i, i }' > audit
}

no_sanitizer() {
	! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$@"
}

@test "every tool: output to a full device is exit 4 with a message" {
	local t
	for t in "${TOOLS[@]}"; do
		run --separate-stderr bash -c "$(cmd "$t") $IN/$t > /dev/full"
		[ "$status" -eq 4 ] || { echo "$t: status $status: $stderr"; return 1; }
		[[ $stderr =~ ^xsell-$t:\ .*(No space left on device|write) ]] ||
		    { echo "$t: $stderr"; return 1; }
		[ "$(wc -l <<<"$stderr")" -eq 1 ] || { echo "$t: $stderr"; return 1; }
		run --separate-stderr $(cmd "$t") -o /dev/full "$IN/$t"
		[ "$status" -eq 4 ] || { echo "$t -o: status $status: $stderr"; return 1; }
		[[ $stderr =~ /dev/full ]] || { echo "$t -o: $stderr"; return 1; }
	done
}

@test "every tool: a failing write into -o FILE leaves FILE as it was, no temporary" {
	local t trap
	mkdir w && cd w
	# File size limit: write(2) fails with EFBIG. The tools ignore
	# SIGXFSZ themselves: the shell's trap is not needed.
	for trap in "trap '' XFSZ;" ""; do
		for t in "${TOOLS[@]}"; do
			echo previous > out.tsv
			run --separate-stderr bash -c "$trap ulimit -f 8; $(cmd "$t") -o out.tsv $IN/$t"
			[ "$status" -eq 4 ] || { echo "$t ($trap): status $status: $stderr"; return 1; }
			[[ $stderr =~ out.tsv:\ File\ too\ large ]] || { echo "$t: $stderr"; return 1; }
			no_sanitizer <<<"$stderr"
			[ "$(cat out.tsv)" = previous ] || { echo "$t: out.tsv changed"; return 1; }
			[ "$(ls)" = out.tsv ] || { echo "$t ($trap): left $(ls)"; return 1; }
		done
	done
}

@test "every tool: a fatal signal during -o FILE leaves FILE as it was, no temporary" {
	local t pid i sig
	mkdir w && cd w
	mkfifo ../slow
	# No core files (QUIT, XCPU) in the directory listed below.
	ulimit -c 0
	for sig in TERM INT HUP QUIT PIPE USR1 ALRM XCPU; do
	for t in "${TOOLS[@]}"; do
		echo previous > out.tsv
		# Keep the fifo open (read-write: the open cannot block, nor can
		# a write that fits the pipe), send the first rows, then wait for
		# the temporary: tools that buffer everything create it at the end.
		# The tool does not hold the writer: a tool that survives the
		# signal sees the end of its input. A background job starts with
		# SIGINT and SIGQUIT ignored: env puts them back.
		exec 5<> ../slow
		env --default-signal=INT,QUIT $(cmd "$t") -o out.tsv ../slow 5>&- 2> ../err &
		pid=$!
		head -1000 "$IN/$t" >&5
		for i in $(seq 50); do
			compgen -G 'out.tsv.tmp*' > /dev/null && break
			sleep 0.02
		done
		kill -"$sig" "$pid" || { echo "$t: ended early: $(cat ../err)"; return 1; }
		exec 5>&-
		wait "$pid" && { echo "$t: status 0 after SIG$sig"; return 1; }
		[ "$(cat out.tsv)" = previous ] || { echo "$t: out.tsv changed"; return 1; }
		[ "$(ls)" = out.tsv ] ||
		    { echo "$t SIG$sig: left $(ls)"; return 1; }
		no_sanitizer ../err
	done
	done
}

# A pipe nobody reads any more, as descriptor 5: a write to it is SIGPIPE.
# (A FIFO opened read-write has a reader, so opening it to write does not
# block; closing that reader leaves none.)
dead_pipe() {
	mkfifo "$1"
	exec 4<> "$1" 5> "$1" 4<&-
}

@test "every tool: a reader gone on stderr or stdout during -o FILE leaves no temporary" {
	local row t args
	mkdir w && cd w
	dead_pipe ../dead
	# Each writes to the dead pipe while an output file is pending; "2"
	# is stderr, "1" stdout with a side output. xsell-learn writes to
	# stderr only before and after its output: the signal test covers it.
	for row in "import 2 -o out.tsv" "audit 2 -o out.tsv" "score 2 -v -o out.tsv" \
	    "rank 2 -v -o out.tsv" "qualify 1 --rejected out.tsv" \
	    "import 1 --rejects out.tsv"; do
		read -r t fd args <<<"$row"
		echo previous > out.tsv
		run bash -c "$(cmd "$t" | sed 's/ -q//') $args $IN/$t $fd>&5"
		[ "$status" -eq 141 ] || { echo "$row: status $status: $output"; return 1; }
		[ "$(cat out.tsv)" = previous ] || { echo "$row: out.tsv changed"; return 1; }
		[ "$(ls)" = out.tsv ] || { echo "$row: left $(ls)"; return 1; }
	done
}

@test "every tool: | head -1 ends quietly" {
	local t
	for t in "${TOOLS[@]}"; do
		run bash -c "$(cmd "$t") $IN/$t 2> err | head -1 > /dev/null; echo \${PIPESTATUS[0]}"
		[[ $output = 0 || $output = 141 ]] || { echo "$t: status $output"; return 1; }
		[ ! -s err ] || { echo "$t: stderr: $(cat err)"; return 1; }
	done
}

@test "every tool: an input that cannot be read is exit 4 naming it" {
	local t
	mkdir adir
	for t in "${TOOLS[@]}"; do
		run --separate-stderr $(cmd "$t") adir
		[ "$status" -eq 4 ] || { echo "$t dir: status $status: $stderr"; return 1; }
		[[ $stderr =~ ^xsell-$t:\ adir: ]] || { echo "$t: $stderr"; return 1; }
		[ "$(wc -l <<<"$stderr")" -eq 1 ]
		run --separate-stderr $(cmd "$t") nonexistent
		[ "$status" -eq 4 ] || { echo "$t missing: status $status"; return 1; }
		[[ $stderr =~ ^xsell-$t:\ nonexistent:\ No\ such\ file ]] ||
		    { echo "$t: $stderr"; return 1; }
		if [ "$(id -u)" -ne 0 ]; then
			cp "$IN/$t" locked && chmod 000 locked
			run --separate-stderr $(cmd "$t") locked
			[ "$status" -eq 4 ] && [[ $stderr =~ locked:\ Permission ]] ||
			    { echo "$t locked: $status $stderr"; return 1; }
			rm -f locked
		fi
	done
}

@test "every tool: closed stdin, stdout or stderr is not taken by another file" {
	local t side
	mkdir w && cd w
	printf 'product_id\tprice\tcategory\nP1\t2\tmugs\n' > ../cat.tsv
	for t in "${TOOLS[@]}"; do
		# A side file opened first must not be read as stdin.
		case $t in
		import) side= ;;
		learn) side="--type upsell --catalog ../cat.tsv" ;;
		*) side="--catalog ../cat.tsv" ;;
		esac
		# (Closed inside bash -c: closed around bats's run, the pipe that
		# collects the output would become stdin.)
		run --separate-stderr bash -c "$(cmd "$t") $side <&-"
		[ "$status" -eq 4 ] || { echo "$t <&-: status $status: $output"; return 1; }
		[ "$stderr" = "xsell-$t: <stdin>: Bad file descriptor" ] ||
		    { echo "$t <&-: $stderr"; return 1; }
		[ -z "$output" ]
		# Nor an output file be written as stdout.
		run --separate-stderr bash -c "$(cmd "$t") -o out.tsv $IN/$t >&-"
		[ "$status" -eq 0 ] && [ -z "$stderr" ] && [ -s out.tsv ] ||
		    { echo "$t >&-: status $status: $stderr"; return 1; }
		[ "$(ls)" = out.tsv ] || { echo "$t: left $(ls)"; return 1; }
		run --separate-stderr bash -c "$(cmd "$t") $IN/$t >&-"
		[ "$status" -eq 4 ] && [[ $stderr =~ \<stdout\>:\ Bad\ file\ descriptor ]] ||
		    { echo "$t >&- to stdout: status $status: $stderr"; return 1; }
		# Nor a message be written into the output.
		run bash -c "$(cmd "$t") -o out.tsv $IN/nonexistent 2>&-"
		[ "$status" -eq 4 ] && [ -z "$output" ] ||
		    { echo "$t 2>&-: status $status: $output"; return 1; }
		rm out.tsv
	done
}

# The output options, each as: a tool, its options before FILE, the
# option, the input. Every one goes through out_open.
OUTPUTS=(
	"import -q --kind orders|-o|import"
	"import -q --kind orders|--rejects|import"
	"learn -q --min-count 1|-o|learn"
	"qualify -q --relations $BATS_FILE_TMPDIR/in/rel.tsv|-o|qualify"
	"qualify -q --relations $BATS_FILE_TMPDIR/in/rel.tsv|--rejected|qualify"
	"score -q|-o|score"
	"rank -q --top 1000|-o|rank"
	"rank -q --top 1000 --holdout 0.5 --seed 1|--assignments|rank"
	"audit -q|-o|audit"
	"audit -q|--html|audit"
)

@test "every output option: through a symbolic link the target is replaced, the link stays" {
	local row pre opt in
	mkdir -p w/d w/e && cd w
	for row in "${OUTPUTS[@]}"; do
		IFS='|' read -r pre opt in <<<"$row"
		# What the option writes to a plain file.
		xsell-$pre $opt plain "$IN/$in" > /dev/null || [ $? -eq 1 ]
		[ -s plain ] || { echo "$row: nothing written"; return 1; }
		# A relative link into another directory, then a link to it.
		echo old > e/target
		ln -s ../e/target d/link
		ln -s d/link link2
		xsell-$pre $opt link2 "$IN/$in" > /dev/null || [ $? -eq 1 ]
		[ -L link2 ] && [ -L d/link ] && [ "$(readlink d/link)" = ../e/target ] ||
		    { echo "$row: a link was replaced"; return 1; }
		cmp plain e/target || { echo "$row: target not written"; return 1; }
		# A dangling link: its target is created.
		ln -s new dangling
		xsell-$pre $opt dangling "$IN/$in" > /dev/null || [ $? -eq 1 ]
		[ -L dangling ] && cmp plain new || { echo "$row: dangling"; return 1; }
		# A link to a device (/dev/stdout leads into /proc): written in
		# place, the link stays.
		ln -s /dev/stdout so
		xsell-$pre $opt so "$IN/$in" > viaso || [ $? -eq 1 ]
		[ -L so ] || { echo "$row: /dev/stdout link replaced"; return 1; }
		[ "$opt" != -o ] || cmp plain viaso || { echo "$row: stdout"; return 1; }
		[ "$(ls d e | tr '\n' ' ')" = "d: link  e: target " ] &&
		    [ "$(ls | tr '\n' ' ')" = "d dangling e link2 new plain so viaso " ] ||
		    { echo "$row: left $(ls -R)"; return 1; }
		rm -f d/link link2 dangling new plain so viaso
	done
}

@test "every output option: the file replaced keeps its mode (and as root its owner)" {
	local row pre opt in
	mkdir w && cd w
	for row in "${OUTPUTS[@]}"; do
		IFS='|' read -r pre opt in <<<"$row"
		echo old > out
		chmod 640 out
		[ "$(id -u)" -ne 0 ] || chown 1234:5678 out
		xsell-$pre $opt out "$IN/$in" > /dev/null || [ $? -eq 1 ]
		[ "$(cat out)" != old ] || { echo "$row: not written"; return 1; }
		[ "$(stat -c %a out)" = 640 ] || { echo "$row: mode $(stat -c %a out)"; return 1; }
		[ "$(id -u)" -ne 0 ] || [ "$(stat -c %u:%g out)" = 1234:5678 ] ||
		    { echo "$row: owner $(stat -c %u:%g out)"; return 1; }
		# A new file gets the umask's mode.
		rm out
		(umask 027 && xsell-$pre $opt out "$IN/$in" > /dev/null) || [ $? -eq 1 ]
		[ "$(stat -c %a out)" = 640 ] || { echo "$row: new $(stat -c %a out)"; return 1; }
		rm out
	done
}

@test "every tool: an output that is an input or another output is exit 2, nothing written" {
	local row want before
	mkdir w && cd w
	cp "$IN"/* .
	printf 'product_id\tprice\tcategory\nP1\t2\tmugs\n' > cat.tsv
	printf '# no rules\n' > rules.txt
	printf 'order_id\tproduct_id\tcustomer_id\n1\tP1\tC1\n' > orders
	printf 'subject_id\tlinked_id\nP1\tP2\n' > feed
	ln -s score l
	ln rank h
	before=$(ls -l --time-style=+%s.%N; md5sum *)
	# the command | its stderr (as "xsell-TOOL: MESSAGE", TOOL first)
	for row in \
	    "import -q --kind orders --rejects f -o f import|f: output is the same file as output f" \
	    "import -q --kind orders --rejects import import|import: output is the same file as input import" \
	    "import -q --kind orders -o ./import import|./import: output is the same file as input import" \
	    "import -q --merge rel.tsv --rejects rel.tsv feed|rel.tsv: output is the same file as input rel.tsv" \
	    "import -q --merge rel.tsv -o feed feed|feed: output is the same file as input feed" \
	    "learn -q --min-count 1 -o ./learn learn|./learn: output is the same file as input learn" \
	    "learn -q --type upsell --catalog cat.tsv -o ../w/cat.tsv orders|../w/cat.tsv: output is the same file as input cat.tsv" \
	    "qualify -q --relations rel.tsv -o ./qualify qualify|./qualify: output is the same file as input qualify" \
	    "qualify -q --relations rel.tsv -o rel.tsv qualify|rel.tsv: output is the same file as input rel.tsv" \
	    "qualify -q --relations rel.tsv --rules rules.txt -o rules.txt qualify|rules.txt: output is the same file as input rules.txt" \
	    "qualify -q --relations rel.tsv --rejected qualify qualify|qualify: output is the same file as input qualify" \
	    "score -q -o ./score score|./score: output is the same file as input score" \
	    "score -q -o l score|l: output is the same file as input score" \
	    "score -q -o score < score|score: output is the same file as input <stdin>" \
	    "rank -q -o ./rank rank|./rank: output is the same file as input rank" \
	    "rank -q -o h rank|h: output is the same file as input rank" \
	    "rank -q --holdout 0.5 --seed 1 --assignments rank rank|rank: output is the same file as input rank" \
	    "audit -q -o ./audit audit|./audit: output is the same file as input audit" \
	    "audit -q --catalog cat.tsv -o $PWD/cat.tsv audit|$PWD/cat.tsv: output is the same file as input cat.tsv" \
	    "audit -q --html g -o ./g audit|g: output is the same file as output ./g"; do
		want=${row#*|}
		row=${row%%|*}
		run --separate-stderr bash -c "xsell-$row"
		[ "$status" -eq 2 ] || { echo "$row: status $status: $stderr"; return 1; }
		[ "$stderr" = "xsell-${row%% *}: $want" ] || { echo "$row: $stderr"; return 1; }
		[ -z "$output" ] || { echo "$row: stdout $output"; return 1; }
		[ "$(ls -l --time-style=+%s.%N; md5sum *)" = "$before" ] ||
		    { echo "$row: files changed: $(ls)"; return 1; }
	done
	# Devices are written in place, whoever else writes them; an update
	# in place is xsell-import --merge BASE -o BASE (xsell-import.bats).
	run xsell-import -q --kind orders --rejects /dev/null -o /dev/null import
	[ "$status" -eq 0 ] && [ -z "$output" ]
	run bash -c "xsell-score -q -o /dev/stdout score | cmp - <(xsell-score -q score)"
	[ "$status" -eq 0 ]
}

# err.c is below every module: die() runs the cleanups registered with
# xs_at_die (out.c's removal of its temporaries) and calls nothing in out.c.
@test "lib: err.o needs nothing from out.o; out registers its cleanup" {
	# what out.o defines, none of it wanted by err.o (a sanitizer build
	# adds its own undefined names, such as __ubsan_handle_out_of_bounds)
	local defs undef
	defs=$(nm --defined-only -g "$ROOT/build/lib/out.o" | awk '{ print $3 }' | sort)
	undef=$(nm -u "$ROOT/build/lib/err.o" | awk '{ print $2 }' | sort)
	[ -n "$defs" ]
	run comm -12 <(echo "$defs") <(echo "$undef")
	assert_success
	assert_output ""
	run nm "$ROOT/build/lib/out.o"
	assert_output --regexp ' U xs_at_die'
}
