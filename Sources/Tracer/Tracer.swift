import CTracerShim
import Foundation
import SelectCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Traces one program's readiness loop with ptrace and hands out the same per-call records
/// as the built-in server (SPEC §4, §7). Owns one thread: every ptrace request comes from
/// it (the kernel ties a tracee to the thread that attached), and the callbacks run on it.
///
/// A launched program runs under a seccomp filter, so it stops only at the calls of
/// interest; an attached one stops at every call (PTRACE_SYSCALL), as there is no way to
/// add a filter to a running process. With `--events readiness` and root, neither stops at
/// them: the kernel copies the calls (`KernelProbe`) and ptrace only follows the processes.
public final class Tracer: @unchecked Sendable {
    public typealias RecordHandler = @Sendable (StepRecord) -> Void
    public typealias NoticeHandler = @Sendable (TracerNotice) -> Void

    public let target: TraceTarget
    public let options: TracerOptions

    // Shared with the thread that asks for a stop.
    private let stopRequested = Atomic<Bool>(false)
    private let stopAcknowledged = Atomic<Bool>(false)
    /// The loop has ended (or never started): nobody is left to wake.
    private let finished = Atomic<Bool>(false)
    private let threadHandle = Atomic<UInt>(0)
    private let holdRequested = Atomic<Bool>(false)
    private let stepsRequested = Atomic<Int>(0)
    private let heldCount = Atomic<Int>(0)
    /// Pause requests made / seen by the tracer thread (it must interrupt calls in flight).
    private let pauseRequests = Atomic<Int>(0)
    private let pauseRequestsSeen = Atomic<Int>(0)
    /// The breakpoints chosen on the screen; `breakpointsArmed` spares the lock when none is.
    private let breakpoints = Mutex<Set<Breakpoint>>([])
    private let breakpointsArmed = Atomic<Bool>(false)
    /// Set by a timer when a started program has had its time to listen.
    private let listenCheckDue = Atomic<Bool>(false)
    private let ended = NSCondition()
    private var endResult: Result<TraceEnd, TracerError>?
    private var setupResult: Result<Int32, TracerError>?

    // The tracer thread's own state.
    private var onRecord: RecordHandler = { _ in }
    private var onNotice: NoticeHandler = { _ in }
    private let decoder: CallDecoder
    private var threads: [Int32: ThreadBook] = [:]
    private var processes: [Int32: ProcessBook] = [:]
    private var leader: Int32 = 0
    private var leaderEnd: ProgramEnd?
    /// An attached program read at ptrace stops: it stops at every call (PTRACE_SYSCALL), as
    /// no filter can be added to a running process. Otherwise only at the filter's calls.
    private var stopsAtEveryCall = false
    private var stopping = false
    private var stopDeadline = 0.0
    private var sequence = 0
    private var sawListen = false
    /// The thread whose readiness call was let run and not said to be in flight yet: it is
    /// said once it has run `inFlightDelay` (the call blocks), so the many calls that return
    /// at once cost a clock read each; and the thread whose call was said to be.
    private var inFlightUnsaid: Int32?
    private var inFlightSaid: Int32?
    /// When `inFlightUnsaid`'s call was let run (monotonic seconds' bit pattern; 0: none),
    /// for the timer that wakes this thread out of its waitpid to say it.
    private let inFlightSince = Atomic<UInt64>(0)
    static let inFlightDelay = 0.02
    /// Threads stopped at the entry of a readiness call while paused, oldest first.
    private var held: [Int32] = []
    /// Calls in flight when the pause came were interrupted, to be held at their re-entry.
    private var pauseApplied = false
    private let startTime = Posix.monotonicSeconds()
    /// Reads the readiness calls in the kernel (`TracerOptions.Reader`), and the few others
    /// their records need: the program stops only at a bind that --port rewrites.
    private var kernel: KernelProbe?
    /// Calls the kernel's ring had no room for, said so far.
    private var lostSaid: UInt64 = 0
    /// The program outran the reader: its threads were interrupted, and those stopped wait
    /// here until the ring has been read (a program that spins would otherwise lose calls).
    private var pacing = false
    private var pacedThreads: [Int32] = []
    /// How often the tracer's thread reads the kernel's ring when no stop wakes it.
    static let kernelReadInterval = 0.01

    /// The signal that interrupts the tracer thread's waitpid when a stop is requested.
    static let wakeSignal = SIGUSR2

    public init(target: TraceTarget, options: TracerOptions) {
        self.target = target
        self.options = options
        self.decoder = CallDecoder(options: options)
    }

    /// Starts the program (or attaches to it) on the tracer's thread and returns its pid once
    /// it runs under the tracer; setup failures are thrown here and leave nothing behind.
    @discardableResult
    public func start(onRecord: @escaping RecordHandler, onNotice: @escaping NoticeHandler = { _ in }) throws(TracerError) -> Int32 {
        self.onRecord = onRecord
        self.onNotice = onNotice
        ts_install_wakeup_handler(Self.wakeSignal)
        let thread = Thread { [self] in
            threadHandle.store(UInt(ts_current_thread()), ordering: .releasing)
            var wake = [Self.wakeSignal]
            ts_mask_signals(0, &wake, 1)
            let setup: Result<Int32, TracerError>
            do throws(TracerError) {
                setup = .success(try begin())
            } catch {
                setup = .failure(error)
            }
            ended.lock()
            setupResult = setup
            ended.broadcast()
            ended.unlock()
            guard case .success = setup else {
                finished.store(true, ordering: .releasing)
                return
            }
            let end = loop()
            finished.store(true, ordering: .releasing)
            ended.lock()
            endResult = .success(end)
            ended.broadcast()
            ended.unlock()
        }
        thread.stackSize = 1 << 20
        thread.start()
        ended.lock()
        while setupResult == nil { ended.wait() }
        let setup = setupResult!
        ended.unlock()
        let pid = try setup.get()
        if options.reportsCallsInFlight { startInFlightTimer() }
        if case .launch = target, let after = options.listenWarningAfter {
            DispatchQueue.global().asyncAfter(deadline: .now() + after) { [weak self] in
                guard let self else { return }
                listenCheckDue.store(true, ordering: .releasing)
                if !finished.load(ordering: .acquiring) { wake() }
            }
        }
        return pid
    }

    /// Ends tracing: a launched program is killed with everything it started, an attached
    /// one is detached and left running. Returns at once; `waitForEnd` reports the outcome.
    public func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        // The tracer may be between its check and its waitpid: wake it until it has seen it.
        for _ in 0..<250 {
            if stopAcknowledged.load(ordering: .acquiring) || finished.load(ordering: .acquiring) { return }
            let handle = threadHandle.load(ordering: .acquiring)
            if handle != 0 { ts_wake_thread(UInt(handle), Self.wakeSignal) }
            if stopAcknowledged.load(ordering: .acquiring) { return }
            usleep(20_000)
        }
    }

    /// Paused, the program's threads are held at the entry of their next readiness call
    /// (really stopped: their clients see nothing); resuming lets them all go.
    public func setPaused(_ paused: Bool) {
        holdRequested.store(paused, ordering: .releasing)
        let request = pauseRequests.add(1, ordering: .acquiringAndReleasing).newValue
        // The tracer may be blocked in waitpid while the program blocks in its call: wake it
        // (again, until it has seen this request) so it can interrupt that call.
        for _ in 0..<100 {
            if pauseRequestsSeen.load(ordering: .acquiring) >= request || finished.load(ordering: .acquiring) { return }
            wake()
            usleep(2_000)
        }
    }

    /// While paused: lets exactly one held call run; its thread is held again at its next one.
    public func step() {
        stepsRequested.add(1, ordering: .acquiringAndReleasing)
    }

    /// A call whose record hits one of these holds the program at its next readiness call,
    /// as a pause would, and says so (`breakpointHit`). A foreign program's queues are
    /// unknown: `queue-at-cap` never hits.
    public func setBreakpoints(_ chosen: Set<Breakpoint>) {
        breakpoints.withLock { $0 = chosen }
        breakpointsArmed.store(!chosen.isEmpty, ordering: .releasing)
    }

    /// Threads held at a readiness call right now.
    public var heldThreads: Int { heldCount.load(ordering: .acquiring) }

    private func wake() {
        let handle = threadHandle.load(ordering: .acquiring)
        if handle != 0 { ts_wake_thread(UInt(handle), Self.wakeSignal) }
    }

    /// Blocks until tracing has ended.
    public func waitForEnd() -> TraceEnd {
        ended.lock()
        defer { ended.unlock() }
        while endResult == nil { ended.wait() }
        return (try? endResult!.get()) ?? .killed
    }

    private var now: Double { Posix.monotonicSeconds() - startTime }

    // MARK: - Setup

    private var seizeOptions: UInt {
        UInt(ts_option_sysgood() | ts_option_fork() | ts_option_vfork() | ts_option_clone() | ts_option_exec())
    }

    private func begin() throws(TracerError) -> Int32 {
        switch target {
        case .launch(let command, let arguments):
            try openKernelReader()
            return try launch(command, arguments)
        case .attach(let pid):
            try openKernelReader()
            return try attach(pid)
        }
    }

    /// With `--events readiness`, the readiness calls are read in the kernel when it lets us.
    private func openKernelReader() throws(TracerError) {
        guard options.reader != .ptrace else { return }
        guard options.events == .readiness else {
            if options.reader == .bpf { throw .kernelReaderRefused("it reads the readiness calls only: add --events readiness") }
            return
        }
        switch KernelProbe.open() {
        case .success(let probe):
            kernel = probe
        case .failure(let refused):
            if options.reader == .bpf { throw .kernelReaderRefused(refused.reason) }
            onNotice(.readingAtStops(reason: refused.reason))
        }
    }

    private func launch(_ command: String, _ arguments: [String]) throws(TracerError) -> Int32 {
        let path = try ExecutableLookup.resolve(command, path: ProcessInfo.processInfo.environment["PATH"])
        let numbers = TracedSyscall.numbers(readinessOnly: options.events == .readiness, readInKernel: kernel != nil,
                                            rewritesBind: options.port != nil).map { Int($0) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([command] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var reportFD: Int32 = -1
        let options = seizeOptions | UInt(ts_option_seccomp() | ts_option_exitkill())
        let pid = numbers.withUnsafeBufferPointer { calls in
            ts_spawn_traced(path, argv, environ, calls.baseAddress, Int32(calls.count), options, self.options.outputFD ?? -1,
                            self.options.errorFD ?? self.options.outputFD ?? -1, &reportFD)
        }
        guard pid > 0 else { throw .system(call: "start \(path)", errno: -pid) }
        defer { close(reportFD) }
        // Before its exec: its first call is read.
        kernel?.watch(pid)
        leader = pid
        threads[pid] = ThreadBook(tid: pid, pid: pid)
        processes[pid] = ProcessBook(pid: pid)
        // Run it up to its exec: a failed exec reports its errno on the pipe and exits.
        while true {
            var raw: Int32 = 0
            let got = waitpid(pid, &raw, __WALL)
            if got < 0 {
                if errno == EINTR { continue }
                throw .system(call: "waitpid", errno: errno)
            }
            let status = WaitStatus(raw: raw)
            if status.exited || status.signaled {
                threads = [:]
                var code: Int32 = 0
                if read(reportFD, &code, 4) == 4 { throw .system(call: "exec \(path)", errno: code) }
                throw .system(call: "start \(path)", errno: ECHILD)
            }
            if status.stopped && status.stopSignal == SIGTRAP && status.event == Int32(TS_EVENT_EXEC) {
                onNotice(.started(pid: pid, path: path))
                if kernel != nil { onNotice(.readingInKernel(pid: pid)) }
                resume(pid, signal: 0)
                return pid
            }
            let pass = status.stopped && status.stopSignal != SIGTRAP && status.event == 0 ? status.stopSignal : 0
            ts_cont(pid, pass)
        }
    }

    private func attach(_ pid: Int32) throws(TracerError) -> Int32 {
        try AttachPermission.precheck(pid)
        leader = pid
        // Read in the kernel, the program never stops at a call: only the attach's interrupt
        // (a wait it cut short is restarted there) and its signals and forks stop it.
        stopsAtEveryCall = kernel == nil
        kernel?.watch(pid)
        // Threads may be born while we seize: list again until no new one appears.
        var seen: Set<Int32> = []
        for _ in 0..<8 {
            let tids = ProcFiles.threads(pid).filter { !seen.contains($0) }
            if tids.isEmpty { break }
            for tid in tids {
                seen.insert(tid)
                if ts_seize(tid, seizeOptions) != 0 {
                    let code = errno
                    if code == ESRCH && tid != pid { continue }
                    detachAll()
                    if code == EPERM { throw .notPermitted(pid: pid, reason: AttachPermission.reason(for: pid)) }
                    if code == ESRCH { throw .noSuchProcess(pid) }
                    throw .system(call: "PTRACE_SEIZE \(tid)", errno: code)
                }
                threads[tid] = ThreadBook(tid: tid, pid: pid)
            }
        }
        guard !threads.isEmpty else { throw .noSuchProcess(pid) }
        processes[pid] = ProcessInventory.book(pid: pid)
        for tid in threads.keys {
            threads[tid]?.interruptedByTracer = true
            ts_interrupt(tid)
        }
        onNotice(.attached(pid: pid, threads: threads.count))
        if kernel != nil { onNotice(.readingInKernel(pid: pid)) }
        if let book = processes[pid], book.listener >= 0 {
            onNotice(.listening(pid: pid, fd: book.listener, address: book.listenAddress))
        }
        return pid
    }

    /// Detaches every tracee (each must be stopped for PTRACE_DETACH: interrupt, wait, detach).
    private func detachAll() {
        for tid in threads.keys {
            threads[tid]?.detaching = true
            ts_interrupt(tid)
        }
        let deadline = Posix.monotonicSeconds() + 3
        while !threads.isEmpty && Posix.monotonicSeconds() < deadline {
            var raw: Int32 = 0
            let tid = ts_wait_any(&raw, 0)
            if tid < 0 {
                if errno == EINTR { continue }
                break
            }
            handleWhileDetaching(tid, WaitStatus(raw: raw))
        }
        threads = [:]
    }

    // MARK: - The loop

    private func loop() -> TraceEnd {
        // The program does not stop at the calls read in the kernel, so no stop would wake
        // this thread to read them: a timer's signal does (its waitpid returns EINTR).
        let readTimer = kernel == nil ? nil : ts_start_thread_timer(Self.wakeSignal, Int(Self.kernelReadInterval * 1e9))
        defer { ts_stop_thread_timer(readTimer) }
        while !threads.isEmpty {
            if kernel != nil { readKernel() }
            if !stopping && stopRequested.load(ordering: .acquiring) { beginStop() }
            if stopping && Posix.monotonicSeconds() > stopDeadline { break }
            // Loaded before it is exchanged: this runs once per stop, and is true once.
            if listenCheckDue.load(ordering: .relaxed) && listenCheckDue.exchange(false, ordering: .acquiringAndReleasing)
                && !sawListen && !stopping {
                // Said once, and the program is left alone: it may listen later, or be no server.
                onNotice(.notListening(pid: leader, seconds: options.listenWarningAfter ?? 0))
            }
            if !stopping { releaseHeld() }
            if let blocked = inFlightUnsaid, Posix.monotonicSeconds() - Double(bitPattern: inFlightSince.load(ordering: .relaxed)) >= Self.inFlightDelay {
                // Still in its call after the delay (the timer woke this thread): say so.
                inFlightUnsaid = nil
                inFlightSince.store(0, ordering: .relaxed)
                sayInFlight(blocked)
            }
            var raw: Int32 = 0
            // With a thread held, nothing may come from the kernel for a long time: poll, so
            // a step or a resume is seen within milliseconds.
            let polling = !held.isEmpty
            let tid = ts_wait_any(&raw, polling ? 1 : 0)
            if tid == 0 {
                usleep(5_000)
                continue
            }
            if tid < 0 {
                if errno == EINTR { continue }
                break  // ECHILD: nothing left to wait for
            }
            let status = WaitStatus(raw: raw)
            // What the program did before this stop comes first (a close after an epoll_wait).
            if kernel != nil { readKernel() }
            if stopping, case .attach = target {
                handleWhileDetaching(tid, status)
            } else {
                handle(tid, status)
            }
        }
        finishAll()
        if stopping {
            if case .attach = target { return .detached }
            return .killed
        }
        let end = leaderEnd ?? .exited(0)
        if case .attach = target { return .attachedEnded(end) }
        return .programEnded(end)
    }

    private func beginStop() {
        finishAll()
        stopping = true
        stopAcknowledged.store(true, ordering: .releasing)
        stopDeadline = Posix.monotonicSeconds() + 5
        switch target {
        case .launch:
            kill(-leader, SIGKILL)
            for pid in Set(threads.values.map(\.pid)) { kill(pid, SIGKILL) }
        case .attach:
            // A held thread is stopped already and will report nothing more: detach it now
            // (from its syscall-entry stop its call simply runs).
            for tid in held + pacedThreads where threads[tid] != nil {
                ts_detach(tid, 0)
                threads[tid] = nil
            }
            for tid in threads.keys {
                threads[tid]?.detaching = true
                ts_interrupt(tid)
            }
        }
        held = []
        heldCount.store(0, ordering: .releasing)
    }

    /// Lets held calls go: all of them when no longer paused, one per requested step. A
    /// pause that finds a thread blocked in a readiness call interrupts it (PTRACE_INTERRUPT:
    /// select and poll restart transparently, epoll_wait returns EINTR) so it is held at once.
    private func releaseHeld() {
        if !held.isEmpty { held.removeAll { threads[$0] == nil } }
        let paused = holdRequested.load(ordering: .acquiring)
        pauseRequestsSeen.store(pauseRequests.load(ordering: .acquiring), ordering: .releasing)
        if paused && !pauseApplied {
            pauseApplied = true
            for (tid, thread) in threads where thread.awaitingExit && thread.inFlight?.call.isReadiness == true && !held.contains(tid) {
                threads[tid]?.interruptedByTracer = true
                ts_interrupt(tid)
            }
        } else if !paused {
            pauseApplied = false
        }
        if !paused { stepsRequested.store(0, ordering: .releasing) }
        while !held.isEmpty && (!paused || stepsRequested.load(ordering: .acquiring) > 0) {
            if paused { stepsRequested.subtract(1, ordering: .acquiringAndReleasing) }
            let tid = held.removeFirst()
            threads[tid]?.inFlight?.entryTime = now  // blocked time starts when it runs
            reportRunning(tid)
            ts_syscall(tid, 0)
        }
        heldCount.store(held.count, ordering: .releasing)
    }

    /// Keeps a thread stopped at the entry of a readiness call while paused. True if held.
    private func holdIfPaused(_ tid: Int32) -> Bool {
        guard holdRequested.load(ordering: .acquiring), let thread = threads[tid], let pending = thread.inFlight,
              pending.call.isReadiness else { return false }
        held.append(tid)
        heldCount.store(held.count, ordering: .releasing)
        let (inputs, outputs) = lists(of: pending, pid: thread.pid)
        onNotice(.held(pid: thread.pid, tid: tid, call: pending.call.rawValue, inputs: inputs, outputs: outputs))
        return true
    }

    /// `inputs` and `outputs` as a readiness call is given them, read at its entry.
    private func lists(of pending: PendingCall, pid: Int32) -> (inputs: [Int32], outputs: [Int32]) {
        switch pending.entry {
        case .select:
            return (pending.lists.read, pending.lists.write)
        case .poll:
            let fds = pending.lists.polled
            return (fds.filter { $0.fd >= 0 && $0.events & 0x3 != 0 }.map(\.fd), fds.filter { $0.fd >= 0 && $0.events & 0x4 != 0 }.map(\.fd))
        case .epollWait(let epfd, _, _, _):
            let interest = processes[pid]?.interest[epfd] ?? [:]
            return (interest.filter { $0.value.events & 0x1 != 0 }.map(\.key).sorted(),
                    interest.filter { $0.value.events & 0x4 != 0 }.map(\.key).sorted())
        default:
            return ([], [])
        }
    }

    /// A readiness call is let run: for a screen, the call in flight (SPEC §6), said once the
    /// tracer finds it blocked.
    private func reportRunning(_ tid: Int32) {
        guard options.reportsCallsInFlight else { return }
        inFlightUnsaid = tid
        inFlightSince.store(Posix.monotonicSeconds().bitPattern, ordering: .relaxed)
    }

    /// While calls in flight are reported: wakes the tracer's thread out of its waitpid when
    /// a call has run `inFlightDelay` unsaid (it looks 40 times a second; at machine speed no
    /// call stays unsaid that long, and nothing is woken).
    private func startInFlightTimer() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        timer.schedule(deadline: .now() + Self.inFlightDelay, repeating: 0.025, leeway: .milliseconds(5))
        timer.setEventHandler { [self] in
            if finished.load(ordering: .acquiring) {
                timer.cancel()
                return
            }
            let since = inFlightSince.load(ordering: .relaxed)
            if since != 0 && Posix.monotonicSeconds() - Double(bitPattern: since) >= Self.inFlightDelay { wake() }
        }
        timer.resume()
    }

    private func sayInFlight(_ tid: Int32) {
        guard let thread = threads[tid], let pending = thread.inFlight, pending.call.isReadiness else { return }
        let backend: BackendKind, timeout: Double?
        switch pending.entry {
        case .select(_, _, let t): (backend, timeout) = (.select, t)
        case .poll(_, let t): (backend, timeout) = (.poll, t)
        case .epollWait(_, _, _, let t): (backend, timeout) = (.epoll, t)
        default: return
        }
        let call = InFlightCall(seq: sequence + 1, backend: backend, timeout: timeout, startedAt: startTime + pending.entryTime,
                                name: pending.call.rawValue)
        let (inputs, outputs) = lists(of: pending, pid: thread.pid)
        inFlightSaid = tid
        onNotice(.callInFlight(pid: thread.pid, tid: tid, call: call, inputs: inputs, outputs: outputs))
    }

    private func handleWhileDetaching(_ tid: Int32, _ status: WaitStatus) {
        if let thread = threads[tid] { finish(thread) }
        if status.exited || status.signaled {
            threads[tid] = nil
            return
        }
        guard status.stopped else { return }
        // Detaching interrupted it: a wait it was in goes on in the program, no EINTR.
        if status.stopSignal == SIGTRAP | 0x80 {
            var info = ts_syscall_info()
            if ts_get_syscall_info(tid, &info) == 0, info.op == UInt8(TS_OP_EXIT) {
                _ = InterruptedCallRestart.apply(tid: tid, atExitStop: true, pending: threads[tid]?.inFlight, now: now)
            }
        } else if status.stopSignal == SIGTRAP && status.event == Int32(TS_EVENT_STOP) {
            // Read in the kernel, the wait's entry is known: it keeps the rest of its timeout.
            _ = InterruptedCallRestart.apply(tid: tid, atExitStop: false, pending: threads[tid]?.inFlight, now: now)
        }
        // A signal on its way in is handed back with the detach, so none is lost.
        let isSignalDelivery = status.stopSignal != (SIGTRAP | 0x80) && status.event == 0 && status.stopSignal != SIGTRAP
        ts_detach(tid, isSignalDelivery ? status.stopSignal : 0)
        threads[tid] = nil
    }

    private func handle(_ tid: Int32, _ status: WaitStatus) {
        if status.exited || status.signaled {
            if let thread = threads[tid] { finish(thread) }
            let thread = threads.removeValue(forKey: tid)
            if tid == leader {
                let end: ProgramEnd = status.exited ? .exited(status.exitCode) : .killed(signal: status.termSignal)
                leaderEnd = end
                // A daemon's fork: the started process is gone, a process it forked runs on.
                // Follow that one; its end becomes the program's, and a stop ends it too.
                if case .launch = target, let child = threads.values.map(\.pid).filter({ $0 != tid }).min() {
                    leader = child
                    leaderEnd = nil
                    onNotice(.forkedAway(pid: tid, child: child, how: end))
                }
            }
            if let thread, thread.pid == tid {
                processes[tid] = nil
                kernel?.unwatch(tid)
            }
            return
        }
        guard status.stopped else { return }
        let thread = threads[tid] ?? adopt(tid)
        let signal = status.stopSignal
        if signal == SIGTRAP | 0x80 {
            syscallStop(thread)
            return
        }
        if signal == SIGTRAP {
            switch status.event {
            case Int32(TS_EVENT_SECCOMP):
                seccompStop(thread)
            case Int32(TS_EVENT_FORK), Int32(TS_EVENT_VFORK), Int32(TS_EVENT_CLONE):
                born(from: tid, event: status.event)
                resume(tid, signal: 0)
            case Int32(TS_EVENT_EXEC):
                execed(tid)
                resume(tid, signal: 0)
            case 0:
                resume(tid, signal: SIGTRAP)  // a real SIGTRAP for the program
            default:
                // PTRACE_INTERRUPT, a new child's first stop. An attach's interrupt may have
                // cut an epoll wait short without an exit stop: it is restarted from here.
                if status.event == Int32(TS_EVENT_STOP), threads[tid]?.interruptedByTracer == true {
                    threads[tid]?.interruptedByTracer = false
                    // A wait read in the kernel as cut short keeps what was left of its timeout.
                    _ = InterruptedCallRestart.apply(tid: tid, atExitStop: false, pending: threads[tid]?.suspended, now: now)
                    if pacing {
                        pacedThreads.append(tid)  // until the reader has caught up
                        return
                    }
                }
                resume(tid, signal: 0)
            }
            return
        }
        if status.event == Int32(TS_EVENT_STOP) {
            // Group-stop (SIGSTOP, SIGTSTP…): stay stopped as the program would, but keep
            // reporting (PTRACE_LISTEN) so its SIGCONT is seen.
            ts_listen(tid)
            return
        }
        // Signal-delivery-stop: the program gets its signal. A readiness call it cut short
        // returns EINTR to the program when a handler catches it: record that now.
        if let suspended = thread.suspended, Self.isCaught(signal, pid: thread.pid) {
            thread.suspended = nil
            emitInterrupted(suspended, thread: thread)
        }
        resume(tid, signal: signal)
    }

    /// Whether the process has a handler for `signal` (SigCgt in /proc/PID/status).
    private static func isCaught(_ signal: Int32, pid: Int32) -> Bool {
        guard signal > 0, signal <= 64, let mask = ProcFiles.status(pid, "SigCgt").flatMap({ UInt64($0, radix: 16) }) else { return false }
        return mask & (1 << UInt64(signal - 1)) != 0
    }

    private func resume(_ tid: Int32, signal: Int32) {
        if let thread = threads[tid] {
            resume(thread, signal: signal)
        } else if !stopsAtEveryCall {
            ts_cont(tid, signal)
        } else {
            ts_syscall(tid, signal)
        }
    }

    private func resume(_ thread: ThreadBook, signal: Int32) {
        if thread.awaitingExit || stopsAtEveryCall {
            ts_syscall(thread.tid, signal)
        } else {
            ts_cont(thread.tid, signal)
        }
    }

    private func adopt(_ tid: Int32, pid known: Int32? = nil) -> ThreadBook {
        let pid = known ?? ProcFiles.status(tid, "Tgid").flatMap { Int32($0) } ?? tid
        let thread = ThreadBook(tid: tid, pid: pid)
        threads[tid] = thread
        if processes[pid] == nil {
            processes[pid] = ProcessBook(pid: pid)
            kernel?.watch(pid)
        }
        return thread
    }

    private func born(from parent: Int32, event: Int32) {
        var message: UInt = 0
        guard ts_geteventmsg(parent, &message) == 0, message > 0, message < UInt(Int32.max) else { return }
        let child = Int32(message)
        let parentPid = threads[parent]?.pid ?? parent
        let tgid = ProcFiles.status(child, "Tgid").flatMap { Int32($0) } ?? child
        let sameProcess = event == Int32(TS_EVENT_CLONE) && tgid == parentPid
        let pid = sameProcess ? parentPid : child
        if threads[child] == nil { threads[child] = ThreadBook(tid: child, pid: pid) }
        threads[child]?.pid = pid
        if !sameProcess {
            processes[child] = processes[parentPid]?.copy(as: child) ?? ProcessBook(pid: child)
            // The child waits for this tracer to let it run: none of its calls is missed.
            kernel?.watch(child)
        }
    }

    private func execed(_ tid: Int32) {
        var message: UInt = 0
        if ts_geteventmsg(tid, &message) == 0, message != UInt(tid), message > 0, message < UInt(Int32.max) {
            // A non-leader thread exec'd: it now has the leader's tid.
            threads[Int32(message)] = nil
        }
        if let thread = threads[tid] { finish(thread) }
        let pid = threads[tid]?.pid ?? tid
        threads[tid] = ThreadBook(tid: tid, pid: pid)
        let path = ProcFiles.link("/proc/\(tid)/exe") ?? "?"
        onNotice(.execed(pid: pid, path: path))
        // The filter and the decoders know this architecture's calls only: say so rather
        // than show an empty screen.
        if let header = RemoteMemory(pid: pid).elfClass(of: "/proc/\(tid)/exe"), header == 1 {
            onNotice(.untraceable(pid: pid, reason: "\(path) is a 32-bit program: its calls are not traced (build it 64-bit)"))
        }
    }

    // MARK: - Calls

    // The stops below are the tracer's hot path (two per readiness call): the thread is
    // looked up once per stop and passed on.

    private func seccompStop(_ thread: ThreadBook) {
        let tid = thread.tid
        var info = ts_syscall_info()
        guard ts_get_syscall_info(tid, &info) == 0, info.op == UInt8(TS_OP_SECCOMP),
              let call = TracedSyscall.numbered(info.nr) else {
            resume(thread, signal: 0)
            return
        }
        if !enter(thread, call, SyscallArguments(info.args), time: now, memory: RemoteMemory(pid: thread.pid)) {
            thread.inFlight = nil
            ts_cont(tid, 0)
            return
        }
        thread.awaitingExit = true
        if holdIfPaused(tid) { return }
        reportRunning(tid)
        ts_syscall(tid, 0)
    }

    private func syscallStop(_ thread: ThreadBook) {
        let tid = thread.tid
        var info = ts_syscall_info()
        guard ts_get_syscall_info(tid, &info) == 0 else {
            resume(thread, signal: 0)
            return
        }
        if info.op == UInt8(TS_OP_ENTRY) || info.op == UInt8(TS_OP_SECCOMP) {
            if let call = TracedSyscall.numbered(info.nr) {
                if call == .bind || call.isReadiness || options.events == .sockets || call.isNeededForReadiness {
                    enter(thread, call, SyscallArguments(info.args), time: now, memory: RemoteMemory(pid: thread.pid))
                }
            }
            thread.awaitingExit = true
            if holdIfPaused(tid) { return }
            reportRunning(tid)
        } else if info.op == UInt8(TS_OP_EXIT) {
            thread.awaitingExit = false
            leave(thread, result: info.rval, time: now, memory: RemoteMemory(pid: thread.pid), atStop: true)
        }
        resume(thread, signal: 0)
    }

    /// Returns whether the call's exit matters (see `CallDecoder.exitMatters`).
    @discardableResult
    private func enter(_ thread: ThreadBook, _ call: TracedSyscall, _ args: SyscallArguments, time: Double,
                       memory: some ProgramMemory) -> Bool {
        if call == .restart_syscall {
            // poll/epoll_wait resuming after a stop: the same call goes on.
            thread.inFlight = thread.suspended.take()
            return true
        }
        var pending = decoder.enter(call, args: args, tid: thread.tid, memory: memory, time: time, buffers: &thread.buffers)
        if let suspended = thread.suspended, call.isReadiness {
            thread.suspended = nil
            if suspended.call == call {
                pending.entryTime = suspended.entryTime  // re-run after a stop: one call
            } else {
                emitInterrupted(suspended, thread: thread)
            }
        }
        if call.isReadiness {
            // What a thread did before its first readiness call (its setup) answers no call;
            // only its listen() is kept, for the first record (how the listener was set up).
            if !thread.recordUnfinished && !thread.events.isEmpty { thread.events.removeAll { $0.kind != .listen } }
            finish(thread)
        }
        if case .bind(let fd, let requested, let port?) = pending.entry {
            onNotice(.portRewritten(pid: thread.pid, fd: fd, requested: requested, port: port))
        }
        if let damage = pending.damage, !call.isReadiness { onNotice(.damage(pid: thread.pid, "\(call.rawValue): \(damage)")) }
        let exitMatters: Bool
        if case .io = pending.entry {
            exitMatters = decoder.exitMatters(pending.entry, process: processes[thread.pid])
        } else {
            exitMatters = true
        }
        thread.inFlight = pending
        return exitMatters
    }

    /// `memory` is where a readiness call's results are read: the program's, or the kernel's copy.
    /// `atStop`: at the call's exit stop (else read in the kernel, after the fact).
    private func leave(_ thread: ThreadBook, result: Int64, time: Double, memory: some ProgramMemory, atStop: Bool) {
        let tid = thread.tid
        guard var pending = thread.inFlight.take() else { return }
        var result = result
        if thread.interruptedByTracer {
            let cutShort = pending.call.isReadiness && result == -Int64(EINTR)
            if !atStop {
                // Read in the kernel: the interrupt's stop, which comes next, restarts it.
                if cutShort { result = InterruptedCallRestart.restartUnlessHandled }
            } else {
                thread.interruptedByTracer = false
                if cutShort && InterruptedCallRestart.apply(tid: tid, atExitStop: true, pending: pending, now: now) {
                    result = InterruptedCallRestart.restartUnlessHandled
                }
            }
        }
        // -ERESTARTSYS … -ERESTART_RESTARTBLOCK: interrupted by a signal or a stop; the kernel
        // runs it again (or turns it into EINTR) after the signal.
        if pending.call.isReadiness && (-516 ... -512).contains(result) {
            thread.suspended = pending
            return
        }
        if pending.call.isReadiness && options.reportsCallsInFlight {
            if inFlightUnsaid == tid {
                inFlightUnsaid = nil
                inFlightSince.store(0, ordering: .relaxed)
            }
            if inFlightSaid == tid {
                inFlightSaid = nil
                onNotice(.callReturned(pid: thread.pid, tid: tid))
            }
        }
        guard let process = processes[thread.pid] else { return }
        if pending.call.isReadiness {
            record(&pending, result: result, thread: thread, process: process, time: time, memory: memory)
            return
        }
        switch decoder.exit(pending, result: result, thread: thread, process: process, memory: RemoteMemory(pid: thread.pid)) {
        case .nothing:
            break
        case .listening(let fd):
            let address = ProcessInventory.localAddress(pid: thread.pid, fd: fd)
            process.listenAddress = address
            sawListen = true
            onNotice(.listening(pid: thread.pid, fd: fd, address: address))
            if options.events == .sockets && !process.reuseAddress.contains(fd) {
                onNotice(.listenerWithoutReuseAddress(pid: thread.pid, fd: fd))
            }
        }
    }

    private func emitInterrupted(_ pending: PendingCall, thread: ThreadBook) {
        guard let process = processes[thread.pid] else { return }
        var pending = pending
        record(&pending, result: -Int64(EINTR), thread: thread, process: process, time: now, memory: RemoteMemory(pid: thread.pid))
    }

    // MARK: - Records

    /// A readiness call returned: its record waits for what the thread does about it. The
    /// call's lists go back to the thread, for its next call.
    private func record(_ pending: inout PendingCall, result: Int64, thread: ThreadBook, process: ProcessBook, time: Double,
                        memory: some ProgramMemory) {
        finish(thread)
        decoder.record(pending, result: result, thread: thread, process: process, memory: memory, time: time, into: &thread.record)
        thread.recordUnfinished = true
        swap(&pending.lists, &thread.buffers.spareLists)
    }

    /// Hands on the thread's last record with the events made since it returned. Called when
    /// the thread begins its next readiness call, and when it (or the tracing) ends. The record
    /// goes back to the thread afterwards: its lists' storage is the next record's.
    private func finish(_ thread: ThreadBook) {
        guard thread.recordUnfinished else { return }
        thread.recordUnfinished = false
        // Moved out (not copied: a copy retains each of its lists) and back once handed on.
        var record = StepRecord()
        swap(&record, &thread.record)
        defer { swap(&record, &thread.record) }
        // The record's events list is empty (its storage the last record's): the two swap.
        swap(&record.events, &thread.events)
        sequence += 1
        record.seq = sequence
        onRecord(record)
        if !stopping, breakpointsArmed.load(ordering: .acquiring), let hit = Breakpoint.firstHit(in: record, among: breakpoints.withLock { $0 }) {
            // Held as a pause holds: this thread at the readiness call it is entering now.
            holdRequested.store(true, ordering: .releasing)
            onNotice(.breakpointHit(pid: thread.pid, tid: thread.tid, hit))
        }
    }

    private func finishAll() {
        if kernel != nil { readKernel() }
        for thread in threads.values { finish(thread) }
    }

    // MARK: - Calls read in the kernel

    /// The ring is filling: the program's threads are interrupted (PTRACE_INTERRUPT, as a
    /// pause does: a wait it cuts short goes on after) and held at that stop until the reader
    /// has caught up. The program is paced, as stops pace it, and no call is lost.
    private func pace() {
        pacing = true
        for (tid, thread) in threads {
            thread.interruptedByTracer = true
            ts_interrupt(tid)
        }
    }

    private func endPacing() {
        pacing = false
        let held = pacedThreads
        pacedThreads = []
        for tid in held where threads[tid] != nil { resume(tid, signal: 0) }
    }

    /// The calls the kernel copied since the last read, in the order they were made: each
    /// entry and exit is handled as a stop's would be, from the kernel's copy of the memory.
    private func readKernel() {
        // Once stopping (killing or detaching), the calls that cuts short are not the program's
        // (a stop would not have shown them either).
        guard let kernel, !stopping else { return }
        var read = 0
        while true {
            // A quarter full (2 MiB, 20 ms of the fastest loop measured): pace the program
            // before the ring can fill while the calls already in it are read.
            if !pacing && kernel.backlog > 0.25 { pace() }
            let batch = kernel.drain(limit: 1024) { event in
                guard let call = TracedSyscall.numbered(event.number) else { return }
                let thread = threads[event.tid] ?? adopt(event.tid, pid: event.tgid)
                let time = event.time - startTime
                if event.isEntry {
                    enter(thread, call, event.arguments, time: time, memory: event.memory)
                } else {
                    leave(thread, result: event.result, time: time, memory: event.memory, atStop: false)
                }
            }
            read += batch
            if batch < 1024 { break }
        }
        if pacing && kernel.backlog < 0.05 { endPacing() }
        guard read > 0 else { return }
        let lost = kernel.lost
        if lost > lostSaid {
            // Each call is two records (its entry and its exit): a lost one loses the call.
            onNotice(.damage(pid: leader, "\(lost - lostSaid) entries and exits of readiness calls lost: the program outran "
                             + "this reader and the kernel's ring was full (--reader ptrace paces it instead)"))
            lostSaid = lost
        }
    }

}
