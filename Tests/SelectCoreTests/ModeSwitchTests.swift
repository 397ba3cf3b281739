import Testing
@testable import SelectCore
#if canImport(Glibc)
import Glibc
#endif

private let hello = Array(ascii: "Hello, world")

extension InProcess {
    @Suite("switching mode at runtime")
    struct ModeSwitch {
        @Test("mode 1's queue survives a switch to 2 and is echoed, in order")
        func oneToTwoEchoesQueue() throws {
            let stepper = try Stepper(mode: .one)
            let client = try TestClient(port: stepper.port)
            let accept = try stepper.step()
            let fd = try #require(accept.events.first { $0.kind == .accept }).fd
            let messages = ["first", "second", "third"].map { Array(ascii: $0) }
            for message in messages {
                try client.send(message)
                try stepper.step()
            }
            #expect(stepper.server.snapshot().connections.first?.queuedBytes == 16)
            #expect(stepper.server.snapshot().outputs.isEmpty)

            stepper.server.switchMode(to: .two)
            // Entering mode 2 puts the connection with a non-empty queue back in outputs.
            #expect(stepper.server.snapshot().outputs == [fd])
            #expect(stepper.server.snapshot().inputs == [stepper.server.listener, fd])
            let records = try stepper.step(until: { $0.events.contains { $0.kind == .queueEmpty } })
            let first = try #require(records.first)
            #expect(first.mode == .two)
            #expect(first.events.first?.kind == .mode)
            #expect(first.events.first?.from == "1" && first.events.first?.to == "2")
            #expect(first.outputs == [fd])
            let sends = records.flatMap(\.events).filter { $0.kind == .send }
            #expect(sends.map(\.bytes) == [5, 6, 5])
            #expect(try client.receive(exactly: 16) == messages.flatMap { $0 })
            #expect(stepper.server.snapshot().connections.map(\.fd) == [fd], "the connection was kept")
            #expect(stepper.server.snapshot().outputs.isEmpty)
        }

        @Test("switching to 1 empties outputs and keeps the bytes; entering 4 puts them back")
        func outputsFollowTheMode() throws {
            let stepper = try Stepper(mode: .two)
            let client = try TestClient(port: stepper.port)
            try stepper.step()
            try client.send(hello)
            let received = try stepper.step()
            let fd = try #require(received.events.first { $0.kind == .recv }).fd
            #expect(stepper.server.snapshot().outputs == [fd])

            stepper.server.switchMode(to: .one)
            var snapshot = stepper.server.snapshot()
            #expect(snapshot.mode == .one)
            #expect(snapshot.outputs.isEmpty)
            #expect(snapshot.connections.first?.queuedBytes == 12)

            // In mode 1 the next call does not watch for writing and sends nothing.
            try client.send(hello)
            let inOne = try stepper.step()
            #expect(inOne.outputs.isEmpty && inOne.writable.isEmpty)
            #expect(inOne.events.map(\.kind) == [.mode, .recv])
            #expect(stepper.server.snapshot().connections.first?.queuedBytes == 24)
            #expect(client.receiveAvailable() == nil)

            stepper.server.switchMode(to: .four)
            snapshot = stepper.server.snapshot()
            #expect(snapshot.outputs == [fd])
            let records = try stepper.step(until: { $0.events.contains { $0.kind == .queueEmpty } })
            #expect(records.first?.events.first?.kind == .mode)
            #expect(try client.receive(exactly: 24) == hello + hello)
            #expect(stepper.server.snapshot().outputs.isEmpty)
            #expect(client.receiveAvailable() == nil)

            // Switching back and forth with an empty queue leaves outputs empty: nothing spins.
            stepper.server.switchMode(to: .two)
            #expect(stepper.server.snapshot().outputs.isEmpty)
            stepper.server.switchMode(to: .three)
            #expect(stepper.server.snapshot().outputs.isEmpty)
            try client.send(hello)
            let direct = try stepper.step()
            #expect(direct.events.map(\.kind) == [.mode, .mode, .recv, .send])
            #expect(try client.receive(exactly: 12) == hello)
        }

        @Test("the host applies a switch between calls, even while select() blocks")
        func hostSwitchWhileBlocked() throws {
            let server = try HostedServer(mode: .one)
            let client = try TestClient(port: server.port)
            let port = client.localPort
            try client.send(hello)
            #expect(waitUntil(timeout: 5) { server.row(forPeerPort: port)?.queuedBytes == 12 })
            // The loop is blocked in select() with only the listener and this client in it.
            server.host.send(.switchMode(.four))
            #expect(try client.receive(exactly: 12) == hello)
            let modeEvent = try #require(server.waitForEvent { $0.kind == .mode })
            #expect(modeEvent.from == "1" && modeEvent.to == "4")
            #expect(waitUntil(timeout: 5) { server.server.snapshot().outputs.isEmpty })
            #expect(server.row(forPeerPort: port) != nil)
            #expect(server.stop())
        }
    }
}
