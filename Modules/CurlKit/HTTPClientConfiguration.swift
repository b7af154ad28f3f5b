/// Limits and behaviour of an ``HTTPClient``.
///
/// The defaults suit an API client talking to an operator-configured service. A client that
/// fetches user-supplied URLs should set ``urlPolicy`` to ``URLPolicy/publicInternetOnly``.
public struct HTTPClientConfiguration: Sendable {
    /// How many transfers run at once: one worker thread and one libcurl easy handle each. A
    /// handle keeps its connections open between requests, so this is also the number of
    /// keep-alive connection caches. Requests beyond it wait in a queue.
    public var concurrency: Int
    /// Time allowed for TCP and TLS set-up (libcurl's default would be 300 s).
    public var connectTimeout: Duration
    /// Time allowed for a whole exchange, counted from the call of ``HTTPClient/send(_:)``: time
    /// spent queued behind other requests and every redirect hop included. A request may
    /// override it.
    public var timeout: Duration
    /// The largest response body accepted, counted after decompression. Bigger responses are
    /// aborted mid-transfer with ``HTTPClientError/Kind/responseTooLarge``.
    public var maximumResponseBytes: Int
    /// Which destinations may be reached (the SSRF guard).
    public var urlPolicy: URLPolicy
    /// A proxy URL such as `http://proxy.internal:3128`. Nil means no proxy, and the
    /// `http_proxy`/`https_proxy` environment variables libcurl would otherwise honour are
    /// ignored. With a proxy, the SSRF guard still checks the URL's host as resolved here, but the
    /// proxy resolves it again for the connection; prefer no proxy for user-supplied URLs.
    public var proxy: String?
    /// Sends `Accept-Encoding` for every encoding libcurl supports (gzip, br, zstd) and
    /// decompresses transparently.
    public var acceptsCompressedResponses: Bool
    /// The `User-Agent` header, unless a request sets its own.
    public var userAgent: String

    /// A configuration; every parameter has a default.
    public init(
        concurrency: Int = 4,
        connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(60),
        maximumResponseBytes: Int = 32 << 20,
        urlPolicy: URLPolicy = .unrestricted,
        proxy: String? = nil,
        acceptsCompressedResponses: Bool = true,
        userAgent: String = "Recall (libcurl)"
    ) {
        self.concurrency = max(1, concurrency)
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maximumResponseBytes = max(0, maximumResponseBytes)
        self.urlPolicy = urlPolicy
        self.proxy = proxy
        self.acceptsCompressedResponses = acceptsCompressedResponses
        self.userAgent = userAgent
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 for any positive duration (libcurl reads 0 as "no limit").
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds <= 0 { return self > .zero ? 1 : 0 }
        return Int(clamping: milliseconds)
    }
}
