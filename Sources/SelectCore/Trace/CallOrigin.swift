/// Where a record came from when it was not the built-in server: a traced program's call.
/// The built-in server leaves `StepRecord.origin` nil and its records are unchanged.
public struct CallOrigin: Sendable, Equatable {
    public var pid: Int32
    public var tid: Int32
    /// The system call as the kernel numbers it: `pselect6`, `ppoll`, `epoll_pwait`…
    public var call: String
    /// The call's return value (ready count), or -1 with `error` set.
    public var result: Int
    /// The errno name when the call failed; `EINTR` when a signal interrupted it.
    public var error: String?
    /// select's exceptfds as passed in (the seed passes `inputs` again).
    public var exceptIn: [Int32]
    /// What could not be believed in the program's arguments or results (an unreadable set,
    /// an out-of-range count): the record's lists may be incomplete.
    public var damage: String?

    public init(pid: Int32, tid: Int32, call: String, result: Int = 0, error: String? = nil, exceptIn: [Int32] = [], damage: String? = nil) {
        self.pid = pid
        self.tid = tid
        self.call = call
        self.result = result
        self.error = error
        self.exceptIn = exceptIn
        self.damage = damage
    }

    public var wasInterrupted: Bool { error == "EINTR" }
}
