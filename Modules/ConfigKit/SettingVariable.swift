/// One configuration variable: its name, default, meaning, and whether it is a secret.
///
/// ``SettingVariable/all`` is the single list that the loader, `recall config check` and the
/// tests of `.env.example` read, so a variable cannot be added in one place and forgotten in
/// another.
public struct SettingVariable: Sendable, Hashable {
    public let name: String
    /// The default as it would be written in `.env`; empty when the variable is unset by default.
    public let defaultValue: String
    public let meaning: String
    /// Secrets are never printed: not in logs, errors or `config check` output.
    public let isSecret: Bool
    /// URLs whose password part is a secret (printed with the password masked).
    public let mayContainCredentials: Bool

    init(_ name: String, _ defaultValue: String, _ meaning: String, secret: Bool = false, credentials: Bool = false) {
        self.name = name
        self.defaultValue = defaultValue
        self.meaning = meaning
        self.isSecret = secret
        self.mayContainCredentials = credentials
    }
}

extension SettingVariable {
    /// Every variable Recall reads, in the order `.env.example` documents them.
    public static let all: [SettingVariable] = core + ingest

    private static let core: [SettingVariable] = [
        .init("ENV_FILE", ".env", "path of the .env file to read (set in the process environment only)"),
        .init("HOST", "127.0.0.1", "address recall-server listens on (0.0.0.0 to accept remote clients)"),
        .init("PORT", "8000", "TCP port recall-server listens on"),
        .init("LOG_LEVEL", "info", "trace, debug, info, notice, warning, error or critical"),
        .init("LOG_FORMAT", "text", "text for people, json for log collectors"),
        .init("ADMIN_TOKEN", "", "bearer token for admin routes (invalidate, clear, warm); unset disables them", secret: true),

        .init("REDIS_URL", "", "redis://[:password@]host:port/db; when set it wins over REDIS_HOST/PORT/AUTH", credentials: true),
        .init("REDIS_HOST", "", "Redis host, used when REDIS_URL is unset; unset means no Redis"),
        .init("REDIS_PORT", "6379", "Redis port, used with REDIS_HOST"),
        .init("REDIS_AUTH", "", "Redis password, used with REDIS_HOST", secret: true),
        .init("REDIS_TLS_ENABLED", "false", "must stay false: hiredis 0.14 has no TLS (terminate TLS in front of Redis)"),
        .init("REDIS_POOL_SIZE", "8", "connections each process keeps to Redis for the job queue's commands"),

        .init("CACHE_ENABLED", "true", "turn response caching on or off everywhere"),
        .init("CACHE_BACKEND", "auto", "auto (Redis if it answers PING, else memory), redis or memory"),
        .init("CACHE_TTL_SECONDS", "3600", "how long a cached answer lives, in seconds"),
        .init("CACHE_MAX_SIZE", "1000", "entries kept by the in-process cache"),
        .init("CACHE_KEY_PREFIX", "recall", "prefix of every Redis key the cache writes"),
        .init("CACHE_TIMEOUT_MS", "250", "how long one cache command to Redis may take before the request is served without the shared cache"),
        .init("CACHE_LOCK_TTL_MS", "10000", "how long one process may hold the compute lock of a missing answer; others wait at most this long"),
        .init("CACHE_L1_ENABLED", "true", "keep a small near cache (and the corpus generation) in each process in front of Redis: a hit costs no round trip, and a change in any process returns only once every near cache has dropped what it replaced (pub/sub with confirmations)"),
        .init("CACHE_L1_MAX_SIZE", "1000", "entries the near cache keeps when CACHE_L1_ENABLED=true"),
        .init("CACHE_L1_CONFIRM_TIMEOUT_MS", "250", "the longest a cache change waits for every near cache to confirm it has dropped what the change replaced; a process that does not answer (stopped) delays changes by this much"),
        .init("CACHE_REDIS_POOL_SIZE", "1",
              "connections each process's response cache keeps to Redis; each has a thread, and concurrent requests share one connection's round trips, so more only add wake-ups"),

        .init("DATABASE_URL", "", "postgresql://user[:password]@host:port/db with pgvector; unset means the in-memory store", credentials: true),

        .init("EMBEDDING_PROVIDER", "", "gemini or local; unset means gemini when GEMINI_API_KEY is set, else local"),
        .init("EMBEDDING_MODEL", "gemini-embedding-001", "Gemini embedding model"),
        .init("EMBEDDING_DIM", "3072", "embedding dimensions: 768, 1536 or 3072 (gemini-embedding-001 MRL sizes)"),
        .init("GEMINI_API_KEY", "", "Google Gemini API key", secret: true),
        .init("GEMINI_BASE_URL", "https://generativelanguage.googleapis.com", "Gemini API base URL (tests and proxies point it elsewhere)"),
        .init("CHAT_PROVIDER", "", "gemini or extractive; unset means gemini when GEMINI_API_KEY is set, else extractive"),
        .init("CHAT_MODEL", "gemini-3.5-flash", "Gemini model that writes answers (checked at start-up: Google retires models; gemini-2.5-flash is reported retired from 2026-12-01)"),

        .init("CHAT_ALLOWED_MODELS", "", "other models a question may ask for, comma-separated; unset means only CHAT_MODEL"),
        .init("CHAT_TOP_K", "5", "chunks retrieved for each question and given to the model as numbered sources"),
        .init("CHAT_MAX_QUESTION_CHARS", "2000", "longest question accepted, in characters; longer ones are refused with a clear error"),
        .init("CHAT_MAX_OUTPUT_TOKENS", "8192", "Gemini maxOutputTokens per answer; thinking tokens count against it, so keep room above the answer"),

        .init("BROKER_URL", "", "redis://[:password@]host:port/db of the job queue; unset means the cache's Redis (REDIS_URL or REDIS_HOST)", credentials: true),
        .init("JOB_KEY_PREFIX", "recall:jobs", "prefix of every Redis key the job queue writes; processes sharing it share one queue"),
        .init("JOB_MAX_ATTEMPTS", "5", "attempts before a failing job moves to the dead-letter set"),
        .init("JOB_LEASE_SECONDS", "30", "a running job whose worker stops renewing its lease for this long is claimed by another worker"),
        .init("JOB_RETENTION_SECONDS", "604800", "how long records of finished jobs and idempotency keys are kept, in seconds"),
        .init("JOB_BACKOFF_BASE_MS", "1000", "delay before the first retry in milliseconds; doubles with every further attempt, with jitter"),
        .init("JOB_BACKOFF_MAX_MS", "600000", "longest delay between two attempts, in milliseconds"),
        .init("WORKER_CONCURRENCY", "4", "jobs one recall-worker runs at the same time (run --concurrency overrides it)"),
        .init("WORKER_SHUTDOWN_GRACE_SECONDS", "25", "on SIGTERM, how long running jobs may take to finish before they are left to another worker"),
        .init("WORKER_METRICS_HOST", "127.0.0.1", "address recall-worker serves /metrics and /health on"),
        .init("WORKER_METRICS_PORT", "9100", "TCP port of recall-worker's /metrics and /health; 0 turns them off"),
        .init("BEAT_SCHEDULE", "cleanup_failed_jobs=0 * * * *;warm_hot_questions=every 15m", "periodic jobs for recall-worker beat: task=cron (5 fields, UTC) or task=every <n>s|m|h, separated by ;"),
        .init("BEAT_LEASE_SECONDS", "10", "beat leadership lease in seconds; a dead leader is replaced within about this long"),

        .init("MAX_BODY_BYTES", "1048576", "largest request body recall-server accepts on any route but ingest, in bytes (larger: 413)"),
        .init("INGEST_MAX_BYTES", "10485760", "largest document recall-server accepts on the ingest routes, in bytes (larger: 413)"),
        .init("API_KEYS", "", "key1:tenantA,key2:tenantB; when set, chat, search, ingest and jobs need one of the keys, and each key sees its tenant's documents only", secret: true),
        .init("RATE_LIMIT_PER_MINUTE", "0", "requests one client may make per minute, shared across processes through Redis; 0 turns the limit off"),
    ]

    /// Looks a variable up by name.
    public static func named(_ name: String) -> SettingVariable? {
        all.first { $0.name == name }
    }
}
