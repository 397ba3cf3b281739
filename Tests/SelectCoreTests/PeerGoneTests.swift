import Foundation
import Testing
@testable import SelectCore
#if canImport(Glibc)
import Glibc
#endif

extension InProcess {
    /// A peer that has gone is always noticed and closed, even while the server is not
    /// reading it; all queues together stay within a budget; the move to draining is an event.
    @Suite("peers that go while paused, the queue budget, draining")
    struct PeerGone {
        static let cap = 64 * 1024

        /// Sends up to `count` bytes without blocking for more than `seconds`; returns what went.
        static func sendSome(_ client: TestClient, count: Int, seconds: Double = 2) -> Int {
            client.setNonBlocking()
            let bytes = [UInt8](repeating: 0x61, count: count)
            var sent = 0
            let deadline = monotonicNow() + seconds
            while sent < count && monotonicNow() < deadline {
                let n = client.trySend(bytes[sent...])
                if n == 0 { _ = client.waitFor(events: Int16(POLLOUT), timeout: 0.02) } else { sent += n }
            }
            return sent
        }

        @Test("mode 1: 300 times 'connect, send 160 KiB, close': every connection is closed, its dropped bytes counted",
              arguments: BackendKind.allCases)
        func modeOneChurn(backend: BackendKind) throws {
            let server = try HostedServer(mode: .one, backend: backend, queueCap: Self.cap, keepRecords: false)
            let rounds = 300
            var tooShort = 0
            for _ in 0..<rounds {
                let client = try TestClient(port: server.port)
                if Self.sendSome(client, count: 160 * 1024) < Self.cap + 1024 { tooShort += 1 }
                client.close()
            }
            try #require(tooShort == 0, "\(tooShort) clients could not send past the cap")
            let allClosed = waitUntil(timeout: 60) {
                server.server.snapshot().connections.isEmpty && server.server.snapshot().counters.closed == rounds
            }
            let left = server.server.snapshot().connections
            #expect(allClosed, "\(left.count) connections still open (\(left.filter { $0.state == .paused }.count) paused), closed \(server.server.snapshot().counters.closed)")
            // Every client sent more than the cap: each was paused, and its close (seen while
            // paused) accounts for what it had queued.
            let closes = server.events(where: { $0.kind == .close })
            #expect(closes.count == rounds)
            #expect(closes.allSatisfy { $0.reason == .hangup && $0.bytes >= Self.cap },
                    "\(closes.filter { $0.reason != .hangup || $0.bytes < Self.cap }.prefix(3))")
            // Bounded memory: no queue ever went past the cap by more than one recv.
            #expect(server.maxQueued.values.allSatisfy { $0 <= Self.cap + 1024 })
            let line = try #require(closes.first.map(SeedLog.line(for:)))
            #expect(line.contains("bytes queued, dropped"), "\(line)")
            #expect(server.stop())
        }

        /// A mode that sends: a paused peer that finishes sending (FIN) may still want its echo,
        /// so it stays; the watch drops to resets only (no spinning on the FIN), and once the
        /// client reads, every byte comes back, the rest is read, and the connection drains
        /// and closes.
        @Test("mode 2: a paused client that shuts down its side still gets every byte back, then closes",
              arguments: BackendKind.allCases)
        func sendingModeHalfClose(backend: BackendKind) throws {
            let cap = 32 * 1024
            let server = try HostedServer(mode: .two, backend: backend, queueCap: cap)
            let client = try TestClient(port: server.port, receiveBuffer: 4096)
            let port = client.localPort
            let accept = try #require(server.waitForEvent { $0.kind == .accept && $0.peerPort == port })
            // The server can hardly send (small buffers both ends, the client does not read), so
            // its queue grows to the cap; the rest of what the client sends, and its FIN, still
            // fit in the server's receive buffer, so the FIN arrives while it is paused.
            var size: Int32 = 4096
            try #require(setsockopt(accept.fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size)) == 0)
            let total = cap + 24 * 1024
            try #require(Self.sendSome(client, count: total, seconds: 10) == total)
            #expect(server.waitForEvent(timeout: 10) { $0.kind == .paused && $0.peerPort == port } != nil)
            client.shutdownWrite()
            let finished = server.waitForEvent(timeout: 10) { $0.kind == .peerFinished && $0.peerPort == port }
            #expect(finished != nil, "the FIN of a paused peer was not seen")
            #expect(finished.map(SeedLog.line(for:))?.hasPrefix("no more data from") == true)
            // Paused, it has TCP keepalive on: a peer whose kernel drops it is found by a probe.
            var keepAlive: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(accept.fd, SOL_SOCKET, SO_KEEPALIVE, &keepAlive, &length)
            #expect(keepAlive == 1)
            // The FIN stays pending in the kernel: seen once, then only resets are watched.
            let before = server.calls
            usleep(300_000)
            #expect(server.calls - before < 20, "\(server.calls - before) calls in 0.3 s while nothing happened")
            #expect(server.row(forPeerPort: port) != nil, "closed although the peer may still read its echo")

            let echoed = try client.receive(exactly: total, timeout: 30)
            #expect(echoed.count == total && echoed.allSatisfy { $0 == 0x61 })
            #expect(client.waitForClose(timeout: 10))
            let close = server.waitForEvent { $0.kind == .close && $0.peerPort == port }
            #expect(close?.reason == .eof)
            #expect(close?.bytes == 0)
            #expect(server.stop())
        }

        @Test("an EOF with bytes still queued is a draining event: in the trace, the log and replay")
        func drainingIsRecorded() throws {
            let server = try HostedServer(mode: .two, queueCap: 64 << 20, payloadCapture: 16)
            let client = try TestClient(port: server.port, receiveBuffer: 4096)
            let port = client.localPort
            let sent = Self.sendSome(client, count: 2 << 20, seconds: 5)
            client.shutdownWrite()
            let draining = try #require(server.waitForEvent(timeout: 20) { $0.kind == .draining && $0.peerPort == port },
                                        "no draining event after \(sent) bytes and a FIN")
            #expect(draining.bytes > 0)
            #expect(SeedLog.line(for: draining).hasPrefix("no more data from ('127.0.0.1', \(port)): sending its"))
            // Now read everything: the queue drains, then the connection closes.
            let echoed = try client.receive(exactly: sent, timeout: 30)
            #expect(echoed.count == sent)
            #expect(server.waitForEvent { $0.kind == .close && $0.peerPort == port } != nil)
            #expect(server.stop())

            // The trace carries it and replay shows the row closing from that call on.
            let records = server.records
            let index = try #require(records.firstIndex { $0.events.contains(draining) })
            let text = records.map { TraceEncoder.line(for: $0) }.joined(separator: "\n") + "\n"
            let file = TraceReader.parse(Data(text.utf8))
            #expect(file.damage == nil)
            #expect(file.records[index].events.contains { $0.kind == .draining && $0.fd == draining.fd && $0.bytes == draining.bytes })
            let replay = ReplayTimeline(file: file)
            let row = replay.snapshot(at: index).connections.first { $0.fd == draining.fd }
            #expect(row?.state == .closing)
            #expect(replay.snapshot(at: index).outputs.contains(draining.fd))
            #expect(!replay.snapshot(at: index).inputs.contains(draining.fd))
        }

        @Test("switching to mode 1 closes a draining connection and says what it dropped")
        func modeSwitchDropsDraining() throws {
            let server = try HostedServer(mode: .two, queueCap: 64 << 20)
            let client = try TestClient(port: server.port, receiveBuffer: 4096)
            let port = client.localPort
            _ = Self.sendSome(client, count: 2 << 20, seconds: 5)
            client.shutdownWrite()
            let draining = try #require(server.waitForEvent(timeout: 20) { $0.kind == .draining && $0.peerPort == port })
            server.host.send(.switchMode(.one))
            // The switch's events ride on the next call's record: give that call something to return.
            #expect(waitUntil(timeout: 10) { server.server.snapshot().mode == .one })
            let other = try TestClient(port: server.port)
            defer { other.close() }
            let close = try #require(server.waitForEvent(timeout: 10) { $0.kind == .close && $0.peerPort == port })
            #expect(close.reason == .modeSwitch)
            #expect(close.bytes > 0 && close.bytes <= draining.bytes)
            #expect(SeedLog.line(for: close).hasSuffix("(mode 1 never sends; \(close.bytes) bytes queued, dropped)"))
            #expect(server.stop())
        }

        @Test("all queues together stop at the budget: nobody is read until they drain to half",
              arguments: [BackendKind.select, .epoll])
        func budget(backend: BackendKind) throws {
            let budget = 160 * 1024
            let server = try HostedServer(mode: .one, backend: backend, queueCap: Self.cap, queueBudget: budget)
            var flooders: [Flooder] = []
            defer { for flooder in flooders { flooder.stop() } }
            for _ in 0..<4 { flooders.append(try Flooder(port: server.port)) }
            let over = try #require(server.waitForEvent(timeout: 20) { $0.kind == .overBudget }, "the budget never bit")
            #expect(over.bytes >= budget && over.bytes <= budget + 1024)
            #expect(over.detail == String(budget))
            #expect(SeedLog.line(for: over).hasPrefix("queue budget reached"))
            // Every connection left `inputs`; a newcomer is accepted but not read either.
            #expect(waitUntil(timeout: 5) { server.server.snapshot().inputs == [server.server.listener] })
            let late = try TestClient(port: server.port)
            try late.send(Array(repeating: 0x62, count: 100))
            let latePause = server.waitForEvent { $0.kind == .paused && $0.peerPort == late.localPort }
            #expect(latePause?.detail == ServerEvent.budgetDetail)
            #expect(server.events(where: { $0.kind == .recv && $0.peerPort == late.localPort }).isEmpty)

            // The flooders leave (mode 1 never drains otherwise): their queues are dropped, the
            // total falls under half the budget, and reading starts again. They reset: a FIN
            // would wait behind the bytes the paused server does not read.
            for flooder in flooders {
                flooder.stop()
                flooder.client.reset()
            }
            #expect(server.waitForEvent(timeout: 20) { $0.kind == .underBudget } != nil)
            #expect(server.waitForEvent(timeout: 10) { $0.kind == .recv && $0.peerPort == late.localPort } != nil)
            let events = server.events
            let overIndex = try #require(events.firstIndex { $0.kind == .overBudget })
            let underIndex = try #require(events.firstIndex { $0.kind == .underBudget })
            #expect(!events[overIndex..<underIndex].contains { $0.kind == .recv }, "read while over budget")
            #expect(server.stop())
        }

        @Test("poll and epoll record each fd's returned events: a reset shows ERR/HUP", arguments: [BackendKind.poll, .epoll])
        func returnedEvents(backend: BackendKind) throws {
            let server = try HostedServer(mode: .two, backend: backend)
            let client = try TestClient(port: server.port)
            let port = client.localPort
            try client.send(Array("Hello, world".utf8))
            #expect(try client.receive(exactly: 12) == Array("Hello, world".utf8))
            client.reset()
            let close = try #require(server.waitForEvent { $0.kind == .close && $0.peerPort == port })
            let records = server.records
            let received = try #require(records.first { $0.events.contains { $0.kind == .recv && $0.peerPort == port } })
            #expect(received.returnedEvents.contains { $0.fd == close.fd && $0.events.contains(.input) })
            let closing = try #require(records.first { $0.events.contains(close) })
            let mask = try #require(closing.returnedEvents.first { $0.fd == close.fd }?.events)
            #expect(!mask.isDisjoint(with: [.error, .hangup, .readHangup]), "revents \(mask.text)")
            // In the trace, read back as written.
            let line = TraceEncoder.line(for: closing)
            #expect(line.contains("\"revents\":[["))
            let back = try #require(TraceReader.parse(Data((line + "\n").utf8)).records.first)
            #expect(back.returnedEvents == closing.returnedEvents)
            #expect(server.stop())
        }
    }
}
