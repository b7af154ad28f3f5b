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
    /// The peer's address, written out only when something asks for ``clientID``.
    private let peer: SocketAddress?
    /// The peer's IP address, which the rate limit counts against when no API key names the caller.
    public var clientID: String { peer?.ipAddress ?? "unknown" }
    /// The largest body this request's route accepts (set from the route by the body limit).
    public var bodyLimit: Int = 1_048_576
    /// The setting that sets ``bodyLimit``, named in 413 answers.
    public var bodyLimitSetting: String = "MAX_BODY_BYTES"

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress
    }

    /// Decoding must respect the route's limit, not Hummingbird's fixed 2 MiB.
    public var maxUploadSize: Int { bodyLimit }
}
