#if canImport(Glibc)
import Glibc
#endif

/// An IP address and port, as the server caches it at accept time.
///
/// The text of the address is stored inline rather than as a `String`, so the value holds no
/// reference: events that carry it are copied by the server loop without a retain or release.
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible {
    /// Room for the longest numeric address (INET6_ADDRSTRLEN is 46) or a short host name;
    /// longer names are cut to fit.
    public static let hostCapacity = 48

    private var hostCount: UInt8 = 0
    private var hostBytes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    public var port: Int

    public init(host: String, port: Int) {
        self.port = port
        self.host = host
    }

    public var host: String {
        get {
            withUnsafeBytes(of: hostBytes) { String(decoding: $0.prefix(Int(hostCount)), as: UTF8.self) }
        }
        set {
            // Cut at a whole character, never inside one.
            var count = 0
            for scalar in newValue.unicodeScalars {
                let width = UTF8.width(scalar)
                if count + width > PeerAddress.hostCapacity { break }
                count += width
            }
            let utf8 = Array(newValue.utf8.prefix(count))
            hostBytes = (0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &hostBytes) { $0.copyBytes(from: utf8) }
            hostCount = UInt8(utf8.count)
        }
    }

    public static func == (a: PeerAddress, b: PeerAddress) -> Bool {
        a.port == b.port && a.hostCount == b.hostCount
            && withUnsafeBytes(of: a.hostBytes) { x in withUnsafeBytes(of: b.hostBytes) { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(port)
        withUnsafeBytes(of: hostBytes) { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0.prefix(Int(hostCount)))) }
    }

    /// "127.0.0.1:5000" ("[::1]:5000" for IPv6).
    public var description: String {
        isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The way Python prints an address tuple: ('127.0.0.1', 5000).
    public var pythonTuple: String {
        isIPv6 ? "('\(host)', \(port), 0, 0)" : "('\(host)', \(port))"
    }

    /// A colon in the text: looked for in the inline bytes (a traced program's every recv and
    /// send names its peer; Foundation's `contains` made a String search of it).
    private var isIPv6: Bool {
        withUnsafeBytes(of: hostBytes) { $0.prefix(Int(hostCount)).contains(UInt8(ascii: ":")) }
    }

    init?(storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let (address, port) = withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ($0.pointee.sin_addr, $0.pointee.sin_port) }
            }
            self = withUnsafeBytes(of: address) { PeerAddress(family: AF_INET, address: $0, networkPort: port) }
        case AF_INET6:
            let (address, port) = withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ($0.pointee.sin6_addr, $0.pointee.sin6_port) }
            }
            self = withUnsafeBytes(of: address) { PeerAddress(family: AF_INET6, address: $0, networkPort: port) }
        default:
            return nil
        }
    }

    /// The kernel's binary address, written as text straight into the inline storage.
    private init(family: Int32, address: UnsafeRawBufferPointer, networkPort: UInt16) {
        port = Int(UInt16(bigEndian: networkPort))
        let count = withUnsafeMutableBytes(of: &hostBytes) { text -> Int in
            _ = inet_ntop(family, address.baseAddress, text.baseAddress?.assumingMemoryBound(to: CChar.self), socklen_t(text.count))
            return text.firstIndex(of: 0) ?? text.count
        }
        hostCount = UInt8(count)
    }

    public static func local(of fd: Int32) -> PeerAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 ? PeerAddress(storage: storage) : nil
    }

    static func remote(of fd: Int32) -> PeerAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        return result == 0 ? PeerAddress(storage: storage) : nil
    }
}
