import AppSupport
import ArgumentParser
import ConfigKit
import CurlKit
import Foundation

/// A command's connection to the recall-server of `--server`: the same settings as the
/// direct commands (for `ADMIN_TOKEN` and `API_KEYS`), the shared client, and the translation of
/// the server's answers into this tool's messages and exit statuses.
struct RemoteServer {
    let client: RecallServerClient
    let settings: Settings
    /// `ask`, `cache stats`…: the prefix of every message.
    let command: String

    /// The server of `options`, or nil when the command should work directly.
    ///
    /// The admin token is `ADMIN_TOKEN` (the server's own setting, from the environment or the
    /// .env file), else `RECALL_TOKEN` as recall-top reads it. The API key is `--api-key`, else
    /// `RECALL_API_KEY`, else the key of `tenant` in `API_KEYS` (the first key when no tenant is
    /// given).
    static func open(_ options: ServerOptions, envFile: String?, command: String, tenant: String? = nil) throws -> RemoteServer? {
        guard let url = options.url else { return nil }
        let settings = ProgramStart.loadSettings(envFile: envFile, program: "recall \(command)").settings
        let environment = ProcessInfo.processInfo.environment
        let adminToken = settings.adminToken ?? environment["RECALL_TOKEN"]
        var apiKey = options.apiKey ?? environment["RECALL_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let keys = settings.server.apiKeys
        if apiKey == nil, !keys.isEmpty {
            if let tenant {
                guard let entry = keys.first(where: { $0.tenant == tenant }) else {
                    throw ValidationError("API_KEYS has no key of tenant \(tenant): with --server the API key chooses the tenant; give --api-key")
                }
                apiKey = entry.key
            } else {
                apiKey = keys.first?.key
            }
        }
        let client = RecallServerClient(base: url, adminToken: adminToken, apiKey: apiKey, timeout: .seconds(120), userAgent: "recall")
        return RemoteServer(client: client, settings: settings, command: command)
    }

    /// Sends a request, decodes a 2xx answer as `Reply`, and shuts the client down if it fails;
    /// a failure is printed and thrown as the exit status that fits it.
    func call<Reply: Decodable>(
        _ method: HTTPMethod, _ path: String, access: RecallServerClient.Access, body: (any Encodable)? = nil,
        headers: [HTTPHeader] = [], as type: Reply.Type
    ) async throws -> (reply: Reply, response: HTTPResponse) {
        let response: HTTPResponse
        do {
            let data = try body.map { try JSONEncoder().encode($0) }
            response = try await client.call(method, path, access: access, json: data, headers: headers)
        } catch let error as RecallServerError {
            await client.shutdown()
            throw report(error, access: access)
        }
        return (try decode(Reply.self, from: response, what: "\(method) \(path)"), response)
    }

    /// The body of a 2xx `response` as `Reply`, or a failure saying the server is not one this
    /// recall reads.
    func decode<Reply: Decodable>(_ type: Reply.Type, from response: HTTPResponse, what: String) throws -> Reply {
        do {
            return try JSONDecoder().decode(Reply.self, from: response.body)
        } catch {
            throw CommandOutput.failure(command, "the server at \(client.base) answered \(what) with JSON this recall does not read (\(error)); is it a recall-server of the same version?")
        }
    }

    func shutdown() async {
        await client.shutdown()
    }

    /// `value` escaped for one segment of a URL path.
    static func pathSegment(_ value: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// Prints `error` with what to do next and returns its exit status: 69 when the server (or a
    /// service behind it) does not answer, 2 when it found the request wrong, 1 otherwise.
    func report(_ error: RecallServerError, access: RecallServerClient.Access) -> ExitCode {
        var lines = ["recall \(command): \(error)"]
        let status: Int32
        switch error {
        case .unreachable:
            lines.append("  next: start recall-server there, or fix --server / RECALL_SERVER_URL")
            status = 69
        case .refused(let code, _, _):
            lines[0] = "recall \(command): the server at \(client.base) refused: \(error)"
            switch (code, access) {
            case (401, .admin), (403, .admin):
                lines.append("  next: set ADMIN_TOKEN (environment or .env) to the server's admin token")
            case (401, _), (403, _):
                lines.append("  next: give one of the server's API_KEYS with --api-key or RECALL_API_KEY")
            default:
                break
            }
            status = switch code {
            case 400, 413, 415, 422: CommandLineMain.usageExitCode
            case 502, 503, 504: 69
            default: 1
            }
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        return ExitCode(status)
    }
}
