import Dashboard
import Foundation
import Testing

/// Golden screens under `Tests/DashboardTests/Snapshots/`. Set
/// `SELECTSCOPE_RECORD_SNAPSHOTS=1` to rewrite them; a mismatch prints the differing lines.
enum Snapshot {
    /// Next to this file's folder, found from the source path so that it is the checked-in
    /// copy that is compared and re-recorded, not the bundle's.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Snapshots")

    static var isRecording: Bool { ProcessInfo.processInfo.environment["SELECTSCOPE_RECORD_SNAPSHOTS"] == "1" }

    static func text(of grid: TextGrid) -> String {
        grid.trimmedLines.joined(separator: "\n") + "\n"
    }

    static func assertMatches(_ grid: TextGrid, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        assertRowsFill(grid, sourceLocation: sourceLocation)
        let url = directory.appendingPathComponent(name + ".txt")
        let actual = text(of: grid)
        guard !isRecording, let expected = try? String(contentsOf: url, encoding: .utf8) else {
            do {
                try actual.write(to: url, atomically: true, encoding: .utf8)
            } catch {
                Issue.record("could not write snapshot \(url.path): \(error)", sourceLocation: sourceLocation)
            }
            if !isRecording {
                Issue.record("no snapshot \(name).txt: recorded it; check it and run again", sourceLocation: sourceLocation)
            }
            return
        }
        if expected != actual {
            let message = "snapshot \(name).txt differs (SELECTSCOPE_RECORD_SNAPSHOTS=1 re-records):\n" + diff(expected, actual)
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        }
    }

    /// Every row is exactly as wide as the grid: a wide character miscounted would shift
    /// the right border.
    static func assertRowsFill(_ grid: TextGrid, sourceLocation: SourceLocation = #_sourceLocation) {
        for (row, line) in grid.lines.enumerated() where DisplayWidth.of(line) != grid.width {
            Issue.record("row \(row) is \(DisplayWidth.of(line)) columns, not \(grid.width): \(line)", sourceLocation: sourceLocation)
        }
    }

    static func diff(_ expected: String, _ actual: String) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for index in 0..<max(old.count, new.count) {
            let a = index < old.count ? String(old[index]) : "<none>"
            let b = index < new.count ? String(new[index]) : "<none>"
            if a != b {
                let number = String(index + 1)
                let gutter = String(repeating: " ", count: max(0, 3 - number.count)) + number
                out.append("\(gutter) - \(a)")
                out.append("\(gutter) + \(b)")
            }
        }
        return out.joined(separator: "\n")
    }
}

extension TextGrid {
    /// Where `text` starts on screen (column, row), counting wide characters as two columns.
    func locate(_ text: String, inRow row: Int? = nil) -> (x: Int, y: Int)? {
        let target = Array(text)
        for y in row.map({ [$0] }) ?? Array(0..<height) {
            var characters: [Character] = []
            var columns: [Int] = []
            for x in 0..<width where !self[x, y].isContinuation {
                characters.append(self[x, y].character)
                columns.append(x)
            }
            guard characters.count >= target.count else { continue }
            for start in 0...(characters.count - target.count) where Array(characters[start..<start + target.count]) == target {
                return (columns[start], y)
            }
        }
        return nil
    }

    /// The role of the cell where `text` starts.
    func role(of text: String) -> Role? {
        locate(text).map { self[$0.x, $0.y].role }
    }

    var text: String { trimmedLines.joined(separator: "\n") }
}
