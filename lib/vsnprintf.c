/*
 * vsnprintf.c - formatted output into a bounded buffer.
 *
 * The subset of C99 printf that kernel messages and tests need:
 *
 *	%[flags][width][.precision][length]conversion
 *	flags       - 0 + space #
 *	width       digits or *       (a negative * width means '-')
 *	precision   .digits or .*     (a negative * precision is ignored)
 *	length      hh h l ll z t j
 *	conversion  d i u x X o p s c %, and pS pB
 *
 * %p prints "0x" and the pointer's hex digits padded to its full width, so
 * addresses line up in dumps.  %pS prints the function that holds a code
 * address, "name+0xoffset" (Linux's %pS without "/0xsize"), and %pB does
 * so for a return address (see out_symbol); an address in no function
 * prints as %p.  A NULL %s prints "(null)".  Anything else after a '%' is
 * copied to the output as written, to make the mistake visible rather
 * than silently dropping arguments.
 *
 * As in C99, the result is always NUL-terminated when size > 0, and the
 * return value is the length the whole output would have had, so callers
 * detect truncation with "ret >= size".
 */
#include <limits.h>
#include <kernel/kallsyms.h>
#include <kernel/printk.h>
#include <kernel/string.h>

/* Where the characters go; len keeps counting past the end of buf. */
struct outbuf {
	char *buf;
	size_t size;
	size_t len;
};

enum {
	F_LEFT = 1 << 0,  /* '-' */
	F_ZERO = 1 << 1,  /* '0' */
	F_PLUS = 1 << 2,  /* '+' */
	F_SPACE = 1 << 3, /* ' ' */
	F_ALT = 1 << 4,	  /* '#' */
};

enum length {
	LEN_NONE,
	LEN_HH,
	LEN_H,
	LEN_L,
	LEN_LL,
	LEN_Z,
	LEN_T,
	LEN_J,
};

struct spec {
	unsigned int flags;
	int width;
	int prec; /* -1 if not given */
	enum length length;
	char conv;
};

/* Widths and precisions beyond this are clamped rather than overflowing. */
#define FIELD_MAX 4096

static void out_char(struct outbuf *o, char c)
{
	/* The last byte of buf is kept for the terminating NUL. */
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct outbuf *o, char c, int n)
{
	for (; n > 0; n--)
		out_char(o, c);
}

static void out_mem(struct outbuf *o, const char *s, size_t n)
{
	while (n-- > 0)
		out_char(o, *s++);
}

/* Strings and characters: only width and '-' apply. */
static void out_padded(struct outbuf *o, const struct spec *sp, const char *s,
		       size_t n)
{
	int pad = (size_t)sp->width > n ? sp->width - (int)n : 0;

	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

/*
 * Write the digits of val into buf, least significant first, and return
 * how many.  Powers of two need only shifts.  Decimal needs division,
 * which on rv32 is many instructions (or a libgcc call) in 64 bits, so
 * the double-word loop runs only while the value exceeds a machine word.
 */
static int digits_reversed(char *buf, unsigned long long val, unsigned int base,
			   bool upper)
{
	const char *xdigits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned long word;
	int n = 0;

	if (base != 10) {
		unsigned int shift = base == 16 ? 4 : 3;

		do {
			buf[n++] = xdigits[val & (base - 1)];
			val >>= shift;
		} while (val);
		return n;
	}

#if __SIZEOF_LONG__ < __SIZEOF_LONG_LONG__
	while (val > ~0UL) {
		buf[n++] = (char)('0' + val % 10);
		val /= 10;
	}
#endif
	word = (unsigned long)val;
	do {
		buf[n++] = (char)('0' + word % 10);
		word /= 10;
	} while (word);
	return n;
}

/*
 * The layout of a converted integer, left to right:
 *
 *	[spaces] [sign] [0x] [zeros] digits [spaces]
 *
 * Zeros come from the precision (minimum number of digits), from '#' with
 * %o (the first digit must be 0), or from the '0' flag filling the width,
 * which C ignores once a precision is given.
 */
static void out_integer(struct outbuf *o, const struct spec *sp,
			unsigned long long val, bool neg)
{
	char digits[24]; /* 64 bits in octal is 22 digits */
	unsigned int base = 10;
	const char *prefix = "";
	char sign = 0;
	int ndigits, zeros, len, pad;
	int prec = sp->prec;

	switch (sp->conv) {
	case 'o':
		base = 8;
		break;
	case 'x':
	case 'X':
		base = 16;
		if ((sp->flags & F_ALT) && val != 0)
			prefix = sp->conv == 'x' ? "0x" : "0X";
		break;
	case 'p':
		base = 16;
		prefix = "0x";
		prec = 2 * (int)sizeof(void *);
		break;
	case 'd':
	case 'i':
		if (neg)
			sign = '-';
		else if (sp->flags & F_PLUS)
			sign = '+';
		else if (sp->flags & F_SPACE)
			sign = ' ';
		break;
	}

	ndigits = digits_reversed(digits, val, base, sp->conv == 'X');
	if (prec < 0)
		prec = 1;
	/* An explicit precision of 0 prints nothing at all for 0. */
	if (val == 0 && prec == 0)
		ndigits = 0;
	zeros = prec > ndigits ? prec - ndigits : 0;
	/* '#' with %o: the output must start with a 0 digit. */
	if (base == 8 && (sp->flags & F_ALT) && zeros == 0 &&
	    !(val == 0 && ndigits > 0))
		zeros = 1;

	len = (sign ? 1 : 0) + (int)strlen(prefix) + zeros + ndigits;
	pad = sp->width > len ? sp->width - len : 0;

	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0 &&
	    sp->conv != 'p') {
		zeros += pad;
		pad = 0;
	}

	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	if (sign)
		out_char(o, sign);
	out_mem(o, prefix, strlen(prefix));
	out_repeat(o, '0', zeros);
	while (ndigits > 0)
		out_char(o, digits[--ndigits]);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

/*
 * %pS and %pB: "name+0xoffset", padded to the width like a string.  A
 * return address is the byte after a call, and a call that ends its
 * function (to a noreturn one, say) returns to the first byte of the next
 * function: %pB looks up the byte before it, as Linux's %pB does, and
 * prints the offset of the address itself.
 */
static void out_symbol(struct outbuf *o, const struct spec *sp, uintptr_t addr,
		       bool is_return)
{
	size_t size, offset, name_len;
	const char *name = kallsyms_lookup(addr - is_return, &size, &offset);
	char digits[24];
	int ndigits, len, pad;

	if (!name) {
		out_integer(o, sp, addr, false);
		return;
	}
	name_len = strlen(name);
	ndigits = digits_reversed(digits, offset + is_return, 16, false);
	len = (int)MIN(name_len, (size_t)FIELD_MAX) + 3 + ndigits;
	pad = sp->width > len ? sp->width - len : 0;

	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, name, name_len);
	out_mem(o, "+0x", 3);
	while (ndigits > 0)
		out_char(o, digits[--ndigits]);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

static void out_signed(struct outbuf *o, const struct spec *sp, long long v)
{
	/* Negating in unsigned arithmetic works for LLONG_MIN too. */
	unsigned long long mag = (unsigned long long)v;

	if (v < 0)
		mag = 0ULL - mag;
	out_integer(o, sp, mag, v < 0);
}

static long long fetch_signed(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
		/* The signed type of size_t's width; ptrdiff_t on our ABIs. */
		return (ptrdiff_t)va_arg(*ap, size_t);
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long fetch_unsigned(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		return (size_t)va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Read a decimal field of the format, clamped to FIELD_MAX. */
static int parse_field(const char **fmt)
{
	int n = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		n = n * 10 + (**fmt - '0');
		if (n > FIELD_MAX)
			n = FIELD_MAX;
		(*fmt)++;
	}
	return n;
}

/*
 * Parse one conversion specification; *fmt points just past the '%'.
 * Returns false if the format ends in the middle of it.
 */
static bool parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *p = *fmt;

	sp->flags = 0;
	for (;; p++) {
		if (*p == '-')
			sp->flags |= F_LEFT;
		else if (*p == '0')
			sp->flags |= F_ZERO;
		else if (*p == '+')
			sp->flags |= F_PLUS;
		else if (*p == ' ')
			sp->flags |= F_SPACE;
		else if (*p == '#')
			sp->flags |= F_ALT;
		else
			break;
	}

	sp->width = 0;
	if (*p == '*') {
		int w = va_arg(*ap, int);

		p++;
		if (w < 0) {
			sp->flags |= F_LEFT;
			w = w < -FIELD_MAX ? FIELD_MAX : -w;
		}
		sp->width = w > FIELD_MAX ? FIELD_MAX : w;
	} else {
		sp->width = parse_field(&p);
	}

	sp->prec = -1;
	if (*p == '.') {
		p++;
		if (*p == '*') {
			int prec = va_arg(*ap, int);

			p++;
			sp->prec = prec < 0 ? -1 : MIN(prec, FIELD_MAX);
		} else {
			sp->prec = parse_field(&p);
		}
	}

	sp->length = LEN_NONE;
	switch (*p) {
	case 'h':
		p++;
		sp->length = LEN_H;
		if (*p == 'h') {
			p++;
			sp->length = LEN_HH;
		}
		break;
	case 'l':
		p++;
		sp->length = LEN_L;
		if (*p == 'l') {
			p++;
			sp->length = LEN_LL;
		}
		break;
	case 'z':
		p++;
		sp->length = LEN_Z;
		break;
	case 't':
		p++;
		sp->length = LEN_T;
		break;
	case 'j':
		p++;
		sp->length = LEN_J;
		break;
	}

	sp->conv = *p;
	if (*p == '\0') {
		*fmt = p;
		return false;
	}
	*fmt = p + 1;
	return true;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };
	struct spec sp;
	va_list args;

	/*
	 * Helpers take the argument list by pointer; a copy is needed for
	 * that because va_list may be an array type, and then &ap of the
	 * parameter would have the wrong type.
	 */
	va_copy(args, ap);

	while (*fmt) {
		const char *start = fmt;

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt++;
		if (!parse_spec(&fmt, &sp, &args)) {
			out_mem(&o, start, (size_t)(fmt - start));
			break;
		}

		switch (sp.conv) {
		case 'd':
		case 'i':
			out_signed(&o, &sp, fetch_signed(&args, sp.length));
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			out_integer(&o, &sp, fetch_unsigned(&args, sp.length),
				    false);
			break;
		case 'p':
			if (*fmt == 'S' || *fmt == 'B') {
				out_symbol(&o, &sp,
					   (uintptr_t)va_arg(args, void *),
					   *fmt++ == 'B');
				break;
			}
			out_integer(&o, &sp, (uintptr_t)va_arg(args, void *),
				    false);
			break;
		case 's': {
			const char *s = va_arg(args, const char *);
			size_t n;

			if (!s)
				s = "(null)";
			/* With a precision, s need not be terminated. */
			n = sp.prec < 0 ? strlen(s)
					: strnlen(s, (size_t)sp.prec);
			out_padded(&o, &sp, s, n);
			break;
		}
		case 'c': {
			char c = (char)va_arg(args, int);

			out_padded(&o, &sp, &c, 1);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		default:
			out_mem(&o, start, (size_t)(fmt - start));
			break;
		}
	}
	va_end(args);

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT_MAX ? -1 : (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
