import CurlKit
import Foundation

/// A client of a running recall-server's JSON API, shared by `recall --server` and `recall-top`.
///
/// The server is one the operator named, often on loopback, so no SSRF policy applies (that guard
/// is for URLs users hand to the scraper). Credentials go in headers only; no error or value this
/// type returns contains them.
public struct RecallServerClient: Sendable {
    /// Which credential a route needs.
    public enum Access: Sendable {
        /// None: health, metrics, cache stats.
        case open
        /// The API key (`API_KEYS` on the server): chat, search, ingest, jobs.
        case client
        /// `ADMIN_TOKEN`: cache invalidate, clear, warm.
        case admin
    }

    /// The server's base URL without a trailing slash.
    public let base: String
    private let adminToken: String?
    private let apiKey: String?
    private let timeout: Duration
    private let client: HTTPClient

    /// A client of the server at `base`; empty credentials count as none.
    public init(base: String, adminToken: String?, apiKey: String?, timeout: Duration, userAgent: String, concurrency: Int = 3) {
        var trimmed = base
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.base = trimmed
        self.adminToken = adminToken.flatMap { $0.isEmpty ? nil : $0 }
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.timeout = timeout
        client = HTTPClient(configuration: HTTPClientConfiguration(
            concurrency: concurrency, connectTimeout: timeout, timeout: timeout, maximumResponseBytes: 32 << 20,
            userAgent: userAgent
        ))
    }

    /// Sends one request and returns the response, whatever its status.
    ///
    /// - Throws: ``RecallServerError/unreachable(server:reason:)`` when no response came.
    public func send(
        _ method: HTTPMethod, _ pathAndQuery: String, access: Access, json body: Data? = nil, headers extra: [HTTPHeader] = []
    ) async throws(RecallServerError) -> HTTPResponse {
        var headers = [HTTPHeader("Accept", pathAndQuery == "/metrics" ? "text/plain" : "application/json")]
        if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
        let credential: String? = switch access {
        case .open: nil
        case .client: apiKey
        case .admin: adminToken
        }
        if let credential { headers.append(HTTPHeader("Authorization", "Bearer \(credential)")) }
        let request = CurlKit.HTTPRequest(method: method, url: base + pathAndQuery, headers: headers + extra, body: body,
                                          timeout: timeout)
        do {
            return try await client.send(request)
        } catch {
            throw .unreachable(server: base, reason: "\(error)")
        }
    }

    /// Sends one request and returns its response when the status is 2xx.
    ///
    /// - Throws: ``RecallServerError/refused(status:code:message:)`` for any other status, with
    ///   the server's `{"error": {"code", "message"}}` when it sent one.
    public func call(
        _ method: HTTPMethod, _ pathAndQuery: String, access: Access, json body: Data? = nil, headers extra: [HTTPHeader] = []
    ) async throws(RecallServerError) -> HTTPResponse {
        let response = try await send(method, pathAndQuery, access: access, json: body, headers: extra)
        guard response.isSuccess else { throw RecallServerError(response) }
        return response
    }

    /// Stops the client's worker threads.
    public func shutdown() async {
        await client.shutdown()
    }
}

/// Why a call to a recall-server failed.
public enum RecallServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer at all: connection refused, timeout, bad URL.
    case unreachable(server: String, reason: String)
    /// An answer other than 2xx; `code` and `message` come from the server's error body.
    case refused(status: Int, code: String?, message: String?)

    /// The error of a non-2xx response, read from its `{"error": {"code", "message"}}` body.
    public init(_ response: HTTPResponse) {
        struct Body: Decodable {
            struct Detail: Decodable {
                let code: String?
                let message: String?
            }

            let error: Detail
        }
        let detail = (try? JSONDecoder().decode(Body.self, from: response.body))?.error
        self = .refused(status: response.status, code: detail?.code, message: detail?.message)
    }

    /// `HTTP 403 forbidden: the admin token is wrong`, or why the server did not answer.
    public var description: String {
        switch self {
        case .unreachable(let server, let reason):
            return "the recall-server at \(server) does not answer: \(reason)"
        case .refused(let status, let code, let message):
            return "HTTP \(status)\(code.map { " \($0)" } ?? "")\(message.map { ": \($0)" } ?? "")"
        }
    }
}
