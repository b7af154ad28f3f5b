import CHiredis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking hiredis connection, set up (timeouts, keepalive, AUTH, SELECT) and ready for
/// commands.
///
/// Not thread-safe, on purpose: exactly one thread (a pool worker or a subscriber) owns it for its
/// whole life. Once a call reports an error the context is dead (hiredis sets `c->err` for good)
/// and the owner must drop this object, which frees the context.
final class HiredisConnection {
    private let context: UnsafeMutablePointer<redisContext>
    private let configuration: RedisConfiguration

    /// The socket, for `poll(2)` by the subscriber.
    var fileDescriptor: Int32 { context.pointee.fd }

    private init(context: UnsafeMutablePointer<redisContext>, configuration: RedisConfiguration) {
        self.context = context
        self.configuration = configuration
    }

    deinit {
        redisFree(context)
    }

    /// Connects and runs the handshake; throws a ``RedisError`` of kind `.connection` that names
    /// the server and never contains the password.
    static func connect(_ configuration: RedisConfiguration) throws(RedisError) -> HiredisConnection {
        let endpoint = configuration.endpoint
        guard let context = redisConnectWithTimeout(configuration.host, Int32(clamping: configuration.port),
                                                    configuration.connectTimeout.asTimeval) else {
            throw RedisError(.connection, "could not connect to Redis at \(endpoint): out of memory")
        }
        if context.pointee.err != 0 {
            let reason = String(cString: recall_redis_errstr(context))
            redisFree(context)
            throw RedisError(.connection, "could not connect to Redis at \(endpoint): \(reason)")
                .redacting(configuration.password)
        }
        // From here on, dropping `connection` frees the context when a step fails.
        let connection = HiredisConnection(context: context, configuration: configuration)

        // hiredis applies these to the socket only, so every new socket needs them again.
        if redisSetTimeout(context, configuration.commandTimeout.asTimeval) != REDIS_OK
            || redisEnableKeepAlive(context) != REDIS_OK {
            throw RedisError(.connection, "could not configure the connection to Redis at \(endpoint): "
                             + connection.errorText).redacting(configuration.password)
        }
        try connection.handshake()
        return connection
    }

    private func handshake() throws(RedisError) {
        var commands: [(label: String, command: RedisCommand)] = []
        if let password = configuration.password {
            if let username = configuration.username, !username.isEmpty {
                commands.append(("authenticate as '\(username)'", RedisCommand(["AUTH", username, password])))
            } else {
                commands.append(("authenticate", RedisCommand(["AUTH", password])))
            }
        }
        if configuration.database != 0 {
            commands.append(("select database \(configuration.database)",
                             RedisCommand(["SELECT", String(configuration.database)])))
        }
        guard !commands.isEmpty else { return }

        let replies: [RESPValue]
        do {
            replies = try execute(commands.map(\.command))
        } catch {
            throw RedisError(.connection, "could not set up the connection to Redis at \(configuration.endpoint): "
                             + error.message).redacting(configuration.password)
        }
        for (index, reply) in replies.enumerated() {
            if case .error(let text) = reply {
                throw RedisError(.connection, "could not \(commands[index].label) on Redis at "
                                 + "\(configuration.endpoint): \(text)").redacting(configuration.password)
            }
        }
    }

    /// Sends all commands in one write and reads their replies in order.
    ///
    /// Error replies come back as ``RESPValue/error(_:)``; only transport and protocol failures
    /// throw, after which this connection is dead.
    func execute(_ commands: [RedisCommand]) throws(RedisError) -> [RESPValue] {
        try append(commands)
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            replies.append(try readReply())
        }
        return replies
    }

    /// Queues commands in hiredis's output buffer; nothing is written until ``readReply()``.
    func append(_ commands: [RedisCommand]) throws(RedisError) {
        for command in commands {
            try append(command)
        }
    }

    func append(_ command: RedisCommand) throws(RedisError) {
        let status = command.withArgv { argc, argv, argvlen in
            redisAppendCommandArgv(context, argc, argv, argvlen)
        }
        if status != REDIS_OK { throw currentError(doing: "queue a command for") }
    }

    /// Reads the next reply, first writing whatever is still buffered (blocking, bounded by the
    /// command timeout that is set on the socket).
    func readReply() throws(RedisError) -> RESPValue {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK else { throw currentError(doing: "talk to") }
        guard let raw else { throw RedisError(.protocol, "hiredis returned no reply from Redis at \(configuration.endpoint)") }
        defer { freeReplyObject(raw) }
        return RESPValue(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// A reply that is already complete in hiredis's input buffer, without touching the socket.
    ///
    /// The subscriber needs it: one `read(2)` can bring several messages, and `poll(2)` would not
    /// report the fd readable for the ones hiredis has already buffered.
    func bufferedReply() throws(RedisError) -> RESPValue? {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReplyFromReader(context, &raw) == REDIS_OK else { throw currentError(doing: "read from") }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return RESPValue(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Writes the output buffer out without waiting for a reply.
    func flush() throws(RedisError) {
        var done: Int32 = 0
        while done == 0 {
            if redisBufferWrite(context, &done) != REDIS_OK { throw currentError(doing: "write to") }
        }
    }

    private var errorText: String { String(cString: recall_redis_errstr(context)) }

    /// Turns hiredis's error state into a message that says what failed and where.
    private func currentError(doing action: String) -> RedisError {
        let savedErrno = errno
        let endpoint = configuration.endpoint
        let error: RedisError
        switch context.pointee.err {
        case REDIS_ERR_IO where savedErrno == EAGAIN || savedErrno == EWOULDBLOCK:
            // SO_RCVTIMEO/SO_SNDTIMEO expired: this is hiredis's only way of reporting a timeout.
            error = RedisError(.timeout, "Redis at \(endpoint) did not answer within "
                               + "\(configuration.commandTimeout.humanReadable) (command timeout)")
        case REDIS_ERR_EOF:
            error = RedisError(.io, "Redis at \(endpoint) closed the connection")
        case REDIS_ERR_PROTOCOL:
            error = RedisError(.protocol, "protocol error from Redis at \(endpoint): \(errorText)")
        case REDIS_ERR_OOM:
            error = RedisError(.io, "out of memory while talking to Redis at \(endpoint)")
        default:
            error = RedisError(.io, "could not \(action) Redis at \(endpoint): \(errorText)")
        }
        return error.redacting(configuration.password)
    }
}

extension RESPValue {
    /// Copies a hiredis reply tree; the caller still frees it.
    init(_ reply: UnsafePointer<redisReply>) {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            self = .bulk(r.len == 0 ? [] : Array(UnsafeRawBufferPointer(start: r.str, count: r.len)))
        case REDIS_REPLY_STATUS:
            self = .status(Self.text(r))
        case REDIS_REPLY_ERROR:
            self = .error(Self.text(r))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int(r.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RESPValue] = []
            elements.reserveCapacity(r.elements)
            for index in 0..<r.elements {
                if let element = r.element[index] {
                    elements.append(RESPValue(element))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        default:
            self = .null
        }
    }

    private static func text(_ reply: redisReply) -> String {
        guard reply.len > 0, let str = reply.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: str, count: reply.len), as: UTF8.self)
    }
}

extension Duration {
    var asTimeval: timeval {
        let (seconds, attoseconds) = components
        let clampedSeconds = Swift.max(0, seconds)
        var microseconds = Swift.max(0, attoseconds / 1_000_000_000_000)
        // A zero timeout would mean "block forever" to the kernel: never hand that to a socket.
        if clampedSeconds == 0 && microseconds == 0 { microseconds = 1000 }
        return timeval(tv_sec: .init(clampedSeconds), tv_usec: .init(microseconds))
    }

    /// `2 s`, `500 ms`: for error messages.
    var humanReadable: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        return "\(milliseconds) ms"
    }
}
