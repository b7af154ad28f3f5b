import CacheKit
import EmbeddingsKit
import Foundation
import Logging
import VectorStoreKit

/// Answers questions from the documents: validate, embed, search, prompt, generate, cite — behind
/// the response cache.
///
/// ```swift
/// let engine = ChatEngine(embeddings: embedder, store: store, generator: generator, cache: cache,
///                         topK: 5, ttl: .seconds(3600), logger: logger)
/// let reply = try await engine.answer(ChatQuestion(question: "How do I request time off?", tenant: "acme"))
/// ```
///
/// - The cache key is built from the tenant, the corpus generation, the model, the session and the
///   normalised question (``CacheKit/ChatKeyLayout``), so one tenant's answer is never served to
///   another and answers computed before new documents landed are not served after.
/// - On a miss the answer is computed once per key, across concurrent callers and — with Redis —
///   across processes (``CacheKit/ResponseCache/cached(key:ttl:isCacheable:compute:)``).
/// - Never cached: errors, empty answers, answers cut off (`finishReason` other than `STOP`), and
///   the "nothing found" reply given when the search returns no chunks (no generation runs for it,
///   and caching it could hide documents that arrive meanwhile).
/// - The tenant also filters the search: a tenant sees its own documents only.
public final class ChatEngine: Sendable {
    /// What the engine answers when the search finds no chunk for the tenant.
    public static let nothingFound = "I could not find anything about this in the documents."

    /// Chunks retrieved per question.
    public let topK: Int
    /// How long an answer stays cached.
    public let ttl: Duration
    /// The longest question accepted, in characters.
    public let maxQuestionCharacters: Int
    /// The models a question may name besides the generator's own; nil for any model name.
    public let allowedModels: Set<String>?
    /// The longest session ID or tenant accepted, in characters.
    public static let maxIdentifierCharacters = 256

    private let embeddings: any EmbeddingProvider
    private let store: any VectorStore
    private let generator: any AnswerGenerator
    private let cache: ResponseCache
    private let logger: Logger
    private let refreshes = SingleFlight<CachedChatAnswer>()

    /// An engine.
    ///
    /// - Parameters:
    ///   - embeddings: embeds questions (with `RETRIEVAL_QUERY`); must match the store's vectors.
    ///   - store: the documents.
    ///   - generator: writes answers.
    ///   - cache: the response cache (its corpus generation is part of every key).
    ///   - topK: chunks retrieved per question (`CHAT_TOP_K`).
    ///   - ttl: how long answers stay cached (`CACHE_TTL_SECONDS`).
    ///   - logger: where answers are logged (keys and timings, never question text).
    ///   - maxQuestionCharacters: the longest question accepted (`CHAT_MAX_QUESTION_CHARS`).
    ///   - allowedModels: the models a question may name besides the generator's own
    ///     (`CHAT_ALLOWED_MODELS`); nil accepts any model name. Every model costs what Google
    ///     charges for it, so a server should pass a list.
    public init(
        embeddings: any EmbeddingProvider,
        store: any VectorStore,
        generator: any AnswerGenerator,
        cache: ResponseCache,
        topK: Int,
        ttl: Duration,
        logger: Logger,
        maxQuestionCharacters: Int = 2000,
        allowedModels: Set<String>? = nil
    ) {
        self.embeddings = embeddings
        self.store = store
        self.generator = generator
        self.cache = cache
        self.topK = max(1, topK)
        self.ttl = ttl
        self.logger = logger
        self.maxQuestionCharacters = max(1, maxQuestionCharacters)
        self.allowedModels = allowedModels
    }

    /// The model a question without one is answered with.
    public var defaultModel: String { generator.model }

    /// Answers `question`, from the cache when its policy allows and an answer is there.
    ///
    /// - Throws: ``ChatError``: invalid question or model, failed retrieval, failed generation.
    public func answer(_ question: ChatQuestion) async throws -> ChatReply {
        let text = try validatedQuestion(question.question)
        let session = try validatedIdentifier(question.sessionID, name: "session ID")
        let tenant = TenantScope(try validatedIdentifier(question.tenant, name: "tenant"))
        let model = try validatedModel(question.model)
        let chatKey = ChatCacheKey(question: text, sessionID: session, model: model)
        let started = ContinuousClock.now

        let compute = { try await self.compute(question: text, tenant: tenant, model: model) }
        let value: CachedChatAnswer
        var hit = false
        switch question.cachePolicy {
        case .normal:
            let keys = cache.chatKeys
            (value, hit) = try await cache.cached(
                keyAtGeneration: { keys.key(for: chatKey, tenant: tenant.keyTenant, generation: $0) },
                ttl: ttl, isCacheable: \.isCacheable, compute: compute)
        case .refresh:
            let key = cache.chatKeys.key(for: chatKey, tenant: tenant.keyTenant, generation: await cache.generation())
            (value, _) = try await refreshes.run(key) {
                let fresh = try await compute()
                if fresh.isCacheable {
                    // A failed write only means the next asker computes again.
                    try? await cache.backend.setValue(key, fresh, ttl: ttl)
                }
                return fresh
            }
        case .bypass:
            value = try await compute()
        }
        if question.cachePolicy == .normal, value.isCacheable {
            // Counted for the beat's re-warm: what people ask most keeps its answer warm across
            // corpus changes and TTL expiry.
            cache.hotQuestions.record(HotQuestions.Entry(
                question: chatKey.question, tenant: tenant.keyTenant, model: model, session: session))
        }
        logger.debug("Answered a question", metadata: [
            "chat.key": "\(chatKey.hash)", "chat.tenant": "\(tenant.keyTenant)", "chat.model": "\(model)",
            "chat.cached": "\(hit)", "chat.policy": "\(question.cachePolicy.rawValue)",
            "chat.sources": "\(value.sources.count)", "duration": "\(ContinuousClock.now - started)",
        ])
        return ChatReply(answer: value.answer, sources: value.sources, cached: hit,
                         model: value.model.isEmpty ? model : value.model, cacheKey: chatKey.hash)
    }

    /// The `k` chunks of `tenant`'s documents nearest to `query`, best first; never cached.
    ///
    /// - Throws: ``ChatError``: an empty or too long query, `k` outside 1...100, failed retrieval.
    public func search(query: String, k: Int, tenant: String?) async throws -> [SearchHit] {
        let text = try validatedQuestion(query)
        guard (1...100).contains(k) else {
            throw ChatError(.invalidQuestion, "k must be from 1 to 100 (got \(k))")
        }
        return try await retrieve(text, k: k, tenant: TenantScope(try validatedIdentifier(tenant, name: "tenant")))
    }

    // MARK: - The computation behind the cache

    private func compute(question: String, tenant: TenantScope, model: String) async throws -> CachedChatAnswer {
        let hits = try await retrieve(question, k: topK, tenant: tenant)
        guard !hits.isEmpty else {
            return CachedChatAnswer(answer: Self.nothingFound, sources: [], model: model, complete: true)
        }
        let generated: GeneratedAnswer
        do {
            generated = try await generator.generate(question: question, context: hits, model: model)
        } catch let error as ChatError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw ChatError(.generationFailed, "the answer could not be generated: \(error)")
        }
        return CachedChatAnswer(
            answer: generated.text,
            sources: hits.map { ChatSource(hit: $0) },
            model: generated.model,
            complete: generated.isComplete
        )
    }

    private func retrieve(_ text: String, k: Int, tenant: TenantScope) async throws -> [SearchHit] {
        let vector: [Float]
        do {
            vector = try await embeddings.embed(text, task: .retrievalQuery)
        } catch let error as EmbeddingError {
            throw ChatError(.retrievalFailed, "the question could not be embedded: \(error.message)")
        }
        do {
            return try await store.search(vector, k: k, filter: SearchFilter(tenant: tenant.storeTenant))
        } catch let error as CancellationError {
            throw error
        } catch {
            throw ChatError(.retrievalFailed, "the documents could not be searched: \(error)")
        }
    }

    // MARK: - Validation

    private func validatedQuestion(_ question: String) throws(ChatError) -> String {
        let text = question.trimmingWhitespace()
        guard !text.isEmpty else {
            throw ChatError(.invalidQuestion, "the question is empty; ask something, such as \"How do I request time off?\"")
        }
        guard text.hasAtMost(maxQuestionCharacters) else {
            throw ChatError(.invalidQuestion, "the question is \(text.count) characters long; the limit is \(maxQuestionCharacters) (CHAT_MAX_QUESTION_CHARS): shorten it")
        }
        return text
    }

    private func validatedIdentifier(_ value: String?, name: String) throws(ChatError) -> String {
        let text = value?.trimmingWhitespace() ?? ""
        guard text.hasAtMost(Self.maxIdentifierCharacters) else {
            throw ChatError(.invalidQuestion, "the \(name) is \(text.count) characters long; the limit is \(Self.maxIdentifierCharacters)")
        }
        guard !text.contains(where: { $0.isNewline || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) else {
            throw ChatError(.invalidQuestion, "the \(name) contains control characters; use printable text")
        }
        return text
    }

    private func validatedModel(_ model: String?) throws(ChatError) -> String {
        guard let model, !model.isEmpty else { return generator.model }
        guard let id = GeminiChat.modelID(model) else {
            throw ChatError(.invalidModel, "'\(model)' is not a model name: use letters, digits, '-', '.' and '_', such as gemini-2.5-flash")
        }
        if let allowedModels, id != generator.model, !allowedModels.contains(id) {
            let offered = ([generator.model] + allowedModels.sorted()).joined(separator: ", ")
            throw ChatError(.invalidModel, "model '\(id)' is not offered here; ask for one of: \(offered) (or leave the model out)")
        }
        return id
    }
}
