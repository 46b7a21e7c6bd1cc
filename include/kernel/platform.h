/*
 * platform.h - the QEMU virt machine's devices as RVOS uses them.
 *
 * Addresses are fixed by QEMU's hw/riscv/virt.c; RVOS reads only the hart
 * count, the RAM and the timebase from the device tree.
 */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include <kernel/compiler.h>

#define VIRT_TEST_BASE 0x00100000UL /* test finisher (poweroff/exit) */
#define CLINT_BASE 0x02000000UL
#define PLIC_BASE 0x0c000000UL
#define UART0_BASE 0x10000000UL
#define UART0_IRQ 10

/* drivers/uart.c: 16550 console */
void uart_init(void);
void uart_putc(char c);
bool uart_rx_ready(void);
char uart_getc(void);
/* Mask or unmask the receive interrupt (input waits in the UART). */
void uart_rx_interrupt(bool on);

/* drivers/plic.c: routes device interrupts, all to hart 0 */
void plic_init(void);
void plic_init_hart(unsigned int hart);
unsigned int plic_claim(unsigned int hart);
void plic_complete(unsigned int hart, unsigned int irq);

/* drivers/clint.c: per-hart timer compare and software interrupts */
uint64_t clint_mtime(void);
void clint_set_timer(unsigned int hart, uint64_t when);
void clint_send_ipi(unsigned int hart);
void clint_clear_ipi(unsigned int hart);

/* drivers/virt_test.c: leave QEMU with an exit status */
__noreturn void virt_test_exit(int status);

#endif /* KERNEL_PLATFORM_H */
