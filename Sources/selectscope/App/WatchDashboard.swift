import Dashboard
import Foundation
import SelectCore
import Terminal
import Tracer
#if canImport(Glibc)
import Glibc
#endif

/// `selectscope watch`: the dashboard on a traced program. The tracer's records go through
/// the replay reducer (`ReplayTimeline`), so the panes are the ones a recorded trace shows;
/// this class only keeps the records, the program's output and the keys.
final class WatchDashboard {
    struct Options {
        var target: TraceTarget
        var tracer: TracerOptions
        var record: String?
        var language: Language
        var commandLine: String
    }

    /// Records kept for the screen: the reducer replays this window on each change.
    static let window = 1000

    private let options: Options
    private let session: TerminalSession
    private let tracer: Tracer
    private let shared = SharedState()
    private let outputRead: Int32
    private var outputTail = ""
    private var pid: Int32 = 0
    private var paused = false
    private var showHelp = false
    private var view = DashboardView.lastCall
    private var status: String?
    private var drawnGeneration = -1
    private var snapshot = ServerSnapshot()
    private var pacer = FramePacer()

    /// What the tracer's thread hands to the screen's.
    final class SharedState: @unchecked Sendable {
        private let lock = NSLock()
        private var records: [StepRecord] = []
        private var listenAddress: PeerAddress?
        private var held: (call: String, inputs: [Int32], outputs: [Int32])?
        private(set) var generation = 0
        private var recorder: LineWriter?
        private var wroteFirst = false

        func attach(recorder: LineWriter?) { recorder.map { r in lock.withLock { self.recorder = r } } }

        func add(_ record: StepRecord) {
            lock.withLock {
                records.append(record)
                if records.count > 2 * WatchDashboard.window { records.removeFirst(records.count - WatchDashboard.window) }
                held = nil
                generation += 1
                if let recorder {
                    recorder.appendLine(TraceEncoder.line(for: record, listen: wroteFirst ? nil : listenAddress))
                    wroteFirst = true
                    recorder.flush()
                }
            }
        }

        func notice(_ notice: TracerNotice) {
            lock.withLock {
                switch notice {
                case .listening(_, _, let address):
                    listenAddress = listenAddress ?? address
                case .held(_, _, let call, let inputs, let outputs):
                    held = (call, inputs, outputs)
                default:
                    return
                }
                generation += 1
            }
        }

        func take() -> (records: [StepRecord], listen: PeerAddress?, held: (call: String, inputs: [Int32], outputs: [Int32])?, generation: Int) {
            lock.withLock { (Array(records.suffix(WatchDashboard.window)), listenAddress, held, generation) }
        }
    }

    init(options: Options) throws {
        self.options = options
        try TerminalSession.checkUsable()
        var tracerOptions = options.tracer
        // A started program's output goes to a pipe shown on the status line, never over the screen.
        var fds: [Int32] = [-1, -1]
        if case .launch = options.target {
            guard pipe(&fds) == 0 else { throw SystemError("pipe", errno: errno) }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            // The child's copy must survive exec: only its end loses O_CLOEXEC, in the child (dup2).
            tracerOptions.outputFD = fds[1]
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        }
        outputRead = fds[0]
        tracer = Tracer(target: options.target, options: tracerOptions)
        if let path = options.record { shared.attach(recorder: try LineWriter.open(path: path)) }
        let shared = self.shared
        do {
            pid = try tracer.start(onRecord: { shared.add($0) }, onNotice: { shared.notice($0) })
        } catch {
            if fds[0] >= 0 { close(fds[0]); close(fds[1]) }
            throw error
        }
        if fds[1] >= 0 { close(fds[1]) }
        session = try TerminalSession()
    }

    /// Runs until q or a quit signal; returns how the traced program ended, for after the
    /// terminal is restored.
    func run() -> String {
        var ended: TraceEnd?
        let endBox = EndBox()
        let tracer = self.tracer
        let waiter = Thread { endBox.set(tracer.waitForEnd()) }
        waiter.start()
        var dirty = true
        loop: while true {
            if ended == nil, let end = endBox.value {
                ended = end
                status = Self.describe(end, pid: pid) + " — q quits"
                dirty = true
            }
            if shared.generation != drawnGeneration { dirty = true }
            if dirty && pacer.delay() == 0 {
                draw()
                dirty = false
            }
            let watched = outputRead >= 0 ? [outputRead] : []
            let woke = session.wait(forInputOr: watched, timeout: dirty ? max(pacer.delay(), 0.005) : 0.05)
            if !woke.signals.isEmpty || woke.hangup { break }
            if woke.ready.contains(outputRead) && readOutput() { dirty = true }
            for input in session.readKeys() {
                dirty = true
                guard case .key(let key) = input else { continue }
                if !handle(key) { break loop }
            }
        }
        session.end()
        if ended == nil {
            tracer.setPaused(false)
            tracer.requestStop()
            ended = endBox.wait()
        }
        return Self.describe(ended!, pid: pid)
    }

    static func describe(_ end: TraceEnd, pid: Int32) -> String {
        switch end {
        case .programEnded(let how): return "pid \(pid) \(how)"
        case .killed: return "pid \(pid) and everything it started were killed"
        case .detached: return "detached from pid \(pid); it keeps running"
        case .attachedEnded(let how): return "pid \(pid) \(how) while traced"
        }
    }

    /// Carries out a key; false to quit.
    private func handle(_ key: Key) -> Bool {
        if key == .controlC { return false }
        if showHelp && (key == .escape || key == .character("?") || key == .character("q")) {
            showHelp = false
            return true
        }
        guard let command = KeyTable.command(for: key) else { return true }
        switch command {
        case .quit:
            return false
        case .pauseOrStep:
            if paused {
                tracer.step()
                status = "step: one call runs"
            } else {
                paused = true
                tracer.setPaused(true)
                status = "pausing at the program's next readiness call"
            }
        case .resume:
            paused = false
            tracer.setPaused(false)
            status = nil
        case .toggleHelp:
            showHelp.toggle()
        case .cycleView:
            view = view.next
        case .switchMode, .nextBackend:
            status = "a traced program's mode and backend are its own"
        case .spawnModeClient, .spawnClient, .closeNewestClient, .resetNewestClient, .fasterClients, .slowerClients:
            status = "start clients against \(shared.take().listen.map { "\($0)" } ?? "the program") from another terminal"
        case .scrollUp, .scrollDown:
            break
        }
        return true
    }

    private func readOutput() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var got = false
        while true {
            let count = read(outputRead, &buffer, buffer.count)
            if count <= 0 { break }
            outputTail += String(decoding: buffer[0..<count], as: UTF8.self)
            got = true
        }
        if outputTail.count > 4096 { outputTail = String(outputTail.suffix(2048)) }
        return got
    }

    private func draw() {
        pacer.willDraw()
        let taken = shared.take()
        if taken.generation != drawnGeneration {
            drawnGeneration = taken.generation
            if !taken.records.isEmpty {
                let timeline = ReplayTimeline(file: TraceFile(records: taken.records, listenAddress: taken.listen))
                snapshot = timeline.snapshot(at: taken.records.count - 1)
            } else if let listen = taken.listen {
                snapshot.listenAddress = listen
            }
            snapshot.runState = paused ? (tracer.heldThreads > 0 ? .paused : .stepping) : .running
            if let held = taken.held {
                snapshot.inputs = held.inputs
                snapshot.outputs = held.outputs
            }
        }
        let lastLine = outputTail.split(separator: "\n").last.map(String.init)
        // The state first: a long command line is what gets cut at the screen's edge.
        var line = "traced: pid \(pid)"
        if paused { line += tracer.heldThreads > 0 ? " · held at \(taken.held?.call ?? "its call")" : " · pausing" }
        if let status { line += " · \(status)" }
        if let lastLine { line += " · output: \(lastLine)" }
        line += " · \(options.commandLine)"
        let size = session.size
        var model = DashboardModel(server: snapshot, status: line, asciiOnly: !session.isUTF8)
        model.showHelp = showHelp
        model.language = options.language
        model.view = view
        session.draw(DashboardRenderer.render(model, width: size.width, height: size.height))
        pacer.drew()
    }

    /// The tracer's end, handed from the thread waiting for it.
    final class EndBox: @unchecked Sendable {
        private let condition = NSCondition()
        private var end: TraceEnd?
        func set(_ value: TraceEnd) {
            condition.lock()
            end = value
            condition.broadcast()
            condition.unlock()
        }
        var value: TraceEnd? {
            condition.lock()
            defer { condition.unlock() }
            return end
        }
        func wait() -> TraceEnd {
            condition.lock()
            defer { condition.unlock() }
            while end == nil { condition.wait() }
            return end!
        }
    }
}
