import EmbeddingsKit
import FakeGemini
import Testing

@Suite("Embedding cache", .timeLimit(.minutes(1)))
struct CachingEmbeddingProviderTests {
    @Test("a text is embedded once: later calls and repeats within a call are served from the cache")
    func noSecondRequest() async throws {
        try await withFakeGemini { fake, gemini in
            let cache = InMemoryEmbeddingCache()
            let provider = CachingEmbeddingProvider(base: gemini, cache: cache)
            #expect(provider.model == "gemini-embedding-001")
            #expect(provider.dimensions == 768)

            let first = try await provider.embed(["alpha", "beta", "alpha"], task: .retrievalDocument)
            #expect(fake.requests.count == 1)
            let sent = fake.requests[0].json?["requests"] as? [[String: Any]]
            #expect(sent?.count == 2, "the repeated text was sent once")
            #expect(first[0] == first[2])

            let again = try await provider.embed(["beta", "alpha"], task: .retrievalDocument)
            #expect(fake.requests.count == 1, "served from the cache")
            #expect(again == [first[1], first[0]])

            _ = try await provider.embed(["alpha", "gamma"], task: .retrievalDocument)
            #expect(fake.requests.count == 2)
            #expect(fake.requests[1].path.hasSuffix(":embedContent"), "only the new text was sent")

            _ = try await provider.embed("alpha", task: .retrievalQuery)
            #expect(fake.requests.count == 3, "another task is another vector")
            _ = try await provider.embed("alpha", task: .retrievalDocument, title: "Doc")
            #expect(fake.requests.count == 4, "a title changes a document's vector")
            #expect(cache.statistics.entries == 5)
        }
    }

    @Test("concurrent calls for the same text share one request")
    func coalescing() async throws {
        try await withFakeGemini { fake, gemini in
            fake.setLatency(.milliseconds(200))
            let provider = CachingEmbeddingProvider(base: gemini)
            let vectors = try await withThrowingTaskGroup(of: [Float].self) { group in
                for _ in 0..<5 { group.addTask { try await provider.embed("same question", task: .retrievalQuery) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(vectors.count == 5)
            #expect(Set(vectors.map { $0.map(\.bitPattern) }).count == 1)
            #expect(fake.requests.count == 1)
        }
    }

    @Test("a failure is not cached")
    func failuresAreNotCached() async throws {
        try await withFakeGemini(configure: { $0.retry = .none }) { fake, gemini in
            let provider = CachingEmbeddingProvider(base: gemini)
            fake.failNext(1, status: 503)
            await #expect(throws: EmbeddingError.self) { try await provider.embed("flaky", task: .retrievalQuery) }
            _ = try await provider.embed("flaky", task: .retrievalQuery)
            #expect(fake.requests.count == 2)
        }
    }

    @Test("keys: model, size, task, text and title, never the text itself")
    func keys() {
        let key = EmbeddingCacheKey(model: "gemini-embedding-001", dimensions: 768, task: .retrievalQuery, text: "hello")
        #expect(key.stringValue == "emb:v1:gemini-embedding-001:768:RETRIEVAL_QUERY:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(key != EmbeddingCacheKey(model: "gemini-embedding-001", dimensions: 1536, task: .retrievalQuery, text: "hello"))
        #expect(key != EmbeddingCacheKey(model: "local-feature-hashing-v1", dimensions: 768, task: .retrievalQuery, text: "hello"))
        #expect(key != EmbeddingCacheKey(model: "gemini-embedding-001", dimensions: 768, task: .retrievalDocument, text: "hello"))
        let titled = EmbeddingCacheKey(model: "m", dimensions: 768, task: .retrievalDocument, text: "b", title: "a")
        #expect(titled != EmbeddingCacheKey(model: "m", dimensions: 768, task: .retrievalDocument, text: "b"))
        #expect(titled != EmbeddingCacheKey(model: "m", dimensions: 768, task: .retrievalDocument, text: "", title: "ab"))
    }

    @Test("the in-memory cache is bounded and evicts the least recently used")
    func eviction() async throws {
        let vectorBytes = 768 * 4
        let cache = InMemoryEmbeddingCache(maximumBytes: 3 * vectorBytes)
        let keys = (0..<4).map { EmbeddingCacheKey(model: "m", dimensions: 768, task: .clustering, text: "t\($0)") }
        let vector = [Float](repeating: 0.5, count: 768)
        await cache.store(keys[0..<3].map { (key: $0, vector: vector) })
        _ = await cache.vectors(for: [keys[0]])
        await cache.store([(key: keys[3], vector: vector)])
        let present = await cache.vectors(for: keys).map { $0 != nil }
        #expect(present == [true, false, true, true], "t1 was the least recently used")
        let statistics = cache.statistics
        #expect(statistics.entries == 3)
        #expect(statistics.bytes == 3 * vectorBytes)
        #expect(statistics.evictions == 1)
    }
}
