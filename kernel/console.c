/*
 * console.c - console output for printk and panic, and console input
 * that loses nothing.
 *
 * Output: console_lock makes each printk() message one unit on the wire.
 * During a panic the reporting hart writes without the lock (its holder
 * may be the hart that is stuck), and every other hart stops before its
 * next character (kernel/panic.c), so the report comes out whole.
 *
 * Input: the UART's receive interrupt moves bytes into input_ring until
 * it is full, and the shell reads them from there.  Nothing is dropped:
 * when the ring is full the interrupt is masked and the bytes wait in
 * the UART, where QEMU holds back the rest of the stream (its serial
 * port takes no more while one is unread), until the reader has made
 * room.  Bytes typed before boot wait the same way: the UART is never
 * reset once the kernel runs.
 *
 *   UART --irq--> input_ring[INPUT_SIZE] --console_getc--> shell
 *     ^  rx masked while the ring is full, unmasked at half empty
 *
 * Locking: input_lock protects the ring and the masked state; the
 * interrupt (hart 0) and the reader (any hart) both change the mask
 * under it, so it cannot be left masked with room in the ring.
 */
#include <kernel/console.h>
#include <kernel/machine.h>
#include <kernel/panic.h>
#include <kernel/platform.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>

/* A paste of a few thousand characters fits without masking at all. */
#define INPUT_SIZE 4096

static DEFINE_SPINLOCK(console_lock, "console", LOCK_LEVEL_CONSOLE);
static bool mid_line; /* the last byte written was not a newline */

static DEFINE_SPINLOCK(input_lock, "console_input", LOCK_LEVEL_WAIT);
static char input_ring[INPUT_SIZE];
static unsigned int input_head, input_tail; /* head: next read */
static bool input_masked;		    /* ring full: UART rx masked */

void console_write(const char *s, size_t n)
{
	unsigned long flags = irq_save(); /* stay on this hart */

	panic_console_begin();
	while (n--) {
		panic_stop_if_underway();
		if (*s == '\n')
			uart_putc('\r');
		mid_line = *s != '\n';
		uart_putc(*s++);
	}
	panic_console_end();
	irq_restore(flags);
}

void console_write_locked(const char *s, size_t n)
{
	if (panic_in_progress()) {
		console_write(s, n);
		return;
	}
	acquire(&console_lock);
	console_write(s, n);
	release(&console_lock);
}

void console_start_line(void)
{
	if (mid_line)
		console_write("\n", 1);
}

static unsigned int input_count(void)
{
	return input_tail - input_head;
}

void console_interrupt(void)
{
	unsigned int before;

	acquire(&input_lock);
	before = input_count();
	while (input_count() < INPUT_SIZE && uart_rx_ready())
		input_ring[input_tail++ % INPUT_SIZE] = uart_getc();
	if (input_count() == INPUT_SIZE && !input_masked) {
		uart_rx_interrupt(false); /* the rest waits in the UART */
		input_masked = true;
	}
	if (input_count() != before)
		task_wakeup(&input_head);
	release(&input_lock);
}

void console_wait_input_full(void)
{
	acquire(&input_lock);
	while (!input_masked) /* woken by every byte that comes in */
		task_sleep_on(&input_head, &input_lock);
	release(&input_lock);
}

char console_getc(void)
{
	char c;

	acquire(&input_lock);
	while (input_count() == 0)
		task_sleep_on(&input_head, &input_lock);
	c = input_ring[input_head++ % INPUT_SIZE];
	if (input_masked && input_count() <= INPUT_SIZE / 2) {
		input_masked = false;
		uart_rx_interrupt(true); /* what waited raises it again */
	}
	release(&input_lock);
	return c;
}
