#if canImport(Glibc)
import Glibc
#endif

/// Chooses the C library's locale for drawing: the environment's, and when that cannot be
/// had (`LANG=zh_TW.UTF-8` on a machine without that locale installed, the common case in
/// containers) but the environment asks for UTF-8, a UTF-8 character set from a locale that
/// is always there (`C.UTF-8`). Only the character set (`LC_CTYPE`) is borrowed: the
/// dashboard's language is picked from the environment's names, not from the C library, so
/// zh-TW labels stay zh-TW. Without the fallback every Chinese label would print as `????`.
public enum LocaleSetup {
    /// What `adopt()` ended with.
    public struct Outcome: Sendable, Equatable {
        /// The character set in use is UTF-8: box drawing and Chinese can be drawn.
        public var isUTF8: Bool
        /// The UTF-8 locale borrowed for `LC_CTYPE`, when the environment's own was missing.
        public var borrowed: String?
    }

    /// Locales that give UTF-8 on a glibc system without any locale package installed first.
    static let fallbacks = ["C.UTF-8", "C.utf8", "en_US.UTF-8"]

    /// `setlocale(LC_ALL, "")`, then the UTF-8 fallback when needed. Call once, first.
    @discardableResult
    public static func adopt(environment: (String) -> String? = Self.environmentValue) -> Outcome {
        _ = setlocale(LC_ALL, "")
        if codesetIsUTF8() { return Outcome(isUTF8: true, borrowed: nil) }
        guard asksForUTF8(environment) else { return Outcome(isUTF8: false, borrowed: nil) }
        for name in fallbacks where setlocale(LC_CTYPE, name) != nil {
            if codesetIsUTF8() { return Outcome(isUTF8: true, borrowed: name) }
        }
        return Outcome(isUTF8: false, borrowed: nil)
    }

    /// The environment names a UTF-8 character set for `LC_CTYPE`: the first set of `LC_ALL`,
    /// `LC_CTYPE`, `LANG` (the C library's order) ends in `.UTF-8` or `.utf8`.
    public static func asksForUTF8(_ environment: (String) -> String?) -> Bool {
        for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
            guard let value = environment(name), !value.isEmpty else { continue }
            let codeset = value.split(separator: ".", maxSplits: 1).dropFirst().first.map {
                $0.split(separator: "@").first.map(String.init) ?? ""
            } ?? ""
            return codeset.lowercased().filter { $0 != "-" } == "utf8"
        }
        return false
    }

    /// The character set of the current `LC_CTYPE` is UTF-8.
    public static func codesetIsUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased().filter { $0 != "-" }
        return name == "UTF8"
    }

    public static func environmentValue(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
