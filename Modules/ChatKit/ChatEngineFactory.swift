import CacheKit
import ConfigKit
import CurlKit
import EmbeddingsKit
import Logging
import VectorStoreKit

/// Builds the answer generator and the engine the settings ask for, the same way in the server
/// and the CLI.
public enum ChatEngineFactory {
    /// ``GeminiChat`` for `CHAT_PROVIDER=gemini` (with `GEMINI_API_KEY`, `CHAT_MODEL`,
    /// `GEMINI_BASE_URL`, `CHAT_MAX_OUTPUT_TOKENS`), ``ExtractiveAnswerer`` for `extractive`.
    ///
    /// - Parameters:
    ///   - http: a client to share with the Gemini client; it makes its own when nil.
    /// - Throws: ``ChatError/Kind/configuration`` (for example gemini without a key).
    public static func makeGenerator(settings: Settings, http: HTTPClient?, logger: Logger) throws -> any AnswerGenerator {
        switch settings.chatProvider {
        case .extractive:
            return ExtractiveAnswerer()
        case .gemini:
            guard let key = settings.geminiAPIKey, !key.isEmpty else {
                throw ChatError(.configuration, "CHAT_PROVIDER=gemini needs GEMINI_API_KEY; set it, or use CHAT_PROVIDER=extractive")
            }
            let configuration = GeminiChat.Configuration(
                apiKey: key, model: settings.chatModel, baseURL: settings.geminiBaseURL,
                maxOutputTokens: settings.chatMaxOutputTokens
            )
            return try GeminiChat(configuration: configuration, httpClient: http, logger: logger)
        }
    }

    /// An engine with the settings' `CHAT_TOP_K`, `CACHE_TTL_SECONDS`, `CHAT_MAX_QUESTION_CHARS`
    /// and `CHAT_ALLOWED_MODELS`.
    public static func makeEngine(
        settings: Settings,
        embeddings: any EmbeddingProvider,
        store: any VectorStore,
        generator: any AnswerGenerator,
        cache: ResponseCache,
        logger: Logger
    ) -> ChatEngine {
        ChatEngine(
            embeddings: embeddings, store: store, generator: generator, cache: cache,
            topK: settings.chatTopK, ttl: .seconds(settings.cacheTTLSeconds), logger: logger,
            maxQuestionCharacters: settings.chatMaxQuestionCharacters,
            allowedModels: Set(settings.chatAllowedModels)
        )
    }
}
