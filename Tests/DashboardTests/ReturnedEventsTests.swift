import Testing
@testable import Dashboard
import SelectCore

/// poll and epoll say more than "ready": what the kernel returned (HUP, ERR) is shown as it
/// was recorded, not rebuilt from the result lists.
@Suite struct ReturnedEventsTests {
    static func record(_ backend: BackendKind) -> StepRecord {
        var record = StepRecord()
        record.seq = 7
        record.backend = backend
        record.listener = 3
        record.inputs = [3, 5, 6]
        record.readable = [5, 6]
        record.returnedEvents = [ReturnedEvents(fd: 5, events: [.input, .hangup, .error]), ReturnedEvents(fd: 6, events: .input)]
        return record
    }

    static func text(_ lines: [[Span]]) -> [String] { lines.map { $0.map(\.text).joined() } }

    @Test func pollShowsTheReventsTheKernelReturned() {
        let model = DashboardModel(server: ServerSnapshot())
        let lines = Self.text(PollView.lines(Self.record(.poll), RenderContext(model), width: 60, rows: 8))
        #expect(lines.contains { $0.contains("5  IN|PRI") && $0.hasSuffix("IN|ERR|HUP") }, "\(lines)")
        #expect(lines.contains { $0.contains("6  IN|PRI") && $0.hasSuffix("IN") }, "\(lines)")
    }

    @Test func epollShowsTheEventMaskTheKernelReturned() {
        let model = DashboardModel(server: ServerSnapshot())
        let spans = EpollView.readyList(Self.record(.epoll), RenderContext(model), room: 60)
        let text = spans.map(\.text).joined()
        #expect(text == "5:IN|ERR|HUP 6:IN", "\(text)")
        #expect(spans.first?.role == .error)
    }

    @Test func anOlderTraceWithoutReventsIsRebuiltFromTheLists() {
        var record = Self.record(.poll)
        record.returnedEvents = []
        let model = DashboardModel(server: ServerSnapshot())
        let lines = Self.text(PollView.lines(record, RenderContext(model), width: 60, rows: 8))
        #expect(lines.contains { $0.contains("5  IN|PRI") && $0.hasSuffix(" IN") }, "\(lines)")
    }
}
