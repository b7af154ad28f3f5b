import Foundation
import Logging
import RedisKit

/// Per-client counters in Redis, so every `recall-server` process counts against one limit.
///
/// One script increments the window's counter and sets its expiry on the first increment,
/// atomically: a crash between an `INCR` and an `EXPIRE` would otherwise leave a counter that
/// never expires. While Redis does not answer, this process counts on its own
/// (``MemoryRateLimiter``): requests keep being served, limited per process.
final class RedisRateLimiter: RateLimiter {
    private let client: RedisClient
    private let prefix: String
    private let limit: Int
    private let fallback: MemoryRateLimiter
    private let logger: Logger

    private static let script = RedisScript("""
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
        return count
        """)

    init(client: RedisClient, prefix: String, limit: Int, logger: Logger) {
        self.client = client
        self.prefix = prefix
        self.limit = limit
        self.fallback = MemoryRateLimiter(limit: limit)
        self.logger = logger
    }

    func admit(_ clientID: String) async -> RateDecision {
        let (window, remaining) = RateWindow.current()
        let key = "\(prefix):ratelimit:\(clientID):\(window)"
        do {
            let reply = try await client.evalScript(Self.script, keys: [key], args: [String(RateWindow.seconds + 5)])
            let count = reply.int ?? 0
            return RateDecision(allowed: count <= limit, retryAfterSeconds: remaining)
        } catch {
            logger.debug("rate limit counted in this process: Redis did not answer", metadata: ["error": "\(error)"])
            return await fallback.admit(clientID)
        }
    }
}
