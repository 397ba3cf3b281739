import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A readable fd that tells a screen "look": rung from any thread, answered by the screen,
/// which polls it beside its keyboard. However often it is rung, one byte waits until the
/// answer, so ringing costs a write only the first time.
public final class Doorbell: Sendable {
    private let pipe: (read: Int32, write: Int32)
    private let rung = Atomic<Bool>(false)

    public init() throws {
        pipe = try Posix.makePipe()
    }

    deinit {
        Posix.close(pipe.read)
        Posix.close(pipe.write)
    }

    /// Becomes readable when rung, until answered.
    public var fd: Int32 { pipe.read }

    /// Safe from any thread; never blocks.
    public func ring() {
        if !rung.exchange(true, ordering: .acquiringAndReleasing) {
            var byte = UInt8(ascii: "x")
            _ = Glibc.write(pipe.write, &byte, 1)
        }
    }

    /// Empties the pipe; the next ring writes to it again. A ring that lands in between is
    /// seen by whatever the screen does next.
    public func answer() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while Glibc.read(pipe.read, &buffer, buffer.count) > 0 {}
        rung.store(false, ordering: .releasing)
    }
}
