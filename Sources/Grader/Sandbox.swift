import Foundation
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// The limits one submission runs under.
public struct Limits: Sendable, Equatable {
    /// CPU seconds per process (RLIMIT_CPU).
    public var cpuSeconds = 20
    /// Address space per process (RLIMIT_AS), and resident memory of all its processes
    /// together where a memory cgroup is available.
    public var memoryBytes = 1 << 30
    /// Processes and threads of the submission (and its tracer) together: a pids cgroup.
    public var processes = 64
    /// How long a program gets between SIGTERM and SIGKILL.
    public var graceSeconds = 1.0

    public init() {}
}

/// Where one submission runs: its own scratch directory, its own process group, its own
/// cgroups (pids, memory, cpuacct) when the machine has them. Nothing it starts outlives
/// `destroy()`: every process in its group and its cgroups is killed, the cgroups and the
/// scratch directory removed.
final class Sandbox {
    let scratch: String
    let limits: Limits
    /// The cgroup directories made for this sandbox (v1 hierarchies: pids, memory, cpuacct).
    private(set) var cgroups: [String: String] = [:]
    private var groups: [Int32] = []

    init(limits: Limits, label: String) throws {
        self.limits = limits
        var template = Array("/tmp/selectscope-check-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError("mkdtemp", errno: errno) }
        scratch = String(cString: made)
        chmod(scratch, 0o755)
        let name = "selectscope-check-\(getpid())-\(label)"
        for controller in ["pids", "memory", "cpuacct"] {
            let root = "/sys/fs/cgroup/\(controller)"
            let directory = "\(root)/\(name)"
            guard access(root + "/cgroup.procs", W_OK) == 0, mkdir(directory, 0o755) == 0 || errno == EEXIST else { continue }
            cgroups[controller] = directory
        }
        if let pids = cgroups["pids"] { write("\(limits.processes)", to: pids + "/pids.max") }
        if let memory = cgroups["memory"] {
            write("\(limits.memoryBytes)", to: memory + "/memory.limit_in_bytes")
            write("\(limits.memoryBytes)", to: memory + "/memory.memsw.limit_in_bytes")
        }
    }

    var isolation: String {
        cgroups.isEmpty ? "process group and rlimits (no writable cgroups)" : "process group, rlimits, cgroups (\(cgroups.keys.sorted().joined(separator: ", ")))"
    }

    /// Starts `argv` in its own process group, in the scratch directory, under the limits.
    /// Its stdout and stderr go to files in the scratch directory.
    func spawn(_ argv: [String], name: String) throws -> Int32 {
        var script = ""
        for directory in cgroups.values.sorted() { script += "echo $$ > '\(directory)/cgroup.procs' && " }
        script += "cd '\(scratch)' && ulimit -t \(limits.cpuSeconds) && ulimit -v \(limits.memoryBytes / 1024) && exec \"$@\""
        let arguments = ["/bin/sh", "-c", script, "sh"] + argv

        let pid = try Posix.spawn("/bin/sh", arguments: arguments, stdout: .file("\(scratch)/\(name).stdout"),
                                  stderr: .file("\(scratch)/\(name).stderr"), ownProcessGroup: true)
        groups.append(pid)
        return pid
    }

    /// How the process is doing, without waiting.
    func poll(_ pid: Int32) -> ProcessOutcome {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { return Self.outcome(status) }
        return .running
    }

    /// Ends the program: SIGTERM to its group and cgroup, SIGKILL after the grace period to
    /// whatever is left (a program that ignores SIGTERM included), then reaps it.
    @discardableResult
    func stop(_ pid: Int32, already: ProcessOutcome = .running) -> ProcessOutcome {
        var outcome = already
        if outcome.isRunning { outcome = poll(pid) }
        if outcome.isRunning {
            signalAll(SIGTERM, group: pid)
            let deadline = Posix.monotonicSeconds() + limits.graceSeconds
            while Posix.monotonicSeconds() < deadline {
                outcome = poll(pid)
                if !outcome.isRunning { break }
                usleep(10_000)
            }
        }
        sweep(group: pid)
        if outcome.isRunning {
            var status: Int32 = 0
            if waitpid(pid, &status, 0) == pid { outcome = Self.outcome(status) }
        }
        return outcome
    }

    /// SIGKILL to everything in the group and the cgroups until nothing is left (a fork bomb
    /// forks while it is being killed: the pids limit keeps that finite).
    func sweep(group: Int32) {
        let deadline = Posix.monotonicSeconds() + 5
        repeat {
            kill(-group, SIGKILL)
            let left = members()
            for pid in left { kill(pid, SIGKILL) }
            if left.isEmpty { break }
            usleep(5_000)
        } while Posix.monotonicSeconds() < deadline
    }

    private func signalAll(_ signal: Int32, group: Int32) {
        kill(-group, signal)
        for pid in members() { kill(pid, signal) }
    }

    /// Every process of the sandbox still alive (zombies excluded): the cgroup's members, or
    /// without cgroups the members of its process groups.
    func members() -> [Int32] {
        if let directory = cgroups["pids"] ?? cgroups.values.first {
            let text = KernelFile.text(directory + "/cgroup.procs") ?? ""
            return text.split(separator: "\n").compactMap { Int32($0) }.filter { !Self.isZombie($0) }
        }
        var found: [Int32] = []
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let stat = Self.stat(of: pid), stat.count > 3,
                  let group = Int32(stat[3]), groups.contains(group), stat[0] != "Z" else { continue }
            found.append(pid)
        }
        return found
    }

    /// Fields of /proc/PID/stat after the command name: state, ppid, pgrp, …
    static func stat(of pid: Int32) -> [String]? {
        guard let text = KernelFile.text("/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ").map(String.init)
    }

    static func isZombie(_ pid: Int32) -> Bool { stat(of: pid)?.first == "Z" }

    /// Resident memory of all the sandbox's processes, in bytes.
    func residentBytes() -> Int {
        var total = 0
        for pid in members() {
            guard let text = KernelFile.text("/proc/\(pid)/statm") else { continue }
            let fields = text.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { total += pages * Int(sysconf(Int32(_SC_PAGESIZE))) }
        }
        return total
    }

    /// CPU seconds used by the sandbox's processes so far (cpuacct, or their /proc/stat).
    func cpuSeconds() -> Double {
        if let directory = cgroups["cpuacct"], let text = try? String(contentsOfFile: directory + "/cpuacct.usage", encoding: .utf8),
           let nanoseconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            return nanoseconds / 1e9
        }
        var ticks = 0.0
        for pid in members() {
            guard let stat = Self.stat(of: pid), stat.count > 12 else { continue }
            ticks += (Double(stat[11]) ?? 0) + (Double(stat[12]) ?? 0)
        }
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Which limit the cgroups had to enforce, if any.
    func limitHit() -> LimitHit? {
        if let pids = cgroups["pids"], let text = try? String(contentsOfFile: pids + "/pids.events", encoding: .utf8),
           let count = text.split(whereSeparator: \.isWhitespace).last.flatMap({ Int($0) }), count > 0 {
            return .processes
        }
        if let memory = cgroups["memory"], let text = try? String(contentsOfFile: memory + "/memory.failcnt", encoding: .utf8),
           let count = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), count > 0 {
            return .memory
        }
        return nil
    }

    /// Resets the counters a session reads (pids.events cannot be reset: a session after a
    /// fork bomb reads it as hit, which it was).
    func resetMemoryCounter() {
        if let memory = cgroups["memory"] {
            write("0", to: memory + "/memory.failcnt")
            write("0", to: memory + "/memory.max_usage_in_bytes")
        }
    }

    func readOutput(_ name: String, stream: String) -> String {
        (try? String(contentsOfFile: "\(scratch)/\(name).\(stream)", encoding: .utf8)) ?? ""
    }

    /// Kills what is left, removes the cgroups and the scratch directory.
    func destroy() {
        for group in groups { sweep(group: group) }
        for directory in cgroups.values {
            let deadline = Posix.monotonicSeconds() + 2
            while rmdir(directory) != 0 && errno == EBUSY && Posix.monotonicSeconds() < deadline { usleep(5_000) }
        }
        // SELECTSCOPE_CHECK_KEEP=1 keeps the traces and outputs for a look afterwards.
        if getenv("SELECTSCOPE_CHECK_KEEP") == nil { try? FileManager.default.removeItem(atPath: scratch) }
    }

    static func outcome(_ status: Int32) -> ProcessOutcome {
        let signal = status & 0x7f
        if signal == 0 { return .exited(status: (status >> 8) & 0xff) }
        return .signalled(signal: signal)
    }

    private func write(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { return }
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        Glibc.close(fd)
    }
}
