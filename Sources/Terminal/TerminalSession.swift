import CNcurses
import Dashboard
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The dashboard's terminal: opens ncurses on standard output, draws text grids (only the
/// cells that changed), reads keys, waits for keys, signals or the app's own descriptors, and
/// puts everything back on `end()`, on a quit signal (the app calls `end()`), and on a crash
/// (the crash handlers, see `TerminalGuard`).
///
/// One session at a time, used from one thread (ncurses is not thread-safe).
///
///     let session = try TerminalSession()
///     defer { session.end() }
///     while true {
///         session.draw(grid)
///         let woke = session.wait(forInputOr: [serverPipe], timeout: nil)
///         if !woke.signals.isEmpty || woke.hangup { break }
///         for input in session.readKeys() { … }
///     }
public final class TerminalSession {
    /// The locale's character set is UTF-8: box drawing and Chinese can be drawn. Otherwise
    /// draw ASCII; anything else shows as `?`.
    public let isUTF8: Bool
    /// Colour pairs are in use (false with `NO_COLOR` or on a terminal without colour).
    public var usesColour: Bool { palette.usesColour }
    /// The self-pipe the signal handlers write to. `wait` polls it already; an app that runs
    /// its own poll/select can add it, then call `takeSignals()` when it is readable.
    public let signalFD: Int32

    private var screen: OpaquePointer?
    private var window: UnsafeMutablePointer<WINDOW>?
    private let palette: Palette
    private var isOpen = false

    /// What the terminal shows, glyph by glyph, and the grid it came from.
    private var previous: [Glyph] = []
    private var previousGrid: TextGrid?
    private var rowGlyphs: [Glyph] = []
    private var needsFullRedraw = true

    private var resizePending = false
    private var pendingSignals: [TerminalSignal] = []
    private var inputMayBeBuffered = false
    private var characters = [wchar_t](repeating: 0, count: 8)

    private static let claimed = Mutex(false)
    /// Longest run of keys one `readKeys()` returns (the rest waits for the next call).
    private static let readLimit = 4096

    // MARK: - Opening

    /// Throws when the dashboard cannot run here: standard input or output is not a
    /// terminal, or `TERM` is unset or `dumb`. Touches nothing, prints nothing.
    public static func checkUsable() throws {
        if isatty(STDOUT_FILENO) != 1 { throw TerminalError.notATerminal(stream: "standard output") }
        if isatty(STDIN_FILENO) != 1 { throw TerminalError.notATerminal(stream: "standard input") }
        guard let term = getenv("TERM").map({ String(cString: $0) }), !term.isEmpty else {
            throw TerminalError.terminalTypeUnset
        }
        if term == "dumb" { throw TerminalError.dumbTerminal }
    }

    /// `NO_COLOR` is set to a non-empty value (https://no-color.org).
    public static var noColorRequested: Bool {
        guard let value = getenv("NO_COLOR") else { return false }
        return value.pointee != 0
    }

    /// The locale's character set (after `setlocale(LC_ALL, "")`) is UTF-8.
    public static func localeIsUTF8() -> Bool { LocaleSetup.codesetIsUTF8() }

    /// Takes the terminal: locale from the environment, raw keyboard (Ctrl-C is a key), no
    /// echo, keypad decoding, hidden cursor, alternate screen, signal and crash handlers,
    /// standard error captured until `end()`. `colour` nil: colour unless `NO_COLOR` is set.
    public init(colour: Bool? = nil) throws {
        try Self.checkUsable()
        let alreadyOpen = Self.claimed.withLock { claimed in
            defer { claimed = true }
            return claimed
        }
        if alreadyOpen { throw TerminalError.alreadyOpen }
        var opened = false
        defer { if !opened { Self.claimed.withLock { $0 = false } } }

        // The environment's locale, or a borrowed UTF-8 character set when the environment
        // asks for UTF-8 and its locale is not installed (see `LocaleSetup`).
        isUTF8 = LocaleSetup.adopt().isUTF8

        try TerminalGuard.saveModes(of: STDOUT_FILENO)
        signalFD = try SignalHandling.signalPipe()
        // Before newterm: ncurses then leaves SIGINT, SIGTERM and SIGWINCH to us.
        try SignalHandling.install()
        _ = fflush(cn_stdout())

        guard let screen = newterm(nil, cn_stdout(), cn_stdin()) else {
            SignalHandling.uninstall()
            TerminalGuard.restoreModes()
            throw TerminalError.unknownTerminal(getenv("TERM").map { String(cString: $0) } ?? "")
        }
        guard let window = newwin(0, 0, 0, 0) else {
            endwin()
            delscreen(screen)
            SignalHandling.uninstall()
            TerminalGuard.restoreModes()
            throw TerminalError.system(call: "newwin", errno: errno)
        }
        self.screen = screen
        self.window = window
        TerminalGuard.captureRestoreStrings()
        HandlerMemory.state.pointee.crashing = false
        HandlerMemory.state.pointee.sessionActive = true

        _ = raw()
        _ = noecho()
        _ = nonl()
        _ = keypad(window, true)
        _ = nodelay(window, true)
        _ = leaveok(window, true)
        _ = curs_set(0)
        _ = set_escdelay(25)
        _ = typeahead(-1)  // finish every update even while keys are waiting
        // Clicks select a row, the wheel scrolls; ncurses turns the reporting off in endwin.
        if getenv("SELECTSCOPE_NO_MOUSE") == nil { _ = cn_mouse_enable() }
        palette = Palette.make(colourWanted: colour ?? !Self.noColorRequested)

        TerminalGuard.captureStderr()
        isOpen = true
        opened = true
    }

    deinit { end() }

    // MARK: - Drawing

    /// The window's size in cells.
    public var size: (width: Int, height: Int) {
        guard let window else { return (0, 0) }
        return (Int(getmaxx(window)), Int(getmaxy(window)))
    }

    /// Redraws everything on the next `draw` (the screen may have been disturbed).
    public func invalidate() { needsFullRedraw = true }

    /// Shows `grid`: only the cells that differ from the last grid drawn, everything after a
    /// resize or `invalidate()`. Cells beyond the window are clipped.
    public func draw(_ grid: TextGrid) {
        guard isOpen, let window else { return }
        let clearScreen = needsFullRedraw
        let full = clearScreen || grid.width != previousGrid?.width || grid.height != previousGrid?.height
        if full {
            _ = werase(window)
            if clearScreen { _ = clearok(window, true) }
            previous = Array(repeating: .narrow(" ", .normal), count: grid.width * grid.height)
        }
        let (windowWidth, windowHeight) = size
        for y in 0..<grid.height {
            let cells = y * grid.width..<(y + 1) * grid.width
            // Most rows of a busy frame are the rows of the last one: skip them before the
            // per-character work.
            if !full, let previousGrid, previousGrid.cells[cells] == grid.cells[cells] { continue }
            rowGlyphs.removeAll(keepingCapacity: true)
            Glyph.layoutRow(y, of: grid, terminalWidth: terminalWidth, into: &rowGlyphs)
            for x in 0..<grid.width {
                let glyph = rowGlyphs[x]
                let index = cells.lowerBound + x
                let changed = full || glyph != previous[index]
                previous[index] = glyph
                guard changed, glyph.kind != .covered, y < windowHeight, x + (glyph.kind == .wide ? 1 : 0) < windowWidth else { continue }
                put(glyph, x: x, y: y, in: window)
            }
        }
        previousGrid = grid
        needsFullRedraw = false
        _ = wnoutrefresh(window)
        _ = doupdate()
    }

    private func put(_ glyph: Glyph, x: Int, y: Int, in window: UnsafeMutablePointer<WINDOW>) {
        let style = palette.style(glyph.role)
        var count = 0
        for scalar in glyph.character.unicodeScalars where count < Int(CCHARW_MAX) {
            characters[count] = wchar_t(bitPattern: scalar.value)
            count += 1
        }
        characters[count] = 0
        var cell = cchar_t()
        _ = setcchar(&cell, characters, style.attributes, style.pair, nil)
        _ = mvwadd_wch(window, Int32(y), Int32(x), &cell)
    }

    /// Columns the terminal gives `character` (libc's wcwidth, which ncurses uses), nil when
    /// the locale cannot show it.
    private func terminalWidth(_ character: Character) -> Int? {
        guard let scalar = character.unicodeScalars.first else { return nil }
        if scalar.value >= 0x20 && scalar.value < 0x7F { return 1 }
        guard isUTF8 else { return nil }
        let width = cn_wcwidth(wchar_t(bitPattern: scalar.value))
        return width > 0 ? Int(width) : nil
    }

    // MARK: - Input

    /// Every key waiting, decoded (ncurses buffers input, so this drains until none is left),
    /// then `.resize` once if the terminal's size changed; after a `.resize`, `size` is the
    /// new size and the next `draw` repaints everything. Never blocks.
    public func readKeys() -> [TerminalInput] {
        guard isOpen, let window else { return [] }
        var inputs: [TerminalInput] = []
        var resized = false
        var count = 0
        while count < Self.readLimit {
            var character: wint_t = 0
            let status = wget_wch(window, &character)
            if status == ERR { break }
            count += 1
            let input = status == KEY_CODE_YES
                ? KeyDecoder.decode(keyCode: Int32(bitPattern: character))
                : KeyDecoder.decode(character: character)
            if input == .resize {
                resized = true
            } else if let input {
                inputs.append(input)
            }
        }
        inputMayBeBuffered = count == Self.readLimit
        if resized || resizePending {
            resizePending = false
            applyResize()
            inputs.append(.resize)
        }
        return inputs
    }

    private func applyResize() {
        guard let window else { return }
        var kernelSize = winsize()
        if cn_get_winsize(STDOUT_FILENO, &kernelSize) == 0, kernelSize.ws_row > 0, kernelSize.ws_col > 0 {
            let rows = Int32(kernelSize.ws_row)
            let columns = Int32(kernelSize.ws_col)
            _ = resize_term(rows, columns)
            _ = wresize(window, rows, columns)
        }
        needsFullRedraw = true
    }

    /// Blocks (no CPU) until a key, a signal, or one of `fds` is readable, or `timeout`
    /// seconds pass (nil: no limit). Quit signals come back in `signals`; a resize, or any
    /// interrupted wait, comes back as `input` (call `readKeys()`, which yields `.resize`).
    public func wait(forInputOr fds: [Int32] = [], timeout seconds: Double?) -> WaitResult {
        var result = WaitResult()
        guard isOpen else { return result }
        var milliseconds: Int32 = -1
        if let seconds {
            milliseconds = seconds <= 0 ? 0 : Int32(min((seconds * 1000).rounded(.up), Double(Int32.max)))
        }
        if resizePending || inputMayBeBuffered || !pendingSignals.isEmpty { milliseconds = 0 }

        var polled = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                      pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
        for fd in fds { polled.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        let count = poll(&polled, nfds_t(polled.count), milliseconds)
        if count < 0 {
            result.input = true  // EINTR: most likely SIGWINCH; readKeys() sorts it out
        } else if count > 0 {
            let keyboard = Int32(polled[0].revents)
            if keyboard & Int32(POLLIN) != 0 { result.input = true }
            if keyboard & Int32(POLLHUP | POLLERR | POLLNVAL) != 0 { result.hangup = true }
            for (offset, fd) in fds.enumerated() where polled[offset + 2].revents != 0 {
                result.ready.append(fd)
            }
        }
        result.signals = takeSignals()
        if resizePending || inputMayBeBuffered { result.input = true }
        return result
    }

    /// The quit signals that arrived since the last call (or `wait`), oldest first; reads
    /// the signal pipe without blocking. A SIGWINCH among them makes the next `readKeys()`
    /// return `.resize`.
    public func takeSignals() -> [TerminalSignal] {
        for number in SignalHandling.drainPipe() {
            if number == SIGWINCH {
                resizePending = true
            } else if let signal = TerminalSignal(number: number) {
                pendingSignals.append(signal)
            }
        }
        defer { pendingSignals = [] }
        return pendingSignals
    }

    // MARK: - Closing

    /// Gives the terminal back: ncurses ended, modes restored, signal handlers removed,
    /// captured standard error copied to the real one. Safe to call more than once.
    public func end() {
        guard isOpen else { return }
        isOpen = false
        _ = endwin()
        TerminalGuard.restoreModes()
        HandlerMemory.state.pointee.sessionActive = false
        if let window { _ = delwin(window) }
        if let screen { delscreen(screen) }
        window = nil
        screen = nil
        SignalHandling.uninstall()
        TerminalGuard.releaseStderr()
        Self.claimed.withLock { $0 = false }
    }
}
