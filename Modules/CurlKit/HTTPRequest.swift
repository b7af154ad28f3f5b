import Foundation

/// A request for ``HTTPClient/send(_:)``.
///
/// ```swift
/// var request = HTTPRequest(method: .post, url: "https://example.com/v1/things")
/// request.headers = [HTTPHeader("Content-Type", "application/json")]
/// request.body = Data(#"{"name":"x"}"#.utf8)
/// ```
///
/// Printing a request shows its method, URL without the query, and header names: nothing that
/// might be a secret.
public struct HTTPRequest: Sendable, CustomStringConvertible {
    /// Whether the client follows redirects for this request.
    public enum RedirectPolicy: Sendable, Hashable {
        /// A 3xx response is returned as it is (the default).
        case none
        /// Up to `maximum` redirects are followed, each hop checked against the client's
        /// ``URLPolicy``; one more is ``HTTPClientError/Kind/tooManyRedirects``.
        case follow(maximum: Int)
    }

    /// The method; `.get` by default.
    public var method: HTTPMethod
    /// An absolute `http` or `https` URL.
    public var url: String
    /// Header fields to send. Values must not contain line breaks.
    public var headers: [HTTPHeader]
    /// The request body, if any. Sent with `Content-Type: application/octet-stream` unless a
    /// `Content-Type` header is given.
    public var body: Data?
    /// Redirect handling; `.none` by default.
    public var redirects: RedirectPolicy
    /// Overrides the client's ``HTTPClientConfiguration/timeout`` for this request (the whole
    /// exchange, redirects included).
    public var timeout: Duration?

    /// A request.
    public init(
        method: HTTPMethod = .get,
        url: String,
        headers: [HTTPHeader] = [],
        body: Data? = nil,
        redirects: RedirectPolicy = .none,
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.redirects = redirects
        self.timeout = timeout
    }

    public var description: String {
        let withoutQuery = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let names = headers.map(\.name).joined(separator: ", ")
        return "\(method) \(withoutQuery) [\(names)]\(body.map { " (\($0.count)-byte body)" } ?? "")"
    }

    /// Refuses header fields that would inject extra lines into the request.
    func validate() throws(HTTPClientError) {
        for header in headers {
            let name = header.name
            if name.isEmpty || name.contains(where: { $0 == ":" || $0.isWhitespace || $0.isNewline }) {
                throw HTTPClientError(.invalidRequest, "header name '\(name.prefix(40))' is not a valid HTTP field name")
            }
            if header.value.contains(where: \.isNewline) || header.value.unicodeScalars.contains("\0") {
                throw HTTPClientError(.invalidRequest, "the value of header '\(name)' contains a line break or NUL")
            }
        }
    }

    /// The request to send for a redirect with `status` to `location`.
    ///
    /// 303 turns every method but HEAD into GET, and so do 301 and 302 for POST (what browsers
    /// and libcurl do); 307 and 308 keep method and body. Credentials are dropped when the
    /// redirect leaves the original origin (scheme, host or port), so an API key is never
    /// handed to another server.
    func redirected(to location: String, status: Int, sameOrigin: Bool) -> HTTPRequest {
        var next = self
        next.url = location
        let becomesGet = (status == 303 && method != .head) || ((status == 301 || status == 302) && method == .post)
        if becomesGet {
            next.method = .get
            next.body = nil
            next.headers.removeAll { ["content-type", "content-length", "content-encoding"].contains($0.name.lowercased()) }
        }
        if !sameOrigin {
            next.headers.removeAll(where: \.isCredential)
        }
        return next
    }
}
