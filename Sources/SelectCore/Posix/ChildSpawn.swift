#if canImport(Glibc)
import Glibc
#endif

/// Where a child's stdout or stderr goes.
public enum ChildOutput: Sendable {
    /// A file, created or truncated.
    case file(String)
    /// A copy of one of our descriptors (a pipe's write end).
    case descriptor(Int32)
    /// stderr only: wherever stdout goes.
    case standardOutput
}

extension Posix {
    /// Starts `arguments` (the program at `path`) with stdin from /dev/null, default signal
    /// handling and an empty signal mask whatever ours are, and nothing else of ours: every
    /// other descriptor here is close-on-exec, and dup2 clears the flag on the copies made
    /// for stdout and stderr. `ownProcessGroup`: a group of its own, so that it and whatever
    /// it starts can be signalled together.
    public static func spawn(_ path: String, arguments: [String], stdout: ChildOutput, stderr: ChildOutput,
                             ownProcessGroup: Bool = false) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        for (target, output) in [(STDOUT_FILENO, stdout), (STDERR_FILENO, stderr)] {
            switch output {
            case .file(let file):
                posix_spawn_file_actions_addopen(&actions, target, file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .descriptor(let fd):
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .standardOutput:
                posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, target)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, &cArguments, environ)
        guard status == 0 else { throw SystemError("posix_spawn \(path)", errno: status) }
        return pid
    }
}
