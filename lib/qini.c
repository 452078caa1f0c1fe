/*
 * The Qini read-out (qini.h): units read, the curve and AUUC from
 * stats.c, the table, and for people the measures and the chart.
 */
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "experiment.h"
#include "qini.h"
#include "report.h"
#include "stats.h"
#include "xsell.h"

/* The Qini curve has two arms: treatment and control. */
static int
arm_of(const struct rec *r, int col)
{
	if (r->len[col] == 9 && memcmp(r->f[col], "treatment", 9) == 0)
		return 1;
	if (r->len[col] == 7 && memcmp(r->f[col], "control", 7) == 0)
		return 2;
	die(XS_INPUT, "%s: column 'group': not treatment or control: \"%s\"",
	    rec_where(r), r->f[col]);
}

static struct st_unit *
read_units(struct audit *a, size_t *nout)
{
	struct rec r = { 0 };
	char *files[1] = { (char *)a->opt->events };
	int cscore, cgrp, cconv;
	struct st_unit *u = NULL;
	size_t n = 0, cap = 0;

	rec_open(&r, 1, files);
	cscore = rec_need(&r, a->opt->score);
	cgrp = rec_need(&r, "group");
	cconv = rec_need(&r, "converted");
	while (rec_next(&r) == REC_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			u = xreallocarray(u, cap, sizeof *u);
		}
		if (r.len[cscore] == 0)
			die(XS_INPUT, "%s: column '%s': missing", rec_where(&r), a->opt->score);
		u[n].score = rec_num(&r, cscore, 0);
		u[n].treated = arm_of(&r, cgrp) == 1;
		u[n].y = exp_converted(&r, cconv);
		n++;
	}
	rec_close(&r);
	*nout = n;
	return u;
}

static void
qini_report(struct audit *a, const struct st_qini_point *pt, size_t npt,
    const struct st_auuc *au)
{
	static const char *const cols[] = { "measure", "value", "meaning" };
	struct rtable t;
	struct rchart c;
	char v[32];
	double total = pt[npt - 1].n, *x, *y, *yr;
	size_t step = npt > 200 ? npt / 200 : 1, m = 0;

	rtable_init(&t, "Area under the Qini curve (x: share targeted; y: "
	    "incremental conversions)", 3, cols);
	rtable_numeric(&t, 1);
#define ROW(name, val, what) do { const char *r_[3] = { name, \
	fmt_num(val, 4, v, sizeof v), what }; rtable_row(&t, r_); } while (0)
	ROW("auuc", au->auuc, "area under the model's curve");
	ROW("auuc_random", au->random, "area under the random line");
	ROW("auuc_perfect", au->perfect, "area under the perfect curve");
	ROW("qini_coefficient", au->qini, "auuc - random");
	ROW("auuc_vs_random", au->vs_random, "auuc / random (1 = no better than random)");
	ROW("auuc_vs_perfect", au->vs_perfect,
	    "(auuc - random) / (perfect - random) (1 = perfect)");
	ROW("incremental_total", au->total, "incremental conversions when all are treated");
#undef ROW
	show_table(a, &t);
	x = xreallocarray(NULL, npt + 1, sizeof *x);
	y = xreallocarray(NULL, npt + 1, sizeof *y);
	yr = xreallocarray(NULL, npt + 1, sizeof *yr);
	for (size_t i = 0; i < npt; i += step) {
		x[m] = pt[i].n / total;
		y[m] = pt[i].qini;
		yr[m] = x[m] * au->total;
		m++;
	}
	if (x[m - 1] != 1) {
		x[m] = 1;
		y[m] = pt[npt - 1].qini;
		yr[m++] = au->total;
	}
	rchart_init(&c, CHART_LINES, "Qini curve");
	free(c.xlabel);
	free(c.ylabel);
	c.xlabel = xstrdup("share of the population targeted, by score");
	c.ylabel = xstrdup("incremental conversions");
	rchart_series(&c, "model", m, x, y);
	rchart_series(&c, "random", m, x, yr);
	show_chart(a, &c);
	if (a->as_report) {
		/* the curve in ten steps, as a bar table */
		static const char *const qc[] = { "targeted", "qini", "random" };
		struct rtable q;
		char at[32], qi[32], ra[32];

		rtable_init(&q, "Qini curve", 3, qc);
		rtable_numeric(&q, 1);
		rtable_numeric(&q, 2);
		q.bar = 1;
		for (int k = 1; k <= 10; k++) {
			size_t i = 0;
			const char *r_[3];

			while (i + 1 < npt && pt[i].n < total * k / 10)
				i++;
			r_[0] = fmt_pct(pt[i].n / total, at, sizeof at);
			r_[1] = fmt_num(pt[i].qini, 4, qi, sizeof qi);
			r_[2] = fmt_num(pt[i].n / total * au->total, 4, ra, sizeof ra);
			rtable_row(&q, r_);
		}
		show_table(a, &q);
	}
	free(x);
	free(y);
	free(yr);
}

void
qini_readout(struct audit *a)
{
	static const char *const cols[] = {
		"n", "fraction", "n_treatment", "n_control", "conversions_treatment",
		"conversions_control", "qini", "random", "auuc"
	};
	struct st_unit *u;
	struct st_qini_point *pt;
	struct st_auuc au;
	size_t n, npt, nt = 0;
	char num[9][NUM_BUF];

	u = read_units(a, &n);
	for (size_t i = 0; i < n; i++)
		nt += (size_t)u[i].treated;
	if (nt == 0 || nt == n)
		die(XS_INPUT, "%s: no %s rows: a Qini curve needs both arms",
		    strcmp(a->opt->events, "-") ? a->opt->events : "<stdin>",
		    nt == 0 ? "treatment" : "control");
	st_auuc(u, n, &au);	/* sorts u by score */
	npt = st_qini_curve(u, n, &pt);
	if (a->html)
		html_begin(a->html, "xsell-audit: Qini curve");
	show_heading(a, "Qini curve and AUUC");
	show_para(a, "qini: auuc %.6g, random %.6g, perfect %.6g; normalised vs "
	    "random (auuc/random) %.4g; vs perfect ((auuc-random)/(perfect-random)) "
	    "%.4g", au.auuc, au.random, au.perfect, au.vs_random, au.vs_perfect);
	/* auuc: the area so far, so the last row's is the AUUC at full
	 * precision for a pipeline (the summary line above has 6 digits). */
	table_open(a, 9, cols);
	table_num(a, 0, 9);
	for (size_t i = 0; i < npt; i++) {
		char *v[9];

		v[0] = cell(pt[i].n, num[0]);
		v[1] = cell(pt[i].n / pt[npt - 1].n, num[1]);
		v[2] = cell(pt[i].n_t, num[2]);
		v[3] = cell(pt[i].n_c, num[3]);
		v[4] = cell(pt[i].y_t, num[4]);
		v[5] = cell(pt[i].y_c, num[5]);
		v[6] = cell(pt[i].qini, num[6]);
		v[7] = cell(pt[i].n / pt[npt - 1].n * au.total, num[7]);
		v[8] = cell(pt[i].area, num[8]);
		table_row(a, v);
	}
	table_close(a);
	if (a->as_report || a->html)
		qini_report(a, pt, npt, &au);
	free(pt);
	free(u);
}
