/*
 * scorer.c: the engine of xsell-score (see scorer.h): each candidate's
 * factors from its own columns, the side files and the models, the
 * impact scale of its context, its score (the formula first: weights,
 * normalisations, contributions), and the output with explain.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "scorer.h"
#include "uplift.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "out.h"
#include "intern.h"

/* ---- the score: weights, normalisations, contributions ---- */

const char factor_letter[NFACTOR + 1] = "PRIE";

const char *
weights_sum_check(const double w[NFACTOR], char *msg, size_t msglen)
{
	double sum = 0;
	char nb[NUM_BUF];

	for (int k = 0; k < NFACTOR; k++)
		sum += w[k];
	if (fabs(sum - 1) <= 1e-9)
		return NULL;
	num_fmt(sum, nb);
	snprintf(msg, msglen, "weights sum to %s, not 1", nb);
	return msg;
}

const char *
weights_parse(const char *s, struct weights *w, char *msg, size_t msglen)
{
	const char *p = s, *end = s + strlen(s), *item;
	size_t n;
	int seen[NFACTOR] = { 0 };
	double v[NFACTOR];

	while (list_next(&p, end, &item, &n)) {
		const char *eq = memchr(item, '=', n), *err, *at = NULL;
		int k, c = toupper((unsigned char)item[0]);

		if (!eq || eq - item != 1 || !c ||
		    !(at = strchr(factor_letter, c))) {
			snprintf(msg, msglen, "\"%.*s\" is not P=, R=, I= or E= "
			    "with a number", (int)n, item);
			return msg;
		}
		k = (int)(at - factor_letter);
		if (seen[k]++) {
			snprintf(msg, msglen, "%c given twice", factor_letter[k]);
			return msg;
		}
		if ((err = num_parse(eq + 1, n - 2, &v[k]))) {
			snprintf(msg, msglen, "%c: %s: \"%.*s\"", factor_letter[k],
			    err, (int)(n - 2), eq + 1);
			return msg;
		}
		if (v[k] < 0 || v[k] > 1) {
			snprintf(msg, msglen, "%c: %.*s is not in [0, 1]",
			    factor_letter[k], (int)(n - 2), eq + 1);
			return msg;
		}
	}
	for (int k = 0; k < NFACTOR; k++) {
		if (!seen[k]) {
			snprintf(msg, msglen, "%c is missing (name P, R, I and E)",
			    factor_letter[k]);
			return msg;
		}
	}
	if (weights_sum_check(v, msg, msglen))
		return msg;
	memcpy(w->w, v, sizeof v);
	return NULL;
}

double
norm_clamp(double x)
{
	if (isnan(x))
		return x;
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

double
norm_lift(double lift)
{
	if (isnan(lift))
		return lift;
	if (!(lift > 0))
		return 0;
	if (isinf(lift))
		return 1;
	return lift / (1 + lift);
}

double
norm_position(double pos)
{
	if (isnan(pos))
		return pos;
	if (!(pos > 0))
		return 0;
	return pos <= 1 ? 1 : 1 / pos;
}

double
norm_uplift(double cate, double maxabs)
{
	double u;

	if (isnan(cate))
		return cate;
	if (!(maxabs > 0))
		return 0;
	u = cate / maxabs;
	return u < -1 ? -1 : u > 1 ? 1 : u;
}

void
score_compute(const struct weights *w, const double x[NFACTOR], double u,
    struct score_parts *out)
{
	double base = 0, m;

	/*
	 * base is a weighted mean of factors in [0, 1], so at most 1; but
	 * the weights sum to 1 only within 1e-9, and rounding adds up
	 * (0.33 + 0.56 + 0.11 is 1.0000000000000002). A contribution that
	 * would take base past 1 is cut to 1 - base, which then adds to
	 * exactly 1 (exact subtraction for base >= 0.5 by Sterbenz, an
	 * error under half an ulp of 1 below), so the contributions still
	 * sum to the score.
	 */
	for (int k = 0; k < NFACTOR; k++) {
		double c = isnan(x[k]) ? 0 : w->w[k] * x[k];

		if (base + c > 1)
			c = 1 - base;
		out->contrib[k] = c;
		base += c;
	}
	m = 1 + w->u * (isnan(u) ? 0 : u);
	out->mult = m > 0 ? m : 0;
	out->base = base;
	/* base*mult - base: zero exactly when mult is 1, and -base exactly
	 * when it is 0. The score is the sum, which may differ from
	 * base*mult in the last place or so. */
	out->contrib[NFACTOR] = base * out->mult - base;
	out->score = base + out->contrib[NFACTOR];
}

/* ---- the engine ---- */

/* Catalog and offers columns kept in the side tables. */
enum { CAT_PRICE, CAT_COST };
enum { OFF_BV, OFF_RV };

/* The inputs a factor can come from, as explain names them. */
static const char *const input_name[] = {
	NULL, "propensity", "confidence", "relevance", "lift", "impact",
	"business_value", "margin", "emphasis", "position", "model", "uplift",
	"treated_rate"
};
enum {
	IN_NONE, IN_PROPENSITY, IN_CONFIDENCE, IN_RELEVANCE, IN_LIFT,
	IN_IMPACT, IN_BV, IN_MARGIN, IN_EMPHASIS, IN_POSITION, IN_MODEL,
	IN_UPLIFT, IN_TREATED, NINPUT
};

/* Where a margin's price and cost came from, for -v. */
enum { M_ROW, M_CATALOG, M_BOTH, NMSRC };
static const char *const msrc_name[NMSRC] = {
	"with the row's price and cost", "with --catalog's price and cost",
	"with the row's price or cost and --catalog's"
};

#define NPART (NFACTOR + 1)	/* P R I E and U */

/* Per-channel weights from --weights-file. */
struct wtab {
	struct intern ch;
	struct weights *w;
	int dflt;		/* row of "*", or -1 */
	struct intern warned;	/* channels without a row, said once */
};

/* One candidate while its context is being scored. */
struct cand {
	double raw[NPART];	/* each part's input value, NaN missing */
	int in[NPART];		/* where it came from, IN_* */
	double x[NPART];	/* normalised (x[NFACTOR] is u) */
	double value;		/* margin, or revenue_value of an offer */
	int msrc;		/* M_*: where the margin came from */
	double cate;
	int ctx;		/* context slot for the impact scale */
	const struct weights *w;
};

struct cols {
	int ctx, cid, source, channel, propensity, confidence, relevance;
	int lift, impact, emphasis, position, bv, rv, uplift, price, cost;
};

/* -v: how many rows took each part from each input, and margins from
 * where. */
struct seen {
	uint64_t from[NFACTOR + 1][NINPUT];
	uint64_t margin[NMSRC];
};

/* Output: the input's columns, then these (explain ones with --explain). */
enum { OWN_SCORE, OWN_EV, OWN_IV, NOWN_BASE };
static const char *const part_prefix[NPART] = { "p", "r", "i", "e", "u" };
static const char *const explain_field[] = {
	"input", "raw", "value", "weight", "contribution"
};
#define NEXPLAIN 5

struct out {
	struct layout l;
	struct writer w;
	FILE *fp;
	int own[NOWN_BASE + NPART * NEXPLAIN + 1];	/* output index or -1 */
	int nown;
	char **v;
	size_t *len;
	struct buf ex;			/* JSON explain object */
	char nb[NOWN_BASE + NPART * NEXPLAIN][NUM_BUF];
};

struct scorer {
	struct scorer_opts o;
	struct catalog catalog, offers;
	struct wtab wtab;
	struct uplift_model *model;	/* --uplift-model */
	/* --propensity-model: an uplift model read for its treated rates. */
	struct uplift_model *pmodel;
	int have_catalog, have_offers, have_model, have_pmodel;
	int margins;	/* from --catalog or the rows' price and cost */
	struct seen seen;
	/* while scoring */
	struct cols k;
	struct group g;
	int mode;		/* GROUP_* */
	struct out u;
	struct cand *cs;
	size_t cscap, maxcap;
	double *maxm;		/* the largest margin, per context slot */
	struct intern ctxs;	/* GROUP_ALL: context -> slot */
};

static void
load_weights_file(struct scorer *S, const char *file)
{
	struct rec r;
	char *files[1] = { (char *)file };
	int ch, c[NFACTOR], cu;
	char msg[128];

	memset(&r, 0, sizeof r);
	intern_init(&S->wtab.ch);
	intern_init(&S->wtab.warned);
	S->wtab.dflt = -1;
	rec_open(&r, 1, files);
	if ((ch = rec_need(&r, "channel")) < 0) {
		rec_close(&r);
		return;
	}
	for (int k = 0; k < NFACTOR; k++) {
		char name[2] = { factor_letter[k], 0 };

		c[k] = rec_need(&r, name);
	}
	cu = rec_col(&r, "U");
	while (rec_next(&r) != REC_END) {
		uint32_t before = S->wtab.ch.n, id;
		struct weights *w;

		id = intern_put(&S->wtab.ch, r.f[ch], r.len[ch]);
		if (S->wtab.ch.n == before)
			die(XS_INPUT, "%s: channel '%.60s' given twice",
			    rec_where(&r), r.f[ch]);
		S->wtab.w = xreallocarray(S->wtab.w, S->wtab.ch.n,
		    sizeof *S->wtab.w);
		w = &S->wtab.w[id];
		for (int k = 0; k < NFACTOR; k++) {
			w->w[k] = rec_num(&r, c[k], NAN);
			if (!(w->w[k] >= 0 && w->w[k] <= 1))
				die(XS_INPUT, "%s: column '%c': %s", rec_where(&r),
				    factor_letter[k], isnan(w->w[k]) ?
				    "missing" : "not in [0, 1]");
		}
		if (weights_sum_check(w->w, msg, sizeof msg))
			die(XS_INPUT, "%s: %s", rec_where(&r), msg);
		w->u = rec_num(&r, cu, S->o.w.u);
		if (!(w->u >= 0 && w->u <= 2))
			die(XS_INPUT, "%s: column 'U': not in [0, 2]",
			    rec_where(&r));
		if (r.len[ch] == 1 && r.f[ch][0] == '*')
			S->wtab.dflt = (int)id;
	}
	rec_close(&r);
}

/*
 * Weights for a candidate's channel: its row, the "*" row, or --weights.
 * A channel without a row of its own is said once, by name: a typo or a
 * channel list would otherwise take other weights silently.
 */
static const struct weights *
weights_for(struct scorer *S, const char *ch, size_t n)
{
	uint32_t id, before;

	if (!S->o.weights_file)
		return &S->o.w;
	if ((id = intern_find(&S->wtab.ch, ch, n)) != INTERN_NONE)
		return &S->wtab.w[id];
	before = S->wtab.warned.n;
	if (n && (intern_put(&S->wtab.warned, ch, n),
	    S->wtab.warned.n > before))
		warning("%s: no row for channel '%.*s'%s: its candidates take %s",
		    S->o.weights_file, (int)(n > 60 ? 60 : n), ch,
		    memchr(ch, ',', n) ? " (a list: xsell-qualify makes one "
		    "placement per channel)" : "", S->wtab.dflt >= 0 ?
		    "the '*' row" : "--weights");
	return S->wtab.dflt >= 0 ? &S->wtab.w[S->wtab.dflt] : &S->o.w;
}

static int
field_is(char *const *f, const size_t *len, int col, const char *s)
{
	size_t n = strlen(s);

	return col >= 0 && len[col] == n && memcmp(f[col], s, n) == 0;
}

static int
has(const size_t *len, int col)
{
	return col >= 0 && len[col] > 0;
}

/* A factor from its own column, else from the fallback input. */
static void
pick(struct cand *c, int part, const struct group *g, size_t i, int col,
    int in, int altcol, int altin)
{
	const size_t *len = group_len(g, i);

	c->raw[part] = NAN;
	c->in[part] = IN_NONE;
	if (has(len, col)) {
		c->raw[part] = group_num(g, i, col, NAN);
		c->in[part] = in;
	} else if (has(len, altcol)) {
		c->raw[part] = group_num(g, i, altcol, NAN);
		c->in[part] = altin;
	}
}

/* Everything about row i except the impact scale of its context. */
static void
read_cand(struct scorer *S, struct cand *c, const struct group *g, size_t i,
    const struct cols *k)
{
	char *const *f = group_f(g, i);
	const size_t *len = group_len(g, i);
	uint32_t crow = INTERN_NONE, orow = INTERN_NONE;
	int offer;
	double bv = NAN, rv = NAN, margin = NAN;

	/* P: the row's propensity, else the treated conversion rate of the
	 * candidate in the context's segment, else the rule's confidence. */
	pick(c, F_P, g, i, k->propensity, IN_PROPENSITY, -1, IN_NONE);
	if (c->in[F_P] == IN_NONE && S->have_pmodel) {
		struct uplift_hit h;
		int found = uplift_lookup(S->pmodel, f[k->cid], len[k->cid], f,
		    len, &h);

		if (found == UPLIFT_BAD)
			die(XS_INPUT, "%s: %s", group_where(g, i),
			    uplift_model_err(S->pmodel));
		if (found != UPLIFT_NONE && !isnan(h.treated)) {
			c->raw[F_P] = h.treated;
			c->in[F_P] = IN_TREATED;
		}
	}
	if (c->in[F_P] == IN_NONE && has(len, k->confidence)) {
		c->raw[F_P] = group_num(g, i, k->confidence, NAN);
		c->in[F_P] = IN_CONFIDENCE;
	}
	c->x[F_P] = norm_clamp(c->raw[F_P]);
	pick(c, F_R, g, i, k->relevance, IN_RELEVANCE, k->lift, IN_LIFT);
	c->x[F_R] = c->in[F_R] == IN_LIFT ? norm_lift(c->raw[F_R]) :
	    norm_clamp(c->raw[F_R]);
	pick(c, F_E, g, i, k->emphasis, IN_EMPHASIS, -1, IN_NONE);
	if (c->in[F_E] == IN_NONE && field_is(f, len, k->source, "managed") &&
	    has(len, k->position)) {
		c->raw[F_E] = group_num(g, i, k->position, NAN);
		c->in[F_E] = IN_POSITION;
	}
	c->x[F_E] = c->in[F_E] == IN_POSITION ? norm_position(c->raw[F_E]) :
	    norm_clamp(c->raw[F_E]);

	if (S->have_offers)
		orow = catalog_find(&S->offers, f[k->cid], len[k->cid]);
	if (S->have_catalog)
		crow = catalog_find(&S->catalog, f[k->cid], len[k->cid]);
	bv = group_num(g, i, k->bv, NAN);
	rv = group_num(g, i, k->rv, NAN);
	if (orow != INTERN_NONE) {
		if (isnan(bv))
			bv = catalog_num(&S->offers, orow, OFF_BV);
		if (isnan(rv))
			rv = catalog_num(&S->offers, orow, OFF_RV);
	}
	offer = field_is(f, len, k->source, "offer") || orow != INTERN_NONE ||
	    !isnan(bv);
	if (!offer) {
		/* The row's own price and cost (xsell-qualify --catalog
		 * appends them), each else the catalog's. */
		double price = group_num(g, i, k->price, NAN);
		double cost = group_num(g, i, k->cost, NAN);
		int row = !isnan(price) + !isnan(cost);

		if (isnan(price) && crow != INTERN_NONE)
			price = catalog_num(&S->catalog, crow, CAT_PRICE);
		if (isnan(cost) && crow != INTERN_NONE)
			cost = catalog_num(&S->catalog, crow, CAT_COST);
		margin = price - cost;
		c->msrc = row == 2 ? M_ROW : row == 0 ? M_CATALOG : M_BOTH;
	}
	c->value = offer ? rv : margin;
	pick(c, F_I, g, i, k->impact, IN_IMPACT, -1, IN_NONE);
	if (c->in[F_I] == IN_NONE && offer && !isnan(bv)) {
		c->raw[F_I] = bv;
		c->in[F_I] = IN_BV;
	} else if (c->in[F_I] == IN_NONE && !isnan(margin)) {
		c->raw[F_I] = margin;
		c->in[F_I] = IN_MARGIN;
	}

	c->cate = NAN;
	c->raw[NFACTOR] = NAN;
	c->in[NFACTOR] = IN_NONE;
	if (S->have_model) {
		struct uplift_hit h;
		/* The context's segment, else the candidate-level effect. */
		int found = uplift_lookup(S->model, f[k->cid], len[k->cid], f,
		    len, &h);

		if (found == UPLIFT_BAD)
			die(XS_INPUT, "%s: %s", group_where(g, i),
			    uplift_model_err(S->model));
		if (found != UPLIFT_NONE) {
			c->cate = h.cate;
			c->raw[NFACTOR] = c->cate;
			c->in[NFACTOR] = IN_MODEL;
			c->x[NFACTOR] = norm_uplift(c->cate,
			    uplift_model_maxabs(S->model));
		}
	}
	if (c->in[NFACTOR] == IN_NONE && has(len, k->uplift)) {
		double u = group_num(g, i, k->uplift, NAN);

		c->raw[NFACTOR] = u;
		c->in[NFACTOR] = IN_UPLIFT;
		c->x[NFACTOR] = u < -1 ? -1 : u > 1 ? 1 : u;
	}
	if (c->in[NFACTOR] == IN_NONE)
		c->x[NFACTOR] = NAN;
	for (int p = 0; p < NPART; p++)
		S->seen.from[p][c->in[p]]++;
	if (c->in[F_I] == IN_MARGIN)
		S->seen.margin[c->msrc]++;
	c->w = weights_for(S, k->channel >= 0 ? f[k->channel] : "",
	    k->channel >= 0 ? len[k->channel] : 0);
}

static void
out_init(struct scorer *S, struct out *u, const struct rec *r)
{
	const char *own[NOWN_BASE + NPART * NEXPLAIN + 1];
	char names[NPART * NEXPLAIN][32];
	int n = 0, at[NOWN_BASE + NPART * NEXPLAIN + 1];

	own[n] = "score", at[n++] = OWN_SCORE;
	own[n] = "expected_value", at[n++] = OWN_EV;
	if (S->have_model)
		own[n] = "incremental_value", at[n++] = OWN_IV;
	if (S->o.explain && S->o.json) {
		own[n] = "explain", at[n++] = NOWN_BASE;
	} else if (S->o.explain) {
		for (int p = 0; p < NPART; p++)
			for (int e = 0; e < NEXPLAIN; e++) {
				int j = p * NEXPLAIN + e;

				snprintf(names[j], sizeof names[j], "%s_%s",
				    part_prefix[p], explain_field[e]);
				own[n] = names[j], at[n++] = NOWN_BASE + j;
			}
	}
	layout_init(&u->l, r->ncols, r->cols, n, own);
	for (int i = 0; i < NOWN_BASE + NPART * NEXPLAIN + 1; i++)
		u->own[i] = -1;
	for (int i = 0; i < n; i++)
		u->own[at[i]] = u->l.own_at[i];
	u->nown = n;
	u->fp = out_open(S->o.out);
	writer_open(&u->w, u->fp, S->o.json, u->l.nout, u->l.out);
	if (S->o.explain && S->o.json)
		writer_type(&u->w, u->own[NOWN_BASE], WRITER_RAW);
	/* the explain columns other than *_input are numbers */
	for (int j = 0; j < NPART * NEXPLAIN; j++)
		if (j % NEXPLAIN != 0)
			writer_type(&u->w, u->own[NOWN_BASE + j], WRITER_NUM);
	u->v = xcalloc((size_t)u->l.nout + 1, sizeof *u->v);
	u->len = xcalloc((size_t)u->l.nout + 1, sizeof *u->len);
	buf_init(&u->ex);
}

static void
out_free(struct out *u)
{
	writer_close(&u->w);
	out_close(u->fp);
	layout_free(&u->l);
	free(u->v);
	free(u->len);
	buf_free(&u->ex);
}

/* Sets own column slot to a number (empty when NaN). */
static void
put_num(struct out *u, int slot, double x)
{
	int at = u->own[slot];

	if (at < 0)
		return;
	if (isnan(x)) {
		u->v[at] = NULL;
		u->len[at] = 0;
		return;
	}
	u->len[at] = num_fmt(x, u->nb[slot]);
	u->v[at] = u->nb[slot];
}

static void
put_str(struct out *u, int slot, const char *s)
{
	int at = u->own[slot];

	if (at < 0)
		return;
	u->v[at] = (char *)s;
	u->len[at] = s ? strlen(s) : 0;
}

static void
json_num(struct buf *b, double x)
{
	char nb[NUM_BUF];

	if (isnan(x))
		buf_puts(b, "null");
	else if (isinf(x))	/* not a JSON number: a margin past the doubles */
		buf_puts(b, x < 0 ? "\"-inf\"" : "\"inf\"");
	else
		buf_put(b, nb, num_fmt(x, nb));
}

static void
explain_json(struct out *u, const struct cand *c, const struct score_parts *s)
{
	static const char *const key[NPART] = { "P", "R", "I", "E", "U" };
	struct buf *b = &u->ex;

	buf_reset(b);
	buf_putc(b, '{');
	for (int p = 0; p < NPART; p++) {
		buf_printf(b, "%s\"%s\":{\"input\":", p ? "," : "", key[p]);
		if (c->in[p] == IN_NONE)
			buf_puts(b, "null");
		else
			buf_printf(b, "\"%s\"", input_name[c->in[p]]);
		buf_puts(b, ",\"raw\":");
		json_num(b, c->raw[p]);
		buf_puts(b, ",\"value\":");
		json_num(b, isnan(c->x[p]) ? 0 : c->x[p]);
		buf_puts(b, ",\"weight\":");
		json_num(b, p < NFACTOR ? c->w->w[p] : c->w->u);
		buf_puts(b, ",\"contribution\":");
		json_num(b, s->contrib[p]);
		buf_putc(b, '}');
	}
	buf_putc(b, '}');
	u->v[u->own[NOWN_BASE]] = u->ex.s;
	u->len[u->own[NOWN_BASE]] = u->ex.len;
}

static void
explain_cols(struct out *u, const struct cand *c, const struct score_parts *s)
{
	for (int p = 0; p < NPART; p++) {
		int base = NOWN_BASE + p * NEXPLAIN;

		put_str(u, base, c->in[p] == IN_NONE ? NULL :
		    input_name[c->in[p]]);
		put_num(u, base + 1, c->raw[p]);
		put_num(u, base + 2, isnan(c->x[p]) ? 0 : c->x[p]);
		put_num(u, base + 3, p < NFACTOR ? c->w->w[p] : c->w->u);
		put_num(u, base + 4, s->contrib[p]);
	}
}

static void
write_cand(struct scorer *S, struct out *u, const struct group *g, size_t i,
    const struct cand *c)
{
	struct score_parts s;
	double p = isnan(c->x[F_P]) ? 0 : c->x[F_P];

	score_compute(c->w, c->x, c->x[NFACTOR], &s);
	layout_fill(&u->l, group_f(g, i), group_len(g, i), u->v, u->len);
	put_num(u, OWN_SCORE, s.score);
	put_num(u, OWN_EV, p * c->value);
	put_num(u, OWN_IV, c->cate * c->value);
	if (S->o.explain && S->o.json)
		explain_json(u, c, &s);
	else if (S->o.explain)
		explain_cols(u, c, &s);
	writer_row(&u->w, u->v, u->len);
}

/*
 * Scores one group. Impact from margin is margin / the largest positive
 * margin among the context's candidates: one context per group, except
 * with --buffer (the whole input), where contexts get a slot each.
 */
static void
score_group(struct scorer *S, struct out *u, const struct group *g, const struct cols *k,
    struct cand **cs, size_t *cscap, struct intern *ctxs, double **maxm,
    size_t *maxcap)
{
	size_t n = g->n;
	int many = ctxs != NULL;

	if (n > *cscap) {
		*cscap = n;
		*cs = xreallocarray(*cs, n, sizeof **cs);
	}
	for (size_t i = 0; i < n; i++) {
		struct cand *c = &(*cs)[i];
		uint32_t slot = 0;

		read_cand(S, c, g, i, k);
		if (many)
			slot = intern_put(ctxs, group_f(g, i)[k->ctx],
			    group_len(g, i)[k->ctx]);
		if (slot >= *maxcap) {
			size_t ncap = *maxcap ? 2 * *maxcap : 64;

			*maxm = xreallocarray(*maxm, ncap, sizeof **maxm);
			for (size_t j = *maxcap; j < ncap; j++)
				(*maxm)[j] = 0;
			*maxcap = ncap;
		}
		if (!many && i == 0)
			(*maxm)[0] = 0;
		c->ctx = (int)slot;
		if (c->in[F_I] == IN_MARGIN && c->raw[F_I] > (*maxm)[slot])
			(*maxm)[slot] = c->raw[F_I];
	}
	for (size_t i = 0; i < n; i++) {
		struct cand *c = &(*cs)[i];

		switch (c->in[F_I]) {
		case IN_MARGIN: {
			double m = (*maxm)[c->ctx];

			c->x[F_I] = m > 0 ? norm_clamp(c->raw[F_I] / m) : 0;
			break;
		}
		case IN_BV:
			c->x[F_I] = norm_clamp(c->raw[F_I] / 100);
			break;
		default:
			c->x[F_I] = norm_clamp(c->raw[F_I]);
		}
		write_cand(S, u, g, i, c);
	}
}

/* -v: each part's inputs, with how many rows took each. */
static void
report_sources(struct scorer *S)
{
	static const char letter[NPART] = { 'P', 'R', 'I', 'E', 'U' };
	struct buf b;

	buf_init(&b);
	for (int p = 0; p < NPART; p++) {
		buf_reset(&b);
		for (int in = IN_NONE + 1; in < NINPUT; in++) {
			if (!S->seen.from[p][in])
				continue;
			buf_printf(&b, "%s%llu from %s", b.len ? ", " : "",
			    (unsigned long long)S->seen.from[p][in],
			    input_name[in]);
			if (in != IN_MARGIN)
				continue;
			buf_puts(&b, " (");
			for (int m = 0, k = 0; m < NMSRC; m++)
				if (S->seen.margin[m])
					buf_printf(&b, "%s%llu %s", k++ ? ", " : "",
					    (unsigned long long)S->seen.margin[m],
					    msrc_name[m]);
			buf_putc(&b, ')');
		}
		if (S->seen.from[p][IN_NONE])
			buf_printf(&b, "%s%llu without", b.len ? ", " : "",
			    (unsigned long long)S->seen.from[p][IN_NONE]);
		note("%c: %s", letter[p], buf_str(&b));
	}
	buf_free(&b);
}

static void
find_cols(struct scorer *S, struct cols *k, const struct rec *r)
{
	k->cid = rec_need(r, "candidate_id");
	k->price = rec_col(r, "price");
	k->cost = rec_col(r, "cost");
	/* A margin is scaled by the context's best: rows of one context. */
	S->margins = S->have_catalog || (k->price >= 0 && k->cost >= 0);
	k->ctx = S->margins ? rec_need(r, "context_id") : rec_col(r,
	    "context_id");
	k->source = rec_col(r, "source");
	k->channel = rec_col(r, "channel");
	k->propensity = rec_col(r, "propensity");
	k->confidence = rec_col(r, "confidence");
	k->relevance = rec_col(r, "relevance");
	k->lift = rec_col(r, "lift");
	k->impact = rec_col(r, "impact");
	k->emphasis = rec_col(r, "emphasis");
	k->position = rec_col(r, "position");
	k->bv = rec_col(r, "business_value");
	k->rv = rec_col(r, "revenue_value");
	k->uplift = rec_col(r, "uplift");
}

struct scorer *
scorer_new(const struct scorer_opts *o)
{
	static const char *const catcols[] = { "price", "cost" };
	static const char *const offcols[] = { "business_value",
	    "revenue_value" };
	struct scorer *S = xcalloc(1, sizeof *S);

	S->o = *o;
	if (S->o.weights_file)
		load_weights_file(S, S->o.weights_file);
	if (S->o.catalog) {
		struct catalog_spec cs = { .key = "product_id", .nnum = 2,
		    .num = catcols };

		catalog_load(&S->catalog, S->o.catalog, &cs);
		S->have_catalog = 1;
	}
	if (S->o.offers) {
		struct catalog_spec os = { .key = "offer_id", .nnum = 2,
		    .num = offcols };

		catalog_load(&S->offers, S->o.offers, &os);
		S->have_offers = 1;
	}
	if (S->o.model) {
		S->model = uplift_model_load(S->o.model);
		S->have_model = 1;
	}
	if (S->o.pmodel) {
		const char *why;

		S->pmodel = uplift_model_load(S->o.pmodel);
		S->have_pmodel = 1;
		/* A revenue model's "rates" are amounts, not probabilities. */
		if ((why = uplift_model_not_rates(S->pmodel)))
			die(XS_INPUT, "%s (--propensity-model needs a model of "
			    "conversions: xsell-learn --uplift --outcome "
			    "converted)", why);
	}
	return S;
}

struct group *
scorer_open(struct scorer *S, struct rec *r)
{
	find_cols(S, &S->k, r);
	if (S->have_model)
		uplift_model_bind(S->model, r);
	if (S->have_pmodel)
		uplift_model_bind(S->pmodel, r);
	/* Only the margin scale looks across a context's rows. */
	S->mode = !S->margins ? GROUP_ROW : S->o.buffer ? GROUP_ALL
	    : GROUP_STREAM;
	if (S->mode == GROUP_STREAM && group_check(r, S->k.ctx) == 0) {
		if (xs_verbose)
			note("input not grouped by context_id: reading it all first");
		S->mode = GROUP_ALL;
	}
	group_init(&S->g, r, S->k.ctx, S->mode, "--buffer");
	if (S->mode == GROUP_ALL)
		intern_init(&S->ctxs);
	out_init(S, &S->u, r);
	return &S->g;
}

void
scorer_group(struct scorer *S, const struct group *g)
{
	score_group(S, &S->u, g, &S->k, &S->cs, &S->cscap,
	    S->mode == GROUP_ALL ? &S->ctxs : NULL, &S->maxm, &S->maxcap);
}

void
scorer_free(struct scorer *S)
{
	if (S->have_catalog)
		catalog_free(&S->catalog);
	if (S->have_offers)
		catalog_free(&S->offers);
	if (S->have_model)
		uplift_model_free(S->model);
	if (S->have_pmodel)
		uplift_model_free(S->pmodel);
	if (S->o.weights_file) {
		intern_free(&S->wtab.ch);
		intern_free(&S->wtab.warned);
		free(S->wtab.w);
	}
	free(S);
}

void
scorer_close(struct scorer *S, size_t rows, size_t groups)
{
	if (xs_verbose && S->mode == GROUP_STREAM)
		note("scored %zu rows in %zu contexts", rows, groups);
	else if (xs_verbose)
		note("scored %zu rows", rows);
	if (xs_verbose && rows)
		report_sources(S);
	out_free(&S->u);
	group_free(&S->g);
	if (S->mode == GROUP_ALL)
		intern_free(&S->ctxs);
	free(S->cs);
	free(S->maxm);
	scorer_free(S);
}
