/// What the right-hand pane beside the lists shows; `v` cycles it. A terminal with room to
/// spare gives the views it does not show panes of their own (see `Layout`).
public enum DashboardView: String, CaseIterable, Sendable {
    /// The checklist: what the last call was given and what came back.
    case lastCall = "last-call"
    /// The seed's Python server for the mode, the lines the last call ran highlighted.
    case source
    /// A traced program's own output (stdout and stderr): what its prints claim, beside
    /// what the kernel returned. It takes the source's place: the seed is not its code.
    case output
    /// One sentence per ready fd saying why, and what would misbehave.
    case explain
    /// One row per fd, one column per call: the checklist's history.
    case timeline

    /// The view `v` switches to; `traced`: the records come from a traced program.
    public func next(traced: Bool) -> DashboardView {
        switch self {
        case .lastCall: return traced ? .output : .source
        case .source, .output: return .explain
        case .explain: return .timeline
        case .timeline: return .lastCall
        }
    }

    /// The view that stands for the program's code: the seed's source, or for a traced
    /// program what it printed.
    public static func code(traced: Bool) -> DashboardView { traced ? .output : .source }
}
