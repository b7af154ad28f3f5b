import CacheKit
import ConfigKit
import CurlKit
import Foundation
import RedisKit
import VectorStoreKit

/// The seed's troubleshooting section as checks: the cache's Redis, the job broker, PostgreSQL
/// with pgvector, and Gemini. Each returns findings (ok, warning or failure, with the fix) and
/// never throws: a check that cannot be made is itself a finding.
enum DoctorChecks {
    typealias Finding = RedisDeploymentCheck.Finding

    /// One titled group of findings.
    struct Section {
        let title: String
        let findings: [Finding]
    }

    /// The seed's error-rate target: below 1% of commands.
    static let errorRateTarget = 0.01
    /// Fewer commands than this say nothing about an error rate.
    static let errorRateMinimumCommands = 1000

    static func run(_ settings: Settings) async -> [Section] {
        let (cache, cacheInfo) = await redis(settings)
        return [
            Section(title: "Cache (Redis)", findings: cache),
            Section(title: "Job broker", findings: await broker(settings, cacheInfo: cacheInfo)),
            Section(title: "Vectors (PostgreSQL)", findings: await postgres(settings)),
            Section(title: "Gemini", findings: await gemini(settings)),
        ]
    }

    // MARK: Redis

    /// A short-lived client for one diagnosis: one connection, patient enough for INFO.
    static func client(for endpoint: Settings.RedisEndpoint) -> RedisClient {
        RedisClient(configuration: RedisConfiguration(
            host: endpoint.host, port: endpoint.port, password: endpoint.password, username: endpoint.username,
            database: endpoint.database, connectTimeout: .seconds(2), commandTimeout: .seconds(2), poolSize: 1
        ))
    }

    /// The production checklist (RedisDeploymentCheck), authentication and the error rate; also
    /// returns INFO so the broker check can judge a shared Redis without asking again.
    static func redis(_ settings: Settings) async -> ([Finding], [String: String]?) {
        guard settings.cacheEnabled else {
            return ([Finding(check: "redis", status: .ok, detail: "caching is disabled (CACHE_ENABLED=false): nothing to check")], nil)
        }
        guard let endpoint = settings.redis, settings.cacheBackend != .memory else {
            return ([Finding(
                check: "redis", status: .warning,
                detail: "no shared cache: each process keeps its own in-memory cache, so processes answer differently and invalidations reach only one",
                fix: "set REDIS_URL=redis://host:6379/0 (and CACHE_BACKEND=auto or redis) so every process shares one cache"
            )], nil)
        }
        let client = client(for: endpoint)
        let result = await redisFindings(client, endpoint: endpoint)
        await client.shutdown()
        return result
    }

    private static func redisFindings(_ client: RedisClient, endpoint: Settings.RedisEndpoint) async -> ([Finding], [String: String]?) {
        var findings = await RedisDeploymentCheck.run(client: client).map { finding in
            var named = finding
            named.check = "redis \(finding.check)"
            return named
        }
        let answered = findings.first?.status != .failure
        findings.insert(authFinding(endpoint, answered: answered, pingDetail: findings.first?.detail ?? ""), at: answered ? 1 : 0)
        guard answered, let info = try? await client.info() else { return (findings, nil) }
        findings.append(errorRateFinding(info))
        return (findings, info)
    }

    static func authFinding(_ endpoint: Settings.RedisEndpoint, answered: Bool, pingDetail: String) -> Finding {
        let lowered = pingDetail.lowercased()
        if !answered {
            let refused = ["noauth", "wrongpass", "invalid password", "invalid username-password", "auth"].contains { lowered.contains($0) }
            guard refused else {
                return Finding(check: "redis auth", status: .warning, detail: "not checked: Redis did not answer",
                               fix: "fix the connection first (see redis ping)")
            }
            return Finding(
                check: "redis auth", status: .failure,
                detail: endpoint.password == nil ? "Redis requires a password and none is configured" : "Redis rejected the configured password",
                fix: "set REDIS_AUTH (or the password in REDIS_URL) to the server's requirepass"
            )
        }
        if endpoint.password == nil {
            return Finding(check: "redis auth", status: .warning, detail: "Redis accepts clients without a password",
                           fix: "set `requirepass` in redis.conf and the same password in REDIS_AUTH")
        }
        return Finding(check: "redis auth", status: .ok, detail: "authenticated with the configured password")
    }

    /// Error replies against commands processed, from INFO stats (Redis 6.2 and later).
    static func errorRateFinding(_ info: [String: String]) -> Finding {
        guard let errors = info["total_error_replies"].flatMap({ Int($0) }),
              let commands = info["total_commands_processed"].flatMap({ Int($0) }) else {
            return Finding(check: "redis error-rate", status: .ok, detail: "this Redis does not report error replies (needs 6.2 or later)")
        }
        guard commands >= errorRateMinimumCommands else {
            return Finding(check: "redis error-rate", status: .ok,
                           detail: "\(commands) commands so far, too few to judge the error rate (target < 1%)")
        }
        let rate = Double(errors) / Double(commands)
        let detail = "\(errors) error replies in \(commands) commands (\(String(format: "%.2f%%", rate * 100)); target < 1%)"
        guard rate < errorRateTarget else {
            return Finding(check: "redis error-rate", status: .warning, detail: detail,
                           fix: "see which commands fail with `redis-cli INFO errorstats`; OOM errors mean maxmemory is reached under noeviction")
        }
        return Finding(check: "redis error-rate", status: .ok, detail: detail)
    }

    // MARK: Broker

    /// Whether the queue's Redis could evict queue keys: any allkeys-* policy can, once full.
    static func broker(_ settings: Settings, cacheInfo: [String: String]?) async -> [Finding] {
        guard let endpoint = settings.jobs.broker else {
            return [Finding(check: "broker", status: .ok,
                            detail: "no broker configured: jobs run in the server's own in-process queue (lost on restart)")]
        }
        var info = settings.jobs.brokerIsSeparate ? nil : cacheInfo
        if info == nil {
            let client = client(for: endpoint)
            do {
                try await client.ping()
                info = try await client.info()
                await client.shutdown()
            } catch {
                await client.shutdown()
                return [Finding(check: "broker", status: .failure, detail: "the broker at \(endpoint) did not answer: \(error)",
                                fix: "start the broker's Redis, or point BROKER_URL at the one that runs")]
            }
        }
        let policy = info?["maxmemory_policy"] ?? "unknown"
        let maxmemory = info?["maxmemory"].flatMap { Int($0) } ?? 0
        let shared = settings.jobs.brokerIsSeparate ? "" : " (the cache's Redis; no BROKER_URL)"
        let answering = Finding(check: "broker", status: .ok, detail: "\(endpoint) answers\(shared)")
        return [answering, evictionFinding(policy: policy, maxmemory: maxmemory)]
    }

    static func evictionFinding(policy: String, maxmemory: Int) -> Finding {
        let fix = "give the queue a Redis of its own with `maxmemory-policy noeviction` (Infrastructure/redis/broker.conf) "
            + "and set BROKER_URL to it; or use volatile-lru where the queue shares the cache's Redis"
        guard policy.hasPrefix("allkeys-") else {
            let detail = policy == "noeviction"
                ? "noeviction: queue keys are never evicted (writes fail when full instead)"
                : "\(policy): only keys with a TTL can be evicted, and the queue's streams have none"
            return Finding(check: "broker eviction", status: .ok, detail: detail)
        }
        guard maxmemory > 0 else {
            return Finding(check: "broker eviction", status: .warning,
                           detail: "\(policy) with no maxmemory: nothing is evicted yet, but the day a limit is set, queued jobs can vanish",
                           fix: fix)
        }
        return Finding(check: "broker eviction", status: .failure,
                       detail: "\(policy): when the broker reaches maxmemory it may evict queue keys, and queued or running jobs are silently lost",
                       fix: fix)
    }

    // MARK: PostgreSQL

    static func postgres(_ settings: Settings) async -> [Finding] {
        guard let url = settings.databaseURL else {
            return [Finding(check: "postgres", status: .ok,
                            detail: "DATABASE_URL is not set: vectors are kept in memory (lost on restart, one process only)")]
        }
        let pool: PostgresPool
        do {
            pool = try PostgresPool(url: url, size: 1)
        } catch {
            return [Finding(check: "postgres", status: .failure, detail: "DATABASE_URL cannot be used: \(error)",
                            fix: "set DATABASE_URL=postgresql://user:password@host:5432/recall")]
        }
        let diagnosis: DatabaseDiagnosis
        do {
            diagnosis = try await DatabaseDiagnosis.read(pool: pool, dimensions: settings.embeddingDimensions)
            await pool.close()
        } catch {
            await pool.close()
            return [Finding(check: "postgres", status: .failure, detail: "\(pool) did not answer: \(error)",
                            fix: "start PostgreSQL, or point DATABASE_URL at the one that runs")]
        }
        return databaseFindings(diagnosis, configured: settings.embeddingDimensions, server: "\(pool)")
    }

    static func databaseFindings(_ diagnosis: DatabaseDiagnosis, configured: Int, server: String) -> [Finding] {
        var findings = [Finding(check: "postgres", status: .ok, detail: "PostgreSQL \(diagnosis.serverVersion) answers")]
        switch (diagnosis.pgvectorInstalled, diagnosis.pgvectorAvailable) {
        case (let installed?, _):
            findings.append(Finding(check: "pgvector", status: .ok, detail: "pgvector \(installed) installed"))
        case (nil, let available?):
            findings.append(Finding(check: "pgvector", status: .failure,
                                    detail: "pgvector \(available) is available but not installed in this database",
                                    fix: "run the migrations (`recall db migrate`), or `CREATE EXTENSION vector` as a superuser"))
        case (nil, nil):
            findings.append(Finding(check: "pgvector", status: .failure, detail: "the server has no pgvector extension",
                                    fix: "install pgvector on the database server (Debian: postgresql-16-pgvector), then run the migrations"))
        }
        let migrations = diagnosis.migrations
        if migrations.isUpToDate {
            findings.append(Finding(check: "migrations", status: .ok, detail: "all \(migrations.applied.count) applied"))
        } else {
            let pending = migrations.pending.map(String.init).joined(separator: ", ")
            findings.append(Finding(check: "migrations", status: .warning, detail: "not applied yet: \(pending)",
                                    fix: "run the migrations (`recall db migrate`)"))
        }
        guard let stored = migrations.storedDimensions else {
            findings.append(Finding(check: "embedding dimension", status: .warning,
                                    detail: "no chunks table yet, so EMBEDDING_DIM=\(configured) is not checked",
                                    fix: "run the migrations (`recall db migrate`)"))
            return findings
        }
        if stored == configured {
            findings.append(Finding(check: "embedding dimension", status: .ok,
                                    detail: "chunks.content_vector is vector(\(stored)), as EMBEDDING_DIM says"))
        } else {
            findings.append(Finding(
                check: "embedding dimension", status: .failure,
                detail: "chunks.content_vector stores \(stored) dimensions but EMBEDDING_DIM is \(configured): every search would fail",
                fix: "set EMBEDDING_DIM=\(stored) to keep the stored vectors, or re-embed at \(configured) (`recall db reembed --dim \(configured)`)"
            ))
        }
        if diagnosis.hasSearchIndex {
            findings.append(Finding(check: "hnsw index", status: .ok, detail: "HNSW cosine index on chunks.content_vector"))
        } else {
            findings.append(Finding(check: "hnsw index", status: .warning,
                                    detail: "no valid HNSW index on chunks.content_vector: every search scans all chunks",
                                    fix: "run the migrations (`recall db migrate`), which build it; drop an invalid one first"))
        }
        return findings
    }

    // MARK: Gemini

    /// Asks Gemini for each model Recall would call: one request proves the key and the model.
    static func gemini(_ settings: Settings) async -> [Finding] {
        var models: [(role: String, name: String)] = []
        if settings.chatProvider == .gemini { models.append(("chat model", settings.chatModel)) }
        if settings.embeddingProvider == .gemini { models.append(("embedding model", settings.embeddingModel)) }
        guard !models.isEmpty else {
            return [Finding(check: "gemini", status: .ok,
                            detail: "skipped: embeddings are local and answers extractive, so no Gemini key is needed")]
        }
        guard let key = settings.geminiAPIKey, !key.isEmpty else {
            return [Finding(check: "gemini key", status: .failure, detail: "GEMINI_API_KEY is not set",
                            fix: "create a key at https://aistudio.google.com/apikey and set GEMINI_API_KEY")]
        }
        let client = HTTPClient(configuration: HTTPClientConfiguration(
            concurrency: 2, connectTimeout: .seconds(5), timeout: .seconds(10), userAgent: "recall doctor"))
        let findings = await geminiFindings(client, models: models, key: key, base: settings.geminiBaseURL)
        await client.shutdown()
        return findings
    }

    private static func geminiFindings(
        _ client: HTTPClient, models: [(role: String, name: String)], key: String, base configuredBase: String
    ) async -> [Finding] {
        var base = configuredBase
        while base.hasSuffix("/") { base.removeLast() }
        var keyFinding: Finding?
        var modelFindings: [Finding] = []
        for model in models {
            let name = model.name.hasPrefix("models/") ? String(model.name.dropFirst(7)) : model.name
            let request = CurlKit.HTTPRequest(url: "\(base)/v1beta/models/\(name)", headers: [HTTPHeader("x-goog-api-key", key)])
            let check = "gemini \(model.role)"
            let response: HTTPResponse
            do {
                response = try await client.send(request)
            } catch {
                let detail = scrub("cannot reach \(base): \(error)", key)
                return [Finding(check: "gemini key", status: .failure, detail: detail,
                                fix: "check the network, or GEMINI_BASE_URL (default https://generativelanguage.googleapis.com)")]
            }
            let message = scrub(googleMessage(response.body) ?? "", key)
            switch response.status {
            case 200:
                keyFinding = keyFinding ?? Finding(check: "gemini key", status: .ok, detail: "GEMINI_API_KEY accepted")
                modelFindings.append(Finding(check: check, status: .ok, detail: "\(name) is available"))
            case 404:
                keyFinding = keyFinding ?? Finding(check: "gemini key", status: .ok, detail: "GEMINI_API_KEY accepted")
                let variable = model.role == "chat model" ? "CHAT_MODEL" : "EMBEDDING_MODEL"
                modelFindings.append(Finding(check: check, status: .failure, detail: "\(name) does not exist for this key (HTTP 404)",
                                             fix: "set \(variable) to a model listed by GET \(base)/v1beta/models"))
            case 400, 401, 403:
                return [Finding(check: "gemini key", status: .failure,
                                detail: "Gemini rejected the key (HTTP \(response.status)\(message.isEmpty ? "" : ": \(message)"))",
                                fix: "create a key at https://aistudio.google.com/apikey and set GEMINI_API_KEY")]
            case 429:
                modelFindings.append(Finding(check: check, status: .warning, detail: "rate-limited or out of quota (HTTP 429) \(message)",
                                             fix: "check the project's quota in Google AI Studio"))
            default:
                modelFindings.append(Finding(check: check, status: .warning,
                                             detail: "unexpected HTTP \(response.status) \(message)".trimmingCharacters(in: .whitespaces),
                                             fix: "try again later; see https://status.cloud.google.com"))
            }
        }
        return (keyFinding.map { [$0] } ?? []) + modelFindings
    }

    /// `error.message` of Google's error JSON.
    static func googleMessage(_ body: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        return error["message"] as? String
    }

    /// `text` with every occurrence of the secret masked.
    static func scrub(_ text: String, _ secret: String) -> String {
        secret.isEmpty ? text : text.replacingOccurrences(of: secret, with: Redaction.mask)
    }
}
