import Foundation
import Testing

@testable import ChatKit

/// The trimming shortcut of the request path gives what Foundation gives.
@Suite("Question trimming")
struct TrimmingTests {
    @Test("trimmingWhitespace is Foundation's trimming", arguments: [
        "", " ", "How do I request time off?", "  padded  ", "\ttabs\n", "\u{00A0}no-break\u{2003}",
        "é at the start", "ends with é", "a\u{0301}", "\u{0085}next line", "x", " x", "x ",
    ])
    func sameAsFoundation(text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("hasAtMost counts characters, not bytes")
    func characterLimit() {
        #expect("abc".hasAtMost(3))
        #expect(!"abcd".hasAtMost(3))
        #expect("ééé".hasAtMost(3), "three characters in six bytes")
        #expect(!"éééé".hasAtMost(3))
        #expect("".hasAtMost(0))
    }
}
