#!/usr/bin/env bats
# Scaling out: the recipes of xsell(7) SCALING, run as they are written
# (taken from man/xsell.7), give the bytes one process gives.

load helper

# The sample store, imported, and what the stages after learn read.
setup_file() {
	local d="$BATS_FILE_TMPDIR/data"
	mkdir -p "$d"
	cd "$d" || return 1
	PATH="$ROOT/bin:$PATH"
	"$ROOT/scripts/gen-sample" store > /dev/null
	xsell-import -q store/catalog.csv -o catalog.tsv
	xsell-import -q --exclude '^(POST|M|BANK CHARGES)$' store/orders.csv \
	    -o orders.tsv
	xsell-learn --min-count 3 --top 8 orders.tsv -o relations.tsv
	# Three product pages a product, a context each.
	awk -F'\t' 'BEGIN { OFS = "\t"; print "context_id", "subject_id" }
	    FNR > 1 { for (k = 1; k <= 3; k++) print "page-" k "-" $1, $1 }' \
	    catalog.tsv > contexts.tsv
	xsell-qualify --relations relations.tsv --catalog catalog.tsv \
	    --in-stock contexts.tsv -o candidates.tsv
	xsell-score --catalog catalog.tsv candidates.tsv -o scored.tsv
	xsell-rank --top 5 --holdout 0.1 --seed 7 scored.tsv -o ranked.tsv
	"$ROOT/scripts/gen-audit-events" -n 5000 -s 11 relations.tsv catalog.tsv \
	    > events.tsv
	"$ROOT/scripts/gen-events" -n 3000 -s 11 > holdout.tsv
}

setup() {
	xs_setup
	cp "$BATS_FILE_TMPDIR"/data/*.tsv .
	# Four job slots, so that --block -1 cuts four pieces.
	export PARALLEL="--will-cite -j 4"
}

# The recipe NAME of man/xsell.7: the display after its ".\" recipe NAME".
recipe() {
	awk -v name="$1" '
	$0 == ".\\\" recipe " name { on = 1; next }
	on && /^\.Bd/ { body = 1; next }
	on && body && /^\.Ed/ { found = 1; exit }
	on && body { gsub(/\\e/, "\\"); print }
	END { exit !found }' "$ROOT/man/xsell.7"
}

# Runs recipe NAME with bash -e; the rest of the arguments are sed
# expressions applied to it first.
run_recipe() {
	local name=$1 script
	shift
	script=$(recipe "$name") || { echo "no recipe $name in xsell.7"; return 1; }
	for e in "$@"; do
		script=$(sed "$e" <<<"$script")
	done
	bash -e -o pipefail -c "$script"
}

@test "learn on four cores: shards merged equal one process, for every kind of rule" {
	cmp <(recipe learn-cores | tail -2 | head -1 | tr -s ' ') \
	    <(echo 'xsell-learn --merge --min-count 5 counts.1 counts.2 counts.3 counts.4 \')
	for opts in "" "--max-items 3 --measures all" "--basket customer --top 3" \
	    "--half-life 30 --now 2024-07-01" "--type upsell --catalog catalog.tsv" \
	    "--type substitute --catalog catalog.tsv"; do
		rm -f counts.* learned.tsv
		run_recipe learn-cores "s/xsell-learn /xsell-learn $opts /g"
		xsell-learn $opts --min-count 5 orders.tsv > one.tsv
		[ "$(wc -l < one.tsv)" -gt 10 ]
		cmp one.tsv learned.tsv
	done
}

@test "qualify on four cores: the pieces' candidates equal one process" {
	run_recipe qualify-cores "s/ -k / -k --joblog jobs /"
	[ "$(wc -l < jobs)" -eq 5 ]
	[ "$(wc -l < candidates.tsv)" -gt 1000 ]
	cmp candidates.tsv "$BATS_FILE_TMPDIR/data/candidates.tsv"
}

@test "score on four cores, cut between contexts: equal to one process" {
	run_recipe score-cores "s/ -k / -k --joblog jobs /"
	[ "$(wc -l < jobs)" -eq 5 ]
	cmp scored.tsv "$BATS_FILE_TMPDIR/data/scored.tsv"
}

@test "rank on four cores, cut between contexts: equal to one process" {
	run_recipe rank-cores "s/ -k / -k --joblog jobs /"
	[ "$(wc -l < jobs)" -eq 5 ]
	# The holdout's contexts (10%) get no list.
	[ "$(cut -f1 ranked.tsv | uniq | wc -l)" -lt "$(cut -f1 scored.tsv | uniq | wc -l)" ]
	cmp ranked.tsv "$BATS_FILE_TMPDIR/data/ranked.tsv"
}

# Whether the sshd of pid $1 says in its log $2 that it listens, within
# 20 s; not when it has ended (its port was taken).
listening() {
	local i

	for i in $(seq 200); do
		grep -q "Server listening" "$2" 2> /dev/null && return 0
		kill -0 "$1" 2> /dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Two hosts on loopback addresses, each an sshd of its own on a free
# port, with throw-away host and user keys: host1 is 127.0.0.2 and host2
# 127.0.0.3 through an ssh_config that GNU parallel uses ($PARALLEL_SSH).
# Each sshd starts commands in a directory of its own, as another machine
# would: the files travel by rsync. Skipped (with the reason) when sshd,
# ssh, rsync or parallel is missing or sshd cannot start.
start_hosts() {
	local sshd=/usr/sbin/sshd s=$BATS_TEST_TMPDIR/ssh port i
	[ -x "$sshd" ] || sshd=$(command -v sshd) ||
	    skip "no sshd (Debian: apt-get install openssh-server)"
	for t in ssh rsync parallel; do
		command -v $t > /dev/null || skip "no $t"
	done
	# sshd started by root wants its privilege separation directory,
	# which the package makes at boot only.
	if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
		mkdir -p /run/sshd && chmod 755 /run/sshd ||
		    skip "cannot make /run/sshd"
	fi
	mkdir -p "$s"
	ssh-keygen -q -t ed25519 -N '' -f "$s/hostkey" &&
	    ssh-keygen -q -t ed25519 -N '' -f "$s/userkey" &&
	    cp "$s/userkey.pub" "$s/authorized_keys" || skip "ssh-keygen failed"
	chmod 600 "$s/authorized_keys"
	{
		printf 'Host host1 host2\n  User %s\n  IdentityFile %s/userkey\n' \
		    "$(id -un)" "$s"
		printf '  IdentitiesOnly yes\n  StrictHostKeyChecking no\n'
		printf '  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  BatchMode yes\n'
	} > "$s/ssh_config"
	for i in 1 2; do
		mkdir -p "$s/host$i"
		for port in $(shuf -i 20000-60000 -n 20); do
			cat > "$s/sshd_config.$i" <<-CFG
			ListenAddress 127.0.0.$((i + 1)):$port
			HostKey $s/hostkey
			PidFile $s/sshd.$i.pid
			AuthorizedKeysFile $s/authorized_keys
			StrictModes no
			UsePAM no
			PasswordAuthentication no
			KbdInteractiveAuthentication no
			PermitRootLogin prohibit-password
			ForceCommand cd $s/host$i && PATH=$ROOT/bin:\$PATH exec /bin/sh -c "\$SSH_ORIGINAL_COMMAND"
			CFG
			# In the foreground (-D) and in the background here:
			# a daemonising sshd returns before it listens, and
			# a port taken meanwhile fails only in its child.
			"$sshd" -D -f "$s/sshd_config.$i" -E "$s/sshd.$i.log" \
			    < /dev/null > /dev/null 2>&1 &
			listening $! "$s/sshd.$i.log" && break
			kill $! 2> /dev/null
			port=
		done
		[ -n "$port" ] || skip "sshd does not start: $(tail -1 "$s/sshd.$i.log")"
		printf 'Host host%d\n  HostName 127.0.0.%d\n  Port %d\n' $i $((i + 1)) \
		    "$port" >> "$s/ssh_config"
	done
	export PARALLEL_SSH="ssh -F $s/ssh_config"
	ssh -F "$s/ssh_config" host2 pwd > "$s/pwd" 2>&1 ||
	    skip "ssh to 127.0.0.3 fails: $(cat "$s/pwd")"
	[ "$(cat "$s/pwd")" = "$s/host2" ]
}

# The sshd started here, by the pids they wrote.
teardown() {
	local f

	for f in "$BATS_TEST_TMPDIR"/ssh/sshd.*.pid; do
		[ -e "$f" ] && kill "$(cat "$f")"
	done
	return 0
}

@test "over ssh on two hosts: learn and qualify | score | rank equal one process" {
	start_hosts
	# learn, shards of the whole log
	run_recipe learn-ssh "s/ --cleanup / --cleanup --joblog jobs /"
	cmp learned.tsv <(xsell-learn --min-count 5 orders.tsv)
	[ "$(cut -f2 jobs | sort -u | tr '\n' ' ')" = "Host host1 host2 " ]
	# learn, a month's orders a part
	awk -F'\t' 'NR == 1 { h = $0; next }
	    { f = "orders-" substr($6, 1, 7) ".tsv"; if (!(f in seen)) { seen[f]; print h > f } print > f }' orders.tsv
	[ "$(ls orders-*.tsv | wc -l)" -gt 3 ]
	run_recipe learn-ssh-parts "s/ --cleanup / --cleanup --joblog jobs2 /"
	cmp learned.tsv <(xsell-learn --min-count 5 orders.tsv)
	[ "$(cut -f2 jobs2 | sort -u | tr '\n' ' ')" = "Host host1 host2 " ]
	# the pipeline, on pieces of the contexts
	rm -f ranked.tsv
	run_recipe pipeline-ssh "s/ --cleanup / --cleanup --joblog jobs3 /"
	[ "$(ls contexts.*.ranked | wc -l)" -eq 4 ]
	cmp ranked.tsv "$BATS_FILE_TMPDIR/data/ranked.tsv"
	[ "$(cut -f2 jobs3 | sort -u | tr '\n' ' ')" = "Host host1 host2 " ]
	# Nothing left on the hosts.
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/ssh/host1" "$BATS_TEST_TMPDIR/ssh/host2" | grep -v ':$' | grep .)" ]
	{ echo "# jobs on the hosts:"; cat jobs jobs2 jobs3 | cut -f1,2,9 | sed 's/^/#   /'; } >&3
}

@test "audit's event sums on four cores, merged: equal to one process, to the bit" {
	run_recipe audit-cores "s/ --header : / --header : --joblog jobs /"
	[ "$(wc -l < jobs)" -eq 5 ]
	xsell-audit --events events.tsv --by channel --min-acceptance 0.05 > one.tsv
	[ "$(wc -l < one.tsv)" -gt 20 ]
	cmp one.tsv performance.tsv
	for opts in "" "--what-if acceptance=0.2" "--by type relations.tsv" \
	    "--by category --catalog catalog.tsv"; do
		parallel --pipepart -a events.tsv --block -1 --header : \
		    xsell-audit --events - --counts $opts > sums.tsv
		xsell-audit --events sums.tsv --merge $opts | cmp - <(xsell-audit --events events.tsv $opts)
	done
}

@test "uplift sums on four cores, merged: the model one process writes" {
	cp holdout.tsv events.tsv
	run_recipe uplift-cores "s/ --header : / --header : --joblog jobs /"
	[ "$(wc -l < jobs)" -eq 5 ]
	xsell-learn --uplift --segment-by tier events.tsv > one.tsv
	[ "$(wc -l < one.tsv)" -gt 10 ]
	cmp one.tsv model.tsv
}

# `hadoop` is tests/hadoop-standin: Hadoop Streaming's contract, here.
with_hadoop() {
	mkdir -p hbin
	ln -sf "$ROOT/tests/hadoop-standin" hbin/hadoop
	PATH="$PWD/hbin:$PATH"
}

@test "Hadoop Streaming, by a stand-in: learn's counts reduced, and the pipeline mapped, equal one process" {
	with_hadoop
	mkdir orders contexts
	awk -F'\t' 'NR == 1 { h = $0; next }
	    { f = "orders/orders-" substr($6, 1, 7) ".tsv"; if (!(f in seen)) { seen[f]; print h > f } print > f }' orders.tsv
	cp contexts.tsv contexts/
	HADOOP_STANDIN_SPLITS=4 run_recipe hadoop-learn
	[ "$(ls counts/part-r-* | wc -l)" -eq 16 ]
	cmp learned.tsv <(xsell-learn --min-count 5 orders.tsv)
	HADOOP_STANDIN_SPLITS=4 run_recipe hadoop-pipeline
	[ "$(ls ranked/part-m-* | wc -l)" -eq 4 ]
	cmp ranked.tsv "$BATS_FILE_TMPDIR/data/ranked.tsv"
}

@test "the Hadoop stand-in keeps the contract: splits, words, partitions sorted by key, a failing task fails" {
	with_hadoop
	mkdir in
	printf 'k\tv\nb\t1\na\t2\nb\t3\nc\t4\na\t5\nnotab\n' > in/f.tsv
	HADOOP_STANDIN_SPLITS=3 hadoop jar x.jar -D mapreduce.job.reduces=2 \
	    -input in -output out -mapper cat -reducer "sh -c 'echo reduce; cat'"
	# Every key's lines in one partition, sorted, each a reduce task's.
	cat out/part-r-* | grep -v reduce | sort > got
	printf 'a\t2\na\t5\nb\t1\nb\t3\nc\t4\nk\tv\nnotab\t\n' > want
	cmp got want
	for p in out/part-r-*; do
		sed 1d "$p" | cut -f1 | sort -c
		[ "$(sed -n 1p "$p")" = "reduce	" ]
	done
	# Only the first split has the header; the word "a b" stays one.
	hadoop jar x.jar -D mapreduce.job.reduces=0 -input in -output m \
	    -mapper "sh -c 'head -1 | tr -d \"\\n\"; echo \" \$0\"' 'a b'"
	[ "$(cat m/part-m-* | wc -l)" -eq 3 ]
	[ "$(head -1 m/part-m-00000)" = "$(printf 'k\tv a b')" ]
	[ "$(grep -c '^k' m/part-m-*)" = "$(printf 'm/part-m-00000:1\nm/part-m-00001:0\nm/part-m-00002:0')" ]
	[ "$(grep -c ' a b$' m/part-m-* | cut -d: -f2 | tr '\n' ' ')" = "1 1 1 " ]
	run hadoop jar x.jar -input in -output f -mapper false
	assert_failure 1
	assert_output "hadoop-standin: task map-0: 'false' exited with status 1"
}
