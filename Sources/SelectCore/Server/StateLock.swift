import Synchronization

extension Mutex where Value == Void {
    /// For a mutex that guards the fields of the object holding it rather than a value of its
    /// own (`SelectServer`'s state, changed by the loop and copied by the screen):
    /// `lock.withLock { … }` with no argument.
    @inline(__always)
    borrowing func withLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        var result: R?
        try withLock { (_: inout Void) throws(E) -> Void in result = try body() }
        return result!
    }
}
