/*
 * audit.c: xsell-audit's shared state: the items, the catalog, orders
 * and offers loaded into it, and the output plumbing of the modes.
 */
#include <sys/stat.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "intern.h"

const char *const type_words[] = {
	"cross_sell", "upsell", "substitute", "bundle", NULL
};

void
audit_init(struct audit *a, const struct audit_opts *opt)
{
	memset(a, 0, sizeof *a);
	a->opt = opt;
	intern_init_wide(&a->items);
	intern_init(&a->cats);
	intern_init(&a->words);
	buf_init(&a->fs.fdetail);
}

/* Room for n items, the new ones as an id not seen anywhere. */
void
audit_items_grow(struct audit *a, size_t n)
{
	a->item = xreallocarray(a->item, n, sizeof *a->item);
	for (size_t i = a->item_cap; i < n; i++) {
		memset(&a->item[i], 0, sizeof a->item[i]);
		a->item[i].price = NAN;
		a->item[i].category = INTERN_NONE;
	}
	a->item_cap = n;
}

void
show_para(struct audit *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vparaf(a->as_report ? a->out : NULL, a->html, fmt, ap);
	va_end(ap);
}

/* Counts per check that ran, as a table and a bar chart. */
void
show_check_counts(struct audit *a)
{
	static const char *const cols[] = { "check", "severity", "findings" };
	struct rtable t;
	char n[32];

	rtable_init(&t, "Findings per check", 3, cols);
	rtable_numeric(&t, 2);
	t.bar = 2;
	t.sev = 1;
	for (int i = 0; i < 3 * NCHECK; i++) {
		/* errors first, then warnings, then info */
		int k = i % NCHECK;
		const char *v[3];

		if (!a->fs.ran[k] || checks[k].sev != SEV_ERROR - i / NCHECK)
			continue;
		snprintf(n, sizeof n, "%zu", a->fs.ncheck[k]);
		v[0] = checks[k].name;
		v[1] = sev_words[checks[k].sev];
		v[2] = n;
		rtable_row(&t, v);
		if (!a->fs.ncheck[k])
			rtable_row_sev(&t, -1);	/* a check that found nothing */
	}
	show_table(a, &t);
}

/*
 * Catalog rows wait in batches for their ids, as the relations' do (see
 * rq in audit-relations.c): a batch's slots are prefetched as its rows come, and looked
 * up, in row order, when it is full. What a row says is kept with it.
 */
enum { CBATCH = 64 };
struct crow {
	uint64_t h;
	size_t id, idlen;	/* in cq->buf, as the texts below */
	size_t cat, catlen;	/* category; catlen 0: none */
	size_t st, stlen;	/* the status, when it is none of the words */
	long line;
	double price, stock;
	unsigned char status;
};
struct cq {
	struct crow row[CBATCH];
	int n;
	struct buf buf;
	const char *name;	/* the catalog as messages name it */
};

static size_t
cq_text(struct cq *cq, const char *s, size_t n)
{
	size_t off = cq->buf.len;

	buf_put(&cq->buf, s, n);
	buf_putc(&cq->buf, '\0');
	return off;
}

/* "catalog:line" of a row, as rec_where has it: cut at 512 bytes. */
static const char *
cq_where(const struct cq *cq, char w[512], const struct crow *c)
{
	snprintf(w, 512, "%s:%ld", cq->name, c->line);
	return w;
}

/* A product listed twice keeps its first row (a finding); an unknown
 * status counts as not active (a finding). */
static void
cq_flush(struct audit *a, struct cq *cq)
{
	for (int i = 0; i < cq->n; i++) {
		const struct crow *c = &cq->row[i];
		uint32_t id = intern_put_hash(&a->items, cq->buf.s + c->id, c->idlen, c->h);
		struct item *it = item_of(a, id);
		char w[512];

		if (it->cat_line) {
			finding(&a->fs, C_DUPLICATE_PRODUCT, id, INTERN_NONE, 0,
			    "listed again at %s (line %u kept)", cq_where(cq, w, c),
			    it->cat_line);
			continue;
		}
		it->cat_line = (uint32_t)c->line;
		it->price = c->price;
		it->out_of_stock = c->stock <= 0;
		it->status = c->status;
		if (it->status == ST_OTHER)
			finding(&a->fs, C_UNKNOWN_STATUS, id, INTERN_NONE, 0,
			    "status \"%s\" is none of active, inactive, discontinued "
			    "(%s); not counted as active", cq->buf.s + c->st,
			    cq_where(cq, w, c));
		if (c->catlen)
			it->category = intern_put(&a->cats, cq->buf.s + c->cat, c->catlen);
	}
	cq->n = 0;
	buf_reset(&cq->buf);
}

/*
 * Room for the catalog's ids at once, where its size says about how many
 * rows it has (a TSV file, by the bytes of its first rows): no table
 * rebuilt on the way. A guess wrong either way costs time, not output.
 */
static void
catalog_reserve(struct audit *a, const char *file, const struct rec *r,
    size_t rows, size_t bytes)
{
	struct stat st;
	double n;

	if (r->fmt != REC_TSV || strcmp(file, "-") == 0 || stat(file, &st) != 0 ||
	    !S_ISREG(st.st_mode) || bytes == 0)
		return;
	n = (double)st.st_size / ((double)bytes / (double)rows) * 1.1 + 64;
	if (n < 1e8)
		items_reserve(a, a->items.n + (size_t)n);
}

/* A number of a catalog row (NaN: none), or 0 where rec_num would die. */
static int
cat_num(const struct rec *r, int col, double *v)
{
	*v = NAN;
	return col < 0 || r->len[col] == 0 || !num_parse(r->f[col], r->len[col], v);
}

/*
 * A price or stock that is not a number stops the audit (rec_num says
 * where), unless the row lists a product again: its numbers were never
 * read. Whether it does, the rows before it tell, once the batch they
 * wait in is looked up; then the row goes on as a listing again.
 */
static void
cat_bad_number(struct audit *a, struct cq *cq, const struct rec *r, int cid,
    int cprice, int cstock)
{
	uint32_t id;

	cq_flush(a, cq);
	id = intern_find(&a->items, r->f[cid], r->len[cid]);
	if (id == INTERN_NONE || !a->item[id].cat_line) {
		rec_num(r, cprice, NAN);
		rec_num(r, cstock, NAN);
	}
}

/* Catalog: product_id, price, stock, status, category. */
void
audit_load_catalog(struct audit *a, const char *file)
{
	struct rec r = { 0 };
	char *files[1] = { (char *)file };
	int cid, cprice, cstock, cstatus, ccat;
	size_t rows = 0, bytes = 0;
	struct cq q, *cq = &q;

	rec_open(&r, 1, files);
	cid = rec_need(&r, "product_id");
	cprice = column(&r, "price");
	cstock = column(&r, "stock");
	cstatus = column(&r, "status");
	ccat = column(&r, "category");
	a->fs.ran[C_DUPLICATE_PRODUCT] = a->fs.ran[C_UNKNOWN_STATUS] = 1;
	cq->n = 0;
	buf_init(&cq->buf);
	cq->name = r.name;
	while (rec_next(&r) == REC_ROW) {
		struct crow *c;
		double price, stock = NAN;	/* stays NaN when price is bad */

		if (r.len[cid] == 0)
			die(XS_INPUT, "%s: column 'product_id': missing", rec_where(&r));
		if (!cat_num(&r, cprice, &price) || !cat_num(&r, cstock, &stock))
			cat_bad_number(a, cq, &r, cid, cprice, cstock);
		c = &cq->row[cq->n++];
		c->price = price;
		c->stock = stock;
		c->idlen = r.len[cid];
		c->h = xs_hash(r.f[cid], c->idlen);
		intern_prefetch(&a->items, c->h);
		c->id = cq_text(cq, r.f[cid], c->idlen);
		c->line = r.line;
		c->status = cstatus < 0 ? ST_ACTIVE :
		    (unsigned char)status_of(r.f[cstatus], r.len[cstatus]);
		if (c->status == ST_OTHER)
			c->st = cq_text(cq, r.f[cstatus], r.len[cstatus]);
		c->catlen = ccat >= 0 ? r.len[ccat] : 0;
		if (c->catlen)
			c->cat = cq_text(cq, r.f[ccat], c->catlen);
		if (cq->n == CBATCH)
			cq_flush(a, cq);
		if (rows < 256) {
			for (int i = 0; i < r.ncols; i++)
				bytes += r.len[i] + 1;
			if (++rows == 256)
				catalog_reserve(a, file, &r, rows, bytes);
		}
	}
	cq_flush(a, cq);
	buf_free(&cq->buf);
	rec_close(&r);
	a->have_catalog = 1;
}

/* Orders: revenue per product = quantity x price (price from the
 * catalog where the order line has none). */
void
audit_load_orders(struct audit *a, const char *file)
{
	struct rec r = { 0 };
	char *files[1] = { (char *)file };
	int cid, cq, cp;
	size_t unpriced = 0;
	double mag = 0;		/* bounds every total below, whatever the signs */

	rec_open(&r, 1, files);
	rec_need(&r, "order_id");
	cid = rec_need(&r, "product_id");
	cq = column(&r, "quantity");
	cp = column(&r, "price");
	while (rec_next(&r) == REC_ROW) {
		uint32_t id = item_put(a, r.f[cid], r.len[cid]);
		struct item *it = item_of(a, id);
		double q = field_num(&r, cq, 1), p = field_num(&r, cp, NAN);

		if (isnan(p))
			p = it->price;
		if (isnan(p)) {
			unpriced++;
			continue;
		}
		mag += fabs(q * p);
		if (!isfinite(mag))
			num_overflow(rec_where(&r), "price");
		it->revenue += q * p;
		a->total_revenue += q * p;
	}
	if (unpriced)
		note("%s: %zu order lines without a price in the order or the "
		    "catalog count no revenue", file, unpriced);
	rec_close(&r);
	a->have_orders = 1;
}

/* Offers: offer_id, category. Offers are candidates that are tracked. */
void
audit_load_offers(struct audit *a, const char *file)
{
	struct rec r = { 0 };
	char *files[1] = { (char *)file };
	int cid, ccat;

	rec_open(&r, 1, files);
	cid = rec_need(&r, "offer_id");
	ccat = column(&r, "category");
	while (rec_next(&r) == REC_ROW) {
		uint32_t id = item_put(a, r.f[cid], r.len[cid]);
		struct item *it = item_of(a, id);

		it->offer = 1;
		if (ccat >= 0 && r.len[ccat] && it->category == INTERN_NONE)
			it->category = intern_put(&a->cats, r.f[ccat], r.len[ccat]);
	}
	rec_close(&r);
}

