import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The session's signal handlers.
///
/// - SIGINT, SIGTERM, SIGHUP (quit) and SIGWINCH (resize) write their number as one byte to a
///   self-pipe (non-blocking, close-on-exec) and return: `TerminalSession.wait` polls the
///   pipe's read end, so the app wakes, quits gracefully or redraws. Installed before
///   `newterm`, so ncurses leaves these signals to us (it installs its own handlers only
///   where the disposition is still SIG_DFL).
/// - SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP, plus SIGQUIT and SIGSYS (whose
///   default action is also a core dump) (crash) restore the terminal with
///   async-signal-safe calls, SIGTERM the registered children, call the crash hook, then die
///   of the same signal (`TerminalGuard.handleCrash`). They replace the Swift runtime's
///   backtracer for the session's lifetime (it could otherwise wait for a key on the
///   half-restored terminal); the runtime's "Fatal error: …" line still reaches stderr.
///
/// Ctrl-C: the session reads the keyboard in raw mode, so Ctrl-C is the key `.controlC` (byte
/// 3), delivered in order with the other keys; it is not SIGINT and does not reach the
/// spawned clients through the terminal's process group. `kill -INT` still arrives as a
/// signal. The app treats both as "quit".
enum SignalHandling {
    static let quitSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP, SIGQUIT, SIGSYS]
    static var handledSignals: [Int32] { quitSignals + [SIGWINCH] + crashSignals }

    /// The dispositions in force before `install()`, put back by `uninstall()`.
    private static let previous = Mutex<[Int32: sigaction]>([:])

    private static let wakeHandler: @convention(c) (Int32) -> Void = { signal in
        let saved = errno
        var byte = UInt8(truncatingIfNeeded: signal)
        _ = write(HandlerMemory.state.pointee.signalPipeWrite, &byte, 1)
        errno = saved
    }

    private static let crashHandler: @convention(c) (Int32) -> Void = { signal in
        TerminalGuard.handleCrash(signal)
    }

    private static let exitHandler: @convention(c) () -> Void = {
        // The program exited without ending the session (exit() somewhere): restore anyway.
        TerminalGuard.restoreTerminalFromHandler()
        TerminalGuard.releaseStderrFromHandler()
    }

    private static let exitHandlerRegistered = Mutex(false)

    /// The read end of the self-pipe, created once per process and kept open (a handler on
    /// another thread may still be writing to it while a session closes).
    static func signalPipe() throws -> Int32 {
        HandlerMemory.prepare()
        let state = HandlerMemory.state
        if state.pointee.signalPipeRead >= 0 { return state.pointee.signalPipeRead }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw TerminalError.system(call: "pipe", errno: errno) }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        state.pointee.signalPipeRead = fds[0]
        state.pointee.signalPipeWrite = fds[1]
        return fds[0]
    }

    /// Installs every handler, unblocks their signals on this thread (a parent may have
    /// started us with them blocked), and registers the atexit safety net once.
    static func install() throws {
        _ = try signalPipe()
        ensureAlternateStack()
        var saved: [Int32: sigaction] = [:]
        for signal in quitSignals + [SIGWINCH] {
            saved[signal] = try setHandler(signal, wakeHandler, flags: Int32(SA_RESTART))
        }
        // SA_RESETHAND: back to SIG_DFL on entry, so a crash inside the handler just dies.
        // SA_ONSTACK: a stack overflow still gets a stack to run the handler on.
        let crashFlags = Int32(bitPattern: UInt32(SA_RESETHAND)) | Int32(SA_ONSTACK)
        for signal in crashSignals {
            saved[signal] = try setHandler(signal, crashHandler, flags: crashFlags)
        }
        previous.withLock { $0 = saved }

        var set = sigset_t()
        _ = sigemptyset(&set)
        for signal in handledSignals { _ = sigaddset(&set, signal) }
        _ = pthread_sigmask(SIG_UNBLOCK, &set, nil)

        exitHandlerRegistered.withLock { registered in
            if !registered { registered = atexit(exitHandler) == 0 }
        }
    }

    /// Puts back the dispositions `install()` replaced, and forgets pending wake-ups.
    static func uninstall() {
        let saved = previous.withLock { table in
            defer { table = [:] }
            return table
        }
        for (signal, action) in saved {
            var action = action
            _ = sigaction(signal, &action, nil)
        }
        _ = drainPipe()
    }

    private static func setHandler(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void, flags: Int32) throws -> sigaction {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        _ = sigemptyset(&action.sa_mask)
        action.sa_flags = flags
        var old = sigaction()
        guard sigaction(signal, &action, &old) == 0 else { throw TerminalError.system(call: "sigaction(\(signal))", errno: errno) }
        return old
    }

    private static func ensureAlternateStack() {
        var current = stack_t()
        guard sigaltstack(nil, &current) == 0, current.ss_flags & Int32(SS_DISABLE) != 0 else { return }
        var stack = stack_t()
        stack.ss_sp = HandlerMemory.alternateStack
        stack.ss_size = HandlerMemory.alternateStackSize
        stack.ss_flags = 0
        _ = sigaltstack(&stack, nil)
    }

    /// The signal numbers waiting in the pipe, oldest first (non-blocking).
    static func drainPipe() -> [Int32] {
        let fd = HandlerMemory.state.pointee.signalPipeRead
        guard fd >= 0 else { return [] }
        var signals: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            signals += buffer[0..<count].map { Int32($0) }
        }
        return signals
    }
}
