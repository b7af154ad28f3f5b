import Foundation

/// Documents and chunks in PostgreSQL with pgvector, shared by every Recall process.
///
/// Vectors travel as text parameters (`[0.1,0.2,…]`) cast to `vector(N)` in the SQL; nothing a
/// user wrote is ever spliced into a statement. Searches use the HNSW cosine index at every
/// supported dimension (see ``searchSQL``).
///
/// ```swift
/// let pool = try PostgresPool(url: databaseURL)
/// try await Migrator(pool: pool, dimensions: 768).migrate()
/// let store = try await PostgresVectorStore.open(pool: pool, dimensions: 768)
/// let hits = try await store.search(queryVector, k: 5, filter: SearchFilter(tenant: "acme"))
/// ```
public struct PostgresVectorStore: VectorStore {
    public let dimensions: Int
    let pool: PostgresPool
    let sql: VectorSQL

    /// Chunks per `INSERT`, so a long document does not become one huge parameter.
    private static let insertBatch = 128

    /// A store over `pool` without checking the database; prefer ``open(pool:dimensions:)`` at
    /// start-up, which refuses a database whose vectors have another dimension.
    ///
    /// - Throws: ``VectorStoreError/unsupportedDimensions(_:)`` outside 1…4,000.
    public init(pool: PostgresPool, dimensions: Int) throws(VectorStoreError) {
        self.sql = try VectorSQL(dimensions: dimensions)
        self.pool = pool
        self.dimensions = dimensions
    }

    /// A store over `pool` after checking that the stored vectors have `dimensions` dimensions.
    ///
    /// - Throws: ``DimensionMismatch`` when they do not (its message gives both ways out);
    ///   ``VectorStoreError/schemaMissing`` before the migrations have run.
    public static func open(pool: PostgresPool, dimensions: Int) async throws -> PostgresVectorStore {
        let store = try PostgresVectorStore(pool: pool, dimensions: dimensions)
        try await Migrator.checkDimensions(dimensions, pool: pool)
        return store
    }

    /// The nearest-neighbour statement, exactly as ``search(_:k:filter:)`` sends it, for
    /// `EXPLAIN` and benchmarks. Parameters: `$1` the query vector as `[x,y,…]`, `$2` tenant or
    /// NULL, `$3` a `bigint[]` of document ids or NULL, `$4` a jsonb object or NULL, `$5` k.
    /// Run it after `SET hnsw.iterative_scan = relaxed_order`, as the store does.
    public var searchSQL: String { sql.search }

    public func upsertDocument(_ document: NewDocument, chunks: [NewChunk]) async throws -> UpsertOutcome {
        let metadata = try Self.json(document.metadata)
        let tenant = document.tenant
        let batches = Self.chunkBatches(chunks)
        let chunkCount = chunks.count
        let insertChunks = """
            INSERT INTO chunks (document_id, ordinal, content, content_hash, tenant, content_vector)
            SELECT $1::bigint, $2::integer + (t.position - 1)::integer, t.content, t.content_hash, $3::text,
                   t.vector::\(sql.columnType)
            FROM unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(content, content_hash, vector, position)
            """
        // The vectors' lengths are left to the database to check, inside the transaction: the
        // column type is the authority (another process may have re-embedded), and a refusal
        // there rolls back the document row with it.
        return try await pool.withTransaction { connection in
            // Two rounds: a concurrent upsert of the same hash may commit, or a concurrent delete
            // remove it, between the insert and the look-up.
            for _ in 0..<2 {
                let inserted = try connection.execute("""
                    INSERT INTO documents (source, title, content_hash, metadata, tenant)
                    VALUES ($1::text, $2::text, $3::text, $4::jsonb, $5::text)
                    ON CONFLICT (content_hash) DO NOTHING
                    RETURNING id
                    """, [document.source, document.title, document.contentHash, metadata, tenant])
                if let id = inserted.scalar {
                    for batch in batches {
                        try connection.execute(insertChunks, [id, String(batch.firstOrdinal), tenant,
                                                              batch.contents, batch.hashes, batch.vectors])
                    }
                    return .inserted(documentID: try Self.int64(id), chunkCount: chunkCount)
                }
                let existing = try connection.execute("SELECT id FROM documents WHERE content_hash = $1::text",
                                                      [document.contentHash])
                if let id = existing.scalar {
                    return .unchanged(documentID: try Self.int64(id))
                }
            }
            throw PostgresError(.query, context: "storing a document",
                                message: "a document with the same content hash kept appearing and disappearing")
        }
    }

    public func search(_ vector: [Float], k: Int, filter: SearchFilter) async throws -> [SearchHit] {
        try VectorChecks.validateQuery(vector, dimensions: dimensions)
        guard k > 0 else { return [] }
        let parameters: [PostgresParameter] = [
            .vector(vector),
            .text(filter.tenant),
            .text(filter.documentIDs.map { PostgresLiteral.array($0.map(String.init)) }),
            .text(filter.metadata.isEmpty ? nil : try Self.json(filter.metadata)),
            .text(String(k)),
        ]
        let statement = sql.search
        let rows = try await pool.withConnection { connection in
            // Lets a filtered scan continue past hnsw.ef_search candidates until k rows pass.
            try connection.ensureSessionSetting("hnsw.iterative_scan", "relaxed_order")
            // Prepared once per connection, planned with each call's values: the filters'
            // `$n IS NULL` conditions only fold away in a plan made for the actual values.
            try connection.ensureSessionSetting("plan_cache_mode", "force_custom_plan")
            return try connection.executePrepared(statement, parameters)
        }
        return try rows.rows.map { row in
            SearchHit(chunkID: try Self.int64(row[0]), documentID: try Self.int64(row[1]),
                      title: row[2] ?? "", source: row[3] ?? "", ordinal: Int(try Self.int64(row[4])),
                      content: row[5] ?? "", score: try Self.double(row[6]))
        }
    }

    public func deleteDocument(id: Int64) async throws -> Bool {
        // The chunks go with it: chunks.document_id is ON DELETE CASCADE.
        try await pool.execute("DELETE FROM documents WHERE id = $1::bigint", [String(id)]).affectedRows > 0
    }

    public func documentCount() async throws -> Int {
        Int(try Self.int64(try await pool.execute("SELECT count(*) FROM documents").scalar))
    }

    public func chunkCount() async throws -> Int {
        Int(try Self.int64(try await pool.execute("SELECT count(*) FROM chunks").scalar))
    }

    // MARK: - Encoding

    /// A slice of a document's chunks as the three array parameters of one `INSERT`.
    private struct ChunkBatch: Sendable {
        let firstOrdinal: Int
        let contents: String
        let hashes: String
        let vectors: String
    }

    private static func chunkBatches(_ chunks: [NewChunk]) -> [ChunkBatch] {
        stride(from: 0, to: chunks.count, by: insertBatch).map { start in
            let slice = chunks[start..<min(start + insertBatch, chunks.count)]
            return ChunkBatch(firstOrdinal: start,
                              contents: PostgresLiteral.array(slice.map(\.content)),
                              hashes: PostgresLiteral.array(slice.map(\.contentHash)),
                              vectors: PostgresLiteral.array(slice.map { PostgresLiteral.vector($0.vector) }))
        }
    }

    static func json(_ object: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(object), as: UTF8.self)
    }

    static func int64(_ text: String?) throws(PostgresError) -> Int64 {
        guard let text, let value = Int64(text) else { throw unexpected(text) }
        return value
    }

    static func double(_ text: String?) throws(PostgresError) -> Double {
        guard let text, let value = Double(text) else { throw unexpected(text) }
        return value
    }

    private static func unexpected(_ text: String?) -> PostgresError {
        PostgresError(.query, context: "reading a result", message: "unexpected value \(text.map { "'\($0)'" } ?? "NULL")")
    }
}
