/*
 * asm/asm.h - width-independent load/store mnemonics for assembly files,
 * so one source assembles for rv32 (lw/sw, 4-byte slots) and rv64 (ld/sd).
 */
#ifndef ASM_ASM_H
#define ASM_ASM_H

#if __riscv_xlen == 64
#define REG_L ld
#define REG_S sd
#define SZREG 8
#else
#define REG_L lw
#define REG_S sw
#define SZREG 4
#endif

#endif /* ASM_ASM_H */
