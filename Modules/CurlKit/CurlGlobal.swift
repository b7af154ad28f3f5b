import CCurl

/// `curl_global_init`, exactly once per process.
///
/// libcurl 7.88 reports `threadsafe`, so a concurrent first call would be safe too, but the
/// documented pattern is one explicit call before any handle exists. A Swift global is
/// initialised once, atomically, on first use; every ``HTTPClient`` touches it in `init`.
enum CurlGlobal {
    static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Runs `curl_global_init` if nobody has yet; returns whether it succeeded.
    @discardableResult
    static func ensureInitialised() -> Bool { initialised }
}
