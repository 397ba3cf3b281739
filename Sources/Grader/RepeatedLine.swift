/// Tells, on its bytes, a trace line that repeats the line before but for its call number and
/// times ("seq", "t", "blocked_ms"). A program that spins writes thousands of such lines a
/// second; decoding each cost the grader most of a core (a spinning exercise-2 submission's
/// 166,216 lines, 69 MB, took 8.7 s to decode) while the judges keep only the first of a run.
struct RepeatedLine {
    /// The line without its number and times: what must match for a repeat.
    private var previous: [UInt8] = []
    /// The previous line was a call that tells nothing new when repeated (nothing done, not an
    /// empty result), and whether its thread is the loop being graded.
    private var previousRepeatable = false
    private(set) var previousAdmitted = false

    /// The line's call number when it repeats the previous line and that one may be folded into
    /// it; nil when the line must be decoded (then call `decoded`).
    mutating func repeatedSeq(_ line: ArraySlice<UInt8>) -> Int? {
        guard let (seq, key) = Self.split(line) else {
            previous = []
            previousRepeatable = false
            return nil
        }
        if previousRepeatable && key.elementsEqual(previous) { return seq }
        previous = Array(key)
        return nil
    }

    /// What the decoded line was: whether a repeat of it may be skipped unread.
    mutating func decoded(repeatable: Bool, admitted: Bool) {
        previousRepeatable = repeatable
        previousAdmitted = admitted
    }

    /// `{"seq":N,"t":T,"mode":…,"blocked_ms":B,…}` → N and the text from `,"mode"` on without
    /// the `"blocked_ms":B,` field. Nil for a line not in the tracer's layout.
    static func split(_ line: ArraySlice<UInt8>) -> (Int, [UInt8])? {
        let prefix = Array(#"{"seq":"#.utf8)
        guard line.starts(with: prefix) else { return nil }
        var index = line.startIndex + prefix.count
        var seq = 0
        while index < line.endIndex, let digit = Self.digit(line[index]) {
            seq = seq &* 10 &+ digit
            index += 1
        }
        guard let mode = find(#","mode":"#, in: line, from: index),
              let blocked = find(#""blocked_ms":"#, in: line, from: mode),
              let comma = line[blocked...].firstIndex(of: UInt8(ascii: ",")) else { return nil }
        return (seq, Array(line[mode..<blocked]) + Array(line[(comma + 1)...]))
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func find(_ text: String, in line: ArraySlice<UInt8>, from start: Int) -> Int? {
        let pattern = Array(text.utf8)
        guard line.endIndex - start >= pattern.count else { return nil }
        var index = start
        while index + pattern.count <= line.endIndex {
            if line[index] == pattern[0] && line[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }
}
