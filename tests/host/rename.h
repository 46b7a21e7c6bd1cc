/*
 * rename.h - give RVOS's C-library-like functions rvos_ names on the host.
 *
 * The host runner links lib/ and mm/ into an ordinary program that also
 * has the C library (pthreads, printf, the sanitizers' runtime).  Defining
 * memset or malloc there would replace the C library's own for the whole
 * process, sanitizer runtime included.  Every host object is therefore
 * compiled with "-include tests/host/rename.h", so RVOS code and its tests
 * name, define and call rvos_memset etc., while the C library keeps its
 * own.  Keep this list in step with include/kernel/string.h, printk.h and
 * the allocator's header.
 *
 * The macros are function-like, so only a call or a declaration is
 * renamed, not the bare word: KTEST(malloc, ...) must still name the
 * suite "malloc" on the host, as in the kernel.
 *
 * Build with -U_FORTIFY_SOURCE: in a file that also includes the C
 * library's <stdio.h> or <string.h>, glibc's fortify wrappers would take
 * over the renamed calls and send them to the C library's code.
 */
#ifndef TESTS_HOST_RENAME_H
#define TESTS_HOST_RENAME_H

/* lib/string.c */
#define memset(...) rvos_memset(__VA_ARGS__)
#define memcpy(...) rvos_memcpy(__VA_ARGS__)
#define memmove(...) rvos_memmove(__VA_ARGS__)
#define memcmp(...) rvos_memcmp(__VA_ARGS__)
#define strlen(...) rvos_strlen(__VA_ARGS__)
#define strnlen(...) rvos_strnlen(__VA_ARGS__)
#define strcmp(...) rvos_strcmp(__VA_ARGS__)
#define strncmp(...) rvos_strncmp(__VA_ARGS__)
#define strchr(...) rvos_strchr(__VA_ARGS__)
#define strstr(...) rvos_strstr(__VA_ARGS__)
#define strlcpy(...) rvos_strlcpy(__VA_ARGS__)
#define strtoul(...) rvos_strtoul(__VA_ARGS__)

/* lib/vsnprintf.c */
#define snprintf(...) rvos_snprintf(__VA_ARGS__)
#define vsnprintf(...) rvos_vsnprintf(__VA_ARGS__)

/* mm/malloc.c */
#define malloc(...) rvos_malloc(__VA_ARGS__)
#define free(...) rvos_free(__VA_ARGS__)

#endif /* TESTS_HOST_RENAME_H */
