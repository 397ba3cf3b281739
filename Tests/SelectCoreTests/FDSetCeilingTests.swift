import Testing
@testable import SelectCore
#if canImport(Glibc)
import Glibc
#endif

extension InProcess {
    @Suite("FD_SETSIZE under select")
    struct FDSetCeiling {
        @Test("an accepted fd ≥ 1024 is refused with an event, no crash; others are served after")
        func refusesHighDescriptor() throws {
            let limit = FileLimits.raiseToHardLimit()
            try #require(limit >= Backends.fdSetSize + 64, "RLIMIT_NOFILE is \(limit): cannot reach fd \(Backends.fdSetSize)")
            #expect(Backends.fdSetSize == 1024)

            let server = try HostedServer(mode: .two)
            // Before the fill: a client is served normally.
            try expectServes(server, mode: .two)

            // Fill this process's descriptor table below 1024 so the server's next accept
            // gets an fd past FD_SETSIZE. (Other tests in the process may free a low fd
            // meanwhile; then the accept lands low and we fill again.)
            var held: [Int32] = []
            defer { closeAll(held) }
            var refused: ServerEvent?
            var client: TestClient?
            for _ in 0..<20 where refused == nil {
                held += try occupyDescriptors(below: Int32(Backends.fdSetSize))
                let attempt = try TestClient(port: server.port)
                let port = attempt.localPort
                let outcome = server.waitForEvent { ($0.kind == .refused || $0.kind == .accept) && $0.peerPort == port }
                let event = try #require(outcome, "the server neither accepted nor refused the client")
                if event.kind == .refused { refused = event; client = attempt } else { attempt.close() }
            }
            let event = try #require(refused, "never got an fd at or above FD_SETSIZE")
            #expect(event.fd >= Int32(Backends.fdSetSize))
            #expect(event.detail == String(Backends.fdSetSize))
            #expect(SeedLog.line(for: event).contains("FD_SETSIZE"))
            // The refused connection was closed: the client sees the end.
            #expect(try #require(client).waitForClose(timeout: 5))
            #expect(server.server.snapshot().counters.refused >= 1)
            #expect(server.isRunning)
            // It never entered the lists.
            for record in server.records {
                #expect(!record.inputs.contains(event.fd) && !record.outputs.contains(event.fd))
            }

            // Release the dups: the next client gets a low fd and is served normally.
            closeAll(held)
            held = []
            try expectServes(server, mode: .two)
            #expect(server.isRunning)
            #expect(server.stop())
        }
    }
}
