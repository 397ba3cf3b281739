import Foundation
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// The tmux helper itself, on programs simpler than the dashboard.
@Suite("TmuxSession drives a real terminal", .enabled(if: TmuxSession.isAvailable, "tmux is not installed"))
struct TmuxSessionTests {
    @Test("keys reach the program, its output reaches the screen, its exit status is known")
    func readLineAndEcho() throws {
        let tmux = try TmuxSession(["/bin/sh", "-c", "printf 'ready\\n'; read x; echo got $x; exit 3"], width: 40, height: 6)
        defer { tmux.kill() }
        try tmux.waitFor(text: "ready")
        #expect(tmux.isAlive)
        #expect(tmux.panePID != nil)
        try tmux.type("hello")
        try tmux.sendKeys("Enter")
        let screen = try tmux.waitFor(text: "got hello")
        #expect(screen.count == 6)
        #expect(try tmux.waitForExit() == 3)
        #expect(!tmux.isAlive)
    }

    @Test("a signal that kills the program shows as 128 + signal")
    func killedBySignal() throws {
        let tmux = try TmuxSession(["/bin/cat"], width: 40, height: 6)
        defer { tmux.kill() }
        let pid = try #require(tmux.panePID)
        try tmux.type("abc")
        try tmux.waitFor(text: "abc")
        #expect(kill(pid, SIGTERM) == 0)
        #expect(try tmux.waitForExit() == 128 + SIGTERM)
    }

    @Test("resize changes the pane's size, and the program sees it")
    func resize() throws {
        let tmux = try TmuxSession.shell(width: 50, height: 10)
        defer { tmux.kill() }
        var size = try tmux.paneSize()
        #expect(size.width == 50 && size.height == 10)
        try tmux.resize(width: 72, height: 15)
        size = try tmux.paneSize()
        #expect(size.width == 72 && size.height == 15)
        try tmux.run("stty size | tr ' ' x")
        try tmux.waitFor(text: "15x72")
        #expect(try tmux.sttyState().contains("rows 15; columns 72"))
    }

    @Test("sttyState reads the pane's terminal modes, live, and sees them change back")
    func sttyBeforeDuringAfter() throws {
        let tmux = try TmuxSession.shell(width: 60, height: 10)
        defer { tmux.kill() }
        let before = try tmux.sttyState()
        #expect(Self.flags(before).isSuperset(of: ["icanon", "echo", "isig"]))
        // The markers are computed ($((…))) so the echoed command line cannot match them.
        try tmux.run("stty raw -echo; echo RAW-$((1+1)); read x; stty sane; echo DONE-$((2+2))")
        try tmux.waitFor(text: "RAW-2")
        #expect(Self.flags(try tmux.sttyState()).isSuperset(of: ["-icanon", "-echo", "-isig"]))
        try tmux.type("x")
        try tmux.sendKeys("C-j")  // raw mode: Enter's \r is not a newline for `read`
        try tmux.waitFor(text: "DONE-4")
        #expect(Self.flags(try tmux.sttyState()).isSuperset(of: ["icanon", "echo", "isig"]))
    }

    /// The words of `stty -a`: flags like `icanon` or `-echo`.
    static func flags(_ stty: String) -> Set<String> {
        Set(stty.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init))
    }

    @Test("waitFor fails at its deadline with the last screen in the message")
    func waitForTimesOut() throws {
        let tmux = try TmuxSession(["/bin/sh", "-c", "echo visible-text; exec cat"], width: 30, height: 4)
        defer { tmux.kill() }
        try tmux.waitFor(text: "visible-text")
        let error = #expect(throws: TmuxSession.Failure.self) { try tmux.waitFor(text: "never", timeout: 0.3) }
        #expect(error?.description.contains("|visible-text") == true)
    }

    @Test("wide characters take two cells")
    func wideCharacters() throws {
        let tmux = try TmuxSession(["/bin/sh", "-c", "printf '練習4|\\nab|\\n'; exec cat"], width: 30, height: 4)
        defer { tmux.kill() }
        let screen = try tmux.waitFor(text: "ab|")
        #expect(screen[0] == "練習4|")
        #expect(try tmux.captureWithAttributes()[0].hasPrefix("練習4"))
    }
}
