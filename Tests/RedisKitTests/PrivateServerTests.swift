import Foundation
import RedisKit
import TestSupport
import Testing

/// Tests that need a Redis of their own: password-protected, killed and restarted, or flushed.
@Suite("RedisKit against a private redis-server", .enabled(if: RedisServerProcess.isAvailable), .timeLimit(.minutes(2)))
struct PrivateServerTests {
    static let canary = "CANARYsecret123"

    @Test("AUTH with a password from the URL; a wrong password's error never shows it")
    func authentication() async throws {
        let server = try RedisServerProcess(password: Self.canary)
        defer { server.kill() }

        let authenticated = RedisClient(configuration: try RedisConfiguration(url: server.url))
        try await authenticated.set("k", value: "v")
        #expect(try await authenticated.get("k") == Array("v".utf8))
        await authenticated.shutdown()

        let asDefaultUser = RedisClient(configuration: try RedisConfiguration(
            url: "redis://default:\(Self.canary)@127.0.0.1:\(server.port)/1"))
        #expect(try await asDefaultUser.get("k") == nil, "database 1 is selected, not 0")
        await asDefaultUser.shutdown()

        let wrongPassword = "wrong-CANARYsecret987"
        let wrong = RedisClient(configuration: try RedisConfiguration(
            url: "redis://:\(wrongPassword)@127.0.0.1:\(server.port)/0"))
        let error = await #expect(throws: RedisError.self) { try await wrong.ping() }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("127.0.0.1:\(server.port)") == true)
        #expect(error?.message.contains("WRONGPASS") == true)
        for text in [error?.message ?? "", "\(error.map { "\($0)" } ?? "")", "\(wrong.configuration)"] {
            #expect(!text.contains(wrongPassword))
        }
        await wrong.shutdown()

        let anonymous = RedisClient(configuration: RedisConfiguration(port: server.port))
        let noAuth = await #expect(throws: RedisError.self) { try await anonymous.ping() }
        #expect(noAuth?.kind == .server)
        #expect(noAuth?.serverErrorCode == "NOAUTH")
        await anonymous.shutdown()
    }

    @Test("nothing listening: a clear connection error, fast failures during backoff")
    func connectionRefused() async throws {
        let port = try RedisServerProcess.freePort()
        let client = RedisClient(configuration: RedisConfiguration(port: port, password: Self.canary, poolSize: 1))
        let error = await #expect(throws: RedisError.self) { try await client.ping() }
        #expect(error?.kind == .connection)
        #expect(error?.message == "could not connect to Redis at 127.0.0.1:\(port): Connection refused")
        let again = await #expect(throws: RedisError.self) { try await client.ping() }
        #expect(again?.kind == .connection)
        #expect(again?.message.contains(Self.canary) == false)
        await client.shutdown()
    }

    @Test("a killed server makes calls fail quickly; after a restart the same client works again")
    func reconnectAfterRestart() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let commandTimeout: Duration = .seconds(1)
        let client = RedisClient(configuration: RedisConfiguration(
            port: server.port, commandTimeout: commandTimeout, poolSize: 2))
        try await client.set("survivor", value: "before")
        #expect(try await client.get("survivor") == Array("before".utf8))

        server.kill()
        for _ in 0..<6 {
            let started = ContinuousClock.now
            let error = await #expect(throws: RedisError.self) { try await client.get("survivor") }
            #expect([.io, .connection, .timeout].contains(error?.kind))
            // Not a performance assertion: a failure must never wait for long, let alone hang.
            #expect(ContinuousClock.now - started < commandTimeout + .seconds(1))
        }

        try server.start()
        let recovered = await eventually(timeout: .seconds(15)) {
            (try? await client.set("survivor", value: "after")) != nil
        }
        #expect(recovered)
        // Both pooled connections must be back, whichever the round-robin picks.
        for _ in 0..<4 {
            #expect(await eventually(timeout: .seconds(5)) {
                (try? await client.get("survivor")) == Array("after".utf8)
            })
        }
        await client.shutdown()
    }

    @Test("when the server dies under load every in-flight request finishes, none hangs")
    func serverDiesUnderLoad() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let client = RedisClient(configuration: RedisConfiguration(
            port: server.port, commandTimeout: .seconds(1), poolSize: 3))
        try await client.ping()

        let outcomes = try await withThrowingTaskGroup(of: (succeeded: Int, failed: Int).self) { group in
            for caller in 0..<50 {
                group.addTask {
                    var succeeded = 0
                    var failed = 0
                    for index in 0..<400 {
                        do {
                            try await client.set("load:\(caller)", value: String(index))
                            succeeded += 1
                        } catch let error as RedisError {
                            #expect([.io, .connection, .timeout].contains(error.kind), "\(error)")
                            failed += 1
                        }
                    }
                    return (succeeded, failed)
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            server.kill()
            var total = (succeeded: 0, failed: 0)
            for try await outcome in group {
                total.succeeded += outcome.succeeded
                total.failed += outcome.failed
            }
            return total
        }
        #expect(outcomes.succeeded + outcomes.failed == 50 * 400)
        #expect(outcomes.failed > 0)
        await client.shutdown()
    }

    @Test("the subscriber reports .disconnected and .connected across a restart and receives again")
    func subscriberSurvivesRestart() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let configuration = RedisConfiguration(port: server.port, commandTimeout: .seconds(1))
        let subscriber = RedisSubscriber(configuration: configuration, channels: ["invalidate"])
        let events = EventRecorder(subscriber.messages())
        let publisher = RedisClient(configuration: configuration)

        let connected = await events.waitFor { $0 == .connected }
        #expect(connected != nil)
        _ = try await publisher.publish(channel: "invalidate", message: "one")
        let first = await events.waitFor(after: connected ?? -1) { $0 == .message(channel: "invalidate", payload: Array("one".utf8)) }
        #expect(first != nil)

        server.kill()
        let disconnected = await events.waitFor(after: first ?? -1) { $0 == .disconnected }
        #expect(disconnected != nil)

        try server.start()
        let reconnected = await events.waitFor(after: disconnected ?? -1, timeout: .seconds(15)) { $0 == .connected }
        #expect(reconnected != nil)
        let delivered = await eventually(timeout: .seconds(10)) {
            (try? await publisher.publish(channel: "invalidate", message: "two")) == 1
        }
        #expect(delivered)
        #expect(await events.waitFor(after: reconnected ?? -1) { $0 == .message(channel: "invalidate", payload: Array("two".utf8)) } != nil)

        await subscriber.stop()
        await publisher.shutdown()
    }

    @Test("an idle subscriber outlives its command timeout and is health-checked with PING")
    func idleSubscriberStaysSubscribed() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        // A read timeout would kill a blocking subscriber after 300 ms of silence; this one polls.
        let configuration = RedisConfiguration(port: server.port, commandTimeout: .milliseconds(300))
        let subscriber = RedisSubscriber(configuration: configuration, channels: ["quiet"])
        let events = EventRecorder(subscriber.messages())
        let publisher = RedisClient(configuration: configuration)
        #expect(await events.waitFor { $0 == .connected } != nil)

        // Longer than the 5 s idle interval after which the subscriber sends a PING.
        try await Task.sleep(for: .seconds(6))
        let stats = try await publisher.info("commandstats")
        #expect(stats["cmdstat_ping"]?.contains("calls=") == true, "the subscriber should have sent a PING")

        #expect(try await publisher.publish(channel: "quiet", message: "still here") == 1)
        #expect(await events.waitFor { $0 == .message(channel: "quiet", payload: Array("still here".utf8)) } != nil)
        #expect(events.all.filter { $0 == .connected }.count == 1)
        #expect(!events.all.contains(.disconnected))
        await subscriber.stop()
        await publisher.shutdown()
    }

    @Test("EVALSHA reloads the script after SCRIPT FLUSH")
    func scriptAfterFlush() async throws {
        // A private server, because SCRIPT FLUSH would pull scripts from under other suites.
        let server = try RedisServerProcess()
        defer { server.kill() }
        let client = RedisClient(configuration: RedisConfiguration(port: server.port, poolSize: 2))
        let script = RedisScript("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])")
        #expect(try await client.evalScript(script, keys: ["s"], args: ["first"]) == .bulk(Array("first".utf8)))
        _ = try await client.send(["SCRIPT", "FLUSH"])
        #expect(try await client.evalScript(script, keys: ["s"], args: ["second"]) == .bulk(Array("second".utf8)))
        #expect(try await client.evalScript(script, keys: ["s"], args: ["third"]) == .bulk(Array("third".utf8)))
        await client.shutdown()

        // hiredis resolves IPv4 first, so "localhost" reaches a server bound to 127.0.0.1 only.
        let byName = RedisClient(configuration: RedisConfiguration(host: "localhost", port: server.port))
        #expect(try await byName.get("s") == Array("third".utf8))
        await byName.shutdown()
    }
}
