/// A bug of the loop that the calls alone show: the homework's usual mistakes, found by
/// `LoopDiagnostics` from the records (live, traced, or replayed from a file), with the
/// evidence a student needs to find it in their code: which fd, since which call, how many
/// calls, how fast, how many bytes.
///
/// A correct loop never gets one (the definitions are in `LoopDiagnostics`).
public struct LoopDiagnosis: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The fd came back writable call after call and nothing was sent on it: it sits in
        /// `outputs` with nothing to send, so every call returns at once (a busy loop).
        case writableSpin = "writable-spin"
        /// A send took fewer bytes than asked and the rest was never sent.
        case unsentRest = "unsent-rest"
        /// recv returned b'' (the peer finished) and the program read the fd again, or kept it
        /// in `inputs` (it comes back readable at once, every call), instead of closing it.
        case readAfterEOF = "read-after-eof"
        /// The listener was bound without SO_REUSEADDR: a restart soon after a close fails
        /// with "address already in use".
        case noReuseAddress = "no-reuseaddr"
    }

    /// How a diagnosis was proved, where there is more than one way.
    public enum Proof: Sendable, Equatable {
        /// The spin and the listener need no more than their kind.
        case plain
        /// unsentRest: a later send on the fd asked for fewer bytes than were left (new data
        /// went out instead of the rest); `bytes` is what that send asked for.
        case otherDataSent(bytes: Int)
        /// unsentRest: the fd was closed with the rest unsent.
        case closedWithRest
        /// unsentRest: the calls after it did not watch the fd for writing, and nothing
        /// retried the send.
        case notWatched
        /// readAfterEOF: recv was called on the fd again.
        case readAgain
        /// readAfterEOF: the fd stayed in `inputs` and came back readable.
        case keptInInputs
    }

    public var kind: Kind
    public var fd: Int32
    public var proof: Proof
    /// The call it began in: the spin's first writable call, the short send's call, the call
    /// whose recv returned b'', the call the listener was first seen in.
    public var since: Int
    /// The call that proved it (when it was first said).
    public var found: Int
    /// The last call that showed it.
    public var last: Int
    /// Calls that showed it: writable with nothing sent (spin); reads or readable calls after
    /// the end of stream (readAfterEOF).
    public var calls: Int
    /// How fast those calls came, over the last second of them; nil until two were timed.
    public var callsPerSecond: Double?
    /// unsentRest: the bytes never sent, of `requested` asked for in the short send.
    public var bytesLeft: Int
    public var requested: Int
    /// Still going on as of the last call (a spin that has not stopped, an fd still open).
    public var ongoing: Bool

    public init(kind: Kind, fd: Int32, proof: Proof = .plain, since: Int, found: Int, last: Int? = nil, calls: Int = 0,
                callsPerSecond: Double? = nil, bytesLeft: Int = 0, requested: Int = 0, ongoing: Bool = true) {
        self.kind = kind
        self.fd = fd
        self.proof = proof
        self.since = since
        self.found = found
        self.last = last ?? found
        self.calls = calls
        self.callsPerSecond = callsPerSecond
        self.bytesLeft = bytesLeft
        self.requested = requested
        self.ongoing = ongoing
    }
}
