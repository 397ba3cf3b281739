import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs a `SelectServer` loop and lets other threads steer it.
///
/// Commands and signals reach the loop through one wake-up pipe, which the loop watches as
/// an internal fd in the same readiness call as the exercise's sockets, so a key is seen at
/// once even in a mode that blocks forever. Observers of every record run on the loop's
/// thread; a screen instead `watch()`es: the loop hands each record and its status to a
/// `LiveFeed`, and the screen builds its snapshot from them at its own frame rate.
public final class ServerHost: @unchecked Sendable {
    public let server: SelectServer
    private let wake: (read: Int32, write: Int32)
    /// Commands from other threads, in order, until the loop applies them.
    private let commands = Mutex<[ServerCommand]>([])
    /// The wake-up pipe as the one internal fd of every call (kept, not rebuilt per call).
    private let internalFDs: [Int32]
    private var wakeBuffer = [UInt8](repeating: 0, count: 64)
    /// Rung when the server's state changed (after every call: an atomic, not a lock).
    private let changed: Doorbell
    private var paused = false
    private var stepsRequested = 0
    private var observers: [(StepRecord) -> Void] = []
    /// A backend switch that failed, until the screen takes it.
    private let commandError = Mutex<String?>(nil)
    /// True once `handleSignals` pointed the signal handler at this host's wake-up pipe: its
    /// write end then stays open for the life of the process (see `handleSignals`).
    private var signalsTarget = false
    /// The screen's feed, when one watches (set before `start`).
    private var feed: LiveFeed?
    /// The kernel's queues are sampled at most this often, and only while a screen watches.
    public static let sampleInterval = 0.1
    private var lastSample = -Double.infinity
    /// Events that pause the loop the moment they happen.
    private var breakpoints: Set<Breakpoint> = []
    /// The last breakpoint that paused the loop, until the screen takes it.
    private let breakHit = Mutex<BreakpointHit?>(nil)
    /// A stepped call was cut short by a wake-up: the step is still owed.
    private var stepOwed = false

    public init(server: SelectServer) throws {
        self.server = server
        self.wake = try Posix.makePipe()
        self.changed = try Doorbell()
        self.internalFDs = [wake.read]
        // The screen shows the call in flight as soon as it is made, not when it returns.
        server.callStarted = { [weak self] call in
            self?.feed?.updateStatus { $0.inFlight = call }
            self?.notifyChange()
        }
    }

    deinit {
        Posix.close(wake.read)
        if signalsTarget {
            // A handler running right now on another thread may have read the fd already:
            // it must find this pipe (now without a reader: EPIPE, harmless), never another
            // file that reused the number. So the handler forgets it, and it stays open.
            _ = ServerHost.signalWakeFD.compareExchange(expected: wake.write, desired: -1, ordering: .sequentiallyConsistent)
        } else {
            Posix.close(wake.write)
        }
    }

    /// A readable fd that becomes ready when the server's state changes: a screen polls it
    /// beside its keyboard and drains it with `takeChange()`.
    public var changeFD: Int32 { changed.fd }

    /// Called on the loop's thread after every call, with that call's record.
    public func observe(_ observer: @escaping (StepRecord) -> Void) {
        observers.append(observer)
    }

    /// Safe from any thread.
    public func send(_ command: ServerCommand) {
        commands.withLock { $0.append(command) }
        var byte = UInt8(ascii: "c")
        _ = Glibc.write(wake.write, &byte, 1)
    }

    /// Safe from any thread: makes the screen look again (the change fd becomes readable),
    /// for news that does not come from the loop (a recording that failed).
    public func wakeScreen() { notifyChange() }


    /// A screen's view of the loop: every record from now on, the run state and the kernel's
    /// queues sampled on the loop's thread. Call before `start`.
    /// `backlog`: rung when records pile up between frames (see `LiveFeed`).
    public func watch(logCapacity: Int = 200, backlog: Doorbell? = nil) -> LiveFeed {
        if let feed { return feed }
        let feed = LiveFeed(listener: server.listener, logCapacity: logCapacity, backlog: backlog)
        let server = self.server
        feed.updateStatus { status in
            status.mode = server.mode
            status.backend = server.backendKind
            status.listenAddress = server.listenAddress
            status.queueCap = server.config.queueCap
            status.fdSetSize = Backends.fdSetSize
        }
        self.feed = feed
        return feed
    }

    /// Empties the change pipe; the next change writes to it again. A change that lands in
    /// between is still in the snapshot the screen takes next.
    public func takeChange() { changed.answer() }

    private func notifyChange() { changed.ring() }

    /// Runs until `.stop` or SIGINT/SIGTERM (when `handleSignals` was called). Returns after
    /// closing every connection.
    public func run() throws {
        defer {
            server.shutdown()
            feed?.updateStatus { $0.runState = .stopped }
            notifyChange()
        }
        var woken = true
        while true {
            if woken {
                // Only a wake-up (or a pause) can have brought commands or a signal.
                if drainWake() { return }
                if applyCommands() { return }
                if stepOwed {
                    // The cut call is made again; a `space` meanwhile does not add a second.
                    stepOwed = false
                    if paused { stepsRequested = max(stepsRequested, 1) }
                }
            }
            if paused && stepsRequested == 0 {
                setRunState(.paused)
                notifyChange()
                waitForWake()
                woken = true
                continue
            }
            let stepping = paused
            if stepping {
                stepsRequested -= 1
                setRunState(.stepping)
                notifyChange()
            }
            woken = try server.advance(internalFDs: internalFDs)
            if stepping { setRunState(.paused) }
            if stepping && server.lastRecord.interrupted { stepOwed = true }
            if !breakpoints.isEmpty { checkBreakpoints() }
            // Taken before the record moves into the feed; observers see the feed holding it.
            let observed = observers.isEmpty ? nil : server.lastRecord
            if let feed {
                feed.updateStatus { $0.inFlight = nil }
                server.handOverLastRecord(to: feed)
                sampleKernelIfDue(force: false)
            }
            if let observed {
                for observer in observers { observer(observed) }
            }
            notifyChange()
        }
    }

    /// Runs `run()` on a thread of its own.
    public func start(onExit: @escaping @Sendable (Error?) -> Void) {
        let box = UncheckedBox(self)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(ThreadContext {
            do {
                try box.value.run()
                onExit(nil)
            } catch {
                onExit(error)
            }
        }).toOpaque()
        pthread_create(&thread, nil, { raw in
            // Signals belong to the screen's thread: one landing here would cut a select()
            // short and show up as a call that returned nothing.
            var all = sigset_t()
            sigfillset(&all)
            for fatal in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] { sigdelset(&all, fatal) }
            pthread_sigmask(SIG_BLOCK, &all, nil)
            let context = Unmanaged<ThreadContext>.fromOpaque(raw!).takeRetainedValue()
            context.body()
            return nil
        }, context)
        pthread_detach(thread)
    }

    // MARK: - Wake-ups

    /// Reads every pending wake-up byte; true when a signal asked the loop to stop.
    private func drainWake() -> Bool {
        var stop = false
        while true {
            let count = Glibc.read(wake.read, &wakeBuffer, wakeBuffer.count)
            if count <= 0 { break }
            if wakeBuffer[0..<count].contains(UInt8(ascii: "S")) { stop = true }
        }
        return stop
    }

    /// Paused: sleeps until a command or a signal. A watched loop wakes at the sampling rate
    /// meanwhile, so the screen sees bytes arrive in the kernel while nothing is read.
    private func waitForWake() {
        var descriptor = pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)
        guard feed != nil else {
            _ = Glibc.poll(&descriptor, 1, -1)
            return
        }
        while Glibc.poll(&descriptor, 1, Int32(Self.sampleInterval * 1000)) == 0 {
            if sampleKernelIfDue(force: true) { notifyChange() }
        }
    }

    private func setRunState(_ state: RunState) {
        server.setRunState(state)
        feed?.updateStatus { $0.runState = state }
    }

    // MARK: - The kernel's queues

    /// Samples the kernel's queues for the screen, at most every `sampleInterval` (`force`:
    /// now, the caller keeps the rate). Loop thread; the feed's lock is held only to copy the
    /// values in. True when they changed.
    @discardableResult
    private func sampleKernelIfDue(force: Bool) -> Bool {
        guard let feed else { return false }
        let now = Posix.monotonicSeconds()
        guard force || now - lastSample >= Self.sampleInterval else { return false }
        lastSample = now
        let sample = KernelQueues.sample(listener: server.listener, connections: server.connectionFDs, at: now)
        var changed = false
        feed.updateStatus { status in
            changed = status.kernel.listenerPending != sample.listenerPending || status.kernel.connections != sample.connections
            status.kernel = sample
        }
        return changed
    }

    /// Applies queued commands in order; true when asked to stop.
    private func applyCommands() -> Bool {
        let pending = commands.withLock { commands -> [ServerCommand] in
            defer { commands.removeAll() }
            return commands
        }
        for command in pending {
            switch command {
            case .switchMode(let mode):
                server.switchMode(to: mode)
                let mode = server.mode
                let lists = server.currentLists
                feed?.updateStatus {
                    $0.mode = mode
                    $0.listsBeforeNextCall = lists
                }
            case .switchBackend(let kind):
                switchBackend(to: kind)
            case .nextBackend:
                switchBackend(to: server.backendKind.next)
            case .step:
                if paused { stepsRequested += 1 } else { paused = true }
            case .resume:
                paused = false
                stepsRequested = 0
                setRunState(.running)
            case .stop:
                return true
            case .setBreakpoints(let set):
                breakpoints = set
            }
            notifyChange()
        }
        return false
    }

    private func switchBackend(to kind: BackendKind) {
        do {
            try server.switchBackend(to: kind)
        } catch {
            commandError.withLock { $0 = "\(error)" }
        }
        let backend = server.backendKind
        let lists = server.currentLists
        feed?.updateStatus {
            $0.backend = backend
            $0.listsBeforeNextCall = lists
        }
    }

    /// Pauses the loop when the call just made produced an event of interest.
    private func checkBreakpoints() {
        guard let hit = Breakpoint.firstHit(in: server.lastRecord, among: breakpoints) else { return }
        paused = true
        stepsRequested = 0
        setRunState(.paused)
        breakHit.withLock { $0 = hit }
    }

    /// Safe from any thread: the breakpoint that last paused the loop, once.
    public func takeBreakpointHit() -> BreakpointHit? {
        breakHit.withLock { hit in
            defer { hit = nil }
            return hit
        }
    }

    /// Safe from any thread: the last command that failed, once (nil when none did since).
    public func takeCommandError() -> String? {
        commandError.withLock { error in
            defer { error = nil }
            return error
        }
    }

    // MARK: - Signals

    /// Where the headless signal handler writes: the wake-up pipe of the host that called
    /// `handleSignals` last, or -1. An atomic, so the handler reads it without a lock; first
    /// touched by `handleSignals` before any handler is installed, since a static's lazy
    /// initialisation is not async-signal-safe.
    static let signalWakeFD = Atomic<Int32>(-1)

    /// The handler: one byte to the wake-up pipe, which is async-signal-safe; errno is put
    /// back, so the thread it interrupted never sees the write's errno as its own.
    static let signalHandler: @convention(c) (Int32) -> Void = { _ in
        let saved = errno
        let fd = ServerHost.signalWakeFD.load(ordering: .sequentiallyConsistent)
        if fd >= 0 {
            var byte = UInt8(ascii: "S")
            _ = Glibc.write(fd, &byte, 1)
        }
        errno = saved
    }

    /// SIGINT, SIGTERM and SIGHUP end the loop cleanly (headless use). The handler writes to
    /// this host's wake-up pipe, whose write end therefore stays open for the life of the
    /// process, even after the host is gone: a handler still running on another thread can
    /// never write into a closed fd whose number a new file has taken.
    public func handleSignals() {
        signalsTarget = true
        ServerHost.signalWakeFD.store(wake.write, ordering: .sequentiallyConsistent)
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = ServerHost.signalHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
    }
}

private final class ThreadContext {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
