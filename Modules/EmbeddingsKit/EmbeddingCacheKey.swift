import Crypto

/// Identifies one embedding: the same text under the same model, size, task (and title) always
/// has the same vector, whichever process computed it.
///
/// ``stringValue`` is printable and free of the text itself, so the same key can name an entry in
/// a shared cache such as Redis: `emb:v1:<model>:<dimensions>:<TASK>:<sha256 hex>`.
public struct EmbeddingCacheKey: Sendable, Hashable, CustomStringConvertible {
    /// The provider's model name.
    public let model: String
    /// The vector length.
    public let dimensions: Int
    /// The task the vector was made for.
    public let task: EmbeddingTask
    /// Hex SHA-256 of the text, and of the title when there is one.
    public let digest: String

    /// The key of `text` (with `title`, for providers that use titles).
    public init(model: String, dimensions: Int, task: EmbeddingTask, text: String, title: String? = nil) {
        self.model = model
        self.dimensions = dimensions
        self.task = task
        var hasher = SHA256()
        if let title {
            // Length-prefixed, so no title/text split can collide with another.
            hasher.update(data: Array("title:\(title.utf8.count):".utf8))
            hasher.update(data: Array(title.utf8))
            hasher.update(data: Array("\ntext:".utf8))
        }
        hasher.update(data: Array(text.utf8))
        digest = hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// `emb:v1:<model>:<dimensions>:<TASK>:<digest>`.
    public var stringValue: String { "emb:v1:\(model):\(dimensions):\(task.rawValue):\(digest)" }

    public var description: String { stringValue }
}
