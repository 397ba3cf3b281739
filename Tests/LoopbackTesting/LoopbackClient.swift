import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain client socket on 127.0.0.1, written directly on Glibc so the tests do not lean
/// on the code they test. Blocking by default; every wait has a deadline (poll).
public final class LoopbackClient: @unchecked Sendable {
    public let fd: Int32
    /// The client's own port: the server's `peer` for this connection.
    public let localPort: Int
    public private(set) var isClosed = false

    /// Connects to 127.0.0.1:`port`. `receiveBuffer` sets SO_RCVBUF before connecting (a
    /// small one makes the server's sends come up short).
    public init(port: Int, receiveBuffer: Int32? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LoopbackFailure("socket: errno \(errno)") }
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
            throw LoopbackFailure("connect to 127.0.0.1:\(port): errno \(code)")
        }
        self.fd = fd
        localPort = LoopbackClient.localPort(of: fd)
    }

    deinit { if !isClosed { Glibc.close(fd) } }

    public static func localPort(of fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public var receiveBufferSize: Int32 {
        var size: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &length)
        return size
    }

    public func setNonBlocking() {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    /// Sends every byte (blocking socket), or throws.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { _ = waitFor(events: Int16(POLLOUT), timeout: 1); continue }
                throw LoopbackFailure("send: errno \(errno)")
            }
            offset += count
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// One non-blocking send attempt: the bytes the kernel took (0 when it took none).
    public func trySend(_ bytes: ArraySlice<UInt8>) -> Int {
        let count = bytes.withUnsafeBytes { raw in
            Glibc.send(fd, raw.baseAddress!, raw.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
        }
        return count > 0 ? count : 0
    }

    /// Whether `events` is ready within `timeout` seconds.
    public func waitFor(events: Int16, timeout: Double) -> Bool {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        let result = Glibc.poll(&descriptor, 1, Int32(max(0, timeout * 1000)))
        return result > 0
    }

    /// Reads until exactly `count` bytes arrived; throws on EOF, error or deadline.
    public func receive(exactly count: Int, timeout: Double = 5) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = monotonicNow() + timeout
        while out.count < count {
            let left = deadline - monotonicNow()
            guard left > 0 else { throw LoopbackFailure("received \(out.count) of \(count) bytes before the deadline") }
            guard waitFor(events: Int16(POLLIN), timeout: left) else { continue }
            let want = min(buffer.count, count - out.count)
            let n = Glibc.recv(fd, &buffer, want, Int32(MSG_DONTWAIT))
            if n == 0 { throw LoopbackFailure("EOF after \(out.count) of \(count) bytes") }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw LoopbackFailure("recv: errno \(errno) after \(out.count) of \(count) bytes")
            }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }

    public func receiveString(count: Int, timeout: Double = 5) throws -> String {
        String(decoding: try receive(exactly: count, timeout: timeout), as: UTF8.self)
    }

    /// What is readable right now, without waiting (nil: nothing, EOF or error).
    public func receiveAvailable() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let n = Glibc.recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return n > 0 ? Array(buffer[0..<n]) : nil
    }

    /// True once the server closed its side (EOF or a reset), within the deadline.
    /// Bytes still arriving before the end are discarded.
    public func waitForClose(timeout: Double) -> Bool {
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
    public func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    public func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }

    /// Close with an RST (SO_LINGER 0) instead of a FIN.
    public func reset() {
        guard !isClosed else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }
}



/// A failed socket operation in a test client, with what was asked and errno.
public struct LoopbackFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
