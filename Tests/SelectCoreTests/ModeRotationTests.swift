import LoopbackTesting
import Testing
@testable import SelectCore
#if canImport(Glibc)
import Glibc
#endif

extension InProcess.ModeSwitch {
    /// SPEC §1: "Switching mode at runtime keeps every connection and every queued byte."
    /// Under load, with the mode changing every few milliseconds (mode 1 included, which
    /// holds bytes back and may pause a connection at the cap), every byte still comes back
    /// once a sending mode is left in place, in order, on the same connections.
    @Test("switching modes under load loses, duplicates and reorders nothing")
    func rotationUnderLoad() throws {
        // A small cap: the mode-1 stretches fill queues and pause connections mid-transfer.
        let server = try HostedServer(mode: .two, queueCap: 4096, keepRecords: false)
        let count = 10
        let size = 256 * 1024
        var random = SplitMix64(seed: 7)
        let payloads = (0..<count).map { _ in random.bytes(size) }
        let clients = try (0..<count).map { _ in try TestClient(port: server.port) }
        for client in clients { client.setNonBlocking() }
        var sent = [Int](repeating: 0, count: count)
        var received = [[UInt8]](repeating: [], count: count)

        // The switches come from the client loop itself, one every other round, so they are
        // spread over the whole transfer however fast it goes.
        let order: [Mode] = [.one, .three, .four, .one, .five, .two]
        var switches = 0
        var round = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = monotonicNow() + 60
        var stoppedRotation = false
        while monotonicNow() < deadline {
            round += 1
            if !stoppedRotation && sent.allSatisfy({ $0 == size }) {
                // Everything is sent: leave a sending mode in place so the rest drains.
                server.host.send(.switchMode(.four))
                stoppedRotation = true
            } else if !stoppedRotation && round % 2 == 0 {
                server.host.send(.switchMode(order[switches % order.count]))
                switches += 1
            }
            if stoppedRotation && received.allSatisfy({ $0.count >= size }) { break }
            var descriptors = clients.enumerated().map { index, client in
                pollfd(fd: client.fd, events: Int16(POLLIN) | (sent[index] < size ? Int16(POLLOUT) : 0), revents: 0)
            }
            guard poll(&descriptors, nfds_t(descriptors.count), 50) > 0 else { continue }
            for (index, client) in clients.enumerated() {
                let revents = descriptors[index].revents
                if revents & Int16(POLLOUT) != 0 && sent[index] < size {
                    let end = min(size, sent[index] + Int.random(in: 1...8192, using: &random))
                    sent[index] += client.trySend(payloads[index][sent[index]..<end])
                }
                if revents & Int16(POLLIN) != 0 {
                    let n = Glibc.recv(client.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                    if n > 0 { received[index].append(contentsOf: buffer[0..<n]) }
                }
            }
        }

        let modeSwitches = server.events(where: { $0.kind == .mode }).count
        #expect(modeSwitches >= 10, "the mode changed only \(modeSwitches) times")
        for index in 0..<count {
            #expect(sent[index] == size, "client \(index) sent \(sent[index])")
            #expect(received[index].count == size, "client \(index) got back \(received[index].count) of \(size)")
            // Compared outside #expect: a failing == on 256 KiB arrays would make Swift
            // Testing diff them element by element, which takes practically forever.
            let same = received[index] == payloads[index]
            let firstBad = same ? nil : zip(received[index], payloads[index]).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(same, "client \(index): echoed bytes differ from byte \(firstBad ?? min(received[index].count, size))")
        }
        #expect(server.events(where: { $0.kind == .close }).isEmpty, "a connection was closed")
        #expect(server.server.snapshot().connections.count == count)
        #expect(server.stop())
    }
}
