@testable import EmbeddingsKit
import Foundation
import Testing

/// The scanner must give exactly `JSONDecoder`'s floats, and must give up (so the client falls
/// back to `JSONDecoder` and its errors) on anything it does not fully understand.
@Suite("EmbeddingResponseScanner")
struct EmbeddingResponseScannerTests {
    /// xorshift64*: reproducible inputs without a dependency on TestSupport.
    struct Numbers: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
    }

    static func foundationBatch(_ text: String) -> [[Float]]? {
        (try? JSONDecoder().decode(GeminiWire.BatchResponse.self, from: Data(text.utf8)))?.embeddings.map(\.values)
    }

    static func foundationSingle(_ text: String) -> [Float]? {
        (try? JSONDecoder().decode(GeminiWire.EmbedResponse.self, from: Data(text.utf8)))?.embedding.values
    }

    /// One number as a JSON text, in one of the ways JSON writers spell numbers.
    static func numberText(_ numbers: inout Numbers) -> String {
        let sign: Double = Bool.random(using: &numbers) ? 1 : -1
        let mantissa = sign * Double.random(in: 0.1...1, using: &numbers)
        let exponent = Int.random(in: -20...20, using: &numbers)
        let value = Float(mantissa * pow(10, Double(exponent)))
        switch Int.random(in: 0..<8, using: &numbers) {
        case 0: return "\(value)"
        case 1: return String(format: "%.9g", Double(value))
        case 2: return String(format: "%.17g", Double(value) * (1 + Double.random(in: -1e-7...1e-7, using: &numbers)))
        case 3: return String(format: "%.6e", Double(value))
        case 4: return String(format: "%.3E", Double(value))
        case 5: return "\(Int.random(in: -100_000...100_000, using: &numbers))"
        case 6: return String(format: "%.30f", mantissa)
        default: return "\(mantissa)e\(exponent)"
        }
    }

    static func whitespace(_ numbers: inout Numbers) -> String {
        ["", "", " ", "\n", "\r\n  ", "\t"].randomElement(using: &numbers)!
    }

    static let extraMembers = [
        #""usageMetadata": {"promptTokenCount": 12, "totalTokenCount": 12}"#,
        #""note": "a \"quoted\" \\ value \u00e9 \/ \n", "list": [1, -2.5e3, [], {}, [{"values": [1]}], true, false, null]"#,
        #""deep": {"a": {"b": {"c": [[[null]]]}}}, "embedding": {"values": [1]}"#,
    ]

    /// `{"embeddings":[{"values":[…]}, …]}` with random spacing, member order and extra members.
    static func batchText(vectors: Int, dimensions: Int, _ numbers: inout Numbers) -> String {
        func space() -> String { whitespace(&numbers) }
        func extra() -> String? { Bool.random(using: &numbers) ? extraMembers.randomElement(using: &numbers)! : nil }
        let embeddings = (0..<vectors).map { _ in
            let values = (0..<dimensions).map { _ in space() + numberText(&numbers) + space() }.joined(separator: ",")
            var members = [#""values"\#(space()):\#(space())[\#(values)]"#]
            if let extra = extra() { members.insert(extra, at: Int.random(in: 0...1, using: &numbers)) }
            return space() + "{" + space() + members.joined(separator: space() + "," + space()) + space() + "}" + space()
        }
        var members = [#""embeddings"\#(space()):\#(space())[\#(embeddings.joined(separator: ","))]"#]
        if let extra = extra() { members.insert(extra, at: Int.random(in: 0...1, using: &numbers)) }
        return space() + "{" + space() + members.joined(separator: space() + "," + space()) + space() + "}" + space()
    }

    @Test("generated batch answers: exactly JSONDecoder's floats", arguments: 0..<40)
    func batchEqualsFoundation(seed: UInt64) throws {
        var numbers = Numbers(state: 0x9E37_79B9_7F4A_7C15 &+ seed)
        let text = Self.batchText(vectors: Int.random(in: 0...5, using: &numbers), dimensions: Int.random(in: 1...64, using: &numbers), &numbers)
        let expected = try #require(Self.foundationBatch(text), "JSONDecoder rejects the generated text: \(text)")
        let scanned = try #require(EmbeddingResponseScanner.embeddings(in: Data(text.utf8)), "scanner gave up on: \(text)")
        #expect(scanned.map { $0.map(\.bitPattern) } == expected.map { $0.map(\.bitPattern) }, "\(text)")
    }

    @Test("a 768-float answer written as Swift prints floats, and one embedContent answer")
    func fullSize() throws {
        var numbers = Numbers(state: 42)
        let values = (0..<768).map { _ in Float.random(in: -0.2...0.2, using: &numbers) }
        let array = "[" + values.map { "\($0)" }.joined(separator: ",") + "]"
        let single = #"{"embedding": {"values": \#(array)}, "usageMetadata": {"promptTokenCount": 3}}"#
        #expect(EmbeddingResponseScanner.embedding(in: Data(single.utf8)) == values)
        #expect(Self.foundationSingle(single) == values)
        let batch = #"{"embeddings":[{"values":\#(array)},{"values":\#(array)}]}"#
        #expect(EmbeddingResponseScanner.embeddings(in: Data(batch.utf8)) == [values, values])
    }

    /// Each is rejected by JSONDecoder; the scanner must give up too, so the client's error stays.
    static let malformed = [
        "", " ", "[]", "null", #"{"embeddings":[{"values":[1,2]}]"#, #"{"embeddings":[{"values":[1,2]}]} x"#,
        #"{"embeddings":[{"values":[01]}]}"#, #"{"embeddings":[{"values":[1.]}]}"#,
        #"{"embeddings":[{"values":[.5]}]}"#, #"{"embeddings":[{"values":[+1]}]}"#, #"{"embeddings":[{"values":[1e]}]}"#,
        #"{"embeddings":[{"values":[-]}]}"#, #"{"embeddings":[{"values":[NaN]}]}"#, #"{"embeddings":[{"values":["1"]}]}"#,
        #"{"embeddings":[{"values":[null]}]}"#, #"{"embeddings":[{"values":null}]}"#, #"{"embeddings":[{"value":[1]}]}"#,
        #"{"embeddings":[{}]}"#, #"{"embeddings":{"values":[1]}}"#, #"{"embedding":{"values":[1]}}"#, #"{"embeddings":null}"#,
        #"{"embeddings":[{"values":[1e39]}]}"#, #"{"embeddings":[{"values":[-1e400]}]}"#, #"{"embeddings":[{"values":[1 2]}]}"#,
        #"{"embeddings":[{"values":[1]}], "extra": tru}"#,
        #"{"embeddings":[{"values":[1]}], "extra": [1,}"#, #"{"embeddings":[{"values":[1]}] "extra": 1}"#,
        #"{"embeddings":[{"values":[1]}], "extra": "\u12"}"#, #"{'embeddings':[{'values':[1]}]}"#,
    ]

    @Test("malformed batch answers: the scanner gives up, and JSONDecoder fails as before")
    func malformedFallsBack() {
        for text in Self.malformed {
            #expect(EmbeddingResponseScanner.embeddings(in: Data(text.utf8)) == nil, "\(text)")
            #expect(Self.foundationBatch(text) == nil, "\(text)")
        }
        #expect(EmbeddingResponseScanner.embedding(in: Data(#"{"embedding":{"values":[1,]}}"#.utf8)) == nil)
        #expect(EmbeddingResponseScanner.embedding(in: Data(#"{"embeddings":[{"values":[1]}]}"#.utf8)) == nil)
    }

    /// Answers it leaves to JSONDecoder rather than risk reading them differently, among them
    /// some JSONDecoder tolerates though they are not strict JSON.
    @Test("valid but unusual answers: the scanner gives up or agrees with JSONDecoder")
    func unusualAgreesOrFallsBack() {
        let texts = [
            #"{"\u0065mbeddings":[{"values":[1]}]}"#, #"{"embeddings":[{"values":[1]}], "name": "café"}"#,
            #"{"embeddings":[{"values":[1]}], "pair": "\ud83d\ude00"}"#, #"{"embeddings":[{"values":[1]}],"embeddings":[{"values":[2]}]}"#,
            #"{"embeddings":[{"values":[1e-45, 1.0e-40, 3.4028235e38, 123456789012345678901234567890]}]}"#,
            #"{"embeddings":[{"values":[0.000000000000000000000000000000000000000000000000001]}]}"#,
            #"{"embeddings":[{"values":[1], "values":[2]}]}"#, "\u{FEFF}" + #"{"embeddings":[{"values":[1]}]}"#,
            #"{"embeddings":[{"values":[1,2,]}]}"#, #"{"embeddings":[{"values":[1]}], "extra": "\x"}"#,
            "{\"embeddings\":[{\"values\":[1]}], \"extra\": \"tab\there\"}",
        ]
        for text in texts {
            if let scanned = EmbeddingResponseScanner.embeddings(in: Data(text.utf8)) {
                #expect(scanned == Self.foundationBatch(text), "\(text)")
            }
        }
        #expect(EmbeddingResponseScanner.embeddings(in: Data(texts[0].utf8)) == nil, "an escaped key might spell a known one")
    }
}
