/// Which chunks a search may return; every condition set must hold.
public struct SearchFilter: Sendable, Equatable {
    /// Only chunks of this tenant; nil for any tenant.
    public var tenant: String?
    /// Only chunks of these documents; nil for any document (an empty array matches nothing).
    public var documentIDs: [Int64]?
    /// Only chunks whose document's metadata contains all these pairs (jsonb `@>`).
    public var metadata: [String: String]

    public init(tenant: String? = nil, documentIDs: [Int64]? = nil, metadata: [String: String] = [:]) {
        self.tenant = tenant
        self.documentIDs = documentIDs
        self.metadata = metadata
    }

    /// No filtering.
    public static let none = SearchFilter()
}
