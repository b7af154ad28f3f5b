import CacheKit
import ChatKit
import EmbeddingsKit
import FakeGemini
import Foundation
import Logging
import MetricsKit
import RedisKit
import TestSupport
import VectorStoreKit

/// A logger that prints nothing: tests read outcomes, not log lines.
let silentLogger = Logger(label: "ChatKitTests") { _ in SwiftLogNoOpLogHandler() }

/// An engine on real parts: the shared Redis (a private key prefix per fixture) through
/// CacheKit, the in-memory store with local embeddings, and Gemini answers from the fake.
struct ChatFixture {
    static let chatModel = "gemini-2.5-flash"

    let fake: FakeGeminiServer
    let cache: ResponseCache
    let store: MemoryVectorStore
    let embeddings: LocalEmbeddings
    let generator: GeminiChat
    let engine: ChatEngine

    /// A fixture; `latency` is added to every fake Gemini answer.
    static func make(latency: Duration = .zero, maxQuestionCharacters: Int = 2000, allowedModels: Set<String>? = nil) async throws -> ChatFixture {
        let fake = try await FakeGeminiServer.start(latency: latency, models: FakeGeminiServer.defaultModels.union(["gemini-2.5-flash-lite"]))
        var configuration = CacheConfiguration()
        configuration.backend = .redis
        let timeout = Duration.seconds(2)
        configuration.redis = try RedisConfiguration(url: TestServices.url(.redis), poolSize: 4, connectTimeout: timeout, commandTimeout: timeout)
        configuration.keyPrefix = "recall-test-chat-\(UUID().uuidString.prefix(8))"
        configuration.lockTTL = .seconds(10)
        configuration.lockPollInterval = .milliseconds(20)
        let cache = await CacheFactory.make(configuration: configuration, metrics: RecallMetrics(), logger: silentLogger)
        let embeddings = try LocalEmbeddings(dimensions: 768)
        let store = MemoryVectorStore(dimensions: 768)
        let generator = try GeminiChat(
            configuration: .init(
                apiKey: FakeGeminiServer.apiKey, model: chatModel, baseURL: fake.baseURL,
                retry: RetryPolicy(maximumAttempts: 3, initialDelay: .milliseconds(20), maximumDelay: .milliseconds(100))
            ),
            logger: silentLogger
        )
        let engine = ChatEngine(
            embeddings: embeddings, store: store, generator: generator, cache: cache,
            topK: 2, ttl: .seconds(60), logger: silentLogger, maxQuestionCharacters: maxQuestionCharacters,
            allowedModels: allowedModels
        )
        return ChatFixture(fake: fake, cache: cache, store: store, embeddings: embeddings, generator: generator, engine: engine)
    }

    /// The handbook every test asks about: three one-chunk documents of the default tenant.
    func addHandbook(tenant: String = "") async throws {
        try await add(title: "Vacation policy", text: "Employees get 25 vacation days per year. Unused vacation days expire in March.", tenant: tenant)
        try await add(title: "Expenses", text: "Expense reports are due on the fifth of each month with receipts attached.", tenant: tenant)
        try await add(title: "Parking", text: "The garage opens at seven; parking permits come from the front desk.", tenant: tenant)
    }

    /// Stores `text` as a document of one chunk; returns its id.
    @discardableResult
    func add(title: String, text: String, tenant: String = "") async throws -> Int64 {
        let vector = try await embeddings.embed(text, task: .retrievalDocument, title: title)
        let outcome = try await store.upsertDocument(
            NewDocument(source: "\(title).txt", title: title, contentHash: "\(tenant)|\(title)|\(text)", tenant: tenant),
            chunks: [NewChunk(content: text, contentHash: text, vector: vector)]
        )
        return outcome.documentID
    }

    func shutdown() async {
        await cache.shutdown()
        await fake.stop()
    }
}
