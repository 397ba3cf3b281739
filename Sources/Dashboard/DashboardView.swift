/// What the right-hand pane beside the lists shows; `v` cycles it. A terminal with room to
/// spare gives the views it does not show panes of their own (see `Layout`).
public enum DashboardView: String, CaseIterable, Sendable {
    /// The checklist: what the last call was given and what came back.
    case lastCall = "last-call"
    /// The seed's Python server for the mode, the lines the last call ran highlighted.
    case source
    /// One sentence per ready fd saying why, and what would misbehave.
    case explain
    /// One row per fd, one column per call: the checklist's history.
    case timeline

    /// The view `v` switches to.
    public var next: DashboardView {
        switch self {
        case .lastCall: return .source
        case .source: return .explain
        case .explain: return .timeline
        case .timeline: return .lastCall
        }
    }
}
