import CHiredis
import Foundation
import TestSupport
import Testing

/// The raw hiredis 0.14 API round trips against the real Redis that `make test` starts.
@Suite("hiredis round trip", .enabled(if: TestServices.isAvailable(.redis)))
struct HiredisRoundTripTests {
    private func connect() throws -> UnsafeMutablePointer<redisContext> {
        let url = try #require(URLComponents(string: try TestServices.url(.redis)))
        let context = try #require(redisConnectWithTimeout(url.host ?? "127.0.0.1", Int32(url.port ?? 6379), timeval(tv_sec: 2, tv_usec: 0)))
        if context.pointee.err != 0 {
            let message = String(cString: recall_redis_errstr(context))
            redisFree(context)
            throw RedisTestError(message: message)
        }
        return context
    }

    struct RedisTestError: Error { let message: String }

    /// Sends one command through the binary-safe argv API.
    private func command(_ context: UnsafeMutablePointer<redisContext>, _ arguments: [String]) -> UnsafeMutablePointer<redisReply>? {
        withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)?.assumingMemoryBound(to: redisReply.self)
        }
    }

    private func withArgv<T>(_ arguments: [String], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> T) -> T {
        let copies = arguments.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        var pointers = copies.map { UnsafePointer<CChar>($0) }
        let lengths = arguments.map { $0.utf8.count }
        return pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { body(Int32(arguments.count), argv.baseAddress!, $0.baseAddress!) }
        }
    }

    private func text(_ reply: UnsafeMutablePointer<redisReply>) -> String? {
        guard let str = reply.pointee.str else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: str, count: reply.pointee.len), as: UTF8.self)
    }

    @Test("SET then GET returns the value")
    func setGet() throws {
        let context = try connect()
        defer { redisFree(context) }
        let key = "recall:test:syslib:\(UUID().uuidString)"
        let set = try #require(command(context, ["SET", key, "hello world", "EX", "60"]))
        #expect(set.pointee.type == REDIS_REPLY_STATUS)
        #expect(text(set) == "OK")
        freeReplyObject(set)
        let get = try #require(command(context, ["GET", key]))
        #expect(get.pointee.type == REDIS_REPLY_STRING)
        #expect(text(get) == "hello world")
        freeReplyObject(get)
        freeReplyObject(command(context, ["DEL", key]))
    }

    @Test("a pipelined batch gets every reply in order")
    func pipeline() throws {
        let context = try connect()
        defer { redisFree(context) }
        let prefix = "recall:test:syslib:pipe:\(UUID().uuidString)"
        let count = 50
        for index in 0..<count {
            let appended = withArgv(["SET", "\(prefix):\(index)", "v\(index)", "EX", "60"]) { redisAppendCommandArgv(context, $0, $1, $2) }
            #expect(appended == REDIS_OK)
        }
        for index in 0..<count {
            _ = withArgv(["GET", "\(prefix):\(index)"]) { redisAppendCommandArgv(context, $0, $1, $2) }
        }
        var values: [String?] = []
        for index in 0..<(2 * count) {
            var raw: UnsafeMutableRawPointer?
            #expect(redisGetReply(context, &raw) == REDIS_OK)
            let reply = try #require(raw?.assumingMemoryBound(to: redisReply.self))
            if index >= count { values.append(text(reply)) }
            freeReplyObject(reply)
        }
        #expect(values == (0..<count).map { "v\($0)" })
    }
}
