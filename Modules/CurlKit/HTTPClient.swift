/// The HTTP client for everything that leaves a Recall process, over libcurl.
///
/// ```swift
/// let client = HTTPClient(configuration: .init(timeout: .seconds(30)))
/// let response = try await client.send(HTTPRequest(url: "https://example.com/"))
/// print(response.status, response.text)
/// await client.shutdown()
/// ```
///
/// Transfers run on the client's own threads, never on the caller's (see
/// ``HTTPClientConfiguration/concurrency``), each thread reusing one libcurl handle and so its
/// keep-alive connections. Every transfer is limited to http and https, has a connect timeout, a
/// total timeout and a response-size cap, ignores proxy environment variables, and follows
/// redirects only when the request asks, checking each hop against the ``URLPolicy``.
///
/// Cancelling the calling task cancels the request: a queued one at once, a running one within
/// about a second (libcurl's progress callback).
///
/// Processes using this client should ignore SIGPIPE (`signal(SIGPIPE, SIG_IGN)`): libcurl runs
/// with `CURLOPT_NOSIGNAL`, which is required with threads and leaves SIGPIPE to the process.
public final class HTTPClient: Sendable {
    /// The limits this client was created with.
    public let configuration: HTTPClientConfiguration
    private let pool: CurlWorkerPool

    /// Starts the client's worker threads.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        CurlGlobal.ensureInitialised()
        self.configuration = configuration
        pool = CurlWorkerPool(configuration: configuration)
    }

    deinit { pool.beginShutdown() }

    /// Sends `request` and returns the response, whatever its status.
    ///
    /// - Throws: ``HTTPClientError`` when no response was obtained (bad URL, refused destination,
    ///   timeout, connection failure, oversized response, too many redirects, shut-down client),
    ///   or `CancellationError` when the task was cancelled.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        try request.validate()
        let job = TransferJob(request: request, timeout: request.timeout ?? configuration.timeout)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if job.install(continuation) { pool.submit(job) }
            }
        } onCancel: {
            job.markCancelled()
            if pool.withdraw(job) { job.finish(.failure(CancellationError())) }
        }
    }

    /// Fails queued requests, lets running ones finish, and waits until the worker threads have
    /// exited. Requests sent afterwards fail with ``HTTPClientError/Kind/shutdown``.
    public func shutdown() async {
        await pool.shutdown()
    }
}
