#if canImport(Glibc)
import Glibc
#endif

/// Finds CMD the way a shell does (a path as given, else the first PATH folder that has it)
/// and says clearly why it cannot be run.
enum ExecutableLookup {
    static func resolve(_ command: String, path: String?) throws(TracerError) -> String {
        if command.contains("/") {
            return try check(command)
        }
        var firstNonExecutable: String?
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (folder.isEmpty ? "." : String(folder)) + "/" + command
            var info = stat()
            guard stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            firstNonExecutable = firstNonExecutable ?? candidate
        }
        if let firstNonExecutable { throw .notExecutable(firstNonExecutable) }
        throw .commandNotFound(command)
    }

    private static func check(_ path: String) throws(TracerError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .commandNotFound(path) }
        guard info.st_mode & S_IFMT == S_IFREG, access(path, X_OK) == 0 else { throw .notExecutable(path) }
        return path
    }
}
