import Foundation
@testable import ProcessTesting

/// `selectscope watch` under tmux, as a user starts it, and what its screen says.
enum WatchScreen {
    /// `selectscope watch ARGUMENTS` in a terminal of this size.
    static func start(_ arguments: [String], width: Int = 120, height: Int = 40,
                      environment: [String: String] = ["NO_COLOR": "1"]) throws -> TmuxSession {
        try TmuxSession([try Rig.requireBinary().path, "watch"] + arguments, width: width, height: height, environment: environment)
    }

    /// The traced program's pid, read off the status line (0 when not shown).
    static func tracedPID(_ screen: [String]) -> Int32 {
        screen.compactMap { line -> Int32? in
            guard let range = line.range(of: "traced: pid ") else { return nil }
            return Int32(line[range.upperBound...].prefix { $0.isNumber })
        }.first ?? 0
    }

    /// Waits for the status line to name the traced program; its screen then, and its pid.
    static func waitForTraced(_ session: TmuxSession) throws -> (screen: [String], pid: Int32) {
        let screen = try session.waitFor("the program traced", timeout: 30) { $0.contains { $0.contains("traced: pid") } }
        return (screen, tracedPID(screen))
    }
}
