/*
 * store_decode_test.c - the decoding of the store (or load) a watch
 * stopped (arch/riscv/watch.c, watch_decode_store and
 * watch_decode_load), suite "store_decode": each form the trap knows,
 * assembled by the assembler (the reference), is decoded against a frame
 * of known registers and must give the address, the width and (for a
 * store) the value the hardware would store; the other kind, ebreaks and
 * others must be refused.  The encodings lie in tables, one per 4-byte
 * slot (a compressed one in the low half), and are never run.
 */
#include <kernel/ktest.h>
#include <kernel/string.h>
#include <kernel/trap.h>

/* The slots, in the order of the cases below. */
__asm__(".pushsection .rodata\n"
	".balign 4\n"
	"store_decode_slots:\n"
	".option push\n"
	".option norvc\n"
	"sb a1, -3(a0)\n"
	"sh t0, 6(s1)\n"
	"sw a1, 2047(a0)\n"
	"sw zero, -2048(sp)\n"
	".option rvc\n"
	"c.sw a1, 124(a0)\n"
	".balign 4\n"
	"c.swsp a5, 252(sp)\n"
	".balign 4\n"
#if __riscv_xlen == 64
	".option norvc\n"
	"sd a1, -8(a0)\n"
	".option rvc\n"
	"c.sd a1, 248(a0)\n"
	".balign 4\n"
	"c.sdsp a5, 504(sp)\n"
	".balign 4\n"
#endif
	/* Not stores. */
	".option norvc\n"
	"lw a1, 0(a0)\n"
	"ebreak\n"
	"addi a0, a0, 1\n"
	".option rvc\n"
	"c.ebreak\n"
	".balign 4\n"
	"c.lw a1, 0(a0)\n"
	".balign 4\n"
	".option pop\n"
	".popsection\n");

extern const uint32_t store_decode_slots[];

enum { X0, RA, SP, T0 = 5, S1 = 9, A0, A1, A5 = 15 };

struct store_case {
	unsigned int base;
	long offset;
	unsigned int value_reg;
	unsigned int bytes; /* 0: not a store */
};

static const struct store_case cases[] = {
	{ A0, -3, A1, 1 },    { S1, 6, T0, 2 },	  { A0, 2047, A1, 4 },
	{ SP, -2048, X0, 4 }, { A0, 124, A1, 4 }, { SP, 252, A5, 4 },
#if __riscv_xlen == 64
	{ A0, -8, A1, 8 },    { A0, 248, A1, 8 }, { SP, 504, A5, 8 },
#endif
	{ 0, 0, 0, 0 },	      { 0, 0, 0, 0 },	  { 0, 0, 0, 0 },
	{ 0, 0, 0, 0 },	      { 0, 0, 0, 0 },
};

/* Register n holds a value whose every byte differs from its others'. */
static unsigned long reg_value(unsigned int n)
{
	return n ? (unsigned long)0x8877665544332211ull + n * 0x01010101ul : 0;
}

/* A trap frame whose register n holds reg_value(n). */
static void known_frame(struct trap_frame *f)
{
	unsigned int n;

	memset(f, 0, sizeof(*f));
	for (n = 1; n < 32; n++)
		f->regs[n - 1] = reg_value(n);
}

KTEST(store_decode, every_store_form_gives_address_width_and_value)
{
	struct trap_frame f;
	unsigned int i, bytes;
	unsigned long value, want;
	uintptr_t addr;

	known_frame(&f);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct store_case *c = &cases[i];
		bool decoded = watch_decode_store(store_decode_slots[i], &f,
						  &addr, &bytes, &value);

		if (!KEXPECT_EQ(t, decoded, c->bytes != 0))
			ktest_log(t, "slot %u: %08x", i,
				  (unsigned int)store_decode_slots[i]);
		if (!decoded || !c->bytes)
			continue;
		want = reg_value(c->value_reg);
		if (c->bytes < sizeof(unsigned long))
			want &= (1ul << (8 * c->bytes)) - 1;
		KEXPECT_EQ(t, addr, reg_value(c->base) + c->offset);
		KEXPECT_EQ(t, bytes, c->bytes);
		KEXPECT_EQ(t, value, want);
	}
}

/* The loads, in the order of load_cases below. */
__asm__(".pushsection .rodata\n"
	".balign 4\n"
	"load_decode_slots:\n"
	".option push\n"
	".option norvc\n"
	"lb a1, -3(a0)\n"
	"lhu t0, 6(s1)\n"
	"lw a1, 2047(a0)\n"
	"lbu a5, -2048(sp)\n"
	"lh a1, 0(a5)\n"
	".option rvc\n"
	"c.lw a1, 124(a0)\n"
	".balign 4\n"
	"c.lwsp a5, 252(sp)\n"
	".balign 4\n"
#if __riscv_xlen == 64
	".option norvc\n"
	"ld a1, -8(a0)\n"
	"lwu a1, 12(s1)\n"
	".option rvc\n"
	"c.ld a1, 248(a0)\n"
	".balign 4\n"
	"c.ldsp a5, 504(sp)\n"
	".balign 4\n"
#endif
	/* Not loads. */
	".option norvc\n"
	"sw a1, 0(a0)\n"
	"ebreak\n"
	"addi a0, a0, 1\n"
	".option rvc\n"
	"c.sw a1, 0(a0)\n"
	".balign 4\n"
	"c.ebreak\n"
	".balign 4\n"
	".option pop\n"
	".popsection\n");

extern const uint32_t load_decode_slots[];

struct load_case {
	unsigned int base;
	long offset;
	unsigned int bytes; /* 0: not a load */
};

static const struct load_case load_cases[] = {
	{ A0, -3, 1 }, { S1, 6, 2 },   { A0, 2047, 4 }, { SP, -2048, 1 },
	{ A5, 0, 2 },  { A0, 124, 4 }, { SP, 252, 4 },
#if __riscv_xlen == 64
	{ A0, -8, 8 }, { S1, 12, 4 },  { A0, 248, 8 },	{ SP, 504, 8 },
#endif
	{ 0, 0, 0 },   { 0, 0, 0 },    { 0, 0, 0 },	{ 0, 0, 0 },
	{ 0, 0, 0 },
};

KTEST(store_decode, every_load_form_gives_address_and_width)
{
	struct trap_frame f;
	unsigned int i, bytes;
	uintptr_t addr;

	known_frame(&f);
	for (i = 0; i < ARRAY_SIZE(load_cases); i++) {
		const struct load_case *c = &load_cases[i];
		bool decoded = watch_decode_load(load_decode_slots[i], &f,
						 &addr, &bytes);

		if (!KEXPECT_EQ(t, decoded, c->bytes != 0))
			ktest_log(t, "slot %u: %08x", i,
				  (unsigned int)load_decode_slots[i]);
		if (!decoded || !c->bytes)
			continue;
		KEXPECT_EQ(t, addr, reg_value(c->base) + c->offset);
		KEXPECT_EQ(t, bytes, c->bytes);
	}
}
