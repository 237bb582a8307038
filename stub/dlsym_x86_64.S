/* dlsym and dlvsym entry points, x86-64.
 *
 * glibc resolves RTLD_NEXT (and RTLD_DEFAULT's namespace) from its caller's
 * return address. A wrapper that *called* the real dlsym would make every
 * host's dlsym(RTLD_NEXT, ...) resolve relative to libforkguard (seen: a
 * library finding itself again, then infinite recursion). So these entries
 * never call: RTLD_DEFAULT and RTLD_NEXT lookups tail-jump to the real
 * function with the host's return address still on the stack, and lookups in
 * a library handle, which do not depend on the caller, jump to the C filter
 * that may hand out our JNI_CreateJavaVM wrapper. */

    /* Offsets of fg_stub.dlsym and fg_stub.dlvsym: struct fg_stub starts
     * with these two (checked by a static assertion in stub/realsym.c). */
    .set FG_OFF_DLSYM, 0
    .set FG_OFF_DLVSYM, 8

    .text

    .macro FG_ENTRY name, real, filter
    .globl \name
    .type \name, @function
\name:
    .cfi_startproc
    movq \real(%rip), %rax
    testq %rax, %rax
    jz 2f
1:  testq %rdi, %rdi            /* RTLD_DEFAULT */
    jz 3f
    cmpq $-1, %rdi              /* RTLD_NEXT */
    je 3f
    jmp \filter
3:  jmp *\real(%rip)
2:  /* Called before our constructor (by another library's): resolve now,
     * keeping the three argument registers; rsp is 8 mod 16 on entry. */
    pushq %rdi
    .cfi_adjust_cfa_offset 8
    pushq %rsi
    .cfi_adjust_cfa_offset 8
    pushq %rdx
    .cfi_adjust_cfa_offset 8
    call fg_stub_realsym_init
    popq %rdx
    .cfi_adjust_cfa_offset -8
    popq %rsi
    .cfi_adjust_cfa_offset -8
    popq %rdi
    .cfi_adjust_cfa_offset -8
    movq \real(%rip), %rax
    testq %rax, %rax
    jnz 1b
    xorl %eax, %eax             /* no libc dlsym found at all: nothing to find */
    ret
    .cfi_endproc
    .size \name, .-\name
    .endm

    FG_ENTRY dlsym, fg_stub+FG_OFF_DLSYM, fg_dlsym_handle
    FG_ENTRY dlvsym, fg_stub+FG_OFF_DLVSYM, fg_dlvsym_handle

    .section .note.GNU-stack, "", @progbits
