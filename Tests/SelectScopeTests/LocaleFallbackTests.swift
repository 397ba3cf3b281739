import Foundation
import Testing
@testable import ProcessTesting

/// `LANG=zh_TW.UTF-8` where that locale is not installed (the common case in a container):
/// the dashboard borrows a UTF-8 character set and still draws its Chinese labels and box
/// borders, never `?` for its own text.
@Suite("locale fallback", .serialized)
struct LocaleFallbackTests {
    @Test("LANG=zh_TW.UTF-8, LC_ALL unset: Chinese labels and box borders, no `?` in place of our text")
    func chineseWithoutTheLocaleInstalled() throws {
        let dashboard = try DashboardDriver(width: 100, height: 30)
        defer { dashboard.tearDown() }
        try dashboard.tmux.run("unset LC_ALL LC_CTYPE LC_MESSAGES; export LANG=zh_TW.UTF-8")
        try dashboard.start()
        try dashboard.press("c")
        let screen = try dashboard.waitFor("the dashboard in Chinese with a client") { screen in
            screen.text.contains("佇列") && (screen.pane("用戶端") ?? []).contains { $0.contains("執行中") }
        }
        #expect(screen.lines[0].hasPrefix("模式 1  練習1 "), "\(screen.text)")
        for title in ["讀取檢查表 inputs", "寫入檢查表 outputs", "上次呼叫", "用戶端", "紀錄"] {
            #expect(screen.title(of: title) != nil, "no pane titled \(title):\n\(screen.text)")
        }
        #expect(screen.lines.contains { $0.hasPrefix("┌") }, "box borders, not ASCII:\n\(screen.text)")
        #expect(!screen.text.contains("??"), "question marks in place of text:\n\(screen.text)")
        #expect(try dashboard.quit() == 0)
    }
}
