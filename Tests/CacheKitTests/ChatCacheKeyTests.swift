import TestSupport
import Testing

@testable import CacheKit

@Suite("ChatCacheKey")
struct ChatCacheKeyTests {
    /// Expected values computed with the seed's Python `cache_key_for_chat` (python3, hashlib):
    /// `sha256("|".join([question.strip().lower(), f"session:{s}"?, f"model:{m}"?]))[:32]`.
    @Test(
        "matches the seed's Python keys",
        arguments: [
            ("What is the company policy?", "", "", "dad8be40782b9d40def3a3cbeb2e13b5"),
            ("How do I request time off?", "", "default", "1554b1587b0165f21f0b507660aaa782"),
            ("What are the benefits?", "sess-42", "", "665a3a4117ac21f4ffa90ef593ddbc4b"),
            ("What are the benefits?", "sess-42", "gemini-2.5-flash", "c892b93e2cd9961486ff75a924575735"),
            ("  Hello World  ", "", "", "b94d27b9934d3e08a52e52d7da7dabfa"),
            ("", "", "", "e3b0c44298fc1c149afbf4c8996fb924"),
            ("Café au lait?", "", "gpt-4", "bb6815011a4d768d09fc7b8ced8af589"),
            ("ÉCOLE", "", "", "f0f772e182a4941e6fdef31116540b17"),
            ("naïve résumé", "", "", "4681baf4b21ca99e0072a5a45ad0535f"),
            ("Reset my password", "user:123", "gpt-4*", "61977607ae9c93a5c6eed449e6f696c8"),
        ]
    )
    func seedVectors(question: String, session: String, model: String, expected: String) {
        let key = ChatCacheKey(question: question, sessionID: session, model: model)
        #expect(key.hash == expected)
        #expect(key.hash.count == 32)
    }

    @Test("white space runs fold to one space; the result is the seed's key of the folded text")
    func whitespaceFolding() {
        // Python: cache_key_for_chat("what is the policy?") == 584b3a52d64e7351a2bd35bc52c11512
        let expected = "584b3a52d64e7351a2bd35bc52c11512"
        for variant in ["what is the policy?", "What   is\tthe  POLICY?", "\n what\u{00A0}is the\r\npolicy? \t"] {
            #expect(ChatCacheKey.normalize(variant) == "what is the policy?")
            #expect(ChatCacheKey(question: variant).hash == expected)
        }
    }

    @Test("decomposed and precomposed accents give the same key (NFC)")
    func nfc() {
        let decomposed = "Cafe\u{0301} au lait?"
        let precomposed = "Caf\u{00E9} au lait?"
        // Swift's `==` already treats these as equal; the scalars (and so the UTF-8 bytes hashed)
        // differ until normalised.
        #expect(!decomposed.unicodeScalars.elementsEqual(precomposed.unicodeScalars))
        #expect(ChatCacheKey.normalize(decomposed).unicodeScalars.elementsEqual("café au lait?".unicodeScalars))
        #expect(ChatCacheKey(question: decomposed, model: "gpt-4").hash == "bb6815011a4d768d09fc7b8ced8af589")
        #expect(ChatCacheKey(question: decomposed).hash == ChatCacheKey(question: precomposed).hash)
        // Lower-casing a dotted capital I yields i + U+0307, which has no precomposed form.
        #expect(ChatCacheKey.normalize("İ").unicodeScalars.map(\.value) == [0x69, 0x307])
    }

    @Test("case is folded in the question but not in session or model")
    func caseHandling() {
        #expect(ChatCacheKey(question: "HELLO").hash == ChatCacheKey(question: "hello").hash)
        #expect(ChatCacheKey(question: "q", sessionID: "ABC").hash != ChatCacheKey(question: "q", sessionID: "abc").hash)
        #expect(ChatCacheKey(question: "q", model: "GPT").hash != ChatCacheKey(question: "q", model: "gpt").hash)
    }

    @Test("session and model parts change the key and are omitted when empty")
    func optionalParts() {
        let plain = ChatCacheKey(question: "q")
        #expect(ChatCacheKey(question: "q", sessionID: "s").hash != plain.hash)
        #expect(ChatCacheKey(question: "q", model: "m").hash != plain.hash)
        #expect(ChatCacheKey(question: "q", sessionID: "", model: "").hash == plain.hash)
        let key = ChatCacheKey(question: "  Q  ", sessionID: "s", model: "m")
        #expect(key.question == "q")
        #expect(key.sessionID == "s")
        #expect(key.model == "m")
    }

    @Test("the ASCII fast path agrees with the Unicode path")
    func asciiFastPath() {
        var rng = SplitMix64(seed: 99)
        let alphabet = Array("aZ?! \t\n\r\u{0B}\u{0C}\u{1F}-09|:".utf8)
        for _ in 0..<2_000 {
            let length = Int.random(in: 0..<24, using: &rng)
            let bytes = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(ChatCacheKey.normalizeASCII(text) == ChatCacheKey.normalizeUnicode(text), "\(bytes)")
        }
        #expect(ChatCacheKey.normalizeASCII("caf\u{00E9}") == nil)
    }
}
