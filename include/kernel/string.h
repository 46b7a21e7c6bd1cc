/*
 * string.h - the freestanding memory and string routines (lib/string.c).
 */
#ifndef KERNEL_STRING_H
#define KERNEL_STRING_H

#include <kernel/compiler.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strlcpy(char *dst, const char *src, size_t size);
unsigned long strtoul(const char *s, char **end, int base);

#endif /* KERNEL_STRING_H */
