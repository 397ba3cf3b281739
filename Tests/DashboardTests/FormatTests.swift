@testable import Dashboard
import Testing

@Suite struct FormatTests {
    @Test func bytesAreHumanReadable() {
        #expect(Format.bytes(0) == "0B")
        #expect(Format.bytes(12) == "12B")
        #expect(Format.bytes(1023) == "1023B")
        #expect(Format.bytes(1024) == "1.0K")
        #expect(Format.bytes(3_481) == "3.4K")
        #expect(Format.bytes(65_536) == "64K")
        #expect(Format.bytes(1_258_291) == "1.2M")
        #expect(Format.bytes(987_654_321) == "942M")
        #expect(Format.bytes(5 * 1024 * 1024 * 1024) == "5.0G")
    }

    @Test func durations() {
        #expect(Format.milliseconds(0.04) == "0.04ms")
        #expect(Format.milliseconds(2.1) == "2.1ms")
        #expect(Format.milliseconds(153.4) == "153ms")
        #expect(Format.milliseconds(2000.4) == "2.00s")
        #expect(Format.timeout(nil, none: "none") == "none")
        #expect(Format.timeout(2, none: "none") == "2.0s")
        #expect(Format.microseconds(3.21, micro: "µs") == "3.2µs")
    }

    @Test func fdListsAreCutWithACount() {
        #expect(Format.fdList([], maxWidth: 10, ellipsis: "…") == "[]")
        #expect(Format.fdList([3, 5, 6], maxWidth: 7, ellipsis: "…") == "[3,5,6]")
        #expect(Format.fdList([3, 5, 6], maxWidth: 6, ellipsis: "…") == "[…+3]")
        #expect(Format.fdList([3, 5, 6, 7], maxWidth: 8, ellipsis: "…") == "[3,…+3]")
        #expect(Format.fdList(Array(3...1000), maxWidth: 14, ellipsis: "…") == "[3,4,5,…+995]")
        #expect(Format.fdList(Array(3...1000), maxWidth: 14, ellipsis: "...") == "[3,4,...+996]")
    }

    @Test func fitCutsByDisplayColumns() {
        #expect(Format.fit("hello", width: 5, ellipsis: "…") == "hello")
        #expect(Format.fit("hello world", width: 6, ellipsis: "…") == "hello…")
        #expect(Format.fit("使用writefds", width: 6, ellipsis: "…") == "使用w…")
        #expect(Format.fit("使用", width: 3, ellipsis: "…") == "使…")
    }

    @Test func wrapBreaksAtSpacesAndInsideChinese() {
        #expect(Format.wrap("select rewrites its sets in place", width: 16) == ["select rewrites", "its sets in", "place"])
        #expect(Format.wrap("關注清單留在核心", width: 6) == ["關注清", "單留在", "核心"])
    }

    @Test func topKMatchesAFullSort() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let values = (0..<500).map { _ in Int.random(in: 0..<50, using: &generator) }
            for k in [1, 3, 10, 200, 600] {
                let top = TopK.indices(count: values.count, k: k) { values[$0] > values[$1] }.map { values[$0] }
                #expect(top == Array(values.sorted(by: >).prefix(k)))
            }
        }
    }

    @Test func topKKeepsTiesInTheirOriginalOrder() {
        let values = [5, 1, 5, 3, 5]
        #expect(TopK.indices(count: values.count, k: 3) { values[$0] > values[$1] } == [0, 2, 4])
    }
}

@Suite struct SnapshotSupportTests {
    @Test func diffNamesEachDifferingLine() {
        let diff = Snapshot.diff("a\nb\nc\n", "a\nB\nc\nd\n")
        #expect(diff == "  2 - b\n  2 + B\n  4 - \n  4 + d\n  5 - <none>\n  5 + ")
    }
}
