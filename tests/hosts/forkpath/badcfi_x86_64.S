/* bad_cfi_fork: calls fork() from a frame whose unwind information points
 * at unmapped memory (CFA = r12 + 16 with r12 = 16): any unwinder that walks
 * past it faults. Used only in a forked child of the JVM owner, whose fork
 * site is unwound there under forkguard's guard. */
    .text
    .globl bad_cfi_fork
    .type bad_cfi_fork, @function
bad_cfi_fork:
    .cfi_startproc
    pushq %r12
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r12, 0
    movq $16, %r12
    .cfi_def_cfa %r12, 16
    call fork@PLT
    .cfi_def_cfa %rsp, 16
    popq %r12
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r12
    ret
    .cfi_endproc
    .size bad_cfi_fork, .-bad_cfi_fork
    .section .note.GNU-stack,"",@progbits
