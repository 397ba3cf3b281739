import Testing
@testable import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// The values the loop copies on every echo keep their meaning however they are stored.
@Suite("events and addresses as values")
struct ValueTypeTests {
    @Test("an address keeps its text and port, IPv4 and the longest IPv6")
    func addressRoundTrip() {
        let v4 = PeerAddress(host: "127.0.0.1", port: 50000)
        #expect(v4.host == "127.0.0.1" && v4.port == 50000)
        #expect(v4.description == "127.0.0.1:50000")
        #expect(v4.pythonTuple == "('127.0.0.1', 50000)")
        let longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
        let v6 = PeerAddress(host: longest, port: 1)
        #expect(v6.host == longest)
        #expect(v6.description == "[\(longest)]:1")
    }

    @Test("a kernel address becomes the same value as its text, IPv4 and IPv6")
    func addressFromTheKernel() throws {
        var storage = sockaddr_storage()
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                $0.pointee.sin_family = sa_family_t(AF_INET)
                $0.pointee.sin_port = UInt16(50000).bigEndian
                inet_pton(AF_INET, "127.0.0.1", &$0.pointee.sin_addr)
            }
        }
        #expect(PeerAddress(storage: storage) == PeerAddress(host: "127.0.0.1", port: 50000))
        storage = sockaddr_storage()
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                $0.pointee.sin6_family = sa_family_t(AF_INET6)
                $0.pointee.sin6_port = UInt16(5000).bigEndian
                inet_pton(AF_INET6, "::1", &$0.pointee.sin6_addr)
            }
        }
        let v6 = try #require(PeerAddress(storage: storage))
        #expect(v6 == PeerAddress(host: "::1", port: 5000))
        #expect(v6.description == "[::1]:5000")
    }

    @Test("a name past the capacity is cut at a whole character")
    func longNameIsCut() {
        let name = String(repeating: "a", count: PeerAddress.hostCapacity - 1) + "選擇"
        let address = PeerAddress(host: name, port: 7)
        #expect(address.host == String(repeating: "a", count: PeerAddress.hostCapacity - 1))
        #expect(PeerAddress(host: "", port: 0).host == "")
    }

    @Test("equal addresses are equal and hash alike; a different host or port is not")
    func addressEquality() {
        let a = PeerAddress(host: "10.0.0.1", port: 80)
        var b = PeerAddress(host: "10.0.0.2", port: 80)
        #expect(a != b)
        b.host = "10.0.0.1"
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(a != PeerAddress(host: "10.0.0.1", port: 81))
        // A shorter text set over a longer one leaves nothing of the old behind.
        var c = PeerAddress(host: "255.255.255.255", port: 80)
        c.host = "10.0.0.1"
        #expect(c == a && c.hashValue == a.hashValue)
    }

    @Test("an event's rarely used fields read back, change alone, and count in equality")
    func eventRareFields() {
        let plain = ServerEvent(kind: .recv, fd: 4, bytes: 3, peer: PeerAddress(host: "127.0.0.1", port: 9))
        #expect(plain.detail == nil && plain.payload == nil && plain.from == nil && plain.to == nil)
        var changed = plain
        changed.payload = [1, 2, 3]
        #expect(changed.payload == [1, 2, 3] && changed.detail == nil)
        #expect(plain.payload == nil, "a copy is an independent value")
        #expect(changed != plain)
        changed.detail = "ECONNRESET"
        changed.payload = nil
        #expect(changed.detail == "ECONNRESET" && changed.payload == nil)
        changed.detail = nil
        #expect(changed == plain)
        let mode = ServerEvent(kind: .mode, from: "1", to: "4")
        #expect(mode.from == "1" && mode.to == "4")
        #expect(mode != ServerEvent(kind: .mode, from: "1", to: "5"))
    }

    @Test("a payload is the same bytes inline (up to 64) or out of line (longer), whatever else is set")
    func payloadStorage() {
        let short = (0..<64).map { UInt8($0) }
        let long = (0..<1024).map { UInt8($0 & 0xff) }
        for bytes in [[], [0x41], short, long] {
            var event = ServerEvent(kind: .recv, fd: 5, bytes: bytes.count, payload: bytes)
            #expect(event.payload == bytes)
            event.detail = "ECONNRESET"
            #expect(event.payload == bytes && event.detail == "ECONNRESET")
            var captured = ServerEvent(kind: .recv, fd: 5, bytes: bytes.count)
            captured.detail = "ECONNRESET"
            bytes.withUnsafeBytes { captured.capturePayload($0, limit: 1024) }
            #expect(captured == event)
        }
        var cut = ServerEvent(kind: .send, fd: 5, bytes: 1024, requested: 1024)
        long.withUnsafeBytes { cut.capturePayload($0, limit: 64) }
        #expect(cut.payload == Array(long.prefix(64)))
        var none = ServerEvent(kind: .send, fd: 5, bytes: 1024, requested: 1024)
        long.withUnsafeBytes { none.capturePayload($0, limit: 0) }
        #expect(none.payload == nil)
        #expect(ServerEvent(kind: .recv, payload: [1, 2]) != ServerEvent(kind: .recv, payload: [1, 3]))
        var replaced = ServerEvent(kind: .recv, payload: long)
        replaced.payload = [7]
        #expect(replaced == ServerEvent(kind: .recv, payload: [7]))
    }
}

@Suite("the reducer's fd index")
struct FDIndexTests {
    @Test("small fds, huge ones and negative ones each keep their position; a cleared fd is gone")
    func positionsByFD() {
        var index = FDIndex()
        #expect(index[3] == nil)
        index[3] = 0
        index[1000] = 1
        index[Int32.max] = 2
        index[-5] = 3
        #expect(index[3] == 0 && index[1000] == 1 && index[Int32.max] == 2 && index[-5] == 3)
        #expect(index[4] == nil && index[999] == nil && index[1001] == nil && index[Int32.max - 1] == nil)
        index[1000] = nil
        index[Int32.max] = nil
        #expect(index[1000] == nil && index[Int32.max] == nil && index[3] == 0)
        // Clearing an fd never seen changes nothing.
        index[50_000] = nil
        #expect(index[50_000] == nil)
        index[Int32(FDIndex.denseLimit - 1)] = 7
        index[Int32(FDIndex.denseLimit)] = 8
        #expect(index[Int32(FDIndex.denseLimit - 1)] == 7 && index[Int32(FDIndex.denseLimit)] == 8)
    }
}
