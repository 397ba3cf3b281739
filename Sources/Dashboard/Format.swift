/// Numbers and lists as the panes print them. No Foundation: the dashboard module stays
/// pure Swift, and these are the only formats it needs.
enum Format {
    /// "12B", "3.4K", "123K", "1.2M": 1024-based, at most four characters of number.
    static func bytes(_ count: Int) -> String {
        if count < 1024 { return "\(max(0, count))B" }
        var value = Double(count) / 1024
        var unit = 0
        let units = ["K", "M", "G", "T", "P"]
        while value >= 1023.95, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return (value < 9.95 ? decimal(value, places: 1) : "\(Int(value.rounded()))") + units[unit]
    }

    /// `value` with a fixed number of decimals, rounded half up.
    static func decimal(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "?" }
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((abs(value) * Double(scale)).rounded())
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard places > 0 else { return sign + "\(scaled)" }
        let fraction = String(scaled % scale)
        return sign + "\(scaled / scale)." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// A timeout as passed to the call: "none" (block), "2.0s", "0.0s" (poll).
    static func timeout(_ seconds: Double?, none: String) -> String {
        guard let seconds else { return none }
        return decimal(seconds, places: 1) + "s"
    }

    /// How long a call blocked: "0.04ms", "2.1ms", "153ms", "2.00s".
    static func milliseconds(_ ms: Double) -> String {
        if ms < 1 { return decimal(ms, places: 2) + "ms" }
        if ms < 10 { return decimal(ms, places: 1) + "ms" }
        if ms < 1000 { return "\(Int(ms.rounded()))ms" }
        return decimal(ms / 1000, places: 2) + "s"
    }

    static func microseconds(_ us: Double, micro: String) -> String {
        if us < 10 { return decimal(us, places: 1) + micro }
        if us < 10_000 { return "\(Int(us.rounded()))" + micro }
        return milliseconds(us / 1000)
    }

    /// "[3,5,6]", cut to `maxWidth` columns as "[3,5,…+98]". Only the fds that fit are
    /// formatted, so a list of 10,000 costs what a list of ten does.
    static func fdList(_ fds: [Int32], maxWidth: Int, ellipsis: String) -> String {
        // Each fd takes at least two columns, so only a short list can fit whole.
        if fds.count * 2 + 1 <= maxWidth {
            let whole = "[" + fds.map { String($0) }.joined(separator: ",") + "]"
            if whole.count <= maxWidth { return whole }
        }
        // Some must be cut, so the tail is always needed: keep room for it at every step.
        var text = "["
        for (index, fd) in fds.enumerated() {
            let piece = (index > 0 ? "," : "") + String(fd)
            let closing = DisplayWidth.of(",\(ellipsis)+\(fds.count - index - 1)]")
            if text.count + piece.count + closing > maxWidth {
                let tail = (index > 0 ? "," : "") + "\(ellipsis)+\(fds.count - index)]"
                return text + tail
            }
            text += piece
        }
        return text + "]"
    }

    /// Several lists sharing `room` columns: each takes what it needs, leaving the ones after
    /// it enough for a cut form.
    static func fdLists(_ lists: [[Int32]], room: Int, ellipsis: String) -> [String] {
        var left = room
        return lists.enumerated().map { index, fds in
            let reserve = lists[(index + 1)...].reduce(0) { $0 + min(8, wholeWidth($1)) }
            let text = fdList(fds, maxWidth: max(5, left - reserve), ellipsis: ellipsis)
            left -= text.count
            return text
        }
    }

    /// The width of `[…]` holding every fd, counted only as far as 8 columns.
    private static func wholeWidth(_ fds: [Int32]) -> Int {
        var width = 1
        for fd in fds.prefix(8) { width += Format.digits(Int(fd)) + 1 }
        return max(2, width)
    }

    /// `text` cut to `width` display columns, ending in `ellipsis` when cut.
    static func fit(_ text: String, width: Int, ellipsis: String) -> String {
        guard width > 0 else { return "" }
        if text.utf8.count <= width || DisplayWidth.of(text) <= width { return text }
        let room = width - DisplayWidth.of(ellipsis)
        guard room > 0 else { return String(ellipsis.prefix(width)) }
        var out = ""
        var used = 0
        for character in text {
            let w = DisplayWidth.of(character)
            if used + w > room { break }
            out.append(character)
            used += w
        }
        return out + ellipsis
    }

    /// `text` padded with spaces to `width` display columns (wide characters count twice).
    static func pad(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - DisplayWidth.of(text)))
    }

    static func digits(_ value: Int) -> Int { String(value).count }

    /// `text` wrapped with a hanging indent: lines after the first are `hanging` columns
    /// narrower (the caller indents them).
    static func wrap(_ text: String, width: Int, hanging: Int) -> [String] {
        let first = wrap(text, width: width)
        guard hanging > 0, hanging < width, first.count > 1, let head = first.first, text.hasPrefix(head) else { return first }
        let rest = text.dropFirst(head.count).drop { $0 == " " }
        return [head] + wrap(String(rest), width: width - hanging)
    }

    /// `text` broken into lines of at most `width` columns, at spaces where it can be and
    /// anywhere inside a word too long for a line (Chinese has no spaces).
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        var used = 0
        for word in text.split(separator: " ") {
            var rest = String(word)
            var restWidth = DisplayWidth.of(rest)
            let gap = line.isEmpty ? 0 : 1
            if used + gap + restWidth <= width {
                line += (gap == 1 ? " " : "") + rest
                used += gap + restWidth
                continue
            }
            if !line.isEmpty { lines.append(line) }
            while restWidth > width {
                var head = ""
                var headWidth = 0
                for character in rest {
                    let w = DisplayWidth.of(character)
                    if headWidth + w > width { break }
                    head.append(character)
                    headWidth += w
                }
                if head.isEmpty { return lines }
                lines.append(head)
                rest = String(rest.dropFirst(head.count))
                restWidth = DisplayWidth.of(rest)
            }
            line = rest
            used = restWidth
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
