/// A request that did not produce an HTTP response.
///
/// An HTTP error status (404, 500…) is not an `HTTPClientError`: it is an ``HTTPResponse`` whose
/// ``HTTPResponse/status`` the caller judges. Messages name the destination as
/// `scheme://host:port` only — never the path or query, never a request header — so they are
/// safe for logs even when the request carried an API key.
public struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable {
        /// The URL could not be parsed, or its scheme is not http or https.
        case invalidURL
        /// The request itself is malformed (for example a header containing a line break).
        case invalidRequest
        /// The ``URLPolicy`` refused the destination (an SSRF guard refusal); nothing was sent.
        case refused
        /// The host name did not resolve.
        case couldNotResolve
        /// No connection could be made (refused, unreachable).
        case couldNotConnect
        /// The connect timeout or the total timeout passed.
        case timeout
        /// The response body passed ``HTTPClientConfiguration/maximumResponseBytes``; the transfer
        /// was aborted.
        case responseTooLarge
        /// More redirects than the request's ``HTTPRequest/RedirectPolicy`` allows.
        case tooManyRedirects
        /// TLS failed (certificate, handshake).
        case tls
        /// The connection broke, or the server sent something that is not HTTP.
        case transfer
        /// The client was shut down before the request could run.
        case shutdown
    }

    /// What went wrong.
    public let kind: Kind
    /// A sentence for an operator: what failed, where, and what to do about it when that is known.
    public let message: String

    /// A new error; `message` must already be free of secrets.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// True for failures that may well succeed when tried again a little later (timeouts,
    /// connection failures, broken transfers, resolver failures). Refusals, bad URLs and size
    /// limits are not transient.
    public var isTransient: Bool {
        switch kind {
        case .couldNotResolve, .couldNotConnect, .timeout, .transfer: true
        case .invalidURL, .invalidRequest, .refused, .responseTooLarge, .tooManyRedirects, .tls, .shutdown: false
        }
    }

    /// The ``message``.
    public var description: String { message }
}
