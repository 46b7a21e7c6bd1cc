/*
 * string_test.c - tests for lib/string.c (suite "string").
 *
 * memset and memcpy switch to word accesses when alignment allows, so
 * they are checked at every start offset and many lengths around a word,
 * with guard bytes on both sides to catch a store one byte too far.
 */
#include <kernel/ktest.h>
#include <kernel/string.h>

#define GUARD 0xa5
#define AREA 64

/* A buffer with an aligned start, so offsets give every misalignment. */
struct area {
	unsigned char b[AREA + 2 * sizeof(long)];
} __aligned(sizeof(long));

static void fill_pattern(unsigned char *p, size_t n, unsigned char seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

KTEST(string, memset_fills_exactly_the_range)
{
	struct area a;
	size_t off, len, i;
	int bad = 0;

	for (off = 0; off < sizeof(long); off++) {
		for (len = 0; len <= 3 * sizeof(long) + 1; len++) {
			void *ret;

			for (i = 0; i < sizeof(a.b); i++)
				a.b[i] = GUARD;
			ret = memset(a.b + off, 0x3c, len);
			if (ret != a.b + off)
				bad++;
			for (i = 0; i < sizeof(a.b); i++) {
				bool inside = i >= off && i < off + len;

				if (a.b[i] != (inside ? 0x3c : GUARD))
					bad++;
			}
		}
	}
	KEXPECT_EQ(t, bad, 0);
}

KTEST(string, memset_uses_only_low_byte_of_value)
{
	unsigned char b[2 * sizeof(long) + 3];
	size_t i;
	int bad = 0;

	memset(b, 0x1ff, sizeof(b));
	for (i = 0; i < sizeof(b); i++)
		if (b[i] != 0xff)
			bad++;
	KEXPECT_EQ(t, bad, 0);
}

KTEST(string, memcpy_copies_at_every_alignment)
{
	struct area src = { 0 }, dst;
	size_t soff, doff, len, i;
	int bad = 0;

	fill_pattern(src.b, sizeof(src.b), 1);
	for (soff = 0; soff < sizeof(long); soff++) {
		for (doff = 0; doff < sizeof(long); doff++) {
			for (len = 0; len <= 3 * sizeof(long) + 1; len++) {
				void *ret;

				for (i = 0; i < sizeof(dst.b); i++)
					dst.b[i] = GUARD;
				ret = memcpy(dst.b + doff, src.b + soff, len);
				if (ret != dst.b + doff)
					bad++;
				for (i = 0; i < sizeof(dst.b); i++) {
					unsigned char want = GUARD;

					if (i >= doff && i < doff + len)
						want = src.b[soff + i - doff];
					if (dst.b[i] != want)
						bad++;
				}
			}
		}
	}
	KEXPECT_EQ(t, bad, 0);
}

KTEST(string, memmove_handles_overlap_both_ways)
{
	unsigned char b[AREA], want[AREA];
	size_t shift, i;
	int bad = 0;

	/* dst above src: a forward copy would smear the first bytes. */
	for (shift = 1; shift < 2 * sizeof(long) + 1; shift++) {
		fill_pattern(b, sizeof(b), 3);
		fill_pattern(want, sizeof(want), 3);
		for (i = 0; i < 40; i++)
			want[shift + i] = b[i];
		if (memmove(b + shift, b, 40) != b + shift)
			bad++;
		if (memcmp(b, want, sizeof(b)) != 0)
			bad++;
	}
	/* dst below src. */
	for (shift = 1; shift < 2 * sizeof(long) + 1; shift++) {
		fill_pattern(b, sizeof(b), 5);
		fill_pattern(want, sizeof(want), 5);
		for (i = 0; i < 40; i++)
			want[i] = b[shift + i];
		memmove(b, b + shift, 40);
		if (memcmp(b, want, sizeof(b)) != 0)
			bad++;
	}
	KEXPECT_EQ(t, bad, 0);

	fill_pattern(b, sizeof(b), 9);
	fill_pattern(want, sizeof(want), 9);
	memmove(b, b, sizeof(b));
	KEXPECT_EQ(t, memcmp(b, want, sizeof(b)), 0);
}

KTEST(string, memcmp_compares_bytes_as_unsigned)
{
	const unsigned char lo[] = { 1, 2, 0x01 };
	const unsigned char hi[] = { 1, 2, 0x80 };

	KEXPECT_LT(t, memcmp(lo, hi, 3), 0);
	KEXPECT_GT(t, memcmp(hi, lo, 3), 0);
	KEXPECT_EQ(t, memcmp(lo, hi, 2), 0);
	KEXPECT_EQ(t, memcmp(lo, hi, 0), 0);
}

KTEST(string, strlen_and_strnlen)
{
	const char s[] = "hello";

	KEXPECT_EQ(t, strlen(""), 0);
	KEXPECT_EQ(t, strlen(s), 5);
	KEXPECT_EQ(t, strnlen(s, 3), 3);
	KEXPECT_EQ(t, strnlen(s, 5), 5);
	KEXPECT_EQ(t, strnlen(s, 100), 5);
	KEXPECT_EQ(t, strnlen(s, 0), 0);
}

KTEST(string, strnlen_stops_at_max_without_terminator)
{
	const char unterminated[4] = { 'a', 'b', 'c', 'd' };

	KEXPECT_EQ(t, strnlen(unterminated, sizeof(unterminated)), 4);
}

KTEST(string, strcmp_orders_like_unsigned_char)
{
	KEXPECT_EQ(t, strcmp("abc", "abc"), 0);
	KEXPECT_EQ(t, strcmp("", ""), 0);
	KEXPECT_LT(t, strcmp("abc", "abd"), 0);
	KEXPECT_GT(t, strcmp("abd", "abc"), 0);
	KEXPECT_LT(t, strcmp("ab", "abc"), 0);
	KEXPECT_GT(t, strcmp("abc", "ab"), 0);
	KEXPECT_GT(t, strcmp("\x80", "\x01"), 0);
}

KTEST(string, strncmp_stops_after_n_or_at_nul)
{
	KEXPECT_EQ(t, strncmp("abcdef", "abcxyz", 3), 0);
	KEXPECT_LT(t, strncmp("abcdef", "abcxyz", 4), 0);
	KEXPECT_EQ(t, strncmp("abc", "abd", 0), 0);
	KEXPECT_EQ(t, strncmp("ab\0x", "ab\0y", 4), 0);
	KEXPECT_LT(t, strncmp("ab", "abc", 5), 0);
	KEXPECT_GT(t, strncmp("\xff", "a", 1), 0);
}

KTEST(string, strchr_finds_first_and_terminator)
{
	const char *s = "a=b=c";

	KEXPECT_PTR_EQ(t, strchr(s, '='), s + 1);
	KEXPECT_PTR_EQ(t, strchr(s, 'a'), s);
	KEXPECT_PTR_EQ(t, strchr(s, 'c'), s + 4);
	KEXPECT_PTR_EQ(t, strchr(s, '\0'), s + 5);
	KEXPECT_NULL(t, strchr(s, 'x'));
}

KTEST(string, strstr_finds_the_first_match_or_nothing)
{
	const char *s = "a double free of a";

	KEXPECT_PTR_EQ(t, strstr(s, "a"), s);
	KEXPECT_PTR_EQ(t, strstr(s, "free"), s + 9);
	KEXPECT_PTR_EQ(t, strstr(s, "of a"), s + 14);
	KEXPECT_PTR_EQ(t, strstr(s, ""), s);
	KEXPECT_NULL(t, strstr(s, "freed"));
	KEXPECT_NULL(t, strstr("", "x"));
}

KTEST(string, strchr_converts_c_to_char)
{
	const char *s = "t\xe9t";

	/* 0xe9 as an int must match the (possibly signed) char '\xe9'. */
	KEXPECT_PTR_EQ(t, strchr(s, 0xe9), s + 1);
}

KTEST(string, strlcpy_truncates_and_returns_source_length)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	KEXPECT_EQ(t, strlcpy(buf, "abc", sizeof(buf)), 3);
	KEXPECT_STREQ(t, buf, "abc");
	KEXPECT_EQ(t, buf[4], 'x');

	KEXPECT_EQ(t, strlcpy(buf, "0123456789", sizeof(buf)), 10);
	KEXPECT_STREQ(t, buf, "0123456");

	KEXPECT_EQ(t, strlcpy(buf, "1234567", sizeof(buf)), 7);
	KEXPECT_STREQ(t, buf, "1234567");

	KEXPECT_EQ(t, strlcpy(buf, "abc", 1), 3);
	KEXPECT_EQ(t, buf[0], '\0');
	KEXPECT_EQ(t, buf[1], '2');
}

KTEST(string, strlcpy_size_zero_writes_nothing)
{
	char c = 'x';

	KEXPECT_EQ(t, strlcpy(&c, "abc", 0), 3);
	KEXPECT_EQ(t, c, 'x');
}

KTEST(string, strtoul_parses_each_base)
{
	char *end;

	KEXPECT_EQ(t, strtoul("1234", &end, 10), 1234);
	KEXPECT_EQ(t, *end, '\0');
	KEXPECT_EQ(t, strtoul("ff", NULL, 16), 0xff);
	KEXPECT_EQ(t, strtoul("0xFF", NULL, 16), 0xff);
	KEXPECT_EQ(t, strtoul("777", NULL, 8), 0777);
	KEXPECT_EQ(t, strtoul("z", NULL, 36), 35);
	KEXPECT_EQ(t, strtoul("101", NULL, 2), 5);
}

KTEST(string, strtoul_base_zero_detects_prefix)
{
	char *end;

	KEXPECT_EQ(t, strtoul("0x1A", &end, 0), 0x1a);
	KEXPECT_EQ(t, *end, '\0');
	KEXPECT_EQ(t, strtoul("0X1a", NULL, 0), 0x1a);
	KEXPECT_EQ(t, strtoul("017", NULL, 0), 017);
	KEXPECT_EQ(t, strtoul("0", &end, 0), 0);
	KEXPECT_EQ(t, *end, '\0');
	KEXPECT_EQ(t, strtoul("42", NULL, 0), 42);
	/* 8 is not an octal digit: the number is the leading 0. */
	KEXPECT_EQ(t, strtoul("08", &end, 0), 0);
	KEXPECT_EQ(t, *end, '8');
}

KTEST(string, strtoul_sets_end_after_digits)
{
	const char *s = "  +42abc";
	char *end;

	KEXPECT_EQ(t, strtoul(s, &end, 10), 42);
	KEXPECT_PTR_EQ(t, end, s + 5);

	s = "123 456";
	KEXPECT_EQ(t, strtoul(s, &end, 0), 123);
	KEXPECT_PTR_EQ(t, end, s + 3);

	/* "0x" without a hex digit after it is just "0". */
	s = "0xg";
	KEXPECT_EQ(t, strtoul(s, &end, 16), 0);
	KEXPECT_PTR_EQ(t, end, s + 1);
}

KTEST(string, strtoul_without_digits_returns_zero_and_start)
{
	const char *s = "  xyz";
	char *end;

	KEXPECT_EQ(t, strtoul(s, &end, 10), 0);
	KEXPECT_PTR_EQ(t, end, s);
	KEXPECT_EQ(t, strtoul("", &end, 0), 0);
	KEXPECT_EQ(t, strtoul("-", &end, 0), 0);
	KEXPECT_EQ(t, strtoul("12", &end, 1), 0);
}

KTEST(string, strtoul_negates_and_saturates)
{
	char *end;

	KEXPECT_EQ(t, strtoul("-1", NULL, 10), ~0UL);
	KEXPECT_EQ(t, strtoul("-0x10", NULL, 0), 0UL - 16);
	KEXPECT_EQ(t, strtoul("0xffffffff", NULL, 0), 0xffffffffUL);
	if (sizeof(long) == 8) {
		KEXPECT_EQ(t, strtoul("18446744073709551615", NULL, 10), ~0UL);
		KEXPECT_EQ(t, strtoul("18446744073709551616", &end, 10), ~0UL);
	} else {
		KEXPECT_EQ(t, strtoul("4294967295", NULL, 10), ~0UL);
		KEXPECT_EQ(t, strtoul("4294967296", &end, 10), ~0UL);
	}
	/* The whole number is consumed even when it overflows. */
	KEXPECT_EQ(t, *end, '\0');
	KEXPECT_EQ(t, strtoul("99999999999999999999999", NULL, 10), ~0UL);
}
