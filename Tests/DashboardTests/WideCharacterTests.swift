import Dashboard
import SelectCore
import Testing

/// Chinese takes two columns: titles and labels in it must not push any border.
@Suite struct WideCharacterTests {
    @Test func chineseTitleDoesNotShiftTheRightBorder() {
        var model = Fixtures.modeFourWritable()
        model.language = .zhTW
        let grid = DashboardRenderer.render(model, width: 80, height: 24)
        Snapshot.assertRowsFill(grid)
        for y in 2...21 {
            #expect(grid[79, y].role == .border, "row \(y): \(grid.lines[y])")
        }
        // The header's right part ends on the last column despite the wide title before it.
        #expect(grid.lines[0].hasSuffix("後端 select  127.0.0.1:1234"))
        #expect(grid.locate("127.0.0.1:1234")?.x == 80 - "127.0.0.1:1234".count)
    }

    @Test func chineseColumnHeadersLineUpWithTheirColumns() {
        var model = Fixtures.modeFourWritable()
        model.language = .zhTW
        let grid = DashboardRenderer.render(model, width: 80, height: 24)
        let header = try! #require(grid.locate("狀態"))
        let state = try! #require(grid.locate("讀取中"))
        #expect(header.x == state.x)
        // Right-aligned numbers end in the same column as their wide heading.
        let queued = try! #require(grid.locate("排隊", inRow: header.y))
        let bytes = try! #require(grid.locate("12B", inRow: state.y + 1))
        #expect(queued.x + 4 == bytes.x + 3)
    }

    @Test func writingOverHalfAWideCharacterBlanksTheOtherHalf() {
        var grid = TextGrid(width: 6, height: 1)
        grid.put("模式", x: 0, y: 0)
        grid.put("x", x: 1, y: 0)
        #expect(grid.lines == [" x式  "])
        grid.put("y", x: 2, y: 0)
        #expect(grid.lines == [" xy   "])
    }

    @Test func wideCharacterThatWouldBeCutIsNotDrawn() {
        var grid = TextGrid(width: 5, height: 1)
        let used = grid.put("ab模式", x: 0, y: 0)
        #expect(used == 4)
        #expect(grid.lines == ["ab模 "])
    }
}
