import Testing
import SelectCore

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
