import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// Turns a traced call's entry and exit into what SelectScope shows: a record per readiness
/// call, an event per socket call. Reads the program's memory; trusts none of it.
struct CallDecoder {
    /// What a call other than a readiness call left to do (a readiness call's exit makes a
    /// record: `record(_:result:thread:process:memory:time:into:)`).
    enum Exit {
        case nothing
        /// listen() succeeded on this fd.
        case listening(Int32)
    }

    let options: TracerOptions

    #if arch(x86_64)
    /// struct epoll_event is packed on x86_64 (12 bytes), naturally aligned elsewhere.
    static let epollEventSize = 12
    static let epollDataOffset = 4
    #else
    static let epollEventSize = 16
    static let epollDataOffset = 8
    #endif

    // MARK: - Entry

    /// `buffers` are the thread's: what is read lands there, and a readiness call's lists are
    /// taken from there.
    func enter(_ call: TracedSyscall, args: SyscallArguments, tid: Int32, memory: some ProgramMemory, time: Double,
               buffers: inout CallBuffers) -> PendingCall {
        var pending = PendingCall(call: call, args: args, entryTime: time, entry: .none)
        func fd(_ index: Int) -> Int32 { Int32(truncatingIfNeeded: args[index]) }
        switch call {
        case .select, .pselect6:
            let nfds = Int(Int32(truncatingIfNeeded: args[0]))
            guard (0...Int(RemoteMemory.maxEntries)).contains(nfds) else {
                pending.damage = "nfds \(nfds) out of range"
                return pending
            }
            // One read for the three sets and the timeout: this is the hot path.
            let size = RemoteMemory.fdSetBytes(nfds: nfds)
            let found = memory.gather([RemoteRange(address: args[1], count: size), RemoteRange(address: args[2], count: size),
                                       RemoteRange(address: args[3], count: size), RemoteRange(address: args[4], count: 16)],
                                      into: &buffers.bytes)
            var lists = buffers.takeLists()
            let read = Self.decodeSet(args[1], found[0], buffers.bytes, nfds: nfds, into: &lists.read)
            let write = Self.decodeSet(args[2], found[1], buffers.bytes, nfds: nfds, into: &lists.write)
            let except = Self.decodeSet(args[3], found[2], buffers.bytes, nfds: nfds, into: &lists.except)
            if !read || !write || !except { pending.damage = "fd_set unreadable" }
            var seconds: Double?
            if args[4] != 0 {
                if let range = found[3] {
                    switch memory.interval(buffers.bytes, at: range.lowerBound, divisor: call == .select ? 1e6 : 1e9) {
                    case .success(let value): seconds = value
                    case .failure(let damage): pending.damage = damage.description
                    }
                } else {
                    pending.damage = "timeout at 0x\(String(args[4], radix: 16)) unreadable"
                }
            }
            pending.lists = lists
            pending.entry = .select(nfds: nfds, addresses: (args[1], args[2], args[3]), timeout: seconds)
        case .poll, .ppoll:
            let count = args[1]
            guard count <= UInt64(RemoteMemory.maxEntries) else {
                pending.damage = "nfds \(count) out of range"
                return pending
            }
            var seconds: Double?
            if call == .poll {
                let ms = Int32(truncatingIfNeeded: args[2])
                seconds = ms < 0 ? nil : Double(ms) / 1000
            } else {
                switch memory.interval(at: args[2], divisor: 1e9, buffer: &buffers.bytes) {
                case .success(let value): seconds = value
                case .failure(let damage): pending.damage = damage.description
                }
            }
            guard memory.copy(at: args[0], count: Int(count) * 8, into: &buffers.bytes) else {
                pending.damage = "pollfd array unreadable"
                return pending
            }
            var lists = buffers.takeLists()
            let raw = buffers.bytes
            for index in 0..<Int(count) {
                let fd = memory.int32(raw, at: index * 8)
                let events = Int16(bitPattern: UInt16(raw[index * 8 + 4]) | UInt16(raw[index * 8 + 5]) << 8)
                lists.polled.append((fd, events))
            }
            pending.lists = lists
            pending.entry = .poll(address: args[0], timeout: seconds)
        case .epoll_wait, .epoll_pwait, .epoll_pwait2:
            let capacity = Int(Int32(truncatingIfNeeded: args[2]))
            var seconds: Double?
            if call == .epoll_pwait2 {
                switch memory.interval(at: args[3], divisor: 1e9, buffer: &buffers.bytes) {
                case .success(let value): seconds = value
                case .failure(let damage): pending.damage = damage.description
                }
            } else {
                let ms = Int32(truncatingIfNeeded: args[3])
                seconds = ms < 0 ? nil : Double(ms) / 1000
            }
            pending.entry = .epollWait(epfd: fd(0), address: args[1], capacity: capacity, timeout: seconds)
        case .epoll_ctl:
            var interest: ProcessBook.Interest?
            if args[3] != 0, let raw = memory.bytes(at: args[3], count: Self.epollEventSize) {
                interest = ProcessBook.Interest(events: UInt32(bitPattern: memory.int32(raw, at: 0)),
                                                data: UInt64(bitPattern: memory.int64(raw, at: Self.epollDataOffset)))
            }
            pending.entry = .epollControl(epfd: fd(0), op: fd(1), fd: fd(2), interest: interest)
        case .bind:
            let length = Int(Int32(truncatingIfNeeded: args[2]))
            var requested: PeerAddress?
            var rewritten: Int?
            if length >= 8, length <= 128, let raw = memory.bytes(at: args[1], count: length) {
                requested = SocketAddressBytes.peer(raw)
                let family = SocketAddressBytes.family(raw)
                if let port = options.port, family == AF_INET || family == AF_INET6 {
                    // Written at the stop (a bind is never read from the kernel's copies).
                    if RemoteMemory(pid: tid).write([UInt8(port >> 8), UInt8(port & 0xff)], at: args[1] + 2, tid: tid) {
                        rewritten = port
                    } else {
                        pending.damage = "could not rewrite the port: \(ErrnoName.of(errno))"
                    }
                }
            }
            pending.entry = .bind(fd: fd(0), requested: requested, rewrittenPort: rewritten)
        case .recvfrom, .read, .sendto, .write:
            pending.entry = .io(fd: fd(0), buffer: args[1], length: Int(min(args[2], UInt64(Int32.max))))
        case .recvmsg, .sendmsg:
            // struct msghdr: msg_iov at 16, msg_iovlen at 24 (LP64); the first iovec is enough
            // for a preview, the total for a send's request.
            var buffer: UInt64 = 0
            var total = 0
            if let header = memory.bytes(at: args[1], count: 32) {
                let iov = UInt64(bitPattern: memory.int64(header, at: 16))
                let count = min(Int(clamping: memory.int64(header, at: 24)), 64)
                if count > 0, let vectors = memory.bytes(at: iov, count: count * 16) {
                    buffer = UInt64(bitPattern: memory.int64(vectors, at: 0))
                    for index in 0..<count { total += Int(clamping: max(0, memory.int64(vectors, at: index * 16 + 8))) }
                }
            }
            pending.entry = .io(fd: fd(0), buffer: buffer, length: total)
        case .accept, .accept4:
            pending.entry = .accept(fd: fd(0), address: args[1], lengthAddress: args[2])
        case .setsockopt:
            pending.entry = .setsockopt(fd: fd(0), level: fd(1), name: fd(2), value: args[3], length: Int(Int32(truncatingIfNeeded: args[4])))
        case .close, .listen, .dup, .dup2, .dup3, .shutdown, .connect, .socket, .epoll_create, .epoll_create1, .restart_syscall:
            pending.entry = .fd(fd(0))
        }
        return pending
    }

    /// Whether the call's exit can change anything: a read or write on an fd that is not a
    /// socket is ignored there (see `exit`), so a launched program need not stop for it again
    /// (a print in its loop then costs one stop, not two).
    func exitMatters(_ entry: PendingCall.Entry, process: ProcessBook?) -> Bool {
        guard case .io(let fd, _, _) = entry, let process else { return true }
        return process.sockets.contains(fd)
    }

    // MARK: - Exit

    /// A call other than a readiness call returned (a readiness call's exit: `record`).
    func exit(_ pending: PendingCall, result: Int64, thread: ThreadBook, process: ProcessBook, memory: RemoteMemory) -> Exit {
        let errorCode = Self.errorCode(result)
        let failed = errorCode != 0
        let sockets = options.events == .sockets
        switch (pending.call, pending.entry) {
        case (.socket, _) where !failed:
            process.sockets.insert(Int32(truncatingIfNeeded: result))
        case (.epoll_create, _), (.epoll_create1, _):
            if !failed { process.interest[Int32(truncatingIfNeeded: result)] = [:] }
        case (.epoll_ctl, .epollControl(let epfd, let op, let fd, let interest)) where !failed:
            switch op {
            case 1, 3:  // EPOLL_CTL_ADD, EPOLL_CTL_MOD
                if let interest { process.interest[epfd, default: [:]][fd] = interest }
            case 2:  // EPOLL_CTL_DEL
                process.interest[epfd]?[fd] = nil
            default:
                break
            }
        case (.listen, .fd(let fd)) where !failed:
            process.listener = fd
            process.sockets.insert(fd)
            if sockets {
                // In the records, so a replayed trace can say how the listener was set up.
                let reuse = process.reuseAddress.contains(fd)
                thread.events.append(ServerEvent(kind: .listen, fd: fd, detail: reuse ? nil : ServerEvent.withoutReuseAddress))
            }
            return .listening(fd)
        case (.accept, .accept(_, let address, let lengthAddress)), (.accept4, .accept(_, let address, let lengthAddress)):
            guard !failed else {
                // Out of descriptors: the connection waits in the backlog, refused for now
                // (the built-in server's `refused`, a breakpoint too).
                if sockets && (errorCode == EMFILE || errorCode == ENFILE) {
                    thread.events.append(ServerEvent(kind: .refused, detail: ErrnoName.of(errorCode)))
                }
                break
            }
            let fd = Int32(truncatingIfNeeded: result)
            process.closed(fd)
            process.sockets.insert(fd)
            var peer: PeerAddress?
            if address != 0, lengthAddress != 0, let raw = memory.bytes(at: lengthAddress, count: 4) {
                let length = Int(memory.int32(raw, at: 0))
                peer = memory.socketAddress(at: address, length: min(length, 128))
            }
            if peer == nil { peer = SocketTable.peer(pid: process.pid, fd: fd) }
            process.peers[fd] = peer
            if sockets { thread.events.append(ServerEvent(kind: .accept, fd: fd, peer: peer)) }
        case (.recvfrom, .io(let fd, let buffer, let length)), (.recvmsg, .io(let fd, let buffer, let length)), (.read, .io(let fd, let buffer, let length)):
            guard process.sockets.contains(fd) else { break }
            if failed {
                if errorCode != EAGAIN { process.lastError[fd] = ErrnoName.of(errorCode) }
            } else if result == 0 {
                process.sawEOF.insert(fd)
                // The empty read itself is an event: reading on after it is a bug to point out.
                if sockets && length > 0 { thread.events.append(ServerEvent(kind: .recv, fd: fd, bytes: 0, peer: process.peers[fd])) }
            } else if sockets {
                let payload = memory.prefix(at: buffer, count: min(Int(result), options.payloadPreview))
                thread.events.append(ServerEvent(kind: .recv, fd: fd, bytes: Int(result), peer: process.peers[fd], payload: payload))
            }
        case (.sendto, .io(let fd, let buffer, let length)), (.sendmsg, .io(let fd, let buffer, let length)), (.write, .io(let fd, let buffer, let length)):
            guard process.sockets.contains(fd) else { break }
            if failed && errorCode != EAGAIN {
                process.lastError[fd] = ErrnoName.of(errorCode)
            } else if sockets {
                let sent = failed ? 0 : Int(result)
                // A short send keeps the start of what it asked to send (one buffer: not
                // sendmsg's iovecs), so the rest's first bytes can be matched with a retry.
                let kept = sent < length && pending.call != .sendmsg ? length : sent
                let payload = memory.prefix(at: buffer, count: min(kept, options.payloadPreview))
                thread.events.append(ServerEvent(kind: .send, fd: fd, bytes: sent, requested: max(length, sent),
                                                 peer: process.peers[fd], payload: payload))
            }
        case (.close, .fd(let fd)):
            guard !(failed && errorCode == EBADF) else { break }
            if process.sockets.contains(fd) && sockets {
                var event = ServerEvent(kind: .close, fd: fd, peer: process.peers[fd])
                if let error = process.lastError[fd] {
                    event.reason = .error
                    event.detail = error
                } else if process.sawEOF.contains(fd) {
                    event.reason = .eof
                }
                thread.events.append(event)
            }
            process.closed(fd)
        case (.dup, .fd(let old)), (.dup2, .fd(let old)), (.dup3, .fd(let old)):
            if !failed { process.duplicated(old, as: Int32(truncatingIfNeeded: result)) }
        case (.setsockopt, .setsockopt(let fd, let level, let name, let value, let length)) where !failed:
            if level == SOL_SOCKET && name == SO_REUSEADDR && length >= 4, let raw = memory.bytes(at: value, count: 4) {
                if memory.int32(raw, at: 0) != 0 { process.reuseAddress.insert(fd) } else { process.reuseAddress.remove(fd) }
            }
        default:
            break
        }
        return .nothing
    }

    /// The errno a call's return value stands for (-4095 … -1), or 0 when it succeeded.
    private static func errorCode(_ result: Int64) -> Int32 {
        result < 0 && result >= -4095 ? Int32(-result) : 0
    }

    // MARK: - Records

    /// A readiness call returned: its record, made in `record` (the thread's last one, handed
    /// on: its lists' storage is reused).
    func record(_ pending: PendingCall, result: Int64, thread: ThreadBook, process: ProcessBook,
                memory: some ProgramMemory, time: Double, into record: inout StepRecord) {
        let errorCode = Self.errorCode(result)
        // The origin's list keeps its storage too: taken out, it is the only holder.
        var exceptIn = record.origin.take()?.exceptIn ?? []
        if !exceptIn.isEmpty { exceptIn.removeAll(keepingCapacity: true) }
        record.renew()
        record.time = time
        record.listener = process.listener
        record.blockedMilliseconds = max(0, (time - pending.entryTime) * 1000)
        var origin = CallOrigin(pid: process.pid, tid: thread.tid, call: pending.call.rawValue, result: Int(result))
        if errorCode != 0 {
            origin.result = -1
            origin.error = ErrnoName.of(errorCode)
            // A signal cut it short: the program will make the call again (SPEC §6).
            record.interrupted = errorCode == EINTR
        }
        let ready = errorCode == 0 && result > 0
        var damage = pending.damage
        switch pending.entry {
        case .select(let nfds, let addresses, let timeout):
            record.backend = .select
            record.timeout = timeout
            record.inputs.append(contentsOf: pending.lists.read)
            record.outputs.append(contentsOf: pending.lists.write)
            exceptIn.append(contentsOf: pending.lists.except)
            if ready {
                let size = RemoteMemory.fdSetBytes(nfds: nfds)
                let found = memory.gather([RemoteRange(address: addresses.0, count: size), RemoteRange(address: addresses.1, count: size),
                                           RemoteRange(address: addresses.2, count: size), RemoteRange(address: 0, count: 0)],
                                          into: &thread.buffers.bytes)
                let bytes = thread.buffers.bytes
                let r = Self.decodeSet(addresses.0, found[0], bytes, nfds: nfds, into: &record.readable)
                let w = Self.decodeSet(addresses.1, found[1], bytes, nfds: nfds, into: &record.writable)
                let x = Self.decodeSet(addresses.2, found[2], bytes, nfds: nfds, into: &record.exceptional)
                if !r || !w || !x { damage = damage ?? "result sets unreadable" }
            }
        case .poll(let address, let timeout):
            record.backend = .poll
            record.timeout = timeout
            let fds = pending.lists.polled
            let pollIn: Int16 = 0x001, pollPri: Int16 = 0x002, pollOut: Int16 = 0x004
            let hangup: Int16 = 0x008 | 0x010 | 0x020  // POLLERR | POLLHUP | POLLNVAL
            for entry in fds where entry.fd >= 0 {
                if entry.events & (pollIn | pollPri) != 0 { record.inputs.append(entry.fd) }
                if entry.events & pollOut != 0 { record.outputs.append(entry.fd) }
            }
            if ready {
                if memory.copy(at: address, count: fds.count * 8, into: &thread.buffers.bytes) {
                    let raw = thread.buffers.bytes
                    for (index, entry) in fds.enumerated() where entry.fd >= 0 {
                        let revents = Int16(bitPattern: UInt16(raw[index * 8 + 6]) | UInt16(raw[index * 8 + 7]) << 8)
                        if revents == 0 { continue }
                        record.returnedEvents.append(ReturnedEvents(fd: entry.fd, events: ReadyEvents(rawValue: UInt32(UInt16(bitPattern: revents)))))
                        let reading = entry.events & (pollIn | pollPri) != 0
                        if reading && revents & (pollIn | hangup) != 0 { record.readable.append(entry.fd) }
                        if entry.events & pollOut != 0 && revents & (pollOut | hangup) != 0 { record.writable.append(entry.fd) }
                        if reading && revents & pollPri != 0 { record.exceptional.append(entry.fd) }
                    }
                } else {
                    damage = damage ?? "pollfd array unreadable at exit"
                }
            }
        case .epollWait(let epfd, let address, let capacity, let timeout):
            record.backend = .epoll
            record.timeout = timeout
            let interest = process.interest[epfd] ?? [:]
            let epollIn: UInt32 = 0x001, epollPri: UInt32 = 0x002, epollOut: UInt32 = 0x004
            let epollErr: UInt32 = 0x008, epollHup: UInt32 = 0x010, epollRdHup: UInt32 = 0x2000
            // In fd order (each fd once: sorting the lists is sorting the interest list).
            for (fd, entry) in interest {
                if entry.events & epollIn != 0 { record.inputs.append(fd) }
                if entry.events & epollOut != 0 { record.outputs.append(fd) }
            }
            record.inputs.sort()
            record.outputs.sort()
            if ready {
                let count = Int(result)
                if count > capacity || count > RemoteMemory.maxEntries {
                    damage = damage ?? "epoll_wait returned \(count) for room for \(capacity)"
                } else if memory.copy(at: address, count: count * Self.epollEventSize, into: &thread.buffers.bytes) {
                    let raw = thread.buffers.bytes
                    for index in 0..<count {
                        let base = index * Self.epollEventSize
                        let events = UInt32(bitPattern: memory.int32(raw, at: base))
                        let data = UInt64(bitPattern: memory.int64(raw, at: base + Self.epollDataOffset))
                        guard let fd = Self.fd(withData: data, in: interest) else {
                            damage = damage ?? "ready event with unknown data 0x\(String(data, radix: 16))"
                            continue
                        }
                        record.returnedEvents.append(ReturnedEvents(fd: fd, events: ReadyEvents(rawValue: events)))
                        let wanted = interest[fd]?.events ?? events
                        let reading = wanted & epollIn != 0
                        if reading && events & (epollIn | epollHup | epollErr | epollRdHup) != 0 { record.readable.append(fd) }
                        if wanted & epollOut != 0 && events & (epollOut | epollHup | epollErr) != 0 { record.writable.append(fd) }
                        if reading && events & epollPri != 0 { record.exceptional.append(fd) }
                    }
                } else {
                    damage = damage ?? "epoll events unreadable"
                }
            }
        default:
            break
        }
        origin.exceptIn = exceptIn
        origin.damage = damage
        record.origin = origin
    }

    /// The fd a ready event stands for. The ready list carries the program's data word, not
    /// the fd: it is mapped back through the interest list (most programs store the fd itself,
    /// looked up first), else taken as an fd when it can be one.
    private static func fd(withData data: UInt64, in interest: [Int32: ProcessBook.Interest]) -> Int32? {
        if data < UInt64(RemoteMemory.maxFD), interest[Int32(data)]?.data == data { return Int32(data) }
        if let watched = interest.first(where: { $0.value.data == data }) { return watched.key }
        return data < UInt64(RemoteMemory.maxFD) ? Int32(data) : nil
    }

    /// Appends the fds of a set read by `gather` (`range`) to `fds`; false when the set was
    /// unreadable (a null set is an empty one).
    private static func decodeSet(_ address: UInt64, _ range: Range<Int>?, _ bytes: [UInt8], nfds: Int,
                                  into fds: inout [Int32]) -> Bool {
        if address == 0 { return true }
        guard let range else { return false }
        RemoteMemory.appendFDs(inSet: bytes, at: range, nfds: nfds, to: &fds)
        return true
    }
}
