/// What ``PostgresVectorStore/reembed(to:batchSize:using:)`` did.
public struct ReembedReport: Sendable, Equatable {
    /// The dimension before.
    public let fromDimensions: Int
    /// The dimension now.
    public let toDimensions: Int
    /// Chunks whose vector this call computed (fewer than all when it resumed an interrupted run).
    public let chunksEmbedded: Int

    public init(fromDimensions: Int, toDimensions: Int, chunksEmbedded: Int) {
        self.fromDimensions = fromDimensions
        self.toDimensions = toDimensions
        self.chunksEmbedded = chunksEmbedded
    }
}

extension PostgresVectorStore {
    /// The column that collects the new vectors until they replace `content_vector`.
    private static let stagingColumn = "content_vector_next"
    private static let stagingIndex = "chunks_content_vector_next_hnsw"
    /// Catch-up passes for chunks inserted (by processes still on the old dimension) while
    /// re-embedding runs, before giving up.
    private static let maximumPasses = 5

    /// Re-embeds every chunk at `newDimensions` and switches `chunks.content_vector` to
    /// `vector(newDimensions)` with a matching HNSW index; the operation behind
    /// `recall db reembed --dim M`.
    ///
    /// Works whatever the stored dimension is (this store's own ``dimensions`` is not used), and is
    /// resumable: new vectors are collected in a staging column, batch by batch, each batch
    /// committed on its own; a run that is interrupted continues where it stopped. Searches keep
    /// using the old vectors until the final step swaps the columns in one short transaction, so
    /// the database is never half-converted. Afterwards open a new store at `newDimensions`; this
    /// one no longer matches the database.
    ///
    /// Run one re-embedding at a time, preferably with writers stopped: chunks they add meanwhile
    /// are caught up before the swap, but after it, processes still on the old dimension fail
    /// their writes until restarted with the new `EMBEDDING_DIM`.
    ///
    /// - Parameters:
    ///   - newDimensions: the new `EMBEDDING_DIM`.
    ///   - batchSize: chunks per call of `embed` (and per committed update).
    ///   - embed: returns one vector of `newDimensions` floats per text, in order.
    @discardableResult
    public func reembed(
        to newDimensions: Int, batchSize: Int = 64,
        using embed: @escaping @Sendable ([String]) async throws -> [[Float]]
    ) async throws -> ReembedReport {
        precondition(batchSize >= 1, "batchSize must be at least 1")
        let target = try VectorSQL(dimensions: newDimensions)
        guard let stored = try await prepareStaging(target) else {
            return ReembedReport(fromDimensions: newDimensions, toDimensions: newDimensions, chunksEmbedded: 0)
        }
        var embedded = 0
        for _ in 0..<Self.maximumPasses {
            embedded += try await fillStaging(target, batchSize: batchSize, embed: embed)
            if try await swapInStaging() {
                return ReembedReport(fromDimensions: stored, toDimensions: newDimensions, chunksEmbedded: embedded)
            }
        }
        let remaining = try await pool.execute("SELECT count(*) FROM chunks WHERE \(Self.stagingColumn) IS NULL").scalar
        throw PostgresError(.query, context: "re-embedding",
                            message: "chunks kept arriving without new vectors (\(remaining ?? "?") left); "
                                + "stop the writers and run it again, it resumes where it stopped")
    }

    /// Makes sure a staging column of the target size exists, with its HNSW index; nil when the
    /// stored dimension is already the target (nothing to do), else the stored dimension.
    ///
    /// The index is created on the still empty column, so every staged vector enters it as it is
    /// written. Built afterwards, it would find HOT chains whose indexed value changed, and
    /// PostgreSQL would then hide it from transactions older than itself (`indcheckxmin`): right
    /// after the swap, searches could fall back to reading every chunk while any long transaction
    /// ran.
    private func prepareStaging(_ target: VectorSQL) async throws -> Int? {
        let staging = Self.stagingColumn, stagingIndex = Self.stagingIndex
        return try await pool.withTransaction { connection -> Int? in
            guard let stored = try Migrator.storedDimensions(of: "content_vector", on: connection) else {
                throw VectorStoreError.schemaMissing
            }
            let existing = try Migrator.storedDimensions(of: staging, on: connection)
            // A staging column of another size is left from an interrupted run towards another
            // target: its vectors are of no use now. Dropping it drops its index too.
            if let existing, existing != target.dimensions || stored == target.dimensions {
                try connection.execute("ALTER TABLE chunks DROP COLUMN \(staging)")
            }
            if stored == target.dimensions { return nil }
            if existing != target.dimensions {
                try connection.execute("ALTER TABLE chunks ADD COLUMN \(staging) \(target.columnType)")
            }
            try connection.execute(target.createIndex(named: stagingIndex, column: staging, ifNotExists: true))
            return stored
        }
    }

    /// Embeds every chunk without a staged vector, in id order; returns how many it did.
    private func fillStaging(
        _ target: VectorSQL, batchSize: Int, embed: @Sendable ([String]) async throws -> [[Float]]
    ) async throws -> Int {
        let select = """
            SELECT id, content FROM chunks
            WHERE \(Self.stagingColumn) IS NULL AND id > $1::bigint
            ORDER BY id
            LIMIT $2::integer
            """
        let update = """
            UPDATE chunks AS c SET \(Self.stagingColumn) = v.vector::\(target.columnType)
            FROM unnest($1::bigint[], $2::text[]) AS v(id, vector)
            WHERE c.id = v.id
            """
        var lastID: Int64 = 0
        var count = 0
        while true {
            let rows = try await pool.execute(select, [String(lastID), String(batchSize)]).rows
            guard !rows.isEmpty else { return count }
            let ids = try rows.map { try Self.int64($0[0]) }
            let texts = rows.map { $0[1] ?? "" }
            let vectors = try await embed(texts)
            guard vectors.count == texts.count else {
                throw VectorStoreError.embeddingCountMismatch(expected: texts.count, actual: vectors.count)
            }
            for vector in vectors {
                try VectorChecks.validateStored(vector, dimensions: target.dimensions)
            }
            try await pool.execute(update, [PostgresLiteral.array(ids.map(String.init)),
                                            PostgresLiteral.array(vectors.map(PostgresLiteral.vector))])
            count += rows.count
            lastID = ids[ids.count - 1]
        }
    }

    /// Replaces `content_vector` and its index by the staged ones in one transaction. It locks the
    /// table, but only for a count and catalogue changes (no rewrite, no index build: the staged
    /// index is complete already); false, and nothing changed, when some chunk still lacks a staged
    /// vector.
    private func swapInStaging() async throws -> Bool {
        let staging = Self.stagingColumn, stagingIndex = Self.stagingIndex
        return try await pool.withTransaction { connection -> Bool in
            try connection.execute("LOCK TABLE chunks IN ACCESS EXCLUSIVE MODE")
            let missing = try connection.execute("SELECT count(*) FROM chunks WHERE \(staging) IS NULL").scalar
            guard missing == "0" else { return false }
            try connection.execute("DROP INDEX IF EXISTS \(VectorSQL.indexName)")
            try connection.execute("ALTER TABLE chunks DROP COLUMN content_vector")
            try connection.execute("ALTER TABLE chunks RENAME COLUMN \(staging) TO content_vector")
            try connection.execute("ALTER TABLE chunks ALTER COLUMN content_vector SET NOT NULL")
            // The index refers to the column by position, so after the rename it indexes
            // `content_vector` with the very expression searches at the new size use.
            try connection.execute("ALTER INDEX \(stagingIndex) RENAME TO \(VectorSQL.indexName)")
            return true
        }
    }
}
