import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// The scripted clients of each run. Each scenario drives one session; what it saw goes into
/// the session's observation, and the judges decide.
enum Scenarios {
    static let hello = Array("Hello, world".utf8)

    /// Bytes that tell clients and positions apart: a wrong, lost or reordered byte shows.
    /// A random block of a prime length (65,521) repeated, so a loss of any round number of
    /// bytes (1024, 4096) shifts the data against itself; `seed` picks the starting point.
    static func pattern(_ count: Int, seed: UInt64) -> [UInt8] {
        let block = randomBlock
        var out = [UInt8]()
        out.reserveCapacity(count)
        var position = Int(seed % UInt64(block.count))
        while out.count < count {
            let take = min(count - out.count, block.count - position)
            out.append(contentsOf: block[position..<(position + take)])
            position = 0
        }
        return out
    }

    static let randomBlock: [UInt8] = {
        var state: UInt64 = 0x5EED
        var out = [UInt8]()
        out.reserveCapacity(65528)
        while out.count < 65521 {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z) { out.append(contentsOf: $0.prefix(65521 - out.count)) }
        }
        return out
    }()

    /// The behaviour run: one echo client, 2 then 10 clients at once, everyone idle for a
    /// while (calls and CPU measured), then a client that closes.
    static func behaviour(_ session: Session) {
        guard session.observation.listened else { return }
        let exercise = session.exercise
        if let echo = session.connect("echo") {
            for message in [hello, Array("second message".utf8), pattern(3000, seed: 1), Array("bye".utf8)] {
                if !session.deliver(message, by: echo) { break }
            }
            // Not a byte back in 3 s: the clients to come are each given 1 s, not 3 s.
            if exercise.echoes && echo.log.received.isEmpty { session.replyTimeout = 1 }
        }
        let waves = exercise.echoes ? [2, 10] : [1]
        var number = 0
        for size in waves {
            var wave: [ProbeClient] = []
            for _ in 0..<size {
                number += 1
                if let client = session.connect("multi-\(number)") { wave.append(client) }
            }
            for (index, client) in wave.enumerated() {
                client.send(Array("client \(number - wave.count + index + 1) says hello".utf8))
            }
            session.awaitHandled(wave)
        }
        guard session.alive else { return }

        // Idle: every client connected, nobody sends. A blocked select() makes no calls.
        let window = exercise.timeout != nil ? 4.6 : 1.5
        session.records()
        let before = session.latestSeq
        let cpuBefore = session.sandbox.cpuSeconds()
        let started = Posix.monotonicSeconds()
        // Read as it goes: a spinning program writes megabytes of calls a second.
        while Posix.monotonicSeconds() - started < window && session.alive {
            usleep(50_000)
            session.records()
        }
        let elapsed = Posix.monotonicSeconds() - started
        let cpu = session.sandbox.cpuSeconds() - cpuBefore
        session.records()
        let after = session.latestSeq
        session.observation.idle = IdleWindow(seconds: elapsed, calls: after - before, cpuSeconds: cpu,
                                              firstSeq: before + 1, lastSeq: after)
        guard session.alive else { return }

        // A client that says hello, pauses as the homework's client does, and closes (its
        // sending side: it then sees the program close its end).
        if let closer = session.connect("closer") {
            session.deliver(hello, by: closer)
            usleep(300_000)
            closer.shutdownWrite()
            closer.readUntilClosed(timeout: 3)
        }
        // One more client, so there are calls after the close to judge.
        if session.alive, let after = session.connect("after") { session.deliver(hello, by: after) }
    }

    /// A client that sends and closes its sending side at once, then reads what comes back.
    static func sendThenClose(_ session: Session) {
        guard session.observation.listened, let closer = session.connect("closer") else { return }
        _ = closer.sendAndFinish(hello)
        closer.readUntilClosed(timeout: 3)
        probe(session)
    }

    /// A client whose message was handled, then, after the homework client's pause, it
    /// resets (RST).
    static func reset(_ session: Session) {
        guard session.observation.listened, let resetter = session.connect("resetter") else { return }
        session.deliver(hello, by: resetter)
        usleep(300_000)
        resetter.reset()
        probe(session)
    }

    /// One client floods and never reads while another keeps talking (one message in
    /// flight at a time); the flood stops once the program stops taking its bytes, holds
    /// more than `TraceFacts.unboundedQueue` for it, or after 12 s. Then it reads back.
    static func slowReader(_ session: Session) {
        guard session.observation.listened, let steady = session.connect("steady-1"),
              let flood = session.connect("flood", receiveBuffer: 16384, sendBuffer: 65536) else { return }
        let echoes = session.exercise.echoes
        let data = pattern(32 << 20, seed: 7)
        var offset = 0
        let started = Posix.monotonicSeconds()
        var lastProgress = started
        var lastCheck = started
        var talks = 0
        var awaiting: (target: Int, since: Double)?
        var lastTalk = 0.0
        var unbounded = false
        var heldBack = false
        // Held back: our sends make no progress AND the program has stopped reading (no new
        // recv on the flood in its trace) for a second — not merely a slow program.
        var readSoFar = 0
        var lastRead = started
        while offset < data.count && session.alive && !unbounded {
            let now = Posix.monotonicSeconds()
            if now - lastProgress > 1 && now - lastRead > 1 { heldBack = true; break }
            if now - started > 12 { break }
            let sent = flood.trySend(data[offset..<min(data.count, offset + 65536)])
            if sent < 0 { break }
            if sent > 0 { offset += sent; lastProgress = now } else { _ = flood.wait(Int16(POLLOUT), timeout: 0.02) }
            if let pending = awaiting {
                if echoes { steady.drain() }
                let done = echoes ? steady.log.received.count >= pending.target : true
                if done || now - pending.since > 3 { awaiting = nil; lastTalk = now }
            } else if talks < 20 && now - lastTalk > 0.2 {
                talks += 1
                let message = Array("steady \(talks)".utf8)
                steady.send(message)
                awaiting = (steady.log.sent.count, now)
            }
            if now - lastCheck > 0.25 {
                lastCheck = now
                session.sampleMemory()
                let log = flood.log
                let facts = TraceFacts(session.records())
                if let connection = facts.connection(of: log) {
                    if facts.peakHeld(on: connection.fd, from: connection.acceptedAt) > TraceFacts.unboundedQueue { unbounded = true }
                    let read = facts.bytesReceived(on: connection.fd, from: connection.acceptedAt)
                    if read > readSoFar { readSoFar = read; lastRead = now }
                }
            }
        }
        session.sampleMemory()
        if echoes { steady.receive(upTo: steady.log.sent.count, timeout: session.replyTimeout) } else {
            session.waitUntilRead(by: steady, timeout: session.replyTimeout)
        }
        session.observation.floodHeldBack = heldBack
        // Read it all back (unless the verdict is in already: the program never held it back).
        if echoes && session.alive && heldBack {
            flood.receive(upTo: flood.log.sent.count, timeout: 10, idle: session.replyTimeout)
        }
        session.sampleMemory()
    }

    /// 1 MiB in random-sized writes from a client with a 4 KiB receive buffer that reads
    /// only when it cannot send (16 KiB at a time): the program's sends to it fill its socket
    /// buffer and come back short, or would block.
    static func shortSend(_ session: Session) {
        guard session.observation.listened, let bulk = session.connect("bulk", receiveBuffer: 4096) else { return }
        let data = pattern(1 << 20, seed: 11)
        var sizes = pattern(4096, seed: 13).makeIterator()
        var offset = 0
        let deadline = Posix.monotonicSeconds() + 15
        while offset < data.count && Posix.monotonicSeconds() < deadline && session.alive {
            let size = 1 + Int(sizes.next() ?? 100) * 32 + Int(sizes.next() ?? 0) % 32
            let sent = bulk.trySend(data[offset..<min(data.count, offset + size)])
            if sent < 0 { break }
            if sent > 0 { offset += sent; continue }
            _ = bulk.wait(Int16(POLLIN), timeout: 0.01)
            if !bulk.drain(limit: 16384) { break }
        }
        bulk.receive(upTo: bulk.log.sent.count, timeout: max(1, deadline - Posix.monotonicSeconds()), idle: session.replyTimeout)
    }

    /// Past FD_SETSIZE: 1,100 connections held open at once, saying nothing. They arrive
    /// four at a time, each four once the program has taken the last from its listen backlog
    /// (the homework's backlog is 5: more at once would wait on SYN retries); a program that
    /// stops taking them for 3 s, or 25 s in all, ends the crowd. Then a client must still be
    /// served.
    static func manyClients(_ session: Session, count: Int = 1100) {
        guard session.observation.listened else { return }
        var crowd: [ProbeClient] = []
        let deadline = Posix.monotonicSeconds() + 25
        crowding: while crowd.count < count && session.alive && Posix.monotonicSeconds() < deadline {
            for _ in 0..<min(4, count - crowd.count) {
                guard let client = session.connect("crowd-\(crowd.count + 1)", wait: false) else { break crowding }
                crowd.append(client)
            }
            let stall = Posix.monotonicSeconds() + 3
            while !KernelSockets.backlogEmpty(port: session.port) {
                if Posix.monotonicSeconds() > stall || !session.alive { break crowding }
                usleep(1_000)
            }
        }
        session.observation.notes.append("crowd: \(crowd.count) connected")
        session.closeClients()
        session.sampleMemory()
        // Its 1,100 closes come first: 2 s more than a reply is given.
        probe(session, timeout: session.replyTimeout + 2)
    }

    /// A client after the trouble: is the program still serving?
    static func probe(_ session: Session, timeout: Double? = nil) {
        guard session.alive, let probe = session.connect("probe") else { return }
        session.deliver(hello, by: probe, timeout: timeout ?? session.replyTimeout)
    }
}
