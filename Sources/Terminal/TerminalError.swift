#if canImport(Glibc)
import Glibc
#endif

/// Why the dashboard could not take the terminal. The descriptions are whole sentences for
/// the user, printed after the terminal is restored (or before it was ever touched).
public enum TerminalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Standard input or standard output is not a terminal (a pipe, a file, /dev/null).
    case notATerminal(stream: String)
    /// `TERM` is unset or empty.
    case terminalTypeUnset
    /// `TERM=dumb`: no cursor addressing.
    case dumbTerminal
    /// ncurses does not know `TERM` (no terminfo entry): `newterm` returned nil.
    case unknownTerminal(String)
    /// A second session while one is open.
    case alreadyOpen
    /// A system call failed while setting the terminal up.
    case system(call: String, errno: Int32)

    static let headlessHint = "For headless use run `selectscope server` (see `selectscope server --help`)."

    public var description: String {
        switch self {
        case .notATerminal(let stream):
            return "the dashboard needs an interactive terminal, but \(stream) is not one. \(Self.headlessHint)"
        case .terminalTypeUnset:
            return "the dashboard needs a terminal type, but TERM is not set. \(Self.headlessHint)"
        case .dumbTerminal:
            return "the dashboard cannot draw on TERM=dumb (no cursor movement). \(Self.headlessHint)"
        case .unknownTerminal(let name):
            return "the terminal type '\(name)' is not known to ncurses (no terminfo entry); try TERM=xterm-256color. \(Self.headlessHint)"
        case .alreadyOpen:
            return "a terminal session is already open in this process"
        case .system(let call, let code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
