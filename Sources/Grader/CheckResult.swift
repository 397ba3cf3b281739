/// One check's verdict: passed, failed, or not run because an earlier check it needs failed.
public struct CheckResult: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case passed, failed, skipped
    }

    public var id: CheckID
    public var status: Status
    /// One line: why it passed or failed.
    public var reason: String
    /// What a student can act on: the first call whose sets differ from what the exercise
    /// asks (two checklists side by side), a traceback, an exit status. Empty when passed.
    public var evidence: [String]

    public init(id: CheckID, status: Status, reason: String, evidence: [String] = []) {
        self.id = id
        self.status = status
        self.reason = reason
        self.evidence = evidence
    }

    public static func pass(_ id: CheckID, _ reason: String) -> CheckResult {
        CheckResult(id: id, status: .passed, reason: reason)
    }

    public static func fail(_ id: CheckID, _ reason: String, evidence: [String] = []) -> CheckResult {
        CheckResult(id: id, status: .failed, reason: reason, evidence: evidence)
    }

    public static func skip(_ id: CheckID, _ reason: String) -> CheckResult {
        CheckResult(id: id, status: .skipped, reason: reason)
    }

    public var passed: Bool { status == .passed }
    public var kind: CheckID.Kind { id.kind }
}
