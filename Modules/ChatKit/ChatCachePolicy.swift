/// How one question uses the response cache; the server maps the request's `Cache-Control` to it.
public enum ChatCachePolicy: String, Sendable, Hashable, CaseIterable {
    /// Read the cache, and on a miss compute once (single-flight) and store the answer.
    case normal
    /// `Cache-Control: no-cache`: do not read the cached answer; compute a fresh one and overwrite
    /// the entry, so later askers get the fresh answer.
    case refresh
    /// `Cache-Control: no-store`: neither read nor write the cache.
    case bypass
}
