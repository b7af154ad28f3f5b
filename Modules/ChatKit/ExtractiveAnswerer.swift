import VectorStoreKit

/// Offline answers, made of sentences copied from the retrieved chunks: no model writes anything.
///
/// It splits each chunk into sentences and scores every sentence by how many distinct words of the
/// question it contains (ignoring case, very common words, and a plural `s`). The best sentences
/// — at most ``maximumSentences``, each with at least one such word — are given in source order,
/// each followed by the `[n]` of its chunk. When no sentence shares a word with the question it
/// says so instead of guessing.
///
/// This is extraction, not understanding: it cannot combine facts, resolve pronouns or answer a
/// question whose words the documents do not use. It is deterministic (the same chunks give the
/// same answer), needs no network, and is the `CHAT_PROVIDER=extractive` fallback.
public struct ExtractiveAnswerer: AnswerGenerator {
    /// The name replies carry in `model`.
    public static let modelName = "extractive"
    /// What it says when no sentence shares a word with the question.
    public static let noMatch = "The documents found do not appear to answer this question."

    public let model = ExtractiveAnswerer.modelName
    /// The most sentences an answer quotes.
    public let maximumSentences: Int

    /// An answerer quoting at most `maximumSentences` sentences.
    public init(maximumSentences: Int = 3) {
        self.maximumSentences = max(1, maximumSentences)
    }

    public func generate(question: String, context: [SearchHit], model: String?) async throws -> GeneratedAnswer {
        GeneratedAnswer(text: answer(question: question, context: context), model: Self.modelName)
    }

    /// The answer text for `question` over `context`.
    public func answer(question: String, context: [SearchHit]) -> String {
        let wanted = Set(Self.terms(question))
        struct Candidate {
            let source: Int
            let position: Int
            let sentence: String
            let score: Int
        }
        var candidates: [Candidate] = []
        for (source, hit) in context.enumerated() {
            for (position, sentence) in Self.sentences(hit.content).enumerated() {
                let score = Set(Self.terms(sentence)).intersection(wanted).count
                if score > 0 { candidates.append(Candidate(source: source, position: position, sentence: sentence, score: score)) }
            }
        }
        // Best first; ties go to the better-ranked chunk, then to the earlier sentence.
        let chosen = candidates
            .sorted { ($0.score, -$0.source, -$0.position) > ($1.score, -$1.source, -$1.position) }
            .prefix(maximumSentences)
            .sorted { ($0.source, $0.position) < ($1.source, $1.position) }
        guard !chosen.isEmpty else { return Self.noMatch }
        return chosen.map { "\($0.sentence) [\($0.source + 1)]" }.joined(separator: " ")
    }

    /// Sentences of `text`: split after `.`, `!` or `?` followed by white space, and at blank or
    /// bulleted lines; white space folded.
    static func sentences(_ text: String) -> [String] {
        var sentences: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var current = ""
            var previous: Character?
            for character in line {
                if character.isWhitespace, let previous, ".!?".contains(previous) {
                    sentences.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
                previous = character
            }
            sentences.append(current)
        }
        return sentences
            .map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            .filter { $0.contains { $0.isLetter || $0.isNumber } }
    }

    /// The words of `text` that carry meaning: lower-cased letters and digits, without very common
    /// words, a trailing plural `s` removed.
    static func terms(_ text: String) -> [String] {
        text.lowercased()
            .split { !($0.isLetter || $0.isNumber) }
            .map(String.init)
            .filter { $0.count > 1 && !stopWords.contains($0) }
            .map { word in word.count > 3 && word.hasSuffix("s") && !word.hasSuffix("ss") ? String(word.dropLast()) : word }
    }

    private static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "in", "is",
        "it", "its", "me", "my", "of", "on", "or", "our", "that", "the", "their", "there", "this", "to",
        "was", "we", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your",
    ]
}
