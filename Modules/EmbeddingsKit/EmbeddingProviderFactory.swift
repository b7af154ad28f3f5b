import ConfigKit
import CurlKit
import Logging

/// Builds the embedding provider the settings ask for.
///
/// `EMBEDDING_PROVIDER=gemini` gives ``GeminiEmbeddings`` with `GEMINI_API_KEY`,
/// `EMBEDDING_MODEL`, `EMBEDDING_DIM` and `GEMINI_BASE_URL`; anything else gives
/// ``LocalEmbeddings`` of `EMBEDDING_DIM` floats. Either way the result is wrapped in a
/// ``CachingEmbeddingProvider`` unless `cache` is nil.
public enum EmbeddingProviderFactory {
    /// The provider for `settings`.
    ///
    /// - Parameters:
    ///   - settings: validated settings (ConfigKit).
    ///   - httpClient: a client to share with the Gemini provider; it makes its own otherwise.
    ///   - cache: where vectors are kept; nil for no caching.
    ///   - tuning: rate and retry limits for Gemini (key, model, dimensions and URL come from
    ///     `settings` and override whatever `tuning` says).
    /// - Throws: ``EmbeddingError/Kind/configuration`` (for example gemini without a key).
    public static func make(
        settings: Settings,
        httpClient: HTTPClient? = nil,
        cache: (any EmbeddingCache)? = InMemoryEmbeddingCache(),
        tuning: GeminiConfiguration? = nil,
        logger: Logger = Logger(label: "recall.embeddings")
    ) throws(EmbeddingError) -> any EmbeddingProvider {
        let provider: any EmbeddingProvider
        switch settings.embeddingProvider {
        case .gemini:
            guard let key = settings.geminiAPIKey, !key.isEmpty else {
                throw EmbeddingError(.configuration, "EMBEDDING_PROVIDER=gemini needs GEMINI_API_KEY; set it, or use EMBEDDING_PROVIDER=local")
            }
            var configuration = tuning ?? GeminiConfiguration(apiKey: key)
            configuration.apiKey = key
            configuration.model = settings.embeddingModel
            configuration.dimensions = settings.embeddingDimensions
            configuration.baseURL = settings.geminiBaseURL
            provider = try GeminiEmbeddings(configuration: configuration, httpClient: httpClient, logger: logger)
        case .local:
            provider = try LocalEmbeddings(dimensions: settings.embeddingDimensions)
        }
        guard let cache else { return provider }
        return CachingEmbeddingProvider(base: provider, cache: cache)
    }
}
