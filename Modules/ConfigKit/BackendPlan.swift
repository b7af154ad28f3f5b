/// Which backend each part of Recall will use, as far as the settings alone decide it.
///
/// `auto` choices that depend on a live service (a Redis that answers PING) are reported as
/// such; the running programs report the final choice on `/ready` and in their logs.
public struct BackendPlan: Sendable, Codable, Equatable {
    public let cache: String
    public let vectors: String
    public let embeddings: String
    public let answers: String
    public let jobs: String

    public init(settings: Settings) {
        let redis = settings.redis?.description
        if !settings.cacheEnabled {
            cache = "disabled (CACHE_ENABLED=false)"
        } else {
            switch (settings.cacheBackend, redis) {
            case (.memory, _), (.auto, nil): cache = "memory (in-process TTL+LRU, \(settings.cacheMaxSize) entries)"
            case (.redis, let url?): cache = "redis at \(url)"
            case (.auto, let url?): cache = "redis at \(url) if it answers PING, else memory"
            case (.redis, nil): cache = "redis (not configured)"
            }
        }
        vectors = settings.databaseURL.map { "postgresql at \(Redaction.maskingCredentials(in: $0))" } ?? "memory (exact search)"
        embeddings = switch settings.embeddingProvider {
        case .gemini: "gemini \(settings.embeddingModel), \(settings.embeddingDimensions) dimensions"
        case .local: "local (offline lexical hashing), \(settings.embeddingDimensions) dimensions"
        }
        answers = switch settings.chatProvider {
        case .gemini: "gemini \(settings.chatModel)"
        case .extractive: "extractive (best sentences of the retrieved chunks)"
        }
        let origin = settings.jobs.brokerIsSeparate ? "BROKER_URL" : "the cache's Redis"
        jobs = settings.jobs.broker.map { "redis streams at \($0) (\(origin)) if it answers, else in-process" }
            ?? "in-process queue"
    }
}
