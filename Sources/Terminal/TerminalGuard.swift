import CNcurses
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Puts the terminal back however the program ends: the saved modes, the terminfo strings
/// that leave the alternate screen and show the cursor, and standard error (kept off the
/// screen while the dashboard runs, shown again afterwards).
///
/// The app uses it to name the child processes a crash must not leave behind:
/// `registerChild(_:)` after spawning, `unregisterChild(_:)` after reaping. A crash handler
/// (SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP, SIGQUIT, SIGSYS) sends each registered
/// pid SIGTERM, then calls the crash hook, if one is set. Both work only while a
/// `TerminalSession` is open (that is when the crash handlers are installed).
public enum TerminalGuard {
    /// Called from a crash handler with the signal number, after the terminal is restored and
    /// the registered children were sent SIGTERM: async-signal-safe calls only (kill, write,
    /// _exit…), no allocation, no locks, no Swift objects.
    public typealias CrashHook = @convention(c) (Int32) -> Void

    /// How many children can be registered at once.
    public static var childCapacity: Int { HandlerMemory.childCapacity }

    /// Serialises registrations between threads; the crash handler reads without it.
    private static let childLock = Mutex(())

    /// Registers a child process for SIGTERM on a crash. Returns false when the table is full
    /// (the child then simply is not killed on a crash). Registering twice is harmless.
    @discardableResult
    public static func registerChild(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        HandlerMemory.prepare()
        return childLock.withLock { _ in
            let table = HandlerMemory.childPIDs
            for index in 0..<HandlerMemory.childCapacity where table[index] == pid { return true }
            for index in 0..<HandlerMemory.childCapacity where table[index] == 0 {
                // One aligned 32-bit store: a crash handler sees the slot either empty or set.
                table[index] = pid
                return true
            }
            return false
        }
    }

    /// Forgets a child (call it once the child has been reaped, so its pid can be reused).
    public static func unregisterChild(_ pid: pid_t) {
        guard pid > 0 else { return }
        HandlerMemory.prepare()
        childLock.withLock { _ in
            let table = HandlerMemory.childPIDs
            for index in 0..<HandlerMemory.childCapacity where table[index] == pid { table[index] = 0 }
        }
    }

    /// The children registered now.
    public static var registeredChildren: [pid_t] {
        HandlerMemory.prepare()
        return childLock.withLock { _ in
            (0..<HandlerMemory.childCapacity).map { HandlerMemory.childPIDs[$0] }.filter { $0 != 0 }
        }
    }

    /// Sets (or clears, with nil) the function a crash handler calls last.
    public static func setCrashHook(_ hook: CrashHook?) {
        HandlerMemory.prepare()
        childLock.withLock { _ in
            // One pointer-sized store, read by a crash handler.
            HandlerMemory.state.pointee.crashHook = hook
        }
    }

    // MARK: - Session start and end (called by TerminalSession on its thread)

    /// Saves the terminal's modes; the crash handlers and `restoreModes()` put them back.
    static func saveModes(of fd: Int32) throws {
        HandlerMemory.prepare()
        var modes = termios()
        guard tcgetattr(fd, &modes) == 0 else { throw TerminalError.system(call: "tcgetattr", errno: errno) }
        let state = HandlerMemory.state
        state.pointee.terminalFD = fd
        state.pointee.savedTermios = modes
        state.pointee.hasSavedTermios = true
    }

    /// Puts the saved modes back (after endwin, which already did, as a second line of defence).
    static func restoreModes() {
        let state = HandlerMemory.state
        guard state.pointee.hasSavedTermios else { return }
        var modes = state.pointee.savedTermios
        _ = tcsetattr(state.pointee.terminalFD, TCSANOW, &modes)
    }

    /// Captures from terminfo (after newterm) the strings that undo what the session did to
    /// the screen: normal attributes, visible cursor, keypad off, leave the alternate screen.
    /// Padding (`$<5>`) is dropped: a handler writes the bytes raw, without tputs.
    static func captureRestoreStrings() {
        var bytes: [UInt8] = []
        for name in ["sgr0", "cnorm", "rmkx", "rmcup"] {
            guard let value = tigetstr(name), Int(bitPattern: value) != -1 else { continue }
            bytes += withoutPadding(Array(String(cString: value).utf8))
        }
        // A crash skips endwin: turn the mouse reporting off too (xterm's normal and SGR modes).
        bytes += Array("\u{1B}[?1000l\u{1B}[?1006l".utf8)
        // Without rmcup the dashboard stays on the main screen: start the shell on a new line.
        if tigetstr("rmcup").map({ Int(bitPattern: $0) == -1 }) ?? true {
            bytes += Array("\r\n".utf8)
        }
        let count = min(bytes.count, HandlerMemory.restoreCapacity)
        let state = HandlerMemory.state
        state.pointee.restoreLength = 0
        for index in 0..<count { HandlerMemory.restoreBytes[index] = bytes[index] }
        state.pointee.restoreLength = count
    }

    /// A terminfo string without its `$<…>` padding delays.
    static func withoutPadding(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "$"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "<"),
               let close = bytes[(index + 2)...].firstIndex(of: UInt8(ascii: ">")) {
                index = close + 1
                continue
            }
            result.append(bytes[index])
            index += 1
        }
        return result
    }

    /// Sends standard error to an unlinked temporary file while the dashboard runs, so no
    /// warning scribbles on the screen (children spawned meanwhile inherit it too). Only when
    /// standard error is the terminal: a redirected stderr is left alone.
    static func captureStderr() {
        let state = HandlerMemory.state
        guard state.pointee.capturedStderr < 0, isatty(STDERR_FILENO) == 1 else { return }
        let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(folder)/selectscope-stderr-XXXXXX".utf8CString)
        let file = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard file >= 0 else { return }
        _ = fcntl(file, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let real = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)
        guard real >= 0, dup2(file, STDERR_FILENO) >= 0 else {
            if real >= 0 { close(real) }
            close(file)
            return
        }
        state.pointee.realStderr = real
        state.pointee.capturedStderr = file
    }

    /// Puts the real standard error back and copies to it what was written meanwhile (the
    /// last `limit` bytes, with a note when more was cut).
    static func releaseStderr(limit: Int = 1 << 20) {
        let state = HandlerMemory.state
        let real = state.pointee.realStderr
        let file = state.pointee.capturedStderr
        guard real >= 0, file >= 0 else { return }
        _ = dup2(real, STDERR_FILENO)
        close(real)
        state.pointee.realStderr = -1
        state.pointee.capturedStderr = -1
        let size = Int(lseek(file, 0, SEEK_END))
        if size > limit {
            let note = "[… \(size - limit) earlier bytes of standard error omitted]\n"
            writeAll(STDERR_FILENO, Array(note.utf8))
        }
        _ = lseek(file, off_t(max(0, size - limit)), SEEK_SET)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            writeAll(STDERR_FILENO, Array(buffer[0..<count]))
        }
        close(file)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    // MARK: - Async-signal-safe restoration (crash handlers, atexit)

    /// Restores modes and screen with async-signal-safe calls only: tcsetattr and write.
    static func restoreTerminalFromHandler() {
        let state = HandlerMemory.state
        guard state.pointee.sessionActive else { return }
        state.pointee.sessionActive = false
        let fd = state.pointee.terminalFD
        if state.pointee.hasSavedTermios {
            _ = withUnsafePointer(to: &state.pointee.savedTermios) { tcsetattr(fd, TCSANOW, $0) }
        }
        writeFromHandler(fd, HandlerMemory.restoreBytes, state.pointee.restoreLength)
    }

    /// Puts the real standard error back and copies the last 64 KiB captured to it: dup2,
    /// lseek, read, write only.
    static func releaseStderrFromHandler() {
        let state = HandlerMemory.state
        let real = state.pointee.realStderr
        let file = state.pointee.capturedStderr
        guard real >= 0, file >= 0 else { return }
        state.pointee.realStderr = -1
        state.pointee.capturedStderr = -1
        _ = dup2(real, STDERR_FILENO)
        let size = lseek(file, 0, SEEK_END)
        _ = lseek(file, size > 65536 ? size - 65536 : 0, SEEK_SET)
        while true {
            let count = read(file, HandlerMemory.copyBuffer, HandlerMemory.copyCapacity)
            guard count > 0 else { break }
            writeFromHandler(STDERR_FILENO, HandlerMemory.copyBuffer, count)
        }
    }

    static func writeFromHandler(_ fd: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) {
        var offset = 0
        while offset < count {
            let written = write(fd, bytes + offset, count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }

    static func writeFromHandler(_ fd: Int32, _ text: StaticString) {
        writeFromHandler(fd, text.utf8Start, text.utf8CodeUnitCount)
    }

    /// The body of every crash handler: restore, end the children, call the hook, show what
    /// went to stderr, then die of the same signal (the disposition is already SIG_DFL:
    /// SA_RESETHAND), so the exit status says what happened.
    static func handleCrash(_ signal: Int32) {
        let saved = errno
        let state = HandlerMemory.state
        if !state.pointee.crashing {
            state.pointee.crashing = true
            restoreTerminalFromHandler()
            let table = HandlerMemory.childPIDs
            for index in 0..<HandlerMemory.childCapacity {
                let pid = table[index]
                if pid > 0 { _ = kill(pid, SIGTERM) }
            }
            if let hook = state.pointee.crashHook { hook(signal) }
            releaseStderrFromHandler()
            writeFromHandler(STDERR_FILENO, "selectscope: terminal restored after ")
            writeFromHandler(STDERR_FILENO, crashSignalName(signal))
            writeFromHandler(STDERR_FILENO, "\n")
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_DFL
        _ = sigemptyset(&action.sa_mask)
        _ = sigaction(signal, &action, nil)
        errno = saved
        // Blocked while this handler runs: delivered, with the default action, on return. A
        // fault instead repeats on return and dies the same way.
        _ = raise(signal)
    }

    static func crashSignalName(_ signal: Int32) -> StaticString {
        switch signal {
        case SIGSEGV: return "SIGSEGV"
        case SIGBUS: return "SIGBUS"
        case SIGABRT: return "SIGABRT"
        case SIGILL: return "SIGILL (a Swift runtime trap?)"
        case SIGFPE: return "SIGFPE"
        case SIGTRAP: return "SIGTRAP (a Swift runtime trap?)"
        case SIGQUIT: return "SIGQUIT"
        case SIGSYS: return "SIGSYS"
        default: return "a fatal signal"
        }
    }
}
