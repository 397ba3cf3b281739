import Dashboard
import SelectCore
import Terminal

/// `selectscope replay FILE`: a recorded trace in the dashboard's panes, stepped forwards and
/// backwards one call at a time or played at 0.25×–8× its recorded pace.
final class ReplayDashboard {
    static let speeds: [Double] = [0.25, 0.5, 1, 2, 4, 8]
    /// A recorded idle wait longer than this (at 1×) is shortened: nothing happens in it.
    static let longestPause = 2.0

    private let timeline: ReplayTimeline
    private let session: TerminalSession
    private let language: Language
    private var position = 0
    private var playing = false
    private var speedIndex = 2
    private var showHelp = false
    private var view = DashboardView.lastCall
    private var typedNumber = ""
    private var status: String?
    private var nextStep = 0.0

    init(file: TraceFile, language: Language) throws {
        try TerminalSession.checkUsable()
        timeline = ReplayTimeline(file: file)
        self.language = language
        session = try TerminalSession()
        if let damage = file.damage {
            status = StatusMessage.traceStops(at: damage, calls: file.records.count).text(session.isUTF8 ? language : .en)
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
            let timeout: Double? = playing ? max(0, nextStep - Posix.monotonicSeconds()) : nil
            let woke = session.wait(forInputOr: [], timeout: timeout)
            if !woke.signals.isEmpty || woke.hangup { return }
            if playing && Posix.monotonicSeconds() >= nextStep {
                if position + 1 < timeline.count {
                    position += 1
                    scheduleNext()
                } else {
                    playing = false
                    status = StatusMessage.endOfTrace.text(session.isUTF8 ? language : .en)
                }
                dirty = true
            }
            for input in session.readKeys() {
                dirty = true
                guard case .key(let key) = input else { continue }
                if showHelp && (key == .escape || key == .character("?")) {
                    showHelp = false
                    continue
                }
                guard let command = ReplayKeyTable.command(for: key) else { continue }
                if !apply(command) { return }
            }
        }
    }

    /// Carries out a key; false to quit.
    private func apply(_ command: ReplayCommand) -> Bool {
        if case .digit = command {} else if command != .jump { typedNumber = "" }
        switch command {
        case .quit:
            return false
        case .playPause:
            playing.toggle()
            if playing {
                if position + 1 >= timeline.count { position = 0 }
                scheduleNext()
            }
        case .stepForward:
            playing = false
            position = min(timeline.count - 1, position + 1)
        case .stepBack:
            playing = false
            position = max(0, position - 1)
        case .jumpToStart:
            position = 0
        case .jumpToEnd:
            position = timeline.count - 1
        case .digit(let digit):
            typedNumber += String(digit)
            status = StatusMessage.typedCall(typedNumber).text(session.isUTF8 ? language : .en)
        case .jump:
            if let seq = Int(typedNumber) {
                if let index = timeline.file.records.firstIndex(where: { $0.seq >= seq }) {
                    position = index
                    status = nil
                } else {
                    status = StatusMessage.noSuchCall(seq).text(session.isUTF8 ? language : .en)
                }
            }
            typedNumber = ""
        case .faster:
            speedIndex = min(Self.speeds.count - 1, speedIndex + 1)
        case .slower:
            speedIndex = max(0, speedIndex - 1)
        case .cycleView:
            view = view.next
        case .toggleHelp:
            showHelp.toggle()
        }
        return true
    }

    /// The next call is due after the recorded gap between the two calls, at the chosen speed.
    private func scheduleNext() {
        let records = timeline.file.records
        var gap = 0.5
        if position + 1 < records.count {
            gap = min(Self.longestPause, max(0.02, records[position + 1].time - records[position].time))
        }
        nextStep = Posix.monotonicSeconds() + gap / Self.speeds[speedIndex]
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
        var model = DashboardModel(server: timeline.snapshot(at: position), status: status, asciiOnly: !session.isUTF8)
        model.showHelp = showHelp
        model.language = language
        model.view = view
        model.history = history(around: position)
        model.replay = ReplayInfo(position: position + 1, total: timeline.count, speed: Self.speeds[speedIndex],
                                  playing: playing, damage: timeline.file.damage)
        session.draw(DashboardRenderer.render(model, width: size.width, height: size.height))
    }
}
