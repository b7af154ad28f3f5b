import Foundation
import IngestKit

/// The files `recall ingest PATH…` works on: files as given, folders searched recursively for
/// the formats Recall reads.
enum IngestFiles {
    static let extensions: Set<String> = ["txt", "text", "md", "markdown", "html", "htm"]

    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path): no such file or folder" }
    }

    /// Every file, sorted within each folder, in the order the paths were given.
    static func collect(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { throw Missing(path: path) }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let base = URL(fileURLWithPath: path)
            let found = (manager.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey])?.allObjects as? [URL] ?? [])
                .filter { extensions.contains($0.pathExtension.lowercased()) }
                .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
                .map { path.hasSuffix("/") ? path + relative($0, to: base) : path + "/" + relative($0, to: base) }
                .sorted()
            files.append(contentsOf: found)
        }
        return files
    }

    private static func relative(_ url: URL, to base: URL) -> String {
        let full = url.standardizedFileURL.path, root = base.standardizedFileURL.path
        return full.hasPrefix(root + "/") ? String(full.dropFirst(root.count + 1)) : url.lastPathComponent
    }

    /// The content type to declare for a file: by its extension, else a generic one (the
    /// pipeline then refuses it with the list of supported types).
    static func contentType(of path: String) -> String {
        DocumentFormat(filename: path)?.rawValue ?? "application/octet-stream"
    }
}
