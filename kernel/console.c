/*
 * console.c - serialised console output and interrupt-fed console input.
 *
 * Locking: console_lock makes each printk() message one unit on the wire;
 * input_lock protects the input ring.  A panic sets kernel_panicked and
 * then writes without the lock, since the lock holder may be the hart
 * that is stuck.
 */
#include <kernel/console.h>
#include <kernel/machine.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>

#define INPUT_SIZE 128

static DEFINE_SPINLOCK(console_lock, "console", LOCK_LEVEL_CONSOLE);

static DEFINE_SPINLOCK(input_lock, "console_input", LOCK_LEVEL_WAIT);
static char input_ring[INPUT_SIZE];
static unsigned int input_head, input_tail; /* head: next read */

void console_write_locked(const char *s, size_t n)
{
	if (kernel_panicked) {
		console_write(s, n);
		return;
	}
	acquire(&console_lock);
	console_write(s, n);
	release(&console_lock);
}

void console_input(char c)
{
	acquire(&input_lock);
	if (input_tail - input_head < INPUT_SIZE) {
		input_ring[input_tail++ % INPUT_SIZE] = c;
		task_wakeup(&input_head);
	}
	release(&input_lock);
}

char console_getc(void)
{
	char c;

	acquire(&input_lock);
	while (input_head == input_tail)
		task_sleep_on(&input_head, &input_lock);
	c = input_ring[input_head++ % INPUT_SIZE];
	release(&input_lock);
	return c;
}
