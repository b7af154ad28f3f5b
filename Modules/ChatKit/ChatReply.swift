/// The answer to a ``ChatQuestion``: the body of `POST /api/v1/chat`.
///
/// JSON: `{"answer", "sources", "cached", "model", "cache_key"}`.
public struct ChatReply: Sendable, Codable, Equatable {
    /// The answer text, citing ``sources`` as `[1]`, `[2]`…
    public var answer: String
    /// The chunks the answer was grounded on, in citation order; empty when nothing was found.
    public var sources: [ChatSource]
    /// True when the answer was served from the response cache.
    public var cached: Bool
    /// The model that wrote the answer (`extractive` for the offline answerer).
    public var model: String
    /// The seed's 32-hex chat key of the question (`sha256(question|session:…|model:…)`), for
    /// `recall cache get` and invalidation.
    public var cacheKey: String

    /// A reply.
    public init(answer: String, sources: [ChatSource], cached: Bool, model: String, cacheKey: String) {
        self.answer = answer
        self.sources = sources
        self.cached = cached
        self.model = model
        self.cacheKey = cacheKey
    }

    enum CodingKeys: String, CodingKey {
        case answer, sources, cached, model
        case cacheKey = "cache_key"
    }
}
