/*
 * uart.c - the 16550A UART of QEMU virt, used as the console.
 *
 * Output is polled (wait for the transmit holding register to empty);
 * callers serialise through the console lock.  Input is interrupt driven:
 * the receive interrupt, routed by the PLIC, hands each byte to
 * console_input() (kernel/console.c).
 */
#include <kernel/platform.h>
#include <kernel/console.h>

#define RHR 0 /* receive holding register (read) */
#define THR 0 /* transmit holding register (write) */
#define IER 1 /* interrupt enable */
#define FCR 2 /* FIFO control */
#define LCR 3 /* line control */
#define LSR 5 /* line status */

#define IER_RX_ENABLE (1 << 0)
#define FCR_FIFO_ENABLE (1 << 0)
#define FCR_FIFO_CLEAR (3 << 1)
#define LCR_EIGHT_BITS (3 << 0)
#define LCR_BAUD_LATCH (1 << 7)
#define LSR_RX_READY (1 << 0)
#define LSR_TX_IDLE (1 << 5)

static volatile uint8_t *const uart = (volatile uint8_t *)UART0_BASE;

void uart_init(void)
{
	uart[IER] = 0;
	/* 38400 baud: divisor 3 (QEMU ignores it, real 16550s do not). */
	uart[LCR] = LCR_BAUD_LATCH;
	uart[0] = 3;
	uart[1] = 0;
	uart[LCR] = LCR_EIGHT_BITS;
	uart[FCR] = FCR_FIFO_ENABLE | FCR_FIFO_CLEAR;
	uart[IER] = IER_RX_ENABLE;
}

void uart_putc(char c)
{
	while ((uart[LSR] & LSR_TX_IDLE) == 0)
		;
	uart[THR] = (uint8_t)c;
}

/* Receive interrupt: drain the FIFO into the console input buffer. */
void uart_irq(void)
{
	while (uart[LSR] & LSR_RX_READY)
		console_input((char)uart[RHR]);
}
