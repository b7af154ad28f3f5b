/// Where a database stands against the migrations this build knows.
public struct MigrationStatus: Sendable, Equatable {
    /// Versions recorded in `schema_migrations`, ascending.
    public let applied: [Int]
    /// Versions this build knows that are not applied yet, ascending.
    public let pending: [Int]
    /// The dimension of `chunks.content_vector` as the catalogue states it; nil before the
    /// `chunks` table exists.
    public let storedDimensions: Int?

    public init(applied: [Int], pending: [Int], storedDimensions: Int?) {
        self.applied = applied
        self.pending = pending
        self.storedDimensions = storedDimensions
    }

    /// True when nothing is pending.
    public var isUpToDate: Bool { pending.isEmpty }
}
