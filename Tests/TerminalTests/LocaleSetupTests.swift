import Terminal
import Testing

/// Whether the environment asks for UTF-8: the C library's order, LC_ALL before LC_CTYPE
/// before LANG, an empty value as unset.
@Suite struct LocaleSetupTests {
    private func asks(_ variables: [String: String]) -> Bool {
        LocaleSetup.asksForUTF8 { variables[$0] }
    }

    @Test func aUTF8CodesetInTheFirstSetVariableAsksForUTF8() {
        #expect(asks(["LANG": "zh_TW.UTF-8"]))
        #expect(asks(["LANG": "zh_TW.utf8"]))
        #expect(asks(["LANG": "sr_RS.UTF-8@latin"]))
        #expect(asks(["LC_ALL": "", "LANG": "zh_TW.UTF-8"]), "an empty LC_ALL is unset")
        #expect(asks(["LC_CTYPE": "C.UTF-8", "LANG": "zh_TW.Big5"]))
    }

    @Test func otherCodesetsOrNoneDoNot() {
        #expect(!asks([:]))
        #expect(!asks(["LANG": "C"]))
        #expect(!asks(["LANG": "zh_TW.Big5"]))
        #expect(!asks(["LC_ALL": "POSIX", "LANG": "zh_TW.UTF-8"]), "LC_ALL wins")
    }
}
