import Configuration
import Foundation

/// Reads every variable through the layered reader, converts it, and collects every problem.
struct Validation {
    static let embeddingDimensions = [768, 1536, 3072]
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    let reader: ConfigReader
    private(set) var problems: [ConfigurationProblem] = []

    init(reader: ConfigReader) {
        self.reader = reader
    }

    mutating func settings(envFilePath: String?) -> Settings {
        let geminiAPIKey = optional("GEMINI_API_KEY")
        let embeddingProvider = choice("EMBEDDING_PROVIDER", Settings.EmbeddingProviderChoice.self)
            ?? (geminiAPIKey == nil ? .local : .gemini)
        let chatProvider = choice("CHAT_PROVIDER", Settings.ChatProviderChoice.self)
            ?? (geminiAPIKey == nil ? .extractive : .gemini)
        let embeddingModel = text("EMBEDDING_MODEL")
        let redis = redisEndpoint()
        let settings = Settings(
            host: text("HOST"),
            port: integer("PORT", in: 0...65535),
            logLevel: oneOf("LOG_LEVEL", Self.logLevels),
            logFormat: choice("LOG_FORMAT", Settings.LogFormat.self) ?? .text,
            adminToken: optional("ADMIN_TOKEN"),
            redis: redis,
            redisPoolSize: integer("REDIS_POOL_SIZE", in: 1...512),
            cacheEnabled: boolean("CACHE_ENABLED"),
            cacheBackend: choice("CACHE_BACKEND", Settings.CacheBackendChoice.self) ?? .auto,
            cacheTTLSeconds: integer("CACHE_TTL_SECONDS", in: 1...31_536_000),
            cacheMaxSize: integer("CACHE_MAX_SIZE", in: 1...100_000_000),
            cacheKeyPrefix: keyPrefix(),
            cacheTimeoutMilliseconds: integer("CACHE_TIMEOUT_MS", in: 10...60_000),
            cacheLockTTLMilliseconds: integer("CACHE_LOCK_TTL_MS", in: 100...600_000),
            cacheL1Enabled: boolean("CACHE_L1_ENABLED"),
            cacheL1MaxSize: integer("CACHE_L1_MAX_SIZE", in: 1...10_000_000),
            cacheL1ConfirmTimeoutMilliseconds: integer("CACHE_L1_CONFIRM_TIMEOUT_MS", in: 1...60_000),
            cacheRedisPoolSize: integer("CACHE_REDIS_POOL_SIZE", in: 1...512),
            databaseURL: databaseURL(),
            embeddingProvider: embeddingProvider,
            embeddingModel: embeddingModel,
            embeddingDimensions: embeddingDimensions(model: embeddingModel),
            geminiAPIKey: geminiAPIKey,
            geminiBaseURL: httpURL("GEMINI_BASE_URL"),
            chatProvider: chatProvider,
            chatModel: text("CHAT_MODEL"),
            chatAllowedModels: modelList("CHAT_ALLOWED_MODELS"),
            chatTopK: integer("CHAT_TOP_K", in: 1...100),
            chatMaxQuestionCharacters: integer("CHAT_MAX_QUESTION_CHARS", in: 1...100_000),
            chatMaxOutputTokens: integer("CHAT_MAX_OUTPUT_TOKENS", in: 256...65_535),
            jobs: jobSettings(cacheRedis: redis),
            ingest: ingestSettings(),
            server: serverSettings(),
            envFilePath: envFilePath
        )
        if geminiAPIKey == nil {
            if embeddingProvider == .gemini {
                report("EMBEDDING_PROVIDER", "gemini", "needs GEMINI_API_KEY, which is not set",
                       fix: "set GEMINI_API_KEY, or set EMBEDDING_PROVIDER=local for offline lexical embeddings")
            }
            if chatProvider == .gemini {
                report("CHAT_PROVIDER", "gemini", "needs GEMINI_API_KEY, which is not set",
                       fix: "set GEMINI_API_KEY, or set CHAT_PROVIDER=extractive for offline answers")
            }
        }
        if settings.cacheBackend == .redis && settings.redis == nil {
            report("CACHE_BACKEND", "redis", "needs a Redis, but neither REDIS_URL nor REDIS_HOST is set",
                   fix: "set REDIS_URL=redis://host:6379/0, or CACHE_BACKEND=auto or memory")
        }
        return settings
    }

    // MARK: - Reading

    /// The raw value, or the variable's default when unset.
    private func raw(_ name: String) -> String {
        let variable = SettingVariable.named(name)!
        let value = reader.string(forKey: ConfigKey(name), isSecret: variable.isSecret || variable.mayContainCredentials)
        return value ?? variable.defaultValue
    }

    /// How a value may be shown in a problem: secrets masked, credentials in URLs masked.
    private func shown(_ name: String, _ value: String) -> String {
        let variable = SettingVariable.named(name)!
        if variable.isSecret { return Redaction.mask }
        if variable.mayContainCredentials { return Redaction.maskingCredentials(in: value) }
        return value
    }

    mutating func report(_ name: String, _ value: String?, _ problem: String, fix: String) {
        problems.append(ConfigurationProblem(variable: name, value: value.map { shown(name, $0) }, problem: problem, fix: fix))
    }

    func text(_ name: String) -> String {
        raw(name).trimmingCharacters(in: .whitespaces)
    }

    func optional(_ name: String) -> String? {
        let value = text(name)
        return value.isEmpty ? nil : value
    }

    mutating func integer(_ name: String, in range: ClosedRange<Int>) -> Int {
        let value = text(name)
        let fallback = Int(SettingVariable.named(name)!.defaultValue) ?? range.lowerBound
        guard let number = Int(value) else {
            report(name, value, "is not a whole number", fix: "set \(name) to a whole number from \(range.lowerBound) to \(range.upperBound)")
            return fallback
        }
        guard range.contains(number) else {
            report(name, value, "is out of range", fix: "set \(name) to a whole number from \(range.lowerBound) to \(range.upperBound)")
            return fallback
        }
        return number
    }

    private mutating func boolean(_ name: String) -> Bool {
        let value = text(name)
        switch value.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            report(name, value, "is not a boolean", fix: "set \(name) to true or false")
            return SettingVariable.named(name)!.defaultValue == "true"
        }
    }

    private mutating func oneOf(_ name: String, _ allowed: [String]) -> String {
        let value = text(name).lowercased()
        guard allowed.contains(value) else {
            report(name, text(name), "is not one of \(allowed.joined(separator: ", "))", fix: "set \(name) to one of \(allowed.joined(separator: ", "))")
            return SettingVariable.named(name)!.defaultValue
        }
        return value
    }

    /// Nil when the variable is unset (callers choose the dynamic default), or when it is invalid.
    private mutating func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, _ type: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        let value = text(name)
        if value.isEmpty { return nil }
        if let parsed = Choice(rawValue: value.lowercased()) { return parsed }
        let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        report(name, value, "is not one of \(allowed)", fix: "set \(name) to one of \(allowed)")
        return nil
    }

    // MARK: - Rules of their own

    private mutating func embeddingDimensions(model: String) -> Int {
        let value = text("EMBEDDING_DIM")
        guard let number = Int(value), Self.embeddingDimensions.contains(number) else {
            report("EMBEDDING_DIM", value,
                   "\(model) takes 768, 1536 or 3072 dimensions (its Matryoshka sizes)",
                   fix: "set EMBEDDING_DIM to 768, 1536 or 3072, matching the vector(N) column of your database")
            return 3072
        }
        return number
    }

    /// A comma-separated list of model names (letters, digits, '-', '.', '_'; `models/` dropped).
    private mutating func modelList(_ name: String) -> [String] {
        var models: [String] = []
        for item in text(name).split(separator: ",") {
            var model = item.trimmingCharacters(in: .whitespaces)
            if model.hasPrefix("models/") { model.removeFirst("models/".count) }
            if model.isEmpty { continue }
            guard model.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
                report(name, text(name), "'\(model)' is not a model name",
                       fix: "list model names separated by commas, such as gemini-2.5-flash-lite,gemini-2.5-pro")
                continue
            }
            models.append(model)
        }
        return models
    }

    private mutating func keyPrefix() -> String {
        let value = text("CACHE_KEY_PREFIX")
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-_."))
        if value.isEmpty || value.unicodeScalars.contains(where: { !allowed.contains($0) }) {
            report("CACHE_KEY_PREFIX", value, "must be non-empty letters, digits, '-', '_' or '.'",
                   fix: "set CACHE_KEY_PREFIX to a plain name such as recall")
            return "recall"
        }
        return value
    }

    private mutating func httpURL(_ name: String) -> String {
        let value = text(name)
        guard let components = URLComponents(string: value), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
              let host = components.host, !host.isEmpty else {
            report(name, value, "is not an http or https URL", fix: "set \(name) to a URL such as \(SettingVariable.named(name)!.defaultValue)")
            return SettingVariable.named(name)!.defaultValue
        }
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    private mutating func databaseURL() -> String? {
        guard let value = optional("DATABASE_URL") else { return nil }
        guard let components = URLComponents(string: value), ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? "") else {
            report("DATABASE_URL", value, "is not a postgresql:// URL",
                   fix: "set DATABASE_URL=postgresql://user:password@host:5432/db, or unset it for the in-memory store")
            return nil
        }
        return value
    }

    private mutating func redisEndpoint() -> Settings.RedisEndpoint? {
        let tls = boolean("REDIS_TLS_ENABLED")
        if tls {
            report("REDIS_TLS_ENABLED", "true",
                   "Recall talks to Redis through Debian 12's hiredis 0.14, which has no TLS support",
                   fix: "set REDIS_TLS_ENABLED=false and terminate TLS in front of Redis (stunnel or spiped on the app host, "
                    + "listening on 127.0.0.1), then point REDIS_URL at that local end")
        }
        if let url = optional("REDIS_URL") {
            return parseRedisURL(url, variable: "REDIS_URL")
        }
        guard let host = optional("REDIS_HOST") else { return nil }
        let port = integer("REDIS_PORT", in: 1...65535)
        return Settings.RedisEndpoint(host: host, port: port, username: nil, password: optional("REDIS_AUTH"), database: 0)
    }

    mutating func parseRedisURL(_ url: String, variable: String) -> Settings.RedisEndpoint? {
        let fix = "write \(variable) as redis://[:password@]host[:port][/db], e.g. redis://127.0.0.1:6379/0"
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            report(variable, url, "is not a URL", fix: fix)
            return nil
        }
        if scheme == "rediss" {
            report(variable, url, "asks for TLS (rediss://), but hiredis 0.14 has no TLS support",
                   fix: "terminate TLS in front of Redis (stunnel or spiped on 127.0.0.1) and use redis:// to that local end")
            return nil
        }
        guard scheme == "redis", let host = components.host, !host.isEmpty else {
            report(variable, url, "must use the redis:// scheme and name a host", fix: fix)
            return nil
        }
        var database = 0
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if !path.isEmpty {
            guard let number = Int(path), number >= 0 else {
                report(variable, url, "names database `\(path)`, which is not a number", fix: fix)
                return nil
            }
            database = number
        }
        let port = components.port ?? 6379
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 }
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 }
        return Settings.RedisEndpoint(host: host, port: port, username: user, password: password, database: database)
    }
}
