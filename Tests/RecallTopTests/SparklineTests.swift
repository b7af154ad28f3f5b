@testable import RecallTop
import Testing

@Suite("sparkline")
struct SparklineTests {
    @Test("fixed 0…1 scale, blanks for missing samples, only the newest that fit")
    func render() {
        #expect(Sparkline.blocks.render([0, 0.5, 1, nil, 0.99], width: 10) == "▁▅█ █")
        #expect(Sparkline.blocks.render([0, 0.25, 0.5, 0.75, 1], width: 3) == "▅▆█")
        #expect(Sparkline.ascii.render([0, 1], width: 2) == "_@")
        #expect(Sparkline.blocks.render([2, -1], width: 2) == "█▁")
        #expect(Sparkline.blocks.render([0.5], width: 0) == "")
    }
}
