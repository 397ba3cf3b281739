import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why an output stopped taking lines.
public enum OutputFailure: Error, CustomStringConvertible, Sendable, Equatable {
    /// A write failed: a full disk, a closed pipe, an I/O error.
    case write(SystemError)
    /// The reader fell `bound` bytes behind, and the output keeps nothing it cannot write whole.
    case overflow(name: String, bound: Int)

    public var description: String {
        switch self {
        case .write(let error):
            return "\(error)"
        case .overflow(let name, let bound):
            return "\(name) was full: its reader fell \(bound / 1024) KiB behind"
        }
    }
}

/// Lines handed from the server's loop to a thread of their own that writes them, so a slow
/// reader (a full pipe, a stalled disk) never stalls the loop.
///
/// The loop appends lines and `flush()`es once per record: the batch joins a queue bounded in
/// bytes, and the writer thread takes the whole queue at a time and writes it with a
/// `LineWriter` (whole lines; cut back to the last whole line when a write fails). A batch
/// that does not fit is not queued, and then the `policy` decides:
/// - `.dropLines` (the text log): those lines are counted as dropped, and as soon as there is
///   room again a line of its own says how many ("… 12 log lines dropped: stdout was full");
/// - `.stop` (a trace): nothing more is queued, so what was written stays a valid prefix of
///   the trace, and the output fails with `.overflow`.
/// A failure (write error or overflow) is reported once through `onFailure`, at once, on the
/// thread that saw it.
///
/// At machine speed the writer thread lets lines gather for a few milliseconds after each
/// write instead of being woken for every record: a wake per record cost the producer a pipe
/// write and, on a busy core, two context switches per call. Waiting for lines, it is woken
/// by the first one, so a slow loop's lines go out at once.
public final class QueuedLineWriter: @unchecked Sendable {
    public enum Policy: Sendable { case dropLines, stop }

    public let name: String
    private let policy: Policy
    private let bound: Int
    private let channel: Channel
    // The loop's side (one thread): the batch being built and drops not yet told.
    private var batch: [UInt8] = []
    private var batchLines = 0
    private var untoldDrops = 0
    private var finished = false

    /// Starts the writer thread for `writer`, which it owns from now on.
    public init(_ writer: LineWriter, policy: Policy, bound: Int, onFailure: @escaping @Sendable (OutputFailure) -> Void) throws {
        self.name = writer.name
        self.policy = policy
        self.bound = max(1, bound)
        self.channel = try Channel(onFailure: onFailure)
        batch.reserveCapacity(4096)
        let channel = self.channel
        let box = UncheckedBox(writer)
        try startSignalFreeThread { channel.run(box.value) }
    }

    deinit {
        if !finished {
            flush()
            channel.close()
        }
    }

    public func append(_ text: String) {
        var text = text
        text.withUTF8 { batch.append(contentsOf: $0) }
    }

    public func appendLine(_ text: String) {
        append(text)
        batch.append(UInt8(ascii: "\n"))
        batchLines += 1
    }

    /// Hands the lines appended since the last flush to the writer thread, or drops them
    /// (see `Policy`). Never blocks on the output.
    public func flush() {
        guard !batch.isEmpty else { return }
        defer {
            batch.removeAll(keepingCapacity: true)
            batchLines = 0
        }
        let note = untoldDrops > 0 ? Array("… \(untoldDrops) log lines dropped: \(name) was full\n".utf8) : []
        let lines = batchLines
        let bound = self.bound
        let policy = self.policy
        let outcome = channel.shared.withLock { shared -> FlushOutcome in
            if shared.failure != nil || shared.closing { return .discarded }
            let queued = shared.queue.count
            // An empty queue always takes one batch, however large.
            guard queued == 0 || queued + note.count + batch.count <= bound else {
                switch policy {
                case .dropLines:
                    shared.droppedLines += lines
                    return .dropped
                case .stop:
                    shared.failure = .overflow(name: name, bound: bound)
                    return .overflowed
                }
            }
            if !note.isEmpty {
                shared.queue.append(contentsOf: note)
                shared.queuedLines += 1
            }
            shared.queue.append(contentsOf: batch)
            shared.queuedLines += lines
            guard shared.writerWaiting else { return .queued }
            shared.writerWaiting = false
            return .queuedWake
        }
        switch outcome {
        case .queuedWake:
            untoldDrops = 0
            channel.wake()
        case .queued:
            untoldDrops = 0
        case .dropped:
            untoldDrops += lines
        case .overflowed:
            channel.onFailure(.overflow(name: name, bound: bound))
        case .discarded:
            break
        }
    }

    /// Safe from any thread: why the output stopped, if it did.
    public var failure: OutputFailure? { channel.shared.withLock { $0.failure } }

    /// Safe from any thread: log lines dropped because the output was full.
    public var droppedLines: Int { channel.shared.withLock { $0.droppedLines } }

    /// Flushes, then waits up to `seconds` for the writer thread to write everything queued.
    /// Lines still unwritten at the deadline count as dropped. Returns the total dropped.
    @discardableResult
    public func finish(within seconds: Double) -> Int {
        flush()
        finished = true
        channel.close()
        channel.waitUntilDone(seconds: seconds)
        return channel.shared.withLock { shared in
            if !shared.done && shared.failure == nil {
                shared.droppedLines += shared.queuedLines + shared.inFlightLines
                shared.queuedLines = 0
                shared.inFlightLines = 0
            }
            return shared.droppedLines
        }
    }

    private enum FlushOutcome { case queued, queuedWake, dropped, overflowed, discarded }

    /// What the loop's side and the writer thread share, and the writer thread's loop.
    private final class Channel: @unchecked Sendable {
        struct Shared {
            var queue: [UInt8] = []
            var queuedLines = 0
            var inFlightLines = 0
            var droppedLines = 0
            var failure: OutputFailure?
            var closing = false
            var done = false
            /// The writer thread found the queue empty and waits to be woken.
            var writerWaiting = false
        }

        /// How long the writer thread lets lines gather after a write: well under what a
        /// person notices, and at machine speed hundreds of records to one write.
        static let gathering = 0.005

        let shared = Mutex(Shared())
        let onFailure: @Sendable (OutputFailure) -> Void
        /// One byte: "the queue has lines, or it is time to close" (loop -> writer thread).
        private let wakePipe: (read: Int32, write: Int32)
        /// One byte: "everything is written, the thread has ended" (writer thread -> finish).
        private let donePipe: (read: Int32, write: Int32)

        init(onFailure: @escaping @Sendable (OutputFailure) -> Void) throws {
            self.onFailure = onFailure
            wakePipe = try Posix.makePipe()
            do {
                donePipe = try Posix.makePipe()
            } catch {
                Posix.close(wakePipe.read)
                Posix.close(wakePipe.write)
                throw error
            }
        }

        deinit {
            for fd in [wakePipe.read, wakePipe.write, donePipe.read, donePipe.write] { Posix.close(fd) }
        }

        func wake() {
            var byte = UInt8(ascii: "w")
            _ = Glibc.write(wakePipe.write, &byte, 1)
        }

        func close() {
            shared.withLock { $0.closing = true }
            wake()
        }

        func waitUntilDone(seconds: Double) {
            let deadline = Posix.monotonicSeconds() + max(0, seconds)
            while !shared.withLock({ $0.done }) {
                let left = deadline - Posix.monotonicSeconds()
                if left <= 0 { return }
                var descriptor = pollfd(fd: donePipe.read, events: Int16(POLLIN), revents: 0)
                _ = Glibc.poll(&descriptor, 1, Int32(min(left * 1000 + 1, 60_000)))
            }
        }

        /// The writer thread: takes the whole queue, writes it, until closed and empty.
        func run(_ writer: LineWriter) {
            var taken: [UInt8] = []
            taken.reserveCapacity(4096)
            while true {
                taken.removeAll(keepingCapacity: true)
                let closing = shared.withLock { shared -> Bool in
                    swap(&shared.queue, &taken)
                    shared.inFlightLines = shared.queuedLines
                    shared.queuedLines = 0
                    // Said under the lock that queues lines, so a line queued after this
                    // always wakes the thread.
                    if taken.isEmpty && !shared.closing { shared.writerWaiting = true }
                    return shared.closing
                }
                if taken.isEmpty {
                    if closing { break }
                    waitForWake(timeout: -1)
                    continue
                }
                let wrote = taken.withUnsafeBytes { bytes in
                    writer.append(lines: bytes)
                    return writer.flush()
                }
                let failed = shared.withLock { shared -> OutputFailure? in
                    shared.inFlightLines = 0
                    guard !wrote, shared.failure == nil, let error = writer.failure else { return nil }
                    shared.failure = .write(error)
                    return shared.failure
                }
                if let failed { onFailure(failed) }
                // Let the next lines gather; closing cuts the wait short.
                if !closing { waitForWake(timeout: Int32(Self.gathering * 1000)) }
            }
            shared.withLock { $0.done = true }
            var byte = UInt8(ascii: "d")
            _ = Glibc.write(donePipe.write, &byte, 1)
        }

        /// `timeout` in milliseconds, -1: until woken.
        private func waitForWake(timeout: Int32) {
            var descriptor = pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0)
            _ = Glibc.poll(&descriptor, 1, timeout)
            var drain = [UInt8](repeating: 0, count: 64)
            while Glibc.read(wakePipe.read, &drain, drain.count) > 0 {}
        }
    }
}

/// Runs `body` on a detached thread that blocks every signal but the fatal ones, so a
/// SIGINT or SIGTERM meant for the loop (it cuts the loop's readiness call short) never
/// lands on a helper thread instead.
func startSignalFreeThread(_ body: @escaping () -> Void) throws {
    final class Context {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    var thread = pthread_t()
    let context = Unmanaged.passRetained(Context(body)).toOpaque()
    // Blocked from the start: the thread inherits the mask in force when it is created.
    var all = sigset_t()
    sigfillset(&all)
    for fatal in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] { sigdelset(&all, fatal) }
    var previous = sigset_t()
    pthread_sigmask(SIG_BLOCK, &all, &previous)
    let created = pthread_create(&thread, nil, { raw in
        Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, context)
    pthread_sigmask(SIG_SETMASK, &previous, nil)
    guard created == 0 else {
        Unmanaged<Context>.fromOpaque(context).release()
        throw SystemError("pthread_create", errno: created)
    }
    pthread_detach(thread)
}
