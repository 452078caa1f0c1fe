/*
 * shopwords.c: the words shops write for canonical values (shopwords.h).
 */
#include <string.h>

#include "shopwords.h"

const char *const link_types[] = { "cross_sell", "upsell",
	"substitute", "bundle", NULL };

int
words_in(const char *list, const char *key)
{
	size_t n = strlen(key);

	if (n == 0)
		return 0;
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ' ');
		size_t wl = e ? (size_t)(e - p) : strlen(p);
		if (wl == n && memcmp(p, key, n) == 0)
			return 1;
		p += wl + (e != NULL);
	}
	return 0;
}

int
words_which(const char *const *lists, const char *key)
{
	for (int i = 0; lists[i]; i++)
		if (words_in(lists[i], key))
			return i;
	return -1;
}

const char *const status_words[] = {
	"active enabled enable published live online available visible 1 yes "
	    "y true on",
	"inactive disabled disable draft hidden unpublished offline paused 0 "
	    "no n false off expired ended",
	"discontinued archived retired eol deleted obsolete delisted",
	NULL
};
const char *const status_names[] = { "active", "inactive",
	"discontinued" };

const char *const link_words[] = {
	"crosssell cross xsell related accessory accessories complement "
	    "complementary recommended",
	"upsell up premium upgrade",
	"substitute alternative alternate replacement similar",
	"bundle bundled boughttogether frequentlyboughttogether fbt kit",
	NULL
};
const char *const source_words[] = {
	"managed manual curated merchant editorial",
	"learned auto automatic algorithm algorithmic computed mined",
	NULL
};
const char *const source_names[] = { "managed", "learned" };
const char *const bool_words[] = { "0 no n false f", "1 yes y true t",
	NULL };
const char *const bool_names[] = { "0", "1" };
const char *const group_words[] = {
	"treatment test exposed variant experiment", "control holdout baseline",
	NULL
};
const char *const group_names[] = { "treatment", "control" };
const char *const op_words[] = { "add insert upsert update new",
	"remove delete del drop", NULL };
const char *const op_names[] = { "add", "remove" };
