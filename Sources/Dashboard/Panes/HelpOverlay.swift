/// The `?` overlay: a centred box listing every key of the key table (the replay's in a
/// replay) with its sentence, then what the screen's symbols, columns and words mean.
enum HelpOverlay {
    static func draw(_ context: RenderContext, width: Int, height: Int, on grid: inout TextGrid) {
        let language = context.language
        let keys = KeyHelp.entries(context)
        let symbols = legend(context)
        let keyWidth = (keys.map { DisplayWidth.of($0.label) } + symbols.map { DisplayWidth.of($0.symbol) }).max() ?? 1
        var lines: [[Span]] = keys.map { binding in
            [Span(Format.pad(binding.label, to: keyWidth) + "  ", .keyName), Span(binding.help(language))]
        }
        // The legend wraps at the keys' width, or wider (up to 90 columns) where the screen has
        // room, so it takes fewer rows.
        let keysWidth = keys.map { DisplayWidth.of($0.help(language)) }.max() ?? 0
        let textWidth = min(max(40, keysWidth, min(90, width - 14 - keyWidth)), max(10, width - 8 - keyWidth - 2))
        lines.append([])
        lines.append([Span(context.labels[.legendTitle], .title)])
        for entry in symbols {
            for (index, text) in Format.wrap(entry.text, width: textWidth).enumerated() {
                let symbol = index == 0 ? entry.symbol : ""
                lines.append([Span(Format.pad(symbol, to: keyWidth) + "  ", entry.role), Span(text)])
            }
        }
        lines.append([])
        lines.append([Span(context.labels[.closeHelp], .dim)])

        let contentWidth = lines.map(\.displayWidth).max() ?? 0
        let boxWidth = min(width - 2, contentWidth + 4)
        let boxHeight = min(height - 2, lines.count + 2)
        guard boxWidth >= 6, boxHeight >= 3 else { return }
        let box = Rect(x: (width - boxWidth) / 2, y: (height - boxHeight) / 2, width: boxWidth, height: boxHeight)

        // The screen behind stays visible but steps back.
        grid.restyle(.dim)
        // Clear first, border included, so the overlay's border does not join the panes'.
        grid.fill(x: box.x, y: box.y, width: box.width, height: box.height)
        grid.drawBox(box, ascii: context.model.asciiOnly)
        var title = [Span(context.labels[.help], .title)]
        if context.model.replay != nil { title.append(Span(context.glyphs.separator + context.labels[.replayTitle], .dim)) }
        grid.drawTitle(title, on: box)
        let area = Rect(x: box.x + 2, y: box.y + 1, width: box.width - 4, height: box.height - 2)
        // Scrolled by the arrows, j/k and the page keys; the last row says what is left below.
        let cut = lines.count > area.height
        let first = cut ? min(max(0, context.model.helpScroll), lines.count - area.height + 1) : 0
        let rows = cut ? area.height - 1 : area.height
        for (row, line) in lines.dropFirst(first).prefix(rows).enumerated() {
            var pen = Pen(row: row, in: area)
            pen.write(line, into: &grid)
        }
        let below = lines.count - first - rows
        if cut && below > 0 {
            var pen = Pen(row: area.height - 1, in: area)
            pen.write(context.ellipsis + " " + context.labels.more(below) + " (j/k, PgDn)", .dim, into: &grid)
        } else if cut, let last = lines.last {
            var pen = Pen(row: area.height - 1, in: area)
            pen.write(last, into: &grid)
        }
    }

    /// One symbol, column or word of the screen and what it means.
    struct LegendEntry {
        let symbol: String
        let role: Role
        let text: String
    }

    static func legend(_ context: RenderContext) -> [LegendEntry] {
        let g = context.glyphs
        let own = context.server.lastRecord?.internalFDs.first.map { "fd \($0)" } ?? "fd"
        let zh = context.language == .zhTW
        func entry(_ symbol: String, _ role: Role, _ en: String, _ zhTW: String) -> LegendEntry {
            LegendEntry(symbol: symbol, role: role, text: zh ? zhTW : en)
        }
        return [
            entry("inputs", .label, "the checklist of sockets select checks for reading (its rlist)",
                  "讀取檢查表：select 要檢查能不能讀的 socket（rlist）"),
            entry("outputs", .label, "the checklist of sockets select checks for writing (its wlist)",
                  "寫入檢查表：select 要檢查能不能寫的 socket（wlist）"),
            entry(g.bitSet + " " + g.bitClear, .highlight, "fd_set bits: set, clear", "fd_set 的位元：有設、沒設"),
            entry(g.bitInternal, .dim,
                  "\(own) is the dashboard's own wake-up pipe: select watches it for keys and commands, so its bit is set in `rd in`, but it is not one of the homework's inputs",
                  "\(own) 是儀表板自己的喚醒管道：select 也監看它（按鍵與指令），所以它在 rd in 有設，但不在作業的 inputs 裡"),
            entry("0..9 1", .label, "fd ruler: the ones digit of each fd; at 10, 20, ... the tens digit instead, bright",
                  "fd 尺標：每個 fd 的個位數；在 10、20…處改印十位數（亮的）"),
            entry(context.labels[.kernelUnread], .label, "bytes the kernel has received that the server has not read yet (FIONREAD), now",
                  "核心已收到、伺服器還沒讀的位元組（FIONREAD），即時"),
            entry(context.labels[.kernelUnsent], .label, "bytes sent but not yet acknowledged by the other side (SIOCOUTQ), now",
                  "已送出、對方還沒確認的位元組（SIOCOUTQ），即時"),
            entry(context.labels[.depth], .label,
                  "the queue against its cap; the cap is checked before each recv, so a queue can pass it by up to one recv",
                  "佇列相對上限的深度；上限在每次 recv 之前檢查，所以佇列最多可超出一次 recv 的量"),
            entry(context.labels[.pausedState], .warning,
                  "backpressure: the queue reached its cap, so the fd is out of inputs until it drains",
                  "背壓：佇列到達上限，這個 fd 移出 inputs，直到送出為止"),
            entry(context.labels[.paused], .warning, "the loop waits before its next call (space steps, enter runs)",
                  "迴圈停在下一次呼叫之前（空白鍵單步、enter 繼續）"),
            entry("R W B X", .readable, "timeline: came back readable, writable, both, exceptional",
                  "時間軸：回傳可讀、可寫、兩者皆可、例外"),
            entry(g.bitClear + " o", .dim, "timeline: in inputs, in outputs, not ready", "時間軸：在 inputs、在 outputs，未就緒"),
            entry(g.selectedCall + " t", .highlight, "timeline ruler: the call shown, a call that timed out; a digit: the mode it switched to",
                  "時間軸尺標：目前這次呼叫、逾時的呼叫；數字：切換到的模式"),
        ]
    }
}
