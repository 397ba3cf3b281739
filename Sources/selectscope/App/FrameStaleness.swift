import Dashboard
import Foundation

extension DashboardState {
    /// When the frame just drawn goes stale on its own (the in-flight call's "blocked for"
    /// turns a second, a status message fades, a finished client folds away), or nil when
    /// nothing ticks. At most one frame a second: idle, the screen costs next to nothing.
    func frameStaleAt(_ drawn: DashboardModel) -> Double? {
        var due: Double?
        func soonest(_ time: Double) { due = min(due ?? time, time) }
        if let call = drawn.server.inFlight {
            // The next whole second of blocking.
            soonest(call.startedAt + floor(drawn.now - call.startedAt) + 1)
        }
        if let status, drawn.status != nil { soonest(status.since + StatusLine.lifetime) }
        if let oldest = exitedAt.values.min(), drawn.foldedClients < exitedAt.count {
            soonest(oldest + DashboardState.finishedClientLinger)
        }
        return due
    }
}
