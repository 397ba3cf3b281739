#if canImport(Glibc)
import Glibc
#endif

/// What the signal handlers read: plain values in memory allocated once and never freed, so
/// a handler touches no Swift runtime machinery (no ARC, no allocation, no exclusivity
/// checks: these are `let` pointers, and pointee access is not checked).
///
/// Writes happen on the thread that opens or closes the session, while the handlers that
/// read a field either are not installed yet or only read fields written before they were
/// installed. The exceptions are documented where they are written: the child pids and the
/// crash hook (single aligned word stores, read by a crash handler at any time).
struct HandlerState {
    /// A session owns the terminal: a crash must restore it.
    var sessionActive = false
    /// A crash handler has started (a second crash skips straight to dying).
    var crashing = false
    /// The terminal descriptor ncurses writes to and sets modes on (standard output).
    var terminalFD: Int32 = -1
    var hasSavedTermios = false
    /// The terminal's modes before the session changed them.
    var savedTermios = termios()
    /// Bytes in `HandlerMemory.restoreBytes`: the terminfo strings that undo the session.
    var restoreLength = 0
    /// The self-pipe: handlers write one byte (the signal number) to `signalPipeWrite`.
    var signalPipeRead: Int32 = -1
    var signalPipeWrite: Int32 = -1
    /// While standard error is captured: a duplicate of the real one, and the capture file.
    var realStderr: Int32 = -1
    var capturedStderr: Int32 = -1
    /// Called by a crash handler after the terminal is restored.
    var crashHook: TerminalGuard.CrashHook?
}

/// The handlers' memory. Each `static let` is initialised (swift_once) by `prepare()` before
/// any handler is installed; after that an access is a plain load.
enum HandlerMemory {
    nonisolated(unsafe) static let state: UnsafeMutablePointer<HandlerState> = {
        let pointer = UnsafeMutablePointer<HandlerState>.allocate(capacity: 1)
        pointer.initialize(to: HandlerState())
        return pointer
    }()

    /// sgr0 + cnorm + rmkx + rmcup of the session's terminal, captured from terminfo.
    static let restoreCapacity = 512
    nonisolated(unsafe) static let restoreBytes: UnsafeMutablePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: restoreCapacity)
        pointer.initialize(repeating: 0, count: restoreCapacity)
        return pointer
    }()

    /// Scratch space for copying the captured standard error from a handler.
    static let copyCapacity = 4096
    nonisolated(unsafe) static let copyBuffer: UnsafeMutablePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: copyCapacity)
        pointer.initialize(repeating: 0, count: copyCapacity)
        return pointer
    }()

    /// Child processes a crash handler sends SIGTERM to; 0 marks a free slot.
    static let childCapacity = 256
    nonisolated(unsafe) static let childPIDs: UnsafeMutablePointer<pid_t> = {
        let pointer = UnsafeMutablePointer<pid_t>.allocate(capacity: childCapacity)
        pointer.initialize(repeating: 0, count: childCapacity)
        return pointer
    }()

    /// Alternate signal stack for a crash from stack overflow (used only when the thread has
    /// none; the Swift runtime usually installs one on the main thread).
    static let alternateStackSize = 64 * 1024
    nonisolated(unsafe) static let alternateStack: UnsafeMutableRawPointer = {
        UnsafeMutableRawPointer.allocate(byteCount: alternateStackSize, alignment: 16)
    }()

    /// Runs every lazy initialiser above, so no handler ever runs one.
    static func prepare() {
        _ = state
        _ = restoreBytes
        _ = copyBuffer
        _ = childPIDs
        _ = alternateStack
    }
}
