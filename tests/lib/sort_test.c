/*
 * sort_test.c - tests for lib/sort.c (suite "sort"): every permutation of
 * a few elements, and random arrays with many equal keys, in runs or not,
 * each checked to come out in order and to hold the same elements as
 * went in; merge_sort also keeps equal elements in their order.
 */
#include <kernel/ktest.h>
#include <kernel/prng.h>
#include <kernel/sort.h>
#include <kernel/string.h>

static int by_value(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* An element of an odd size, swapped a byte at a time. */
struct odd {
	unsigned char key;
	unsigned char tag[2]; /* where it came from, to check nothing is lost */
};

static int by_key(const void *a, const void *b)
{
	return ((const struct odd *)a)->key - ((const struct odd *)b)->key;
}

static bool next_permutation(unsigned int *a, size_t n)
{
	size_t i = n - 1, j = n - 1;
	unsigned int t;

	while (i > 0 && a[i - 1] >= a[i])
		i--;
	if (i == 0)
		return false;
	while (a[j] <= a[i - 1])
		j--;
	t = a[i - 1];
	a[i - 1] = a[j];
	a[j] = t;
	for (j = n - 1; i < j; i++, j--) {
		t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
	return true;
}

KTEST(sort, every_permutation_of_seven_comes_out_sorted)
{
	unsigned int perm[7], a[7];
	unsigned int count = 0, bad = 0;
	size_t i;

	for (i = 0; i < 7; i++)
		perm[i] = (unsigned int)i;
	do {
		memcpy(a, perm, sizeof(a));
		sort(a, 7, sizeof(a[0]), by_value);
		for (i = 0; i < 7; i++)
			bad += a[i] != i;
		count++;
	} while (next_permutation(perm, 7));
	KEXPECT_EQ(t, count, 5040);
	KEXPECT_EQ(t, bad, 0);
}

#define ODD_MAX 300

static struct odd odd[ODD_MAX], odd_tmp[ODD_MAX];

/*
 * Random arrays of odd-sized elements, some made of sorted runs (runs
 * > 0: about that many), sorted by merge_sort or sort; counts what came
 * out of order, what was lost, and (merge_sort) equal keys reordered.
 */
static void sort_random(struct prng *rng, bool merge, unsigned int runs,
			unsigned int *bad)
{
	unsigned int seen[ODD_MAX], round;
	size_t i, n;

	for (round = 0; round < 20; round++) {
		n = 1 + prng_below(rng, ODD_MAX);
		for (i = 0; i < n; i++) {
			bool in_run = runs && i % (n / runs + 1) != 0;
			unsigned int r = prng_below(rng, 16);

			/* In a run, each key is at least the one before. */
			odd[i].key =
				(unsigned char)(in_run ? MIN(odd[i - 1].key +
								     r % 3,
							     15u)
						       : r);
			odd[i].tag[0] = (unsigned char)i;
			odd[i].tag[1] = (unsigned char)(i >> 8);
		}
		if (merge)
			merge_sort(odd, n, sizeof(odd[0]), by_key, odd_tmp);
		else
			sort(odd, n, sizeof(odd[0]), by_key);
		memset(seen, 0, sizeof(seen));
		for (i = 0; i < n; i++) {
			unsigned int tag = odd[i].tag[0] | odd[i].tag[1] << 8;

			if (i > 0 && odd[i - 1].key > odd[i].key)
				bad[0]++;
			if (merge && i > 0 && odd[i - 1].key == odd[i].key &&
			    (unsigned int)(odd[i - 1].tag[0] |
					   odd[i - 1].tag[1] << 8) > tag)
				bad[2]++;
			seen[tag]++;
		}
		for (i = 0; i < n; i++)
			bad[1] += seen[i] != 1;
	}
}

KTEST(sort, random_arrays_of_odd_sized_elements_keep_every_element)
{
	unsigned int bad[3] = { 0 };
	struct prng rng;

	prng_seed(&rng, 42);
	sort_random(&rng, false, 0, bad);
	KEXPECT_EQ(t, bad[0], 0); /* out of order */
	KEXPECT_EQ(t, bad[1], 0); /* lost or doubled */
}

KTEST(sort, merge_sort_sorts_runs_and_keeps_equal_elements_in_order)
{
	unsigned int runs[] = { 0, 1, 2, 7, 40 }, bad[3] = { 0 };
	struct prng rng;
	size_t i;

	prng_seed(&rng, 43);
	for (i = 0; i < ARRAY_SIZE(runs); i++)
		sort_random(&rng, true, runs[i], bad);
	KEXPECT_EQ(t, bad[0], 0); /* out of order */
	KEXPECT_EQ(t, bad[1], 0); /* lost or doubled */
	KEXPECT_EQ(t, bad[2], 0); /* equal keys reordered */
}

struct pair {
	unsigned long key, value;
};

static int by_pair_key(const void *a, const void *b)
{
	unsigned long x = ((const struct pair *)a)->key;
	unsigned long y = ((const struct pair *)b)->key;

	return x < y ? -1 : x > y;
}

KTEST(sort, words_of_a_struct_move_together)
{
	struct pair a[64];
	unsigned int bad = 0;
	size_t i;

	for (i = 0; i < 64; i++) {
		a[i].key = (i * 37) % 64; /* a permutation: 37 is odd */
		a[i].value = ~a[i].key;
	}
	sort(a, 64, sizeof(a[0]), by_pair_key);
	for (i = 0; i < 64; i++)
		bad += a[i].key != i || a[i].value != ~(unsigned long)i;
	KEXPECT_EQ(t, bad, 0);
}
