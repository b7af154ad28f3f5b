/// Where a question's tenant shows up: the vector store's `tenant` column and the cache key.
///
/// The default tenant is `""` in the store (``VectorStoreKit/NewDocument``'s default) and
/// `default` in cache keys (what `recall cache warm` writes), so nil, `""` and `"default"` all
/// name it. Every other tenant is the same string in both.
struct TenantScope: Sendable, Hashable {
    /// The store's tenant filter.
    let storeTenant: String
    /// The `t=` part of the cache key.
    let keyTenant: String

    init(_ tenant: String?) {
        let trimmed = tenant?.trimmingWhitespace() ?? ""
        if trimmed.isEmpty || trimmed == "default" {
            storeTenant = ""
            keyTenant = "default"
        } else {
            storeTenant = trimmed
            keyTenant = trimmed
        }
    }
}
