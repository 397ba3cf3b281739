import Testing
@testable import SelectCore
#if canImport(Glibc)
import Glibc
#endif

private let hello = Array(ascii: "Hello, world")

extension InProcess {
    /// SPEC §1's table, one call at a time: what each mode does with data and with
    /// writable sockets, checked on the records of the calls the test caused.
    @Suite("the five modes")
    struct ModeBehaviour {
        /// Connect and accept: the first call sees only the listener.
        private func accept(_ stepper: Stepper) throws -> (TestClient, Int32) {
            let client = try TestClient(port: stepper.port)
            let record = try stepper.step()
            let listener = stepper.server.listener
            #expect(record.inputs == [listener])
            #expect(record.outputs == [])
            #expect(record.readable == [listener])
            let accept = try #require(record.events.first { $0.kind == .accept })
            #expect(accept.peer == PeerAddress(host: "127.0.0.1", port: client.localPort))
            return (client, accept.fd)
        }

        @Test("with nobody reading events (headless, no log, no trace) the lists, queues and echo are unchanged")
        func withoutEvents() throws {
            let stepper = try Stepper(mode: .four, keepsRecords: false)
            let client = try TestClient(port: stepper.port)
            let accepted = try stepper.step()
            #expect(accepted.readable == [stepper.server.listener])
            #expect(accepted.events.isEmpty)
            let fd = try #require(accepted.queues.first?.fd)
            try client.send(hello)
            let received = try stepper.step()
            #expect(received.readable == [fd] && received.events.isEmpty)
            #expect(received.queues == [QueueDepth(fd: fd, messages: 1, bytes: 12)])
            let sent = try stepper.step()
            #expect(sent.writable == [fd] && sent.events.isEmpty)
            #expect(sent.queues == [QueueDepth(fd: fd, messages: 0, bytes: 0)])
            #expect(try client.receive(exactly: 12) == hello)
            let snapshot = stepper.server.snapshot()
            #expect(snapshot.counters.accepted == 1 && snapshot.counters.bytesIn == 12 && snapshot.counters.bytesOut == 12)
        }

        @Test("mode 1: the queue grows, nothing is sent, outputs stays empty")
        func modeOneQueues() throws {
            let stepper = try Stepper(mode: .one)
            let (client, fd) = try accept(stepper)
            var records: [StepRecord] = []
            for round in 1...3 {
                try client.send(hello)
                let record = try stepper.step()
                records.append(record)
                #expect(record.readable == [fd])
                #expect(record.events.map(\.kind) == [.recv])
                #expect(record.queues == [QueueDepth(fd: fd, messages: round, bytes: 12 * round)])
            }
            for record in records {
                #expect(record.outputs.isEmpty)
                #expect(record.writable.isEmpty)
                #expect(!record.events.contains { $0.kind == .send })
            }
            let snapshot = stepper.server.snapshot()
            #expect(snapshot.outputs.isEmpty)
            #expect(snapshot.inputs == [stepper.server.listener, fd])
            let row = try #require(snapshot.connections.first)
            #expect(row.queuedMessages == 3 && row.queuedBytes == 36 && row.bytesOut == 0)
            // Anything sent back would already be here: the call that received it is over.
            #expect(client.receiveAvailable() == nil)

            // The peer finishes: mode 1 never sends, so it closes at once.
            client.shutdownWrite()
            let close = try stepper.step()
            #expect(close.events.map(\.kind) == [.close])
            #expect(close.events.first?.reason == .eof)
            #expect(stepper.server.snapshot().connections.isEmpty)
            #expect(client.waitForClose(timeout: 5))
        }

        @Test("modes 2 and 4: outputs takes the connection, sends, lets go after queue-empty",
              arguments: [Mode.two, .four])
        func writableModes(mode: Mode) throws {
            let stepper = try Stepper(mode: mode)
            let listener = stepper.server.listener
            let (client, fd) = try accept(stepper)
            for _ in 1...2 {
                try client.send(hello)
                let received = try stepper.step()
                #expect(received.inputs == [listener, fd])
                #expect(received.outputs == [])
                #expect(received.readable == [fd])
                #expect(received.events.map(\.kind) == [.recv])
                #expect(received.queues == [QueueDepth(fd: fd, messages: 1, bytes: 12)])
                #expect(stepper.server.snapshot().outputs == [fd])

                let sent = try stepper.step()
                #expect(sent.outputs == [fd])
                #expect(sent.writable == [fd])
                #expect(sent.readable == [])
                #expect(sent.events.map(\.kind) == [.send])
                #expect(sent.events.first?.bytes == 12)
                #expect(sent.events.first?.isShortSend == false)
                #expect(sent.queues == [QueueDepth(fd: fd, messages: 0, bytes: 0)])

                let empty = try stepper.step()
                #expect(empty.outputs == [fd])
                #expect(empty.writable == [fd])
                #expect(empty.events.map(\.kind) == [.queueEmpty])
                #expect(stepper.server.snapshot().outputs == [])
                #expect(try client.receive(exactly: 12) == hello)
            }
            client.close()
            let close = try stepper.step()
            #expect(close.readable == [fd])
            #expect(close.events.map(\.kind) == [.close])
            #expect(stepper.server.snapshot().inputs == [listener])
        }

        @Test("modes 3 and 5: echo straight from the recv branch, outputs stays empty",
              arguments: [Mode.three, .five])
        func directModes(mode: Mode) throws {
            let stepper = try Stepper(mode: mode)
            let (client, fd) = try accept(stepper)
            for _ in 1...3 {
                try client.send(hello)
                let record = try stepper.step()
                #expect(record.readable == [fd])
                #expect(record.outputs.isEmpty)
                #expect(record.timeout == (mode == .five ? 2.0 : nil))
                #expect(record.events.map(\.kind) == [.recv, .send])
                let send = try #require(record.events.last)
                #expect(send.direct && send.bytes == 12 && send.requested == 12)
                #expect(try client.receive(exactly: 12) == hello)
                #expect(stepper.server.snapshot().outputs.isEmpty)
            }
            client.close()
            let close = try stepper.step()
            #expect(close.events.map(\.kind) == [.close])
        }

        @Test("mode 5: an idle call comes back empty after 2 s and is a timeout")
        func modeFiveTimeout() throws {
            let stepper = try Stepper(mode: .five)
            let started = monotonicNow()
            let record = try stepper.step(timeout: 6)
            let elapsed = monotonicNow() - started
            #expect(record.timeout == 2.0)
            #expect(record.isEmptyResult)
            #expect(record.events.map(\.kind) == [.timeout])
            #expect(record.blockedMilliseconds >= 1900 && record.blockedMilliseconds <= 3000)
            #expect(elapsed >= 1.9 && elapsed <= 3.0)
            #expect(stepper.server.snapshot().counters.timeouts == 1)
        }

        @Test("modes 1–4 block: no timeout is passed to select()", arguments: [Mode.one, .two, .three, .four])
        func blockingModes(mode: Mode) throws {
            let stepper = try Stepper(mode: mode)
            let client = try TestClient(port: stepper.port)
            let record = try stepper.step()
            #expect(record.timeout == nil)
            #expect(record.events.map(\.kind) == [.accept])
            #expect(record.events.first?.peerPort == client.localPort)
            // With nothing to do the call blocks until the watchdog wakes it: never a timeout.
            #expect(throws: TestFailure.self) { try stepper.step(timeout: 0.3) }
            #expect(stepper.server.snapshot().counters.timeouts == 0)
        }
    }
}
