import Foundation

/// Times a statement through psql, the reference client: `\timing` reports each execution's
/// round trip as psql sees it, with results discarded (`\o /dev/null`).
struct PSQLTimer {
    let psql: String
    let url: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Milliseconds of each timed execution (the first `warmup` are run but not returned).
    ///
    /// The statement is prepared once and executed with a custom plan each time
    /// (`plan_cache_mode = force_custom_plan`), which is what an unnamed parameterised statement
    /// from libpq gets, as PostgresVectorStore sends it.
    func time(statement: String, vectors: [[Float]], k: Int, warmup: Int) throws -> [Double] {
        var script = """
            \\set QUIET on
            SET hnsw.iterative_scan = relaxed_order;
            SET plan_cache_mode = force_custom_plan;
            PREPARE recall_search AS \(statement);
            \\o /dev/null

            """
        let executions = Array(vectors.prefix(warmup)) + vectors
        for (index, vector) in executions.enumerated() {
            if index == min(warmup, vectors.count) { script += "\\timing on\n" }
            let literal = "[" + vector.map { String($0) }.joined(separator: ",") + "]"
            script += "EXECUTE recall_search('\(literal)', NULL, NULL, NULL, '\(k)');\n"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("recall-bench-\(UUID().uuidString).sql")
        try Data(script.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: psql)
        process.arguments = [url, "-X", "-v", "ON_ERROR_STOP=1", "-f", file.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "psql failed: \(errors)") }
        let times = output.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("Time: ") else { return nil }
            return Double(line.dropFirst(6).split(separator: " ").first ?? "")
        }
        guard times.count == vectors.count else {
            throw Failure(description: "psql printed \(times.count) timings for \(vectors.count) queries")
        }
        return times
    }
}
