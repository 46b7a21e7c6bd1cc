/*
 * slab_debug.c - red zones, poison and tracking for slab objects
 * (mm.debug=Z, P and U; include/kernel/mm_debug.h), beside the core in
 * mm/slab.c, which calls in here from its slow paths only.
 *
 * A cache gets its features when it is made: they decide its layout
 * (drawn in include/kernel/poison.h).  Its magazines then hold nothing,
 * so every alloc and free takes the slow path and passes through here:
 *
 *   carve   a new object: red zones written, payload poisoned
 *   alloc   red zones and poison checked (a write past the object, or
 *           after it was freed, is reported); payload filled with
 *           POISON_NEW; the allocation tracked
 *   free    red zones checked; the free key swapped in atomically, so a
 *           double free is told exactly even when two harts race to
 *           make it; payload poisoned; the free tracked
 *
 * Reports name the allocation and the last free when tracking is on.
 * Damage is reported and then mended (red zones rewritten, poison
 * refilled), so each bug is reported once and the allocator goes on.
 */
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/poison.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include "report.h"
#include "slab.h"

#define RED_ZONE 8 /* bytes on each side, at least */

/* --- Layout ------------------------------------------------------------ */

/*
 * Offsets from the object (what callers get):
 *   [-left, 0)                     left red zone (Z)
 *   [0, size)                      payload
 *   [size, right_end)              right red zone (Z)
 *   link_offset, key_offset        the allocator's words, apart (Z, P, U,
 *                                  or a constructor)
 *   track_offset                   alloc and free tracks (U)
 */
void slab_debug_layout(struct kmem_cache *c, size_t align)
{
	size_t ptr = sizeof(void *), end;

	c->left = (cache_debug(c) & MM_DEBUG_REDZONE)
			  ? ALIGN_UP(RED_ZONE, align)
			  : 0;
	end = c->size;
	if (cache_debug(c) & MM_DEBUG_REDZONE)
		end = ALIGN_UP(end, RED_ZONE) + RED_ZONE;
	c->right_end = end;
	c->link_offset = ALIGN_UP(end, ptr);
	c->key_offset = c->link_offset + ptr;
	end = c->key_offset + ptr;
	if (cache_debug(c) & MM_DEBUG_TRACK) {
		c->track_offset = ALIGN_UP(end, sizeof(struct mm_track));
		end = c->track_offset + 2 * sizeof(struct mm_track);
	}
	c->stride = ALIGN_UP(c->left + end, align);
}

struct mm_track *slab_track(const struct kmem_cache *c, void *obj, int which)
{
	return (struct mm_track *)((char *)obj + c->track_offset) + which;
}

/* --- Patterns ------------------------------------------------------------ */

/* The byte of the pattern word that belongs at address b. */
static unsigned char pattern_at(const unsigned char *b, unsigned long word)
{
	return (unsigned char)(word >> (8 * ((uintptr_t)b % sizeof(long))));
}

static void fill(void *p, size_t bytes, unsigned long word)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < bytes; i++)
		b[i] = pattern_at(&b[i], word);
}

/* Offset of the first byte of [p, p + bytes) not in the pattern, or -1. */
static long first_wrong(const void *p, size_t bytes, unsigned long word)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (b[i] != pattern_at(&b[i], word))
			return (long)i;
	return -1;
}

static void red_zones_fill(const struct kmem_cache *c, void *obj)
{
	if (!(cache_debug(c) & MM_DEBUG_REDZONE))
		return;
	memset((char *)obj - c->left, RED_ZONE_BYTE, c->left);
	memset((char *)obj + c->size, RED_ZONE_BYTE, c->right_end - c->size);
}

/* Are both red zones intact?  If not, report and mend them. */
bool red_zones_intact(const struct kmem_cache *c, void *obj, uintptr_t caller)
{
	char *left = (char *)obj - c->left, *right = (char *)obj + c->size;
	long bad_left, bad_right;
	unsigned char *at;

	if (!(cache_debug(c) & MM_DEBUG_REDZONE))
		return true;
	bad_left = first_wrong(left, c->left, RED_ZONE_WORD);
	bad_right = first_wrong(right, c->right_end - c->size, RED_ZONE_WORD);
	if (bad_left < 0 && bad_right < 0)
		return true;
	at = (unsigned char *)(bad_right >= 0 ? right + bad_right
					      : left + bad_left);
	{
		struct mm_report r = {
			.bug = MM_RED_ZONE,
			.addr = obj,
			.where = c->name,
			.order = -1,
			.caller = caller,
		};

		if (cache_debug(c) & MM_DEBUG_TRACK)
			r.alloc = *slab_track(c, obj, 0);
		mm_report(
			&r,
			"byte %+ld of the object is %02x, not %02x (%lu bytes, red zones of %lu and %lu)",
			(long)(at - (unsigned char *)obj), *at, RED_ZONE_BYTE,
			(unsigned long)c->size, (unsigned long)c->left,
			(unsigned long)(c->right_end - c->size));
	}
	red_zones_fill(c, obj);
	return false;
}

/* A report of bug on obj of c, with its tracks when c keeps them. */
void slab_object_report(struct mm_report *r, struct kmem_cache *c, void *obj,
			enum mm_bug bug, uintptr_t caller)
{
	*r = (struct mm_report){
		.bug = bug,
		.addr = obj,
		.where = c->name,
		.order = -1,
		.caller = caller,
	};
	if (cache_debug(c) & MM_DEBUG_TRACK) {
		r->alloc = *slab_track(c, obj, 0);
		r->free = *slab_track(c, obj, 1);
	}
}

/* --- The three moments ---------------------------------------------------- */

void slab_debug_carve(struct kmem_cache *c, void *obj)
{
	red_zones_fill(c, obj);
	if (cache_debug(c) & MM_DEBUG_POISON)
		fill(obj, c->size, POISON_FREE);
	if (cache_debug(c) & MM_DEBUG_TRACK)
		memset(slab_track(c, obj, 0), 0, 2 * sizeof(struct mm_track));
}

void slab_debug_alloc(struct kmem_cache *c, void *obj, size_t asked,
		      uintptr_t caller)
{
	long bad;

	red_zones_intact(c, obj, caller);
	if (cache_debug(c) & MM_DEBUG_POISON) {
		bad = first_wrong(obj, c->size, POISON_FREE);
		if (bad >= 0) {
			unsigned char *b = (unsigned char *)obj + bad;
			struct mm_report r;

			slab_object_report(&r, c, obj, MM_WRITE_AFTER_FREE,
					   caller);
			mm_report(
				&r,
				"byte %ld of %lu holds %02x %02x %02x %02x, not the poison %02x",
				bad, (unsigned long)c->size, b[0],
				bad + 1 < (long)c->size ? b[1] : 0,
				bad + 2 < (long)c->size ? b[2] : 0,
				bad + 3 < (long)c->size ? b[3] : 0,
				(unsigned int)pattern_at(b, POISON_FREE));
		}
		fill(obj, c->size, POISON_NEW);
	}
	if (cache_debug(c) & MM_DEBUG_TRACK) {
		mm_track_here(slab_track(c, obj, 0), caller);
		slab_track(c, obj, 0)->bytes = (uint16_t)asked;
	}
}

/* Sum the asked bytes of the live objects of one slab list. */
static size_t asked_on(struct kmem_cache *c, struct list_head *list)
{
	struct slab *s;
	size_t bytes = 0;
	char *obj;

	list_for_each_entry (s, list, node)
		for (obj = s->base; obj < s->bump; obj += c->stride)
			if (*free_key(c, obj) != key_of(obj))
				bytes += slab_track(c, obj, 0)->bytes;
	return bytes;
}

size_t slab_debug_asked_bytes(struct kmem_cache *c)
{
	size_t bytes;

	acquire(&c->lock);
	bytes = asked_on(c, &c->partial) + asked_on(c, &c->full);
	release(&c->lock);
	return bytes;
}

bool slab_debug_free(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	unsigned long *key = free_key(c, obj);

	/*
	 * The key lies where no caller writes: one atomic swap says
	 * whether the object was free already, even against a racing free.
	 */
	if (__atomic_exchange_n(key, key_of(obj), __ATOMIC_ACQ_REL) ==
	    key_of(obj)) {
		struct mm_report r;

		slab_object_report(&r, c, obj, MM_DOUBLE_FREE, caller);
		mm_report(&r, "already free; nothing freed");
		return false;
	}
	red_zones_intact(c, obj, caller);
	if (cache_debug(c) & MM_DEBUG_POISON)
		fill(obj, c->size, POISON_FREE);
	if (cache_debug(c) & MM_DEBUG_TRACK)
		mm_track_here(slab_track(c, obj, 1), caller);
	return true;
}
