import CurlKit
import Foundation
import Logging

/// Embeddings from Google's Gemini API (`gemini-embedding-001`), over ``CurlKit``.
///
/// ```swift
/// let gemini = try GeminiEmbeddings(configuration: .init(apiKey: key, dimensions: 1536))
/// let vectors = try await gemini.embed(chunks, task: .retrievalDocument, titles: titles)
/// ```
///
/// - One text goes to `embedContent`; more go to `batchEmbedContents` in requests of at most
///   100, sent concurrently (up to ``GeminiConfiguration/maximumConcurrentRequests``), with the
///   vectors put back in input order.
/// - The API key travels only in the `x-goog-api-key` header: never in a URL, a log line or an
///   error message.
/// - Every vector must come back with exactly ``dimensions`` values, or the call fails; each is
///   L2-normalised, because Gemini only normalises full 3072-dimension output (Matryoshka
///   truncations come back shorter than unit length).
/// - 408, 429, 500, 502, 503, 504 and transport failures are retried per ``RetryPolicy``,
///   honouring the server's `RetryInfo.retryDelay`; other errors fail at once and say what to fix
///   (all of it in ``GeminiTransport``, shared with the chat client).
public final class GeminiEmbeddings: EmbeddingProvider {
    /// The model ID, without `models/` (such as `gemini-embedding-001`).
    public let model: String
    /// `outputDimensionality`, and the length of every vector returned.
    public let dimensions: Int
    /// The configuration, API key included; do not print it.
    public let configuration: GeminiConfiguration

    private let transport: GeminiTransport

    /// A provider.
    ///
    /// - Parameters:
    ///   - configuration: key, model, dimensions, endpoint and limits.
    ///   - httpClient: a client to share; by default the provider makes its own, with as many
    ///     connections as it may have requests in flight.
    ///   - logger: where retries are reported (at `warning`).
    /// - Throws: ``EmbeddingError/Kind/configuration`` for unsupported dimensions, an empty key, a
    ///   malformed model name or base URL, or a batch size over 100.
    public init(
        configuration: GeminiConfiguration,
        httpClient: HTTPClient? = nil,
        logger: Logger = Logger(label: "recall.embeddings.gemini")
    ) throws(EmbeddingError) {
        try configuration.validate()
        self.configuration = configuration
        model = configuration.modelID
        dimensions = configuration.dimensions
        transport = GeminiTransport(
            apiKey: configuration.apiKey,
            baseURL: configuration.baseURL,
            retry: configuration.retry,
            requestTimeout: configuration.requestTimeout,
            maximumConcurrentRequests: configuration.maximumConcurrentRequests,
            requestsPerMinute: configuration.requestsPerMinute,
            httpClient: httpClient,
            advice: GeminiTransport.Advice(
                modelVariable: "EMBEDDING_MODEL",
                modelNotFound: "gemini-embedding-001 is the current embedding model",
                badRequest: "check the input texts (each under 2,048 tokens) and EMBEDDING_DIM"
            ),
            logger: logger
        )
    }

    public func embed(_ texts: [String], task: EmbeddingTask, titles: [String?]?) async throws -> [[Float]] {
        try validateTitles(titles, count: texts.count)
        if texts.isEmpty { return [] }
        let requests = texts.indices.map { index in
            GeminiWire.EmbedRequest(
                model: "models/\(model)",
                content: .init(parts: [.init(text: texts[index])]),
                taskType: task.rawValue,
                title: task.acceptsTitle ? titles?[index] : nil,
                outputDimensionality: dimensions
            )
        }
        if requests.count == 1 {
            return [try await embedOne(requests[0])]
        }
        let size = configuration.batchSize
        let batches = stride(from: 0, to: requests.count, by: size).map { start in
            (start, Array(requests[start..<min(start + size, requests.count)]))
        }
        if batches.count == 1 { return try await embedBatch(batches[0].1, firstIndex: 0, total: texts.count) }
        var vectors = [[Float]](repeating: [], count: texts.count)
        try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            for (start, batch) in batches {
                group.addTask { (start, try await self.embedBatch(batch, firstIndex: start, total: texts.count)) }
            }
            for try await (start, batchVectors) in group {
                vectors.replaceSubrange(start..<start + batchVectors.count, with: batchVectors)
            }
        }
        return vectors
    }

    private func embedOne(_ request: GeminiWire.EmbedRequest) async throws -> [Float] {
        let body = try await call("embedContent", body: try JSONEncoder().encode(request))
        if let values = EmbeddingResponseScanner.embedding(in: body) {
            return try checked(values, index: 0, total: 1)
        }
        let decoded: GeminiWire.EmbedResponse
        do {
            decoded = try JSONDecoder().decode(GeminiWire.EmbedResponse.self, from: body)
        } catch {
            throw EmbeddingError(.invalidResponse, "Gemini's embedContent answer is not the documented JSON ({\"embedding\":{\"values\":[…]}})", httpStatus: 200)
        }
        return try checked(decoded.embedding.values, index: 0, total: 1)
    }

    private func embedBatch(_ requests: [GeminiWire.EmbedRequest], firstIndex: Int, total: Int) async throws -> [[Float]] {
        let body = try await call("batchEmbedContents", body: try JSONEncoder().encode(GeminiWire.BatchRequest(requests: requests)))
        let embeddings: [[Float]]
        if let scanned = EmbeddingResponseScanner.embeddings(in: body) {
            embeddings = scanned
        } else {
            do {
                embeddings = try JSONDecoder().decode(GeminiWire.BatchResponse.self, from: body).embeddings.map(\.values)
            } catch {
                throw EmbeddingError(.invalidResponse, "Gemini's batchEmbedContents answer is not the documented JSON ({\"embeddings\":[{\"values\":[…]}]})", httpStatus: 200)
            }
        }
        guard embeddings.count == requests.count else {
            throw EmbeddingError(
                .invalidResponse,
                "Gemini returned \(embeddings.count) embeddings for a batch of \(requests.count) texts; refusing to guess which is which",
                httpStatus: 200
            )
        }
        return try embeddings.enumerated().map { offset, values in
            try checked(values, index: firstIndex + offset, total: total)
        }
    }

    /// The dimension check and the normalisation every returned vector goes through.
    private func checked(_ values: [Float], index: Int, total: Int) throws(EmbeddingError) -> [Float] {
        guard values.count == dimensions else {
            throw EmbeddingError(
                .invalidResponse,
                "Gemini returned a \(values.count)-dimensional vector for text \(index + 1) of \(total), but \(dimensions) were requested (outputDimensionality); it cannot be stored in a vector(\(dimensions)) column",
                httpStatus: 200
            )
        }
        guard let unit = VectorMath.normalised(values) else {
            throw EmbeddingError(.invalidResponse, "Gemini returned a zero or non-finite vector for text \(index + 1) of \(total)", httpStatus: 200)
        }
        return unit
    }

    /// POSTs `body` to `method` through the shared transport; returns the body of the 200 answer.
    private func call(_ method: String, body: Data) async throws -> Data {
        try await transport.post(model: model, method: method, body: body)
    }
}
