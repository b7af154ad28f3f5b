extension URLPolicy {
    /// Checks a URL a user supplied before it is stored for a later fetch: that libcurl can
    /// parse it, that it is http or https, and that its host resolves only to addresses this
    /// policy allows. Blocks while the name resolves: call it off the event loop.
    ///
    /// The fetch checks again (addresses can change); this check lets an API refuse at once,
    /// saying why, instead of failing a queued job later.
    ///
    /// - Throws: ``HTTPClientError`` (`invalidURL`, `refused` or `couldNotResolve`) with a
    ///   message fit for the user.
    public func vet(_ url: String) throws(HTTPClientError) {
        let parsed = try CurlURL(url)
        _ = try SSRFGuard(policy: self).clear(parsed)
    }
}
