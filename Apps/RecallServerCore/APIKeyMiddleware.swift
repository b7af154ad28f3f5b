import Hummingbird

/// When `API_KEYS` is set, the data routes (chat, search, ingest, jobs) need one of the keys:
/// none → 401, an unknown one → 403. The key's tenant goes into the context, and from there into
/// every cache key, search filter and ingested document.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = RecallRequestContext
    let keyring: APIKeyring

    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        guard keyring.isEnabled else { return try await next(request, context) }
        guard let key = APIKeyring.presentedKey(in: request) else {
            throw APIError(.unauthorized, code: "unauthorized",
                           "this route needs an API key: send Authorization: Bearer <key> or X-API-Key: <key>",
                           headers: [.wwwAuthenticate: "Bearer"])
        }
        guard let tenant = keyring.tenant(for: key) else {
            throw APIError(.forbidden, code: "forbidden", "the API key is not one of the server's keys (API_KEYS)")
        }
        var context = context
        context.tenant = tenant
        context.logger[metadataKey: "tenant"] = "\(tenant)"
        return try await next(request, context)
    }
}
