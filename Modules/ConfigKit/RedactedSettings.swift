/// A printable view of the effective settings: every secret masked, every URL password masked.
public struct RedactedSetting: Sendable, Codable, Equatable {
    public let name: String
    public let value: String
    public let source: SettingSource
}

extension LoadedSettings {
    /// Every variable with its effective value (secrets masked) and where the value came from.
    public var redacted: [RedactedSetting] {
        let values = settings.printableValues
        return SettingVariable.all.map { variable in
            RedactedSetting(name: variable.name, value: values[variable.name] ?? "", source: sources[variable.name] ?? .defaultValue)
        }
    }
}

extension Settings {
    /// Effective values as strings; secrets appear only as whether they are set.
    var printableValues: [String: String] {
        func secret(_ value: String?) -> String { value == nil ? "" : Redaction.mask }
        return [
            "ENV_FILE": envFilePath ?? "",
            "HOST": host,
            "PORT": String(port),
            "LOG_LEVEL": logLevel,
            "LOG_FORMAT": logFormat.rawValue,
            "ADMIN_TOKEN": secret(adminToken),
            "REDIS_URL": redis?.description ?? "",
            "REDIS_HOST": redis?.host ?? "",
            "REDIS_PORT": redis.map { String($0.port) } ?? "",
            "REDIS_AUTH": secret(redis?.password),
            "REDIS_TLS_ENABLED": "false",
            "REDIS_POOL_SIZE": String(redisPoolSize),
            "CACHE_ENABLED": String(cacheEnabled),
            "CACHE_BACKEND": cacheBackend.rawValue,
            "CACHE_TTL_SECONDS": String(cacheTTLSeconds),
            "CACHE_MAX_SIZE": String(cacheMaxSize),
            "CACHE_KEY_PREFIX": cacheKeyPrefix,
            "CACHE_TIMEOUT_MS": String(cacheTimeoutMilliseconds),
            "CACHE_LOCK_TTL_MS": String(cacheLockTTLMilliseconds),
            "CACHE_L1_ENABLED": String(cacheL1Enabled),
            "CACHE_L1_MAX_SIZE": String(cacheL1MaxSize),
            "CACHE_L1_CONFIRM_TIMEOUT_MS": String(cacheL1ConfirmTimeoutMilliseconds),
            "CACHE_REDIS_POOL_SIZE": String(cacheRedisPoolSize),
            "DATABASE_URL": databaseURL.map(Redaction.maskingCredentials(in:)) ?? "",
            "EMBEDDING_PROVIDER": embeddingProvider.rawValue,
            "EMBEDDING_MODEL": embeddingModel,
            "EMBEDDING_DIM": String(embeddingDimensions),
            "GEMINI_API_KEY": secret(geminiAPIKey),
            "GEMINI_BASE_URL": geminiBaseURL,
            "CHAT_PROVIDER": chatProvider.rawValue,
            "CHAT_MODEL": chatModel,
            "BROKER_URL": jobs.brokerIsSeparate ? (jobs.broker?.description ?? "") : "",
            "JOB_KEY_PREFIX": jobs.keyPrefix,
            "JOB_MAX_ATTEMPTS": String(jobs.maxAttempts),
            "JOB_LEASE_SECONDS": String(jobs.leaseSeconds),
            "JOB_RETENTION_SECONDS": String(jobs.retentionSeconds),
            "JOB_BACKOFF_BASE_MS": String(jobs.backoffBaseMilliseconds),
            "JOB_BACKOFF_MAX_MS": String(jobs.backoffMaxMilliseconds),
            "WORKER_CONCURRENCY": String(jobs.workerConcurrency),
            "WORKER_SHUTDOWN_GRACE_SECONDS": String(jobs.shutdownGraceSeconds),
            "WORKER_METRICS_HOST": jobs.metricsHost,
            "WORKER_METRICS_PORT": String(jobs.metricsPort),
            "BEAT_SCHEDULE": jobs.beatSchedule,
            "BEAT_LEASE_SECONDS": String(jobs.beatLeaseSeconds),
            "INGEST_BATCH_SIZE": String(ingest.batchSize),
            "INGEST_CONCURRENCY": String(ingest.concurrency),
            "SCRAPE_ALLOWLIST": ingest.scrapeAllowlist.joined(separator: ","),
            "SCRAPE_MAX_BYTES": String(ingest.scrapeMaxBytes),
            "SCRAPE_TIMEOUT_SECONDS": String(ingest.scrapeTimeoutSeconds),
            "MAX_BODY_BYTES": String(server.maxBodyBytes),
            "INGEST_MAX_BYTES": String(server.ingestMaxBytes),
            "API_KEYS": server.apiKeys.isEmpty ? "" : Redaction.mask,
            "RATE_LIMIT_PER_MINUTE": String(server.rateLimitPerMinute),
        ]
    }
}
