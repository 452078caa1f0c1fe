# bash completion for the xsell tools: xsell-import, xsell-learn,
# xsell-qualify, xsell-score, xsell-rank and xsell-audit.
# Installed by make install as bash-completion's file for each tool; or
# source it from ~/.bashrc.
#
# A tool's long options are read from its own --help (once per shell),
# so a new option completes without an edit here; what an option's
# argument can be is the table in _xsell_arg.

# ---- table (the same in _xsell, for zsh) ----
# _xsell_arg TOOL OPTION: what OPTION's argument is, as a first word
#   file     a file name
#   words    one of the words after it
#   list     a comma list of the words after it
#   columns  a column of the input (rank) or of the --events file (audit)
#   fields   a comma list of columns of the --catalog file and the input
#   text     anything (nothing to offer)
# and nothing when OPTION is not in the table: then a file name, as for
# an operand (the options that take no argument are not in it).
_xsell_arg() {
	case "$1 $2" in
	*" -o"|*" --output") echo file ;;
	"xsell-import --kind"|"xsell-import -k")
		echo words catalog relations orders customers offers events ;;
	"xsell-import --returns") echo words drop keep ;;
	"xsell-import --rejects"|"xsell-import --merge") echo file ;;
	"xsell-import --map"|"xsell-import -m"|"xsell-import --delimiter"|\
	"xsell-import -d"|"xsell-import --exclude"|"xsell-import -x") echo text ;;
	"xsell-learn --basket") echo words order customer ;;
	"xsell-learn --sort-by")
		echo words count support confidence lift jaccard cosine leverage \
		    conviction chi2 pvalue ;;
	"xsell-learn --measures")
		echo list jaccard cosine leverage conviction chi2 pvalue all ;;
	"xsell-learn --type") echo words upsell substitute ;;
	"xsell-learn --learner") echo words t x logistic-t ;;
	"xsell-learn --outcome") echo words converted revenue ;;
	"xsell-learn --catalog") echo file ;;
	"xsell-learn --shard"|"xsell-learn --segment-by"|"xsell-learn --now") echo text ;;
	"xsell-qualify --type") echo list cross_sell upsell substitute bundle ;;
	"xsell-qualify -r") echo text ;;
	"xsell-rank --by"|"xsell-rank --per") echo columns ;;
	"xsell-rank --with") echo fields ;;
	"xsell-rank --fallback") echo list managed learned popular offer ;;
	"xsell-rank --period") echo words day week month ;;
	"xsell-rank --top"|"xsell-rank --max-per-category"|"xsell-rank --holdout"|\
	"xsell-rank --seed"|"xsell-rank --cap"|"xsell-rank --now") echo text ;;
	"xsell-score --weights"|"xsell-score --uplift-weight") echo text ;;
	"xsell-audit --by") echo words category channel type source link subject ;;
	"xsell-audit --fail-on") echo words info warning error ;;
	"xsell-audit --score") echo columns ;;
	"xsell-audit --max-links"|"xsell-audit --max-age"|"xsell-audit --now"|\
	"xsell-audit --min-acceptance"|"xsell-audit --what-if"|\
	"xsell-audit --holdout") echo text ;;
	esac
}
# ---- end of table ----

# The long options of COMMAND (as typed: a path or a name on $PATH),
# from its --help, and the six every tool has; kept for the session.
# --help is the usage, an empty line, then one line per option: the
# option's names, two spaces and what it does, which may name other
# options; only the usage and the names are read.
declare -gA _xsell_opts_of
_xsell_options() {
	if [ -z "${_xsell_opts_of[$1]-}" ]; then
		_xsell_opts_of[$1]=$( { "$1" --help 2>&1 | awk 'NF == 0 { o = 1 }
		    o && !/^ *-/ { next } o { sub(/^ +/, ""); sub(/  .*/, "") } 1'
		    echo --json --output \
		    --quiet --verbose --help --version; } |
		    grep -oE -- '--[a-z][a-z0-9-]*' | sort -u | tr '\n' ' ')
	fi
	echo "${_xsell_opts_of[$1]}"
}

# The column names in the header of FILE, when it is TSV.
_xsell_header() {
	[ -f "$1" ] && [ -r "$1" ] || return
	local line
	IFS= read -r line < "$1"
	line=${line%$'\r'}
	case ${line#"${line%%[![:space:]]*}"} in "{"*) return ;; esac	# JSON
	echo "${line//$'\t'/ }"
}

# Completes $cur as a comma list of the words given: the word after the
# last comma, keeping what is before it.
_xsell_list() {
	local head= last=$cur w
	case $cur in *,*) head=${cur%,*}, last=${cur##*,} ;; esac
	for w in $(compgen -W "$*" -- "$last"); do
		COMPREPLY+=("$head$w")
	done
	compopt -o nospace 2>/dev/null
}

_xsell() {
	local cmd=$1 tool=${1##*/} cur=${COMP_WORDS[COMP_CWORD]} i=$COMP_CWORD
	local prev= kind words w file=
	((i > 0)) && prev=${COMP_WORDS[i - 1]}
	# --opt=value: bash splits it at the =.
	if [ "$cur" = = ]; then
		prev=${COMP_WORDS[i - 1]} cur=
	elif [ "$prev" = = ] && ((i > 1)); then
		prev=${COMP_WORDS[i - 2]}
	fi
	COMPREPLY=()
	case $cur in
	--*)
		COMPREPLY=($(compgen -W "$(_xsell_options "$cmd")" -- "$cur"))
		return
		;;
	esac
	case $prev in
	-*) set -- $(_xsell_arg "$tool" "$prev") ;;
	*) set -- ;;
	esac
	kind=${1-file}
	[ $# -gt 0 ] && shift
	case $kind in
	words)
		COMPREPLY=($(compgen -W "$*" -- "$cur"))
		;;
	list)
		_xsell_list "$@"
		;;
	columns|fields)
		# the input: rank's first operand that follows no option, or
		# audit's --events file; and the --catalog file
		local cat=
		for ((w = 1; w < ${#COMP_WORDS[@]}; w++)); do
			[ "$w" -eq "$COMP_CWORD" ] && continue
			case ${COMP_WORDS[w - 1]} in
			--catalog) cat=${COMP_WORDS[w]} ;;
			=) [ "${COMP_WORDS[w - 2]}" = --catalog ] && cat=${COMP_WORDS[w]} ;;
			esac
			[ -n "$file" ] && continue
			if [ "$tool" = xsell-audit ]; then
				[ "${COMP_WORDS[w - 1]}" = --events ] && file=${COMP_WORDS[w]}
			elif [[ ${COMP_WORDS[w]} != -* && ${COMP_WORDS[w - 1]} != -* &&
			    ${COMP_WORDS[w - 1]} != = && -f ${COMP_WORDS[w]} ]]; then
				file=${COMP_WORDS[w]}
			fi
		done
		if [ "$kind" = columns ]; then
			COMPREPLY=($(compgen -W "$(_xsell_header "$file")" -- "$cur"))
		else
			_xsell_list $(printf '%s\n' $(_xsell_header "$cat") \
			    $(_xsell_header "$file") | sort -u)
		fi
		;;
	text)
		;;
	*)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	esac
}

complete -F _xsell xsell-import xsell-learn xsell-qualify xsell-score \
    xsell-rank xsell-audit
