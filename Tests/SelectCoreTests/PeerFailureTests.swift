import Testing
@testable import SelectCore
#if canImport(Glibc)
import Glibc
#endif

private let hello = Array(ascii: "Hello, world")

/// After a misbehaving peer, the server must still do its job for a new client: echo in
/// modes 2–5, queue in mode 1.
func expectServes(_ server: HostedServer, mode: Mode, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let client = try TestClient(port: server.port)
    try client.send(hello)
    if mode.sends {
        #expect(try client.receive(exactly: 12) == hello, sourceLocation: sourceLocation)
    } else {
        let port = client.localPort
        let queued = waitUntil(timeout: 5) { server.row(forPeerPort: port)?.queuedBytes == 12 }
        #expect(queued, "mode 1 did not queue the new client's message", sourceLocation: sourceLocation)
    }
    client.close()
}

extension InProcess {
    @Suite("peers that misbehave")
    struct PeerFailures {
        @Test("a peer that resets (SO_LINGER 0) is closed; the server serves the next client",
              arguments: Mode.allCases)
        func resettingPeer(mode: Mode) throws {
            let server = try HostedServer(mode: mode)
            let client = try TestClient(port: server.port)
            let port = client.localPort
            try client.send(hello)
            if mode.sends { #expect(try client.receive(exactly: 12) == hello) }
            #expect(server.waitForEvent { $0.kind == .recv && $0.peerPort == port } != nil)
            client.reset()

            let close = try #require(server.waitForEvent { $0.kind == .close && $0.peerPort == port },
                                     "no close event for the reset peer")
            // Linux reports the RST to recv as ECONNRESET; a kernel that delivered it as a
            // plain end of stream is fine too. Either way the connection must be gone.
            let asError = close.reason == .error && close.detail == "ECONNRESET"
            #expect(asError || close.reason == .eof, "close reason \(String(describing: close.reason)) \(close.detail ?? "")")
            #expect(waitUntil(timeout: 5) { server.row(forPeerPort: port) == nil })
            #expect(!server.server.snapshot().inputs.contains(close.fd))
            #expect(!server.server.snapshot().outputs.contains(close.fd))
            try expectServes(server, mode: mode)
            #expect(server.isRunning)
            #expect(server.stop())
        }

        @Test("a peer that sends and closes at once, 200 times in a row (the seed's KeyError)",
              arguments: [Mode.two, .four])
        func sendAndClose(mode: Mode) throws {
            let server = try HostedServer(mode: mode, keepRecords: false)
            var ports: Set<Int> = []
            for _ in 0..<200 {
                let client = try TestClient(port: server.port)
                ports.insert(client.localPort)
                try client.send(hello)
                client.close()
            }
            let allClosed = waitUntil(timeout: 20) {
                server.events(where: { $0.kind == .close }).count >= 200
            }
            let closes = server.events(where: { $0.kind == .close })
            #expect(allClosed, "only \(closes.count) of 200 connections were closed")
            #expect(Set(closes.compactMap(\.peerPort)) == ports, "every connection closed, each once")
            #expect(closes.count == 200)
            let accepts = server.events(where: { $0.kind == .accept })
            #expect(accepts.count == 200)
            #expect(server.events(where: { $0.kind == .refused }).isEmpty)
            let snapshot = server.server.snapshot()
            #expect(snapshot.connections.isEmpty)
            #expect(snapshot.inputs == [server.server.listener])
            #expect(snapshot.outputs.isEmpty)
            #expect(server.isRunning)
            try expectServes(server, mode: mode)
            #expect(server.stop())
        }
    }
}

extension InProcess.PeerFailures {
    /// SPEC §1: "A connection in the exceptional set is closed (modes 2 and 4 as in the
    /// seed; the others may do the same)." The seed's exercises 2 and 4 print "handling
    /// exceptional condition for …" and close the socket. Urgent (MSG_OOB) data is what
    /// puts a TCP socket in select()'s exceptional set on Linux.
    @Test("modes 2 and 4: a connection in the exceptional set is closed, as in the seed",
          arguments: [Mode.two, .four])
    func exceptionalCloses(mode: Mode) throws {
        let server = try HostedServer(mode: mode)
        let client = try TestClient(port: server.port)
        let port = client.localPort
        try client.send(hello)
        #expect(try client.receive(exactly: 12) == hello)
        var urgent = UInt8(ascii: "!")
        #expect(Glibc.send(client.fd, &urgent, 1, Int32(MSG_OOB) | Int32(MSG_NOSIGNAL)) == 1)

        let handled = server.waitForEvent { $0.kind == .exceptional && $0.peerPort == port }
        let exceptional = try #require(handled, "the exceptional set never reported the connection")
        // The seed closes it in the same pass of its loop: the same call's record.
        let record = try #require(server.records.first { $0.events.contains(exceptional) })
        let close = record.events.first { $0.kind == .close && $0.fd == exceptional.fd }
        #expect(close?.reason == .exceptional, "still open after the exceptional condition; that call did \(record.events.map(\.kind))")
        #expect(client.waitForClose(timeout: 2))
        try expectServes(server, mode: mode)
        #expect(server.stop())
    }
}

extension InProcess.PeerFailures {
    /// The oob client's lesson: urgent data lands in `exceptional`, the server reads the
    /// urgent byte and logs it; modes 1, 3 and 5 keep serving the connection.
    @Test("modes 1, 3, 5: urgent data shows in exceptional, is read and logged, the connection stays",
          arguments: [Mode.one, .three, .five])
    func urgentDataIsReadAndKept(mode: Mode) throws {
        let server = try HostedServer(mode: mode)
        let client = try TestClient(port: server.port)
        let port = client.localPort
        var urgent = UInt8(ascii: "!")
        #expect(Glibc.send(client.fd, &urgent, 1, Int32(MSG_OOB) | Int32(MSG_NOSIGNAL)) == 1)

        let logged = server.waitForEvent { $0.kind == .urgent && $0.peerPort == port }
        let event = try #require(logged, "the urgent byte was never read and logged")
        #expect(event.payload == [UInt8(ascii: "!")])
        let record = try #require(server.records.first { $0.events.contains(event) })
        #expect(record.exceptional.contains(event.fd))
        #expect(!record.events.contains { $0.kind == .close && $0.fd == event.fd })
        #expect(SeedLog.line(for: event).hasPrefix("urgent data b'!' from ('127.0.0.1', \(port))"))

        try client.send(hello)
        if mode.sends {
            #expect(try client.receive(exactly: 12) == hello)
        } else {
            #expect(waitUntil(timeout: 5) { server.row(forPeerPort: port)?.queuedBytes == 12 })
        }
        #expect(server.stop())
    }
}
