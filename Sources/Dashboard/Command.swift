import SelectCore
import Clients

/// What a key asks the dashboard to do. Effects are carried out by the app loop; the
/// screen only draws.
public enum Command: Hashable, Sendable {
    case switchMode(Mode)
    /// Spawn the current mode's own client (mode 1: sender; else echo).
    case spawnModeClient
    case spawnClient(ClientKind)
    case closeNewestClient
    case resetNewestClient
    /// Pause before the next call; when paused, run exactly one call.
    case pauseOrStep
    case resume
    case nextBackend
    case fasterClients
    case slowerClients
    case toggleHelp
    /// Show the next view in the right-hand pane: last call, source, explain.
    case cycleView
    case scrollUp, scrollDown
    case quit
    /// Page the focused pane (the log by default); Home/End go to its oldest / newest.
    case pageUp, pageDown, scrollHome, scrollEnd
    /// Select the connection above / below (arrow keys): highlighted in every pane.
    case selectPrevious, selectNext
    /// Move the focus to the next pane (`tab`): the scroll and zoom keys act on it.
    case focusNext
    /// Show the focused pane on the whole screen, or back.
    case zoom
    /// Open the breakpoint chooser: events that pause the loop the moment they happen.
    case chooseBreakpoints
    /// A traced program with several loop threads: show the next thread's loop.
    case nextThread
}

/// What a key asks of a replay: the recorded calls are stepped, not made.
public enum ReplayCommand: Hashable, Sendable {
    case playPause
    case stepForward
    case stepBack
    case jumpToStart
    case jumpToEnd
    /// A digit of a call number to jump to; `enter` jumps.
    case digit(Int)
    case jump
    case faster
    case slower
    case cycleView
    case toggleHelp
    case quit
}
