/// One command's arguments packed into a single buffer, so handing them to hiredis needs one
/// pointer walk instead of one nested `withUnsafeBytes` per argument.
struct RedisCommand: Sendable {
    private(set) var storage: [UInt8] = []
    private(set) var lengths: [Int] = []

    init(_ arguments: [String]) {
        storage.reserveCapacity(arguments.reduce(1) { $0 + $1.utf8.count })
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            storage.append(contentsOf: argument.utf8)
            lengths.append(argument.utf8.count)
        }
    }

    init(bytes arguments: [[UInt8]]) {
        storage.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            storage.append(contentsOf: argument)
            lengths.append(argument.count)
        }
    }

    var isEmpty: Bool { lengths.isEmpty }

    /// The command name, for logs: never the arguments, which may be secrets or user data.
    var name: String {
        guard let first = lengths.first else { return "" }
        return String(decoding: storage.prefix(first), as: UTF8.self).uppercased()
    }

    /// Calls `body` with hiredis-style `argc`, `argv` and `argvlen` that stay valid for the call.
    func withArgv<Result>(
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
    ) -> Result {
        // A command whose arguments are all empty still needs a non-nil base address.
        let padded = storage.isEmpty ? [0] : storage
        return padded.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            return withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: lengths.count) { argv in
                var offset = 0
                for (index, length) in lengths.enumerated() {
                    argv[index] = base + offset
                    offset += length
                }
                return lengths.withUnsafeBufferPointer { argvlen in
                    body(Int32(lengths.count), argv.baseAddress!, argvlen.baseAddress!)
                }
            }
        }
    }
}
