import ConfigKit
import Logging
import VectorStoreKit

/// The vector store the settings ask for, open and checked: PostgreSQL when `DATABASE_URL` is
/// set, else this process's memory.
public struct VectorStoreHandle: Sendable {
    /// The store to read and write.
    public let store: any VectorStore
    /// The PostgreSQL pool behind ``store``; nil for the in-memory store.
    public let pool: PostgresPool?

    /// `postgres` or `memory`, for logs and status output.
    public var backend: String { pool == nil ? "memory" : "postgres" }

    /// Opens the store for `settings`.
    ///
    /// With PostgreSQL, pending migrations are applied first (safe from several processes at
    /// once) and the stored vector dimension is compared with `EMBEDDING_DIM`.
    ///
    /// - Parameter migrate: false to only check (the schema must then exist already).
    /// - Throws: ``StartupError`` naming both dimensions and both ways out when they differ, or
    ///   saying why the database cannot be used; the URL's password never appears in it.
    public static func open(settings: Settings, migrate: Bool = true, poolSize: Int = 4, logger: Logger) async throws(StartupError) -> VectorStoreHandle {
        guard let url = settings.databaseURL else {
            return VectorStoreHandle(store: MemoryVectorStore(dimensions: settings.embeddingDimensions), pool: nil)
        }
        let pool: PostgresPool
        do {
            pool = try PostgresPool(url: url, size: poolSize, logger: logger)
        } catch {
            throw StartupError("DATABASE_URL cannot be used: \(error)")
        }
        do {
            if migrate {
                try await Migrator(pool: pool, dimensions: settings.embeddingDimensions).migrate()
            }
            let store = try await PostgresVectorStore.open(pool: pool, dimensions: settings.embeddingDimensions)
            return VectorStoreHandle(store: store, pool: pool)
        } catch let mismatch as DimensionMismatch {
            await pool.close()
            throw StartupError(mismatch.description)
        } catch {
            await pool.close()
            throw StartupError("the database at \(Redaction.maskingCredentials(in: url)) cannot be used: \(error)")
        }
    }

    /// Closes the database connections, if any.
    public func close() async {
        await pool?.close()
    }
}
