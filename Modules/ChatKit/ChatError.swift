import EmbeddingsKit

/// Why a question got no answer, said so that the asker (or the operator) knows what to change.
///
/// Messages never contain the API key. ``httpStatus`` and ``code`` are what the server puts in
/// its `{"error": {"code", "message"}}` body.
public struct ChatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The question is empty, too long, or carries an unusable session or tenant.
        case invalidQuestion = "invalid_question"
        /// The question names a model that is not a model name.
        case invalidModel = "invalid_model"
        /// The model does not exist or was retired by Google (404); `CHAT_MODEL` must change.
        case modelUnavailable = "model_unavailable"
        /// Gemini's rate limit or quota, after the retries.
        case rateLimited = "rate_limited"
        /// No usable answer: the call failed after its retries, or the answer was empty, blocked
        /// or cut off (`finishReason` other than `STOP`).
        case generationFailed = "generation_failed"
        /// The question could not be embedded or the documents could not be searched.
        case retrievalFailed = "retrieval_failed"
        /// The generator is configured wrongly (missing or rejected key, bad model name).
        case configuration
    }

    /// What went wrong.
    public let kind: Kind
    /// What happened and what to do about it.
    public let message: String

    /// An error; `message` must already be free of secrets.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The `code` of the HTTP error body: the kind's raw value, such as `invalid_question`.
    public var code: String { kind.rawValue }

    /// The HTTP status that fits: 400 for the asker's mistakes, 429 for rate limits, 503 for
    /// everything the asker cannot fix by changing the request.
    public var httpStatus: Int {
        switch kind {
        case .invalidQuestion, .invalidModel: 400
        case .rateLimited: 429
        case .modelUnavailable, .generationFailed, .retrievalFailed, .configuration: 503
        }
    }

    /// The chat error for a failed Gemini call.
    static func generation(_ error: EmbeddingError) -> ChatError {
        switch error.kind {
        case .modelNotFound: ChatError(.modelUnavailable, error.message)
        case .rateLimited: ChatError(.rateLimited, error.message)
        case .authentication, .configuration: ChatError(.configuration, error.message)
        default: ChatError(.generationFailed, error.message)
        }
    }
}
