/// How many times a job runs and how long it waits between attempts.
///
/// After failed attempt *n* the job waits a random time between half and all of
/// `baseDelay × 2^(n-1)`, capped at `maxDelay` ("equal jitter"). The random half spreads jobs
/// that failed together (an upstream outage) so they do not all retry in the same instant; the
/// fixed half keeps the delays growing, so that attempt *n+1* never waits less than attempt *n*
/// did and a recorded history of delays can be checked against the policy.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts a job gets before it is dead-lettered (`JOB_MAX_ATTEMPTS`); at least 1.
    public var maxAttempts: Int
    /// The delay ceiling after the first failed attempt (`JOB_BACKOFF_BASE_MS`).
    public var baseDelay: Duration
    /// The longest delay between two attempts (`JOB_BACKOFF_MAX_MS`).
    public var maxDelay: Duration

    /// A policy; the defaults are `JOB_MAX_ATTEMPTS=5`, 1 s doubling, at most 10 minutes.
    public init(maxAttempts: Int = 5, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(600)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(baseDelay, .milliseconds(1))
        self.maxDelay = max(maxDelay, self.baseDelay)
    }

    /// The delay ceiling after failed attempt `attempt` (1-based): `baseDelay × 2^(attempt-1)`,
    /// at most ``maxDelay``.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        var delay = baseDelay
        for _ in 1..<max(1, min(attempt, 64)) {
            delay *= 2
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }

    /// A delay after failed attempt `attempt`, drawn from `ceiling/2 ... ceiling`.
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceiling(afterAttempt: attempt)
        return ceiling / 2 + (ceiling / 2) * Double.random(in: 0...1, using: &generator)
    }

    /// A delay after failed attempt `attempt`, with the system's random numbers.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }
}
