/// What an operator needs to know about a Recall database, read without changing anything:
/// the server version, pgvector, the migrations, the stored dimension and the search index.
///
/// ```swift
/// let diagnosis = try await DatabaseDiagnosis.read(pool: pool, dimensions: settings.embeddingDimensions)
/// if !diagnosis.hasSearchIndex { print("searches scan every chunk") }
/// ```
public struct DatabaseDiagnosis: Sendable, Equatable {
    /// `server_version`, e.g. `16.4 (Debian 16.4-1.pgdg120+2)`.
    public let serverVersion: String
    /// The pgvector version installed in this database; nil when `CREATE EXTENSION vector` has not run.
    public let pgvectorInstalled: String?
    /// The pgvector version the server could install; nil when the server has no pgvector at all.
    public let pgvectorAvailable: String?
    /// Applied and pending migrations, and the stored dimension.
    public let migrations: MigrationStatus
    /// Valid HNSW indexes on `chunks`, by name.
    public let hnswIndexes: [String]

    /// Whether the index searches use (on `chunks.content_vector`) exists and is valid.
    public var hasSearchIndex: Bool { hnswIndexes.contains(VectorSQL.indexName) }

    /// Reads the diagnosis with read-only queries.
    ///
    /// - Throws: ``PostgresError`` when the server cannot be reached or a query fails;
    ///   ``VectorStoreError/unsupportedDimensions(_:)`` for an impossible `dimensions`.
    public static func read(pool: PostgresPool, dimensions: Int) async throws -> DatabaseDiagnosis {
        let migrations = try await Migrator(pool: pool, dimensions: dimensions).status()
        return try await pool.withConnection { connection in
            let version = try connection.execute("SHOW server_version").scalar ?? "unknown"
            let installed = try connection.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").scalar
            let available = try connection.execute(
                "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'").scalar
            // indisvalid: an index whose build failed part-way exists but is never used.
            let indexes = try connection.execute("""
                SELECT i.relname
                FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_am am ON am.oid = i.relam
                WHERE x.indrelid = to_regclass('chunks') AND am.amname = 'hnsw' AND x.indisvalid
                ORDER BY i.relname
                """).rows.compactMap { $0.first.flatMap { $0 } }
            return DatabaseDiagnosis(serverVersion: version, pgvectorInstalled: installed, pgvectorAvailable: available,
                                     migrations: migrations, hnswIndexes: indexes)
        }
    }
}
