/// How ``GeminiEmbeddings`` retries 408, 429, 500, 502, 503, 504 and transport failures.
///
/// The wait before retry *n* is exponential (`initialDelay × 2^(n-1)`, capped at ``maximumDelay``)
/// with jitter (a random 50–100 % of it), so many workers that failed together do not retry
/// together. When the error body carries `google.rpc.RetryInfo.retryDelay`, the wait is at least
/// that long; a server asking for more than ``maximumServerDelay`` fails the call at once instead
/// of parking it. The defaults match the official SDK's (5 attempts, 1 s doubling to 60 s).
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; 1 disables retries.
    public var maximumAttempts: Int
    /// The base wait before the first retry.
    public var initialDelay: Duration
    /// The cap on the exponential wait.
    public var maximumDelay: Duration
    /// The longest `retryDelay` the client will honour by waiting.
    public var maximumServerDelay: Duration

    /// A policy; every parameter has a default.
    public init(
        maximumAttempts: Int = 5,
        initialDelay: Duration = .seconds(1),
        maximumDelay: Duration = .seconds(60),
        maximumServerDelay: Duration = .seconds(60)
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.maximumServerDelay = maximumServerDelay
    }

    /// No retries at all.
    public static let none = RetryPolicy(maximumAttempts: 1)

    /// The wait after failed attempt number `attempt` (1-based), given the server's `retryDelay`.
    func delay(afterAttempt attempt: Int, serverDelay: Duration?, random: Double = Double.random(in: 0.5...1)) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let base = min(initialDelay * (1 << exponent), maximumDelay)
        let jittered = base * random
        guard let serverDelay else { return jittered }
        return max(jittered, serverDelay)
    }
}
