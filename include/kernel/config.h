/*
 * config.h - build-time constants, usable from C and assembly.
 */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#define MAX_HARTS 8

#define PAGE_SHIFT 12
#define PAGE_SIZE (1 << PAGE_SHIFT)

/* Each hart's boot stack, which becomes its idle task's stack. */
#define BOOT_STACK_SIZE 8192
/* Stack of every other task, taken from the page allocator. */
#define TASK_STACK_PAGES 2

/* Timer interrupts per second. */
#define HZ 100

#endif /* KERNEL_CONFIG_H */
