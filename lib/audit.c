/*
 * audit.c: xsell-audit's shared state: the items, the catalog, orders
 * and offers loaded into it, and the output plumbing of the modes.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "intern.h"
#include "catalog.h"

/* "file:line", as rec_where has it: cut at 512 bytes. */
static const char *
where(char w[512], const char *name, long line)
{
	snprintf(w, 512, "%s:%ld", name, line);
	return w;
}

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

/* The catalog's columns, as catalog_load keeps them. */
enum { CAT_PRICE, CAT_STOCK };
enum { CAT_STATUS, CAT_CATEGORY };

/* A status's word (ST_*), and a category's id in cats, once a value. */
static void
catalog_words(const struct catalog *t, unsigned char **st,
    uint32_t **cat)
{
	const struct intern *v = &t->vals[CAT_STATUS], *c = &t->vals[CAT_CATEGORY];

	*st = xmalloc((size_t)v->n + 1);
	for (uint32_t i = 0; i < v->n; i++)
		(*st)[i] = (unsigned char)status_of(intern_str(v, i), intern_len(v, i));
	*cat = xreallocarray(NULL, (size_t)c->n + 1, sizeof **cat);
	for (uint32_t i = 0; i < c->n; i++)
		(*cat)[i] = INTERN_NONE;
}

/*
 * Catalog: product_id, price, stock, status, category. A product listed
 * twice keeps its first row (a finding); an unknown status counts as not
 * active (a finding). Categories take their ids in cats in the order of
 * the rows, as offers' do.
 */
void
audit_load_catalog(struct audit *a, const char *file)
{
	static const char *const num[] = { "price", "stock" };
	static const char *const txt[] = { "status", "category" };
	const struct catalog_spec spec = {
		.key = "product_id", .nnum = 2, .num = num, .ntxt = 2, .txt = txt,
		.flags = CATALOG_NONEMPTY | CATALOG_REPORT, .ids = &a->items,
		.empty = "column 'product_id': missing",
	};
	struct catalog t;
	unsigned char *st;
	uint32_t *cat;
	char w[512];

	a->fs.ran[C_DUPLICATE_PRODUCT] = a->fs.ran[C_UNKNOWN_STATUS] = 1;
	catalog_load(&t, file, &spec);
	if (a->items.n > a->item_cap)
		audit_items_grow(a, a->items.n);
	catalog_words(&t, &st, &cat);
	for (uint32_t row = 0; row < t.n; row++) {
		uint32_t id = catalog_item(&t, row), s, c;
		struct item *it = &a->item[id];

		it->cat_line = (uint32_t)t.line[row];
		it->price = catalog_num(&t, row, CAT_PRICE);
		it->out_of_stock = catalog_num(&t, row, CAT_STOCK) <= 0;
		s = catalog_txt(&t, row, CAT_STATUS);
		it->status = s == INTERN_NONE ? ST_ACTIVE : st[s];
		if (it->status == ST_OTHER)
			finding(&a->fs, C_UNKNOWN_STATUS, id, INTERN_NONE, 0,
			    "status \"%s\" is none of active, inactive, discontinued "
			    "(%s); not counted as active",
			    intern_str(&t.vals[CAT_STATUS], s),
			    where(w, t.name, t.line[row]));
		if ((c = catalog_txt(&t, row, CAT_CATEGORY)) == INTERN_NONE)
			continue;
		if (cat[c] == INTERN_NONE)
			cat[c] = intern_put(&a->cats,
			    intern_str(&t.vals[CAT_CATEGORY], c),
			    intern_len(&t.vals[CAT_CATEGORY], c));
		it->category = cat[c];
	}
	for (size_t i = 0; i < t.nrep; i++) {
		uint32_t first = t.rep[i].row;

		finding(&a->fs, C_DUPLICATE_PRODUCT, catalog_item(&t, first),
		    INTERN_NONE, 0, "listed again at %s (line %u kept)",
		    where(w, t.name, t.rep[i].line), (uint32_t)t.line[first]);
	}
	free(st);
	free(cat);
	catalog_free(&t);
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
	cq = rec_col(&r, "quantity");
	cp = rec_col(&r, "price");
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
	ccat = rec_col(&r, "category");
	while (rec_next(&r) == REC_ROW) {
		uint32_t id = item_put(a, r.f[cid], r.len[cid]);
		struct item *it = item_of(a, id);

		it->offer = 1;
		if (ccat >= 0 && r.len[ccat] && it->category == INTERN_NONE)
			it->category = intern_put(&a->cats, r.f[ccat], r.len[ccat]);
	}
	rec_close(&r);
}

