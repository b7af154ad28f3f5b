import RedisKit
import TestSupport
import Testing

@Suite("RedisClient against the shared Redis", .enabled(if: TestServices.isAvailable(.redis)), .timeLimit(.minutes(2)))
struct RedisClientTests {
    let client: RedisClient
    let prefix: String

    init() throws {
        client = RedisClient(configuration: try sharedConfiguration())
        prefix = uniquePrefix("client")
    }

    @Test("SET, GET, EXISTS, PTTL, DEL round trip")
    func roundTrip() async throws {
        let key = prefix + "round-trip"
        #expect(try await client.get(key) == nil)
        #expect(try await client.exists(key) == false)
        #expect(try await client.pttl(key) == -2)

        try await client.set(key, value: "hello")
        #expect(try await client.get(key) == Array("hello".utf8))
        #expect(try await client.exists(key))
        #expect(try await client.pttl(key) == -1)

        #expect(try await client.pexpire(key, ttl: .seconds(60)))
        let remaining = try await client.pttl(key)
        #expect(remaining > 0 && remaining <= 60_000)

        try await client.set(key, value: "again", ttl: .milliseconds(30_500))
        let withTTL = try await client.pttl(key)
        #expect(withTTL > 0 && withTTL <= 30_500)

        #expect(try await client.delete([key, prefix + "missing"]) == 1)
        #expect(try await client.get(key) == nil)
        #expect(try await client.delete([]) == 0)
        await client.shutdown()
    }

    @Test("SET NX, INCR and UNLINK")
    func conditionalAndCounters() async throws {
        let key = prefix + "nx"
        #expect(try await client.setIfAbsent(key, value: [1], ttl: .seconds(30)))
        #expect(try await client.setIfAbsent(key, value: [2]) == false)
        #expect(try await client.get(key) == [1])

        let counter = prefix + "counter"
        #expect(try await client.incr(counter) == 1)
        #expect(try await client.incr(counter) == 2)
        #expect(try await client.unlink([key, counter]) == 2)
        await client.shutdown()
    }

    @Test("values are binary-safe, including NUL bytes")
    func binarySafe() async throws {
        let key = prefix + "binary"
        let value: [UInt8] = [0x00, 0xFF, 0x0D, 0x0A, 0x00, 0x24, 0x2A, 0x80] + Array(0...255)
        try await client.set(key, value: value)
        #expect(try await client.get(key) == value)

        let binaryKey: [UInt8] = Array(prefix.utf8) + [0x00, 0x01, 0x00]
        _ = try await client.send(bytes: [Array("SET".utf8), binaryKey, value])
        #expect(try await client.send(bytes: [Array("GET".utf8), binaryKey]) == .bulk(value))
        #expect(try await client.send(bytes: [Array("STRLEN".utf8), binaryKey]) == .integer(value.count))

        try await client.set(key, value: [UInt8]())
        #expect(try await client.get(key) == [])
        _ = try await client.send(bytes: [Array("DEL".utf8), binaryKey, Array(key.utf8)])
        await client.shutdown()
    }

    @Test("a pipeline of 100 commands returns 100 replies in order")
    func pipelineOrder() async throws {
        let echoes = try await client.pipeline((0..<100).map { ["ECHO", "message-\($0)"] })
        #expect(echoes.count == 100)
        #expect(echoes.map(\.string) == (0..<100).map { "message-\($0)" })

        var commands = (0..<50).map { ["SET", prefix + "p\($0)", "value-\($0)"] }
        commands += (0..<50).map { ["GET", prefix + "p\($0)"] }
        let replies = try await client.pipeline(commands)
        #expect(replies.count == 100)
        #expect(replies.prefix(50).allSatisfy { $0 == .status("OK") })
        #expect(replies.suffix(50).map(\.string) == (0..<50).map { "value-\($0)" })
        #expect(try await client.delete((0..<50).map { prefix + "p\($0)" }) == 50)
        #expect(try await client.pipeline([]) == [])
        await client.shutdown()
    }

    @Test("an error reply in a pipeline is returned in place while the others succeed")
    func pipelineError() async throws {
        let key = prefix + "not-a-number"
        let replies = try await client.pipeline([
            ["SET", key, "abc"],
            ["INCR", key],
            ["NO-SUCH-COMMAND", key],
            ["GET", key],
            ["DEL", key],
        ])
        #expect(replies.count == 5)
        #expect(replies[0] == .status("OK"))
        guard case .error(let notInteger) = replies[1], case .error(let unknown) = replies[2] else {
            Issue.record("expected error replies, got \(replies)")
            return
        }
        #expect(notInteger.hasPrefix("ERR"))
        #expect(unknown.contains("unknown command"))
        #expect(replies[3].string == "abc")
        #expect(replies[4] == .integer(1))
        await client.shutdown()
    }

    @Test("send throws server error replies, and the connection stays usable")
    func sendThrowsServerErrors() async throws {
        let key = prefix + "list"
        _ = try await client.send(["RPUSH", key, "a"])
        let error = await #expect(throws: RedisError.self) { try await client.get(key) }
        #expect(error?.kind == .server)
        #expect(error?.serverErrorCode == "WRONGTYPE")
        try await client.ping()
        #expect(try await client.delete([key]) == 1)

        let empty = await #expect(throws: RedisError.self) { try await client.send([]) }
        #expect(empty?.kind == .protocol)
        await client.shutdown()
    }

    @Test("SCAN finds exactly the matching keys among many")
    func scanFindsMatchingKeys() async throws {
        let wanted = (0..<1_200).map { "\(prefix)scan:\($0)" }
        let others = (0..<300).map { "\(prefix)other:\($0)" }
        for chunk in stride(from: 0, to: wanted.count, by: 300) {
            _ = try await client.pipeline(wanted[chunk..<min(chunk + 300, wanted.count)].map { ["SET", $0, "1"] })
        }
        _ = try await client.pipeline(others.map { ["SET", $0, "1"] })

        var found = Set<String>()
        var batches = 0
        for try await batch in client.scan(match: "\(prefix)scan:*", count: 200) {
            #expect(!batch.isEmpty)
            batches += 1
            found.formUnion(batch)
        }
        #expect(found == Set(wanted))
        #expect(batches > 1)

        var deleted = 0
        for try await batch in client.scan(match: "\(prefix)*") {
            deleted += try await client.unlink(batch)
        }
        #expect(deleted == wanted.count + others.count)
        await client.shutdown()
    }

    @Test("INFO is parsed into key:value fields")
    func info() async throws {
        let all = try await client.info()
        #expect(all["used_memory"].flatMap { Int($0) } != nil)
        #expect(all["redis_version"] != nil)
        #expect(!all.keys.contains { $0.hasPrefix("#") })
        let memory = try await client.info("memory")
        #expect(memory["used_memory"] != nil)
        #expect(memory["redis_version"] == nil)
        await client.shutdown()
    }

    @Test("CONFIG GET returns a dictionary")
    func configGet() async throws {
        let config = try await client.configGet("maxmemory*")
        #expect(config["maxmemory"] != nil)
        #expect(config["maxmemory-policy"] != nil)
        await client.shutdown()
    }

    @Test("a script runs with EVALSHA and reports Lua errors as server errors")
    func script() async throws {
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        let key = prefix + "script"
        #expect(try await client.evalScript(script, keys: [key], args: ["5"]) == .integer(5))
        #expect(try await client.evalScript(script, keys: [key], args: ["2"]) == .integer(7))

        let failing = RedisScript("return redis.call('NO_SUCH_COMMAND_IN_LUA')")
        let error = await #expect(throws: RedisError.self) {
            try await client.evalScript(failing, keys: [], args: [])
        }
        #expect(error?.kind == .server)
        _ = try await client.delete([key])
        await client.shutdown()
    }

    @Test("200 concurrent tasks each get their own value back")
    func concurrentCallers() async throws {
        let prefix = self.prefix
        let client = self.client
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let key = "\(prefix)concurrent:\(index)"
                    let value = Array("value-\(index)-".utf8) + [UInt8(index % 256), 0]
                    try await client.set(key, value: value, ttl: .seconds(60))
                    return try await client.get(key) == value
                }
            }
            var matched = 0
            for try await ok in group where ok { matched += 1 }
            #expect(matched == 200)
        }
        var deleted = 0
        for try await batch in client.scan(match: "\(prefix)concurrent:*") {
            deleted += try await client.delete(batch)
        }
        #expect(deleted == 200)
        await client.shutdown()
    }

    @Test("a command that outlives the command timeout fails with .timeout and the client recovers")
    func commandTimeout() async throws {
        let impatient = RedisClient(configuration: try sharedConfiguration(poolSize: 1, commandTimeout: .milliseconds(300)))
        let error = await #expect(throws: RedisError.self) {
            try await impatient.send(["BLPOP", prefix + "never-pushed", "3"])
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("300 ms") == true)
        try await impatient.ping()
        await impatient.shutdown()
        await client.shutdown()
    }

    @Test("after shutdown every call throws .closed")
    func shutdownCloses() async throws {
        try await client.ping()
        await client.shutdown()
        let error = await #expect(throws: RedisError.self) { try await client.ping() }
        #expect(error?.kind == .closed)
        await client.shutdown()
    }
}
