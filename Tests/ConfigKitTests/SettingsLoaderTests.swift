import Foundation
import Testing
@testable import ConfigKit

/// Writes a `.env` file in a fresh temporary directory and returns its path.
func temporaryEnvFile(_ contents: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recall-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent(".env").path
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Loads from an isolated environment and a `.env` of its own (empty when `file` is nil), so a
/// developer's own `.env` or shell never leaks in.
func load(_ environment: [String: String] = [:], file: String? = nil) throws -> LoadedSettings {
    try SettingsLoader.load(environment: environment, envFile: try temporaryEnvFile(file ?? ""))
}

func problems(_ environment: [String: String] = [:], file: String? = nil) -> [ConfigurationProblem] {
    do {
        _ = try load(environment, file: file)
        return []
    } catch let error as ConfigurationError {
        return error.problems
    } catch {
        Issue.record("unexpected error \(error)")
        return []
    }
}

@Suite("SettingsLoader")
struct SettingsLoaderTests {
    @Test("defaults are the seed's")
    func defaults() throws {
        let settings = try load().settings
        #expect(settings.cacheTTLSeconds == 3600)
        #expect(settings.cacheMaxSize == 1000)
        #expect(settings.cacheEnabled == true)
        #expect(settings.embeddingDimensions == 3072)
        #expect(settings.embeddingModel == "gemini-embedding-001")
        #expect(settings.port == 8000)
        #expect(settings.redis == nil)
        #expect(settings.databaseURL == nil)
        #expect(settings.embeddingProvider == .local)
        #expect(settings.chatProvider == .extractive)
        #expect(settings.cacheBackend == .auto)
    }

    @Test("precedence: default < .env < environment")
    func precedence() throws {
        let loaded = try load(["CACHE_MAX_SIZE": "30"], file: "CACHE_TTL_SECONDS=20\nCACHE_MAX_SIZE=21\n")
        #expect(loaded.settings.cacheTTLSeconds == 20)
        #expect(loaded.settings.cacheMaxSize == 30)
        #expect(loaded.settings.port == 8000)
        #expect(loaded.sources["CACHE_TTL_SECONDS"] == .envFile)
        #expect(loaded.sources["CACHE_MAX_SIZE"] == .environment)
        #expect(loaded.sources["PORT"] == .defaultValue)
    }

    @Test("ENV_FILE chooses the file; a missing explicit file is an error")
    func envFileVariable() throws {
        let path = try temporaryEnvFile("PORT=9123\n")
        let settings = try SettingsLoader.load(environment: ["ENV_FILE": path]).settings
        #expect(settings.port == 9123)
        #expect(settings.envFilePath == path)
        let missing = #expect(throws: ConfigurationError.self) {
            try SettingsLoader.load(environment: ["ENV_FILE": "/nonexistent-dir/recall.env"])
        }
        #expect(missing?.problems.first?.variable == "ENV_FILE")
    }

    @Test("a malformed .env line is reported with file and line")
    func malformedFile() {
        let found = problems(file: "PORT=1\nnot an assignment\n")
        #expect(found.count == 1)
        #expect(found.first?.problem.contains("line 2") == true)
        #expect(found.first?.variable.hasSuffix(".env") == true)
    }

    @Test("REDIS_URL wins over host, port and auth")
    func redisURLWins() throws {
        let settings = try load([
            "REDIS_URL": "redis://:pw@cache.internal:6380/2",
            "REDIS_HOST": "other", "REDIS_PORT": "7000", "REDIS_AUTH": "ignored",
        ]).settings
        #expect(settings.redis == .init(host: "cache.internal", port: 6380, username: nil, password: "pw", database: 2))
    }

    @Test("without REDIS_URL the endpoint is built from host, port and auth")
    func redisFromParts() throws {
        let settings = try load(["REDIS_HOST": "redis", "REDIS_PORT": "6390", "REDIS_AUTH": "s3cret"]).settings
        #expect(settings.redis?.url == "redis://:s3cret@redis:6390/0")
        #expect(settings.redis?.description == "redis://:***@redis:6390/0")
    }

    @Test("providers default to gemini when a key is set")
    func providersFollowKey() throws {
        let settings = try load(["GEMINI_API_KEY": "k"]).settings
        #expect(settings.embeddingProvider == .gemini)
        #expect(settings.chatProvider == .gemini)
    }
}

@Suite("Validation rules")
struct ValidationTests {
    @Test("EMBEDDING_DIM must be a Matryoshka size of gemini-embedding-001", arguments: ["1000", "abc", "0", "4096"])
    func embeddingDimension(value: String) throws {
        let found = problems(["EMBEDDING_DIM": value])
        let problem = try #require(found.first { $0.variable == "EMBEDDING_DIM" })
        #expect(problem.value == value)
        #expect(problem.problem.contains("gemini-embedding-001 takes 768, 1536 or 3072"))
    }

    @Test("allowed dimensions load", arguments: [768, 1536, 3072])
    func allowedDimension(value: Int) throws {
        #expect(try load(["EMBEDDING_DIM": String(value)]).settings.embeddingDimensions == value)
    }

    @Test("REDIS_TLS_ENABLED=true explains that hiredis 0.14 has no TLS and what to do")
    func tls() throws {
        let problem = try #require(problems(["REDIS_TLS_ENABLED": "true"]).first)
        #expect(problem.variable == "REDIS_TLS_ENABLED")
        #expect(problem.problem.contains("no TLS"))
        #expect(problem.fix.contains("terminate TLS in front of Redis"))
        #expect(problems(["REDIS_URL": "rediss://h:6380"]).first?.problem.contains("no TLS") == true)
    }

    @Test("every problem is reported at once")
    func allAtOnce() {
        let found = problems([
            "PORT": "eighty", "CACHE_TTL_SECONDS": "-5", "CACHE_ENABLED": "maybe", "EMBEDDING_DIM": "1000",
            "LOG_FORMAT": "xml", "LOG_LEVEL": "loud", "CACHE_BACKEND": "disk", "REDIS_URL": "http://x",
            "DATABASE_URL": "mysql://x", "GEMINI_BASE_URL": "ftp://x", "CACHE_MAX_SIZE": "0",
        ])
        let variables = Set(found.map(\.variable))
        #expect(variables == [
            "PORT", "CACHE_TTL_SECONDS", "CACHE_ENABLED", "EMBEDDING_DIM", "LOG_FORMAT", "LOG_LEVEL",
            "CACHE_BACKEND", "REDIS_URL", "DATABASE_URL", "GEMINI_BASE_URL", "CACHE_MAX_SIZE",
        ])
        #expect(found.allSatisfy { !$0.fix.isEmpty && !$0.problem.isEmpty })
    }

    @Test("gemini providers need a key")
    func geminiNeedsKey() {
        let variables = Set(problems(["EMBEDDING_PROVIDER": "gemini", "CHAT_PROVIDER": "gemini"]).map(\.variable))
        #expect(variables == ["EMBEDDING_PROVIDER", "CHAT_PROVIDER"])
    }

    @Test("CACHE_BACKEND=redis needs a Redis")
    func redisBackendNeedsRedis() {
        #expect(problems(["CACHE_BACKEND": "redis"]).map(\.variable) == ["CACHE_BACKEND"])
    }

    @Test("an unknown variable in .env is a warning with a suggestion")
    func unknownVariable() throws {
        let loaded = try load(file: "CACHE_TTL_SECOND=5\n")
        #expect(loaded.warnings.count == 1)
        #expect(loaded.warnings.first?.contains("did you mean CACHE_TTL_SECONDS?") == true)
    }
}

@Suite("Redaction")
struct RedactionTests {
    static let canary = "CANARY-8f2c-secret"

    @Test("secrets never appear in problems")
    func problemsHideSecrets() {
        let found = problems([
            "REDIS_URL": "rediss://:\(Self.canary)@h:1", "DATABASE_URL": "mysql://u:\(Self.canary)@h/db",
            "GEMINI_API_KEY": Self.canary, "EMBEDDING_DIM": "5",
        ])
        #expect(!found.isEmpty)
        #expect(!found.map(\.description).joined().contains(Self.canary))
    }

    @Test("the redacted view masks every secret and URL password")
    func redactedView() throws {
        let loaded = try load([
            "REDIS_URL": "redis://user:\(Self.canary)@h:1/0", "DATABASE_URL": "postgresql://u:\(Self.canary)@h/db",
            "GEMINI_API_KEY": Self.canary, "ADMIN_TOKEN": Self.canary,
        ])
        let printed = loaded.redacted.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
        #expect(!printed.contains(Self.canary))
        #expect(printed.contains("REDIS_URL=redis://user:***@h:1/0"))
        #expect(printed.contains("DATABASE_URL=postgresql://u:***@h/db"))
        #expect(printed.contains("GEMINI_API_KEY=***"))
    }

    @Test("maskingCredentials leaves URLs without a password alone")
    func maskingCredentials() {
        #expect(Redaction.maskingCredentials(in: "redis://h:6379/0") == "redis://h:6379/0")
        #expect(Redaction.maskingCredentials(in: "redis://:pw@h:6379/0") == "redis://:***@h:6379/0")
        #expect(Redaction.maskingCredentials(in: "postgresql://u@h/db") == "postgresql://u@h/db")
    }
}
