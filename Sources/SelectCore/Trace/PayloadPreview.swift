/// The first bytes of a message, kept inline in the event that carries them.
///
/// The dashboard and the trace keep 64 bytes of each message for the log's previews. As an
/// array those cost the server loop an allocation per recv and per send; inline, an event
/// holds no reference for them and the loop copies it like any other value. Longer captures
/// (the text log keeps whole messages) stay arrays, out of line.
public struct PayloadPreview: Sendable, Equatable {
    /// As many bytes as the dashboard and the trace keep.
    public static let capacity = 64

    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    public private(set) var count: UInt8 = 0

    /// The first `capacity` bytes of `bytes`, or nil when there are more.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= Self.capacity else { return nil }
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
        count = UInt8(bytes.count)
    }

    public init?(_ bytes: [UInt8]) {
        guard let preview = bytes.withUnsafeBytes({ PayloadPreview($0) }) else { return nil }
        self = preview
    }

    public var bytes: [UInt8] {
        withUnsafeBytes(of: storage) { Array($0.prefix(Int(count))) }
    }

    public static func == (a: PayloadPreview, b: PayloadPreview) -> Bool {
        a.count == b.count
            && withUnsafeBytes(of: a.storage) { x in withUnsafeBytes(of: b.storage) { y in x.elementsEqual(y) } }
    }
}
