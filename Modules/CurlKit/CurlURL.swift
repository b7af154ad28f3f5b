import CCurl

/// A URL parsed by libcurl's own URL API and handed to the transfer as that parsed object
/// (`CURLOPT_CURLU`).
///
/// The SSRF guard must judge the host libcurl will connect to. Parsing with another library
/// invites parser differentials (`http://a@b@c/`, backslashes, odd IPv4 forms), so the URL is
/// parsed once, here, and the same object is used for checking and for the transfer.
///
/// Owned by one worker thread at a time, like the easy handle it is used with.
final class CurlURL {
    let handle: OpaquePointer
    let scheme: String
    /// The host without brackets, IDN names in punycode (what the resolver is asked).
    let host: String
    /// The port, the scheme's default when the URL has none.
    let port: Int
    /// True when the host is an IP address literal.
    let hostIsAddress: Bool

    init(_ text: String) throws(HTTPClientError) {
        guard let handle = curl_url() else { throw HTTPClientError(.invalidURL, "out of memory parsing a URL") }
        self.handle = handle
        let code = curl_url_set(handle, CURLUPART_URL, text, 0)
        guard code == CURLUE_OK else {
            curl_url_cleanup(handle)
            throw HTTPClientError(.invalidURL, "the URL cannot be used: \(String(cString: curl_url_strerror(code)))")
        }
        let scheme = (Self.part(handle, CURLUPART_SCHEME) ?? "").lowercased()
        let rawHost = Self.part(handle, CURLUPART_HOST, flags: UInt32(CURLU_PUNYCODE)) ?? Self.part(handle, CURLUPART_HOST) ?? ""
        let port = Self.part(handle, CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT)).flatMap { Int($0) }
        guard scheme == "http" || scheme == "https" else {
            curl_url_cleanup(handle)
            throw HTTPClientError(.invalidURL, "the URL scheme '\(scheme.prefix(16))' is not allowed: only http and https URLs can be fetched")
        }
        guard !rawHost.isEmpty, let port else {
            curl_url_cleanup(handle)
            throw HTTPClientError(.invalidURL, "the URL has no host")
        }
        self.scheme = scheme
        self.port = port
        if rawHost.hasPrefix("["), rawHost.hasSuffix("]") {
            host = String(rawHost.dropFirst().dropLast())
        } else {
            host = rawHost
        }
        hostIsAddress = IPAddress(host) != nil
    }

    deinit { curl_url_cleanup(handle) }

    /// `scheme://host:port`: how messages name a destination, without path, query or user info
    /// (any of which may carry a token).
    var origin: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }

    private static func part(_ handle: OpaquePointer, _ what: CURLUPart, flags: UInt32 = 0) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, what, &value, flags) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}
