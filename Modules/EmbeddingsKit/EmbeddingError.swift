/// Why texts could not be embedded, said so that an operator knows what to change.
///
/// Messages never contain the API key. ``Kind/rateLimited``, ``Kind/unavailable`` and
/// ``Kind/transport`` are what remained after the retries; the other kinds are not retried.
public struct EmbeddingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable {
        /// The provider cannot be built as configured (dimensions, model name, missing key, URL).
        case configuration
        /// The input is unusable (title count, for example).
        case invalidInput
        /// The API rejected the request as malformed (HTTP 400); fix the request, not the network.
        case badRequest
        /// The API key is missing, invalid or not allowed (401, 403, or 400 `API_KEY_INVALID`).
        case authentication
        /// The model does not exist or does not support embeddings (404).
        case modelNotFound
        /// Rate limit or quota (429) after every retry, or a daily quota that retrying cannot fix.
        case rateLimited
        /// The service kept failing (500, 502, 503, 504) after every retry.
        case unavailable
        /// No HTTP response (connection, timeout, TLS) after every retry.
        case transport
        /// The response was not what the contract promises (wrong vector length or count,
        /// malformed JSON, a zero vector).
        case invalidResponse
    }

    /// What went wrong.
    public let kind: Kind
    /// What happened and what to do about it.
    public let message: String
    /// The HTTP status of the last response, when there was one.
    public let httpStatus: Int?

    /// A new error; `message` must already be free of secrets.
    public init(_ kind: Kind, _ message: String, httpStatus: Int? = nil) {
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String { message }
}
