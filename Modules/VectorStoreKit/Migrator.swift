/// Brings a database's schema up to date and checks it against `EMBEDDING_DIM`.
///
/// Each migration is a numbered step recorded in `schema_migrations`; running ``migrate()`` again
/// applies only what is missing, so it is safe at every start-up and from several processes at
/// once (they take turns on an advisory lock).
///
/// ```swift
/// let migrator = try Migrator(pool: pool, dimensions: settings.embeddingDimensions)
/// try await migrator.migrate()   // throws DimensionMismatch when the stored vectors differ
/// ```
public struct Migrator: Sendable {
    /// The dimension new `chunks` tables get and the stored one is checked against.
    public let dimensions: Int
    private let pool: PostgresPool
    private let sql: VectorSQL

    /// An arbitrary constant shared by every Recall process, so that concurrent migrations (and
    /// re-embeddings) of one database run one at a time.
    static let advisoryLockKey = "7262696180"

    /// - Throws: ``VectorStoreError/unsupportedDimensions(_:)`` outside 1…4,000.
    public init(pool: PostgresPool, dimensions: Int) throws(VectorStoreError) {
        self.sql = try VectorSQL(dimensions: dimensions)
        self.pool = pool
        self.dimensions = dimensions
    }

    /// Applies every pending migration, then checks the stored dimension.
    ///
    /// - Returns: the versions this call applied (empty when the schema was up to date).
    /// - Throws: ``DimensionMismatch`` when `chunks.content_vector` was created with another
    ///   dimension; ``PostgresError`` when a step fails (that step is rolled back, earlier ones
    ///   stay applied).
    @discardableResult
    public func migrate() async throws -> [Int] {
        let sql = self.sql
        let applied = try await pool.withConnection { connection -> [Int] in
            try connection.execute("SELECT pg_advisory_lock($1::bigint)", [Self.advisoryLockKey])
            defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1::bigint)", [Self.advisoryLockKey]) }
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let done = Set(try Self.appliedVersions(on: connection))
            var appliedNow: [Int] = []
            for migration in Migration.all where !done.contains(migration.version) {
                try connection.transaction { connection in
                    for statement in migration.statements(sql) {
                        try connection.execute(statement)
                    }
                    try connection.execute("INSERT INTO schema_migrations (version, name) VALUES ($1::integer, $2::text)",
                                           [String(migration.version), migration.name])
                }
                appliedNow.append(migration.version)
            }
            return appliedNow
        }
        try await checkDimensions()
        return applied
    }

    /// Applied and pending versions and the stored dimension; changes nothing.
    public func status() async throws -> MigrationStatus {
        try await pool.withConnection { connection in
            let exists = try connection.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").scalar == "t"
            let applied = exists ? try Self.appliedVersions(on: connection) : []
            let pending = Migration.all.map(\.version).filter { !applied.contains($0) }
            return MigrationStatus(applied: applied, pending: pending,
                                   storedDimensions: try Self.storedDimensions(of: "content_vector", on: connection))
        }
    }

    /// Compares the stored dimension with ``dimensions``.
    ///
    /// - Throws: ``DimensionMismatch`` when they differ; ``VectorStoreError/schemaMissing`` when
    ///   there is no `chunks` table.
    public func checkDimensions() async throws {
        try await Self.checkDimensions(dimensions, pool: pool)
    }

    static func checkDimensions(_ configured: Int, pool: PostgresPool) async throws {
        let stored = try await pool.withConnection { connection in
            try storedDimensions(of: "content_vector", on: connection)
        }
        guard let stored else { throw VectorStoreError.schemaMissing }
        guard stored == configured else { throw DimensionMismatch(stored: stored, configured: configured) }
    }

    /// The declared dimension of a `vector` column of `chunks`, read from the catalogue: pgvector
    /// keeps it as the column's type modifier (`atttypmod`). Nil when the table or column is
    /// missing, or the column is not a `vector` of fixed size.
    static func storedDimensions(of column: String, on connection: PostgresConnection) throws -> Int? {
        let rows = try connection.execute("""
            SELECT a.atttypmod
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = to_regclass('chunks')
              AND a.attname = $1::name
              AND NOT a.attisdropped
              AND t.typname = 'vector'
            """, [column])
        guard let value = rows.scalar.flatMap({ Int($0) }), value > 0 else { return nil }
        return value
    }

    private static func appliedVersions(on connection: PostgresConnection) throws -> [Int] {
        try connection.execute("SELECT version FROM schema_migrations ORDER BY version")
            .rows.compactMap { row in row.first.flatMap { $0 }.flatMap { Int($0) } }
    }
}
