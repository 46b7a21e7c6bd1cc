/*
 * watch.h - what the allocators call in mm/watch.c (mm.debug=W): a free
 * of a block whose owner watches asks mm_watch_sample, and a sampled
 * block is handed to the quarantine instead of going back.  Private to
 * mm/.
 *
 *   a free, checked and done --(mm_watch_sample: 1 in N)--> hold it
 *        |                                                     |
 *        +--(the other N-1)--> back to the slab or the lists    |
 *                                                              v
 *                 mm_watch_hold_object or mm_watch_hold_pages: armed
 *                 on every hart; the oldest held block goes back
 */
#ifndef MM_WATCH_H
#define MM_WATCH_H

#include <kernel/compiler.h>

struct kmem_cache;
struct page_pool;

/*
 * Count a free of a block whose owner has W on: true for one in N (when
 * the machine has watches), and then the caller holds the block back and
 * hands it over with one of the two calls below, once it holds no lock
 * of its own.  Lock-free: an atomic add.
 */
bool mm_watch_sample(void);
/* Hold obj of c, freed (key, poison, track done), and watch it. */
void mm_watch_hold_object(struct kmem_cache *c, void *obj);
/*
 * Hold the run of n pages at p of pool, freed in the bitmaps and
 * counted in pool->nr_watched, and watch its first word.  It goes back
 * through page_pool_give_back.
 */
void mm_watch_hold_pages(struct page_pool *pool, void *p, size_t n);
/* Give back the objects of c held here (NULL: every held block). */
void mm_watch_forget(struct kmem_cache *c);

#endif /* MM_WATCH_H */
