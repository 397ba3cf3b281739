/// The language of every label, title and help sentence on screen.
public enum Language: String, CaseIterable, Sendable {
    case en
    case zhTW = "zh-TW"

    /// Picks the language from a POSIX locale name (`LC_ALL`, `LANG`): Traditional
    /// Chinese for `zh_TW`, `zh_HK` and `zh_Hant`, English for everything else. The seed is
    /// written for zh-TW readers, so Simplified Chinese still gets English rather than a guess.
    public init(locale: String?) {
        let name = String((locale ?? "").lowercased().map { $0 == "-" ? "_" : $0 })
        if name.hasPrefix("zh_tw") || name.hasPrefix("zh_hk") || name.hasPrefix("zh_hant") {
            self = .zhTW
        } else {
            self = .en
        }
    }
}

/// One phrase in both languages, kept side by side so neither can be forgotten.
public struct Localized: Sendable, Equatable {
    public let en: String
    public let zhTW: String

    public init(_ en: String, _ zhTW: String) {
        self.en = en
        self.zhTW = zhTW
    }

    public func callAsFunction(_ language: Language) -> String {
        language == .en ? en : zhTW
    }
}
