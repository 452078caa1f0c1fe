/* group: rows handed out a context at a time, grouped or not. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "group.h"
#include "catalog.h"
#include "tap.h"
#include "xsell.h"
#include "buf.h"
#include "rec.h"
#include "intern.h"

static char path[64];

static void
cleanup(void)
{
	unlink(path);
}

static void
write_file(const char *text)
{
	FILE *fp = fopen(path, "wb");

	fputs(text, fp);
	fclose(fp);
}

/* The groups as "k:row,row;" with each row's second field. */
static char *
groups(int mode)
{
	struct rec r;
	struct group g;
	struct buf b;
	char *files[1] = { path };

	memset(&r, 0, sizeof r);
	buf_init(&b);
	rec_open(&r, 1, files);
	group_init(&g, &r, 0, mode, "--buffer");
	while (group_next(&g)) {
		buf_printf(&b, "%s:", group_f(&g, 0)[0]);
		for (size_t i = 0; i < g.n; i++)
			buf_printf(&b, "%s%s", i ? "," : "", group_f(&g, i)[1]);
		buf_putc(&b, ';');
	}
	group_free(&g);
	rec_close(&r);
	buf_str(&b);
	return b.s;
}

int
main(void)
{
	struct catalog t;
	static const char *const num[] = { "price", "cost" };
	static const char *const txt[] = { "category", "nope" };
	static const char *const need[] = { "price", NULL };
	struct catalog_spec spec = { .key = "product_id", .nnum = 2, .num = num,
	    .ntxt = 2, .txt = txt };
	struct intern ids;
	size_t n;
	char *s;
	uint32_t row;

	snprintf(path, sizeof path, "/tmp/xsell-test-group-%d", (int)getpid());
	atexit(cleanup);
	write_file("ctx\tv\nA\t1\nA\t2\nB\t3\nC\t4\nC\t5\n");
	is_str(s = groups(GROUP_STREAM), "A:1,2;B:3;C:4,5;", "stream");
	free(s);
	is_str(s = groups(GROUP_BUFFER), "A:1,2;B:3;C:4,5;", "buffer, grouped");
	free(s);
	is_str(s = groups(GROUP_ALL), "A:1,2,3,4,5;", "all");
	free(s);
	is_str(s = groups(GROUP_ROW), "A:1;A:2;B:3;C:4;C:5;", "row");
	free(s);
	write_file("ctx\tv\nA\t1\nB\t2\nA\t3\nC\t4\nB\t5\n");
	is_str(s = groups(GROUP_BUFFER), "A:1,3;B:2,5;C:4;",
	    "buffer: first appearance order, rows in input order");
	free(s);
	write_file("ctx\tv\n");
	is_str(s = groups(GROUP_STREAM), "", "header only: no group");
	free(s);
	is_str(s = groups(GROUP_ALL), "", "header only: no group at all");
	free(s);

	write_file("product_id\tprice\tcost\tcategory\nP1\t10\t4\tlamp\n"
	    "P2\t5\t\t\n");
	catalog_load(&t, path, &spec);
	row = catalog_find(&t, "P1", 2);
	ok(row == 0 && catalog_num(&t, row, 0) == 10 &&
	    catalog_num(&t, row, 1) == 4 && t.line[row] == 2, "catalog: numbers");
	ok((s = (char *)catalog_text(&t, row, 0, &n)) && n == 4 &&
	    memcmp(s, "lamp", 4) == 0, "catalog: text");
	row = catalog_find(&t, "P2", 2);
	ok(catalog_num(&t, row, 1) != catalog_num(&t, row, 1) &&
	    catalog_txt(&t, row, 0) == INTERN_NONE, "catalog: missing values");
	ok(t.hastxt[0] && !t.hastxt[1] && catalog_txt(&t, row, 1) == INTERN_NONE,
	    "catalog: an absent column");
	ok(catalog_find(&t, "P3", 2) == INTERN_NONE, "catalog: unknown id");
	catalog_free(&t);

	/* Ids in a caller's map, every column kept, a repeat listed. */
	intern_init(&ids);
	intern_put(&ids, "X", 1);
	write_file("product_id\tprice\nP2\t1\nP1\t2\nP2\tnot a number\n");
	spec.ids = &ids;
	spec.need = need;
	spec.flags = CATALOG_ALL | CATALOG_REPORT;
	catalog_load(&t, path, &spec);
	ok(t.n == 2 && catalog_item(&t, 0) == 1 && catalog_row_of(&t, 2) == 1 &&
	    catalog_row_of(&t, 0) == INTERN_NONE &&
	    catalog_find(&t, "P1", 2) == 1 &&
	    strcmp(catalog_id(&t, 1, &n), "P1") == 0 && n == 2,
	    "catalog: a caller's map");
	ok(t.nrep == 1 && t.rep[0].row == 0 && t.rep[0].line == 4,
	    "catalog: a repeat listed, its numbers never read");
	ok(t.ncols == 2 && catalog_col(&t, "price") == 1 &&
	    strcmp(catalog_cell(&t, 1, 1, &n), "2") == 0 && n == 1,
	    "catalog: every column as text");
	catalog_numbers(&t);
	ok(t.cellnum[3] == 2, "catalog: cells as numbers");
	catalog_free(&t);
	intern_free(&ids);
	return tap_done();
}
