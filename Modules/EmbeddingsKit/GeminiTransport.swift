import CurlKit
import Foundation
import Logging

/// The HTTP part every Gemini client shares: the key header, pacing, the concurrency cap,
/// retries with `RetryInfo`, and errors that say what to fix.
///
/// ``GeminiEmbeddings`` sends its `embedContent` calls through one; ChatKit's `GeminiChat` sends
/// `generateContent` and the start-up model probe through another, so both retry and report
/// failures alike.
///
/// - The API key travels only in the `x-goog-api-key` header: never in a URL, a log line or an
///   error message (Google's own messages are masked should they ever echo it).
/// - 408, 429, 500, 502, 503, 504 and transport failures are retried per ``RetryPolicy``, waiting
///   at least the server's `RetryInfo.retryDelay`; a daily quota or a delay longer than the
///   policy allows fails at once. Other statuses fail at once.
/// - Errors are ``EmbeddingError``s (their kinds describe any Gemini call); the 404 and 400
///   advice comes from ``Advice``, so each client names its own setting.
public final class GeminiTransport: Sendable {
    /// What a client tells the operator to check when its model or its request is refused.
    public struct Advice: Sendable {
        /// The setting that names the model, such as `EMBEDDING_MODEL`.
        public var modelVariable: String
        /// Said after a 404, following "check <variable> ('<model>'): ".
        public var modelNotFound: String
        /// Said after a 400 that is not about the key.
        public var badRequest: String

        /// Advice for a client.
        public init(modelVariable: String, modelNotFound: String, badRequest: String) {
            self.modelVariable = modelVariable
            self.modelNotFound = modelNotFound
            self.badRequest = badRequest
        }
    }

    private let apiKey: String
    private let baseURL: String
    private let retry: RetryPolicy
    private let requestTimeout: Duration
    private let advice: Advice
    private let http: HTTPClient
    private let concurrency: ConcurrencyLimit
    private let pacer: RequestPacer?
    private let logger: Logger

    /// A transport.
    ///
    /// - Parameters:
    ///   - apiKey: sent only in `x-goog-api-key`.
    ///   - baseURL: the API origin (`GEMINI_BASE_URL`); `/v1beta` is added unless it already ends
    ///     in an API version.
    ///   - retry: how failures are retried.
    ///   - requestTimeout: the time allowed for one HTTP request.
    ///   - maximumConcurrentRequests: requests in flight at once through this transport.
    ///   - requestsPerMinute: pacing; nil for none beyond the concurrency cap.
    ///   - httpClient: a client to share; by default the transport makes its own.
    ///   - advice: what errors tell the operator to check.
    ///   - logger: where retries are reported (at `warning`).
    public init(
        apiKey: String,
        baseURL: String,
        retry: RetryPolicy = RetryPolicy(),
        requestTimeout: Duration = .seconds(60),
        maximumConcurrentRequests: Int = 4,
        requestsPerMinute: Int? = nil,
        httpClient: HTTPClient? = nil,
        advice: Advice,
        logger: Logger
    ) {
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.advice = advice
        http = httpClient ?? HTTPClient(configuration: HTTPClientConfiguration(
            concurrency: maximumConcurrentRequests,
            timeout: requestTimeout
        ))
        concurrency = ConcurrencyLimit(limit: maximumConcurrentRequests)
        pacer = RequestPacer(requestsPerMinute: requestsPerMinute)
        self.logger = logger
    }

    /// `…/v1beta/models/<model>:<method>`, or `…/v1beta/models/<model>` when `method` is nil.
    public func endpoint(model: String, method: String?) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let versioned = base.hasSuffix("/v1beta") || base.hasSuffix("/v1") ? base : base + "/v1beta"
        return "\(versioned)/models/\(model)" + (method.map { ":\($0)" } ?? "")
    }

    /// POSTs JSON to `models/<model>:<method>` and returns the body of the 200 answer.
    ///
    /// - Throws: ``EmbeddingError`` after the retries, or at once for what retrying cannot fix.
    public func post(model: String, method: String, body: Data) async throws -> Data {
        try await send(.post, model: model, method: method, body: body)
    }

    /// GETs `models/<model>` (the model's metadata) and returns the body of the 200 answer.
    ///
    /// - Throws: ``EmbeddingError``; a model Google does not know (or has shut down) is
    ///   ``EmbeddingError/Kind/modelNotFound``.
    public func getModel(_ model: String) async throws -> Data {
        try await send(.get, model: model, method: nil, body: nil)
    }

    private func send(_ verb: HTTPMethod, model: String, method: String?, body: Data?) async throws -> Data {
        var headers = [HTTPHeader("x-goog-api-key", apiKey)]
        if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
        let request = HTTPRequest(
            method: verb, url: endpoint(model: model, method: method), headers: headers, body: body,
            timeout: requestTimeout
        )
        let operation = method ?? "models.get"
        let policy = retry
        var attempt = 1
        while true {
            if let pacer { try await pacer.waitForTurn() }
            try await concurrency.acquire()
            let outcome: Result<HTTPResponse, HTTPClientError>
            do {
                outcome = .success(try await http.send(request))
            } catch let error as HTTPClientError {
                outcome = .failure(error)
            } catch {
                concurrency.release()
                throw error
            }
            concurrency.release()

            let failure: EmbeddingError
            var serverDelay: Duration?
            switch outcome {
            case .success(let response) where response.status == 200:
                return response.body
            case .success(let response):
                let status = decodeStatus(response.body)
                failure = error(for: response.status, status: status, operation: operation, model: model)
                guard Self.retryableStatuses.contains(response.status) else { throw failure }
                if status?.isDailyQuota == true {
                    throw EmbeddingError(
                        .rateLimited,
                        "\(failure.message); this is a daily quota, so retrying now cannot succeed: wait for the reset or raise the quota",
                        httpStatus: response.status
                    )
                }
                serverDelay = status?.retryDelay
                if let serverDelay, serverDelay > policy.maximumServerDelay {
                    throw EmbeddingError(
                        failure.kind,
                        "\(failure.message); Gemini asked to retry after \(Self.format(serverDelay)), longer than the \(Self.format(policy.maximumServerDelay)) this client waits",
                        httpStatus: response.status
                    )
                }
            case .failure(let transport):
                failure = EmbeddingError(.transport, "could not reach the Gemini API: \(transport.message)")
                guard transport.isTransient else { throw failure }
            }

            guard attempt < policy.maximumAttempts else {
                let tries = policy.maximumAttempts == 1 ? "" : " (after \(policy.maximumAttempts) attempts)"
                throw EmbeddingError(failure.kind, failure.message + tries, httpStatus: failure.httpStatus)
            }
            let delay = policy.delay(afterAttempt: attempt, serverDelay: serverDelay)
            logger.warning("Gemini request failed; retrying", metadata: [
                "gemini.method": "\(operation)",
                "attempt": "\(attempt)",
                "retry_in": "\(Self.format(delay))",
                "error": "\(failure.message)",
            ])
            try await Task.sleep(for: delay)
            attempt += 1
        }
    }

    static let retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    /// `850 ms`, `12.5 s`: durations as an operator reads them.
    static func format(_ duration: Duration) -> String {
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        if milliseconds < 1000 { return "\(Int(milliseconds.rounded())) ms" }
        return "\((milliseconds / 100).rounded() / 10) s"
    }

    private func decodeStatus(_ body: Data) -> GeminiWire.Status? {
        try? JSONDecoder().decode(GeminiWire.ErrorEnvelope.self, from: body).error
    }

    /// The error for a non-200 answer, saying what to fix.
    private func error(for code: Int, status: GeminiWire.Status?, operation: String, model: String) -> EmbeddingError {
        let label = [String(code), status?.status].compactMap { $0 }.joined(separator: " ")
        let said = status?.message.map { ": " + sanitise($0) } ?? ""
        let what = "Gemini \(operation) answered \(label)\(said)"
        switch code {
        case 400 where status?.isInvalidKey == true, 401, 403:
            return EmbeddingError(.authentication, "\(what); check GEMINI_API_KEY (set, valid, and allowed to use the Generative Language API)", httpStatus: code)
        case 404:
            return EmbeddingError(.modelNotFound, "\(what); check \(advice.modelVariable) ('\(model)'): \(advice.modelNotFound)", httpStatus: code)
        case 429:
            return EmbeddingError(.rateLimited, "\(what); lower the request rate (requestsPerMinute, maximumConcurrentRequests) or raise the quota", httpStatus: code)
        case 408, 500, 502, 503, 504:
            return EmbeddingError(.unavailable, "\(what); the service is failing or overloaded, try again later", httpStatus: code)
        default:
            return EmbeddingError(.badRequest, "\(what); the request was not retried: \(advice.badRequest)", httpStatus: code)
        }
    }

    /// Google's message, shortened, and with the key masked should it ever be echoed.
    private func sanitise(_ message: String) -> String {
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if !apiKey.isEmpty { text = text.replacingOccurrences(of: apiKey, with: "***") }
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
