/*
 * compiler.h - the few compiler annotations and helper macros RVOS uses.
 *
 * Everything here is plain GCC/Clang C and builds both freestanding (the
 * kernel) and hosted (the host test runner).
 */
#ifndef KERNEL_COMPILER_H
#define KERNEL_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define __used __attribute__((used))
#define __section(s) __attribute__((section(s)))
#define __aligned(n) __attribute__((aligned(n)))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noinline __attribute__((noinline))
/* glibc's sys/cdefs.h has its own (host builds); theirs means the same. */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * Read on every call of a fast path, rarely written: in the small-data
 * section, which RISC-V reaches from the global pointer in one
 * instruction (arch/riscv/kernel.ld).  The window is 4 KiB: keep it for
 * the hottest few.
 */
#define __read_mostly __section(".sdata.read_mostly")

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member)                                        \
	((type *)((char *)(ptr)-offsetof(type, member)))

/*
 * Accesses that the compiler may neither tear, merge nor hoist out of
 * loops: relaxed atomic loads and stores of a word, as Linux's.  They are
 * volatile accesses, which GCC addresses as base + offset on RISC-V (its
 * __atomic_load_n wants the address alone in a register: one more
 * instruction).  ThreadSanitizer does not count volatile as atomic, so
 * under it they are the __atomic builtins they stand for.
 */
#ifdef __SANITIZE_THREAD__
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#else
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#endif

/* The address of the code that called the current function. */
#define CALLER_ADDR ((uintptr_t)__builtin_return_address(0))

#define CACHELINE_SIZE 64

#endif /* KERNEL_COMPILER_H */
