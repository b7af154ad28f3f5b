/// The JSON of the Gemini embeddings REST API (v1beta), as documented: lowerCamelCase field
/// names of the protobuf JSON mapping, top-level `taskType`, `title` and `outputDimensionality`.
enum GeminiWire {
    struct Part: Codable { let text: String }
    struct Content: Codable { let parts: [Part] }

    /// One `EmbedContentRequest`: the body of `embedContent`, and one entry of a batch.
    struct EmbedRequest: Encodable {
        let model: String
        let content: Content
        let taskType: String
        let title: String?
        let outputDimensionality: Int
    }

    struct BatchRequest: Encodable { let requests: [EmbedRequest] }

    struct Embedding: Decodable { let values: [Float] }
    /// `embedContent`'s answer.
    struct EmbedResponse: Decodable { let embedding: Embedding }
    /// `batchEmbedContents`' answer, in request order.
    struct BatchResponse: Decodable { let embeddings: [Embedding] }

    /// `google.rpc.Status` inside `{"error": …}`.
    struct ErrorEnvelope: Decodable { let error: Status }

    struct Status: Decodable {
        let code: Int?
        let message: String?
        let status: String?
        let details: [Detail]?
    }

    /// One entry of `details`; only the fields Recall acts on are read.
    struct Detail: Decodable {
        let type: String?
        /// `google.rpc.RetryInfo`: a protobuf Duration such as `"46s"` or `"0.5s"`.
        let retryDelay: String?
        /// `google.rpc.ErrorInfo`: such as `API_KEY_INVALID`.
        let reason: String?
        /// `google.rpc.QuotaFailure`.
        let violations: [Violation]?

        enum CodingKeys: String, CodingKey {
            case type = "@type"
            case retryDelay, reason, violations
        }
    }

    struct Violation: Decodable {
        let quotaId: String?
    }
}

extension GeminiWire.Status {
    /// The server's `RetryInfo.retryDelay`, if it sent one.
    var retryDelay: Duration? {
        guard let text = details?.lazy.compactMap(\.retryDelay).first else { return nil }
        return GeminiWire.parseDuration(text)
    }

    /// True when a quota that resets daily is exhausted: retrying within the call cannot help.
    var isDailyQuota: Bool {
        details?.contains { $0.violations?.contains { $0.quotaId?.contains("PerDay") == true } == true } == true
    }

    /// True when Google says the key itself is bad (it answers 400, not 401, for that).
    var isInvalidKey: Bool {
        details?.contains { $0.reason == "API_KEY_INVALID" } == true
    }
}

extension GeminiWire {
    /// Parses a protobuf JSON Duration (`"12s"`, `"0.300s"`, `"1.5s"`); nil for anything else.
    static func parseDuration(_ text: String) -> Duration? {
        guard text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds.isFinite, seconds >= 0 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }
}
