import Foundation

/// The validated configuration every Recall program runs with.
///
/// Built only by ``SettingsLoader``, which applies defaults < `.env` file < process environment
/// and refuses to return settings with any problem in them.
public struct Settings: Sendable, Equatable {
    public enum LogFormat: String, Sendable, CaseIterable { case text, json }
    public enum CacheBackendChoice: String, Sendable, CaseIterable { case auto, redis, memory }
    public enum EmbeddingProviderChoice: String, Sendable, CaseIterable { case gemini, local }
    public enum ChatProviderChoice: String, Sendable, CaseIterable { case gemini, extractive }

    /// Where Redis is, resolved from `REDIS_URL` or from `REDIS_HOST`/`REDIS_PORT`/`REDIS_AUTH`.
    public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var username: String?
        public var password: String?
        public var database: Int

        /// The URL with the password in it, for connecting. Never print it: use ``description``.
        public var url: String {
            var userInfo = ""
            if username != nil || password != nil {
                userInfo = "\(username.map(URLText.encode) ?? ""):\(password.map(URLText.encode) ?? "")@"
            }
            return "redis://\(userInfo)\(URLText.hostForURL(host)):\(port)/\(database)"
        }

        /// The URL with the password masked.
        public var description: String {
            let userInfo = (username != nil || password != nil) ? "\(username ?? ""):\(password == nil ? "" : Redaction.mask)@" : ""
            return "redis://\(userInfo)\(URLText.hostForURL(host)):\(port)/\(database)"
        }
    }

    public var host: String
    public var port: Int
    public var logLevel: String
    public var logFormat: LogFormat
    public var adminToken: String?

    /// Nil when no Redis is configured (neither `REDIS_URL` nor `REDIS_HOST`).
    public var redis: RedisEndpoint?
    public var redisPoolSize: Int

    public var cacheEnabled: Bool
    public var cacheBackend: CacheBackendChoice
    public var cacheTTLSeconds: Int
    public var cacheMaxSize: Int
    public var cacheKeyPrefix: String
    /// Command and connect timeout of the cache's Redis connections (`CACHE_TIMEOUT_MS`).
    public var cacheTimeoutMilliseconds: Int
    /// How long a cross-process compute lock lives (`CACHE_LOCK_TTL_MS`).
    public var cacheLockTTLMilliseconds: Int
    /// Whether each process keeps a near cache in front of Redis (`CACHE_L1_ENABLED`).
    public var cacheL1Enabled: Bool
    /// Entries the near cache keeps (`CACHE_L1_MAX_SIZE`).
    public var cacheL1MaxSize: Int
    /// How long a change waits for near caches to confirm it (`CACHE_L1_CONFIRM_TIMEOUT_MS`).
    public var cacheL1ConfirmTimeoutMilliseconds: Int
    /// Connections the response cache keeps to Redis (`CACHE_REDIS_POOL_SIZE`).
    public var cacheRedisPoolSize: Int

    /// Nil means the in-memory vector store.
    public var databaseURL: String?

    public var embeddingProvider: EmbeddingProviderChoice
    public var embeddingModel: String
    public var embeddingDimensions: Int
    public var geminiAPIKey: String?
    public var geminiBaseURL: String
    public var chatProvider: ChatProviderChoice
    public var chatModel: String
    /// Models a question may name besides `CHAT_MODEL` (`CHAT_ALLOWED_MODELS`); each costs what
    /// Google charges for it, so the list is the operator's choice, empty by default.
    public var chatAllowedModels: [String]
    /// Chunks retrieved per question (`CHAT_TOP_K`).
    public var chatTopK: Int
    /// The longest question accepted, in characters (`CHAT_MAX_QUESTION_CHARS`).
    public var chatMaxQuestionCharacters: Int
    /// Gemini's `maxOutputTokens` per answer, thinking included (`CHAT_MAX_OUTPUT_TOKENS`).
    public var chatMaxOutputTokens: Int

    /// The job queue, worker and beat settings.
    public var jobs: JobSettings

    /// The ingest pipeline and scraping settings.
    public var ingest: IngestSettings
    /// The HTTP API's body limits, API keys and rate limit.
    public var server: ServerSettings

    /// The `.env` file that was read, if any.
    public var envFilePath: String?
}

/// Masks secrets for printing.
public enum Redaction {
    public static let mask = "***"

    /// Replaces the password of a `scheme://user:password@host` URL with ``mask``.
    public static func maskingCredentials(in url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        let user = userInfo[..<colon]
        return String(url[..<schemeEnd.upperBound]) + user + ":" + mask + String(url[at...])
    }
}

enum URLText {
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(.init(charactersIn: ":@"))) ?? text
    }

    static func hostForURL(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }
}

