/*
 * shopwords.h: the words shops write for the values of xsell-import's
 * word columns (a status, a link type, a source, a boolean, an
 * experiment group, a --merge op), each list the synonyms of one
 * canonical value, matched by their colmap_key (case, blanks and
 * punctuation dropped).
 */
#ifndef XSELL_SHOPWORDS_H
#define XSELL_SHOPWORDS_H

/* The link types, in the order of their codes; ends with NULL. */
extern const char *const link_types[];

/* Word lists, one list a canonical value, end with NULL; names[i] is
 * the value words[i] stand for. */
extern const char *const status_words[], *const status_names[];
extern const char *const link_words[];
extern const char *const source_words[], *const source_names[];
extern const char *const bool_words[], *const bool_names[];
extern const char *const group_words[], *const group_names[];
extern const char *const op_words[], *const op_names[];
/* A status that says the product is out of stock (and so active). */
#define OUT_OF_STOCK "outofstock soldout"

/* Is key one of the space-separated words of list? */
int words_in(const char *list, const char *key);
/* Which list key is in: lists[i] for i = 0, 1, ..., or -1. */
int words_which(const char *const *lists, const char *key);

#endif
