/*
 * leaks.h - the background leak scan of the shell's "leaks" command
 * (kernel/leaks.c), over the scanner in mm/leak.c.
 */
#ifndef KERNEL_LEAKS_H
#define KERNEL_LEAKS_H

/* The period mm.debug=L starts the background scan with (kmemleak: 600). */
#define LEAKS_INTERVAL_S 60

/*
 * At boot, once tasks run: with mm.debug=L, start the background scan,
 * every LEAKS_INTERVAL_S seconds.  The test image starts none, as its
 * cases count the reports they cause.
 */
void leaks_boot(void);

#endif /* KERNEL_LEAKS_H */
