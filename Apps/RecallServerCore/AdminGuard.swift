import Hummingbird

/// The check in front of the admin routes (cache invalidate, clear, warm):
/// `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time.
struct AdminGuard: Sendable {
    let token: String?

    /// Throws 401 without a bearer token, 403 for a wrong one, and 403 explaining how to turn the
    /// admin routes on when no `ADMIN_TOKEN` is configured.
    func check(_ request: Request) throws {
        guard let token, !token.isEmpty else {
            throw APIError(.forbidden, code: "admin_disabled",
                           "admin routes are disabled: set ADMIN_TOKEN on the server and send Authorization: Bearer <token>")
        }
        guard let presented = request.headers[.authorization].flatMap(APIKeyring.bearerToken) else {
            throw APIError(.unauthorized, code: "unauthorized",
                           "this admin route needs Authorization: Bearer <ADMIN_TOKEN>",
                           headers: [.wwwAuthenticate: "Bearer"])
        }
        guard ConstantTime.equalSecrets(presented, token) else {
            throw APIError(.forbidden, code: "forbidden", "the admin token is wrong")
        }
    }
}
