@testable import Dashboard

/// Draws one pane into a grid of its own, border included, for literal-line tests.
enum PaneHarness {
    static func draw(width: Int, height: Int, ascii: Bool = false, _ pane: (inout TextGrid, Rect) -> Void) -> TextGrid {
        var grid = TextGrid(width: width, height: height)
        let box = Rect(x: 0, y: 0, width: width, height: height)
        grid.drawBox(box, ascii: ascii)
        pane(&grid, box)
        return grid
    }

    static func lastCall(_ model: DashboardModel, width: Int, height: Int) -> TextGrid {
        draw(width: width, height: height, ascii: model.asciiOnly) { grid, box in
            ResultPane.draw(RenderContext(model), box: box, on: &grid)
        }
    }
}
