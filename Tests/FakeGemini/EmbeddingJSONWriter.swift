/// Writes the fake's embedding answers as JSON text straight into one preallocated byte buffer.
///
/// Why it exists: building a 100 × 768 `batchEmbedContents` answer (about 1 MB) from one `String`
/// per float, joined and concatenated, took about 45 ms, which the ingest benchmark measured as
/// part of every "100 ms" round trip. The floats are written as at most nine significant
/// digits, which name the same `Float` when read back (nine decimal digits round-trip any
/// `Float`), so the answer means exactly what the old text meant.
struct EmbeddingJSONWriter {
    private var bytes: [UInt8] = []

    /// A writer with room for `vectors` vectors of `dimensions` floats.
    init(vectors: Int, dimensions: Int) {
        bytes.reserveCapacity(32 + vectors * (16 + dimensions * 13))
    }

    /// The text written so far.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends JSON punctuation or a key, written by the caller as it should appear.
    mutating func append(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends `[v1,v2,…]`.
    mutating func append(_ values: [Float]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 2 + values.count * Self.maximumFloatLength))
        let end = bytes.withUnsafeMutableBufferPointer { buffer in
            var position = start
            buffer[position] = UInt8(ascii: "[")
            position += 1
            for (index, value) in values.enumerated() {
                if index > 0 {
                    buffer[position] = UInt8(ascii: ",")
                    position += 1
                }
                position = Self.write(value, into: buffer, at: position)
            }
            buffer[position] = UInt8(ascii: "]")
            return position + 1
        }
        bytes.removeLast(bytes.count - end)
    }

    /// Room for one float and its comma: Swift's longest `Float` text, `-1.1754944e-38`, is 14.
    private static let maximumFloatLength = 24

    private static let powersOfTen: [Double] = (0...22).map { power in
        (0..<power).reduce(1.0) { product, _ in product * 10 }
    }

    /// Writes `value` at `position` and returns the end. The fake's components lie in (-1, 1):
    /// those from 1e-6 up are written as `0.` and nine significant digits (trailing zeros
    /// dropped); anything else as Swift prints it.
    private static func write(_ value: Float, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var position = start
        let magnitude = Double(value.magnitude)
        var leadingZeros = 0
        var digits: UInt64 = 0
        if value.isFinite, magnitude >= 1e-6, magnitude < 1 {
            while magnitude * powersOfTen[leadingZeros + 1] < 1 { leadingZeros += 1 }
            digits = UInt64((magnitude * powersOfTen[9 + leadingZeros]).rounded())
        }
        guard (100_000_000..<1_000_000_000).contains(digits) else {
            for byte in value.description.utf8 {
                buffer[position] = byte
                position += 1
            }
            return position
        }
        var count = 9
        while digits % 10 == 0 {
            digits /= 10
            count -= 1
        }
        if value < 0 {
            buffer[position] = UInt8(ascii: "-")
            position += 1
        }
        buffer[position] = UInt8(ascii: "0")
        buffer[position + 1] = UInt8(ascii: ".")
        position += 2
        for _ in 0..<leadingZeros {
            buffer[position] = UInt8(ascii: "0")
            position += 1
        }
        position += count
        for offset in 1...count {
            buffer[position - offset] = UInt8(ascii: "0") + UInt8(digits % 10)
            digits /= 10
        }
        return position
    }
}
