/// Every piece of SQL that depends on the vector dimension, in one place.
///
/// pgvector's HNSW index takes `vector` columns of at most 2,000 dimensions. Wider embeddings (the
/// 3,072 of `gemini-embedding-001`) are indexed through a half-precision expression,
/// `content_vector::halfvec(N)`, which HNSW accepts up to 4,000 dimensions. The planner only uses
/// an expression index when the query's `ORDER BY` spells the very same expression, which is why
/// the index definition and the search query are built from ``distance(to:table:)`` here and
/// nowhere else.
struct VectorSQL: Sendable, Equatable {
    /// The widest `vector` HNSW indexes directly.
    static let maximumVectorIndexDimensions = 2_000
    /// The widest `halfvec` HNSW indexes.
    static let maximumDimensions = 4_000
    /// The name of the HNSW index on `chunks`, so it can be dropped and rebuilt by re-embedding.
    static let indexName = "chunks_content_vector_hnsw"

    let dimensions: Int

    init(dimensions: Int) throws(VectorStoreError) {
        guard (1...Self.maximumDimensions).contains(dimensions) else {
            throw .unsupportedDimensions(dimensions)
        }
        self.dimensions = dimensions
    }

    var columnType: String { "vector(\(dimensions))" }

    private var usesHalfPrecisionIndex: Bool { dimensions > Self.maximumVectorIndexDimensions }

    /// The indexed expression, for `column` qualified as needed by the caller.
    func indexedExpression(_ column: String) -> String {
        usesHalfPrecisionIndex ? "(\(column)::halfvec(\(dimensions)))" : column
    }

    /// Cosine distance from the stored vector to the vector in parameter `parameter` (text form),
    /// spelled so the HNSW index serves `ORDER BY` on it.
    func distance(to parameter: String, table alias: String? = nil) -> String {
        let column = alias.map { "\($0).content_vector" } ?? "content_vector"
        if usesHalfPrecisionIndex {
            return "\(indexedExpression(column)) <=> (\(parameter)::vector(\(dimensions)))::halfvec(\(dimensions))"
        }
        return "\(column) <=> \(parameter)::vector(\(dimensions))"
    }

    /// Creates an HNSW cosine index on a vector column of `chunks` (re-embedding builds one on a
    /// staging column, which then takes the place of `content_vector`).
    func createIndex(named name: String, column: String, ifNotExists: Bool = false) -> String {
        let operatorClass = usesHalfPrecisionIndex ? "halfvec_cosine_ops" : "vector_cosine_ops"
        let create = ifNotExists ? "CREATE INDEX IF NOT EXISTS" : "CREATE INDEX"
        return "\(create) \(name) ON chunks USING hnsw (\(indexedExpression(column)) \(operatorClass))"
    }

    /// The nearest-neighbour query.
    ///
    /// Parameters: `$1` the query vector (text form), `$2` tenant or NULL, `$3` document ids as a
    /// `bigint[]` literal or NULL, `$4` a jsonb object the document's metadata must contain or
    /// NULL, `$5` k.
    ///
    /// The inner query has the shape the HNSW index serves: one table, `ORDER BY distance LIMIT
    /// k`, nothing computed in the `ORDER BY`. Documents are joined only to the k rows it returns;
    /// joined inside, the planner may prefer a join order that sorts every chunk (pgvector prices an
    /// HNSW scan at its full cost up front). The `$n IS NULL OR …` conditions fold away when a
    /// filter is not set, because libpq's unnamed statements are planned with their values.
    ///
    /// Filters are checked as the index is scanned; with `hnsw.iterative_scan = relaxed_order`
    /// (set by the store on each connection) the scan goes on until k rows pass them instead of
    /// stopping after `hnsw.ef_search` candidates. Relaxed order may return rows slightly out of
    /// order, so the outer query sorts the k rows again; `+ 0` keeps PostgreSQL 17+ from treating
    /// them as already sorted.
    var search: String {
        let distance = distance(to: "$1", table: "c")
        return """
            WITH nearest AS MATERIALIZED (
                SELECT c.id, c.document_id, c.ordinal, c.content, \(distance) AS distance
                FROM chunks c
                WHERE ($2::text IS NULL OR c.tenant = $2::text)
                  AND ($3::bigint[] IS NULL OR c.document_id = ANY ($3::bigint[]))
                  AND ($4::jsonb IS NULL OR EXISTS (
                      SELECT 1 FROM documents m WHERE m.id = c.document_id AND m.metadata @> $4::jsonb))
                ORDER BY \(distance)
                LIMIT $5::integer
            )
            SELECT n.id, n.document_id, d.title, d.source, n.ordinal, n.content, 1 - n.distance AS score
            FROM nearest n
            JOIN documents d ON d.id = n.document_id
            ORDER BY n.distance + 0, n.id
            """
    }
}
