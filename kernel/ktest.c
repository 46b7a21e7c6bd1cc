/*
 * ktest.c - the test runner core shared by the kernel and the host.
 *
 * Cases are collected by the linker into the ktest_cases section (see
 * KTEST() in ktest.h).  The runner groups them by suite in link order,
 * applies the filter, runs them through the platform hook and prints
 * KTAP version 1, one subtest per suite:
 *
 *	KTAP version 1
 *	1..2
 *	    KTAP version 1
 *	    # Subtest: page
 *	    1..3
 *	    ok 1 alloc_one
 *	    # tests/mm/page_test.c:40: expected n == 3, got 2 (0x2) vs 3 (0x3)
 *	    not ok 2 alloc_three
 *	    ok 3 bad_free_panics # SKIP expects panic: runs in a boot of its own
 *	not ok 1 page
 *	...
 *	# ktest: done: 1 passed, 1 failed, 1 skipped
 */
#include <kernel/ktest_runner.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/machine.h>
#include <kernel/spinlock.h>

extern const struct ktest_case __start_ktest_cases[], __stop_ktest_cases[];

#define ktest_for_each_case(c)                                                 \
	for (c = __start_ktest_cases; c < __stop_ktest_cases; c++)

#define INDENT "    "

unsigned int ktest_hart(void)
{
	unsigned int me;

	push_off(); /* no migration between reading the id and using it */
	me = this_hart();
	pop_off();
	return me;
}

bool ktest_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* One diagnostic line of a case, "# file:line: msg" or "# msg". */
static void diag(const char *file, int line, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (file)
		printk(INDENT "# %s:%d: %s\n", file, line, msg);
	else
		printk(INDENT "# %s\n", msg);
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt,
		...)
{
	va_list ap;

	/* Cases may check from several harts at once. */
	__atomic_fetch_add(&t->failures, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	diag(file, line, fmt, ap);
	va_end(ap);
}

void ktest_report(unsigned long *errors, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(errors, 1, __ATOMIC_RELAXED) >=
	    KTEST_MAX_REPORTS)
		return;
	va_start(ap, fmt);
	diag(NULL, 0, fmt, ap);
	va_end(ap);
}

void ktest_log(struct ktest *t, const char *fmt, ...)
{
	va_list ap;

	(void)t;
	va_start(ap, fmt);
	diag(NULL, 0, fmt, ap);
	va_end(ap);
}

/* Does the filter item [item, item + len) name this case or its suite? */
static bool item_matches(const char *item, size_t len,
			 const struct ktest_case *c, bool *exact)
{
	size_t slen = strlen(c->suite);

	if (len == slen && strncmp(item, c->suite, slen) == 0)
		return true;
	if (len == slen + 1 + strlen(c->name) &&
	    strncmp(item, c->suite, slen) == 0 && item[slen] == ':' &&
	    strncmp(item + slen + 1, c->name, len - slen - 1) == 0) {
		*exact = true;
		return true;
	}
	return false;
}

/*
 * A case runs if the filter selects it.  Manual cases run only when
 * their suite or the case itself is named, never for "all"; *exact tells
 * the caller the case was named on its own.
 */
static bool selected(const struct ktest_case *c, const char *filter,
		     bool *exact)
{
	const char *p = filter;
	bool match = false;

	*exact = false;
	if (!filter || !*filter || strcmp(filter, "all") == 0)
		return !(c->flags & KTEST_MANUAL);
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		match |= item_matches(p, len, c, exact);
		p += len;
		if (*p == ',')
			p++;
	}
	return match;
}

/* First case of the suite in link order: identifies the suite. */
static bool first_of_suite(const struct ktest_case *c)
{
	const struct ktest_case *o;

	for (o = __start_ktest_cases; o < c; o++)
		if (strcmp(o->suite, c->suite) == 0)
			return false;
	return true;
}

static int count_selected(const struct ktest_case *first, const char *filter)
{
	const struct ktest_case *c;
	bool exact;
	int n = 0;

	for (c = first; c < __stop_ktest_cases; c++)
		if (strcmp(c->suite, first->suite) == 0 &&
		    selected(c, filter, &exact))
			n++;
	return n;
}

struct tally {
	int passed, failed, skipped;
};

/* Run one case and print its result line; returns true if it passed. */
static bool run_case(const struct ktest_case *c, int index, bool exact,
		     struct tally *tally)
{
	struct ktest t = { .failures = 0 };
	bool expect_panic = c->flags & KTEST_EXPECT_PANIC;
	bool panicked, ok;

	if (expect_panic && !exact && !ktest_platform_catches_panic()) {
		printk(INDENT
		       "ok %d %s # SKIP expects panic: runs in a boot of its own\n",
		       index, c->name);
		tally->skipped++;
		return true;
	}
	/* tools/ktest.py reads this line: the panic that follows passes. */
	if (expect_panic && c->panic_with)
		printk(INDENT
		       "# ktest: expecting a panic from %s:%s saying \"%s\"\n",
		       c->suite, c->name, c->panic_with);
	else if (expect_panic)
		printk(INDENT "# ktest: expecting a panic from %s:%s\n",
		       c->suite, c->name);
	panicked = ktest_platform_run_case(c, &t);
	if (expect_panic) {
		ok = panicked;
		if (!ok)
			printk(INDENT "# %s:%s: expected a panic, none came\n",
			       c->suite, c->name);
	} else {
		ok = !panicked && t.failures == 0;
	}
	printk(INDENT "%sok %d %s\n", ok ? "" : "not ", index, c->name);
	if (ok)
		tally->passed++;
	else
		tally->failed++;
	return ok;
}

int ktest_run(const char *filter, const char *platform)
{
	const struct ktest_case *first, *c;
	struct tally tally = { 0, 0, 0 };
	int nsuites = 0, suite = 0;
	bool exact;

	ktest_for_each_case (first)
		if (first_of_suite(first) && count_selected(first, filter))
			nsuites++;
	printk("KTAP version 1\n# rvos ktest: filter=%s %s\n1..%d\n",
	       filter && *filter ? filter : "all", platform, nsuites);

	ktest_for_each_case (first) {
		int ncases, index = 0;
		bool suite_ok = true;

		if (!first_of_suite(first))
			continue;
		ncases = count_selected(first, filter);
		if (!ncases)
			continue;
		printk(INDENT "KTAP version 1\n" INDENT "# Subtest: %s\n" INDENT
			      "1..%d\n",
		       first->suite, ncases);
		for (c = first; c < __stop_ktest_cases; c++) {
			if (strcmp(c->suite, first->suite) != 0 ||
			    !selected(c, filter, &exact))
				continue;
			suite_ok &= run_case(c, ++index, exact, &tally);
		}
		printk("%sok %d %s\n", suite_ok ? "" : "not ", ++suite,
		       first->suite);
	}
	printk("# ktest: done: %d passed, %d failed, %d skipped\n",
	       tally.passed, tally.failed, tally.skipped);
	return tally.failed;
}
