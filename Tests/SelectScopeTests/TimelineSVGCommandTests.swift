import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LoopbackTesting
import SelectCore
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// `selectscope replay FILE --svg OUT.svg`: a real server's trace drawn as a picture; the
/// picture parsed back must show exactly the trace's sets, call by call.
@Suite("replay --svg")
struct TimelineSVGCommandTests {
    @Test("a mode-2 trace with an urgent byte: every inputs/outputs/readable/writable/exceptional mark in the SVG matches the trace, and nothing else is marked")
    func svgMatchesTrace() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = folder.appendingPathComponent("mode2.jsonl")
        let picture = folder.appendingPathComponent("mode2.svg")
        let (server, port) = try Rig.startServer(["--mode", "2", "--log", "none", "--trace", trace.path])
        defer { server.stop() }
        let hello = Array("Hello, world".utf8)
        let first = try LoopbackClient(port: port)
        let second = try LoopbackClient(port: port)
        for client in [first, second, first] {
            try client.send(hello)
            #expect(try client.receive(exactly: hello.count) == hello)
        }
        // One urgent byte: the exceptional set.
        var urgent: UInt8 = 0x21
        #expect(Glibc.send(second.fd, &urgent, 1, Int32(MSG_OOB)) == 1)
        #expect(Rig.waitUntil(timeout: 10) { Rig.lines(of: trace).contains { $0.contains("\"exceptional\":[") && !$0.contains("\"exceptional\":[]") } })
        first.close()
        second.close()
        #expect(Rig.waitUntil(timeout: 10) { Rig.lines(of: trace).filter { $0.contains("\"close\"") }.count >= 2 })
        #expect(server.stop() == 0)

        let run = try SpawnedProcess.selectscope(["replay", trace.path, "--svg", picture.path])
        #expect(run.waitForExit(timeout: 20) == 0, "\(run.transcript)")
        #expect(run.stdout.contains("wrote \(picture.path)"), "\(run.transcript)")

        let records = try TraceReader.read(path: trace.path).records
        try #require(!records.isEmpty)
        let marks = try SVGMarks(contentsOf: picture)
        var expected: Set<SVGMarks.Mark> = []
        for record in records {
            for fd in record.inputs { expected.insert(.init(seq: record.seq, fd: fd, kind: record.readable.contains(fd) ? "readable" : "inputs")) }
            for fd in record.outputs { expected.insert(.init(seq: record.seq, fd: fd, kind: record.writable.contains(fd) ? "writable" : "outputs")) }
            for fd in record.exceptional { expected.insert(.init(seq: record.seq, fd: fd, kind: "exceptional")) }
        }
        #expect(expected.contains { $0.kind == "exceptional" }, "the trace has no exceptional fd")
        #expect(expected.contains { $0.kind == "writable" }, "the trace has no writable fd")
        #expect(marks.marks == expected, "in the SVG only: \(marks.marks.subtracting(expected).sorted().prefix(8)); in the trace only: \(expected.subtracting(marks.marks).sorted().prefix(8))")
        #expect(marks.seqLabels.contains(records.last!.seq / 10 * 10) || records.count < 10, "axis labels: \(marks.seqLabels)")
        #expect(marks.fdLabels.contains(records[0].listener), "fd labels: \(marks.fdLabels)")
    }

    @Test("--calls out of the trace: exit 1 naming the trace's calls; --calls 9..2 and --calls without --svg: a usage error")
    func badRanges() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = folder.appendingPathComponent("short.jsonl")
        let (server, port) = try Rig.startServer(["--mode", "3", "--log", "none", "--trace", trace.path])
        let client = try LoopbackClient(port: port)
        client.close()
        #expect(Rig.waitUntil(timeout: 10) { Rig.lines(of: trace).contains { $0.contains("\"close\"") } })
        #expect(server.stop() == 0)
        let out = folder.appendingPathComponent("x.svg").path

        let outside = try SpawnedProcess.selectscope(["replay", trace.path, "--svg", out, "--calls", "5000..6000"])
        #expect(outside.waitForExit() == 1)
        #expect(outside.stderr.contains("no call") && outside.stderr.contains("the trace has calls 1-"), "\(outside.transcript)")
        #expect(!FileManager.default.fileExists(atPath: out))

        let backwards = try SpawnedProcess.selectscope(["replay", trace.path, "--svg", out, "--calls", "9..2"])
        #expect(backwards.waitForExit() == 64)
        #expect(backwards.stderr.contains("--calls must be A..B"), "\(backwards.transcript)")

        let alone = try SpawnedProcess.selectscope(["replay", trace.path, "--calls", "1..2"])
        #expect(alone.waitForExit() == 64)
        #expect(alone.stderr.contains("give --svg"), "\(alone.transcript)")

        let unwritable = try SpawnedProcess.selectscope(["replay", trace.path, "--svg", folder.appendingPathComponent("no/such/dir.svg").path])
        #expect(unwritable.waitForExit() == 1)
        #expect(unwritable.stderr.contains("open") && unwritable.stderr.contains("No such file or directory"), "\(unwritable.transcript)")
    }
}

/// The marks of a timeline SVG, read back with XMLParser: every element that carries
/// `data-seq` and `data-fd`, by its class.
final class SVGMarks: NSObject, XMLParserDelegate {
    struct Mark: Hashable, Comparable, CustomStringConvertible {
        let seq: Int
        let fd: Int32
        let kind: String

        static func < (a: Mark, b: Mark) -> Bool { (a.seq, a.fd, a.kind) < (b.seq, b.fd, b.kind) }
        var description: String { "#\(seq) fd \(fd) \(kind)" }
    }

    private(set) var marks: Set<Mark> = []
    private(set) var seqLabels: Set<Int> = []
    private(set) var fdLabels: Set<Int32> = []
    private var textClass: String?
    private var text = ""

    init(contentsOf url: URL) throws {
        super.init()
        let parser = try #require(XMLParser(contentsOf: url))
        parser.delegate = self
        guard parser.parse() else { throw Rig.Failure("the SVG does not parse: \(parser.parserError.map(String.init(describing:)) ?? "?")") }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if let seq = attributes["data-seq"].flatMap(Int.init), let fd = attributes["data-fd"].flatMap(Int32.init), let kind = attributes["class"] {
            marks.insert(Mark(seq: seq, fd: fd, kind: kind))
        }
        if attributes["class"] == "fd-label", let fd = attributes["data-fd"].flatMap(Int32.init) { fdLabels.insert(fd) }
        textClass = attributes["class"]
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if textClass == "seq-label", let seq = Int(text) { seqLabels.insert(seq) }
        textClass = nil
    }
}
