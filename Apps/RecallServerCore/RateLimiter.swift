import Foundation

/// What a rate limiter decided about one request.
struct RateDecision: Sendable, Equatable {
    /// Whether the request may proceed.
    var allowed: Bool
    /// Seconds until the client's window resets (for `Retry-After`).
    var retryAfterSeconds: Int
}

/// Counts requests per client in fixed one-minute windows.
protocol RateLimiter: Sendable {
    func admit(_ client: String) async -> RateDecision
}

/// The window a moment falls in, and how long until it ends: shared by both limiters so that a
/// client sees the same windows whichever one counts it.
enum RateWindow {
    static let seconds = 60

    static func current(now: Date = Date()) -> (index: Int, remaining: Int) {
        let epoch = Int(now.timeIntervalSince1970)
        return (epoch / seconds, seconds - epoch % seconds)
    }
}
