@ SPDX-License-Identifier: MIT
@ Micro-kernels whose Cortex-M cycle counts follow by hand from the table in docs/cycles.md,
@ to validate the cycle_estimate plugin's decoder and its run-time rules (taken-branch refill,
@ M3/M4 load pipelining, multi-register transfers). Built for cortex-m4 (-DCORE_M4, FPU and
@ DSP), cortex-m3 (-DCORE_M3) and cortex-m0 (-DCORE_M0); run under QEMU with the plugin
@ (begin=bench_begin, end=bench_end): each kernel is one window. The test
@ (check_microkernels.cmake) compares the plugin's windows, in order, with the EXPECT lines
@ below for the core ("@ EXPECT <cores> | <name> insns=<n> cycles=<n>").
@
@ Every window = the kernel + the return from bench_begin (BX: 1 + refill) + the BL to
@ bench_end (M3/M4: 1 + refill; M0: 4). With refill P = 2: +2 instructions, +6 cycles on
@ M3/M4 and +7 on M0.
    .syntax unified
    .thumb
#if defined(CORE_M4)
    .fpu fpv4-sp-d16
#endif

    .section .vectors, "a"
    .word 0x20001000          @ initial SP
    .word reset               @ reset (thumb bit from .thumb_func)
    .word fault               @ NMI
    .word fault               @ HardFault
    .rept 12
    .word fault
    .endr

    .text
    .thumb_func
    .global bench_begin
bench_begin:
    bx lr
    .thumb_func
    .global bench_end
bench_end:
    bx lr

    .thumb_func
sub_ret:
    bx lr

    .thumb_func
sub_push_pop:
    push {r4, lr}
    pop {r4, pc}

    .thumb_func
fault:
    movs r3, #1
    b exit

    .thumb_func
    .global reset
reset:
#if defined(CORE_M4)
    ldr r0, =0xE000ED88       @ CPACR: enable CP10/CP11 (the FPU)
    ldr r1, [r0]
    ldr r2, =0x00F00000
    orrs r1, r2
    str r1, [r0]
    dsb
    isb
#endif
    ldr r0, =0x20000100       @ scratch data
    str r0, [r0]              @ a pointer to itself, for the dependent load chain
    movs r2, #7
    movs r3, #3

@ ---- alu: 8 single-cycle ALU instructions -------------------------------------------------
    bl bench_begin
    .rept 8
    adds r5, #1
    .endr
    bl bench_end
@ EXPECT m4 m3 | alu insns=10 cycles=14
@ EXPECT m0 | alu insns=10 cycles=15

@ ---- ldr_chain: 4 independent loads; M3/M4: 2 + 1 + 1 + 1 (pipelined), M0: 4 x 2 ---------
    bl bench_begin
    ldr r1, [r0]
    ldr r4, [r0, #4]
    ldr r5, [r0, #8]
    ldr r6, [r0, #12]
    bl bench_end
@ EXPECT m4 m3 | ldr_chain insns=6 cycles=11
@ EXPECT m0 | ldr_chain insns=6 cycles=15

@ ---- ldr_dependent: each address is the previous load's result: 3 x 2 ------------------
    bl bench_begin
    ldr r1, [r0]
    ldr r1, [r1]
    ldr r1, [r1]
    bl bench_end
@ EXPECT m4 m3 | ldr_dependent insns=5 cycles=12
@ EXPECT m0 | ldr_dependent insns=5 cycles=13

@ ---- ldr_str: LDR 2, STR behind it 1, STR behind a store 2 (M0: 2 + 2 + 2) ---------------
    bl bench_begin
    ldr r1, [r0, #4]
    str r1, [r0, #8]
    str r1, [r0, #12]
    bl bench_end
@ EXPECT m4 m3 | ldr_str insns=5 cycles=11
@ EXPECT m0 | ldr_str insns=5 cycles=13

@ ---- ldm_stm: LDM/STM/PUSH/POP of 4 registers: 1 + N = 5 each (M0: + 2 SUBS) ------------
    bl bench_begin
#if defined(CORE_M0)
    ldmia r0!, {r1, r4, r5, r6}
    subs r0, #16
    stmia r0!, {r1, r4, r5, r6}
    subs r0, #16
#else
    ldmia r0, {r1, r4, r5, r6}
    stmia r0, {r1, r4, r5, r6}
#endif
    push {r1, r4, r5, r6}
    pop {r1, r4, r5, r6}
    bl bench_end
@ EXPECT m4 m3 | ldm_stm insns=6 cycles=26
@ EXPECT m0 | ldm_stm insns=8 cycles=29

@ ---- mul: M4 every multiply 1; M3 MUL 1, MLA 2, SMULL 5, SMLAL 7; M0 MULS 1 (fast) ------
    bl bench_begin
#if defined(CORE_M0)
    .rept 4
    muls r1, r2
    .endr
#else
    mul r1, r2, r3
    mul r1, r2, r3
    mla r1, r2, r3, r1
    mla r1, r2, r3, r1
    smull r1, r4, r2, r3
    smlal r1, r4, r2, r3
#endif
    bl bench_end
@ EXPECT m4 | mul insns=8 cycles=12
@ EXPECT m3 | mul insns=8 cycles=24
@ EXPECT m0 | mul insns=6 cycles=11

@ ---- loop: MOVS + 16 x (ADDS, SUBS, BNE): BNE taken 15 x (1 + 2), not taken once 1 -------
    bl bench_begin
    movs r4, #16
1:  adds r5, #1
    subs r4, #1
    bne 1b
    bl bench_end
@ EXPECT m4 m3 | loop insns=51 cycles=85
@ EXPECT m0 | loop insns=51 cycles=86

@ ---- branch: B taken 3; BL 3 (M0 4) + BX 3; compare-and-branch taken 1 + 3, not taken 1 + 1
    bl bench_begin
    b 2f
    nop
    nop
2:  bl sub_ret
#if defined(CORE_M0)
    cmp r5, r5
    beq 3f
    nop
3:  bne 4f
    nop
4:
#else
    movs r1, #0
    cbz r1, 3f
    nop
3:  cbnz r1, 4f
    nop
4:
#endif
    bl bench_end
@ EXPECT m4 m3 | branch insns=9 cycles=21
@ EXPECT m0 | branch insns=9 cycles=23

@ ---- pop_pc: BL 3 (M0 4), PUSH {r4, lr} 3, POP {r4, pc} 1 + 2 + 2 (M0 4 + 1) --------------
    bl bench_begin
    bl sub_push_pop
    bl bench_end
@ EXPECT m4 m3 | pop_pc insns=5 cycles=17
@ EXPECT m0 | pop_pc insns=5 cycles=19

#if !defined(CORE_M0)
@ ---- div: UDIV taken as 12 (the TRM's 2-12 upper bound) ------------------------------
    bl bench_begin
    udiv r1, r2, r3
    sdiv r1, r2, r3
    bl bench_end
@ EXPECT m4 m3 | div insns=4 cycles=30

@ ---- it: CMP 1, IT 1, ADDEQ 1 ------------------------------------------------------------
    bl bench_begin
    cmp r5, r5
    it eq
    addeq r1, #1
    bl bench_end
@ EXPECT m4 m3 | it insns=5 cycles=9

@ ---- ldr_pc_literal: LDR (literal) 2, LDR.W pipelined 1, LDRB register offset 1 -----------
    bl bench_begin
    ldr r1, =0x12345678
    ldr.w r4, [r0, #4]
    ldrb r5, [r0, r3]
    bl bench_end
@ EXPECT m4 m3 | ldr_literal insns=5 cycles=10
#endif

#if defined(CORE_M4)
@ ---- smlad: MOVS + 4 x (8 SMLAD, SUBS, BNE): 1 + 4 x 9 + 3 x 3 + 1 -------------------------
    bl bench_begin
    movs r4, #4
1:  .rept 8
    smlad r5, r1, r2, r5
    .endr
    subs r4, #1
    bne 1b
    bl bench_end
@ EXPECT m4 | smlad insns=43 cycles=53

@ ---- dsp: SXTB16, SXTB16 ROR 8, SMUAD, SMLABB: 1 each ----------------------------------
    bl bench_begin
    sxtb16 r1, r2
    sxtb16 r4, r2, ror #8
    smuad r5, r1, r4
    smlabb r5, r1, r4, r5
    bl bench_end
@ EXPECT m4 | dsp insns=6 cycles=10

@ ---- vfma: MOVS + 4 x (8 independent VFMA, SUBS, BNE): 1 + 4 x 25 + 3 x 3 + 1 = 111, + 6 ----
    bl bench_begin
    movs r4, #4
1:  vfma.f32 s0, s8, s9
    vfma.f32 s1, s8, s9
    vfma.f32 s2, s8, s9
    vfma.f32 s3, s8, s9
    vfma.f32 s4, s8, s9
    vfma.f32 s5, s8, s9
    vfma.f32 s6, s8, s9
    vfma.f32 s7, s8, s9
    subs r4, #1
    bne 1b
    bl bench_end
@ EXPECT m4 | vfma insns=43 cycles=117

@ ---- vmul_vadd: 8 x (VMUL 1, VADD 1); VMLA 3 --------------------------------------------
    bl bench_begin
    .rept 8
    vmul.f32 s10, s8, s9
    vadd.f32 s0, s0, s10
    .endr
    vmla.f32 s1, s8, s9
    bl bench_end
@ EXPECT m4 | vmul_vadd insns=19 cycles=25

@ ---- vldr: VLDR 2, VLDR 2, VLDM of 8 1 + 8, VSTR 2, VPUSH/VPOP of 2 1 + 2 each -----------
    bl bench_begin
    vldr s0, [r0]
    vldr s1, [r0, #4]
    vldmia r0, {s0-s7}
    vstr s0, [r0, #32]
    vpush {s16-s17}
    vpop {s16-s17}
    bl bench_end
@ EXPECT m4 | vldr insns=8 cycles=27

@ ---- vdiv: VDIV 14, VSQRT 14, VMOV r->s 1, VMOV s->r 1, VCVT 1, VCMP 1, VMRS 1 -----------
    bl bench_begin
    vdiv.f32 s0, s1, s2
    vsqrt.f32 s3, s4
    vmov s5, r1
    vmov r1, s5
    vcvt.f32.s32 s6, s6
    vcmp.f32 s0, s1
    vmrs APSR_nzcv, fpscr
    bl bench_end
@ EXPECT m4 | vdiv insns=9 cycles=39
#endif

    movs r3, #0
    .thumb_func
exit:                          @ SYS_EXIT_EXTENDED {ADP_Stopped_ApplicationExit, r3}
    ldr r2, =0x20026
    push {r2, r3}
    mov r1, sp
    movs r0, #0x20
    bkpt 0xab
    b exit
    .ltorg
