import SelectCore

/// Which of a traced program's threads make the loop being graded: those whose readiness
/// calls wait on the listening socket. Another thread's calls (a logging thread polling its
/// pipe, as the built-in server has) are not the exercise's loop: mixed in, they would read as
/// a call without the 2 s timeout, or a call that forgot its connections.
struct ServingThreads {
    private var serving = Set<Int32>()
    private var others = Set<Int32>()

    /// Whether `record` belongs to the graded loop. A record without an origin (the built-in
    /// server's own trace) always does.
    mutating func admit(_ record: StepRecord) -> Bool {
        guard let origin = record.origin else { return true }
        if record.waitsOnListener { serving.insert(origin.tid) }
        if serving.contains(origin.tid) { return true }
        others.insert(origin.tid)
        return false
    }

    /// Threads whose calls were left out, for the report.
    var leftOut: Int { others.subtracting(serving).count }
}
