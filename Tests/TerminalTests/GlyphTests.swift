import Testing
import Dashboard
import CNcurses
@testable import Terminal

struct GlyphTests {
    func utf8(_ c: Character) -> Int? { DisplayWidth.of(c) == 2 ? 2 : 1 }
    func text(_ glyphs: [Glyph]) -> String {
        glyphs.map { $0.kind == .covered ? "_" : String($0.character) }.joined()
    }

    @Test func wideCharactersCoverTheirNeighbour() {
        var grid = TextGrid(width: 8, height: 1)
        grid.put("a練習b", x: 0, y: 0)
        #expect(text(Glyph.layout(grid, terminalWidth: utf8)) == "a練_習_b  ")
    }

    @Test func halfOverwrittenWideCharactersBecomeBlanks() {
        var grid = TextGrid(width: 6, height: 1)
        grid.put("練習", x: 0, y: 0)
        grid.put("x", x: 1, y: 0)   // overwrites the continuation of 練
        grid.put("y", x: 2, y: 0)   // overwrites 習, leaving its continuation orphaned
        #expect(text(Glyph.layout(grid, terminalWidth: utf8)) == " xy   ")
    }

    @Test func asciiOnlyTerminalsGetQuestionMarks() {
        var grid = TextGrid(width: 7, height: 1)
        grid.put("練─a", x: 0, y: 0)
        #expect(text(Glyph.layout(grid, terminalWidth: { $0.isASCII ? 1 : nil })) == "???a   ")
    }

    @Test func wideDrawnNarrowGetsABlank() {
        var grid = TextGrid(width: 3, height: 1)
        grid.put("練", x: 0, y: 0)
        #expect(text(Glyph.layout(grid, terminalWidth: { _ in 1 })) == "練  ")
        #expect(Glyph.layout(grid, terminalWidth: { _ in 1 }).count == 3)
    }

    /// The screen redraws changed rows alone, so each row must lay out to exactly its width
    /// and the same glyphs as the whole grid gives it.
    @Test func rowsLayOutAloneAsInTheWholeGrid() {
        var grid = TextGrid(width: 5, height: 3)
        grid.put("練習x", x: 0, y: 0)
        grid.put("ab練", x: 0, y: 1)
        grid.put("abcd練", x: 0, y: 2)  // the last wide character does not fit
        let whole = Glyph.layout(grid, terminalWidth: utf8)
        for y in 0..<3 {
            var row: [Glyph] = []
            Glyph.layoutRow(y, of: grid, terminalWidth: utf8, into: &row)
            #expect(row.count == 5)
            #expect(row == Array(whole[y * 5..<(y + 1) * 5]))
        }
        #expect(text(whole) == "練_習_xab練_ abcd ")
    }

    @Test func keys() {
        #expect(KeyDecoder.decode(character: 3) == .key(.controlC))
        #expect(KeyDecoder.decode(character: 13) == .key(.enter))
        #expect(KeyDecoder.decode(character: 32) == .key(.space))
        #expect(KeyDecoder.decode(character: 0x7F) == .key(.backspace))
        #expect(KeyDecoder.decode(character: 26) == nil)
        #expect(KeyDecoder.decode(character: 0x4E2D) == .key(.character("中")))
        #expect(KeyDecoder.decode(keyCode: KEY_RESIZE) == .resize)
        #expect(KeyDecoder.decode(keyCode: cn_key_f(12)) == .key(.function(12)))
        #expect(KeyDecoder.decode(keyCode: KEY_NPAGE) == .key(.pageDown))
    }

    @Test func padding() {
        #expect(TerminalGuard.withoutPadding(Array("\u{1B}[?1049l$<5>x$<2/*>".utf8)) == Array("\u{1B}[?1049lx".utf8))
    }

    @Test func signals() {
        #expect(TerminalSignal(number: 15) == .terminate)
        #expect(TerminalSignal.allCases.allSatisfy { TerminalSignal(number: $0.number) == $0 })
    }

    @Test func childRegistry() {
        #expect(TerminalGuard.registerChild(999_999))
        #expect(TerminalGuard.registerChild(999_999))
        #expect(TerminalGuard.registeredChildren == [999_999])
        TerminalGuard.unregisterChild(999_999)
        #expect(TerminalGuard.registeredChildren.isEmpty)
        #expect(!TerminalGuard.registerChild(0))
    }

    @Test func refusesWithoutATerminal() {
        // swift test runs with stdout on a pipe here.
        #expect(throws: TerminalError.self) { try TerminalSession.checkUsable() }
    }
}
