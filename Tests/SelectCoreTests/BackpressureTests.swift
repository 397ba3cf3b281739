import Testing
@testable import SelectCore
#if canImport(Glibc)
import Glibc
#endif

private let hello = Array(ascii: "Hello, world")

extension InProcess {
    @Suite("backpressure and short sends")
    struct Backpressure {
        static let cap = 32 * 1024

        @Test("a client that never reads: its queue stops at the cap, others still get their echo",
              arguments: [Mode.two, .three, .four, .five])
        func floodNeverReads(mode: Mode) throws {
            let server = try HostedServer(mode: mode, queueCap: Self.cap, keepRecords: false)
            let flooder = try Flooder(port: server.port, receiveBuffer: 4096)
            defer { flooder.stop() }
            let port = flooder.client.localPort

            let paused = server.waitForEvent(timeout: 20) { $0.kind == .paused && $0.peerPort == port }
            let pause = try #require(paused, "the flooder was never paused (sent \(flooder.sent) bytes)")
            #expect(pause.bytes >= Self.cap)
            #expect(pause.detail == String(Self.cap))

            // Once the kernel's buffers are full nothing drains: it stays paused, out of inputs.
            let settled = waitUntil(timeout: 20) {
                guard let row = server.row(forPeerPort: port) else { return false }
                return row.state == .paused && !server.server.snapshot().inputs.contains(row.fd)
            }
            #expect(settled, "the flooder did not stay paused")

            try expectServes(server, mode: mode)

            let deepest = server.maxQueued[pause.fd] ?? 0
            #expect(deepest >= Self.cap)
            #expect(deepest <= Self.cap + 1024, "queue reached \(deepest) bytes with a cap of \(Self.cap)")
            let row = try #require(server.row(forPeerPort: port))
            #expect(row.queuedBytes <= Self.cap + 1024)

            flooder.stop()
            flooder.client.reset()
            #expect(server.waitForEvent { $0.kind == .close && $0.peerPort == port } != nil)
            try expectServes(server, mode: mode)
            #expect(server.stop())
        }

        @Test("mode 1 never drains: the cap is hit and shown as paused; other clients are still read")
        func modeOneCap() throws {
            let server = try HostedServer(mode: .one, queueCap: Self.cap, keepRecords: false)
            let flooder = try Flooder(port: server.port)
            defer { flooder.stop() }
            let port = flooder.client.localPort
            let pause = try #require(server.waitForEvent(timeout: 20) { $0.kind == .paused && $0.peerPort == port })
            let row = try #require(server.row(forPeerPort: port))
            #expect(row.state == .paused)
            #expect(row.queuedBytes >= Self.cap && row.queuedBytes <= Self.cap + 1024)
            #expect(!server.server.snapshot().inputs.contains(pause.fd))
            #expect(server.events(where: { $0.kind == .resumed }).isEmpty)
            #expect(server.server.snapshot().outputs.isEmpty)
            try expectServes(server, mode: .one)
            #expect((server.maxQueued[pause.fd] ?? 0) <= Self.cap + 1024)
            #expect(server.stop())
        }

        /// Mode 3 sends from the recv branch without asking select(), so the seed's 1024-byte
        /// messages come up short (or not at all) as soon as the peer's window closes.
        /// Mode 4 sends only when select() reports writable, and the kernel then takes a
        /// 1024-byte message whole (Linux reports writable once a third of the send buffer
        /// is free; gVisor takes any write while the buffer is not full). To reach mode 4's
        /// partial-send path the test makes messages larger (`receiveSize` 64 KiB) and
        /// shrinks the server's send buffer for this one connection (the fd is shared: the
        /// server runs in this process).
        @Test("a send cut short keeps the rest queued; every byte arrives, in order, once read",
              arguments: [(Mode.three, 1024), (.four, 64 * 1024)])
        func shortSend(mode: Mode, receiveSize: Int) throws {
            // A cap above anything the test sends: the short send, not backpressure, is under test.
            let server = try HostedServer(mode: mode, queueCap: 64 << 20, receiveSize: receiveSize)
            let client = try TestClient(port: server.port, receiveBuffer: 2048)
            let port = client.localPort
            let accept = try #require(server.waitForEvent { $0.kind == .accept && $0.peerPort == port })
            if mode == .four {
                var size: Int32 = 4096
                let result = setsockopt(accept.fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
                try #require(result == 0)
            }
            let flooder = Flooder(client: client, limit: 32 << 20, chunk: 64 * 1024)
            let short = server.waitForEvent(timeout: 20) { $0.kind == .send && $0.peerPort == port && $0.isShortSend }
            flooder.stop()
            let event = try #require(short, "no short send after \(flooder.sent) bytes")
            #expect(event.bytes < event.requested)
            if mode == .three { #expect(event.direct) }

            // The record of that send: the unsent rest is still queued for this connection.
            let record = try #require(server.records.first { $0.events.contains(event) })
            let depth = try #require(record.queues.first { $0.fd == event.fd })
            #expect(depth.bytes >= event.requested - event.bytes)
            if mode == .three {
                // The direct send's leftovers go out through `outputs`.
                let next = server.records.first { $0.seq == record.seq + 1 }
                #expect(next.map { $0.outputs.contains(event.fd) } ?? server.server.snapshot().outputs.contains(event.fd))
            }

            // Now read: every byte the flooder sent comes back, in order.
            let total = flooder.sent
            let echoed = try flooder.client.receive(exactly: total, timeout: 30)
            var firstBad: Int?
            for index in 0..<total where echoed[index] != Flooder.byte(at: index) {
                firstBad = index
                break
            }
            #expect(firstBad == nil, "byte \(firstBad ?? -1) of \(total) differs")
            #expect(waitUntil(timeout: 5) { server.row(forPeerPort: port)?.queuedBytes == 0 })
            #expect(server.stop())
            // The rest was kept and sent: the loop's diagnoses have nothing to say about it.
            var reducer = SnapshotReducer()
            for record in server.records { reducer.apply(record) }
            #expect(reducer.snapshot().diagnoses.isEmpty, "\(reducer.snapshot().diagnoses)")
        }
    }
}
