import Foundation
@testable import SelectCore
#if canImport(Glibc)
import Glibc
#endif

func makeConfig(mode: Mode, backend: BackendKind = .select, queueCap: Int? = nil, queueBudget: Int? = nil, payloadCapture: Int = 0,
                receiveSize: Int = 1024) -> ServerConfig {
    var config = ServerConfig(mode: mode, backend: backend, host: "127.0.0.1", port: 0)
    config.receiveSize = receiveSize
    if let queueCap { config.queueCap = queueCap }
    if let queueBudget { config.queueBudget = queueBudget }
    config.payloadCapture = payloadCapture
    return config
}

/// Drives a `SelectServer` from the test's own thread, one `step()` at a time: every call's
/// record is exactly the call the test caused. A watchdog pipe, passed as an internal fd,
/// ends a call that would otherwise block forever, and the step then throws.
final class Stepper {
    let server: SelectServer
    var port: Int { server.listenAddress.port }
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let generation = Guarded(0)

    init(mode: Mode, queueCap: Int? = nil, payloadCapture: Int = 0, logCapacity: Int = 0, keepsRecords: Bool = true) throws {
        var config = makeConfig(mode: mode, queueCap: queueCap, payloadCapture: payloadCapture)
        config.logCapacity = logCapacity
        config.keepsRecords = keepsRecords
        server = try SelectServer(config: config)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw TestFailure("pipe: errno \(errno)") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        server.shutdown()
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    var internalFD: Int32 { wakeRead }

    /// One call; throws if nothing became ready within `timeout` seconds (the watchdog woke it).
    @discardableResult
    func step(timeout: Double = 5) throws -> StepRecord {
        let mine = generation.modify { value -> Int in value += 1; return value }
        let writeFD = wakeWrite
        let generation = self.generation
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if generation.read({ $0 == mine }) {
                var byte: UInt8 = 1
                _ = Glibc.write(writeFD, &byte, 1)
            }
        }
        let record = try server.step(internalFDs: [wakeRead])
        generation.modify { $0 += 1 }
        var buffer = [UInt8](repeating: 0, count: 16)
        while Glibc.read(wakeRead, &buffer, buffer.count) > 0 {}
        if !record.internalReady.isEmpty && record.isEmptyResult {
            throw TestFailure("select() returned nothing within \(timeout) s (step \(record.seq))")
        }
        return record
    }

    /// Steps until `done` holds for a record (inclusive); returns every record made.
    func step(until done: (StepRecord) -> Bool, maxSteps: Int = 50, timeout: Double = 5) throws -> [StepRecord] {
        var records: [StepRecord] = []
        for _ in 0..<maxSteps {
            let record = try step(timeout: timeout)
            records.append(record)
            if done(record) { return records }
        }
        throw TestFailure("condition not reached in \(maxSteps) steps: \(records.map { TraceEncoder.line(for: $0) })")
    }
}

/// A `ServerHost` running on its own thread, as the CLI and the dashboard run it. Every
/// record is collected (under a lock) for the test to inspect while the server runs.
final class HostedServer: @unchecked Sendable {
    let server: SelectServer
    let host: ServerHost
    var port: Int { server.listenAddress.port }
    private let state = Guarded(State())
    private let keepRecords: Bool

    struct State {
        var records: [StepRecord] = []
        var events: [ServerEvent] = []
        var maxQueued: [Int32: Int] = [:]
        var calls = 0
        var exited = false
        var exitError: String?
    }

    init(mode: Mode, backend: BackendKind = .select, queueCap: Int? = nil, queueBudget: Int? = nil, payloadCapture: Int = 0,
         receiveSize: Int = 1024, keepRecords: Bool = true) throws {
        server = try SelectServer(config: makeConfig(mode: mode, backend: backend, queueCap: queueCap, queueBudget: queueBudget,
                                                     payloadCapture: payloadCapture, receiveSize: receiveSize))
        host = try ServerHost(server: server)
        self.keepRecords = keepRecords
        let state = self.state
        let keep = keepRecords
        host.observe { record in
            state.modify { s in
                s.calls += 1
                if keep { s.records.append(record) }
                s.events.append(contentsOf: record.events)
                for depth in record.queues where depth.bytes > s.maxQueued[depth.fd, default: 0] {
                    s.maxQueued[depth.fd] = depth.bytes
                }
            }
        }
        host.start { error in
            state.modify { s in
                s.exited = true
                s.exitError = error.map { "\($0)" }
            }
        }
    }

    deinit { _ = stop() }

    var records: [StepRecord] { state.read { $0.records } }
    var events: [ServerEvent] { state.read { $0.events } }
    var isRunning: Bool { state.read { !$0.exited } }
    /// Readiness calls made so far.
    var calls: Int { state.read { $0.calls } }
    var exitError: String? { state.read { $0.exitError } }
    /// The deepest queue each fd ever showed in a record.
    var maxQueued: [Int32: Int] { state.read { $0.maxQueued } }

    func events(where match: (ServerEvent) -> Bool) -> [ServerEvent] {
        state.read { $0.events.filter(match) }
    }

    /// Waits for an event to have happened; returns it.
    func waitForEvent(timeout: Double = 5, _ match: (ServerEvent) -> Bool) -> ServerEvent? {
        var found: ServerEvent?
        waitUntil(timeout: timeout) {
            found = state.read { $0.events.last(where: match) }
            return found != nil
        }
        return found
    }

    func waitForEvents(count: Int, timeout: Double = 5, _ match: (ServerEvent) -> Bool) -> Bool {
        waitUntil(timeout: timeout) { state.read { $0.events.lazy.filter(match).count >= count } }
    }

    /// The connection row for a client, by its port (nil once closed).
    func row(forPeerPort port: Int) -> ConnectionRow? {
        server.snapshot().connections.first { $0.peer.port == port }
    }

    /// Stops the loop and waits for its thread to return. True when it ended cleanly.
    @discardableResult
    func stop(timeout: Double = 5) -> Bool {
        if state.read({ $0.exited }) { return state.read { $0.exitError == nil } }
        host.send(.stop)
        return waitUntil(timeout: timeout) { state.read { $0.exited } } && exitError == nil
    }
}

extension ServerEvent {
    var peerPort: Int? { peer?.port }
}

/// Opens /dev/null (close-on-exec) until the lowest free fd is at least `floor`; returns the
/// fds it opened, for `closeAll`.
func occupyDescriptors(below floor: Int32) throws -> [Int32] {
    var opened: [Int32] = []
    while true {
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            closeAll(opened)
            throw TestFailure("open /dev/null: errno \(errno) after \(opened.count) fds")
        }
        if fd >= floor {
            Glibc.close(fd)
            return opened
        }
        opened.append(fd)
    }
}

func closeAll(_ fds: [Int32]) {
    for fd in fds { Glibc.close(fd) }
}
