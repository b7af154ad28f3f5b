/// One numbered schema step. Steps are applied in order, each in its own transaction together
/// with its row in `schema_migrations`, so a step is either fully applied and recorded or not at
/// all. Never edit a released step; add a new one.
struct Migration: Sendable {
    let version: Int
    let name: String
    /// The statements, one per libpq call (PQexecParams takes a single statement).
    let statements: @Sendable (VectorSQL) -> [String]

    static let all: [Migration] = [
        Migration(version: 1, name: "pgvector extension") { _ in
            ["CREATE EXTENSION IF NOT EXISTS vector"]
        },
        Migration(version: 2, name: "documents") { _ in
            ["""
            CREATE TABLE documents (
                id bigserial PRIMARY KEY,
                source text NOT NULL,
                title text NOT NULL,
                content_hash text NOT NULL UNIQUE,
                metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
                tenant text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """]
        },
        // The dimension is fixed here, from EMBEDDING_DIM at the time of the first migration; later
        // changes go through re-embedding, which rewrites the column.
        Migration(version: 3, name: "chunks") { sql in
            ["""
            CREATE TABLE chunks (
                id bigserial PRIMARY KEY,
                document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
                ordinal integer NOT NULL,
                content text NOT NULL,
                content_hash text NOT NULL,
                tenant text NOT NULL DEFAULT '',
                content_vector \(sql.columnType) NOT NULL,
                UNIQUE (document_id, ordinal)
            )
            """,
             // A selective tenant filter can then be served exactly, without the vector index.
             "CREATE INDEX chunks_tenant_idx ON chunks (tenant)"]
        },
        Migration(version: 4, name: "HNSW cosine index on chunks.content_vector") { sql in
            [sql.createIndex(named: VectorSQL.indexName, column: "content_vector")]
        },
        // A 768-float vector (3 KB) is over the default 2 KB TOAST threshold, so it was moved out
        // of the row: the table's own pages then looked tiny, the planner priced a sequential
        // scan far below its real cost (every row detoasted) and chose it over the HNSW index.
        // Rows up to a page now keep their vector inline (1536 floats fit; 3072 still go out of
        // line, and are searched through the halfvec index expression anyway).
        Migration(version: 5, name: "keep vectors inline for honest scan costs") { _ in
            ["ALTER TABLE chunks SET (toast_tuple_target = 8160)"]
        },
    ]
}
