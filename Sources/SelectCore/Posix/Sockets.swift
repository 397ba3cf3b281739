import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// TCP socket calls, each through the `Posix` funnel. Every fd made here is close-on-exec.
public enum Sockets {
    public enum SetupError: Error, CustomStringConvertible, Sendable {
        case resolve(host: String, message: String)
        case bind(address: String, port: Int, error: SystemError)
        case other(SystemError)

        public var description: String {
            switch self {
            case .resolve(let host, let message):
                return "cannot resolve host '\(host)': \(message)"
            case .bind(let address, let port, let error) where error.errno == EADDRINUSE:
                return "port \(port) on \(address) is already in use (\(error.name)); pick another with --port, or --port 0 for a free one"
            case .bind(let address, let port, let error):
                return "cannot listen on \(address) port \(port): \(error.message) (\(error.name))"
            case .other(let error):
                return error.description
            }
        }
    }

    /// The addresses a host name resolves to for TCP, IPv4 first (the seed binds 'localhost').
    static func resolve(host: String, port: Int, passive: Bool) throws -> [sockaddr_storage] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        if passive { hints.ai_flags = AI_PASSIVE }
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SetupError.resolve(host: host, message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var v4: [sockaddr_storage] = []
        var v6: [sockaddr_storage] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let info = node {
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { raw in
                raw.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
            }
            if info.pointee.ai_family == AF_INET { v4.append(storage) } else if info.pointee.ai_family == AF_INET6 { v6.append(storage) }
            node = info.pointee.ai_next
        }
        return v4 + v6
    }

    static func length(of storage: sockaddr_storage) -> socklen_t {
        Int32(storage.ss_family) == AF_INET6
            ? socklen_t(MemoryLayout<sockaddr_in6>.size) : socklen_t(MemoryLayout<sockaddr_in>.size)
    }

    /// A listening socket with SO_REUSEADDR (always: a restart never hits "address already in use").
    public static func listen(host: String, port: Int, backlog: Int32 = 128) throws -> (fd: Int32, address: PeerAddress) {
        let candidates = try resolve(host: host, port: port, passive: true)
        var lastError: SetupError = .resolve(host: host, message: "no address")
        for var storage in candidates {
            let fd = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                lastError = .other(SystemError("socket", errno: errno))
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            let addressLength = length(of: storage)
            let bound = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, addressLength) }
            }
            if bound != 0 {
                let error = SystemError("bind", errno: errno)
                Posix.close(fd)
                lastError = .bind(address: host, port: port, error: error)
                // A busy port is the answer, not a reason to try the next address: with
                // localhost = 127.0.0.1 and ::1, a second server would otherwise quietly
                // listen on ::1 instead of reporting the port in use.
                if error.errno == EADDRINUSE { throw lastError }
                continue
            }
            if Glibc.listen(fd, backlog) != 0 {
                let error = SystemError("listen", errno: errno)
                Posix.close(fd)
                lastError = .bind(address: host, port: port, error: error)
                continue
            }
            do { try Posix.setNonBlocking(fd) } catch let error as SystemError {
                Posix.close(fd)
                throw SetupError.other(error)
            }
            let address = PeerAddress.local(of: fd) ?? PeerAddress(host: host, port: port)
            return (fd, address)
        }
        throw lastError
    }

    public enum AcceptResult {
        case accepted(fd: Int32, peer: PeerAddress)
        case wouldBlock
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec socket.
    static func accept(_ listener: Int32) throws -> AcceptResult {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    ss_accept4(listener, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd >= 0 {
                let peer = PeerAddress(storage: storage) ?? PeerAddress(host: "?", port: 0)
                return .accepted(fd: fd, peer: peer)
            }
            let code = errno
            if code == EINTR || code == ECONNABORTED { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            throw SystemError("accept", errno: code)
        }
    }

    @inline(__always)
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, flags: Int32 = 0) throws -> Posix.IOResult {
        try Posix.nonBlocking("recv") { Glibc.recv(fd, buffer.baseAddress, buffer.count, flags) }
    }

    @inline(__always)
    static func send(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, flags: Int32 = 0) throws -> Posix.IOResult {
        try Posix.nonBlocking("send") { Glibc.send(fd, buffer.baseAddress, buffer.count, flags | Int32(MSG_NOSIGNAL)) }
    }

    /// A blocking client connection (the clients are simple, like the seed's).
    public static func connect(host: String, port: Int) throws -> Int32 {
        let candidates = try resolve(host: host, port: port, passive: false)
        var lastError = SystemError("connect", errno: EADDRNOTAVAIL)
        for var storage in candidates {
            let fd = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SystemError("socket", errno: errno) }
            let addressLength = length(of: storage)
            let result = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, addressLength) }
            }
            if result == 0 { return fd }
            lastError = SystemError("connect", errno: errno)
            Posix.close(fd)
        }
        throw lastError
    }

    /// Closes with an RST instead of a FIN: SO_LINGER with a zero timeout.
    public static func resetAndClose(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Posix.close(fd)
    }
}
