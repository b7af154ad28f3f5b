import AppSupport
import ArgumentParser
import CacheKit
import Foundation
import RedisKit

/// `recall cache verify`: the seed's production checklist against the configured Redis.
struct CacheVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the configured Redis against the production checklist.",
        discussion: """
            Checks that Redis answers PING, has a memory limit (maxmemory), evicts with \
            allkeys-lru or a volatile-* policy, persists (appendonly or save), how full it is, and \
            its keyspace hit rate. Each check prints ok, warning or failure, with the fix for \
            anything not ok. Exits 1 if any check failed, 0 otherwise (warnings included).

            Example:
              recall cache verify --env-file /etc/recall/.env
            """
    )

    @OptionGroup var options: CacheCommonOptions

    struct Output: Encodable {
        let redis: String?
        let status: RedisDeploymentCheck.Finding.Status
        let checks: [RedisDeploymentCheck.Finding]
    }

    func run() async throws {
        let settings = ProgramStart.loadSettings(envFile: options.envFile, program: "recall cache verify").settings
        let findings: [RedisDeploymentCheck.Finding]
        var server: String?
        if var redis = CacheConfiguration(settings: settings).redis {
            // One connection is enough, and INFO on a busy server may take longer than a cache read.
            redis.poolSize = 1
            redis.commandTimeout = max(redis.commandTimeout, .seconds(2))
            redis.connectTimeout = max(redis.connectTimeout, .seconds(2))
            server = redis.description
            let client = RedisClient(configuration: redis)
            findings = await RedisDeploymentCheck.run(client: client)
            await client.shutdown()
        } else {
            findings = [RedisDeploymentCheck.Finding(
                check: "ping", status: .failure, detail: "no Redis is configured",
                fix: "set REDIS_URL=redis://host:6379/0 (or REDIS_HOST and REDIS_PORT)"
            )]
        }
        let worst = findings.map(\.status).max() ?? .ok
        if options.json {
            printJSON(Output(redis: server, status: worst, checks: findings))
        } else {
            print("Redis production checklist\(server.map { " for \($0)" } ?? ""):")
            let width = findings.map(\.check.count).max() ?? 0
            for finding in findings {
                let status = finding.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                let check = finding.check.padding(toLength: width, withPad: " ", startingAt: 0)
                print("  \(status) \(check)  \(finding.detail)")
                if let fix = finding.fix { print("  \(String(repeating: " ", count: 9 + width))  fix: \(fix)") }
            }
            let warnings = findings.filter { $0.status == .warning }.count
            let failures = findings.filter { $0.status == .failure }.count
            print("Result: \(worst.rawValue) (\(warnings) warning\(warnings == 1 ? "" : "s"), \(failures) failure\(failures == 1 ? "" : "s"))")
        }
        if worst == .failure { throw CacheExit.negative }
    }
}
