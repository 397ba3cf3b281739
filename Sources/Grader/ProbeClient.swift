import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// One scripted client on 127.0.0.1: it keeps a log of every byte it sent and got back, and
/// every wait it makes has a deadline.
final class ProbeClient {
    private(set) var fd: Int32
    var log: ClientLog
    /// The handshake finished (or failed: then reads and writes report it).
    var connected = true
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Connects (blocking, within `timeout`). `receiveBuffer` sets SO_RCVBUF first.
    /// With `wait` false the connection completes in the background (`waitConnected`).
    init(port: Int, role: String, index: Int, timeout: Double = 3, receiveBuffer: Int32? = nil, sendBuffer: Int32? = nil,
         wait: Bool = true) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket", errno: errno) }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if var size = sendBuffer {
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 && errno != EINPROGRESS {
            let code = errno
            Glibc.close(fd)
            throw SystemError("connect to 127.0.0.1:\(port)", errno: code)
        }
        if result != 0 && wait {
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = Glibc.poll(&descriptor, 1, Int32(timeout * 1000))
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            if ready <= 0 || code != 0 {
                Glibc.close(fd)
                throw SystemError("connect to 127.0.0.1:\(port)", errno: ready <= 0 ? ETIMEDOUT : code)
            }
        }
        self.fd = fd
        connected = result == 0 || wait
        log = ClientLog(role: role, localPort: ProbeClient.localPort(of: fd), index: index)
    }

    deinit { close() }

    /// Waits until every connection started without waiting is up (or failed), or the deadline.
    @discardableResult
    static func waitConnected(_ clients: [ProbeClient], timeout: Double) -> Int {
        let deadline = Posix.monotonicSeconds() + timeout
        var pending = clients.filter { !$0.connected && $0.fd >= 0 }
        while !pending.isEmpty && Posix.monotonicSeconds() < deadline {
            var descriptors = pending.map { pollfd(fd: $0.fd, events: Int16(POLLOUT), revents: 0) }
            _ = Glibc.poll(&descriptors, nfds_t(descriptors.count), 50)
            for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
                pending[index].connected = true
            }
            pending = pending.filter { !$0.connected }
        }
        return clients.filter(\.connected).count
    }

    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    static func localPort(of fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Sends every byte within `timeout`; false (and a problem logged) when it could not.
    @discardableResult
    func send(_ bytes: [UInt8], timeout: Double = 3) -> Bool {
        var offset = 0
        let deadline = Posix.monotonicSeconds() + timeout
        while offset < bytes.count {
            let count = trySend(bytes[offset...])
            if count < 0 { return false }
            offset += count
            if offset < bytes.count {
                if Posix.monotonicSeconds() > deadline {
                    log.problem = "could send only \(offset) of \(bytes.count) B"
                    return false
                }
                _ = wait(Int16(POLLOUT), timeout: 0.05)
            }
        }
        return true
    }

    /// One attempt: the bytes the kernel took (0 when none fit); -1 on error.
    func trySend(_ bytes: ArraySlice<UInt8>) -> Int {
        guard !bytes.isEmpty else { return 0 }
        let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        if count > 0 {
            log.sent.append(contentsOf: bytes.prefix(count))
            return count
        }
        if count < 0 && errno != EAGAIN && errno != EINTR {
            log.problem = log.problem ?? "send: \(SystemError("", errno: errno).name)"
            log.sawClose = true
            return -1
        }
        return 0
    }

    func wait(_ events: Int16, timeout: Double) -> Bool {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        return Glibc.poll(&descriptor, 1, Int32(max(0, timeout * 1000))) > 0
    }

    /// Reads what is there now (up to `limit` bytes); false once the server closed.
    @discardableResult
    func drain(limit: Int = Int.max) -> Bool {
        var taken = 0
        while taken < limit {
            let want = min(buffer.count, limit - taken)
            let n = Glibc.recv(fd, &buffer, want, Int32(MSG_DONTWAIT))
            if n > 0 {
                log.received.append(contentsOf: buffer[0..<n])
                taken += n
                continue
            }
            if n == 0 { log.sawClose = true; return false }
            if errno == EAGAIN || errno == EINTR { return true }
            log.sawClose = true
            log.problem = log.problem ?? "recv: \(SystemError("", errno: errno).name)"
            return false
        }
        return true
    }

    /// Waits until `count` bytes in all came back, or the server closed, or the deadline; with
    /// `idle`, also gives up once nothing at all has come back for that long (a program that
    /// never echoes is not waited on for the whole deadline).
    @discardableResult
    func receive(upTo count: Int, timeout: Double, idle: Double? = nil) -> Bool {
        let deadline = Posix.monotonicSeconds() + timeout
        var lastProgress = Posix.monotonicSeconds()
        var seen = log.received.count
        while log.received.count < count {
            let now = Posix.monotonicSeconds()
            let left = deadline - now
            if left <= 0 {
                log.problem = log.problem ?? "got \(log.received.count) of \(count) B within \(Int(timeout)) s"
                return false
            }
            if let idle, now - lastProgress > idle {
                log.problem = log.problem ?? "got \(log.received.count) of \(count) B, then nothing for \(Int(idle)) s"
                return false
            }
            if wait(Int16(POLLIN), timeout: min(left, 0.2)) && !drain() { return log.received.count >= count }
            if log.received.count > seen {
                seen = log.received.count
                lastProgress = Posix.monotonicSeconds()
            }
        }
        return true
    }

    /// Sends a message and waits for its echo.
    @discardableResult
    func exchange(_ bytes: [UInt8], timeout: Double = 3) -> Bool {
        let target = log.received.count + bytes.count
        return send(bytes, timeout: timeout) && receive(upTo: target, timeout: timeout)
    }

    /// Reads until the server closes (EOF or reset) or the deadline.
    @discardableResult
    func readUntilClosed(timeout: Double) -> Bool {
        let deadline = Posix.monotonicSeconds() + timeout
        while Posix.monotonicSeconds() < deadline {
            if wait(Int16(POLLIN), timeout: min(0.2, deadline - Posix.monotonicSeconds())) && !drain() { return true }
        }
        return false
    }

    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Sends `bytes` and finishes sending in one go: corked, the kernel puts the FIN on the
    /// message's own segment, so the program finds the message and the end together whatever
    /// the scheduling. Sent apart, a loaded machine could hold this thread between the two
    /// long enough for the program to echo before the FIN came, and the check would be luck.
    func sendAndFinish(_ bytes: [UInt8]) -> Bool {
        setCork(true)
        let sent = send(bytes)
        shutdownWrite()
        setCork(false)
        return sent
    }

    private func setCork(_ on: Bool) {
        var value: Int32 = on ? 1 : 0
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Closes with an RST: SO_LINGER with a zero timeout.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }
}
