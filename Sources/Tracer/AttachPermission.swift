#if canImport(Glibc)
import Glibc
#endif

/// Why this process may not trace another, in words a user can act on.
enum AttachPermission {
    /// Checks that can be made before trying: the process exists and has no tracer yet.
    static func precheck(_ pid: Int32) throws(TracerError) {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM, let tracer = ProcFiles.status(pid, "TracerPid") else {
            throw .noSuchProcess(pid)
        }
        if let by = Int32(tracer), by != 0 {
            let name = ProcFiles.read("/proc/\(by)/comm")?.split(separator: "\n").first.map(String.init) ?? "?"
            throw .alreadyTraced(pid: pid, by: by, name: name)
        }
        if pid == getpid() { throw .notPermitted(pid: pid, reason: "that is selectscope itself") }
    }

    /// The explanation for an EPERM from PTRACE_SEIZE.
    static func reason(for pid: Int32) -> String {
        let ours = getuid()
        let theirs = ProcFiles.status(pid, "Uid")?.split(whereSeparator: { $0 == "\t" || $0 == " " }).compactMap { UInt32($0) } ?? []
        if ours != 0, let real = theirs.first, theirs.contains(where: { $0 != ours }) {
            return "it runs as \(userName(real)) (uid \(real)) and you are \(userName(ours)) (uid \(ours)); run selectscope as that user, or as root (sudo)"
        }
        if let scope = ProcFiles.read("/proc/sys/kernel/yama/ptrace_scope").flatMap({ Int($0.split(separator: "\n").first ?? "") }), scope > 0 {
            let what = scope == 1 ? "only a parent may trace its child" : scope == 2 ? "only root (CAP_SYS_PTRACE) may trace" : "no process may be traced"
            return "kernel.yama.ptrace_scope is \(scope) (\(what)); run as root, or start the program under selectscope (`selectscope trace -- CMD`)"
                + (scope < 3 ? ", or lower it: sudo sysctl kernel.yama.ptrace_scope=0" : "")
        }
        if ProcFiles.status(pid, "State")?.hasPrefix("Z") == true {
            return "it is a zombie (it has exited)"
        }
        return "missing CAP_SYS_PTRACE (in a container, start it with --cap-add=SYS_PTRACE), or the program is set-uid or not dumpable"
    }

    static func userName(_ uid: UInt32) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }
}
