import Hummingbird
import Logging
import NIOCore

/// What one request carries through the middleware to its route: the request id, and who the
/// caller is once the API key was checked.
public struct RecallRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The `X-Request-Id` of this request: the caller's when it sent a usable one, else generated.
    public var requestID: String = ""
    /// The tenant of the caller's API key; empty when `API_KEYS` is unset (one tenant).
    public var tenant: String = ""
    /// Who the rate limit counts against: the API key's fingerprint, else the peer address.
    public var clientID: String
    /// The largest body this request's route accepts (set from the route by the body limit).
    public var bodyLimit: Int = 1_048_576
    /// The setting that sets ``bodyLimit``, named in 413 answers.
    public var bodyLimitSetting: String = "MAX_BODY_BYTES"

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientID = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Decoding must respect the route's limit, not Hummingbird's fixed 2 MiB.
    public var maxUploadSize: Int { bodyLimit }
}
