/// poll and epoll arrive with the scale work; until then they are refused by name.
extension Backends {
    static func makeScalable(_ kind: BackendKind) throws -> ReadinessBackend {
        throw BackendUnavailable(kind: kind)
    }
}

public struct BackendUnavailable: Error, CustomStringConvertible {
    public let kind: BackendKind
    public var description: String { "the \(kind.rawValue) backend is not available yet; use --backend select" }
}
