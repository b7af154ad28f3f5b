#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads the vectors out of Gemini's embedding answers without `JSONDecoder`.
///
/// Why it exists: the ingest benchmark measured `JSONDecoder` at about 0.7 ms per 768-float
/// vector (70 ms for one 100-text `batchEmbedContents` answer of about 1 MB), enough to keep
/// ingest far below what the API latency allows. This scanner walks the bytes once and gives
/// each number the correctly rounded `Float`, as `JSONDecoder` does (it calls `strtof`): most
/// through an exact `Double` fast path, the rest through `strtof` on a NUL-terminated copy, so
/// the values are bit-for-bit the ones `JSONDecoder` gives.
///
/// It is deliberately narrow: whitespace anywhere, members in any order and unknown members of
/// any JSON type (such as `usageMetadata`) are fine, but anything else it does not fully
/// understand — invalid JSON, non-ASCII or surrogate escapes in strings, `null` values, a repeated
/// key, numbers that do not fit a `Float`, deep nesting — makes it answer `nil`, and the caller
/// decodes with `JSONDecoder` as before, so errors and their messages do not change.
struct EmbeddingResponseScanner {
    /// `embedContent`'s `{"embedding":{"values":[…]}}`, or nil to fall back to `JSONDecoder`.
    static func embedding(in body: Data) -> [Float]? {
        scan(body, for: .embedding) { scanner in scanner.readEmbedding().map { [$0] } }?.first
    }

    /// `batchEmbedContents`' `{"embeddings":[{"values":[…]}, …]}`, or nil to fall back.
    static func embeddings(in body: Data) -> [[Float]]? {
        scan(body, for: .embeddings) { scanner in scanner.readEmbeddingList() }
    }

    /// Reads the top-level object: `read` takes the value of `wanted`, every other member is
    /// skipped; a missing or repeated `wanted` falls back.
    private static func scan(
        _ body: Data, for wanted: Key, read: (inout EmbeddingResponseScanner) -> [[Float]]?
    ) -> [[Float]]? {
        body.withUnsafeBytes { bytes -> [[Float]]? in
            var scanner = EmbeddingResponseScanner(bytes: bytes)
            var found: [[Float]]?
            let complete = scanner.readObject { scanner, key in
                guard key == wanted else { return scanner.skipValue(depth: 1) }
                guard found == nil, let vectors = read(&scanner) else { return false }
                found = vectors
                return true
            }
            guard complete else { return nil }
            scanner.skipWhitespace()
            guard scanner.position == bytes.count else { return nil }
            return found
        }
    }

    /// The keys this scanner reads; any other is skipped.
    private enum Key {
        case embedding, embeddings, values, other
    }

    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    /// The length of the last vector, to size the next one in one allocation.
    private var expectedCount = 0

    /// ``exactPowersOfTen``, read once per answer rather than through its lazy global per number.
    private let powersOfTen: [Double]

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.powersOfTen = Self.exactPowersOfTen
    }

    private static let maximumDepth = 32
    private static let maximumNumberLength = 63

    // MARK: The two shapes

    private mutating func readEmbeddingList() -> [[Float]]? {
        skipWhitespace()
        guard consume(UInt8(ascii: "[")) else { return nil }
        var vectors: [[Float]] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return vectors }
        while true {
            guard let values = readEmbedding() else { return nil }
            vectors.append(values)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]")) ? vectors : nil
        }
    }

    /// One `{"values":[…]}` (other members skipped).
    private mutating func readEmbedding() -> [Float]? {
        var values: [Float]?
        let complete = readObject { scanner, key in
            guard key == .values else { return scanner.skipValue(depth: 2) }
            guard values == nil else { return false }
            values = scanner.readFloats()
            return values != nil
        }
        return complete ? values : nil
    }

    private mutating func readFloats() -> [Float]? {
        skipWhitespace()
        guard consume(UInt8(ascii: "[")) else { return nil }
        var values: [Float] = []
        values.reserveCapacity(expectedCount)
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return values }
        while true {
            skipWhitespace()
            guard let value = readFloat() else { return nil }
            values.append(value)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "]")) else { return nil }
            expectedCount = values.count
            return values
        }
    }

    // MARK: Objects and skipping

    /// Reads `{ "key": value, … }`, handing each key to `member`, which reads or skips the value
    /// and returns false to give up. Keys with escapes give up, because they might spell a known
    /// key.
    private mutating func readObject(_ member: (inout EmbeddingResponseScanner, Key) -> Bool) -> Bool {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard let key = readKey() else { return false }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { return false }
            guard member(&self, key) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    private mutating func readKey() -> Key? {
        let start = position + 1
        guard skipString(allowEscapes: false) else { return nil }
        let name = UnsafeRawBufferPointer(rebasing: bytes[start..<position - 1])
        if name.elementsEqual("values".utf8) { return .values }
        if name.elementsEqual("embedding".utf8) { return .embedding }
        if name.elementsEqual("embeddings".utf8) { return .embeddings }
        return .other
    }

    /// Skips one JSON value, checking it as strictly as `JSONDecoder` would.
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth <= Self.maximumDepth else { return false }
        skipWhitespace()
        guard position < bytes.count else { return false }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            return skipString(allowEscapes: true)
        case UInt8(ascii: "{"):
            return readObject { scanner, _ in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            position += 1
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return true }
            while true {
                guard skipValue(depth: depth + 1) else { return false }
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                return consume(UInt8(ascii: "]"))
            }
        case UInt8(ascii: "t"): return consumeLiteral("true")
        case UInt8(ascii: "f"): return consumeLiteral("false")
        case UInt8(ascii: "n"): return consumeLiteral("null")
        default:
            return numberEnd() != nil
        }
    }

    /// Skips a string starting at `"`: ASCII only; escapes (if allowed) must be valid JSON and
    /// not UTF-16 surrogates, which `JSONDecoder` checks for pairing.
    private mutating func skipString(allowEscapes: Bool) -> Bool {
        guard consume(UInt8(ascii: "\"")) else { return false }
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return true
            case UInt8(ascii: "\\"):
                guard allowEscapes, position < bytes.count else { return false }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    guard position + 4 <= bytes.count else { return false }
                    var unit: UInt32 = 0
                    for hex in bytes[position..<position + 4] {
                        guard let digit = Self.hexValue(hex) else { return false }
                        unit = unit << 4 | digit
                    }
                    guard !(0xD800...0xDFFF).contains(unit) else { return false }
                    position += 4
                default:
                    return false
                }
            case 0x20..<0x80:
                continue
            default:
                return false
            }
        }
        return false
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    // MARK: Numbers

    /// A JSON number as a `Float`, exactly as `JSONDecoder` rounds it (`strtof`, correctly
    /// rounded); nil for one out of `Float`'s range, or not strict JSON.
    ///
    /// One pass checks the syntax (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`) and gathers
    /// the decimal mantissa and exponent, which is most of an embedding answer's decoding time.
    /// Common numbers take Clinger's fast path: a mantissa of at most 2^53 and a power of ten up
    /// to 10^22 are exact `Double`s, so one division or multiplication gives the correctly
    /// rounded `Double`; rounding that to `Float` is then exact too unless the `Double` lies
    /// exactly halfway between two `Float`s (a closer midpoint would be a closer `Double`). Those,
    /// and everything else, go to `strtof`.
    private mutating func readFloat() -> Float? {
        let start = position
        let count = bytes.count
        var index = position
        let negative = index < count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var fast = true
        func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
        func accumulate(_ byte: UInt8) {
            let digit = UInt64(byte &- UInt8(ascii: "0"))
            guard mantissa != 0 || digit != 0 else { return }
            if significantDigits < 16 {
                mantissa = mantissa &* 10 &+ digit
                significantDigits += 1
            } else {
                fast = false
            }
        }
        guard index < count, isDigit(bytes[index]) else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < count, isDigit(bytes[index]) {
                accumulate(bytes[index])
                index += 1
            }
        }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < count, isDigit(bytes[index]) else { return nil }
            while index < count, isDigit(bytes[index]) {
                accumulate(bytes[index])
                exponent -= 1
                index += 1
            }
        }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var sign = 1
            if index < count, bytes[index] == UInt8(ascii: "-") {
                sign = -1
                index += 1
            } else if index < count, bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
            guard index < count, isDigit(bytes[index]) else { return nil }
            var written = 0
            while index < count, isDigit(bytes[index]) {
                if written < 100_000 { written = written * 10 + Int(bytes[index] &- UInt8(ascii: "0")) }
                index += 1
            }
            exponent += sign * written
        }
        position = index
        if fast, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            let tens = powersOfTen[exponent < 0 ? -exponent : exponent]
            let double = exponent < 0 ? Double(mantissa) / tens : Double(mantissa) * tens
            // The 29 low fraction bits are what Float drops; exactly 1 followed by zeros is a tie.
            if double.bitPattern & (1 << 29 - 1) != 1 << 28 {
                let value = Float(double)
                return negative ? -value : value
            }
        }
        return strtofValue(start, index)
    }

    /// `strtof` on the number at `start..<end`, or nil where `JSONDecoder` might judge differently.
    private func strtofValue(_ start: Int, _ end: Int) -> Float? {
        let length = end - start
        guard length <= Self.maximumNumberLength else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { text -> Float? in
            let source = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            UnsafeMutableRawBufferPointer(text).copyMemory(from: source)
            text[length] = 0
            var parsedEnd: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtof(text.baseAddress!, &parsedEnd)
            // A different end means a locale with another decimal point; ERANGE an overflow or an
            // underflow, which JSONDecoder may judge differently: leave those to it.
            guard parsedEnd == text.baseAddress! + length, errno == 0, value.isFinite else { return nil }
            return value
        }
    }

    private static let exactPowersOfTen: [Double] = (0...22).map { power in
        (0..<power).reduce(1.0) { product, _ in product * 10 }
    }

    /// Moves past `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` and returns the end, or nil.
    private mutating func numberEnd() -> Int? {
        _ = consume(UInt8(ascii: "-"))
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            guard skipDigits() else { return nil }
        }
        if consume(UInt8(ascii: ".")) {
            guard skipDigits() else { return nil }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard skipDigits() else { return nil }
        }
        return position
    }

    /// Skips one or more digits; false if there is none.
    private mutating func skipDigits() -> Bool {
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
        return position > start
    }

    // MARK: Bytes

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let matches = UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
            .elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: count))
        if matches { position += count }
        return matches
    }
}
