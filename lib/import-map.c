/*
 * import-map.c: the kind's columns and the output's, and each input's
 * columns bound to them: --map, --set, the export formats' and --split's
 * lists, the columns kept as they are (snake_case names).
 */
#include <stdlib.h>
#include <string.h>

#include "import-internal.h"
#include "buf.h"
#include "intern.h"

/* A column name downstream tools can use: lowercase words joined by _. */
static char *
snake(const char *s, int pos)
{
	struct buf b;
	int gap = 0;

	buf_init(&b);
	for (; *s; s++) {
		if (!colmap_alnum((unsigned char)*s)) {
			gap = b.len > 0;
			continue;
		}
		if (gap)
			buf_putc(&b, '_');
		gap = 0;
		buf_putc(&b, colmap_lower((unsigned char)*s));
	}
	if (b.len == 0)
		buf_printf(&b, "column_%d", pos + 1);
	buf_str(&b);
	return b.s;
}

int
imp_spec_ix(const struct import *im, const char *name)
{
	for (int k = 0; k < im->nspec; k++)
		if (strcmp(im->spec[k].name, name) == 0)
			return k;
	return -1;
}

/* The column a --set name=value is for, as an output column name. */
static char *
set_name(const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *cn = xmemdup(arg, (size_t)(eq - arg));
	char *name = snake(cn, 0);

	free(cn);
	return name;
}

/* --set values of the kind's columns: each checked as a value of its
 * column would be, a bad one exit 2. The others become columns of their
 * own (imp_make_layout). */
static void
check_sets(struct import *im)
{
	im->checking = 1;
	for (int i = 0; i < im->o->nsets; i++) {
		const char *a = im->o->sets[i], *eq = strchr(a, '=');
		char *name = set_name(a);

		for (int k = 0; k < im->nspec; k++) {
			if (strcmp(im->spec[k].name, name) != 0)
				continue;
			if ((im->spec[k].flags & OP) && !im->o->merge_path)
				die(XS_USAGE, "--set %s: op is read with --merge "
				    "only", a);
			if (imp_conv(im, k, eq + 1, strlen(eq + 1)))
				die(XS_USAGE, "--set %s: %s", a, im->why);
			im->setv[k] = eq + 1;
		}
		free(name);
	}
	im->checking = 0;
}

void
imp_set_kind(struct import *im, int kind)
{
	int n;

	im->kind = kind;
	im->spec = kind_cols[kind];
	im->nspec = n = colmap_nspecs(im->spec);
	im->ospec = xcalloc((size_t)n, sizeof *im->ospec);
	im->spec_src = xcalloc((size_t)n, sizeof *im->spec_src);
	im->val = xcalloc((size_t)n, sizeof *im->val);
	im->vlen = xcalloc((size_t)n, sizeof *im->vlen);
	im->nb = xcalloc((size_t)n, sizeof *im->nb);
	im->draw = xcalloc((size_t)n, sizeof *im->draw);
	im->drawlen = xcalloc((size_t)n, sizeof *im->drawlen);
	im->dout = xcalloc((size_t)n, sizeof *im->dout);
	im->doutlen = xcalloc((size_t)n, sizeof *im->doutlen);
	im->lb = xcalloc((size_t)n, sizeof *im->lb);
	for (int k = 0; k < n; k++) {
		buf_init(&im->lb[k]);
		im->drawlen[k] = SIZE_MAX;
	}
	im->ix_order = imp_spec_ix(im, "order_id");
	im->ix_product = imp_spec_ix(im, "product_id");
	im->ix_qty = imp_spec_ix(im, "quantity");
	im->ix_subject = imp_spec_ix(im, "subject_id");
	im->ix_linked = imp_spec_ix(im, "linked_id");
	im->ix_type = imp_spec_ix(im, "type");
	im->ix_op = imp_spec_ix(im, "op");
	im->ix_stock = imp_spec_ix(im, "stock");
	im->ix_status = imp_spec_ix(im, "status");
	im->ix_pos = imp_spec_ix(im, "position");
	im->ix_customer = imp_spec_ix(im, "customer_id");
	im->ix_ts = imp_spec_ix(im, "ts");
	im->setv = xcalloc((size_t)n, sizeof *im->setv);
	im->peritem = xcalloc((size_t)n, 1);
	for (int i = 0; i < im->o->nmaps; i++) {
		const char *eq = strchr(im->o->maps[i], '=');
		int ok = 0;

		for (int k = 0; k < n; k++)
			if (strlen(im->spec[k].name) == (size_t)(eq - im->o->maps[i]) &&
			    strncmp(im->spec[k].name, im->o->maps[i],
			    (size_t)(eq - im->o->maps[i])) == 0)
				ok = 1;
		if (!ok) {
			warning("--map %s: '%.*s' is not a column of %s", im->o->maps[i],
			    (int)(eq - im->o->maps[i]), im->o->maps[i], kind_names[kind]);
			exit(XS_USAGE);
		}
	}
	check_sets(im);
}

static void
add_out(struct import *im, const char *name)
{
	if ((size_t)im->nout == im->capout) {
		im->capout = im->capout ? 2 * im->capout : 16;
		im->ocol = xreallocarray(im->ocol, im->capout, sizeof *im->ocol);
	}
	im->ocol[im->nout++] = xstrdup(name);
	intern_put(&im->onames, name, strlen(name));
}

static void
add_extra(struct import *im, char *name)
{
	add_out(im, name);
	if ((size_t)im->nextra == im->capextra) {
		im->capextra = im->capextra ? 2 * im->capextra : 16;
		im->extra = xreallocarray(im->extra, im->capextra,
		    sizeof *im->extra);
	}
	im->extra[im->nextra++] = name;
}

/* The output columns, from the first input with a header (or none). */
void
imp_make_layout(struct import *im, const struct src *s, const unsigned char *used)
{
	for (int k = 0; k < im->nspec; k++) {
		const struct spec *sp = &im->spec[k];

		im->ospec[k] = -1;
		if ((sp->flags & OP) || ((sp->flags & IFANY) &&
		    (!s || im->spec_src[k] < 0) && !im->setv[k]))
			continue;
		im->ospec[k] = im->nout;
		add_out(im, sp->name);
	}
	for (int j = 0; s && j < s->h.ncols; j++) {
		char *name;

		if (used[j])
			continue;
		name = snake(s->h.cols[j], j);
		if (intern_find(&im->onames, name, strlen(name)) != INTERN_NONE) {
			free(name);	/* a clash: imp_map_input says with what */
			continue;
		}
		add_extra(im, name);
	}
	/* --set of a column that is not the kind's: a column of its own,
	 * or the value of an input column of that name where it is empty */
	im->extra_setv = xcalloc((size_t)im->nextra + im->o->nsets + 1,
	    sizeof *im->extra_setv);
	for (int i = 0; i < im->o->nsets; i++) {
		const char *eq = strchr(im->o->sets[i], '=');
		char *name = set_name(im->o->sets[i]);
		uint32_t o;

		if (imp_spec_ix(im, name) >= 0) {
			free(name);
			continue;
		}
		if ((o = intern_find(&im->onames, name, strlen(name))) ==
		    INTERN_NONE) {
			add_extra(im, name);
			o = (uint32_t)im->nout - 1;
		} else {
			free(name);
		}
		im->extra_setv[(int)o - (im->nout - im->nextra)] = eq + 1;
	}
	im->v = xcalloc((size_t)im->nout + 1, sizeof *im->v);
	im->olen = xcalloc((size_t)im->nout + 1, sizeof *im->olen);
	im->extra_src = xcalloc((size_t)im->nextra + 1, sizeof *im->extra_src);
	/* no spec left out: ospec is the identity */
	im->oident = im->nout == im->nspec && !im->nextra && !im->o->preview &&
	    !im->o->merge_path;
	im->ready = 1;
}

static void
add_slot(struct import *im, int col, int poscol, long pos, const char *type,
    const char *sep)
{
	if ((size_t)im->nslot == im->capslot) {
		im->capslot = im->capslot ? 2 * im->capslot : 8;
		im->slot = xreallocarray(im->slot, im->capslot,
		    sizeof *im->slot);
	}
	im->slot[im->nslot++] = (struct slot){ col, poscol, pos, type, sep,
		strlen(sep) };
}

/*
 * The lists of this input: the columns of links of its export format or
 * of the wide form, for relations the linked column (a list in one cell
 * is a list), and --split. One canonical column's values come from lists
 * in a row (im->lt); --split of another replaces the linked column's.
 */
static void
make_slots(struct import *im, const struct src *s)
{
	const struct shopfmt_use *u = &s->h.use;
	int lk = -1, plain = 0, pos = im->ix_pos >= 0 ? im->spec_src[im->ix_pos] :
	    -1;

	im->nslot = 0;
	im->slot_opt = 0;
	memset(im->peritem, 0, (size_t)im->nspec);
	if (u->nlist && im->ix_linked >= 0) {
		lk = im->ix_linked;
		for (int l = 0; l < u->nlist; l++) {
			const struct shopfmt_list *sl = &u->list[l];

			add_slot(im, sl->col, sl->poscol >= 0 ? sl->poscol :
			    sl->pos ? -1 : pos, sl->pos, sl->type, ",");
		}
		/* a product's lists, or numbered columns, may all be empty */
		im->slot_opt = !u->fmt || u->fmt->product_rows;
	} else if (im->kind == K_RELATIONS && im->spec_src[im->ix_linked] >= 0) {
		lk = im->ix_linked;
		add_slot(im, im->spec_src[lk], pos, 0, NULL, ",");
		plain = 1;
	}
	for (int i = 0; i < im->o->nsplits; i++) {
		const char *a = im->o->splits[i], *eq = strchr(a, '=');
		char *name = xmemdup(a, eq ? (size_t)(eq - a) : strlen(a));
		const char *sep = eq ? eq + 1 : ",";
		struct buf ck;
		int j = -1, k = -1, done = 0;

		buf_init(&ck);
		j = header_named(&s->h, name, NULL);
		if (j < 0 && (k = imp_spec_ix(im, name)) >= 0) {
			if (k == lk && !plain) {	/* every list */
				for (int l = 0; l < im->nslot; l++)
					im->slot[l].sep = sep,
					im->slot[l].seplen = strlen(sep);
				done = 1;
			}
			j = im->spec_src[k];
		}
		for (int l = 0; !done && l < im->nslot; l++)
			if (im->slot[l].col == j)
				im->slot[l].sep = sep,
				im->slot[l].seplen = strlen(sep), done = 1;
		for (k = 0; !done && j >= 0 && k < im->nspec; k++)
			if (im->spec_src[k] == j)
				break;
		if (!done && j < 0) {
			buf_reset(&ck);
			header_found(&ck, &s->h);
			die(XS_INPUT, "%s: --split %s: no such column (found: %s)",
			    s->name, a, buf_str(&ck));
		}
		if (!done && (k >= im->nspec || im->spec[k].type == T_LIST ||
		    (im->spec[k].flags & OP)))
			die(XS_INPUT, "%s: --split %s: column '%s' is not read as "
			    "an id or value of %s", s->name, a, s->h.cols[j],
			    kind_names[im->kind]);
		if (!done && lk >= 0 && lk != k && !plain)
			die(XS_INPUT, "%s: --split %s: the rows are split on "
			    "their lists of %s already", s->name, a,
			    im->spec[lk].name);
		if (!done) {
			if (plain)
				im->nslot = 0, plain = 0;
			lk = k;
			add_slot(im, j, k == im->ix_linked ? pos : -1, 0, NULL,
			    sep);
		}
		buf_free(&ck);
		free(name);
	}
	im->lt = lk;
	if (lk >= 0) {
		im->peritem[lk] = 1;
		if (lk == im->ix_linked && im->ix_pos >= 0)
			im->peritem[im->ix_pos] = 1;
	}
	im->posok = xrealloc(im->posok, (size_t)im->nslot + 1);
}

/* Says how the input is read when it is an export format or has lists. */
static void
say_format(const struct import *im, const struct src *s)
{
	const struct shopfmt_use *u = &s->h.use;
	struct buf b;
	int left = 0;

	if (!u->nlist && !u->fmt)
		return;
	buf_init(&b);
	if (u->fmt)
		buf_printf(&b, "read as a %s (--kind %s)", u->fmt->name,
		    u->fmt->kind);
	for (int l = 0; l < u->nlist; l++)
		buf_printf(&b, "%s%s", l ? ", " : u->fmt ? "; links from " :
		    "links from ", s->h.cols[u->list[l].col]);
	if (!u->fmt)
		buf_puts(&b, ", their numbers the positions");
	for (int j = 0; u->fmt && u->fmt->product_rows && j < s->h.ncols; j++) {
		int bound = 0;

		for (int k = 0; k < im->nspec; k++)
			bound |= im->spec_src[k] == j;
		for (int l = 0; l < u->nlist; l++)
			bound |= u->list[l].col == j || u->list[l].poscol == j;
		left += !bound;
	}
	if (left && im->spec_src[im->ix_subject] >= 0)	/* the product's id */
		buf_printf(&b, "; %d other column%s about the product, not its "
		    "links, left out (--kind catalog --map product_id=%s reads "
		    "them)", left, left == 1 ? "" : "s",
		    s->h.cols[im->spec_src[im->ix_subject]]);
	note("%s: %s", s->name, buf_str(&b));
	buf_free(&b);
}

/* Maps this input's columns: spec_src, extra_src; later inputs must fit
 * the columns of the first one. */
void
imp_map_input(struct import *im, const struct src *s)
{
	unsigned char *used = xcalloc((size_t)s->h.ncols + 1, 1);
	struct buf b;

	colmap_bind(&im->cm, im->spec, &s->h, im->spec_src, used, 1);
	for (int k = 0; k < im->nspec; k++) {
		if ((im->spec[k].flags & REQ) && im->spec_src[k] < 0 &&
		    !colmap_from_lists(&s->h, &im->spec[k])) {
			buf_init(&b);
			header_found(&b, &s->h);
			die(XS_INPUT, "%s: missing required column '%s' (found: %s)",
			    s->name, im->spec[k].name, buf_str(&b));
		}
	}
	if (!im->ready)
		imp_make_layout(im, s, used);
	for (int k = 0; k < im->nspec; k++)
		if (im->spec_src[k] >= 0 && im->ospec[k] < 0 &&
		    !(im->spec[k].flags & OP))
			die(XS_INPUT, "%s: column '%s' is not in the first input",
			    s->name, s->h.cols[im->spec_src[k]]);
	for (int e = 0; e < im->nextra; e++)
		im->extra_src[e] = -1;
	for (int j = 0; j < s->h.ncols; j++) {
		char *name;
		uint32_t o;
		int e, other = -1, base = im->nout - im->nextra;

		if (used[j])
			continue;
		name = snake(s->h.cols[j], j);
		o = intern_find(&im->onames, name, strlen(name));
		if (o == INTERN_NONE)
			die(XS_INPUT, "%s: column '%s' is not in the first input",
			    s->name, s->h.cols[j]);
		e = (int)o - base;
		if (e < 0) {	/* a canonical column read from another one */
			for (int k = 0; k < im->nspec; k++)
				if (im->ospec[k] == (int)o)
					other = im->spec_src[k];
		} else {
			other = im->extra_src[e];
		}
		if (e < 0 || other >= 0) {
			struct buf b;

			buf_init(&b);
			buf_printf(&b, "both would be written as '%s'", name);
			if (other >= 0)
				header_collide(&s->h, other, j, buf_str(&b));
			die(XS_INPUT, "%s: column %d '%s' would be written as "
			    "canonical column '%s'", s->name, j + 1, s->h.cols[j],
			    name);
		}
		free(name);
		im->extra_src[e] = j;
	}
	im->carried = xrealloc(im->carried, (size_t)im->nout + 1);
	memset(im->carried, 0, (size_t)im->nout + 1);
	for (int k = 0; k < im->nspec; k++)
		if (im->spec_src[k] >= 0 && im->ospec[k] >= 0)
			im->carried[im->ospec[k]] = 1;
	for (int k = 0; k < im->nspec; k++)
		if (im->setv[k] && im->ospec[k] >= 0)
			im->carried[im->ospec[k]] = 1;
	for (int e = 0; e < im->nextra; e++)
		if (im->extra_src[e] >= 0 || im->extra_setv[e])
			im->carried[im->nout - im->nextra + e] = 1;
	im->ncols_in = s->h.ncols;
	make_slots(im, s);
	say_format(im, s);
	free(used);
}

