/// Everything ``GeminiEmbeddings`` needs: where, who, which model and size, and how hard to push.
///
/// Printed (`description`, `dump`, debugger), the API key shows as `***`.
public struct GeminiConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The dimensions `gemini-embedding-001` is trained for (Matryoshka truncation points).
    public static let supportedDimensions = [768, 1536, 3072]
    /// The most requests one `batchEmbedContents` call may carry.
    public static let maximumBatchSize = 100

    /// The API key, sent only in the `x-goog-api-key` header.
    public var apiKey: String
    /// The model, with or without the `models/` prefix.
    public var model: String
    /// `outputDimensionality`: 768, 1536 or 3072.
    public var dimensions: Int
    /// The API origin (`GEMINI_BASE_URL`); `/v1beta/models/…` is appended unless it already ends
    /// in an API version.
    public var baseURL: String
    /// Texts per `batchEmbedContents` request, at most 100.
    public var batchSize: Int
    /// Requests in flight at once, across all callers of this provider.
    public var maximumConcurrentRequests: Int
    /// Requests per minute; nil for no pacing beyond the concurrency cap.
    public var requestsPerMinute: Int?
    /// Retries of 429, 5xx and transport failures.
    public var retry: RetryPolicy
    /// The time allowed for one HTTP request.
    public var requestTimeout: Duration

    /// A configuration with Google's endpoint and conservative limits.
    public init(
        apiKey: String,
        model: String = "gemini-embedding-001",
        dimensions: Int = 3072,
        baseURL: String = "https://generativelanguage.googleapis.com",
        batchSize: Int = GeminiConfiguration.maximumBatchSize,
        maximumConcurrentRequests: Int = 4,
        requestsPerMinute: Int? = nil,
        retry: RetryPolicy = RetryPolicy(),
        requestTimeout: Duration = .seconds(60)
    ) {
        self.apiKey = apiKey
        self.model = model
        self.dimensions = dimensions
        self.baseURL = baseURL
        self.batchSize = batchSize
        self.maximumConcurrentRequests = maximumConcurrentRequests
        self.requestsPerMinute = requestsPerMinute
        self.retry = retry
        self.requestTimeout = requestTimeout
    }

    public var description: String {
        "GeminiConfiguration(model: \(modelID), dimensions: \(dimensions), baseURL: \(baseURL), apiKey: ***, batchSize: \(batchSize), "
            + "maximumConcurrentRequests: \(maximumConcurrentRequests), requestsPerMinute: \(requestsPerMinute.map(String.init) ?? "none"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "apiKey": "***", "model": model, "dimensions": dimensions, "baseURL": baseURL, "batchSize": batchSize,
            "maximumConcurrentRequests": maximumConcurrentRequests, "requestsPerMinute": requestsPerMinute as Any,
            "retry": retry, "requestTimeout": requestTimeout,
        ])
    }

    /// The model name without `models/`.
    var modelID: String { model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model }

    /// Every problem that would make requests fail, reported before any is sent.
    func validate() throws(EmbeddingError) {
        guard Self.supportedDimensions.contains(dimensions) else {
            throw EmbeddingError(
                .configuration,
                "\(dimensions) dimensions is not a size \(modelID) is trained for: use 768, 1536 or 3072 (EMBEDDING_DIM), matching the vector(N) column"
            )
        }
        if apiKey.isEmpty {
            throw EmbeddingError(.configuration, "no Gemini API key: set GEMINI_API_KEY, or EMBEDDING_PROVIDER=local for offline embeddings")
        }
        if apiKey.contains(where: { $0.isNewline || $0.isWhitespace }) {
            throw EmbeddingError(.configuration, "GEMINI_API_KEY contains white space or a line break; copy the key again")
        }
        let allowed = modelID.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }
        guard !modelID.isEmpty, allowed else {
            throw EmbeddingError(.configuration, "'\(model)' is not a model name (EMBEDDING_MODEL): use something like gemini-embedding-001")
        }
        guard baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://") else {
            throw EmbeddingError(.configuration, "GEMINI_BASE_URL must be an http(s) URL, such as https://generativelanguage.googleapis.com")
        }
        guard (1...Self.maximumBatchSize).contains(batchSize) else {
            throw EmbeddingError(.configuration, "batch size \(batchSize) is outside 1...100, the Gemini API's limit per batchEmbedContents request")
        }
    }
}
