# Sourced by each stage in scripts/demo.d (scripts/demo sets DEMO_LIB).

# run COMMAND [ARG ...]: shows the command as a reader would type it, then
# runs it.
run() {
	printf '$'
	for a in "$@"; do
		case $a in
		*[!A-Za-z0-9_./=:,-]*) printf " '%s'" "$a" ;;
		*) printf ' %s' "$a" ;;
		esac
	done
	printf '\n'
	"$@"
}
