extension RedisClient {
    /// Iterates over the keys matching a glob pattern with `SCAN`, one batch per round trip.
    ///
    /// Unlike `KEYS`, `SCAN` never blocks the server for long. Its guarantees carry over: every
    /// key that exists for the whole iteration is returned, a key may be returned more than once,
    /// and keys created or deleted meanwhile may or may not appear. Empty pages are skipped, so
    /// every batch has at least one key. Keys are decoded as UTF-8.
    ///
    /// ```swift
    /// for try await keys in redis.scan(match: "cache:v1:*") {
    ///     _ = try await redis.unlink(keys)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - match: A `SCAN MATCH` glob, such as `prefix:*`.
    ///   - count: The `COUNT` hint: roughly how many keys the server looks at per call.
    public func scan(match: String, count: Int = 500) -> some AsyncSequence<[String], any Error> {
        KeyScan(client: self, match: match, count: max(1, count))
    }
}

/// The `SCAN` cursor walk behind ``RedisClient/scan(match:count:)``.
struct KeyScan: AsyncSequence, Sendable {
    typealias Element = [String]
    typealias Failure = any Error

    let client: RedisClient
    let match: String
    let count: Int

    func makeAsyncIterator() -> Iterator {
        Iterator(client: client, match: match, count: String(count))
    }

    struct Iterator: AsyncIteratorProtocol {
        typealias Element = [String]
        typealias Failure = any Error

        let client: RedisClient
        let match: String
        let count: String
        /// `nil` once the server returned cursor 0.
        var cursor: String? = "0"

        mutating func next() async throws -> [String]? {
            while let current = cursor {
                let reply = try await client.send(["SCAN", current, "MATCH", match, "COUNT", count])
                guard let parts = reply.array, parts.count == 2,
                      let nextCursor = parts[0].string, let keys = parts[1].array else {
                    throw client.unexpected(reply, from: "SCAN")
                }
                cursor = nextCursor == "0" ? nil : nextCursor
                if !keys.isEmpty {
                    return keys.map { $0.string ?? "" }
                }
            }
            return nil
        }
    }
}
