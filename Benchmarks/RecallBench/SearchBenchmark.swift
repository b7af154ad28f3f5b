import ArgumentParser
import Foundation
import VectorStoreKit

/// Nearest-neighbour search over a large corpus: PostgresVectorStore's latency against the same
/// statement run by psql on the same server, and the HNSW index's recall against exact search.
struct SearchBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search p50/p99 through PostgresVectorStore vs psql, and recall@k of HNSW vs exact search."
    )

    @Option(help: "PostgreSQL with pgvector; the database must be empty or hold this benchmark's rows.") var databaseURL: String
    @Option(help: "Path of psql, for the reference timings.") var psql = "psql"
    @Option(help: "Chunks to load.") var rows = 100_000
    @Option(help: "Vector dimensions.") var dim = 768
    @Option(help: "Queries timed on each side.") var queries = 300
    @Option(help: "Queries checked against exact search.") var recallQueries = 100
    @Option var k = 10

    func run() async throws {
        let pool = try PostgresPool(url: databaseURL, size: 1)
        try await Migrator(pool: pool, dimensions: dim).migrate()
        try await SearchCorpus(pool: pool, dimensions: dim).load(rows: rows)
        let store = try await PostgresVectorStore.open(pool: pool, dimensions: dim)
        let queryVectors = try await Self.queries(pool: pool, count: max(queries, recallQueries))

        // Warm both sides' caches with the same queries before timing.
        for vector in queryVectors.prefix(50) { _ = try await store.search(vector, k: k, filter: .none) }
        var ours: [Double] = []
        for vector in queryVectors.prefix(queries) {
            let start = ContinuousClock.now
            _ = try await store.search(vector, k: k, filter: .none)
            ours.append((ContinuousClock.now - start).seconds * 1000)
        }
        let reference = try PSQLTimer(psql: psql, url: databaseURL)
            .time(statement: store.searchSQL, vectors: Array(queryVectors.prefix(queries)), k: k, warmup: 50)

        let recall = try await Self.recall(store: store, pool: pool, vectors: Array(queryVectors.prefix(recallQueries)), k: k)
        await pool.close()

        let ourStats = Percentiles(ours), theirStats = Percentiles(reference)
        report("search_p50_us", ourStats.p50 * 1000, unit: "us", detail: "PostgresVectorStore.search, \(rows) chunks x \(dim)")
        report("search_p99_us", ourStats.p99 * 1000, unit: "us")
        report("psql_search_p50_us", theirStats.p50 * 1000, unit: "us", detail: "the same statement through psql \\timing")
        report("psql_search_p99_us", theirStats.p99 * 1000, unit: "us")
        report("search_recall_at_\(k)_permille", recall * 1000, unit: "permille", detail: String(format: "recall@%d = %.3f over %d queries", k, recall, recallQueries))
    }

    /// Query vectors near the data: stored vectors with a little noise, like real questions
    /// about documents that exist.
    static func queries(pool: PostgresPool, count: Int) async throws -> [[Float]] {
        var generator = SystemRandomNumberGenerator()
        let rows = try await pool.execute("SELECT content_vector::text FROM chunks ORDER BY random() LIMIT $1::integer", [String(count)]).rows
        return rows.compactMap { $0.first ?? nil }.map { text in
            text.dropFirst().dropLast().split(separator: ",").map { (Float($0) ?? 0) + Float.random(in: -0.05...0.05, using: &generator) }
        }
    }

    /// The share of the exact top-k (a sequential scan, no index) that the indexed search returns.
    static func recall(store: PostgresVectorStore, pool: PostgresPool, vectors: [[Float]], k: Int) async throws -> Double {
        let statement = store.searchSQL
        var found = 0
        for vector in vectors {
            let approximate = Set(try await store.search(vector, k: k, filter: .none).map(\.chunkID))
            let literal = "[" + vector.map { String($0) }.joined(separator: ",") + "]"
            let exact = try await pool.withConnection { connection in
                try connection.execute("SET enable_indexscan = off")
                defer { _ = try? connection.execute("RESET enable_indexscan") }
                return try connection.execute(statement, [literal, nil, nil, nil, String(k)])
            }
            let exactIDs = Set(exact.rows.compactMap { $0.first ?? nil }.compactMap { Int64($0) })
            found += approximate.intersection(exactIDs).count
        }
        return Double(found) / Double(vectors.count * k)
    }
}

/// p50 and p99 of a set of milliseconds.
struct Percentiles {
    let p50: Double
    let p99: Double

    init(_ values: [Double]) {
        let sorted = values.sorted()
        func at(_ q: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
        p50 = at(0.5)
        p99 = at(0.99)
    }
}
