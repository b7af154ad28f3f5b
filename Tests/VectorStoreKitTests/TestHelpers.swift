import Foundation
import TestSupport
@testable import VectorStoreKit

/// A database of its own on the shared test server, created for one test and dropped after, so
/// tests at different dimensions (and in parallel) never see each other's tables.
enum ScratchDatabase {
    @discardableResult
    static func with<T: Sendable>(_ body: (_ url: String) async throws -> T) async throws -> T {
        let base = try TestServices.url(.postgres)
        // Built from a UUID by the test itself, so splicing it into DDL is safe.
        let name = "recall_vs_" + UUID().uuidString.lowercased().filter { $0 != "-" }
        let admin = try PostgresPool(url: base, size: 1)
        try await admin.execute("CREATE DATABASE \(name)")
        let result: Result<T, any Error>
        do {
            result = .success(try await body(url(base, database: name)))
        } catch {
            result = .failure(error)
        }
        // FORCE ends any connection a failed test left open.
        try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await admin.close()
        return try result.get()
    }

    /// `base` with its database name replaced.
    static func url(_ base: String, database: String) -> String {
        let query = base.firstIndex(of: "?") ?? base.endIndex
        let path = base[..<query].lastIndex(of: "/")!
        return String(base[...path]) + database + String(base[query...])
    }
}

/// Runs `body` with a pool that is closed afterwards, whether `body` throws or not.
@discardableResult
func withPool<T: Sendable>(url: String, size: Int = 2, _ body: (PostgresPool) async throws -> T) async throws -> T {
    let pool = try PostgresPool(url: url, size: size)
    let result: Result<T, any Error>
    do {
        result = .success(try await body(pool))
    } catch {
        result = .failure(error)
    }
    await pool.close()
    return try result.get()
}

/// A migrated scratch database at `dimensions` and a pool on it.
@discardableResult
func withMigratedDatabase<T: Sendable>(
    dimensions: Int, _ body: (_ pool: PostgresPool, _ url: String) async throws -> T
) async throws -> T {
    try await ScratchDatabase.with { url in
        try await withPool(url: url) { pool in
            try await Migrator(pool: pool, dimensions: dimensions).migrate()
            return try await body(pool, url)
        }
    }
}

/// Deterministic test vectors.
enum TestVectors {
    /// Mostly along `axis`, with a small tilt towards `axis + 1` so no two are identical.
    static func near(axis: Int, dimensions: Int, tilt: Float = 0.05) -> [Float] {
        var vector = [Float](repeating: 0, count: dimensions)
        vector[axis % dimensions] = 1
        vector[(axis + 1) % dimensions] = tilt
        return vector
    }

    /// A pseudo-random unit vector derived from `text` (FNV-1a seed, SplitMix64 stream): the same
    /// text always embeds to the same vector, different texts to nearly orthogonal ones.
    static func embed(_ text: String, dimensions: Int) -> [Float] {
        var seed: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            seed = (seed ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        var state = seed ^ UInt64(dimensions)
        var vector = [Float]()
        vector.reserveCapacity(dimensions)
        for _ in 0..<dimensions {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            z ^= z >> 31
            vector.append(Float(Double(z >> 11) / Double(1 << 53)) * 2 - 1)
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return vector.map { $0 / norm }
    }
}

/// The parameters `PostgresVectorStore.searchSQL` takes, for EXPLAIN.
func searchParameters(_ vector: [Float], k: Int, tenant: String? = nil) -> [String?] {
    [PostgresLiteral.vector(vector), tenant, nil, nil, String(k)]
}

/// Planner switches that leave the HNSW index as the only plan without a disabled step.
///
/// On a test-sized table, reading every chunk through another index and sorting is as cheap as an
/// HNSW scan (pgvector prices that at its full cost up front), and the planner's pick flips once
/// the table has statistics. Forbidding sequential scans and sorts in the one session makes the
/// EXPLAIN show whether the index can serve the query at all. (The final sort of the k rows is
/// needed by every plan, so it does not tip the balance.)
let indexOnlySettings = ["enable_seqscan", "enable_sort"].map { "SET \($0) = off" }

/// The EXPLAIN lines of the store's search for `parameters`, under ``indexOnlySettings``, after an
/// ANALYZE so autovacuum cannot change the outcome halfway through a run.
func explainSearch(_ store: PostgresVectorStore, pool: PostgresPool, parameters: [String?]) async throws -> [String] {
    let statement = "EXPLAIN " + store.searchSQL
    return try await pool.withConnection { connection in
        try connection.execute("ANALYZE chunks")
        for setting in indexOnlySettings { try connection.execute(setting) }
        defer {
            _ = try? connection.execute("RESET enable_seqscan")
            _ = try? connection.execute("RESET enable_sort")
        }
        return try connection.execute(statement, parameters).rows.compactMap { $0.first ?? nil }
    }
}
