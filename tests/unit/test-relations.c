/* relations: links with file:line, indexed by subject; bodies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relations.h"
#include "tap.h"
#include "xsell.h"
#include "intern.h"

static char path[2][64];

static void
cleanup(void)
{
	unlink(path[0]);
	unlink(path[1]);
}

static void
write_file(const char *p, const char *text)
{
	FILE *fp = fopen(p, "wb");

	fputs(text, fp);
	fclose(fp);
}

int
main(void)
{
	struct intern items, types, sources;
	struct relations R;
	char w[128], got[128];
	uint32_t a, b, c;

	snprintf(path[0], sizeof path[0], "/tmp/xsell-test-rel0-%d", (int)getpid());
	snprintf(path[1], sizeof path[1], "/tmp/xsell-test-rel1-%d", (int)getpid());
	atexit(cleanup);
	write_file(path[0], "subject_id\tlinked_id\ttype\tposition\nA\tB\t\t1\n"
	    "C\tB\tupsell\t\nA\tC\t\t2\n");
	write_file(path[1], "subject_id\tlinked_id\tsource\tlift\nB,A\tC\tlearned\t3\n");
	intern_init(&items);
	intern_init(&types);
	intern_init(&sources);
	relations_init(&R, &items, &types, &sources, REL_BODIES);
	relations_load(&R, path[0]);
	relations_load(&R, path[1]);
	relations_index(&R, items.n);
	a = intern_find(&items, "A", 1);
	b = intern_find(&items, "B", 1);
	c = intern_find(&items, "C", 1);
	ok(R.ne == 4 && R.start[a + 1] - R.start[a] == 2 &&
	    R.e[R.start[a]].linked == b && R.e[R.start[a] + 1].linked == c &&
	    R.e[R.start[a] + 1].pos == 2, "links of a subject, in input order");
	ok(R.e[R.start[c]].type == intern_find(&types, "upsell", 6) &&
	    R.e[R.start[a]].type == R.deftype &&
	    R.e[R.start[a]].src == R.defsrc, "types, sources, defaults");
	ok(R.nbody == 1 && R.istart[a + 1] - R.istart[a] == 1 &&
	    R.start[b] == R.start[b + 1] &&
	    R.e[R.bstart[0]].lift == 3, "a body, indexed by its first item");
	snprintf(w, sizeof w, "%s:4", path[0]);
	ok(strcmp(relations_where(&R, &R.e[R.start[a] + 1], got,
	    sizeof got), w) == 0, "file:line of a link");
	snprintf(w, sizeof w, "%s:2", path[1]);
	ok(strcmp(relations_where(&R, &R.e[R.bstart[0]], got, sizeof got), w) == 0,
	    "file:line of a link in the second file");
	relations_free(&R);
	intern_free(&items);
	intern_free(&types);
	intern_free(&sources);
	return tap_done();
}
