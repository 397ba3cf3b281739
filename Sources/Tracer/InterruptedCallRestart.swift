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
    /// where only some architectures still decide the restart). `pending`, when known, is the
    /// call as it was entered: an epoll wait with a timeout is restarted with what is left of
    /// it (select does the same itself, through the timeval it rewrites), not the whole again.
    /// After an attach when it began is unknown: that wait starts its timeout again.
    static func apply(tid: Int32, atExitStop: Bool, pending: PendingCall? = nil, now: Double = 0) -> Bool {
        guard atExitStop || ts_return_rewritable_after_exit_stop() != 0 else { return false }
        var number = 0, value = 0
        guard ts_syscall_return(tid, &number, &value) == 0, value == -Int(EINTR),
              let call = TracedSyscall.byNumber[number], call.isReadiness else { return false }
        if let pending, pending.call == call, call == .epoll_wait || call == .epoll_pwait,
           case .epollWait(_, _, _, let timeout?) = pending.entry, timeout > 0 {
            // epoll_wait(epfd, events, maxevents, timeout in ms): the fourth argument.
            let left = max(0, timeout - (now - pending.entryTime))
            _ = ts_set_syscall_argument(tid, 3, Int((left * 1000).rounded(.up)))
        }
        return ts_set_syscall_return(tid, Int(restartUnlessHandled)) == 0
    }
}
