import Testing
@testable import SelectCore

extension InProcess {
    /// Issue 5: beside the app's own queue, what the kernel holds — bytes not yet read,
    /// connections not yet accepted.
    @Suite("kernel queues")
    struct KernelQueueTests {
        @Test("a snapshot shows pending accepts and bytes the server has not read yet")
        func snapshotShowsKernelQueues() throws {
            let stepper = try Stepper(mode: .one)
            let first = try TestClient(port: stepper.port)
            let second = try TestClient(port: stepper.port)
            #expect(waitUntil(timeout: 5) { stepper.server.snapshot().listenerPending == 2 })

            try stepper.step()
            try stepper.step()
            #expect(stepper.server.snapshot().connections.count == 2)
            #expect(stepper.server.snapshot().listenerPending == 0)

            try first.send(Array(repeating: UInt8(ascii: "a"), count: 100))
            let port = first.localPort
            let unread = waitUntil(timeout: 5) {
                stepper.server.snapshot().connections.first { $0.peer.port == port }?.kernelUnread == 100
            }
            #expect(unread, "the 100 bytes sent were not shown as unread in the kernel")
            try stepper.step()
            let row = stepper.server.snapshot().connections.first { $0.peer.port == port }
            #expect(row?.kernelUnread == 0)
            #expect(row?.queuedBytes == 100)
            second.close()
        }
    }
}

extension InProcess {
    @Suite("the screen's log")
    struct LogRingTests {
        @Test("the log keeps a preview of each message without capturing payloads in records, and stays bounded")
        func logKeepsPreviews() throws {
            let stepper = try Stepper(mode: .three, payloadCapture: 0, logCapacity: 4)
            let client = try TestClient(port: stepper.port)
            try stepper.step()
            for round in 0..<3 {
                let message = Array("message \(round) ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 100)
                try client.send(message)
                let record = try stepper.step()
                #expect(record.events.allSatisfy { $0.payload == nil })
                _ = try client.receive(exactly: message.count)
            }
            let log = stepper.server.snapshot().log
            #expect(log.count == 4)
            let last = try #require(log.last)
            #expect(last.event.kind == .send)
            #expect(last.event.payload == Array(("message 2 " + String(repeating: "x", count: 54)).utf8))
            #expect(SeedLog.line(for: last.event).hasSuffix("…(110 bytes) to ('127.0.0.1', \(client.localPort))"))
        }
    }
}
