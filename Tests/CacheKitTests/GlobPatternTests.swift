import Testing

@testable import CacheKit

@Suite("GlobPattern (Redis MATCH semantics)")
struct GlobPatternTests {
    @Test(
        "matches as Redis does",
        arguments: [
            ("*", "", true),
            ("*", "anything:at:all", true),
            ("user:*", "user:1", true),
            ("user:*", "user:", true),
            ("user:*", "users:1", false),
            ("*:model:gpt-4:*", "a:model:gpt-4:b", true),
            ("*:model:gpt-4:*", "a:model:gpt-40:b", false),
            ("h?llo", "hello", true),
            ("h?llo", "hllo", false),
            ("h*llo", "hllo", true),
            ("h*llo", "heeeello", true),
            ("h[ae]llo", "hallo", true),
            ("h[ae]llo", "hillo", false),
            ("h[^e]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("h[a-b]llo", "hbllo", true),
            ("h[a-b]llo", "hcllo", false),
            ("h[b-a]llo", "hallo", true),
            (#"h\*llo"#, "h*llo", true),
            (#"h\*llo"#, "hello", false),
            (#"h[\]]llo"#, "h]llo", true),
            (#"a\?"#, "a?", true),
            (#"a\?"#, "ab", false),
            (#"a\\b"#, #"a\b"#, true),
            (#"trailing\"#, #"trailing\"#, true),
            ("h[]llo", "hllo", false),
            ("h[]llo", "hxllo", false),
            ("abc[", "abc", false),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("*a*a*a*a*b", String(repeating: "a", count: 200), false),
            ("Case", "case", false),
            ("caf?", "café", false),
            ("caf??", "café", true),
        ]
    )
    func matches(pattern: String, subject: String, expected: Bool) {
        #expect(GlobPattern(pattern).matches(subject) == expected)
    }

    @Test("an escaped string matches itself and nothing else")
    func escape() {
        let names = ["gpt-4*", "a?b", "[x]", #"back\slash"#, "plain", "*", ""]
        for name in names {
            let pattern = GlobPattern(GlobPattern.escape(name))
            #expect(pattern.matches(name))
            for other in names where other != name {
                #expect(pattern.matches(other) == false, "\(name) must not match \(other)")
            }
        }
        #expect(GlobPattern.escape("gpt-4*") == #"gpt-4\*"#)
        #expect(GlobPattern.escape(#"[a]?\"#) == #"\[a\]\?\\"#)
    }
}
