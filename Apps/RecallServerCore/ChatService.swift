import ChatKit

/// What the chat, search and warm routes need from the chat engine, so that routes and their
/// tests do not depend on how answers are made.
public protocol ChatService: Sendable {
    /// The answer to one question, from the cache or computed (and cached) once per key.
    func answer(_ question: ChatQuestion) async throws -> ChatReply

    /// The `k` chunks nearest to `query` among `tenant`'s documents.
    func search(query: String, k: Int, tenant: String) async throws -> [ChatSource]

    /// Computes and caches (for `ttl`, or the configured TTL) the answers to the questions not
    /// cached yet.
    func warm(_ questions: [String], model: String?, tenant: String, ttl: Duration?) async -> ChatWarmReport
}

/// What warming did: `{"warmed", "skipped", "failed"}`.
public struct ChatWarmReport: Sendable, Codable, Equatable {
    public var warmed: Int
    public var skipped: Int
    public var failed: Int

    public init(warmed: Int = 0, skipped: Int = 0, failed: Int = 0) {
        self.warmed = warmed
        self.skipped = skipped
        self.failed = failed
    }
}
