import Foundation
import Synchronization

/// A test helper failure with a readable message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Waits for a condition with a deadline, checking it every few milliseconds. Never a
/// fixed sleep: a test proceeds the moment the condition holds, and fails (returns false)
/// only when it did not hold within `timeout` seconds.
@discardableResult
func waitUntil(timeout: Double, interval: Double = 0.002, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = monotonicNow() + timeout
    while true {
        if try condition() { return true }
        if monotonicNow() >= deadline { return false }
        usleep(useconds_t(interval * 1_000_000))
    }
}

func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}


/// A value behind a `Mutex`, shared with the server's thread or client threads.
final class Guarded<Value: Sendable>: Sendable {
    private let state: Mutex<Value>
    init(_ value: sending Value) { state = Mutex(value) }
    func read<R, E: Error>(_ body: (Value) throws(E) -> R) throws(E) -> R {
        try modify { (value: inout Value) throws(E) -> R in try body(value) }
    }
    func modify<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        var result: R?
        try state.withLock { (value: inout sending Value) throws(E) -> Void in result = try body(&value) }
        return result!
    }
}

/// Runs a closure on a thread of its own (clients that must act while the test waits).
final class TestThread: @unchecked Sendable {
    private let done = Guarded(false)
    private let thread: Thread

    init(_ body: @escaping @Sendable () -> Void) {
        let done = self.done
        thread = Thread {
            body()
            done.modify { $0 = true }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    var isFinished: Bool { done.read { $0 } }

    /// Waits for the thread's body to return.
    @discardableResult
    func join(timeout: Double) -> Bool {
        waitUntil(timeout: timeout) { isFinished }
    }
}
