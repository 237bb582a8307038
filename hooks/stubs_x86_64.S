/* Per-slot entry stubs for the child's JNIEnv table, x86-64 System V.
 *
 * Slot i of the poisoned table points at fg_env_stub_<i>, which loads i into
 * r11 (a scratch register no JNI argument uses) and jumps to the shared
 * dispatcher. The dispatcher saves every argument register, including rax (the
 * vector-register count of variadic Call*Method calls) and xmm0-7, asks
 * fg_env_enter_sigsafe(slot, caller) where to go, restores them and tail-jumps there, so the
 * real function sees exactly the caller's arguments, stack and return address.
 * In block mode fg_env_enter_sigsafe never returns. */

    .text

    .globl fg_env_dispatch
    .hidden fg_env_dispatch
    .type fg_env_dispatch, @function
fg_env_dispatch:
    .cfi_startproc
    pushq %rbp
    .cfi_def_cfa_offset 16
    .cfi_offset %rbp, -16
    movq %rsp, %rbp
    .cfi_def_cfa_register %rbp
    subq $192, %rsp
    movq %rdi, 0(%rsp)
    movq %rsi, 8(%rsp)
    movq %rdx, 16(%rsp)
    movq %rcx, 24(%rsp)
    movq %r8, 32(%rsp)
    movq %r9, 40(%rsp)
    movq %rax, 48(%rsp)
    movdqu %xmm0, 64(%rsp)
    movdqu %xmm1, 80(%rsp)
    movdqu %xmm2, 96(%rsp)
    movdqu %xmm3, 112(%rsp)
    movdqu %xmm4, 128(%rsp)
    movdqu %xmm5, 144(%rsp)
    movdqu %xmm6, 160(%rsp)
    movdqu %xmm7, 176(%rsp)
    movl %r11d, %edi
    movq 8(%rbp), %rsi          /* the JNI caller's return address */
    call fg_env_enter_sigsafe
    movq %rax, %r11
    movq 0(%rsp), %rdi
    movq 8(%rsp), %rsi
    movq 16(%rsp), %rdx
    movq 24(%rsp), %rcx
    movq 32(%rsp), %r8
    movq 40(%rsp), %r9
    movq 48(%rsp), %rax
    movdqu 64(%rsp), %xmm0
    movdqu 80(%rsp), %xmm1
    movdqu 96(%rsp), %xmm2
    movdqu 112(%rsp), %xmm3
    movdqu 128(%rsp), %xmm4
    movdqu 144(%rsp), %xmm5
    movdqu 160(%rsp), %xmm6
    movdqu 176(%rsp), %xmm7
    leave
    .cfi_def_cfa %rsp, 8
    jmp *%r11
    .cfi_endproc
    .size fg_env_dispatch, .-fg_env_dispatch

    .altmacro
    .macro FG_STUB n
    .balign 16
fg_env_stub_\n:
    .cfi_startproc
    movl $\n, %r11d
    jmp fg_env_dispatch
    .cfi_endproc
    .endm

    .macro FG_STUB_ADDR n
    .quad fg_env_stub_\n
    .endm

    .set slot, 0
    .rept 240
    FG_STUB %slot
    .set slot, slot + 1
    .endr

    .section .data.rel.ro, "aw"
    .balign 8
    .globl fg_env_stubs
    .hidden fg_env_stubs
    .type fg_env_stubs, @object
fg_env_stubs:
    .set slot, 0
    .rept 240
    FG_STUB_ADDR %slot
    .set slot, slot + 1
    .endr
    .size fg_env_stubs, .-fg_env_stubs

    .section .note.GNU-stack, "", @progbits
