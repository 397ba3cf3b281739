import CSystemShim
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The exercise's server: `inputs`, `outputs` and `message_queues` as the seed keeps them,
/// one readiness call per `step()`, each reported as a `StepRecord`.
///
/// All methods run on the server's own thread. A screen never reads the server: it draws from
/// the records (through `ServerHost`'s feed and `SnapshotReducer`). State changes happen under
/// `lock` only so that tests can compare that story with the server's own state.
public final class SelectServer: @unchecked Sendable {
    public let listenAddress: PeerAddress
    public let listener: Int32
    public let config: ServerConfig

    public private(set) var mode: Mode
    public private(set) var backendKind: BackendKind
    private var backend: ReadinessBackend

    // The seed's own lists, in the seed's order.
    private var inputs: [Int32] = []
    private var outputs: [Int32] = []
    /// Indexed by fd: the open connections.
    private var connections: [Connection?] = []
    /// Accept order, for the screen's rows and the mode-switch rules.
    private var acceptOrder: [Int32] = []
    /// Paused connections, watched only for their peer going (`HangupWatch`), in the order
    /// they were paused.
    private var watched: [Int32] = []
    /// Bytes queued in all connections together, against `config.queueBudget`.
    private var queuedTotal = 0
    /// The budget bit: no connection is read until `queuedTotal` drains to half of it.
    private var overBudget = false
    /// Out of descriptors with no spare left: the listener is out of `inputs` until a
    /// connection closes or `listenerBackoffUntil` passes.
    private var listenerBackedOff = false
    private var listenerBackoffUntil = 0.0
    /// How long the listener stays out when nothing frees a descriptor sooner.
    static let listenerBackoff = 0.5
    /// The timeout passed to the call being made: the mode's, or less while the listener
    /// waits to come back.
    private var callTimeout: Double?

    private(set) var counters = ServerCounters()
    /// The call being made; `completed` is the last one finished. They swap after each call,
    /// so neither is copied and a snapshot never shows a call still in progress.
    private var record = StepRecord()
    private var completed = StepRecord()
    /// `completed` was moved into the screen's feed: until the next call it holds a stale
    /// record's buffers, so only these facts about it are kept.
    private var completedHandedOver = false
    private var completedSeq = 0
    private var completedBlockedMilliseconds = 0.0
    private var pendingEvents: [ServerEvent] = []
    private let startTime = Posix.monotonicSeconds()
    private var receiveBuffer: UnsafeMutableRawBufferPointer
    private var touched: [Int32] = []
    private var lastAccepted: PeerAddress?
    /// Between calls (a mode or backend switch), events wait for the next call's record.
    private var collectingPending = false
    /// The last measured cost of a call, shown until the next measurement.
    private var lastCost = 0.0
    /// Held open so that, out of descriptors, the server can still accept and refuse.
    private var spareFD: Int32 = -1
    private var lastAcceptedBeforeCall: PeerAddress?

    let lock = Mutex(())
    /// Set by the host around pauses, read by snapshots.
    var runState: RunState = .running
    /// The call being made, while it blocks: published for the screen (SPEC §6).
    private var inFlight: InFlightCall?
    /// Called on the loop's thread once a call is published as in flight, before it blocks.
    var callStarted: ((InFlightCall) -> Void)?

    /// Binds and listens. Throws `Sockets.SetupError` for a busy port or a bad host.
    public init(config: ServerConfig) throws {
        Posix.ignoreSIGPIPE()
        self.config = config
        self.mode = config.mode
        self.backendKind = config.backend
        // The listener first, so it gets the lowest fd, as in the seed (fd 3).
        let (fd, address) = try Sockets.listen(host: config.host, port: config.port)
        self.listener = fd
        self.listenAddress = address
        do {
            self.backend = try Backends.make(config.backend)
        } catch {
            Posix.close(fd)
            throw error
        }
        self.receiveBuffer = .allocate(byteCount: max(1, config.receiveSize), alignment: 16)
        inputs.append(fd)
        backend.setInterest(fd: fd, read: true, write: false, hangup: .none)
        spareFD = Self.openSpare()
    }

    deinit {
        receiveBuffer.deallocate()
    }

    // MARK: - One step

    /// Makes exactly one readiness call and handles what it returned. `internal` fds (a
    /// wake-up pipe) are watched for reading but never appear in `inputs`.
    @discardableResult
    func step(internalFDs: [Int32] = []) throws -> StepRecord {
        _ = try advance(internalFDs: internalFDs)
        return completed
    }

    /// `step()` for the loop itself: the record stays in `lastRecord` instead of being copied
    /// out. True when an internal fd was ready or a signal cut the call short.
    func advance(internalFDs: [Int32]) throws -> Bool {
        lock.withLock {
            record.renew()
            counters.calls += 1
            record.seq = counters.calls
            record.time = Posix.monotonicSeconds() - startTime
            record.mode = mode
            record.backend = backendKind
            record.listener = listener
            if !pendingEvents.isEmpty {
                for event in pendingEvents { emit(event) }
                pendingEvents.removeAll(keepingCapacity: true)
            }
            if listenerBackedOff && Posix.monotonicSeconds() >= listenerBackoffUntil { restoreListener(timerExpired: true) }
            callTimeout = mode.timeout
            if listenerBackedOff {
                let left = max(0, listenerBackoffUntil - Posix.monotonicSeconds())
                callTimeout = min(mode.timeout ?? left, left)
            }
            record.timeout = callTimeout
            if config.keepsRecords {
                // Copied into the record's own buffers: sharing the server's would make its
                // next change to a list copy it, an allocation for every message in modes 2 and 4.
                record.inputs.append(contentsOf: inputs)
                record.outputs.append(contentsOf: outputs)
                if !watched.isEmpty { record.hangupWatch.append(contentsOf: watched) }
            }
            record.internalFDs = internalFDs
            lastAcceptedBeforeCall = lastAccepted
            inFlight = InFlightCall(seq: record.seq, backend: backendKind, timeout: mode.timeout,
                                    startedAt: startTime + record.time, internalFDs: internalFDs)
        }
        if let callStarted, let inFlight { callStarted(inFlight) }
        // The thread's CPU clock costs a system call: at machine speed it is read on one call
        // in 64, at human speed (the last call slept) on every call.
        let measure = config.measureCost && (record.seq & 63 == 0 || completedBlockedMilliseconds > 1)
        let costStart = measure ? Posix.threadCPUSeconds() : 0
        try backend.wait(inputs: inputs, outputs: outputs, hangupWatch: watched, internalFDs: internalFDs, timeout: callTimeout,
                         into: &record)
        if measure {
            record.costMicroseconds = (Posix.threadCPUSeconds() - costStart) * 1_000_000
            lastCost = record.costMicroseconds
        }
        // Only the program's own fds woke it: the exercise's result is not in, the call was cut.
        record.interrupted = record.isEmptyResult && !record.internalReady.isEmpty
        lock.withLock {
            inFlight = nil
            handleResult()
            swap(&record, &completed)
            completedHandedOver = false
            completedSeq = completed.seq
            completedBlockedMilliseconds = completed.blockedMilliseconds
        }
        // The select backend's own hangup watcher is internal too, but it is no wake-up.
        return !completed.internalReady.isEmpty && internalFDs.contains { completed.internalReady.contains($0) }
    }

    /// The last completed call's record, until it is handed over.
    var lastRecord: StepRecord { completed }

    /// Moves the last completed call's record into the screen's feed instead of copying it:
    /// at machine speed the copy (every list, every event) was most of what the dashboard
    /// cost the loop. `lastRecord` is not to be read again before the next call. Loop thread.
    func handOverLastRecord(to feed: LiveFeed) {
        lock.withLock {
            guard !completedHandedOver else { return }
            feed.publish(taking: &completed)
            completedHandedOver = true
        }
    }

    private func handleResult() {
        touched.removeAll(keepingCapacity: true)
        if record.isEmptyResult {
            // A call cut short for the listener's comeback is not the exercise's timeout.
            if record.internalReady.isEmpty && mode.timeout != nil && callTimeout == mode.timeout {
                counters.timeouts += 1
                emit(ServerEvent(kind: .timeout))
            }
        }
        for fd in record.readable {
            if fd == listener {
                acceptOne()
            } else if let connection = open(fd), connection.inInputs {
                // (Not when the budget paused it earlier in this same call.)
                receive(from: connection)
            }
        }
        for fd in record.writable {
            if let connection = open(fd) { writable(connection) }
        }
        for fd in record.exceptional {
            if let connection = open(fd) { exceptionalCondition(connection) }
        }
        for fd in record.hungUp {
            if let connection = open(fd), !connection.inInputs { peerWent(connection) }
        }
        for fd in touched {
            if let connection = open(fd) {
                record.queues.append(QueueDepth(fd: fd, messages: connection.queue.messageCount, bytes: connection.queue.byteCount))
            } else {
                record.queues.append(QueueDepth(fd: fd, messages: 0, bytes: 0))
            }
        }
    }

    private func open(_ fd: Int32) -> Connection? {
        fd >= 0 && Int(fd) < connections.count ? connections[Int(fd)] : nil
    }

    private func touch(_ connection: Connection) {
        if connection.touchedSeq != record.seq {
            connection.touchedSeq = record.seq
            touched.append(connection.fd)
        }
    }

    /// Records what the server did. `bytes`, the data the event is about, gives the event its
    /// payload: the capture the screen's log and the trace show (inline up to 64 bytes, so the
    /// dashboard's capture costs the loop no allocation).
    private func emit(_ makeEvent: @autoclosure () -> ServerEvent, bytes: UnsafeRawBufferPointer? = nil) {
        guard config.keepsRecords else { return }
        var event = makeEvent()
        if let bytes { event.capturePayload(bytes, limit: config.payloadCapture) }
        if collectingPending {
            pendingEvents.append(event)
            return
        }
        record.events.append(event)
    }

    // MARK: - The branches of the seed's loop

    private func acceptOne() {
        let result: Sockets.AcceptResult
        do {
            result = try Sockets.accept(listener)
        } catch let error as SystemError {
            // Out of descriptors: the pending connection would keep the listener readable and
            // the loop spinning. Free the spare fd, take the connection, close it, refuse it.
            if error.errno == EMFILE || error.errno == ENFILE {
                if spareFD >= 0 {
                    Posix.close(spareFD)
                    spareFD = -1
                    if case .accepted(let fd, let peer)? = try? Sockets.accept(listener) {
                        Posix.close(fd)
                        emit(ServerEvent(kind: .refused, fd: fd, peer: peer, detail: error.name))
                    } else {
                        emit(ServerEvent(kind: .refused, detail: error.name))
                    }
                    spareFD = Self.openSpare()
                } else {
                    emit(ServerEvent(kind: .refused, detail: error.name))
                }
                // No spare to refuse the next one with (another thread took the freed slot,
                // or the limit went below it): waiting on the listener would spin, so it
                // leaves `inputs` until a descriptor frees or a moment passes.
                if spareFD < 0 { backOffListener(error.name) }
            } else {
                emit(ServerEvent(kind: .refused, detail: error.name))
            }
            counters.refused += 1
            return
        } catch {
            return
        }
        guard case .accepted(let fd, let peer) = result else { return }
        if backendKind.hasFDSetCeiling && Int(fd) >= Backends.fdSetSize {
            Posix.close(fd)
            counters.refused += 1
            emit(ServerEvent(kind: .refused, fd: fd, peer: peer, detail: String(Backends.fdSetSize)))
            return
        }
        let connection = Connection(fd: fd, peer: peer)
        if Int(fd) >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - connections.count))
        }
        connections[Int(fd)] = connection
        acceptOrder.append(fd)
        counters.accepted += 1
        lastAccepted = peer
        touch(connection)
        emit(ServerEvent(kind: .accept, fd: fd, peer: peer))
        if overBudget {
            // Not read until the total drains, like every other connection; watched meanwhile.
            connection.paused = true
            refreshInterest(connection)
            emit(ServerEvent(kind: .paused, fd: fd, bytes: 0, peer: peer, detail: ServerEvent.budgetDetail))
        } else {
            addToInputs(connection)
        }
    }

    private static func openSpare() -> Int32 { Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC) }

    private func backOffListener(_ reason: String) {
        listenerBackoffUntil = Posix.monotonicSeconds() + Self.listenerBackoff
        guard !listenerBackedOff else { return }
        listenerBackedOff = true
        if let index = inputs.firstIndex(of: listener) { inputs.remove(at: index) }
        backend.setInterest(fd: listener, read: false, write: false, hangup: .none)
        emit(ServerEvent(kind: .listenerPaused, fd: listener, peer: listenAddress, detail: reason))
    }

    /// After a close (a descriptor freed) or when the back-off time is up: re-arm the spare,
    /// and put the listener back first in `inputs`, where the seed has it. Before the time is
    /// up it comes back only with a spare in hand.
    private func restoreListener(timerExpired: Bool) {
        guard listenerBackedOff else { return }
        if spareFD < 0 { spareFD = Self.openSpare() }
        guard spareFD >= 0 || timerExpired else { return }
        listenerBackedOff = false
        inputs.insert(listener, at: 0)
        backend.setInterest(fd: listener, read: true, write: false, hangup: .none)
        emit(ServerEvent(kind: .listenerResumed, fd: listener, peer: listenAddress))
    }

    private func receive(from connection: Connection) {
        let received: Posix.IOResult
        do {
            received = try Sockets.receive(connection.fd, into: receiveBuffer)
        } catch let error as SystemError {
            close(connection, reason: .error, detail: error.name)
            return
        } catch {
            return
        }
        guard case .done(let count) = received else { return }
        touch(connection)
        if count == 0 {
            peerFinished(connection)
            return
        }
        let data = UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<count])
        connection.bytesIn += count
        counters.bytesIn += count
        emit(ServerEvent(kind: .recv, fd: connection.fd, bytes: count, peer: connection.peer), bytes: data)

        switch mode.dataHandling {
        case .queueOnly:
            enqueue(data, on: connection)
        case .queueForWritable:
            enqueue(data, on: connection)
            addToOutputs(connection)
        case .echoDirectly:
            if connection.queue.isEmpty {
                sendDirectly(data, to: connection)
                if connection.closed { return }
            } else {
                // Earlier bytes are still waiting: these go behind them, in order.
                enqueue(data, on: connection)
                addToOutputs(connection)
            }
        }
        if connection.inInputs && connection.queue.byteCount >= config.queueCap {
            pause(connection, detail: String(config.queueCap))
        }
        if !overBudget && queuedTotal >= config.queueBudget { enterOverBudget() }
    }

    private func enqueue(_ data: UnsafeRawBufferPointer, on connection: Connection) {
        connection.queue.append(data)
        queuedTotal += data.count
    }

    /// Modes 3 and 5: send straight back. A short send queues the rest for `outputs`.
    private func sendDirectly(_ data: UnsafeRawBufferPointer, to connection: Connection) {
        let sent: Int
        do {
            switch try Sockets.send(connection.fd, data) {
            case .done(let count): sent = count
            case .wouldBlock: sent = 0
            }
        } catch let error as SystemError {
            close(connection, reason: .error, detail: error.name)
            return
        } catch {
            return
        }
        connection.bytesOut += sent
        counters.bytesOut += sent
        emit(ServerEvent(kind: .send, fd: connection.fd, bytes: sent, requested: data.count, peer: connection.peer,
                         direct: true), bytes: data)
        if sent < data.count {
            enqueue(UnsafeRawBufferPointer(rebasing: data[sent...]), on: connection)
            addToOutputs(connection)
        }
    }

    /// An empty recv: stop reading, send back what is queued, then close.
    private func peerFinished(_ connection: Connection) {
        if connection.queue.isEmpty || !mode.sends {
            close(connection, reason: .eof)
            return
        }
        connection.closing = true
        removeFromInputs(connection)
        addToOutputs(connection)
        emit(ServerEvent(kind: .draining, fd: connection.fd, bytes: connection.queue.byteCount, peer: connection.peer))
    }

    /// The hangup watch fired for a connection the server is not reading (paused): the peer
    /// sent its FIN, or reset. A reset, or any FIN in a mode that never sends, closes it now,
    /// dropping what is queued (the peer can never get it); a FIN in a mode that sends only
    /// lowers the watch to resets, since the peer may still read its echo.
    private func peerWent(_ connection: Connection) {
        touch(connection)
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &code, &length)
        if code != 0 {
            close(connection, reason: .error, detail: SystemError.symbolicName(code))
        } else if !mode.sends || connection.peerFinished {
            close(connection, reason: .hangup)
        } else if connection.queue.isEmpty && !stillUnread(connection) {
            // Nothing left to read or to send: this FIN is the seed's empty recv.
            close(connection, reason: .eof)
        } else {
            connection.peerFinished = true
            refreshInterest(connection)
            emit(ServerEvent(kind: .peerFinished, fd: connection.fd, bytes: connection.queue.byteCount, peer: connection.peer))
        }
    }

    /// Whether the kernel still holds bytes from this peer that the server has not read.
    private func stillUnread(_ connection: Connection) -> Bool {
        KernelQueues.unread(connection.fd).map { $0 > 0 } ?? true
    }

    private func writable(_ connection: Connection) {
        touch(connection)
        if connection.queue.isEmpty || !mode.sends {
            emit(ServerEvent(kind: .queueEmpty, fd: connection.fd, peer: connection.peer))
            removeFromOutputs(connection)
            if connection.closing { close(connection, reason: .eof) }
            return
        }
        let requested = connection.queue.headLength
        let result: Posix.IOResult
        do {
            result = try connection.queue.withHead { head in
                let result = try Sockets.send(connection.fd, head)
                let sent: Int
                if case .done(let count) = result { sent = count } else { sent = 0 }
                emit(ServerEvent(kind: .send, fd: connection.fd, bytes: sent, requested: requested, peer: connection.peer),
                                 bytes: head)
                return result
            }
        } catch let error as SystemError {
            close(connection, reason: .error, detail: error.name)
            return
        } catch {
            return
        }
        let sent: Int
        switch result {
        case .done(let count): sent = count
        case .wouldBlock: sent = 0
        }
        connection.queue.consumeHead(sent)
        queuedTotal -= sent
        connection.bytesOut += sent
        counters.bytesOut += sent

        if connection.queue.isEmpty && mode.dataHandling == .echoDirectly {
            // Modes 3 and 5 use `outputs` only for leftovers: leave as soon as they are gone.
            removeFromOutputs(connection)
            if connection.closing { close(connection, reason: .eof); return }
        }
        if overBudget && queuedTotal <= config.queueBudget / 2 {
            leaveOverBudget()
        } else if connection.paused && !overBudget && connection.queue.byteCount <= config.queueCap / 2 {
            resume(connection)
        }
    }

    /// The exceptional set: on Linux, urgent (out-of-band) data. The urgent byte is read and
    /// logged; modes 2 and 4 then close the connection as the seed does, the other modes keep
    /// it. A connection with no urgent byte to read is closed in every mode.
    private func exceptionalCondition(_ connection: Connection) {
        touch(connection)
        emit(ServerEvent(kind: .exceptional, fd: connection.fd, peer: connection.peer))
        var byte: UInt8 = 0
        let result = withUnsafeMutableBytes(of: &byte) { raw -> Int in
            Glibc.recv(connection.fd, raw.baseAddress, 1, Int32(SS_MSG_OOB))
        }
        if result == 1 {
            connection.bytesIn += 1
            counters.bytesIn += 1
            emit(ServerEvent(kind: .urgent, fd: connection.fd, bytes: 1, peer: connection.peer, payload: [byte]))
            if mode.closesOnExceptional { close(connection, reason: .exceptional) }
        } else {
            close(connection, reason: .exceptional)
        }
    }

    // MARK: - Backpressure

    /// Out of `inputs`, watched only for the peer going. `detail`: the cap, or
    /// `ServerEvent.budgetDetail`.
    private func pause(_ connection: Connection, detail: String) {
        connection.paused = true
        removeFromInputs(connection)
        if !connection.keepAliveSet { Self.keepAlive(connection) }
        emit(ServerEvent(kind: .paused, fd: connection.fd, bytes: connection.queue.byteCount, peer: connection.peer, detail: detail))
    }

    private func resume(_ connection: Connection) {
        connection.paused = false
        if !connection.closing { addToInputs(connection) }
        emit(ServerEvent(kind: .resumed, fd: connection.fd, bytes: connection.queue.byteCount, peer: connection.peer))
    }

    /// A peer that closes with its own send buffer full cannot deliver its FIN while the
    /// server, paused, does not read; when its kernel gives up on the orphaned socket nothing
    /// reaches the server at all. Keepalive probes then draw a reset from the peer's kernel
    /// (no socket there any more), which the hangup watch sees. Set once, on the first pause.
    private static func keepAlive(_ connection: Connection) {
        connection.keepAliveSet = true
        var on: Int32 = 1
        var idle: Int32 = 10
        var interval: Int32 = 5
        var count: Int32 = 3
        let size = socklen_t(MemoryLayout<Int32>.size)
        setsockopt(connection.fd, SOL_SOCKET, SO_KEEPALIVE, &on, size)
        setsockopt(connection.fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, &idle, size)
        setsockopt(connection.fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, &interval, size)
        setsockopt(connection.fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, &count, size)
    }

    /// All queues together reached the budget: no connection is read until they drain.
    private func enterOverBudget() {
        overBudget = true
        emit(ServerEvent(kind: .overBudget, bytes: queuedTotal, detail: String(config.queueBudget)))
        for fd in acceptOrder {
            if let connection = open(fd), connection.inInputs { pause(connection, detail: ServerEvent.budgetDetail) }
        }
    }

    /// Back to half the budget: every paused connection whose own queue allows it is read again.
    private func leaveOverBudget() {
        overBudget = false
        emit(ServerEvent(kind: .underBudget, bytes: queuedTotal, detail: String(config.queueBudget)))
        for fd in acceptOrder {
            if let connection = open(fd), connection.paused, connection.queue.byteCount <= config.queueCap / 2 {
                resume(connection)
            }
        }
    }

    // MARK: - The lists

    /// Tells the backend what to watch the connection for. A connection the server does not
    /// read and is not about to close (paused) is watched for its peer going, so a peer that
    /// leaves is noticed in every mode, mode 1 included, where nothing is ever sent.
    private func refreshInterest(_ connection: Connection) {
        let watch: HangupWatch
        if connection.inInputs || connection.closing || connection.closed {
            watch = .none
        } else {
            watch = connection.peerFinished ? .resetOnly : .finishOrReset
        }
        if watch != connection.watch {
            if connection.watch == .none {
                watched.append(connection.fd)
            } else if watch == .none, let index = watched.firstIndex(of: connection.fd) {
                watched.remove(at: index)
            }
            connection.watch = watch
        }
        backend.setInterest(fd: connection.fd, read: connection.inInputs, write: connection.inOutputs, hangup: watch)
    }

    private func addToInputs(_ connection: Connection) {
        guard !connection.inInputs else { return }
        connection.inInputs = true
        inputs.append(connection.fd)
        refreshInterest(connection)
    }

    private func removeFromInputs(_ connection: Connection) {
        guard connection.inInputs else { return }
        connection.inInputs = false
        if let index = inputs.lastIndex(of: connection.fd) { inputs.remove(at: index) }
        refreshInterest(connection)
    }

    private func addToOutputs(_ connection: Connection) {
        guard !connection.inOutputs, mode.sends else { return }
        connection.inOutputs = true
        outputs.append(connection.fd)
        refreshInterest(connection)
    }

    private func removeFromOutputs(_ connection: Connection) {
        guard connection.inOutputs else { return }
        connection.inOutputs = false
        if let index = outputs.firstIndex(of: connection.fd) { outputs.remove(at: index) }
        refreshInterest(connection)
    }

    /// Closes the connection; whatever is still queued for it is dropped and counted in the
    /// event (`bytes`), so the log says what was lost.
    private func close(_ connection: Connection, reason: ServerEvent.CloseReason, detail: String? = nil) {
        touch(connection)
        connection.closed = true
        removeFromInputs(connection)
        removeFromOutputs(connection)
        refreshInterest(connection)
        backend.remove(fd: connection.fd)
        Posix.close(connection.fd)
        connections[Int(connection.fd)] = nil
        if let index = acceptOrder.firstIndex(of: connection.fd) { acceptOrder.remove(at: index) }
        counters.closed += 1
        let dropped = connection.queue.byteCount
        queuedTotal -= dropped
        connection.queue.removeAll()
        emit(ServerEvent(kind: .close, fd: connection.fd, bytes: dropped, peer: connection.peer, reason: reason, detail: detail))
        if overBudget && queuedTotal <= config.queueBudget / 2 { leaveOverBudget() }
        // A descriptor is free again.
        if listenerBackedOff { restoreListener(timerExpired: false) }
    }

    // MARK: - Switching at runtime

    /// The new mode applies from the next call. Connections and queued bytes stay; `outputs`
    /// follows the new mode so nothing spins.
    func switchMode(to newMode: Mode) {
        lock.withLock {
            guard newMode != mode else { return }
            collectingPending = true
            defer { collectingPending = false }
            emit(ServerEvent(kind: .mode, from: String(mode.rawValue), to: String(newMode.rawValue)))
            mode = newMode
            if !newMode.sends {
                for fd in outputs { if let connection = open(fd) { removeFromOutputs(connection) } }
                // Mode 1 never sends, so a connection waiting to flush before closing never would,
                // nor would a paused one whose peer has finished sending.
                for fd in acceptOrder {
                    if let connection = open(fd), connection.closing || connection.peerFinished {
                        close(connection, reason: .modeSwitch, detail: String(newMode.rawValue))
                    }
                }
            } else {
                for fd in acceptOrder { if let connection = open(fd), !connection.queue.isEmpty { addToOutputs(connection) } }
            }
        }
    }

    /// Switches the readiness call. Switching to select closes any connection whose fd
    /// select cannot hold.
    func switchBackend(to kind: BackendKind) throws {
        guard kind != backendKind else { return }
        let newBackend = try Backends.make(kind)
        lock.withLock {
            collectingPending = true
            defer { collectingPending = false }
            emit(ServerEvent(kind: .backend, from: backendKind.rawValue, to: kind.rawValue))
            backend.close()
            backend = newBackend
            backendKind = kind
            backend.setInterest(fd: listener, read: !listenerBackedOff, write: false, hangup: .none)
            for fd in acceptOrder {
                guard let connection = open(fd) else { continue }
                if kind.hasFDSetCeiling && Int(fd) >= Backends.fdSetSize {
                    close(connection, reason: .fdSetSize)
                } else {
                    backend.setInterest(fd: fd, read: connection.inInputs, write: connection.inOutputs, hangup: connection.watch)
                }
            }
        }
    }

    /// Closes every connection and the listener.
    func shutdown() {
        lock.withLock {
            for fd in acceptOrder {
                if let connection = open(fd) {
                    backend.remove(fd: fd)
                    Posix.close(connection.fd)
                    connections[Int(fd)] = nil
                }
            }
            acceptOrder.removeAll()
            inputs.removeAll()
            outputs.removeAll()
            backend.close()
            Posix.close(listener)
            if spareFD >= 0 { Posix.close(spareFD) }
            runState = .stopped
        }
    }

    // MARK: - The server's own state

    /// The open connections in accept order, for the host's kernel sampling. Loop thread.
    var connectionFDs: [Int32] { acceptOrder }

    /// The lists as they are now, after call `afterSeq`: for a screen after a switch. Loop thread.
    var currentLists: ListsBeforeCall { ListsBeforeCall(afterSeq: completedSeq, inputs: inputs, outputs: outputs) }

    /// The server's own state, copied under its lock: for tests, which check what the
    /// records tell the screen against it. The screen never calls it. Safe from any thread.
    func snapshot() -> ServerSnapshot {
        lock.withLock {
            var snapshot = ServerSnapshot()
            snapshot.mode = mode
            snapshot.backend = backendKind
            snapshot.listenAddress = listenAddress
            snapshot.listener = listener
            snapshot.counters = counters
            snapshot.runState = runState
            snapshot.inputs = inputs
            snapshot.outputs = outputs
            snapshot.queueCap = config.queueCap
            snapshot.fdSetSize = Backends.fdSetSize
            if completed.seq > 0 && !completedHandedOver {
                snapshot.lastRecord = completed
                if completed.costMicroseconds == 0 { snapshot.lastRecord?.costMicroseconds = lastCost }
            }
            snapshot.lastAcceptedBeforeCall = lastAcceptedBeforeCall
            snapshot.inFlight = inFlight
            snapshot.connections.reserveCapacity(acceptOrder.count)
            for fd in acceptOrder {
                guard let c = open(fd) else { continue }
                snapshot.connections.append(ConnectionRow(
                    fd: fd, peer: c.peer, queuedMessages: c.queue.messageCount, queuedBytes: c.queue.byteCount,
                    bytesIn: c.bytesIn, bytesOut: c.bytesOut, state: c.state, lastActiveSeq: c.touchedSeq))
            }
            return snapshot
        }
    }

    func setRunState(_ state: RunState) {
        lock.withLock { runState = state }
    }
}

