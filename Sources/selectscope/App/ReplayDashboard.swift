import Dashboard
import SelectCore
import Terminal

/// `selectscope replay FILE`: a recorded trace in the dashboard's panes, stepped forwards and
/// backwards one call at a time or played at 0.25×–8× its recorded pace.
final class ReplayDashboard {
    /// A recorded idle wait longer than this (at 1×) is shortened: nothing happens in it.
    static let longestPause = 2.0

    private let timeline: ReplayTimeline
    private let session: TerminalSession
    /// The screen's whole state; only `DashboardState.update` changes it.
    private var state: DashboardState
    private var nextStep: Double?
    private var shownPosition = -1

    init(file: TraceFile, language: Language) throws {
        try TerminalSession.checkUsable()
        timeline = ReplayTimeline(file: file)
        state = DashboardState(language: language)
        state.replay = ReplayCursor(seqs: file.records.map(\.seq), damage: file.damage)
        session = try TerminalSession()
        if let damage = file.damage {
            _ = state.apply(.status(StatusMessage.traceStops(at: damage, calls: file.records.count).text(session.isUTF8 ? language : .en)))
            // A damage note stays: it says what the replay is missing.
            state.status?.since = .infinity
        }
    }

    func run() {
        defer { session.end() }
        var dirty = true
        while true {
            if dirty {
                draw()
                dirty = false
            }
            var timeout: Double? = nextStep.map { max(0, $0 - Posix.monotonicSeconds()) }
            // A status message fades on its own: wake to draw the frame without it.
            if let status = state.status, state.visibleStatus != nil, status.since.isFinite {
                let fade = max(0, status.since + StatusLine.lifetime - Posix.monotonicSeconds())
                timeout = min(timeout ?? fade, fade)
                dirty = dirty || fade == 0
            }
            let woke = session.wait(forInputOr: [], timeout: timeout)
            if !woke.signals.isEmpty || woke.hangup { return }
            _ = state.apply(.clock(Posix.monotonicSeconds()))
            if woke.timedOut { dirty = true }
            if let due = nextStep, Posix.monotonicSeconds() >= due {
                nextStep = nil
                if !perform(state.apply(.replayStepDue)) { return }
                dirty = true
            }
            for input in session.readKeys() {
                dirty = true
                let effects: [DashboardEffect]
                switch input {
                case .key(let key): effects = state.apply(.key(key))
                case .mouse(let event): effects = state.apply(.mouse(event))
                case .resize: effects = []
                }
                if !perform(effects) { return }
            }
            if state.replay?.playing == false { nextStep = nil }
        }
    }

    /// Carries out what the state asked for; false to quit.
    private func perform(_ effects: [DashboardEffect]) -> Bool {
        for effect in effects {
            switch effect {
            case .quit: return false
            case .scheduleReplayStep: scheduleNext()
            case .server, .spawnClient, .closeClient, .resetClient, .showThread: break  // nothing live in a replay
            }
        }
        return true
    }

    /// The next call is due after the recorded gap between the two calls, at the chosen speed.
    private func scheduleNext() {
        guard let cursor = state.replay else { return }
        let records = timeline.file.records
        var gap = 0.5
        if cursor.position + 1 < records.count {
            gap = min(Self.longestPause, max(0.02, records[cursor.position + 1].time - records[cursor.position].time))
        }
        nextStep = Posix.monotonicSeconds() + gap / cursor.speed
    }

    /// The timeline's calls: the recorded ones before the position and a few after it.
    private func history(around index: Int) -> CallHistory {
        let records = timeline.file.records
        let capacity = CallHistory.defaultCapacity
        let end = min(records.count, index + 1 + capacity / 4)
        return CallHistory(records[max(0, end - capacity)..<end], capacity: capacity)
    }

    private func draw() {
        let size = session.size
        _ = state.apply(.resized(width: size.width, height: size.height))
        if let position = state.replay?.position, position != shownPosition {
            _ = state.apply(.observed(timeline.snapshot(at: position), clients: []))
            shownPosition = position
        }
        var model = state.model(asciiOnly: !session.isUTF8)
        model.history = history(around: state.replay?.position ?? 0)
        session.draw(DashboardRenderer.render(model, width: size.width, height: size.height))
    }
}
