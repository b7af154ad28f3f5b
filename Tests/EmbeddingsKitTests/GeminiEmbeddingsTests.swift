import CurlKit
import EmbeddingsKit
import FakeGemini
import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The L2 norm, in Double.
func norm(_ vector: [Float]) -> Double {
    vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
}

/// The cosine of two unit vectors.
func dot(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

/// `vector` scaled to unit length, for comparing with what the client returns.
func unit(_ vector: [Float]) -> [Float] {
    let length = norm(vector)
    return vector.map { Float(Double($0) / length) }
}

/// Retries are logged at `warning`; the tests check them through their effects instead.
let quietLogger: Logger = {
    var logger = Logger(label: "recall.embeddings.test")
    logger.logLevel = .error
    return logger
}()

/// Fast retries for tests: 10 ms base wait.
let quickRetry = RetryPolicy(maximumAttempts: 4, initialDelay: .milliseconds(10), maximumDelay: .milliseconds(50))

/// Runs `body` with a fresh fake Gemini and a provider pointed at it, and stops the fake.
func withFakeGemini(
    dimensions: Int = 768,
    apiKey: String = FakeGeminiServer.apiKey,
    model: String = "gemini-embedding-001",
    configure: (inout GeminiConfiguration) -> Void = { _ in },
    _ body: (FakeGeminiServer, GeminiEmbeddings) async throws -> Void
) async throws {
    signal(SIGPIPE, SIG_IGN)
    let fake = try await FakeGeminiServer.start()
    var configuration = GeminiConfiguration(apiKey: apiKey, model: model, dimensions: dimensions, baseURL: fake.baseURL, retry: quickRetry)
    configure(&configuration)
    do {
        let provider = try GeminiEmbeddings(configuration: configuration, logger: quietLogger)
        try await body(fake, provider)
    } catch {
        await fake.stop()
        throw error
    }
    await fake.stop()
}

@Suite("GeminiEmbeddings against the fake Gemini API", .timeLimit(.minutes(1)))
struct GeminiEmbeddingsTests {
    @Test("one text: embedContent with the key in the header only and the documented body")
    func singleRequest() async throws {
        try await withFakeGemini { fake, gemini in
            let vector = try await gemini.embed("Recall caches answers.", task: .retrievalDocument, title: "Handbook")
            #expect(vector.count == 768)
            #expect(vector == unit(FakeGeminiServer.vector(for: "Recall caches answers.", dimensions: 768)))

            let sent = try #require(fake.requests.first)
            #expect(fake.requests.count == 1)
            #expect(sent.method == "POST")
            #expect(sent.path == "/v1beta/models/gemini-embedding-001:embedContent")
            #expect(sent.query.isEmpty, "the key is never put in the URL")
            #expect(sent.headers["x-goog-api-key"] == FakeGeminiServer.apiKey)
            #expect(sent.headers["content-type"] == "application/json")
            let json = try #require(sent.json)
            #expect(json["model"] as? String == "models/gemini-embedding-001")
            let parts = (json["content"] as? [String: Any])?["parts"] as? [[String: Any]]
            #expect(parts?.count == 1)
            #expect(parts?.first?["text"] as? String == "Recall caches answers.")
            #expect(json["taskType"] as? String == "RETRIEVAL_DOCUMENT")
            #expect(json["title"] as? String == "Handbook")
            #expect(json["outputDimensionality"] as? Int == 768)
            #expect(Set(json.keys) == ["model", "content", "taskType", "title", "outputDimensionality"])
        }
    }

    @Test("several texts: batchEmbedContents; titles only with RETRIEVAL_DOCUMENT")
    func batchRequest() async throws {
        try await withFakeGemini(dimensions: 1536) { fake, gemini in
            let texts = ["first question", "second question"]
            let vectors = try await gemini.embed(texts, task: .retrievalQuery, titles: ["ignored", nil])
            #expect(vectors.count == 2)
            let sent = try #require(fake.requests.first)
            #expect(sent.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents")
            let requests = try #require(sent.json?["requests"] as? [[String: Any]])
            #expect(requests.count == 2)
            for (request, text) in zip(requests, texts) {
                #expect(request["model"] as? String == "models/gemini-embedding-001")
                #expect(((request["content"] as? [String: Any])?["parts"] as? [[String: Any]])?.first?["text"] as? String == text)
                #expect(request["taskType"] as? String == "RETRIEVAL_QUERY")
                #expect(request["outputDimensionality"] as? Int == 1536)
                #expect(request["title"] == nil)
            }
            let mismatched = await #expect(throws: EmbeddingError.self) {
                try await gemini.embed(texts, task: .retrievalDocument, titles: ["only one"])
            }
            #expect(mismatched?.kind == .invalidInput)
            #expect(try await gemini.embed([], task: .retrievalQuery).isEmpty)
            #expect(fake.requests.count == 1)
        }
    }

    @Test("250 texts: three batches of at most 100, vectors in input order")
    func batchSplit() async throws {
        try await withFakeGemini { fake, gemini in
            let texts = (0..<250).map { "chunk number \($0) of the corpus" }
            let vectors = try await gemini.embed(texts, task: .retrievalDocument)
            #expect(vectors.count == 250)
            for (text, vector) in zip(texts, vectors) {
                #expect(vector == unit(FakeGeminiServer.vector(for: text, dimensions: 768)), "\(text)")
            }
            let sizes = fake.requests.map { ($0.json?["requests"] as? [Any])?.count ?? -1 }
            #expect(sizes.sorted() == [50, 100, 100])
            #expect(fake.requests.allSatisfy { $0.path.hasSuffix(":batchEmbedContents") })
        }
    }

    @Test("vectors are unit length at every supported size", arguments: [768, 1536, 3072])
    func normalisation(dimensions: Int) async throws {
        try await withFakeGemini(dimensions: dimensions) { _, gemini in
            let raw = FakeGeminiServer.vector(for: "a", dimensions: dimensions)
            if dimensions < 3072 { #expect(abs(norm(raw) - 1) > 1e-3, "the fake, like Google, truncates without renormalising") }
            let vectors = try await gemini.embed(["a", "b", "c"], task: .semanticSimilarity)
            for vector in vectors {
                #expect(vector.count == dimensions)
                #expect(abs(norm(vector) - 1) < 1e-5)
            }
        }
    }

    @Test("only 768, 1536 and 3072 dimensions; other configuration mistakes are reported up front")
    func configurationChecks() throws {
        let error = #expect(throws: EmbeddingError.self) {
            try GeminiEmbeddings(configuration: .init(apiKey: "k", dimensions: 1000))
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message == "1000 dimensions is not a size gemini-embedding-001 is trained for: use 768, 1536 or 3072 (EMBEDDING_DIM), matching the vector(N) column")
        #expect(throws: EmbeddingError.self) { try GeminiEmbeddings(configuration: .init(apiKey: "")) }
        #expect(throws: EmbeddingError.self) { try GeminiEmbeddings(configuration: .init(apiKey: "k", model: "../evil?x=1")) }
        #expect(throws: EmbeddingError.self) { try GeminiEmbeddings(configuration: .init(apiKey: "k", batchSize: 101)) }
        let prefixed = try GeminiEmbeddings(configuration: .init(apiKey: "k", model: "models/gemini-embedding-001"))
        #expect(prefixed.model == "gemini-embedding-001")
    }

    @Test("printing or dumping the configuration never shows the key")
    func configurationIsRedacted() {
        let secret = "AIzaSECRETconfig77"
        let configuration = GeminiConfiguration(apiKey: secret, dimensions: 1536)
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in ["\(configuration)", String(reflecting: configuration), dumped] {
            #expect(!text.contains(secret), "\(text)")
            #expect(text.contains("***"))
        }
        #expect("\(configuration)".contains("dimensions: 1536"))
    }

    @Test("429 with RetryInfo: waits at least retryDelay, then succeeds")
    func retryAfter429() async throws {
        try await withFakeGemini { fake, gemini in
            fake.failNext(1, status: 429, retryDelay: "0.3s")
            let start = ContinuousClock.now
            let vector = try await gemini.embed("rate limited once", task: .retrievalQuery)
            let elapsed = ContinuousClock.now - start
            #expect(vector.count == 768)
            #expect(fake.requests.count == 2)
            #expect(elapsed >= .milliseconds(300), "waited \(elapsed)")
        }
    }

    @Test("500, 503 and 504 are retried; the attempts are bounded")
    func retryServerErrors() async throws {
        try await withFakeGemini { fake, gemini in
            fake.failNext(1, status: 500)
            fake.failNext(1, status: 503)
            fake.failNext(1, status: 504)
            _ = try await gemini.embed(["x", "y"], task: .retrievalDocument)
            #expect(fake.requests.count == 4)

            fake.clearRequests()
            fake.failNext(10, status: 503)
            let error = await #expect(throws: EmbeddingError.self) { try await gemini.embed("z", task: .retrievalQuery) }
            #expect(error?.kind == .unavailable)
            #expect(error?.httpStatus == 503)
            #expect(error?.message.hasPrefix("Gemini embedContent answered 503 UNAVAILABLE: The model is overloaded.") == true)
            #expect(error?.message.hasSuffix("(after 4 attempts)") == true, "\(error?.message ?? "")")
            #expect(fake.requests.count == 4)
        }
    }

    @Test("a daily quota or a retryDelay beyond the limit fails at once")
    func noPointlessRetries() async throws {
        try await withFakeGemini(configure: { $0.retry.maximumServerDelay = .seconds(5) }) { fake, gemini in
            fake.failNext(1, status: 429, retryDelay: "30s", quotaId: "EmbedContentRequestsPerDayPerProjectPerModel-FreeTier")
            let daily = await #expect(throws: EmbeddingError.self) { try await gemini.embed("a", task: .retrievalQuery) }
            #expect(daily?.kind == .rateLimited)
            #expect(daily?.message.contains("daily quota") == true)

            fake.failNext(1, status: 429, retryDelay: "30s")
            let start = ContinuousClock.now
            let long = await #expect(throws: EmbeddingError.self) { try await gemini.embed("a", task: .retrievalQuery) }
            #expect(long?.kind == .rateLimited)
            #expect(long?.message.contains("asked to retry after 30.0 s, longer than the 5.0 s this client waits") == true, "\(long?.message ?? "")")
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(fake.requests.count == 2)
        }
    }

    @Test("400 is not retried and says so")
    func noRetryOn400() async throws {
        try await withFakeGemini { fake, gemini in
            fake.failNext(1, status: 400)
            let error = await #expect(throws: EmbeddingError.self) { try await gemini.embed("bad", task: .retrievalQuery) }
            #expect(error?.kind == .badRequest)
            #expect(error?.httpStatus == 400)
            #expect(error?.message.contains("not retried") == true)
            #expect(fake.requests.count == 1)
        }
    }

    @Test("a wrong key or model fails at once, says what to fix, and never shows the key")
    func authenticationAndModel() async throws {
        let wrongKey = "AIzaWRONG-but-secret-0123456789"
        try await withFakeGemini(apiKey: wrongKey) { fake, gemini in
            let error = await #expect(throws: EmbeddingError.self) { try await gemini.embed("a", task: .retrievalQuery) }
            #expect(error?.kind == .authentication)
            #expect(error?.httpStatus == 400)
            #expect(error?.message.contains("API key not valid") == true)
            #expect(error?.message.contains("check GEMINI_API_KEY") == true)
            #expect(error?.message.contains(wrongKey) == false)
            #expect("\(error.map { "\($0)" } ?? "")".contains(wrongKey) == false)
            #expect(fake.requests.count == 1)
        }
        try await withFakeGemini(model: "text-embedding-004") { fake, gemini in
            let error = await #expect(throws: EmbeddingError.self) { try await gemini.embed(["a", "b"], task: .retrievalQuery) }
            #expect(error?.kind == .modelNotFound)
            #expect(error?.message.contains("check EMBEDDING_MODEL ('text-embedding-004')") == true)
            #expect(fake.requests.count == 1)
        }
    }

    @Test("a vector of the wrong length fails the call with a clear error")
    func wrongLength() async throws {
        try await withFakeGemini { fake, gemini in
            fake.returnVectors(ofLength: 1536)
            let error = await #expect(throws: EmbeddingError.self) { try await gemini.embed(["a", "b"], task: .retrievalDocument) }
            #expect(error?.kind == .invalidResponse)
            #expect(error?.message == "Gemini returned a 1536-dimensional vector for text 1 of 2, but 768 were requested (outputDimensionality); it cannot be stored in a vector(768) column")
            #expect(fake.requests.count == 1, "not retried")
        }
    }

    @Test("no more requests in flight than the concurrency cap; pacing spaces them")
    func concurrencyAndRate() async throws {
        try await withFakeGemini(configure: { $0.maximumConcurrentRequests = 2; $0.batchSize = 10 }) { fake, gemini in
            fake.setLatency(.milliseconds(100))
            let texts = (0..<60).map { "text \($0)" }
            _ = try await gemini.embed(texts, task: .retrievalDocument)
            #expect(fake.requests.count == 6)
            #expect(fake.peakConcurrentRequests == 2)
        }
        try await withFakeGemini(configure: { $0.requestsPerMinute = 600 }) { fake, gemini in
            let start = ContinuousClock.now
            for index in 0..<4 { _ = try await gemini.embed("paced \(index)", task: .retrievalQuery) }
            #expect(ContinuousClock.now - start >= .milliseconds(300), "600/min is one request per 100 ms")
            #expect(fake.requests.count == 4)
        }
    }

    @Test("an unreachable endpoint is a transport error after the retries, without the key")
    func transportFailure() async throws {
        let fake = try await FakeGeminiServer.start()
        let deadURL = fake.baseURL
        await fake.stop()
        let secret = "AIzaSECRET-transport-98765"
        let gemini = try GeminiEmbeddings(configuration: .init(
            apiKey: secret, dimensions: 768, baseURL: deadURL, retry: RetryPolicy(maximumAttempts: 2, initialDelay: .milliseconds(10))
        ), logger: quietLogger)
        let error = await #expect(throws: EmbeddingError.self) { try await gemini.embed("a", task: .retrievalQuery) }
        #expect(error?.kind == .transport)
        #expect(error?.message.hasPrefix("could not reach the Gemini API: could not connect to http://127.0.0.1:") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(secret) == false)
        #expect(error?.message.contains("(after 2 attempts)") == true)
    }
}
