import Foundation
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// A network namespace with only loopback, where the machine allows one: the whole check of
/// a submission (tracer, program and the grader's own clients) runs inside
/// `unshare -n`, after `ip link set lo up`, so the program can reach nothing but itself.
public enum Isolation {
    /// The command that runs `argv` in a fresh network namespace, or nil when this machine
    /// cannot make one (not root, no unshare or ip).
    public static func inNetworkNamespace(_ argv: [String]) -> [String]? {
        guard geteuid() == 0, let unshare = find("unshare"), let ip = find("ip") else { return nil }
        return [unshare, "-n", "--", "/bin/sh", "-c", "'\(ip)' link set lo up && exec \"$@\"", "sh"] + argv
    }

    static func find(_ name: String) -> String? {
        for directory in ["/usr/bin", "/usr/sbin", "/bin", "/sbin"] where access("\(directory)/\(name)", X_OK) == 0 {
            return "\(directory)/\(name)"
        }
        return nil
    }

    /// Whether making a namespace works here (a container may forbid it): tried once.
    public static let available: Bool = {
        guard let argv = inNetworkNamespace(["/bin/true"]) else { return false }
        return ChildProcess.run(argv, output: "/dev/null") == 0
    }()
}

/// A child process with its output in a file; the parent waits for it.
public enum ChildProcess {
    public static func spawn(_ argv: [String], output: String) -> Int32? {
        guard let path = argv.first else { return nil }
        return try? Posix.spawn(path, arguments: argv, stdout: .file(output), stderr: .standardOutput)
    }

    /// Runs to the end; the exit status, or -1.
    public static func run(_ argv: [String], output: String) -> Int32 {
        guard let pid = spawn(argv, output: output) else { return -1 }
        return wait(pid)
    }

    public static func wait(_ pid: Int32) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}
