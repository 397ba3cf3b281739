import Testing
@testable import SelectCore
#if canImport(Glibc)
import Glibc
#endif

extension InProcess {
    /// Issue 4: poll and epoll beside select — the same modes, no FD_SETSIZE ceiling, and a
    /// switch at runtime that loses no connection and no byte.
    @Suite("poll and epoll backends")
    struct BackendTests {
        private let hello = Array("Hello, world".utf8)

        @Test("every mode behaves the same under poll and epoll",
              arguments: [BackendKind.poll, .epoll], [Mode.one, .two, .three, .four, .five])
        func modesUnderBackend(backend: BackendKind, mode: Mode) throws {
            let server = try HostedServer(mode: mode, backend: backend)
            let client = try TestClient(port: server.port)
            let port = client.localPort
            for _ in 0..<3 {
                try client.send(hello)
                if mode.sends {
                    #expect(try client.receive(exactly: 12) == hello)
                }
            }
            if mode == .one {
                #expect(waitUntil(timeout: 5) { server.row(forPeerPort: port)?.queuedBytes == 36 })
                #expect(server.records.allSatisfy { $0.outputs.isEmpty })
            }
            if mode == .two || mode == .four {
                #expect(server.waitForEvent { $0.kind == .queueEmpty } != nil)
            }
            #expect(server.records.allSatisfy { $0.backend == backend })
            client.close()
            #expect(server.waitForEvent { $0.kind == .close && $0.peerPort == port } != nil)
            #expect(server.stop())
        }

        @Test("poll and epoll report urgent data in the exceptional set", arguments: [BackendKind.poll, .epoll])
        func urgentDataUnderBackend(backend: BackendKind) throws {
            let server = try HostedServer(mode: .three, backend: backend, payloadCapture: 8)
            let client = try TestClient(port: server.port)
            var urgent = UInt8(ascii: "!")
            #expect(Glibc.send(client.fd, &urgent, 1, Int32(MSG_OOB) | Int32(MSG_NOSIGNAL)) == 1)
            let event = try #require(server.waitForEvent { $0.kind == .urgent })
            #expect(server.records.contains { $0.exceptional.contains(event.fd) })
            #expect(server.stop())
        }

        @Test("poll and epoll serve an fd at or above FD_SETSIZE", arguments: [BackendKind.poll, .epoll])
        func servesHighDescriptors(backend: BackendKind) throws {
            let limit = FileLimits.raiseToHardLimit()
            try #require(limit >= Backends.fdSetSize + 64, "RLIMIT_NOFILE is \(limit)")
            let server = try HostedServer(mode: .three, backend: backend)
            var held: [Int32] = []
            defer { closeAll(held) }
            held += try occupyDescriptors(below: Int32(Backends.fdSetSize) + 8)
            let client = try TestClient(port: server.port)
            let port = client.localPort
            let accepted = try #require(server.waitForEvent { $0.kind == .accept && $0.peerPort == port })
            #expect(accepted.fd >= Int32(Backends.fdSetSize))
            try client.send(hello)
            #expect(try client.receive(exactly: 12) == hello)
            #expect(server.stop())
        }

        @Test("switching select → poll → epoll → select while clients stream loses no connection and no byte")
        func switchingBackendsKeepsEverything() throws {
            let server = try HostedServer(mode: .four, keepRecords: false)
            let clients = try (0..<8).map { _ in try TestClient(port: server.port) }
            let order: [BackendKind] = [.poll, .epoll, .select, .epoll, .poll, .select]
            var switches = order.makeIterator()
            for round in 0..<60 {
                if round % 10 == 5, let next = switches.next() { server.host.send(.switchBackend(next)) }
                for (index, client) in clients.enumerated() {
                    let message = Array("client \(index) round \(round);".utf8)
                    try client.send(message)
                    #expect(try client.receive(exactly: message.count) == message)
                }
            }
            let backendEvents = server.events(where: { $0.kind == .backend })
            #expect(backendEvents.map { $0.to ?? "" } == order.map(\.rawValue))
            #expect(server.events(where: { $0.kind == .close }).isEmpty)
            #expect(server.server.snapshot().connections.count == clients.count)
            #expect(server.stop())
        }
    }
}
