/*
 * Offer performance out (offerperf-internal.h): the table a row a
 * candidate (TSV, JSON lines or CSV), and for people the verdict, the
 * totals per group, the charts, the trend, each group's candidates
 * folded, the what-if changes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "offerperf-internal.h"
#include "stats.h"
#include "xsell.h"

/* Flags of candidate c's row: retire is the row's own (a --by cell, so a
 * candidate can be retired on one channel and kept on another); untracked
 * and unprofitable are the candidate's over all groups (a). */
static void
flags_of(struct offerperf *op, const struct agg *row, const struct agg *a,
    uint32_t c, struct buf *b)
{
	struct st_interval w;

	buf_reset(b);
	if (op->a->fs.ran[C_UNTRACKED] && !op->a->item[c].linked &&
	    !op->a->item[c].offer)
		buf_puts(b, "untracked");
	st_wilson(row->conv, row->imps, OFFER_CONF, &w);
	if (!isnan(op->opt->min_acceptance) && w.hi < op->opt->min_acceptance)
		buf_printf(b, "%sretire", b->len ? "," : "");
	if (op->have_margin && a->conv > 0 && a->margin <= 0)
		buf_printf(b, "%sunprofitable", b->len ? "," : "");
}

static void
offer_row(struct offerperf *op, const char *level, const char *group,
    const char *cand, const struct agg *a, const char *flags)
{
	char num[15][NUM_BUF];
	char *v[17];
	struct st_interval w;
	int k = 0, j = 0;

	st_wilson(a->conv, a->imps, OFFER_CONF, &w);
	v[k++] = (char *)level;
	if (op->by != OFFER_BY_NONE)
		v[k++] = (char *)group;
	v[k++] = (char *)cand;
	v[k++] = cell(a->imps, num[j++]);
	v[k++] = cell(a->conv, num[j++]);
	v[k++] = cell(w.est, num[j++]);
	v[k++] = cell(w.lo, num[j++]);
	v[k++] = cell(w.hi, num[j++]);
	v[k++] = cell(a->rev, num[j++]);
	v[k++] = op->have_margin ? cell(a->margin, num[j++]) : "";
	v[k++] = cell(a->imps > 0 ? a->rev / a->imps : NAN, num[j++]);
	v[k++] = (char *)flags;
	if (op->nwhatif) {
		double to = a->imps > 0 ? (a->conv + a->dconv) / a->imps : NAN;
		int on = a->whatif;

		v[k++] = on ? cell(to, num[j++]) : "";
		v[k++] = on ? cell(a->dconv, num[j++]) : "";
		v[k++] = on ? cell(a->drev, num[j++]) : "";
		v[k++] = on && op->have_margin ? cell(a->dmargin, num[j++]) : "";
	}
	table_row(op->a, v);
}

static void
offer_table_open(struct offerperf *op)
{
	const char *cols[17];
	int k = 0, num0, num1;

	cols[k++] = "level";
	if (op->by != OFFER_BY_NONE)
		cols[k++] = op->by == OFFER_BY_LINK ? "subject_id" : offer_by_words[op->by];
	cols[k++] = "candidate_id";
	num0 = k;
	cols[k++] = "impressions";
	cols[k++] = "conversions";
	cols[k++] = "acceptance";
	cols[k++] = "acceptance_low";
	cols[k++] = "acceptance_high";
	cols[k++] = "revenue";
	cols[k++] = "margin";
	cols[k++] = "revenue_per_impression";
	num1 = k;
	cols[k++] = "flags";
	if (op->nwhatif) {
		cols[k++] = "whatif_acceptance";
		cols[k++] = "whatif_conversions";
		cols[k++] = "whatif_revenue";
		cols[k++] = "whatif_margin";
	}
	table_open(op->a, k, cols);
	table_num(op->a, num0, num1);
	table_num(op->a, num1 + 1, k);
}

void
offer_flags_summary(struct offerperf *op)
{
	char a[32];

	if (op->control_events)
		show_para(op->a, "%.0f of %.0f events are in the control group and count "
		    "no impressions", op->control_events, op->all_events);
	if (op->a->fs.ran[C_UNTRACKED])
		show_para(op->a, "untracked candidates: %zu (a data gap: events for "
		    "candidates in no relation or offer)", op->a->fs.ncheck[C_UNTRACKED]);
	if (op->a->fs.ran[C_RETIRE] && op->by == OFFER_BY_NONE)
		show_para(op->a, "retire: %zu candidates whose 95%% upper bound of acceptance "
		    "is below %s", op->a->fs.ncheck[C_RETIRE],
		    fmt_pct(op->opt->min_acceptance, a, sizeof a));
	else if (op->a->fs.ran[C_RETIRE])
		show_para(op->a, "retire: %zu candidates whose 95%% upper bound of acceptance "
		    "is below %s over all groups, %zu candidate rows within a %s",
		    op->nretire_all, fmt_pct(op->opt->min_acceptance, a, sizeof a),
		    op->a->fs.ncheck[C_RETIRE] - op->nretire_all, by_name(op));
	if (op->a->fs.ran[C_UNPROFITABLE])
		show_para(op->a, "unprofitable: %zu candidates with total margin <= 0",
		    op->a->fs.ncheck[C_UNPROFITABLE]);
}

/* The read-out and its totals being sorted, for the comparators (qsort
 * passes none). */
static const struct offerperf *sort_op;
static const struct agg *sort_ca;

static int
by_imps_desc(const void *pa, const void *pb)
{
	const struct offerperf *op = sort_op;
	const struct agg *a = *(struct agg *const *)pa, *b = *(struct agg *const *)pb;

	if (a->imps != b->imps)
		return a->imps > b->imps ? -1 : 1;
	return strcmp(intern_str(&op->a->items, (uint32_t)(a - sort_ca)),
	    intern_str(&op->a->items, (uint32_t)(b - sort_ca)));
}

/* Without --by, the chart shows the 15 candidates with most impressions. */
static void
top_candidates_chart(struct offerperf *op, struct rchart *ch, struct agg *ca)
{
	struct agg **p = xreallocarray(NULL, op->a->items.n + 1, sizeof *p);
	uint32_t n = 0;
	struct buf lb;

	buf_init(&lb);
	for (uint32_t c = 0; c < op->a->items.n; c++)
		if (ca[c].imps > 0)
			p[n++] = &ca[c];
	sort_op = op;
	sort_ca = ca;
	qsort(p, n, sizeof *p, by_imps_desc);
	for (uint32_t i = 0; i < n && i < 15; i++) {
		struct st_interval w;

		st_wilson(p[i]->conv, p[i]->imps, OFFER_CONF, &w);
		rchart_interval(ch, rlabel(&op->a->labels, intern_str(&op->a->items,
		    (uint32_t)(p[i] - ca)), &lb), 100 * w.est, 100 * w.lo,
		    100 * w.hi);
	}
	buf_free(&lb);
	free(p);
}

/* --by link: the linked products over all subjects, by revenue
 * (highest first), then id, as the candidates of a group are. */
static int
by_linked_rev(const void *pa, const void *pb)
{
	const struct offerperf *op = sort_op;
	const struct agg *lo_ca = sort_ca;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	if (lo_ca[a].rev != lo_ca[b].rev)
		return lo_ca[a].rev > lo_ca[b].rev ? -1 : 1;
	return strcmp(intern_str(&op->a->items, a), intern_str(&op->a->items, b));
}

static uint32_t *
linked_order(struct offerperf *op, const struct agg *ca, uint32_t *n)
{
	uint32_t *o = xreallocarray(NULL, op->a->items.n + 1, sizeof *o);

	*n = 0;
	for (uint32_t c = 0; c < op->a->items.n; c++)
		if (ca[c].imps > 0)
			o[(*n)++] = c;
	sort_op = op;
	sort_ca = ca;
	qsort(o, *n, sizeof *o, by_linked_rev);
	return o;
}

/* ---- offer performance for people: rounded, titled, folded ---- */

enum { OP_LABEL, OP_IMPS, OP_CONV, OP_ACC, OP_INT, OP_REV, OP_MARGIN,
    OP_RPI, OP_FLAGS, NOP };

static void
op_table(struct rtable *t, const char *title, const char *first, int flags)
{
	const char *cols[NOP] = {
		first, "impressions", "conversions", "acceptance", "95% interval",
		"revenue", "margin", "rev/impr", "flags"
	};

	static const char *const brief[NOP] = {
		NULL, "impr", "conv", "accept", "95% CI", NULL, NULL, NULL, NULL
	};

	rtable_init(t, title, flags ? NOP : NOP - 1, cols);
	for (int i = OP_IMPS; i < OP_FLAGS; i++) {
		rtable_numeric(t, i);
		if (brief[i])
			rtable_brief(t, i, brief[i]);
	}
	rtable_cut(t, OP_LABEL);
	if (flags)
		t->under = OP_FLAGS;
}

/* A row rounded for people; flags colour it (untracked is an error,
 * retire and unprofitable are warnings). */
static void
op_row(struct offerperf *op, struct rtable *t, const char *label,
    const struct agg *a, const char *flags)
{
	char pp[NOP][40];
	const char *p[NOP];
	struct st_interval w;

	st_wilson(a->conv, a->imps, OFFER_CONF, &w);
	p[OP_LABEL] = label;
	p[OP_IMPS] = fmt_num(a->imps, 15, pp[OP_IMPS], 40);
	p[OP_CONV] = fmt_num(a->conv, 15, pp[OP_CONV], 40);
	p[OP_ACC] = fmt_pct(w.est, pp[OP_ACC], 40);
	snprintf(pp[OP_INT], 40, "%.1f-%.1f%%", 100 * w.lo, 100 * w.hi);
	p[OP_INT] = isnan(w.lo) ? "-" : pp[OP_INT];
	snprintf(pp[OP_REV], 40, "%.2f", a->rev);
	p[OP_REV] = pp[OP_REV];
	snprintf(pp[OP_MARGIN], 40, "%.2f", a->margin);
	p[OP_MARGIN] = op->have_margin ? pp[OP_MARGIN] : "-";
	p[OP_RPI] = fmt_num(a->imps > 0 ? a->rev / a->imps : NAN, 4,
	    pp[OP_RPI], 40);
	p[OP_FLAGS] = flags;	/* a table without flags has a column less */
	rtable_row(t, p);
	if (strstr(flags, "untracked"))
		rtable_row_sev(t, 2);
	else if (*flags)
		rtable_row_sev(t, 1);
}

/* What-if per group and in total: the candidates' rows are in the TSV. */
static void
whatif_row(struct offerperf *op, struct rtable *t, const char *label,
    const struct agg *a)
{
	char pp[6][40];
	const char *p[6];

	p[0] = label;
	p[1] = fmt_pct(a->imps > 0 ? a->conv / a->imps : NAN, pp[1], 40);
	p[2] = a->whatif ? fmt_pct((a->conv + a->dconv) / a->imps, pp[2], 40) : "";
	snprintf(pp[3], 40, "%+.1f", a->dconv);
	p[3] = a->whatif ? pp[3] : "";
	snprintf(pp[4], 40, "%+.2f", a->drev);
	p[4] = a->whatif ? pp[4] : "";
	snprintf(pp[5], 40, "%+.2f", a->dmargin);
	p[5] = a->whatif && op->have_margin ? pp[5] : "";
	rtable_row(t, p);
}

/* The offers' verdict: what the flags add up to. */
static void
offers_verdict(struct offerperf *op)
{
	struct buf b;
	int level = 0;

	buf_init(&b);
	buf_puts(&b, "flagged: ");
	for (int sev = SEV_ERROR; sev >= SEV_WARNING; sev--) {
		size_t n = 0, k = 0;

		for (int c = 0; c < NCHECK; c++)
			if (checks[c].sev == sev)
				n += op->a->fs.ncheck[c];
		if (!n)
			continue;
		buf_printf(&b, "%s%zu %s%s (", level ? ", " : "", n,
		    sev_words[sev], n == 1 ? "" : "s");
		for (int c = 0; c < NCHECK; c++)
			if (checks[c].sev == sev && op->a->fs.ncheck[c])
				buf_printf(&b, "%s%s %zu", k++ ? ", " : "",
				    checks[c].name, op->a->fs.ncheck[c]);
		buf_putc(&b, ')');
		if (level == 0)
			level = sev == SEV_ERROR ? 2 : 1;
	}
	if (!level) {
		buf_reset(&b);
		buf_puts(&b, "no offer flagged");
	}
	report_verdict(op->a->as_report ? op->a->out : NULL, op->a->html, level,
	    buf_str(&b));
	buf_free(&b);
}

void
offers_people(struct offerperf *op, const struct agg *total, struct agg *ca)
{
	struct rtable t;
	struct rchart ch;
	struct buf fl, lb, tt;
	size_t i, j;

	buf_init(&fl);
	buf_init(&lb);
	buf_init(&tt);
	offers_verdict(op);
	offer_flags_summary(op);
	/* totals: one row a group, then all */
	op_table(&t, op->by != OFFER_BY_NONE ? "Offer performance per group" :
	    "Offer performance", op->by != OFFER_BY_NONE ? by_name(op) : "", 0);
	t.bar = OP_REV;
	rchart_init(&ch, CHART_INTERVALS, op->by != OFFER_BY_NONE ?
	    "Acceptance by group (%), 95% Wilson intervals" :
	    "Acceptance of the 15 candidates with the most impressions (%), "
	    "95% Wilson intervals");
	rchart_unit(&ch, "%");
	if (!isnan(op->opt->min_acceptance))
		rchart_mark(&ch, 100 * op->opt->min_acceptance, "--min-acceptance");
	for (i = 0; op->by != OFFER_BY_NONE && i < op->ncells; i = j) {
		const char *gname = intern_str(&op->groups, op->cells[i].g);
		struct agg gs;
		struct st_interval w;

		memset(&gs, 0, sizeof gs);
		for (j = i; j < op->ncells && op->cells[j].g == op->cells[i].g; j++)
			agg_add(op, &gs, &op->cells[j].a);
		op_row(op, &t, *gname ? gname : "(none)", &gs, "");
		st_wilson(gs.conv, gs.imps, OFFER_CONF, &w);
		rchart_interval(&ch, *gname ? gname : "(none)", 100 * w.est,
		    100 * w.lo, 100 * w.hi);
	}
	op_row(op, &t, op->by != OFFER_BY_NONE ? "all" : "all candidates", total, "");
	show_table(op->a, &t);
	if (op->by == OFFER_BY_NONE)
		top_candidates_chart(op, &ch, ca);
	show_chart(op->a, &ch);
	if (trend_report(&op->trend, op->opt->min_acceptance, "--min-acceptance", &t,
	    &ch)) {
		show_chart(op->a, &ch);
		show_table(op->a, &t);
	}
	if (op->by == OFFER_BY_LINK) {	/* the linked products over all subjects */
		uint32_t n, *o = linked_order(op, ca, &n);

		op_table(&t, n > 2 * FOLD + 1 ? "Linked products over all subjects "
		    "by revenue, highest first (the first and last 10; the TSV "
		    "output has them all)" : "Linked products over all subjects "
		    "by revenue, highest first", "linked", 1);
		for (uint32_t k = 0; k < n; k++) {
			if (!rfold_shown(k, n, FOLD, FOLD)) {
				if (k == FOLD) {
					buf_reset(&lb);
					buf_printf(&lb, "... %u more linked products",
					    n - 2 * FOLD);
					rtable_note(&t, buf_str(&lb));
				}
				continue;
			}
			flags_of(op, &ca[o[k]], &ca[o[k]], o[k], &fl);
			op_row(op, &t, rlabel(&op->a->labels, intern_str(&op->a->items, o[k]), &lb),
			    &ca[o[k]], buf_str(&fl));
		}
		show_table(op->a, &t);
		free(o);
	}
	/* candidates: each group's first and last 10 by revenue */
	for (i = 0; i < op->ncells; i = j) {
		const char *gname = intern_str(&op->groups, op->cells[i].g);
		size_t n;

		for (j = i; j < op->ncells && op->cells[j].g == op->cells[i].g; j++)
			;
		n = j - i;
		buf_reset(&tt);
		buf_puts(&tt, "Candidates");
		if (op->by != OFFER_BY_NONE)
			buf_printf(&tt, " in %s %s", by_name(op),
			    *gname ? gname : "(none)");
		buf_printf(&tt, " by revenue, highest first%s",
		    n > 2 * FOLD + 1 ? " (the first and last 10; the TSV output "
		    "has them all)" : "");
		op_table(&t, buf_str(&tt), "candidate", 1);
		for (size_t k = i; k < j; k++) {
			if (!rfold_shown(k - i, n, FOLD, FOLD)) {
				if (k - i == FOLD) {
					buf_reset(&lb);
					buf_printf(&lb, "... %zu more candidates", n - 2 * FOLD);
					rtable_note(&t, buf_str(&lb));
				}
				continue;
			}
			flags_of(op, &op->cells[k].a, &ca[op->cells[k].c], op->cells[k].c, &fl);
			op_row(op, &t, rlabel(&op->a->labels,
			    intern_str(&op->a->items, op->cells[k].c), &lb),
			    &op->cells[k].a, buf_str(&fl));
		}
		show_table(op->a, &t);
	}
	if (op->nwhatif) {
		static const char *const wc[] = {
			"", "acceptance", "what-if acceptance", "conversions change",
			"revenue change", "margin change"
		}, *const wb[] = {
			"", "accept", "what-if", "conv change", "rev change",
			"margin change"
		};

		rtable_init(&t, "What if (--what-if): per group and in total; each "
		    "candidate's change is in the TSV output", 6, wc);
		for (int k = 1; k < 6; k++) {
			rtable_numeric(&t, k);
			rtable_brief(&t, k, wb[k]);
		}
		for (i = 0; op->by != OFFER_BY_NONE && i < op->ncells; i = j) {
			const char *gname = intern_str(&op->groups, op->cells[i].g);
			struct agg gs;

			memset(&gs, 0, sizeof gs);
			for (j = i; j < op->ncells && op->cells[j].g == op->cells[i].g; j++)
				agg_add(op, &gs, &op->cells[j].a);
			whatif_row(op, &t, *gname ? gname : "(none)", &gs);
		}
		whatif_row(op, &t, "all", total);
		show_table(op->a, &t);
	}
	buf_free(&fl);
	buf_free(&lb);
	buf_free(&tt);
}

/* The table: the total, with --by link each linked product over all
 * subjects, then each group (with --by) and its candidates. */
void
offers_write(struct offerperf *op, const struct agg *total,
    const struct agg *ca)
{
	struct agg gs;
	struct buf fl;
	size_t i, j;

	if (op->a->html)
		html_begin(op->a->html, "xsell-audit: offer performance");
	show_heading(op->a, "Offer performance");
	if (!op->a->as_report && !op->a->html)
		offer_flags_summary(op);
	offer_table_open(op);
	buf_init(&fl);
	offer_row(op, "total", "", "", total, "");
	if (op->by == OFFER_BY_LINK) {
		/* per linked product over all subjects, then per link */
		uint32_t n, *o = linked_order(op, ca, &n);

		for (uint32_t k = 0; k < n; k++) {
			flags_of(op, &ca[o[k]], &ca[o[k]], o[k], &fl);
			offer_row(op, "linked", "", intern_str(&op->a->items, o[k]), &ca[o[k]],
			    buf_str(&fl));
		}
		free(o);
	}
	for (i = 0; i < op->ncells; i = j) {
		const char *gname = intern_str(&op->groups, op->cells[i].g);

		memset(&gs, 0, sizeof gs);
		for (j = i; j < op->ncells && op->cells[j].g == op->cells[i].g; j++)
			agg_add(op, &gs, &op->cells[j].a);
		if (op->by != OFFER_BY_NONE)
			offer_row(op, "group", gname, "", &gs, "");
		for (size_t k = i; k < j; k++) {
			flags_of(op, &op->cells[k].a, &ca[op->cells[k].c], op->cells[k].c, &fl);
			offer_row(op, "candidate", gname, intern_str(&op->a->items, op->cells[k].c),
			    &op->cells[k].a, buf_str(&fl));
		}
	}
	buf_free(&fl);
	table_close(op->a);
}
