/// The five exercises of the homework (練習1–5). What each does with data and with
/// writable sockets is decided here, so the server loop reads as the seed does.
public enum Mode: Int, CaseIterable, Sendable, Codable {
    case one = 1, two, three, four, five

    /// The seed's own title for the exercise.
    public var seedTitle: String {
        switch self {
        case .one: return "一送一收，觀察檢查表的運作"
        case .two: return "增加為兩個client，server會echo"
        case .three: return "服務多個client的echo server"
        case .four: return "使用writefds來傳送"
        case .five: return "使用timeout"
        }
    }

    public var englishTitle: String {
        switch self {
        case .one: return "one sender: watch the checklist"
        case .two: return "two clients, echo"
        case .three: return "many clients, direct echo"
        case .four: return "send through writefds"
        case .five: return "timeout"
        }
    }

    /// What the server does with bytes it received.
    public enum DataHandling: Sendable {
        /// Keep them in the connection's queue, never send (exercise 1).
        case queueOnly
        /// Queue them and put the connection in `outputs`; send when writable (2, 4).
        case queueForWritable
        /// Send them straight back from the recv branch (3, 5).
        case echoDirectly
    }

    public var dataHandling: DataHandling {
        switch self {
        case .one: return .queueOnly
        case .two, .four: return .queueForWritable
        case .three, .five: return .echoDirectly
        }
    }

    /// Whether the mode sends anything at all. Mode 1 never does, so it keeps `outputs` empty.
    public var sends: Bool { self != .one }

    /// The seed's exercises 2 and 4 close a connection found in the exceptional set.
    public var closesOnExceptional: Bool { self == .two || self == .four }

    /// The `select()` timeout in seconds; nil blocks until something is ready.
    public var timeout: Double? { self == .five ? 2.0 : nil }

    /// The seed's modes 1–4 print the three result lists after every call; mode 5 prints
    /// only `timeout` when the call comes back empty.
    public var printsResultLists: Bool { self != .five }

}
