import Foundation

/// Offline, deterministic embeddings by signed feature hashing: a **lexical** fallback, not a
/// semantic model.
///
/// Each text becomes a bag of features — lower-cased, accent-folded words (minus a few English
/// stop words), adjacent word pairs, and character trigrams of each word — and every feature adds
/// ±weight to one of ``dimensions`` slots chosen by a stable 64-bit hash (the sign comes from the
/// same hash, so collisions cancel out on average instead of piling up). The sum is
/// L2-normalised.
///
/// What that gives: texts sharing words and word pairs get high cosine similarity, spelling
/// variants share trigrams (`retrieve`/`retrieval`), and the same text always yields the same
/// vector on every machine, with no download and no network. What it does not give: synonyms
/// (`car`/`automobile` are unrelated), paraphrase, or any other language understanding. It lets
/// Recall run, be tested and be demonstrated without a key; use ``GeminiEmbeddings`` for answer
/// quality. Vectors from the two providers are not comparable (``model`` differs).
///
/// The task type is ignored (queries and documents share one space, which is what retrieval
/// needs); a ``EmbeddingTask/retrievalDocument`` title adds its words at half weight.
public struct LocalEmbeddings: EmbeddingProvider {
    /// The model name stored with these vectors; bump the version if the features ever change.
    public static let modelName = "local-feature-hashing-v1"

    /// Always ``modelName``.
    public let model: String
    /// The length of every vector.
    public let dimensions: Int

    /// A provider of `dimensions`-float vectors (any size from 8 up; Recall uses 768, 1536 or 3072
    /// to match its vector column).
    public init(dimensions: Int = 3072) throws(EmbeddingError) {
        guard (8...65_536).contains(dimensions) else {
            throw EmbeddingError(.configuration, "local embeddings need 8 to 65536 dimensions, not \(dimensions)")
        }
        self.dimensions = dimensions
        model = Self.modelName
    }

    public func embed(_ texts: [String], task: EmbeddingTask, titles: [String?]?) async throws -> [[Float]] {
        try validateTitles(titles, count: texts.count)
        return texts.indices.map { index in
            vector(for: texts[index], title: task.acceptsTitle ? titles?[index] : nil)
        }
    }

    /// The vector of one text; synchronous and pure.
    public func vector(for text: String, title: String? = nil) -> [Float] {
        var sums = [Double](repeating: 0, count: dimensions)
        var weights: [String: Double] = [:]
        Self.addFeatures(of: text, scale: 1, to: &weights)
        if let title { Self.addFeatures(of: title, scale: 0.5, to: &weights) }
        if weights.isEmpty { weights["empty:"] = 1 }
        // Sorted, because Dictionary order varies between processes and a different summation
        // order would change the last bits of colliding slots.
        for feature in weights.keys.sorted() {
            let weight = weights[feature]!
            let hash = Self.stableHash(feature)
            let slot = Int(hash % UInt64(dimensions))
            sums[slot] += (hash >> 63) == 0 ? weight : -weight
        }
        let floats = sums.map { Float($0) }
        // All features can cancel out only by an astronomically unlikely collision; fall back to
        // a fixed unit vector rather than fail.
        return VectorMath.normalised(floats) ?? [1] + [Float](repeating: 0, count: dimensions - 1)
    }

    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "do", "does", "for", "from", "how", "i", "in",
        "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when", "where",
        "which", "who", "why", "will", "with", "you", "your", "my", "me", "we", "our", "can",
    ]

    /// Word features at weight 1, word pairs at 0.7, trigrams at 0.25 each (a word has many);
    /// repeated features grow logarithmically so one repeated word cannot dominate.
    static func addFeatures(of text: String, scale: Double, to weights: inout [String: Double]) {
        let words = words(in: text)
        let content = words.filter { !stopWords.contains($0) }
        let kept = content.isEmpty ? words : content
        var counts: [String: (weight: Double, count: Int)] = [:]
        func add(_ feature: String, _ weight: Double) {
            counts[feature, default: (weight, 0)].count += 1
        }
        for word in kept {
            add("w:" + word, 1)
            let padded = Array("<" + word + ">")
            if padded.count > 3 {
                for start in 0...(padded.count - 3) { add("c:" + String(padded[start..<start + 3]), 0.25) }
            }
        }
        for pair in zip(kept, kept.dropFirst()) { add("b:" + pair.0 + " " + pair.1, 0.7) }
        for (feature, entry) in counts {
            weights[feature, default: 0] += scale * entry.weight * (1 + log(Double(entry.count)))
        }
    }

    /// Lower-cased, accent-folded runs of letters and digits.
    static func words(in text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        return folded.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    /// FNV-1a over the UTF-8 bytes, then a SplitMix64 finaliser so that every output bit (the
    /// sign bit included) depends on every input byte. Swift's `Hasher` is seeded per process
    /// and would make vectors differ between runs.
    static func stableHash(_ feature: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in feature.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        hash ^= hash >> 30
        hash &*= 0xbf58_476d_1ce4_e5b9
        hash ^= hash >> 27
        hash &*= 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        return hash
    }
}
