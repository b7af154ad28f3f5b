import Foundation
import RedisKit
import Synchronization

/// The questions asked most, so that a periodic job can keep their answers warm.
///
/// Asking counts in memory (one dictionary update, no I/O on the request path); the counts are
/// flushed every few seconds into one Redis sorted set, `<prefix>:__hot_questions`, shared by
/// every process, so the beat sees the whole deployment's hottest questions. The set keeps the
/// `capacity` highest scores and expires a week after its last write. Without Redis, the counts
/// stay in this process.
///
/// Counting is best effort: a flush that fails drops its counts rather than delaying requests.
public final class HotQuestions: Sendable {
    /// One question as the chat engine keys it.
    public struct Entry: Codable, Sendable, Hashable {
        /// The normalised question.
        public var question: String
        /// The tenant (`default` when none).
        public var tenant: String
        /// The model, empty for the configured default.
        public var model: String
        /// The session, empty for none.
        public var session: String

        public init(question: String, tenant: String, model: String = "", session: String = "") {
            self.question = question
            self.tenant = tenant
            self.model = model
            self.session = session
        }

        enum CodingKeys: String, CodingKey {
            case question = "q", tenant = "t", model = "m", session = "s"
        }
    }

    /// The sorted set's key: `<prefix>:__hot_questions`.
    public let key: String
    /// How many distinct questions are kept.
    public let capacity: Int
    private let client: RedisClient?
    private let pending = Mutex<[Entry: Int]>([:])
    /// Every count so far, when there is no Redis to hold them.
    private let totals = Mutex<[Entry: Int]>([:])

    static let retention: Duration = .seconds(7 * 24 * 3600)
    /// The logical key, reserved in ``RedisCache``; named so no entry key collides with it.
    static let logicalKey = "__hot_questions"

    init(client: RedisClient?, prefix: String, capacity: Int = 1000) {
        self.client = client
        self.key = "\(prefix):\(Self.logicalKey)"
        self.capacity = capacity
    }

    /// Counts one ask of `entry`.
    public func record(_ entry: Entry) {
        guard client != nil else {
            totals.withLock { totals in
                totals[entry, default: 0] += 1
                // Trim rarely, and by half, so counting stays O(1) on average.
                if totals.count > capacity * 2 {
                    let kept = totals.sorted { $0.value > $1.value }.prefix(capacity)
                    totals = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
                }
            }
            return
        }
        pending.withLock { $0[entry, default: 0] += 1 }
    }

    /// Adds the counts gathered since the last flush to Redis in one round trip.
    public func flush() async {
        guard let client else { return }
        let counts = pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
        guard !counts.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var commands: [[String]] = counts.compactMap { entry, count in
            guard let member = try? encoder.encode(entry) else { return nil }
            return ["ZINCRBY", key, "\(count)", String(decoding: member, as: UTF8.self)]
        }
        commands.append(["ZREMRANGEBYRANK", key, "0", "\(-(capacity + 1))"])
        commands.append(["PEXPIRE", key, "\(Self.retention.components.seconds * 1000)"])
        _ = try? await client.pipeline(commands)
    }

    /// The `limit` most asked questions, most asked first.
    ///
    /// - Throws: `RedisError` when Redis holds the counts and does not answer.
    public func top(_ limit: Int) async throws -> [Entry] {
        guard limit > 0 else { return [] }
        guard let client else {
            return totals.withLock { totals in
                totals.sorted { ($0.value, $1.key.question) > ($1.value, $0.key.question) }.prefix(limit).map(\.key)
            }
        }
        await flush()
        let reply = try await client.send(["ZREVRANGE", key, "0", "\(limit - 1)"])
        let decoder = JSONDecoder()
        return (reply.array ?? []).compactMap { $0.bytes }.compactMap { try? decoder.decode(Entry.self, from: Data($0)) }
    }
}
