import SelectCore
import Clients

/// Everything one frame draws: the server's snapshot, the spawned clients, and the
/// dashboard's own state. Plain data; rendering it is a pure function.
public struct DashboardModel: Sendable, Equatable {
    public var server: ServerSnapshot
    public var clients: [ClientRow]
    public var showHelp: Bool
    /// Interval (seconds) that new clients are started with (`+`/`-`).
    public var clientInterval: Double
    /// A one-line status message (e.g. "spawn failed: …"), shown above the key bar.
    public var status: String?
    /// Draw borders with ASCII instead of box-drawing characters (locale not UTF-8).
    public var asciiOnly: Bool
    /// First row shown of the scrollable lists (queues), set by scroll keys.
    public var scroll: Int
    /// Set when the model replays a recorded trace instead of a live server.
    public var replay: ReplayInfo?
    /// The language of every label and help sentence.
    public var language: Language
    /// What the right-hand pane shows (`v` cycles it); the other views fill spare room.
    public var view: DashboardView
    /// The time now on the monotonic clock: how long the call in flight has blocked.
    public var now: Double = 0
    /// The selected connection's server-side fd, highlighted wherever it appears.
    public var selection: Int32?
    /// Log lines back from the newest (0: the newest at the bottom).
    public var logScroll = 0
    public var helpScroll = 0
    /// Lines the source view is moved from where it centres the last call.
    public var sourceScroll = 0
    /// The pane the scroll and zoom keys act on, and whether it fills the screen.
    public var focus: FocusPane = .log
    public var zoomed = false
    /// Events that pause the loop, and whether their chooser is open.
    public var breakpoints: Set<Breakpoint> = []
    public var choosingBreakpoints = false
    /// The breakpoints the chooser lists, in order (a traced program's exclude the ones it
    /// cannot hit).
    public var offeredBreakpoints: [Breakpoint] = Breakpoint.allCases
    /// Finished clients no longer listed.
    public var foldedClients = 0
    /// The last calls, for the timeline view; filled by whatever feeds records.
    public var history = CallHistory()
    /// A traced program (`selectscope watch`): named in the header instead of the mode and
    /// its exercise title, which are the dashboard's own server's.
    public var program: String?
    /// The traced program has ended: how, and its last stderr lines; drawn over the log.
    public var programEnd: ProgramEndNote?
    /// A traced program's last lines of output (stdout and stderr as it wrote them).
    public var programOutput: [String] = []

    public init(server: ServerSnapshot, clients: [ClientRow] = [], showHelp: Bool = false, clientInterval: Double = 3,
                status: String? = nil, asciiOnly: Bool = false, scroll: Int = 0, replay: ReplayInfo? = nil,
                language: Language = .en, view: DashboardView = .lastCall) {
        self.server = server
        self.clients = clients
        self.showHelp = showHelp
        self.clientInterval = clientInterval
        self.status = status
        self.asciiOnly = asciiOnly
        self.scroll = scroll
        self.replay = replay
        self.language = language
        self.view = view
    }
}

/// Where a replay stands: which recorded call is shown, of how many, at what speed.
public struct ReplayInfo: Sendable, Equatable {
    /// The call shown, counted from 1 as the header prints it ("call 17/250").
    public var position: Int
    public var total: Int
    public var speed: Double
    public var playing: Bool
    /// Set when the file was damaged: where reading stopped and why.
    public var damage: String?

    public init(position: Int, total: Int, speed: Double = 1, playing: Bool = false, damage: String? = nil) {
        self.position = position
        self.total = total
        self.speed = speed
        self.playing = playing
        self.damage = damage
    }
}
