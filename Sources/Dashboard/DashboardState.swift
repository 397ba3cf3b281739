import SelectCore
import Clients

/// The pane that the scroll keys and the zoom key act on (`tab` moves it).
public enum FocusPane: String, CaseIterable, Sendable {
    case log, queues, view, clients

    public var next: FocusPane {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// What the status line shows and since when: it fades after `StatusLine.lifetime`.
public struct StatusLine: Sendable, Equatable {
    public static let lifetime = 4.0
    public var text: String
    public var since: Double

    public init(_ text: String, since: Double) {
        self.text = text
        self.since = since
    }
}

/// Where a replay stands and how it plays.
public struct ReplayCursor: Sendable, Equatable {
    public static let speeds: [Double] = [0.25, 0.5, 1, 2, 4, 8]
    /// Index of the record shown, from 0.
    public var position = 0
    public var total: Int
    public var playing = false
    public var speedIndex = 2
    /// A call number being typed (`0-9`, then enter).
    public var typedNumber = ""
    /// The seq of each record, to jump to a typed call number.
    public var seqs: [Int]
    public var damage: String?

    public init(seqs: [Int], damage: String? = nil) {
        self.seqs = seqs
        self.total = seqs.count
        self.damage = damage
    }

    public var speed: Double { Self.speeds[speedIndex] }
}

/// What the screen's loop feeds `DashboardState.update`: keys, the mouse, what it observed
/// (a fresh snapshot, the clock, the result of an effect).
public enum DashboardInput: Sendable, Equatable {
    case key(Key)
    case mouse(MouseEvent)
    /// A fresh copy of the server's state and the client rows, taken for a frame.
    case observed(ServerSnapshot, clients: [ClientRow])
    /// The time now, on the monotonic clock (status messages fade, finished clients fold).
    case clock(Double)
    /// The terminal's size, for mapping clicks to rows.
    case resized(width: Int, height: Int)
    /// A message for the status line (the result of an effect: "started echo client…").
    case status(String)
    /// The server paused at a breakpoint.
    case breakpointHit(BreakpointHit)
    /// Replay: the next recorded call is due.
    case replayStepDue
}

/// A mouse event the terminal decoded: where, and what.
public struct MouseEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case click, wheelUp, wheelDown }
    public var x: Int
    public var y: Int
    public var kind: Kind

    public init(x: Int, y: Int, kind: Kind) {
        self.x = x
        self.y = y
        self.kind = kind
    }
}

/// What `update` asks the executable to do: the only things that touch the world.
public enum DashboardEffect: Sendable, Equatable {
    case server(ServerCommand)
    case spawnClient(ClientKind, interval: Double)
    /// Close (FIN) a client process's connection: the given pid, or the newest running one.
    case closeClient(pid: Int32?)
    /// Reset (RST) a client's connection: the given pid, or the newest running one.
    case resetClient(pid: Int32?)
    /// Replay: schedule the next recorded call after its recorded gap, at the chosen speed.
    case scheduleReplayStep
    /// Show this thread's loop (a traced program's, by tid).
    case showThread(Int32)
    case quit
}

/// The screen's whole state as one value: what the server and clients looked like when last
/// observed, and everything the keys change (view, focus, selection, scrolling, zoom,
/// breakpoints, the status line). `update` is pure, so key handling is tested without a
/// terminal; the live and replay loops only carry out the effects.
public struct DashboardState: Sendable, Equatable {
    public var server = ServerSnapshot()
    public var clients: [ClientRow] = []
    public var now = 0.0
    public var width = 80
    public var height = 24
    public var language: Language = .en
    public var view: DashboardView = .lastCall
    public var showHelp = false
    public var helpScroll = 0
    public var focus: FocusPane = .log
    public var zoomed = false
    /// First row of the queues pane (its deepest-first order when not all rows fit).
    public var queueScroll = 0
    /// Log lines back from the newest; 0 follows the newest.
    public var logScroll = 0
    /// Lines the source view is moved down from where it centres the last call.
    public var sourceScroll = 0
    /// The selected connection (a server-side fd), highlighted in every pane.
    public var selection: Int32?
    public var status: StatusLine?
    public var clientInterval = 3.0
    public var breakpoints: Set<Breakpoint> = []
    /// The breakpoint chooser is open (`p`).
    public var choosingBreakpoints = false
    /// What the chooser offers, each on its digit: every breakpoint for the built-in server,
    /// `Breakpoint.traceable` for a traced program.
    public var offeredBreakpoints: [Breakpoint] = Breakpoint.allCases
    /// A mode asked for but not yet seen in a snapshot: keys typed right after it act on it.
    public var requestedMode: Mode?
    /// When each finished client was first seen finished (by client id), to fold it away.
    public var exitedAt: [Int: Double] = [:]
    public var replay: ReplayCursor?

    /// Finished clients stay listed this long, then fold into a count.
    public static let finishedClientLinger = 5.0

    public init(language: Language = .en, clientInterval: Double = 3, breakpoints: Set<Breakpoint> = []) {
        self.language = language
        self.clientInterval = clientInterval
        self.breakpoints = breakpoints
    }

    /// The mode keys act on: the one asked for last, else the server's.
    public var mode: Mode { requestedMode ?? server.mode }

    /// The status line's text, while it has not faded.
    public var visibleStatus: String? {
        guard let status, now - status.since < StatusLine.lifetime else { return nil }
        return status.text
    }

    /// Client rows the pane lists: running ones, and finished ones for a few seconds.
    public var listedClients: [ClientRow] {
        clients.filter { $0.state != .exited || now - (exitedAt[$0.id] ?? now) < Self.finishedClientLinger }
    }

    /// Finished clients folded into a count.
    public var foldedClients: Int { clients.count - listedClients.count }

    // MARK: - Update

    /// The one place the screen's state changes.
    public static func update(_ state: DashboardState, _ input: DashboardInput) -> (DashboardState, [DashboardEffect]) {
        var next = state
        let effects = next.apply(input)
        return (next, effects)
    }

    /// `update` in place: returns the effects.
    public mutating func apply(_ input: DashboardInput) -> [DashboardEffect] {
        switch input {
        case .key(let key):
            if showHelp { return helpKey(key) }
            if choosingBreakpoints { return breakpointKey(key) }
            if replay != nil { return replayKey(key) }
            guard let command = KeyTable.command(for: key) else { return [] }
            return apply(command)
        case .mouse(let event):
            return mouse(event)
        case .observed(let snapshot, let clients):
            observe(snapshot, clients)
            return []
        case .clock(let time):
            now = time
            return []
        case .resized(let width, let height):
            self.width = width
            self.height = height
            return []
        case .status(let text):
            say(text)
            return []
        case .breakpointHit(let hit):
            let fd = hit.event.fd >= 0 ? " fd \(hit.event.fd)" : ""
            say(language == .en ? "stopped at call #\(hit.seq): \(hit.breakpoint.rawValue)\(fd) (space: step, enter: run)"
                                : "停在呼叫 #\(hit.seq)：\(hit.breakpoint.rawValue)\(fd)（空白鍵：單步，enter：繼續）")
            // It stays until the loop runs again: it says why the screen stands still.
            status?.since = .infinity
            if hit.event.fd >= 0, server.connections.contains(where: { $0.fd == hit.event.fd }) { selection = hit.event.fd }
            return []
        case .replayStepDue:
            return replayStepDue()
        }
    }

    mutating func say(_ text: String) {
        status = StatusLine(text, since: now)
    }

    private mutating func observe(_ snapshot: ServerSnapshot, _ clients: [ClientRow]) {
        server = snapshot
        if requestedMode == snapshot.mode { requestedMode = nil }
        if let selection, !snapshot.connections.contains(where: { $0.fd == selection }) { self.selection = nil }
        if replay == nil {
            self.clients = clients
            var seen: [Int: Double] = [:]
            for client in clients where client.state == .exited { seen[client.id] = exitedAt[client.id] ?? now }
            exitedAt = seen
        }
    }

    // MARK: - Live keys

    private mutating func apply(_ command: Command) -> [DashboardEffect] {
        switch command {
        case .quit:
            return [.quit]
        case .switchMode(let mode):
            requestedMode = mode == server.mode ? nil : mode
            status = nil
            return [.server(.switchMode(mode))]
        case .spawnModeClient:
            return [.spawnClient(mode.seedClientKind, interval: clientInterval)]
        case .spawnClient(let kind):
            return [.spawnClient(kind, interval: clientInterval)]
        case .closeNewestClient:
            return [.closeClient(pid: selectedClient?.pid)]
        case .resetNewestClient:
            return [.resetClient(pid: selectedClient?.pid)]
        case .pauseOrStep:
            return [.server(.step)]
        case .resume:
            if status?.since == .infinity { status = nil }
            return [.server(.resume)]
        case .nextBackend:
            return [.server(.nextBackend)]
        case .fasterClients:
            clientInterval = ClientIntervals.faster(than: clientInterval)
            say(intervalMessage)
        case .slowerClients:
            clientInterval = ClientIntervals.slower(than: clientInterval)
            say(intervalMessage)
        case .toggleHelp:
            showHelp = true
            helpScroll = 0
        case .cycleView:
            view = view.next(traced: server.tracedProgram)
            sourceScroll = 0
        case .scrollUp:
            scroll(by: -1)
        case .scrollDown:
            scroll(by: 1)
        case .pageUp:
            scroll(by: -page)
        case .pageDown:
            scroll(by: page)
        case .scrollHome:
            scroll(by: Int.min / 2)
        case .scrollEnd:
            scroll(by: Int.max / 2)
        case .selectPrevious:
            moveSelection(by: -1)
        case .selectNext:
            moveSelection(by: 1)
        case .focusNext:
            focus = focus.next
        case .zoom:
            zoomed.toggle()
        case .chooseBreakpoints:
            choosingBreakpoints = true
        case .nextThread:
            let threads = server.loopThreads
            guard threads.count > 1 else {
                say(StatusMessage.oneLoopThread.text(language))
                return []
            }
            let at = server.shownThread.flatMap { threads.firstIndex(of: $0) } ?? 0
            let next = (at + 1) % threads.count
            // Another loop: its own connections, log and calls.
            selection = nil
            queueScroll = 0
            logScroll = 0
            say(StatusMessage.showingThread(tid: threads[next], position: next + 1, of: threads.count).text(language))
            return [.showThread(threads[next])]
        }
        return []
    }

    private var intervalMessage: String { StatusMessage.clientInterval(clientInterval).text(language) }

    /// Rows a page key moves: the focused pane's height, as last laid out.
    var page: Int {
        guard let layout = Layout.compute(width: width, height: height) else { return 5 }
        if zoomed { return max(1, height - 5) }
        switch focus {
        case .log: return max(1, layout.log.height - 3)
        case .queues: return max(1, layout.queuePageRows)
        case .view: return max(1, layout.lastCall.height - 3)
        case .clients: return max(1, layout.clients.height - 3)
        }
    }

    /// Scrolls the focused pane: positive is towards newer (log) or further down (others).
    private mutating func scroll(by delta: Int) {
        switch focus {
        case .log:
            logScroll = max(0, min(max(0, server.log.count - 1), logScroll - delta))
        case .queues:
            queueScroll = max(0, min(max(0, server.connections.count - 1), queueScroll + delta))
        case .clients:
            break  // the newest clients stay in view; finished ones fold away
        case .view:
            sourceScroll = max(-400, min(400, sourceScroll + delta))
        }
    }

    private mutating func moveSelection(by delta: Int) {
        let fds = server.connections.map(\.fd)
        guard !fds.isEmpty else { selection = nil; return }
        if let selection, let index = fds.firstIndex(of: selection) {
            let moved = index + delta
            self.selection = moved < 0 || moved >= fds.count ? nil : fds[moved]
        } else {
            selection = delta > 0 ? fds.first : fds.last
        }
    }

    /// The client process behind the selected connection: its local port is the
    /// connection's peer port.
    public var selectedClient: ClientRow? {
        guard let selection, let connection = server.connections.first(where: { $0.fd == selection }) else { return nil }
        return clients.first { $0.state == .running && $0.localPort == connection.peer.port }
    }

    /// The server-side connection a client is on, by its local port.
    public func connection(of client: ClientRow) -> ConnectionRow? {
        guard let port = client.localPort else { return nil }
        return server.connections.first { $0.peer.port == port }
    }

    // MARK: - Overlays

    private mutating func helpKey(_ key: Key) -> [DashboardEffect] {
        switch key {
        case .escape, .character("?"), .character("q"): showHelp = false
        case .controlC: return [.quit]
        case .up, .character("k"): helpScroll = max(0, helpScroll - 1)
        case .down, .character("j"): helpScroll += 1
        case .pageUp: helpScroll = max(0, helpScroll - 10)
        case .pageDown, .space: helpScroll += 10
        case .home: helpScroll = 0
        default: break
        }
        return []
    }

    private mutating func breakpointKey(_ key: Key) -> [DashboardEffect] {
        switch key {
        case .character(let c) where c.wholeNumberValue.map({ (1...offeredBreakpoints.count).contains($0) }) == true:
            let breakpoint = offeredBreakpoints[c.wholeNumberValue! - 1]
            if breakpoints.contains(breakpoint) { breakpoints.remove(breakpoint) } else { breakpoints.insert(breakpoint) }
            return [.server(.setBreakpoints(breakpoints))]
        case .character("a"):
            breakpoints = Set(offeredBreakpoints)
            return [.server(.setBreakpoints(breakpoints))]
        case .character("n"):
            breakpoints = []
            return [.server(.setBreakpoints(breakpoints))]
        case .controlC:
            return [.quit]
        case .escape, .enter, .character("p"), .character("q"):
            choosingBreakpoints = false
        default:
            break
        }
        return []
    }

    // MARK: - Mouse

    private mutating func mouse(_ event: MouseEvent) -> [DashboardEffect] {
        guard !showHelp, !choosingBreakpoints, let layout = Layout.compute(width: width, height: height, headerLines: replay?.damage != nil ? 3 : 2) else {
            if showHelp, event.kind != .click { helpScroll = max(0, helpScroll + (event.kind == .wheelDown ? 3 : -3)) }
            return []
        }
        func inside(_ rect: Rect) -> Bool { rect.inner.contains(x: event.x, y: event.y) }
        let pane: FocusPane? = inside(layout.log) ? .log : inside(layout.queues) ? .queues
            : inside(layout.lastCall) || (layout.sourceColumn.map(inside) ?? false) ? .view : inside(layout.clients) ? .clients : nil
        switch event.kind {
        case .wheelUp, .wheelDown:
            if let pane { focus = pane }
            scroll(by: event.kind == .wheelDown ? 3 : -3)
        case .click:
            if let pane { focus = pane }
            if let fd = fdAt(event, layout) { selection = selection == fd ? nil : fd }
        }
        return []
    }

    /// The connection drawn on the clicked row of the inputs, outputs, queues or clients pane.
    private func fdAt(_ event: MouseEvent, _ layout: Layout) -> Int32? {
        let connections = Set(server.connections.map(\.fd))
        func row(in rect: Rect) -> Int? {
            rect.inner.contains(x: event.x, y: event.y) ? event.y - rect.inner.y : nil
        }
        if let row = row(in: layout.inputs), row < server.inputs.count, connections.contains(server.inputs[row]) {
            return server.inputs[row]
        }
        if let row = row(in: layout.outputs), row < server.outputs.count { return server.outputs[row] }
        let headerRows = QueuesPane.headerRows(layout.queues.inner.height)
        if let row = row(in: layout.queues), row >= headerRows {
            let shown = QueuesPane.shownRows(server, visible: max(0, layout.queues.inner.height - headerRows), scroll: queueScroll)
            if row - headerRows < shown.count { return shown[row - headerRows].fd }
        }
        if let row = row(in: layout.clients) {
            let listed = ClientsPane.shownRows(listedClients, folded: foldedClients, rows: layout.clients.inner.height)
            if row < listed.count, let client = listed[row], let connection = connection(of: client) { return connection.fd }
        }
        return nil
    }

    // MARK: - Replay keys

    private mutating func replayKey(_ key: Key) -> [DashboardEffect] {
        guard var cursor = replay, let command = ReplayKeyTable.command(for: key) else {
            return []
        }
        defer { replay = cursor }
        if case .digit = command {} else if command != .jump { cursor.typedNumber = "" }
        switch command {
        case .quit:
            return [.quit]
        case .playPause:
            cursor.playing.toggle()
            if cursor.playing {
                if cursor.position + 1 >= cursor.total { cursor.position = 0 }
                return [.scheduleReplayStep]
            }
        case .stepForward:
            cursor.playing = false
            cursor.position = min(cursor.total - 1, cursor.position + 1)
        case .stepBack:
            cursor.playing = false
            cursor.position = max(0, cursor.position - 1)
        case .jumpToStart:
            cursor.position = 0
        case .jumpToEnd:
            cursor.position = cursor.total - 1
        case .digit(let digit):
            cursor.typedNumber += String(digit)
            say(StatusMessage.typedCall(cursor.typedNumber).text(language))
        case .jump:
            if let seq = Int(cursor.typedNumber) {
                if let index = cursor.seqs.firstIndex(where: { $0 >= seq }) {
                    cursor.position = index
                    status = nil
                } else {
                    say(StatusMessage.noSuchCall(seq).text(language))
                }
            }
            cursor.typedNumber = ""
        case .faster:
            cursor.speedIndex = min(ReplayCursor.speeds.count - 1, cursor.speedIndex + 1)
        case .slower:
            cursor.speedIndex = max(0, cursor.speedIndex - 1)
        case .cycleView:
            view = view.next(traced: server.tracedProgram)
            sourceScroll = 0
        case .toggleHelp:
            showHelp = true
            helpScroll = 0
        }
        return []
    }

    private mutating func replayStepDue() -> [DashboardEffect] {
        guard var cursor = replay, cursor.playing else { return [] }
        defer { replay = cursor }
        if cursor.position + 1 < cursor.total {
            cursor.position += 1
            return [.scheduleReplayStep]
        }
        cursor.playing = false
        say(StatusMessage.endOfTrace.text(language))
        return []
    }

    // MARK: - The frame

    /// What one frame draws.
    public func model(asciiOnly: Bool) -> DashboardModel {
        var model = DashboardModel(server: server, clients: listedClients, showHelp: showHelp, clientInterval: clientInterval,
                                   status: visibleStatus, asciiOnly: asciiOnly, scroll: queueScroll, language: language, view: view)
        if let replay {
            model.replay = ReplayInfo(position: replay.position + 1, total: replay.total, speed: replay.speed,
                                      playing: replay.playing, damage: replay.damage)
            // A traced program's recording is that program's, not an exercise of the built-in server.
            if server.tracedProgram, let pid = server.lastRecord?.origin?.pid {
                model.program = language == .zhTW ? "被追蹤的程式 pid \(pid)" : "traced program pid \(pid)"
            }
        }
        model.now = now
        model.selection = selection
        model.logScroll = logScroll
        model.helpScroll = helpScroll
        model.sourceScroll = sourceScroll
        model.focus = focus
        model.zoomed = zoomed
        model.breakpoints = breakpoints
        model.choosingBreakpoints = choosingBreakpoints
        model.offeredBreakpoints = offeredBreakpoints
        model.foldedClients = foldedClients
        return model
    }
}
