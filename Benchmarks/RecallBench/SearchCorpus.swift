import ArgumentParser
import Foundation
import VectorStoreKit

/// Fills `chunks` with clustered random vectors, generated inside PostgreSQL so that loading
/// 100,000 rows takes seconds rather than shipping gigabytes of text; the HNSW index is built
/// once afterwards, as an operator would for a bulk load.
struct SearchCorpus {
    let pool: PostgresPool
    let dimensions: Int
    /// Clusters the vectors gather around: real embeddings of a corpus are far from uniform.
    let clusters = 200

    func load(rows: Int) async throws {
        let present = Int(try await pool.execute("SELECT count(*) FROM chunks").scalar ?? "0") ?? 0
        if present == rows { return }
        guard present == 0 else {
            throw ValidationError("the database holds \(present) chunks; give an empty database (or one this benchmark filled with --rows \(present))")
        }
        let index = try await pool.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'chunks' AND indexdef ILIKE '%USING hnsw%'").rows.first
        guard let name = index?[0] ?? nil, let definition = index?[1] ?? nil else {
            throw ValidationError("chunks has no HNSW index: run the migrations (recall db migrate) first")
        }
        try await pool.execute("DROP INDEX \(name)")
        let dims = String(dimensions), count = String(rows), clusters = String(clusters)
        let start = ContinuousClock.now
        try await pool.execute("""
            INSERT INTO documents (source, title, content_hash)
            SELECT 'bench', 'bench cluster ' || c, 'bench-' || c FROM generate_series(0, \(clusters) - 1) c
            """)
        // Each vector is its cluster's centre plus two noise vectors chosen by coprime moduli, so
        // every row differs while the expensive random draws stay few (a per-row draw of every
        // float would take minutes); pgvector adds the vectors.
        try await pool.withConnection { connection in
            for (table, size, amplitude) in [("bench_centroids", clusters, "1"), ("bench_noise_a", "997", "0.3"), ("bench_noise_b", "991", "0.3")] {
                try connection.execute("""
                    CREATE TEMP TABLE \(table) AS
                    SELECT c, array_agg(((random() * 2 - 1) * \(amplitude))::float4 ORDER BY j)::vector(\(dims)) AS v
                    FROM generate_series(0, \(size) - 1) c, generate_series(1, \(dims)) j GROUP BY c
                    """)
            }
            try connection.execute("""
                INSERT INTO chunks (document_id, ordinal, content, content_hash, tenant, content_vector)
                SELECT d.id, n, 'bench chunk ' || n, md5(n::text), '', m.v + a.v + b.v
                FROM generate_series(1, \(count)) n
                JOIN bench_centroids m ON m.c = n % \(clusters)
                JOIN bench_noise_a a ON a.c = n % 997
                JOIN bench_noise_b b ON b.c = n % 991
                JOIN documents d ON d.content_hash = 'bench-' || (n % \(clusters))
                """)
            try connection.execute("DROP TABLE bench_centroids, bench_noise_a, bench_noise_b")
        }
        let loaded = ContinuousClock.now
        try await pool.withConnection { connection in
            try connection.execute("SET maintenance_work_mem = '1GB'")
            try connection.execute("SET max_parallel_maintenance_workers = 1")
            try connection.execute(definition)
            try connection.execute("ANALYZE chunks")
        }
        FileHandle.standardError.write(Data(String(
            format: "[search] loaded %d rows in %.1f s, built the HNSW index in %.1f s\n",
            rows, (loaded - start).seconds, (ContinuousClock.now - loaded).seconds).utf8))
    }
}
