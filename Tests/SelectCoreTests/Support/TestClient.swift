import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain client socket on 127.0.0.1, written directly on Glibc so the tests do not lean
/// on the code they test. Blocking by default; every wait has a deadline (poll).
final class TestClient: @unchecked Sendable {
    let fd: Int32
    /// The client's own port: the server's `peer` for this connection.
    let localPort: Int
    private(set) var isClosed = false

    /// Connects to 127.0.0.1:`port`. `receiveBuffer` sets SO_RCVBUF before connecting (a
    /// small one makes the server's sends come up short).
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw TestFailure("connect to 127.0.0.1:\(port): errno \(code)")
        }
        self.fd = fd
        localPort = TestClient.localPort(of: fd)
    }

    deinit { if !isClosed { Glibc.close(fd) } }

    static func localPort(of fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    var receiveBufferSize: Int32 {
        var size: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &length)
        return size
    }

    func setNonBlocking() {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    /// Sends every byte (blocking socket), or throws.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { _ = waitFor(events: Int16(POLLOUT), timeout: 1); continue }
                throw TestFailure("send: errno \(errno)")
            }
            offset += count
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// One non-blocking send attempt: the bytes the kernel took (0 when it took none).
    func trySend(_ bytes: ArraySlice<UInt8>) -> Int {
        let count = bytes.withUnsafeBytes { raw in
            Glibc.send(fd, raw.baseAddress!, raw.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
        }
        return count > 0 ? count : 0
    }

    /// Whether `events` is ready within `timeout` seconds.
    func waitFor(events: Int16, timeout: Double) -> Bool {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        let result = Glibc.poll(&descriptor, 1, Int32(max(0, timeout * 1000)))
        return result > 0
    }

    /// Reads until exactly `count` bytes arrived; throws on EOF, error or deadline.
    func receive(exactly count: Int, timeout: Double = 5) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = monotonicNow() + timeout
        while out.count < count {
            let left = deadline - monotonicNow()
            guard left > 0 else { throw TestFailure("received \(out.count) of \(count) bytes before the deadline") }
            guard waitFor(events: Int16(POLLIN), timeout: left) else { continue }
            let want = min(buffer.count, count - out.count)
            let n = Glibc.recv(fd, &buffer, want, Int32(MSG_DONTWAIT))
            if n == 0 { throw TestFailure("EOF after \(out.count) of \(count) bytes") }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw TestFailure("recv: errno \(errno) after \(out.count) of \(count) bytes")
            }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }

    func receiveString(count: Int, timeout: Double = 5) throws -> String {
        String(decoding: try receive(exactly: count, timeout: timeout), as: UTF8.self)
    }

    /// What is readable right now, without waiting (nil: nothing, EOF or error).
    func receiveAvailable() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let n = Glibc.recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return n > 0 ? Array(buffer[0..<n]) : nil
    }

    /// True once the server closed its side (EOF or a reset), within the deadline.
    /// Bytes still arriving before the end are discarded.
    func waitForClose(timeout: Double) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = monotonicNow() + timeout
        while monotonicNow() < deadline {
            guard waitFor(events: Int16(POLLIN), timeout: deadline - monotonicNow()) else { continue }
            let n = Glibc.recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n == 0 { return true }
            if n < 0 && errno != EAGAIN && errno != EINTR { return true }
        }
        return false
    }

    /// Half-close: "I am done sending" (the server's recv returns empty).
    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }

    /// Close with an RST (SO_LINGER 0) instead of a FIN.
    func reset() {
        guard !isClosed else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }
}

extension Array where Element == UInt8 {
    init(ascii text: String) { self = Array(text.utf8) }
}

/// A client that sends as fast as the kernel lets it and never reads, on its own thread,
/// until told to stop or `limit` bytes went out. Its content is a counter, so whatever comes
/// back can be checked for order.
final class Flooder: @unchecked Sendable {
    let client: TestClient
    private let state = Guarded((stop: false, sent: 0))
    private var thread: TestThread!

    convenience init(port: Int, receiveBuffer: Int32? = nil, limit: Int = 64 << 20, chunk: Int = 16 * 1024) throws {
        self.init(client: try TestClient(port: port, receiveBuffer: receiveBuffer), limit: limit, chunk: chunk)
    }

    init(client: TestClient, limit: Int = 64 << 20, chunk: Int = 16 * 1024) {
        self.client = client
        client.setNonBlocking()
        let client = self.client
        let state = self.state
        thread = TestThread {
            var bytes = [UInt8](repeating: 0, count: chunk)
            var total = 0
            while total < limit && !state.read({ $0.stop }) {
                for i in 0..<bytes.count { bytes[i] = Flooder.byte(at: total + i) }
                var offset = 0
                while offset < bytes.count && !state.read({ $0.stop }) {
                    let n = client.trySend(bytes[offset...])
                    if n == 0 { _ = client.waitFor(events: Int16(POLLOUT), timeout: 0.02); continue }
                    offset += n
                    state.modify { $0.sent += n }
                }
                total += offset
            }
        }
    }

    static func byte(at index: Int) -> UInt8 { UInt8(truncatingIfNeeded: index &* 7 &+ index >> 8) }

    var sent: Int { state.read { $0.sent } }

    /// Stops sending and waits for the thread.
    func stop() {
        state.modify { $0.stop = true }
        thread.join(timeout: 5)
    }
}
