/*
 * string.c - the freestanding memory and string routines RVOS needs.
 *
 * GCC emits calls to memset/memcpy/memmove/memcmp on its own (structure
 * copies, large initialisers), so a freestanding kernel must provide them.
 * They are written for clarity first; memset and memcpy move a word at a
 * time when the pointers allow it, because RISC-V cores may trap or crawl
 * on misaligned word accesses.
 *
 * On the host these names are renamed to rvos_* by tests/host/rename.h so
 * that they do not clash with the C library.
 */
#include <kernel/string.h>

/*
 * GCC recognises the byte loops below as memset/memcpy patterns and would
 * replace them with calls to memset/memcpy, i.e. to themselves: the
 * kernel is built with -fno-tree-loop-distribute-patterns (KCFLAGS in the
 * Makefile) so that it does not.  On the host they are rvos_memset and so
 * on, and a call to the C library's memset is no recursion.
 */

/* A word that may alias any object, so word-wise copies stay legal C. */
typedef unsigned long __attribute__((may_alias)) word_t;

#define WORD_SIZE sizeof(word_t)

static inline bool word_aligned(const void *p)
{
	return IS_ALIGNED((uintptr_t)p, WORD_SIZE);
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char byte = (unsigned char)c;

	while (n > 0 && !word_aligned(d)) {
		*d++ = byte;
		n--;
	}
	if (n >= WORD_SIZE) {
		/* 0x0101...01 times the byte replicates it into every lane. */
		word_t pattern = (~0UL / 0xff) * byte;
		word_t *w = (word_t *)d;

		for (; n >= WORD_SIZE; n -= WORD_SIZE)
			*w++ = pattern;
		d = (unsigned char *)w;
	}
	while (n > 0) {
		*d++ = byte;
		n--;
	}
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/*
	 * Only when both pointers share their offset within a word can both
	 * become aligned together; otherwise every word access on one side
	 * would be misaligned.
	 */
	if (((uintptr_t)d & (WORD_SIZE - 1)) ==
	    ((uintptr_t)s & (WORD_SIZE - 1))) {
		while (n > 0 && !word_aligned(d)) {
			*d++ = *s++;
			n--;
		}
		if (n >= WORD_SIZE) {
			word_t *wd = (word_t *)d;
			const word_t *ws = (const word_t *)s;

			for (; n >= WORD_SIZE; n -= WORD_SIZE)
				*wd++ = *ws++;
			d = (unsigned char *)wd;
			s = (const unsigned char *)ws;
		}
	}
	while (n > 0) {
		*d++ = *s++;
		n--;
	}
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/*
	 * A forward copy is safe unless dst starts inside [src, src + n);
	 * comparing as integers avoids comparing pointers into different
	 * objects, which C leaves undefined.  memcpy() copies strictly
	 * forwards, which is what makes it usable here when dst < src.
	 */
	if ((uintptr_t)d - (uintptr_t)s >= n)
		return memcpy(dst, src, n);

	while (n > 0) {
		n--;
		d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *pa = a, *pb = b;

	for (; n > 0; n--, pa++, pb++) {
		if (*pa != *pb)
			return *pa < *pb ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* Characters compare as unsigned char, as in the C library. */
int strcmp(const char *a, const char *b)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	while (*pa && *pa == *pb) {
		pa++;
		pb++;
	}
	return *pa == *pb ? 0 : (*pa < *pb ? -1 : 1);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	for (; n > 0; n--, pa++, pb++) {
		if (*pa != *pb)
			return *pa < *pb ? -1 : 1;
		if (*pa == '\0')
			break;
	}
	return 0;
}

/* Searching for '\0' finds the terminator, as the C library does. */
char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

/* The first place needle appears in haystack (haystack if needle is ""). */
char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	return n ? NULL : (char *)haystack;
}

/*
 * Copy at most size - 1 characters and always terminate (if size > 0).
 * Returns strlen(src), so truncation is detected by a result >= size.
 */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 36;
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * As in the C library: leading white space, an optional sign (a '-'
 * negates the result modulo ULONG_MAX + 1), base 0 picks 16 for "0x",
 * 8 for a leading "0" and 10 otherwise.  With no errno to set, an
 * overflow saturates to ULONG_MAX.  *end gets the first character not
 * used, or s itself if there were no digits.
 */
unsigned long strtoul(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long val = 0;
	bool neg = false, any = false, overflow = false;

	if (base < 0 || base == 1 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}

	while (is_space(*p))
		p++;
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}

	/*
	 * "0x" is a prefix only if a hex digit follows; in "0xg" the number
	 * is the "0" and parsing stops at the 'x'.
	 */
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}

	for (;; p++) {
		unsigned long d = (unsigned long)digit_value(*p);

		if (d >= (unsigned long)base)
			break;
		any = true;
		if (val > (~0UL - d) / (unsigned long)base)
			overflow = true;
		else
			val = val * (unsigned long)base + d;
	}

	if (end)
		*end = (char *)(any ? p : s);
	if (overflow)
		return ~0UL;
	return neg ? 0UL - val : val;
}
