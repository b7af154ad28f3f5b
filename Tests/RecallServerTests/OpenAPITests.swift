import Foundation
import RecallServerCore
import Testing

/// docs/openapi.yaml must describe exactly the routes the server registers.
@Suite("docs/openapi.yaml")
struct OpenAPITests {
    static var specURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.yaml")
    }

    /// `METHOD path` for every operation under `paths:` (two-space paths, four-space methods).
    static func specOperations() throws -> Set<String> {
        let text = try String(contentsOf: specURL, encoding: .utf8)
        var operations: Set<String> = []
        var inPaths = false
        var path: String?
        let methods: Set<String> = ["get", "post", "put", "delete", "patch", "head", "options"]
        for line in text.components(separatedBy: "\n") {
            if !line.hasPrefix(" ") && !line.isEmpty {
                inPaths = line == "paths:"
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if line.hasSuffix(":"), methods.contains(String(key)) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test("every registered route is in the spec and every operation of the spec is registered")
    func agreement() async throws {
        let components = try await ServerHarness.components()
        let (_, registry) = ServerApplication.router(components: components)
        await components.shutdown()
        let registered = Set(registry.table.routes.map { "\($0.method) \($0.template)" })
        let specified = try Self.specOperations()
        #expect(registered.count >= 13)
        #expect(registered.subtracting(specified).isEmpty, "missing from docs/openapi.yaml: \(registered.subtracting(specified).sorted())")
        #expect(specified.subtracting(registered).isEmpty, "in the spec but not served: \(specified.subtracting(registered).sorted())")
    }
}
