import ConfigKit
import EmbeddingsKit
import FakeGemini
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Settings from exactly `environment` (an empty .env file, so a developer's own is never read).
func settings(_ environment: [String: String]) throws -> Settings {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("recall-embeddings-\(UUID().uuidString).env").path
    try Data().write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try SettingsLoader.load(environment: environment.merging(["ENV_FILE": path]) { $1 }).settings
}

@Suite("EmbeddingProviderFactory", .timeLimit(.minutes(1)))
struct EmbeddingProviderFactoryTests {
    @Test("no key, or EMBEDDING_PROVIDER=local: local embeddings of EMBEDDING_DIM, cached")
    func local() async throws {
        let provider = try EmbeddingProviderFactory.make(settings: try settings(["EMBEDDING_DIM": "1536"]))
        #expect(provider.model == LocalEmbeddings.modelName)
        #expect(provider.dimensions == 1536)
        #expect(provider is CachingEmbeddingProvider)
        let uncached = try EmbeddingProviderFactory.make(
            settings: try settings(["EMBEDDING_PROVIDER": "local", "GEMINI_API_KEY": "k"]), cache: nil
        )
        #expect(uncached is LocalEmbeddings)
        #expect(uncached.dimensions == 3072)
    }

    @Test("EMBEDDING_PROVIDER=gemini: Gemini at GEMINI_BASE_URL with the configured model and size")
    func gemini() async throws {
        signal(SIGPIPE, SIG_IGN)
        let fake = try await FakeGeminiServer.start()
        let chosen = try settings([
            "EMBEDDING_PROVIDER": "gemini", "GEMINI_API_KEY": FakeGeminiServer.apiKey,
            "GEMINI_BASE_URL": fake.baseURL, "EMBEDDING_DIM": "768",
        ])
        let provider = try EmbeddingProviderFactory.make(settings: chosen, tuning: GeminiConfiguration(apiKey: "", retry: quickRetry), logger: quietLogger)
        #expect(provider.model == "gemini-embedding-001")
        #expect(provider.dimensions == 768)
        let vector = try await provider.embed("through the factory", task: .retrievalQuery)
        #expect(vector.count == 768)
        #expect(fake.requests.count == 1)
        #expect(fake.requests.first?.headers["x-goog-api-key"] == FakeGeminiServer.apiKey)
        await fake.stop()
    }
}
