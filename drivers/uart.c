/*
 * uart.c - the 16550A UART of QEMU virt, used as the console.
 *
 * Output is polled (wait for the transmit holding register to empty);
 * callers serialise through the console lock.  Input raises the receive
 * interrupt, routed by the PLIC to hart 0, and kernel/console.c takes
 * the bytes with uart_rx_ready/uart_getc.
 *
 * The FIFOs are left off, as reset leaves them: turning them on clears
 * them, and with them any byte typed before the kernel ran.  Without a
 * FIFO the UART holds one received byte, and QEMU sends the next only
 * once that one is read, so a byte is never overwritten: input that
 * comes faster than it is read waits in QEMU.
 */
#include <kernel/platform.h>

#define RHR 0 /* receive holding register (read) */
#define THR 0 /* transmit holding register (write) */
#define IER 1 /* interrupt enable */
#define LCR 3 /* line control */
#define LSR 5 /* line status */

#define IER_RX_ENABLE (1 << 0)
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
	uart[IER] = IER_RX_ENABLE;
}

void uart_putc(char c)
{
	while ((uart[LSR] & LSR_TX_IDLE) == 0)
		;
	uart[THR] = (uint8_t)c;
}

bool uart_rx_ready(void)
{
	return uart[LSR] & LSR_RX_READY;
}

char uart_getc(void)
{
	return (char)uart[RHR];
}

void uart_rx_interrupt(bool on)
{
	uart[IER] = on ? IER_RX_ENABLE : 0;
}
