#if canImport(Glibc)
import Glibc
#endif

/// Bounds the frame rate: a burst of changes draws once, at most every `interval` seconds.
struct FramePacer {
    let interval: Double
    private var lastFrame = -Double.infinity

    init(framesPerSecond: Double = 30) {
        interval = 1 / framesPerSecond
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Seconds until a frame may be drawn (0: now).
    func delay() -> Double { max(0, lastFrame + interval - Self.now()) }

    mutating func drew() { lastFrame = Self.now() }
}
