/* SPDX-License-Identifier: MIT
 *
 * cycle_estimate: a QEMU TCG plugin (plugin API v1, QEMU 7.2) that counts the guest
 * instructions executed between two marker addresses and ESTIMATES their Cortex-M cycles:
 * it decodes every translated Thumb/Thumb-2 instruction from its bytes into a class and
 * sums issue cycles from the Cortex-M4, M3 and M0 Technical Reference Manuals' tables,
 * with the taken-branch pipeline refill and the M3/M4 load pipelining applied at run time.
 * The table, its sources and its blind spots are in docs/cycles.md.
 *
 * QEMU has no timing model: this is a table look-up, not a simulation. It does not model
 * flash wait states, bus contention, stalls between dependent floating-point operations,
 * or instructions skipped inside IT blocks (charged as if executed).
 *
 * Usage (one window = from the first instruction at `begin` up to, not including, the
 * first instruction at `end`; markers are typically two noinline functions):
 *   qemu-system-arm ... -plugin libctnn_cycle_estimate.so,begin=0x...,end=0x...,core=m4[,out=FILE]
 * Arguments: core=m4|m3|m0 (default m4); refill=<P> (M3/M4 pipeline refill of a taken
 * branch, default 2); muls=<cycles> (M0 MULS, default 1: the fast multiplier); out=<file>
 * (also write the report there). The report (qemu's plugin log, -d plugin, and out=):
 *   cycle_estimate: core=m4 windows=W insns=I cycles=C unknown=U exceptions=E
 *   window <k> insns=<i> cycles=<c>            (the first 256 windows)
 *   refill taken=<n> cycles=<c>                (taken branches in the windows, their refills)
 *   class <name> insns=<i> cycles=<c>          (summed over all windows; static cycles:
 *                                               without the refills and cross-block pipelining)
 *
 * Debian's QEMU supports plugins but ships no qemu-plugin.h: the declarations used are
 * written out below, with the signatures of QEMU 7.2's include/qemu/qemu-plugin.h.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- QEMU plugin API (v1) declarations ---------------------------------------------- */
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void* userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void* userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb* tb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb* tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void* userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn* insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void* userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void* userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb* tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb* tb);
struct qemu_plugin_insn* qemu_plugin_tb_get_insn(const struct qemu_plugin_tb* tb, size_t idx);
const void* qemu_plugin_insn_data(const struct qemu_plugin_insn* insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn* insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn* insn);
void qemu_plugin_outs(const char* string);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;
EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc, char** argv);

/* ---- Instruction classes and the cycle table ---------------------------------------- */
enum cls {
  C_ALU,   /* data processing, moves, shifts, extends (SXTB16 too), saturate, hints */
  C_IT,    /* IT (can fold into the previous instruction on M3/M4: charged 1) */
  C_MUL,   /* MUL, MULS */
  C_MLA,   /* MLA, MLS */
  C_MULL,  /* SMULL, UMULL */
  C_MLAL,  /* SMLAL, UMLAL, UMAAL, SMLALxy, SMLALD, SMLSLD */
  C_DSP,   /* SMLAD, SMUAD, SMLAxy, SMULxy, SMLAWy, SMMUL/SMMLA, SMLSD, USAD8 */
  C_DIV,   /* SDIV, UDIV */
  C_LD,    /* single load: LDR, LDRB, LDRH, LDRSB, LDRSH (any addressing), LDREX */
  C_ST,    /* single store: STR, STRB, STRH, STREX */
  C_LDRD,  /* LDRD, STRD */
  C_LDM,   /* LDM, POP (without PC) */
  C_STM,   /* STM, PUSH */
  C_B,     /* B, B<cond>, CBZ/CBNZ, BX, BLX, MOV/ADD PC */
  C_BL,    /* BL */
  C_POPPC, /* POP/LDM with PC */
  C_LDRPC, /* LDR PC */
  C_TB,    /* TBB, TBH */
  C_VLDR,  /* VLDR */
  C_VSTR,  /* VSTR */
  C_VLDM,  /* VLDM, VPOP */
  C_VSTM,  /* VSTM, VPUSH */
  C_VMOV,  /* VMOV (all forms), VMRS, VMSR */
  C_VADD,  /* VADD, VSUB */
  C_VMUL,  /* VMUL, VNMUL */
  C_VMLA,  /* VMLA, VMLS, VNMLA, VNMLS */
  C_VFMA,  /* VFMA, VFMS, VFNMA, VFNMS */
  C_VDIV,  /* VDIV */
  C_VSQRT, /* VSQRT */
  C_VMISC, /* VABS, VNEG, VCMP, VCVT */
  C_SYS,   /* MSR, MRS, DMB/DSB/ISB, BKPT, SVC, UDF */
  C_OTHER, /* not decoded: charged 1, counted in `unknown` */
  C_COUNT
};
static const char* const cls_name[C_COUNT] = {
    "alu",  "it",   "mul",  "mla",  "mull",  "mlal",  "dsp",   "div",   "ld",   "st",   "ldrd",
    "ldm",  "stm",  "b",    "bl",   "poppc", "ldrpc", "tbb",   "vldr",  "vstr", "vldm", "vstm",
    "vmov", "vadd", "vmul", "vmla", "vfma",  "vdiv",  "vsqrt", "vmisc", "sys",  "other"};

enum core { M4, M3, M0 };
static enum core core = M4;
static unsigned refill = 2;  /* P of the M3/M4 TRMs ("1 to 3"): taken branch = 1 + P */
static unsigned m0_muls = 1; /* the M0's MULS: 1 (fast multiplier) or 32 (small) */

/* One decoded instruction. */
typedef struct {
  uint8_t cls;
  uint8_t cycles;      /* issue cycles when not taken / not pipelined */
  uint8_t taken_extra; /* added when control leaves the straight line after it */
  uint8_t branch;      /* can change the flow */
  uint8_t ls_single;   /* single load or store: a candidate for the pipelined cycle */
  int8_t ldr_rt;       /* single load's destination (the pipelining source), else -1 */
  uint16_t addr_regs;  /* registers that form its address (base, index) */
} insn_t;

static unsigned popcount16(unsigned v) {
  return (unsigned)__builtin_popcount(v & 0xFFFFu);
}

static unsigned cost_of(enum cls c) {
  static const uint8_t m4[C_COUNT] = {
      [C_ALU] = 1,   [C_IT] = 1,    [C_MUL] = 1,  [C_MLA] = 1,  [C_MULL] = 1,  [C_MLAL] = 1,
      [C_DSP] = 1,   [C_DIV] = 12,  [C_LD] = 2,   [C_ST] = 2,   [C_LDRD] = 3,  [C_B] = 1,
      [C_BL] = 1,    [C_LDRPC] = 2, [C_TB] = 2,   [C_VLDR] = 2, [C_VSTR] = 2,  [C_VMOV] = 1,
      [C_VADD] = 1,  [C_VMUL] = 1,  [C_VMLA] = 3, [C_VFMA] = 3, [C_VDIV] = 14, [C_VSQRT] = 14,
      [C_VMISC] = 1, [C_SYS] = 1,   [C_OTHER] = 1};
  static const uint8_t m3[C_COUNT] = {
      [C_ALU] = 1, [C_IT] = 1,    [C_MUL] = 1, [C_MLA] = 2, [C_MULL] = 5, [C_MLAL] = 7,
      [C_DSP] = 1, [C_DIV] = 12,  [C_LD] = 2,  [C_ST] = 2,  [C_LDRD] = 3, [C_B] = 1,
      [C_BL] = 1,  [C_LDRPC] = 2, [C_TB] = 2,  [C_SYS] = 1, [C_OTHER] = 1};
  static const uint8_t m0[C_COUNT] = {
      [C_ALU] = 1, [C_IT] = 1, [C_MUL] = 1, [C_LD] = 2,   [C_ST] = 2,
      [C_B] = 1,   [C_BL] = 2, [C_SYS] = 4, [C_OTHER] = 1};
  if (core == M0) return c == C_MUL ? m0_muls : (m0[c] ? m0[c] : 1);
  const uint8_t* t = core == M4 ? m4 : m3;
  return t[c] ? t[c] : 1;
}

/* Refill cycles of a taken branch: M3/M4 P (TRM "1+P"), M0 2 (its TRM's fixed counts:
 * B 3, BX 3, BL 4, POP {..pc} 4+N). */
static unsigned refill_cycles(void) {
  return core == M0 ? 2u : refill;
}

static insn_t make(enum cls c) {
  insn_t i = {(uint8_t)c, (uint8_t)cost_of(c), 0, 0, 0, -1, 0};
  return i;
}
static insn_t branch(enum cls c, unsigned base) {
  insn_t i = make(c);
  i.cycles = (uint8_t)base;
  i.taken_extra = (uint8_t)refill_cycles();
  i.branch = 1;
  return i;
}
static insn_t load(unsigned rt, unsigned rn, int rm) {
  insn_t i = make(C_LD);
  i.ls_single = 1;
  i.ldr_rt = (int8_t)rt;
  i.addr_regs = (uint16_t)((1u << rn) | (rm >= 0 ? 1u << rm : 0u));
  return i;
}
static insn_t store(unsigned rn, int rm) {
  insn_t i = make(C_ST);
  i.ls_single = 1;
  i.addr_regs = (uint16_t)((1u << rn) | (rm >= 0 ? 1u << rm : 0u));
  return i;
}
static insn_t multi(enum cls c, unsigned n) {
  insn_t i = make(c);
  i.cycles = (uint8_t)(1 + n);
  return i;
}

/* Floating-point (FPv4-SP) instructions: coprocessor space, coproc 10/11. */
static insn_t decode_vfp(unsigned hw1, unsigned hw2) {
  const unsigned coproc = (hw2 >> 8) & 0xF;
  if ((coproc & 0xE) != 0xA) return make(C_OTHER);
  const bool dbl = coproc == 0xB;
  if ((hw1 & 0xEE00) == 0xEC00) {           /* extension register load/store, 64-bit transfers */
    const unsigned opc = (hw1 >> 4) & 0x1F; /* P U D W L */
    if ((opc & 0x1E) == 0x04) {
      insn_t i = make(C_VMOV);
      i.cycles = 2;
      return i;
    }
    const bool p = (opc >> 4) & 1, w = (opc >> 1) & 1, l = opc & 1;
    if (p && !w) {
      insn_t i = make(l ? C_VLDR : C_VSTR);
      i.cycles = dbl ? 3 : 2;
      return i;
    }
    /* VLDM/VSTM/VPUSH/VPOP: imm8 = words moved; 1 + N (F32), 1 + 2N (F64) */
    return multi(l ? C_VLDM : C_VSTM, hw2 & 0xFF);
  }
  if ((hw1 & 0xEF00) == 0xEE00) {
    if (hw2 & 0x10) return make(C_VMOV); /* core <-> S register, VMRS, VMSR */
    const unsigned t = (hw1 >> 7) & 1, lo = (hw1 >> 4) & 3;
    if (!t) {
      static const enum cls a[4] = {C_VMLA, C_VMLA, C_VMUL, C_VADD};
      return make(a[lo]);
    }
    if (lo == 0) return make(C_VDIV);
    if (lo == 1 || lo == 2) return make(C_VFMA);
    if ((hw1 & 0xF) == 1 && ((hw2 >> 6) & 3) == 3) return make(C_VSQRT);
    if ((hw2 & 0x40) == 0) return make(C_VMOV);                         /* VMOV immediate */
    if ((hw1 & 0xF) == 0 && ((hw2 >> 7) & 1) == 0) return make(C_VMOV); /* VMOV register */
    return make(C_VMISC);
  }
  return make(C_OTHER);
}

static insn_t decode32(unsigned hw1, unsigned hw2) {
  const unsigned op1 = (hw1 >> 11) & 3, op2 = (hw1 >> 4) & 0x7F, op = hw2 >> 15;
  const unsigned rn = hw1 & 0xF, rt = hw2 >> 12;
  if (op1 == 1) {
    if ((op2 & 0x64) == 0x00) { /* LDM/STM (incl. PUSH.W/POP.W) */
      const unsigned n = popcount16(hw2);
      if (!((hw1 >> 4) & 1)) return multi(C_STM, n);
      if (hw2 & 0x8000) return branch(C_POPPC, 1 + n);
      return multi(C_LDM, n);
    }
    if ((op2 & 0x64) == 0x04) { /* load/store dual, exclusive, table branch */
      const unsigned a = (hw1 >> 7) & 3, b = (hw1 >> 4) & 3, c = (hw2 >> 4) & 0xF;
      if (a == 1 && b == 1 && c <= 1) return branch(C_TB, 2);
      if (a == 0 && b == 0) return store(rn, -1);    /* STREX */
      if (a == 0 && b == 1) return load(rt, rn, -1); /* LDREX */
      if (a == 1 && b == 0) return store(rn, -1);    /* STREXB/H */
      if (a == 1 && b == 1) return load(rt, rn, -1); /* LDREXB/H */
      return make(C_LDRD);
    }
    if ((op2 & 0x60) == 0x20) return make(C_ALU); /* data processing (shifted register) */
    if (op2 & 0x40) return decode_vfp(hw1, hw2);
    return make(C_OTHER);
  }
  if (op1 == 2) {
    if (!op) return make(C_ALU); /* data processing (immediate) */
    const unsigned o = (hw2 >> 12) & 7;
    if ((o & 5) == 0) {
      if (((hw1 >> 7) & 7) == 7) return make(C_SYS); /* MSR, MRS, hints, barriers */
      return branch(C_B, 1);
    }
    if ((o & 5) == 1) return branch(C_B, 1);
    if ((o & 5) == 5) return branch(C_BL, core == M0 ? 2 : 1);
    return make(C_OTHER);
  }
  /* op1 == 3 */
  if ((op2 & 0x71) == 0x00) { /* store single */
    const bool reg = !((hw1 >> 7) & 1) && (hw2 & 0x0FC0) == 0;
    return store(rn, reg ? (int)(hw2 & 0xF) : -1);
  }
  if ((op2 & 0x67) == 0x01 || (op2 & 0x67) == 0x03 || (op2 & 0x67) == 0x05) {
    const bool word = (op2 & 0x67) == 0x05;
    const bool reg = rn != 15 && !((hw1 >> 7) & 1) && (hw2 & 0x0FC0) == 0;
    if (rt == 15) return word ? branch(C_LDRPC, 2) : make(C_ALU); /* LDR PC / PLD hints */
    return load(rt, rn, reg ? (int)(hw2 & 0xF) : -1);
  }
  if ((op2 & 0x70) == 0x20) return make(C_ALU); /* data processing (register), SXTB16, parallel */
  if ((op2 & 0x78) == 0x30) { /* multiply, multiply-accumulate, absolute difference */
    const unsigned o1 = (hw1 >> 4) & 7, ra = hw2 >> 12, o2 = (hw2 >> 4) & 3;
    if (o1 == 0) return make(o2 == 0 && ra == 15 ? C_MUL : C_MLA);
    return make(C_DSP);
  }
  if ((op2 & 0x78) == 0x38) { /* long multiply, long multiply-accumulate, divide */
    const unsigned o1 = (hw1 >> 4) & 7;
    if (o1 == 1 || o1 == 3) return make(C_DIV);
    if (o1 == 0 || o1 == 2) return make(C_MULL);
    return make(C_MLAL);
  }
  if (op2 & 0x40) return decode_vfp(hw1, hw2);
  return make(C_OTHER);
}

static insn_t decode16(unsigned hw) {
  if ((hw >> 14) == 0) return make(C_ALU); /* shift, add, subtract, move, compare */
  if ((hw >> 10) == 0x10) return make(((hw >> 6) & 0xF) == 0xD ? C_MUL : C_ALU);
  if ((hw >> 10) == 0x11) { /* special data processing, BX, BLX */
    const unsigned o = (hw >> 8) & 3;
    if (o == 3) return branch(C_B, 1);
    const unsigned rd = ((hw >> 4) & 8) | (hw & 7);
    if (o != 1 && rd == 15) return branch(C_B, 1); /* MOV PC / ADD PC */
    return make(C_ALU);
  }
  if ((hw >> 11) == 0x09) return load((hw >> 8) & 7, 15, -1); /* LDR literal */
  if ((hw >> 12) == 0x5) {                                    /* register offset */
    const unsigned opb = (hw >> 9) & 7, rt = hw & 7, rn = (hw >> 3) & 7, rm = (hw >> 6) & 7;
    return opb < 3 ? store(rn, (int)rm) : load(rt, rn, (int)rm);
  }
  if ((hw >> 13) == 0x3 || (hw >> 12) == 0x8) { /* word/byte, halfword immediate offset */
    const unsigned rt = hw & 7, rn = (hw >> 3) & 7;
    return (hw >> 11) & 1 ? load(rt, rn, -1) : store(rn, -1);
  }
  if ((hw >> 12) == 0x9) { /* SP-relative */
    const unsigned rt = (hw >> 8) & 7;
    return (hw >> 11) & 1 ? load(rt, 13, -1) : store(13, -1);
  }
  if ((hw >> 12) == 0xA) return make(C_ALU);            /* ADR, ADD SP */
  if ((hw >> 12) == 0xB) {                              /* miscellaneous */
    if ((hw & 0x0500) == 0x0100) return branch(C_B, 1); /* CBZ, CBNZ */
    const unsigned n = popcount16(hw & 0x1FF);
    if (((hw >> 9) & 7) == 2) return multi(C_STM, n); /* PUSH */
    if (((hw >> 9) & 7) == 6) return (hw & 0x100) ? branch(C_POPPC, 1 + n) : multi(C_LDM, n);
    if (((hw >> 8) & 0xF) == 0xF) return make((hw & 0xF) ? C_IT : C_ALU); /* IT, hints */
    if (((hw >> 8) & 0xF) == 0xE) return make(C_SYS);                     /* BKPT */
    return make(C_ALU); /* SUB/ADD SP, extends, REV, CPS */
  }
  if ((hw >> 12) == 0xC) return multi((hw >> 11) & 1 ? C_LDM : C_STM, popcount16(hw & 0xFF));
  if ((hw >> 12) == 0xD) return ((hw >> 9) & 7) == 7 ? make(C_SYS) : branch(C_B, 1); /* UDF/SVC */
  if ((hw >> 11) == 0x1C) return branch(C_B, 1);
  return make(C_OTHER);
}

/* A Thumb instruction is 32 bits wide when its first halfword starts 0b11101, 0b11110 or
 * 0b11111. (The width is taken from the bytes, not from qemu_plugin_insn_size: QEMU 7.2
 * appends the next halfword to an instruction's data when it checks whether the next
 * instruction crosses a page, so a 16-bit instruction near a page end reports 4 bytes.) */
static size_t thumb_size(const uint8_t* b) {
  return (b[1] >> 3) >= 0x1D ? 4 : 2;
}

static insn_t decode(const uint8_t* b, size_t size) {
  const unsigned hw1 = (unsigned)b[0] | (unsigned)b[1] << 8;
  if (thumb_size(b) == 4 && size >= 4) return decode32(hw1, (unsigned)b[2] | (unsigned)b[3] << 8);
  if (thumb_size(b) == 4) return make(C_OTHER);
  return decode16(hw1);
}

/* ---- Per translation block ------------------------------------------------------------ */
typedef struct tb_info {
  uint64_t start, next;   /* first instruction's address; the address after the last */
  uint32_t insns, cycles; /* static sums (load pipelining inside the block applied) */
  uint8_t last_branch, taken_extra;
  int8_t last_ldr_rt;
  uint8_t first_ls;
  uint16_t first_addr_regs;
  uint64_t execs_in_window;
  uint16_t cls_insns[C_COUNT];
  uint32_t cls_cycles[C_COUNT];
  /* a marker in the middle of the block: its index (else UINT32_MAX) and the tail sums */
  struct tb_info* next_info;
} tb_info;

static tb_info* all_tbs;
static uint64_t begin_addr = UINT64_MAX, end_addr = UINT64_MAX;
static uint64_t insns_total, cycles_total, unknown_total, exceptions;
static uint64_t w_insns0, w_cycles0;
static bool in_window;
static uint64_t windows, win_insns_sum, win_cycles_sum;
#define MAX_WINDOWS 256
static uint64_t win_insns[MAX_WINDOWS], win_cycles[MAX_WINDOWS];
static const tb_info* prev;
static char* out_path;
static uint64_t taken_in_window, refill_in_window; /* taken branches and their refills */
static uint64_t unknown_addr;                      /* the first undecoded instruction */
static uint8_t unknown_bytes[4];

/* A marker met mid-block: the block's callback has already added the whole block, so the
 * snapshot subtracts the tail from the marker on. */
typedef struct {
  uint64_t addr;
  uint32_t tail_insns, tail_cycles;
} marker_cb;

static void open_window(uint64_t tail_insns, uint64_t tail_cycles) {
  w_insns0 = insns_total - tail_insns;
  w_cycles0 = cycles_total - tail_cycles;
  in_window = true;
}
static void close_window(uint64_t tail_insns, uint64_t tail_cycles) {
  if (!in_window) return;
  const uint64_t di = insns_total - tail_insns - w_insns0;
  const uint64_t dc = cycles_total - tail_cycles - w_cycles0;
  if (windows < MAX_WINDOWS) {
    win_insns[windows] = di;
    win_cycles[windows] = dc;
  }
  ++windows;
  win_insns_sum += di;
  win_cycles_sum += dc;
  in_window = false;
}

static void on_tb_exec(unsigned int vcpu, void* udata) {
  (void)vcpu;
  const tb_info* tb = udata;
  int64_t extra = 0;
  if (prev) {
    if (tb->start != prev->next) {
      if (prev->last_branch) {
        extra = prev->taken_extra;
        if (in_window) {
          ++taken_in_window;
          refill_in_window += (uint64_t)extra;
        }
      } else {
        ++exceptions; /* exception entry: 12 cycles on M3/M4, 16 on M0 (TRMs) */
        extra = core == M0 ? 16 : 12;
      }
    } else if (core != M0 && prev->last_ldr_rt >= 0 && tb->first_ls &&
               !(tb->first_addr_regs & (1u << prev->last_ldr_rt))) {
      extra = -1; /* pipelined behind the previous block's last load */
    }
  }
  cycles_total += (uint64_t)extra; /* modular: a -1 wraps back */
  prev = tb;
  if (tb->start == begin_addr)
    open_window(0, 0);
  else if (tb->start == end_addr)
    close_window(0, 0);
  insns_total += tb->insns;
  cycles_total += tb->cycles;
  if (in_window) ++((tb_info*)udata)->execs_in_window;
}

static void on_marker_mid(unsigned int vcpu, void* udata) {
  (void)vcpu;
  const marker_cb* m = udata;
  if (m->addr == begin_addr)
    open_window(m->tail_insns, m->tail_cycles);
  else
    close_window(m->tail_insns, m->tail_cycles);
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  (void)id;
  const size_t n = qemu_plugin_tb_n_insns(tb);
  if (n == 0) return;
  tb_info* info = calloc(1, sizeof *info);
  if (!info) abort();
  info->start = qemu_plugin_tb_vaddr(tb);
  info->last_ldr_rt = -1;
  insn_t before = {0, 0, 0, 0, 0, -1, 0};
  uint32_t* per_insn = calloc(n, sizeof *per_insn);
  if (!per_insn) abort();
  for (size_t k = 0; k < n; ++k) {
    struct qemu_plugin_insn* qi = qemu_plugin_tb_get_insn(tb, k);
    const size_t size = qemu_plugin_insn_size(qi);
    const uint8_t* bytes = qemu_plugin_insn_data(qi);
    insn_t d = decode(bytes, size);
    unsigned c = d.cycles;
    if (k > 0 && core != M0 && before.ldr_rt >= 0 && d.ls_single &&
        !(d.addr_regs & (1u << before.ldr_rt)))
      c = 1; /* M3/M4: a load or store right after a load pipelines (TRM 3.3.2) */
    if (k == 0) {
      info->first_ls = d.ls_single;
      info->first_addr_regs = d.addr_regs;
    }
    if (d.cls == C_OTHER && unknown_total++ == 0) {
      unknown_addr = qemu_plugin_insn_vaddr(qi);
      memcpy(unknown_bytes, bytes, size < 4 ? size : 4);
    }
    per_insn[k] = c;
    info->cycles += c;
    info->cls_insns[d.cls] += 1;
    info->cls_cycles[d.cls] += c;
    before = d;
    info->next = qemu_plugin_insn_vaddr(qi) + (size >= 2 ? thumb_size(bytes) : size);
  }
  info->insns = (uint32_t)n;
  info->last_branch = before.branch;
  info->taken_extra = before.taken_extra;
  info->last_ldr_rt = before.ldr_rt;
  /* markers inside the block (not at its start) */
  uint32_t tail_c = 0;
  for (size_t k = n; k-- > 1;) {
    tail_c += per_insn[k];
    struct qemu_plugin_insn* qi = qemu_plugin_tb_get_insn(tb, k);
    const uint64_t va = qemu_plugin_insn_vaddr(qi);
    if (va == begin_addr || va == end_addr) {
      marker_cb* m = malloc(sizeof *m);
      if (!m) abort();
      m->addr = va;
      m->tail_insns = (uint32_t)(n - k);
      m->tail_cycles = tail_c;
      qemu_plugin_register_vcpu_insn_exec_cb(qi, on_marker_mid, QEMU_PLUGIN_CB_NO_REGS, m);
    }
  }
  free(per_insn);
  info->next_info = all_tbs;
  all_tbs = info;
  qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb_exec, QEMU_PLUGIN_CB_NO_REGS, info);
}

static void emit(FILE* f, const char* line) {
  qemu_plugin_outs(line);
  if (f) fputs(line, f);
}

static void on_exit_cb(qemu_plugin_id_t id, void* udata) {
  (void)id;
  (void)udata;
  static const char* const names[] = {"m4", "m3", "m0"};
  FILE* f = out_path ? fopen(out_path, "w") : NULL;
  char line[256];
  snprintf(line, sizeof line,
           "cycle_estimate: core=%s windows=%" PRIu64 " insns=%" PRIu64 " cycles=%" PRIu64
           " unknown=%" PRIu64 " exceptions=%" PRIu64 "\n",
           names[core], windows, win_insns_sum, win_cycles_sum, unknown_total, exceptions);
  emit(f, line);
  if (unknown_total) {
    snprintf(line, sizeof line, "unknown first at 0x%" PRIx64 ": %02x %02x %02x %02x\n",
             unknown_addr, unknown_bytes[0], unknown_bytes[1], unknown_bytes[2], unknown_bytes[3]);
    emit(f, line);
  }
  for (uint64_t w = 0; w < windows && w < MAX_WINDOWS; ++w) {
    snprintf(line, sizeof line, "window %" PRIu64 " insns=%" PRIu64 " cycles=%" PRIu64 "\n", w,
             win_insns[w], win_cycles[w]);
    emit(f, line);
  }
  /* class histogram over the windows' blocks (static per-block cycles: the cross-block
   * refill and pipelining adjustments are in the totals only) */
  uint64_t ci[C_COUNT] = {0}, cc[C_COUNT] = {0};
  for (const tb_info* t = all_tbs; t; t = t->next_info)
    for (int c = 0; c < C_COUNT; ++c) {
      ci[c] += t->execs_in_window * t->cls_insns[c];
      cc[c] += t->execs_in_window * t->cls_cycles[c];
    }
  snprintf(line, sizeof line, "refill taken=%" PRIu64 " cycles=%" PRIu64 "\n", taken_in_window,
           refill_in_window);
  emit(f, line);
  for (int c = 0; c < C_COUNT; ++c) {
    if (!ci[c]) continue;
    snprintf(line, sizeof line, "class %s insns=%" PRIu64 " cycles=%" PRIu64 "\n", cls_name[c],
             ci[c], cc[c]);
    emit(f, line);
  }
  if (f) fclose(f);
}

int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc, char** argv) {
  (void)info;
  for (int i = 0; i < argc; ++i) {
    const char* a = argv[i];
    if (!strncmp(a, "begin=", 6))
      begin_addr = strtoull(a + 6, NULL, 0) & ~1ull;
    else if (!strncmp(a, "end=", 4))
      end_addr = strtoull(a + 4, NULL, 0) & ~1ull;
    else if (!strcmp(a, "core=m4"))
      core = M4;
    else if (!strcmp(a, "core=m3"))
      core = M3;
    else if (!strcmp(a, "core=m0"))
      core = M0;
    else if (!strncmp(a, "refill=", 7))
      refill = (unsigned)strtoul(a + 7, NULL, 0);
    else if (!strncmp(a, "muls=", 5))
      m0_muls = (unsigned)strtoul(a + 5, NULL, 0);
    else if (!strncmp(a, "out=", 4)) {
      free(out_path);
      out_path = malloc(strlen(a + 4) + 1);
      if (!out_path) return -1;
      strcpy(out_path, a + 4);
    } else {
      fprintf(stderr, "cycle_estimate: unknown argument '%s'\n", a);
      return -1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
  qemu_plugin_register_atexit_cb(id, on_exit_cb, NULL);
  return 0;
}
