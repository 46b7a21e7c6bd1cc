/*
 * watch.c - hardware watchpoints from the RISC-V debug trigger module
 * (Sdtrig), for include/kernel/machine.h's watch_* calls, and the trap of
 * a watch that fired.
 *
 * A trigger of type 2 (mcontrol) armed for stores in M-mode (and for
 * loads, when asked) stops the access before it is made with a
 * breakpoint exception (mcause 3), mepc at the instruction, mtval 0.
 * Nothing says which address was hit, so the trap decodes the
 * instruction at mepc (base or compressed) and adds its offset to the
 * saved base register.
 *
 * Triggers are per hart, but a watch must hold on every hart.  The
 * watches wanted live in one table, want[], with a generation counter
 * that is odd while it is being changed (a sequence lock: readers never
 * wait on a lock, for they run in traps).  Each hart applies the table
 * to its own triggers:
 *
 *   watch_arm/watch_release  change the table (the caller serialises),
 *                            apply it here at once, and send the other
 *                            harts an IPI;
 *   every interrupt          compares the generation with the one this
 *                            hart applied (watch_sync, 14
 *                            instructions on rv32, the call included)
 *                            and applies the table if it moved; so does
 *                            the trap of a watch.
 *
 * Why lazily, and not by waiting for every hart: mm releases a watch on
 * a free path, which may run with any lock held (the scheduler frees
 * dead tasks under its lock), while another hart spins for that lock
 * with interrupts off; waiting for it would deadlock.  A watch armed
 * late misses a write in the meantime (it is a sample); a watch
 * released late stops a store to a block that is no longer watched,
 * and the trap finds it stale (mm_watch_hit says so), applies the table
 * and lets the store run.
 *
 * The trap must disarm before it touches memory: a watched word may be
 * one its own code reads or writes, and would fire again forever.
 */
#include <kernel/machine.h>
#include <kernel/hart.h>
#include <kernel/mm_debug.h>
#include <kernel/platform.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <kernel/trap.h>
#include <asm/csr.h>

#define WATCH_SLOTS_MAX 2 /* mm holds one block per slot */
#define WATCH_WINDOW 8	  /* bytes a trigger covers in QEMU (size 0) */

#define XLEN (sizeof(unsigned long) * 8)
#define MCONTROL_TYPE (2UL << (XLEN - 4)) /* type 2: address match */
#define MCONTROL_M (1UL << 6)		  /* fire in M-mode */
#define MCONTROL_STORE (1UL << 1)
#define MCONTROL_LOAD (1UL << 0)
#define TINFO_MCONTROL (1UL << 2)

#define MCAUSE_BREAKPOINT 3

unsigned long watch_probe_select(unsigned long i);
unsigned long watch_probe_tinfo(void);

static unsigned int nr_slots; /* set once at boot, by hart 0 */

static struct {
	unsigned long gen; /* odd: want[] is being changed */
	const void *want[WATCH_SLOTS_MAX];
	bool loads[WATCH_SLOTS_MAX];		 /* loads fire it too */
	unsigned long slot_gen[WATCH_SLOTS_MAX]; /* bumped by each change */
} table;

/* What each hart's triggers hold; touched by that hart only. */
static struct {
	unsigned long applied; /* the table's generation */
	const void *armed[WATCH_SLOTS_MAX];
	bool loads[WATCH_SLOTS_MAX];
	unsigned long muted[WATCH_SLOTS_MAX]; /* slot_gen of a watch hit */
} __aligned(CACHELINE_SIZE) here[MAX_HARTS];

/* --- The triggers of this hart ----------------------------------------- */

static void trigger_arm(unsigned int slot, const void *addr, bool loads)
{
	csr_write(0x7a0, slot);		   /* tselect */
	csr_write(0x7a2, (uintptr_t)addr); /* tdata2 */
	csr_write(0x7a1, MCONTROL_TYPE | MCONTROL_M | MCONTROL_STORE |
				 (loads ? MCONTROL_LOAD : 0));
}

/* tdata1 = 0 is ignored by QEMU 7.2: write the type alone. */
static void trigger_disarm(unsigned int slot)
{
	csr_write(0x7a0, slot);
	csr_write(0x7a1, MCONTROL_TYPE);
}

/*
 * Does this hart have a trigger that watches stores?  The count is of
 * the triggers tselect accepts, as many as mm can use; each must take
 * type 2 (tinfo, or tdata1's type where tinfo is missing).
 */
static unsigned int probe_slots(void)
{
	unsigned int i;
	unsigned long info;

	for (i = 0; i < WATCH_SLOTS_MAX; i++) {
		if (watch_probe_select(i) != i)
			break;
		info = watch_probe_tinfo();
		if (info == (unsigned long)-1) {
			if ((csr_read(0x7a1) >> (XLEN - 4)) != 2)
				break;
		} else if (!(info & TINFO_MCONTROL)) {
			break;
		}
		trigger_disarm(i);
	}
	return i;
}

/*
 * Hart 0 probes first, at boot, and says so in one line if there are no
 * triggers; a hart released later with fewer than hart 0 brings the
 * count down to its own (watches must hold on every hart) and says so.
 */
void watch_init_hart(void)
{
	unsigned int n = probe_slots();

	if (this_hart() == 0) {
		nr_slots = n;
		if (!n)
			printk("watch: no debug triggers (Sdtrig): watching freed memory is off\n");
	} else if (n < watch_slots()) {
		__atomic_store_n(&nr_slots, n, __ATOMIC_RELAXED);
		printk("watch: hart %u has %u debug triggers, fewer than hart 0: %u watches at once\n",
		       this_hart(), n, n);
	}
}

unsigned int watch_slots(void)
{
	return __atomic_load_n(&nr_slots, __ATOMIC_RELAXED);
}

/* --- The table, and each hart's copy of it ------------------------------- */

/*
 * Make this hart's triggers what the table wants, leaving out a watch
 * this hart has hit already.  Interrupts off.  The copy is read under
 * the sequence lock: retried if a writer changed the table meanwhile.
 */
static void apply_table(void)
{
	const void *want[WATCH_SLOTS_MAX] = { NULL };
	bool loads[WATCH_SLOTS_MAX] = { false };
	unsigned long gen, slot_gen[WATCH_SLOTS_MAX] = { 0 };
	unsigned int i, h = this_hart();

	do {
		while ((gen = __atomic_load_n(&table.gen, __ATOMIC_ACQUIRE)) &
		       1)
			cpu_relax();
		for (i = 0; i < nr_slots; i++) {
			want[i] = __atomic_load_n(&table.want[i],
						  __ATOMIC_RELAXED);
			loads[i] = __atomic_load_n(&table.loads[i],
						   __ATOMIC_RELAXED);
			slot_gen[i] = __atomic_load_n(&table.slot_gen[i],
						      __ATOMIC_RELAXED);
		}
		/* fence r,rw: the copy is read before gen is read again */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&table.gen, __ATOMIC_RELAXED) != gen);

	for (i = 0; i < nr_slots; i++) {
		if (want[i] && here[h].muted[i] == slot_gen[i])
			want[i] = NULL;
		if (want[i] == here[h].armed[i] && loads[i] == here[h].loads[i])
			continue;
		if (want[i])
			trigger_arm(i, want[i], loads[i]);
		else
			trigger_disarm(i);
		here[h].armed[i] = want[i];
		here[h].loads[i] = loads[i];
	}
	here[h].applied = gen;
}

/*
 * At every interrupt: 14 instructions on rv32 with the call when nothing
 * changed (5 where the hart has no triggers).
 */
void watch_sync(void)
{
	if (unlikely(nr_slots &&
		     __atomic_load_n(&table.gen, __ATOMIC_RELAXED) !=
			     here[this_hart()].applied))
		apply_table();
}

bool watch_synced(void)
{
	bool synced;

	push_off();
	synced = here[this_hart()].applied ==
		 __atomic_load_n(&table.gen, __ATOMIC_ACQUIRE);
	pop_off();
	return synced;
}

static void table_set(unsigned int slot, const void *addr, bool loads)
{
	unsigned int i;

	push_off();
	/* Odd while changing; the release orders it before the new words. */
	__atomic_store_n(&table.gen, table.gen + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE); /* fence rw,w */
	__atomic_store_n(&table.want[slot], addr, __ATOMIC_RELAXED);
	__atomic_store_n(&table.loads[slot], loads, __ATOMIC_RELAXED);
	__atomic_store_n(&table.slot_gen[slot], table.slot_gen[slot] + 1,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&table.gen, table.gen + 1, __ATOMIC_RELEASE);
	apply_table();
	pop_off();
	for (i = 0; i < MAX_HARTS; i++)
		if (i != this_hart() && READ_ONCE(harts[i].online))
			clint_send_ipi(i);
}

void watch_arm(unsigned int slot, const void *addr, bool loads)
{
	table_set(slot, addr, loads);
}

void watch_release(unsigned int slot)
{
	table_set(slot, NULL, false);
}

/* --- The trap of a watch that fired ---------------------------------------- */

/* The value of register x<n> when the trap came (x0 reads 0). */
static unsigned long reg(const struct trap_frame *f, unsigned int n)
{
	return n ? f->regs[n - 1] : 0;
}

static long sign_extend(unsigned long v, unsigned int bits)
{
	return (long)(v << (XLEN - bits)) >> (XLEN - bits);
}

/*
 * The address of a compressed load or store of the CL or CS format
 * (c.lw, c.ld, c.sw, c.sd), which share their fields: the base in rs1'
 * (x8-x15) and an offset scaled to the access, a word or a doubleword.
 *
 *   word     funct3 uimm[5:3] rs1' uimm[2|6] reg' 00
 *   double   funct3 uimm[5:3] rs1' uimm[7:6] reg' 00
 */
static uintptr_t compressed_address(uint32_t insn, const struct trap_frame *f,
				    bool doubleword)
{
	unsigned long imm = ((insn >> 10) & 7) << 3;

	if (doubleword)
		imm |= ((insn >> 5) & 3) << 6;
	else
		imm |= ((insn >> 6) & 1) << 2 | ((insn >> 5) & 1) << 6;
	return reg(f, 8 + ((insn >> 7) & 7)) + imm;
}

/*
 * Decode the store at the trap's pc: its address, its width in bytes and
 * the value it stores.  Base S-type (sb, sh, sw, sd) and the compressed
 * c.sw, c.swsp and, on rv64, c.sd, c.sdsp.  false: not one of them.
 *
 *   S-type   imm[11:5] rs2 rs1 funct3 imm[4:0] 0100011
 *   c.sw     110 uimm[5:3] rs1' uimm[2|6] rs2' 00
 *   c.sd     111 uimm[5:3] rs1' uimm[7:6] rs2' 00
 *   c.swsp   110 uimm[5:2|7:6] rs2 10
 *   c.sdsp   111 uimm[5:3|8:6] rs2 10
 */
bool watch_decode_store(uint32_t insn, const struct trap_frame *f,
			uintptr_t *addr, unsigned int *bytes,
			unsigned long *value)
{
	unsigned int funct3, rs2;
	unsigned long imm;

	if ((insn & 3) == 3) {
		if ((insn & 0x7f) != 0x23)
			return false;
		funct3 = (insn >> 12) & 7;
		if (funct3 > (XLEN == 64 ? 3u : 2u))
			return false;
		rs2 = (insn >> 20) & 31;
		imm = ((insn >> 25) << 5) | ((insn >> 7) & 31);
		*addr = reg(f, (insn >> 15) & 31) + sign_extend(imm, 12);
		*bytes = 1u << funct3;
		*value = reg(f, rs2);
	} else {
		funct3 = (insn >> 13) & 7;
		if (funct3 != 6 && !(funct3 == 7 && XLEN == 64))
			return false;
		if ((insn & 3) == 0) { /* c.sw, c.sd: registers x8-x15 */
			*addr = compressed_address(insn, f, funct3 == 7);
			rs2 = 8 + ((insn >> 2) & 7);
		} else if ((insn & 3) == 2) { /* c.swsp, c.sdsp: from sp */
			rs2 = (insn >> 2) & 31;
			if (funct3 == 6)
				imm = ((insn >> 9) & 15) << 2 |
				      ((insn >> 7) & 3) << 6;
			else
				imm = ((insn >> 10) & 7) << 3 |
				      ((insn >> 7) & 7) << 6;
			*addr = reg(f, 2) + imm;
		} else {
			return false;
		}
		*bytes = funct3 == 6 ? 4 : 8;
		*value = reg(f, rs2);
	}
	if (*bytes < sizeof(unsigned long))
		*value &= (1UL << (8 * *bytes)) - 1;
	return true;
}

/*
 * Decode the load at the trap's pc: its address and width.  Base I-type
 * (lb, lh, lw, lbu, lhu, and on rv64 ld, lwu) and the compressed c.lw,
 * c.lwsp and, on rv64, c.ld, c.ldsp.  false: not one of them.
 *
 *   I-type   imm[11:0] rs1 funct3 rd 0000011
 *   c.lw     010 uimm[5:3] rs1' uimm[2|6] rd' 00
 *   c.ld     011 uimm[5:3] rs1' uimm[7:6] rd' 00
 *   c.lwsp   010 uimm[5] rd uimm[4:2|7:6] 10
 *   c.ldsp   011 uimm[5] rd uimm[4:3|8:6] 10
 */
bool watch_decode_load(uint32_t insn, const struct trap_frame *f,
		       uintptr_t *addr, unsigned int *bytes)
{
	unsigned int funct3;
	unsigned long imm;

	if ((insn & 3) == 3) {
		funct3 = (insn >> 12) & 7;
		if ((insn & 0x7f) != 0x03 || funct3 == 7 ||
		    (XLEN == 32 && (funct3 == 3 || funct3 == 6)))
			return false;
		*addr = reg(f, (insn >> 15) & 31) + sign_extend(insn >> 20, 12);
		*bytes = 1u << (funct3 & 3);
		return true;
	}
	funct3 = (insn >> 13) & 7;
	if (funct3 != 2 && !(funct3 == 3 && XLEN == 64))
		return false;
	if ((insn & 3) == 0) { /* c.lw, c.ld: registers x8-x15 */
		*addr = compressed_address(insn, f, funct3 == 3);
	} else if ((insn & 3) == 2 && ((insn >> 7) & 31)) { /* from sp */
		imm = ((insn >> 12) & 1) << 5;
		if (funct3 == 2)
			imm |= ((insn >> 4) & 7) << 2 | ((insn >> 2) & 3) << 6;
		else
			imm |= ((insn >> 5) & 3) << 3 | ((insn >> 2) & 7) << 6;
		*addr = reg(f, 2) + imm;
	} else {
		return false;
	}
	*bytes = funct3 == 2 ? 4 : 8;
	return true;
}

/* The instruction at pc, which may be 2-byte aligned (compressed code). */
static uint32_t fetch(uintptr_t pc)
{
	const uint16_t *p = (const uint16_t *)pc;
	uint32_t insn = p[0];

	if ((insn & 3) == 3)
		insn |= (uint32_t)p[1] << 16;
	return insn;
}

/* What the store will overwrite, read a byte at a time (it may be odd). */
static unsigned long old_value(uintptr_t addr, unsigned int bytes)
{
	const unsigned char *b = (const unsigned char *)addr;
	unsigned long v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++)
		v |= (unsigned long)b[i] << (8 * i);
	return v;
}

/* Does the access of hit touch the window of a watch armed at w? */
static bool overlaps(const void *w, const struct mm_watch_hit *hit)
{
	uintptr_t start = (uintptr_t)w;

	return w && hit->addr < start + WATCH_WINDOW &&
	       hit->addr + hit->bytes > start;
}

bool watch_trap(struct trap_frame *f)
{
	struct mm_watch_hit hit = { .pc = f->mepc };
	unsigned int i, touched = 0, h = this_hart();
	bool armed = false;
	struct task *t;
	uint32_t insn;

	if (f->mcause != MCAUSE_BREAKPOINT || !nr_slots)
		return false;
	/* First of all, before any load or store: disarm. */
	for (i = 0; i < nr_slots; i++) {
		if (!here[h].armed[i])
			continue;
		trigger_disarm(i);
		armed = true;
	}
	if (!armed)
		return false; /* an ebreak: none of ours */
	insn = fetch(f->mepc);
	if (!watch_decode_store(insn, f, &hit.addr, &hit.bytes, &hit.value) &&
	    !(hit.load = watch_decode_load(insn, f, &hit.addr, &hit.bytes))) {
		/* Neither: an ebreak met with a watch armed. */
		for (i = 0; i < nr_slots; i++)
			if (here[h].armed[i])
				trigger_arm(i, here[h].armed[i],
					    here[h].loads[i]);
		return false;
	}
	for (i = 0; i < nr_slots; i++)
		if (overlaps(here[h].armed[i], &hit) &&
		    (!hit.load || here[h].loads[i]))
			touched |= 1u << i;
	/*
	 * A store that fired a watch touches its window; one that seems
	 * to touch none was decoded wrong (or the hart is not to spec):
	 * its address is not read, nothing is reported, and this hart
	 * lets all its watches go rather than stop the store forever.
	 */
	if (touched) {
		hit.old = old_value(hit.addr, hit.bytes);
		if (hit.load)
			hit.value = hit.old;
		t = harts[h].current;
		hit.task = t ? t->name : "none";
		mm_watch_hit(&hit);
	} else {
		touched = (1u << nr_slots) - 1;
	}
	/*
	 * Reported, or stale: either way this hart lets the watches the
	 * store touches go until they change, or the store would stop
	 * again at once.
	 */
	for (i = 0; i < nr_slots; i++)
		if (touched & (1u << i))
			here[h].muted[i] = __atomic_load_n(&table.slot_gen[i],
							   __ATOMIC_RELAXED);
	for (i = 0; i < nr_slots; i++)
		here[h].armed[i] = NULL; /* all disarmed above */
	apply_table(); /* a stale watch goes, the others come back */
	return true;
}
