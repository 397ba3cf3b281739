@testable import Grader
import SelectCore
import Testing

/// A traced program may have threads besides its loop: only the loop's calls are graded.
@Suite struct ServingThreadsTests {
    static func call(tid: Int32, inputs: [Int32], listener: Int32 = 3) -> StepRecord {
        var record = StepRecord()
        record.listener = listener
        record.inputs = inputs
        record.origin = CallOrigin(pid: 10, tid: tid, call: tid == 10 ? "pselect6" : "poll")
        return record
    }

    @Test func aThreadThatNeverWaitsOnTheListenerIsLeftOut() {
        var threads = ServingThreads()
        // The logging thread polls its pipe before and after the loop starts.
        let admitted = [
            threads.admit(Self.call(tid: 11, inputs: [9])),
            threads.admit(Self.call(tid: 10, inputs: [3])),
            threads.admit(Self.call(tid: 11, inputs: [9])),
            // The loop's later calls count even while the listener is out of its inputs.
            threads.admit(Self.call(tid: 10, inputs: [5, 6])),
        ]
        #expect(admitted == [false, true, false, true])
        #expect(threads.leftOut == 1)
    }

    @Test func theBuiltInServersOwnRecordsAreAllKept() {
        var threads = ServingThreads()
        var record = StepRecord()
        record.inputs = [9]
        let admitted = threads.admit(record)
        #expect(admitted)
        #expect(threads.leftOut == 0)
    }
}
