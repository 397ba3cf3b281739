import SelectCore

/// A report as text for a person, JSON for a script (a stable schema), JUnit XML for CI, and
/// a table with a row per submission.
public enum ReportFormat {
    // MARK: - Text

    public static func text(_ report: CheckReport, title: String? = nil) -> String {
        var lines: [String] = []
        let heading = title ?? report.command.joined(separator: " ")
        lines.append("exercise \(report.exercise): \(heading)  (port \(report.port))")
        if let reason = report.couldNotRun {
            lines.append("  could not run: \(reason)")
            return lines.joined(separator: "\n") + "\n"
        }
        var kind: CheckID.Kind?
        for result in report.results {
            if result.kind != kind {
                kind = result.kind
                lines.append(result.kind == .behaviour ? "behaviour" : "robustness (reported, not counted)")
            }
            let mark: String
            switch result.status {
            case .passed: mark = "✓"
            case .failed: mark = "✗"
            case .skipped: mark = "–"
            }
            lines.append("  \(mark) \(pad(result.id.rawValue, 16))\(result.reason)")
            for line in result.evidence { lines.append("      " + line) }
        }
        let behaviour = report.results.filter { $0.kind == .behaviour }
        let robustness = report.results.filter { $0.kind == .robustness }
        var summary = "behaviour \(behaviour.filter(\.passed).count)/\(behaviour.count) · robustness \(robustness.filter(\.passed).count)/\(robustness.count)"
        summary += " · \(seconds(report.seconds)) s"
        lines.append(summary)
        for note in report.notes { lines.append("  (\(note))") }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - JSON

    /// `{"exercise":N,"command":[…],"port":P,"exit":E,"seconds":S,"could_not_run":…,"notes":[…],
    ///   "checks":[{"id":…,"kind":"behaviour"|"robustness","passed":true|false|null,"status":…,
    ///   "reason":…,"evidence":[…]}]}`; `passed` is null for a check that was not run.
    public static func json(_ report: CheckReport) -> String {
        var out = "{\"exercise\":\(report.exercise),\"command\":" + strings(report.command)
        out += ",\"port\":\(report.port),\"exit\":\(report.exitCode),\"seconds\":\(seconds(report.seconds))"
        out += ",\"could_not_run\":" + (report.couldNotRun.map(quote) ?? "null")
        out += ",\"notes\":" + strings(report.notes)
        out += ",\"checks\":["
        for (index, result) in report.results.enumerated() {
            if index > 0 { out += "," }
            let passed = result.status == .skipped ? "null" : String(result.passed)
            out += "{\"id\":\(quote(result.id.rawValue)),\"kind\":\(quote(result.kind.rawValue)),\"passed\":\(passed)"
            out += ",\"status\":\(quote(result.status.rawValue)),\"reason\":\(quote(result.reason)),\"evidence\":\(strings(result.evidence))}"
        }
        return out + "]}"
    }

    public static func json(_ reports: [CheckReport], exercise: Int) -> String {
        "{\"exercise\":\(exercise),\"submissions\":[" + reports.map(json).joined(separator: ",") + "]}\n"
    }

    // MARK: - JUnit

    public static func junit(_ reports: [CheckReport]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
        for report in reports {
            let failures = report.results.filter { $0.status == .failed }.count
            let skipped = report.results.filter { $0.status == .skipped }.count
            let name = "exercise \(report.exercise): \(report.command.joined(separator: " "))"
            out += "  <testsuite name=\(attribute(name)) tests=\"\(report.results.count)\" failures=\"\(failures)\""
            out += " errors=\"\(report.couldNotRun == nil ? 0 : 1)\" skipped=\"\(skipped)\" time=\"\(seconds(report.seconds))\">\n"
            if let reason = report.couldNotRun {
                out += "    <testcase classname=\"check\" name=\"run\"><error message=\(attribute(reason))/></testcase>\n"
            }
            for result in report.results {
                out += "    <testcase classname=\(attribute(result.kind.rawValue)) name=\(attribute(result.id.rawValue))"
                switch result.status {
                case .passed:
                    out += "/>\n"
                case .skipped:
                    out += "><skipped message=\(attribute(result.reason))/></testcase>\n"
                case .failed:
                    out += "><failure message=\(attribute(result.reason))>"
                    out += escapeXML(result.evidence.joined(separator: "\n"))
                    out += "</failure></testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    // MARK: - Table

    /// A row per submission, a column per check: ✓ passed, ✗ failed, – not run.
    public static func table(_ rows: [(name: String, report: CheckReport)], exercise: Exercise) -> String {
        let ids = CheckID.checks(for: exercise)
        let nameWidth = max(10, rows.map { $0.name.count }.max() ?? 10) + 2
        var lines: [String] = []
        var header = pad("submission", nameWidth)
        for id in ids { header += pad(id.columnTitle, max(id.columnTitle.count, 1) + 1) }
        header += "behaviour  robust  s"
        lines.append(header)
        for row in rows {
            var line = pad(row.name, nameWidth)
            if let reason = row.report.couldNotRun {
                line += "could not run: \(reason)"
                lines.append(line)
                continue
            }
            for id in ids {
                let mark: String
                switch row.report.result(id)?.status {
                case .passed?: mark = "✓"
                case .failed?: mark = "✗"
                default: mark = "–"
                }
                line += pad(mark, id.columnTitle.count + 1)
            }
            let behaviour = row.report.results.filter { $0.kind == .behaviour }
            let robustness = row.report.results.filter { $0.kind == .robustness }
            line += pad("\(behaviour.filter(\.passed).count)/\(behaviour.count)", 11)
            line += pad("\(robustness.filter(\.passed).count)/\(robustness.count)", 8)
            line += seconds(row.report.seconds)
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Helpers

    static func seconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func strings(_ list: [String]) -> String { "[" + list.map(quote).joined(separator: ",") + "]" }

    static func quote(_ text: String) -> String { "\"" + TraceEncoder.escape(text) + "\"" }

    static func escapeXML(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                if let ascii = character.asciiValue, ascii < 0x20 && ascii != 0x0A && ascii != 0x09 { continue }
                out.append(character)
            }
        }
        return out
    }

    static func attribute(_ text: String) -> String { "\"" + escapeXML(text).replacingNewlines() + "\"" }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        var out = ""
        for character in self { out += character == "\n" ? "&#10;" : String(character) }
        return out
    }
}
