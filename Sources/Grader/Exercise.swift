/// What one exercise of the homework (練習1–5) asks of a server, as the grader judges it:
/// whether it echoes, how replies leave, and the timeout it passes to select().
public struct Exercise: Sendable, Equatable {
    public enum Replies: Sendable, Equatable {
        /// Exercise 1: bytes are kept, never sent back; `outputs` stays empty.
        case never
        /// Exercises 2 and 4: queue, add to `outputs`, send only once the call says writable.
        case throughWritefds
        /// Exercises 3 and 5: send straight back from the recv branch; `outputs` stays empty
        /// unless a send came back short.
        case fromReadBranch
    }

    public let number: Int
    public let replies: Replies
    /// The timeout every call passes, in seconds; nil: the calls block.
    public let timeout: Double?

    public init?(number: Int) {
        switch number {
        case 1: replies = .never; timeout = nil
        case 2, 4: replies = .throughWritefds; timeout = nil
        case 3: replies = .fromReadBranch; timeout = nil
        case 5: replies = .fromReadBranch; timeout = 2
        default: return nil
        }
        self.number = number
    }

    public var echoes: Bool { replies != .never }
}
