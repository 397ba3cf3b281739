import SelectCore
import CSystemShim
import Histogram
#if canImport(Glibc)
import Glibc
#endif

/// `selectscope bench`: N connections play ping-pong with an echo server, every echoed
/// byte is checked against what was sent, and each round trip is timed.
///
/// One thread, epoll, non-blocking sockets: the generator must stay cheaper than the
/// server it measures.
public final class LoadGenerator {
    private final class Peer {
        let fd: Int32
        let id: Int
        /// Stream offsets: what has been queued to send, sent, and received back.
        var queued = 0
        var sent = 0
        var received = 0
        /// When each in-flight message was queued, by message index modulo the pipeline.
        var sendTimes: [Double]
        var wantsWrite = false
        var open = true
        init(fd: Int32, id: Int, pipeline: Int) {
            self.fd = fd
            self.id = id
            sendTimes = Array(repeating: 0, count: pipeline)
        }
    }

    private let config: BenchConfig
    private var peers: [Peer] = []
    private var byFD: [Int32: Peer] = [:]
    /// Round trips in nanoseconds, bounded (a few hundred KiB) however long the run: p50, p99
    /// and max to three significant digits.
    private var roundTrips = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: LoadGenerator.longestRoundTrip,
                                               numberOfSignificantValueDigits: .three)
    /// Echoes received whole while the load ran (those drained after the end are not counted).
    private var measured = 0
    /// The longest round trip the histogram tells apart: an hour, in nanoseconds.
    static let longestRoundTrip: UInt64 = 3_600_000_000_000
    private var report = BenchReport()
    private let epollFD: Int32
    private var scratch: [UInt8]
    private var sending = true
    private var idleFDs: [Int32] = []

    public init(config: BenchConfig) throws {
        self.config = config
        let fd = ss_epoll_create()
        guard fd >= 0 else { throw SystemError("epoll_create1", errno: errno) }
        epollFD = fd
        scratch = Array(repeating: 0, count: max(65536, config.size))
        report.connectionsWanted = config.connections
        report.size = config.size
        report.pipeline = config.pipeline
    }

    deinit { Posix.close(epollFD) }

    /// The byte at `offset` of connection `id`'s stream: a pattern that differs per
    /// connection and per message, so a byte echoed to the wrong place shows.
    @inline(__always)
    static func expectedByte(id: Int, offset: Int, size: Int) -> UInt8 {
        let message = offset / size
        let index = offset - message * size
        return UInt8(truncatingIfNeeded: id &* 131 &+ message &* 31 &+ index &* 7 &+ (index >> 8))
    }

    /// Runs the whole benchmark. `progress` is called about once a second with a line.
    public func run(progress: ((String) -> Void)? = nil) -> BenchReport {
        Posix.ignoreSIGPIPE()
        report.openFileLimit = FileLimits.raiseToHardLimit()
        connectAll(progress: progress)
        let buffer = ss_epoll_buffer_new(1024)!
        defer { ss_epoll_buffer_free(buffer) }

        let start = Posix.monotonicSeconds()
        let end = start + config.duration
        var nextProgress = start + 1
        for peer in peers { queueMessages(peer, now: start) }
        while true {
            let now = Posix.monotonicSeconds()
            if sending && now >= end {
                sending = false
                report.seconds = now - start
                report.messages = measured
            }
            if !sending && (now >= end + 2 || peers.allSatisfy({ !$0.open || $0.received == $0.queued })) { break }
            if now >= nextProgress, let progress {
                let elapsed = now - start
                progress("\(TraceEncoder.decimal(elapsed, places: 1)) s  \(measured) echoes  \(TraceEncoder.decimal(Double(measured) / elapsed, places: 0)) msg/s  \(report.mismatches) mismatches")
                nextProgress += 1
            }
            let timeout = Int32(max(1, min(100, ((sending ? end : end + 2) - now) * 1000)))
            let count = ss_epoll_wait(epollFD, buffer, 1024, timeout)
            if count < 0 { continue }
            for index in 0..<count {
                let fd = ss_epoll_event_fd(buffer, index)
                let events = ss_epoll_event_mask(buffer, index)
                guard let peer = byFD[fd], peer.open else { continue }
                if events & UInt32(SS_EPOLLIN | SS_EPOLLHUP | SS_EPOLLERR) != 0 { receive(peer) }
                if peer.open && events & UInt32(SS_EPOLLOUT) != 0 { flush(peer) }
            }
        }
        if report.seconds == 0 { report.seconds = Posix.monotonicSeconds() - start; report.messages = measured }
        for peer in peers where peer.open { Posix.close(peer.fd) }
        for fd in idleFDs { Posix.close(fd) }
        summarizeLatency()
        return report
    }

    private func connectAll(progress: ((String) -> Void)?) {
        var lastReport = Posix.monotonicSeconds()
        for _ in 0..<config.idle {
            if let fd = try? Sockets.connect(host: config.host, port: config.port) {
                idleFDs.append(fd)
                report.idleConnected += 1
            } else {
                report.connectFailures += 1
            }
        }
        for id in 0..<config.connections {
            do {
                let fd = try Sockets.connect(host: config.host, port: config.port)
                try Posix.setNonBlocking(fd)
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                let peer = Peer(fd: fd, id: id, pipeline: max(1, config.pipeline))
                peers.append(peer)
                byFD[fd] = peer
                _ = ss_epoll_set(epollFD, fd, 0, UInt32(SS_EPOLLIN))
                report.connected += 1
            } catch {
                report.connectFailures += 1
            }
            let now = Posix.monotonicSeconds()
            if now - lastReport > 1, let progress {
                progress("connecting: \(report.connected)/\(config.connections)")
                lastReport = now
            }
        }
    }

    /// Keeps `pipeline` messages in flight.
    private func queueMessages(_ peer: Peer, now: Double) {
        guard sending, peer.open else { return }
        let size = config.size
        let pipeline = max(1, config.pipeline)
        while (peer.queued - peer.received) / size < pipeline {
            let message = peer.queued / size
            peer.sendTimes[message % pipeline] = now
            peer.queued += size
        }
        flush(peer)
    }

    private func flush(_ peer: Peer) {
        while peer.sent < peer.queued {
            let count = min(scratch.count, peer.queued - peer.sent)
            for index in 0..<count {
                scratch[index] = Self.expectedByte(id: peer.id, offset: peer.sent + index, size: config.size)
            }
            let written = scratch.withUnsafeBytes { Glibc.send(peer.fd, $0.baseAddress, count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                fail(peer)
                return
            }
            peer.sent += written
        }
        let wantsWrite = peer.sent < peer.queued
        if wantsWrite != peer.wantsWrite {
            peer.wantsWrite = wantsWrite
            let old = UInt32(SS_EPOLLIN) | (wantsWrite ? 0 : UInt32(SS_EPOLLOUT))
            _ = ss_epoll_set(epollFD, peer.fd, old, UInt32(SS_EPOLLIN) | (wantsWrite ? UInt32(SS_EPOLLOUT) : 0))
        }
    }

    private func receive(_ peer: Peer) {
        let size = config.size
        let pipeline = max(1, config.pipeline)
        while true {
            let count = scratch.withUnsafeMutableBytes { Glibc.recv(peer.fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                fail(peer)
                return
            }
            if count == 0 {
                fail(peer)
                return
            }
            let now = Posix.monotonicSeconds()
            for index in 0..<count where scratch[index] != Self.expectedByte(id: peer.id, offset: peer.received + index, size: size) {
                report.mismatches += 1
            }
            let before = peer.received / size
            peer.received += count
            let after = peer.received / size
            if after > before {
                for message in before..<after where sending {
                    record(roundTrip: now - peer.sendTimes[message % pipeline])
                }
                queueMessages(peer, now: now)
            }
        }
    }

    private func fail(_ peer: Peer) {
        peer.open = false
        report.errors += 1
        _ = ss_epoll_set(epollFD, peer.fd, 1, 0)
        Posix.close(peer.fd)
    }

    private func record(roundTrip seconds: Double) {
        let nanoseconds = max(1, min(Double(Self.longestRoundTrip), (seconds * 1e9).rounded()))
        _ = roundTrips.record(UInt64(nanoseconds))
        measured += 1
    }

    private func summarizeLatency() {
        guard roundTrips.totalCount > 0 else { return }
        report.p50Microseconds = Double(roundTrips.valueAtPercentile(50)) / 1000
        report.p99Microseconds = Double(roundTrips.valueAtPercentile(99)) / 1000
        report.maxMicroseconds = Double(roundTrips.max) / 1000
    }
}
