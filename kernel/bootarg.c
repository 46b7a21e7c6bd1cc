/*
 * bootarg.c - find an option on the kernel command line
 * (include/kernel/bootarg.h).
 */
#include <kernel/bootarg.h>
#include <kernel/hart.h>
#include <kernel/string.h>

bool bootarg(const char *key, char *out, size_t size)
{
	const char *p = boot_info.bootargs;
	size_t klen = strlen(key);

	if (!p)
		return false;
	while (*p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t n = 0;

			p += klen + 1;
			while (p[n] && p[n] != ' ')
				n++;
			if (n >= size)
				n = size - 1;
			memcpy(out, p, n);
			out[n] = '\0';
			return true;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}
