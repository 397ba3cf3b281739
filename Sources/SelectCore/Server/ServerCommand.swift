/// What a screen (or a test) asks of a running server. Commands are applied between calls.
public enum ServerCommand: Sendable, Equatable {
    case switchMode(Mode)
    case switchBackend(BackendKind)
    case nextBackend
    /// Pause before the next call; while paused, make exactly one call.
    case step
    case resume
    case stop
    /// Pause the loop right after a call in which one of these events happened.
    case setBreakpoints(Set<Breakpoint>)
}
