import Hummingbird

/// `RATE_LIMIT_PER_MINUTE` per client on the API routes: over the limit → 429 with
/// `Retry-After`. A client is its API key (by fingerprint) when it presents a valid one, else
/// its address.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = RecallRequestContext
    let limiter: any RateLimiter
    let keyring: APIKeyring

    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        var client = "ip:\(context.clientID)"
        // Only a valid key names the client: an invented key per request must not reset the count.
        if keyring.isEnabled, let key = APIKeyring.presentedKey(in: request), keyring.tenant(for: key) != nil {
            client = "key:\(APIKeyring.fingerprint(of: key))"
        }
        let decision = await limiter.admit(client)
        guard decision.allowed else {
            throw APIError(.tooManyRequests, code: "rate_limited",
                           "too many requests: the limit is RATE_LIMIT_PER_MINUTE per client; retry in \(decision.retryAfterSeconds) s",
                           headers: [.retryAfter: String(decision.retryAfterSeconds)])
        }
        return try await next(request, context)
    }
}
