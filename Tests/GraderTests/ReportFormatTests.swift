import Foundation
import Grader
import Testing

@Suite struct ReportFormatTests {
    static let report: CheckReport = {
        var report = CheckReport(exercise: 2, command: ["python3", "a \"quoted\".py"], port: 5000)
        report.results = [
            .pass(.listens, "accepted a connection on port 5000"),
            .fail(.writefds, "sent to fd 5 from the read branch", evidence: ["select() call #7", "  outputs  [5]  []  ✗"]),
            .skip(.restart, "not run: it never listened"),
        ]
        report.seconds = 12.34
        return report
    }()

    @Test func jsonHasTheStableSchemaAndReadsBack() throws {
        let text = ReportFormat.json(Self.report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["exercise"] as? Int == 2)
        #expect(object["command"] as? [String] == ["python3", "a \"quoted\".py"])
        #expect(object["exit"] as? Int == 1)
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.map { $0["id"] as? String } == ["listens", "writefds", "restart"])
        #expect(checks[1]["kind"] as? String == "behaviour")
        #expect(checks[1]["passed"] as? Bool == false)
        #expect(checks[2]["passed"] is NSNull)
        #expect((checks[1]["evidence"] as? [String])?.first == "select() call #7")
        let decoded = try #require(CheckReport.decode(Data(text.utf8)))
        #expect(decoded.results == Self.report.results)
    }

    @Test func exitCodeCountsBehaviourOnly() {
        var report = Self.report
        #expect(report.exitCode == 1)
        report.results = [.pass(.listens, ""), .fail(.reset, "died")]
        #expect(report.exitCode == 0)
        report.couldNotRun = "no tracer"
        #expect(report.exitCode == 2)
    }

    @Test func junitHasACaseForEveryCheck() {
        let xml = ReportFormat.junit([Self.report])
        #expect(xml.contains("<testsuite name=\"exercise 2: python3 a &quot;quoted&quot;.py\" tests=\"3\" failures=\"1\""))
        #expect(xml.contains("<testcase classname=\"behaviour\" name=\"listens\"/>"))
        #expect(xml.contains("<failure message=\"sent to fd 5 from the read branch\">select() call #7"))
        #expect(xml.contains("<skipped message=\"not run: it never listened\"/>"))
    }

    @Test func textShowsMarksReasonsAndEvidence() {
        let text = ReportFormat.text(Self.report)
        #expect(text.contains("  ✓ listens         accepted a connection on port 5000"))
        #expect(text.contains("  ✗ writefds        sent to fd 5 from the read branch"))
        #expect(text.contains("      select() call #7"))
        #expect(text.contains("  – restart"))
    }

    @Test func tableHasARowPerSubmissionAndAColumnPerCheck() {
        let table = ReportFormat.table([("a.py", Self.report)], exercise: Exercise(number: 2)!)
        let lines = table.split(separator: "\n")
        #expect(lines[0].hasPrefix("submission"))
        #expect(lines[0].contains("wfds"))
        #expect(lines[1].hasPrefix("a.py"))
        #expect(lines[1].contains("✓") && lines[1].contains("✗"))
    }
}
