/*
 * idmap.h: the old names of struct intern and its functions (intern.h),
 * for the callers not renamed yet: an idmap is an intern of the wide
 * layout (intern_init_wide). To go once they are renamed.
 */
#ifndef IDMAP_H
#define IDMAP_H

#include "intern.h"

#define idmap intern
#define IDMAP_INLINE INTERN_INLINE
#define idmap_init intern_init_wide
#define idmap_free intern_free
#define idmap_put intern_put
#define idmap_put_hash intern_put_hash
#define idmap_prefetch intern_prefetch
#define idmap_find intern_find
#define idmap_find_hash intern_find_hash
#define idmap_reserve intern_reserve
#define idmap_str intern_str
#define idmap_len intern_len

#endif
