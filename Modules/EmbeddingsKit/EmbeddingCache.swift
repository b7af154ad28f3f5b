/// Where computed embeddings are kept so that no text is embedded twice.
///
/// Methods do not throw: a cache that fails (a Redis-backed one during an outage, say) answers
/// "not found" and drops writes, and the caller embeds again instead of failing.
public protocol EmbeddingCache: Sendable {
    /// The cached vector of each key, or nil, in key order.
    func vectors(for keys: [EmbeddingCacheKey]) async -> [[Float]?]
    /// Stores vectors under their keys.
    func store(_ entries: [(key: EmbeddingCacheKey, vector: [Float])]) async
}
