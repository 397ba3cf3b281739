import SelectCore

/// Bounds the frame rate: a burst of changes draws once, at most every `interval` seconds.
///
/// The interval is 1/30 s, or longer when frames are expensive: the screen may spend at most
/// `budget` of one core drawing. At machine speed every pane changes every frame and a frame
/// costs a few milliseconds; drawing them all at 30 fps would take that time from the server
/// the dashboard is watching, on the core it shares.
struct FramePacer {
    let minimumInterval: Double
    let budget: Double
    private(set) var interval: Double
    private var lastFrame = -Double.infinity
    /// Thread CPU seconds per frame, smoothed over the last few frames.
    private var averageCost = 0.0
    private var frameStartCPU = 0.0

    init(framesPerSecond: Double = 30, budget: Double = 0.03) {
        minimumInterval = 1 / framesPerSecond
        self.budget = budget
        interval = minimumInterval
    }

    /// Seconds until a frame may be drawn (0: now).
    func delay() -> Double { max(0, lastFrame + interval - Posix.monotonicSeconds()) }

    mutating func willDraw() { frameStartCPU = Posix.threadCPUSeconds() }

    mutating func drew() {
        lastFrame = Posix.monotonicSeconds()
        let cost = Posix.threadCPUSeconds() - frameStartCPU
        averageCost = averageCost == 0 ? cost : averageCost * 0.75 + cost * 0.25
        // Never slower than 5 fps, however slow a frame is.
        interval = min(0.2, max(minimumInterval, averageCost / budget))
    }
}
