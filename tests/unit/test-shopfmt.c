/* What shops export: formats by header, the wide form, lists in a cell,
 * an order's later lines, the distance between names. */
#include <string.h>

#include "tap.h"
#include "xsell.h"
#include "shopfmt.h"

/* The items of s split on sep, joined by '|'. */
static const char *
items(const char *s, const char *sep)
{
	static char out[256];
	const char *p = s, *item;
	size_t n, k = 0;

	out[0] = '\0';
	while (shopfmt_item(&p, s + strlen(s), sep, strlen(sep), &item, &n)) {
		if (k)
			out[k++] = '|';
		memcpy(out + k, item, n);
		k += n;
		out[k] = '\0';
	}
	return out;
}

int
main(void)
{
	char *magento[] = { "sku", "name", "relatedskus", "relatedposition",
		"upsellskus" };
	char *woo[] = { "id", "sku", "name", "upsells", "crosssells" };
	char *shopify[] = { "name", "email", "createdat", "lineitemquantity",
		"lineitemname", "lineitemprice", "lineitemsku" };
	char *personyze[] = { "subjectmainproductid", "linkedupsellproductid1",
		"linkedupsellproductid2" };
	char *wide[] = { "subject", "linked1", "note", "linked2", "to3" };
	char *plain[] = { "sku", "name", "price" };
	struct shopfmt_use u;
	struct carry c;
	const char *v[1];
	size_t vn[1];

	ok(shopfmt_find(magento, 5, NULL, &u) && u.fmt &&
	    strcmp(u.fmt->name, "Magento product export") == 0, "Magento");
	ok(u.nlist == 2 && u.list[0].col == 2 && u.list[0].poscol == 3 &&
	    strcmp(u.list[0].type, "cross_sell") == 0 && u.list[1].col == 4 &&
	    u.list[1].poscol == -1 && strcmp(u.list[1].type, "upsell") == 0,
	    "Magento: its lists, types and positions");
	ok(u.title == 1, "Magento: the titles");
	ok(shopfmt_col(&u, magento, 5, "subject_id") == 0 &&
	    shopfmt_col(&u, magento, 5, "linked_id") == -1 &&
	    shopfmt_col(&u, magento, 5, "type") == -1,
	    "Magento: its columns, none for the rest (product rows)");
	shopfmt_use_free(&u);
	ok(shopfmt_find(woo, 5, "relations", &u) && u.fmt &&
	    strcmp(u.fmt->name, "WooCommerce product export") == 0 &&
	    u.nlist == 2 && u.list[0].col == 3 && u.list[1].col == 4,
	    "WooCommerce, told apart from Magento by its lists");
	shopfmt_use_free(&u);
	ok(!shopfmt_find(woo, 5, "catalog", &u), "a format of another kind");
	ok(shopfmt_find(shopify, 7, NULL, &u) && u.fmt && u.nlist == 0 &&
	    strcmp(u.fmt->kind, "orders") == 0 && u.title == 4 &&
	    shopfmt_col(&u, shopify, 7, "order_id") == 0 &&
	    shopfmt_col(&u, shopify, 7, "customer_id") == 1 &&
	    shopfmt_col(&u, shopify, 7, "product_id") == 6, "Shopify orders");
	shopfmt_use_free(&u);
	ok(shopfmt_find(personyze, 3, NULL, &u) && u.nlist == 2 &&
	    u.list[0].pos == 1 && u.list[1].pos == 2 &&
	    strcmp(u.list[1].type, "upsell") == 0, "Personyze, numbered lists");
	shopfmt_use_free(&u);
	ok(!shopfmt_find(plain, 3, NULL, &u) && !u.fmt, "no format");
	ok(shopfmt_wide(wide, 5, "linked to", &u) == 2 && u.list[0].col == 1 &&
	    u.list[0].pos == 1 && u.list[1].col == 3 && u.list[1].pos == 2,
	    "the wide form; stems under three letters left out");
	shopfmt_use_free(&u);

	is_str(items(" a, b ,,c ,", ","), "a|b|c", "items trimmed, empty skipped");
	is_str(items("a,\r\nb\n,\xc2\xa0" "c\xc2\xa0, \xc2\xa0 ,\xc2", ","),
	    "a|b|c|\xc2", "line ends and no-break spaces trimmed as around a "
	    "value; a lone lead byte kept");
	is_str(items("a; b;;c", "; "), "a|b;;c", "a separator of two bytes");
	is_str(items("a||b|c", "||"), "a|b|c", "|| then |");
	is_str(items("", ","), "", "an empty cell");
	is_str(items("  ", ","), "", "a blank cell");

	carry_init(&c);
	v[0] = "c1", vn[0] = 2;
	ok(!carry_order(&c, "1", 1), "the first line");
	carry_value(&c, 0, 0, &v[0], &vn[0]);
	v[0] = "", vn[0] = 0;
	ok(carry_order(&c, "1", 1), "the same order");
	carry_value(&c, 0, 1, &v[0], &vn[0]);
	ok(vn[0] == 2 && memcmp(v[0], "c1", 2) == 0,
	    "a later line of the order has its value");
	v[0] = "c9", vn[0] = 2;
	carry_value(&c, 0, carry_order(&c, "1", 1), &v[0], &vn[0]);
	ok(vn[0] == 2 && memcmp(v[0], "c9", 2) == 0, "its own value wins");
	v[0] = "", vn[0] = 0;
	carry_value(&c, 0, carry_order(&c, "1", 1), &v[0], &vn[0]);
	ok(vn[0] == 2 && memcmp(v[0], "c1", 2) == 0, "the order's first value");
	v[0] = "", vn[0] = 0;
	ok(!carry_order(&c, "2", 1), "another order");
	carry_value(&c, 0, 0, &v[0], &vn[0]);
	ok(vn[0] == 0, "another order has nothing to inherit");
	v[0] = "x", vn[0] = 1;
	carry_value(&c, 0, carry_order(&c, "2", 1), &v[0], &vn[0]);
	v[0] = "", vn[0] = 0;
	carry_value(&c, 0, carry_order(&c, "2", 1), &v[0], &vn[0]);
	ok(vn[0] == 1 && *v[0] == 'x', "a value the order's first line lacked");
	ok(!carry_order(&c, "", 0) && !carry_order(&c, "", 0),
	    "lines without an order id are no order");
	carry_free(&c);

	ok(shopfmt_dist("kitten", 6, "sitting", 7) == 3, "kitten, sitting");
	ok(shopfmt_dist("", 0, "abc", 3) == 3, "from nothing");
	ok(shopfmt_dist("sku", 3, "sku", 3) == 0, "the same");
	return tap_done();
}
