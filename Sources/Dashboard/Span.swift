/// A run of text drawn in one role; a line of a pane is a list of spans.
struct Span: Sendable, Equatable {
    var text: String
    var role: Role

    init(_ text: String, _ role: Role = .normal) {
        self.text = text
        self.role = role
    }
}

extension Array where Element == Span {
    var displayWidth: Int { reduce(0) { $0 + DisplayWidth.of($1.text) } }
}
