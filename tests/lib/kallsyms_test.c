/*
 * kallsyms_test.c - tests for the names of code addresses
 * (lib/kallsyms.c, %pS and %pB in lib/vsnprintf.c), suite "kallsyms".
 *
 * The same cases run on the kernel image, linked at 0x80000000, and on the
 * host runner, a PIE loaded anywhere: each image carries the table made
 * from its own first link.  The functions looked up are this file's own,
 * so their names are known here; their sizes come from the table, and the
 * cases check its edges: the first and last byte of a function, the byte
 * after it, the bytes before and after the code.
 */
#include <kernel/kallsyms.h>
#include <kernel/ktest.h>
#include <kernel/printk.h>
#include <kernel/string.h>

/*
 * A fixture with a known layout, in the assembler of either machine: a
 * function of two bytes (zeros, never run) followed by two bytes that
 * belong to no function.
 */
__asm__(".pushsection .text\n"
	".globl kallsyms_fixture\n"
	".type kallsyms_fixture, @function\n"
	"kallsyms_fixture:\n"
	".byte 0, 0\n"
	".size kallsyms_fixture, 2\n"
	".byte 0, 0\n"
	".popsection\n");
extern const char kallsyms_fixture[];

/* A global and a static function, called so that they cannot be dropped. */
__noinline int kallsyms_test_global(int x);
__noinline int kallsyms_test_global(int x)
{
	return x * 3 + 1;
}

static __noinline int static_function(int x)
{
	return x * 5 + 2;
}

static int (*volatile test_functions[])(int) = { kallsyms_test_global,
						 static_function };

/* Look up addr and check the name and offset found. */
static void expect_symbol(struct ktest *t, uintptr_t addr, const char *want,
			  size_t want_offset)
{
	size_t size = 0, offset = 0;
	const char *name = kallsyms_lookup(addr, &size, &offset);

	if (!KEXPECT_NOT_NULL(t, name))
		return;
	KEXPECT_STREQ(t, name, want);
	KEXPECT_EQ(t, offset, want_offset);
	KEXPECT_LT(t, offset, size);
}

static void expect_no_symbol(struct ktest *t, uintptr_t addr)
{
	size_t size = 0x5a5a, offset = 0x5a5a;

	KEXPECT_NULL(t, kallsyms_lookup(addr, &size, &offset));
	/* Nothing written. */
	KEXPECT_EQ(t, size, 0x5a5a);
	KEXPECT_EQ(t, offset, 0x5a5a);
}

/* A function's first byte, a byte inside it and its last byte name it. */
static void expect_whole_function(struct ktest *t, uintptr_t fn,
				  const char *want)
{
	size_t size = 0, offset = 0;
	const char *name = kallsyms_lookup(fn, &size, &offset);
	uintptr_t next;

	if (!KEXPECT_NOT_NULL(t, name))
		return;
	KEXPECT_STREQ(t, name, want);
	KEXPECT_EQ(t, offset, 0);
	KEXPECT_GT(t, size, 0);
	expect_symbol(t, fn + size / 2, want, size / 2);
	expect_symbol(t, fn + size - 1, want, size - 1);
	/* The byte after it starts another function or none. */
	next = fn + size;
	name = kallsyms_lookup(next, &size, &offset);
	if (name) {
		KEXPECT_FALSE(t, strcmp(name, want) == 0);
		KEXPECT_EQ(t, offset, 0);
	}
}

KTEST(kallsyms, a_function_is_named_from_its_first_to_its_last_byte)
{
	KEXPECT_EQ(t, test_functions[0](1) + test_functions[1](1), 11);
	expect_whole_function(t, (uintptr_t)kallsyms_test_global,
			      "kallsyms_test_global");
	expect_whole_function(t, (uintptr_t)static_function, "static_function");
}

KTEST(kallsyms, bytes_between_functions_have_no_name)
{
	uintptr_t fixture = (uintptr_t)kallsyms_fixture;
	size_t size = 0, offset = 0;

	expect_symbol(t, fixture, "kallsyms_fixture", 0);
	expect_symbol(t, fixture + 1, "kallsyms_fixture", 1);
	KEXPECT_NOT_NULL(t, kallsyms_lookup(fixture, &size, &offset));
	KEXPECT_EQ(t, size, 2);
	expect_no_symbol(t, fixture + 2);
	expect_no_symbol(t, fixture + 3);
}

KTEST(kallsyms, addresses_outside_the_code_have_no_name)
{
	static const int data = 1;
	uintptr_t start, end;
	int on_stack = 2;

	kallsyms_code_range(&start, &end);
	KASSERT_TRUE(t, start <= (uintptr_t)kallsyms_test_global &&
				(uintptr_t)kallsyms_test_global < end);
	KEXPECT_TRUE(t, start <= (uintptr_t)kallsyms_lookup &&
				(uintptr_t)kallsyms_lookup < end);
	/* The first and last byte of the code are named, the next ones not. */
	KEXPECT_NOT_NULL(
		t, kallsyms_lookup(start, &(size_t){ 0 }, &(size_t){ 0 }));
	KEXPECT_NOT_NULL(
		t, kallsyms_lookup(end - 1, &(size_t){ 0 }, &(size_t){ 0 }));
	expect_no_symbol(t, start - 1);
	expect_no_symbol(t, end);
	expect_no_symbol(t, 0);
	expect_no_symbol(t, UINTPTR_MAX);
	expect_no_symbol(t, (uintptr_t)&data);
	expect_no_symbol(t, (uintptr_t)&on_stack);
	KEXPECT_EQ(t, data + on_stack, 3);
}

/*
 * Walk the whole code, function after function: each one starts where a
 * lookup says the one before it (or the bytes with no name) ends, and is
 * named at its last byte too.  Holes are stepped over a byte at a time.
 */
KTEST(kallsyms, every_function_is_named_up_to_the_next)
{
	uintptr_t start, end, addr;
	unsigned int functions = 0, unnamed = 0;

	kallsyms_code_range(&start, &end);
	for (addr = start; addr < end;) {
		size_t size = 0, offset = 0, last_size = 0, last_offset = 0;
		const char *name = kallsyms_lookup(addr, &size, &offset);

		if (!name) {
			unnamed++;
			addr++;
			continue;
		}
		functions++;
		if (!KEXPECT_EQ(t, offset, 0) || !KEXPECT_GT(t, size, 0))
			break;
		if (!KEXPECT_PTR_EQ(t,
				    kallsyms_lookup(addr + size - 1, &last_size,
						    &last_offset),
				    name) ||
		    !KEXPECT_EQ(t, last_offset, size - 1))
			break;
		addr += size;
	}
	KEXPECT_EQ(t, addr, end);
	/* At least this file's functions and the fixture's two bytes. */
	KEXPECT_GE(t, functions, 4);
	KEXPECT_GE(t, unnamed, 2);
	ktest_log(t, "%u functions, %u bytes between them", functions, unnamed);
}

KTEST(kallsyms, percent_ps_prints_the_name_and_offset)
{
	uintptr_t fixture = (uintptr_t)kallsyms_fixture;
	uintptr_t fn = (uintptr_t)kallsyms_lookup;
	char buf[64], raw[32];

	snprintf(buf, sizeof(buf), "%pS", (void *)fixture);
	KEXPECT_STREQ(t, buf, "kallsyms_fixture+0x0");
	snprintf(buf, sizeof(buf), "%pS", (void *)(fixture + 1));
	KEXPECT_STREQ(t, buf, "kallsyms_fixture+0x1");
	snprintf(buf, sizeof(buf), "%pS", (void *)(fn + 0x1a));
	KEXPECT_STREQ(t, buf, "kallsyms_lookup+0x1a");
	/* Padded as a string; what follows the S is plain text again. */
	snprintf(buf, sizeof(buf), "[%24pS][%-22pS]Sx", (void *)fixture,
		 (void *)(fixture + 1));
	KEXPECT_STREQ(t, buf,
		      "[    kallsyms_fixture+0x0][kallsyms_fixture+0x1  ]Sx");
	/* An address in no function prints as %p does. */
	snprintf(raw, sizeof(raw), "%p", (void *)(fixture + 2));
	snprintf(buf, sizeof(buf), "%pS", (void *)(fixture + 2));
	KEXPECT_STREQ(t, buf, raw);
	snprintf(raw, sizeof(raw), "%p", (void *)0);
	snprintf(buf, sizeof(buf), "%pS", (void *)0);
	KEXPECT_STREQ(t, buf, raw);
	/* The returned length counts the whole text, cut or not. */
	KEXPECT_EQ(t, snprintf(buf, 8, "%pS", (void *)fixture), 20);
	KEXPECT_STREQ(t, buf, "kallsym");
}

/*
 * A call that is the last instruction of a function returns to the byte
 * after it: the next function's first byte, or here a byte of no function.
 * %pB names the function the call was in.
 */
KTEST(kallsyms, percent_pb_names_the_function_a_call_was_in)
{
	uintptr_t fixture = (uintptr_t)kallsyms_fixture;
	char buf[64], raw[32];

	snprintf(buf, sizeof(buf), "%pB", (void *)(fixture + 2));
	KEXPECT_STREQ(t, buf, "kallsyms_fixture+0x2");
	snprintf(buf, sizeof(buf), "%pB", (void *)(fixture + 1));
	KEXPECT_STREQ(t, buf, "kallsyms_fixture+0x1");
	snprintf(raw, sizeof(raw), "%p", (void *)0);
	snprintf(buf, sizeof(buf), "%pB", (void *)0);
	KEXPECT_STREQ(t, buf, raw);
}

static uintptr_t recorded_caller;

static __noinline void record_caller(void)
{
	recorded_caller = CALLER_ADDR;
}

/*
 * Its last statement is a call, which GCC -O2 makes a jump unless
 * -fno-optimize-sibling-calls says otherwise: record_caller would then
 * return straight to this function's caller, and name it.
 */
static __noinline void ends_with_a_call(void)
{
	recorded_caller = 0;
	record_caller();
}

static void (*volatile ends_with_a_call_ptr)(void) = ends_with_a_call;

KTEST(kallsyms, a_caller_is_named_through_a_call_that_ends_a_function)
{
	size_t size = 0, offset = 0;
	const char *name;

	ends_with_a_call_ptr();
	name = kallsyms_lookup(recorded_caller - 1, &size, &offset);
	ktest_log(t, "record_caller was called from %pB",
		  (void *)recorded_caller);
	KEXPECT_STREQ(t, name, "ends_with_a_call");
	KEXPECT_EQ(t, recorded_caller - 1 - offset,
		   (uintptr_t)ends_with_a_call);
}

/* By name: the function's start and size, as kallsyms_lookup gives. */
KTEST(kallsyms, a_function_is_found_by_its_name)
{
	uintptr_t start = 0;
	size_t size = 0, lookup_size, offset;

	KASSERT_TRUE(t, kallsyms_find("kallsyms_test_global", &start, &size));
	KEXPECT_EQ(t, start, (uintptr_t)kallsyms_test_global);
	KEXPECT_NOT_NULL(t, kallsyms_lookup(start, &lookup_size, &offset));
	KEXPECT_EQ(t, size, lookup_size);
	KEXPECT_FALSE(t, kallsyms_find("no_such_function_here", &start, &size));
}
