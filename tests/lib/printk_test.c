/*
 * printk_test.c - tests for the formatter under printk (lib/vsnprintf.c),
 * suite "printk".
 *
 * Each check formats into a buffer and compares the text and the return
 * value, which must be the untruncated length.  Expected strings follow
 * C99 printf, so they can be checked against any C library by hand.
 */
#include <kernel/ktest.h>
#include <kernel/printk.h>
#include <kernel/string.h>

#define BUF_SIZE 128

/*
 * Format into a scratch buffer and check text and length.  A macro, so
 * that the compiler still checks each format against its arguments and
 * failures report the caller's line.
 */
#define EXPECT_FMT(t, want, ...)                                               \
	do {                                                                   \
		char buf_[BUF_SIZE];                                           \
		int n_ = snprintf(buf_, sizeof(buf_), __VA_ARGS__);            \
		KEXPECT_STREQ(t, buf_, want);                                  \
		KEXPECT_EQ(t, n_, (int)strlen(want));                          \
	} while (0)

/*
 * Goes through vsnprintf() and, lacking __printf, escapes the compiler's
 * format check: for combinations GCC warns about (flags that C says are
 * ignored, a NULL %s) but the formatter must still handle.
 */
static int format_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#define EXPECT_FMT_UNCHECKED(t, want, ...)                                     \
	do {                                                                   \
		char buf_[BUF_SIZE];                                           \
		int n_ = format_unchecked(buf_, sizeof(buf_), __VA_ARGS__);    \
		KEXPECT_STREQ(t, buf_, want);                                  \
		KEXPECT_EQ(t, n_, (int)strlen(want));                          \
	} while (0)

KTEST(printk, plain_text_and_percent)
{
	EXPECT_FMT(t, "hello, world", "hello, world");
	EXPECT_FMT(t, "100%", "100%%");
	EXPECT_FMT(t, "%d", "%%d");
	EXPECT_FMT(t, "", "%s", "");
}

KTEST(printk, signed_decimal)
{
	EXPECT_FMT(t, "0", "%d", 0);
	EXPECT_FMT(t, "42", "%d", 42);
	EXPECT_FMT(t, "-42", "%i", -42);
	EXPECT_FMT(t, "2147483647", "%d", (int)INT32_MAX);
	EXPECT_FMT(t, "-2147483648", "%d", (int)INT32_MIN);
	EXPECT_FMT(t, "-9223372036854775808", "%lld", (long long)INT64_MIN);
	EXPECT_FMT(t, "9223372036854775807", "%lld", (long long)INT64_MAX);
	EXPECT_FMT(t, "-1 2 -3", "%d %i %d", -1, 2, -3);
}

KTEST(printk, unsigned_conversions)
{
	EXPECT_FMT(t, "4294967295", "%u", (unsigned int)UINT32_MAX);
	EXPECT_FMT(t, "ffffffff", "%x", (unsigned int)UINT32_MAX);
	EXPECT_FMT(t, "FFFFFFFF", "%X", (unsigned int)UINT32_MAX);
	EXPECT_FMT(t, "37777777777", "%o", (unsigned int)UINT32_MAX);
	EXPECT_FMT(t, "18446744073709551615", "%llu",
		   (unsigned long long)UINT64_MAX);
	EXPECT_FMT(t, "ffffffffffffffff", "%llx",
		   (unsigned long long)UINT64_MAX);
	EXPECT_FMT(t, "1777777777777777777777", "%llo",
		   (unsigned long long)UINT64_MAX);
	EXPECT_FMT(t, "deadbeef", "%x", 0xdeadbeefu);
	EXPECT_FMT(t, "0", "%x", 0u);
	/* A negative int read as unsigned is its two's complement. */
	EXPECT_FMT(t, "4294967295", "%u", (unsigned int)-1);
}

KTEST(printk, decimal_needs_full_64_bits)
{
	/* Above 2^32 on rv32 this takes the 64-bit division path. */
	EXPECT_FMT(t, "4294967296", "%llu", 4294967296ULL);
	EXPECT_FMT(t, "12345678901234567890", "%llu", 12345678901234567890ULL);
	EXPECT_FMT(t, "-4294967297", "%lld", -4294967297LL);
}

KTEST(printk, length_modifiers)
{
	EXPECT_FMT(t, "-56", "%hhd", 200);
	EXPECT_FMT(t, "1", "%hhu", 257);
	EXPECT_FMT(t, "ff", "%hhx", -1);
	EXPECT_FMT(t, "-1", "%hd", 65535);
	EXPECT_FMT(t, "65535", "%hu", -1);
	EXPECT_FMT(t, "-7", "%ld", -7L);
	EXPECT_FMT(t, "123456", "%lu", 123456UL);
	EXPECT_FMT(t, "12345", "%zu", (size_t)12345);
	EXPECT_FMT(t, "-5", "%zd", (ptrdiff_t)-5);
	EXPECT_FMT(t, "-3", "%td", (ptrdiff_t)-3);
	EXPECT_FMT(t, "-9223372036854775808", "%jd", (intmax_t)INT64_MIN);
	EXPECT_FMT(t, "18446744073709551615", "%ju", (uintmax_t)UINT64_MAX);
}

KTEST(printk, unsigned_long_max_matches_word_size)
{
	if (sizeof(long) == 8) {
		EXPECT_FMT(t, "18446744073709551615", "%lu", ~0UL);
		EXPECT_FMT(t, "ffffffffffffffff", "%lx", ~0UL);
	} else {
		EXPECT_FMT(t, "4294967295", "%lu", ~0UL);
		EXPECT_FMT(t, "ffffffff", "%lx", ~0UL);
	}
}

KTEST(printk, flags_sign_and_space)
{
	EXPECT_FMT(t, "+5", "%+d", 5);
	EXPECT_FMT(t, "-5", "%+d", -5);
	EXPECT_FMT(t, "+0", "%+d", 0);
	EXPECT_FMT(t, " 5", "% d", 5);
	EXPECT_FMT(t, "-5", "% d", -5);
	/* '+' wins over ' '. */
	EXPECT_FMT_UNCHECKED(t, "+5", "%+ d", 5);
}

KTEST(printk, flags_alternate_form)
{
	EXPECT_FMT(t, "0xff", "%#x", 255);
	EXPECT_FMT(t, "0XFF", "%#X", 255);
	EXPECT_FMT(t, "0", "%#x", 0);
	EXPECT_FMT(t, "017", "%#o", 15);
	EXPECT_FMT(t, "0", "%#o", 0);
	/* The precision already supplies the leading 0. */
	EXPECT_FMT(t, "0017", "%#.4o", 15);
	EXPECT_FMT(t, "0", "%#.0o", 0);
}

KTEST(printk, width_pads_left_or_right)
{
	EXPECT_FMT(t, "   42", "%5d", 42);
	EXPECT_FMT(t, "42   |", "%-5d|", 42);
	EXPECT_FMT(t, "  -42", "%5d", -42);
	EXPECT_FMT(t, "-42  |", "%-5d|", -42);
	EXPECT_FMT(t, "123456", "%3d", 123456);
	EXPECT_FMT(t, "   ab", "%5s", "ab");
	EXPECT_FMT(t, "ab   |", "%-5s|", "ab");
	EXPECT_FMT(t, "    x", "%5c", 'x');
	EXPECT_FMT(t, "x    |", "%-5c|", 'x');
}

KTEST(printk, zero_flag_pads_after_sign_and_prefix)
{
	EXPECT_FMT(t, "00042", "%05d", 42);
	EXPECT_FMT(t, "-0042", "%05d", -42);
	EXPECT_FMT(t, "+0042", "%+05d", 42);
	EXPECT_FMT(t, " 0042", "% 05d", 42);
	EXPECT_FMT(t, "0x00ff", "%#06x", 255);
	EXPECT_FMT(t, "000000ff", "%08x", 255);
	/* '-' overrides '0'. */
	EXPECT_FMT_UNCHECKED(t, "42   |", "%-05d|", 42);
	/* A precision turns the '0' flag off. */
	EXPECT_FMT_UNCHECKED(t, "  042", "%05.3d", 42);
}

KTEST(printk, precision_sets_minimum_digits)
{
	EXPECT_FMT(t, "00042", "%.5d", 42);
	EXPECT_FMT(t, "-00042", "%.5d", -42);
	EXPECT_FMT(t, "  00042", "%7.5d", 42);
	EXPECT_FMT(t, "0x000ff", "%#.5x", 255);
	EXPECT_FMT(t, "42", "%.1d", 42);
	/* Precision 0 and value 0 print no digits at all. */
	EXPECT_FMT(t, "", "%.0d", 0);
	EXPECT_FMT(t, "[   ]", "[%3.0u]", 0u);
	EXPECT_FMT(t, "+", "%+.0d", 0);
	/* A lone '.' is a precision of 0. */
	EXPECT_FMT(t, "", "%.d", 0);
	EXPECT_FMT(t, "7", "%.d", 7);
}

KTEST(printk, precision_limits_strings)
{
	const char unterminated[3] = { 'a', 'b', 'c' };

	EXPECT_FMT(t, "hel", "%.3s", "hello");
	EXPECT_FMT(t, "  hel", "%5.3s", "hello");
	EXPECT_FMT(t, "hello", "%.10s", "hello");
	EXPECT_FMT(t, "", "%.0s", "hello");
	/* With a precision the string need not be terminated. */
	EXPECT_FMT(t, "abc", "%.3s", unterminated);
}

KTEST(printk, star_width_and_precision)
{
	EXPECT_FMT(t, "   42", "%*d", 5, 42);
	EXPECT_FMT(t, "42   |", "%*d|", -5, 42);
	EXPECT_FMT(t, "00042", "%.*d", 5, 42);
	EXPECT_FMT(t, "42", "%.*d", -1, 42);
	EXPECT_FMT(t, "  hel", "%*.*s", 5, 3, "hello");
	EXPECT_FMT(t, "ab|", "%.*s|", 2, "abcdef");
}

KTEST(printk, strings_chars_and_null)
{
	EXPECT_FMT(t, "abc", "%s", "abc");
	EXPECT_FMT_UNCHECKED(t, "(null)", "%s", (const char *)NULL);
	EXPECT_FMT(t, "a-b", "%c-%c", 'a', 'b');
	EXPECT_FMT(t, "x=1 y=two z=3", "x=%d y=%s z=%c", 1, "two", '3');
}

KTEST(printk, pointer_is_zero_padded_hex)
{
	char want[2 + 2 * sizeof(void *) + 1];
	size_t i;

	/* 0x followed by every hex digit of a pointer. */
	want[0] = '0';
	want[1] = 'x';
	for (i = 0; i < 2 * sizeof(void *); i++)
		want[2 + i] = '0';
	want[sizeof(want) - 1] = '\0';
	EXPECT_FMT(t, want, "%p", (void *)NULL);

	want[sizeof(want) - 3] = 'a';
	want[sizeof(want) - 2] = 'b';
	EXPECT_FMT(t, want, "%p", (void *)0xab);

	if (sizeof(void *) == 8)
		EXPECT_FMT(t, "0x00000000deadbeef", "%p",
			   (void *)(uintptr_t)0xdeadbeef);
	else
		EXPECT_FMT(t, "0xdeadbeef", "%p",
			   (void *)(uintptr_t)0xdeadbeef);
}

KTEST(printk, pointer_honours_width)
{
	char buf[BUF_SIZE];
	int n = snprintf(buf, sizeof(buf), "%-*p|",
			 2 + 2 * (int)sizeof(void *) + 2, (void *)NULL);

	KEXPECT_EQ(t, n, 2 + 2 * (int)sizeof(void *) + 3);
	KEXPECT_EQ(t, buf[n - 3], ' ');
	KEXPECT_EQ(t, buf[n - 2], ' ');
	KEXPECT_EQ(t, buf[n - 1], '|');
}

KTEST(printk, truncation_terminates_and_returns_full_length)
{
	char buf[8];
	int n;

	memset(buf, 'x', sizeof(buf));
	n = snprintf(buf, sizeof(buf), "%s-%d", "abcdef", 12345);
	KEXPECT_EQ(t, n, 12);
	KEXPECT_STREQ(t, buf, "abcdef-");

	/* Exactly fitting text plus its NUL is not truncated. */
	n = snprintf(buf, sizeof(buf), "%d", 1234567);
	KEXPECT_EQ(t, n, 7);
	KEXPECT_STREQ(t, buf, "1234567");

	n = snprintf(buf, sizeof(buf), "%d", 12345678);
	KEXPECT_EQ(t, n, 8);
	KEXPECT_STREQ(t, buf, "1234567");

	memset(buf, 'x', sizeof(buf));
	n = snprintf(buf, 1, "abc");
	KEXPECT_EQ(t, n, 3);
	KEXPECT_EQ(t, buf[0], '\0');
	KEXPECT_EQ(t, buf[1], 'x');
}

KTEST(printk, size_zero_only_measures)
{
	char c = 'x';

	KEXPECT_EQ(t, snprintf(&c, 0, "%d+%s", 100, "abc"), 7);
	KEXPECT_EQ(t, c, 'x');
	KEXPECT_EQ(t, snprintf(NULL, 0, "%08x", 1u), 8);
}

KTEST(printk, padding_counts_past_the_end)
{
	char buf[4];

	KEXPECT_EQ(t, snprintf(buf, sizeof(buf), "%10d", 1), 10);
	KEXPECT_STREQ(t, buf, "   ");
	KEXPECT_EQ(t, snprintf(buf, sizeof(buf), "%-10s|", "ab"), 11);
	KEXPECT_STREQ(t, buf, "ab ");
}

KTEST(printk, vsnprintf_consumes_va_list)
{
	char buf[BUF_SIZE];
	int n;

	n = format_unchecked(buf, sizeof(buf), "%d %s %llx %c %p", -1, "s",
			     0x123456789abcULL, 'z', (void *)0);
	KEXPECT_EQ(t, n, (int)strlen(buf));
	KEXPECT_EQ(t, strncmp(buf, "-1 s 123456789abc z 0x", 22), 0);
}

KTEST(printk, unknown_conversion_is_copied)
{
	char buf[BUF_SIZE];
	int n;

	/* Built at run time so the compiler's format check does not fire. */
	char fmt[8] = { '<', '%', '5', 'q', '>', '\0' };

	n = format_unchecked(buf, sizeof(buf), fmt, 1);
	KEXPECT_STREQ(t, buf, "<%5q>");
	KEXPECT_EQ(t, n, 5);

	fmt[2] = '\0';
	n = format_unchecked(buf, sizeof(buf), fmt);
	KEXPECT_STREQ(t, buf, "<%");
	KEXPECT_EQ(t, n, 2);
}
