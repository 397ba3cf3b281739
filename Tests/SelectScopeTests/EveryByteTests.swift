import LoopbackTesting
import Foundation
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif


/// Issue 2, Done-when 3: in modes 2–5 every byte comes back, in order. 50 clients each
/// send 1 MiB of pseudo-random content in random-sized writes (1 B – 64 KiB) while reading
/// the echo; then each half-closes, and the server must send back everything still queued
/// before it closes. Mode 1 never echoes and is left out. Run against the real binary; the
/// four modes one after another (each moves 100 MiB through loopback).
@Suite("every byte comes back in order (50 clients × 1 MiB)", .serialized)
struct EveryByte {
    static let clients = 50
    static let size = 1 << 20

    final class Stream {
        let client: LoopbackClient
        let sent: [UInt8]
        var offset = 0
        var received: [UInt8]
        var receivedCount = 0
        var finishedSending = false
        var ended = false
        var failure: String?
        var random: SplitMix64

        init(port: Int, seed: UInt64) throws {
            random = SplitMix64(seed: seed)
            sent = random.bytes(EveryByte.size)
            // One spare byte: anything beyond what was sent is caught, not truncated.
            received = [UInt8](repeating: 0, count: EveryByte.size + 1)
            client = try LoopbackClient(port: port)
            client.setNonBlocking()
        }
    }

    @Test("modes 2–5: 50 clients × 1 MiB, random-sized writes, echoed byte for byte", arguments: [2, 3, 4, 5])
    func everyByte(mode: Int) throws {
        let (server, port) = try Rig.startServer(["--mode", String(mode), "--log", "none"])
        defer { server.stop() }
        let streams = try (0..<Self.clients).map { try Stream(port: port, seed: UInt64(mode * 1000 + $0)) }
        let started = Rig.now()
        let deadline = started + 90
        var descriptors = [pollfd](repeating: pollfd(), count: streams.count)

        while streams.contains(where: { !$0.ended && $0.failure == nil }) && Rig.now() < deadline {
            for (index, stream) in streams.enumerated() {
                var events: Int16 = 0
                if !stream.ended && stream.failure == nil {
                    events |= Int16(POLLIN)
                    if !stream.finishedSending { events |= Int16(POLLOUT) }
                }
                descriptors[index] = pollfd(fd: events == 0 ? -1 : stream.client.fd, events: events, revents: 0)
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), 200)
            if ready <= 0 { continue }
            for (index, stream) in streams.enumerated() where descriptors[index].revents != 0 {
                let revents = descriptors[index].revents
                if revents & Int16(POLLOUT) != 0 && !stream.finishedSending {
                    let want = min(Int.random(in: 1...65536, using: &stream.random), Self.size - stream.offset)
                    let n = stream.client.trySend(stream.sent[stream.offset..<(stream.offset + want)])
                    stream.offset += n
                    if stream.offset == Self.size {
                        stream.finishedSending = true
                        stream.client.shutdownWrite()
                    }
                }
                if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                    let room = stream.received.count - stream.receivedCount
                    let n = stream.received.withUnsafeMutableBytes { raw in
                        recv(stream.client.fd, raw.baseAddress! + stream.receivedCount, room, Int32(MSG_DONTWAIT))
                    }
                    if n > 0 {
                        stream.receivedCount += n
                        if stream.receivedCount > Self.size { stream.failure = "received more than was sent" }
                    } else if n == 0 {
                        stream.ended = true
                    } else if errno != EAGAIN && errno != EINTR {
                        stream.failure = "recv: errno \(errno) after \(stream.receivedCount) bytes"
                    }
                }
            }
        }
        let elapsed = Rig.now() - started

        var bad: [String] = []
        for (index, stream) in streams.enumerated() {
            if let failure = stream.failure { bad.append("client \(index): \(failure)"); continue }
            if !stream.ended { bad.append("client \(index): no end of stream; sent \(stream.offset), got back \(stream.receivedCount)"); continue }
            if stream.receivedCount != Self.size { bad.append("client \(index): got back \(stream.receivedCount) of \(Self.size)"); continue }
            let same = stream.sent.withUnsafeBytes { a in stream.received.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, Self.size) == 0 } }
            if !same {
                let first = (0..<Self.size).first { stream.sent[$0] != stream.received[$0] } ?? -1
                bad.append("client \(index): content differs from byte \(first)")
            }
        }
        #expect(bad.isEmpty, "mode \(mode), \(String(format: "%.1f", elapsed)) s:\n\(bad.prefix(10).joined(separator: "\n"))")
        #expect(server.isRunning, "\(server.transcript)")
        #expect(server.stop() == 0)
    }
}
