import Testing
@testable import SelectCore

/// The expected strings were produced by Python's `json.dumps(s, ensure_ascii=False)`, not by
/// the code under test.
@Suite("TraceEncoder.escape against Python's json.dumps")
struct TraceEncoderEscapeTests {
    @Test("quotes, backslashes and control characters are escaped; other text passes whole")
    func escapesWhatJSONRequires() {
        let text = "plain \"quoted\" back\\slash\nnew\rret\ttab\u{01}\u{1f}\u{7f} é ✓"
        #expect(TraceEncoder.escape(text) == "plain \\\"quoted\\\" back\\\\slash\\nnew\\rret\\ttab\\u0001\\u001f\u{7f} é ✓")
    }

    @Test("text that needs nothing comes back unchanged")
    func leavesPlainTextAlone() {
        #expect(TraceEncoder.escape("") == "")
        #expect(TraceEncoder.escape("b'Hello, world' from 127.0.0.1:5000 – ✓") == "b'Hello, world' from 127.0.0.1:5000 – ✓")
    }

    @Test("a payload preview is escaped as Python's repr, then as JSON")
    func payloadPreview() {
        // json.dumps(repr(bytes([0, 34, 39, 92, 10, 200])), ensure_ascii=False)
        #expect(TraceEncoder.escape(PythonRepr.bytes([0, 34, 39, 92, 10, 200])) == #"b'\\x00\"\\'\\\\\\n\\xc8'"#)
    }
}

@Suite("TraceEncoder.escapedRepr is escape(PythonRepr.bytes) in one pass")
struct TraceEncoderEscapedReprTests {
    @Test("equal on every byte, both quotes, and random payloads")
    func equalsTheTwoSteps() {
        var payloads: [[UInt8]] = [[], Array(0...255), Array("it's".utf8), Array("say \"hi\"".utf8), Array("both ' and \"".utf8)]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let count = Int.random(in: 0...80, using: &generator)
            payloads.append((0..<count).map { _ in [UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "\\"), 10, 0, 200, 65].randomElement(using: &generator)! })
            payloads.append((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        for payload in payloads {
            #expect(TraceEncoder.escapedRepr(payload) == TraceEncoder.escape(PythonRepr.bytes(payload)), "\(payload)")
        }
    }
}
