import CTracerShim
#if canImport(Glibc)
import Glibc
#endif

/// A readiness call the tracer itself cut short (attaching, pausing, detaching interrupt a
/// blocked thread) must not fail in the program. select, pselect6, poll and ppoll come back
/// with an -ERESTART* value and the kernel makes them again; epoll_wait and its kin come back
/// with a plain -EINTR, which the program would see ("epoll_wait: Interrupted system call").
/// Turned into -ERESTARTNOHAND while the thread is stopped on its way back, it is restarted
/// exactly as select is; a signal with a handler arriving at once still makes it EINTR, as
/// it would untraced.
enum InterruptedCallRestart {
    /// -ERESTARTNOHAND: restart unless a handler runs.
    static let restartUnlessHandled: Int64 = -514

    /// Rewrites the stopped thread's -EINTR from a readiness call; true when it did.
    /// `atExitStop`: the stop is the call's own exit stop (else a later stop on its way back,
    /// where only some architectures still decide the restart).
    static func apply(tid: Int32, atExitStop: Bool) -> Bool {
        guard atExitStop || ts_return_rewritable_after_exit_stop() != 0 else { return false }
        var number = 0, value = 0
        guard ts_syscall_return(tid, &number, &value) == 0, value == -Int(EINTR),
              TracedSyscall.byNumber[number]?.isReadiness == true else { return false }
        return ts_set_syscall_return(tid, Int(restartUnlessHandled)) == 0
    }
}
