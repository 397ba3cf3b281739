import Dashboard
import SelectCore
import Testing

@Suite struct LanguageTests {
    @Test func localeChoosesTheLanguage() {
        #expect(Language(locale: "zh_TW.UTF-8") == .zhTW)
        #expect(Language(locale: "zh-Hant-TW") == .zhTW)
        #expect(Language(locale: "zh_HK.UTF-8") == .zhTW)
        #expect(Language(locale: "en_US.UTF-8") == .en)
        #expect(Language(locale: "C") == .en)
        #expect(Language(locale: nil) == .en)
    }

    @Test func everyTermHasBothForms() {
        for term in Term.allCases {
            #expect(!term.localized.en.isEmpty && !term.localized.zhTW.isEmpty, "\(term)")
        }
    }

    @Test func chineseScreenUsesChineseLabelsAndKeepsThePythonNames() {
        var model = Fixtures.modeFourWritable()
        model.language = .zhTW
        let text = DashboardRenderer.render(model, width: 120, height: 40).text
        for word in ["模式 4", "後端 select", "讀取檢查表 inputs", "寫入檢查表 outputs", "可讀 readable", "可寫 writable",
                     "例外 exceptional", "佇列 queues", "用戶端", "紀錄", "說明", "練習4 使用writefds來傳送"] {
            #expect(text.contains(word), "\(word)")
        }
        #expect(!text.contains("mode 4"))
    }

    @Test func tooSmallInChinese() {
        var model = Fixtures.modeFourWritable()
        model.language = .zhTW
        #expect(DashboardRenderer.render(model, width: 50, height: 10).trimmedLines[0] == "終端機太小：需要 60x16，目前 50x10")
    }

    @Test func asciiModeDrawsOnlyASCII() {
        for var model in [Fixtures.tenThousandConnections(), Fixtures.modeOneGrowingQueues()] {
            model.asciiOnly = true
            model.showHelp = model.server.mode == .one
            let grid = DashboardRenderer.render(model, width: 120, height: 40)
            for y in 0..<grid.height {
                for x in 0..<grid.width {
                    let scalar = grid[x, y].character.unicodeScalars.first!.value
                    #expect(scalar < 0x80, "(\(x), \(y)) \(grid[x, y].character)")
                }
            }
            // The Chinese title gives way to the English one.
            #expect(grid.lines[0].hasPrefix("mode \(model.server.mode.rawValue)  \(model.server.mode.englishTitle)"))
        }
    }
}
