import Dashboard
#if canImport(Glibc)
import Glibc
#endif

/// One thing read from the terminal: a key, or the news that its size changed (redraw).
public enum TerminalInput: Hashable, Sendable {
    case key(Key)
    case resize
    /// A click or a wheel turn (when the terminal reports the mouse).
    case mouse(MouseEvent)
}

/// A signal that asks the program to end: the app quits gracefully on any of them.
public enum TerminalSignal: Hashable, Sendable, CaseIterable {
    /// SIGINT: `kill -INT`. (Ctrl-C on the keyboard arrives as `.key(.controlC)`, not as this:
    /// the session reads the keyboard in raw mode.)
    case interrupt
    /// SIGTERM.
    case terminate
    /// SIGHUP: the terminal went away (window closed, ssh dropped).
    case hangup

    public var number: Int32 {
        switch self {
        case .interrupt: return SIGINT
        case .terminate: return SIGTERM
        case .hangup: return SIGHUP
        }
    }

    public init?(number: Int32) {
        guard let match = Self.allCases.first(where: { $0.number == number }) else { return nil }
        self = match
    }

    public var name: String {
        switch self {
        case .interrupt: return "SIGINT"
        case .terminate: return "SIGTERM"
        case .hangup: return "SIGHUP"
        }
    }
}

/// What woke `TerminalSession.wait(forInputOr:timeout:)`. Several things can be true at once.
public struct WaitResult: Hashable, Sendable {
    /// Keys may be waiting, or the size may have changed (SIGWINCH, or any EINTR): call
    /// `readKeys()`, which returns nothing when it was a false alarm.
    public var input: Bool
    /// Standard input hung up or failed: the terminal is gone, quit.
    public var hangup: Bool
    /// Quit signals that arrived, oldest first (already taken from the signal pipe).
    public var signals: [TerminalSignal]
    /// Which of the caller's descriptors are readable, hung up or in error, in the order given.
    public var ready: [Int32]

    public init(input: Bool = false, hangup: Bool = false, signals: [TerminalSignal] = [], ready: [Int32] = []) {
        self.input = input
        self.hangup = hangup
        self.signals = signals
        self.ready = ready
    }

    /// Nothing happened before the timeout.
    public var timedOut: Bool { !input && !hangup && signals.isEmpty && ready.isEmpty }
}
