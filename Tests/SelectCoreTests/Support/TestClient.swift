import Foundation
import LoopbackTesting
#if canImport(Glibc)
import Glibc
#endif

/// The loopback client the test targets share (Tests/LoopbackTesting).
typealias TestClient = LoopbackClient

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
